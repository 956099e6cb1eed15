/** The windows a limit enforces, read with the grammar of the library that declared it (effective reading, quirks included). */
import type { Limit } from '../model';
import { parseLimitsNotation, type RateItem } from './grammar';
import { descriptorOf } from '../frameworks/libraries';

/**
 * undefined when the rate cannot be read (custom notation, invalid text). Libraries whose users write no rate
 * strings (asgi-ratelimit's `Rule(minute=10)`) have their limits written in `limits` notation.
 */
export function limitWindows(limit: Limit): RateItem[] | undefined {
  const parse = descriptorOf(limit.library)?.grammar?.parse ?? parseLimitsNotation;
  const parsed = parse(limit.rate);
  return parsed.ok ? parsed.items : undefined;
}

/** The most requests the limit lets one client make within `seconds` (sustained, ignoring window-edge bursts). */
export function allowanceWithin(items: RateItem[], seconds: number): number {
  return Math.min(...items.map((i) => i.count * Math.max(1, Math.ceil(seconds / i.seconds))));
}
