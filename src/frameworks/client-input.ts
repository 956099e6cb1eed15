/**
 * What a key function, identifier or skip condition takes from a request (Starlette's here; Flask's and
 * Django's use the header test too), read from its body
 * (reference D.1 multipliers, F.12–F.15): headers the client sets, values it picks, keys that can be empty.
 * Counters keyed on any of them are the client's to reset.
 */
import type { Expr } from '../python/ir';
import { argument, exprLine } from '../python/ir';
import type { Evidence, SourceRef } from '../model';
import type { CallableBody } from './callable-body';

/** Headers any client can send; they only mean something when a proxy overwrites them. */
const FORWARDED_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded'];
/** Request parts whose values the client picks: query string, path parameters, body. */
const CLIENT_VALUES = ['query_params', 'path_params', 'json', 'form', 'body'];
/** Everything a client sends that a condition can test. */
const REQUEST_DATA = ['headers', 'cookies', 'url', ...CLIENT_VALUES];

/**
 * Why a key (given as `option`, e.g. `key_func`) lets clients pick their counter; `skipsEmpty`: the library
 * skips the limit for an empty key.
 */
export function keyConcerns(key: CallableBody, option: string, library: string, skipsEmpty: boolean): Evidence[] {
  const found: Evidence[] = [];
  const what = label(key, option);
  const header = key.stringKeys.find(isForwardedHeader);
  if (header) found.push({ ...key.at, message: `${what} reads \`${header}\`, which any client can set: a new value gets a fresh counter`, concern: 'spoofable-key' });
  const picked = key.reads.filter((r) => CLIENT_VALUES.includes(r));
  if (picked.length) {
    found.push({ ...key.at, message: `${what} keys on ${listed(picked)} of the request, values the client picks: each new value gets a fresh counter`, concern: 'attacker-chosen-key' });
  }
  const empty = skipsEmpty ? key.returns.find(canBeEmpty) : undefined;
  if (empty) found.push({ file: key.at.file, line: exprLine(empty, key.at.line), message: `${what} can return an empty key, and ${library} then skips the limit`, concern: 'empty-key' });
  return found;
}

/** A condition (given as `option`, e.g. `exempt_when`) that lifts the limit when it reads what the client sends. */
export function conditionConcerns(condition: CallableBody, option: string): Evidence[] {
  const read = condition.reads.filter((r) => REQUEST_DATA.includes(r));
  if (!read.length) return [];
  return [{ ...condition.at, message: `${label(condition, option)} reads ${listed(read)} of the request, which the client controls: any client can skip the limit`, concern: 'client-condition' }];
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

/** `None`, `""`, or `x.get("key")` / `x.get("key", "")`: a lookup without a non-empty default. */
function canBeEmpty(e: Expr): boolean {
  if (e.k === 'none' || (e.k === 'str' && !e.v)) return true;
  if (e.k !== 'call' || e.fn.k !== 'attr' || e.fn.name !== 'get' || !e.args[0]) return false;
  const fallback = argument(e, 1, 'default');
  return !fallback || canBeEmpty(fallback);
}

/** "the `key_func` function `client_ip`", "the `skip` lambda". */
function label(body: CallableBody, option: string): string {
  return body.name ? `the \`${option}\` function \`${body.name}\`` : `the \`${option}\` lambda`;
}

function listed(names: string[]): string {
  return names.map((n) => `\`${n}\``).join(', ');
}
