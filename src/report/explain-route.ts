/**
 * `scan --explain-route "POST /login"`: the whole reasoning for one route, in the order the scan reasoned:
 * where it is declared and served from, each prefix, its limits, the evidence behind its status, what makes
 * it costly, and the findings on it with their related locations.
 */
import type { Chalk } from 'chalk';
import type { Route, ScanResult, SourceRef } from '../model';
import { matchRoutes, rateLabel, routeLabel } from '../model';
import { printable } from './printable';

const at = (ref: SourceRef): string => `${ref.file}:${ref.line}${ref.column ? `:${ref.column}` : ''}`;

function explainOne(route: Route, result: ScanResult, c: Chalk): string[] {
  const lines = [c.bold(`${routeLabel(route)}  ${route.status}`), `  declared  ${at(route)}  (${route.framework}${route.kind === 'http' ? '' : `, ${route.kind}`})`, `  handler   ${route.handler}  ${route.handlerFile}:${route.handlerLine}`];
  if (route.app) lines.push(`  app       ${route.app.name}  ${at(route.app)}`);
  for (const p of route.prefixes) lines.push(`  prefix    ${p.value || '(empty)'}  ${at(p)}`);
  for (const why of route.unresolved) lines.push(`  ${c.magenta('unresolved')}  ${why}`);
  for (const l of route.limits) {
    const details = [l.source, l.library, `${l.scope} counter`, l.algorithm, l.methods && `methods ${l.methods.join(',')}`, l.principals && `counts ${l.principals.join(', ')} clients`, ...(l.conditions ?? [])];
    lines.push(`  limit     ${rateLabel(l)}  ${at(l)}  (${details.filter(Boolean).join('; ')})`);
  }
  for (const e of route.evidence) lines.push(`  evidence  ${at(e)}  ${e.message}`);
  for (const s of route.expensive) lines.push(`  cost      ${s.kind}: ${s.detail}  ${at(s)}${s.strength === 'hint' ? ' (hint)' : ''}`);
  for (const f of result.findings.filter((x) => x.routeIds.includes(route.id))) {
    const state = f.suppression ? ' (suppressed)' : f.baselined ? ' (baselined)' : '';
    lines.push(`  finding   ${f.severity} ${f.ruleId}${state}  ${at(f)}  ${f.message}`);
    for (const r of f.related) lines.push(c.dim(`              ${at(r)}  ${r.message}`));
  }
  return [...lines, ''];
}

/** The explanation of every route `wanted` names, or undefined when none matches. */
export function explainRoutes(scanned: ScanResult, wanted: string, c: Chalk): string | undefined {
  const result = printable(scanned);
  const matches = matchRoutes(result.routes, wanted);
  return matches.length ? `${matches.flatMap(({ route }) => explainOne(route, result, c)).join('\n').trimEnd()}\n` : undefined;
}
