/** Every error a sentence: what went wrong, named as the user wrote it, with the exit code that says so. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, spawnCli } from './support/run-cli';

test('a reader that stops early (| head -1) ends the scan quietly with its own exit code', () => {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" bin/apiposture scan fixtures -q | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}`], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('1');
});

test('files that cannot be written or read are named as given, with the problem in words', () => {
  const output = spawnCli(['scan', 'fixtures/flask/shop', '-o', '/no/such/folder/report.json']);
  expect(output.code).toBe(2);
  expect(output.stderr).toBe('apiposture: cannot write /no/such/folder/report.json: no such file or folder\n');
  const config = spawnCli(['scan', 'fixtures/flask/shop', '-c', 'nosuch.toml']);
  expect(config.code).toBe(2);
  expect(config.stderr).toBe('apiposture: invalid configuration: nosuch.toml: no such file or folder\n');
});

test('a mistyped command is named as such; a bad option value is one line and the usage line', () => {
  const typo = spawnCli(['scna', 'fixtures']);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toBe('apiposture: unknown command or path: scna (did you mean `apiposture scan`?)\n');
  expect(spawnCli(['no/such/dir']).stderr).toBe('apiposture: path not found: no/such/dir\n');
  const format = spawnCli(['scan', 'fixtures/flask/shop', '-f', 'xml']);
  expect(format.code).toBe(2);
  expect(format.stderr.trim().split('\n')).toEqual([
    "apiposture: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are text, json, sarif, markdown, html.",
    'usage: apiposture scan [options] [paths...] (see apiposture scan --help)',
  ]);
});

test('verify against an app that is not running says so once and exits 2', async () => {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const r = spawnCli(['verify', '--url', `http://127.0.0.1:${port}`, 'fixtures/flask/shop', '-q']);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`apiposture: cannot connect to http://127.0.0.1:${port}: connection refused (is the app running, on this port?)\n`);
});

describe('--exclude follows .gitignore semantics', () => {
  const project = mkdtempSync(path.join(os.tmpdir(), 'apiposture-exclude-'));
  const route = (p: string) => `from flask import Blueprint\nbp = Blueprint("${p.replace(/\W/g, '_')}", __name__)\n\n@bp.post("/${p}")\ndef view():\n    return ""\n`;
  writeFileSync(path.join(project, 'pyproject.toml'), '');
  for (const file of ['app/api.py', 'app/legacy/old.py', 'app/legacy/older.py', 'tools/legacy.py']) {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), route(file.replace(/\.py$/, '')));
  }
  const scanned = (args: string[], cwd = project) => {
    const r = spawnCli(['routes', '.', '-f', 'json', '--no-cache', ...args], cwd);
    return { files: (JSON.parse(r.stdout) as { routes: { file: string }[] }).routes.map((x) => x.file).sort(), stderr: r.stderr };
  };

  test('a name matches at any depth, a trailing slash folders only, a glob files anywhere', () => {
    expect(scanned(['--exclude', 'legacy']).files).toEqual(['app/api.py', 'tools/legacy.py']);
    expect(scanned(['--exclude', 'legacy/']).files).toEqual(['app/api.py', 'tools/legacy.py']);
    expect(scanned(['--exclude', 'legacy.py']).files).toEqual(['app/api.py', 'app/legacy/old.py', 'app/legacy/older.py']);
    expect(scanned(['--exclude', '*.py']).files).toEqual([]);
    expect(scanned(['--exclude', 'old*.py']).files).toEqual(['app/api.py', 'tools/legacy.py']);
  });

  test('a path with a slash is anchored: to the working directory when it is there, else to the project root', () => {
    expect(scanned(['--exclude', './legacy'], path.join(project, 'app')).files).toEqual(['app/api.py']);
    expect(scanned(['--exclude', 'app/legacy/old.py'], path.join(project, 'app')).files).toEqual(['app/api.py', 'app/legacy/older.py']);
  });

  test('an exclude that matches nothing, and a scan left with no Python file, warn', () => {
    expect(scanned(['--exclude', 'nothing/']).stderr).toContain('warning: exclude `nothing/` matches no Python file of the project\n');
    expect(scanned(['--exclude', '*.py']).stderr).toContain('warning: no Python file to scan in . (after excludes)\n');
  });
});
