/** Every rule, by id. Add a rule here and it reaches the CLI, SARIF and the README table. */
import type { Rule } from './types';
import unguardedRoute from './unguarded-route';

export const RULES = [unguardedRoute] satisfies readonly Rule<string>[] as readonly Rule<string>[];

export function findRule(idOrName: string): Rule | undefined {
  const key = idOrName.toLowerCase();
  return RULES.find((r) => r.id.toLowerCase() === key || r.name === key);
}
