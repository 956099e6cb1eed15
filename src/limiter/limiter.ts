/**
 * The reference limiter: the counting algorithms of the Python limiter libraries (reference D.1), over a Store and
 * an injectable clock. Windows are RateItems from src/ratelimit/grammar.ts.
 *
 * - fixed-window, fixed-window-elastic-expiry, moving-window: Python `limits` 2.8 (FixedWindowRateLimiter,
 *   FixedWindowElasticExpiryRateLimiter, MovingWindowRateLimiter on MemoryStorage). Fixed windows open at the
 *   first hit, and refused hits still count. Differentially tested against the real package.
 * - clock-aligned-window: django-ratelimit; windows are multiples of the period since the epoch (its per-key
 *   crc32 offset is left out), limited when the count exceeds N, refused hits still count.
 * - sliding-log: DRF SimpleRateThrottle in one process; refuses while N timestamps are younger than the window.
 * - token-bucket: N tokens, refilled continuously at N per window, starting full; refused hits take nothing.
 */
import type { RateItem } from '../ratelimit/grammar';
import type { Store } from './store';

export const STRATEGIES = ['fixed-window', 'fixed-window-elastic-expiry', 'moving-window', 'clock-aligned-window', 'sliding-log', 'token-bucket'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Seconds since the epoch, fractional. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() / 1000 };

/** A clock that moves only when told to. */
export class VirtualClock implements Clock {
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  set(time: number): void {
    this.time = time;
  }
}

type Decide = (store: Store, key: string, item: RateItem, cost: number, now: number) => Promise<boolean>;

const DECIDE: Record<Strategy, Decide> = {
  'fixed-window': async (store, key, item, cost, now) => (await store.increment(key, cost, item.seconds, false, now)) <= item.count,
  'fixed-window-elastic-expiry': async (store, key, item, cost, now) => (await store.increment(key, cost, item.seconds, true, now)) <= item.count,
  'moving-window': (store, key, item, cost, now) => store.acquireEntry(key, item.count, item.seconds, cost, now, true),
  'clock-aligned-window': async (store, key, item, cost, now) => {
    const windowEnd = now - (now % item.seconds) + item.seconds;
    return (await store.increment(`${key}/${windowEnd}`, cost, windowEnd - now, false, now)) <= item.count;
  },
  'sliding-log': (store, key, item, cost, now) => store.acquireEntry(key, item.count, item.seconds, cost, now, false),
  'token-bucket': (store, key, item, cost, now) => store.takeTokens(key, item.count, item.count / item.seconds, cost, now),
};

/** Enforces the items of one rate string: a hit goes through them in order and stops at the first refusal. */
export class RateLimiter {
  constructor(
    private readonly store: Store,
    readonly strategy: Strategy,
    readonly items: RateItem[],
    private readonly clock: Clock = systemClock,
  ) {}

  async hit(key: string, cost = 1): Promise<boolean> {
    const now = this.clock.now();
    for (const item of this.items) {
      const itemKey = `${this.strategy}/${item.count}/${item.seconds}/${key}`;
      if (!(await DECIDE[this.strategy](this.store, itemKey, item, cost, now))) return false;
    }
    return true;
  }
}
