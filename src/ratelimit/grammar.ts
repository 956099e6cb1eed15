/**
 * Rate-string grammars of the Python limiter libraries, parsed exactly as each library does, quirks
 * included. `limits` notation (Flask-Limiter, slowapi): alisaifee/limits limits/util.py `EXPR`,
 * `SINGLE_EXPR`, `parse_many`; granularities from limits/limits.py `TIME_TYPES`.
 */
import { asciiLower, linearRegExp } from '../linear-regexp';

export interface RateItem {
  count: number;
  seconds: number; // window length
  text: string; // the item as written, trimmed
  unit?: number; // seconds of the unit word (`limits` notation: "10 per 2 seconds" has 1), which Flask-Limiter orders limits by
}

export type ParsedRate = { ok: true; items: RateItem[] } | { ok: false; reason: string };

const UNIT_SECONDS: Record<string, number> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86400,
  month: 30 * 86400,
  year: 360 * 86400,
};

// Same pattern as limits' SINGLE_EXPR (verbose whitespace removed); `([0-9]+)*` is theirs too.
const SINGLE = String.raw`\s*([0-9]+)\s*(/|\s*per\s*)\s*([0-9]+)*\s*(hour|minute|second|day|month|year)s?\s*`;
const SEPARATORS = /[,;|]{1}/;
// limits writes `(:?` where `(?:` was meant, so an optional `:` may precede each separator.
// In linear time (limits' own `([0-9]+)*` backtracks exponentially: "1/" and forty 9s would take hours), on the
// text with its ASCII letters lowered, as limits matches with IGNORECASE.
const WHOLE = linearRegExp(`^${SINGLE}(:?[,;|]{1}${SINGLE})*$`);
const ONE = linearRegExp(SINGLE, 'y');

/** Parses `limits` notation ("5/minute", "10 per hour;100/day", "2/5 seconds"). */
export function parseLimitsNotation(text: string): ParsedRate {
  if (!WHOLE.test(asciiLower(text))) {
    return { ok: false, reason: `\`${text}\` is not valid \`limits\` notation (write e.g. "5/minute"; abbreviations such as "5/m" or "10/min" are rejected)` };
  }
  const items: RateItem[] = [];
  for (const part of text.split(SEPARATORS)) {
    ONE.lastIndex = 0;
    const match = ONE.exec(asciiLower(part));
    if (!match) continue; // limits skips such pieces too (only possible around the stray `:`)
    const multiple = match[3] ? Number(match[3]) || 1 : 1;
    const unit = UNIT_SECONDS[match[4].toLowerCase()];
    items.push({ count: Number(match[1]), seconds: unit * multiple, text: part.trim(), unit });
  }
  return { ok: true, items };
}

/** A rate in a Django library's own grammar: one window, plus a note when the library reads it unlike its text. */
export type ParsedSingleRate = { ok: true; item: RateItem; note?: string } | { ok: false; reason: string };

const LETTER_UNITS: Record<string, [seconds: number, word: string]> = { s: [1, 'second'], m: [60, 'minute'], h: [3600, 'hour'], d: [86400, 'day'] };

function describeWindow(count: number, seconds: number): string {
  const unit = Object.values(LETTER_UNITS).reverse().find(([s]) => seconds % s === 0) ?? LETTER_UNITS.s;
  const n = seconds / unit[0];
  return `${count} per ${n === 1 ? unit[1] : `${n} ${unit[1]}s`}`;
}

/** True when `written` reads as the unit `word` (`m`, `min`, `minute`, `minutes`). */
function spellsUnit(written: string, word: string): boolean {
  return `${word}s`.startsWith(written.toLowerCase()) && written === written.toLowerCase();
}

/** `5/minute`, `2/5 seconds`, `3/250 milliseconds`: `limits` notation where it can say it. */
export function limitsNotation(count: number, ms: number): string {
  for (const [unit, size] of [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000], ['second', 1000]] as const) {
    if (ms % size === 0) {
      const n = ms / size;
      return n === 1 ? `${count}/${unit}` : `${count}/${n} ${unit}s`;
    }
  }
  return `${count}/${ms} milliseconds`;
}

/**
 * django-ratelimit (django_ratelimit/core.py `rate_re`, `_split_rate`): `(\d+)/(\d*)([smhd])?` matched at the
 * start only; a missing or unknown unit means seconds, the rest of the string is ignored.
 */
export function parseDjangoRatelimitRate(text: string): ParsedSingleRate {
  const match = /^(\d+)\/(\d*)([smhd])?/.exec(text);
  if (!match) return { ok: false, reason: `\`${text}\` does not match django-ratelimit's \`count/period\` pattern: every request fails with an error` };
  const count = Number(match[1]);
  const multiple = match[2] ? Number(match[2]) : 1;
  const seconds = LETTER_UNITS[match[3] ?? 's'][0] * multiple;
  if (seconds === 0) return { ok: false, reason: `\`${text}\` has a zero-length period: every request fails with ImproperlyConfigured` };
  const item = { count, seconds, text };
  const rest = text.slice(match[0].length);
  const plain = rest === '' || (match[3] !== undefined && /^[a-z]*$/.test(rest) && spellsUnit(match[3] + rest, LETTER_UNITS[match[3]][1]));
  return plain ? { ok: true, item } : { ok: true, item, note: `django-ratelimit reads \`${text}\` as ${describeWindow(count, seconds)}` };
}

/**
 * Django REST framework (rest_framework/throttling.py `SimpleRateThrottle.parse_rate`): `<int>/<period>`, only
 * the period's first letter counts (s, m, h, d); anything else raises on every request.
 */
export function parseDrfRate(text: string): ParsedSingleRate {
  const parts = text.split('/');
  const fails = (why: string): ParsedSingleRate => ({ ok: false, reason: `\`${text}\` ${why}: DRF raises an error on every request that reaches the throttle` });
  if (parts.length !== 2 || !/^\s*[+-]?\d+\s*$/.test(parts[0])) return fails('is not `<number>/<period>`');
  const unit = LETTER_UNITS[parts[1][0] ?? ''];
  if (!unit) return fails('has no period DRF knows (s, m, h, d)');
  const count = Number(parts[0]);
  const item = { count, seconds: unit[0], text };
  return spellsUnit(parts[1], unit[1]) ? { ok: true, item } : { ok: true, item, note: `DRF reads \`${text}\` as ${describeWindow(count, unit[0])}` };
}

/** A one-window grammar read as a list of one, with its note. */
export function singleRate(parse: (text: string) => ParsedSingleRate): (text: string) => ParsedRate & { note?: string } {
  return (text) => {
    const parsed = parse(text);
    return parsed.ok ? { ok: true, items: [parsed.item], note: parsed.note } : parsed;
  };
}
