/** Flask: routes (routes.ts) protected by Flask-Limiter (flask-limiter.ts). */
import { Project } from '../../python/project';
import { callSites, type Analyzer } from '../common';
import { extractFlaskRoutes } from './routes';
import { resolveFlaskLimiter } from './flask-limiter';

const FLASK_PACKAGES = ['flask', 'flask_restful', 'flask_smorest', 'apiflask'];

export const flask: Analyzer = {
  packages: FLASK_PACKAGES,
  analyze(project) {
    if (!project.modules.some((m) => Project.imports(m, FLASK_PACKAGES))) return [];
    const sites = callSites(project);
    return resolveFlaskLimiter(project, extractFlaskRoutes(project, sites), sites);
  },
};
