/**
 * The attacker's best case against a limit, measured by running the reference limiter on adversarial traces in
 * virtual time (not by formula): the most requests admitted within any span of the window's length and of 1 s.
 */
import type { RateItem } from '../ratelimit/grammar';
import { RateLimiter, VirtualClock, type LimitOrder, type Strategy } from './limiter';
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

/**
 * One instant of an attack; `single` sends one request instead of a burst. A `paced` burst sends only what will
 * be admitted (an attacker who knows the algorithm does not spend requests on refusals).
 */
interface Shot {
  time: number;
  single?: boolean;
  paced?: boolean;
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

// Bounds on the paced search: instants per attack and attacks (delays) per rate.
const MOST_INSTANTS = 2000;
const MOST_DELAYS = 24;

/**
 * Attacks on several limits at once (`5/minute;1/second`): open every window with one hit, wait, then take all
 * that is admitted at each instant where a window of some limit ends (and just before it), for two of the
 * longest windows. The wait lets the long window's allowance be spent at its very end, paced by the short
 * limits, and the next window's at its start: 9 within a minute for `5/minute;1/second`, not 5.
 */
function pacedAttacks(items: RateItem[]): Shot[][] {
  const window = Math.max(...items.map((i) => i.seconds));
  const shortest = Math.min(...items.map((i) => i.seconds));
  const horizon = 2 * window + shortest;
  const epsilon = shortest / 1000;
  const instants = new Set<number>();
  for (const { seconds } of items) {
    const stride = seconds * Math.max(1, Math.ceil(horizon / seconds / MOST_INSTANTS));
    for (let t = stride; t <= horizon; t += stride) instants.add(t).add(t - epsilon);
  }
  const sorted = [...instants].sort((a, b) => a - b);
  const longest = items.find((i) => i.seconds === window)!;
  const waits = Math.min(longest.count, Math.floor(window / shortest));
  const delays = new Set([0]);
  for (let k = 0; k < MOST_DELAYS; k++) delays.add(Math.max(0, window - Math.ceil((waits * (k + 1)) / MOST_DELAYS) * shortest - epsilon));
  return [...delays].map((delay) => [{ time: 0, single: true }, ...sorted.filter((t) => t >= delay).map((time) => ({ time, paced: true }))]);
}

/** Doubles count one by one only this far: beyond it a count no longer grows by one request, and a burst never ends. */
export const MOST_COUNTED = Number.MAX_SAFE_INTEGER;

/** Synchronous: the limiter runs over a MemoryStore, so AP009 can ask for a worst case while checking a route. */
function run(strategy: Strategy, items: RateItem[], shots: Shot[], order: LimitOrder): Burst[] {
  const clock = new VirtualClock();
  const store = new MemoryStore();
  const limiter = new RateLimiter<true>(store, strategy, items, clock, order);
  const most = items.reduce((sum, i) => sum + i.count, 1); // no burst can be admitted in full beyond this
  return shots.map(({ time, single, paced }) => {
    clock.set(time);
    return { time, ...burst(limiter, store, single ? 1 : most, paced) };
  });
}

/**
 * The attacker's burst at the clock's instant: requests until one is refused, at most `most` admitted. A hit of
 * cost k at one instant is admitted exactly when k single requests would all be, and leaves the same state, so the
 * burst takes O(log most) hits whatever the count: costs double until one is refused (the store takes it back),
 * then halve. Only the request that stops the burst is sent as a single one, with its effects kept.
 */
function burst(limiter: RateLimiter<true>, store: MemoryStore, most: number, paced = false): Omit<Burst, 'time'> {
  let admitted = 0;
  let step = 1;
  let growing = true;
  while (admitted < most) {
    const cost = Math.min(step, most - admitted);
    const saved = cost > 1 || paced ? store.save() : undefined;
    if (limiter.hit('attacker', cost)) {
      admitted += cost;
      step = growing ? step * 2 : Math.max(1, Math.floor(step / 2));
    } else if (!saved) {
      return { admitted, refused: 1 };
    } else if (cost === 1) {
      store.restore(saved); // paced: the refused request is not sent
      return { admitted, refused: 0 };
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

export function worstCase(strategy: Strategy, items: RateItem[], order: LimitOrder = 'written'): WorstCase {
  if (items.some((i) => i.count > MOST_COUNTED)) throw new RangeError(`counts above ${MOST_COUNTED} cannot be simulated`);
  const window = Math.max(...items.map((i) => i.seconds));
  let best: WorstCase | undefined;
  for (const shots of items.length > 1 ? [...attacks(window), ...pacedAttacks(items)] : attacks(window)) {
    const bursts = run(strategy, items, shots, order);
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
