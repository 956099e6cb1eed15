/**
 * FastAPI and Starlette routes. The app graph: `FastAPI()` / `Starlette()` apps, `APIRouter` / `Router`
 * routers and `Mount`s, joined by `include_router(router, prefix=, dependencies=)` and mount edges
 * (`app.mount(path, sub)`, `Mount(path, app=sub)`, `Mount(path, routes=[...])`). Routes come from the
 * path-operation decorators (`get` … `trace`, `api_route`, `websocket`, Starlette's `route` and
 * `websocket_route`), the imperative `add_api_route` / `add_api_websocket_route` / `add_route` /
 * `add_websocket_route`, and `routes=[Route(...), WebSocketRoute(...), Mount(...)]` lists.
 * Full path = for every hop from the app inwards, the include prefix or mount path followed by the
 * router's own prefix, then the route path: plain concatenation, as fastapi/routing.py does.
 * Upstream: https://fastapi.tiangolo.com/tutorial/bigger-applications/ and starlette/routing.py
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, exprLine, kwarg, lineOf } from '../../python/ir';
import { bundledRoutes } from './bundled-routers';
import { Project, type ClassRef, type Ctx, type Assumption, type FunctionRef, type StoredKeyword, type Value, sameSite, siteKey } from '../../python/project';
import type { Framework, NotServed, PrefixPart, Route } from '../../model';
import { addedItems, assumedFor, callSites, calling, declaredAt, functionCtx, httpMethods, sequenceItems, sortedUnique, UNRESOLVED_SEGMENT, type Decorator, type RouteDraft } from '../common';
import { lookupTable } from '../../collections';

export type Instance = Extract<Value, { kind: 'instance' }>;
type Located = { expr: Expr; ctx: Ctx };

const FASTAPI_APPS = ['fastapi.FastAPI', 'fastapi.applications.FastAPI'];
const STARLETTE_APPS = ['starlette.applications.Starlette'];
const API_ROUTERS = ['fastapi.APIRouter', 'fastapi.routing.APIRouter'];
export const ROUTER_PREFIX: StoredKeyword = { owners: API_ROUTERS, name: 'prefix' };
const STARLETTE_ROUTERS = ['starlette.routing.Router'];
const MOUNTS = ['starlette.routing.Mount'];
const HTTP_ROUTES = ['starlette.routing.Route', 'fastapi.routing.APIRoute'];
const WEBSOCKET_ROUTES = ['starlette.routing.WebSocketRoute', 'fastapi.routing.APIWebSocketRoute'];
const HTTP_ENDPOINTS = ['starlette.endpoints.HTTPEndpoint'];
const DEPENDS = ['fastapi.Depends', 'fastapi.Security', 'fastapi.params.Depends', 'fastapi.params.Security'];

// A cheap gate before resolving a call: a constructor is named like a class (`FastAPI`, `APIRouter`, a
// project's `class PodcastApp(Starlette)`), so only such calls are resolved to find apps and routers.
const CLASS_LIKE = /(^|\.)[A-Z]\w*$/;
const VERBS = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'trace'];
/** Route-declaring methods of apps and routers: how each one reads its arguments. */
const DECLARATIONS = lookupTable<{ style: 'fastapi' | 'starlette'; kind: Route['kind']; endpointAt?: number; methods?: string[] }>({
  ...Object.fromEntries(VERBS.map((v) => [v, { style: 'fastapi' as const, kind: 'http' as const, methods: [v.toUpperCase()] }])),
  api_route: { style: 'fastapi', kind: 'http' },
  websocket: { style: 'fastapi', kind: 'websocket' },
  route: { style: 'starlette', kind: 'http' },
  websocket_route: { style: 'starlette', kind: 'websocket' },
  add_api_route: { style: 'fastapi', kind: 'http', endpointAt: 1 },
  add_api_websocket_route: { style: 'fastapi', kind: 'websocket', endpointAt: 1 },
  add_route: { style: 'starlette', kind: 'http', endpointAt: 1 },
  add_websocket_route: { style: 'starlette', kind: 'websocket', endpointAt: 1 },
});

/** `Depends(...)` or `Security(...)`. */
export function isDependsCall(project: Project, call: CallExpr, ctx: Ctx): boolean {
  return project.resolve(call.fn, ctx).some((v) => v.kind === 'external' && DEPENDS.includes(v.qname));
}

