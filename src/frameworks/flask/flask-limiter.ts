/**
 * Flask-Limiter protection of Flask routes, following `LimitManager.resolve_limits` (3.x):
 * decorated limits (`@limiter.limit`, `shared_limit`, class `decorators`, `method_decorators`,
 * `limiter.limit(...)(view)` wrappers) override blueprint limits (`limiter.limit(...)(bp)`, inherited by
 * nested blueprints), which override `default_limits` (per endpoint); `application_limits` (one shared
 * counter) apply unless exempt. A limiter enforces nothing until bound with `app=` or `init_app`, nor when
 * `enabled=False` / `RATELIMIT_ENABLED = False`. Limit decorators above the route decorator never run
 * (≥ 2.1) and suppress default and blueprint limits. Anything dynamic makes the answer `unknown`.
 * Upstream: https://flask-limiter.readthedocs.io/en/stable/recipes.html
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, dottedName, kwarg, exprLine } from '../../python/ir';
import { Project, type Ctx, type Value } from '../../python/project';
import type { Evidence, Limit, ProtectionStatus, AnalyzedRoute } from '../../model';
import { callSites, type CallSite, type Decorator, type RouteDraft } from '../common';
import { combine, dedupe, mergeLimits, type MethodVerdict } from '../protection';
import { declareRate, knownLimits, limitCall, rateList, type DeclaredLimit, type LimitCallShape } from '../limits-declarations';
import { isApp, type FlaskRouteContext } from './routes';

type Instance = Extract<Value, { kind: 'instance' }>;

const LIBRARY = 'flask-limiter';
// 1.x positional order: limit_value, key_func, per_method, methods, error_message, exempt_when, override_defaults.
const FLASK_LIMITER: LimitCallShape = { library: LIBRARY, methodsAt: 3, overrideAt: 6 };
const LIMITER_TYPES = ['flask_limiter.Limiter', 'flask_limiter.extension.Limiter'];
const NON_PRODUCTION = /test|dev|local|debug/i;

const isLimiter = (v: Value): v is Instance => Project.isInstance(v, LIMITER_TYPES);

interface Binding {
  app?: Instance;
  unresolved?: string;
  at: Evidence;
}

interface LimiterInfo {
  instance: Instance;
  bindings: Binding[];
  defaults: DeclaredLimit[];
  application: DeclaredLimit[];
  enabled?: boolean; // constructor `enabled=`
}

interface ConfigSetting {
  value: Value[];
  at: Evidence;
  production: boolean;
}

export function resolveFlaskLimiter(project: Project, drafts: RouteDraft<FlaskRouteContext>[], sites: CallSite[] = callSites(project)): AnalyzedRoute[] {
  const resolver = new FlaskLimiterResolver(project, sites);
  return drafts.map((d) => resolver.protect(d));
}

class FlaskLimiterResolver {
  private readonly limiters = new Map<string, LimiterInfo>();
  private readonly blueprintLimits = new Map<string, DeclaredLimit[]>();
  private readonly blueprintExempt = new Map<string, Evidence>();
  private readonly config = new Map<string, Map<string, ConfigSetting[]>>(); // app site → key → settings

  constructor(private readonly project: Project, sites: CallSite[]) {
    for (const site of sites) this.constructorSite(site);
    for (const site of sites) this.statementSite(site);
  }

  private constructorSite({ call, ctx }: CallSite): void {
    if (!dottedName(call.fn)?.endsWith('Limiter')) return; // cheap gate before resolving
    const instance = this.project.resolve(call, ctx).find(isLimiter);
    if (!instance || this.limiters.has(instance.site.key)) return;
    const key = instance.site.key;
    const info: LimiterInfo = {
      instance,
      bindings: [],
      defaults: rateList(this.project, kwarg(call, 'default_limits') ?? kwarg(call, 'global_limits'), ctx, key, LIBRARY, 'default'),
      application: rateList(this.project, kwarg(call, 'application_limits'), ctx, key, LIBRARY, 'application'),
    };
    const enabled = kwarg(call, 'enabled');
    if (enabled?.k === 'bool') info.enabled = enabled.v;
    // 3.x: `Limiter(key_func, app=app)`; 1.x/2.x: `Limiter(app, key_func=...)`.
    const appArg = kwarg(call, 'app') ?? call.args.find((a) => this.project.resolve(a, ctx).some(isApp));
    if (appArg && appArg.k !== 'none') this.bind(info, appArg, ctx, call);
    this.limiters.set(key, info);
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
          this.blueprintLimits.set(bp.site.key, [...(this.blueprintLimits.get(bp.site.key) ?? []), ...declared]);
        }
      }
    }
    if (fn.k === 'attr' && fn.name === 'exempt' && call.args.length === 1 && this.project.resolve(fn.obj, ctx).some(isLimiter)) {
      for (const bp of this.project.resolve(call.args[0], ctx).filter((v): v is Instance => v.kind === 'instance')) {
        this.blueprintExempt.set(bp.site.key, this.at(ctx, call, '`limiter.exempt(blueprint)` drops default and application limits'));
      }
    }
    if (fn.k === 'attr' && fn.obj.k === 'attr' && fn.obj.name === 'config') {
      for (const app of this.project.resolve(fn.obj.obj, ctx).filter(isApp)) this.configCall(app, fn.name, call, ctx);
    }
  }

  private bind(info: LimiterInfo, appExpr: Expr, ctx: Ctx, call: CallExpr): void {
    const at = this.at(ctx, call, '');
    const apps = this.project.resolve(appExpr, ctx);
    for (const app of apps) {
      if (isApp(app)) info.bindings.push({ app, at });
      else info.bindings.push({ unresolved: `\`${Project.describe(appExpr)}\` could not be resolved to a Flask app`, at });
    }
  }

  private configCall(app: Instance, method: string, call: CallExpr, ctx: Ctx): void {
    const add = (key: string, value: Value[], production: boolean, expr: Expr, valueCtx: Ctx): void => {
      if (!key.startsWith('RATELIMIT_')) return;
      const settings = this.config.get(app.site.key) ?? new Map<string, ConfigSetting[]>();
      const line = exprLine(expr, call.loc.line);
      settings.set(key, [...(settings.get(key) ?? []), { value, production, at: { file: valueCtx.mod.file, line, message: `\`${key}\`` } }]);
      this.config.set(app.site.key, settings);
    };
    if (method === '__setitem__') {
      const key = this.project.stringValue(call.args[0], ctx);
      if (key) add(key, this.project.resolve(call.args[1], ctx), true, call, ctx);
    } else if (method === 'update' || method === 'from_mapping') {
      for (const [key, value] of call.kwargs) add(key, this.project.resolve(value, ctx), true, value, ctx);
    } else if (method === 'from_object' && call.args[0]) {
      for (const source of this.configObjects(call.args[0], ctx)) {
        for (const [key, { expr, ctx: c }] of source.attrs) add(key, this.project.resolve(expr, c), source.production, expr, c);
      }
    }
  }

  /** Candidate config objects of `from_object(X)`: classes (and their project bases) or modules. */
  private configObjects(expr: Expr, ctx: Ctx): { production: boolean; attrs: Map<string, { expr: Expr; ctx: Ctx }> }[] {
    const out: { production: boolean; attrs: Map<string, { expr: Expr; ctx: Ctx }> }[] = [];
    for (const value of this.project.resolve(expr, ctx)) {
      let target: Value | undefined = value;
      if (value.kind === 'literal' && value.expr.k === 'str') {
        const dotted = value.expr.v;
        const mod = this.project.findModule(dotted);
        const parent = this.project.findModule(dotted.split('.').slice(0, -1).join('.'));
        target = mod ? { kind: 'module', mod } : parent ? this.project.lookup(dotted.split('.').pop()!, this.project.moduleCtx(parent), 0)[0] : undefined;
      }
      const attrs = new Map<string, { expr: Expr; ctx: Ctx }>();
      if (target?.kind === 'class') {
        for (const cls of [...this.project.classChain(target.ref)].reverse()) {
          for (const b of cls.mod.bindings[cls.cls.bodyScope] ?? []) {
            if (b.kind === 'assign') attrs.set(b.name, { expr: b.value, ctx: { mod: cls.mod, scope: cls.cls.bodyScope, line: b.line } });
          }
        }
        out.push({ production: !NON_PRODUCTION.test(target.ref.cls.name), attrs });
      } else if (target?.kind === 'module') {
        for (const b of target.mod.bindings[0] ?? []) {
          if (b.kind === 'assign') attrs.set(b.name, { expr: b.value, ctx: { mod: target.mod, scope: 0, line: b.line } });
        }
        out.push({ production: !NON_PRODUCTION.test(target.mod.module.split('.').pop() ?? ''), attrs });
      }
    }
    return out;
  }

  /** The value a config key has for an app: direct settings win; config classes must agree. */
  private configValue(app: Instance, key: string): { value?: Value[]; ambiguous?: Evidence; at?: Evidence } {
    const settings = this.config.get(app.site.key)?.get(key) ?? [];
    if (!settings.length) return {};
    const candidates = settings.some((s) => s.production) ? settings.filter((s) => s.production) : settings;
    const texts = new Set(candidates.map((s) => valueText(s.value)));
    if (texts.size > 1) return { ambiguous: { ...candidates[0].at, message: `\`${key}\` differs between config objects` } };
    return { value: candidates[candidates.length - 1].value, at: candidates[candidates.length - 1].at };
  }

  private at(ctx: Ctx, call: CallExpr, message: string): Evidence {
    return { file: ctx.mod.file, line: call.loc.line, message };
  }

  private limitDecorator(expr: Expr, ctx: Ctx): DeclaredLimit[] | undefined {
    return limitCall(this.project, expr, ctx, isLimiter, FLASK_LIMITER);
  }

  private isExempt(decorators: Decorator[]): Evidence | undefined {
    for (const { expr, ctx } of decorators) {
      const target = expr.k === 'call' ? expr.fn : expr;
      if (target.k === 'attr' && target.name === 'exempt' && this.project.resolve(target.obj, ctx).some(isLimiter)) {
        return { file: ctx.mod.file, line: exprLine(expr, ctx.line), message: '`@limiter.exempt` removes every limit from this view', concern: 'exempt' };
      }
    }
    return undefined;
  }

  private decorated(decorators: Decorator[]): DeclaredLimit[] {
    return decorators.flatMap(({ expr, ctx }) => this.limitDecorator(expr, ctx) ?? []);
  }

  protect(draft: RouteDraft<FlaskRouteContext>): AnalyzedRoute {
    const { route, context } = draft;
    const evidence: Evidence[] = [];
    const anyLimiter = this.limiters.size > 0;
    if (!context.app) {
      const status: ProtectionStatus = anyLimiter ? 'unknown' : 'unlimited';
      const message = anyLimiter ? 'the route is not reachable from an app found statically, so its limiter binding is unknown' : 'no rate limiter is used in this project';
      return { ...route, status, limits: [], evidence: [{ file: route.file, line: route.line, message }] };
    }
    const app = context.app;
    const declaredMethods = route.methods.filter((m) => !route.automaticMethods.includes(m));
    const verdicts = declaredMethods.map((method) => this.methodVerdict(app, context, method, evidence));
    const limits = mergeLimits(verdicts.flatMap((v) => v.limits), declaredMethods);
    const status = combine(verdicts.map((v) => v.status));
    if (!anyLimiter) evidence.push({ file: route.file, line: route.line, message: 'no rate limiter is used in this project' });
    return { ...route, status, limits, evidence: dedupe(evidence) };
  }

  private methodVerdict(app: Instance, context: FlaskRouteContext, method: string, evidence: Evidence[]): MethodVerdict {
    const { view } = context;
    const verb = method.toLowerCase();
    const exempt = this.isExempt([...view.viewDecorators, ...view.misplacedDecorators, ...(view.methodDecorators[verb] ?? [])]);
    if (exempt) {
      evidence.push(exempt);
      return { status: 'exempt', limits: [] };
    }
    const viewLimits = this.decorated(view.viewDecorators);
    const methodLimits = this.decorated(view.methodDecorators[verb] ?? []);
    const misplaced = this.decorated(view.misplacedDecorators);
    const hintedElsewhere = Object.entries(view.methodDecorators).some(([v, decs]) => v !== verb && this.decorated(decs).length > 0);
    for (const m of misplaced) {
      const where = m.limit ?? m.invalid;
      if (where) evidence.push({ file: where.file, line: where.line, message: 'limit decorator sits above the route decorator: Flask registered the undecorated view, so this limit never runs and default/blueprint limits are suppressed', concern: 'decorator-order' });
    }
    for (const d of [...viewLimits, ...methodLimits]) if (d.invalid) evidence.push(d.invalid);

    const limits: Limit[] = [];
    let unknown = false;
    for (const info of this.limiters.values()) {
      const state = this.limiterState(info, app);
      const mine = (list: DeclaredLimit[]): DeclaredLimit[] => list.filter((d) => d.limiter === info.instance.site.key);
      const usesThis = mine([...viewLimits, ...methodLimits, ...misplaced]).length > 0 || context.blueprints.some((bp) => mine(this.blueprintLimits.get(bp.site.key) ?? []).length);
      if (state.kind !== 'bound') {
        if (usesThis || state.kind !== 'unbound') evidence.push(state.evidence);
        if (state.kind === 'unknown' && (usesThis || info.defaults.length || info.application.length)) unknown = true;
        continue;
      }
      const applying = mine([...viewLimits, ...methodLimits]).filter((d) => !d.limit?.methods || d.limit.methods.includes(method));
      const collect = (list: DeclaredLimit[]): void => {
        const known = knownLimits(list, evidence);
        limits.push(...known.limits.map((l) => ({ ...l, methods: [method] }))); // the methods this limit covers here
        unknown ||= known.unknown;
      };
      collect(applying);
      const viewDecorated = mine(viewLimits).filter((d) => !d.invalid);
      const misplacedHere = mine(misplaced).length > 0;
      const blueprintApplies = !misplacedHere && (viewDecorated.length === 0 || viewDecorated.every((d) => !d.overrideDefaults));
      const blueprint = blueprintApplies ? this.inheritedBlueprintLimits(context, info.instance.site.key) : [];
      collect(blueprint);
      const bpExempt = context.blueprints.map((bp) => this.blueprintExempt.get(bp.site.key)).find(Boolean);
      const considered = [...viewDecorated, ...blueprint.filter((d) => !d.invalid)];
      const defaultsApply =
        !misplacedHere && !bpExempt && !(hintedElsewhere && methodLimits.length === 0) &&
        (considered.every((d) => d.limit?.methods && !d.limit.methods.includes(method)) || considered.every((d) => !d.overrideDefaults));
      if (hintedElsewhere && methodLimits.length === 0 && info.defaults.length) {
        evidence.push({ file: view.handlerRef.file, line: view.handlerRef.line, message: `only some methods of this class view are limited: once one of them has run, Flask-Limiter stops applying default limits to ${method}` });
      }
      if (defaultsApply) collect(this.defaults(info, app, evidence));
      if (bpExempt) evidence.push(bpExempt);
      else collect(this.applicationLimits(info, app, evidence));
    }
    const status: ProtectionStatus = limits.length ? 'limited' : unknown ? 'unknown' : 'unlimited';
    return { status, limits };
  }

  private inheritedBlueprintLimits(context: FlaskRouteContext, limiter: string): DeclaredLimit[] {
    // The innermost blueprint with limits of its own wins over its ancestors.
    for (const bp of [...context.blueprints].reverse()) {
      const list = (this.blueprintLimits.get(bp.site.key) ?? []).filter((d) => d.limiter === limiter);
      if (list.length) return list.map((d) => (d.limit ? { ...d, limit: { ...d.limit, source: 'blueprint' } } : d));
    }
    return [];
  }

  private defaults(info: LimiterInfo, app: Instance, evidence: Evidence[]): DeclaredLimit[] {
    if (info.defaults.length) return info.defaults;
    return this.configLimits(app, 'RATELIMIT_DEFAULT', info.instance.site.key, 'default', evidence);
  }

  private applicationLimits(info: LimiterInfo, app: Instance, evidence: Evidence[]): DeclaredLimit[] {
    if (info.application.length) return info.application;
    return this.configLimits(app, 'RATELIMIT_APPLICATION', info.instance.site.key, 'application', evidence);
  }

  private configLimits(app: Instance, key: string, limiter: string, source: 'default' | 'application', evidence: Evidence[]): DeclaredLimit[] {
    const setting = this.configValue(app, key);
    if (setting.ambiguous) {
      evidence.push(setting.ambiguous);
      return [{ dynamic: setting.ambiguous.message, overrideDefaults: true, limiter, file: setting.ambiguous.file, line: setting.ambiguous.line }];
    }
    const literal = setting.value?.find((v) => v.kind === 'literal');
    if (!setting.value || !setting.at) return [];
    if (literal?.kind !== 'literal' || literal.expr.k !== 'str') {
      return [{ dynamic: `\`${key}\` is not a static string`, overrideDefaults: true, limiter, file: setting.at.file, line: setting.at.line }];
    }
    return [declareRate(this.project, literal.expr, literal.ctx, limiter, { library: LIBRARY, source, scope: source === 'application' ? 'global' : 'route', line: setting.at.line, conditions: [], overrideDefaults: true })];
  }

  /** Whether a limiter enforces anything on `app`: bound, enabled, and not switched off by config. */
  private limiterState(info: LimiterInfo, app: Instance): { kind: 'bound' | 'unbound' | 'unknown' | 'disabled'; evidence: Evidence } {
    const site = info.instance.site;
    const where = { file: site.ctx.mod.file, line: site.call.loc.line };
    const binding = info.bindings.find((b) => b.app?.site.key === app.site.key);
    if (!binding) {
      const unresolved = info.bindings.find((b) => b.unresolved);
      if (unresolved) return { kind: 'unknown', evidence: { ...unresolved.at, message: `limiter binding unclear: ${unresolved.unresolved}` } };
      return { kind: 'unbound', evidence: { ...where, message: 'the limiter is never bound to this app (no `app=` and no `init_app(app)`), so it enforces nothing', concern: 'limiter-not-wired' } };
    }
    const enabled = this.configValue(app, 'RATELIMIT_ENABLED');
    if (enabled.ambiguous) return { kind: 'unknown', evidence: enabled.ambiguous };
    const configured = enabled.value?.find((v) => v.kind === 'literal');
    if (configured?.kind === 'literal' && configured.expr.k === 'bool') {
      if (!configured.expr.v) return { kind: 'disabled', evidence: { ...enabled.at!, message: '`RATELIMIT_ENABLED = False` turns the limiter off', concern: 'disabled' } };
      return { kind: 'bound', evidence: binding.at };
    }
    if (enabled.value) return { kind: 'unknown', evidence: { ...enabled.at!, message: '`RATELIMIT_ENABLED` is not a static boolean' } };
    if (info.enabled === false) return { kind: 'disabled', evidence: { ...where, message: '`Limiter(enabled=False)` turns the limiter off', concern: 'disabled' } };
    return { kind: 'bound', evidence: binding.at };
  }
}

function valueText(values: Value[]): string {
  return values.map((v) => (v.kind === 'literal' ? JSON.stringify(v.expr.k === 'str' || v.expr.k === 'bool' || v.expr.k === 'num' ? v.expr.v : v.expr.k) : v.kind)).join('|');
}
