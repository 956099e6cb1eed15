/**
 * A Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`: totals, a findings table with
 * rule links, suppressed findings apart, and the routes by status in collapsed sections.
 */
import type { Finding, ProtectionStatus, Route, ScanResult, Severity } from '../model';
import { SEVERITY_RANK, compareText, counts, routeLabel } from '../model';
import { findRule } from '../../rules';
import { helpUri } from '../../rules/types';

const STATUSES: ProtectionStatus[] = ['unlimited', 'unknown', 'exempt', 'limited'];
const SEVERITIES: Severity[] = ['error', 'warning', 'note'];

/** Text for a table cell: a `|` would end the cell, a line break the row. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** A code span that survives backticks in its text (a longer fence, CommonMark's rule). */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return cell(`${fence}${pad}${text}${pad}${fence}`);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function ruleLink(ruleId: string): string {
  const rule = findRule(ruleId);
  return rule ? `[${ruleId}](${helpUri(rule)})` : ruleId;
}

/** Most severe first; the scan's order within a severity. */
function findingsTable(findings: Finding[], routes: Route[]): string[] {
  const labels = new Map(routes.map((r) => [r.id, routeLabel(r)]));
  const sorted = findings.map((f, index) => ({ f, index })).sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.index - b.index);
  return [
    '| severity | rule | route | location | message |',
    '|---|---|---|---|---|',
    ...sorted.map(({ f }) => `| ${f.severity} | ${ruleLink(f.ruleId)} | ${code(labels.get(f.routeId) ?? f.routeId)} | ${code(`${f.file}:${f.line}`)} | ${cell(f.message)} |`),
  ];
}

function routesTable(routes: Route[]): string[] {
  const sorted = [...routes].sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.id, b.id));
  return [
    '| route | location | limits |',
    '|---|---|---|',
    ...sorted.map((r) => `| ${code(routeLabel(r))} | ${code(`${r.file}:${r.line}`)} | ${cell(r.limits.map((l) => `${l.rate} (${l.source})`).join('; ') || '–')} |`),
  ];
}

function details(summary: string, body: string[]): string[] {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''];
}

export function markdownReport(result: ScanResult, options: { routesOnly?: boolean } = {}): string {
  const byStatus = STATUSES.map((s) => `${result.routes.filter((r) => r.status === s).length} ${s}`).join(', ');
  const lines = ['## apiposture', '', `**${plural(result.routes.length, 'route')}**: ${byStatus}`];
  if (!options.routesOnly) {
    const open = result.findings.filter(counts);
    const suppressed = result.findings.filter((f) => f.suppression);
    const bySeverity = SEVERITIES.map((s) => `${result.stats.bySeverity[s]} ${s}`).join(', ');
    lines.push(`**${plural(result.stats.findings, 'finding')}**: ${bySeverity}; ${result.stats.suppressed} suppressed; ${result.stats.baselined} baselined`, '');
    if (open.length) lines.push(...findingsTable(open, result.routes), '');
    if (suppressed.length) lines.push(...details(`Suppressed findings (${suppressed.length})`, findingsTable(suppressed, result.routes)));
  } else {
    lines.push('');
  }
  for (const status of STATUSES) {
    const routes = result.routes.filter((r) => r.status === status);
    if (routes.length) lines.push(...details(`${status} routes (${routes.length})`, routesTable(routes)));
  }
  if (result.skipped.length) lines.push(`${plural(result.skipped.length, 'file')} skipped or partially analysed.`, '');
  return `${lines.join('\n').trimEnd()}\n`;
}
