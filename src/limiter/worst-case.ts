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

/** Synchronous: the limiter runs over a MemoryStore, so AP009 can ask for a worst case while checking a route. */
function run(strategy: Strategy, items: RateItem[], shots: Shot[]): Burst[] {
  const clock = new VirtualClock();
  const limiter = new RateLimiter(new MemoryStore(), strategy, items, clock);
  const most = items.reduce((sum, i) => sum + i.count, 1); // no burst can be admitted in full beyond this
  const bursts: Burst[] = [];
  for (const { time, single } of shots) {
    clock.set(time);
    const burst = { time, admitted: 0, refused: 0 };
    while (burst.refused === 0 && burst.admitted < (single ? 1 : most)) {
      if (limiter.hit('attacker')) burst.admitted++;
      else burst.refused++;
    }
    bursts.push(burst);
  }
  return bursts;
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
 * django-ratelimit aligns its windows to the clock, the other libraries open them at the first hit.
 */
export function fixedWindowEdgeBurst(library: string, item: RateItem): number {
  const strategy = library === 'django-ratelimit' ? 'clock-aligned-window' : 'fixed-window';
  const key = `${strategy} ${item.count} ${item.seconds}`;
  // Simulating a large count takes a while; routes share a handful of rates, so each is simulated once.
  let burst = EDGE_BURSTS.get(key);
  if (burst === undefined) {
    burst = worstCase(strategy, [item]).inOneSecond;
    EDGE_BURSTS.set(key, burst);
  }
  return burst;
}
