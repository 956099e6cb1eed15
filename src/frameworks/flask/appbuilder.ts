/**
 * Flask-AppBuilder (4.x): `appbuilder.add_view(View, "menu")`, `add_view_no_menu(View)` and `add_api(Api)` make a
 * blueprint for the view, prefixed with its `route_base`, and add a rule for every method that carries `_urls`
 * (`@expose(url, methods=...)`), its own or inherited from the library's views (ModelView's `/list/`, ModelRestApi's
 * `/<int:pk>`), but those `include_route_methods` leaves out or `exclude_route_methods` names. A view's `route_base`
 * is its class name lower-cased (`/myview`), an API's `/api/<version>/<resource_name>`.
 * Upstream: https://flask-appbuilder.readthedocs.io/en/latest/views.html
 */
import type { CallExpr, Expr, FunctionDef, ModuleFacts } from '../../python/ir';
import { argument, kwarg, lineOf } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type FunctionRef, type Value } from '../../python/project';
import { decoratorName, functionCtx, httpMethods, stringList, UNRESOLVED_SEGMENT, type Decorator } from '../common';
import { functionDefinedIn } from '../../python/module-index';
import { libraryOrder, linearization, type LibraryClasses } from '../../python/mro';
import { compareText } from '../../model';

export const APPBUILDER_TYPES = ['flask_appbuilder.AppBuilder', 'flask_appbuilder.base.AppBuilder'];
export const APPBUILDER_PACKAGE = 'flask_appbuilder';
export const VIEW_REGISTRARS = ['add_view', 'add_view_no_menu', 'add_api'];

export const isAppBuilder = (v: Value): v is Extract<Value, { kind: 'instance' }> => Project.isInstance(v, APPBUILDER_TYPES);

/** A rule an exposed method gets (`url` under the view's route base), with its methods. */
interface Exposed {
  url: string;
  methods: string[] | undefined; // undefined when they cannot be read
}

interface LibraryView {
  base?: string; // the library class it derives from
  api?: true; // a BaseApi: its route base is `/api/<version>/<resource_name>`
  routeBase?: string;
  exposed?: Record<string, Exposed[]>; // by method name
}

const GET = ['GET'];
const form = { this_form_get: [{ url: '/form', methods: GET }], this_form_post: [{ url: '/form', methods: ['POST'] }] };
const chart = (...urls: string[]): Record<string, Exposed[]> => ({ chart: urls.map((url) => ({ url, methods: GET })) });

