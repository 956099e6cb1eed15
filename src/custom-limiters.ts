/**
 * The project's own limiters. Those the user declares in configuration (`[[limiter]]` in .apiposture.toml):
 * decorators, FastAPI dependencies and middleware; a route they reach gets a limit for every method, so an
 * unprotected route becomes limited only where the declared code really wraps it. Those nobody declares, found
 * by their code (see withOwnLimiters), leave what they cover `unknown`.
 */
import type { CustomLimiter } from './config';
import type { AnalyzedRoute, Evidence, Limit } from './model';
import { NO_LIMITER_USED, NO_LIMIT_APPLIES, declaredMethods, methodVerdicts } from './model';
import { combine } from './frameworks/protection';
import type { CallExpr, ClassDef, Expr, FunctionDef, ModuleFacts } from './python/ir';
import { definingClass, dottedName, exprLine, kwarg, lineOf } from './python/ir';
import { Project, type Ctx, type Env, type Value } from './python/project';
import { callSites, calling, functionCtx, sequenceItems, stringList, type CallSite } from './frameworks/common';

const ASGI = new Set(['fastapi', 'starlette']);
const DJANGO = new Set(['django', 'drf']);

/** Where a declared limiter reaches a route; a decorator above the route decorator is `misplaced`. */
interface Hit {
  file: string;
  line: number;
  rate?: string;
  misplaced?: boolean;
  method?: string; // found on the class view's method for this HTTP method only
}

/**
 * Something run for a route: a decorator, a dependency, a call in the handler's body, a hook the framework runs
 * before the handler or a call in its body (`how` says which), with where it is read.
 */
type Wrapper = Hit & { kind: 'decorator' | 'dependency' | 'call'; expr: Expr; ctx: Ctx; how?: string };

// Functions named like a limiter, or methods of a class so named: `ratelimit`, `ApiUserRateLimiter.__call__`, `throttle_user`.
const LIMITER_NAME = /limit|throttl/i;

const NAMES_429 = "refuses requests over a limit (it names HTTP 429 Too Many Requests or django-ratelimit's `Ratelimited`)";

// A function named for rate limiting (`check_embed_rate_limit`, `throttle_user`), not for any limit (`parse_limit`), or
// a method of a class named like a limiter (cheat.sh's `Limits.check_ip`): one whose caller answers HTTP 429 is the
// project's limiter even though it names no 429 itself.
const RATE_LIMITER_NAME = /rate_?limit|throttl/i;
const namedForRateLimiting = (qualname: string): boolean => RATE_LIMITER_NAME.test(qualname) || LIMITER_NAME.test(qualname.split('.').slice(0, -1).join('.'));

// The `limits` library's counters (what slowapi and Flask-Limiter count with), called by a project directly.
const LIMITS_STRATEGY = /^limits\.(aio\.)?strategies\.\w+$/;
const COUNTING_METHODS = new Set(['hit', 'test']);

function countsWith(counter: string): string {
  return `counts requests with the \`limits\` library (\`${counter}\`)`;
}

/** A route's handler code: the function, or a class view and its method for one HTTP method (see handlerDefs). */
interface HandlerDef {
  mod: ModuleFacts;
  def: FunctionDef | ClassDef;
  routeLine: number;
  method?: string;
}

/** The project's own rate limiter: its name, the names it answers to, where it is and what marks it (see withOwnLimiters). */
interface OwnLimiter {
  name: string;
  names: string[];
  file: string;
  line: number;
  mark: string;
  through?: string; // the limiter of the project's own it counts through (see countsThrough)
}

/** Qualified names a value stands for: `myapp.security.throttle`. */
function qualifiedNames(value: Value): string[] {
  if (value.kind === 'external') return [value.qname];
  if (value.kind === 'function') return [`${value.ref.mod.module}.${value.ref.fn.qualname}`];
  if (value.kind === 'class') return [`${value.ref.mod.module}.${value.ref.cls.qualname}`];
  if (value.kind === 'instance') return value.types;
  return [];
}

