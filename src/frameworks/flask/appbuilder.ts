/**
 * Flask-AppBuilder (4.x): `appbuilder.add_view(View, "menu")`, `add_view_no_menu(View)` and `add_api(Api)` make a
 * blueprint for the view, prefixed with its `route_base`, and add a rule for every method that carries `_urls`
 * (`@expose(url, methods=...)`), its own or inherited from the library's views (ModelView's `/list/`, ModelRestApi's
 * `/<int:pk>`), but those `include_route_methods` leaves out or `exclude_route_methods` names. A view's `route_base`
 * is its class name lower-cased (`/myview`), an API's `/api/<version>/<resource_name>`. Where an AppBuilder is bound
 * to an app, its security manager adds a login view and the security API (see securityViews).
 * Upstream: https://flask-appbuilder.readthedocs.io/en/latest/views.html
 */
import { kwarg } from '../../python/ir';
import { Project, type ClassRef, type Value } from '../../python/project';
import { derivedView, exposedRules, GET, type Exposed, type ExposedRule, type ExposingLibrary, type LibraryView } from './exposed-views';

export const APPBUILDER_TYPES = ['flask_appbuilder.AppBuilder', 'flask_appbuilder.base.AppBuilder'];
export const APPBUILDER_PACKAGE = 'flask_appbuilder';
// Flask-AppBuilder's and Flask-Admin's methods adding a view.
export const VIEW_REGISTRARS = ['add_view', 'add_view_no_menu', 'add_api', 'add_views'];

export const isAppBuilder = (v: Value): v is Extract<Value, { kind: 'instance' }> => Project.isInstance(v, APPBUILDER_TYPES);

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

/** Flask-AppBuilder's views as the rules and the method resolution order read them, named `flask_appbuilder.<class>`. */
const APPBUILDER: ExposingLibrary = {
  package: APPBUILDER_PACKAGE,
  views: LIBRARY_VIEWS,
  named: (qname) => {
    const name = qname.split('.').pop()!;
    return qname.startsWith(`${APPBUILDER_PACKAGE}.`) && LIBRARY_VIEWS[name] ? name : undefined;
  },
};

/** Whether a class derives from one of Flask-AppBuilder's views or APIs. */
export function isAppBuilderView(project: Project, v: Value): ClassRef | undefined {
  return derivedView(project, v, APPBUILDER_PACKAGE);
}

/**
 * The rules of a project view, or of one of the library's (`flask_appbuilder.AuthDBView`) as the library adds it:
 * under its `route_base`, else `/<class name>` for a view and `/api/<version>/<resource_name>` for an API, less what
 * `include_route_methods` leaves out and `exclude_route_methods` names.
 */
export function appBuilderRules(project: Project, view: ClassRef | string): ExposedRule[] {
  return exposedRules(project, view, APPBUILDER, ({ setting, known, className }) => {
    const libraryBase = known.map((v) => v.routeBase).find((base) => base !== undefined);
    const isApi = known.some((v) => v.api);
    return setting('route_base') ?? libraryBase
      ?? (isApi ? `/api/${setting('version') ?? 'v1'}/${(setting('resource_name') ?? className).toLowerCase()}` : `/${className.toLowerCase()}`);
  }, true);
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
  view: ClassRef | string; // a library view as `flask_appbuilder.<class>`
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
    const library = value.kind === 'external' ? APPBUILDER.named(value.qname) : undefined;
    return value.kind === 'class' ? value.ref : library && `${APPBUILDER_PACKAGE}.${library}`;
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