export const isFastApiApp = (v: Value): v is Instance => Project.isInstance(v, FASTAPI_APPS);
export const isAsgiApp = (v: Value): v is Instance => Project.isInstance(v, [...FASTAPI_APPS, ...STARLETTE_APPS]);
const NODE_CLASSES = [...FASTAPI_APPS, ...STARLETTE_APPS, ...API_ROUTERS, ...STARLETTE_ROUTERS, ...MOUNTS];
const isNode = (v: Value): v is Instance => Project.isInstance(v, NODE_CLASSES);

/** One step from an app inwards: the node reached and how. */
export interface Hop {
  node: Instance;
  via: 'root' | 'include' | 'mount';
  /** `include_router(..., dependencies=)` of this edge, then the node's own `dependencies=`. */
  dependencies: Decorator[];
}

export interface AsgiRouteContext {
  hops: Hop[]; // outermost first; hops[0] is an app unless the route is unattached
  handler?: FunctionRef;
  /** Decorators below the route decorator: they wrap the function FastAPI registers. */
  decorators: Decorator[];
  /** Decorators above the route decorator: they wrap a function the framework never calls for this route. */
  misplaced: Decorator[];
  /** The route's `dependencies=` and the endpoint's `Depends(...)` parameters. */
  dependencies: Decorator[];
}

interface Edge {
  parent: Instance;
  child: Instance;
  via: 'include' | 'mount';
  prefix?: Located; // `include_router(..., prefix=)`, a mount's path
  dependencies?: Located; // `include_router(..., dependencies=)`, read with each chain through the edge
  ctx: Ctx;
}

/**
 * A route's context before its chains are known; its dependencies are read as it is emitted, so that what
 * reading them assumes (a helper's `if not ENABLED: return []` decided by the profile) is the route's.
 */
type Declared = Omit<AsgiRouteContext, 'hops' | 'dependencies'> & { dependencies: () => Decorator[] };

interface Chain {
  hops: Hop[];
  path: string;
  parts: PrefixPart[];
  unresolved: string[];
  notServed?: NotServed; // through an include in a branch the profile does not run
  assumptions: Assumption[]; // what its prefixes rest on
}

/** What the extractor found besides routes, for the limiter resolvers. */
export interface AppGraph {
  drafts: RouteDraft<AsgiRouteContext>[];
  middleware: Map<string, Middleware[]>; // by app site key
  ruledOutMiddleware: Map<string, Middleware[]>; // added in branches the deployment profile does not run (with `ruledOut`)
}

export interface Middleware {
  types: string[]; // qualified names of the middleware class
  classes: ClassRef[]; // the middleware classes of the project's own it may be
  /** `add_middleware(cls, ...)`, `Middleware(cls, ...)` or `cls(app, ...)`: options are its keywords. */
  call: CallExpr;
  args: Expr[]; // positional arguments after the wrapped app (or the class)
  ctx: Ctx;
  ruledOut?: { branch: NotServed; assumed: Assumption[] }; // the branch that would add it, and what ruling it out took
}

export function extractAsgiRoutes(project: Project): AppGraph {
  return new AsgiExtractor(project).run();
}

class AsgiExtractor {
  private readonly edges: Edge[] = [];
  private readonly nodes = new Map<string, Instance>();
  private readonly drafts: RouteDraft<AsgiRouteContext>[] = [];
  private readonly middleware = new Map<string, Middleware[]>();
  private readonly ruledOutMiddleware = new Map<string, Middleware[]>();
  private readonly skippedMounts = new Map<string, NotServed>(); // mounts made only in branches the profile rules out
  private readonly chainCache = new Map<string, Chain[]>();
  private readonly pending: (() => void)[] = [];
  private readonly listed = new Set<string>(); // nodes whose `routes=` list has been read

  constructor(private readonly project: Project) {}

  /** A class (or a library's) whose objects are no app, router or mount. */
  private makesOtherThanNodes(callee: Value): boolean {
    if (callee.kind === 'external') return !NODE_CLASSES.includes(callee.qname);
    return callee.kind === 'class' && !this.project.externalBases(callee.ref).some((q) => NODE_CLASSES.includes(q));
  }

