/** Flask: routes (routes.ts) protected by Flask-Limiter (flask-limiter.ts). */
import { callSites, type Analyzer } from '../common';
import { extractFlaskRoutes } from './routes';
import { resolveFlaskLimiter } from './flask-limiter';

export const flask: Analyzer = {
  analyze(project) {
    const sites = callSites(project);
    return resolveFlaskLimiter(project, extractFlaskRoutes(project, sites), sites);
  },
};
