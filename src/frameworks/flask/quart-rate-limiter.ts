/**
 * Quart-Rate-Limiter protection of Quart routes (`quart_rate_limiter`; its 0.8.0 run on Quart 0.18, read up to 0.12).
 * `RateLimiter(app)` or `init_app(app)` adds a `before_request` hook that counts, per endpoint and client, the limits
 * `@rate_limit(count, timedelta)` (or `limits=[RateLimit(...)]`) marks the view function with, those `limit_blueprint`
 * gives the blueprint the endpoint belongs to (its own, not a parent's), and the limiter's `default_limits`;
 * `@rate_exempt` drops them all. A mark counts above or below the route decorator, as both see the function Quart
 * calls. The counting is GCRA: N requests at once, then one every period / N (a token bucket). WebSocket connections
 * never pass through `before_request`. The default key is `request.access_route[0]`: the left-most X-Forwarded-For
 * entry, which the client sets. `QUART_RATE_LIMITER_ENABLED` (set by default from `enabled=`) turns it off.
 * Upstream: https://github.com/pgjones/quart-rate-limiter (src/quart_rate_limiter/__init__.py)
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, exprLine, kwarg, lineOf } from '../../python/ir';
import { Project, sameSite, type Ctx, type Value } from '../../python/project';
import type { Evidence, Limit, SourceRef } from '../../model';
import { callSites, sequenceItems, type Decorator, type RouteDraft } from '../common';
import { contribution, type Decision, type LibraryResolver } from '../protection';
import { staticValue } from '../limits-family';
import { conditionConcerns, keyConcerns, QUART_REQUEST, type KeyOption } from '../client-input';
import { limitsNotation, parseLimitsNotation } from '../../ratelimit/grammar';
import { isApp, isQuartApp, type FlaskRouteContext } from './routes';
import { FlaskAppConfig } from './app-config';
import { addTo } from '../../collections';
import type { FlaskLibrary } from '.';
import type { LibraryDescriptor } from '../library';

const LIMITER_CLASSES = ['quart_rate_limiter.RateLimiter'];
const RATE_LIMIT = 'quart_rate_limiter.rate_limit';
const RATE_EXEMPT = 'quart_rate_limiter.rate_exempt';
const LIMIT_BLUEPRINT = 'quart_rate_limiter.limit_blueprint';
const RATE_LIMIT_CLASS = ['quart_rate_limiter.RateLimit'];
const REDIS_STORES = /^quart_rate_limiter\.(redis_store\.RedisStore|valkey_store\.ValkeyStore)$/;
const ENABLED_KEY = 'QUART_RATE_LIMITER_ENABLED';
// The calls that make, bind or give limits, by the name they are called under (`limiter.init_app(app)`).
const SITE_NAMES = ['RateLimiter', 'init_app', 'limit_blueprint'];
// `timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks)`: seconds per unit.
const TIMEDELTA_UNITS: [name: string, seconds: number][] = [['days', 86_400], ['seconds', 1], ['microseconds', 1e-6], ['milliseconds', 1e-3], ['minutes', 60], ['hours', 3600], ['weeks', 604_800]];

const DESCRIPTOR: LibraryDescriptor = {
  id: 'quart-rate-limiter',
  name: 'Quart-Rate-Limiter',
  distribution: 'quart-rate-limiter',
  packages: ['quart_rate_limiter'],
  limiterClasses: LIMITER_CLASSES,
  spoofableKeyFunctions: ['quart_rate_limiter.remote_addr_key'],
  // A count and a timedelta, not a string; `simulate` reads them written in `limits` notation.
  grammar: { parse: parseLimitsNotation },
  counting: 'token-bucket',
  rejection: { status: 429, retryAfter: true },
};

const KEY_FUNCTION: KeyOption = { option: 'key_function', library: DESCRIPTOR, skipsEmpty: false };

type Instance = Extract<Value, { kind: 'instance' }>;
const isLimiter = (v: Value): v is Instance => Project.isInstance(v, LIMITER_CLASSES);
const names = (v: Value, qname: string): boolean => v.kind === 'external' && v.qname === qname;

/** One `RateLimit`: its rate in `limits` notation (undefined when not static), where it is written and its own options. */
interface Marked {
  rate?: string;
  at: SourceRef;
  keyFunction?: { expr: Expr; ctx: Ctx };
  skipFunction?: { expr: Expr; ctx: Ctx };
}

