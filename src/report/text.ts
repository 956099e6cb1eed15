/**
 * The human report, for triage: where the scan looked and its verdict, then the findings by severity (errors
 * first) with the source line each points at, then the routes (all, only the open ones, or none), then what
 * needs upkeep, and the totals. File paths are relative to the working directory (`file:line:col`, as editors
 * and terminals open them).
 */
import type { Chalk } from 'chalk';
import type { Finding, Route, RouteSummary, ScanResult, Severity } from '../model';
import type { OpenApiCheck, Operation } from '../openapi';
import { counts, rateLabel, routeLabel, summaryStatus, verdictsLabel } from '../model';
import { printable } from './printable';
import { addTo } from '../collections';

export type RouteListing = 'all' | 'open' | 'none';

export interface TextOptions {
  routesOnly?: boolean;
  quiet?: boolean; // no note findings; the reason of every route that is not limited stays
  displayRoot?: string; // the project root as the user reaches it from the working directory
  routes?: RouteListing;
  source?: (file: string, line: number) => string | undefined; // a line of a file under the project root
  width?: number; // fit lines to a terminal this wide
}

const STATUS_STYLE: Record<RouteSummary, (c: Chalk) => Chalk> = {
  limited: (c) => c.green,
  unlimited: (c) => c.red,
  exempt: (c) => c.yellow,
  unknown: (c) => c.magenta,
  partial: (c) => c.red,
};
const SEVERITY_STYLE: Record<Severity, (c: Chalk) => Chalk> = { error: (c) => c.red.bold, warning: (c) => c.yellow, note: (c) => c.cyan };
const SEVERITY_HEADINGS: [Severity, string][] = [['error', 'Errors'], ['warning', 'Warnings'], ['note', 'Notes']];
const RELATED_SHOWN = 5; // related locations under a finding; the rest are counted

/** Paths as the user reaches them from the working directory. */
function pathsFrom(displayRoot: string | undefined): (file: string) => string {
  return (file) => (!displayRoot || displayRoot === '.' ? file : `${displayRoot}/${file}`);
}

/** Why a route is not limited, in one line: what could not be read, or the first evidence. */
function reason(route: Route): string | undefined {
  return route.unresolved[0] ?? route.evidence[0]?.message;
}

export function routeLines(routes: Route[], c: Chalk, options: Pick<TextOptions, 'displayRoot' | 'quiet'> = {}): string[] {
  const shown = pathsFrom(options.displayRoot);
  const lines: string[] = [];
  const byFile = new Map<string, Route[]>();
  for (const r of routes) addTo(byFile, r.file, r);
  const width = Math.min(48, routes.reduce((widest, r) => Math.max(widest, routeLabel(r).length), 0));
  for (const [file, list] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(c.bold.underline(shown(file)));
    for (const r of [...list].sort((a, b) => a.line - b.line || a.column - b.column || (a.id < b.id ? -1 : 1))) {
      const label = routeLabel(r);
      const summary = summaryStatus(r);
      // Methods with different verdicts are shown each: `GET unlimited · POST limited 3/minute`.
      const limits = summary === 'partial'
        ? verdictsLabel(r, (status) => STATUS_STYLE[status](c)(status))
        : c.dim(r.limits.map((l) => `${rateLabel(l)} (${l.source}${l.methods ? ` ${l.methods.join(',')}` : ''})`).join('; '));
      lines.push(`  ${String(r.line).padStart(4)}  ${c.bold(label.padEnd(width))}  ${STATUS_STYLE[summary](c)(summary.padEnd(9))} ${limits}`.trimEnd());
      if (r.unresolved.length) lines.push(`        ${c.magenta('unresolved:')} ${r.unresolved.join('; ')}`);
      else if (options.quiet && r.status !== 'limited' && reason(r)) lines.push(`        ${c.dim('why:')} ${reason(r)}`);
      if (r.assumptions?.length) lines.push(`        ${c.dim('assumes:')} ${r.assumptions.map((a) => `${a.text} (${shown(a.file)}:${a.line})`).join('; ')}`);
    }
    lines.push('');
  }
  return lines;
}

