/**
 * The framework-neutral model every stage after extraction reads: routes, their protection, findings.
 * Extractors fill routes; protection resolution fills `status` and `limits`; rules read both.
 */
import type { OpenApiCheck } from './openapi';
import type { Assumption } from './python/project';
import type { Profile } from './python/profile';

export type Framework = 'flask' | 'quart' | 'fastapi' | 'starlette' | 'django' | 'drf';

export type ProtectionStatus = 'limited' | 'unlimited' | 'exempt' | 'unknown';
export const PROTECTION_STATUSES: readonly ProtectionStatus[] = ['limited', 'unlimited', 'exempt', 'unknown'];

export type Severity = 'error' | 'warning' | 'note';

export interface SourceRef {
  file: string; // relative to the project root, forward slashes
  line: number;
  column?: number;
}

/**
 * A function run for a route besides its handler: Flask's before_request hooks, a Django middleware's request methods,
 * an ASGI middleware's `dispatch`, what the `dependencies=` of a FastAPI app, router or include name.
 */
export interface Hook extends SourceRef {
  middleware?: string; // the middleware class (as MIDDLEWARE names it) whose method this is
  declared?: string; // how an ASGI app is told to run it: "added at main.py:22", "a `dependencies=` entry at app.py:9"
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
  cost?: number; // what one request uses of the rate's count (`cost=2`: half as many pass); absent = 1
  algorithm?: Algorithm; // how the library counts; absent when unknown
}

/** Counting algorithms as the libraries implement them (reference D.1). */
export type Algorithm = 'fixed-window' | 'moving-window' | 'sliding-window-counter' | 'sliding-log' | 'leaky-bucket' | 'token-bucket';

/**
 * A machine-readable reason carried by evidence, for the rules to read: extractors know the library
 * semantics, rules decide what to report.
 */
export type Concern =
  | 'limiter-not-wired' // limiter never bound, middleware or app.state missing, init never called
  | 'decorator-order' // limit decorator where the route registers the undecorated function
  | 'missing-request' // slowapi-limited handler without a request parameter
  | 'per-process-storage' // counters kept per process (memory://, LocMemCache)
  | 'does-not-block' // over-limit requests are marked or made to wait, not rejected
  | 'exempt' // an exemption or an empty throttle list removes the limits of this route
  | 'client-condition' // exempt_when / skip / request_filter reads client-controlled input
  | 'invalid-rate' // the library drops, rejects or misreads the rate string
  | 'spoofable-key' // the client key comes from a header the client sets
  | 'attacker-chosen-key' // the key is a value the client picks (username, URL parameter)
  | 'empty-key' // the key can be empty, and the library then skips the limit
  | 'fail-open' // limits vanish when the store fails
  | 'disabled' // the limiter is switched off by configuration
  | 'no-retry-signal' // over-limit answers carry no 429 or no Retry-After
  | 'methods-excluded' // the limit counts other methods than the route serves
  | 'anonymous-only'; // the limit counts anonymous clients only

export type Principal = 'anonymous' | 'authenticated';

export interface Evidence extends SourceRef {
  message: string;
  concern?: Concern;
}

/** Why a route is costly or abuse-prone (reference part E): a call in its handler or a word in its path. */
export interface CostSignal extends SourceRef {
  kind: string; // e.g. "password-hashing", "outbound-email"
  detail: string; // the call or word, e.g. "bcrypt.hashpw"
  strength: 'call' | 'hint'; // a call found in code, or a weaker path/name hint
}

export interface PrefixPart extends SourceRef {
  value: string;
}

export interface Route {
  id: string;
  framework: Framework;
  kind: 'http' | 'websocket' | 'include'; // include: a URLconf or router that could not be read, one entry for all it serves
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
  hooks?: Hook[]; // code the framework runs for the route besides the handler, by its `def` line; not reported
  notServed?: NotServed; // registered only in a branch the profile does not run: listed apart, not checked
  assumptions?: Assumption[]; // what its path, methods or protection rest on that a deployment may change (see project.assumptions)
  status: ProtectionStatus;
  limits: Limit[];
  unknownMethods?: string[]; // methods whose protection could not be read while another method decides `status`
  evidence: Evidence[]; // why the status is what it is, in order of reasoning
  expensive: CostSignal[]; // what makes the route costly or abuse-prone, calls first
}