  run(): AppGraph {
    // Apps and routers a factory returns directly (`return Starlette(routes=[...])`) are nodes too.
    const returned = this.project.modules.flatMap((mod) =>
      mod.functions.flatMap((fn) => fn.returns.filter((r): r is CallExpr => r.k === 'call').map((call) => ({ call, ctx: { mod, scope: fn.bodyScope, line: lineOf(call.loc) } }))),
    );
    const classLike = (call: CallExpr): boolean => CLASS_LIKE.test(Project.describe(call.fn));
    // A statement calling a class that is no app or router (a model, an exception) is not read for each caller.
    const mayMakeNode = (call: CallExpr, at: Ctx): boolean => classLike(call) && this.project.resolve(call.fn, at).some((v) => !this.makesOtherThanNodes(v));
    for (const { call, ctx } of [...callSites(this.project, mayMakeNode), ...returned.filter((site) => classLike(site.call))]) {
      for (const value of this.project.resolve(call, ctx)) if (isNode(value)) this.addNode(value);
    }
    for (const { call, ctx } of callSites(this.project, (c) => calling(c, ['include_router', 'mount', 'add_middleware']))) {
      if (call.fn.k !== 'attr') continue;
      const method = call.fn.name;
      if (method === 'include_router') this.include(call, ctx);
      else if (method === 'mount') this.mount(call, ctx);
      else if (method === 'add_middleware') this.addMiddleware(call, ctx);
    }
    // What a branch the profile rules out would add: middleware (keep's `if KEEP_USE_LIMITER:
    // app.add_middleware(SlowAPIMiddleware)`), and mounts (hostedapi's `if settings.MOCK_GITHUB: routes +=
    // [Mount("/mock_github", routes=github_routes)]`), whose routes are listed as not served.
    for (const { call, ctx, notServed, assumed } of this.project.profileSkipped) {
      if (calling(call, ['add_middleware'])) this.addMiddleware(call, ctx, { branch: notServed, assumed });
      const mounting = CLASS_LIKE.test(Project.describe(call.fn)) && this.project.resolve(call.fn, ctx).some((v) => (v.kind === 'external' ? MOUNTS.includes(v.qname) : v.kind === 'class' && this.project.externalBases(v.ref).some((q) => MOUNTS.includes(q))));
      for (const mount of mounting ? this.project.resolve(call, ctx) : []) {
        if (!Project.isInstance(mount, MOUNTS) || this.nodes.has(mount.site.key)) continue;
        this.addNode(mount);
        this.skippedMounts.set(mount.site.key, notServed);
      }
    }
    const imperative = ({ fn }: CallExpr): boolean => (fn.k === 'attr' ? DECLARATIONS[fn.name]?.endpointAt !== undefined : /Middleware$/.test(Project.describe(fn)));
    for (const { call, ctx } of callSites(this.project, imperative)) {
      if (call.fn.k === 'attr') this.imperative(call, ctx);
      else this.wrappingMiddleware(call, ctx);
    }
    for (const mod of this.project.modules) {
      for (const fn of mod.functions) this.decorated({ mod, fn });
      for (const cls of mod.classes) this.decoratedClass({ mod, cls });
    }
    // Route lists are read last: every node is known by then.
    for (const node of [...this.nodes.values()]) this.routeList(node);
    for (const emit of this.pending) emit();
    return { drafts: this.drafts, middleware: this.middleware, ruledOutMiddleware: this.ruledOutMiddleware };
  }

  private addNode(node: Instance): void {
    if (this.nodes.has(node.site.key)) return;
    this.nodes.set(node.site.key, node);
    const own = node.site;
    const middleware = kwarg(own.call, 'middleware');
    for (const item of middleware ? sequenceItems(this.project, middleware, own.ctx) ?? [] : []) {
      if (item.expr.k === 'call' && item.expr.args[0]) this.recordMiddleware(node, item.expr.args[0], item.expr, item.ctx);
    }
  }

  /** Nodes an expression denotes; `app.router` is the app itself. */
  private nodesOf(expr: Expr, ctx: Ctx): Instance[] {
    const out: Instance[] = [];
    for (const value of this.project.resolve(expr, ctx)) {
      if (isNode(value)) out.push(value);
      else if (value.kind === 'member' && value.name === 'router' && isAsgiApp(value.of)) out.push(value.of);
    }
    out.forEach((n) => this.addNode(n));
    return out;
  }

  private include(call: CallExpr, ctx: Ctx): void {
    const included = argument(call, 0, 'router');
    if (call.fn.k !== 'attr' || !included) return;
    const parents = this.nodesOf(call.fn.obj, ctx);
    if (!parents.length) return;
    const prefix = this.project.keywordArgument(call, 'prefix', ctx);
    const dependencies = this.project.keywordArgument(call, 'dependencies', ctx);
    for (const child of [...this.nodesOf(included, ctx), ...this.bundledNodes(included, ctx)]) {
      for (const parent of parents) this.edges.push({ parent, child, via: 'include', prefix, dependencies, ctx });
    }
  }

