/**
 * Suppressions: `# apiposture: ignore[AP001] reason` comments at a route or its handler, and `[[suppress]]`
 * entries of the configuration. A suppressed finding stays in the results with `suppression` set; a directive
 * that cannot be read, has no reason or suppresses nothing becomes a problem, so stale ones do not pile up.
 */
import type { Config, ConfigSuppression } from './config';
import type { Directive, ModuleFacts } from './python/ir';
import type { Finding, Route, Suppression, SuppressionProblem } from './model';
import { compareText, methodsLabel } from './model';
import { addTo } from './collections';
import { PER_CAUSE } from './group-findings';
import { linearRegExp } from './linear-regexp';

/** Sets `suppression` on the findings the directives and config entries cover; returns the problems, sorted. */
export function applySuppressions(findings: Finding[], routes: Route[], modules: ModuleFacts[], config: Config): SuppressionProblem[] {
  const problems: SuppressionProblem[] = [];
  const directives = new Map<string, Directive[]>();
  for (const module of modules) {
    for (const d of module.directives) {
      if (!d.ids.length) problems.push({ file: module.file, line: d.line, message: 'unreadable apiposture comment; write `# apiposture: ignore[AP001] reason`' });
      else if (!d.reason) problems.push({ file: module.file, line: d.line, message: `ignore[${d.ids.join(',')}] has no reason, so it suppresses nothing` });
      else addTo(directives, module.file, d);
    }
  }
  const usedIds = new Set<string>(); // `file:line:id`
  const usedEntries = new Set<ConfigSuppression>();
  const routeById = new Map(routes.map((r) => [r.id, r]));
  for (const finding of findings) {
    const route = routeById.get(finding.routeId)!;
    finding.suppression = inlineSuppression(finding, route, directives, usedIds) ?? configSuppression(finding, route, config, usedEntries);
  }
  for (const [file, list] of directives) {
    for (const d of list) {
      const unused = d.ids.filter((id) => !usedIds.has(`${file}:${d.line}:${id}`));
      if (unused.length) problems.push({ file, line: d.line, message: `ignore[${unused.join(',')}] suppresses nothing here` });
    }
  }
  for (const entry of config.suppress) {
    if (!usedEntries.has(entry)) problems.push({ file: config.file ?? 'configuration', line: entry.line, message: `[[suppress]] ${entry.rule} "${entry.route}" suppresses nothing` });
  }
  return problems.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.message, b.message));
}

/**
 * A directive on the route's registration line or its handler's `def` line, or on the line just above either;
 * for a rule reported once per cause, also at the cause (the limiter's line).
 */
function inlineSuppression(finding: Finding, route: Route, directives: Map<string, Directive[]>, used: Set<string>): Suppression | undefined {
  const causes = PER_CAUSE.has(finding.ruleId) ? finding.related : [];
  const anchors = [{ file: route.file, line: route.line }, { file: route.handlerFile, line: route.handlerLine }, ...causes];
  const places = anchors.flatMap(({ file, line }): [string, number][] => [[file, line], [file, line - 1]]);
  for (const [file, line] of places) {
    const directive = directives.get(file)?.find((d) => d.line === line && d.ids.includes(finding.ruleId));
    if (!directive) continue;
    used.add(`${file}:${line}:${finding.ruleId}`);
    return { kind: 'inSource', justification: directive.reason, file, line };
  }
  return undefined;
}

function configSuppression(finding: Finding, route: Route, config: Config, used: Set<ConfigSuppression>): Suppression | undefined {
  const entry = config.suppress.find((e) => e.rule === finding.ruleId && routeMatches(e.route, route) && (!e.file || globRegExp(e.file).test(route.file)));
  if (!entry) return undefined;
  used.add(entry);
  return { kind: 'external', justification: entry.reason, file: config.file ?? 'configuration', line: entry.line };
}

/** `POST /admin/*`, `* /admin/**` or `/health`: a method the route serves (or its label, `ANY`/`WS`) and a path glob. */
export function routeMatches(pattern: string, route: Route): boolean {
  const parts = pattern.split(/\s+/);
  const method = parts.length === 2 ? parts[0].toUpperCase() : '*';
  const methodOk = method === '*' || route.methods.includes(method) || methodsLabel(route) === method;
  return methodOk && globRegExp(parts[parts.length - 1]).test(route.path);
}

/** `*` matches within one path segment, `**` across segments; everything else is literal. In linear time: the glob is the repository's. */
function globRegExp(glob: string): RegExp {
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return linearRegExp(`^${glob.split('**').map((part) => part.split('*').map(escape).join('[^/]*')).join('.*')}$`);
}
