/**
 * Flask routes: `@app.route` / `@bp.route` (with `methods=`), the `get/post/put/patch/delete` shortcuts,
 * stacked route decorators, `add_url_rule` (function views, `View.as_view`, `MethodView`), blueprints
 * with `url_prefix` at construction and at `register_blueprint` (nested, across modules, in app
 * factories, in loops over literal lists), and Flask-RESTful `Api.add_resource` / `@api.resource`.
 * Paths keep Flask's syntax; HEAD and OPTIONS are added as Flask adds them. Quart's apps and blueprints are read the
 * same way, with their WebSocket routes (`websocket`, `add_websocket`).
 * Upstream: https://flask.palletsprojects.com/en/stable/api/#url-route-registrations
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument, dottedName, exprLine, kwarg, lineOf } from '../../python/ir';
import { isDecorated, Project, sameSite, type Assumption, type ClassRef, type Ctx, type FactoryMethod, type FunctionRef, type StoredKeyword, type Value } from '../../python/project';
import type { PrefixPart } from '../../model';
import { assumedFor, callSites, calling, declaredAt, functionCtx, httpMethods, sequenceItems, sortedUnique, UNRESOLVED_SEGMENT, type Decorator, type RouteDraft } from '../common';
import { FlaskAppConfig } from './app-config';
import { attributeOwner } from '../../python/mro';
import { addTo, lookupTable } from '../../collections';
import { classfulRules, isClassfulView } from './classful';
import { appBuilderRules, isAppBuilder, isAppBuilderView, securityViews, VIEW_REGISTRARS, type SecurityView } from './appbuilder';
import { appBuilderSites } from './appbuilder-limits';
import { ADMIN_PACKAGE, adminFacts, adminRules, adminView, isAdmin } from './flask-admin';
import { extensionSites, joinRule, type ExposedRule, type ExtensionSite } from './exposed-views';
import { isSecurity, SECURITY_PACKAGE, securityRoutes } from './flask-security';
import { DANCE_BLUEPRINT_TYPES, DANCE_PACKAGE, danceRules, makesDanceBlueprint } from './flask-dance';
import { functionDefinedIn } from '../../python/module-index';

type Instance = Extract<Value, { kind: 'instance' }>;

// Quart is Flask's API over asyncio (QuartTrio over Trio): its apps and blueprints register routes as Flask's do.
const QUART_APP_TYPES = ['quart.Quart', 'quart.app.Quart', 'quart_trio.QuartTrio', 'quart_trio.app.QuartTrio'];
const QUART_BLUEPRINT_TYPES = ['quart.Blueprint', 'quart.blueprints.Blueprint'];
const FLASK_APP_TYPES = ['flask.Flask', 'flask.app.Flask', 'apiflask.APIFlask', ...QUART_APP_TYPES];
const BLUEPRINT_TYPES = ['flask.Blueprint', 'flask.blueprints.Blueprint', 'flask_smorest.Blueprint', 'apiflask.APIBlueprint', ...QUART_BLUEPRINT_TYPES, ...DANCE_BLUEPRINT_TYPES];
const RESTFUL_API_TYPES = ['flask_restful.Api', 'flask_restx.Api'];
// flask-smorest's Api registers blueprints on the app it is bound to: `Api(app)` or `api.init_app(app)`.
const SMOREST_API_TYPES = ['flask_smorest.Api'];
const SMOREST_BLUEPRINT_TYPES = ['flask_smorest.Blueprint'];
const NAMESPACE_TYPES = ['flask_restx.Namespace'];
export const NAMESPACE_FACTORY: FactoryMethod = { owner: 'flask_restx.Api', method: 'namespace', makes: 'flask_restx.Namespace' };
export const BLUEPRINT_PREFIX: StoredKeyword = { owners: BLUEPRINT_TYPES, name: 'url_prefix' };
const METHOD_VIEW_TYPES = ['flask.views.MethodView', 'flask_restful.Resource', 'flask_restx.Resource', 'quart.views.MethodView'];
const VIEW_TYPES = ['flask.views.View', 'quart.views.View'];
const HOOKS = ['before_request', 'before_app_request'];
const SHORTCUTS = lookupTable<string>({ get: 'GET', post: 'POST', put: 'PUT', patch: 'PATCH', delete: 'DELETE' });
const HTTP_VERBS = ['get', 'post', 'head', 'options', 'delete', 'put', 'trace', 'patch'];

type ViewList = 'decorators' | 'method_decorators';

/** Where Python finds a class view's list (see attributeOwner): Flask's View sets `decorators`, Flask-RESTful's and Flask-RESTX's Resource both. */
export function viewListOwner(project: Project, cls: ClassRef, name: ViewList): ReturnType<typeof attributeOwner> {
  const known = [...METHOD_VIEW_TYPES, ...VIEW_TYPES];
  const setters = name === 'decorators' ? known : METHOD_VIEW_TYPES.filter((t) => t !== 'flask.views.MethodView');
  return attributeOwner(project, cls, name, (qname) => (setters.includes(qname) ? 'sets' : known.includes(qname) ? 'none' : 'unknown'));
}

/** What wraps the registered view: the limiter resolver reads these. */
export interface FlaskView {
  handlerRef: { file: string; line: number; name: string };
  /** Decorators applied to the registered view function (all methods), outermost first. */
  viewDecorators: Decorator[];
  /** Decorators above the route decorator: they wrap a function Flask never calls for this route. */
  misplacedDecorators: Decorator[];
  /** Per lower-case method (a Map: the methods are the code's): decorators on that handler method and `method_decorators` entries. */
  methodDecorators: ReadonlyMap<string, Decorator[]>;
  /** Why the class view's `decorators` or `method_decorators` cannot be read (see listAttribute). */
  unreadDecorators?: string;
  /**
   * The AppBuilder that added the Flask-AppBuilder view serving the route (see appbuilder-limits.ts): the view, when it
   * is the project's; `login`, the login view its security manager adds.
   */
  appBuilder?: { builder: string; view?: ClassRef; login?: boolean };
}

export interface FlaskRouteContext {
  app?: Instance;
  blueprints: Instance[]; // outermost first
  view: FlaskView;
}

interface Mount {
  app?: Instance;
  blueprints: Instance[];
  prefix?: string; // undefined: no prefix
  parts: PrefixPart[];
  unresolved: string[];
  assumptions: Assumption[]; // what its prefixes rest on
}

interface Registration {
  parent: Instance;
  child: Instance;
  urlPrefix?: { expr: Expr; ctx: Ctx }; // `register_blueprint(bp, url_prefix=)`, also from `**options`
  ctx: Ctx;
  call: CallExpr;
}

