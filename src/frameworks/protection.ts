/** Combining per-method protection verdicts into a route's status and limits; shared by every framework. */
import { NO_LIMITER_USED, NO_LIMIT_APPLIES, PRINCIPALS, type Evidence, type Limit, type ProtectionStatus, type AnalyzedRoute, type SourceRef } from '../model';
import type { RouteDraft } from './common';

export interface MethodVerdict {
  status: ProtectionStatus;
  limits: Limit[];
  unknownMethods?: string[]; // methods whose protection could not be read, when another method decides the status
}

/** What one limiter library says of one method of a route ('WS' for WebSocket routes), with its reasons. */
export interface Contribution {
  limits: Limit[];
  unknown?: boolean;
  exempt?: boolean;
  evidence: Evidence[];
}

/** A contribution before its reasons are attached. */
export type Decision = Omit<Contribution, 'evidence'>;

/** One limiter library's say on each method of a route: every library answers through this one signature. */
export interface LibraryResolver<C> {
  protect(draft: RouteDraft<C>, method: string): Contribution;
}

/** A contribution whose reasons `decide` gathers as it goes; undefined from `decide` says nothing on the method. */
export function contribution(decide: (evidence: Evidence[]) => Decision | undefined): Contribution {
  const evidence: Evidence[] = [];
  return { limits: [], ...decide(evidence), evidence };
}

/**
 * A route with the status, limits and evidence its libraries give its declared methods ('WS' for WebSocket).
 * `unreadable`: why the framework cannot tell which app or view serves the route, so which limits apply.
 */
export function protectRoute<C>(draft: RouteDraft<C>, libraries: LibraryResolver<C>[], unreadable?: string): AnalyzedRoute {
  const { route } = draft;
  const here = { file: route.file, line: route.line };
  if (route.kind === 'include') {
    return { ...route, status: 'unknown', limits: [], evidence: [{ ...here, message: `what this include serves cannot be read: ${route.unresolved.join('; ')}` }] };
  }
  if (!libraries.length) return { ...route, status: 'unlimited', limits: [], evidence: [{ ...here, message: NO_LIMITER_USED }] };
  if (unreadable) return { ...route, status: 'unknown', limits: [], evidence: [{ ...here, message: unreadable }] };
  const evidence: Evidence[] = [];
  const methods = route.kind === 'websocket' ? ['WS'] : route.methods.filter((m) => !route.automaticMethods.includes(m));
  const { status, limits, unknownMethods } = resolveMethods(methods, (method) =>
    libraries.map((l) => {
      const said = l.protect(draft, method);
      evidence.push(...said.evidence);
      return said;
    }),
  );
  return { ...route, status, limits, evidence: withReason(status, dedupe(evidence), route), ...(unknownMethods && { unknownMethods }) };
}

/** Evidence that never leaves a route open without a word: an unlimited route with none gets the plain reason. */
export function withReason(status: ProtectionStatus, evidence: Evidence[], route: SourceRef): Evidence[] {
  return status === 'unlimited' && !evidence.length ? [{ file: route.file, line: route.line, message: NO_LIMIT_APPLIES }] : evidence;
}

/**
 * Per method: limited when the libraries' limits cover every client (a limit for anonymous clients only
 * leaves signed-in users open), unknown when one library cannot tell, exempt or unlimited otherwise.
 */
function resolveMethods(methods: string[], contributions: (method: string) => Contribution[]): MethodVerdict {
  const limits: Limit[] = [];
  const statuses = methods.map((method): ProtectionStatus => {
    const parts = contributions(method);
    const found = parts.flatMap((c) => c.limits).map((l) => ({ ...l, methods: [method] }));
    limits.push(...found);
    if (countsEveryClient(found)) return 'limited';
    if (parts.some((c) => c.unknown)) return 'unknown';
    if (found.length) return 'unlimited';
    return parts.some((c) => c.exempt) ? 'exempt' : 'unlimited';
  });
  const status = combine(statuses);
  const unknownMethods = status === 'unknown' ? [] : methods.filter((_, i) => statuses[i] === 'unknown');
  return { status, limits: mergeLimits(limits, methods), ...(unknownMethods.length ? { unknownMethods } : {}) };
}

/** True when the limits together count every kind of client (one for anonymous clients only leaves signed-in users open). */
export function countsEveryClient(limits: Limit[]): boolean {
  const counted = new Set(limits.flatMap((l) => l.principals ?? PRINCIPALS));
  return PRINCIPALS.every((p) => counted.has(p));
}

/** The weakest method decides: one unlimited method makes the route unlimited. */
export function combine(statuses: ProtectionStatus[]): ProtectionStatus {
  if (!statuses.length) return 'unknown';
  if (statuses.every((s) => s === 'exempt')) return 'exempt';
  if (statuses.some((s) => s === 'unlimited' || s === 'exempt')) return 'unlimited';
  if (statuses.some((s) => s === 'unknown')) return 'unknown';
  return 'limited';
}

/** One entry per distinct limit; a limit that covers only some of the route's methods says which. */
export function mergeLimits(limits: Limit[], routeMethods: string[]): Limit[] {
  const byKey = new Map<string, { limit: Limit; methods: Set<string> }>();
  for (const limit of limits) {
    const key = JSON.stringify([limit.file, limit.line, limit.rate, limit.source, limit.library, limit.principals, limit.conditions]);
    const entry = byKey.get(key) ?? { limit, methods: new Set<string>() };
    for (const m of limit.methods ?? []) entry.methods.add(m);
    byKey.set(key, entry);
  }
  return [...byKey.values()].map(({ limit, methods }) => {
    const covered = routeMethods.filter((m) => methods.has(m));
    const rest: Limit = { ...limit };
    delete rest.methods;
    return covered.length < routeMethods.length ? { ...rest, methods: covered } : rest;
  });
}

export function dedupe(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = `${e.file}:${e.line}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
