/** Hostile files are listed as skipped with a reason, the scan goes on, and other results are unchanged. */
import fs, { mkdtempSync, writeFileSync, symlinkSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import { parseFile } from '../src/parse';
import { readTopFiles } from '../src/manifests';
import { runCli, spawnCli } from './support/run-cli';

const GOOD = `from flask import Flask\napp = Flask(__name__)\n\n@app.route("/ok")\ndef ok():\n    return "ok"\n`;

function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-bad-'));
  writeFileSync(path.join(dir, 'good.py'), GOOD);
  return dir;
}

test('binary, huge, unreadable and broken files are skipped or flagged; good routes survive', async () => {
  const dir = project();
  writeFileSync(path.join(dir, 'binary.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]));
  writeFileSync(path.join(dir, 'huge.py'), `x = 1\n`.repeat(400_000));
  writeFileSync(path.join(dir, 'broken.py'), `from good import app\n\n@app.route("/before")\ndef before():\n    pass\n\ndef broken(:\n`);
  const result = await scan({ paths: [dir], maxFileBytes: 1024 * 1024 });
  const reasons = Object.fromEntries(result.skipped.map((s) => [s.file, s.reason]));
  expect(reasons['binary.py']).toMatch(/binary/);
  expect(reasons['huge.py']).toMatch(/larger than 1\.0 MB/);
  expect(reasons['broken.py']).toMatch(/syntax error at line 7/);
  expect(result.routes.map((r) => r.path).sort()).toEqual(['/before', '/ok']);
});

test('BOM, UTF-16 and Latin-1 sources are decoded and scanned', async () => {
  const dir = project();
  writeFileSync(path.join(dir, 'bom.py'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('from good import app\n@app.route("/bom")\ndef b(): pass\n')]));
  writeFileSync(path.join(dir, 'latin.py'), Buffer.from('# -*- coding: latin-1 -*-\nfrom good import app\n@app.route("/caf\xe9")\ndef c(): pass\n', 'latin1'));
  writeFileSync(path.join(dir, 'wide.py'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('from good import app\n@app.route("/wide")\ndef w(): pass\n', 'utf16le')]));
  const warnings: string[] = [];
  const result = await scan({ paths: [dir], onWarning: (w) => warnings.push(w) });
  expect(result.routes.map((r) => r.path).sort()).toEqual(['/bom', '/café', '/ok', '/wide']);
  expect(warnings.some((w) => w.includes('latin.py') && w.includes('latin-1'))).toBe(true);
});

test.each<[string, Buffer, string, RegExp]>([
  ['shift_jis', Buffer.concat([Buffer.from('# -*- coding: shift_jis -*-\nfrom good import app\n@app.route("/'), Buffer.from([0x93, 0xfa, 0x96, 0x7b]), Buffer.from('")\ndef j(): pass\n')]), '/日本', /decoded as shift_jis/],
  ['cp1252', Buffer.concat([Buffer.from('# coding: cp1252\nfrom good import app\n@app.route("/'), Buffer.from([0x80]), Buffer.from('")\ndef e(): pass\n')]), '/€', /decoded as cp1252/],
  ['latin-1, byte for byte', Buffer.concat([Buffer.from('# coding: latin-1\nfrom good import app\n@app.route("/'), Buffer.from([0x80, 0xe9]), Buffer.from('")\ndef l(): pass\n')]), '/\x80é', /decoded as latin-1/],
  ['euc_jp on the second line', Buffer.concat([Buffer.from('#!/usr/bin/env python\n# vim: fileencoding=euc_jp\nfrom good import app\n@app.route("/'), Buffer.from([0xc6, 0xfc]), Buffer.from('")\ndef k(): pass\n')]), '/日', /decoded as euc_jp/],
  ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('from good import app\n@app.route("/be")\ndef b(): pass\n', 'utf16le').swap16()]), '/be', /UTF-16BE \(BOM\)/],
  ['UTF-16LE without BOM', Buffer.from('from good import app\n@app.route("/le")\ndef l(): pass\n', 'utf16le'), '/le', /UTF-16LE \(no BOM\)/],
  ['an unknown codec (said so, read as UTF-8)', Buffer.from('# coding: klingon\nfrom good import app\n@app.route("/k")\ndef k(): pass\n'), '/k', /unknown coding klingon; decoded as UTF-8/],
])('source encoding: %s', async (_, bytes, route, note) => {
  const dir = project();
  writeFileSync(path.join(dir, 'declared.py'), bytes);
  const warnings: string[] = [];
  const result = await scan({ paths: [dir], onWarning: (w) => warnings.push(w) });
  expect(result.routes.map((r) => r.path).sort()).toEqual([route, '/ok'].sort());
  expect(warnings.filter((w) => w.startsWith('declared.py'))).toEqual([expect.stringMatching(note)]);
});

