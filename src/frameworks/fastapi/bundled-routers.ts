/**
 * Routers a library builds for the app to include, by the method that builds them: fastapi-users'
 * `FastAPIUsers.get_auth_router(backend)` and the others (fastapi_users/router/*.py, the same routes from 10.0
 * to 15.0). Their routes are the library's; what the app adds (`include_router(..., prefix=, dependencies=)`)
 * applies to them as to the project's own.
 * Upstream: https://github.com/fastapi-users/fastapi-users/tree/master/fastapi_users/router
 */
import { lookupTable } from '../../collections';
import { Project, type Value } from '../../python/project';

export interface BundledRoute {
  method: string;
  path: string;
  handler: string; // the library function that answers it
}

/** The routes `builder` (a function of fastapi_users/router/<module>.py, named as the method) defines. */
function fastapiUsers(module: string, builder: string, routes: [method: string, path: string, fn: string][]): [string, BundledRoute[]] {
  return [builder, routes.map(([method, path, fn]) => ({ method, path, handler: `fastapi_users.router.${module}.${builder}.<locals>.${fn}` }))];
}

const OAUTH: [string, string, string][] = [['GET', '/authorize', 'authorize'], ['GET', '/callback', 'callback']];

const BUNDLED_ROUTERS: { owners: string[]; methods: Readonly<Record<string, BundledRoute[]>> }[] = [
  {
    owners: ['fastapi_users.FastAPIUsers', 'fastapi_users.fastapi_users.FastAPIUsers'],
    methods: lookupTable(
      Object.fromEntries([
        fastapiUsers('auth', 'get_auth_router', [['POST', '/login', 'login'], ['POST', '/logout', 'logout']]),
        fastapiUsers('register', 'get_register_router', [['POST', '/register', 'register']]),
        fastapiUsers('verify', 'get_verify_router', [['POST', '/request-verify-token', 'request_verify_token'], ['POST', '/verify', 'verify']]),
        fastapiUsers('reset', 'get_reset_password_router', [['POST', '/forgot-password', 'forgot_password'], ['POST', '/reset-password', 'reset_password']]),
        fastapiUsers('users', 'get_users_router', [['GET', '/me', 'me'], ['PATCH', '/me', 'update_me'], ['GET', '/{id}', 'get_user'], ['PATCH', '/{id}', 'update_user'], ['DELETE', '/{id}', 'delete_user']]),
        fastapiUsers('oauth', 'get_oauth_router', OAUTH),
        fastapiUsers('oauth', 'get_oauth_associate_router', OAUTH),
      ]),
    ),
  },
];

/** The routes of a router a library method built (`fastapi_users.get_auth_router(backend)`), else undefined. */
export function bundledRoutes(value: Value): BundledRoute[] | undefined {
  if (value.kind !== 'result' || value.callee.kind !== 'member') return undefined;
  const { of, name } = value.callee;
  return BUNDLED_ROUTERS.find((b) => Project.isInstance(of, b.owners))?.methods[name];
}