  /** Routers a library method builds (see bundled-routers.ts): a node each, whose routes are the library's. */
  private bundledNodes(expr: Expr, ctx: Ctx): Instance[] {
    return this.project.resolve(expr, ctx).flatMap((value): Instance[] => {
      const routes = bundledRoutes(value);
      if (!routes || value.kind !== 'result') return [];
      const { call } = value;
      const site = { key: siteKey(call, value.ctx), call, ctx: value.ctx };
      if (!this.nodes.has(site.key)) {
        const node: Instance = { kind: 'instance', types: API_ROUTERS, site };
        this.addNode(node);
        for (const route of routes) {
          const verb = route.method.toLowerCase();
          const declaration: CallExpr = { k: 'call', fn: { k: 'attr', obj: call, name: verb, loc: call.loc }, args: [{ k: 'str', v: route.path, loc: call.loc }], kwargs: [], splat: false, loc: call.loc };
          this.emit(node, declaration, value.ctx, verb, { kind: 'external', qname: route.handler }, { decorators: [], misplaced: [], dependencies: () => [] });
        }
      }
      return [this.nodes.get(site.key)!];
    });
  }

  private mount(call: CallExpr, ctx: Ctx): void {
    if (call.fn.k !== 'attr') return;
    const path = argument(call, 0, 'path');
    const app = argument(call, 1, 'app');
    if (!path || !app) return;
    const parents = this.nodesOf(call.fn.obj, ctx);
    for (const child of parents.length ? this.nodesOf(app, ctx) : []) {
      for (const parent of parents) this.edges.push({ parent, child, via: 'mount', prefix: { expr: path, ctx }, ctx });
    }
  }

  private addMiddleware(call: CallExpr, ctx: Ctx, ruledOut?: Middleware['ruledOut']): void {
    if (call.fn.k !== 'attr' || !call.args[0]) return;
    for (const app of this.nodesOf(call.fn.obj, ctx).filter(isAsgiApp)) {
      // `add_middleware(get_middleware, redis=...)`: Starlette calls the factory with the app and the options;
      // what it returns is the middleware (`return RateLimitMiddleware(app, auth, backend, config=rules)`).
      const made = this.project.resolve(call.args[0], ctx).some((v) => v.kind === 'function')
        ? this.project.resolve({ ...call, fn: call.args[0], args: [call.fn.obj, ...call.args.slice(1)] }, ctx).filter((v): v is Instance => v.kind === 'instance')
        : [];
      if (made.length) for (const m of made) this.recordMiddleware(app, m.site.call.fn, m.site.call, m.site.ctx, ruledOut);
      else this.recordMiddleware(app, call.args[0], call, ctx, ruledOut);
    }
  }

  /** `app = RateLimitMiddleware(app, ...)`: a middleware wrapping the app object directly. */
  private wrappingMiddleware(call: CallExpr, ctx: Ctx): void {
    const first = argument(call, 0, 'app');
    if (!first) return;
    for (const app of this.project.resolve(first, ctx).filter(isAsgiApp)) this.recordMiddleware(app, call.fn, call, ctx);
  }

  /** `call` is `add_middleware(cls, ...)`, `Middleware(cls, ...)` or `cls(app, ...)`: arguments after its first. */
  private recordMiddleware(app: Instance, cls: Expr, call: CallExpr, ctx: Ctx, ruledOut?: Middleware['ruledOut']): void {
    const values = this.project.resolve(cls, ctx);
    const types = values.flatMap((v) =>
      v.kind === 'external' ? [v.qname] : v.kind === 'class' ? [`${v.ref.mod.module}.${v.ref.cls.qualname}`, ...this.project.externalBases(v.ref)] : [],
    );
    const classes = values.flatMap((v) => (v.kind === 'class' ? [v.ref] : []));
    const byApp = ruledOut ? this.ruledOutMiddleware : this.middleware;
    const list = byApp.get(app.site.key) ?? [];
    list.push({ types, classes, call, args: call.args.slice(1), ctx, ...(ruledOut && { ruledOut }) });
    byApp.set(app.site.key, list);
  }