/** A declared target matches its full name or a tail of it, so the name works whatever the scan root. */
function names(target: string, qname: string): boolean {
  return qname === target || qname.endsWith(`.${target}`);
}

export class CustomLimiters {
  private sites?: CallSite[];
  private ownLimiterCode?: { name: string; file: string; line: number }[]; // the project's, named like a limiter (see withOwnLimiters)
  private readonly marks = new Map<FunctionDef, string | undefined>();
  private readonly throughs = new Map<FunctionDef, string>(); // a marked function's limiter it counts through (see countsThrough)
  private importsLimits?: boolean; // whether a `limits` strategy may be called in a handler (see limitsCounter)
  private answered?: Map<FunctionDef, string>; // functions named for rate limiting whose callers answer 429 (see answeredBy)

  constructor(
    private readonly project: Project,
    private readonly limiters: CustomLimiter[],
    private readonly configFile = '.apiposture.toml',
  ) {}

  /** The route with the declared limiters that reach it added, then the project's own ones it carries (see withOwnLimiters). */
  apply(route: AnalyzedRoute): AnalyzedRoute {
    return this.withOwnLimiters(this.withDeclared(route));
  }

  private withDeclared(route: AnalyzedRoute): AnalyzedRoute {
    if (!this.limiters.length) return route;
    const found: { limit?: Limit; evidence: Evidence }[] = [];
    for (const limiter of this.limiters) {
      for (const hit of this.hits(route, limiter)) {
        if (hit.misplaced) {
          found.push({ evidence: misplacedEvidence(hit, `custom limiter \`${limiter.name}\``) });
          continue;
        }
        const limit: Limit = { rate: hit.rate ?? limiter.rate ?? 'declared', source: limiter.kind === 'middleware' ? 'middleware' : limiter.kind === 'dependency' ? 'dependency' : 'decorator', library: `custom:${limiter.name}`, scope: 'route', file: hit.file, line: hit.line };
        if (hit.method) limit.methods = [hit.method];
        found.push({ limit, evidence: { file: hit.file, line: hit.line, message: `custom limiter \`${limiter.name}\` (declared in ${this.configFile}) wraps this route` } });
      }
    }
    if (!found.length) return route;
    const limits = found.flatMap((f) => (f.limit ? [f.limit] : []));
    const evidence = [...route.evidence, ...found.map((f) => f.evidence)];
    // A limit found on one method of a class view covers that method only.
    const coversAll = declaredMethods(route).every((m) => limits.some((l) => !l.methods || l.methods.includes(m)));
    return { ...route, status: coversAll ? 'limited' : route.status, limits: [...route.limits, ...limits], evidence };
  }