/** The library's view classes (4.3) by name, with the methods they expose: what a project view inherits. */
const LIBRARY_VIEWS: Record<string, LibraryView> = {
  BaseView: {},
  BaseFormView: { base: 'BaseView' },
  SimpleFormView: { base: 'BaseFormView', exposed: form },
  PublicFormView: { base: 'BaseFormView', exposed: form },
  IndexView: { base: 'BaseView', routeBase: '', exposed: { index: [{ url: '/', methods: GET }] } },
  BaseModelView: { base: 'BaseView' },
  BaseCRUDView: { base: 'BaseModelView' },
  RestCRUDView: {
    base: 'BaseCRUDView',
    exposed: {
      api: [{ url: '/api', methods: GET }],
      api_read: [{ url: '/api/read', methods: GET }],
      api_get: [{ url: '/api/get/<pk>', methods: GET }],
      api_create: [{ url: '/api/create', methods: ['POST'] }],
      api_update: [{ url: '/api/update/<pk>', methods: ['PUT'] }],
      api_delete: [{ url: '/api/delete/<pk>', methods: ['DELETE'] }],
      api_column_add: [{ url: '/api/column/add/<col_name>', methods: GET }],
      api_column_edit: [{ url: '/api/column/edit/<col_name>', methods: GET }],
      api_readvalues: [{ url: '/api/readvalues', methods: GET }],
    },
  },
  ModelView: {
    base: 'RestCRUDView',
    exposed: {
      list: [{ url: '/list/', methods: GET }],
      show: [{ url: '/show/<pk>', methods: GET }],
      add: [{ url: '/add', methods: ['GET', 'POST'] }],
      edit: [{ url: '/edit/<pk>', methods: ['GET', 'POST'] }],
      delete: [{ url: '/delete/<pk>', methods: ['GET', 'POST'] }],
      download: [{ url: '/download/<string:filename>', methods: GET }],
      action: [{ url: '/action/<string:name>/<pk>', methods: ['GET', 'POST'] }],
      action_post: [{ url: '/action_post', methods: ['POST'] }],
    },
  },
  MasterDetailView: { base: 'BaseCRUDView', exposed: { list: [{ url: '/list/', methods: GET }, { url: '/list/<pk>', methods: GET }] } },
  MultipleView: { base: 'BaseView', exposed: { list: [{ url: '/list/', methods: GET }] } },
  CompactCRUDMixin: {
    base: 'BaseCRUDView',
    exposed: {
      list: [{ url: '/list/', methods: ['GET', 'POST'] }],
      add: [{ url: '/add/', methods: ['GET', 'POST'] }],
      edit: [{ url: '/edit/<pk>', methods: ['GET', 'POST'] }],
      delete: [{ url: '/delete/<pk>', methods: ['GET', 'POST'] }],
    },
  },
  BaseChartView: { base: 'BaseModelView' },
  GroupByChartView: { base: 'BaseChartView', exposed: chart('/chart/<group_by>', '/chart/') },
  BaseSimpleGroupByChartView: { base: 'BaseChartView' },
  ChartView: { base: 'BaseSimpleGroupByChartView', exposed: chart('/chart/<group_by>', '/chart/') },
  TimeChartView: { base: 'BaseSimpleGroupByChartView', exposed: chart('/chart/<group_by>/<period>', '/chart/') },
  BaseSimpleDirectChartView: { base: 'BaseChartView' },
  DirectChartView: { base: 'BaseSimpleDirectChartView', exposed: chart('/chart/<group_by>', '/chart/') },
  AuthView: { base: 'BaseView', routeBase: '', exposed: { login: [{ url: '/login/', methods: ['GET', 'POST'] }], logout: [{ url: '/logout/', methods: GET }] } },
  AuthDBView: { base: 'AuthView' },
  AuthLDAPView: { base: 'AuthView' },
  AuthOIDView: { base: 'AuthView' },
  AuthOAuthView: {
    base: 'AuthView',
    exposed: {
      login: ['/login/', '/login/<provider>', '/login/<provider>/<register>'].map((url) => ({ url, methods: GET })),
      oauth_authorized: [{ url: '/oauth-authorized/<provider>', methods: GET }],
    },
  },
  AuthRemoteUserView: { base: 'AuthView', exposed: { login: [{ url: '/login/', methods: GET }] } },
  BaseApi: { api: true },
  SecurityApi: { base: 'BaseApi', routeBase: '/api/v1/security', exposed: { login: [{ url: '/login', methods: ['POST'] }], refresh: [{ url: '/refresh', methods: ['POST'] }] } },
  BaseModelApi: { base: 'BaseApi' },
  ModelRestApi: {
    base: 'BaseModelApi',
    exposed: {
      info: [{ url: '/_info', methods: GET }],
      get: [{ url: '/<int:pk>', methods: GET }],
      get_list: [{ url: '/', methods: GET }],
      post: [{ url: '/', methods: ['POST'] }],
      put: [{ url: '/<pk>', methods: ['PUT'] }],
      delete: [{ url: '/<pk>', methods: ['DELETE'] }],
    },
  },
};

/** One rule the view's blueprint gets: for the method `name`, the project's `member` or the library's. */
export interface AppBuilderRule {
  name: string;
  member?: FunctionRef; // undefined: a method of the library's
  rule: string; // `{?}` where a part cannot be read
  methods: string[] | undefined; // undefined when they cannot be read
  decorators: Decorator[];
  unresolved: string[];
}

/** Flask-AppBuilder's views as the method resolution order reads them (see LIBRARY_VIEWS), named `flask_appbuilder.<class>`. */
const LIBRARY: LibraryClasses = {
  known: (qname) => {
    const name = qname.startsWith(`${APPBUILDER_PACKAGE}.`) ? qname.split('.').pop()! : '';
    return LIBRARY_VIEWS[name] ? `${APPBUILDER_PACKAGE}.${name}` : undefined;
  },
  bases: (name) => {
    const base = LIBRARY_VIEWS[name.split('.').pop()!]?.base;
    return base ? [`${APPBUILDER_PACKAGE}.${base}`] : [];
  },
};

