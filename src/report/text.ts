/** The human report: routes grouped by file with their protection, then findings, then a summary line. */
import type { Chalk } from 'chalk';
import type { Finding, ProtectionStatus, Route, ScanResult, Severity } from '../model';
import type { OpenApiCheck, Operation } from '../openapi';
import { counts, routeLabel } from '../model';
import { printable } from './printable';
import { addTo } from '../collections';

const STATUS_STYLE: Record<ProtectionStatus, (c: Chalk) => Chalk> = {
  limited: (c) => c.green,
  unlimited: (c) => c.red,
  exempt: (c) => c.yellow,
  unknown: (c) => c.magenta,
};
const SEVERITY_STYLE: Record<Severity, (c: Chalk) => Chalk> = { error: (c) => c.red.bold, warning: (c) => c.yellow, note: (c) => c.cyan };

export function routeLines(routes: Route[], c: Chalk): string[] {
  const lines: string[] = [];
  const byFile = new Map<string, Route[]>();
  for (const r of routes) addTo(byFile, r.file, r);
  const width = Math.min(48, routes.reduce((widest, r) => Math.max(widest, routeLabel(r).length), 0));
  for (const [file, list] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(c.bold.underline(file));
    for (const r of [...list].sort((a, b) => a.line - b.line || a.column - b.column || (a.id < b.id ? -1 : 1))) {
      const label = routeLabel(r);
      const limits = r.limits.map((l) => `${l.rate} (${l.source}${l.methods ? ` ${l.methods.join(',')}` : ''})`).join('; ');
      const status = STATUS_STYLE[r.status](c)(r.status.padEnd(9));
      lines.push(`  ${String(r.line).padStart(4)}  ${c.bold(label.padEnd(width))}  ${status} ${limits ? c.dim(limits) : ''}`.trimEnd());
      if (r.unresolved.length) lines.push(`        ${c.magenta('unresolved:')} ${r.unresolved.join('; ')}`);
    }
    lines.push('');
  }
  return lines;
}

function findingLines(findings: Finding[], c: Chalk): string[] {
  // Baselined findings show only as a count in the summary line.
  if (!findings.some((f) => counts(f) || f.suppression)) return [];
  const lines = [c.bold('Findings')];
  for (const f of findings.filter(counts)) {
    lines.push(`  ${f.file}:${f.line}:${f.column}  ${SEVERITY_STYLE[f.severity](c)(f.severity.padEnd(7))} ${c.dim(f.ruleId)}  ${f.message}`);
    for (const r of f.related) lines.push(c.dim(`      ${r.file}:${r.line}  ${r.message}`));
  }
  for (const f of findings) {
    if (f.suppression) lines.push(c.dim(`  ${f.file}:${f.line}  suppressed ${f.ruleId} (${f.suppression.file}:${f.suppression.line}: ${f.suppression.justification})`));
  }
  lines.push('');
  return lines;
}

/** Suppression problems and stale baseline entries: things to clean up, not findings. */
function upkeepLines(result: ScanResult, c: Chalk): string[] {
  const lines = result.suppressionProblems.map((p) => `  ${p.file}:${p.line}  ${c.yellow('suppression')}  ${p.message}`);
  for (const e of result.staleBaseline ?? []) lines.push(`  ${e.file}  ${c.dim('stale baseline entry')}  ${e.ruleId} ${e.route} (no longer found)`);
  return lines.length ? [c.bold('Suppressions and baseline'), ...lines, ''] : [];
}

/** `--openapi`: what the code and the spec disagree on, each group with its operations. */
function openApiLines(check: OpenApiCheck, c: Chalk): string[] {
  const groups: [string, Operation[]][] = [
    ['served but not in the spec', check.inCodeOnly],
    ['in the spec but not served', check.inSpecOnly],
    ['limited, but the spec documents no 429 or rate-limit headers', check.limitedWithout429],
    ['the spec documents a 429, but the code does not limit it', check.documented429Unlimited],
  ];
  const aside = [check.outside && `${check.outside} routes outside the spec's paths`, check.notCompared && `${check.notCompared} routes with unresolved paths`].filter(Boolean);
  const lines = [c.bold(`OpenAPI ${check.spec}`) + c.dim(` (${check.operations} operations${aside.length ? `; not compared: ${aside.join(', ')}` : ''})`)];
  for (const [what, ops] of groups) {
    if (!ops.length) continue;
    lines.push(`  ${what} (${ops.length}):`);
    for (const op of ops) lines.push(`    ${op.method} ${op.path}${op.file ? c.dim(`  ${op.file}:${op.line}`) : ''}`);
  }
  if (lines.length === 1) lines.push('  the code and the spec agree');
  return [...lines, ''];
}

export function summaryLine(result: ScanResult, c: Chalk): string {
  const s = result.stats;
  const routes = `${s.routes} route${s.routes === 1 ? '' : 's'}: ${c.green(`${s.byStatus.limited} limited`)}, ${c.red(`${s.byStatus.unlimited} unlimited`)}, ${c.yellow(`${s.byStatus.exempt} exempt`)}, ${c.magenta(`${s.byStatus.unknown} unknown`)}`;
  const accepted = [s.suppressed ? `${s.suppressed} suppressed` : '', s.baselined ? `${s.baselined} baselined` : ''].filter(Boolean);
  const findings = `${s.findings} finding${s.findings === 1 ? '' : 's'} (${s.bySeverity.error} error, ${s.bySeverity.warning} warning, ${s.bySeverity.note} note${accepted.map((a) => `; ${a}`).join('')})`;
  const files = `${s.filesScanned} file${s.filesScanned === 1 ? '' : 's'} scanned${s.filesSkipped ? `, ${s.filesSkipped} skipped` : ''}`;
  return `${routes}; ${findings}; ${files}`;
}

/** Where the scan looked: the project root (paths below are relative to it), what marks it, its import roots. */
export function projectLine(result: ScanResult, displayRoot: string, c: Chalk): string {
  const { marker, paths, importRoots } = result.project;
  const shown = (folders: string[]): string => folders.map((f) => f || '.').join(', ');
  const scope = paths.every((p) => p === '') ? '' : ` · routes declared in ${shown(paths)}`;
  return c.dim(`project ${displayRoot}${marker ? ` (${marker})` : ''} · import roots ${shown(importRoots)}${scope}`);
}

export function textReport(scanned: ScanResult, c: Chalk, options: { routesOnly?: boolean; quiet?: boolean; displayRoot?: string } = {}): string {
  const result = printable(scanned);
  const findings = options.quiet ? result.findings.filter((f) => f.severity !== 'note') : result.findings;
  const lines = [
    ...(options.displayRoot === undefined ? [] : [projectLine(result, options.displayRoot, c), '']),
    ...routeLines(result.routes, c),
    ...(options.routesOnly ? [] : [...findingLines(findings, c), ...upkeepLines(result, c)]),
    ...(result.openapi ? openApiLines(result.openapi, c) : []),
  ];
  if (result.skipped.length) {
    lines.push(c.bold('Skipped'));
    for (const s of result.skipped) lines.push(`  ${s.file}: ${s.reason}`);
    lines.push('');
  }
  if (result.unresolvedRegistrations.length) {
    lines.push(c.bold('Route registrations not resolved'));
    for (const r of result.unresolvedRegistrations) lines.push(`  ${r.file}:${r.line}:${r.column}  ${c.magenta(r.call)}  ${r.reason}`);
    lines.push('');
  }
  lines.push(summaryLine(result, c));
  return `${lines.join('\n')}\n`;
}
