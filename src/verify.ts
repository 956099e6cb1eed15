/**
 * `apiposture verify`: checks a running app against the scan. Each selected route gets one sequential burst
 * from one client; a limited route must admit exactly the predicted number of requests and then reject with
 * the predicted status (and Retry-After when expected), an unlimited one must never reject within the bound.
 */
import net from 'node:net';
import { declaredMethods, matchRoutes, methodVerdicts, routeLabel, type Route, type RouteSummary } from './model';
import { predictRoute, type BurstPrediction } from './limiter/predict';
import { printable } from './report/printable';
import { isObject, isStrings, parseJson } from './json-input';

export interface VerifyOptions {
  url: URL;
  route?: string; // "POST /login": only this method and path
  params: Record<string, string>; // values for path parameters
  maxRequests?: number; // per route; default from the prediction
  allowWrites: boolean;
  allowRemote: boolean;
  budgetMs: number; // for all requests together
  requestTimeoutMs: number;
}

export interface RouteVerdict {
  route: string; // "GET /search"
  scanStatus: Route['status'];
  outcome: 'pass' | 'fail' | 'skip';
  requests: number;
  expected?: string;
  observed?: string;
  reason?: string;
}

export interface VerifyResult {
  url: string;
  requests: number;
  concurrency: 1;
  elapsedMs: number;
  routes: RouteVerdict[];
}

/** A request verify will not make, or a selection that matches nothing: a usage error. */
export class VerifyRefused extends Error {}

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];
// A burst this long finds any limit of fewer requests on a route the scan calls unlimited.
const UNLIMITED_BURST = 20;
// Verdicts need the status and headers only: a larger body is not read.
const MAX_BODY_BYTES = 64 * 1024;

export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Throws unless the URL is http(s) without credentials on a loopback host, or another host is explicitly allowed. */
export function refuseUnsafeTarget(url: URL, allowRemote: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new VerifyRefused(`--url must be http:// or https://, not ${url.protocol}`);
  // Named, not echoed: the message would print the password.
  if (url.username || url.password) throw new VerifyRefused('--url must not hold a user name or password');
  if (!allowRemote && !isLoopback(url)) throw new VerifyRefused(`${url.host} is not a loopback address: verify sends bursts of requests, so other hosts need --allow-remote`);
}

const CONNECT_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the app running, on this port?)',
  ENOTFOUND: 'no such host',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'no answer',
};

/**
 * Opens one TCP connection and closes it (no HTTP request, so no limit counts it): an app that is not there is
 * one clear error instead of a failed burst per route.
 */
async function refuseUnreachable(url: URL, timeoutMs: number): Promise<void> {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = net.connect({ host, port, timeout: timeoutMs });
  const problem = await new Promise<string | undefined>((resolve) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('timeout', () => resolve('ETIMEDOUT'));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  }).finally(() => socket.destroy());
  if (problem) throw new VerifyRefused(`cannot connect to ${url.origin}: ${CONNECT_PROBLEMS[problem] ?? problem}`);
}

/** The path with its parameters (`<int:id>`, `<id>`, `{id}`, `{id:path}`) filled, or the names missing a value. */
export function fillPath(routePath: string, params: Record<string, string>): { path: string } | { missing: string[] } {
  const missing: string[] = [];
  const path = routePath.replace(/<(?:[^:<>]+:)?([^:<>]+)>|\{([^:{}?]+)(?::[^{}]*)?\}/g, (whole, flask?: string, brace?: string) => {
    const name = (flask ?? brace)!;
    if (name in params) return encodeURIComponent(params[name]);
    missing.push(name);
    return whole;
  });
  return missing.length ? { missing } : { path };
}

/**
 * The URL of a route path under --url. The path comes from scanned code or a report: set as the pathname, never
 * resolved as a relative URL, so `//host/x` or `/\host/x` stays a path on the --url origin.
 */
export function requestUrl(base: URL, routePath: string): URL {
  const url = new URL(base.origin);
  url.pathname = base.pathname.replace(/\/$/, '') + (routePath.startsWith('/') ? '' : '/') + routePath;
  return url;
}

/** Same protocol, host and port, as fetch will read the URL: the only place verify sends requests to. */
function onOrigin(url: URL, base: URL): boolean {
  return new URL(url.href).origin === base.origin;
}

/** The method to send: the one asked for, else GET, HEAD or another declared one; writes only when allowed. */
function chooseMethod(route: Route, asked: string | undefined, allowWrites: boolean): { method: string } | { reason: string } {
  const declared = declaredMethods(route);
  const method = asked ?? ['GET', 'HEAD'].find((m) => declared.includes(m)) ?? declared[0];
  if (!SAFE_METHODS.includes(method) && !allowWrites) return { reason: `${method} changes state: pass --allow-writes to send it` };
  return { method };
}

