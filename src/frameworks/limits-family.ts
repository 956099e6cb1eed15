/**
 * What Flask-Limiter and slowapi share, both being built on `limits`: limits declared in `limits` notation
 * (`limiter.limit(...)` / `limiter.shared_limit(...)` calls and `default_limits=[...]` lists, parsed into
 * declared limits before each resolver decides whether they apply to a route), and what a limiter's settings
 * mean: storage, strategy, failure mode, Retry-After. Where a setting comes from (the constructor, Flask's app
 * config, slowapi's `.env`) is each library's own; what it means is said here once.
 */
import type { CallExpr, Expr } from '../python/ir';
import { argument, exprLine, kwarg, lineOf, locAt } from '../python/ir';
import { armsAround, Project, type Assumption, type Ctx, type Value } from '../python/project';
import { calledValue, type Known } from '../python/profile';
import { truthy } from '../python/pyvalue';
import { PRINCIPALS, type Algorithm, type Evidence, type Limit, type Principal, type SourceRef } from '../model';
import { parseLimitsNotation } from '../ratelimit/grammar';
import { appliedDecorator, httpMethods, sequenceItems } from './common';
import type { LibraryDescriptor } from './library';

/**
 * A limiter setting as the library found it: its static value (undefined when computed), where it is set and
 * how its author wrote it there (`storage_uri="memory://"`, `` `RATELIMIT_STORAGE_URI = "memory://"` ``).
 * 'unknown': it may be set where the analysis cannot read; undefined: not set.
 */
export type FoundSetting = { value: string | number | boolean | null | undefined; at: SourceRef; written: string } | 'unknown' | undefined;

/** A setting's values as written as a keyword (`swallow_errors=True`) or an assignment (`RATELIMIT_SWALLOW_ERRORS = True`). */
export function writtenSetting(name: string, values: Value[], at: SourceRef, style: 'keyword' | 'assignment'): FoundSetting {
  const value = staticValue(values);
  const text = value === undefined ? '...' : value === null ? 'None' : typeof value === 'boolean' ? (value ? 'True' : 'False') : JSON.stringify(value);
  return { value, at, written: style === 'keyword' ? `\`${name}=${text}\`` : `\`${name} = ${text}\`` };
}

/** The literal all values agree on (string, number, boolean or None); undefined when computed or they differ. */
export function staticValue(values: Value[]): string | number | boolean | null | undefined {
  const texts = new Set(values.map((v) => (v.kind !== 'literal' ? '?' : v.expr.k === 'none' ? 'null' : v.expr.k === 'str' || v.expr.k === 'num' || v.expr.k === 'bool' ? JSON.stringify(v.expr.v) : '?')));
  return texts.size === 1 && !texts.has('?') ? (JSON.parse([...texts][0]) as string | number | boolean | null) : undefined;
}

/**
 * A switch as the library tests it (`if not self.enabled`): its truth when every value is the same literal, else as the
 * deployment profile computes it; undefined when computed at run time.
 */
export function switchTruth(project: Project, expr: Expr, ctx: Ctx): boolean | undefined {
  const value = staticValue(project.resolve(expr, ctx));
  return value === undefined ? project.truth(expr, ctx) : truthy(value);
}

/**
 * `limiter.enabled = ...` written on a limiter object after its construction (Initiative's `limiter.enabled =
 * settings.RATE_LIMIT_ENABLED`), of the attribute writes `writes`: the last one's truth, undefined when there are
 * several or one stands in a branch the deployment profile left undecided; none when nothing writes it.
 */
export function enabledWritten(project: Project, writes: { call: CallExpr; ctx: Ctx }[], limiterKey: string): { value: boolean | undefined; at: SourceRef } | undefined {
  const mine = writes.filter(({ call, ctx }) => call.fn.k === 'attr' && project.resolve(call.fn.obj, ctx).some((v) => v.kind === 'instance' && v.site.key === limiterKey));
  const last = mine[mine.length - 1];
  if (!last) return undefined;
  const line = lineOf(last.call.loc);
  const branched = mine.length > 1 || armsAround(last.ctx.mod, line).length > 0;
  return { value: branched ? undefined : switchTruth(project, last.call.args[1], last.ctx), at: { file: last.ctx.mod.file, line } };
}

/**
 * Counters in process memory, so each worker counts apart: the storage URI given is `memory://`, or none is
 * given (`memory://` is the default; `unset` says why none counts: where the library looked).
 */