/** What a rule serves: HTTP requests, or WebSocket connections (Quart's `websocket` and `add_websocket`). */
type RouteKind = 'http' | 'websocket';

type RouteCall = CallExpr & { fn: Extract<Expr, { k: 'attr' }> };
/** `@<something>.route(...)` or a shortcut such as `@<something>.get(...)`. */
const isRouteCall = (dec: Expr): dec is RouteCall => dec.k === 'call' && dec.fn.k === 'attr' && (dec.fn.name === 'route' || dec.fn.name === 'websocket' || dec.fn.name in SHORTCUTS);

// Methods through which Flask registers a rule: a class that overrides one may register other rules than written.
const REGISTERING_METHODS = ['add_url_rule', 'route', 'make_setup_state'];

export const isApp = (v: Value): v is Instance => Project.isInstance(v, FLASK_APP_TYPES);
const isQuart = (v: Value): boolean => Project.isInstance(v, [...QUART_APP_TYPES, ...QUART_BLUEPRINT_TYPES]);
export const isQuartApp = (v: Value): v is Instance => Project.isInstance(v, QUART_APP_TYPES);
const isBlueprint = (v: Value): v is Instance => Project.isInstance(v, BLUEPRINT_TYPES);
const isOwner = (v: Value): v is Instance => isApp(v) || isBlueprint(v);
const isRestfulApi = (v: Value): v is Instance => Project.isInstance(v, RESTFUL_API_TYPES);
/** An instance of `type` made with the app or blueprint it binds to (`Api(bp)`). */
const madeBound = (v: Instance, type: string): boolean => Project.isInstance(v, [type]) && (argument(v.site.call, 0, 'app') ?? { k: 'none' }).k !== 'none';
const isSmorestApi = (v: Value): v is Instance => Project.isInstance(v, SMOREST_API_TYPES);
const isBindingApi = (v: Value): v is Instance => isRestfulApi(v) || isSmorestApi(v);
// flask-smorest's Blueprint takes a class view as it is (`add_url_rule(rule, view_func=Pets)`, `@blp.route(rule)` on
// the class) and registers its `as_view`.
const isSmorestBlueprint = (v: Value): v is Instance => Project.isInstance(v, SMOREST_BLUEPRINT_TYPES);
const isNamespace = (v: Value): v is Instance => Project.isInstance(v, NAMESPACE_TYPES);

export function extractFlaskRoutes(project: Project): RouteDraft<FlaskRouteContext>[] {
  return new FlaskExtractor(project).run();
}

class FlaskExtractor {
  private readonly registrations: Registration[] = [];
  private readonly drafts: RouteDraft<FlaskRouteContext>[] = [];
  private readonly apiOwners = new Map<string, { owner: Instance; ctx: Ctx }[]>();
  // Flask-RESTX namespaces by their creating call: the Apis that add them, with the path each gives.
  private readonly namespaceApis = new Map<string, { api: Instance; path: Expr }[]>();
  // before_request functions by the creating call of the app or blueprint they run for (see addHook).
  private readonly hooks = new Map<string, FunctionRef[]>();

  private appConfig?: FlaskAppConfig;
  private discovery?: { app: Instance; call: CallExpr; ctx: Ctx } | null; // see discoveryLoop

  constructor(private readonly project: Project) {}

  run(): RouteDraft<FlaskRouteContext>[] {
    for (const { call, ctx } of callSites(this.project, (c) => calling(c, ['add_namespace', 'namespace', 'init_app']))) {
      if (call.fn.k !== 'attr') continue;
      const method = call.fn.name;
      if (method === 'add_namespace') {
        for (const api of this.receivers(call, ctx, isRestfulApi)) {
          for (const ns of this.project.resolve(call.args[0] ?? { k: 'none' }, ctx).filter(isNamespace)) this.addNamespace(api, ns, argument(call, 1, 'path'), ctx, call);
        }
      } else if (method === 'namespace') {
        // `api.namespace("todos")` makes the namespace (see NAMESPACE_FACTORY) and adds it to the Api.
        for (const api of this.receivers(call, ctx, isRestfulApi)) {
          for (const ns of this.project.resolve(call, ctx).filter(isNamespace)) this.addNamespace(api, ns, undefined, ctx, call);
        }
      } else if (method === 'init_app') {
        // Flask-RESTful registers each resource on what its Api was made with, when it was made with one: `init_app`
        // adds only the resources an Api made without one queued (Flask-RESTX's `init_app` rebinds it).
        for (const api of this.receivers(call, ctx, isBindingApi).filter((v) => !madeBound(v, 'flask_restful.Api'))) {
          for (const owner of this.project.resolve(call.args[0] ?? { k: 'none' }, ctx).filter(isOwner)) {
            this.addApiOwner(api, owner, ctx);
          }
        }
      }
    }
    this.collectApiConstructors();
    for (const { call, ctx } of callSites(this.project, (c) => calling(c, ['register_blueprint']))) {
      if (call.fn.k !== 'attr') continue;
      const smorestApps = this.receivers(call, ctx, isSmorestApi).flatMap((api) => (this.apiOwners.get(api.site.key) ?? []).map((o) => o.owner));
      for (const parent of [...this.receivers(call, ctx, isOwner), ...smorestApps]) {
        for (const child of this.project.resolve(call.args[0] ?? { k: 'none' }, ctx).filter(isBlueprint)) {
          this.registrations.push({ parent, child, urlPrefix: this.project.keywordArgument(call, 'url_prefix', ctx), ctx, call });
        }
      }
    }
    const { project } = this;
    for (const mod of project.modules) {
      for (const fn of mod.functions) {
        for (const d of fn.decorators) if (d.k === 'attr' && HOOKS.includes(d.name)) this.addHook(d, functionCtx(mod, fn), [{ mod, fn }]);
      }
    }
    for (const { call, ctx } of callSites(project, (c) => calling(c, HOOKS))) {
      if (call.fn.k !== 'attr' || !call.args[0]) continue;
      this.addHook(call.fn, ctx, project.resolve(call.args[0], ctx).flatMap((v) => (v.kind === 'function' ? [v.ref] : [])));
    }
    // Each declaration's routes rest on what reading that declaration assumed.
    for (const mod of project.modules) {
      for (const fn of mod.functions) project.noting(() => this.decoratedFunction({ mod, fn }));
      for (const cls of mod.classes) project.noting(() => this.decoratedClass({ mod, cls }));
    }
    // `View.register(...)` is read only where Flask-Classful is imported: `register` names many other calls.
    const registering = project.modules.some((m) => Project.imports(m, ['flask_classful'])) ? ['register'] : [];
    const builders = appBuilderSites(project);
    const admins = project.modules.some((m) => Project.imports(m, [ADMIN_PACKAGE])) ? extensionSites(project, isAdmin, 'Admin') : [];
    const adding = builders.length || admins.length ? VIEW_REGISTRARS : [];
    for (const { call, ctx } of callSites(project, (c) => calling(c, ['add_url_rule', 'add_websocket', 'add_resource', ...registering, ...adding]))) {
      if (call.fn.k !== 'attr') continue;
      if (call.fn.name === 'add_url_rule' || call.fn.name === 'add_websocket') project.noting(() => this.addUrlRule(call, ctx));
      else if (call.fn.name === 'add_resource') project.noting(() => this.addResource(call, ctx));
      else if (call.fn.name === 'register') project.noting(() => this.registerClassful(call, ctx));
      else {
        project.noting(() => this.addAppBuilderView(call, ctx, builders));
        project.noting(() => this.addAdminViews(call, ctx, admins));
      }
    }
    this.addSecurityViews(builders);
    if (project.modules.some((m) => Project.imports(m, [SECURITY_PACKAGE]))) this.addFlaskSecurity();
    if (project.modules.some((m) => Project.imports(m, [DANCE_PACKAGE]))) this.addFlaskDance();
    for (const { instance, bindings } of admins) {
      for (const binding of bindings) {
        const facts = adminFacts(project, instance, binding);
        const apps = this.resolvedOwners(binding.app, binding.ctx, isApp);
        project.noting(() => this.emitExposed(adminRules(project, facts, facts.index.view, facts.index.site), facts.index.view, apps, binding.call, binding.ctx));
      }
    }
    return this.drafts;
  }

