/**
 * Baselines: the findings a project accepts today, keyed by fingerprint (rule + methods + normalised path +
 * handler), so `scan --baseline` fails only on new ones. The file is deterministic: sorted, no dates.
 */
import { promises as fs } from 'node:fs';
import type { BaselineEntry, Finding, Route } from './model';
import { compareText, routeLabel } from './model';
import { parseJson } from './json-input';

export const BASELINE_VERSION = 1;

export interface Baseline {
  version: typeof BASELINE_VERSION;
  entries: BaselineEntry[];
}

export class BaselineError extends Error {}

/** The baseline of a scan: every finding not already suppressed, one entry per fingerprint. */
export function baselineOf(findings: Finding[], routes: Route[]): Baseline {
  const routeById = new Map(routes.map((r) => [r.id, r]));
  const byFingerprint = new Map<string, BaselineEntry>();
  for (const f of findings) {
    if (f.suppression) continue;
    const known = byFingerprint.get(f.fingerprint);
    if (known) known.count++;
    else byFingerprint.set(f.fingerprint, { fingerprint: f.fingerprint, ruleId: f.ruleId, route: routeLabel(routeById.get(f.routeId)!), file: f.file, count: 1 });
  }
  const entries = [...byFingerprint.values()].sort((a, b) => compareText(a.ruleId, b.ruleId) || compareText(a.route, b.route) || compareText(a.fingerprint, b.fingerprint));
  return { version: BASELINE_VERSION, entries };
}

export function baselineJson(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

export async function readBaseline(file: string): Promise<Baseline> {
  let raw: unknown;
  try {
    raw = parseJson(await fs.readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(`baseline ${file}: ${code === 'ENOENT' ? 'not found (write one with `apiposture baseline`)' : code ?? `not JSON: ${(error as Error).message}`}`);
  }
  const baseline = raw as Partial<Baseline> | null;
  if (baseline?.version !== BASELINE_VERSION || !Array.isArray(baseline.entries)) throw new BaselineError(`baseline ${file}: expected {"version": ${BASELINE_VERSION}, "entries": [...]}`);
  baseline.entries.forEach((entry, i) => {
    const valid = typeof entry?.fingerprint === 'string' && typeof entry.ruleId === 'string' && Number.isInteger(entry.count) && entry.count > 0;
    if (!valid) throw new BaselineError(`baseline ${file}: entries[${i}]: expected a fingerprint, a ruleId and a positive count`);
  });
  return baseline as Baseline;
}

/**
 * Marks findings the baseline holds as `baselined`, at most `count` per fingerprint (further ones are new),
 * and returns the stale entries: those no finding matches any more.
 */
export function applyBaseline(findings: Finding[], baseline: Baseline): BaselineEntry[] {
  const remaining = new Map(baseline.entries.map((e) => [e.fingerprint, e.count]));
  const matched = new Set<string>();
  for (const f of findings) {
    const left = remaining.get(f.fingerprint) ?? 0;
    if (f.suppression || left === 0) continue;
    f.baselined = true;
    remaining.set(f.fingerprint, left - 1);
    matched.add(f.fingerprint);
  }
  return baseline.entries.filter((e) => !matched.has(e.fingerprint));
}
