/**
 * The JSON report, a versioned contract (schemaVersion 2): add fields freely, never rename, remove or change the
 * meaning of one without bumping `schemaVersion`. Documented in the README. Version 2: each route carries its
 * verdict per method (`verdicts`), and its `status` may be `partial` (methods with different verdicts).
 */
import { methodVerdicts, summaryStatus, type Route, type ScanResult } from '../model';
import { TOOL_NAME, VERSION } from '../version';

export const JSON_SCHEMA_VERSION = 2;

export function routeJson(route: Route): Record<string, unknown> {
  return {
    id: route.id,
    framework: route.framework,
    kind: route.kind,
    methods: route.methods,
    automaticMethods: route.automaticMethods,
    path: route.path,
    unresolved: route.unresolved,
    file: route.file,
    line: route.line,
    column: route.column,
    handler: route.handler,
    handlerFile: route.handlerFile,
    handlerLine: route.handlerLine,
    app: route.app ?? null,
    prefixes: route.prefixes,
    status: summaryStatus(route),
    verdicts: methodVerdicts(route),
    limits: route.limits,
    evidence: route.evidence,
    expensive: route.expensive,
    assumptions: route.assumptions ?? [],
  };
}

export function jsonReport(result: ScanResult, displayRoot: string, options: { routesOnly?: boolean } = {}): string {
  const report: Record<string, unknown> = {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: VERSION },
    root: displayRoot,
    project: { ...result.project, root: displayRoot },
    routes: result.routes.map(routeJson),
  };
  if (!options.routesOnly) {
    report.findings = result.findings;
    report.suppressionProblems = result.suppressionProblems;
    if (result.staleBaseline) report.staleBaseline = result.staleBaseline;
  }
  if (result.openapi) report.openapi = result.openapi;
  report.skipped = result.skipped;
  report.unresolvedRegistrations = result.unresolvedRegistrations;
  report.stats = result.stats;
  return `${JSON.stringify(report, null, 2)}\n`;
}
