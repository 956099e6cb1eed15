/** Snapshots of the text, JSON and SARIF reports of the demo fixture; SARIF validated against the official schema. */
import { runCli, ROOT } from './support/run-cli';
import { sarifErrors } from './support/sarif-schema';

const DEMO = 'fixtures/flask/shop';

beforeAll(() => process.chdir(ROOT));

test('text report', async () => {
  const { code, stdout } = await runCli(['scan', DEMO, '--no-color']);
  expect(code).toBe(1);
  expect(stdout).toMatchSnapshot();
});

test('colored text report honours FORCE_COLOR and NO_COLOR', async () => {
  expect((await runCli(['scan', DEMO], { FORCE_COLOR: '1' })).stdout).toContain('\x1b[');
  expect((await runCli(['scan', DEMO], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout).not.toContain('\x1b[');
});

test('JSON report is the documented contract and byte-identical across runs', async () => {
  const first = (await runCli(['scan', DEMO, '-f', 'json'])).stdout;
  const second = (await runCli(['scan', DEMO, '-f', 'json'])).stdout;
  expect(second).toBe(first);
  const report = JSON.parse(first);
  expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'root', 'project', 'routes', 'findings', 'suppressionProblems', 'skipped', 'unresolvedRegistrations', 'stats']);
  expect(report.schemaVersion).toBe(2);
  expect(report.root).toBe(DEMO);
  expect(first.replace(/"version": "[^"]+"/, '"version": "<VERSION>"')).toMatchSnapshot();
});

test('SARIF report validates against the SARIF 2.1.0 schema', async () => {
  const { stdout } = await runCli(['scan', DEMO, '-f', 'sarif']);
  const log = JSON.parse(stdout);
  expect(sarifErrors(log)).toEqual([]);
  const result = log.runs[0].results[0];
  expect(result.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'fixtures/flask/shop/app.py', uriBaseId: '%SRCROOT%' });
  expect(result.partialFingerprints['apiposture/route/v1']).toMatch(/^[0-9a-f]{32}$/);
  expect(log.runs[0].tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
  expect(stdout.replace(/"(semanticVersion|version)": "\d[^"]*"/g, '"$1": "<VERSION>"')).toMatchSnapshot();
});

test('SARIF of a scan without findings keeps an empty results array and stays valid', async () => {
  const { code, stdout } = await runCli(['scan', 'fixtures/flask/restful', '-f', 'sarif']);
  expect(code).toBe(0);
  const log = JSON.parse(stdout);
  expect(log.runs[0].results).toEqual([]);
  expect(sarifErrors(log)).toEqual([]);
});

test('a broken SARIF log is rejected by the schema check', () => {
  expect(sarifErrors({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ level: 'fatal', message: { text: 'x' } }] }] })).not.toEqual([]);
});

test('FastAPI routes keep the JSON contract: WebSocket kind, dependency limits, global pyrate buckets', async () => {
  const { stdout } = await runCli(['routes', 'fixtures/fastapi/limiter-deps', '-f', 'json']);
  const report = JSON.parse(stdout);
  expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'root', 'project', 'routes', 'skipped', 'unresolvedRegistrations', 'stats']);
  expect(report.routes.map((r: { id: string }) => r.id)).toContain('fastapi:WS:/ws');
  expect(stdout.replace(/"version": "[^"]+"/, '"version": "<VERSION>"')).toMatchSnapshot();
});

test('AP001 names the methods a method-restricted limit leaves open', async () => {
  const { stdout } = await runCli(['scan', 'fixtures/fastapi/slowapi-app', '-f', 'json']);
  const messages = JSON.parse(stdout).findings.map((f: { message: string }) => f.message);
  expect(messages).toContain('`GET,POST /search` has no rate limit for GET (expensive: `search`)');
  expect(messages).toContain('`POST /reset-password` has no rate limit (auth-sensitive: `password`, `reset`)');
});
