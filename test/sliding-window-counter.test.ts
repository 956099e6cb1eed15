/**
 * The sliding-window counter against cases worked by hand from limits ≥ 4.1 (storage/memory.py
 * acquire_sliding_window_entry): Debian's limits 2.8 predates the strategy, so no differential test. The window
 * is 8 s and times are multiples of 1/16 s, so every weight is exact in binary and the floors are the ones worked
 * out here. Bucket 100 is [800, 808).
 */
import { RateLimiter, VirtualClock } from '../src/limiter/limiter';
import { MemoryStore, slidingWindow } from '../src/limiter/store';

const WINDOW = 8;
const LIMIT = 4;

/** How many of `hits` requests of cost 1 at `time` pass, stopping at the first refusal. */
function burst(store: MemoryStore, time: number, hits = LIMIT + 1): number {
  let admitted = 0;
  while (admitted < hits && store.acquireSlidingWindowEntry('k', LIMIT, WINDOW, 1, time)) admitted++;
  return admitted;
}

test('buckets are clock-aligned; the previous one counts for the part of it still inside the window', () => {
  expect(slidingWindow('k', WINDOW, 802)).toEqual({ previousKey: 'k/99', currentKey: 'k/100', previousTtl: 6 });
  expect(slidingWindow('k', WINDOW, 808)).toEqual({ previousKey: 'k/100', currentKey: 'k/101', previousTtl: 8 });
});

test('a fresh bucket admits the limit; at the next bucket\'s start the full previous count still weighs', () => {
  const store = new MemoryStore();
  expect(burst(store, 801)).toBe(4);
  expect(burst(store, 807.9375)).toBe(0);
  expect(burst(store, 808)).toBe(0); // 4 · 8/8 + 0
});

test('the allowance grows as the previous bucket slides out; the weighted count is floored; refused hits do not count', () => {
  const store = new MemoryStore();
  burst(store, 801);
  expect(burst(store, 810)).toBe(1); // 4 · 6/8 = 3, room for 1
  expect(burst(store, 812)).toBe(1); // 4 · 4/8 + 1 = 3 (the hit refused at 810 is not in it), room for 1
  expect(burst(store, 815)).toBe(2); // 4 · 1/8 + 2 = 2.5, floored to 2: room for 2 (2.5 + 2 = 4.5 floors to 4)
  expect(burst(store, 815.5)).toBe(0); // 0.25 + 4
});

test('2N within less than a window: drain a bucket at its end, then the next one as its weight falls below 1/N', () => {
  const store = new MemoryStore();
  expect(burst(store, 807)).toBe(4);
  expect(burst(store, 814.5)).toBe(4); // 4 · 1.5/8 = 0.75, floored away until the current count reaches 4
});

test('a bucket two windows old no longer counts', () => {
  const store = new MemoryStore();
  burst(store, 801);
  expect(burst(store, 816)).toBe(4);
});

test('cost: refused when the floored count plus the cost exceeds the limit, and always beyond the limit', () => {
  const store = new MemoryStore();
  expect(store.acquireSlidingWindowEntry('k', LIMIT, WINDOW, 5, 801)).toBe(false);
  expect(store.acquireSlidingWindowEntry('k', LIMIT, WINDOW, 3, 801)).toBe(true);
  expect(store.acquireSlidingWindowEntry('k', LIMIT, WINDOW, 2, 801)).toBe(false);
  expect(store.acquireSlidingWindowEntry('k', LIMIT, WINDOW, 1, 801)).toBe(true);
});

test('the limiter keeps one counter per key and item', () => {
  const clock = new VirtualClock(801);
  const limiter = new RateLimiter(new MemoryStore(), 'sliding-window-counter', [{ count: 2, seconds: 8, text: '2/8 seconds' }], clock);
  expect([limiter.hit('alice'), limiter.hit('alice'), limiter.hit('alice'), limiter.hit('bob')]).toEqual([true, true, false, true]);
});
