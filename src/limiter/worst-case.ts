/**
 * The attacker's best case against a limit, measured by running the reference limiter on adversarial traces in
 * virtual time (not by formula): the most requests admitted within any span of the window's length and of 1 s.
 */
import type { RateItem } from '../ratelimit/grammar';
import { RateLimiter, VirtualClock, type Strategy } from './limiter';
import { MemoryStore } from './store';

/** Requests sent at one instant: the attacker keeps sending until one is refused. */
export interface Burst {
  time: number; // seconds since the attack began
  admitted: number;
  refused: number;
}

export interface WorstCase {
  window: number; // seconds: the longest window among the items
  inWindow: number; // most admitted within any span of `window` seconds
  inOneSecond: number;
  timeline: Burst[]; // the attack that reached `inWindow`, bursts with at least one request admitted or refused
}

/** One instant of an attack; `single` sends one request instead of a burst. */
interface Shot {
  time: number;
  single?: boolean;
}

/** Attacks on a window of `window` seconds. */
function attacks(window: number): Shot[][] {
  const justBefore = window - Math.min(window, 1) / 1000;
  const steps = 400;
  return [
    [{ time: 0, single: true }, { time: justBefore }, { time: window }], // open a window with one hit, drain it at its very end and the next at its start
    [{ time: justBefore }, { time: window }], // the same at a clock-aligned edge
    // drain a clock-aligned window at its very end, then keep pressing through the next one: a sliding-window
    // counter's allowance grows as the drained bucket's weight shrinks; a bucket refills over the window
    [{ time: justBefore }, ...Array.from({ length: steps }, (_, i) => ({ time: window + (i * window) / steps }))],
  ];
}

/** Doubles count one by one only this far: beyond it a count no longer grows by one request, and a burst never ends. */
export const MOST_COUNTED = Number.MAX_SAFE_INTEGER;

/** Synchronous: the limiter runs over a MemoryStore, so AP009 can ask for a worst case while checking a route. */
function run(strategy: Strategy, items: RateItem[], shots: Shot[]): Burst[] {
  const clock = new VirtualClock();
  const store = new MemoryStore();
  const limiter = new RateLimiter<true>(store, strategy, items, clock);
  const most = items.reduce((sum, i) => sum + i.count, 1); // no burst can be admitted in full beyond this
  return shots.map(({ time, single }) => {
    clock.set(time);
    return { time, ...burst(limiter, store, single ? 1 : most) };
  });
}

/**
 * The attacker's burst at the clock's instant: requests until one is refused, at most `most` admitted. A hit of
 * cost k at one instant is admitted exactly when k single requests would all be, and leaves the same state, so the
 * burst takes O(log most) hits whatever the count: costs double until one is refused (the store takes it back),
 * then halve. Only the request that stops the burst is sent as a single one, with its effects kept.
 */
function burst(limiter: RateLimiter<true>, store: MemoryStore, most: number): Omit<Burst, 'time'> {
  let admitted = 0;
  let step = 1;
  let growing = true;
  while (admitted < most) {
    const cost = Math.min(step, most - admitted);
    const saved = cost > 1 ? store.save() : undefined;
    if (limiter.hit('attacker', cost)) {
      admitted += cost;
      step = growing ? step * 2 : Math.max(1, Math.floor(step / 2));
    } else if (!saved) {
      return { admitted, refused: 1 };
    } else {
      store.restore(saved);
      growing = false;
      step = Math.max(1, Math.floor(cost / 2));
    }
  }
  return { admitted, refused: 0 };
}

/** The most admitted requests within any span [t, t + span). */
export function mostWithin(bursts: Burst[], span: number): number {
  let most = 0;
  for (const start of bursts) {
    const inSpan = bursts.filter((b) => b.time >= start.time && b.time < start.time + span);
    most = Math.max(most, inSpan.reduce((sum, b) => sum + b.admitted, 0));
  }
  return most;
}

export function worstCase(strategy: Strategy, items: RateItem[]): WorstCase {
  if (items.some((i) => i.count > MOST_COUNTED)) throw new RangeError(`counts above ${MOST_COUNTED} cannot be simulated`);
  const window = Math.max(...items.map((i) => i.seconds));
  let best: WorstCase | undefined;
  for (const shots of attacks(window)) {
    const bursts = run(strategy, items, shots);
    const inWindow = mostWithin(bursts, window);
    const inOneSecond = mostWithin(bursts, 1);
    if (!best || inWindow > best.inWindow) best = { window, inWindow, inOneSecond: Math.max(inOneSecond, best?.inOneSecond ?? 0), timeline: bursts };
    else best.inOneSecond = Math.max(best.inOneSecond, inOneSecond);
  }
  return best!;
}

const EDGE_BURSTS = new Map<string, number>(); // by strategy, count and window

/**
 * The most requests one fixed window of `library` admits within 1 s at its edge, as `simulate` measures it:
 * django-ratelimit aligns its windows to the clock, the other libraries open them at the first hit. Undefined for a
 * count too large to simulate.
 */
export function fixedWindowEdgeBurst(library: string, item: RateItem): number | undefined {
  if (item.count > MOST_COUNTED) return undefined;
  const strategy = library === 'django-ratelimit' ? 'clock-aligned-window' : 'fixed-window';
  const key = `${strategy} ${item.count} ${item.seconds}`;
  // Routes share a handful of rates, so each is simulated once.
  let burst = EDGE_BURSTS.get(key);
  if (burst === undefined) {
    burst = worstCase(strategy, [item]).inOneSecond;
    EDGE_BURSTS.set(key, burst);
  }
  return burst;
}
