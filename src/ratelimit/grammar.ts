/**
 * Rate-string grammars of the Python limiter libraries, parsed exactly as each library does, quirks
 * included. `limits` notation (Flask-Limiter, slowapi): alisaifee/limits limits/util.py `EXPR`,
 * `SINGLE_EXPR`, `parse_many`; granularities from limits/limits.py `TIME_TYPES`.
 */

export interface RateItem {
  count: number;
  seconds: number; // window length
  text: string; // the item as written, trimmed
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
const WHOLE = new RegExp(`^${SINGLE}(:?[,;|]{1}${SINGLE})*$`, 'i');
const ONE = new RegExp(SINGLE, 'iy');

/** Parses `limits` notation ("5/minute", "10 per hour;100/day", "2/5 seconds"). */
export function parseLimitsNotation(text: string): ParsedRate {
  if (!WHOLE.test(text)) {
    return { ok: false, reason: `\`${text}\` is not valid \`limits\` notation (write e.g. "5/minute"; abbreviations such as "5/m" or "10/min" are rejected)` };
  }
  const items: RateItem[] = [];
  for (const part of text.split(SEPARATORS)) {
    ONE.lastIndex = 0;
    const match = ONE.exec(part);
    if (!match) continue; // limits skips such pieces too (only possible around the stray `:`)
    const multiple = match[3] ? Number(match[3]) || 1 : 1;
    items.push({ count: Number(match[1]), seconds: UNIT_SECONDS[match[4].toLowerCase()] * multiple, text: part.trim() });
  }
  return { ok: true, items };
}
