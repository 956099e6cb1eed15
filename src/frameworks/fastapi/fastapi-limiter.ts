/**
 * fastapi-limiter: `Depends(RateLimiter(...))` anywhere in a route's dependency chain (route
 * `dependencies=`, endpoint parameters, `APIRouter(dependencies=)`, `include_router(dependencies=)`,
 * `FastAPI(dependencies=)` of the app that serves the route, not of an app it is mounted in; sub-dependencies
 * followed), `WebSocketRateLimiter` called inside a WebSocket endpoint, and 0.2's `RateLimiterMiddleware`.
 * 0.1.x: `RateLimiter(times=, milliseconds=, seconds=, minutes=, hours=)`, per client and concrete path, fixed
 * windows in Redis, 429 with Retry-After; the default identifier trusts the left-most X-Forwarded-For entry.
 * 0.2.x: `RateLimiter(pyrate_limiter.Limiter(Rate(n, Duration.X)))`: one in-memory bucket shared by every client,
 * a sliding log, 429 without Retry-After.
 * Upstream: https://github.com/long2ice/fastapi-limiter ; reference B.2, D.1–D.3 and F.
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, exprLine, isTrue, kwarg, lineOf } from '../../python/ir';
import { isSuper, Project, type Assumption, type Ctx } from '../../python/project';
import type { Evidence, Limit, SourceRef } from '../../model';
import { callSites, calling, type Decorator } from '../common';
import type { AsgiRouteContext, Instance } from './routes';
import { dependencyRunner, routeDependencies } from './dependencies';
import { conditionConcerns, keyConcerns, perPathConcerns, STARLETTE_REQUEST } from '../client-input';
import type { AsgiLibrary } from '.';
import { limitsNotation, parseLimitsNotation } from '../../ratelimit/grammar';
import { contribution } from '../protection';
import type { LibraryDescriptor } from '../library';
import { lookupTable } from '../../collections';

const DESCRIPTOR: LibraryDescriptor = {
  id: 'fastapi-limiter',
  name: 'fastapi-limiter',
  distribution: 'fastapi-limiter',
  packages: ['fastapi_limiter'],
  dependencies: ['pyrate_limiter'], // from 0.2
  // 0.1 takes keyword windows, not strings; `simulate` reads them written in `limits` notation.
  grammar: { parse: parseLimitsNotation },
  counting: 'fixed-window',
  rejection: { status: 429, retryAfter: true },
};

const LIBRARY = DESCRIPTOR.id;
const RATE_LIMITER = ['fastapi_limiter.depends.RateLimiter'];
const WS_RATE_LIMITER = ['fastapi_limiter.depends.WebSocketRateLimiter'];
const MIDDLEWARE = ['fastapi_limiter.middleware.RateLimiterMiddleware'];
const SKIP = ['fastapi_limiter.decorators.skip_limiter'];
const INIT = 'fastapi_limiter.FastAPILimiter.init';
const PYRATE_LIMITER = ['pyrate_limiter.Limiter'];
const PYRATE_RATE = ['pyrate_limiter.Rate'];
// 0.1.x `RateLimiter(times=1, milliseconds=0, seconds=0, minutes=0, hours=0)`: position and milliseconds per unit.
const UNITS: [name: string, position: number, ms: number][] = [['milliseconds', 1, 1], ['seconds', 2, 1000], ['minutes', 3, 60_000], ['hours', 4, 3_600_000]];
const DURATION_MS = lookupTable<number>({ SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000 });
// pyrate-limiter's InMemoryBucket, what `Limiter(Rate(...))` builds, keeps a sliding log (reference D.1).
const PYRATE_ALGORITHM = 'sliding-log';

/** A RateLimiter a route's dependencies run; `mayNotRun`: why it may not run (it stands in a branch, say). */
interface Ran {
  instance: Instance;
  mayNotRun?: string;
  assumed?: Assumption[]; // what its running rests on (see DependencyCall)
}

/** What a RateLimiter enforces, with the reasons the rules read; `perPath`: counters per concrete path, set there. */
interface Enforced {
  limits: Limit[];
  dynamic?: string;
  evidence?: Evidence[];
  perPath?: SourceRef;
}

