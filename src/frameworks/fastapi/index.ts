/**
 * FastAPI and Starlette: routes (routes.ts) protected by slowapi, fastapi-limiter and asgi-ratelimit.
 * Each library resolver says, per route and method, which of its limits apply; a method is limited when
 * any library limits it, unknown when one cannot tell, and exempt or unlimited otherwise.
 */
import { Project } from '../../python/project';
import type { AnalyzedRoute } from '../../model';
import { callSites, protectNoting, type Analyzer, type CallSite, type RouteDraft } from '../common';
import { protectRoute, type LibraryResolver as Resolver } from '../protection';
import { extractAsgiRoutes, isAsgiApp, type AppGraph, type AsgiRouteContext } from './routes';
import { slowapi } from './slowapi';
import { fastapiLimiter } from './fastapi-limiter';
import { asgiRatelimit } from './asgi-ratelimit';

const ASGI_PACKAGES = ['fastapi', 'starlette'];

export type LibraryResolver = Resolver<AsgiRouteContext>;

/** Builds a library's resolver, or returns undefined when the project does not use the library. */
export type LibraryFactory = (project: Project, graph: AppGraph, sites: CallSite[]) => LibraryResolver | undefined;

const LIBRARIES: LibraryFactory[] = [slowapi, fastapiLimiter, asgiRatelimit];

export const fastapi: Analyzer = {
  packages: ASGI_PACKAGES,
  // The lifespan function is called with the app (fastapi/routing.py, starlette/routing.py `Router.lifespan`).
  callbacks: [{ constructors: ['fastapi.FastAPI', 'fastapi.applications.FastAPI', 'starlette.applications.Starlette'], keyword: 'lifespan' }],
  analyze(project) {
    if (!project.modules.some((m) => Project.imports(m, ASGI_PACKAGES))) return [];
    const sites = callSites(project);
    const graph = extractAsgiRoutes(project, sites);
    const resolvers = LIBRARIES.map((make) => make(project, graph, sites)).filter((r): r is LibraryResolver => r !== undefined);
    return graph.drafts.map((draft) => protectNoting(project, draft, (d) => protect(d, resolvers)));
  },
};

function protect(draft: RouteDraft<AsgiRouteContext>, resolvers: LibraryResolver[]): AnalyzedRoute {
  const { route } = draft;
  const here = { file: route.file, line: route.line };
  if (!resolvers.length) {
    return { ...route, status: 'unlimited', limits: [], evidence: [{ ...here, message: 'no rate limiter is used in this project' }] };
  }
  if (!draft.context.hops[0] || !isAsgiApp(draft.context.hops[0].node)) {
    const message = 'the route is not reachable from an app found statically, so which limits apply is unknown';
    return { ...route, status: 'unknown', limits: [], evidence: [{ ...here, message }] };
  }
  return protectRoute(draft, resolvers);
}
