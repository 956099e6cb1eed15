/** Every rule, by id. Add a rule here and it reaches the CLI, SARIF and the README table. */
import type { Rule } from './types';
import unguardedRoute from './unguarded-route';
import weakLimitOnSensitiveRoute from './weak-limit-on-sensitive-route';
import limiterNotWired from './limiter-not-wired';
import limitDecoratorOrder from './limit-decorator-order';
import limitedHandlerMissingRequest from './limited-handler-missing-request';
import perProcessLimitStorage from './per-process-limit-storage';
import limitDoesNotBlock from './limit-does-not-block';
import sensitiveRouteExempt from './sensitive-route-exempt';
import fixedWindowBurst from './fixed-window-burst';
import invalidRateString from './invalid-rate-string';
import spoofableOrAttackerChosenKey from './spoofable-or-attacker-chosen-key';
import limitsFailOpenOrDisabled from './limits-fail-open-or-disabled';
import missingRetrySignal from './missing-retry-signal';
import limitMissesMethodsOrUsers from './limit-misses-methods-or-users';
import weakerTwinRoute from './weaker-twin-route';
import protectionUnknown from './protection-unknown';

export const RULES = [
  unguardedRoute,
  weakLimitOnSensitiveRoute,
  limiterNotWired,
  limitDecoratorOrder,
  limitedHandlerMissingRequest,
  perProcessLimitStorage,
  limitDoesNotBlock,
  sensitiveRouteExempt,
  fixedWindowBurst,
  invalidRateString,
  spoofableOrAttackerChosenKey,
  limitsFailOpenOrDisabled,
  missingRetrySignal,
  limitMissesMethodsOrUsers,
  weakerTwinRoute,
  protectionUnknown,
] satisfies readonly Rule<string>[] as readonly Rule<string>[];

export function findRule(idOrName: string): Rule | undefined {
  const key = idOrName.toLowerCase();
  return RULES.find((r) => r.id.toLowerCase() === key || r.name === key);
}
