/**
 * Flask-Limiter protection of Flask routes, following `LimitManager.resolve_limits` (3.x):
 * decorated limits (`@limiter.limit`, `shared_limit`, class `decorators`, `method_decorators`,
 * `limiter.limit(...)(view)` wrappers) override blueprint limits (`limiter.limit(...)(bp)`, inherited by
 * nested blueprints), which override `default_limits` (per endpoint); `application_limits` (one shared
 * counter) apply unless exempt. A limiter enforces nothing until bound with `app=` or `init_app`, nor when
 * `enabled=False` / `RATELIMIT_ENABLED = False`. Limit decorators above the route decorator never run
 * (≥ 2.1) and suppress default and blueprint limits. `@limiter.exempt` drops the view's own limits and, per its
 * flags, default and application ones; its blueprint's limits still count (≥ 2.3). Anything dynamic makes the
 * answer `unknown`.
 * Each limiter bound to an app also gives its limits an algorithm (`strategy`) and its routes concerns for the
 * rules: per-process storage, fail-open errors, over-limit answers without Retry-After or 429, client-chosen
 * keys and exemption conditions.
 * Upstream: https://flask-limiter.readthedocs.io/en/stable/recipes.html
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, dottedName, exprLine, kwarg, lineOf, locAt } from '../../python/ir';
import { Project, sameSite, type Assumption, type Ctx, type Memo, type Value } from '../../python/project';
import { PRINCIPALS, type Algorithm, type Evidence, type Limit, type SourceRef } from '../../model';
import { versionSide } from '../../manifests';
import { callSites, calling, functionCtx, setsAttribute, type CallSite, type Decorator, type RouteDraft } from '../common';
import { contribution, type Contribution, type Decision, type LibraryResolver } from '../protection';
import {
  appliedLimit, countedPerClient, declareRate, enabledWritten, settledAlternatives, unsettled, failsOpen, knownLimits, noRetryAfter, perProcessStorage, perRequestOption, rateList, staticValue, strategyAlgorithm, writtenSetting, type AppliedLimit,
  type DeclaredLimit, type FoundSetting, type LimitCallShape, type PerRequestOption, type PerRequestUse,
} from '../limits-family';
import { flaskRequestFacts } from './callables';
import { otherThan429, type Answering } from '../over-limit-answer';
import { conditionConcerns, FLASK_REQUEST, keyConcerns, type KeyOption } from '../client-input';
import { callableBody } from '../callable-body';
import { calledValue } from '../../python/profile';
import { isApp, isQuartApp, type FlaskRouteContext, type FlaskView } from './routes';
import { addTo } from '../../collections';
import { FlaskAppConfig } from './app-config';
import { parseLimitsNotation } from '../../ratelimit/grammar';
import { appBuilderSites, viewLimits } from './appbuilder-limits';
import type { FlaskLibrary } from '.';
import type { LibraryDescriptor } from '../library';

const LIMITER_CLASSES = ['flask_limiter.Limiter', 'flask_limiter.extension.Limiter'];
// Flask-AppBuilder's AUTH_RATE_LIMIT where the config sets none.
const DEFAULT_AUTH_RATE = '10 per 20 second';

// The names Flask-Limiter gives its configuration keys (SimpleLogin's `app.config[flask_limiter.extension.C.STORAGE_URL]`):
// 1.x and early 2.x's `extension.C`, then `constants.ConfigVars`, which `extension` imports.
const CLASS_C_KEYS: Record<string, string> = {
  ENABLED: 'ENABLED', HEADERS_ENABLED: 'HEADERS_ENABLED', STORAGE_URL: 'STORAGE_URL', STORAGE_OPTIONS: 'STORAGE_OPTIONS', STRATEGY: 'STRATEGY',
  GLOBAL_LIMITS: 'GLOBAL', DEFAULT_LIMITS: 'DEFAULT', DEFAULT_LIMITS_PER_METHOD: 'DEFAULTS_PER_METHOD', DEFAULT_LIMITS_EXEMPT_WHEN: 'DEFAULTS_EXEMPT_WHEN',
  DEFAULT_LIMITS_DEDUCT_WHEN: 'DEFAULTS_DEDUCT_WHEN', APPLICATION_LIMITS: 'APPLICATION', HEADER_LIMIT: 'HEADER_LIMIT', HEADER_REMAINING: 'HEADER_REMAINING',
  HEADER_RESET: 'HEADER_RESET', SWALLOW_ERRORS: 'SWALLOW_ERRORS', IN_MEMORY_FALLBACK: 'IN_MEMORY_FALLBACK', IN_MEMORY_FALLBACK_ENABLED: 'IN_MEMORY_FALLBACK_ENABLED',
  HEADER_RETRY_AFTER: 'HEADER_RETRY_AFTER', HEADER_RETRY_AFTER_VALUE: 'HEADER_RETRY_AFTER_VALUE', KEY_PREFIX: 'KEY_PREFIX',
};
const CONFIG_VARS_KEYS: Record<string, string> = {
  ENABLED: 'ENABLED', KEY_FUNC: 'KEY_FUNC', KEY_PREFIX: 'KEY_PREFIX', FAIL_ON_FIRST_BREACH: 'FAIL_ON_FIRST_BREACH', ON_BREACH: 'ON_BREACH_CALLBACK',
  SWALLOW_ERRORS: 'SWALLOW_ERRORS', APPLICATION_LIMITS: 'APPLICATION', APPLICATION_LIMITS_PER_METHOD: 'APPLICATION_PER_METHOD',
  APPLICATION_LIMITS_EXEMPT_WHEN: 'APPLICATION_EXEMPT_WHEN', APPLICATION_LIMITS_DEDUCT_WHEN: 'APPLICATION_DEDUCT_WHEN', APPLICATION_LIMITS_COST: 'APPLICATION_COST',
  DEFAULT_LIMITS: 'DEFAULT', DEFAULT_LIMITS_PER_METHOD: 'DEFAULTS_PER_METHOD', DEFAULT_LIMITS_EXEMPT_WHEN: 'DEFAULTS_EXEMPT_WHEN',
  DEFAULT_LIMITS_DEDUCT_WHEN: 'DEFAULTS_DEDUCT_WHEN', DEFAULT_LIMITS_COST: 'DEFAULTS_COST', REQUEST_IDENTIFIER: 'REQUEST_IDENTIFIER', STRATEGY: 'STRATEGY',
  STORAGE_URI: 'STORAGE_URI', STORAGE_OPTIONS: 'STORAGE_OPTIONS', HEADERS_ENABLED: 'HEADERS_ENABLED', HEADER_LIMIT: 'HEADER_LIMIT',
  HEADER_REMAINING: 'HEADER_REMAINING', HEADER_RESET: 'HEADER_RESET', HEADER_RETRY_AFTER: 'HEADER_RETRY_AFTER', HEADER_RETRY_AFTER_VALUE: 'HEADER_RETRY_AFTER_VALUE',
  IN_MEMORY_FALLBACK: 'IN_MEMORY_FALLBACK', IN_MEMORY_FALLBACK_ENABLED: 'IN_MEMORY_FALLBACK_ENABLED', META_LIMITS: 'META', ON_META_BREACH: 'ON_META_BREACH_CALLBACK',
};
const configKeys = (owner: string, keys: Record<string, string>): [string, string][] => Object.entries(keys).map(([name, key]) => [`${owner}.${name}`, `RATELIMIT_${key}`]);

const DESCRIPTOR: LibraryDescriptor = {
  id: 'flask-limiter',
  name: 'Flask-Limiter',
  distribution: 'flask-limiter',
  packages: ['flask_limiter'],
  debian: 'python3-flask-limiter',
  limiterClasses: LIMITER_CLASSES,
  spoofableKeyFunctions: ['flask_limiter.util.get_ipaddr'],
  grammar: { parse: parseLimitsNotation, order: 'unit' }, // it checks the limits of one string by their unit word
  counting: 'fixed-window',
  rejection: { status: 429, retryAfter: true },
  constants: Object.fromEntries([
    ...configKeys('flask_limiter.extension.C', CLASS_C_KEYS),
    ...['flask_limiter.constants.ConfigVars', 'flask_limiter.extension.ConfigVars'].flatMap((owner) => configKeys(owner, CONFIG_VARS_KEYS)),
  ]),
};

type Instance = Extract<Value, { kind: 'instance' }>;

// 1.x positional order: limit_value, key_func, per_method, methods, error_message, exempt_when, override_defaults.
const KEY_FUNC: KeyOption = { option: 'key_func', library: DESCRIPTOR, skipsEmpty: true };
const FLASK_LIMITER: LimitCallShape = { library: DESCRIPTOR, methodsAt: 3, overrideAt: 6 };
const ERROR_HANDLER: Answering = { who: 'the 429 handler', kind: 'handler' };
const ON_BREACH: Answering = { who: 'the `on_breach` callback', kind: 'on_breach' };
const TOO_MANY_REQUESTS = /(^|\.)(RateLimitExceeded|TooManyRequests)$/;

// The limiter's methods a statement calls that statementSite reads.
const LIMITER_METHODS = ['init_app', 'exempt', 'check', 'request_filter', 'register_error_handler'];
const isLimiter = (v: Value): v is Instance => Project.isInstance(v, LIMITER_CLASSES);

type ExemptionScope = 'APPLICATION' | 'DEFAULT' | 'META' | 'ANCESTORS' | 'DESCENDENTS';
const EXEMPTION_SCOPES: readonly string[] = ['APPLICATION', 'DEFAULT', 'META', 'ANCESTORS', 'DESCENDENTS'];
const DEFAULT_EXEMPTION: ExemptionScope[] = ['APPLICATION', 'DEFAULT', 'META'];

interface Exemption {
  scopes?: Set<ExemptionScope>;
  evidence: Evidence;
}

/** `ExemptionScope.APPLICATION | ExemptionScope.DEFAULT` as written; undefined for anything else. */
function exemptionScopes(flags: Expr): Set<ExemptionScope> | undefined {
  const text = flags.k === 'attr' || flags.k === 'name' ? dottedName(flags) : flags.k === 'other' ? flags.text : undefined;
  const names = text?.split('|').map((part) => part.trim().split('.').pop() ?? '');
  return names?.every((n) => EXEMPTION_SCOPES.includes(n)) ? new Set(names as ExemptionScope[]) : undefined;
}