  /**
   * `@owner.before_request` on a function, or `owner.before_request(function)`: the function runs before every view
   * of an app, or of a blueprint and the blueprints registered on it; a blueprint's `before_app_request` before
   * every view of the apps it is registered on.
   */
  private addHook(registrar: Extract<Expr, { k: 'attr' }>, ctx: Ctx, functions: FunctionRef[]): void {
    for (const owner of this.project.resolve(registrar.obj, ctx).filter(isOwner)) {
      const apps = registrar.name === 'before_app_request' ? this.mounts(owner, []).flatMap((m) => (m.app ? [m.app] : [])) : [owner];
      for (const on of apps) addTo(this.hooks, on.site.key, ...functions);
    }
  }

  private receivers(call: CallExpr, ctx: Ctx, accept: (v: Value) => v is Instance): Instance[] {
    if (call.fn.k !== 'attr') return [];
    return this.project.resolve(call.fn.obj, ctx).filter(accept);
  }

  private addApiOwner(api: Instance, owner: Instance, ctx: Ctx): void {
    const list = this.apiOwners.get(api.site.key) ?? [];
    if (!list.some((o) => o.owner.site.key === owner.site.key)) list.push({ owner, ctx });
    this.apiOwners.set(api.site.key, list);
  }

  /** `Api(app)` / `Api(bp)` binds at construction (flask-smorest's: `Api(app)`). */
  private collectApiConstructors(): void {
    for (const mod of this.project.modules) {
      for (const [scope, bindings] of Object.entries(mod.bindings)) {
        for (const b of bindings) {
          if (b.kind !== 'assign' || b.value.k !== 'call' || !dottedName(b.value.fn)?.endsWith('Api')) continue;
          const ctx: Ctx = { mod, scope: Number(scope), line: b.line };
          const first = argument(b.value, 0, 'app');
          const apis = first ? this.project.resolve(b.value, ctx).filter(isBindingApi) : [];
          if (!first || !apis.length) continue;
          for (const owner of this.project.resolve(first, ctx).filter(isOwner)) {
            for (const api of apis) this.addApiOwner(api, owner, ctx);
          }
        }
      }
    }
  }

  /**
   * `@app.route(...)`, `@bp.get(...)`, possibly several on one function. The route decorators only register the
   * view, so each route's view lists hold the other decorators alone: a stack of thousands of route decorators
   * costs linear, not quadratic, time and memory.
   */
  private decoratedFunction(ref: FunctionRef): void {
    const ctx = functionCtx(ref.mod, ref.fn);
    const handlerRef = { file: ref.mod.file, line: lineOf(ref.fn.loc), name: `${ref.mod.module}.${ref.fn.qualname}` };
    const others: Decorator[] = [];
    const routes: { dec: RouteCall; owners: Instance[]; above: number }[] = []; // above: how many of `others` precede it
    for (const dec of ref.fn.decorators) {
      if (isRouteCall(dec)) {
        // Only Quart's apps and blueprints have `websocket`.
        const owners = this.project.resolve(dec.fn.obj, ctx).filter((v): v is Instance => isOwner(v) && (dec.fn.name !== 'websocket' || isQuart(v)));
        if (owners.length) {
          routes.push({ dec, owners, above: others.length });
          continue;
        }
      }
      others.push({ expr: dec, ctx });
    }
    for (const { dec, owners, above } of routes) {
      const name = dec.fn.name;
      const declared = name === 'route' ? this.methodsArg(dec, ctx) : name === 'websocket' ? [] : [SHORTCUTS[name]];
      const view: FlaskView = { handlerRef, viewDecorators: others.slice(above), misplacedDecorators: others.slice(0, above), methodDecorators: new Map() };
      for (const owner of owners) this.emit(owner, argument(dec, 0, 'rule'), ctx, dec, declared, view, [], name === 'websocket' ? 'websocket' : 'http');
    }
  }

  /**
   * `api.add_namespace(ns, path=...)`: the namespace's routes are the Api's under the path (Flask-RESTX:
   * the given path, else the namespace's `path`, else `/` + its name).
   */
  private addNamespace(api: Instance, ns: Instance, given: Expr | undefined, ctx: Ctx, at: CallExpr): void {
    const nsCall = ns.site.call;
    const own = kwarg(nsCall, 'path');
    const name = argument(nsCall, 0, 'name');
    const nameText = name && this.project.stringValue(name, ns.site.ctx);
    // An empty path stands for none, as `or` reads it: `get_ns_path(ns) or ns.path`, `self._path or "/" + name`.
    const givenText = given && this.project.stringValue(given, ctx);
    const ownText = own && this.project.stringValue(own, ns.site.ctx);
    const nsPath = own && ownText !== '' ? ownText : nameText === undefined ? undefined : `/${nameText}`;
    const text = given && givenText !== '' ? givenText : nsPath?.replace(/\/+$/, ''); // only the namespace's own loses its trailing `/`
    const path: Expr = text === undefined ? { k: 'other', text: 'namespace path', loc: at.loc } : { k: 'str', v: text, loc: at.loc };
    const list = this.namespaceApis.get(ns.site.key) ?? [];
    list.push({ api, path });
    this.namespaceApis.set(ns.site.key, list);
  }