/** A route as an analyzer emits it: protection resolved; id and cost signals are added by the pipeline. */
export type AnalyzedRoute = Omit<Route, 'id' | 'expensive'>;

/** Why a finding is not counted: an inline `# apiposture: ignore[...]` comment or a configuration entry. */
export interface Suppression {
  kind: 'inSource' | 'external';
  justification: string;
  file: string; // where the suppression is written
  line: number;
}

export interface Finding {
  ruleId: string;
  fingerprint: string; // rule + methods + normalised path + handler: survives moved code (baselines, SARIF)
  severity: Severity;
  message: string;
  routeId: string; // the route, or the first of `routeIds`
  routeIds: string[]; // every route the finding is about: one, or all a shared cause affects
  file: string;
  line: number;
  column: number;
  related: Evidence[];
  suppression?: Suppression;
  baselined?: true; // in the baseline given with --baseline: known, not new
}

/** A suppression that needs attention: an unreadable directive, one without a reason, one that suppresses nothing. */
export interface SuppressionProblem {
  file: string;
  line: number;
  message: string;
}

/** One accepted finding of a baseline file, keyed by the finding's fingerprint; `route` and `file` are for people. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  route: string;
  file: string;
  count: number; // findings with this fingerprint (one route registered twice gives two)
}

/** Suppressed and baselined findings stay in the results but do not count: not in stats.findings, not for the exit code. */
export function counts(finding: Finding): boolean {
  return !finding.suppression && !finding.baselined;
}

export interface Skipped {
  file: string;
  reason: string;
  partial?: boolean; // the file was analysed up to the problem (syntax errors); routes past it may be missing
}

/** A call that registers routes and yielded none the tool could read, with why (see registration-sites.ts). */
export interface UnresolvedRegistration extends SourceRef {
  call: string; // the callee as written, e.g. `bp.add_url_rule`
  reason: string;
}

/** The branch, not run by the deployment profile, that a route's registration sits in. */
export interface NotServed extends SourceRef {
  condition: string; // `if settings.ENV == "local"` or `else`
}

/** A registration in a branch the deployment profile does not run (`if settings.DEBUG:`), so not served there. */
export interface ProfileSkippedRegistration extends SourceRef {
  call: string; // the callee as written, or the route it declares (`POST /api/private/users/`)
  condition: string; // the branch: `if settings.ENV == "local"` (line `branchLine`), or `else`
  branchLine: number;
}

export interface ScanStats {
  filesScanned: number;
  filesSkipped: number;
  routes: number;
  byStatus: Record<RouteSummary, number>; // by the status as reported (`partial`: methods with different verdicts)
  findings: number; // counted findings: neither suppressed nor baselined
  bySeverity: Record<Severity, number>;
  suppressed: number;
  baselined: number;
  registrationSites: { total: number; resolved: number; unresolved: number }; // calls that register routes, in the scan paths
}

/** Where the scan looked: the project around the scan paths (see project-context.ts). */
export interface ProjectInfo {
  root: string; // absolute; report paths are relative to it
  marker?: string; // the file or folder that marks the project root (pyproject.toml, manage.py, .git, ...)
  paths: string[]; // the scan paths, relative to root ('' is the root): only routes declared inside them are reported
  importRoots: string[]; // the folders module names of the scan paths' files start from, relative to root
  files: number; // Python files of the whole project, read as context
  profile: Profile & { decided: number; notServed: ProfileSkippedRegistration[] }; // the deployment branches were decided for, how many `if`s it decided, and the registrations in branches it does not run
  assumptions: Assumption[]; // values taken as the repository gives them (a configuration file, a default), by file and line
}

