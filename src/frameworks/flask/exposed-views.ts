/**
 * Class views whose methods carry `_urls` (`@expose(url, methods=...)`), as Flask-AppBuilder and Flask-Admin route
 * them: each view's blueprint gets a rule for every exposed method, its own, a project base's or the library's (read
 * from a table of the library's views), each name taken from the first class of the C3 order that defines it. Methods
 * are registered in `dir()` order, by name: of two rules alike the first answers.
 */
import type { CallExpr, Expr, FunctionDef, ModuleFacts } from '../../python/ir';
import { argument, lineOf } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type FunctionRef, type Value } from '../../python/project';
import { callSites, calling, decoratorName, functionCtx, httpMethods, setsAttribute, stringList, UNRESOLVED_SEGMENT, type Decorator } from '../common';
import { functionDefinedIn } from '../../python/module-index';
import { libraryOrder, linearization, type LibraryClasses } from '../../python/mro';
import { compareText } from '../../model';

export const GET = ['GET'];

/** A rule an exposed method gets (`url` under the view's route base), with its methods. */
export interface Exposed {
  url: string;
  methods: string[] | undefined; // undefined when they cannot be read
}

/** One of a library's view classes: its base, its route base where it sets one, the methods it exposes by name. */
export interface LibraryView {
  base?: string; // the library class it derives from, by its name in the table
  api?: true; // a Flask-AppBuilder BaseApi: its route base is `/api/<version>/<resource_name>`
  routeBase?: string;
  exposed?: Record<string, Exposed[]>;
}

/** A library of exposed views: its package, its views by name, and the name in the table a qualified name stands for. */
export interface ExposingLibrary {
  package: string;
  views: Record<string, LibraryView>;
  named(qname: string): string | undefined;
}

type Instance = Extract<Value, { kind: 'instance' }>;

/** An extension object (an AppBuilder, an Admin) and the calls that bind it to an app: its construction with `app`, `init_app(app)`. */
export interface ExtensionSite {
  instance: Instance;
  bindings: { app: Expr; ctx: Ctx; call: CallExpr }[];
}

/** The extension objects `accept` takes, made by a call whose name ends with `constructor`, with their bindings. */
export function extensionSites(project: Project, accept: (v: Value) => v is Instance, constructor: string): ExtensionSite[] {
  const sites = new Map<string, ExtensionSite>();
  const site = (instance: Instance): ExtensionSite => {
    let found = sites.get(instance.site.key);
    if (!found) {
      const app = argument(instance.site.call, 0, 'app');
      found = { instance, bindings: app && app.k !== 'none' ? [{ app, ctx: instance.site.ctx, call: instance.site.call }] : [] };
      sites.set(instance.site.key, found);
    }
    return found;
  };
  const constructs = (call: CallExpr): boolean => (call.fn.k === 'name' ? call.fn.id : call.fn.k === 'attr' ? call.fn.name : '').endsWith(constructor);
  for (const { call, ctx } of callSites(project, (c) => calling(c, ['init_app']) || constructs(c))) {
    if (constructs(call)) {
      for (const instance of project.resolve(call, ctx).filter(accept)) site(instance);
    } else if (call.fn.k === 'attr' && call.args[0]) {
      for (const instance of project.resolve(call.fn.obj, ctx).filter(accept)) site(instance).bindings.push({ app: call.args[0], ctx, call });
    }
  }
  return [...sites.values()];
}

/** What a library's route base is computed from: the class's own attributes, its library views, its name. */
interface RouteBaseFacts {
  setting(name: string): string | undefined; // a class attribute's text; undefined where the class leaves it unset
  known: LibraryView[];
  className: string;
}

/** The class a value stands for, when it derives from one of the package's classes. */
export function derivedView(project: Project, v: Value, pkg: string): ClassRef | undefined {
  const ref = v.kind === 'class' ? v.ref : v.kind === 'instance' ? v.cls : undefined;
  return ref && project.externalBases(ref).some((q) => q.startsWith(`${pkg}.`)) ? ref : undefined;
}

