/** The real executable: exit codes, stdout/stderr split, --output, usage errors. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli } from './support/run-cli';

test('findings at or above --fail-on exit 1; the report is on stdout only', () => {
  const r = spawnCli(['scan', 'fixtures/flask/shop']);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('POST /signup');
  expect(r.stderr).toBe('');
});

test('findings below --fail-on exit 0', () => {
  // One unguarded read-only route: a single `note` finding.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-failon-'));
  writeFileSync(path.join(dir, 'app.py'), 'from flask import Flask\napp = Flask(__name__)\n\n@app.get("/items")\ndef items():\n    return "[]"\n');
  expect(spawnCli(['scan', dir, '--fail-on', 'warning']).code).toBe(0);
  expect(spawnCli(['scan', dir, '--fail-on', 'note']).code).toBe(1);
  expect(spawnCli(['scan', 'fixtures/flask/shop', '--fail-on', 'none']).code).toBe(0);
});

test('routes prints the inventory and exits 0', () => {
  const r = spawnCli(['routes', 'fixtures/flask/shop', '-f', 'json']);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.findings).toBeUndefined();
  expect(report.routes.map((x: { path: string }) => x.path)).toContain('/orders/<int:order_id>');
});

test('--output writes the report to a file and nothing to stdout', () => {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'apiposture-')), 'report.sarif');
  const r = spawnCli(['scan', 'fixtures/flask/shop', '-f', 'sarif', '-o', out]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(JSON.parse(readFileSync(out, 'utf8')).version).toBe('2.1.0');
});

test('one scan writes several reports: FORMAT=FILE adds one, stdout keeps --format unless a plain FILE is given', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-outputs-'));
  const [sarif, markdown, json] = ['a.sarif', 'b.md', 'c.json'].map((f) => path.join(dir, f));
  const both = spawnCli(['scan', 'fixtures/flask/shop', '-o', `sarif=${sarif}`, '-o', `markdown=${markdown}`]);
  expect(both.code).toBe(1);
  expect(both.stdout).toContain('POST /signup');
  expect(JSON.parse(readFileSync(sarif, 'utf8')).version).toBe('2.1.0');
  expect(readFileSync(markdown, 'utf8')).toMatch(/^## apiposture\n/);
  const plain = spawnCli(['scan', 'fixtures/flask/shop', '-f', 'json', '-o', json, '-o', `sarif=${sarif}`]);
  expect(plain.stdout).toBe('');
  expect(JSON.parse(readFileSync(json, 'utf8')).schemaVersion).toBe(2);
});

test('usage errors exit 2 with a message on stderr', () => {
  const missing = spawnCli(['scan', 'no/such/dir']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('path not found: no/such/dir');
  expect(spawnCli(['scan', '.', '--format', 'xml']).code).toBe(2);
  expect(spawnCli(['scan', '--no-such-flag']).code).toBe(2);
  expect(spawnCli(['explain', 'AP999']).code).toBe(2);
  for (const jobs of ['0', '1.5', 'two']) {
    const badJobs = spawnCli(['scan', 'fixtures/flask/shop', '--jobs', jobs]);
    expect(badJobs.code).toBe(2);
    expect(badJobs.stderr).toContain('--jobs must be a positive integer');
  }
});

test('--version and --help exit 0', () => {
  const version = spawnCli(['--version']);
  expect(version.code).toBe(0);
  expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const help = spawnCli(['scan', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('Examples:');
});

test('rules and explain print from rule metadata', () => {
  expect(spawnCli(['rules']).stdout).toContain('AP001  unguarded-route');
  expect(JSON.parse(spawnCli(['rules', '-f', 'json']).stdout)[0].id).toBe('AP001');
  expect(spawnCli(['explain', 'AP001']).stdout).toMatch(/^# unguarded-route \(AP001\)/);
});

test('--strict exits 2 after the report when files were skipped or route paths are unresolved', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-strict-'));
  writeFileSync(path.join(dir, 'app.py'), 'from flask import Flask\napp = Flask(__name__)\n\n@app.get("/items")\ndef items():\n    return "[]"\n');
  expect(spawnCli(['scan', dir, '--strict', '--fail-on', 'none']).code).toBe(0);
  writeFileSync(path.join(dir, 'broken.py'), 'def f(:\n');
  const broken = spawnCli(['scan', dir, '--strict', '--fail-on', 'none']);
  expect(broken.code).toBe(2);
  expect(broken.stdout).toContain('GET /items');
  expect(broken.stderr).toContain('apiposture: --strict: broken.py: partly analysed');
  const unresolved = spawnCli(['scan', 'fixtures/django/newsroom', '--strict', '--fail-on', 'none', '-q']);
  expect(unresolved.code).toBe(2);
  expect(unresolved.stderr).toContain('route path not resolved');
});

test('a route registration nothing resolves is listed in every format and fails --strict', () => {
  const scanOf = (...args: string[]): ReturnType<typeof spawnCli> => spawnCli(['scan', 'fixtures/flask/factory/myapp/plugins.py', '--fail-on', 'none', ...args]);
  const text = scanOf();
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('Route registrations not resolved\n  fixtures/flask/factory/myapp/plugins.py:7:6  app.route  no app or router found statically for `app`: parameter `app` of `register_routes` has no call site');
  expect(text.stderr).toContain('myapp/plugins.py:7: `app.route` registers routes that were not resolved');
  const json = JSON.parse(scanOf('-f', 'json').stdout);
  expect(json.stats.registrationSites).toEqual({ total: 1, resolved: 0, unresolved: 1 });
  expect(json.unresolvedRegistrations).toMatchObject([{ file: 'myapp/plugins.py', line: 7, call: 'app.route' }]);
  const sarif = JSON.parse(scanOf('-f', 'sarif').stdout);
  expect(sarif.runs[0].invocations[0].toolExecutionNotifications.map((n: { message: { text: string } }) => n.message.text)).toContainEqual(expect.stringContaining('`app.route` registers routes that were not resolved'));
  const strict = scanOf('--strict', '-q');
  expect(strict.code).toBe(2);
  expect(strict.stderr).toContain('apiposture: --strict: myapp/plugins.py:7: `app.route` registers routes that were not resolved');
});

test('selecting what to see: --select/--ignore rules, --status routes, --explain-route, --statistics', () => {
  const selected = JSON.parse(spawnCli(['scan', 'fixtures/flask/shop', '-f', 'json', '--select', 'AP001,AP004']).stdout);
  expect([...new Set(selected.findings.map((f: { ruleId: string }) => f.ruleId))].sort()).toEqual(['AP001', 'AP004']);
  const ignored = JSON.parse(spawnCli(['scan', 'fixtures/flask/shop', '-f', 'json', '--ignore', 'AP013']).stdout);
  expect(ignored.findings.some((f: { ruleId: string }) => f.ruleId === 'AP013')).toBe(false);
  expect(spawnCli(['scan', 'fixtures/flask/shop', '--select', 'AP999']).stderr).toBe('apiposture: --select: unknown rule AP999 (see `apiposture rules`)\n');
  const open = JSON.parse(spawnCli(['routes', 'fixtures/flask/shop', '-f', 'json', '--status', 'unlimited,exempt']).stdout);
  expect(open.routes.map((r: { path: string; status: string }) => `${r.status} ${r.path}`).sort()).toEqual(['exempt /password-reset', 'unlimited /signup']);
  const explained = spawnCli(['scan', 'fixtures/flask/shop', '--explain-route', 'POST /signup']);
  expect(explained.code).toBe(0);
  expect(explained.stdout.split('\n')).toEqual(expect.arrayContaining([
    'POST /signup  unlimited',
    '  evidence  app.py:28  limit decorator sits above the route decorator: Flask registered the undecorated view, so from Flask-Limiter 2.1 this limit never runs and default/blueprint limits are suppressed',
  ]));
  expect(spawnCli(['scan', 'fixtures/flask/shop', '--explain-route', 'GET /nowhere']).code).toBe(2);
  const statistics = spawnCli(['scan', 'fixtures/flask/shop', '--statistics']);
  expect(statistics.code).toBe(1);
  expect(statistics.stdout.split('\n').slice(0, 2)).toEqual([
    '    1  AP001  unguarded-route                      Route has no effective rate limit',
    '    1  AP004  limit-decorator-order                Limit decorator placed where the route registers the undecorated function',
  ]);
});
