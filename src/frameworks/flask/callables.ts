/** What one request is known to be when Flask-Limiter runs a callable (`exempt_when`, a request filter) for it. */
import type { Expr } from '../../python/ir';
import type { Project } from '../../python/project';
import type { Known } from '../../python/profile';
import type { Principal } from '../../model';

// Flask's request proxy and flask_login's user proxy, as callables read them.
const REQUEST_PROXIES = ['flask.request', 'flask.globals.request'];
const USER_PROXIES = ['flask_login.current_user', 'flask_login.utils.current_user'];

/**
 * What one request is known to be inside a Flask callable: `request.method`, `current_user.is_authenticated` /
 * `is_anonymous`, the proxies resolved where the callable reads them.
 */
export function flaskRequestFacts(project: Project, method: string, principal: Principal): Known {
  return (expr, ctx) => {
    const is = (obj: Expr, qnames: string[]): boolean => project.resolve(obj, ctx).some((v) => v.kind === 'external' && qnames.includes(v.qname));
    if (expr.k !== 'attr') return undefined;
    if (expr.name === 'method' && is(expr.obj, REQUEST_PROXIES)) return method;
    if ((expr.name === 'is_authenticated' || expr.name === 'is_anonymous') && is(expr.obj, USER_PROXIES)) return (expr.name === 'is_authenticated') === (principal === 'authenticated');
    return undefined;
  };
}
