/**
 * Ground truth from the frameworks: each Flask fixture is loaded by the real Flask + Flask-Limiter
 * (Debian's system interpreter) through test/probe/flask_probe.py. Every rule in Flask's URL map must be
 * in apiposture's inventory with the same path and methods, and every measured verdict must agree:
 * a route apiposture calls limited answers 429 after exactly its smallest limit, an unlimited or exempt
 * one never does within the bound. Missing Debian packages fail this suite; they are not skipped.
 */
import { spawnSync } from 'node:child_process';
import fg from 'fast-glob';
import path from 'node:path';
import { scan } from '../src/scan';
import type { Route } from '../src/model';
import { parseLimitsNotation } from '../src/ratelimit/grammar';

export const SYSTEM_PYTHON = '/usr/bin/python3';
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const PROBE = path.join(__dirname, 'probe', 'flask_probe.py');
const BOUND = 60;

/** How the probe finds each fixture's app: `module[:attribute]`. Every Flask fixture must be listed. */
const ENTRY_POINTS: Record<string, string> = {
  'flask/shop': 'app',
  'flask/factory': 'wsgi:app',
  'flask/restful': 'api:app',
};

interface ProbeRoute {
  path: string;
  methods: string[];
  endpoint: string;
  verdicts: Record<string, { limited: boolean; threshold: number | null }>;
}

function probe(project: string): ProbeRoute[] {
  const r = spawnSync(SYSTEM_PYTHON, [PROBE, path.join(FIXTURES, project), ENTRY_POINTS[project], '--measure', String(BOUND)], {
    encoding: 'utf8',
    cwd: path.join(FIXTURES, project),
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (r.status !== 0) throw new Error(`probe failed for ${project} (are python3-flask, python3-flask-limiter, python3-flask-restful installed?):\n${r.stderr}`);
  return JSON.parse(r.stdout) as ProbeRoute[];
}

/** The first 429 apiposture predicts for a method: the smallest count among the limits covering it. */
function predictedThreshold(route: Route, method: string): number | null {
  const counts = route.limits
    .filter((l) => !l.methods || l.methods.includes(method))
    .flatMap((l) => {
      const parsed = parseLimitsNotation(l.rate);
      return parsed.ok ? parsed.items.map((i) => i.count) : [];
    });
  const min = counts.length ? Math.min(...counts) : null;
  return min !== null && min < BOUND ? min : null;
}

/** Debian's Flask stack is required in CI (`.ci/run` installs it); elsewhere its absence skips the suite, loudly. */
const haveFlask = spawnSync(SYSTEM_PYTHON, ['-c', 'import flask, flask_limiter, flask_restful'], { encoding: 'utf8' }).status === 0;
if (!haveFlask) {
  const message = `ground truth needs ${SYSTEM_PYTHON} with python3-flask, python3-flask-limiter, python3-flask-restful (apt-get install them)`;
  if (process.env.CI) throw new Error(message);
  process.stderr.write(`skipping: ${message}\n`);
}
const probeTest = haveFlask ? test : test.skip;

test('every Flask fixture has an entry point for the probe', () => {
  expect(fg.sync('flask/*', { cwd: FIXTURES, onlyDirectories: true }).sort()).toEqual(Object.keys(ENTRY_POINTS).sort());
});

probeTest.each(Object.keys(ENTRY_POINTS))('%s: routes and verdicts match the real Flask', async (project) => {
  const truth = probe(project);
  const result = await scan({ paths: [path.join(FIXTURES, project)] });
  const problems: string[] = [];
  for (const real of truth) {
    const ours = result.routes.find((r) => r.path === real.path && r.methods.join() === real.methods.join());
    if (!ours) {
      const samePath = result.routes.filter((r) => r.path === real.path).map((r) => r.methods.join(','));
      problems.push(`Flask serves ${real.methods.join(',')} ${real.path}; apiposture has ${samePath.length ? samePath.join(' / ') : 'no such path'}`);
      continue;
    }
    if (ours.status === 'unknown') continue;
    for (const [method, verdict] of Object.entries(real.verdicts)) {
      const expected = ours.status === 'limited' ? predictedThreshold(ours, method) : null;
      if (verdict.threshold !== expected) {
        problems.push(`${method} ${real.path}: Flask-Limiter answered 429 after ${verdict.threshold ?? `none of ${BOUND}`} requests; apiposture says ${ours.status} (${ours.limits.map((l) => l.rate).join(', ') || 'no limits'})`);
      }
    }
  }
  for (const ours of result.routes) {
    if (!truth.some((t) => t.path === ours.path)) problems.push(`apiposture reports ${ours.methods.join(',')} ${ours.path}, which Flask does not serve`);
  }
  expect(problems).toEqual([]);
});