interface Binding {
  app?: Instance;
  unresolved?: string;
  at: Evidence;
  runs: string; // the body it runs in: its module and scope (see enabledOn)
  inBranch: boolean; // in an arm of an `if` or `match` the profile does not decide
}

interface LimiterInfo {
  instance: Instance;
  bindings: Binding[];
  defaults: DeclaredLimit[];
  application: DeclaredLimit[];
  enabled?: boolean | SourceRef; // constructor `enabled=`: its value, or where it stands when that is not static
  defaultsExemptWhen?: PerRequestOption; // `default_limits_exempt_when`
  defaultsCondition?: Evidence[]; // `default_limits_exempt_when` reading client input
  autoCheckOff?: SourceRef; // constructor `auto_check=False`
  checked: boolean; // `limiter.check()` is called somewhere
  keyFunc?: Decorator; // first positional (3.x) or `key_func=`
  requestFilters: Value[][]; // what each `request_filter` callable resolves to
  assumed?: Assumption[]; // what reading the constructor assumed (`enabled=settings.X` with a default)
  appBuilder?: true; // Flask-AppBuilder's limiter, at its AppBuilder (see appbuilder-limits.ts)
}

/** A declared limit with the concerns its own `key_func=`, `exempt_when=` and `on_breach=` raise, and what it runs per request. */
type FlaskLimit = DeclaredLimit & { concerns?: Evidence[]; ownKey?: boolean; perRequest?: PerRequest };

/** A limit's `exempt_when` and `cost`, as Flask-Limiter runs them per request. */
type PerRequest = Pick<PerRequestUse, 'exemptWhen' | 'cost'>;

/** What a limiter bound to an app does to every limit it counts there. */
interface Posture {
  algorithm?: Algorithm;
  concerns: Evidence[]; // storage, failure mode, over-limit answers, request filters
  keyConcerns: Evidence[]; // the limiter's key function, for limits without a key function of their own
}

/** A limiter setting as written in the constructor or the app config. */
interface Setting {
  values: Value[];
  at: SourceRef;
  name: string; // the keyword or config key
  fromConfig: boolean;
}

export const flaskLimiter: FlaskLibrary = {
  descriptor: DESCRIPTOR,
  // undefined when the project creates no limiter
  resolver(project) {
    const resolver = new FlaskLimiterResolver(project);
    return resolver.limiterCount ? resolver : undefined;
  },
};

