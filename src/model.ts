/**
 * The framework-neutral model every stage after extraction reads: routes, their protection, findings.
 * Extractors fill routes; protection resolution fills `status` and `limits`; rules read both.
 */

export type Framework = 'flask' | 'fastapi' | 'starlette' | 'django' | 'drf';

export type ProtectionStatus = 'limited' | 'unlimited' | 'exempt' | 'unknown';

export type Severity = 'error' | 'warning' | 'note';

export interface SourceRef {
  file: string; // relative to the scan root, forward slashes
  line: number;
  column?: number;
}

/** One effective (or voided) limit on a route, with where it was declared. */
export interface Limit extends SourceRef {
  rate: string; // as written, e.g. "5/minute;100/day"
  source: 'decorator' | 'shared' | 'class-decorators' | 'blueprint' | 'default' | 'application' | 'dependency' | 'middleware' | 'handler' | 'settings' | 'view';
  library: string; // e.g. "flask-limiter"
  scope: 'route' | 'shared' | 'global'; // per-route counter, one counter for a named scope, or one for the whole app
  methods?: string[]; // the limit applies only to these methods
  conditions?: string[]; // exempt_when, deduct_when, ...
  principals?: Principal[]; // the limit counts only these clients (DRF AnonRateThrottle: anonymous); absent = every client
}

export type Principal = 'anonymous' | 'authenticated';

export interface Evidence extends SourceRef {
  message: string;
}

export interface PrefixPart extends SourceRef {
  value: string;
}

export interface Route {
  id: string;
  framework: Framework;
  kind: 'http' | 'websocket';
  methods: string[]; // every method the framework serves, sorted; empty for WebSocket routes
  automaticMethods: string[]; // the subset the framework adds by itself (Flask: HEAD, OPTIONS)
  path: string; // framework syntax; unresolvable parts shown as `{?}`
  unresolved: string[]; // why parts of the route could not be resolved statically; empty when exact
  file: string;
  line: number;
  column: number;
  handler: string; // dotted module path + qualified name
  handlerFile: string;
  handlerLine: number;
  app?: SourceRef & { name: string }; // the application object that serves the route
  prefixes: PrefixPart[]; // outermost first
  status: ProtectionStatus;
  limits: Limit[];
  evidence: Evidence[]; // why the status is what it is, in order of reasoning
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  routeId: string;
  file: string;
  line: number;
  column: number;
  related: Evidence[];
}

export interface Skipped {
  file: string;
  reason: string;
  partial?: boolean; // the file was analysed up to the problem (syntax errors); routes past it may be missing
}

export interface ScanStats {
  filesScanned: number;
  filesSkipped: number;
  routes: number;
  byStatus: Record<ProtectionStatus, number>;
  findings: number;
  bySeverity: Record<Severity, number>;
}

export interface ScanResult {
  root: string;
  routes: Route[];
  findings: Finding[];
  skipped: Skipped[];
  stats: ScanStats;
}

export const SEVERITY_RANK: Record<Severity, number> = { note: 1, warning: 2, error: 3 };

type MethodFields = Pick<Route, 'kind' | 'methods' | 'automaticMethods'>;

/** Methods as people read them: the declared ones, without what the framework adds automatically. */
export function declaredMethods(route: MethodFields): string[] {
  const declared = route.methods.filter((m) => !route.automaticMethods.includes(m));
  return declared.length ? declared : route.methods;
}

/** `GET,POST` for HTTP routes, `WS` for WebSocket routes (which have no HTTP methods). */
export function methodsLabel(route: MethodFields): string {
  if (route.kind === 'websocket') return 'WS';
  // A view without a method restriction (a plain Django function view) serves every method.
  if (STANDARD_METHODS.every((m) => route.methods.includes(m)) && !route.automaticMethods.length) return 'ANY';
  return declaredMethods(route).join(',');
}

/** The eight methods Django's `View.http_method_names` lists; a view serving all of them serves `ANY` method. */
export const STANDARD_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'];

export function routeLabel(route: Route): string {
  return `${methodsLabel(route)} ${route.path}`;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
