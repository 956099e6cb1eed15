/**
 * What a FastAPI route's dependencies run, for the limiter libraries that count there: fastapi-limiter's
 * `Depends(RateLimiter(...))`, a function slowapi's `@limiter.limit` decorates that a dependency calls
 * (kfchess-cc's `create_rate_limit_dependency`). `Depends(x)` calls x; a project function there runs its own
 * `Depends(...)` parameters, then its body, where a call in a branch, or after one that may return, may not run.
 */
import { argument, exprLine, lineOf } from '../../python/ir';
import type { FunctionDef } from '../../python/ir';
import type { Hook } from '../../model';
import type { Assumption, FunctionRef, Project, Value } from '../../python/project';
import { functionCtx, type Decorator } from '../common';
import { isAsgiApp, isDependsCall, type AsgiRouteContext, type Middleware } from './routes';

/**
 * What a dependency calls, as the callee's values; `mayNotRun`: why it may not run for every request; `assumed`: what
 * the profile took deciding the branches before it, which its running rests on.
 */
export interface DependencyCall {
  values: Value[];
  mayNotRun?: string;
  assumed?: Assumption[];
}

/** The dependencies that run for the route: those of the app serving it and the routers and includes inside it, then its own. */
export function routeDependencies(context: AsgiRouteContext): Decorator[] {
  const start = context.hops.map((h) => h.via !== 'include').lastIndexOf(true);
  return [...context.hops.slice(Math.max(0, start)).flatMap((h) => h.dependencies), ...context.dependencies];
}

/**
 * The project's own code FastAPI and Starlette run for a route besides what is written on its handler, where
 * src/custom-limiters.ts looks for the project's own rate limiter: the `dispatch` (or `__call__`) of each middleware
 * class of the project's added to the apps serving it, and the functions the `dependencies=` of those apps, its
 * routers and includes name (a callable object's `__call__`), and of the `add_api_route(...)` call that registers it.
 */
export function routeHooks(project: Project, middleware: Map<string, Middleware[]>, context: AsgiRouteContext): Hook[] {
  const added = context.hops.filter((h) => isAsgiApp(h.node)).flatMap((h) => middleware.get(h.node.site.key) ?? []);
  const middlewareHooks = added.flatMap((m) =>
    m.classes.flatMap((cls): Hook[] => {
      const method = project.methodOf(cls, 'dispatch') ?? project.methodOf(cls, '__call__');
      return method ? [{ file: method.mod.file, line: lineOf(method.fn.loc), middleware: cls.cls.name, declared: `added at ${m.ctx.mod.file}:${lineOf(m.call.loc)}` }] : [];
    }),
  );
  // What the handler's own decorator and parameters name is read there; what a registering call gives is not.
  const dependencyHooks = routeDependencies({ ...context, dependencies: context.dependencies.filter((d) => d.fromCall) }).flatMap(({ expr, ctx }) => {
    const target = expr.k === 'call' && isDependsCall(project, expr, ctx) ? argument(expr, 0, 'dependency') : undefined;
    const declared = `a \`dependencies=\` entry at ${ctx.mod.file}:${exprLine(expr, ctx.line)}`;
    return (target ? project.resolve(target, ctx) : []).flatMap((v): Hook[] => {
      const ref = v.kind === 'function' ? v.ref : v.kind === 'instance' && v.cls ? project.methodOf(v.cls, '__call__') : undefined;
      return ref ? [{ file: ref.mod.file, line: lineOf(ref.fn.loc), declared }] : [];
    });
  });
  return [...new Map([...middlewareHooks, ...dependencyHooks].map((h) => [`${h.file}:${h.line}`, h])).values()];
}

/** What one `Depends(...)` runs, through the project functions it reaches (each read once per scan). */
export function dependencyRunner(project: Project): (dependency: Decorator) => DependencyCall[] {
  const byFunction = new Map<FunctionDef, { value: DependencyCall[]; assumed: Assumption[] }>();

  const runs = (dependency: Decorator): DependencyCall[] => {
    const { expr, ctx } = dependency;
    const target = expr.k === 'call' && isDependsCall(project, expr, ctx) ? argument(expr, 0, 'dependency') : undefined;
    if (!target) return [];
    const values = project.resolve(target, ctx);
    const calls = [{ values }, ...values.flatMap((v) => (v.kind === 'function' ? functionRuns(v.ref) : []))];
    const only = dependency.conditional && `is in a \`dependencies=\` list that may not hold it (${ctx.mod.file}:${exprLine(expr, ctx.line)})`;
    return only ? calls.map((c) => ({ ...c, mayNotRun: c.mayNotRun ?? only })) : calls;
  };

  /**
   * A dependency function's own dependencies, then its body's calls, with what reading them assumed (counted again for
   * each route that reads them). A cycle (which FastAPI could not run) ends where it closes.
   */
  const functionRuns = (ref: FunctionRef): DependencyCall[] => {
    const known = byFunction.get(ref.fn);
    if (known) {
      project.replay(known.assumed);
      return known.value;
    }
    byFunction.set(ref.fn, { value: [], assumed: [] });
    const fnCtx = functionCtx(ref.mod, ref.fn);
    const found = project.captured(() => [...ref.fn.params.flatMap((p) => (p.default?.k === 'call' ? runs({ expr: p.default, ctx: fnCtx }) : [])), ...bodyCalls(project, ref)]);
    byFunction.set(ref.fn, found);
    project.replay(found.assumed);
    return found.value;
  };

  return runs;
}

/**
 * The calls of a function's body. One inside a branch may not run; nor may one after a branch, which may return
 * before it (`if not settings.RATE_LIMITING_ENABLED: return`): branches the deployment profile decides are gone.
 */
function bodyCalls(project: Project, { mod, fn }: FunctionRef): DependencyCall[] {
  const defined = lineOf(fn.loc);
  return fn.calls.map(({ fn: callee, line }) => {
    const values = project.resolve(callee, { mod, scope: fn.bodyScope, line });
    const decided = project.decidedBranches.get(`${mod.file}\0${fn.bodyScope}`)?.filter((b) => b.from <= line);
    const branch = mod.arms.find((a) => defined < a.from && a.from <= line);
    if (!branch) return decided?.length ? { values, assumed: decided.flatMap((b) => b.assumed) } : { values };
    const where = `of \`${fn.qualname}\` (${mod.file}:${line})`;
    return { values, mayNotRun: line <= branch.to ? `is in a branch ${where}` : `is called after a branch ${where} that may return first` };
  });
}
