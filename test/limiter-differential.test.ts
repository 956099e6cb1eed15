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
import { COMBINED_LIMITS, randomTraces, replay, type Trace, type TraceRequest } from './support/traces';

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

/**
 * Several limits in one string, against the real Flask-Limiter 3.3 on limits 2.8 (test/probe/flask_limiter_replay.py):
 * it checks the limits shortest unit first and stops at the first refusal, so a request the short limit refuses
 * never counts against the long one, while one the long limit refuses has used up a short one.
 */
const FLASK_REPLAY = path.join(__dirname, 'probe', 'flask_limiter_replay.py');
const flaskLimiterTest = requirePython('flask, flask_limiter', 'python3-flask, python3-flask-limiter');

flaskLimiterTest.each(LIMITS_STRATEGIES)('%s with several limits in one string decides like Flask-Limiter 3.3', async (strategy) => {
  // Three requests in the first second, then one a second: in written order the two refused ones would count
  // against the minute, leaving room for two fewer.
  const telling: Trace = { strategy, limit: '5/minute;1/second', requests: [0, 0, 0, 1, 2, 3, 4, 5].map((t): TraceRequest => [1_700_000_000 + t, 'dave', 1]) };
  const traces = [telling, ...randomTraces(strategy, Math.min(REQUESTS, 3000), 11 + LIMITS_STRATEGIES.indexOf(strategy), 500, COMBINED_LIMITS)];
  const r = spawnSync(SYSTEM_PYTHON, [FLASK_REPLAY], { input: JSON.stringify(traces), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`flask_limiter_replay.py failed:\n${r.stderr}`);
  const expected = JSON.parse(r.stdout) as string[];
  const inWrittenOrder: string[] = [];
  const actual: string[] = [];
  for (const trace of traces) {
    actual.push(await replay(trace, new MemoryStore(), 'unit'));
    inWrittenOrder.push(await replay(trace, new MemoryStore(), 'written'));
  }
  traces.forEach((trace, i) => {
    const at = [...expected[i]].findIndex((d, j) => d !== actual[i][j]);
    if (at >= 0) throw new Error(`${strategy} ${trace.limit}: first disagreement at request ${at} ${JSON.stringify(trace.requests[at])}: Flask-Limiter ${expected[i][at]}, reference ${actual[i][at]}`);
  });
  expect(actual.join('')).toMatch(/0/);
  // the order matters, and the test can tell: for counting windows, checking in written order disagrees
  if (strategy !== 'moving-window') expect(inWrittenOrder[0]).not.toBe(expected[0]);
});
