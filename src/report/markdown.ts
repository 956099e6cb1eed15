/**
 * A Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`: totals, a findings table with
 * rule links, suppressed findings apart, and the routes by status in collapsed sections.
 */
import type { Finding, Route, RouteSummary, ScanResult, Severity } from '../model';
import { SEVERITY_RANK, compareText, counts, rateLabel, routeLabel, summaryStatus, verdictsLabel } from '../model';
import { findRule } from '../../rules';
import { helpUri } from '../../rules/types';

const STATUSES: RouteSummary[] = ['unlimited', 'partial', 'unknown', 'exempt', 'limited'];
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

// GitHub rejects PR comments and job summaries over 65,536 characters; the rest of the budget is the note saying what was cut.
export const MARKDOWN_LIMIT = 65_536;
const CUT_NOTE_ROOM = 400;

/** A table of rows under a header, optionally in a collapsed section; rows are what the budget cuts. */
interface Table {
  summary?: string; // a collapsed <details> section with this summary
  what: string; // what a row is, for the note on cut rows
  header: string[];
  rows: string[];
}

/** Most severe first; the scan's order within a severity. */
function findingRows(findings: Finding[], routes: Route[]): string[] {
  const labels = new Map(routes.map((r) => [r.id, routeLabel(r)]));
  const sorted = findings.map((f, index) => ({ f, index })).sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.index - b.index);
  return sorted.map(({ f }) => `| ${f.severity} | ${ruleLink(f.ruleId)} | ${f.routeIds.length > 1 ? `${f.routeIds.length} routes` : code(labels.get(f.routeId) ?? f.routeId)} | ${code(`${f.file}:${f.line}`)} | ${cell(f.message)} |`);
}

const FINDINGS_HEADER = ['| severity | rule | route | location | message |', '|---|---|---|---|---|'];

function routeRows(routes: Route[]): string[] {
  const sorted = [...routes].sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.id, b.id));
  const limits = (r: Route): string =>
    summaryStatus(r) === 'partial'
      ? verdictsLabel(r)
      : r.limits.map((l) => `${rateLabel(l)} (${l.source})`).join('; ') || '–';
  return sorted.map((r) => `| ${code(routeLabel(r))} | ${code(`${r.file}:${r.line}`)} | ${cell(limits(r))} |`);
}

/**
 * The tables in order, each cut where the budget ends (and the ones after it left out), with a closing note
 * that counts what was cut: errors and warnings come first, so notes and route lists are what a big scan loses.
 */
function fitted(head: string[], tables: Table[], tail: string[]): string {
  const size = (text: string): number => Buffer.byteLength(text); // bytes: never over, whatever GitHub counts
  const out = [...head];
  let used = size(out.join('\n')) + size(tail.join('\n')) + CUT_NOTE_ROOM;
  const cut = new Map<string, number>();
  for (const table of tables) {
    if (!table.rows.length) continue;
    const open = table.summary ? ['<details>', `<summary>${table.summary}</summary>`, ''] : [];
    const close = table.summary ? ['', '</details>', ''] : [''];
    const frame = size([...open, ...table.header, ...close].join('\n')) + 1;
    const kept: string[] = [];
    if (used + frame < MARKDOWN_LIMIT) {
      used += frame;
      for (const row of table.rows) {
        if (used + size(row) + 1 >= MARKDOWN_LIMIT) break;
        kept.push(row);
        used += size(row) + 1;
      }
    }
    if (kept.length) out.push(...open, ...table.header, ...kept, ...close);
    if (kept.length < table.rows.length) cut.set(table.what, (cut.get(table.what) ?? 0) + table.rows.length - kept.length);
  }
  if (cut.size) {
    const counted = [...cut].map(([what, n]) => plural(n, what)).join(', ');
    out.push(`Cut to fit GitHub's ${MARKDOWN_LIMIT.toLocaleString('en-US')}-character limit: ${counted} not shown. The whole report: \`apiposture scan --format json\`.`, '');
  }
  out.push(...tail);
  return `${out.join('\n').trimEnd()}\n`;
}

export function markdownReport(result: ScanResult, options: { routesOnly?: boolean } = {}): string {
  const byStatus = STATUSES.map((s) => `${result.routes.filter((r) => summaryStatus(r) === s).length} ${s}`).join(', ');
  const head = ['## apiposture', '', `**${plural(result.routes.length, 'route')}**: ${byStatus}`];
  const tables: Table[] = [];
  if (!options.routesOnly) {
    const open = result.findings.filter(counts);
    const suppressed = result.findings.filter((f) => f.suppression);
    const bySeverity = SEVERITIES.map((s) => `${result.stats.bySeverity[s]} ${s}`).join(', ');
    head.push(`**${plural(result.stats.findings, 'finding')}**: ${bySeverity}; ${result.stats.suppressed} suppressed; ${result.stats.baselined} baselined`);
    tables.push({ what: 'finding', header: FINDINGS_HEADER, rows: findingRows(open, result.routes) });
    tables.push({ summary: `Suppressed findings (${suppressed.length})`, what: 'suppressed finding', header: FINDINGS_HEADER, rows: findingRows(suppressed, result.routes) });
  }
  head.push('');
  for (const status of STATUSES) {
    const routes = result.routes.filter((r) => summaryStatus(r) === status);
    tables.push({ summary: `${status} routes (${routes.length})`, what: `${status} route`, header: ['| route | location | limits |', '|---|---|---|'], rows: routeRows(routes) });
  }
  const tail = result.skipped.length ? [`${plural(result.skipped.length, 'file')} skipped or partially analysed.`, ''] : [];
  return fitted(head, tables, tail);
}
