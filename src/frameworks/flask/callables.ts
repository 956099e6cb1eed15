/**
 * What the callables handed to Flask-Limiter do, read from their bodies: key functions (`key_func`), exemption
 * conditions (`exempt_when`, `@limiter.request_filter`) and over-limit answers (`@app.errorhandler(429)`,
 * `on_breach`). A callable whose body the facts do not show (a library function, a value chosen at run time)
 * raises no concern.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, dottedName } from '../../python/ir';
import type { Ctx, Project, Value } from '../../python/project';
import type { PyValue } from '../../python/profile';
import type { Evidence, Principal, SourceRef } from '../../model';
import { callableBody, type CallableBody } from '../callable-body';
import { isForwardedHeader } from '../client-input';

// `request` attributes holding values the client submits.
const SUBMITTED = ['args', 'form', 'json', 'get_json', 'values', 'view_args', 'files', 'cookies'];
// ... and the other attributes a client controls; `environ` only counts where an `HTTP_*` header is read.
const CLIENT_INPUT = [...SUBMITTED, 'headers', 'access_route', 'user_agent', 'authorization', 'referrer'];
// String methods that keep an empty string empty.
const STRING_METHODS = new Set(['strip', 'lstrip', 'rstrip', 'lower', 'upper', 'casefold', 'title', 'split', 'rsplit']);

// Flask's request proxy and flask_login's user proxy, as callables read them.
const REQUEST_PROXIES = ['flask.request', 'flask.globals.request'];
const USER_PROXIES = ['flask_login.current_user', 'flask_login.utils.current_user'];

/** What one request is known to be inside a Flask callable: `request.method`, `current_user.is_authenticated` / `is_anonymous`. */
export function flaskRequestFacts(project: Project, ctx: Ctx, method: string, principal: Principal): (expr: Expr) => PyValue | undefined {
  const is = (expr: Expr, qnames: string[]): boolean => project.resolve(expr, ctx).some((v) => v.kind === 'external' && qnames.includes(v.qname));
  return (expr) => {
    if (expr.k !== 'attr') return undefined;
    if (expr.name === 'method' && is(expr.obj, REQUEST_PROXIES)) return method;
    if ((expr.name === 'is_authenticated' || expr.name === 'is_anonymous') && is(expr.obj, USER_PROXIES)) return (expr.name === 'is_authenticated') === (principal === 'authenticated');
    return undefined;
  };
}

/**
 * Why a key function lets a client get a fresh counter: a forwarded header, a submitted value, an empty key.
 * `at` is where the key function is named, for library functions.
 */
export function keyConcerns(values: Value[], at: SourceRef): Evidence[] {
  if (values.some((v) => v.kind === 'external' && v.qname === 'flask_limiter.util.get_ipaddr')) {
    const message = '`get_ipaddr` keys the limit on the first X-Forwarded-For address, which the client sets: every new value gets a fresh counter';
    return [{ ...at, message, concern: 'spoofable-key' }];
  }
  const body = callableBody(values);
  if (!body) return [];
  const found: Evidence[] = [];
  const fn = named('the key function', body);
  const forwarded = body.stringKeys.find(isForwardedHeader) ?? (body.reads.includes('access_route') ? 'request.access_route' : undefined);
  if (forwarded) {
    found.push({ ...body.at, message: `${fn} reads \`${forwarded}\`, which the client sets: every new value gets a fresh counter (behind a proxy, key on \`get_remote_address\` with ProxyFix)`, concern: 'spoofable-key' });
  }
  const submitted = SUBMITTED.find((a) => body.reads.includes(a));
  if (submitted) {
    found.push({ ...body.at, message: `${fn} builds the key from \`request.${submitted}\`, a value the client picks: every new value gets a fresh counter`, concern: 'attacker-chosen-key' });
  }
  if (body.returns.some((r) => mayBeEmpty(r, body.ctx, 0))) {
    found.push({ ...body.at, message: `${fn} can return an empty key, and Flask-Limiter then skips the limit`, concern: 'empty-key' });
  }
  return found;
}

