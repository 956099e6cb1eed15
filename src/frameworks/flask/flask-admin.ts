/**
 * Flask-Admin (1.5, 1.6): an `Admin` bound to an app (`Admin(app)`, `admin.init_app(app)`) registers the blueprint of
 * its index view (`index_view=`, else an AdminIndexView) and of each view given to `admin.add_view(view)` or
 * `add_views(...)`. A view's url is the `url=` it is made with (under the admin's url unless it starts with `/`), else
 * `<admin url>/<endpoint>`: `endpoint=`, a model view's model name lower-cased, else the class name lower-cased. The
 * admin's url is its `url=`, else its index view's, `/admin` by default. Each view's rules are its exposed methods (see
 * exposed-views.ts), BaseModelView's list, create, edit, details, delete, action, export and ajax views among them.
 * Upstream: https://flask-admin.readthedocs.io/en/latest/api/mod_base/
 */
import type { CallExpr, Expr } from '../../python/ir';
import { argument } from '../../python/ir';
import { Project, type ClassRef, type Ctx, type Value } from '../../python/project';
import { derivedView, exposedRules, GET, type ExposedRule, type ExposingLibrary, type LibraryView } from './exposed-views';
import { UNRESOLVED_SEGMENT } from '../common';

type Instance = Extract<Value, { kind: 'instance' }>;

export const ADMIN_PACKAGE = 'flask_admin';
const ADMIN_TYPES = ['flask_admin.Admin', 'flask_admin.base.Admin'];
export const isAdmin = (v: Value): v is Instance => Project.isInstance(v, ADMIN_TYPES);
const DEFAULT_URL = '/admin';
const INDEX_VIEW = 'AdminIndexView';

const POST = ['POST'];
const MODEL_VIEW: LibraryView = { base: 'BaseModelView' };

/** The library's views (1.5.7, 1.6.1 alike) by the names the table gives them. */
const VIEWS: Record<string, LibraryView> = {
  BaseView: {},
  AdminIndexView: { base: 'BaseView', exposed: { index: [{ url: '/', methods: GET }] } },
  BaseModelView: {
    base: 'BaseView',
    exposed: {
      index_view: [{ url: '/', methods: GET }],
      create_view: [{ url: '/new/', methods: ['GET', 'POST'] }],
      edit_view: [{ url: '/edit/', methods: ['GET', 'POST'] }],
      details_view: [{ url: '/details/', methods: GET }],
      delete_view: [{ url: '/delete/', methods: POST }],
      action_view: [{ url: '/action/', methods: POST }],
      export: [{ url: '/export/<export_type>/', methods: GET }],
      ajax_lookup: [{ url: '/ajax/lookup/', methods: GET }],
      ajax_update: [{ url: '/ajax/update/', methods: POST }],
    },
  },
  'contrib.sqla.ModelView': MODEL_VIEW,
  'contrib.peewee.ModelView': MODEL_VIEW,
  'contrib.pymongo.ModelView': MODEL_VIEW,
  'contrib.mongoengine.ModelView': { base: 'BaseModelView', exposed: { api_file_view: [{ url: '/api/file/', methods: GET }] } },
  'contrib.rediscli.RedisCli': { base: 'BaseView', exposed: { console_view: [{ url: '/', methods: GET }], execute_view: [{ url: '/run/', methods: POST }] } },
};

// The qualified names a view is imported under, by the name the table gives it.
const ALIASES: Record<string, string> = {
  'flask_admin.BaseView': 'BaseView',
  'flask_admin.base.BaseView': 'BaseView',
  'flask_admin.AdminIndexView': 'AdminIndexView',
  'flask_admin.base.AdminIndexView': 'AdminIndexView',
  'flask_admin.model.BaseModelView': 'BaseModelView',
  'flask_admin.model.base.BaseModelView': 'BaseModelView',
  'flask_admin.contrib.sqla.ModelView': 'contrib.sqla.ModelView',
  'flask_admin.contrib.sqla.view.ModelView': 'contrib.sqla.ModelView',
  'flask_admin.contrib.peewee.ModelView': 'contrib.peewee.ModelView',
  'flask_admin.contrib.peewee.view.ModelView': 'contrib.peewee.ModelView',
  'flask_admin.contrib.pymongo.ModelView': 'contrib.pymongo.ModelView',
  'flask_admin.contrib.pymongo.view.ModelView': 'contrib.pymongo.ModelView',
  'flask_admin.contrib.mongoengine.ModelView': 'contrib.mongoengine.ModelView',
  'flask_admin.contrib.mongoengine.view.ModelView': 'contrib.mongoengine.ModelView',
  'flask_admin.contrib.rediscli.RedisCli': 'contrib.rediscli.RedisCli',
};