  /**
   * Project code named like a limiter (`ratelimit`, `ApiUserRateLimiter.__call__`, `throttle_user`) whose code names
   * HTTP 429 (see FunctionDef.names429) or counts with the `limits` library (see markOf), run for the route and
   * declared as no limiter: a decorator, a FastAPI dependency (`Depends(ApiUserRateLimiter(requests=30, window=60))`)
   * or a call in the handler's body (`await user_limiter(email=...)`, `limits` counting called there too). The
   * project's own rate limiter: its counting is not evaluated, so the methods it covers that nothing else limits
   * are `unknown`, saying which code it is, never limited on trust nor unlimited. Both marks are asked for: an
   * error-mapping decorator may name 429 too, and an `unknown` route is not counted by a gate on AP001. A route it
   * is not found on keeps its verdict, but does not read that the project uses no rate limiter.
   */
  private withOwnLimiters(route: AnalyzedRoute): AnalyzedRoute {
    this.ownLimiterCode ??= this.project.modules.flatMap((mod) => {
      // What counts, not what calls it.
      const marked = mod.functions.filter((fn) => LIMITER_NAME.test(fn.qualname) && this.markOf(mod, fn) && !this.throughs.has(fn));
      // Named by their outermost definition (`ratelimit`, not the wrapper it returns).
      const outermost = new Set(marked.map((fn) => fn.qualname.split('.')[0]));
      const defs = [...mod.functions, ...mod.classes].filter((d) => outermost.delete(d.qualname)).sort((a, b) => a.loc - b.loc);
      return defs.map((d) => ({ name: `${mod.module}.${d.qualname}`, file: mod.file, line: lineOf(d.loc) }));
    });
    this.importsLimits ??= this.project.modules.some((mod) => Object.values(mod.bindings).some((list) => list.some((b) => b.kind === 'import' && b.level === 0 && /^limits(\.|$)/.test(b.module))));
    // Nothing to find (every route is read otherwise: a module with thousands of routes).
    if (route.kind === 'include' || (!this.ownLimiterCode.length && !this.importsLimits)) return route;
    const defs = this.handlerDefs(route);
    const reached = this.runBy(route, defs).flatMap((w) => {
      const code = this.ownLimiter(w);
      return code && !this.limiters.some((l) => l.kind === w.kind && code.names.some((q) => names(l.target, q))) ? [{ ...w, code }] : [];
    });
    // A limiter counting through another that runs for the route too (a hook and the limiter it calls) is that one.
    const found = reached.filter((h) => !h.code.through || !reached.some((other) => other.code.name === h.code.through));
    // One hit per limiter and way it runs: a hook calling it twice (`return self._throttle(request)` in two branches) is one.
    const hits = [...new Map(found.map((h) => [`${h.code.name}\0${h.how}\0${h.kind}\0${h.method}\0${h.misplaced}`, h])).values()];
    if (!hits.length) return this.ownLimiterCode.length ? this.notReached(route, this.ownLimiterCode, defs.length > 0) : route;
    // A hook cannot be declared (a [[limiter]] is a decorator, dependency or middleware).
    const declare = (h: Wrapper): string => (h.how ? '' : `; declare it as [[limiter]] in ${this.configFile} to have its rate counted`);
    const evidence = hits.map((h): Evidence => {
      const who = `\`${h.code.name}\` (${h.code.file}:${h.code.line})`;
      if (h.misplaced) return misplacedEvidence(h, `the project's own rate limiter ${who}`);
      const how = h.how ?? (h.kind === 'call' ? 'is called by the handler' : 'wraps this route');
      return { file: h.file, line: h.line, message: `${who} ${how}${h.method ? ` (${h.method})` : ''} and ${h.code.mark}: the project's own rate limiter, whose counting apiposture does not evaluate${declare(h)}` };
    });
    // Saying that no limiter is used, or that no limit applies, is contradicted here.
    const kept = route.evidence.filter((e) => e.message !== NO_LIMITER_USED && e.message !== NO_LIMIT_APPLIES);
    const covering = hits.filter((h) => !h.misplaced);
    if (!covering.length) return { ...route, evidence: [...kept, ...evidence] };
    const verdicts = route.kind === 'http' ? methodVerdicts(route) : [{ method: 'WS', status: route.status }];
    const statuses = verdicts.map(({ method, status }) => (status !== 'limited' && covering.some((h) => !h.method || h.method === method) ? 'unknown' : status));
    const status = combine(statuses);
    const unknownMethods = status === 'unknown' ? [] : verdicts.filter((_, i) => statuses[i] === 'unknown').map((v) => v.method);
    const rest = { ...route };
    delete rest.unknownMethods;
    return { ...rest, status, evidence: [...kept, ...evidence], ...(unknownMethods.length && { unknownMethods }) };
  }

  /** A route the project's own limiters are not found on: "no rate limiter is used in this project" would be untrue. */
  private notReached(route: AnalyzedRoute, limiters: { name: string; file: string; line: number }[], handlerFound: boolean): AnalyzedRoute {
    if (!route.evidence.some((e) => e.message === NO_LIMITER_USED)) return route;
    const named = limiters.slice(0, 3).map((c) => `\`${c.name}\` (${c.file}:${c.line})`).join(', ');
    const more = limiters.length > 3 ? ` and ${limiters.length - 3} more` : '';
    const code = `its own rate limiting code (${named}${more})`;
    const message = handlerFound
      ? `no limiter library apiposture models is used in this project, and ${code} is not found running for this route (apiposture reads the route's decorators and dependencies, the handler's own calls and the hooks run before it)`
      : `no limiter library apiposture models is used in this project; whether ${code} runs for this route is not known: the handler's code is not found`;
    return { ...route, evidence: route.evidence.map((e) => (e.message === NO_LIMITER_USED ? { ...e, message } : e)) };
  }

