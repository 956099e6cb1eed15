/**
 * The reference limiter: the counting algorithms of the Python limiter libraries (reference D.1), over a Store and
 * an injectable clock. Windows are RateItems from src/ratelimit/grammar.ts.
 *
 * - fixed-window, fixed-window-elastic-expiry, moving-window: Python `limits` 2.8 (FixedWindowRateLimiter,
 *   FixedWindowElasticExpiryRateLimiter, MovingWindowRateLimiter on MemoryStorage). Fixed windows open at the
 *   first hit, and refused hits still count. Differentially tested against the real package.
 * - sliding-window-counter: Python `limits` ≥ 4.1 (SlidingWindowCounterRateLimiter on MemoryStorage): the previous
 *   clock-aligned bucket's count, weighted by the part of it still inside the window, plus the current bucket's.
 *   Refused hits do not count. Not differentially tested (Debian's limits 2.8 predates it); the unit tests are
 *   hand-computed from the upstream source.
 * - clock-aligned-window: django-ratelimit; windows are multiples of the period since the epoch (its per-key
 *   crc32 offset is left out), limited when the count exceeds N, refused hits still count.
 * - sliding-log: DRF SimpleRateThrottle in one process; refuses while N timestamps are younger than the window.
 * - token-bucket: N tokens, refilled continuously at N per window, starting full; refused hits take nothing.
 */
import type { RateItem } from '../ratelimit/grammar';
import type { Awaitable, Result, Store } from './store';

export const STRATEGIES = [
  'fixed-window',
  'fixed-window-elastic-expiry',
  'moving-window',
  'sliding-window-counter',
  'clock-aligned-window',
  'sliding-log',
  'token-bucket',
] as const;
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

/** Applies `next` to a value, at once when it is one, after it resolves when it is a promise. */
function then<T, U>(value: Awaitable<T>, next: (resolved: T) => Awaitable<U>): Awaitable<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

type Decide = (store: Store, key: string, item: RateItem, cost: number, now: number) => Awaitable<boolean>;

const DECIDE: Record<Strategy, Decide> = {
  'fixed-window': (store, key, item, cost, now) => then(store.increment(key, cost, item.seconds, false, now), (count) => count <= item.count),
  'fixed-window-elastic-expiry': (store, key, item, cost, now) => then(store.increment(key, cost, item.seconds, true, now), (count) => count <= item.count),
  'moving-window': (store, key, item, cost, now) => store.acquireEntry(key, item.count, item.seconds, cost, now, true),
  'sliding-window-counter': (store, key, item, cost, now) => store.acquireSlidingWindowEntry(key, item.count, item.seconds, cost, now),
  'clock-aligned-window': (store, key, item, cost, now) => {
    const windowEnd = now - (now % item.seconds) + item.seconds;
    return then(store.increment(`${key}/${windowEnd}`, cost, windowEnd - now, false, now), (count) => count <= item.count);
  },
  'sliding-log': (store, key, item, cost, now) => store.acquireEntry(key, item.count, item.seconds, cost, now, false),
  'token-bucket': (store, key, item, cost, now) => store.takeTokens(key, item.count, item.count / item.seconds, cost, now),
};

/**
 * The order a library checks the limits of one rate string in: as written (slowapi), or by the unit word, shortest
 * first and stable (Flask-Limiter sorts them: `limits`' RateLimitItem compares granularities).
 */
export type LimitOrder = 'written' | 'unit';

/**
 * Enforces the items of one rate string: a hit goes through them in `order` and stops at the first refusal, so a
 * request one limit refuses still counts against the limits checked before it (and, for counting windows, against
 * the refusing one). Over a synchronous store (MemoryStore) `hit` answers at once.
 */
export class RateLimiter<Sync extends boolean = false> {
  readonly items: RateItem[];

  constructor(
    private readonly store: Store<Sync>,
    readonly strategy: Strategy,
    items: RateItem[],
    private readonly clock: Clock = systemClock,
    order: LimitOrder = 'written',
  ) {
    this.items = order === 'unit' ? [...items].sort((a, b) => (a.unit ?? a.seconds) - (b.unit ?? b.seconds)) : items;
  }

  hit(key: string, cost = 1): Result<boolean, Sync> {
    const now = this.clock.now();
    const decide = DECIDE[this.strategy];
    const admitted = this.items.reduce<Awaitable<boolean>>(
      (admittedSoFar, item) => then(admittedSoFar, (ok) => ok && decide(this.store as Store, `${this.strategy}/${item.count}/${item.seconds}/${key}`, item, cost, now)),
      true,
    );
    // `then` only makes a promise when the store does
    return admitted as Result<boolean, Sync>;
  }
}