/** Whether a key expression can be `""` or None: `.get(k)`, `.get(k, "")`, through string methods, indexes and local names. */
function mayBeEmpty(expr: Expr, ctx: Ctx, depth: number): boolean {
  if (depth > 8) return false;
  switch (expr.k) {
    case 'str':
      return expr.v === '';
    case 'none':
      return true;
    case 'fstr':
    case 'concat':
      return expr.parts.every((p) => mayBeEmpty(p, ctx, depth + 1));
    case 'subscript':
      return mayBeEmpty(expr.obj, ctx, depth + 1);
    case 'call': {
      if (expr.fn.k !== 'attr') return false;
      if (expr.fn.name === 'get' && expr.args.length) {
        const fallback = argument(expr, 1, 'default');
        return !fallback || mayBeEmpty(fallback, ctx, depth + 1);
      }
      return STRING_METHODS.has(expr.fn.name) && mayBeEmpty(expr.fn.obj, ctx, depth + 1);
    }
    case 'name':
      return (ctx.mod.bindings[ctx.scope] ?? []).some((b) => b.kind === 'assign' && b.name === expr.id && mayBeEmpty(b.value, ctx, depth + 1));
    default:
      return false;
  }
}

/** An exemption condition (`exempt_when`, request filter) that reads what the client sends. */
export function clientCondition(values: Value[], what: string): Evidence | undefined {
  const body = callableBody(values);
  if (!body) return undefined;
  const inputs = CLIENT_INPUT.filter((a) => body.reads.includes(a));
  if (body.reads.includes('environ') && body.stringKeys.some((k) => k.startsWith('HTTP_'))) inputs.push('environ');
  if (!inputs.length) return undefined;
  const read = inputs.map((a) => `\`request.${a}\``).join(', ');
  return { ...body.at, message: `${named(what, body)} reads client-controlled input (${read}): anyone can claim the exemption`, concern: 'client-condition' };
}

/**
 * An over-limit answer that is not a 429: a `@app.errorhandler(429)` returning `(body, 403)`, `jsonify(...)` (200)
 * or `make_response(body, 403)`; an `on_breach` callback returning a response or calling `abort(403)` (Flask-Limiter
 * ignores what else it returns).
 */
export function breachAnswer(values: Value[], kind: 'errorhandler' | 'on_breach'): Evidence | undefined {
  const body = callableBody(values);
  if (!body) return undefined;
  const aborts = kind === 'on_breach' ? body.statements.filter((c) => calleeName(c) === 'abort') : [];
  const status = [...aborts, ...body.returns].map((e) => answeredStatus(e, kind)).find((s) => s !== undefined && s !== 429);
  if (status === undefined) return undefined;
  const who = named(kind === 'errorhandler' ? 'the 429 handler' : 'the `on_breach` callback', body);
  return { ...body.at, message: `${who} answers ${status}, not 429: clients cannot tell they are rate limited`, concern: 'no-retry-signal' };
}

function answeredStatus(expr: Expr, kind: 'errorhandler' | 'on_breach'): number | undefined {
  if (expr.k === 'call') {
    const name = calleeName(expr);
    if (name === 'jsonify') return 200;
    if (name === 'abort') return kind === 'on_breach' && expr.args[0]?.k === 'num' ? expr.args[0].v : undefined;
    if (name === 'make_response') return expr.args[1]?.k === 'num' ? expr.args[1].v : expr.args.length === 1 ? answeredStatus(expr.args[0], 'errorhandler') : undefined;
    return undefined;
  }
  if (kind === 'on_breach') return undefined; // Flask-Limiter keeps its 429 unless the callback returns a Response
  if (expr.k === 'seq') return expr.items[1]?.k === 'num' ? expr.items[1].v : undefined;
  return expr.k === 'str' || expr.k === 'fstr' ? 200 : undefined;
}

/** `the key function \`client_ip\``, or just `the key function` for a lambda. */
function named(what: string, body: CallableBody): string {
  return body.name ? `${what} \`${body.name}\`` : what;
}

function calleeName(call: CallExpr): string | undefined {
  return dottedName(call.fn)?.split('.').pop();
}