class FlaskLimiterResolver implements LibraryResolver<FlaskRouteContext> {
  private readonly limiters = new Map<string, LimiterInfo>();
  private readonly blueprintLimits = new Map<string, DeclaredLimit[]>();
  private readonly blueprintExempt = new Map<string, Evidence>();
  private readonly config: FlaskAppConfig;
  private readonly breachHandlers = new Map<string, Evidence[]>(); // app site → 429 handlers answering another status
  private readonly postures: Memo<string, Posture> = new Map(); // limiter site + app site → posture
  private readonly limitOptions = new Map<CallExpr, Pick<FlaskLimit, 'concerns' | 'ownKey' | 'perRequest'>>();
  private readonly decoratorLimits = new Map<Expr, FlaskLimit[]>();
  private readonly viewLimitsMemo: Memo<string, DeclaredLimit[]> = new Map(); // Flask-AppBuilder views' limits, by limiter and view
  private readonly enabledWrites: CallSite[]; // `limiter.enabled = ...`

  constructor(private readonly project: Project) {
    this.config = new FlaskAppConfig(project);
    this.enabledWrites = callSites(project, (call) => setsAttribute(call, 'enabled'));
    for (const site of callSites(project, (call) => !!dottedName(call.fn)?.endsWith('Limiter'))) this.constructorSite(site);
    for (const { instance, bindings } of appBuilderSites(project)) {
      const info: LimiterInfo = { instance, bindings: [], defaults: [], application: [], enabled: false, checked: false, requestFilters: [], appBuilder: true };
      for (const { app, ctx, call } of bindings) this.bind(info, app, ctx, call);
      this.limiters.set(instance.site.key, info);
    }
    // `limiter.init_app(app)`, `limiter.limit("10/hour")(bp)`, `limiter.exempt(bp)`, ...: see statementSite.
    for (const site of callSites(project, (call) => (call.fn.k === 'call' ? call.args.length === 1 : calling(call, LIMITER_METHODS)))) this.statementSite(site);
    this.decoratedFunctions();
  }

  get limiterCount(): number {
    return this.limiters.size;
  }

  private constructorSite(site: CallSite): void {
    const { value: info, assumed } = this.project.captured(() => this.limiterInfo(site));
    if (info) this.limiters.set(info.instance.site.key, { ...info, assumed });
  }

  private limiterInfo({ call, ctx }: CallSite): LimiterInfo | undefined {
    const instance = this.project.resolve(call, ctx).find(isLimiter);
    if (!instance || this.limiters.has(instance.site.key)) return undefined;
    const key = instance.site.key;
    // 3.x: `Limiter(key_func, app=app)`; 1.x/2.x: `Limiter(app, key_func=...)`.
    const appArg = kwarg(call, 'app') ?? call.args.find((a) => this.project.resolve(a, ctx).some(isApp));
    const keyFunc = kwarg(call, 'key_func') ?? (call.args[0] !== appArg ? call.args[0] : undefined);
    const info: LimiterInfo = {
      instance,
      bindings: [],
      defaults: rateList(this.project, kwarg(call, 'default_limits') ?? kwarg(call, 'global_limits'), ctx, key, DESCRIPTOR, 'default'),
      application: rateList(this.project, kwarg(call, 'application_limits'), ctx, key, DESCRIPTOR, 'application'),
      checked: false,
      keyFunc: keyFunc && { expr: keyFunc, ctx },
      requestFilters: [],
    };
    const enabled = kwarg(call, 'enabled');
    if (enabled) info.enabled = staticBool(this.project.resolve(enabled, ctx)) ?? { file: ctx.mod.file, line: exprLine(enabled, lineOf(call.loc)) };
    const defaultsCondition = kwarg(call, 'default_limits_exempt_when');
    if (defaultsCondition) {
      const values = this.project.resolve(defaultsCondition, ctx);
      info.defaultsExemptWhen = perRequestOption(this.project, defaultsCondition, ctx, lineOf(call.loc));
      info.defaultsCondition = conditionConcerns(values, 'default_limits_exempt_when', FLASK_REQUEST);
    }
    const autoCheck = kwarg(call, 'auto_check');
    if (autoCheck?.k === 'bool' && !autoCheck.v) info.autoCheckOff = { file: ctx.mod.file, line: exprLine(autoCheck, lineOf(call.loc)) };
    if (appArg && appArg.k !== 'none') this.bind(info, appArg, ctx, call);
    return info;
  }

  private statementSite({ call, ctx }: CallSite): void {
    const fn = call.fn;
    if (fn.k === 'attr' && fn.name === 'init_app') {
      for (const limiter of this.project.resolve(fn.obj, ctx).filter(isLimiter)) {
        const info = this.limiters.get(limiter.site.key);
        if (info && call.args[0]) this.bind(info, argument(call, 0, 'app')!, ctx, call);
      }
    }
    // `limiter.limit("10/hour")(bp)` / `limiter.shared_limit(...)(bp)` / `limiter.exempt(bp)`
    if (fn.k === 'call' && call.args.length === 1) {
      const declared = this.limitDecorator(fn, ctx);
      if (declared) {
        for (const bp of this.project.resolve(call.args[0], ctx).filter((v): v is Instance => v.kind === 'instance')) {
          addTo(this.blueprintLimits, bp.site.key, ...declared);
        }
      }
    }
    if (fn.k === 'attr' && fn.name === 'exempt' && call.args.length === 1 && this.project.resolve(fn.obj, ctx).some(isLimiter)) {
      for (const bp of this.project.resolve(call.args[0], ctx).filter((v): v is Instance => v.kind === 'instance')) {
        this.blueprintExempt.set(bp.site.key, this.at(ctx, call, '`limiter.exempt(blueprint)` drops default and application limits'));
      }
    }
    if (fn.k === 'attr' && (fn.name === 'check' || fn.name === 'request_filter')) {
      for (const limiter of this.project.resolve(fn.obj, ctx).filter(isLimiter)) {
        const info = this.limiters.get(limiter.site.key);
        if (info && fn.name === 'check') info.checked = true;
        if (info && fn.name === 'request_filter' && call.args[0]) info.requestFilters.push(this.project.resolve(call.args[0], ctx));
      }
    }
    if (fn.k === 'attr' && fn.name === 'register_error_handler' && call.args[1]) {
      this.breachHandler(fn.obj, call.args[0], this.project.resolve(call.args[1], ctx), ctx);
    }
  }

  /** `@limiter.request_filter` functions and `@app.errorhandler(429)` handlers. */
  private decoratedFunctions(): void {
    for (const mod of this.project.modules) {
      for (const fn of mod.functions) {
        const ctx = functionCtx(mod, fn);
        const self: Value[] = [{ kind: 'function', ref: { mod, fn } }];
        for (const dec of fn.decorators) {
          if (dec.k === 'attr' && dec.name === 'request_filter') {
            for (const limiter of this.project.resolve(dec.obj, ctx).filter(isLimiter)) {
              this.limiters.get(limiter.site.key)?.requestFilters.push(self);
            }
          } else if (dec.k === 'call' && dec.fn.k === 'attr' && dec.fn.name === 'errorhandler' && dec.args[0]) {
            this.breachHandler(dec.fn.obj, dec.args[0], self, ctx);
          }
        }
      }
    }
  }