  /** Flask-RESTful's `@api.resource("/a", "/b")`, Flask-RESTX's `@api.route(...)` / `@ns.route(...)`, on a Resource class. */
  private decoratedClass(ref: ClassRef): void {
    const ctx = functionCtx(ref.mod, ref.cls);
    for (const dec of ref.cls.decorators) {
      if (dec.k !== 'call' || dec.fn.k !== 'attr' || (dec.fn.name !== 'resource' && dec.fn.name !== 'route')) continue;
      const urls = this.urls(dec, 0, ctx);
      for (const target of this.project.resolve(dec.fn.obj, ctx)) {
        if (isRestfulApi(target)) this.resource(target, ref, urls, dec, ctx);
        if (isNamespace(target)) this.namespaceResource(target, ref, urls, dec, ctx);
        if (isSmorestBlueprint(target) && dec.fn.name === 'route') this.emitClassView(target, ref, [], dec, ctx);
      }
    }
  }

  /** A resource of a Flask-RESTX namespace: one of every Api that adds the namespace, under its path. */
  private namespaceResource(ns: Instance, cls: ClassRef, urls: Expr[], at: CallExpr, ctx: Ctx): void {
    const added = this.namespaceApis.get(ns.site.key) ?? [];
    if (!added.length) this.emitUnbound(urls[0] ?? { k: 'none' }, ctx, at, this.classMethods(cls), this.classView(cls, [], []), 'Flask-RESTX Namespace is not added to an Api found statically');
    for (const { api, path } of added) this.resource(api, cls, urls.map((url): Expr => ({ k: 'concat', parts: [path, url] })), at, ctx);
  }

  /** `add_url_rule(rule, endpoint, view_func)`; Quart's `add_websocket` and `add_url_rule(..., is_websocket=True)` add a WebSocket route. */
  private addUrlRule(call: CallExpr, ctx: Ctx): void {
    const flag = kwarg(call, 'is_websocket');
    const websocket = (call.fn.k === 'attr' && call.fn.name === 'add_websocket') || (flag?.k === 'bool' && flag.v);
    const owners = this.receivers(call, ctx, isOwner).filter((owner) => !websocket || isQuart(owner));
    if (!owners.length) return;
    const viewExpr = argument(call, 2, 'view_func');
    if (!viewExpr) return; // `add_url_rule(rule, "endpoint")` + `@app.endpoint` is not followed
    const unwrapped = this.unwrapView(viewExpr, ctx);
    const declared = websocket ? [] : this.methodsArg(call, ctx); // undefined when `methods=` cannot be read, never GET
    for (const owner of owners) {
      const cls = unwrapped.cls ?? (isSmorestBlueprint(owner) ? unwrapped.bareClass : undefined);
      if (cls) {
        this.emitClassView(owner, cls, unwrapped.wrappers, call, ctx);
      } else {
        const fn = unwrapped.fn;
        const handlerRef = fn
          ? { file: fn.mod.file, line: lineOf(fn.fn.loc), name: `${fn.mod.module}.${fn.fn.qualname}` }
          : { file: ctx.mod.file, line: lineOf(call.loc), name: Project.describe(viewExpr) };
        const own = fn && !unwrapped.decorated ? fn.fn.decorators.map((expr) => ({ expr, ctx: functionCtx(fn.mod, fn.fn) })) : [];
        const view: FlaskView = { handlerRef, viewDecorators: [...unwrapped.wrappers, ...own], misplacedDecorators: [], methodDecorators: new Map() };
        this.emit(owner, argument(call, 0, 'rule'), ctx, call, declared, view, fn ? [] : ['view function could not be resolved'], websocket ? 'websocket' : 'http');
      }
    }
  }

  /** A class view registered by `at` (`add_url_rule` or a route decorator): the class's methods unless `methods=` names them. */
  private emitClassView(owner: Instance, cls: ClassRef, wrappers: Decorator[], at: CallExpr, ctx: Ctx): void {
    const declared = kwarg(at, 'methods') ? this.methodsArg(at, ctx) : this.classMethods(cls);
    this.emit(owner, argument(at, 0, 'rule'), ctx, at, declared, this.classView(cls, wrappers, []));
  }

  /**
   * Peels `limiter.limit(...)(view)` style wrappers and `Cls.as_view("name")` off a view expression; a class
   * given as it is comes back apart (`bareClass`): only some owners take one.
   */
  private unwrapView(expr: Expr, ctx: Ctx): { fn?: FunctionRef; cls?: ClassRef; bareClass?: ClassRef; wrappers: Decorator[]; decorated?: true } {
    const wrappers: Decorator[] = [];
    let current = expr;
    // A helper's parameter stands for what its call passes: `view` in a decorator `@page(...)` applies (see isDecorated).
    const passed = current.k === 'name' ? this.project.definition(current, ctx) : undefined;
    if (passed && isDecorated(passed.expr)) return { ...this.unwrapView(passed.expr, passed.ctx), decorated: true };
    for (let guard = 0; guard < 16 && current.k === 'call'; guard++) {
      if (current.fn.k === 'attr' && current.fn.name === 'as_view') {
        const cls = this.project.resolve(current.fn.obj, ctx).find((v) => v.kind === 'class');
        return { cls: cls?.kind === 'class' ? cls.ref : undefined, wrappers };
      }
      if (current.args.length !== 1) break;
      wrappers.push({ expr: current.fn, ctx });
      current = current.args[0];
    }
    const values = this.project.resolve(current, ctx);
    for (const v of values) {
      if (v.kind === 'function') return { fn: v.ref, wrappers };
      if (v.kind === 'result' && v.call.fn.k === 'attr' && v.call.fn.name === 'as_view') {
        const cls = this.project.resolve(v.call.fn.obj, v.ctx).find((c) => c.kind === 'class');
        if (cls?.kind === 'class') return { cls: cls.ref, wrappers };
      }
    }
    const bare = values.find((v) => v.kind === 'class');
    return { wrappers, ...(bare?.kind === 'class' && { bareClass: bare.ref }) };
  }

