/**
 * No silent drops. Every call of an API that registers routes (route decorators, `add_url_rule`,
 * `add_api_route`, `path()`, `router.register`, `include_router`, ...) must have yielded a route, or is
 * listed here with why not. Sites are found by name, independently of the framework extractors, on
 * receivers that are (or may be: they cannot be read) web framework objects; a site is resolved when a
 * route was reported at its line, a route's prefix was read there, or (for an include) what it includes
 * is project code whose own sites are counted. The apps of web frameworks apiposture does not read are sites no
 * route resolves (see UNREAD_FRAMEWORKS).
 */
import type { CallExpr, Expr, ModuleFacts } from './python/ir';
import { NO_ITEMS, argument, columnOf, dottedName, eachCall, kwarg, lineOf, someExpr } from './python/ir';
import { Project, type Ctx, type Value } from './python/project';
import type { ProfileSkippedRegistration, Route, UnresolvedRegistration } from './model';
import type { SkippedArm } from './python/profile';
import { statementContexts } from './frameworks/common';
import { ROUTE_CALLABLES, UNREAD_FRAMEWORK_PACKAGES, namedLikeSite, namedLikeUnreadMaker, unreadFramework } from './registration-names';
import { bundledRoutes } from './frameworks/fastapi/bundled-routers';
import { isClassfulView } from './frameworks/flask/classful';
import { APPBUILDER_PACKAGE, VIEW_REGISTRARS } from './frameworks/flask/appbuilder';
import { ADMIN_PACKAGE } from './frameworks/flask/flask-admin';
import { functionOwning } from './python/module-index';
import { channelsEndpoint } from './frameworks/django/channels';
import { isDanceBlueprint } from './frameworks/flask/flask-dance';

/**
 * Extensions whose construction adds views of the library's own (see ROUTE_CALLABLES), by the name they are called
 * under: why their site is not resolved, whether it stays so where some of those views are listed (`partial`), and
 * the argument that makes them add none (`off`, set to False).
 */
const EXTENSION_SITES: Record<string, { unread: string; partial?: true; off?: { keyword: string; at: number } }> = {
  AppBuilder: {
    partial: true,
    unread: 'Flask-AppBuilder adds views of its own to the app: apiposture lists its login view and security API (where the config says which), not its index, user and role admin, password forms and menu API',
  },
  Security: {
    unread: "Flask-Security's views are listed only where the configuration turns on none of two-factor, unified sign-in, WebAuthn, passwordless, OAuth and recovery codes (and says so statically), and the Security is bound to an app found statically",
    off: { keyword: 'register_blueprint', at: 2 },
  },
};

// Framework packages whose objects register routes; a receiver from any other package is not a web app.
const FRAMEWORKS = ['flask', 'quart', 'quart_trio', 'flask_restful', 'flask_restx', 'flask_appbuilder', 'flask_admin', 'fastapi', 'starlette', 'django', 'rest_framework', 'ninja'];
// Django's pattern functions, as registration sites are labelled.
const DJANGO_PATTERNS = ['path', 're_path', 'url'];
const ROUTER_PACKAGES = ['rest_framework.routers.', 'rest_framework_extensions.routers.', 'rest_framework_nested.routers.', 'rest_framework_bulk.'];

interface Site {
  call: CallExpr;
  ctx: Ctx; // with loop variables bound to the first item of static loops around it
  label: string; // the callee as written, e.g. `bp.add_url_rule`
  include?: Expr; // for an include: what it includes
  loopContexts: readonly Ctx[]; // one per item of the static loops around it (none for a decorator or an assignment)
  callers: NonNullable<Ctx['via']>[]; // the calls of the helper function it stands in, if any
  unread?: string; // the framework apiposture does not read whose app (or Bottle route) it makes
}

export interface RegistrationCount {
  total: number;
  resolved: number;
  unresolved: UnresolvedRegistration[];
}