  /** `app.errorhandler(429)` / `app.register_error_handler(RateLimitExceeded, handler)`: remembered when it answers another status. */
  private breachHandler(owner: Expr, code: Expr, handler: Value[], ctx: Ctx): void {
    const handles429 = code.k === 'num' ? code.v === 429 : this.project.resolve(code, ctx).some((v) => v.kind === 'external' && TOO_MANY_REQUESTS.test(v.qname));
    const answer = handles429 ? otherThan429(handler, ERROR_HANDLER) : undefined;
    if (!answer) return;
    for (const app of this.project.resolve(owner, ctx).filter(isApp)) {
      addTo(this.breachHandlers, app.site.key, answer);
    }
  }

  private bind(info: LimiterInfo, appExpr: Expr, ctx: Ctx, call: CallExpr): void {
    const at = this.at(ctx, call, '');
    const where = { runs: `${ctx.mod.file}\0${ctx.scope}`, inBranch: ctx.mod.arms.some((a) => a.from <= at.line && at.line <= a.to) };
    const apps = this.project.resolve(appExpr, ctx);
    for (const app of apps) {
      if (isApp(app)) info.bindings.push({ app, at, ...where });
      else info.bindings.push({ unresolved: `\`${Project.describe(appExpr)}\` could not be resolved to a Flask app`, at, ...where });
    }
  }



  private at(ctx: Ctx, call: CallExpr, message: string): Evidence {
    return { file: ctx.mod.file, line: lineOf(call.loc), message };
  }

  private limitDecorator(expr: Expr, ctx: Ctx): FlaskLimit[] | undefined {
    const applied = appliedLimit(this.project, expr, ctx, isLimiter, FLASK_LIMITER);
    if (!applied) return undefined;
    // Read once per call, unless a decorator factory's arguments are bound in (see appliedDecorator).
    const shared = !applied.ctx.env;
    let options = shared ? this.limitOptions.get(applied.call) : undefined;
    if (!options) {
      options = this.readLimitOptions(applied);
      if (shared) this.limitOptions.set(applied.call, options);
    }
    return applied.declared.map((d) => ({ ...d, ...options }));
  }

  /** What a limit call's `key_func`, `exempt_when`, `cost` and `on_breach` do. */
  private readLimitOptions({ call, ctx }: AppliedLimit): Pick<FlaskLimit, 'concerns' | 'ownKey' | 'perRequest'> {
    const keyFunc = kwarg(call, 'key_func');
    const exemptWhen = kwarg(call, 'exempt_when');
    const cost = kwarg(call, 'cost');
    const onBreach = kwarg(call, 'on_breach');
    const at = { file: ctx.mod.file, line: lineOf(call.loc) };
    const concerns = [
      ...(keyFunc ? keyConcerns(this.project.resolve(keyFunc, ctx), at, FLASK_REQUEST, KEY_FUNC) : []),
      ...(exemptWhen ? conditionConcerns(this.project.resolve(exemptWhen, ctx), 'exempt_when', FLASK_REQUEST) : []),
      ...(cost ? conditionConcerns(this.project.resolve(cost, ctx), 'cost', FLASK_REQUEST) : []),
      onBreach && otherThan429(this.project.resolve(onBreach, ctx), ON_BREACH),
    ].filter((e): e is Evidence => !!e);
    const perRequest = { exemptWhen: perRequestOption(this.project, exemptWhen, ctx, at.line), cost: perRequestOption(this.project, cost, ctx, at.line) };
    return { concerns, ownKey: !!keyFunc, perRequest };
  }

  /**
   * `@limiter.exempt` / `@limiter.exempt(flags=...)` on the view. It always drops the view's own limits; `flags`
   * (from 2.4; default APPLICATION | DEFAULT | META) say which others it drops. `scopes` is undefined when unreadable.
   */
  private exemption(decorators: Decorator[]): Exemption | undefined {
    for (const { expr, ctx } of decorators) {
      const target = expr.k === 'call' ? expr.fn : expr;
      if (target.k !== 'attr' || target.name !== 'exempt' || !this.project.resolve(target.obj, ctx).some(isLimiter)) continue;
      const flags = expr.k === 'call' ? kwarg(expr, 'flags') : undefined;
      const scopes = flags ? exemptionScopes(flags) : new Set(DEFAULT_EXEMPTION);
      const others = scopes ? (['DEFAULT', 'APPLICATION'] as const).filter((s) => scopes.has(s)).map((s) => s.toLowerCase()) : [];
      const also = scopes ? (others.length ? ` and the ${others.join(' and ')} ones` : '') : ' and whatever its `flags` name';
      const message = `\`@limiter.exempt\` removes this view's own limits${also}`;
      return { scopes, evidence: { file: ctx.mod.file, line: exprLine(expr, ctx.line), message, concern: 'exempt' } };
    }
    return undefined;
  }

  /** Each decorator read once: a view under many route decorators is protected once per route. */
  private decorated(decorators: Decorator[]): FlaskLimit[] {
    return decorators.flatMap(({ expr, ctx }) => {
      if (!this.decoratorLimits.has(expr)) this.decoratorLimits.set(expr, this.limitDecorator(expr, ctx) ?? []);
      return this.decoratorLimits.get(expr)!;
    });
  }

  protect(draft: RouteDraft<FlaskRouteContext>, method: string): Contribution {
    return contribution((evidence) => this.methodVerdict(draft.context, method, evidence));
  }

