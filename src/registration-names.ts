/** The names registration calls are made under, read before their callees are resolved. */
import type { CallExpr } from './python/ir';
import { lookupTable } from './collections';

const ROUTE_DECORATORS = new Set(['route', 'get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace', 'api_route', 'websocket', 'websocket_route']);
const ROUTE_METHODS = new Set(['add_url_rule', 'add_websocket', 'add_resource', 'add_api_route', 'add_api_websocket_route', 'add_route', 'add_websocket_route', 'register', 'add_view', 'add_view_no_menu', 'add_api', 'add_views']);
const INCLUDE_METHODS = new Set(['include_router', 'register_blueprint', 'mount']);
// Route-declaring callables, by the name they are imported under and the qualified names they resolve to.
export const ROUTE_CALLABLES = lookupTable<string[]>({
  path: ['django.urls.path'],
  re_path: ['django.urls.re_path', 'django.urls.conf.re_path'],
  url: ['django.conf.urls.url'],
  Route: ['starlette.routing.Route', 'fastapi.routing.APIRoute'],
  APIRoute: ['fastapi.routing.APIRoute', 'fastapi.APIRoute'],
  WebSocketRoute: ['starlette.routing.WebSocketRoute'],
  Mount: ['starlette.routing.Mount'],
  Host: ['starlette.routing.Host'],
  AppBuilder: ['flask_appbuilder.AppBuilder', 'flask_appbuilder.base.AppBuilder'],
  Security: ['flask_security.Security', 'flask_security.core.Security'],
});

/** A call named as a registration site is (as a decorator or as a statement), before its callee is resolved. */
export function namedLikeSite({ fn }: CallExpr, isDecorator: boolean): boolean {
  if (fn.k === 'attr') return isDecorator ? ROUTE_DECORATORS.has(fn.name) : ROUTE_METHODS.has(fn.name) || INCLUDE_METHODS.has(fn.name);
  return fn.k === 'name' && ROUTE_CALLABLES[fn.id] !== undefined;
}

/**
 * Web frameworks apiposture does not read, by what makes their apps (and Bottle's module-level route decorators,
 * which register on its default app), as qualified names: each such call is a registration site nothing resolves, so
 * a project built on one is never reported as serving no routes without a word.
 */
export const UNREAD_FRAMEWORKS: readonly { name: string; makers: readonly string[] }[] = [
  { name: 'aiohttp', makers: ['aiohttp.web.Application', 'aiohttp.web_app.Application'] },
  { name: 'Sanic', makers: ['sanic.Sanic', 'sanic.app.Sanic'] },
  { name: 'Tornado', makers: ['tornado.web.Application'] },
  { name: 'Falcon', makers: ['falcon.App', 'falcon.API', 'falcon.app.App', 'falcon.asgi.App'] },
  { name: 'Bottle', makers: ['bottle.Bottle', ...['route', 'get', 'post', 'put', 'delete', 'patch'].map((m) => `bottle.${m}`)] },
  { name: 'Pyramid', makers: ['pyramid.config.Configurator'] },
  { name: 'Litestar', makers: ['litestar.Litestar', 'litestar.app.Litestar', 'starlite.Starlite'] },
  { name: 'Connexion', makers: ['connexion.App', 'connexion.FlaskApp', 'connexion.AsyncApp', 'connexion.AioHttpApp'] },
  { name: 'Robyn', makers: ['robyn.Robyn'] },
  { name: 'BlackSheep', makers: ['blacksheep.Application', 'blacksheep.server.Application'] },
  { name: 'CherryPy', makers: ['cherrypy.quickstart', 'cherrypy.tree.mount'] },
  { name: 'Klein', makers: ['klein.Klein'] },
  { name: 'Responder', makers: ['responder.API'] },
  { name: 'Emmett', makers: ['emmett.App'] },
  // A REST layer over Flask whose `api.route(Resource, "view", *urls)` adds rules to the app or blueprint it is given.
  { name: 'Flask-REST-JSONAPI', makers: ['flask_rest_jsonapi.Api', 'flask_rest_jsonapi.api.Api'] },
];

/** Their top-level packages: a module importing one is read (see relevance.ts). */
export const UNREAD_FRAMEWORK_PACKAGES = [...new Set(UNREAD_FRAMEWORKS.flatMap((f) => f.makers.map((m) => m.split('.')[0])))];
const UNREAD_MAKER_NAMES = new Set(UNREAD_FRAMEWORKS.flatMap((f) => f.makers.map((m) => m.split('.').pop()!)));

/** A call named like one that makes an app of a framework apiposture does not read (a cheap test before its imports are read). */
export function namedLikeUnreadMaker({ fn }: CallExpr): boolean {
  const name = fn.k === 'name' ? fn.id : fn.k === 'attr' ? fn.name : undefined;
  return name !== undefined && UNREAD_MAKER_NAMES.has(name);
}

/** The unread framework whose app (or Bottle route) a callee of this qualified name makes. */
export function unreadFramework(qname: string | undefined): string | undefined {
  return qname === undefined ? undefined : UNREAD_FRAMEWORKS.find((f) => f.makers.includes(qname))?.name;
}
