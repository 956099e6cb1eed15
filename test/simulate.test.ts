/** `apiposture simulate`: the library's reading, the measured worst case and its formula check, usage errors. */
import { runCli } from './support/run-cli';

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
