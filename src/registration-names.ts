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
