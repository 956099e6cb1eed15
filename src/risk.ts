/**
 * Route risk classes (reference part E) from the route's cost signals: what an unguarded route exposes.
 * Hints are a weak signal: they raise severity, they never prove a route safe.
 */
import type { Route } from './model';
import { declaredMethods } from './model';
import { categoryOf } from './cost-calls';
import { sortedUnique } from './frameworks/common';

export type RiskClass = 'auth-sensitive' | 'expensive' | 'state-changing' | 'read-only';

const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Auth-sensitive when a credential, token or OTP call or an auth word shows; expensive for any other cost
 * signal (mitigations do not count); else by method. `kinds` (of calls) and `words` (hints) say why, sorted.
 */
export function riskClass(route: Route): { risk: RiskClass; kinds: string[]; words: string[] } {
  const costly = route.expensive.filter((s) => categoryOf(s) !== 'mitigation');
  const auth = costly.filter((s) => categoryOf(s) === 'auth');
  const reasons = auth.length ? auth : costly;
  const kinds = sortedUnique(reasons.filter((s) => s.strength === 'call').map((s) => s.kind));
  const words = sortedUnique(reasons.filter((s) => s.strength === 'hint').map((s) => s.detail));
  if (reasons.length) return { risk: auth.length ? 'auth-sensitive' : 'expensive', kinds, words };
  return { risk: declaredMethods(route).some((m) => STATE_CHANGING.includes(m)) ? 'state-changing' : 'read-only', kinds, words };
}