export function perProcessStorage(library: LibraryDescriptor, uri: FoundSetting, unset: { at: SourceRef; why: string }): Evidence | undefined {
  const concern = 'per-process-storage';
  if (uri === 'unknown') return undefined;
  if (!uri) return { ...unset.at, message: `${library.name} keeps its counters in each process: ${unset.why}`, concern };
  if (typeof uri.value !== 'string' || !uri.value.startsWith('memory://')) return undefined;
  return { ...uri.at, message: `${uri.written} keeps ${library.name}'s counters in each process`, concern };
}

/** How the limiter counts: its `strategy` (fixed windows when not set); undefined when unknown. */
export function strategyAlgorithm(strategy: FoundSetting): Algorithm | undefined {
  if (strategy === 'unknown') return undefined;
  const name = strategy ? strategy.value : 'fixed-window';
  return typeof name === 'string' ? LIMITS_STRATEGIES.get(name) : undefined;
}

/** `swallow_errors` on (and no in-memory fallback taking over): while the storage fails, requests pass unlimited. */
export function failsOpen(library: LibraryDescriptor, swallow: FoundSetting): Evidence | undefined {
  if (!swallow || swallow === 'unknown' || swallow.value !== true) return undefined;
  return { ...swallow.at, message: `${swallow.written}: while the storage fails, ${library.name} lets every request through unlimited`, concern: 'fail-open' };
}

/** Over-limit answers without Retry-After: `headers_enabled` off, as it is by default. */
export function noRetryAfter(library: LibraryDescriptor, headers: FoundSetting, limiterAt: SourceRef): Evidence | undefined {
  if (headers === 'unknown' || (headers && headers.value !== false && headers.value !== null)) return undefined;
  const why = headers ? headers.written : '`headers_enabled` is off by default';
  return { ...(headers ? headers.at : limiterAt), message: `${library.name} answers over-limit requests with 429 but no Retry-After: ${why}`, concern: 'no-retry-signal' };
}

/** A limit as declared, before deciding whether it applies. */
export interface DeclaredLimit {
  limit?: Limit; // a static, valid rate
  dynamic?: string; // why the rate cannot be known statically
  invalid?: Evidence; // a rate the library drops
  overrideDefaults: boolean;
  limiter: string; // site key of the limiter object
  file: string;
  line: number;
  assumed?: Assumption[]; // what reading the rate assumed: it counts for every route the limit applies to
  called?: { values: Value[]; meta: RateMeta }; // a callable rate the library calls per request, when not static
  alternatives?: { limiters: string[]; said: string }; // every limiter the call's receiver may be, when several (see settledAlternatives)
}

/**
 * Strategy names of `limits` (limits/strategies.py), which Flask-Limiter's `strategy=` / `RATELIMIT_STRATEGY` and
 * slowapi's `strategy=` take; elastic expiry still counts in fixed windows (reference D.1).
 */
const LIMITS_STRATEGIES: ReadonlyMap<string, Algorithm> = new Map([
  ['fixed-window', 'fixed-window'],
  ['fixed-window-elastic-expiry', 'fixed-window'],
  ['moving-window', 'moving-window'],
  ['sliding-window-counter', 'sliding-window-counter'],
]);

export interface RateMeta {
  library: LibraryDescriptor;
  source: Limit['source'];
  scope: Limit['scope'];
  line: number;
  methods?: string[];
  conditions: string[];
  overrideDefaults: boolean;
}

/** Where a library's `limit()` takes `methods` and `override_defaults` positionally. */
export interface LimitCallShape {
  library: LibraryDescriptor;
  methodsAt: number;
  overrideAt: number;
}

export function declareRate(project: Project, expr: Expr | undefined, ctx: Ctx, limiter: string, meta: RateMeta): DeclaredLimit {
  const { value: text, assumed } = project.captured(() => (expr ? (project.stringValue(expr, ctx) ?? calledRate(project, expr, ctx, meta.line)) : undefined));
  const base = { overrideDefaults: meta.overrideDefaults, limiter, file: ctx.mod.file, line: meta.line, ...(assumed.length && { assumed }) };
  if (text === undefined) {
    const values = expr ? project.resolve(expr, ctx) : [];
    const callable = values.length === 1 && (values[0].kind === 'function' || (values[0].kind === 'literal' && values[0].expr.k === 'lambda'));
    return { ...base, dynamic: `rate \`${expr ? Project.describe(expr) : '?'}\` is computed at run time`, ...(callable && { called: { values, meta } }) };
  }
  return { ...base, ...rateLimit(text, ctx.mod.file, meta) };
}

