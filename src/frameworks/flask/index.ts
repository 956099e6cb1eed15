/** Flask and Quart: routes (routes.ts) protected by Flask-Limiter (flask-limiter.ts) and Quart-Rate-Limiter (quart-rate-limiter.ts). */
import { Project } from '../../python/project';
import { protectNoting, type Analyzer } from '../common';
import { BLUEPRINT_PREFIX, NAMESPACE_FACTORY, extractFlaskRoutes } from './routes';
import { flaskLimiter } from './flask-limiter';
import { quartRateLimiter } from './quart-rate-limiter';
import type { LimiterLibrary } from '../library';
import type { FlaskRouteContext } from './routes';
import { protectRoute } from '../protection';

/** What a Flask limiter library's resolver is built from besides the project: nothing (it reads the call sites it wants). */
export type FlaskScope = Record<string, never>;
export type FlaskLibrary = LimiterLibrary<FlaskRouteContext, FlaskScope>;

export const FLASK_LIBRARIES: FlaskLibrary[] = [flaskLimiter, quartRateLimiter];

const FLASK_PACKAGES = ['flask', 'quart', 'quart_trio', 'flask_restful', 'flask_smorest', 'apiflask', 'flask_appbuilder', 'flask_admin', 'flask_security'];

export const flask: Analyzer = {
  packages: FLASK_PACKAGES,
  factories: [NAMESPACE_FACTORY],
  storedKeywords: [BLUEPRINT_PREFIX],
  constants: Object.assign({}, ...FLASK_LIBRARIES.map((l) => l.descriptor.constants)),
  analyze(project) {
    if (!project.modules.some((m) => Project.imports(m, FLASK_PACKAGES))) return [];
    const resolvers = FLASK_LIBRARIES.map((l) => l.resolver(project, {})).filter((r) => r !== undefined);
    const unreachable = 'the route is not reachable from an app found statically, so which limits apply is unknown';
    return extractFlaskRoutes(project).map((draft) => protectNoting(project, draft, (d) => protectRoute(d, resolvers, d.context.app ? undefined : unreachable)));
  },
};