  /** The project's own limiter what runs for a route calls (see withOwnLimiters). */
  private ownLimiter({ expr, ctx, kind, file, line }: Wrapper): OwnLimiter | undefined {
    const callee = expr.k === 'call' ? expr.fn : expr;
    const counter = kind === 'call' ? this.limitsCounter(callee, ctx) : undefined;
    if (counter) return { name: Project.describe(callee), names: [], file, line, mark: countsWith(counter) };
    // A class wrapping the route as `Depends(Limiter(...))` or `@Limiter(...)` is its instance, which is called;
    // one the handler calls is constructed.
    const classCalls = kind === 'call' ? '__init__' : '__call__';
    for (const value of this.project.resolve(callee, ctx)) {
      const ref = value.kind === 'function' ? value.ref : value.kind === 'class' ? this.project.methodOf(value.ref, classCalls) : value.kind === 'instance' && value.cls ? this.project.methodOf(value.cls, '__call__') : undefined;
      const mark = ref && LIMITER_NAME.test(ref.fn.qualname) ? this.markOf(ref.mod, ref.fn) : undefined;
      const through = ref && this.throughs.get(ref.fn);
      if (ref && mark) return { name: qualifiedNames(value)[0] ?? ref.fn.qualname, names: qualifiedNames(value), file: ref.mod.file, line: lineOf(ref.fn.loc), mark, ...(through && { through }) };
    }
    return undefined;
  }

  /**
   * What makes a function a rate limiter by its code: it names HTTP 429 (or django-ratelimit's `Ratelimited`), or
   * it counts with the `limits` library (indico's `RateLimit.hit` over a `MovingWindowRateLimiter`, no 429 named:
   * the view decides what to answer). Undefined for other code.
   */
  private markOf(mod: ModuleFacts, fn: FunctionDef): string | undefined {
    if (!this.marks.has(fn)) {
      this.marks.set(fn, undefined); // a limiter calling itself back is not marked by that
      // A method's `self` is each object the project constructs of its class: a limiter's method is called where
      // no call statement is (`if not limiter.hit(key):`), so its callers do not say.
      const cls = fn.params[0]?.name === 'self' ? definingClass(mod, fn) : undefined;
      const sites = cls ? this.project.constructions({ mod, cls }) : [];
      const envs: (Env | undefined)[] = sites.length ? sites.map((site) => new Map([['self', { expr: site.call, ctx: site.ctx }]])) : [undefined];
      const contexts = fn.calls.flatMap((call) => envs.map((env) => ({ call, ctx: { mod, scope: fn.bodyScope, line: call.line, env } })));
      const counter = contexts.map(({ call, ctx }) => this.limitsCounter(call.fn, ctx)).find(Boolean);
      this.marks.set(fn, fn.names429 ? NAMES_429 : counter ? countsWith(counter) : this.countsThrough(fn, contexts) ?? this.answeredBy(fn));
    }
    return this.marks.get(fn);
  }

  /**
   * A limiter of the project's own that counts through another (Mailu's `LimitWraperFactory.rate_limit_ip` hits a
   * `LimitWrapper`, whose `hit` counts with the `limits` library): marked by the one it calls.
   */
  private countsThrough(fn: FunctionDef, contexts: { call: { fn: Expr }; ctx: Ctx }[]): string | undefined {
    for (const { call, ctx } of contexts) {
      // `self.helper()` with no object bound: the class's method (zou's `ArgsMixin.get_limit`, a mixin of two hundred
      // resources, took six seconds to read through its callers).
      const own = ctx.env?.has(fn.params[0]?.name ?? '') ? undefined : this.project.ownMethod({ mod: ctx.mod, fn }, call.fn);
      const values: Value[] = own ? [{ kind: 'function', ref: own }] : this.project.resolve(call.fn, ctx);
      for (const value of values) {
        if (value.kind !== 'function' || !LIMITER_NAME.test(value.ref.fn.qualname)) continue;
        const mark = this.markOf(value.ref.mod, value.ref.fn);
        if (!mark) continue;
        const name = `${value.ref.mod.module}.${value.ref.fn.qualname}`;
        this.throughs.set(fn, name);
        return `calls \`${name}\`, which ${mark}`;
      }
    }
    return undefined;
  }