/** A rate text as the library reads it: a limit, or the evidence that the library drops it. */
function rateLimit(text: string, file: string, meta: RateMeta): { limit: Limit } | { invalid: Evidence } {
  const parsed = parseLimitsNotation(text);
  if (!parsed.ok) return { invalid: { file, line: meta.line, message: `${parsed.reason}; ${meta.library.name} drops it`, concern: 'invalid-rate' } };
  const limit: Limit = { rate: text, source: meta.source, library: meta.library.id, scope: meta.scope, file, line: meta.line };
  if (meta.methods) limit.methods = meta.methods;
  if (meta.conditions.length) limit.conditions = meta.conditions;
  return { limit };
}

/** A limit call a decorator applies, with where to read its options. */
export interface AppliedLimit {
  call: CallExpr;
  ctx: Ctx;
  declared: DeclaredLimit[];
}

/** The limit call a decorator applies (see appliedDecorator): on some paths only, unknown. */
export function appliedLimit(project: Project, expr: Expr, ctx: Ctx, isLimiter: (v: Value) => boolean, shape: LimitCallShape): AppliedLimit | undefined {
  const applied = appliedDecorator(project, expr, ctx, (call, at) => limitCall(project, call, at, isLimiter, shape));
  if (!applied) return undefined;
  const { call, ctx: at, found, somePaths } = applied;
  const dynamic = somePaths && `${somePaths} applies ${shape.library.name}'s \`${Project.describe(call)}\` on some paths only`;
  return { call, ctx: at, declared: dynamic ? found.map((d) => ({ ...d, limit: undefined, invalid: undefined, dynamic })) : found };
}

/**
 * A callable limit the library calls for its rate (`@limiter.limit(login_rate)`, `lambda: settings.LOGIN_RATE`):
 * the text its body returns when the profile can run it without a request, else undefined.
 */
function calledRate(project: Project, expr: Expr, ctx: Ctx, line: number): string | undefined {
  const value = project.evaluateCall?.({ k: 'call', fn: expr, args: [], kwargs: [], splat: false, loc: locAt(line, 1) }, ctx);
  return typeof value === 'string' ? value : undefined;
}

/** `default_limits=[...]` / `application_limits=[...]`. */
export function rateList(project: Project, expr: Expr | undefined, ctx: Ctx, limiter: string, library: LibraryDescriptor, source: 'default' | 'application'): DeclaredLimit[] {
  if (!expr || expr.k === 'none') return [];
  const items = sequenceItems(project, expr, ctx);
  const line = exprLine(expr, ctx.line);
  // `API_RATE_LIMITS.split(",") if isinstance(API_RATE_LIMITS, str) else None` where the profile takes `None`.
  if (!items && project.resolve(expr, ctx).every((v) => v.kind === 'literal' && v.expr.k === 'none')) return [];
  if (!items) return [{ dynamic: `\`${Project.describe(expr)}\` is not a static list`, overrideDefaults: true, limiter, file: ctx.mod.file, line }];
  const scope = source === 'application' ? 'global' : 'route';
  return items.map((item) => declareRate(project, item.expr, item.ctx, limiter, { library, source, scope, line, conditions: [], overrideDefaults: true }));
}

