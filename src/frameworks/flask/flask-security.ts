/**
 * Flask-Security-Too (4.x, 5.x): `Security(app, datastore)`, or `security.init_app(app, datastore)`, registers its
 * blueprint (unless `register_blueprint=False`) under `SECURITY_URL_PREFIX`: login (`SECURITY_LOGIN_URL`, GET and
 * POST), logout (`SECURITY_LOGOUT_URL`, for `SECURITY_LOGOUT_METHODS`), verify (`SECURITY_VERIFY_URL`, unless
 * `SECURITY_FRESHNESS` is set: then it is served where that is not negative), and where the config turns them on
 * register, reset and `reset/<token>`, change, confirm and `confirm/<token>`. Its two-factor, unified sign-in,
 * WebAuthn, passwordless, OAuth and recovery-code views are not read: where the config turns one on, or cannot be read,
 * none is listed and the `Security(...)` call stays a registration site saying so.
 */
import type { Value } from '../../python/project';
import { Project } from '../../python/project';
import { UNRESOLVED_SEGMENT } from '../common';
import { joinRule } from './exposed-views';

export const SECURITY_PACKAGE = 'flask_security';
const SECURITY_TYPES = ['flask_security.Security', 'flask_security.core.Security'];
export const isSecurity = (v: Value): v is Extract<Value, { kind: 'instance' }> => Project.isInstance(v, SECURITY_TYPES);

// Features whose views apiposture does not list.
const UNLISTED = ['TWO_FACTOR', 'UNIFIED_SIGNIN', 'WEBAUTHN', 'PASSWORDLESS', 'MULTI_FACTOR_RECOVERY_CODES', 'US_SIGNIN_REPLACES_LOGIN', 'OAUTH_ENABLE'];
const BOTH = ['GET', 'POST'];

/** A view of the blueprint: its rule under the prefix, methods, endpoint, and what could not be read. */
export interface SecurityRoute {
  rule: string;
  methods: string[] | undefined;
  endpoint: string;
  unresolved: string[];
}

/** A config key as the app sets it: its values, `unread`, or undefined where it is not set. */
type Setting = (key: string) => Value[] | 'unread' | undefined;

/** The blueprint's views for the app's config; undefined where an unlisted feature is on or cannot be told off. */
export function securityRoutes(setting: Setting): SecurityRoute[] | undefined {
  const flag = (key: string): boolean | 'unread' => {
    const values = setting(`SECURITY_${key}`);
    if (values === undefined) return false;
    const [value, ...others] = values === 'unread' ? [] : values;
    return !others.length && value?.kind === 'literal' && value.expr.k === 'bool' ? value.expr.v : 'unread';
  };
  if (UNLISTED.some((key) => flag(key) !== false)) return undefined;
  const text = (key: string, fallback: string): { text: string; unread?: string } => {
    const values = setting(`SECURITY_${key}`);
    if (values === undefined) return { text: fallback };
    const [value, ...others] = values === 'unread' ? [] : values;
    if (!others.length && value?.kind === 'literal' && value.expr.k === 'none') return { text: '' };
    return !others.length && value?.kind === 'literal' && value.expr.k === 'str' ? { text: value.expr.v } : { text: UNRESOLVED_SEGMENT, unread: `SECURITY_${key} is not a static string` };
  };
  const prefix = text('URL_PREFIX', '');
  const routes: SecurityRoute[] = [];
  const add = (key: string, fallback: string, endpoint: string, methods: string[] | undefined, why: string[] = [], token = false): void => {
    const url = text(key, fallback);
    const rule = joinRule(prefix.text, url.text);
    const unresolved = [...why, ...[prefix.unread, url.unread].filter((u): u is string => !!u)];
    routes.push({ rule, methods, endpoint, unresolved });
    if (token) routes.push({ rule: `${rule.replace(/\/$/, '')}/<token>`, methods, endpoint: `${endpoint}_token`, unresolved });
  };
  const logout = setting('SECURITY_LOGOUT_METHODS');
  const logoutMethods = logout === undefined ? BOTH : logout === 'unread' ? undefined : logoutList(logout);
  if (logoutMethods !== null) add('LOGOUT_URL', '/logout', 'logout', logoutMethods);
  add('LOGIN_URL', '/login', 'login', BOTH);
  // FRESHNESS is a timedelta: where it is set, verify is served unless it is negative, which is not read.
  const freshness = setting('SECURITY_FRESHNESS') === undefined ? [] : ['served unless SECURITY_FRESHNESS is negative, which is not read'];
  add('VERIFY_URL', '/verify', 'verify', BOTH, freshness);
  const optional = (key: string, url: string, fallback: string, endpoint: string, token = false): void => {
    const on = flag(key);
    if (on) add(url, fallback, endpoint, BOTH, on === 'unread' ? [`served only where SECURITY_${key} is true, which cannot be read`] : [], token);
  };
  optional('REGISTERABLE', 'REGISTER_URL', '/register', 'register');
  optional('RECOVERABLE', 'RESET_URL', '/reset', 'forgot_password', true);
  optional('CHANGEABLE', 'CHANGE_URL', '/change', 'change_password');
  optional('CONFIRMABLE', 'CONFIRM_URL', '/confirm', 'send_confirmation', true);
  return routes;
}

/** `SECURITY_LOGOUT_METHODS`: the methods, null for `None` (no logout view), undefined when not static. */
function logoutList(values: Value[]): string[] | null | undefined {
  const [value, ...others] = values;
  if (others.length || value?.kind !== 'literal') return undefined;
  if (value.expr.k === 'none') return null;
  if (value.expr.k !== 'seq' || !value.expr.items.every((i) => i.k === 'str')) return undefined;
  return value.expr.items.map((i) => (i.k === 'str' ? i.v.toUpperCase() : ''));
}
