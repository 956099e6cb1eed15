/**
 * Route risk classes from path and handler-name hints (reference part E.1): what an unguarded route
 * exposes. Hints are a weak signal: they raise severity, they never prove a route safe.
 */
import type { Route } from './model';
import { declaredMethods } from './model';

export type RiskClass = 'auth-sensitive' | 'expensive' | 'state-changing' | 'read-only';

const AUTH_WORDS = [
  'login', 'signin', 'sign-in', 'logon', 'auth', 'authenticate', 'token', 'jwt', 'refresh', 'session', 'password',
  'passwd', 'reset', 'forgot', 'recover', 'otp', '2fa', 'mfa', 'totp', 'verify', 'verification', 'confirm', 'code',
  'pin', 'magic-link', 'register', 'signup', 'sign-up', 'invite', 'resend', 'activate', 'unlock',
];
const EXPENSIVE_WORDS = [
  'pay', 'payment', 'checkout', 'charge', 'coupon', 'redeem', 'voucher', 'transfer', 'withdraw', 'sms', 'email', 'mail',
  'notify', 'send', 'contact', 'export', 'report', 'download', 'pdf', 'csv', 'xlsx', 'render', 'generate', 'convert',
  'upload', 'import', 'bulk', 'batch', 'sync', 'search', 'query', 'graphql', 'analytics', 'backup', 'archive', 'scan',
  'crawl', 'fetch', 'proxy', 'webhook', 'predict', 'infer', 'completion', 'chat', 'embed', 'transcribe', 'ocr',
];
const STATE_CHANGING = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Words of the path and handler name, split on separators and camelCase. */
function words(route: Route): string[] {
  const handlerName = route.handler.split('.').pop() ?? '';
  const text = `${route.path} ${handlerName}`.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const tokens = text.split(/[^a-z0-9-]+|(?<=[a-z0-9])_|_(?=[a-z0-9])/).filter(Boolean);
  return [...tokens, ...tokens.flatMap((t) => t.split('-'))];
}

export function hintWords(route: Route, vocabulary: string[]): string[] {
  const found = new Set(words(route).filter((w) => vocabulary.includes(w)));
  return [...found].sort();
}

export function riskClass(route: Route): { risk: RiskClass; hints: string[] } {
  const auth = hintWords(route, AUTH_WORDS);
  if (auth.length) return { risk: 'auth-sensitive', hints: auth };
  const expensive = hintWords(route, EXPENSIVE_WORDS);
  if (expensive.length) return { risk: 'expensive', hints: expensive };
  if (declaredMethods(route).some((m) => STATE_CHANGING.includes(m))) return { risk: 'state-changing', hints: [] };
  return { risk: 'read-only', hints: [] };
}