interface LimiterInfo {
  instance: Instance;
  apps: { app?: Instance; at: Evidence; enabled?: Expr; ctx: Ctx }[]; // `RateLimiter(app)` / `init_app(app, enabled=)`
  defaults: Marked[];
  keyFunction?: { expr: Expr; ctx: Ctx };
  skipFunction?: { expr: Expr; ctx: Ctx };
  perProcess: boolean; // no Redis or Valkey store: each worker process counts on its own
}

export const quartRateLimiter: FlaskLibrary = {
  descriptor: DESCRIPTOR,
  resolver(project) {
    if (!project.modules.some((m) => Project.imports(m, DESCRIPTOR.packages))) return undefined;
    const resolver = new QuartRateLimiterResolver(project);
    return resolver.used ? resolver : undefined;
  },
};

class QuartRateLimiterResolver implements LibraryResolver<FlaskRouteContext> {
  private readonly limiters: LimiterInfo[] = [];
  private readonly blueprintLimits = new Map<string, Marked[]>(); // blueprint site → `limit_blueprint` limits
  private readonly config: FlaskAppConfig;

  constructor(private readonly project: Project) {
    this.config = new FlaskAppConfig(project);
    const sites = callSites(project, (c) => SITE_NAMES.includes(c.fn.k === 'attr' ? c.fn.name : c.fn.k === 'name' ? c.fn.id : ''));
    // Every limiter first: `init_app` may be called in a module read before the one that makes the limiter.
    for (const { call, ctx } of sites) this.constructed(call, ctx);
    for (const { call, ctx } of sites) this.applied(call, ctx);
  }

  get used(): boolean {
    return this.limiters.length > 0 || this.blueprintLimits.size > 0;
  }

  /** `limiter.init_app(app)` or `limit_blueprint(bp, ...)`. */
  private applied(call: CallExpr, ctx: Ctx): void {
    const { fn } = call;
    if (fn.k === 'attr' && fn.name === 'init_app') {
      for (const limiter of this.project.resolve(fn.obj, ctx).filter(isLimiter)) {
        const info = this.limiters.find((l) => l.instance.site.key === limiter.site.key);
        const app = argument(call, 0, 'app');
        if (info && app) this.bind(info, app, ctx, call, argument(call, 1, 'enabled'));
      }
    } else if (this.project.resolve(fn, ctx).some((v) => names(v, LIMIT_BLUEPRINT))) {
      const marked = this.marks(call, ctx, 1);
      const blueprint = argument(call, 0, 'blueprint');
      for (const bp of blueprint ? this.project.resolve(blueprint, ctx) : []) if (bp.kind === 'instance') addTo(this.blueprintLimits, bp.site.key, ...marked);
    }
  }

  /** A `RateLimiter(...)`: the limiter, bound when it is given the app. */
  private constructed(call: CallExpr, ctx: Ctx): void {
    if (call.fn.k === 'attr' && call.fn.name === 'init_app') return;
    const instance = this.project.resolve(call, ctx).find(isLimiter);
    if (!instance || instance.site.call !== call || this.limiters.some((l) => l.instance.site.key === instance.site.key)) return;
    const store = kwarg(call, 'store');
    const info: LimiterInfo = {
      instance,
      apps: [],
      defaults: this.rateLimits(kwarg(call, 'default_limits'), ctx),
      keyFunction: this.option(argument(call, 1, 'key_function'), ctx),
      skipFunction: this.option(kwarg(call, 'skip_function'), ctx),
      perProcess: !store || store.k === 'none' || !this.project.resolve(store, ctx).some((v) => v.kind === 'instance' && v.types.some((t) => REDIS_STORES.test(t))),
    };
    this.limiters.push(info);
    const app = argument(call, 0, 'app');
    if (app && app.k !== 'none') this.bind(info, app, ctx, call, kwarg(call, 'enabled'));
  }