/** The method resolution order's view of a library: a class it knows is `<package>.<name in the table>`. */
function libraryClasses(lib: ExposingLibrary): LibraryClasses {
  return {
    known: (qname) => {
      const own = qname.startsWith(`${lib.package}.`) && lib.views[qname.slice(lib.package.length + 1)] ? qname : undefined;
      const name = lib.named(qname);
      return own ?? (name && `${lib.package}.${name}`);
    },
    bases: (qname) => {
      const base = lib.views[qname.slice(lib.package.length + 1)]?.base;
      return base ? [`${lib.package}.${base}`] : [];
    },
  };
}

/** One rule the view's blueprint gets: for the method `name`, the project's `member` or the library's. */
export interface ExposedRule {
  name: string;
  member?: FunctionRef; // undefined: a method of the library's
  rule: string; // `{?}` where a part cannot be read
  methods: string[] | undefined; // undefined when they cannot be read
  decorators: Decorator[];
  unresolved: string[];
}

/**
 * The rules of a project view, or of a library view (`<package>.<name in the table>`) as the library adds it, under
 * the route base `routeBase` computes; with `filtered`, less what `include_route_methods` leaves out and
 * `exclude_route_methods` names (Flask-AppBuilder's).
 */
export function exposedRules(project: Project, view: ClassRef | string, lib: ExposingLibrary, routeBase: (facts: RouteBaseFacts) => string, filtered: boolean): ExposedRule[] {
  const classes = libraryClasses(lib);
  const libraryView = (qname: string): LibraryView | undefined => (classes.known(qname) ? lib.views[qname.slice(lib.package.length + 1)] : undefined);
  const unresolved: string[] = [];
  const cls = typeof view === 'string' ? undefined : view;
  const className = cls ? cls.cls.name : (view as string).split('.').pop()!;
  const order = cls ? linearization(project, cls, classes) : libraryOrder(classes, view as string);
  if (!order) unresolved.push(`the method resolution order of \`${className}\` cannot be built`);
  const library = (order ?? []).flatMap((entry) => (typeof entry === 'string' && entry.startsWith(`${lib.package}.`) ? [entry] : []));
  const known = library.flatMap((qname) => libraryView(qname) ?? []);
  for (const qname of library) if (!libraryView(qname)) unresolved.push(`\`${className}\` derives from \`${qname}\`, whose own routes are not listed`);
  // A class attribute's text; undefined where the class leaves it unset (or None).
  const setting = (name: string): string | undefined => {
    const [value, ...others] = (cls && project.classAttribute(cls, name)) ?? [];
    if (!value || (value.kind === 'literal' && value.expr.k === 'none' && !others.length)) return undefined;
    const read = value.kind === 'literal' && !others.length ? project.stringValue(value.expr, value.ctx) : undefined;
    if (read === undefined) unresolved.push(`${name} of \`${className}\` is not a static string`);
    return read ?? UNRESOLVED_SEGMENT;
  };
  const names = (name: string): Set<string> | undefined => {
    const [value, ...others] = (cls && project.classAttribute(cls, name)) ?? [];
    if (!value || (value.kind === 'literal' && value.expr.k === 'none')) return undefined;
    const listed = value.kind === 'literal' && !others.length ? stringList(project, value.expr, value.ctx) : undefined;
    if (!listed) unresolved.push(`${name} of \`${className}\` cannot be read statically`);
    return new Set(listed ?? []);
  };
  const base = routeBase({ setting, known, className });
  const included = filtered ? names('include_route_methods') : undefined;
  const excluded = (filtered && names('exclude_route_methods')) || new Set<string>();

  const rules: ExposedRule[] = [];
  const seen = new Set<string>();
  const add = (name: string, exposed: Exposed[], member?: FunctionRef, decorators: Decorator[] = []): void => {
    if (seen.has(name)) return; // the nearest definition of a name is the method
    seen.add(name);
    if ((included && !included.has(name)) || excluded.has(name)) return;
    for (const { url, methods } of exposed) rules.push({ name, member, rule: joinRule(base, url), methods, decorators, unresolved });
  };
  // Each name from the first class of the method resolution order that defines it, as `dir(view)` finds it.
  for (const entry of order ?? []) {
    if (typeof entry === 'string') {
      for (const [name, exposed] of Object.entries(libraryView(entry)?.exposed ?? {})) add(name, exposed);
      continue;
    }
    for (const name of entry.cls.methods) {
      const fn = functionDefinedIn(entry.mod, entry.cls.bodyScope, name);
      if (!fn || seen.has(name)) continue;
      const ctx = functionCtx(entry.mod, fn);
      const exposes = fn.decorators.filter((d): d is CallExpr => d.k === 'call' && isExpose(project, d, ctx, lib.package));
      const others = fn.decorators.filter((d) => !(d.k === 'call' && exposes.includes(d))).map((expr) => ({ expr, ctx }));
      add(name, exposes.map((d) => exposedBy(project, d, ctx, unresolved)), { mod: entry.mod, fn }, others);
    }
  }
  return served(rules.sort((a, b) => compareText(a.name, b.name)));
}

