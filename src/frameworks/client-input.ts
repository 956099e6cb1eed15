/**
 * What a key function, identifier or skip condition takes from a request, read from its body (reference D.1
 * multipliers, F.12–F.15): headers the client sets, values it picks, keys that can be empty. Counters keyed on
 * any of them are the client's to reset; an exemption reading them is anyone's to claim. One reading for every
 * framework and library: a framework gives its request's vocabulary, a library its name and own key functions.
 */
import type { Expr } from '../python/ir';
import { argument, exprLine } from '../python/ir';
import type { Ctx, Value } from '../python/project';
import type { Evidence, SourceRef } from '../model';
import { callableBody, type CallableBody } from './callable-body';
import type { LibraryDescriptor } from './library';

/** The attributes of a framework's request object a client controls. */
export interface RequestVocabulary {
  picked: string[]; // values the client picks: query string, path parameters, body, cookies
  sent: string[]; // the rest of what it sends: headers and the like
  forwarded: string[]; // addresses read from forwarding headers (`access_route`)
  proxyAdvice?: string; // how to key on the client address behind a proxy
}

export const FLASK_REQUEST: RequestVocabulary = {
  picked: ['args', 'form', 'json', 'get_json', 'values', 'view_args', 'files', 'cookies'],
  sent: ['headers', 'user_agent', 'authorization', 'referrer'],
  forwarded: ['access_route'],
  proxyAdvice: 'behind a proxy, key on `get_remote_address` with ProxyFix',
};

// Quart's request has Flask's attributes (awaited where they read the body).
export const QUART_REQUEST: RequestVocabulary = { ...FLASK_REQUEST, proxyAdvice: "behind a proxy, key on `request.remote_addr` with Hypercorn's `ProxyFixMiddleware`" };

export const STARLETTE_REQUEST: RequestVocabulary = {
  picked: ['query_params', 'path_params', 'json', 'form', 'body', 'cookies'],
  sent: ['headers', 'url'],
  forwarded: [],
};

/** Headers any client can send; they only mean something when a proxy overwrites them. */
const FORWARDED_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded'];
// String methods that keep an empty string empty.
const STRING_METHODS = new Set(['strip', 'lstrip', 'rstrip', 'lower', 'upper', 'casefold', 'title', 'split', 'rsplit']);
const MAX_EMPTY_DEPTH = 8;

/** How a library takes a key: the option naming it, and whether an empty key skips the limit. */
export interface KeyOption {
  option: string; // `key_func`, `identifier`
  library: LibraryDescriptor;
  skipsEmpty: boolean;
}

/**
 * Why a key (the values `option` resolves to, named at `at`) lets clients pick their counter: one of the
 * library's own key functions reading a forwarded header, or a body reading one, a value the client picks, or
 * returning an empty key where the library then skips the limit.
 */
export function keyConcerns(values: Value[], at: SourceRef, request: RequestVocabulary, { option, library, skipsEmpty }: KeyOption): Evidence[] {
  const own = values.find((v) => v.kind === 'external' && library.spoofableKeyFunctions?.includes(v.qname));
  if (own?.kind === 'external') {
    const name = own.qname.split('.').pop();
    return [{ ...at, message: `\`${name}\` keys on the X-Forwarded-For header, which any client can set: a new value gets a fresh counter`, concern: 'spoofable-key' }];
  }
  const key = callableBody(values);
  if (!key) return [];
  const found: Evidence[] = [];
  const what = label(key, option);
  const header = key.stringKeys.find(isForwardedHeader) ?? request.forwarded.map((a) => `request.${a}`).find((a) => key.reads.includes(a.slice('request.'.length)));
  const advice = request.proxyAdvice ? ` (${request.proxyAdvice})` : '';
  if (header) found.push({ ...key.at, message: `${what} reads \`${header}\`, which any client can set: a new value gets a fresh counter${advice}`, concern: 'spoofable-key' });
  const picked = request.picked.filter((a) => key.reads.includes(a));
  if (picked.length) {
    found.push({ ...key.at, message: `${what} keys on ${attributes(picked)}, values the client picks: each new value gets a fresh counter`, concern: 'attacker-chosen-key' });
  }
  const empty = skipsEmpty ? key.returns.find((r) => mayBeEmpty(r, key.ctx, 0)) : undefined;
  if (empty) found.push({ file: key.at.file, line: exprLine(empty, key.at.line), message: `${what} can return an empty key, and ${library.name} then skips the limit`, concern: 'empty-key' });
  return found;
}

/** A condition (the values `option`, e.g. `exempt_when`, resolves to) that lifts the limit when it reads what the client sends. */
export function conditionConcerns(values: Value[], option: string, request: RequestVocabulary): Evidence[] {
  const condition = callableBody(values);
  if (!condition) return [];
  const read = [...request.picked, ...request.sent, ...request.forwarded].filter((a) => condition.reads.includes(a));
  // WSGI's environ holds the headers as `HTTP_*` keys.
  if (condition.reads.includes('environ') && condition.stringKeys.some((k) => k.startsWith('HTTP_'))) read.push('environ');
  if (!read.length) return [];
  return [{ ...condition.at, message: `${label(condition, option)} reads ${attributes(read)}, which the client controls: any client can skip the limit`, concern: 'client-condition' }];
}

/**
 * Counters per concrete path (`why`, declared at `at`) on a path with parameters (`{token}`, not an unresolved
 * `{?}`): the client picks the counter by picking the parameter values.
 */
export function perPathConcerns(at: SourceRef, path: string, why: string): Evidence[] {
  const parameters = path.match(/\{[^?}][^}]*\}/g);
  if (!parameters) return [];
  return [{ file: at.file, line: at.line, message: `${why}: each value of ${listed(parameters)} gets a fresh counter`, concern: 'attacker-chosen-key' }];
}

/** `X-Forwarded-For`, `X_FORWARDED_FOR` and WSGI's `HTTP_X_FORWARDED_FOR` name one header. */
function headerName(key: string): string {
  return key.toLowerCase().replace(/_/g, '-').replace(/^http-/, '');
}

/** A header a proxy sets and any client can send itself, however it is spelled (WSGI's `HTTP_X_REAL_IP` too). */
export function isForwardedHeader(key: string): boolean {
  return FORWARDED_HEADERS.includes(headerName(key));
}

/** Whether a key expression can be `""` or None: `.get(k)`, `.get(k, "")`, through string methods, indexes and local names. */
function mayBeEmpty(expr: Expr, ctx: Ctx, depth: number): boolean {
  if (depth > MAX_EMPTY_DEPTH) return false;
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

/** "the `key_func` function `client_ip`", "the `skip` lambda". */
function label(body: CallableBody, option: string): string {
  return body.name ? `the \`${option}\` function \`${body.name}\`` : `the \`${option}\` lambda`;
}

/** `request.form`, `request.headers` */
function attributes(names: string[]): string {
  return listed(names.map((n) => `request.${n}`));
}

function listed(names: string[]): string {
  return names.map((n) => `\`${n}\``).join(', ');
}