/** Parses `limiter.limit(...)` / `limiter.shared_limit(...)` into declared limits; undefined for other expressions. */
export function limitCall(project: Project, expr: Expr, ctx: Ctx, isLimiter: (v: Value) => boolean, shape: LimitCallShape): DeclaredLimit[] | undefined {
  if (expr.k !== 'call' || expr.fn.k !== 'attr' || (expr.fn.name !== 'limit' && expr.fn.name !== 'shared_limit')) return undefined;
  const limiters = project.resolve(expr.fn.obj, ctx).filter((v): v is Extract<Value, { kind: 'instance' }> => v.kind === 'instance' && isLimiter(v));
  const keys = [...new Set(limiters.map((l) => l.site.key))];
  const limiter = limiters[0];
  if (!limiter) return undefined;
  const shared = expr.fn.name === 'shared_limit';
  const methodsExpr = shared ? kwarg(expr, 'methods') : argument(expr, shape.methodsAt, 'methods');
  const methods = methodsExpr && methodsExpr.k !== 'none' ? httpMethods(project, methodsExpr, ctx) : undefined;
  const override = shared ? kwarg(expr, 'override_defaults') : argument(expr, shape.overrideAt, 'override_defaults');
  const declared = declareRate(project, argument(expr, 0, 'limit_value'), ctx, limiter.site.key, {
    library: shape.library,
    source: shared ? 'shared' : 'decorator',
    scope: shared ? 'shared' : 'route',
    line: lineOf(expr.loc),
    methods,
    conditions: ['exempt_when', 'deduct_when'].filter((k) => kwarg(expr, k)),
    overrideDefaults: !(override?.k === 'bool' && !override.v),
  });
  if (methodsExpr && methodsExpr.k !== 'none' && !methods) return [{ ...declared, limit: undefined, dynamic: '`methods=` is not static' }];
  if (keys.length === 1) return [declared];
  const places = keys.map((key) => limiters.find((l) => l.site.key === key)!.site).map((site) => `${site.ctx.mod.file}:${lineOf(site.call.loc)}`);
  return [{ ...declared, alternatives: { limiters: keys, said: `\`${Project.describe(expr.fn.obj)}\` may be any of ${keys.length} limiters (${places.join(', ')}), chosen at run time` } }];
}

/**
 * A limit declared through a name that holds one of several limiters (`limiter = Limiter(...)` on one arm of an `if`,
 * one switched off on the other): it counts as declared when every limiter it may be checks requests, or none does.
 * When they differ, whether it counts is decided at run time: the limit is dynamic, with the limiter that would count
 * it, so the verdict is unknown. `checks` tells of a limiter by its site key: true, false, undefined when unknown.
 */
export function settledAlternatives<T extends DeclaredLimit>(declared: T[], checks: (limiter: string) => boolean | undefined): T[] {
  return declared.map((d) => {
    if (!d.alternatives) return d;
    const states = d.alternatives.limiters.map(checks);
    if (states.every((s) => s === states[0])) return d;
    const counting = d.alternatives.limiters[states.findIndex((s) => s !== false)];
    return { ...d, limiter: counting, limit: undefined, invalid: undefined, dynamic: `${d.alternatives.said}: not every one of them checks requests` };
  });
}

/** Why settled limits are dynamic, for a limiter whose own state already makes the verdict unknown (see settledAlternatives). */
export function unsettled(declared: DeclaredLimit[]): Evidence[] {
  return declared.flatMap((d) => (d.alternatives && d.dynamic ? [{ file: d.file, line: d.line, message: d.dynamic }] : []));
}

/**
 * The limits of a declared list: static ones, and callable rates run per kind of client when the library calls
 * them per request (`facts`); any other rate computed at run time makes the answer unknown, with evidence.
 */
export function knownLimits(project: Project, list: DeclaredLimit[], evidence: Evidence[], facts?: PerRequestUse['facts']): { limits: Limit[]; unknown: boolean } {
  const limits: Limit[] = [];
  let unknown = false;
  for (const d of list) {
    project.replay(d.assumed);
    const perClient = d.called && facts && ratesPerClient(project, d, d.called, facts, evidence);
    if (d.limit) limits.push(d.limit);
    else if (perClient) limits.push(...perClient);
    else if (d.dynamic) {
      unknown = true;
      evidence.push({ file: d.file, line: d.line, message: d.dynamic });
    }
  }
  return { limits, unknown };
}

/**
 * A callable rate run for each kind of client (`lambda: "10/minute" if current_user.is_authenticated else
 * "2/minute"`): one limit per rate, counting the clients it returns it for; undefined unless every kind of
 * client gets a valid rate string.
 */
