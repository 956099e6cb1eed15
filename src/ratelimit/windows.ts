/** The windows a limit enforces, read with the grammar of the library that declared it (effective reading, quirks included). */
import type { Limit } from '../model';
import { parseDjangoRatelimitRate, parseDrfRate, parseLimitsNotation, type RateItem } from './grammar';

const SINGLE_RATE_GRAMMARS: Record<string, (text: string) => ReturnType<typeof parseDrfRate>> = {
  'django-ratelimit': parseDjangoRatelimitRate,
  drf: parseDrfRate,
};

/** undefined when the rate cannot be read (custom notation, invalid text). */
export function limitWindows(limit: Limit): RateItem[] | undefined {
  const single = SINGLE_RATE_GRAMMARS[limit.library];
  if (single) {
    const parsed = single(limit.rate);
    return parsed.ok ? [parsed.item] : undefined;
  }
  const parsed = parseLimitsNotation(limit.rate);
  return parsed.ok ? parsed.items : undefined;
}

/** The most requests the limit lets one client make within `seconds` (sustained, ignoring window-edge bursts). */
export function allowanceWithin(items: RateItem[], seconds: number): number {
  return Math.min(...items.map((i) => i.count * Math.max(1, Math.ceil(seconds / i.seconds))));
}