  private addResource(call: CallExpr, ctx: Ctx): void {
    const [resource] = this.positional(call, ctx);
    const cls = resource && this.project.resolve(resource.expr, resource.ctx).find((v) => v.kind === 'class');
    if (cls?.kind !== 'class') return;
    const urls = this.urls(call, 1, ctx);
    for (const api of this.receivers(call, ctx, isRestfulApi)) this.resource(api, cls.ref, urls, call, ctx);
    for (const ns of this.receivers(call, ctx, isNamespace)) this.namespaceResource(ns, cls.ref, urls, call, ctx);
  }

  /** Flask-Classful's `View.register(app_or_blueprint, ...)`: the rules it adds (see classful.ts), each its own route. */
  private registerClassful(call: CallExpr, ctx: Ctx): void {
    if (call.fn.k !== 'attr') return;
    const views = this.project.resolve(call.fn.obj, ctx).filter((v): v is Extract<Value, { kind: 'class' }> => isClassfulView(this.project, v));
    const target = argument(call, 0, 'app');
    const owners = views.length && target ? this.project.resolve(target, ctx).filter(isOwner) : [];
    for (const view of views) {
      for (const found of classfulRules(this.project, view.ref, call, ctx)) {
        const { member, decorators } = found;
        const flaskView: FlaskView = { handlerRef: { file: member.mod.file, line: lineOf(member.fn.loc), name: `${member.mod.module}.${member.fn.qualname}` }, viewDecorators: decorators, misplacedDecorators: [], methodDecorators: new Map() };
        const rule: Expr = { k: 'str', v: found.rule, loc: call.loc };
        for (const owner of owners) this.emit(owner, rule, ctx, call, found.methods, flaskView, found.unresolved);
      }
    }
  }

  /**
   * Flask-AppBuilder's `appbuilder.add_view(View, ...)`, `add_view_no_menu` and `add_api`: the rules the view's
   * blueprint gets (see appbuilder.ts), on the app the AppBuilder is built with or bound to by `init_app`.
   */
  private addAppBuilderView(call: CallExpr, ctx: Ctx, sites: ExtensionSite[]): void {
    const builders = this.receivers(call, ctx, isAppBuilder);
    const views = builders.length && call.args[0] ? this.project.resolve(call.args[0], ctx).flatMap((v) => isAppBuilderView(this.project, v) ?? []) : [];
    for (const builder of builders) {
      const bindings = sites.find((site) => site.instance.site.key === builder.site.key)?.bindings ?? [];
      const apps = bindings.flatMap((b) => this.resolvedOwners(b.app, b.ctx, isApp));
      for (const view of views) this.emitAppBuilderView(builder, { view, login: false }, apps, call, ctx);
    }
  }

  /**
   * The views an AppBuilder's security manager adds where the AppBuilder is bound to an app (see securityViews),
   * declared there.
   */
  private addSecurityViews(builders: ExtensionSite[]): void {
    for (const { instance: builder, bindings } of builders) {
      for (const { app, ctx, call } of bindings) {
        for (const bound of this.resolvedOwners(app, ctx, isApp)) {
          this.appConfig ??= new FlaskAppConfig(this.project);
          const config = this.appConfig;
          const setting = (key: string): Value[] | 'unread' | undefined => {
            const set = config.value(bound, key);
            return set.ambiguous || (!set.value && config.isOpaque(bound)) ? 'unread' : set.value;
          };
          for (const view of securityViews(this.project, builder, setting)) this.project.noting(() => this.emitAppBuilderView(builder, view, [bound], call, ctx));
        }
      }
    }
  }

  /**
   * Flask-Security's blueprint (see flask-security.ts), on each app a `Security` is bound to, declared where the
   * `Security` is made.
   */
  private addFlaskSecurity(): void {
    for (const { instance, bindings } of extensionSites(this.project, isSecurity, 'Security')) {
      const { call, ctx } = instance.site;
      for (const binding of bindings) {
        const off = [kwarg(binding.call, 'register_blueprint'), binding.call === call ? argument(call, 2, 'register_blueprint') : undefined].find((e) => e);
        if (off?.k === 'bool' && !off.v) continue;
        for (const app of this.resolvedOwners(binding.app, binding.ctx, isApp)) {
          const config = (this.appConfig ??= new FlaskAppConfig(this.project));
          const setting = (key: string): Value[] | 'unread' | undefined => {
            const set = config.value(app, key);
            return set.ambiguous || (!set.value && config.isOpaque(app)) ? 'unread' : set.value;
          };
          for (const route of securityRoutes(setting) ?? []) {
            const view: FlaskView = { handlerRef: { file: ctx.mod.file, line: lineOf(call.loc), name: `flask_security.views.${route.endpoint}` }, viewDecorators: [], misplacedDecorators: [], methodDecorators: new Map() };
            this.project.noting(() => this.emit(app, { k: 'str', v: route.rule, loc: call.loc }, ctx, call, route.methods, view, route.unresolved));
          }
        }
      }
    }
  }

  /**
   * The login and authorized rules of each Flask-Dance blueprint (see flask-dance.ts), declared where it is made: those
   * made by name and those registered (also made by a function chosen at run time: `make = make_github_blueprint`).
   */
  private addFlaskDance(): void {
    const made = callSites(this.project, makesDanceBlueprint).flatMap(({ call, ctx }) => this.project.resolve(call, ctx).filter(isBlueprint));
    const blueprints = new Map([...made, ...this.registrations.map((r) => r.child)].map((b) => [b.site.key, b]));
    for (const blueprint of blueprints.values()) {
      const { call, ctx } = blueprint.site;
      for (const { rule, endpoint, unresolved } of danceRules(this.project, blueprint)) {
        const view: FlaskView = { handlerRef: { file: ctx.mod.file, line: lineOf(call.loc), name: `flask_dance.consumer.${endpoint}` }, viewDecorators: [], misplacedDecorators: [], methodDecorators: new Map() };
        this.project.noting(() => this.emit(blueprint, rule, ctx, call, ['GET'], view, unresolved));
      }
    }
  }