export function countRegistrations(project: Project, routes: Route[], inScope: (file: string) => boolean): RegistrationCount {
  const reported = new Set<string>();
  for (const route of routes) {
    reported.add(`${route.file}:${route.line}`);
    for (const prefix of route.prefixes) reported.add(`${prefix.file}:${prefix.line}`);
  }
  const finder = new SiteFinder(project);
  let total = 0;
  const unresolved: UnresolvedRegistration[] = [];
  for (const mod of project.modules.filter((m) => inScope(m.file))) {
    for (const site of finder.sites(mod)) {
      total++;
      // In a helper, the routes are declared at the helper's calls (see Project.callerEnvs).
      const declared = [`${mod.file}:${lineOf(site.call.loc)}`, ...site.callers.map((via) => `${via.file}:${via.line}`)];
      // An AppBuilder's own views are listed in part (see securityViews): its site stays, saying which are not.
      if (!EXTENSION_SITES[site.label]?.partial && (declared.some((at) => reported.has(at)) || finder.returnedWhereReported(site, reported))) continue;
      const why = site.include ? finder.unreadInclude(site, reported) : site.unread ? `${site.unread} is a web framework apiposture does not read: the routes this app serves are not listed` : finder.unreadReceiverOrArguments(site);
      if (why) unresolved.push({ file: mod.file, line: lineOf(site.call.loc), column: columnOf(site.call.loc), call: site.label, reason: why });
    }
  }
  return { total, resolved: total - unresolved.length, unresolved };
}

/** Registration sites in branches the profile does not run, read in the project as written (`unprofiled`). */
export function skippedRegistrations(unprofiled: Project, skipped: SkippedArm[], inScope: (file: string) => boolean): ProfileSkippedRegistration[] {
  const finder = new SiteFinder(unprofiled);
  const out: ProfileSkippedRegistration[] = [];
  for (const mod of unprofiled.modules.filter((m) => inScope(m.file))) {
    const arms = skipped.filter((a) => a.file === mod.file);
    if (!arms.length) continue;
    for (const site of finder.sites(mod)) {
      const arm = arms.find((a) => a.from <= lineOf(site.call.loc) && lineOf(site.call.loc) <= a.to);
      if (arm) out.push({ file: mod.file, line: lineOf(site.call.loc), column: columnOf(site.call.loc), call: site.label, condition: arm.condition, branchLine: arm.of });
    }
  }
  return out;
}

class SiteFinder {
  private readonly reportedCalls = new WeakMap<Set<string>, { call: CallExpr; ctx: Ctx }[]>(); // see callsWhereReported
  // Flask-AppBuilder's and Flask-Admin's `add_view` is also Django admin's: their names count only where they are imported.
  private readonly viewRegistrars: boolean;
  private readonly unreadImported: boolean; // a module imports a framework apiposture does not read

  constructor(private readonly project: Project) {
    this.viewRegistrars = project.modules.some((m) => Project.imports(m, [APPBUILDER_PACKAGE, ADMIN_PACKAGE]));
    this.unreadImported = project.modules.some((m) => Project.imports(m, UNREAD_FRAMEWORK_PACKAGES));
  }

  /**
   * A pattern a helper returns, or appends to the list it returns, reported where the helper is called
   * (`urlpatterns = [optional_slash_path("users", view), ...]`: see declaredAtCall in the Django URLconf reader).
   * Looked for only for a site nothing else resolved.
   */
  returnedWhereReported(site: Site, reported: Set<string>): boolean {
    const { mod, scope } = site.ctx;
    const fn = functionOwning(mod, scope);
    const returnedLists = new Set(fn?.returns.flatMap((r) => (r.k === 'name' ? [r.id] : [])));
    const appended = mod.calls.some(({ call, scope: at }) => at === scope && call.fn.k === 'attr' && ['append', 'extend', 'insert'].includes(call.fn.name) && call.fn.obj.k === 'name' && returnedLists.has(call.fn.obj.id) && someExpr(call, (e) => e === site.call));
    if (!fn || !(appended || fn.returns.some((r) => someExpr(r, (e) => e === site.call)))) return false;
    return this.callsWhereReported(reported).some(({ call, ctx }) => this.project.resolve(call.fn, ctx).some((v) => v.kind === 'function' && v.ref.fn === fn));
  }