  private bind(info: LimiterInfo, appExpr: Expr, ctx: Ctx, call: CallExpr, enabled: Expr | undefined): void {
    const at = { file: ctx.mod.file, line: lineOf(call.loc), message: '' };
    for (const app of this.project.resolve(appExpr, ctx)) {
      info.apps.push(isApp(app) ? { app, at, enabled, ctx } : { at: { ...at, message: `the RateLimiter is bound to \`${Project.describe(appExpr)}\`, which could not be resolved to a Quart app` }, enabled, ctx });
    }
  }

  private option(expr: Expr | undefined, ctx: Ctx): { expr: Expr; ctx: Ctx } | undefined {
    return expr && expr.k !== 'none' ? { expr, ctx } : undefined;
  }

  /** `rate_limit(count, period, key_function, skip_function)` or `limits=[...]`, from argument `from` on (`limit_blueprint` takes the blueprint first). */
  private marks(call: CallExpr, ctx: Ctx, from: number): Marked[] {
    const list = kwarg(call, 'limits');
    if (list) return this.rateLimits(list, ctx);
    return [this.marked(call, ctx, from)];
  }

  /** A list of `RateLimit(...)`s; an item that is not one is a limit whose rate is not read. */
  private rateLimits(expr: Expr | undefined, ctx: Ctx): Marked[] {
    if (!expr || expr.k === 'none') return [];
    const items = sequenceItems(this.project, expr, ctx) ?? [{ expr, ctx }];
    return items.map((item) => {
      const made = this.project.resolve(item.expr, item.ctx).find((v): v is Instance => Project.isInstance(v, RATE_LIMIT_CLASS));
      return made ? this.marked(made.site.call, made.site.ctx, 0) : { at: { file: item.ctx.mod.file, line: exprLine(item.expr, item.ctx.line) } };
    });
  }

  /** The count, period, key and skip functions a call gives from argument `from` on (`RateLimit(...)`'s order). */
  private marked(call: CallExpr, ctx: Ctx, from: number): Marked {
    const count = this.number(argument(call, from, from ? 'limit' : 'count'), ctx);
    const seconds = this.seconds(argument(call, from + 1, 'period'), ctx);
    return {
      rate: count !== undefined && seconds !== undefined && count > 0 && seconds > 0 ? limitsNotation(count, Math.round(seconds * 1000)) : undefined,
      at: { file: ctx.mod.file, line: lineOf(call.loc) },
      keyFunction: this.option(argument(call, from + 2, 'key_function'), ctx),
      skipFunction: this.option(argument(call, from + 3, 'skip_function'), ctx),
    };
  }

  private number(expr: Expr | undefined, ctx: Ctx): number | undefined {
    const value = expr && staticValue(this.project.resolve(expr, ctx));
    return typeof value === 'number' ? value : undefined;
  }

  /** The seconds a `timedelta(...)` holds, when every argument is a static number. */
  private seconds(expr: Expr | undefined, ctx: Ctx): number | undefined {
    const made = expr && this.project.resolve(expr, ctx).find((v): v is Instance => Project.isInstance(v, ['datetime.timedelta']));
    if (!made) return undefined;
    let total = 0;
    for (const [i, [unit, size]] of TIMEDELTA_UNITS.entries()) {
      const given = argument(made.site.call, i, unit);
      if (!given) continue;
      const n = this.number(given, made.site.ctx);
      if (n === undefined) return undefined;
      total += n * size;
    }
    return total;
  }

  protect(draft: RouteDraft<FlaskRouteContext>, method: string) {
    return contribution((evidence) => this.methodVerdict(draft.context, method, evidence));
  }