/**
 * The rules that serve requests. Methods are registered in the order of `dir(view)`, by name, and of two rules alike
 * the first registered answers: ModelRestApi's `get_list` on `/` serves no GET where a project's `api_list` has `/`.
 */
function served(rules: ExposedRule[]): ExposedRule[] {
  const taken = new Set<string>();
  return rules.flatMap((r) => {
    if (!r.methods) return [r];
    const methods = r.methods.filter((m) => !taken.has(`${r.rule}\0${m}`));
    for (const m of methods) taken.add(`${r.rule}\0${m}`);
    return methods.length ? [{ ...r, methods }] : [];
  });
}

/** Flask's join of a blueprint prefix and a rule (BlueprintSetupState.add_url_rule); undefined: no prefix. */
export function joinRule(prefix: string | undefined, rule: string): string {
  if (prefix === undefined) return rule;
  if (!rule) return prefix;
  return `${prefix.replace(/\/+$/, '')}/${rule.replace(/^\/+/, '')}`;
}

/** `@expose(url, methods)` and `@expose_api(name, url, methods)`: the library's, or a project copy that sets `_urls`. */
function isExpose(project: Project, d: CallExpr, ctx: Ctx, pkg: string): boolean {
  const name = decoratorName(project, d, ctx);
  if (name?.startsWith(`${pkg}.`)) return /\.expose(_api)?$/.test(name);
  const [factory] = project.resolve(d.fn, ctx);
  return factory?.kind === 'function' && setsUrls(factory.ref.mod, factory.ref.fn);
}

/** Whether a decorator factory's code (or a function it defines) writes `f._urls`, as `expose` does. */
function setsUrls(mod: ModuleFacts, factory: FunctionDef): boolean {
  const scopes = new Set([factory.bodyScope]);
  for (const fn of mod.functions) if (scopes.has(fn.scope)) scopes.add(fn.bodyScope);
  return mod.calls.some(({ scope, call }) => scopes.has(scope)
    && (setsAttribute(call, '_urls') || (calling(call, ['append']) && call.fn.k === 'attr' && call.fn.obj.k === 'attr' && call.fn.obj.name === '_urls')));
}

function exposedBy(project: Project, d: CallExpr, ctx: Ctx, unresolved: string[]): Exposed {
  const api = decoratorName(project, d, ctx)?.endsWith('.expose_api') ?? false;
  const given = argument(d, api ? 1 : 0, 'url');
  const text = (e: Expr | undefined, absent: string): string | undefined => (e ? project.stringValue(e, ctx) : absent);
  let url = text(given, api ? '' : '/');
  // `expose_api` without a url serves `/api/<name>`.
  if (api && url === '') {
    const name = text(argument(d, 0, 'name'), '');
    url = name === undefined ? undefined : `/api/${name}`;
  }
  if (url === undefined) unresolved.push(`the url of \`${Project.describe(d)}\` (line ${lineOf(d.loc)}) is not a static string`);
  const methods = argument(d, api ? 2 : 1, 'methods');
  return { url: url ?? UNRESOLVED_SEGMENT, methods: methods ? httpMethods(project, methods, ctx) : GET };
}