export interface ScanResult {
  root: string;
  project: ProjectInfo;
  routes: Route[];
  findings: Finding[];
  skipped: Skipped[];
  suppressionProblems: SuppressionProblem[];
  unresolvedRegistrations: UnresolvedRegistration[];
  staleBaseline?: BaselineEntry[]; // with a baseline: its entries no finding matches any more
  openapi?: OpenApiCheck; // with --openapi: the inventory against the spec
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
  if (route.kind === 'include') return 'INCLUDE';
  // A view without a method restriction (a plain Django function view) serves every method.
  if (STANDARD_METHODS.every((m) => route.methods.includes(m)) && !route.automaticMethods.length) return 'ANY';
  return declaredMethods(route).join(',');
}

/** The eight methods Django's `View.http_method_names` lists; a view serving all of them serves `ANY` method. */
export const STANDARD_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'];

/** A limit's rate as reports show it: `5/minute`, or `10/minute at cost 2` when each request uses more than one. */
export function rateLabel(limit: Limit): string {
  return limit.cost === undefined ? limit.rate : `${limit.rate} at cost ${limit.cost}`;
}

export function routeLabel(route: Route): string {
  return `${methodsLabel(route)} ${route.path}`;
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The routes a user names as "METHOD PATH" (`POST /login`) or "PATH", with the path as the scan reports it;
 * `method` is the named one, upper case.
 */
export function matchRoutes(routes: Route[], wanted: string): { route: Route; method?: string }[] {
  const parts = wanted.trim().split(/\s+/);
  const [method, routePath] = parts.length > 1 ? [parts[0].toUpperCase(), parts[1]] : [undefined, parts[0]];
  return routes.filter((r) => r.path === routePath && (!method || r.methods.includes(method))).map((route) => ({ route, method }));
}

/** A route's verdict for one method it serves; `open` names the clients no limit counts when some are counted. */
export interface MethodVerdict {
  method: string;
  status: ProtectionStatus;
  limits: string[]; // the rates that count this method, as written
  open?: Principal[];
}

/** What a route's status reads as to people: `partial` when its methods do not all share one verdict. */
export type RouteSummary = ProtectionStatus | 'partial';

export const PRINCIPALS: readonly Principal[] = ['anonymous', 'authenticated'];

/** The reason an open route gets when nothing more specific explains it (AP001 does not repeat it). */
export const NO_LIMIT_APPLIES = 'no rate limit applies to this route';

/** The reason routes get in a project that uses no limiter library. */
export const NO_LIMITER_USED = 'no rate limiter is used in this project';

/**
 * The verdict for each declared method. A limited or unlimited route is judged per method from its limits
 * (which are the effective ones: a voided limit is not listed): a method is limited when the limits covering it
 * count every client, unlimited otherwise, with the clients left open named. Exempt and unknown routes are so
 * for every method.
 */
export function methodVerdicts(route: AnalyzedRoute): MethodVerdict[] {
  if (route.kind !== 'http') return [];
  return declaredMethods(route).map((method) => {
    const covering = route.limits.filter((l) => !l.methods || l.methods.includes(method));
    const limits = covering.map((l) => l.rate);
    const unread = route.unknownMethods?.includes(method);
    if (unread || route.status === 'exempt' || route.status === 'unknown') return { method, status: unread ? 'unknown' : route.status, limits };
    const counted = new Set(covering.flatMap((l) => l.principals ?? PRINCIPALS));
    const open = PRINCIPALS.filter((p) => !counted.has(p));
    if (!open.length) return { method, status: 'limited', limits };
    return { method, status: 'unlimited', limits, ...(covering.length ? { open } : {}) };
  });
}

/** `GET unlimited · POST limited 3/minute`: each method's verdict, its limits and the clients left open; `paint` styles a status. */
export function verdictsLabel(route: Route, paint: (status: ProtectionStatus) => string = (status) => status): string {
  return methodVerdicts(route)
    .map((v) => `${v.method} ${paint(v.status)}${v.limits.length ? ` ${v.limits.join('; ')}` : ''}${v.open ? ` (not for ${v.open.join(', ')} clients)` : ''}`)
    .join(' · ');
}

/** The route's status as reported: the common verdict of its methods, or `partial` when they differ. */
export function summaryStatus(route: Route): RouteSummary {
  const statuses = new Set(methodVerdicts(route).map((v) => v.status));
  return statuses.size > 1 ? 'partial' : route.status;
}
