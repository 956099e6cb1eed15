/** The CI gate: inline and config suppressions, baselines against a real git repository, exit codes. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig } from '../src/config';
import { runCli } from './support/run-cli';

interface JsonFinding {
  ruleId: string;
  routeId: string;
  fingerprint: string;
  baselined?: boolean;
  suppression?: { kind: string; justification: string; file: string; line: number };
}

function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'apiposture-gate-'));
}

async function scanJson(dir: string, ...args: string[]) {
  const r = await runCli(['scan', dir, '-f', 'json', ...args]);
  return { code: r.code, stderr: r.stderr, report: JSON.parse(r.stdout) };
}

const HEAD = 'from flask import Flask\napp = Flask(__name__)\n\n';
const route = (method: string, url: string, name: string) => `@app.${method}("${url}")\ndef ${name}():\n    return "ok"\n\n`;

describe('baselines in a git repository', () => {
  const repo = tmpDir();
  const baselineFile = path.join(repo, '.apiposture-baseline.json');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'pipe' });
  const commit = (files: Record<string, string>, message: string) => {
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(repo, file), text);
    git('add', '-A');
    git('commit', '-qm', message);
  };

  beforeAll(async () => {
    git('init', '-q');
    commit({ 'app.py': HEAD + route('post', '/signup', 'signup') + route('post', '/orders', 'create_order') }, 'app');
    const written = await runCli(['baseline', repo, '--output', baselineFile]);
    expect(written.code).toBe(0);
    git('add', '-A');
    git('commit', '-qm', 'baseline');
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  test('the baseline file is sorted, versioned and byte-identical across runs', async () => {
    const first = readFileSync(baselineFile, 'utf8');
    const again = path.join(repo, 'again.json');
    await runCli(['baseline', repo, '-o', again, '-q']);
    expect(readFileSync(again, 'utf8')).toBe(first);
    rmSync(again);
    const baseline = JSON.parse(first);
    expect(baseline.version).toBe(1);
    expect(baseline.entries.map((e: { route: string; count: number }) => [e.route, e.count])).toEqual([['POST /orders', 1], ['POST /signup', 1]]);
  });

  test('unchanged code: every finding is baselined and the scan passes', async () => {
    const { code, report } = await scanJson(repo, '--baseline', baselineFile);
    expect(code).toBe(0);
    expect(report.stats).toMatchObject({ findings: 0, baselined: 2, suppressed: 0 });
    expect(report.staleBaseline).toEqual([]);
  });

  test('a baseline saved with a UTF-8 byte order mark is read', async () => {
    const withBom = path.join(repo, 'bom.json');
    writeFileSync(withBom, `\uFEFF${readFileSync(baselineFile, 'utf8')}`);
    const { code, report } = await scanJson(repo, '--baseline', withBom);
    rmSync(withBom);
    expect(code).toBe(0);
    expect(report.stats).toMatchObject({ findings: 0, baselined: 2 });
  });

  test('a new route fails alone; moved code stays baselined; a fixed finding leaves a stale entry', async () => {
    // Lines inserted above, the two routes swapped, a new unguarded route, and /orders fixed (removed).
    const moved = `${HEAD}import os\n\n\ndef helper():\n    return os.getcwd()\n\n\n${route('post', '/export', 'export_all')}${route('post', '/signup', 'signup')}`;
    commit({ 'app.py': moved }, 'new route, moved code, /orders gone');
    const { code, report } = await scanJson(repo, '--baseline', baselineFile);
    expect(code).toBe(1);
    const counted = report.findings.filter((f: JsonFinding) => !f.baselined);
    expect(counted.map((f: JsonFinding) => f.routeId)).toEqual(['flask:POST:/export']);
    expect(report.findings.find((f: JsonFinding) => f.routeId === 'flask:POST:/signup').baselined).toBe(true);
    expect(report.stats).toMatchObject({ findings: 1, baselined: 1 });
    expect(report.staleBaseline.map((e: { route: string }) => e.route)).toEqual(['POST /orders']);
    const text = await runCli(['scan', repo, '--baseline', baselineFile]);
    expect(text.stdout).toContain('stale baseline entry  AP001 POST /orders (no longer found)');
    expect(text.stdout).toContain('1 baselined');
  });

  test('a missing or invalid baseline is a usage error', async () => {
    const missing = await runCli(['scan', repo, '--baseline', path.join(repo, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not found');
    const invalid = path.join(repo, 'invalid.json');
    writeFileSync(invalid, '{"version": 1, "entries": [{"fingerprint": 3}]}');
    const r = await runCli(['scan', repo, '--baseline', invalid]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('entries[0]');
    rmSync(invalid);
  });
});

describe('inline suppressions', () => {
  const dir = tmpDir();
  writeFileSync(path.join(dir, 'app.py'), [
    HEAD,
    '@app.post("/signup")  # apiposture: ignore[AP001] the gateway limits signups\n',
    'def signup():\n    return "ok"\n\n',
    '# apiposture: ignore[AP001]\n',
    route('post', '/orders', 'create_order'),
    '@app.post("/notes", endpoint="# apiposture: ignore[AP001] only a string")\n',
    'def notes():\n    return "ok"\n\n',
    '@app.post("/export")\n',
    'def export():  # apiposture: ignore[AP001,AP013] cached by the CDN\n',
    '    return "ok"\n',
  ].join(''));

  test('a directive with a reason suppresses; no reason, unused ids and strings do not', async () => {
    const { code, stderr, report } = await scanJson(dir);
    expect(code).toBe(1);
    const byRoute = Object.fromEntries(report.findings.map((f: JsonFinding) => [f.routeId, f.suppression]));
    expect(byRoute['flask:POST:/signup']).toEqual({ kind: 'inSource', justification: 'the gateway limits signups', file: 'app.py', line: 4 });
    expect(byRoute['flask:POST:/export']).toEqual({ kind: 'inSource', justification: 'cached by the CDN', file: 'app.py', line: 18 });
    expect(byRoute['flask:POST:/orders']).toBeUndefined();
    expect(byRoute['flask:POST:/notes']).toBeUndefined();
    expect(report.stats).toMatchObject({ findings: 2, suppressed: 2 });
    expect(report.suppressionProblems).toEqual([
      { file: 'app.py', line: 8, message: 'ignore[AP001] has no reason, so it suppresses nothing' },
      { file: 'app.py', line: 18, message: 'ignore[AP013] suppresses nothing here' },
    ]);
    expect(stderr).toContain('warning: app.py:18: ignore[AP013] suppresses nothing here');
  });

  test('suppression problems alone fail the scan unless --fail-on none', async () => {
    const clean = tmpDir();
    writeFileSync(path.join(clean, 'app.py'), `${HEAD}# apiposture: ignore[AP001] no route below\n`);
    expect((await runCli(['scan', clean, '-q'])).code).toBe(1);
    expect((await runCli(['scan', clean, '-q', '--fail-on', 'none'])).code).toBe(0);
    const text = await runCli(['scan', clean]);
    expect(text.stdout).toContain('app.py:4  suppression  ignore[AP001] suppresses nothing here');
  });
});

describe('config suppressions', () => {
  test('route patterns suppress with kind external; unused entries are reported', async () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'app.py'), HEAD + route('post', '/admin/users', 'add_user') + route('post', '/admin/users/<int:uid>', 'edit_user'));
    writeFileSync(path.join(dir, '.apiposture.toml'), [
      '[[suppress]]', 'rule = "AP001"', 'route = "POST /admin/*"', 'reason = "admin is behind the VPN"', '',
      '[[suppress]]', 'rule = "AP001"', 'route = "* /health"', 'file = "app.py"', 'reason = "gone"', '',
    ].join('\n'));
    const { report } = await scanJson(dir);
    const byRoute = Object.fromEntries(report.findings.map((f: JsonFinding) => [f.routeId, f.suppression]));
    expect(byRoute['flask:POST:/admin/users']).toEqual({ kind: 'external', justification: 'admin is behind the VPN', file: '.apiposture.toml', line: 1 });
    expect(byRoute['flask:POST:/admin/users/<int:uid>']).toBeUndefined(); // `*` stays within one segment
    expect(report.suppressionProblems).toEqual([{ file: '.apiposture.toml', line: 6, message: '[[suppress]] AP001 "* /health" suppresses nothing' }]);
  });

  test('entries are validated and errors name the key', () => {
    const entry = { rule: 'AP001', route: 'POST /x', reason: 'why' };
    expect(parseConfig({ suppress: [entry] }).suppress).toEqual([{ ...entry, line: 1 }]);
    const error = (suppress: unknown) => () => parseConfig({ suppress });
    expect(error([{ rule: 'AP001', route: 'POST /x' }])).toThrow(new ConfigError('suppress[0].reason: expected a non-empty string'));
    expect(error([{ ...entry, route: 'POST x y' }])).toThrow(/^suppress\[0\]\.route: /);
    expect(error([{ ...entry, rule: 'X1' }])).toThrow('suppress[0].rule: rule ids look like AP001');
    expect(error([{ ...entry, when: 'always' }])).toThrow('suppress[0].when: unknown key');
    expect(error({ rule: 'AP001' })).toThrow('suppress: expected an array of tables');
  });
});