  /**
   * Flask-Admin's `admin.add_view(view)` and `admin.add_views(*views)`: the rules of each view (see flask-admin.ts), on
   * the apps each binding of the Admin gives.
   */
  private addAdminViews(call: CallExpr, ctx: Ctx, admins: ExtensionSite[]): void {
    if (call.fn.k !== 'attr' || !['add_view', 'add_views'].includes(call.fn.name)) return;
    const given = call.fn.name === 'add_view' ? call.args.slice(0, 1) : call.args;
    const views = given.flatMap((arg) => this.project.resolve(arg, ctx).flatMap((v) => adminView(this.project, v) ?? []));
    for (const admin of this.receivers(call, ctx, isAdmin)) {
      for (const binding of admins.find((a) => a.instance.site.key === admin.site.key)?.bindings ?? []) {
        const facts = adminFacts(this.project, admin, binding);
        const apps = this.resolvedOwners(binding.app, binding.ctx, isApp);
        for (const { view, site } of views) this.emitExposed(adminRules(this.project, facts, view, site), view, apps, call, ctx);
      }
    }
  }

  /** A Flask-AppBuilder view's rules (see appbuilder.ts), each a route on each app, declared at `call`. */
  private emitAppBuilderView(builder: Instance, { view, login }: SecurityView, apps: Instance[], call: CallExpr, ctx: Ctx): void {
    this.emitExposed(appBuilderRules(this.project, view), view, apps, call, ctx, { builder: builder.site.key, view: typeof view === 'string' ? undefined : view, login });
  }

  /** Rules of an exposed class view (see exposed-views.ts), each a route on each app, declared at `call`. */
  private emitExposed(rules: ExposedRule[], view: ClassRef | string, apps: Instance[], call: CallExpr, ctx: Ctx, appBuilder?: FlaskView['appBuilder']): void {
    const cls = typeof view === 'string' ? undefined : view;
    for (const found of rules) {
      const { member } = found;
      const handlerRef = member
        ? { file: member.mod.file, line: lineOf(member.fn.loc), name: `${member.mod.module}.${member.fn.qualname}` }
        : cls ? { file: cls.mod.file, line: lineOf(cls.cls.loc), name: `${cls.mod.module}.${cls.cls.qualname}.${found.name}` }
        : { file: ctx.mod.file, line: lineOf(call.loc), name: `${view}.${found.name}` };
      const flaskView: FlaskView = { handlerRef, viewDecorators: found.decorators, misplacedDecorators: [], methodDecorators: new Map(), ...(appBuilder && { appBuilder }) };
      const rule: Expr = { k: 'str', v: found.rule, loc: call.loc };
      if (!apps.length) this.emitUnbound(rule, ctx, call, found.methods, flaskView, `the ${appBuilder ? 'AppBuilder' : 'Admin'} is bound to no app found statically`);
      for (const app of apps) this.emit(app, rule, ctx, call, found.methods, flaskView, found.unresolved);
    }
  }

  private resolvedOwners(expr: Expr | undefined, ctx: Ctx, accept: (v: Value) => v is Instance): Instance[] {
    return expr ? this.project.resolve(expr, ctx).filter(accept) : [];
  }

  /**
   * A call's positional arguments, also those a `*args` unpacks where its items can be read (`for route in
   * API_ROUTES: api.add_resource(*route)`, Timesketch's API table), each with where it was written.
   */
  private positional(call: CallExpr, ctx: Ctx): { expr: Expr; ctx: Ctx }[] {
    const items = call.args.map((expr) => ({ expr, ctx }));
    if (call.star) items.push(...(sequenceItems(this.project, call.star, ctx) ?? [{ expr: call.star, ctx }]));
    return items;
  }

  /**
   * The URL rules a call gives from argument `from` on, also through a trailing `*urls`. Each is read where
   * it was written (a comprehension's item, a list in another module), as its text when that is known.
   */
  private urls(call: CallExpr, from: number, ctx: Ctx): Expr[] {
    return this.positional(call, ctx).slice(from).map(({ expr, ctx: at }) => {
      const text = this.project.stringValue(expr, at);
      return text === undefined ? expr : { k: 'str', v: text, loc: call.loc };
    });
  }

  private resource(api: Instance, cls: ClassRef, urls: Expr[], at: CallExpr, ctx: Ctx): void {
    const apiCtx = api.site.ctx;
    const apiPrefix = kwarg(api.site.call, 'prefix');
    const apiDecorators = this.decoratorList(kwarg(api.site.call, 'decorators'), apiCtx);
    const owners = this.apiOwners.get(api.site.key) ?? [];
    const view = this.classView(cls, apiDecorators, []);
    for (const url of urls) {
      const rule: Expr = apiPrefix ? { k: 'concat', parts: [apiPrefix, url] } : url;
      if (!owners.length) {
        this.emitUnbound(rule, ctx, at, this.classMethods(cls), view, 'Flask-RESTful Api is not bound to an app or blueprint');
      }
      for (const { owner } of owners) this.emit(owner, rule, ctx, at, this.classMethods(cls), view);
    }
  }

  private classView(cls: ClassRef, outer: Decorator[], misplaced: Decorator[]): FlaskView {
    const chain = this.project.classChain(cls);
    const methodDecorators = new Map<string, Decorator[]>();
    const methodLevel = this.listAttribute(cls, 'method_decorators');
    const viewLevel = this.listAttribute(cls, 'decorators');
    for (const verb of HTTP_VERBS) {
      const owner = chain.find((c) => c.cls.methods.includes(verb));
      const def = owner && functionDefinedIn(owner.mod, owner.cls.bodyScope, verb);
      const list: Decorator[] = def && owner ? def.decorators.map((expr) => ({ expr, ctx: functionCtx(owner.mod, def) })) : [];
      for (const v of methodLevel.values) {
        if (v.kind !== 'literal') continue;
        if (v.expr.k === 'seq') list.push(...v.expr.items.map((expr) => ({ expr, ctx: v.ctx })));
        if (v.expr.k === 'dict') {
          for (const [key, value] of v.expr.entries) {
            if (key.k === 'str' && key.v.toLowerCase() === verb) list.push(...this.decoratorList(value, v.ctx));
          }
        }
      }
      if (list.length) methodDecorators.set(verb, list);
    }
    const classDecorators = viewLevel.values.flatMap((v) => (v.kind === 'literal' ? this.decoratorList(v.expr, v.ctx) : []));
    const unread = viewLevel.unread ?? methodLevel.unread;
    return {
      handlerRef: { file: cls.mod.file, line: lineOf(cls.cls.loc), name: `${cls.mod.module}.${cls.cls.qualname}` },
      viewDecorators: [...outer, ...classDecorators],
      misplacedDecorators: misplaced,
      methodDecorators,
      ...(unread && { unreadDecorators: unread }),
    };
  }