  private dependencyList(expr: Expr | undefined, ctx: Ctx): Decorator[] {
    if (!expr || expr.k === 'none') return [];
    const listed = sequenceItems(this.project, expr, ctx);
    if (!listed) return [{ expr, ctx, unread: true }];
    const items = listed.map((i): Decorator => ({ expr: i.expr, ctx: i.ctx }));
    // A list with alternatives (a helper that returns `[]` in a branch the profile leaves undecided): an item
    // that only some of them hold may not run.
    const alternatives = ['seq', 'comp', 'concat'].includes(expr.k) ? [] : this.project.resolve(expr, ctx);
    if (alternatives.length < 2) return items;
    const held = alternatives.map((v) => (v.kind === 'literal' ? (sequenceItems(this.project, v.expr, v.ctx) ?? []) : []));
    const inEvery = (item: Decorator): boolean => held.every((list) => list.some((i) => i.expr === item.expr && i.ctx.env === item.ctx.env));
    return items.map((item) => (inEvery(item) ? item : { ...item, conditional: true }));
  }

  /** `@app.get("/x")`, `@router.api_route(...)`, `@app.websocket(...)`; several may stack on one function. */
  private decorated(ref: FunctionRef): void {
    const ctx = functionCtx(ref.mod, ref.fn);
    ref.fn.decorators.forEach((dec, index) => {
      if (dec.k !== 'call' || dec.fn.k !== 'attr') return;
      const spec = DECLARATIONS[dec.fn.name];
      if (!spec || spec.endpointAt !== undefined) return;
      const owners = this.nodesOf(dec.fn.obj, ctx);
      if (!owners.length) return;
      const context = {
        handler: ref,
        decorators: ref.fn.decorators.slice(index + 1).map((expr) => ({ expr, ctx })),
        misplaced: ref.fn.decorators.slice(0, index).map((expr) => ({ expr, ctx })),
        dependencies: () => [...this.dependencyList(kwarg(dec, 'dependencies'), ctx), ...this.signatureDependencies(ref)],
      };
      for (const owner of owners) this.emit(owner, dec, ctx, dec.fn.name, { kind: 'function', ref }, context);
    });
  }

  /** Starlette's `@router.websocket_route("/ws")` / `@app.route("/x")` on an endpoint class (`WebSocketEndpoint`, `HTTPEndpoint`). */
  private decoratedClass(ref: ClassRef): void {
    const ctx = { mod: ref.mod, scope: ref.cls.scope, line: lineOf(ref.cls.loc) };
    for (const dec of ref.cls.decorators) {
      if (dec.k !== 'call' || dec.fn.k !== 'attr' || DECLARATIONS[dec.fn.name]?.style !== 'starlette' || DECLARATIONS[dec.fn.name].endpointAt !== undefined) continue;
      const context = { handler: undefined, decorators: [], misplaced: [], dependencies: () => [] };
      for (const owner of this.nodesOf(dec.fn.obj, ctx)) this.emit(owner, dec, ctx, dec.fn.name, { kind: 'class', ref }, context);
    }
  }

  private imperative(call: CallExpr, ctx: Ctx): void {
    if (call.fn.k !== 'attr') return;
    const owners = this.nodesOf(call.fn.obj, ctx);
    if (!owners.length) return;
    const { endpoint, context } = this.endpointContext(call, ctx, DECLARATIONS[call.fn.name].style === 'fastapi');
    for (const owner of owners) this.emit(owner, call, ctx, call.fn.name, endpoint, context);
  }

  /** The endpoint of `add_api_route(path, endpoint, ...)` / `Route(path, endpoint, ...)`, with what wraps it. */
  private endpointContext(call: CallExpr, ctx: Ctx, fastapiStyle: boolean): { endpoint: Value; context: Declared } {
    const expr = argument(call, 1, 'endpoint');
    const endpoint = (expr && this.project.resolve(expr, ctx).find((v) => v.kind === 'function' || v.kind === 'class')) || { kind: 'unknown', why: Project.describe(expr ?? { k: 'none' }) };
    const handler = endpoint.kind === 'function' ? endpoint.ref : undefined;
    const context = {
      handler,
      decorators: handler ? handler.fn.decorators.map((d) => ({ expr: d, ctx: functionCtx(handler.mod, handler.fn) })) : [],
      misplaced: [],
      dependencies: () => [...this.dependencyList(kwarg(call, 'dependencies'), ctx).map((d): Decorator => ({ ...d, fromCall: true })), ...(handler && fastapiStyle ? this.signatureDependencies(handler) : [])],
    };
    return { endpoint, context };
  }