test('default excludes skip virtualenvs and node_modules; symlink loops do not hang', async () => {
  const dir = project();
  mkdirSync(path.join(dir, '.venv', 'lib'), { recursive: true });
  writeFileSync(path.join(dir, '.venv', 'lib', 'vendored.py'), GOOD.replace('/ok', '/vendored'));
  mkdirSync(path.join(dir, 'node_modules'));
  writeFileSync(path.join(dir, 'node_modules', 'x.py'), GOOD.replace('/ok', '/nm'));
  symlinkSync(dir, path.join(dir, 'loop'));
  const result = await scan({ paths: [dir] });
  expect(result.routes.map((r) => r.path)).toEqual(['/ok']);
});

test('a symbolic link to a Python file is listed as skipped, not followed; --strict fails on it', async () => {
  const dir = project();
  const outside = mkdtempSync(path.join(os.tmpdir(), 'apiposture-outside-'));
  writeFileSync(path.join(outside, 'elsewhere.py'), GOOD.replace('/ok', '/elsewhere'));
  symlinkSync(path.join(outside, 'elsewhere.py'), path.join(dir, 'linked.py'));
  const result = await scan({ paths: [dir] });
  expect(result.routes.map((r) => r.path)).toEqual(['/ok']);
  expect(result.skipped).toEqual([{ file: 'linked.py', reason: 'symbolic link, not followed' }]);
  expect((await runCli(['scan', dir, '--strict', '--no-cache'])).code).toBe(2);
});