  /**
   * A class view's `decorators` or `method_decorators` as Python finds it, in the C3 order of its bases: Flask's
   * View sets `decorators` and Flask-RESTful's and Flask-RESTX's Resource both, empty, so in `class Quote(Base,
   * Limited)` with `Base(MethodView)` the mixin's list never applies. `unread` says why it cannot be told.
   */
  private listAttribute(cls: ClassRef, name: ViewList): { values: Value[]; unread?: string } {
    if (!this.project.classAttribute(cls, name)) return { values: [] };
    const owner = viewListOwner(this.project, cls, name);
    if ('library' in owner) return { values: [] };
    if ('unread' in owner) {
      const base = owner.unread ? `its base \`${owner.unread}\`, which is not in the project, may set it first` : 'the order of its bases cannot be read';
      return { values: [], unread: `which \`${name}\` wrap \`${cls.cls.qualname}\` cannot be read: ${base}` };
    }
    return { values: this.project.classAttribute(owner, name) ?? [] };
  }

  private decoratorList(expr: Expr | undefined, ctx: Ctx): Decorator[] {
    if (!expr) return [];
    // Also `[limiter.limit(...), *Base.decorators]`: a list is read through the sequences it unpacks.
    return sequenceItems(this.project, expr, ctx) ?? [];
  }

  /** MethodView: the verbs the class (or its project bases) defines, unless `methods` is set; View: `methods` or GET. */
  private classMethods(cls: ClassRef): string[] | undefined {
    const explicit = this.project.classAttribute(cls, 'methods');
    if (explicit) {
      const literal = explicit.find((v) => v.kind === 'literal');
      if (literal?.kind === 'literal') return httpMethods(this.project, literal.expr, literal.ctx);
      return undefined;
    }
    const bases = this.project.externalBases(cls);
    const defined = HTTP_VERBS.filter((verb) => this.project.classChain(cls).some((c) => c.cls.methods.includes(verb)));
    if (bases.some((b) => VIEW_TYPES.includes(b)) && !bases.some((b) => METHOD_VIEW_TYPES.includes(b))) return ['GET'];
    return defined.map((m) => m.toUpperCase());
  }

  private methodsArg(call: CallExpr, ctx: Ctx): string[] | undefined {
    const methods = this.project.keywordArgument(call, 'methods', ctx);
    if (!methods) return ['GET'];
    return httpMethods(this.project, methods.expr, methods.ctx);
  }

  private emit(owner: Instance, ruleExpr: Expr | undefined, ctx: Ctx, at: CallExpr, declared: string[] | undefined, view: FlaskView, extraUnresolved: string[] = [], kind: RouteKind = 'http'): void {
    const written = ruleExpr ? this.project.stringValue(ruleExpr, ctx) : undefined;
    const unresolved = [...extraUnresolved];
    if (written === undefined) unresolved.push(`rule \`${ruleExpr ? Project.describe(ruleExpr) : '?'}\` is not a static string`);
    const rewriting = this.rewritingClass(owner);
    if (rewriting) unresolved.push(rewriting);
    const rule = written !== undefined && rewriting ? UNRESOLVED_SEGMENT + written : written;
    // Each mount carries what its own prefixes assumed: a blueprint registered twice is not charged with both.
    for (const mount of this.project.noting(() => this.mounts(owner, []))) {
      this.push({
        path: joinRule(mount.prefix, rule ?? (ruleExpr && this.project.shownText(ruleExpr, ctx)) ?? UNRESOLVED_SEGMENT),
        unresolved: [...mount.unresolved, ...unresolved],
        ctx, at, declared, view, mount, kind,
      });
    }
  }

  /**
   * Why the rules an app or blueprint of a project class registers are not the ones written: the class overrides how
   * Flask registers them (indico's `IndicoBlueprint.add_url_rule` adds prefixes and reads a leading `!`).
   */
  private rewritingClass(owner: Instance): string | undefined {
    const chain = owner.cls ? this.project.classChain(owner.cls) : [];
    for (const { mod, cls } of chain) {
      const method = REGISTERING_METHODS.find((m) => cls.methods.includes(m));
      if (method) return `\`${cls.name}\` (${mod.file}:${lineOf(cls.loc)}) overrides \`${method}\`: the rules it registers are rewritten by project code`;
    }
    return undefined;
  }

  private emitUnbound(rule: Expr, ctx: Ctx, at: CallExpr, declared: string[] | undefined, view: FlaskView, why: string): void {
    const text = this.project.stringValue(rule, ctx);
    const mount: Mount = { blueprints: [], parts: [], unresolved: [why], assumptions: [] };
    const unresolved = text === undefined ? [why, 'rule is not a static string'] : [why];
    this.push({ path: UNRESOLVED_SEGMENT + (text ?? UNRESOLVED_SEGMENT), unresolved, ctx, at, declared, view, mount });
  }

  private push(r: { path: string; unresolved: string[]; ctx: Ctx; at: CallExpr; declared: string[] | undefined; view: FlaskView; mount: Mount; kind?: RouteKind }): void {
    const kind = r.kind ?? 'http';
    const declared = r.declared ?? [];
    const unresolved = r.declared ? r.unresolved : [...r.unresolved, 'methods are not static'];
    const methods = new Set(declared);
    const automatic: string[] = [];
    if (methods.has('GET') && !methods.has('HEAD')) automatic.push('HEAD');
    const noOptions = kwarg(r.at, 'provide_automatic_options');
    if (kind === 'http' && !methods.has('OPTIONS') && !(noOptions?.k === 'bool' && noOptions.v === false)) automatic.push('OPTIONS');
    automatic.forEach((m) => methods.add(m));
    const app = r.mount.app;
    const quart = app ? isQuart(app) : r.mount.blueprints.some(isQuart);
    const hooks = [...(app ? [app] : []), ...r.mount.blueprints].flatMap((owner) => this.hooks.get(owner.site.key) ?? []);
    this.drafts.push({
      route: {
        framework: quart ? 'quart' : 'flask',
        kind,
        methods: sortedUnique(methods),
        automaticMethods: sortedUnique(automatic),
        path: r.path,
        unresolved,
        ...declaredAt(r.ctx, r.at),
        handler: r.view.handlerRef.name,
        handlerFile: r.view.handlerRef.file,
        handlerLine: r.view.handlerRef.line,
        app: app ? { file: app.site.ctx.mod.file, line: lineOf(app.site.call.loc), name: quart ? 'Quart' : 'Flask' } : undefined,
        prefixes: r.mount.parts,
        ...(hooks.length && { hooks: [...new Map(hooks.map(({ mod, fn }) => [fn, { file: mod.file, line: lineOf(fn.loc) }])).values()] }),
        ...assumedFor(this.project, r.mount.assumptions),
      },
      context: { app, blueprints: r.mount.blueprints, view: r.view },
    });
  }