const resolver: AsgiLibrary['resolver'] = (project, { graph }) => {
  if (!project.modules.some((m) => Project.imports(m, ['fastapi_limiter']))) return undefined;
  const init = callSites(project, (call) => calling(call, ['init'])).find(({ call, ctx }) => project.resolve(call.fn, ctx).some((v) => v.kind === 'external' && v.qname === INIT));

  const at = (ctx: Ctx, expr: Expr): { file: string; line: number } => ({ file: ctx.mod.file, line: exprLine(expr, ctx.line) });

  /** A pyrate-limiter `Limiter(Rate(...) | [Rate(...), ...])` as limits, or why it cannot be read. */
  const pyrateLimits = (expr: Expr | undefined, ctx: Ctx, source: Limit['source']): Enforced => {
    const limiter = expr ? project.resolve(expr, ctx).find((v) => Project.isInstance(v, PYRATE_LIMITER)) : undefined;
    if (limiter?.kind !== 'instance') return { limits: [], dynamic: 'the pyrate-limiter Limiter could not be resolved' };
    const first = limiter.site.call.args[0];
    const rates = first ? project.resolve(first, limiter.site.ctx).flatMap((v) => (v.kind === 'literal' && v.expr.k === 'seq' ? v.expr.items.flatMap((i) => project.resolve(i, v.ctx)) : [v])) : [];
    const limits: Limit[] = [];
    for (const rate of rates) {
      if (!Project.isInstance(rate, PYRATE_RATE)) return { limits: [], dynamic: 'a custom bucket or factory: its rates are not read statically' };
      const count = numberOf(argument(rate.site.call, 0, 'limit'), rate.site.ctx);
      const ms = durationMs(argument(rate.site.call, 1, 'interval'), rate.site.ctx);
      if (count === undefined || ms === undefined) return { limits: [], dynamic: '`Rate(...)` is not static' };
      limits.push({ rate: limitsNotation(count, ms), source, library: LIBRARY, scope: 'global', ...at(rate.site.ctx, rate.site.call), algorithm: PYRATE_ALGORITHM });
    }
    const inMemory = { ...at(limiter.site.ctx, limiter.site.call), message: 'a pyrate-limiter `Limiter(Rate(...))` keeps its bucket in process memory (`InMemoryBucket`)', concern: 'per-process-storage' as const };
    return { limits, evidence: limits.length ? [inMemory] : [] };
  };

  /** 0.2's over-limit answer and `skip=` condition, options of both RateLimiter and RateLimiterMiddleware. */
  const pyrateOptions = (call: CallExpr, ctx: Ctx, http: boolean): Evidence[] => {
    const found: Evidence[] = [];
    // A blocking limiter makes requests wait: it never answers 429 at all.
    const rejects = http && !isTrue(kwarg(call, 'blocking'));
    if (rejects && !kwarg(call, 'callback') && !call.splat) found.push({ ...at(ctx, call), message: 'fastapi-limiter 0.2 answers over-limit requests with 429 but no `Retry-After`', concern: 'no-retry-signal' });
    const skip = kwarg(call, 'skip');
    if (skip) found.push(...conditionConcerns(project.resolve(skip, ctx), 'skip', STARLETTE_REQUEST));
    return found;
  };

  /** 0.1's identifier: RateLimiter's own, else `FastAPILimiter.init`'s, else the default one. */
  const identifierConcerns = (call: CallExpr, ctx: Ctx): Pick<Enforced, 'evidence' | 'perPath'> => {
    // RateLimiter(times, milliseconds, seconds, minutes, hours, identifier); init(redis, prefix, identifier)
    const own = argument(call, 5, 'identifier');
    const given = own ? { expr: own, ctx, call } : init && { expr: argument(init.call, 2, 'identifier'), ctx: init.ctx, call: init.call };
    if (given?.expr) {
      // An empty identifier is still a key here (`prefix::0:0`), one counter for all such requests.
      const option = { option: 'identifier', library: DESCRIPTOR, skipsEmpty: false };
      return { evidence: keyConcerns(project.resolve(given.expr, given.ctx), at(given.ctx, given.call), STARLETTE_REQUEST, option) };
    }
    const where = init ? at(init.ctx, init.call) : at(ctx, call);
    const message = "fastapi-limiter's default identifier keys on the left-most `X-Forwarded-For` entry, which any client can set: a new value gets a fresh counter";
    return { evidence: [{ ...where, message, concern: 'spoofable-key' }], perPath: where };
  };

  const numberOf = (expr: Expr | undefined, ctx: Ctx): number | undefined => {
    if (!expr) return undefined;
    const v = project.resolve(expr, ctx)[0];
    return v?.kind === 'literal' && v.expr.k === 'num' ? v.expr.v : undefined;
  };

  /** `Duration.MINUTE`, `Duration.SECOND * 5`, `5 * Duration.SECOND` or milliseconds. */
  const durationMs = (expr: Expr | undefined, ctx: Ctx): number | undefined => {
    if (!expr) return undefined;
    if (expr.k === 'attr' && DURATION_MS[expr.name]) return DURATION_MS[expr.name];
    if (expr.k === 'other') {
      const m = /^(?:Duration\.(\w+)\s*\*\s*(\d+)|(\d+)\s*\*\s*Duration\.(\w+))$/.exec(expr.text.trim());
      const unit = m && DURATION_MS[m[1] ?? m[4]];
      return unit ? unit * Number(m[2] ?? m[3]) : undefined;
    }
    return numberOf(expr, ctx);
  };

  /** The limits a `RateLimiter(...)` instance enforces (made of a project subclass, as its `__init__`s pass them on). */
  const rateLimiter = (limiter: Instance, source: Limit['source']): Enforced => {
    const passed = project.libraryConstruction(limiter);
    if (!passed) return { limits: [], dynamic: `\`${Project.describe(limiter.site.call)}\`'s \`__init__\` does not pass its construction on to RateLimiter's` };
    const { call, ctx } = passed;
    const http = !Project.isInstance(limiter, WS_RATE_LIMITER);
    const evidence: Evidence[] = [];
    const blocks = isTrue(kwarg(call, 'blocking'));
    if (blocks) evidence.push({ ...at(ctx, call), message: '`blocking=True` makes requests wait instead of rejecting them', concern: 'does-not-block' });
    const marked = (l: Limit): Limit => (blocks ? { ...l, conditions: ['blocking'] } : l);
    const pyrate = argument(call, 0, 'limiter');
    if (pyrate && numberOf(pyrate, ctx) === undefined && !kwarg(call, 'times')) {
      const got = pyrateLimits(pyrate, ctx, source);
      if (got.limits.length) {
        evidence.push({ ...at(ctx, call), message: 'a pyrate-limiter `Limiter(Rate(...))` has one bucket shared by every client: a global cap, not a per-client limit' });
        evidence.push(...(got.evidence ?? []), ...pyrateOptions(call, ctx, http));
      }
      return { ...got, limits: got.limits.map(marked), evidence };
    }
    const times = kwarg(call, 'times') ?? call.args[0];
    const count = times ? numberOf(times, ctx) : 1;
    let ms = 0;
    for (const [name, position, unit] of UNITS) {
      const expr = argument(call, position, name);
      if (!expr) continue;
      const n = numberOf(expr, ctx);
      if (n === undefined) return { limits: [], dynamic: `\`${name}=\` of RateLimiter is not static`, evidence };
      ms += n * unit;
    }
    if (count === undefined || ms <= 0) return { limits: [], dynamic: 'RateLimiter arguments are not static', evidence };
    if (!init) evidence.push({ ...at(ctx, call), message: '`FastAPILimiter.init(...)` is never called: every request to a RateLimiter route fails with 500', concern: 'limiter-not-wired' });
    const limit: Limit = { rate: limitsNotation(count, ms), source, library: LIBRARY, scope: 'route', ...at(ctx, call), algorithm: 'fixed-window' };
    const identifier = identifierConcerns(call, ctx);
    return { limits: [marked(limit)], evidence: [...evidence, ...(identifier.evidence ?? [])], perPath: identifier.perPath };
  };

  /**
   * A project subclass's own `__call__`, which FastAPI calls in place of RateLimiter's: RateLimiter's runs only where
   * it calls `super().__call__(...)`, and a branch before that may return first (Open-Assistant's limiters skip requests
   * without a user, or when a setting turns limiting off).
   */
  const ownCall = (limiter: Instance): string | undefined => {
    const own = limiter.cls && project.methodOf(limiter.cls, '__call__');
    if (!own) return undefined;
    const { mod, fn } = own;
    const defined = lineOf(fn.loc);
    const passing = mod.calls.find(({ scope, call }) => scope === fn.bodyScope && call.fn.k === 'attr' && call.fn.name === '__call__' && isSuper(call.fn.obj));
    const line = passing ? lineOf(passing.call.loc) : undefined;
    if (line !== undefined && !mod.arms.some((a) => defined < a.from && a.from <= line)) return undefined;
    return `has its own \`${fn.qualname}\` (${mod.file}:${defined}), which FastAPI calls in place of RateLimiter's and which ${line === undefined ? 'never calls it' : `may return before it calls it (line ${line})`}`;
  };

  const runs = dependencyRunner(project);
  /** RateLimiter instances a dependency runs: `Depends(limiter)`, or called in a dependency function (`await limiter(request, response)`). */
  const limitersIn = (dependency: Decorator): Ran[] =>
    runs(dependency).flatMap(({ values, mayNotRun, assumed }) => values.filter((v): v is Instance => Project.isInstance(v, RATE_LIMITER)).map((instance) => ({ instance, mayNotRun: mayNotRun ?? ownCall(instance), assumed })));

  const skipped = (decorators: Decorator[]): Evidence | undefined => {
    const found = decorators.find(({ expr, ctx }) => project.resolve(expr, ctx).some((v) => v.kind === 'external' && SKIP.includes(v.qname)));
    return found && { ...at(found.ctx, found.expr), message: '`@skip_limiter` turns this route\'s RateLimiter off', concern: 'exempt' };
  };

  /** `WebSocketRateLimiter` instances called in the WebSocket endpoint's body. */
  const websocketLimiters = (context: AsgiRouteContext): Instance[] => {
    const handler = context.handler;
    if (!handler) return [];
    const calls = handler.mod.calls.filter((c) => c.scope === handler.fn.bodyScope);
    return calls.flatMap(({ call }) =>
      project.resolve(call.fn, { mod: handler.mod, scope: handler.fn.bodyScope, line: lineOf(call.loc) }).filter((v): v is Instance => Project.isInstance(v, WS_RATE_LIMITER)),
    );
  };

  return {
    protect(draft, method) {
      return contribution((evidence) => {
        const { context } = draft;
        const limits: Limit[] = [];
        let unknown = false;
        const add = (got: Enforced, where: SourceRef): void => {
          limits.push(...got.limits);
          evidence.push(...(got.evidence ?? []));
          if (got.perPath) evidence.push(...perPathConcerns(got.perPath, draft.route.path, "fastapi-limiter's default identifier includes the request path"));
          if (got.dynamic) {
            unknown = true;
            evidence.push({ ...where, message: got.dynamic });
          }
        };
        // RateLimiterMiddleware is a BaseHTTPMiddleware: WebSocket connections pass through it.
        for (const hop of method === 'WS' ? [] : context.hops) {
          for (const m of graph.middleware.get(hop.node.site.key) ?? []) {
            if (!m.types.some((t) => MIDDLEWARE.includes(t))) continue;
            const where = at(m.ctx, m.call);
            const got = pyrateLimits(kwarg(m.call, 'limiter'), m.ctx, 'middleware');
            if (got.limits.length) evidence.push({ ...where, message: 'RateLimiterMiddleware keeps one bucket for every client and path of the app' }, ...pyrateOptions(m.call, m.ctx, true));
            add(got, where);
          }
        }
        const skip = skipped(context.decorators);
        if (skip) {
          evidence.push(skip);
          return { limits, unknown, exempt: true };
        }
        const dependencies = method === 'WS' ? [] : routeDependencies(context);
        for (const { expr, ctx } of dependencies.filter((d) => d.unread)) {
          add({ limits: [], dynamic: `the dependencies \`${Project.describe(expr)}\` cannot be read: a RateLimiter among them would not be seen` }, at(ctx, expr));
        }
        const ran = method === 'WS' ? websocketLimiters(context).map((instance): Ran => ({ instance })) : dependencies.flatMap(limitersIn);
        const seen = new Set<string>();
        for (const { instance, mayNotRun, assumed } of ran) {
          if (seen.has(instance.site.key)) continue;
          seen.add(instance.site.key);
          project.replay(assumed);
          const where = at(instance.site.ctx, instance.site.call);
          if (mayNotRun) add({ limits: [], dynamic: `this RateLimiter ${mayNotRun}: whether it runs for a request is not read` }, where);
          else add(rateLimiter(instance, method === 'WS' ? 'handler' : 'dependency'), where);
        }
        return { limits, unknown };
      });
    },
  };
};

export const fastapiLimiter: AsgiLibrary = {
  descriptor: DESCRIPTOR,
  resolver,
};