const FLASK_ADMIN: ExposingLibrary = { package: ADMIN_PACKAGE, views: VIEWS, named: (qname) => ALIASES[qname] };

/** An Admin as its binding sees it: its url, and its index view (a project class, or the library's). */
export interface AdminFacts {
  url: string;
  index: { view: ClassRef | string; site?: Instance };
}

/**
 * The url and index view of an Admin, from the `init_app` call binding it or its construction:
 * `Admin(app, name, url, subdomain, index_view, ...)`, `init_app(app, index_view, endpoint, url)`.
 */
export function adminFacts(project: Project, admin: Instance, binding: { call: CallExpr; ctx: Ctx }): AdminFacts {
  const option = (name: string, inAdmin: number, inInit: number): { expr: Expr; ctx: Ctx } | undefined => {
    const init = binding.call !== admin.site.call ? argument(binding.call, inInit, name) : undefined;
    const made = argument(admin.site.call, inAdmin, name);
    return init ? { expr: init, ctx: binding.ctx } : made && { expr: made, ctx: admin.site.ctx };
  };
  const indexGiven = option('index_view', 4, 1);
  const [indexValue] = indexGiven ? project.resolve(indexGiven.expr, indexGiven.ctx) : [];
  const indexSite = indexValue?.kind === 'instance' ? indexValue : undefined;
  const indexClass = indexSite && derivedView(project, indexSite, ADMIN_PACKAGE);
  // An index view's url: its `url=`, `/admin` by default (`AdminIndexView(name, category, endpoint, url)`).
  const indexUrl = indexSite && argument(indexSite.site.call, 3, 'url');
  const text = (e: { expr: Expr; ctx: Ctx } | undefined): string | undefined => e && (project.stringValue(e.expr, e.ctx) ?? UNRESOLVED_SEGMENT);
  const url = text(option('url', 2, 3)) ?? text(indexUrl && { expr: indexUrl, ctx: indexSite.site.ctx }) ?? DEFAULT_URL;
  return { url, index: indexClass ? { view: indexClass, site: indexSite } : { view: `${ADMIN_PACKAGE}.${INDEX_VIEW}` } };
}

/** A view added to an Admin: the project's class or the library's (`ModelView(User, session)`), and its construction. */
export function adminView(project: Project, v: Value): { view: ClassRef | string; site: Instance } | undefined {
  if (v.kind !== 'instance') return undefined;
  const own = derivedView(project, v, ADMIN_PACKAGE);
  const library = own ? undefined : v.types.map((t) => FLASK_ADMIN.named(t)).find((name) => name);
  return own ? { view: own, site: v } : library ? { view: `${ADMIN_PACKAGE}.${library}`, site: v } : undefined;
}

/** The rules of a view an Admin serves: the index view at the admin's url, any other at its own (see the top). */
export function adminRules(project: Project, admin: AdminFacts, view: ClassRef | string, site?: Instance): ExposedRule[] {
  const isIndex = view === admin.index.view;
  return exposedRules(project, view, FLASK_ADMIN, ({ known, className }) => {
    if (isIndex) return admin.url === '/' ? '' : admin.url;
    const modelView = known.some((v) => v === VIEWS.BaseModelView);
    // `ModelView(model, session, name, category, endpoint, url)`, `BaseView(name, category, endpoint, url)`.
    const at = modelView ? 4 : 2;
    const read = (name: string, index: number): string | undefined => {
      const expr = site && argument(site.site.call, index, name);
      return expr && (project.stringValue(expr, site!.site.ctx) ?? UNRESOLVED_SEGMENT);
    };
    const model = modelView && site ? argument(site.site.call, 0, 'model') : undefined;
    const [modelClass] = model ? project.resolve(model, site!.site.ctx) : [];
    const modelName = modelClass?.kind === 'class' ? modelClass.ref.cls.name.toLowerCase() : model ? UNRESOLVED_SEGMENT : undefined;
    const endpoint = read('endpoint', at) ?? modelName ?? className.toLowerCase();
    const url = read('url', at + 1);
    if (url !== undefined) return url.startsWith('/') ? url : `${admin.url}/${url}`;
    return admin.url !== '/' ? `${admin.url}/${endpoint}` : `/${endpoint}`;
  }, false);
}