  private methodVerdict({ app, blueprints, view }: FlaskRouteContext, method: string, evidence: Evidence[]): Decision | undefined {
    const marks = this.viewMarks(view.viewDecorators, view.misplacedDecorators, evidence);
    for (const d of view.methodDecorators.get(method.toLowerCase()) ?? []) {
      if (this.markKind(d)) evidence.push({ ...this.place(d), message: "this mark is on a class view's method, not on the view function Quart calls: it never counts (list it in the class's `decorators`)", concern: 'decorator-order' });
    }
    const blueprint = blueprints.at(-1);
    const own = [...marks.limits.map((m) => ({ m, source: 'decorator' as const })), ...(blueprint ? this.blueprintLimits.get(blueprint.site.key) ?? [] : []).map((m) => ({ m, source: 'blueprint' as const }))];
    const bound = app ? this.limiters.flatMap((info) => info.apps.filter((b) => b.app !== undefined && sameSite(b.app.site.key, app.site.key)).map((b) => ({ info, binding: b }))) : [];
    const unclear = this.limiters.flatMap((info) => info.apps.filter((b) => !b.app));
    // Quart-Rate-Limiter 0.8 and 0.12 raise on a Flask app, which has no `before_serving`.
    const flask = bound.find(({ binding }) => !isQuartApp(binding.app!));
    if (flask) {
      evidence.push({ ...flask.binding.at, message: 'the RateLimiter is bound to a Flask app: binding it raises (Flask has no `before_serving`), so the app does not start' });
      return { limits: [], unknown: true };
    }
    if (!own.length && !marks.exempt && !bound.some(({ info }) => info.defaults.length)) return undefined;
    if (!bound.length) {
      if (unclear.length) {
        evidence.push(unclear[0].at);
        return { limits: [], unknown: true };
      }
      if (own.length) evidence.push({ ...own[0].m.at, message: 'no RateLimiter is bound to this app (`RateLimiter(app)` or `init_app(app)`): nothing checks these rate limits', concern: 'limiter-not-wired' });
      return { limits: [] };
    }
    const off = this.switchedOff(app!, bound.map((b) => b.binding));
    if (off) {
      evidence.push(off.evidence);
      return { limits: [], unknown: off.unknown };
    }
    if (method === 'WS') {
      const where = own[0]?.m.at ?? bound[0].binding.at;
      evidence.push({ ...where, message: 'Quart-Rate-Limiter counts HTTP requests only (in a `before_request` hook): connections to this WebSocket route are never limited', concern: 'limiter-not-wired' });
      return { limits: [] };
    }
    if (marks.exempt) {
      evidence.push({ ...marks.exempt, message: '`@rate_exempt` removes every limit from this view, the blueprint\'s and the default ones too', concern: 'exempt' });
      return { limits: [], exempt: true };
    }
    const limits: Limit[] = [];
    let unknown = false;
    for (const { info } of bound) {
      for (const { m, source } of [...own, ...info.defaults.map((m) => ({ m, source: 'default' as const }))]) {
        if (!m.rate) {
          evidence.push({ ...m.at, message: 'the count or period of this rate limit is not static' });
          unknown = true;
          continue;
        }
        const skip = m.skipFunction ?? info.skipFunction;
        limits.push({ ...m.at, rate: m.rate, source, library: DESCRIPTOR.id, scope: 'route', algorithm: 'token-bucket', ...(skip && { conditions: ['skip_function'] }) });
        evidence.push(...this.keyConcerns(m, info), ...(skip ? conditionConcerns(this.project.resolve(skip.expr, skip.ctx), 'skip_function', QUART_REQUEST) : []));
      }
      if (info.perProcess) {
        const at = info.instance.site;
        evidence.push({ file: at.ctx.mod.file, line: lineOf(at.call.loc), message: 'the RateLimiter keeps its counts in memory (no Redis or Valkey `store=`): each worker process counts on its own', concern: 'per-process-storage' });
      }
    }
    return { limits, unknown };
  }