/** A finding, the source line it points at, and its related locations (those its message does not already say). */
function findingLines(f: Finding, c: Chalk, options: TextOptions): string[] {
  const shown = pathsFrom(options.displayRoot);
  const lines = [`  ${shown(f.file)}:${f.line}:${f.column}  ${SEVERITY_STYLE[f.severity](c)(f.ruleId)}  ${f.message}`];
  const code = options.source?.(f.file, f.line);
  if (code?.trim()) lines.push(c.dim(`  ${String(f.line).padStart(6)} | `) + printable(code.trimEnd()));
  const related = f.related.filter((r) => !f.message.includes(r.message) || f.routeIds.length > 1);
  for (const r of related.slice(0, RELATED_SHOWN)) lines.push(c.dim(`         ${shown(r.file)}:${r.line}  ${r.message}`));
  if (related.length > RELATED_SHOWN) lines.push(c.dim(`         … and ${related.length - RELATED_SHOWN} more`));
  return lines;
}

function findingSections(findings: Finding[], c: Chalk, options: TextOptions): string[] {
  const lines: string[] = [];
  const open = findings.filter(counts).filter((f) => !options.quiet || f.severity !== 'note');
  for (const [severity, heading] of SEVERITY_HEADINGS) {
    const these = open.filter((f) => f.severity === severity);
    if (!these.length) continue;
    lines.push(SEVERITY_STYLE[severity](c)(`${heading} (${these.length})`), ...these.flatMap((f) => findingLines(f, c, options)), '');
  }
  // Baselined findings show only as a count in the summary line.
  const shown = pathsFrom(options.displayRoot);
  const suppressed = findings.filter((f) => f.suppression);
  if (suppressed.length) {
    lines.push(c.bold(`Suppressed (${suppressed.length})`));
    for (const f of suppressed) lines.push(c.dim(`  ${shown(f.file)}:${f.line}  ${f.ruleId} (${shown(f.suppression!.file)}:${f.suppression!.line}: ${f.suppression!.justification})`));
    lines.push('');
  }
  return lines;
}

/** Suppression problems and stale baseline entries: things to clean up, not findings. */
/** Values the verdicts rest on that a deployment may change: a configuration file's, a default's. */
function assumptionLines(result: ScanResult, c: Chalk, shown: (file: string) => string): string[] {
  const lines = result.project.assumptions.map((a) => `  ${shown(a.file)}:${a.line}  ${a.text}`);
  return lines.length ? [c.bold('Assumptions') + c.dim(' (values taken as the repository gives them)'), ...lines, ''] : [];
}

function notServedLines(result: ScanResult, c: Chalk, shown: (file: string) => string): string[] {
  const { name, notServed } = result.project.profile;
  const lines = notServed.map((n) => `  ${shown(n.file)}:${n.line}  ${c.magenta(n.call)}  ${c.dim(`${n.condition} (line ${n.branchLine})`)}`);
  return lines.length ? [c.bold(`Not served under the ${name} profile`) + c.dim(' (registered in branches it does not run; see --profile)'), ...lines, ''] : [];
}

function upkeepLines(result: ScanResult, c: Chalk, shown: (file: string) => string): string[] {
  const lines = result.suppressionProblems.map((p) => `  ${shown(p.file)}:${p.line}  ${c.yellow('suppression')}  ${p.message}`);
  for (const e of result.staleBaseline ?? []) lines.push(`  ${e.file}  ${c.dim('stale baseline entry')}  ${e.ruleId} ${e.route} (no longer found)`);
  return lines.length ? [c.bold('Suppressions and baseline'), ...lines, ''] : [];
}

/** `--openapi`: what the code and the spec disagree on, each group with its operations. */
function openApiLines(check: OpenApiCheck, c: Chalk, shown: (file: string) => string): string[] {
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
    for (const op of ops) lines.push(`    ${op.method} ${op.path}${op.file ? c.dim(`  ${shown(op.file)}:${op.line}`) : ''}`);
  }
  if (lines.length === 1) lines.push('  the code and the spec agree');
  return [...lines, ''];
}

export function summaryLine(result: ScanResult, c: Chalk): string {
  const s = result.stats;
  const partial = s.byStatus.partial ? `, ${c.red(`${s.byStatus.partial} partial`)}` : '';
  const routes = `${s.routes} route${s.routes === 1 ? '' : 's'}: ${c.green(`${s.byStatus.limited} limited`)}${partial}, ${c.red(`${s.byStatus.unlimited} unlimited`)}, ${c.yellow(`${s.byStatus.exempt} exempt`)}, ${c.magenta(`${s.byStatus.unknown} unknown`)}`;
  const accepted = [s.suppressed ? `${s.suppressed} suppressed` : '', s.baselined ? `${s.baselined} baselined` : ''].filter(Boolean);
  const findings = `${s.findings} finding${s.findings === 1 ? '' : 's'} (${s.bySeverity.error} error, ${s.bySeverity.warning} warning, ${s.bySeverity.note} note${accepted.map((a) => `; ${a}`).join('')})`;
  const files = `${s.filesScanned} file${s.filesScanned === 1 ? '' : 's'} scanned${s.filesSkipped ? `, ${s.filesSkipped} skipped` : ''}`;
  return `${routes}; ${findings}; ${files}`;
}

