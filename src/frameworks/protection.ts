/** Combining per-method protection verdicts into a route's status and limits; shared by every framework. */
import type { Evidence, Limit, ProtectionStatus } from '../model';

export interface MethodVerdict {
  status: ProtectionStatus;
  limits: Limit[];
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
    const key = `${limit.file}:${limit.line}:${limit.rate}:${limit.source}`;
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
