/** A finding's identity across commits: rule + methods + normalised path + handler, so moved code keeps it. */
import { createHash } from 'node:crypto';
import type { Route } from './model';

export function routeFingerprint(ruleId: string, route: Route): string {
  const path = route.path.replace(/<(?:[^:>]+:)?([^>]+)>|\{([^}:]+)(?::[^}]+)?\}/g, '{$1$2}');
  return createHash('sha256').update([ruleId, route.methods.join(','), path, route.handler].join('\n')).digest('hex').slice(0, 32);
}
