/** `apiposture simulate`: the library's reading, the measured worst case and its formula check, usage errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flaskLimiterApp, limitedLogin } from '../rules/examples';
import { RateLimiter, VirtualClock, type Strategy } from '../src/limiter/limiter';
import { MemoryStore } from '../src/limiter/store';
import { parseLimitsNotation } from '../src/ratelimit/grammar';
import { worstCase } from '../src/limiter/worst-case';
import { runCli, spawnCli } from './support/run-cli';

test('fixed window: the measured worst case is the 2N − 1 of reference D.1', async () => {
  const { code, stdout } = await runCli(['simulate', '5/minute', '--format', 'json']);
  expect(code).toBe(0);
  const result = JSON.parse(stdout);
  expect(result).toMatchObject({ strategy: 'fixed-window', items: [{ count: 5, seconds: 60 }] });
  expect(result.worstCase).toMatchObject({ window: 60, inWindow: 9, inOneSecond: 9, formula: { text: '2N − 1', value: 9 } });
});

test('django-ratelimit reads "5/M" as 5 per second and its clock-aligned windows admit 2N', async () => {
  const { code, stdout } = await runCli(['simulate', '5/M', '--library', 'django-ratelimit']);
  expect(code).toBe(0);
  expect(stdout).toContain('django-ratelimit reads `5/M` as 5 per second');
  expect(stdout).toContain('10 admitted within 1 s, 10 within 1 s (formula 2N = 10, agrees)');
});

test.each([
  ['moving-window', 5],
  ['sliding-log', 5],
  ['token-bucket', 9],
])('%s: worst case within the window', async (strategy, most) => {
  const { stdout } = await runCli(['simulate', '5/minute', '--strategy', strategy, '--format', 'json']);
  expect(JSON.parse(stdout).worstCase.inWindow).toBe(most);
});

test('sliding-window counter (also `sliding-window`): 2N within the window, the drained bucket\'s weight floored away at its end', async () => {
  for (const strategy of ['sliding-window-counter', 'sliding-window']) {
    const { code, stdout } = await runCli(['simulate', '5/minute', '--strategy', strategy, '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ strategy: 'sliding-window-counter', worstCase: { inWindow: 10, inOneSecond: 6 } });
  }
});

test.each([
  ['fixtures/django/bookstore', 'django-ratelimit', '3/h', 6],
  ['fixtures/fastapi/limiter-deps', 'fastapi-limiter', '5/minute', 9],
])('AP009 states the burst simulate measures (%s)', async (fixture, library, rate, burst) => {
  const simulated = JSON.parse((await runCli(['simulate', rate, '--library', library, '--format', 'json'])).stdout);
  expect(simulated.worstCase.inOneSecond).toBe(burst);
  const { stdout } = await runCli(['scan', fixture]);
  expect(stdout).toContain(`(\`${rate}\`): up to ${burst} requests pass within moments at a window edge`);
});

test('text output is deterministic', async () => {
  const first = await runCli(['simulate', '10 per 2 minutes']);
  expect((await runCli(['simulate', '10 per 2 minutes'])).stdout).toBe(first.stdout);
  expect(first.stdout).toMatch(/Attack timeline/);
});

test('an invalid rate exits 2 with the parser\'s reason', async () => {
  const { code, stderr } = await runCli(['simulate', '5/m']);
  expect(code).toBe(2);
  expect(stderr).toContain('is not valid `limits` notation');
});

describe('huge counts are simulated in bounded time', () => {
  // Each run is a real process killed after 30 s; sending the bursts one request at a time took minutes.
  test.each([
    ['1000000000/second', 'fixed-window', 1999999999],
    ['1000000/minute', 'moving-window', 1000000],
    ['1000000/minute', 'sliding-log', 1000000],
    ['1000000000000000/day', 'clock-aligned-window', 2000000000000000],
  ])('%s, %s: the worst case of the formula', (rate, strategy, inWindow) => {
    const { code, stdout } = spawnCli(['simulate', rate, '--strategy', strategy, '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).worstCase.inWindow).toBe(inWindow);
  });

  test('a count beyond exact doubles is a usage error', () => {
    const { code, stderr } = spawnCli(['simulate', '99999999999999999999/day']);
    expect(code).toBe(2);
    expect(stderr).toContain('more than the simulation counts exactly');
  });

  test('AP009 on a login route limited at 100000000/day', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-count-'));
    writeFileSync(path.join(dir, 'app.py'), flaskLimiterApp('get_remote_address, app=app', limitedLogin('100000000/day')));
    const { stdout } = spawnCli(['scan', dir, '--no-cache']);
    expect(stdout).toContain('up to 199999999 requests pass within moments');
  });
});

test('the measured worst cases match the closed forms for any count', () => {
  const forms: [Strategy, (n: number) => number][] = [
    ['fixed-window', (n) => 2 * n - 1],
    ['clock-aligned-window', (n) => 2 * n],
    ['fixed-window-elastic-expiry', (n) => n],
    ['moving-window', (n) => n],
    ['sliding-log', (n) => n],
  ];
  for (const n of [1, 2, 3, 7, 100, 12345]) {
    for (const [strategy, form] of forms) expect([strategy, n, worstCase(strategy, [{ count: n, seconds: 60, text: '' }]).inWindow]).toEqual([strategy, n, form(n)]);
  }
});

test.each([
  ['0/minute', 'admits no request at all'],
  ['0/second;5/minute', 'admits no request at all'],
])('%s is a usage error, never a disagreeing formula', async (rate, reason) => {
  const { code, stdout, stderr } = await runCli(['simulate', rate]);
  expect(code).toBe(2);
  expect(stderr).toContain(reason);
  expect(stdout).not.toContain('DISAGREES');
});

test('a zero count has no window edge to exploit: no AP009', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-count-'));
  writeFileSync(path.join(dir, 'app.py'), flaskLimiterApp('get_remote_address, app=app', limitedLogin('0/day')));
  const { stdout } = await runCli(['scan', dir, '--no-cache']);
  expect(stdout).toContain('POST /login');
  expect(stdout).not.toContain('AP009');
});

describe('several limits at once', () => {
  test.each([
    [['5/minute;1/second'], 9, 'agrees'],
    [['5/minute', '1/second'], 9, 'agrees'], // stacked decorators count the same requests
    [['10 per hour, 100 per day'], 199, 'agrees'],
  ])('%j: the paced attack reaches the bound (%i)', async (rates, inWindow, check) => {
    const { code, stdout } = await runCli(['simulate', ...rates]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Worst case  ${inWindow} admitted within`);
    expect(stdout).toContain(`= ${inWindow}, ${check})`);
  });

  test('the search is no weaker than the attack written by hand: one hit at 0, then one a second from 56 s to 64 s', async () => {
    const { stdout } = await runCli(['simulate', '5/minute;1/second', '--format', 'json']);
    const timeline: { time: number; admitted: number }[] = JSON.parse(stdout).worstCase.timeline;
    expect(timeline.filter((b) => b.admitted > 0).length).toBeGreaterThanOrEqual(9);
    expect(JSON.parse(stdout).worstCase.inWindow).toBe(9);
  });

  test('a bound the bounded search cannot reach is stated as the number to plan for, never as a disagreement', async () => {
    const { stdout } = await runCli(['simulate', '1/second;1000/day']);
    expect(stdout).toMatch(/formula min over limits of \(⌊W\/w⌋ \+ 1\)·N − 1 = 1999: up to that many; the bounded search reached \d+\)/);
    expect(stdout).not.toContain('DISAGREES');
  });
});

/**
 * Quart-Rate-Limiter's GCRA admits what the reference token bucket does: `rate_limit(10, timedelta(seconds=10))` run
 * on Quart-Rate-Limiter 0.12.1 (Quart 0.20) with its clock stubbed gave this timeline (seconds, admitted).
 */
test('the token bucket admits what Quart-Rate-Limiter 0.12.1 admits', () => {
  const measured: [number, boolean][] = [
    ...Array.from({ length: 10 }, (): [number, boolean] => [0, true]), [0, false],
    [1, true], [1, false], [1.5, false], [2, true], [2, false],
    ...Array.from({ length: 10 }, (): [number, boolean] => [20, true]), [20, false],
  ];
  const clock = new VirtualClock();
  const parsed = parseLimitsNotation('10/10 seconds');
  if (!parsed.ok) throw new Error(parsed.reason);
  const limiter = new RateLimiter(new MemoryStore(), 'token-bucket', parsed.items, clock);
  expect(measured.map(([t]) => (clock.set(t), [t, limiter.hit('client')]))).toEqual(measured);
});