/** The verdict first: how many routes are open, how many findings of each severity. */
function verdictLine(result: ScanResult, c: Chalk): string {
  const s = result.stats;
  const open = s.routes - s.byStatus.limited;
  const routes = !s.routes ? c.bold('no routes found') : open ? c.red.bold(`${open} of ${s.routes} routes not limited`) : c.green.bold(`all ${s.routes} routes limited`);
  const severities = (['error', 'warning', 'note'] as Severity[]).map((v) => SEVERITY_STYLE[v](c)(`${s.bySeverity[v]} ${v}${s.bySeverity[v] === 1 ? '' : 's'}`)).join(', ');
  const partial = s.byStatus.partial ? `${s.byStatus.partial} partial, ` : '';
  // What the scan could not see belongs beside what it found: "no routes" over unread registrations says nothing.
  const unread = s.registrationSites.unresolved;
  const sites = unread ? ` · ${c.magenta(`${unread} route registration${unread === 1 ? '' : 's'} not resolved`)}` : '';
  return `${routes} (${partial}${s.byStatus.unlimited} unlimited, ${s.byStatus.unknown} unknown, ${s.byStatus.exempt} exempt)${sites} · ${severities}`;
}

/** Where the scan looked: the project root (as reached from here), what marks it, its import roots. */
export function projectLine(result: ScanResult, displayRoot: string, c: Chalk): string {
  const { marker, paths, importRoots } = result.project;
  const shown = (folders: string[]): string => folders.map((f) => f || '.').join(', ');
  const scope = paths.every((p) => p === '') ? '' : ` · routes declared in ${shown(paths)}`;
  return c.dim(`project ${displayRoot}${marker ? ` (${marker})` : ''} · import roots ${shown(importRoots)}${scope}`);
}

/** Cuts a line to `width` visible characters, escape sequences kept out of the count. */
function fit(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const escape = /^\x1b\[[0-9;]*m/.exec(line.slice(i, i + 16));
    if (escape) {
      out += escape[0];
      i += escape[0].length - 1;
    } else if (visible === width - 1 && line.slice(i).replace(/\x1b\[[0-9;]*m/g, '').length > 1) {
      return `${out}…\x1b[0m`;
    } else {
      out += line[i];
      visible++;
    }
  }
  return out;
}

export function textReport(scanned: ScanResult, c: Chalk, options: TextOptions = {}): string {
  const result = printable(scanned);
  const shown = pathsFrom(options.displayRoot);
  const listing = options.routes ?? 'all';
  const listed = listing === 'none' ? [] : listing === 'open' ? result.routes.filter((r) => summaryStatus(r) !== 'limited') : result.routes;
  const lines = [
    ...(options.displayRoot === undefined ? [] : [projectLine(result, options.displayRoot, c)]),
    ...(options.routesOnly ? [''] : [verdictLine(result, c), '', ...findingSections(result.findings, c, options)]),
    ...(listed.length ? [c.bold(listing === 'open' ? 'Routes not limited' : 'Routes'), ...routeLines(listed, c, options)] : []),
    ...(options.routesOnly ? [] : [...assumptionLines(result, c, shown), ...notServedLines(result, c, shown), ...upkeepLines(result, c, shown)]),
    ...(result.openapi ? openApiLines(result.openapi, c, shown) : []),
  ];
  if (result.skipped.length) {
    lines.push(c.bold('Skipped'));
    for (const s of result.skipped) lines.push(`  ${shown(s.file)}: ${s.reason}`);
    lines.push('');
  }
  if (result.unresolvedRegistrations.length) {
    lines.push(c.bold('Route registrations not resolved'));
    for (const r of result.unresolvedRegistrations) lines.push(`  ${shown(r.file)}:${r.line}:${r.column}  ${c.magenta(r.call)}  ${r.reason}`);
    lines.push('');
  }
  lines.push(summaryLine(result, c));
  return `${(options.width ? lines.map((l) => fit(l, options.width!)) : lines).join('\n')}\n`;
}
