/** `apiposture simulate`: a rate string read as a library reads it, run through the reference limiter. */
import type { RateItem } from '../ratelimit/grammar';
import type { Strategy } from '../limiter/limiter';
import { MOST_COUNTED, worstCase, type WorstCase } from '../limiter/worst-case';
import { LIBRARY_DESCRIPTORS } from '../frameworks/libraries';
import type { LibraryDescriptor } from '../frameworks/library';

/** The libraries whose users write rate strings: their grammar and default counting are simulated. */
const SIMULATED = LIBRARY_DESCRIPTORS.filter((d): d is LibraryDescriptor & Required<Pick<LibraryDescriptor, 'grammar'>> => d.grammar !== undefined);
export const SIMULATED_LIBRARIES = SIMULATED.map((d) => d.id);
export const SIMULATED_STRATEGIES: Strategy[] = ['fixed-window', 'moving-window', 'sliding-window-counter', 'sliding-log', 'clock-aligned-window', 'token-bucket'];
/** `--strategy` also takes `sliding-window`, the name the sliding-window counter often goes by. */
export const STRATEGY_NAMES: Record<string, Strategy> = {
  ...Object.fromEntries(SIMULATED_STRATEGIES.map((s) => [s, s])),
  'sliding-window': 'sliding-window-counter',
};

/**
 * The fixed-window bounds of reference D.1, first-hit windows 2N − 1 and clock-aligned ones 2N, generalised to
 * several limits: within a span of the longest window W, a limit of N per w touches at most ⌊W/w⌋ + 1 of its
 * windows (less one request for first-hit windows, whose first opened before the span), and every limit must
 * admit each request.
 */
function formulaFor(strategy: Strategy, items: RateItem[]): { text: string; value: number } | undefined {
  const lessOne = strategy === 'fixed-window' ? 1 : strategy === 'clock-aligned-window' ? 0 : undefined;
  if (lessOne === undefined) return undefined;
  const window = Math.max(...items.map((i) => i.seconds));
  const value = Math.min(...items.map((i) => (Math.floor(window / i.seconds) + 1) * i.count - lessOne));
  const single = lessOne ? '2N − 1' : '2N';
  return { text: items.length === 1 ? single : `min over limits of (⌊W/w⌋ + 1)·N${lessOne ? ' − 1' : ''}`, value };
}

export interface Simulation {
  rate: string;
  library: string;
  strategy: Strategy;
  note?: string;
  items: { count: number; seconds: number }[];
  sustainedPerSecond: number;
  worstCase: WorstCase & { formula?: { text: string; value: number } }; // inWindow: what the search reached
}

export class InvalidRate extends Error {}

/**
 * Simulates the limits of one or more rate strings that all count the same requests: stacked decorators, or a
 * default and a route limit, are given as several strings (`simulate "5/minute" "1/second"`).
 */
export async function simulate(rates: string[], library: string, strategy?: Strategy): Promise<Simulation> {
  const rate = rates.join(' + ');
  const descriptor = SIMULATED.find((d) => d.id === library);
  if (!descriptor) throw new InvalidRate(`no rate grammar for \`${library}\`: choose one of ${SIMULATED_LIBRARIES.join(', ')}`);
  const each = rates.map((text) => descriptor.grammar.parse(text));
  const failed = each.find((p) => !p.ok);
  if (failed && !failed.ok) throw new InvalidRate(failed.reason);
  const parsed = { items: each.flatMap((p) => (p.ok ? p.items : [])), note: each.map((p) => p.note).filter(Boolean).join('; ') };
  if (parsed.items.some((i) => i.count === 0)) throw new InvalidRate(`\`${rate}\` admits no request at all (a count of 0 refuses every one): there is no burst to simulate`);
  if (parsed.items.some((i) => i.count > MOST_COUNTED)) throw new InvalidRate(`\`${rate}\` has a count above ${MOST_COUNTED}, more than the simulation counts exactly`);
  const chosen = strategy ?? descriptor.counting;
  const measured = worstCase(chosen, parsed.items, descriptor.grammar.order);
  const formula = formulaFor(chosen, parsed.items);
  return {
    rate,
    library,
    strategy: chosen,
    ...(parsed.note ? { note: parsed.note } : {}),
    items: parsed.items.map(({ count, seconds }) => ({ count, seconds })),
    sustainedPerSecond: Math.min(...parsed.items.map((i) => i.count / i.seconds)),
    worstCase: { ...measured, ...(formula ? { formula } : {}) },
  };
}

const per = (i: RateItem | Simulation['items'][number]): string => `${i.count} per ${i.seconds} s`;

/**
 * The search against the bound: equal, or below it when the search's instants were spread out to stay bounded
 * (the bound is then the number to plan for). Above it would be a fault of one of them.
 */
function formulaCheck(formula: { text: string; value: number }, found: number): string {
  const stated = `formula ${formula.text} = ${formula.value}`;
  if (formula.value === found) return `${stated}, agrees`;
  return formula.value > found ? `${stated}: up to that many; the bounded search reached ${found}` : `${stated}, below the search: a fault, please report it`;
}
const TIMELINE_ROWS = 12;
const BAR = 40;

export function simulationText(s: Simulation): string {
  const w = s.worstCase;
  const lines = [
    `Limit       ${s.rate} (${s.library}: ${s.items.map(per).join(', ')})`,
    ...(s.note ? [`Note        ${s.note}`] : []),
    `Strategy    ${s.strategy}`,
    `Sustained   ${Number(s.sustainedPerSecond.toPrecision(4))} requests/s`,
    `Worst case  ${w.inWindow} admitted within ${w.window} s, ${w.inOneSecond} within 1 s` + (w.formula ? ` (${formulaCheck(w.formula, w.inWindow)})` : ''),
    '',
    'Attack timeline (s; + admitted, x the refused request that stops each burst):',
  ];
  const shown = w.timeline.filter((b) => b.admitted > 0);
  for (const b of shown.slice(0, TIMELINE_ROWS)) {
    const bar = '+'.repeat(Math.min(b.admitted, BAR)) + (b.admitted > BAR ? '…' : '') + 'x'.repeat(b.refused);
    lines.push(`  ${b.time.toFixed(3).padStart(10)}  ${bar.padEnd(BAR + 2)} ${b.admitted}`);
  }
  if (shown.length > TIMELINE_ROWS) lines.push(`  … ${shown.length - TIMELINE_ROWS} more bursts`);
  return `${lines.join('\n')}\n`;
}