  /** The calls at the lines routes were reported at, in statements and then assignments, module by module: once per scan. */
  private callsWhereReported(reported: Set<string>): { call: CallExpr; ctx: Ctx }[] {
    let found = this.reportedCalls.get(reported);
    if (!found) {
      const calls: { call: CallExpr; ctx: Ctx }[] = [];
      const files = new Set([...reported].map((at) => at.slice(0, at.lastIndexOf(':'))));
      for (const m of this.project.modules.filter((mod) => files.has(mod.file))) {
        const at = (expr: Expr, ctx: (call: CallExpr) => Ctx): void =>
          eachCall(expr, (call) => {
            if (reported.has(`${m.file}:${lineOf(call.loc)}`)) calls.push({ call, ctx: ctx(call) });
          });
        for (const stmt of m.calls) at(stmt.call, (call) => ({ mod: m, scope: stmt.scope, line: lineOf(call.loc) }));
        for (const [scopeId, bindings] of Object.entries(m.bindings)) for (const b of bindings) if (b.kind === 'assign') at(b.value, () => ({ mod: m, scope: Number(scopeId), line: b.line }));
      }
      this.reportedCalls.set(reported, (found = calls));
    }
    return found;
  }

  /** The registration sites of a module, each once, in source order. */
  sites(mod: ModuleFacts): Site[] {
    const found = new Map<string, Site>();
    // Every statement, assignment, decorator and return of the project is visited: the context is made only for a
    // call named like a site.
    const visit = (expr: Expr, scope: number, line: number, decorator = false, loopContexts: readonly Ctx[] = NO_ITEMS): void =>
      eachCall(expr, (call) => {
        const isDecorator = decorator && call === expr;
        if (!namedLikeSite(call, isDecorator) && !(this.unreadImported && namedLikeUnreadMaker(call))) return; // most calls: no key built for them
        const key = `${lineOf(call.loc)}:${columnOf(call.loc)}`;
        if (found.has(key)) return;
        const site = this.site(call, loopContexts[0] ?? { mod, scope, line }, isDecorator);
        if (site) found.set(key, { ...site, loopContexts, callers: this.project.callerEnvs(mod, scope).flatMap((c) => (c.via ? [c.via] : [])) });
      });
    for (const stmt of mod.calls) {
      // Loops are read only around a call that may register: reading a loop's sequence can mean following a
      // parameter to every call of its function.
      const mayRegister = stmt.loops.length > 0 && someExpr(stmt.call, (e) => e.k === 'call' && namedLikeSite(e, false));
      visit(stmt.call, stmt.scope, lineOf(stmt.call.loc), false, mayRegister ? statementContexts(this.project, mod, stmt) : NO_ITEMS);
    }
    for (const [scope, bindings] of Object.entries(mod.bindings)) {
      for (const b of bindings) if (b.kind === 'assign') visit(b.value, Number(scope), b.line);
    }
    for (const def of [...mod.functions, ...mod.classes]) {
      for (const d of def.decorators) visit(d, def.scope, lineOf(def.loc), true);
    }
    for (const fn of mod.functions) for (const r of fn.returns) visit(r, fn.bodyScope, Infinity);
    return [...found.values()].sort((a, b) => lineOf(a.call.loc) - lineOf(b.call.loc) || columnOf(a.call.loc) - columnOf(b.call.loc));
  }

  private site(call: CallExpr, ctx: Ctx, isDecorator: boolean): Omit<Site, 'loopContexts' | 'callers'> | undefined {
    const { fn } = call;
    if (this.unreadImported && namedLikeUnreadMaker(call)) {
      const unread = unreadFramework(importedName(ctx, fn));
      if (unread) return { call, ctx, label: `${Project.describe(fn)}(…)`, unread };
      if (!namedLikeSite(call, isDecorator)) return undefined; // `d.get(...)`: named like Bottle's `get` only
    }
    if (fn.k === 'attr') {
      if (VIEW_REGISTRARS.includes(fn.name) && !this.viewRegistrars) return undefined;
      if (this.overriddenRegistration(call, ctx) === 'passes-path') return undefined;
      if (!this.mayBeFramework(fn.obj, ctx, fn.name === 'register') || (!isDecorator && fn.name !== 'register' && isNoUrlPath(call))) return undefined;
      const label = `${Project.describe(fn.obj)}.${fn.name}`;
      if (fn.name === 'mount') return { call, ctx, label, include: argument(call, 1, 'app') };
      if (fn.name === 'include_router') return { call, ctx, label, include: argument(call, 0, 'router') };
      if (fn.name === 'register_blueprint') return { call, ctx, label, include: argument(call, 0, 'blueprint') };
      return { call, ctx, label };
    }
    const qnames = fn.k === 'name' ? ROUTE_CALLABLES[fn.id] : undefined;
    if (fn.k !== 'name' || !qnames || !this.project.resolve(fn, ctx).some((v) => v.kind === 'external' && qnames.includes(v.qname))) return undefined;
    const off = EXTENSION_SITES[fn.id]?.off;
    const given = off && argument(call, off.at, off.keyword);
    if (given?.k === 'bool' && !given.v) return undefined;
    if (fn.id === 'Mount' || fn.id === 'Host') return kwarg(call, 'routes') ? undefined : { call, ctx, label: fn.id, include: argument(call, 1, 'app') };
    const view = call.args[1];
    if (view?.k === 'call' && view.fn.k === 'name' && view.fn.id === 'include') return { call, ctx, label: `${fn.id}(…, include(…))`, include: view.args[0] };
    return { call, ctx, label: fn.id };
  }

