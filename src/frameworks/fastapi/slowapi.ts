/**
 * slowapi (0.1.x) on FastAPI/Starlette, after `Limiter._check_request_limit` and the middleware:
 * a correctly placed `@limiter.limit` (below the route decorator) applies its own limits only, for the
 * methods it names; defaults join only with `override_defaults=False` (or when every decorated rate is
 * invalid and dropped). Undecorated routes get `default_limits` + `application_limits` only through
 * `SlowAPIMiddleware`/`SlowAPIASGIMiddleware` on the app whose `app.state.limiter` is the limiter, and
 * only when the middleware finds the route in `app.routes`: never under `Mount`/`app.mount`, and not
 * through `include_router` on FastAPI ≥ 0.137. A limit decorator above the route decorator voids the
 * limit and makes the middleware skip the route. `@limiter.exempt` drops everything.
 * The limiter's settings add what the rules read: storage (`memory://` by default), strategy, key function and
 * `key_style`, `swallow_errors`, `headers_enabled` and the RateLimitExceeded handler (Retry-After), `exempt_when`.
 * Upstream: https://slowapi.readthedocs.io/en/latest/ ; reference B.1, D.1–D.3 and F.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, dottedName, exprLine, isTrue, kwarg, lineOf } from '../../python/ir';
import { Project, type Assumption, type Ctx, type FunctionRef, type Value } from '../../python/project';
import { rateLabel, type Algorithm, type Evidence, type Limit, type SourceRef } from '../../model';
import { versionSide } from '../../manifests';
import { callSites, calling, functionCtx, setsAttribute, type Decorator, type RouteDraft } from '../common';
import {
  appliedLimit, countedPerClient, enabledWritten, failsOpen, settledAlternatives, switchTruth, unsettled, knownLimits, noRetryAfter, perProcessStorage, perRequestOption, rateList, staticValue, strategyAlgorithm,
  writtenSetting, type DeclaredLimit, type FoundSetting, type LimitCallShape, type PerRequestUse,
} from '../limits-family';
import { requestFacts } from '../../python/profile';
import { isAsgiApp, type AsgiRouteContext, type Hop, type Instance } from './routes';
import { dependencyRunner, routeDependencies, type DependencyCall } from './dependencies';
import { conditionConcerns, keyConcerns, perPathConcerns, STARLETTE_REQUEST, type KeyOption } from '../client-input';
import { otherThan429 } from '../over-limit-answer';
import type { AsgiLibrary } from '.';
import { parseLimitsNotation } from '../../ratelimit/grammar';
import { contribution, type Decision } from '../protection';
import type { LibraryDescriptor } from '../library';

const LIMITER_CLASSES = ['slowapi.Limiter', 'slowapi.extension.Limiter'];

const DESCRIPTOR: LibraryDescriptor = {
  id: 'slowapi',
  name: 'slowapi',
  distribution: 'slowapi',
  packages: ['slowapi'],
  limiterClasses: LIMITER_CLASSES,
  spoofableKeyFunctions: ['slowapi.util.get_ipaddr'],
  grammar: { parse: parseLimitsNotation },
  counting: 'fixed-window',
  rejection: { status: 429, retryAfter: true },
};

const MIDDLEWARE_TYPES = ['slowapi.middleware.SlowAPIMiddleware', 'slowapi.middleware.SlowAPIASGIMiddleware'];
// limit(limit_value, key_func, per_method, methods, error_message, exempt_when, cost, override_defaults)
const SLOWAPI: LimitCallShape = { library: DESCRIPTOR, methodsAt: 3, overrideAt: 7 };
// shared_limit(limit_value, scope, key_func, error_message, exempt_when, cost, override_defaults)
const KEY_FUNC_AT = { limit: 1, shared_limit: 2 };
const KEY_FUNC: KeyOption = { option: 'key_func', library: DESCRIPTOR, skipsEmpty: true };
const EXEMPT_WHEN_AT = { limit: 5, shared_limit: 4 };
const COST_AT = { limit: 6, shared_limit: 5 };
// Limiter(key_func, default_limits, application_limits, headers_enabled, strategy, storage_uri, storage_options,
// auto_check, swallow_errors, in_memory_fallback, in_memory_fallback_enabled, retry_after, key_prefix, enabled,
// config_filename, key_style)
const LIMITER_AT = { key_func: 0, headers_enabled: 3, strategy: 4, storage_uri: 5, auto_check: 7, swallow_errors: 8, enabled: 13, key_style: 15 };
const RATE_LIMIT_EXCEEDED = ['slowapi.errors.RateLimitExceeded'];
/** FastAPI stores included routers as wrappers from this version on; slowapi's middleware then misses their routes. */
const FASTAPI_INCLUDED_ROUTER_WRAPPERS = '0.137.0';

