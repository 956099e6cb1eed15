/**
 * Where the reference limiter keeps its state. Every operation is atomic and takes the caller's `now`
 * (seconds, fractional), so a store follows whatever clock drives the limiter, virtual time included.
 * The operations are the primitives of Python `limits` 2.8 (limits/storage/memory.py): `increment` is
 * `incr`, `acquireEntry` is `acquire_entry`; `takeTokens` serves the token bucket.
 */
export interface Store {
  /**
   * Adds `cost` to the counter of `key` and returns the new count. A missing counter, or one whose expiry is at
   * or before `now`, starts from zero and expires `windowSeconds` after `now`; `elastic` pushes the expiry back on
   * every call.
   */
  increment(key: string, cost: number, windowSeconds: number, elastic: boolean, now: number): Promise<number>;
  /**
   * Moving-window log: refuses when the entry at position `limit - cost` (newest first) exists and is inside the
   * window; otherwise records `cost` entries at `now`. `inclusive` says whether an entry exactly `windowSeconds`
   * old is still inside (limits: yes; DRF: no). `cost` must not exceed `limit`.
   */
  acquireEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number, inclusive: boolean): Promise<boolean>;
  /**
   * Token bucket: a full bucket of `capacity` tokens refilled continuously at `perSecond`; takes `cost` tokens if
   * that many are there, otherwise takes none and refuses.
   */
  takeTokens(key: string, capacity: number, perSecond: number, cost: number, now: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Counter {
  count: number;
  expiresAt: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Per-process store. Expired state is dropped when its key is next touched, as limits' `get` does. */
export class MemoryStore implements Store {
  private readonly counters = new Map<string, Counter>();
  private readonly logs = new Map<string, number[]>(); // newest first, at most `limit` entries
  private readonly buckets = new Map<string, Bucket>();

  async increment(key: string, cost: number, windowSeconds: number, elastic: boolean, now: number): Promise<number> {
    let counter = this.counters.get(key);
    if (!counter || counter.expiresAt <= now) {
      counter = { count: 0, expiresAt: now + windowSeconds };
      this.counters.set(key, counter);
    } else if (elastic) {
      counter.expiresAt = now + windowSeconds;
    }
    counter.count += cost;
    return counter.count;
  }

  async acquireEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number, inclusive: boolean): Promise<boolean> {
    const log = this.logs.get(key) ?? [];
    const entry = log[limit - cost];
    if (cost > limit || (entry !== undefined && insideWindow(entry, now - windowSeconds, inclusive))) return false;
    log.unshift(...Array<number>(cost).fill(now));
    log.length = Math.min(log.length, limit); // older entries can never be looked at again
    this.logs.set(key, log);
    return true;
  }

  async takeTokens(key: string, capacity: number, perSecond: number, cost: number, now: number): Promise<boolean> {
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  async close(): Promise<void> {}
}

function insideWindow(entry: number, windowStart: number, inclusive: boolean): boolean {
  return inclusive ? entry >= windowStart : entry > windowStart;
}