/** Whether a class derives from one of Flask-AppBuilder's views or APIs. */
export function isAppBuilderView(project: Project, v: Value): ClassRef | undefined {
  const ref = v.kind === 'class' ? v.ref : v.kind === 'instance' ? v.cls : undefined;
  return ref && project.externalBases(ref).some((q) => q.startsWith(`${APPBUILDER_PACKAGE}.`)) ? ref : undefined;
}

/** The rules of a project view, or of one of the library's (`flask_appbuilder.AuthDBView`) as the library adds it. */
export function appBuilderRules(project: Project, view: ClassRef | string): AppBuilderRule[] {
  const unresolved: string[] = [];
  const cls = typeof view === 'string' ? undefined : view;
  const className = cls ? cls.cls.name : (view as string).split('.').pop()!;
  const order = cls ? linearization(project, cls, LIBRARY) : libraryOrder(LIBRARY, view as string);
  if (!order) unresolved.push(`the method resolution order of \`${className}\` cannot be built`);
  const library = (order ?? []).flatMap((entry) => (typeof entry === 'string' && entry.startsWith(`${APPBUILDER_PACKAGE}.`) ? [entry] : []));
  const known = library.flatMap((qname) => LIBRARY_VIEWS[qname.split('.').pop()!] ?? []);
  for (const qname of library) if (!LIBRARY.known(qname)) unresolved.push(`\`${className}\` derives from \`${qname}\`, whose own routes are not listed`);
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
  const isApi = known.some((view) => view.api);
  const libraryBase = known.map((view) => view.routeBase).find((base) => base !== undefined);
  const routeBase = setting('route_base') ?? libraryBase
    ?? (isApi ? `/api/${setting('version') ?? 'v1'}/${(setting('resource_name') ?? className).toLowerCase()}` : `/${className.toLowerCase()}`);
  const included = names('include_route_methods');
  const excluded = names('exclude_route_methods') ?? new Set<string>();

  const rules: AppBuilderRule[] = [];
  const seen = new Set<string>();
  const add = (name: string, exposed: Exposed[], member?: FunctionRef, decorators: Decorator[] = []): void => {
    if (seen.has(name)) return; // the nearest definition of a name is the method
    seen.add(name);
    if ((included && !included.has(name)) || excluded.has(name)) return;
    for (const { url, methods } of exposed) rules.push({ name, member, rule: joinRule(routeBase, url), methods, decorators, unresolved });
  };
  // Each name from the first class of the method resolution order that defines it, as `dir(view)` finds it.
  for (const entry of order ?? []) {
    if (typeof entry === 'string') {
      for (const [name, exposed] of Object.entries(LIBRARY_VIEWS[entry.split('.').pop()!]?.exposed ?? {})) add(name, exposed);
      continue;
    }
    for (const name of entry.cls.methods) {
      const fn = functionDefinedIn(entry.mod, entry.cls.bodyScope, name);
      if (!fn || seen.has(name)) continue;
      const ctx = functionCtx(entry.mod, fn);
      const exposes = fn.decorators.filter((d): d is CallExpr => d.k === 'call' && isExpose(project, d, ctx));
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
function served(rules: AppBuilderRule[]): AppBuilderRule[] {
  const taken = new Set<string>();
  return rules.flatMap((r) => {
    if (!r.methods) return [r];
    const methods = r.methods.filter((m) => !taken.has(`${r.rule}\0${m}`));
    for (const m of methods) taken.add(`${r.rule}\0${m}`);
    return methods.length ? [{ ...r, methods }] : [];
  });
}

/** Flask's join of a blueprint's url_prefix and a rule. */
function joinRule(prefix: string, url: string): string {
  if (!prefix) return url;
  return url ? `${prefix.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : prefix;
}

/** `@expose(url, methods)` and `@expose_api(name, url, methods)`: the library's, or a project copy that sets `_urls`. */
function isExpose(project: Project, d: CallExpr, ctx: Ctx): boolean {
  const name = decoratorName(project, d, ctx);
  if (name?.startsWith(`${APPBUILDER_PACKAGE}.`)) return /\.expose(_api)?$/.test(name);
  const [factory] = project.resolve(d.fn, ctx);
  return factory?.kind === 'function' && setsUrls(factory.ref.mod, factory.ref.fn);
}

/** Whether a decorator factory's code (or a function it defines) writes `f._urls`, as `expose` does. */
function setsUrls(mod: ModuleFacts, factory: FunctionDef): boolean {
  const scopes = new Set([factory.bodyScope]);
  for (const fn of mod.functions) if (scopes.has(fn.scope)) scopes.add(fn.bodyScope);
  return mod.calls.some(({ scope, call: { fn, args } }) => scopes.has(scope) && fn.k === 'attr'
    && ((fn.name === '__setattr__' && args[0]?.k === 'str' && args[0].v === '_urls') || (fn.name === 'append' && fn.obj.k === 'attr' && fn.obj.name === '_urls')));
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

// The security manager's attribute naming the login view for each AUTH_TYPE (flask_appbuilder.const), and its default.
const AUTH_VIEWS: Record<string, { attribute: string; view: string }> = {
  AUTH_OID: { attribute: 'authoidview', view: 'AuthOIDView' },
  AUTH_DB: { attribute: 'authdbview', view: 'AuthDBView' },
  AUTH_LDAP: { attribute: 'authldapview', view: 'AuthLDAPView' },
  AUTH_REMOTE_USER: { attribute: 'authremoteuserview', view: 'AuthRemoteUserView' },
  AUTH_OAUTH: { attribute: 'authoauthview', view: 'AuthOAuthView' },
};
const AUTH_TYPES = ['AUTH_OID', 'AUTH_DB', 'AUTH_LDAP', 'AUTH_REMOTE_USER', 'AUTH_OAUTH'];

/** A view the AppBuilder's security manager adds itself; `login`: the one AUTH_RATE_LIMITED limits. */
export interface SecurityView {
  view: ClassRef | string;
  login: boolean;
}

/**
 * The views of the AppBuilder's security manager apiposture lists: the login view for the app's AUTH_TYPE and the
 * security API (`register_views`), either the library's or the classes a project security manager names
 * (`security_manager_class=`, `authdbview = MyAuthDBView`). None where the config leaves them out
 * (`FAB_ADD_SECURITY_VIEWS = False`) or cannot be read, or the project's security manager registers its own views.
 */
export function securityViews(project: Project, builder: Extract<Value, { kind: 'instance' }>, config: (key: string) => Value[] | 'unread' | undefined): SecurityView[] {
  const added = config('FAB_ADD_SECURITY_VIEWS');
  if (added === 'unread' || config('FAB_SECURITY_MANAGER_CLASS') || (added && !added.every((v) => v.kind === 'literal' && v.expr.k === 'bool' && v.expr.v))) return [];
  const given = kwarg(builder.site.call, 'security_manager_class');
  const [manager, ...others] = given ? project.resolve(given, builder.site.ctx) : [];
  if (given && (others.length || !manager || (manager.kind !== 'class' && manager.kind !== 'external'))) return [];
  const own = manager?.kind === 'class' ? manager.ref : undefined;
  if (own && project.methodOf(own, 'register_views')) return [];
  const type = authType(config('AUTH_TYPE'));
  if (!type) return [];
  const named = (attribute: string, fallback: string): ClassRef | string | undefined => {
    const [value, ...more] = (own && project.classAttribute(own, attribute)) ?? [];
    if (!value) return `${APPBUILDER_PACKAGE}.${fallback}`;
    if (more.length) return undefined;
    return value.kind === 'class' ? value.ref : value.kind === 'external' ? LIBRARY.known(value.qname) : undefined;
  };
  const login = named(AUTH_VIEWS[type].attribute, AUTH_VIEWS[type].view);
  const api = named('security_api', 'SecurityApi');
  return [...(login ? [{ view: login, login: true }] : []), ...(api ? [{ view: api, login: false }] : [])];
}

/** The AUTH_TYPE constant the config sets (AUTH_DB where it sets none); undefined when it cannot be read. */
function authType(values: Value[] | 'unread' | undefined): string | undefined {
  if (values === undefined) return 'AUTH_DB';
  const [value, ...others] = values === 'unread' ? [] : values;
  if (!value || others.length) return undefined;
  if (value.kind === 'external') return AUTH_TYPES.find((t) => value.qname.endsWith(`.${t}`));
  return value.kind === 'literal' && value.expr.k === 'num' ? AUTH_TYPES[value.expr.v] : undefined;
}