// Starlette's Config casts these to False.
const FALSE_VALUES = ['false', '0'];

const isLimiter = (v: Value): v is Instance => Project.isInstance(v, LIMITER_CLASSES);

/** What the rules read from a limiter's settings. */
interface LimiterSettings {
  algorithm?: Algorithm;
  concerns: Evidence[]; // of every limit it applies: per-process storage, fail-open, no Retry-After
  headersEnabled: boolean;
  key: Evidence[]; // what is wrong with its key_func
  perUrl?: SourceRef; // `key_style="url"`: per-route counters count per concrete path
}

interface LimiterInfo extends LimiterSettings {
  instance: Instance;
  defaults: DeclaredLimit[];
  application: DeclaredLimit[];
  off?: Evidence; // `enabled=False` / `auto_check=False`
  unsure?: Evidence; // `enabled=` / `auto_check=` computed: whether it checks anything is decided at run time
  assumed: Assumption[]; // what reading `enabled=` and `auto_check=` took
}

/** A `@limiter.limit` / `shared_limit` limit with the decorator call that declares it. */
type Placed = DeclaredLimit & { call: CallExpr; ctx: Ctx };

const resolver: AsgiLibrary['resolver'] = (project, { graph }) => {
  // slowapi reads RATELIMIT_* from the environment or `.env` (Starlette Config); only `.env` can be seen here.
  const env = (name: string) => project.metadata.dotenv.get(name)?.[0];
  // RATELIMIT_ENABLED wins over `enabled=`.
  const envOff = project.metadata.dotenv.get('RATELIMIT_ENABLED')?.find((s) => FALSE_VALUES.includes(s.value.trim().toLowerCase()));
  const envSwitchedOff = envOff && { file: envOff.file, line: envOff.line, message: '`RATELIMIT_ENABLED=false` in `.env` turns slowapi off', concern: 'disabled' as const };

  /** A constructor setting given (not None) as found: its literal text, undefined when computed. */
  const given = (name: string, expr: Expr | undefined, ctx: Ctx, at: SourceRef): FoundSetting =>
    expr && expr.k !== 'none' ? writtenSetting(name, project.resolve(expr, ctx), at, 'keyword') : undefined;

  /** A `.env` setting as found: its text. */
  const fromEnv = (name: string): FoundSetting => {
    const setting = env(name);
    return setting && { value: setting.value, at: { file: setting.file, line: setting.line }, written: `\`${name}=${setting.value}\` in \`.env\`` };
  };

  /** `enabled=` / `auto_check=` as slowapi tests them (`if not self.enabled`): on when not given, undefined when computed. */
  const switchValue = (call: CallExpr, name: 'enabled' | 'auto_check', ctx: Ctx): boolean | undefined => {
    const flag = argument(call, LIMITER_AT[name], name);
    return flag ? switchTruth(project, flag, ctx) : true;
  };

  /** Counters in process memory; `.env` is read only when the constructor gives no storage (the key says URL, not URI). */
  const storage = (uri: Expr | undefined, ctx: Ctx, at: SourceRef): Evidence | undefined =>
    perProcessStorage(DESCRIPTOR, given('storage_uri', uri, ctx, at) ?? fromEnv('RATELIMIT_STORAGE_URL'), {
      at,
      why: 'neither `storage_uri=` nor `RATELIMIT_STORAGE_URL` in `.env` replaces the default `memory://`',
    });

  /** `swallow_errors`: RATELIMIT_SWALLOW_ERRORS wins over the constructor. */
  const failOpen = (constructorOn: boolean, at: SourceRef): Evidence | undefined => {
    const setting = env('RATELIMIT_SWALLOW_ERRORS');
    if (setting?.value) {
      // Cast to bool only when the constructor says True; otherwise the text itself is the flag.
      const saysFalse = FALSE_VALUES.includes(setting.value.toLowerCase());
      const quirk = saysFalse ? ' (read as text: any non-empty value switches it on)' : '';
      return failsOpen(DESCRIPTOR, { value: !(constructorOn && saysFalse), at: { file: setting.file, line: setting.line }, written: `\`RATELIMIT_SWALLOW_ERRORS=${setting.value}\` in \`.env\`${quirk}` });
    }
    return failsOpen(DESCRIPTOR, constructorOn ? { value: true, at, written: '`swallow_errors=True`' } : undefined);
  };

  /** What is wrong with a `key_func` given at `at`. */
  const keyFunctionConcerns = (expr: Expr | undefined, ctx: Ctx, at: SourceRef): Evidence[] => {
    if (!expr) return [];
    return keyConcerns(project.resolve(expr, ctx), at, STARLETTE_REQUEST, KEY_FUNC);
  };

  /** The settings of `Limiter(...)`, with `.env` values as slowapi's Starlette Config reads them. */
  const settings = (call: CallExpr, ctx: Ctx): LimiterSettings => {
    const at = { file: ctx.mod.file, line: lineOf(call.loc) };
    // `Limiter(**options)` may set what it does not name: such an option is unknown, as a computed one is.
    const unknown: Expr = { k: 'other', text: '**', loc: call.loc };
    const option = (name: keyof typeof LIMITER_AT): Expr | undefined => argument(call, LIMITER_AT[name], name) ?? (call.splat ? unknown : undefined);
    const headers = option('headers_enabled');
    const headersOff = !headers || headers.k === 'none' || (headers.k === 'bool' && !headers.v);
    // `.env` is read as text when the constructor leaves it False: any non-empty value, even `false`, turns headers on.
    const headersEnabled = !headersOff || !!env('RATELIMIT_HEADERS_ENABLED')?.value;
    const keyStyle = option('key_style');
    return {
      algorithm: strategyAlgorithm(given('strategy', option('strategy'), ctx, at) ?? fromEnv('RATELIMIT_STRATEGY')),
      concerns: [
        storage(option('storage_uri'), ctx, at),
        failOpen(isTrue(option('swallow_errors')), at),
        headersEnabled ? undefined : noRetryAfter(DESCRIPTOR, given('headers_enabled', headers, ctx, at), at),
      ].filter((e): e is Evidence => e !== undefined),
      headersEnabled,
      key: keyFunctionConcerns(option('key_func'), ctx, at),
      perUrl: !keyStyle || staticValue(project.resolve(keyStyle, ctx)) === 'url' ? at : undefined,
    };
  };

  const limiters = new Map<string, LimiterInfo>();
  const stateLimiter = new Map<string, { values: Value[]; at: Evidence }>(); // app site key → `app.state.limiter`
  const handlers = new Map<string, Evidence | undefined>(); // app site key → its RateLimitExceeded handler's wrong answer
  const isRateLimitExceeded = (expr: Expr, ctx: Ctx): boolean => project.resolve(expr, ctx).some((v) => v.kind === 'external' && RATE_LIMIT_EXCEEDED.includes(v.qname));
  const addHandler = (appExpr: Expr, ctx: Ctx, handler: Value[]): void => {
    for (const app of project.resolve(appExpr, ctx).filter(isAsgiApp)) handlers.set(app.site.key, otherThan429(handler, { who: 'the RateLimitExceeded handler', kind: 'handler' }));
  };
  const constructsOrSets = (call: CallExpr): boolean => !!dottedName(call.fn)?.endsWith('Limiter') || setsAttribute(call, 'limiter') || calling(call, ['add_exception_handler']);
  // `limiter.enabled = settings.RATE_LIMIT_ENABLED` after the construction: slowapi reads the attribute per request.
  const enabledWrites = callSites(project, (call) => setsAttribute(call, 'enabled'));
  /** `enabled` as the limiter's last write leaves it, or as constructed. */
  const enabledOf = (instance: Instance, call: CallExpr, ctx: Ctx): { value: boolean | undefined; at: SourceRef; written?: string } => {
    const written = enabledWritten(project, enabledWrites, instance.site.key);
    return written ? { ...written, written: '`limiter.enabled = ...`' } : { value: switchValue(call, 'enabled', ctx), at: { file: ctx.mod.file, line: lineOf(call.loc) } };
  };
  for (const { call, ctx } of callSites(project, constructsOrSets)) {
    if (dottedName(call.fn)?.endsWith('Limiter')) {
      const instance = project.resolve(call, ctx).find(isLimiter);
      if (instance && !limiters.has(instance.site.key)) {
        const key = instance.site.key;
        // What reading the limiter took (`enabled=settings.RATE_LIMIT_ENABLED` of a settings class) goes with each
        // route it limits.
        const { value: [enabled, autoCheck], assumed } = project.captured(() => [enabledOf(instance, call, ctx), { value: switchValue(call, 'auto_check', ctx), at: { file: ctx.mod.file, line: lineOf(call.loc) } }]);
        const said = (name: string, flag: typeof enabled): string => flag.written ?? `\`Limiter(${name}=...)\``;
        limiters.set(key, {
          instance,
          assumed,
          defaults: rateList(project, kwarg(call, 'default_limits'), ctx, key, DESCRIPTOR, 'default'),
          application: rateList(project, kwarg(call, 'application_limits'), ctx, key, DESCRIPTOR, 'application'),
          off:
            (enabled.written ? undefined : envSwitchedOff) ??
            (enabled.value === false ? { ...enabled.at, message: `${enabled.written ? '`limiter.enabled = False`' : '`Limiter(enabled=False)`'} turns slowapi's checks off`, concern: 'disabled' as const } : undefined) ??
            (autoCheck.value === false ? { ...autoCheck.at, message: "`Limiter(auto_check=False)` turns slowapi's checks off", concern: 'disabled' as const } : undefined),
          unsure:
            enabled.value === undefined
              ? { ...enabled.at, message: `${said('enabled', enabled)} is not a static boolean${enabled.written ? ' or is set more than once or in a branch' : ''}: whether slowapi checks anything is decided at run time` }
              : autoCheck.value === undefined
                ? { ...autoCheck.at, message: `${said('auto_check', autoCheck)} is not a static boolean: whether slowapi checks anything is decided at run time` }
                : undefined,
          ...settings(call, ctx),
        });
      }
    }
    // `app.state.limiter = limiter` is recorded as `app.state.__setattr__("limiter", limiter)`.
    const fn = call.fn;
    if (fn.k === 'attr' && fn.name === '__setattr__' && fn.obj.k === 'attr' && fn.obj.name === 'state' && call.args[0]?.k === 'str' && call.args[0].v === 'limiter') {
      for (const app of project.resolve(fn.obj.obj, ctx).filter(isAsgiApp)) {
        stateLimiter.set(app.site.key, { values: project.resolve(call.args[1], ctx), at: { file: ctx.mod.file, line: lineOf(call.loc), message: '`app.state.limiter`' } });
      }
    }
    if (fn.k === 'attr' && fn.name === 'add_exception_handler' && call.args[1] && isRateLimitExceeded(call.args[0], ctx)) addHandler(fn.obj, ctx, project.resolve(call.args[1], ctx));
  }
  if (!limiters.size) return undefined;
  // `@app.exception_handler(RateLimitExceeded)`
  for (const mod of project.modules) {
    for (const fn of mod.functions) {
      const ctx = functionCtx(mod, fn);
      for (const dec of fn.decorators) {
        if (dec.k === 'call' && dec.fn.k === 'attr' && dec.fn.name === 'exception_handler' && dec.args[0] && isRateLimitExceeded(dec.args[0], ctx)) {
          addHandler(dec.fn.obj, ctx, [{ kind: 'function', ref: { mod, fn } }]);
        }
      }
    }
  }

  const declared = (decorators: Decorator[]): Placed[] =>
    decorators.flatMap(({ expr, ctx }) => {
      const applied = appliedLimit(project, expr, ctx, isLimiter, SLOWAPI);
      return applied ? applied.declared.map((d) => ({ ...d, call: applied.call, ctx: applied.ctx })) : [];
    });
  const exemptIn = (decorators: Decorator[]): Evidence | undefined => {
    const found = decorators.find(({ expr, ctx }) => expr.k === 'attr' && expr.name === 'exempt' && project.resolve(expr.obj, ctx).some(isLimiter));
    return found && { file: found.ctx.mod.file, line: exprLine(found.expr, found.ctx.line), message: '`@limiter.exempt` removes every slowapi limit from this endpoint', concern: 'exempt' as const };
  };
  /** Whether a limiter checks requests: true, false when switched off, undefined when that is decided at run time. */
  const checks = (limiter: string): boolean | undefined => {
    const info = limiters.get(limiter);
    return info && !info.off && (info.unsure ? undefined : true);
  };
  const middlewareOn = (app: Instance) => (graph.middleware.get(app.site.key) ?? []).find((m) => m.types.some((t) => MIDDLEWARE_TYPES.includes(t)));

  /** Known limits of a list, noting the rates slowapi drops; they count as the limiter's strategy does. */
  const collect = (info: LimiterInfo, list: DeclaredLimit[], evidence: Evidence[]): { limits: Limit[]; unknown: boolean } => {
    for (const d of list) if (d.invalid) evidence.push(d.invalid);
    const known = knownLimits(project, list, evidence);
    return { ...known, limits: known.limits.map((l) => (info.algorithm ? { ...l, algorithm: info.algorithm } : l)) };
  };

  /**
   * A decorated limit as it counts `method` requests, its `exempt_when` and `cost` run as slowapi runs them: a
   * one-parameter `exempt_when` gets the request (0.1.10+; earlier ones take none), `cost` always does.
   */
  const counted = (info: LimiterInfo, d: Placed, method: string, evidence: Evidence[]): { limits: Limit[]; unknown: boolean } => {
    const known = collect(info, [d], evidence);
    const kind = d.call.fn.k === 'attr' && d.call.fn.name === 'shared_limit' ? 'shared_limit' : 'limit';
    const use: PerRequestUse = {
      exemptWhen: perRequestOption(project, argument(d.call, EXEMPT_WHEN_AT[kind], 'exempt_when'), d.ctx, d.line),
      cost: perRequestOption(project, argument(d.call, COST_AT[kind], 'cost'), d.ctx, d.line),
      facts: (principal) => (params) => (params.length === 1 ? requestFacts(project, params[0], method, principal) : params.length ? undefined : () => undefined),
      zeroCostCountsOne: false,
    };
    const per = known.limits.map((l) => countedPerClient(project, l, method, use, evidence));
    return { limits: per.flatMap((p) => p.limits), unknown: known.unknown || per.some((p) => p.unknown) };
  };

  const perUrlConcerns = (info: LimiterInfo, path: string): Evidence[] =>
    info.perUrl ? perPathConcerns(info.perUrl, path, 'slowapi counts per concrete URL (`key_style="url"`, the default)') : [];

  /** The key and exemption condition of one decorated limit; its own `key_func` replaces the limiter's. */
  const decoratorConcerns = (info: LimiterInfo, d: Placed, path: string): Evidence[] => {
    const kind = d.call.fn.k === 'attr' && d.call.fn.name === 'shared_limit' ? 'shared_limit' : 'limit';
    const keyFunc = argument(d.call, KEY_FUNC_AT[kind], 'key_func');
    const exemptWhen = argument(d.call, EXEMPT_WHEN_AT[kind], 'exempt_when');
    const cost = argument(d.call, COST_AT[kind], 'cost');

    return [
      ...(keyFunc ? keyFunctionConcerns(keyFunc, d.ctx, { file: d.file, line: d.line }) : info.key),
      // A shared limit counts in its own scope, whatever the URL.
      ...(kind === 'limit' ? perUrlConcerns(info, path) : []),
      ...(exemptWhen ? conditionConcerns(project.resolve(exemptWhen, d.ctx), 'exempt_when', STARLETTE_REQUEST) : []),
      ...(cost ? conditionConcerns(project.resolve(cost, d.ctx), 'cost', STARLETTE_REQUEST) : []),
    ];
  };

  /** The over-limit answer of the app serving the route: its RateLimitExceeded handler, or the framework's. */
  const answerConcerns = (info: LimiterInfo, hops: Hop[], decorated: boolean): Evidence[] => {
    const app = [...hops].reverse().find((h) => isAsgiApp(h.node))?.node;
    if (!app) return [];
    const wrong = handlers.get(app.site.key);
    if (wrong) return [wrong];
    // A limit raised in the endpoint reaches the framework's HTTPException handler, which adds no headers;
    // the middleware falls back to slowapi's own handler.
    if (decorated && info.headersEnabled && !handlers.has(app.site.key)) {
      const message = 'no RateLimitExceeded handler is registered on this app: the framework answers the decorated limit with a bare 429, without the `Retry-After` that `headers_enabled` adds';
      return [{ file: app.site.ctx.mod.file, line: lineOf(app.site.call.loc), message, concern: 'no-retry-signal' }];
    }
    return [];
  };

  /** The limits of `@limiter.limit` on `checked`, the endpoint or a function a dependency calls, as slowapi checks them for a request. */
  const decoratedVerdict = (draft: RouteDraft<AsgiRouteContext>, method: string, placed: Placed[], evidence: Evidence[], checked: FunctionRef | undefined): Decision => {
    if (placed.length && checked && !checked.fn.params.some((p) => p.name === 'request' || p.name === 'websocket')) {
      const what = checked === draft.context.handler ? 'endpoint' : 'function';
      evidence.push({ file: checked.mod.file, line: lineOf(checked.fn.loc), message: `slowapi raises at import time: a \`@limiter.limit\` ${what} needs a parameter named \`request\``, concern: 'missing-request' });
      return { limits: [], unknown: true };
    }
    const limits: Limit[] = [];
    let unknown = false;
    const settled = settledAlternatives(placed, checks);
    for (const info of limiters.values()) {
      const mine = settled.filter((d) => d.limiter === info.instance.site.key);
      if (!mine.length) continue;
      project.replay(info.assumed);
      if (info.off) {
        evidence.push(info.off);
        continue;
      }
      if (info.unsure) {
        evidence.push(info.unsure, ...unsettled(mine));
        unknown = true;
        continue;
      }
      const before = limits.length;
      const applying = mine.filter((d) => !d.limit?.methods || d.limit.methods.includes(method));
      const each = applying.map((d) => counted(info, d, method, evidence));
      const got = { limits: each.flatMap((e) => e.limits), unknown: each.some((e) => e.unknown) };
      limits.push(...got.limits);
      unknown ||= got.unknown;
      for (const d of applying) if (d.limit) evidence.push(...decoratorConcerns(info, d, draft.route.path));
      const valid = mine.filter((d) => !d.invalid);
      if (valid.length && !applying.some((d) => !d.invalid)) {
        evidence.push({ file: valid[0].file, line: valid[0].line, message: `the limit names other methods: ${method} gets no limit at all (slowapi does not fall back to default limits)`, concern: 'methods-excluded' });
      }
      // The decorator adds the defaults itself when no valid decorated limit overrides them.
      if (valid.every((d) => !d.overrideDefaults)) {
        const defaults = collect(info, info.defaults, evidence);
        limits.push(...defaults.limits);
        unknown ||= defaults.unknown;
        if (defaults.limits.length) evidence.push(...info.key, ...perUrlConcerns(info, draft.route.path));
      }
      if (limits.length > before) evidence.push(...info.concerns, ...answerConcerns(info, draft.context.hops, true));
    }
    return { limits, unknown };
  };

  const middlewareVerdict = (draft: RouteDraft<AsgiRouteContext>, evidence: Evidence[]): Decision => {
    const hops = draft.context.hops;
    const limits: Limit[] = [];
    let unknown = false;
    let anyMiddleware = false;
    hops.forEach((hop, index) => {
      if (!isAsgiApp(hop.node) || !middlewareOn(hop.node)) return;
      anyMiddleware = true;
      const verdict = appMiddleware(hop.node, hops.slice(index + 1), draft, evidence);
      limits.push(...verdict.limits);
      unknown ||= !!verdict.unknown;
    });
    // The limiters this route's apps hold in `app.state.limiter`; every limiter when no app holds one.
    const bound = hops.flatMap((h) => stateLimiter.get(h.node.site.key)?.values ?? []).flatMap((v) => (isLimiter(v) ? limiters.get(v.site.key) ?? [] : []));
    const withDefaults = (stateLimiter.size ? bound : [...limiters.values()]).find((l) => l.defaults.length || l.application.length);
    if (!anyMiddleware && withDefaults) {
      const site = withDefaults.instance.site;
      // Added in a branch the profile rules out: not installed in this deployment, which the verdict rests on.
      const ruledOut = hops.flatMap((h) => graph.ruledOutMiddleware.get(h.node.site.key) ?? []).filter((m) => m.types.some((t) => MIDDLEWARE_TYPES.includes(t)));
      project.replay(ruledOut.flatMap((m) => m.ruledOut?.assumed ?? []));
      const branch = ruledOut[0]?.ruledOut?.branch;
      const where = branch ? `, which is added only under \`${branch.condition}\` (${branch.file}:${branch.line}), a branch this deployment does not run` : ', which is not installed on this app';
      evidence.push({ file: site.ctx.mod.file, line: lineOf(site.call.loc), message: `default and application limits apply only through SlowAPIMiddleware${where}`, concern: 'limiter-not-wired' });
    }
    return { limits, unknown };
  };

  const appMiddleware = (app: Instance, inner: Hop[], draft: RouteDraft<AsgiRouteContext>, evidence: Evidence[]): Decision => {
    const state = stateLimiter.get(app.site.key);
    const where = { file: app.site.ctx.mod.file, line: lineOf(app.site.call.loc) };
    if (!state) {
      evidence.push({ ...where, message: 'SlowAPIMiddleware is installed but `app.state.limiter` is never set: every request fails with 500', concern: 'limiter-not-wired' });
      return { limits: [], unknown: true };
    }
    const infos = state.values.map((v) => (isLimiter(v) ? limiters.get(v.site.key) : undefined));
    if (!infos.length || infos.some((i) => !i)) {
      evidence.push({ ...state.at, message: '`app.state.limiter` could not be resolved to a slowapi Limiter' });
      return { limits: [], unknown: true };
    }
    // `app.state.limiter` set to one of several limiters (on the arms of an `if`): one runs, so the route is limited
    // as they all limit it, or it is decided at run time.
    const distinct = [...new Set(infos as LimiterInfo[])];
    const each = distinct.map((info) => limiterMiddleware(info, inner, where, draft, evidence));
    const [first] = each;
    const rates = (d: Decision): string => d.limits.map(rateLabel).sort().join();
    if (each.some((d) => d.unknown || rates(d) !== rates(first)) && each.length > 1) {
      const places = distinct.map(({ instance: { site } }) => `${site.ctx.mod.file}:${lineOf(site.call.loc)}`);
      evidence.push({ ...state.at, message: `\`app.state.limiter\` may be any of ${distinct.length} limiters (${places.join(', ')}), chosen at run time, which do not limit this route alike` });
      return { limits: [], unknown: true };
    }
    return first;
  };

  /** What SlowAPIMiddleware on an app whose `app.state.limiter` is `info` applies to the route: its default and application limits. */
  const limiterMiddleware = (info: LimiterInfo, inner: Hop[], where: SourceRef, draft: RouteDraft<AsgiRouteContext>, evidence: Evidence[]): Decision => {
    project.replay(info.assumed);
    if (info.off) {
      evidence.push(info.off);
      return { limits: [] };
    }
    if (!info.defaults.length && !info.application.length) return { limits: [] };
    if (info.unsure) {
      evidence.push(info.unsure);
      return { limits: [], unknown: true };
    }
    if (inner.some((h) => h.via === 'mount')) {
      evidence.push({ ...where, message: 'SlowAPIMiddleware skips routes under Mount/app.mount: default and application limits do not apply' });
      return { limits: [] };
    }
    if (inner.some((h) => h.via === 'include')) {
      const side = versionSide(project.metadata.packages.get('fastapi'), FASTAPI_INCLUDED_ROUTER_WRAPPERS);
      if (side === 'at-or-above') {
        evidence.push({ ...where, message: 'on FastAPI ≥ 0.137 SlowAPIMiddleware does not find routes added by include_router, so default limits do not apply' });
        return { limits: [] };
      }
      if (side === 'unknown') {
        evidence.push({ ...where, message: 'default limits reach include_router routes only on FastAPI < 0.137; pin or lock the FastAPI version to decide' });
        return { limits: [], unknown: true };
      }
    }
    const application = collect(info, info.application, evidence);
    const defaults = collect(info, info.defaults, evidence);
    if (application.limits.length || defaults.limits.length) evidence.push(...info.concerns, ...info.key, ...answerConcerns(info, draft.context.hops, false));
    // Application limits count in one global scope; default limits per route.
    if (defaults.limits.length) evidence.push(...perUrlConcerns(info, draft.route.path));
    return { limits: [...application.limits, ...defaults.limits], unknown: application.unknown || defaults.unknown };
  };

  const runs = dependencyRunner(project);
  /** Functions with `@limiter.limit` that the route's dependencies call (kfchess-cc's `create_rate_limit_dependency`), with their limits. */
  const limitedCalls = (context: AsgiRouteContext): (DependencyCall & { ref: FunctionRef; placed: Placed[] })[] =>
    routeDependencies(context)
      .flatMap(runs)
      .flatMap((call) => call.values.flatMap((v) => (v.kind === 'function' ? [{ ...call, ref: v.ref, placed: declared(v.ref.fn.decorators.map((expr) => ({ expr, ctx: functionCtx(v.ref.mod, v.ref.fn) }))) }] : [])))
      .filter((c) => c.placed.length);

  /**
   * A route whose dependencies call limited functions. slowapi checks a request once, with the limits of the first
   * limited function it runs (it marks the request checked): dependencies run before the endpoint, so the endpoint's
   * own limit is skipped. SlowAPIMiddleware still applies the defaults to an endpoint that no limit decorator marks.
   */
  const calledVerdict = (
    draft: RouteDraft<AsgiRouteContext>,
    method: string,
    called: ReturnType<typeof limitedCalls>,
    { placed, marked }: { placed: Placed[]; marked: boolean },
    evidence: Evidence[],
  ): Decision => {
    const functions = [...new Set(called.map((c) => c.ref.fn))];
    const first = called[0];
    if (functions.length > 1) {
      const named = [...new Set(called.map((c) => `\`${c.ref.fn.qualname}\` (${c.ref.mod.file}:${lineOf(c.ref.fn.loc)})`))];
      evidence.push({ file: first.ref.mod.file, line: lineOf(first.ref.fn.loc), message: `slowapi checks a request once, with the limits of the first \`@limiter.limit\` function it runs, and this route's dependencies call several (${named.join(', ')}): which runs first is not read` });
      return { limits: [], unknown: true };
    }
    const mayNotRun = called.find((c) => c.mayNotRun)?.mayNotRun;
    if (mayNotRun) {
      evidence.push({ file: first.ref.mod.file, line: lineOf(first.ref.fn.loc), message: `\`${first.ref.fn.qualname}\`, which has slowapi's \`@limiter.limit\`, ${mayNotRun}: whether it runs for a request is not read` });
      return { limits: [], unknown: true };
    }
    project.replay(called.flatMap((c) => c.assumed ?? []));
    for (const d of placed) evidence.push({ file: d.file, line: d.line, message: `skipped: slowapi checks a request once, and the dependency's \`${first.ref.fn.qualname}\` checks it before the endpoint runs` });
    const verdict = decoratedVerdict(draft, method, first.placed, evidence, first.ref);
    if (marked) return verdict;
    const middleware = middlewareVerdict(draft, evidence);
    return { limits: [...middleware.limits, ...verdict.limits], unknown: !!middleware.unknown || !!verdict.unknown };
  };

  return {
    protect(draft, method) {
      return contribution((evidence) => {
        const { decorators, misplaced } = draft.context;
        const placed = declared(decorators);
        const voided = declared(misplaced);
        if (draft.route.kind === 'websocket') {
          if (placed.length || voided.length) evidence.push({ file: draft.route.file, line: draft.route.line, message: 'slowapi does not limit WebSocket endpoints' });
          return undefined;
        }
        const exempt = exemptIn([...decorators, ...misplaced]);
        if (exempt) {
          evidence.push(exempt);
          if (placed.length || voided.length) evidence.push({ ...exempt, message: '`@limiter.exempt` together with `@limiter.limit` makes every request fail with 500 (slowapi 0.1.9)' });
          return { limits: [], exempt: true };
        }
        for (const d of voided) {
          evidence.push({ file: d.file, line: d.line, message: 'limit decorator sits above the route decorator: the registered endpoint is undecorated, so this limit never runs and SlowAPIMiddleware skips the route', concern: 'decorator-order' });
        }
        const called = limitedCalls(draft.context);
        if (called.length) return calledVerdict(draft, method, called, { placed, marked: placed.length + voided.length > 0 }, evidence);
        if (voided.length && !placed.length) return { limits: [] };
        if (placed.length) return decoratedVerdict(draft, method, placed, evidence, draft.context.handler);
        return middlewareVerdict(draft, evidence);
      });
    },
  };
};

export const slowapi: AsgiLibrary = {
  descriptor: DESCRIPTOR,
  resolver,
};
