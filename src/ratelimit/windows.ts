/** The windows a limit enforces, read with the grammar of the library that declared it (effective reading, quirks included). */
import type { Limit } from '../model';
import { parseLimitsNotation, type RateItem } from './grammar';
import { descriptorOf } from '../frameworks/libraries';

/**
 * The windows as they admit requests: a cost above 1 lets fewer through. undefined when the rate cannot be read (custom notation, invalid text). Libraries whose users write no rate
 * strings (asgi-ratelimit's `Rule(minute=10)`) have their limits written in `limits` notation.
 */
export function limitWindows(limit: Limit): RateItem[] | undefined {
  const parse = descriptorOf(limit.library)?.grammar?.parse ?? parseLimitsNotation;
  const parsed = parse(limit.rate);
  // A request using `cost` of the count: floor(count / cost) pass per window (`limits` refuses a hit that would exceed it).
  const cost = limit.cost ?? 1;
  return parsed.ok ? parsed.items.map((i) => ({ ...i, count: Math.floor(i.count / cost) })) : undefined;
}

/** The most requests the limit lets one client make within `seconds` (sustained, ignoring window-edge bursts). */
export function allowanceWithin(items: RateItem[], seconds: number): number {
  return Math.min(...items.map((i) => i.count * Math.max(1, Math.ceil(seconds / i.seconds))));
}
