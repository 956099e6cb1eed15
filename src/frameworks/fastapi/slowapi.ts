/**
 * slowapi (0.1.x) on FastAPI/Starlette, after `Limiter._check_request_limit` and the middleware:
 * a correctly placed `@limiter.limit` (below the route decorator) applies its own limits only, for the
 * methods it names; defaults join only with `override_defaults=False` (or when every decorated rate is
 * invalid and dropped). Undecorated routes get `default_limits` + `application_limits` only through
 * `SlowAPIMiddleware`/`SlowAPIASGIMiddleware` on the app whose `app.state.limiter` is the limiter, and
 * only when the middleware finds the route in `app.routes`: never under `Mount`/`app.mount`, and not
 * through `include_router` on FastAPI ≥ 0.137. A limit decorator above the route decorator voids the
 * limit and makes the middleware skip the route. `@limiter.exempt` drops everything.
 * Upstream: https://slowapi.readthedocs.io/en/latest/ ; reference B.1 and F.
 */
import { dottedName, exprLine, kwarg } from '../../python/ir';
import { Project, type Value } from '../../python/project';
import type { Evidence, Limit } from '../../model';
import { versionSide } from '../../manifests';
import type { Decorator, RouteDraft } from '../common';
import { knownLimits, limitCall, rateList, type DeclaredLimit, type LimitCallShape } from '../limits-declarations';
import { isAsgiApp, type AsgiRouteContext, type Hop, type Instance } from './routes';
import type { LibraryFactory } from '.';
import type { Contribution } from '../protection';

const LIBRARY = 'slowapi';
const LIMITER_TYPES = ['slowapi.Limiter', 'slowapi.extension.Limiter'];
const MIDDLEWARE_TYPES = ['slowapi.middleware.SlowAPIMiddleware', 'slowapi.middleware.SlowAPIASGIMiddleware'];
// limit(limit_value, key_func, per_method, methods, error_message, exempt_when, cost, override_defaults)
const SLOWAPI: LimitCallShape = { library: LIBRARY, methodsAt: 3, overrideAt: 7 };
/** FastAPI stores included routers as wrappers from this version on; slowapi's middleware then misses their routes. */
const FASTAPI_INCLUDED_ROUTER_WRAPPERS = '0.137.0';

// Starlette's Config casts these to False.
const FALSE_VALUES = ['false', '0'];

const isLimiter = (v: Value): v is Instance => Project.isInstance(v, LIMITER_TYPES);

interface LimiterInfo {
  instance: Instance;
  defaults: DeclaredLimit[];
  application: DeclaredLimit[];
  off?: Evidence; // `enabled=False` / `auto_check=False`
}