  /** `Starlette(routes=[...])`, `Router(routes=[...])`, `Mount(path, routes=[...])`, `Mount(path, app=sub)`. */
  private routeList(node: Instance): void {
    if (this.listed.has(node.site.key)) return;
    this.listed.add(node.site.key);
    const { call, ctx } = node.site;
    const isMount = Project.isInstance(node, MOUNTS);
    if (isMount) {
      const app = argument(call, 1, 'app');
      for (const child of app && app.k !== 'none' ? this.nodesOf(app, ctx) : []) {
        this.edges.push({ parent: node, child, via: 'mount', ctx });
      }
    }
    const position = isMount ? 2 : Project.isInstance(node, STARLETTE_APPS) ? 1 : Project.isInstance(node, STARLETTE_ROUTERS) ? 0 : -1;
    const list = argument(call, position, 'routes');
    if (!list || list.k === 'none') return;
    // Starlette copies the list it is given: what is added to it before, and only that, is served.
    for (const item of [...(sequenceItems(this.project, list, ctx) ?? []), ...addedItems(this.project, list, ctx, lineOf(call.loc))]) {
      for (const value of this.project.resolve(item.expr, item.ctx)) {
        if (value.kind !== 'instance') continue;
        const at = value.site;
        const types = value.types;
        if (Project.isInstance(value, MOUNTS)) {
          this.addNode(value);
          this.edges.push({ parent: node, child: value, via: 'mount', ctx: at.ctx });
          this.routeList(value);
        } else if (types.some((t) => HTTP_ROUTES.includes(t) || WEBSOCKET_ROUTES.includes(t))) {
          const fastapiStyle = types.some((t) => t.startsWith('fastapi.'));
          const http = types.some((t) => HTTP_ROUTES.includes(t));
          const declaration = http ? (fastapiStyle ? 'add_api_route' : 'add_route') : fastapiStyle ? 'add_api_websocket_route' : 'add_websocket_route';
          const { endpoint, context } = this.endpointContext(at.call, at.ctx, fastapiStyle);
          this.emit(node, at.call, at.ctx, declaration, endpoint, context);
        }
      }
    }
  }

  /** `Depends(...)` / `Security(...)` parameter defaults and `Annotated[..., Depends(...)]` annotations. */
  private signatureDependencies(ref: FunctionRef): Decorator[] {
    const ctx = functionCtx(ref.mod, ref.fn);
    const out: Decorator[] = [];
    for (const param of ref.fn.params) {
      const candidates = [param.default, ...(param.annotation?.k === 'subscript' && param.annotation.index.k === 'seq' ? param.annotation.index.items : [])];
      for (const c of candidates) if (c?.k === 'call' && isDependsCall(this.project, c, ctx)) out.push({ expr: c, ctx });
    }
    return out;
  }

  /** Routes are emitted once every edge is known: a chain computed earlier would miss later mounts. */
  private emit(...args: Parameters<AsgiExtractor['emitNow']>): void {
    this.pending.push(() => this.project.noting(() => this.emitNow(...args)));
  }

  private emitNow(
    owner: Instance,
    at: CallExpr,
    ctx: Ctx,
    declaration: string,
    endpoint: Value,
    declared: Declared,
  ): void {
    const spec = DECLARATIONS[declaration];
    const pathExpr = argument(at, 0, 'path');
    const routePath = pathExpr ? this.project.stringValue(pathExpr, ctx) : undefined;
    const unresolved: string[] = [];
    if (routePath === undefined) unresolved.push(`path \`${pathExpr ? Project.describe(pathExpr) : '?'}\` is not a static string`);
    const methods = spec.kind === 'websocket' ? { declared: [], automatic: [] } : this.methods(spec, at, ctx, endpoint, unresolved);
    const context = { ...declared, dependencies: declared.dependencies() };
    for (const chain of this.chains(owner)) {
      const hops = chain.hops;
      this.drafts.push({
        route: {
          framework: this.framework(hops),
          kind: spec.kind,
          methods: sortedUnique([...methods.declared, ...methods.automatic]),
          automaticMethods: sortedUnique(methods.automatic),
          path: chain.path + (routePath ?? (pathExpr && this.project.shownText(pathExpr, ctx)) ?? UNRESOLVED_SEGMENT),
          unresolved: [...chain.unresolved, ...unresolved],
          ...declaredAt(ctx, at),
          handler: this.handlerName(endpoint),
          handlerFile: endpoint.kind === 'function' ? endpoint.ref.mod.file : endpoint.kind === 'class' ? endpoint.ref.mod.file : ctx.mod.file,
          handlerLine: endpoint.kind === 'function' ? lineOf(endpoint.ref.fn.loc) : endpoint.kind === 'class' ? lineOf(endpoint.ref.cls.loc) : lineOf(at.loc),
          app: hops[0] && isAsgiApp(hops[0].node) ? { file: hops[0].node.site.ctx.mod.file, line: lineOf(hops[0].node.site.call.loc), name: isFastApiApp(hops[0].node) ? 'FastAPI' : 'Starlette' } : undefined,
          prefixes: chain.parts,
          ...(chain.notServed && { notServed: chain.notServed }),
          ...assumedFor(this.project, chain.assumptions),
        },
        context: { ...context, hops },
      });
    }
  }

