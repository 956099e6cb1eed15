/**
 * FastAPI and Starlette: routes (routes.ts) protected by slowapi, fastapi-limiter and asgi-ratelimit.
 * Each library resolver says, per route and method, which of its limits apply; a method is limited when
 * any library limits it, unknown when one cannot tell, and exempt or unlimited otherwise.
 */
import { Project } from '../../python/project';
import { protectNoting, type Analyzer } from '../common';
import { protectRoute } from '../protection';
import type { LimiterLibrary } from '../library';
import { ROUTER_PREFIX, extractAsgiRoutes, isAsgiApp, type AppGraph, type AsgiRouteContext } from './routes';
import { slowapi } from './slowapi';
import { fastapiLimiter } from './fastapi-limiter';
import { asgiRatelimit } from './asgi-ratelimit';
import { routeHooks } from './dependencies';

const ASGI_PACKAGES = ['fastapi', 'starlette'];

/** What an ASGI limiter library's resolver is built from besides the project: the app graph. */
export interface AsgiScope {
  graph: AppGraph;
}
export type AsgiLibrary = LimiterLibrary<AsgiRouteContext, AsgiScope>;

export const ASGI_LIBRARIES: AsgiLibrary[] = [slowapi, fastapiLimiter, asgiRatelimit];

export const fastapi: Analyzer = {
  packages: ASGI_PACKAGES,
  // The lifespan function is called with the app (fastapi/routing.py, starlette/routing.py `Router.lifespan`).
  callbacks: [{ constructors: ['fastapi.FastAPI', 'fastapi.applications.FastAPI', 'starlette.applications.Starlette'], keyword: 'lifespan' }],
  storedKeywords: [ROUTER_PREFIX],
  analyze(project) {
    if (!project.modules.some((m) => Project.imports(m, ASGI_PACKAGES))) return [];
    const graph = extractAsgiRoutes(project);
    const resolvers = ASGI_LIBRARIES.map((l) => l.resolver(project, { graph })).filter((r) => r !== undefined);
    const unreachable = 'the route is not reachable from an app found statically, so which limits apply is unknown';
    return graph.drafts.map((draft) => {
      const route = protectNoting(project, draft, (d) => protectRoute(d, resolvers, d.context.hops[0] && isAsgiApp(d.context.hops[0].node) ? undefined : unreachable));
      const hooks = routeHooks(project, graph.middleware, draft.context);
      return hooks.length ? { ...route, hooks } : route;
    });
  },
};