  /**
   * A function named for rate limiting (see namedForRateLimiting) that a function naming HTTP 429 calls: hushline's
   * `check_embed_rate_limit` counts attempts in the database and the view answers `_render_profile(429)` when it says so.
   */
  private answeredBy(fn: FunctionDef): string | undefined {
    if (!this.answered) {
      this.answered = new Map();
      for (const mod of this.project.modules) {
        for (const caller of mod.functions.filter((f) => f.names429)) {
          for (const call of caller.calls) {
            for (const value of this.project.resolve(call.fn, { mod, scope: caller.bodyScope, line: call.line })) {
              if (value.kind !== 'function' || this.answered.has(value.ref.fn) || !namedForRateLimiting(value.ref.fn.qualname)) continue;
              this.answered.set(value.ref.fn, `code naming HTTP 429 acts on its answer (\`${caller.qualname}\`, ${mod.file}:${lineOf(caller.loc)})`);
            }
          }
        }
      }
    }
    return this.answered.get(fn);
  }

  /** `MovingWindowRateLimiter.hit` when the callee is the counting method of a `limits` strategy. */
  private limitsCounter(callee: Expr, ctx: Ctx): string | undefined {
    if (callee.k !== 'attr' || !COUNTING_METHODS.has(callee.name)) return undefined;
    const strategy = this.project.resolve(callee.obj, ctx).flatMap((v) => (v.kind === 'instance' ? v.types : [])).find((t) => LIMITS_STRATEGY.test(t));
    return strategy && `${strategy.split('.').pop()}.${callee.name}`;
  }

  private hits(route: AnalyzedRoute, limiter: CustomLimiter): Hit[] {
    if (limiter.kind === 'middleware') return this.middlewareHits(route, limiter);
    return this.wrappers(this.handlerDefs(route)).flatMap((w) => {
      if (w.kind !== limiter.kind) return [];
      const callee = w.expr.k === 'call' ? w.expr.fn : w.expr;
      if (!this.project.resolve(callee, w.ctx).some((v) => qualifiedNames(v).some((q) => names(limiter.target, q)))) return [];
      return [{ ...w, rate: this.rateOf(w.expr, limiter, w.ctx) }];
    });
  }

  /**
   * What runs for a route: what wraps the handler (see wrappers), the calls in its body, then each hook run before
   * it and the calls in the hook's body, with where each is read.
   */
  private runBy(route: AnalyzedRoute, defs: HandlerDef[]): Wrapper[] {
    const calls = defs.flatMap(({ mod, def, method }) => ('calls' in def ? bodyCalls(mod, def).map((call) => ({ ...call, ...(method && { method }) })) : []));
    const hooks = (route.hooks ?? []).flatMap(({ file, line, middleware, declared }) => {
      const mod = this.project.modules.find((m) => m.file === file);
      const fn = mod?.functions.find((f) => lineOf(f.loc) === line);
      if (!mod || !fn) return [];
      const [runs, calledBy] = hookWording(fn.qualname, file, line, middleware, declared);
      const itself: Wrapper = { file, line, expr: { k: 'name', id: fn.name, loc: fn.loc }, kind: 'call', ctx: { mod, scope: fn.scope, line }, how: runs };
      return [itself, ...bodyCalls(mod, fn, middleware ? middlewareSelf(mod, fn) : undefined).map((call) => ({ ...call, how: calledBy }))];
    });
    return [...this.wrappers(defs), ...calls, ...hooks];
  }

