/**
 * Where the reference limiter keeps its state. Every operation is atomic and takes the caller's `now`
 * (seconds, fractional), so a store follows whatever clock drives the limiter, virtual time included.
 * The operations are the primitives of Python `limits` (limits/storage/memory.py): `increment` is `incr`,
 * `acquireEntry` is `acquire_entry` (2.8), `acquireSlidingWindowEntry` is `acquire_sliding_window_entry` (4.1);
 * `takeTokens` serves the token bucket.
 *
 * `Sync` says whether results come back at once (MemoryStore) or possibly as promises (RedisStore), so the
 * worst-case search and AP009 can run the in-memory limiter synchronously.
 */
export interface Store<Sync extends boolean = false> {
  /**
   * Adds `cost` to the counter of `key` and returns the new count. A missing counter, or one whose expiry is at
   * or before `now`, starts from zero and expires `windowSeconds` after `now`; `elastic` pushes the expiry back on
   * every call.
   */
  increment(key: string, cost: number, windowSeconds: number, elastic: boolean, now: number): Result<number, Sync>;
  /**
   * Moving-window log: refuses when the entry at position `limit - cost` (newest first) exists and is inside the
   * window; otherwise records `cost` entries at `now`. `inclusive` says whether an entry exactly `windowSeconds`
   * old is still inside (limits: yes; DRF: no). `cost` must not exceed `limit`.
   */
  acquireEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number, inclusive: boolean): Result<boolean, Sync>;
  /**
   * Sliding-window counter in clock-aligned buckets of `windowSeconds`: the previous bucket's count weighted by the
   * part of it still inside the window, plus the current bucket's count. Refuses when the floor of that plus `cost`
   * exceeds `limit`; otherwise adds `cost` to the current bucket.
   */
  acquireSlidingWindowEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number): Result<boolean, Sync>;
  /**
   * Token bucket: a full bucket of `capacity` tokens refilled continuously at `perSecond`; takes `cost` tokens if
   * that many are there, otherwise takes none and refuses.
   */
  takeTokens(key: string, capacity: number, perSecond: number, cost: number, now: number): Result<boolean, Sync>;
  close(): Promise<void>;
}

export type Awaitable<T> = T | Promise<T>;
export type Result<T, Sync extends boolean> = Sync extends true ? T : Awaitable<T>;

/**
 * The two bucket keys of a sliding window at `now` and how many seconds of the previous bucket are still inside
 * the window, computed as limits does (sliding_window_keys, _get_sliding_window_info). limits truncates the bucket
 * numbers with int(); floor differs from that only within one window of the epoch, where limits lets a bucket be
 * its own predecessor.
 */
export function slidingWindow(key: string, windowSeconds: number, now: number): { previousKey: string; currentKey: string; previousTtl: number } {
  const previous = (now - windowSeconds) / windowSeconds;
  return {
    previousKey: `${key}/${Math.floor(previous)}`,
    currentKey: `${key}/${Math.floor(now / windowSeconds)}`,
    previousTtl: (1 - (previous - Math.floor(previous))) * windowSeconds,
  };
}

interface Counter {
  count: number;
  expiresAt: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** `count` log entries made at `time`: a burst is one run, so a log of N entries need not hold N numbers. */
interface Run {
  time: number;
  count: number;
}

/** Everything a MemoryStore holds; a copy of it can be taken back with `restore`. */
export interface MemoryState {
  counters: Map<string, Counter>;
  logs: Map<string, Run[]>; // newest first, at most `limit` entries in all
  buckets: Map<string, Bucket>;
}

/** Per-process store. Expired state is dropped when its key is next touched, as limits' `get` does. */
export class MemoryStore implements Store<true> {
  private state: MemoryState = { counters: new Map(), logs: new Map(), buckets: new Map() };

  /** A copy of the state: the worst-case search tries a burst and takes it back when it was refused. */
  save(): MemoryState {
    return structuredClone(this.state);
  }

  restore(saved: MemoryState): void {
    this.state = saved;
  }

  increment(key: string, cost: number, windowSeconds: number, elastic: boolean, now: number): number {
    let counter = this.state.counters.get(key);
    if (!counter || counter.expiresAt <= now) {
      counter = { count: 0, expiresAt: now + windowSeconds };
      this.state.counters.set(key, counter);
    } else if (elastic) {
      counter.expiresAt = now + windowSeconds;
    }
    counter.count += cost;
    return counter.count;
  }

  acquireEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number, inclusive: boolean): boolean {
    const log = this.state.logs.get(key) ?? [];
    const entry = entryAt(log, limit - cost);
    if (cost > limit || (entry !== undefined && insideWindow(entry, now - windowSeconds, inclusive))) return false;
    if (log[0]?.time === now) log[0].count += cost;
    else log.unshift({ time: now, count: cost });
    keepNewest(log, limit); // older entries can never be looked at again
    this.state.logs.set(key, log);
    return true;
  }

  acquireSlidingWindowEntry(key: string, limit: number, windowSeconds: number, cost: number, now: number): boolean {
    const { previousKey, currentKey, previousTtl } = slidingWindow(key, windowSeconds, now);
    const weighted = (this.count(previousKey, now) * previousTtl) / windowSeconds + this.count(currentKey, now);
    if (Math.floor(weighted) + cost > limit) return false;
    // limits keeps a bucket for two windows: while it is current and while it is previous
    this.increment(currentKey, cost, 2 * windowSeconds, false, now);
    return true;
  }

  takeTokens(key: string, capacity: number, perSecond: number, cost: number, now: number): boolean {
    const bucket = this.state.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.updatedAt) * perSecond);
    bucket.updatedAt = now;
    this.state.buckets.set(key, bucket);
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  async close(): Promise<void> {}

  private count(key: string, now: number): number {
    const counter = this.state.counters.get(key);
    return counter && counter.expiresAt > now ? counter.count : 0;
  }
}

/** The time of the entry at `position` (newest first), undefined when the log is shorter. */
function entryAt(log: Run[], position: number): number | undefined {
  if (position < 0) return undefined;
  for (const run of log) {
    if (position < run.count) return run.time;
    position -= run.count;
  }
  return undefined;
}

function keepNewest(log: Run[], limit: number): void {
  let kept = 0;
  for (const [index, run] of log.entries()) {
    if (kept + run.count >= limit) {
      run.count = limit - kept;
      log.length = index + 1;
      return;
    }
    kept += run.count;
  }
}

function insideWindow(entry: number, windowStart: number, inclusive: boolean): boolean {
  return inclusive ? entry >= windowStart : entry > windowStart;
}
