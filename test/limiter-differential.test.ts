/**
 * The reference limiter against the real Python `limits` 2.8 (test/probe/limits_replay.py, Debian's package):
 * the same seeded random traces must get the same admit/refuse decision for every request. DIFF_REQUESTS sets the
 * requests per strategy (default 5000; `npm run test:differential` runs 100 000).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { MemoryStore } from '../src/limiter/store';
import type { Strategy } from '../src/limiter/limiter';
import { SYSTEM_PYTHON, requirePython } from './support/system-python';
import { randomTraces, replay, type Trace } from './support/traces';

const REQUESTS = Number(process.env.DIFF_REQUESTS ?? 5000);
const REPLAY = path.join(__dirname, 'probe', 'limits_replay.py');
const LIMITS_STRATEGIES: Strategy[] = ['fixed-window', 'fixed-window-elastic-expiry', 'moving-window'];

function replayInPython(traces: Trace[]): string[] {
  const r = spawnSync(SYSTEM_PYTHON, [REPLAY], { input: JSON.stringify(traces), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`limits_replay.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

const limitsTest = requirePython('limits', 'python3-limits');

limitsTest.each(LIMITS_STRATEGIES)(`%s decides like limits 2.8 on ${REQUESTS} random requests`, async (strategy) => {
  const traces = randomTraces(strategy, REQUESTS, LIMITS_STRATEGIES.indexOf(strategy) + 1);
  const expected = replayInPython(traces);
  const actual: string[] = [];
  for (const trace of traces) actual.push(await replay(trace, new MemoryStore()));
  traces.forEach((trace, i) => {
    const at = [...expected[i]].findIndex((d, j) => d !== actual[i][j]);
    if (at >= 0) throw new Error(`${strategy} ${trace.limit}: first disagreement at request ${at} ${JSON.stringify(trace.requests[at])}: limits ${expected[i][at]}, reference ${actual[i][at]}`);
  });
  expect(actual).toEqual(expected);
  // the traces exercise both outcomes
  expect(actual.join('')).toMatch(/0/);
  expect(actual.join('')).toMatch(/1/);
});
