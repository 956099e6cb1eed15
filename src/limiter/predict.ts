/**
 * What a fresh burst from one client should see on a limited route: how many requests pass before the
 * first rejection, the rejection's status and whether it carries Retry-After (reference D.2).
 */
import { type Evidence, type Limit, type Route } from '../model';
import { limitWindows } from '../ratelimit/windows';
import { descriptorOf } from '../frameworks/libraries';

export interface BurstPrediction {
  admitted: number; // requests answered normally before the first rejection
  status: number; // status of the first rejection
  retryAfter: boolean; // whether the rejection carries Retry-After
  rate: string; // the limit that rejects first, as written
}

// Every window algorithm admits exactly the window's count from a fresh state; a bucket's burst depends on
// its capacity and refill, which the rate string does not fix.
const BUCKETS = new Set(['leaky-bucket', 'token-bucket']);

/** The prediction for one limit; undefined when its rate cannot be read or its algorithm is a bucket. */
export function predictLimit(limit: Limit, evidence: Evidence[]): BurstPrediction | undefined {
  if (limit.algorithm && BUCKETS.has(limit.algorithm)) return undefined;
  const windows = limitWindows(limit);
  if (!windows?.length) return undefined;
  // The library's own answer, as its descriptor says (django-ratelimit: 403 without Retry-After).
  const rejection = descriptorOf(limit.library)?.rejection ?? { status: 429, retryAfter: true };
  return {
    admitted: Math.min(...windows.map((w) => w.count)),
    status: rejection.status,
    retryAfter: rejection.retryAfter && !evidence.some((e) => e.concern === 'no-retry-signal'),
    rate: limit.rate,
  };
}

/** The limits that count a request with this method from an anonymous client (verify sends no credentials). */
export function limitsFor(route: Pick<Route, 'limits'>, method: string): Limit[] {
  return route.limits.filter((l) => (!l.methods || l.methods.includes(method)) && (!l.principals || l.principals.includes('anonymous')));
}

/**
 * The prediction for a route and method: the limit that rejects first. Undefined when no limit counts the
 * request or any of them cannot be predicted (the tightest one could be that one).
 */
export function predictRoute(route: Pick<Route, 'limits' | 'evidence'>, method: string): BurstPrediction | undefined {
  const predictions = limitsFor(route, method).map((l) => predictLimit(l, route.evidence));
  if (!predictions.length || predictions.some((p) => !p)) return undefined;
  return (predictions as BurstPrediction[]).reduce((tightest, p) => (p.admitted < tightest.admitted ? p : tightest));
}