export const slowapi: LibraryFactory = (project, graph, sites) => {
  // slowapi reads RATELIMIT_ENABLED from the environment or `.env`, and it wins over `enabled=`.
  const envOff = project.metadata.dotenv.get('RATELIMIT_ENABLED')?.find((s) => FALSE_VALUES.includes(s.value.trim().toLowerCase()));
  const envSwitchedOff = envOff && { file: envOff.file, line: envOff.line, message: '`RATELIMIT_ENABLED=false` in `.env` turns slowapi off', concern: 'disabled' as const };
  const limiters = new Map<string, LimiterInfo>();
  const stateLimiter = new Map<string, { values: Value[]; at: Evidence }>(); // app site key → `app.state.limiter`
  for (const { call, ctx } of sites) {
    if (dottedName(call.fn)?.endsWith('Limiter')) {
      const instance = project.resolve(call, ctx).find(isLimiter);
      if (instance && !limiters.has(instance.site.key)) {
        const key = instance.site.key;
        const switchedOff = ['enabled', 'auto_check'].find((name) => {
          const flag = kwarg(call, name);
          return flag?.k === 'bool' && !flag.v;
        });
        limiters.set(key, {
          instance,
          defaults: rateList(project, kwarg(call, 'default_limits'), ctx, key, LIBRARY, 'default'),
          application: rateList(project, kwarg(call, 'application_limits'), ctx, key, LIBRARY, 'application'),
          off:
            envSwitchedOff ??
            (switchedOff ? { file: ctx.mod.file, line: call.loc.line, message: `\`Limiter(${switchedOff}=False)\` turns slowapi's checks off`, concern: 'disabled' as const } : undefined),
        });
      }
    }
    // `app.state.limiter = limiter` is recorded as `app.state.__setattr__("limiter", limiter)`.
    const fn = call.fn;
    if (fn.k === 'attr' && fn.name === '__setattr__' && fn.obj.k === 'attr' && fn.obj.name === 'state' && call.args[0]?.k === 'str' && call.args[0].v === 'limiter') {
      for (const app of project.resolve(fn.obj.obj, ctx).filter(isAsgiApp)) {
        stateLimiter.set(app.site.key, { values: project.resolve(call.args[1], ctx), at: { file: ctx.mod.file, line: call.loc.line, message: '`app.state.limiter`' } });
      }
    }
  }
  if (!limiters.size) return undefined;

  const declared = (decorators: Decorator[]): DeclaredLimit[] => decorators.flatMap(({ expr, ctx }) => limitCall(project, expr, ctx, isLimiter, SLOWAPI) ?? []);
  const exemptIn = (decorators: Decorator[]): Evidence | undefined => {
    const found = decorators.find(({ expr, ctx }) => expr.k === 'attr' && expr.name === 'exempt' && project.resolve(expr.obj, ctx).some(isLimiter));
    return found && { file: found.ctx.mod.file, line: exprLine(found.expr, found.ctx.line), message: '`@limiter.exempt` removes every slowapi limit from this endpoint', concern: 'exempt' as const };
  };
  const middlewareOn = (app: Instance) => (graph.middleware.get(app.site.key) ?? []).find((m) => m.types.some((t) => MIDDLEWARE_TYPES.includes(t)));

  /** Known limits of a list, noting the rates slowapi drops. */
  const collect = (list: DeclaredLimit[], evidence: Evidence[]): { limits: Limit[]; unknown: boolean } => {
    for (const d of list) if (d.invalid) evidence.push(d.invalid);
    return knownLimits(list, evidence);
  };

  const decoratedVerdict = (draft: RouteDraft<AsgiRouteContext>, method: string, placed: DeclaredLimit[], evidence: Evidence[]): Contribution => {
    const handler = draft.context.handler;
    if (placed.length && handler && !handler.fn.params.some((p) => p.name === 'request' || p.name === 'websocket')) {
      evidence.push({ file: handler.mod.file, line: handler.fn.loc.line, message: 'slowapi raises at import time: a `@limiter.limit` endpoint needs a parameter named `request`', concern: 'missing-request' });
      return { limits: [], unknown: true };
    }
    const limits: Limit[] = [];
    let unknown = false;
    for (const info of limiters.values()) {
      const mine = placed.filter((d) => d.limiter === info.instance.site.key);
      if (!mine.length) continue;
      if (info.off) {
        evidence.push(info.off);
        continue;
      }
      const applying = mine.filter((d) => !d.limit?.methods || d.limit.methods.includes(method));
      const got = collect(applying, evidence);
      limits.push(...got.limits);
      unknown ||= got.unknown;
      const valid = mine.filter((d) => !d.invalid);
      if (valid.length && !applying.some((d) => !d.invalid)) {
        evidence.push({ file: valid[0].file, line: valid[0].line, message: `the limit names other methods: ${method} gets no limit at all (slowapi does not fall back to default limits)`, concern: 'methods-excluded' });
      }
      // The decorator adds the defaults itself when no valid decorated limit overrides them.
      if (valid.every((d) => !d.overrideDefaults)) {
        const defaults = collect(info.defaults, evidence);
        limits.push(...defaults.limits);
        unknown ||= defaults.unknown;
      }
    }
    return { limits, unknown };
  };

  const middlewareVerdict = (draft: RouteDraft<AsgiRouteContext>, evidence: Evidence[]): Contribution => {
    const hops = draft.context.hops;
    const limits: Limit[] = [];
    let unknown = false;
    let anyMiddleware = false;
    hops.forEach((hop, index) => {
      if (!isAsgiApp(hop.node) || !middlewareOn(hop.node)) return;
      anyMiddleware = true;
      const verdict = appMiddleware(hop.node, hops.slice(index + 1), evidence);
      limits.push(...verdict.limits);
      unknown ||= !!verdict.unknown;
    });
    const withDefaults = [...limiters.values()].find((l) => l.defaults.length || l.application.length);
    if (!anyMiddleware && withDefaults) {
      const site = withDefaults.instance.site;
      evidence.push({ file: site.ctx.mod.file, line: site.call.loc.line, message: 'default and application limits apply only through SlowAPIMiddleware, which is not installed on this app', concern: 'limiter-not-wired' });
    }
    return { limits, unknown };
  };

  const appMiddleware = (app: Instance, inner: Hop[], evidence: Evidence[]): Contribution => {
    const state = stateLimiter.get(app.site.key);
    const where = { file: app.site.ctx.mod.file, line: app.site.call.loc.line };
    if (!state) {
      evidence.push({ ...where, message: 'SlowAPIMiddleware is installed but `app.state.limiter` is never set: every request fails with 500', concern: 'limiter-not-wired' });
      return { limits: [], unknown: true };
    }
    const infos = state.values.map((v) => (isLimiter(v) ? limiters.get(v.site.key) : undefined));
    if (!infos.length || infos.some((i) => !i)) {
      evidence.push({ ...state.at, message: '`app.state.limiter` could not be resolved to a slowapi Limiter' });
      return { limits: [], unknown: true };
    }
    const limits: Limit[] = [];
    let unknown = false;
    for (const info of infos as LimiterInfo[]) {
      if (info.off) {
        evidence.push(info.off);
        continue;
      }
      if (!info.defaults.length && !info.application.length) continue;
      if (inner.some((h) => h.via === 'mount')) {
        evidence.push({ ...where, message: 'SlowAPIMiddleware skips routes under Mount/app.mount: default and application limits do not apply' });
        continue;
      }
      if (inner.some((h) => h.via === 'include')) {
        const side = versionSide(project.metadata.packages.get('fastapi'), FASTAPI_INCLUDED_ROUTER_WRAPPERS);
        if (side === 'at-or-above') {
          evidence.push({ ...where, message: 'on FastAPI ≥ 0.137 SlowAPIMiddleware does not find routes added by include_router, so default limits do not apply' });
          continue;
        }
        if (side === 'unknown') {
          evidence.push({ ...where, message: 'default limits reach include_router routes only on FastAPI < 0.137; pin or lock the FastAPI version to decide' });
          unknown = true;
          continue;
        }
      }
      const got = collect([...info.application, ...info.defaults], evidence);
      limits.push(...got.limits);
      unknown ||= got.unknown;
    }
    return { limits, unknown };
  };

  return {
    protect(draft, method, evidence) {
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
      if (voided.length && !placed.length) return { limits: [] };
      if (placed.length) return decoratedVerdict(draft, method, placed, evidence);
      return middlewareVerdict(draft, evidence);
    },
  };
};