  /**
   * True when the receiver is a framework object, or cannot be read at all (a parameter nobody passes, a
   * loop variable): such a site is exactly what would otherwise vanish. DRF's `register` is a router's only
   * (`admin.site.register` registers a model), or what a router's `register` returned (drf-extensions nests
   * routes under it: `projects = router.register(...)`, `projects.register(...)`), or a Flask-Classful view's.
   */
  private mayBeFramework(receiver: Expr, ctx: Ctx, routerOnly: boolean): boolean {
    const values = this.project.resolve(receiver, ctx);
    const framework = (qname: string): boolean => (routerOnly ? ROUTER_PACKAGES.some((p) => qname.startsWith(p)) : FRAMEWORKS.includes(qname.split('.')[0]));
    const isFramework = (v: Value): boolean =>
      (v.kind === 'instance' && v.types.some(framework)) || (v.kind === 'external' && framework(v.qname))
      || (routerOnly && v.kind === 'result' && v.callee.kind === 'member' && v.callee.name === 'register' && isFramework(v.callee.of))
      || (routerOnly && isClassfulView(this.project, v));
    if (values.some(isFramework)) return true;
    return values.every(unreadable) && (!routerOnly || /router/i.test(Project.describe(receiver)));
  }

  /**
   * `super().add_api_route(path, endpoint, **kwargs)` in a router or app class's own `add_api_route`: the
   * framework's registration, which the framework calls for every route declared on the class's objects (each
   * counted where it is declared). `passes-path` when it passes on the method's own path, never rebound, and calls
   * none of its object's methods, so those routes are where they were declared; `changes-path` otherwise.
   */
  private overriddenRegistration(call: CallExpr, ctx: Ctx): 'passes-path' | 'changes-path' | undefined {
    const { fn } = call;
    if (fn.k !== 'attr' || fn.obj.k !== 'call' || fn.obj.fn.k !== 'name' || fn.obj.fn.id !== 'super') return undefined;
    const method = functionOwning(ctx.mod, ctx.scope);
    const cls = method && ctx.mod.classes.find((c) => c.bodyScope === method.scope);
    if (!method || !cls || method.name !== fn.name) return undefined;
    if (!this.project.externalBases({ mod: ctx.mod, cls }).some((q) => FRAMEWORKS.includes(q.split('.')[0]))) return undefined;
    const [self, path] = method.params.map((p) => p.name);
    const passed = path === undefined ? undefined : argument(call, 0, path);
    const rebound = (ctx.mod.bindings[method.bodyScope] ?? []).some((b) => b.name === path && b.kind !== 'param');
    // Another method of the object may change where it registers (indico's `with self._unprefixed():`).
    const usesSelf = method.calls.some(({ fn: callee }) => callee.k === 'attr' && callee.obj.k === 'name' && callee.obj.id === self);
    return passed?.k === 'name' && passed.id === path && !rebound && !usesSelf ? 'passes-path' : 'changes-path';
  }