  /** Every way an app or blueprint is reachable from an app, with the prefix it gets there. */
  private mounts(owner: Instance, seen: string[]): Mount[] {
    if (Project.isInstance(owner as Value, FLASK_APP_TYPES)) return [{ app: owner, blueprints: [], parts: [], unresolved: [], assumptions: [] }];
    if (seen.includes(owner.site.key) || seen.length > 16) return [];
    const ownPrefix = this.project.constructionKeyword(owner, 'url_prefix');
    const registrations = this.registrations.filter((r) => sameSite(r.child.site.key, owner.site.key));
    const result: Mount[] = [];
    for (const reg of registrations) {
      const given = reg.urlPrefix ?? ownPrefix;
      const prefix = this.prefixValue(given?.expr, given?.ctx ?? owner.site.ctx);
      for (const parent of this.mounts(reg.parent, [...seen, owner.site.key])) {
        const joined = joinPrefix(parent.prefix, prefix.value);
        result.push({
          app: parent.app,
          blueprints: [...parent.blueprints, owner],
          prefix: joined,
          parts: prefix.part ? [...parent.parts, prefix.part] : parent.parts,
          unresolved: [...parent.unresolved, ...prefix.unresolved],
          assumptions: [...parent.assumptions, ...prefix.assumptions],
        });
      }
    }
    if (!registrations.length) {
      const prefix = this.prefixValue(ownPrefix?.expr, ownPrefix?.ctx ?? owner.site.ctx);
      const name = owner.site.call.args[0] ? this.project.stringValue(owner.site.call.args[0], owner.site.ctx) : undefined;
      const loop = this.discoveryLoop();
      if (loop) {
        const text = `blueprint \`${name ?? '?'}\` (${owner.site.key}) is registered by no call found statically: taken as one of those this loop registers, which it finds as the app starts`;
        const { assumed } = this.project.captured(() => this.project.assume({ file: loop.ctx.mod.file, line: lineOf(loop.call.loc), text }));
        result.push({ app: loop.app, blueprints: [owner], prefix: joinPrefix(undefined, prefix.value), parts: prefix.part ? [prefix.part] : [], unresolved: prefix.unresolved, assumptions: [...prefix.assumptions, ...assumed] });
        return result;
      }
      result.push({
        blueprints: [owner],
        prefix: joinPrefix(UNRESOLVED_SEGMENT, prefix.value),
        parts: prefix.part ? [prefix.part] : [],
        unresolved: [`blueprint \`${name ?? '?'}\` (${owner.site.key}) is not registered on any Flask app found statically`, ...prefix.unresolved],
        assumptions: prefix.assumptions,
      });
    }
    return result;
  }

  /**
   * The one `app.register_blueprint(blueprint)` in a loop over blueprints the app finds as it starts (those of every
   * module of a package, ckan's and indico's), with no `url_prefix=`, when every such loop registers on one app: the
   * blueprints nothing else registers are taken as registered there. Undefined otherwise.
   */
  private discoveryLoop(): { app: Instance; call: CallExpr; ctx: Ctx } | undefined {
    if (this.discovery === undefined) {
      const loops = this.project.modules.flatMap((mod) =>
        mod.calls.flatMap(({ call, scope, loops }) => {
          if (!loops.length || call.fn.k !== 'attr' || call.fn.name !== 'register_blueprint' || !call.args[0]) return [];
          const ctx = { mod, scope, line: lineOf(call.loc) - 1 };
          if (this.project.resolve(call.args[0], ctx).some(isBlueprint)) return [];
          return this.receivers(call, ctx, isApp).map((app) => ({ app, call, ctx }));
        }),
      );
      const apps = new Set(loops.map((l) => l.app.site.key));
      this.discovery = apps.size === 1 && loops.every((l) => !this.project.keywordArgument(l.call, 'url_prefix', l.ctx)) ? loops[0] : null;
    }
    return this.discovery ?? undefined;
  }

  /**
   * `app.config["KEY"]` or `app.config.get("KEY", default)` of a Flask app whose config the code fills: the text
   * it sets (one that config objects agree on), else the default given; nothing when the config is also loaded
   * from files or the environment.
   */
  private configText(expr: Expr, ctx: Ctx): string | undefined {
    const read = expr.k === 'subscript' ? { config: expr.obj, key: expr.index, fallback: undefined } : expr.k === 'call' && expr.fn.k === 'attr' && expr.fn.name === 'get' ? { config: expr.fn.obj, key: expr.args[0], fallback: expr.args[1] } : undefined;
    if (!read?.key || read.config.k !== 'attr' || read.config.name !== 'config') return undefined;
    const key = this.project.stringValue(read.key, ctx);
    const apps = this.project.resolve(read.config.obj, ctx).filter(isApp);
    if (key === undefined || apps.length !== 1) return undefined;
    this.appConfig ??= new FlaskAppConfig(this.project);
    const set = this.appConfig.value(apps[0], key);
    if (set.expr) return this.project.stringValue(set.expr.expr, set.expr.ctx);
    if (this.appConfig.isOpaque(apps[0]) || set.ambiguous) return undefined;
    return read.fallback && this.project.stringValue(read.fallback, ctx);
  }

  private prefixValue(expr: Expr | undefined, ctx: Ctx): { value?: string; part?: PrefixPart; unresolved: string[]; assumptions: Assumption[] } {
    if (!expr || expr.k === 'none') return { unresolved: [], assumptions: [] };
    const { value, assumed: assumptions } = this.project.captured(() => this.project.stringValue(expr, ctx) ?? this.configText(expr, ctx));
    const line = exprLine(expr, ctx.line);
    if (value === undefined) {
      const shown = this.project.shownText(expr, ctx) ?? UNRESOLVED_SEGMENT;
      return {
        value: shown,
        part: { value: shown, file: ctx.mod.file, line },
        unresolved: [`url_prefix \`${Project.describe(expr)}\` (${ctx.mod.file}:${line}) is not a static string`],
        assumptions,
      };
    }
    return { value, part: { value, file: ctx.mod.file, line }, unresolved: [], assumptions };
  }
}

/** Flask's join of a registration prefix onto a blueprint's own prefix (sansio/blueprints.py `register`). */
function joinPrefix(outer: string | undefined, inner: string | undefined): string | undefined {
  if (outer !== undefined && inner !== undefined) return `${outer.replace(/\/+$/, '')}/${inner.replace(/^\/+/, '')}`;
  return inner ?? outer;
}