  private handlerName(endpoint: Value): string {
    if (endpoint.kind === 'function') return `${endpoint.ref.mod.module}.${endpoint.ref.fn.qualname}`;
    if (endpoint.kind === 'class') return `${endpoint.ref.mod.module}.${endpoint.ref.cls.qualname}`;
    return endpoint.kind === 'unknown' ? endpoint.why : endpoint.kind === 'external' ? endpoint.qname : '?';
  }

  private framework(hops: Hop[]): Framework {
    const apps = hops.filter((h) => isAsgiApp(h.node));
    const innermost = apps[apps.length - 1]?.node ?? hops[0]?.node;
    return innermost && Project.isInstance(innermost, [...STARLETTE_APPS, ...STARLETTE_ROUTERS, ...MOUNTS]) ? 'starlette' : 'fastapi';
  }

  /**
   * FastAPI-style declarations serve exactly the methods given (default GET). Starlette-style ones add
   * HEAD to GET; a class endpoint (HTTPEndpoint) serves the verbs it defines.
   */
  private methods(spec: (typeof DECLARATIONS)[string], at: CallExpr, ctx: Ctx, endpoint: Value, unresolved: string[]): { declared: string[]; automatic: string[] } {
    let declared = spec.methods;
    if (!declared) {
      const written = kwarg(at, 'methods') ?? (spec.style === 'starlette' && spec.endpointAt !== undefined ? at.args[2] : undefined);
      // `add_api_route(path, func, **kwargs)` in a helper called with `methods=["POST"]`: the entry of the dict it fills.
      const passed = !written && at.kwstar ? this.project.dictEntry(at.kwstar, 'methods', ctx) : undefined;
      const given = written ? { expr: written, ctx } : passed === 'unread' ? { expr: at.kwstar!, ctx } : passed;
      if (given && given.expr.k !== 'none') {
        declared = httpMethods(this.project, given.expr, given.ctx);
        if (!declared) unresolved.push(passed === 'unread' ? '`**` arguments may give methods that are not static' : 'methods are not static');
      } else if (spec.style === 'starlette' && endpoint.kind === 'class') {
        declared = this.endpointVerbs(endpoint.ref);
      } else declared = ['GET'];
    }
    declared = declared ?? [];
    const automatic = spec.style === 'starlette' && declared.includes('GET') && !declared.includes('HEAD') ? ['HEAD'] : [];
    return { declared, automatic };
  }

  private endpointVerbs(cls: ClassRef): string[] | undefined {
    if (!this.project.externalBases(cls).some((b) => HTTP_ENDPOINTS.includes(b))) return undefined;
    const chain = this.project.classChain(cls);
    return VERBS.filter((verb) => chain.some((c) => c.cls.methods.includes(verb))).map((v) => v.toUpperCase());
  }

  private ownPrefix(node: Instance): Located | undefined {
    return Project.isInstance(node, API_ROUTERS) ? this.project.constructionKeyword(node, 'prefix') : undefined;
  }

  /** Every way a node is reached from an app, with the path prefix it gets there. */
  private chains(node: Instance, seen: string[] = []): Chain[] {
    const key = node.site.key;
    const cached = this.chainCache.get(key);
    if (cached) return cached;
    if (seen.includes(key) || seen.length > 16) return [];
    // Each chain carries what its own prefixes assumed: a router included twice is not charged with both.
    const result = this.project.noting(() => this.chainsUncached(node, seen));
    this.chainCache.set(key, result);
    return result;
  }