interface Burst {
  sent: number;
  rejection?: { status: number; retryAfter: boolean };
  stopped?: string; // why the burst ended early: time budget, a failed request
}

/** Reads a response body so the connection can be reused, but at most MAX_BODY_BYTES: the rest is dropped unread. */
async function discardBody(response: Response): Promise<void> {
  const reader = response.body?.getReader();
  for (let read = 0; reader && read < MAX_BODY_BYTES; ) {
    const chunk = await reader.read();
    if (chunk.done) return;
    read += chunk.value.byteLength;
  }
  await reader?.cancel();
}

/** Requests until one is rejected or `max` were sent; the budget's deadline ends a request in flight too. */
async function burst(url: URL, method: string, max: number, rejects: (status: number) => boolean, deadline: number, timeoutMs: number): Promise<Burst> {
  let sent = 0;
  const budgetSpent = (): Burst => ({ sent, stopped: `time budget spent after ${sent} requests` });
  while (sent < max) {
    const left = deadline - Date.now();
    if (left <= 0) return budgetSpent();
    const budget = AbortSignal.timeout(left);
    let response: Response;
    try {
      response = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), budget]) });
      await discardBody(response);
    } catch (error) {
      if (budget.aborted) return budgetSpent();
      return { sent, stopped: `request ${sent + 1} failed: ${(error as Error).cause ?? (error as Error).message}` };
    }
    sent++;
    if (rejects(response.status)) return { sent, rejection: { status: response.status, retryAfter: response.headers.has('retry-after') } };
  }
  return { sent };
}

function describe(admitted: number, rejection: Burst['rejection'] | BurstPrediction): string {
  if (!rejection) return `${admitted} admitted, no rejection`;
  return `${admitted} admitted, then ${rejection.status} ${rejection.retryAfter ? 'with' : 'without'} Retry-After`;
}

function describeBurst(observed: Burst): string {
  return observed.rejection ? describe(observed.sent - 1, observed.rejection) : describe(observed.sent, undefined);
}

/** Whether a limited route's burst matches the prediction; the mismatch as text otherwise. */
function mismatch(prediction: BurstPrediction, observed: Burst): string | undefined {
  if (!observed.rejection) return `no rejection within ${observed.sent} requests`;
  const admitted = observed.sent - 1;
  if (admitted !== prediction.admitted) return `first rejection after ${admitted} admitted requests, not ${prediction.admitted}`;
  if (observed.rejection.status !== prediction.status) return `rejected with ${observed.rejection.status}, not ${prediction.status}`;
  if (prediction.retryAfter && !observed.rejection.retryAfter) return 'the rejection carries no Retry-After';
  return undefined;
}

function selectRoutes(routes: Route[], wanted: string | undefined): { route: Route; method?: string }[] {
  if (!wanted) return routes.map((route) => ({ route }));
  const matches = matchRoutes(routes, wanted);
  if (!matches.length || !matches[0].method) throw new VerifyRefused(`no route matches --route "${wanted}" (write it as METHOD PATH, e.g. "POST /login", with the path as the scan reports it)`);
  return matches;
}

/** A route's verdict before it is labelled; `method` is the one sent, when one was chosen. */
type Judgement = Omit<RouteVerdict, 'route' | 'scanStatus'> & { method?: string };

const skip = (reason: string, method?: string): Judgement => ({ outcome: 'skip', requests: 0, reason, method });

async function verifyRoute(route: Route, asked: string | undefined, options: VerifyOptions, deadline: number): Promise<Judgement> {
  if (route.kind !== 'http') return skip('WebSocket route');
  if (route.status === 'unknown' || route.status === 'exempt') return skip(`the scan calls it ${route.status}: nothing to predict`);
  const chosen = chooseMethod(route, asked, options.allowWrites);
  if ('reason' in chosen) return skip(chosen.reason);
  const { method } = chosen;
  if (route.unresolved.length) return skip('the path is not fully known statically', method);
  const filled = fillPath(route.path, options.params);
  if ('missing' in filled) return skip(`path parameters need values: ${filled.missing.map((n) => `--param ${n}=...`).join(' ')}`, method);
  if (Date.now() >= deadline) return skip('time budget spent', method);
  const url = requestUrl(options.url, filled.path);
  if (!onOrigin(url, options.url)) return skip(`${url.href} is not on the --url origin: not sent`, method);

  // Judged per method: a route may limit POST and leave GET open.
  const verdict = methodVerdicts(route).find((v) => v.method === method);
  if (verdict && (verdict.status === 'unknown' || verdict.status === 'exempt')) return skip(`the scan calls ${method} ${verdict.status}: nothing to predict`, method);
  if (!verdict?.limits.length) {
    const max = options.maxRequests ?? UNLIMITED_BURST;
    const observed = await burst(url, method, max, (s) => s === 429, deadline, options.requestTimeoutMs);
    const reason = observed.stopped ?? (observed.rejection ? 'the app rejects a route the scan calls unlimited: a limit exists that the scan missed (or the scan is out of date)' : undefined);
    return { method, outcome: reason ? 'fail' : 'pass', requests: observed.sent, expected: `no rejection within ${max} requests`, observed: describeBurst(observed), reason };
  }

  const prediction = predictRoute(route, method);
  if (!prediction) return skip(`no predictable limit counts ${method} requests (bucket algorithm, unreadable rate, or limits on other methods or users)`, method);
  const max = options.maxRequests ?? 2 * prediction.admitted + 5;
  if (max <= prediction.admitted) return skip(`needs ${prediction.admitted + 1} requests; --max-requests is ${max}`, method);
  const observed = await burst(url, method, max, (s) => s === 429 || s === prediction.status, deadline, options.requestTimeoutMs);
  const reason = observed.stopped ?? mismatch(prediction, observed);
  return { method, outcome: reason ? 'fail' : 'pass', requests: observed.sent, expected: `${describe(prediction.admitted, prediction)} (${prediction.rate})`, observed: describeBurst(observed), reason };
}