  /**
   * The limits `@rate_limit` marks the view function with, and its `@rate_exempt`. A mark above the route decorator
   * counts when only marks stand between them: another decorator there returns a function Quart never calls.
   */
  private viewMarks(below: Decorator[], above: Decorator[], evidence: Evidence[]): { limits: Marked[]; exempt?: SourceRef } {
    let other = above.length - 1; // the decorator nearest the route decorator that is not a mark
    while (other >= 0 && this.markKind(above[other])) other--;
    const reached = above.slice(other + 1);
    for (const d of above.slice(0, Math.max(other, 0))) {
      if (this.markKind(d)) evidence.push({ ...this.place(d), message: 'this mark sits above another decorator over the route decorator: it marks the function that decorator returns, which Quart never calls', concern: 'decorator-order' });
    }
    const limits: Marked[] = [];
    let exempt: SourceRef | undefined;
    for (const d of [...reached, ...below]) {
      const kind = this.markKind(d);
      if (kind === 'exempt') exempt ??= this.place(d);
      if (kind === 'limit' && d.expr.k === 'call') limits.push(...this.marks(d.expr, d.ctx, 0));
    }
    return { limits, ...(exempt && { exempt }) };
  }

  private place({ expr, ctx }: Decorator): SourceRef {
    return { file: ctx.mod.file, line: exprLine(expr, ctx.line) };
  }

  private markKind({ expr, ctx }: Decorator): 'limit' | 'exempt' | undefined {
    const target = expr.k === 'call' ? expr.fn : expr;
    const values = this.project.resolve(target, ctx);
    if (expr.k === 'call' && values.some((v) => names(v, RATE_LIMIT))) return 'limit';
    return expr.k !== 'call' && values.some((v) => names(v, RATE_EXEMPT)) ? 'exempt' : undefined;
  }

  /** The key a limit counts by: its own `key_function`, else the limiter's, else the left-most X-Forwarded-For entry. */
  private keyConcerns(mark: Marked, info: LimiterInfo): Evidence[] {
    const key = mark.keyFunction ?? info.keyFunction;
    if (key) return keyConcerns(this.project.resolve(key.expr, key.ctx), { file: key.ctx.mod.file, line: exprLine(key.expr, key.ctx.line) }, QUART_REQUEST, KEY_FUNCTION);
    const at = info.instance.site;
    const message = "Quart-Rate-Limiter's default key is `request.access_route[0]`, the left-most `X-Forwarded-For` entry, which any client can set: a new value gets a fresh counter";
    return [{ file: at.ctx.mod.file, line: lineOf(at.call.loc), message, concern: 'spoofable-key' }];
  }

  /**
   * `QUART_RATE_LIMITER_ENABLED` as the config sets it, else as the first binding's `enabled=` sets it by default
   * (`config.setdefault`): off, or not static (`unknown`).
   */
  private switchedOff(app: Instance, bindings: { at: Evidence; enabled?: Expr; ctx: Ctx }[]): { evidence: Evidence; unknown: boolean } | undefined {
    const set = this.config.value(app, ENABLED_KEY);
    if (set.ambiguous) return { evidence: set.ambiguous, unknown: true };
    const first = [...bindings].sort((a, b) => a.at.line - b.at.line)[0];
    const written = set.value ? { values: set.value, at: set.at!, name: `\`${ENABLED_KEY}\`` } : first.enabled && { values: this.project.resolve(first.enabled, first.ctx), at: { ...first.at, line: exprLine(first.enabled, first.at.line) }, name: "the RateLimiter's `enabled=`" };
    if (!written) return undefined;
    const value = staticValue(written.values);
    if (value === true) return undefined;
    if (value === false) return { evidence: { ...written.at, message: `${written.name} is False: Quart-Rate-Limiter checks nothing`, concern: 'disabled' }, unknown: false };
    return { evidence: { ...written.at, message: `${written.name} is not a static boolean: whether Quart-Rate-Limiter checks anything is decided at run time` }, unknown: true };
  }
}
