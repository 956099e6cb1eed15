/** Severity from what a route exposes: the risk class of reference part E. */
import type { Evidence, Route, Severity } from '../src/model';
import { riskClass, type RiskClass } from '../src/risk';

const SEVERITY_BY_RISK: Record<RiskClass, Severity> = { 'auth-sensitive': 'error', expensive: 'warning', 'state-changing': 'warning', 'read-only': 'note' };

export function riskSeverity(route: Route): Severity {
  return SEVERITY_BY_RISK[riskClass(route).risk];
}

/** ` (auth-sensitive: password-hashing, `login`)`: why the route's risk class is what it is, for messages. */
export function riskReason(route: Route): string {
  const { risk, kinds, words } = riskClass(route);
  const reasons = [...kinds, ...words.map((w) => `\`${w}\``)];
  return reasons.length ? ` (${risk}: ${reasons.join(', ')})` : '';
}

/** Routes whose abuse costs more than an ordinary request: authentication or expensive work. */
export function isSensitive(route: Route): boolean {
  const { risk } = riskClass(route);
  return risk === 'auth-sensitive' || risk === 'expensive';
}

/** The calls that make a route costly, as related locations of a finding. */
export function costEvidence(route: Route): Evidence[] {
  return route.expensive.filter((s) => s.strength === 'call').map((s) => ({ file: s.file, line: s.line, message: `${s.kind}: \`${s.detail}\`` }));
}