  private methodVerdict(context: FlaskRouteContext, method: string, evidence: Evidence[]): Decision {
    const { view } = context;
    if (view.unreadDecorators) {
      evidence.push({ file: view.handlerRef.file, line: view.handlerRef.line, message: view.unreadDecorators });
      return { limits: [], unknown: true };
    }
    const app = context.app!;
    const verb = method.toLowerCase();
    const version = this.project.metadata.packages.get('flask-limiter');
    let exemptionNote: Evidence | undefined;
    const exemption = this.exemption([...view.viewDecorators, ...view.misplacedDecorators, ...(view.methodDecorators.get(verb) ?? [])]);
    if (exemption) {
      // Before 2.3 a route exemption dropped every limit, its blueprint's too (run on 1.5 to 4.1.1).
      if (versionSide(version, '2.3') === 'below') {
        evidence.push({ ...exemption.evidence, message: '`@limiter.exempt` removes every limit from this view (Flask-Limiter before 2.3)' });
        return { limits: [], exempt: true };
      }
      // Said as an exemption (AP008) only where it leaves the route exempt, not where a blueprint's limits still count.
      exemptionNote = { ...exemption.evidence, concern: undefined };
      evidence.push(exemptionNote);
    }
    // Before 2.1 Flask-Limiter also ran a limit decorator written above the route decorator (run on 1.5, 2.0.4, 2.1).
    const orderTolerated = versionSide(version, '2.1') === 'below';
    const checks = (limiter: string): boolean | undefined => this.checksOn(limiter, app);
    const own = (decorators: Decorator[]): FlaskLimit[] => (exemption ? [] : settledAlternatives(this.decorated(decorators), checks));
    // Unreadable flags: the defaults and application limits they may drop are not counted, and the verdict stays open.
    const dropped = (scope: ExemptionScope): boolean => !!exemption && (exemption.scopes?.has(scope) ?? true);
    const viewLimits = own(orderTolerated ? [...view.viewDecorators, ...view.misplacedDecorators] : view.viewDecorators);
    const methodLimits = own(view.methodDecorators.get(verb) ?? []);
    const misplaced = orderTolerated ? [] : own(view.misplacedDecorators);
    const hintedElsewhere = [...view.methodDecorators].some(([v, decs]) => v !== verb && this.decorated(decs).length > 0);
    for (const m of misplaced) {
      const where = m.limit ?? m.invalid;
      if (where) evidence.push({ file: where.file, line: where.line, message: 'limit decorator sits above the route decorator: Flask registered the undecorated view, so from Flask-Limiter 2.1 this limit never runs and default/blueprint limits are suppressed', concern: 'decorator-order' });
    }
    for (const d of [...viewLimits, ...methodLimits]) if (d.invalid) evidence.push(d.invalid);

    const limits: Limit[] = [];
    let unknown = false;
    for (const info of this.limiters.values()) {
      const state = this.limiterState(info, app);
      if (state.kind !== 'unbound') this.project.replay(info.assumed);
      const mine = (list: DeclaredLimit[]): DeclaredLimit[] => list.filter((d) => d.limiter === info.instance.site.key);
      const declaredHere = mine([...viewLimits, ...methodLimits, ...misplaced]);
      // A Flask-AppBuilder view's limits are its blueprint's (see appbuilder-limits.ts).
      const viewBlueprint = view.appBuilder?.builder === info.instance.site.key ? this.appBuilderViewLimits(view.appBuilder, info, app, method) : undefined;
      const usesThis = declaredHere.length > 0 || context.blueprints.some((bp) => mine(this.blueprintLimits.get(bp.site.key) ?? []).length) || !!viewBlueprint?.length;
      if (state.kind !== 'bound') {
        // A limiter off or in doubt says so where its limits would apply, not on routes it never limits.
        if (usesThis || (state.kind !== 'unbound' && this.hasOwnLimits(info, app))) evidence.push(state.evidence, ...unsettled(declaredHere));
        if (state.kind === 'unknown' && (usesThis || info.defaults.length || info.application.length)) unknown = true;
        continue;
      }
      const posture = this.posture(info, app);
      const counted = limits.length;
      let limiterKeyed = false;
      const applying = mine([...viewLimits, ...methodLimits]).filter((d) => !d.limit?.methods || d.limit.methods.includes(method));
      const collect = (declared: FlaskLimit[]): void => {
        for (const d of declared) {
          const known = knownLimits(this.project, [d], evidence, this.calledBy(method));
          const counted = known.limits.map((l) => countedPerClient(this.project, l, method, { ...d.perRequest, facts: this.calledBy(method), zeroCostCountsOne: true }, evidence));
          // The methods this limit covers here, and how the limiter counts it.
          const found = counted.flatMap((c) => c.limits);
          limits.push(...found.map((l) => ({ ...l, methods: [method], ...(posture.algorithm && { algorithm: posture.algorithm }) })));
          if (found.length) {
            evidence.push(...(d.concerns ?? []));
            limiterKeyed ||= !d.ownKey;
          }
          unknown ||= known.unknown || counted.some((c) => c.unknown);
        }
      };
      collect(applying);
      const viewDecorated = mine(viewLimits).filter((d) => !d.invalid);
      const misplacedHere = mine(misplaced).length > 0;
      const blueprintApplies = !misplacedHere && (viewDecorated.length === 0 || viewDecorated.every((d) => !d.overrideDefaults));
      let blueprint = !blueprintApplies ? [] : viewBlueprint ?? this.inheritedBlueprintLimits(context, info.instance.site.key, checks);
      if (exemption && blueprint.length && versionSide(version, '2.3') === 'unknown') {
        evidence.push({ ...exemption.evidence, concern: undefined, message: "the blueprint's limits apply to an exempted view from Flask-Limiter 2.3 on, not before, and the declared versions do not tell which is installed" });
        unknown = true;
        blueprint = [];
      }
      collect(blueprint);
      const bpExempt = context.blueprints.map((bp) => this.blueprintExempt.get(bp.site.key)).find(Boolean);
      const considered = [...viewDecorated, ...blueprint.filter((d) => !d.invalid)];
      const defaultsApply =
        !misplacedHere && !bpExempt && !(hintedElsewhere && methodLimits.length === 0) && !dropped('DEFAULT') &&
        (considered.every((d) => d.limit?.methods && !d.limit.methods.includes(method)) || considered.every((d) => !d.overrideDefaults));
      if (hintedElsewhere && methodLimits.length === 0 && info.defaults.length) {
        evidence.push({ file: view.handlerRef.file, line: view.handlerRef.line, message: `only some methods of this class view are limited: once one of them has run, Flask-Limiter stops applying default limits to ${method}` });
      }
      if (defaultsApply) collect(this.defaults(info, app, evidence));
      if (bpExempt) evidence.push(bpExempt);
      else if (!dropped('APPLICATION')) collect(this.applicationLimits(info, app, evidence));
      limits.push(...this.filtered(info, method, limits.splice(counted), evidence));
      if (limits.length > counted) evidence.push(...(state.evidence.message ? [state.evidence] : []), ...posture.concerns, ...(limiterKeyed ? posture.keyConcerns : []));
    }
    if (exemption && !exemption.scopes && !limits.length) unknown = true;
    // Limits for one kind of client only leave the other open: not limited, and never `exempt`.
    const exempt = !!exemption && !limits.length;
    if (exempt && !unknown && exemptionNote) exemptionNote.concern = 'exempt';
    return { limits, unknown, exempt };
  }