export async function verify(routes: Route[], options: VerifyOptions): Promise<VerifyResult> {
  refuseUnsafeTarget(options.url, options.allowRemote);
  await refuseUnreachable(options.url, options.requestTimeoutMs);
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const verdicts: RouteVerdict[] = [];
  for (const { route, method: asked } of selectRoutes(routes, options.route)) {
    const { method, ...judgement } = await verifyRoute(route, asked, options, deadline);
    const scanStatus = methodVerdicts(route).find((v) => v.method === method)?.status ?? route.status; // the method's own verdict
    verdicts.push({ route: method ? `${method} ${route.path}` : routeLabel(route), scanStatus, ...judgement });
  }
  return { url: options.url.href, requests: verdicts.reduce((n, v) => n + v.requests, 0), concurrency: 1, elapsedMs: Date.now() - started, routes: verdicts };
}

export function verifyFailed(result: VerifyResult): boolean {
  return result.routes.some((r) => r.outcome === 'fail');
}

export function verifyText(verified: VerifyResult): string {
  const result = printable(verified); // route paths from scanned code or a report
  const lines = result.routes.map((r) => {
    const head = `${r.outcome.toUpperCase().padEnd(4)}  ${r.route}  (scan: ${r.scanStatus})`;
    const details = [r.expected && `expected: ${r.expected}`, r.observed && `observed: ${r.observed}`, r.reason].filter(Boolean);
    return [head, ...details.map((d) => `      ${d}`)].join('\n');
  });
  const count = (outcome: RouteVerdict['outcome']): number => result.routes.filter((r) => r.outcome === outcome).length;
  const summary = `${result.requests} requests to ${result.url}, concurrency ${result.concurrency}, ${(result.elapsedMs / 1000).toFixed(1)} s: ${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
  return `${[...lines, summary].join('\n')}\n`;
}

export function verifyJson(result: VerifyResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** The routes of a JSON report (`scan` or `routes` with --format json, schemaVersion 1 or 2), each checked for what verify reads. */
export function routesOfReport(text: string, file: string): Route[] {
  let report: unknown;
  try {
    report = parseJson(text);
  } catch (error) {
    throw new VerifyRefused(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (!isObject(report) || (report.schemaVersion !== 1 && report.schemaVersion !== 2) || !Array.isArray(report.routes)) throw new VerifyRefused(`${file} is not an apiposture JSON report (schemaVersion 1 or 2 with routes)`);
  const damaged = report.routes.findIndex((route) => !isReportRoute(route));
  if (damaged >= 0) throw new VerifyRefused(`${file}: routes[${damaged}] is not a route of an apiposture report (path, kind, status, methods, automaticMethods, unresolved, limits, evidence)`);
  // A `partial` route (version 2) is judged per method from its limits, as an unlimited one with limits is.
  return (report.routes as (Omit<Route, 'status'> & { status: RouteSummary })[]).map((route) => ({ ...route, status: route.status === 'partial' ? 'unlimited' : route.status }));
}

const STATUSES: readonly unknown[] = ['limited', 'unlimited', 'exempt', 'unknown', 'partial'] satisfies RouteSummary[];

function isReportRoute(route: unknown): boolean {
  return isObject(route) && typeof route.path === 'string' && typeof route.kind === 'string' && STATUSES.includes(route.status)
    && isStrings(route.methods) && isStrings(route.automaticMethods) && Array.isArray(route.unresolved)
    && Array.isArray(route.evidence) && route.evidence.every(isObject) && Array.isArray(route.limits) && route.limits.every(isReportLimit);
}

function isReportLimit(limit: unknown): boolean {
  return isObject(limit) && typeof limit.rate === 'string' && typeof limit.library === 'string'
    && (limit.methods === undefined || isStrings(limit.methods)) && (limit.principals === undefined || isStrings(limit.principals));
}