  /** Why no route came from a route-declaring site; undefined for one that declares none. */
  unreadReceiverOrArguments(site: Site): string | undefined {
    const extension = EXTENSION_SITES[site.label];
    if (extension) return extension.unread;
    if (this.overriddenRegistration(site.call, site.ctx) === 'changes-path') {
      return "an override of the framework's method that may register another path than it is given (it changes the path, or calls its object's own methods): routes declared on this class's objects are reported with the paths as declared";
    }
    // A Django pattern always makes a route where a URLconf's walk meets it, `{?}` where it cannot be read; one of
    // Channels' routing to Django itself (`re_path(r"", get_asgi_application())`) serves the routes ROOT_URLCONF lists.
    if (site.call.fn.k === 'name' && DJANGO_PATTERNS.includes(site.label)) {
      const view = argument(site.call, 1, 'view');
      if (view && channelsEndpoint(this.project, view, site.ctx).kind === 'django') return undefined;
      return "no walk of the URLconfs from ROOT_URLCONF found statically reaches the patterns this call is in: only code run at start-up (an AppConfig's `ready()`) or another router (Channels' `URLRouter`) could serve them";
    }
    const receiver = site.call.fn.k === 'attr' ? this.project.resolve(site.call.fn.obj, site.ctx) : [];
    const unknown = receiver.find((v): v is Extract<Value, { kind: 'unknown' }> => v.kind === 'unknown');
    if (unknown && receiver.every(unreadable)) return `no app or router found statically for \`${Project.describe((site.call.fn as Extract<Expr, { k: 'attr' }>).obj)}\`: ${unknown.why}`;
    return 'no route could be built from this call statically (its arguments, or the app it belongs to, cannot be read)';
  }

  /** Why an include cannot be followed, or undefined when it includes project code (whose own sites count). */
  unreadInclude({ include: target, ctx, loopContexts }: Site, reported: Set<string>): string | undefined {
    if (!target) return 'nothing to include is named';
    if (target.k === 'str') return this.project.findModule(target.v, ctx.mod) ? undefined : `\`${target.v}\` is not a module of the project: its routes cannot be read`;
    const values = (loopContexts.length ? loopContexts : [ctx]).flatMap((c) => this.project.resolve(target, c));
    // A DRF router's `urls`: its routes are its `register` calls', each counted as a site of its own.
    const routerUrls = (v: Value): boolean => v.kind === 'member' && v.name === 'urls' && v.of.kind === 'instance' && v.of.types.some((t) => ROUTER_PACKAGES.some((p) => t.startsWith(p)));
    // A library blueprint whose rules are listed where it is made (Flask-Dance's): resolved where routes were reported there.
    const madeWhereReported = (v: Value): boolean => isDanceBlueprint(v) && reported.has(`${v.site.ctx.mod.file}:${lineOf(v.site.call.loc)}`);
    const inProject = (v: Value): boolean =>
      v.kind === 'module' || v.kind === 'class' || v.kind === 'function' || (v.kind === 'instance' && (v.cls !== undefined || FRAMEWORKS.includes(v.types[0]?.split('.')[0] ?? ''))) || bundledRoutes(v) !== undefined || routerUrls(v) || madeWhereReported(v);
    if (values.some(inProject)) return undefined;
    return `\`${Project.describe(target)}\` is not project code found statically: the routes it brings cannot be read`;
  }
}

/**
 * Werkzeug and Starlette reject rules and mounts that do not start with `/`, and FastAPI's never match a
 * request (a DRF router's `register` prefix is the exception, left to the caller), so a literal first argument
 * such as `"https://"` marks another kind of call: `requests.Session().mount("https://", adapter)`.
 */
function isNoUrlPath(call: CallExpr): boolean {
  const first = call.args[0];
  return first?.k === 'str' && first.v !== '' && !first.v.startsWith('/');
}

/**
 * The qualified name a dotted callee has through the imports of its scope or module (`web.Application` after `from
 * aiohttp import web`), read without resolving anything: a call that turns out to be no site assumes nothing.
 */
function importedName({ mod, scope }: Ctx, callee: Expr): string | undefined {
  const [head, ...rest] = (dottedName(callee) ?? '').split('.');
  const imported = [...(mod.bindings[scope] ?? []), ...(mod.bindings[0] ?? [])].find((b) => b.kind === 'import' && b.level === 0 && b.name === head);
  return imported?.kind === 'import' ? [imported.module, ...(imported.attr ? [imported.attr] : []), ...rest].join('.') : undefined;
}

function unreadable(v: Value): boolean {
  return v.kind === 'unknown' || v.kind === 'member' || v.kind === 'result';
}
