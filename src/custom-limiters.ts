/**
 * Limiters the user declares in configuration (`[[limiter]]` in .apiposture.toml): the project's own
 * decorators, FastAPI dependencies and middleware. A route they reach gets a limit for every method, so an
 * unprotected route becomes limited only where the declared code really wraps it.
 */
import type { CustomLimiter } from './config';
import type { AnalyzedRoute, Evidence, Limit } from './model';
import { declaredMethods } from './model';
import type { CallExpr, ClassDef, Expr, FunctionDef, ModuleFacts } from './python/ir';
import { dottedName, exprLine, kwarg, lineOf } from './python/ir';
import type { Ctx, Project, Value } from './python/project';
import { callSites, functionCtx, sequenceItems, stringList, type CallSite } from './frameworks/common';

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

  constructor(
    private readonly project: Project,
    private readonly limiters: CustomLimiter[],
    private readonly configFile = '.apiposture.toml',
  ) {}

  /** The route with the declared limiters that reach it added; unchanged when none does. */
  apply(route: AnalyzedRoute): AnalyzedRoute {
    if (!this.limiters.length) return route;
    const found: { limit?: Limit; evidence: Evidence }[] = [];
    for (const limiter of this.limiters) {
      for (const hit of this.hits(route, limiter)) {
        if (hit.misplaced) {
          found.push({ evidence: { file: hit.file, line: hit.line, message: `custom limiter \`${limiter.name}\` sits above the route decorator: the route calls the unwrapped function`, concern: 'decorator-order' } });
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

  private hits(route: AnalyzedRoute, limiter: CustomLimiter): Hit[] {
    if (limiter.kind === 'middleware') return this.middlewareHits(route, limiter);
    const out: Hit[] = [];
    for (const { mod, def, routeLine, method } of this.handlerDefs(route)) {
      const ctx = functionCtx(mod, def);
      const exprs = limiter.kind === 'decorator' ? def.decorators.filter((d) => exprLine(d, 0) !== routeLine) : this.dependencyCallees(def, routeLine, ctx);
      for (const expr of exprs) {
        const callee = expr.k === 'call' ? expr.fn : expr;
        if (!this.project.resolve(callee, ctx).some((v) => qualifiedNames(v).some((q) => names(limiter.target, q)))) continue;
        const line = exprLine(expr, lineOf(def.loc));
        out.push({ file: mod.file, line, rate: this.rateOf(expr, limiter, ctx), misplaced: limiter.kind === 'decorator' && line < routeLine, method });
      }
    }
    return out;
  }

  /**
   * The handler function, or a class view and its methods named like the route's methods (a method's
   * limit covers that HTTP method only), with the line below which decorators wrap what the route calls:
   * decorators above a route decorator do not.
   */
  private handlerDefs(route: AnalyzedRoute): { mod: ModuleFacts; def: FunctionDef | ClassDef; routeLine: number; method?: string }[] {
    const mod = this.project.modules.find((m) => m.file === route.handlerFile);
    if (!mod) return [];
    const fn = mod.functions.find((f) => lineOf(f.loc) === route.handlerLine);
    if (fn) {
      const routeLine = route.file === mod.file && fn.decorators.some((d) => exprLine(d, 0) === route.line) ? route.line : 0;
      return [{ mod, def: fn, routeLine }];
    }
    const cls = mod.classes.find((c) => lineOf(c.loc) === route.handlerLine);
    if (!cls) return [];
    const methods = declaredMethods(route).flatMap((method) => {
      const def = mod.functions.find((f) => f.qualname === `${cls.qualname}.${method.toLowerCase()}`);
      return def ? [{ mod, def, routeLine: 0, method }] : [];
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
    this.sites ??= callSites(this.project);
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
