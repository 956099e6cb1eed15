/**
 * One finding per cause. Rules marked `perCause` (a limiter without Retry-After, counters kept per process, a
 * limiter never wired, limits that fail open) report once per route, each with the evidence of its cause; a
 * cause that several routes share becomes one finding at the cause's line, listing the routes it affects as
 * related locations. Suppressed and unsuppressed routes of one cause stay apart.
 */
import { createHash } from 'node:crypto';
import type { Evidence, Finding, Route } from './model';
import { SEVERITY_RANK, compareText, routeLabel } from './model';
import { RULES } from '../rules';

export const PER_CAUSE = new Set(RULES.filter((rule) => rule.perCause).map((rule) => rule.id));
// Route labels named in a grouped finding's message; the rest are counted (all are related locations).
const NAMED_ROUTES = 3;

export function compareFindings(a: Finding, b: Finding): number {
  return compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareText(a.ruleId, b.ruleId) || compareText(a.routeId, b.routeId);
}

/**
 * A grouped finding's identity: its rule, the cause's file and kind (its concern), not its wording or line, so
 * it survives edits above the setting and reworded messages. Two causes of one kind in one file share it; the
 * baseline counts them.
 */
function causeFingerprint(ruleId: string, cause: Evidence): string {
  return createHash('sha256').update([ruleId, 'cause', cause.file, cause.concern ?? cause.message].join('\n')).digest('hex').slice(0, 32);
}

function affected(routes: Route[]): string {
  const named = routes.slice(0, NAMED_ROUTES).map((r) => `\`${routeLabel(r)}\``);
  const more = routes.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more route${more === 1 ? '' : 's'}` : named.join(', ');
}

export function groupByCause(findings: Finding[], routes: Route[]): Finding[] {
  const byId = new Map(routes.map((r) => [r.id, r]));
  const kept: Finding[] = [];
  const causes = new Map<string, { cause: Evidence; members: Finding[] }>();
  for (const finding of findings) {
    if (!PER_CAUSE.has(finding.ruleId) || !finding.related.length) {
      kept.push(finding);
      continue;
    }
    for (const cause of finding.related) {
      const suppressed = finding.suppression ? `${finding.suppression.file}:${finding.suppression.line}` : '';
      const key = [finding.ruleId, cause.file, cause.line, cause.message, suppressed].join('\0');
      const group = causes.get(key) ?? { cause, members: [] };
      group.members.push(finding);
      causes.set(key, group);
    }
  }
  for (const { cause, members } of causes.values()) {
    const affectedRoutes = members.map((m) => byId.get(m.routeId)!).sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.id, b.id));
    const severity = members.reduce((worst, m) => (SEVERITY_RANK[m.severity] > SEVERITY_RANK[worst] ? m.severity : worst), members[0].severity);
    kept.push({
      ruleId: members[0].ruleId,
      fingerprint: causeFingerprint(members[0].ruleId, cause),
      severity,
      message: `${cause.message}: affects ${affected(affectedRoutes)}`,
      routeId: affectedRoutes[0].id,
      routeIds: affectedRoutes.map((r) => r.id),
      file: cause.file,
      line: cause.line,
      column: cause.column ?? 1,
      related: affectedRoutes.map((r) => ({ file: r.file, line: r.line, column: r.column, message: `\`${routeLabel(r)}\`` })),
      ...(members[0].suppression && { suppression: members[0].suppression }),
    });
  }
  return kept.sort(compareFindings);
}