test('a folder that cannot be read is listed as skipped with why; --strict fails on it', async () => {
  // Tests run as root, whom chmod cannot lock out: the refusal is simulated where the walk reads the folder.
  const dir = project();
  mkdirSync(path.join(dir, 'locked'));
  writeFileSync(path.join(dir, 'locked', 'hidden.py'), GOOD.replace('/ok', '/hidden'));
  const realReaddir = fs.readdirSync;
  jest.spyOn(fs, 'readdirSync').mockImplementation(((folder: string, options: object) => {
    if (folder === path.join(dir, 'locked')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    return realReaddir(folder, options as { withFileTypes: true });
  }) as typeof fs.readdirSync);
  try {
    const result = await scan({ paths: [dir] });
    expect(result.routes.map((r) => r.path)).toEqual(['/ok']);
    expect(result.skipped).toEqual([{ file: 'locked/', reason: 'folder could not be read: EACCES' }]);
    expect((await runCli(['scan', dir, '--strict', '--no-cache'])).code).toBe(2);
  } finally {
    jest.restoreAllMocks();
  }
});

test('manifest and deployment files are not read through links that leave the project', async () => {
  const dir = project();
  const outside = mkdtempSync(path.join(os.tmpdir(), 'apiposture-outside-'));
  writeFileSync(path.join(outside, 'gunicorn.conf.py'), 'workers = 8\n');
  mkdirSync(path.join(outside, 'conf'));
  writeFileSync(path.join(outside, 'conf', 'requirements.txt'), 'flask==3.0.0\n');
  symlinkSync(path.join(outside, 'gunicorn.conf.py'), path.join(dir, 'gunicorn.conf.py'));
  symlinkSync(path.join(outside, 'conf'), path.join(dir, 'conf'));
  mkdirSync(path.join(dir, 'deploy'));
  writeFileSync(path.join(dir, 'deploy', 'Procfile'), 'web: gunicorn -w 3 app:app\n');
  symlinkSync(path.join(dir, 'deploy', 'Procfile'), path.join(dir, 'Procfile')); // a link inside the project is followed
  expect((await readTopFiles(dir, ['gunicorn*.py', 'Procfile', 'requirements*.txt'])).map(([file]) => file)).toEqual(['Procfile', 'deploy/Procfile']);
});

test('a file too long for a JavaScript string is skipped with the reason, not an internal error', async () => {
  // The real case needs over 512 MB of text (a raised --max-file-size): the decoder's refusal is simulated.
  const dir = project();
  writeFileSync(path.join(dir, 'long.py'), 'x = 1\n'.repeat(1000));
  const realDecode = TextDecoder.prototype.decode;
  jest.spyOn(TextDecoder.prototype, 'decode').mockImplementation(function (this: typeof TextDecoder.prototype, input) {
    if (input && input.byteLength > 5000) throw Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' });
    return realDecode.call(this, input);
  });
  try {
    const result = await scan({ paths: [dir] });
    expect(result.routes.map((r) => r.path)).toEqual(['/ok']);
    expect(result.skipped).toEqual([{ file: 'long.py', reason: expect.stringMatching(/^too long to hold as text/) }]);
  } finally {
    jest.restoreAllMocks();
  }
});

test('a file that vanishes or cannot be read is reported, not thrown', async () => {
  const outcome = await parseFile(project(), 'vanished.py');
  expect(outcome).toEqual({ ok: false, reason: 'unreadable: ENOENT' });
});

test('control characters from file names, route paths and the baseline are escaped in the text report and warnings', async () => {
  const dir = project();
  writeFileSync(path.join(dir, '\x1b[2J\x1b[31mevil\x07.py'), 'from good import app\n\n@app.route("/x\x1b]0;title\x07")\ndef x():\n    pass\n');
  writeFileSync(path.join(dir, 'new\nline.py'), Buffer.from([0x00, 0x01, 0x02]));
  const baseline = path.join(dir, 'baseline.json');
  writeFileSync(baseline, JSON.stringify({ version: 1, entries: [{ fingerprint: 'gone', ruleId: 'AP001', route: 'GET /\x1b[2Jgone', file: 'old\x1b.py', count: 1 }] }));
  const { stdout, stderr } = await runCli(['scan', dir, '--baseline', baseline]);
  for (const output of [stdout, stderr]) expect(output).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  expect(stdout).toContain('\\x1b[2J\\x1b[31mevil\\x07.py');
  expect(stdout).toContain('GET /x\\x1b]0;title\\x07');
  expect(stdout).toContain('old\\x1b.py  stale baseline entry  AP001 GET /\\x1b[2Jgone');
  expect(stdout).toContain('new\\x0aline.py: binary');
  expect(stderr).toContain('warning: new\\x0aline.py: skipped: binary');
});

// A FIFO nobody writes to blocks a read forever. Each case runs the real CLI, which is killed if it hangs.
describe('FIFOs are never read', () => {
  const mkfifo = (file: string): void => {
    rmSync(file, { force: true });
    execFileSync('mkfifo', [file]);
  };
  /** A path in the cache of a scan of `dir`. */
  const inWarmCache = (dir: string, file: string): string => {
    spawnCli(['scan', dir, '-q']);
    return path.join(dir, '.apiposture-cache', file);
  };

  test.each<[string, (dir: string) => string]>([
    ['.gitignore at the scan root', (dir) => path.join(dir, '.gitignore')],
    ['the cache index', (dir) => inWarmCache(dir, 'index.json')],
    ["the cache's mark", (dir) => inWarmCache(dir, 'CACHEDIR.TAG')],
    ['a cached facts file', (dir) => {
      const facts = inWarmCache(dir, 'facts');
      return path.join(facts, readdirSync(facts)[0]);
    }],
  ])('%s: skipped, the scan finishes', (_, fifoPath) => {
    const dir = project();
    mkfifo(fifoPath(dir));
    const { code, stdout } = spawnCli(['scan', dir]);
    expect(code).toBe(0);
    expect(stdout).toContain('GET /ok');
  });

  test.each<[string, (fifo: string, dir: string) => string[], string]>([
    ['-c', (fifo, dir) => ['scan', dir, '-c', fifo], 'not a regular file'],
    ['the scan path', (fifo) => ['scan', fifo], 'not a file or folder'],
  ])('passed as %s: a usage error', (_, args, message) => {
    const dir = project();
    const fifo = path.join(dir, 'fifo.py');
    mkfifo(fifo);
    const { code, stderr } = spawnCli(args(fifo, dir));
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

test('names of JavaScript object properties in the code (`constructor`, `toString`) are names like any other', async () => {
  const dir = project();
  try {
    // Each read where a table of known names is looked up: a route decorator or method, a registering callable,
    // a string method in a path.
    writeFileSync(path.join(dir, 'flask_app.py'), 'from flask import Blueprint\nfrom lib import constructor\nfrom good import app\n\nbp = Blueprint("b", __name__)\nconstructor()\n\n@bp.constructor("/c")\ndef c():\n    return ""\n\n@app.route("/p".toString())\ndef p():\n    return ""\n\napp.register_blueprint(bp)\n');
    writeFileSync(path.join(dir, 'class_view.py'), 'from flask.views import MethodView\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\nfrom good import app\n\nlimiter = Limiter(get_remote_address, app=app)\n\nclass V(MethodView):\n    def get(self):\n        return ""\n\napp.add_url_rule("/v", view_func=V.as_view("v"), methods=["GET", "CONSTRUCTOR"])\n');
    writeFileSync(path.join(dir, 'fastapi_app.py'), 'from fastapi import FastAPI\napi = FastAPI()\n\n@api.constructor("/z")\ndef z():\n    return 1\n\n@api.get("/fine")\ndef fine():\n    return 1\n');
    const result = await scan({ paths: [dir] });
    expect(result.routes.map((r) => `${r.methods.join()} ${r.path}`).sort()).toEqual(['CONSTRUCTOR,GET,HEAD,OPTIONS /v', 'GET /fine', 'GET,HEAD,OPTIONS /ok', 'GET,HEAD,OPTIONS {?}']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('section and option names a repository chooses (`[__proto__]`) stay its data: the scanner\'s own objects are untouched', async () => {
  const dir = project();
  try {
    writeFileSync(path.join(dir, 'settings.ini'), '[__proto__]\npolluted = /p\n\n[constructor]\nalso = yes\n\n[app]\nprefix = /api\n');
    writeFileSync(path.join(dir, 'configured.py'), 'import configparser\nfrom good import app\n\nconfig = configparser.ConfigParser()\nconfig.read("settings.ini")\n\n@app.route(config["app"]["prefix"] + "/x")\ndef x():\n    return ""\n\n@app.route(config["__proto__"]["polluted"])\ndef p():\n    return ""\n');
    const result = await scan({ paths: [dir] });
    expect(result.routes.map((r) => r.path).sort()).toEqual(['/api/x', '/ok', '/p']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object as unknown as Record<string, unknown>).also).toBeUndefined();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
