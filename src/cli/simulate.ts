/** `apiposture simulate`: a rate string read as a library reads it, run through the reference limiter. */
import { parseDjangoRatelimitRate, parseDrfRate, parseLimitsNotation, type ParsedRate, type RateItem } from '../ratelimit/grammar';
import type { Strategy } from '../limiter/limiter';
import { MOST_COUNTED, worstCase, type WorstCase } from '../limiter/worst-case';

export const SIMULATED_LIBRARIES = ['flask-limiter', 'slowapi', 'fastapi-limiter', 'django-ratelimit', 'drf'] as const;
export type SimulatedLibrary = (typeof SIMULATED_LIBRARIES)[number];
export const SIMULATED_STRATEGIES: Strategy[] = ['fixed-window', 'moving-window', 'sliding-window-counter', 'sliding-log', 'clock-aligned-window', 'token-bucket'];
/** `--strategy` also takes `sliding-window`, the name the sliding-window counter often goes by. */
export const STRATEGY_NAMES: Record<string, Strategy> = {
  ...Object.fromEntries(SIMULATED_STRATEGIES.map((s) => [s, s])),
  'sliding-window': 'sliding-window-counter',
};

/** How each library reads rate strings and counts by default (fastapi-limiter: keyword limits written in `limits` notation). */
const LIBRARIES: Record<SimulatedLibrary, { parse: (text: string) => ParsedRate & { note?: string }; strategy: Strategy }> = {
  'flask-limiter': { parse: parseLimitsNotation, strategy: 'fixed-window' },
  slowapi: { parse: parseLimitsNotation, strategy: 'fixed-window' },
  'fastapi-limiter': { parse: parseLimitsNotation, strategy: 'fixed-window' },
  'django-ratelimit': { parse: single(parseDjangoRatelimitRate), strategy: 'clock-aligned-window' },
  drf: { parse: single(parseDrfRate), strategy: 'sliding-log' },
};

function single(parse: typeof parseDrfRate): (text: string) => ParsedRate & { note?: string } {
  return (text) => {
    const parsed = parse(text);
    return parsed.ok ? { ok: true, items: [parsed.item], note: parsed.note } : parsed;
  };
}

/** The fixed-window bound of reference D.1: first-hit windows 2N − 1, clock-aligned ones 2N. */
const FORMULAS: Partial<Record<Strategy, [text: string, value: (n: number) => number]>> = {
  'fixed-window': ['2N − 1', (n) => 2 * n - 1],
  'clock-aligned-window': ['2N', (n) => 2 * n],
};

export interface Simulation {
  rate: string;
  library: SimulatedLibrary;
  strategy: Strategy;
  note?: string;
  items: { count: number; seconds: number }[];
  sustainedPerSecond: number;
  worstCase: WorstCase & { formula?: { text: string; value: number } };
}

export class InvalidRate extends Error {}

export async function simulate(rate: string, library: SimulatedLibrary, strategy?: Strategy): Promise<Simulation> {
  const parsed = LIBRARIES[library].parse(rate);
  if (!parsed.ok) throw new InvalidRate(parsed.reason);
  if (parsed.items.some((i) => i.count === 0)) throw new InvalidRate(`\`${rate}\` admits no request at all (a count of 0 refuses every one): there is no burst to simulate`);
  if (parsed.items.some((i) => i.count > MOST_COUNTED)) throw new InvalidRate(`\`${rate}\` has a count above ${MOST_COUNTED}, more than the simulation counts exactly`);
  const chosen = strategy ?? LIBRARIES[library].strategy;
  const measured = worstCase(chosen, parsed.items);
  const formula = FORMULAS[chosen];
  const longest = parsed.items.find((i) => i.seconds === measured.window)!;
  return {
    rate,
    library,
    strategy: chosen,
    ...(parsed.note ? { note: parsed.note } : {}),
    items: parsed.items.map(({ count, seconds }) => ({ count, seconds })),
    sustainedPerSecond: Math.min(...parsed.items.map((i) => i.count / i.seconds)),
    worstCase: { ...measured, ...(formula && parsed.items.length === 1 ? { formula: { text: formula[0], value: formula[1](longest.count) } } : {}) },
  };
}

const per = (i: RateItem | Simulation['items'][number]): string => `${i.count} per ${i.seconds} s`;
const TIMELINE_ROWS = 12;
const BAR = 40;

export function simulationText(s: Simulation): string {
  const w = s.worstCase;
  const lines = [
    `Limit       ${s.rate} (${s.library}: ${s.items.map(per).join(', ')})`,
    ...(s.note ? [`Note        ${s.note}`] : []),
    `Strategy    ${s.strategy}`,
    `Sustained   ${Number(s.sustainedPerSecond.toPrecision(4))} requests/s`,
    `Worst case  ${w.inWindow} admitted within ${w.window} s, ${w.inOneSecond} within 1 s` +
      (w.formula ? ` (formula ${w.formula.text} = ${w.formula.value}${w.formula.value === w.inWindow ? ', agrees' : ', DISAGREES'})` : ''),
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