  /** How Flask-Limiter calls a limit's callables for a `method` request: with no arguments, the request in Flask's proxy. */
  private calledBy(method: string): PerRequestUse['facts'] {
    return (principal) => (params) => (params.length ? undefined : flaskRequestFacts(this.project, method, principal));
  }

  /**
   * A limiter's limits for `method` as its `@limiter.request_filter` functions leave them: each run per kind of
   * client as a limit's `exempt_when` runs; a filter true for a kind of client skips every limit for it.
   */
  private filtered(info: LimiterInfo, method: string, limits: Limit[], evidence: Evidence[]): Limit[] {
    let kept = limits;
    for (const filter of info.requestFilters) {
      const body = callableBody(filter);
      if (!body || !kept.length) continue;
      const skips = PRINCIPALS.map((p) => calledValue(this.project, filter, this.calledBy(method)(p)));
      if (skips.some((s) => typeof s !== 'boolean') || skips.every((s) => !s)) continue;
      const counted = PRINCIPALS.filter((_, i) => !skips[i]);
      const who = counted.length ? (counted[0] === 'anonymous' ? 'signed-in users' : 'anonymous clients') : `every ${method} request`;
      evidence.push({ ...body.at, message: `the request filter${body.name ? ` \`${body.name}\`` : ''} skips every limit of this limiter for ${who}`, ...(counted.length && { concern: 'anonymous-only' as const }) });
      kept = kept.map((l) => ({ ...l, principals: (l.principals ?? PRINCIPALS).filter((p) => counted.includes(p)) })).filter((l) => l.principals.length);
    }
    return kept;
  }

  private inheritedBlueprintLimits(context: FlaskRouteContext, limiter: string, checks: (limiter: string) => boolean | undefined): DeclaredLimit[] {
    // The innermost blueprint with limits of its own wins over its ancestors.
    for (const bp of [...context.blueprints].reverse()) {
      const list = settledAlternatives(this.blueprintLimits.get(bp.site.key) ?? [], checks).filter((d) => d.limiter === limiter);
      if (list.length) return list.map((d) => (d.limit ? { ...d, limit: { ...d.limit, source: 'blueprint' } } : d));
    }
    return [];
  }

  /**
   * A Flask-AppBuilder view's limits (its blueprint's) where they count `method`: the project view's own, and on the
   * login view `AUTH_RATE_LIMIT` for POST where `AUTH_RATE_LIMITED` is set.
   */
  private appBuilderViewLimits({ view, login }: NonNullable<FlaskView['appBuilder']>, info: LimiterInfo, app: Instance, method: string): DeclaredLimit[] {
    const limiter = info.instance.site.key;
    const own = view ? this.project.remember(this.viewLimitsMemo, `${limiter}\0${view.mod.file}\0${view.cls.qualname}`, () => viewLimits(this.project, view, limiter, DESCRIPTOR)) : [];
    const declared = [...own, ...(login && method === 'POST' ? this.authLimit(app, limiter) : [])];
    return declared.filter((d) => !d.limit?.methods || d.limit.methods.includes(method));
  }

  /** `AUTH_RATE_LIMIT` (by default 10 per 20 seconds), where the config sets `AUTH_RATE_LIMITED = True`. */
  private authLimit(app: Instance, limiter: string): DeclaredLimit[] {
    const limited = this.config.value(app, 'AUTH_RATE_LIMITED');
    const at = limited.ambiguous ?? limited.at;
    if (!at) return [];
    const on = limited.value && staticBool(limited.value);
    if (on === false) return [];
    if (on === undefined) return [{ dynamic: '`AUTH_RATE_LIMITED` is not a static boolean', overrideDefaults: true, limiter, file: at.file, line: at.line }];
    const rate = this.config.value(app, 'AUTH_RATE_LIMIT');
    const [text, ...others] = rate.value ?? [];
    const meta = { library: DESCRIPTOR, source: 'blueprint' as const, scope: 'route' as const, line: (rate.at ?? at).line, conditions: [], overrideDefaults: true, methods: ['POST'] };
    if (rate.ambiguous || others.length || (text && (text.kind !== 'literal' || text.expr.k !== 'str'))) return [{ dynamic: '`AUTH_RATE_LIMIT` is not a static string', overrideDefaults: true, limiter, file: at.file, line: at.line }];
    // Unset, the rate is the security manager's default, read as if written where AUTH_RATE_LIMITED is.
    const written = text?.kind === 'literal' ? { expr: text.expr, ctx: text.ctx } : limited.expr!;
    const expr: Expr = text ? written.expr : { k: 'str', v: DEFAULT_AUTH_RATE, loc: locAt(at.line, 1) };
    return [declareRate(this.project, expr, written.ctx, limiter, meta)];
  }

  private defaults(info: LimiterInfo, app: Instance, evidence: Evidence[]): FlaskLimit[] {
    const defaults = info.defaults.length ? info.defaults : this.configLimits(app, 'RATELIMIT_DEFAULT', info.instance.site.key, 'default', evidence);
    const perRequest = { exemptWhen: info.defaultsExemptWhen, cost: this.cost(info, app, 'default_limits_cost', 'RATELIMIT_DEFAULTS_COST') };
    return defaults.map((d) => ({ ...d, perRequest, ...(info.defaultsCondition?.length && { concerns: info.defaultsCondition }) }));
  }

  /** Whether the limiter has default or application limits for this app, so every route would have some. */
  private hasOwnLimits(info: LimiterInfo, app: Instance): boolean {
    return this.defaults(info, app, []).length > 0 || this.applicationLimits(info, app, []).length > 0;
  }

  private applicationLimits(info: LimiterInfo, app: Instance, evidence: Evidence[]): FlaskLimit[] {
    const application = info.application.length ? info.application : this.configLimits(app, 'RATELIMIT_APPLICATION', info.instance.site.key, 'application', evidence);
    const perRequest = { cost: this.cost(info, app, 'application_limits_cost', 'RATELIMIT_APPLICATION_COST') };
    return application.map((d) => ({ ...d, perRequest }));
  }

  /**
   * The cost of a hit to the default or application limits (2.x+), from the constructor or the app config; a
   * config the analysis cannot read counts as not setting it, as for `RATELIMIT_ENABLED`.
   */
  private cost(info: LimiterInfo, app: Instance, keyword: string, configKey: string): PerRequestOption | undefined {
    const setting = this.setting(info, app, keyword, [configKey]);
    return setting === 'unknown' ? undefined : setting;
  }

  private configLimits(app: Instance, key: string, limiter: string, source: 'default' | 'application', evidence: Evidence[]): DeclaredLimit[] {
    const setting = this.config.value(app, key);
    if (setting.ambiguous) {
      evidence.push(setting.ambiguous);
      return [{ dynamic: setting.ambiguous.message, overrideDefaults: true, limiter, file: setting.ambiguous.file, line: setting.ambiguous.line }];
    }
    if (!setting.value || !setting.at) return [];
    // One text: a rate set differently on branches the profile does not decide is not static.
    const [literal] = setting.value;
    if (setting.value.length !== 1 || literal.kind !== 'literal' || literal.expr.k !== 'str') {
      return [{ dynamic: `\`${key}\` is not a static string`, overrideDefaults: true, limiter, file: setting.at.file, line: setting.at.line }];
    }
    return [declareRate(this.project, literal.expr, literal.ctx, limiter, { library: DESCRIPTOR, source, scope: source === 'application' ? 'global' : 'route', line: setting.at.line, conditions: [], overrideDefaults: true })];
  }

  /** Whether a limiter checks requests on `app`: true, false when it is off or not bound there, undefined when unknown. */
  private checksOn(limiter: string, app: Instance): boolean | undefined {
    const info = this.limiters.get(limiter);
    const state = info && this.limiterState(info, app).kind;
    return state === 'bound' ? true : state === 'unknown' || !state ? undefined : false;
  }

  /** Whether a limiter enforces anything on `app`: bound, enabled, and not switched off by config. */
  private limiterState(info: LimiterInfo, app: Instance): { kind: 'bound' | 'unbound' | 'unknown' | 'disabled'; evidence: Evidence } {
    const site = info.instance.site;
    const where = { file: site.ctx.mod.file, line: lineOf(site.call.loc) };
    const binding = info.bindings.find((b) => b.app !== undefined && sameSite(b.app.site.key, app.site.key));
    // It reads Flask's request context, which a Quart request does not set: every request fails (Flask-Limiter 3.3, Quart 0.18).
    if (binding && isQuartApp(app)) {
      return { kind: 'disabled', evidence: { ...binding.at, message: "Flask-Limiter is bound to a Quart app: it reads Flask's request context, which Quart does not set, so it limits nothing and every request fails", concern: 'limiter-not-wired' } };
    }
    if (!binding) {
      const unresolved = info.bindings.find((b) => b.unresolved);
      if (unresolved) return { kind: 'unknown', evidence: { ...unresolved.at, message: `limiter binding unclear: ${unresolved.unresolved}` } };
      return { kind: 'unbound', evidence: { ...where, message: 'the limiter is never bound to this app (no `app=` and no `init_app(app)`), so it enforces nothing', concern: 'limiter-not-wired' } };
    }
    const enabled = this.config.value(app, 'RATELIMIT_ENABLED');
    if (enabled.ambiguous) return { kind: 'unknown', evidence: enabled.ambiguous };
    // `limiter.enabled = ...`: tested on each request, and kept by `init_app` where the config sets no RATELIMIT_ENABLED
    // (one the config sets replaces a write made before `init_app`: which comes first is not read).
    const written = enabledWritten(this.project, this.enabledWrites, site.key);
    if (written && written.value !== true) {
      if (written.value === false && !enabled.value) return { kind: 'disabled', evidence: { ...written.at, message: '`limiter.enabled = False` turns the limiter off', concern: 'disabled' } };
      return { kind: 'unknown', evidence: { ...written.at, message: '`limiter.enabled = ...` is not a static boolean, is set more than once or in a branch, or competes with RATELIMIT_ENABLED: whether the limiter checks anything is decided at run time' } };
    }
    const configured = enabled.value && staticBool(enabled.value);
    let overruled: Evidence | undefined; // this limiter's `enabled=False`, which the limiter bound first overrules
    if (configured !== undefined) {
      if (!configured) return { kind: 'disabled', evidence: { ...enabled.at!, message: '`RATELIMIT_ENABLED = False` turns the limiter off', concern: 'disabled' } };
    } else if (enabled.value) {
      return { kind: 'unknown', evidence: { ...enabled.at!, message: '`RATELIMIT_ENABLED` is not a static boolean' } };
    } else {
      const decided = this.enabledOn(info, app, where);
      if (decided?.kind === 'bound') overruled = decided.evidence;
      else if (decided) return decided;
    }
    // ≤ 3.12: without the automatic check only views calling `limiter.check()` are limited.
    if (info.autoCheckOff && info.checked) return { kind: 'unknown', evidence: { ...info.autoCheckOff, message: '`auto_check=False`: limits are checked only in views that call `limiter.check()`' } };
    if (info.autoCheckOff) return { kind: 'disabled', evidence: { ...info.autoCheckOff, message: '`auto_check=False` and no `limiter.check()` call: Flask-Limiter never checks these limits', concern: 'disabled' } };
    return { kind: 'bound', evidence: overruled ?? binding.at };
  }

  /**
   * What the `enabled=` of the limiters bound to `app` makes of this one. `init_app` keeps its own in the app's config
   * (`config.setdefault("RATELIMIT_ENABLED", enabled)`), so the limiter bound first decides for every one bound after
   * it (Flask-Limiter 3.3 and 4.1 run): a limiter switched off first switches the others off, one left on first leaves
   * a later `enabled=False` on. Undefined when that leaves this limiter on.
   */
  private enabledOn(info: LimiterInfo, app: Instance, where: SourceRef): { kind: 'bound' | 'unknown' | 'disabled'; evidence: Evidence } | undefined {
    const bound = [...this.limiters.values()]
      .flatMap((other) => other.bindings.filter((b) => b.app !== undefined && sameSite(b.app.site.key, app.site.key)).map((b) => ({ ...b, enabled: other.enabled ?? true, other })))
      .sort((a, b) => a.at.line - b.at.line);
    const own = info.enabled ?? true;
    const alike = (enabled: boolean | SourceRef): boolean => enabled === own || (typeof enabled === 'object' && typeof own === 'object');
    const first = bound.every((b) => alike(b.enabled)) ? { enabled: own, at: where, other: info } : bound[0];
    const elsewhere = first.other !== info && ` at ${first.at.file}:${first.at.line}, bound to this app first (Flask-Limiter keeps its \`enabled\` in the app's config for every limiter bound after it)`;
    // Bound in one run of one body, line order is the order they are bound in; otherwise the calls, imports or branches
    // that decide it are not read.
    if (elsewhere && bound.some((b) => b.runs !== bound[0].runs || b.inBranch)) {
      return { kind: 'unknown', evidence: { ...where, message: "the limiters bound to this app disagree on `enabled=`, and which is bound first (it decides for all) depends on branches, calls or imports not read" } };
    }
    const switchedOff = first.other.appBuilder ? "the AppBuilder (it sets `RATELIMIT_ENABLED` to False, which the config does not set)" : '`Limiter(enabled=False)`';
    if (first.enabled === false) return { kind: 'disabled', evidence: { ...where, message: `${switchedOff}${elsewhere || ''} turns the limiter off`, concern: 'disabled' } };
    if (typeof first.enabled === 'object') return { kind: 'unknown', evidence: { ...first.enabled, message: `\`Limiter(enabled=...)\`${elsewhere || ''} is not a static boolean` } };
    if (elsewhere && own !== true) return { kind: 'bound', evidence: { ...where, message: `this limiter's \`enabled=\` does not count: the limiter${elsewhere} is on` } };
    return undefined;
  }

  /** The algorithm and the concerns a limiter brings to every route of `app` where its limits apply. */
  private posture(info: LimiterInfo, app: Instance): Posture {
    return this.project.remember(this.postures, `${info.instance.site.key}\0${app.site.key}`, () => this.postureOf(info, app));
  }

  private postureOf(info: LimiterInfo, app: Instance): Posture {
    const { call, ctx } = info.instance.site;
    const where = { file: ctx.mod.file, line: lineOf(call.loc) };
    const perProcess = this.storage(info, app, where);
    const onBreach = kwarg(call, 'on_breach');
    const concerns = [
      perProcess,
      !perProcess && this.failOpen(info, app), // memory storage never fails
      noRetryAfter(DESCRIPTOR, this.found(info, app, 'headers_enabled', ['RATELIMIT_HEADERS_ENABLED']), where),
      ...(this.breachHandlers.get(app.site.key) ?? []),
      onBreach && otherThan429(this.project.resolve(onBreach, ctx), ON_BREACH),
      ...info.requestFilters.flatMap((filter) => conditionConcerns(filter, 'request_filter', FLASK_REQUEST)),
    ].filter((e): e is Evidence => !!e);
    const keyFunc = info.keyFunc;
    const posture: Posture = {
      algorithm: strategyAlgorithm(this.found(info, app, 'strategy', ['RATELIMIT_STRATEGY'])),
      concerns,
      keyConcerns: keyFunc ? keyConcerns(this.project.resolve(keyFunc.expr, keyFunc.ctx), { file: ctx.mod.file, line: exprLine(keyFunc.expr, lineOf(call.loc)) }, FLASK_REQUEST, KEY_FUNC) : [],
    };
    return posture;
  }

  /** A limiter setting: the constructor keyword wins over the app config, as in `init_app`; 'unknown' when unreadable. */
  private setting(info: LimiterInfo, app: Instance, keyword: string, configKeys: string[]): Setting | 'unknown' | undefined {
    const { call, ctx } = info.instance.site;
    const given = kwarg(call, keyword);
    if (given && given.k !== 'none') return { values: this.project.resolve(given, ctx), at: { file: ctx.mod.file, line: exprLine(given, lineOf(call.loc)) }, name: keyword, fromConfig: false };
    for (const key of configKeys) {
      const configured = this.config.value(app, key);
      if (configured.ambiguous) return 'unknown';
      if (configured.value && configured.at) return { values: configured.value, at: configured.at, name: key, fromConfig: true };
    }
    return this.config.isOpaque(app) ? 'unknown' : undefined;
  }

  /** A setting with its static value, as the author wrote it: `swallow_errors=True` or `RATELIMIT_SWALLOW_ERRORS = True`. */
  private found(info: LimiterInfo, app: Instance, keyword: string, configKeys: string[]): FoundSetting {
    const setting = this.setting(info, app, keyword, configKeys);
    if (!setting || setting === 'unknown') return setting;
    return writtenSetting(setting.name, setting.values, setting.at, setting.fromConfig ? 'assignment' : 'keyword');
  }

  /** memory:// (the default) counts per process. Flask-Limiter 3.0 dropped the 1.x name `RATELIMIT_STORAGE_URL`. */
  private storage(info: LimiterInfo, app: Instance, where: SourceRef): Evidence | undefined {
    const urlIgnored = versionSide(this.project.metadata.packages.get(DESCRIPTOR.distribution), '3.0') === 'at-or-above';
    const uri = this.found(info, app, 'storage_uri', urlIgnored ? ['RATELIMIT_STORAGE_URI'] : ['RATELIMIT_STORAGE_URI', 'RATELIMIT_STORAGE_URL']);
    const ignoredUrl = urlIgnored ? this.config.value(app, 'RATELIMIT_STORAGE_URL').at : undefined;
    const unset = ignoredUrl
      ? { at: ignoredUrl, why: 'Flask-Limiter 3 ignores `RATELIMIT_STORAGE_URL` (the name is `RATELIMIT_STORAGE_URI`), and `memory://` is the default' }
      : { at: where, why: 'neither `storage_uri=` nor `RATELIMIT_STORAGE_URI` replaces the default `memory://`' };
    return perProcessStorage(DESCRIPTOR, uri, unset);
  }

  /** `swallow_errors`: a storage error lets the request through unlimited, unless the in-memory fallback takes over. */
  private failOpen(info: LimiterInfo, app: Instance): Evidence | undefined {
    const fallback = [
      this.setting(info, app, 'in_memory_fallback_enabled', ['RATELIMIT_IN_MEMORY_FALLBACK_ENABLED']),
      this.setting(info, app, 'in_memory_fallback', ['RATELIMIT_IN_MEMORY_FALLBACK']),
    ];
    if (!fallback.every((f) => !f || (f !== 'unknown' && f.values.every(isOff)))) return undefined;
    return failsOpen(DESCRIPTOR, this.found(info, app, 'swallow_errors', ['RATELIMIT_SWALLOW_ERRORS']));
  }
}

/** False, None or an empty list: a switch or fallback list that is statically off. */
function isOff(value: Value): boolean {
  if (value.kind !== 'literal') return false;
  const { expr } = value;
  return expr.k === 'none' || (expr.k === 'bool' && !expr.v) || (expr.k === 'seq' && !expr.items.length);
}

/** True or False when every value is that boolean literal; undefined when any is something else. */
function staticBool(values: Value[]): boolean | undefined {
  const value = staticValue(values);
  return typeof value === 'boolean' ? value : undefined;
}