function ratesPerClient(project: Project, d: DeclaredLimit, called: NonNullable<DeclaredLimit['called']>, facts: PerRequestUse['facts'], evidence: Evidence[]): Limit[] | undefined {
  const texts = PRINCIPALS.map((p) => calledValue(project, called.values, facts(p)));
  if (!texts.every((t): t is string => typeof t === 'string')) return undefined;
  const read = texts.map((t) => rateLimit(t, d.file, called.meta));
  if (!read.every((r): r is { limit: Limit } => 'limit' in r)) return undefined;
  const byRate = new Map<string, Principal[]>();
  texts.forEach((t, i) => byRate.set(t, [...(byRate.get(t) ?? []), PRINCIPALS[i]]));
  if (byRate.size > 1) evidence.push({ file: d.file, line: d.line, message: `the rate is chosen per request: ${[...byRate].map(([t, ps]) => `\`${t}\` for ${ps.join(', ')} clients`).join(', ')}` });
  return [...byRate].map(([text, principals]) => ({ ...read[texts.indexOf(text)].limit, ...(principals.length < PRINCIPALS.length && { principals }) }));
}

/** A callable or value a library takes per limit and uses per request (`exempt_when=`, `cost=`), where it is given. */
export interface PerRequestOption {
  values: Value[];
  at: SourceRef;
}

/** The values `expr` (an option of the call at `line`) gives, where it is written; undefined when not given. */
export function perRequestOption(project: Project, expr: Expr | undefined, ctx: Ctx, line: number): PerRequestOption | undefined {
  return expr && { values: project.resolve(expr, ctx), at: { file: ctx.mod.file, line: exprLine(expr, line) } };
}

/** How a library runs a limit's per-request options. */
export interface PerRequestUse {
  exemptWhen?: PerRequestOption;
  cost?: PerRequestOption;
  /** What the library's call tells of one request, from the callable's parameter names; undefined: it cannot call it so. */
  facts: (principal: Principal) => (params: string[]) => Known | undefined;
  zeroCostCountsOne: boolean; // Flask-Limiter reads a literal `cost=0` as 1 (`cost or 1`); a callable's 0 stays 0
}

/**
 * How `limit` counts `method` requests from each kind of client, running its `exempt_when` and `cost` as the
 * library does: not at all (exempted, or a cost of 0, which `limits` never refuses), or at a cost. Clients
 * counted alike share one limit. A condition on anything else leaves the limit as declared (its concerns say
 * why); a cost decided by anything else leaves what it admits unknown.
 */
export function countedPerClient(project: Project, limit: Limit, method: string, use: PerRequestUse, evidence: Evidence[]): { limits: Limit[]; unknown: boolean } {
  const { exemptWhen, cost } = use;
  if (!exemptWhen && !cost) return { limits: [limit], unknown: false };
  const per = PRINCIPALS.map((principal) => ({
    principal,
    exempt: exemptWhen && calledValue(project, exemptWhen.values, use.facts(principal)) === true,
    cost: cost ? costOf(project, cost.values, use.facts(principal), use.zeroCostCountsOne) : 1,
  }));
  if (cost && per.some((p) => !p.exempt && p.cost === undefined)) {
    evidence.push({ ...cost.at, message: `\`cost\` is decided per request by code apiposture does not evaluate: how many ${method} requests \`${limit.rate}\` admits is unknown` });
    return { limits: [], unknown: true };
  }
  const counted = per.filter((p) => !p.exempt && p.cost! > 0);
  const who = (principals: Principal[]): string => (principals.length === PRINCIPALS.length ? `every ${method} request` : principals[0] === 'anonymous' ? `${method} requests of anonymous clients` : `${method} requests of signed-in users`);
  const exempted = per.filter((p) => p.exempt).map((p) => p.principal);
  const free = per.filter((p) => !p.exempt && p.cost === 0).map((p) => p.principal);
  const someCounted = counted.length > 0 ? { concern: 'anonymous-only' as const } : {};
  if (exempted.length && exemptWhen) evidence.push({ ...exemptWhen.at, message: `\`exempt_when\` exempts ${who(exempted)} from \`${limit.rate}\``, ...someCounted });
  if (free.length && cost) evidence.push({ ...cost.at, message: `\`cost\` is 0 for ${who(free)}: \`${limit.rate}\` never refuses them`, ...someCounted });
  const byCost = new Map<number, Principal[]>();
  for (const p of counted) byCost.set(p.cost!, [...(byCost.get(p.cost!) ?? []), p.principal]);
  const limits = [...byCost].map(([c, principals]) => ({
    ...limit,
    ...(principals.length < PRINCIPALS.length && { principals }),
    ...(c !== 1 && { cost: c }),
  }));
  return { limits, unknown: false };
}

/** A cost as the library reads it: a literal integer, or what a callable returns for the request; undefined when unread. */
function costOf(project: Project, values: Value[], facts: (params: string[]) => Known | undefined, zeroCountsOne: boolean): number | undefined {
  const literal = staticValue(values);
  if (typeof literal === 'number') return literal === 0 && zeroCountsOne ? 1 : literal;
  const called = calledValue(project, values, facts);
  return typeof called === 'number' ? called : undefined;
}
