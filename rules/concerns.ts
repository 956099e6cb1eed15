/** Rules that report what the framework extractors found: evidence carrying one of the rule's concerns. */
import type { Concern, Evidence, Route } from '../src/model';
import { routeLabel } from '../src/model';
import type { RuleContext } from './types';

export function concerned(route: Route, concerns: readonly Concern[]): Evidence[] {
  return route.evidence.filter((e) => e.concern !== undefined && concerns.includes(e.concern));
}

/** One finding per route: its reasons joined into the message, each reason a related location. */
export function reportConcerns<M extends string>(route: Route, context: RuleContext<M>, concerns: readonly Concern[], messageId: M): void {
  const found = concerned(route, concerns);
  if (!found.length) return;
  context.report({ messageId, data: { route: routeLabel(route), reason: found.map((e) => e.message).join('; ') }, related: found });
}