  /**
   * What wraps the handler's code: its decorators but the route decorator (one above it is `misplaced`: the route
   * calls the unwrapped function) and its FastAPI dependencies, with where each is read.
   */
  private wrappers(defs: HandlerDef[]): Wrapper[] {
    return defs.flatMap(({ mod, def, routeLine, method }) => {
      const ctx = functionCtx(mod, def);
      const at = (expr: Expr): { file: string; line: number; ctx: Ctx; method?: string } => ({ file: mod.file, line: exprLine(expr, lineOf(def.loc)), ctx, ...(method && { method }) });
      return [
        ...def.decorators.filter((d) => exprLine(d, 0) !== routeLine).map((expr) => {
          const where = at(expr);
          return { ...where, expr, kind: 'decorator' as const, misplaced: where.line < routeLine };
        }),
        ...this.dependencyCallees(def, routeLine, ctx).map((expr) => ({ ...at(expr), expr, kind: 'dependency' as const })),
      ];
    });
  }

  /**
   * The handler function, or a class view and its methods named like the route's methods, as Python finds them (a
   * method's limit covers that HTTP method only), with the line below which decorators wrap what the route calls:
   * decorators above a route decorator do not.
   */
  private handlerDefs(route: AnalyzedRoute): HandlerDef[] {
    const mod = this.project.modules.find((m) => m.file === route.handlerFile);
    if (!mod) return [];
    const fn = mod.functions.find((f) => lineOf(f.loc) === route.handlerLine);
    if (fn) {
      const routeLine = route.file === mod.file && fn.decorators.some((d) => exprLine(d, 0) === route.line) ? route.line : 0;
      return [{ mod, def: fn, routeLine }];
    }
    const cls = mod.classes.find((c) => lineOf(c.loc) === route.handlerLine);
    if (!cls) return [];
    // Its own or inherited from a project base (PyBossa's API classes inherit `get`, `post`, ... from `APIBase`).
    const methods = declaredMethods(route).flatMap((method) => {
      const found = this.project.methodOf({ mod, cls }, method.toLowerCase());
      return found ? [{ mod: found.mod, def: found.fn, routeLine: 0, method }] : [];
    });
    return [{ mod, def: cls, routeLine: 0 }, ...methods];
  }

  /** What `Depends(x)` / `Security(x)` name in the route decorator's `dependencies=` and in the parameters. */
  private dependencyCallees(def: FunctionDef | ClassDef, routeLine: number, ctx: Ctx): Expr[] {
    if (!('params' in def)) return [];
    const routeDecorator = def.decorators.find((d) => exprLine(d, 0) === routeLine);
    const places: Expr[] = def.params.flatMap((p) => [p.default, p.annotation].filter((e): e is Expr => e !== undefined));
    if (routeDecorator?.k === 'call') {
      const listed = kwarg(routeDecorator, 'dependencies');
      if (listed) places.push(...(sequenceItems(this.project, listed, ctx) ?? []).map((i) => i.expr));
    }
    return places.flatMap(dependsTargets);
  }

  private rateOf(expr: Expr, limiter: CustomLimiter, ctx: Ctx): string | undefined {
    if (limiter.rateArgument === undefined || expr.k !== 'call') return undefined;
    const arg = typeof limiter.rateArgument === 'number' ? expr.args[limiter.rateArgument] : kwarg(expr, limiter.rateArgument);
    return arg && this.project.stringValue(arg, ctx);
  }

  /** ASGI: `app.add_middleware(M)` / `Middleware(M)` on the route's app; Django: M listed in a MIDDLEWARE setting. */
  private middlewareHits(route: AnalyzedRoute, limiter: CustomLimiter): Hit[] {
    if (DJANGO.has(route.framework)) return this.djangoMiddleware(limiter);
    if (!ASGI.has(route.framework) || !route.app) return [];
    const app = route.app;
    // Only these can add it: `app.add_middleware(M)` and a call with `middleware=[...]`.
    this.sites ??= callSites(this.project, (call) => calling(call, ['add_middleware']) || kwarg(call, 'middleware') !== undefined);
    return this.sites.flatMap(({ call, ctx }) => {
      const named = (e: Expr | undefined): boolean => !!e && this.project.resolve(e, ctx).some((v) => qualifiedNames(v).some((q) => names(limiter.target, q)));
      const isApp = (v: Value): boolean => v.kind === 'instance' && v.site.ctx.mod.file === app.file && lineOf(v.site.call.loc) === app.line;
      const added = call.fn.k === 'attr' && call.fn.name === 'add_middleware' && named(call.args[0]) && this.project.resolve(call.fn.obj, ctx).some(isApp);
      const constructed = ctx.mod.file === app.file && lineOf(call.loc) === app.line && this.middlewareItems(call, ctx).some((i) => i.expr.k === 'call' && named(i.expr.args[0]));
      return added || constructed ? [{ file: ctx.mod.file, line: lineOf(call.loc) }] : [];
    });
  }

