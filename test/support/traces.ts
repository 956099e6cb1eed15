/** Seeded random request traces for the reference limiter's differential tests, and their replay. */
import { parseLimitsNotation } from '../../src/ratelimit/grammar';
import { RateLimiter, VirtualClock, type LimitOrder, type Strategy } from '../../src/limiter/limiter';
import type { Store } from '../../src/limiter/store';
import { seededRandom } from '../../bench/seeded-random';

export type TraceRequest = [time: number, key: string, cost: number];

export interface Trace {
  strategy: Strategy;
  limit: string; // `limits` notation
  requests: TraceRequest[];
}

const LIMITS = ['1/second', '3/2 seconds', '4/3 seconds', '5/minute', '10/10 seconds'];
// Several limits in one string, written longest first as often as not (Flask-Limiter checks them by unit).
export const COMBINED_LIMITS = ['5/minute;1/second', '2/second, 6/10 seconds', '10 per 10 seconds;3/2 seconds', '4/3 seconds|1/second|9/minute'];
const KEYS = ['alice', 'bob', 'carol'];

/**
 * `total` requests split into traces of `perTrace`. Gaps are mostly exact fractions of the window (so hits land
 * exactly on expiries and window edges), sometimes zero (bursts) or arbitrary.
 */
export function randomTraces(strategy: Strategy, total: number, seed: number, perTrace = 1000, limits = LIMITS): Trace[] {
  const random = seededRandom(seed);
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)];
  const traces: Trace[] = [];
  for (let done = 0; done < total; done += perTrace) {
    const limit = pick(limits);
    const parsed = parseLimitsNotation(limit);
    if (!parsed.ok) throw new Error(parsed.reason);
    const count = Math.min(...parsed.items.map((i) => i.count));
    const seconds = Math.min(...parsed.items.map((i) => i.seconds)); // gaps on the shortest window: the longer ones fill up across them
    let time = 1_700_000_000 + Math.floor(random() * 1000);
    const requests: TraceRequest[] = [];
    for (let i = 0; i < Math.min(perTrace, total - done); i++) {
      time += pick([0, 0, 0.125, 0.25, 0.5, 1, random() * 0.2, random()]) * seconds;
      requests.push([time, pick(KEYS), 1 + Math.floor(random() * Math.min(3, count))]);
    }
    traces.push({ strategy, limit, requests });
  }
  return traces;
}

/** The decisions of the reference limiter on a trace: "1" admitted, "0" refused, one per request. */
export async function replay(trace: Trace, store: Store, order: LimitOrder = 'written'): Promise<string> {
  const parsed = parseLimitsNotation(trace.limit);
  if (!parsed.ok) throw new Error(parsed.reason);
  const clock = new VirtualClock();
  const limiter = new RateLimiter(store, trace.strategy, parsed.items, clock, order);
  let decisions = '';
  for (const [time, key, cost] of trace.requests) {
    clock.set(time);
    decisions += (await limiter.hit(key, cost)) ? '1' : '0';
  }
  return decisions;
}