  private chainsUncached(node: Instance, seen: string[]): Chain[] {
    const key = node.site.key;
    const ownPrefix = this.ownPrefix(node);
    const own = this.segment(undefined, ownPrefix);
    const incoming = this.edges.filter((e) => sameSite(e.child.site.key, key));
    const result: Chain[] = [];
    for (const edge of incoming) {
      const mountPath = Project.isInstance(edge.child, MOUNTS) ? argument(edge.child.site.call, 0, 'path') : undefined;
      const step = this.segment(edge.prefix ?? (mountPath && { expr: mountPath, ctx: edge.ctx }), ownPrefix, edge.via === 'mount');
      const dependencies = this.project.captured(() => [...this.dependencyList(edge.dependencies?.expr, edge.dependencies?.ctx ?? edge.ctx), ...this.ownDependencies(node)]);
      for (const parent of this.chains(edge.parent, [...seen, key])) {
        const hop: Hop = { node, via: edge.via, dependencies: dependencies.value };
        result.push({
          hops: [...parent.hops, hop],
          path: parent.path + step.path,
          parts: [...parent.parts, ...step.parts],
          unresolved: [...parent.unresolved, ...step.unresolved],
          ...(parent.notServed && { notServed: parent.notServed }),
          assumptions: [...parent.assumptions, ...step.assumptions, ...dependencies.assumed],
        });
      }
    }
    if (!incoming.length) {
      const dependencies = this.project.captured(() => this.ownDependencies(node));
      const root: Hop = { node, via: 'root', dependencies: dependencies.value };
      const app = isAsgiApp(node);
      const skipped = app ? [] : this.skippedIncludes(node);
      if (app) result.push({ hops: [root], path: '', parts: [], unresolved: [], assumptions: dependencies.assumed });
      else if (skipped.length) {
        // Included only in a branch the profile does not run: its full path, marked as not served.
        for (const { call, ctx, notServed } of skipped) {
          const step = this.segment(this.project.keywordArgument(call, 'prefix', ctx), ownPrefix);
          const parents = call.fn.k === 'attr' ? this.nodesOf(call.fn.obj, ctx) : [];
          for (const parent of parents.flatMap((p) => this.chains(p, [...seen, key]))) {
            result.push({ hops: [...parent.hops, { ...root, via: 'include' }], path: parent.path + step.path, parts: [...parent.parts, ...step.parts], unresolved: [...parent.unresolved, ...step.unresolved], notServed, assumptions: [...parent.assumptions, ...step.assumptions, ...dependencies.assumed] });
          }
        }
      } else if (this.skippedMounts.has(key)) {
        // Mounted only in such a branch, on an app the mount does not name: its own path, marked as not served.
        const { site } = root.node;
        const mountPath = argument(site.call, 0, 'path');
        const step = this.segment(mountPath && { expr: mountPath, ctx: site.ctx }, ownPrefix, true);
        result.push({ hops: [root], ...step, notServed: this.skippedMounts.get(key), assumptions: [...step.assumptions, ...dependencies.assumed] });
      } else {
        const why = `router (${key}) is not included in or mounted on any app found statically`;
        result.push({ hops: [root], path: UNRESOLVED_SEGMENT + own.path, parts: own.parts, unresolved: [why, ...own.unresolved], assumptions: [...own.assumptions, ...dependencies.assumed] });
      }
    }
    return result;
  }

  /** `include_router(node)` calls in branches the profile does not run. */
  private skippedIncludes(node: Instance): Project['profileSkipped'] {
    return this.project.profileSkipped.filter(({ call, ctx }) => {
      const included = call.fn.k === 'attr' && call.fn.name === 'include_router' ? argument(call, 0, 'router') : undefined;
      return included && this.project.resolve(included, ctx).some((v) => isNode(v) && sameSite(v.site.key, node.site.key));
    });
  }

  private ownDependencies(node: Instance): Decorator[] {
    const given = this.project.constructionKeyword(node, 'dependencies');
    return this.dependencyList(given?.expr, given?.ctx ?? node.site.ctx);
  }

  /** The path an edge contributes: its prefix (a mount path loses its trailing `/`), then the node's own prefix. */
  private segment(edgePrefix: Located | undefined, ownPrefix: Located | undefined, isMount = false): Omit<Chain, 'hops'> {
    const out = { path: '', parts: [] as PrefixPart[], unresolved: [] as string[], assumptions: [] as Assumption[] };
    for (const [prefix, strip] of [[edgePrefix, isMount], [ownPrefix, false]] as const) {
      if (!prefix || prefix.expr.k === 'none') continue;
      const { expr, ctx } = prefix;
      const { value: text, assumed } = this.project.captured(() => this.project.stringValue(expr, ctx));
      out.assumptions.push(...assumed);
      const line = exprLine(expr, ctx.line);
      const value = text === undefined ? this.project.shownText(expr, ctx) ?? UNRESOLVED_SEGMENT : strip ? text.replace(/\/+$/, '') : text;
      if (text === undefined) out.unresolved.push(`prefix \`${Project.describe(expr)}\` (${ctx.mod.file}:${line}) is not a static string`);
      out.path += value;
      if (value) out.parts.push({ value, file: ctx.mod.file, line });
    }
    return out;
  }
}