  private middlewareItems(call: CallExpr, ctx: Ctx): { expr: Expr }[] {
    const listed = kwarg(call, 'middleware');
    return listed ? (sequenceItems(this.project, listed, ctx) ?? []) : [];
  }

  private djangoMiddleware(limiter: CustomLimiter): Hit[] {
    return this.project.modules.flatMap((mod) =>
      (mod.bindings[0] ?? []).flatMap((b) => {
        if (b.kind !== 'assign' || b.name !== 'MIDDLEWARE') return [];
        const listed = stringList(this.project, b.value, this.project.moduleCtx(mod)) ?? [];
        return listed.some((name) => names(limiter.target, name)) ? [{ file: mod.file, line: b.line }] : [];
      }),
    );
  }
}

/** How a hook runs for the route, and how a call in its body does: what the evidence says of each. */
function hookWording(qualname: string, file: string, line: number, middleware?: string, declared?: string): [runs: string, calledBy: string] {
  const where = `\`${qualname}\` (${file}:${line})`;
  if (middleware) {
    const added = declared ? `, ${declared}` : ' in MIDDLEWARE';
    return [`runs for every request (the middleware \`${middleware}\`${added})`, `is called by ${where} of the middleware \`${middleware}\`${added}`];
  }
  if (declared) return [`runs before the handler (${declared})`, `is called by the dependency ${where}`];
  return ['runs before the handler (a before_request hook)', `is called by the before_request hook ${where}`];
}

/** The calls in a function's body, each read where it stands. */
function bodyCalls(mod: ModuleFacts, fn: FunctionDef, env?: Env): Wrapper[] {
  return fn.calls.map((call) => ({ file: mod.file, line: call.line, expr: call.fn, kind: 'call', ctx: { mod, scope: fn.bodyScope, line: call.line, ...(env && { env }) } }));
}

/** `self` in a middleware's method: the object Django builds of its class (`self._throttle(request)` is its method). */
function middlewareSelf(mod: ModuleFacts, fn: FunctionDef): Env | undefined {
  const cls = definingClass(mod, fn);
  if (!cls) return undefined;
  const built: CallExpr = { k: 'call', fn: { k: 'name', id: cls.name, loc: cls.loc }, args: [], kwargs: [], splat: false, loc: cls.loc };
  return new Map([['self', { expr: built, ctx: { mod, scope: cls.scope, line: Infinity } }]]);
}

/** Evidence for a limiter written above the route decorator. */
function misplacedEvidence(hit: Hit, who: string): Evidence {
  return { file: hit.file, line: hit.line, message: `${who} sits above the route decorator: the route calls the unwrapped function`, concern: 'decorator-order' };
}

/** `x` of every `Depends(x)` / `Security(x)` inside an expression (defaults, `Annotated[...]`, lists). */
function dependsTargets(expr: Expr): Expr[] {
  if (expr.k === 'call') {
    const name = dottedName(expr.fn)?.split('.').pop();
    if ((name === 'Depends' || name === 'Security') && expr.args[0]) return [expr.args[0]];
    return [...expr.args, ...expr.kwargs.map(([, v]) => v)].flatMap(dependsTargets);
  }
  if (expr.k === 'seq') return expr.items.flatMap(dependsTargets);
  if (expr.k === 'subscript') return dependsTargets(expr.index);
  return [];
}
