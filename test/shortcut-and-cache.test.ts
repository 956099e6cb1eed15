/**
 * The parse shortcut (relevance.ts) and the scan cache (cache.ts) must never change a report: the same
 * JSON with and without the shortcut on every fixture and on a corpus built to need every kind of link,
 * and the same JSON from a cold and a warm cache.
 */
import fg from 'fast-glob';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, promises as fsPromises, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan, type ScanOptions } from '../src/scan';
import { jsonReport } from '../src/report/json';
import { isSeed, mentionFinder, reachableFiles, selectFiles, type TextSummary } from '../src/relevance';
import { ROOT } from './support/run-cli';
import { walkFiles, type Listing, type ListingStore } from '../src/discover';
import { ScanCache, sealed } from '../src/cache';
import * as regularFile from '../src/regular-file';
import { extractFacts } from '../src/python/facts';
import type { ModuleFacts } from '../src/python/ir';
import { pythonParser } from '../src/parse';
import { flaskLimiterApp, limitedLogin } from '../rules/examples';

const report = async (options: ScanOptions): Promise<string> => jsonReport(await scan(options), 'root');

const FIXTURE_APPS = ['flask', 'fastapi', 'starlette', 'django'].flatMap((framework) =>
  readdirSync(path.join(ROOT, 'fixtures', framework)).map((app) => path.join('fixtures', framework, app)),
);

/** Files mapped to their text, written under a fresh temporary directory. */
function corpus(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-shortcut-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

// Each route or finding below is only right if the shortcut follows one kind of link.
const LINKED: Record<string, string> = {
  // a seed: imports Flask and Flask-Limiter
  'shop/__init__.py': 'from flask import Flask\nfrom flask_limiter import Limiter\nfrom flask_limiter.util import get_remote_address\n\napp = Flask(__name__)\nlimiter = Limiter(get_remote_address, app=app)\n',
  // `from .. import` names no module: reached as a file below a reached package
  'shop/views/orders.py': 'from .. import app, limiter\n\n\n@app.route("/orders", methods=["POST"])\n@limiter.limit("5/minute")\ndef create_order():\n    return "ok"\n',
  // mentions the name of a reached module (`core`) and nothing else links it: a backward link
  'catalog_routes.py': 'from core import bp\n\n\n@bp.route("/catalog")\ndef catalog():\n    return "ok"\n',
  'core.py': 'from flask import Blueprint\n\nbp = Blueprint("core", __name__, url_prefix="/core")\n',
  // a helper without any web import, called by a handler: its subprocess call makes the route expensive
  'tasks/convert.py': 'import subprocess\n\n\ndef render_pdf(name):\n    return subprocess.run(["wkhtmltopdf", name])\n',
  'reports.py': 'from shop import app\nfrom tasks.convert import render_pdf\n\n\n@app.route("/report")\ndef report():\n    return render_pdf("x")\n',
  // routes registered on a parameter, found through the call site in a reached module
  'plugins/extra.py': 'def register(target):\n    @target.route("/extra")\n    def extra():\n        return "ok"\n',
  'wiring.py': 'from shop import app\nfrom core import bp\nfrom plugins.extra import register\n\nregister(app)\napp.register_blueprint(bp)\n',
  // nothing links these: never parsed by the shortcut
  'vendor/numeric.py': 'def mean(values):\n    return sum(values) / len(values)\n\n# within the limits of floating point\n',
  'vendor/broken.py': 'def half(:\n    pass\n',
};

describe('parse shortcut', () => {
  test.each(['fixtures', ...FIXTURE_APPS])('same report with and without it: %s', async (dir) => {
    const paths = [path.join(ROOT, dir)];
    expect(await report({ paths })).toBe(await report({ paths, parseAll: true }));
  });

  test('follows every kind of link and skips only files nothing links to', async () => {
    const dir = corpus(LINKED);
    try {
      const short = await scan({ paths: [dir] });
      const full = await scan({ paths: [dir], parseAll: true });
      expect(short.routes.map((r) => `${r.methods.join()} ${r.path} ${r.status}`).sort()).toEqual([
        'GET,HEAD,OPTIONS /core/catalog unlimited',
        'GET,HEAD,OPTIONS /extra unlimited',
        'GET,HEAD,OPTIONS /report unlimited',
        'OPTIONS,POST /orders limited',
      ]);
      expect(short.routes.find((r) => r.path === '/report')?.expensive.map((s) => s.file)).toContain('tasks/convert.py');
      expect(JSON.stringify({ ...short, skipped: [] })).toBe(JSON.stringify({ ...full, skipped: [] }));
      // The unparsed broken file is not reported: nothing there can hold a route.
      expect(full.skipped.map((s) => s.file)).toEqual(['vendor/broken.py']);
      expect(short.skipped).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cold scan reads each source file once: the text it hashes is the text it parses', async () => {
    const dir = corpus(LINKED);
    const reads = jest.spyOn(regularFile, 'readRegularFile');
    try {
      await scan({ paths: [dir], jobs: 1 });
      const sources = reads.mock.calls.map(([file]) => path.relative(dir, file)).filter((file) => file.endsWith('.py'));
      expect(sources.length).toBeGreaterThan(5);
      expect(sources).toEqual([...new Set(sources)]);
    } finally {
      reads.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the texts read are kept for parsing up to a number of characters in all; the rest is read again', async () => {
    const dir = corpus(LINKED);
    try {
      const files = Object.keys(LINKED).filter((file) => file.endsWith('.py'));
      const selected = async (keptChars?: number): Promise<string[]> => [...(await selectFiles(dir, files, { maxBytes: 1e6, keptChars })).sources.keys()];
      const all = await selected();
      expect(all.length).toBeGreaterThan(5);
      expect(all).toContain(files[0]);
      expect(await selected(LINKED[files[0]].length)).toEqual([files[0]]);
      expect(await selected(0)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a seed imports a framework, limiter or server package, or names a Django or suppression word', () => {
    for (const text of ['import os, flask', 'from fastapi import FastAPI', 'import rest_framework.views as v', 'from limits import parse', 'urlpatterns = []', '# apiposture: ignore[AP001] ok']) {
      expect([text, isSeed(text)]).toEqual([text, true]);
    }
    for (const text of ['# within the limits of reason', 'flask = 3', 'import flasker', 'from mylimits import x']) {
      expect([text, isSeed(text)]).toEqual([text, false]);
    }
  });

  test('links run both ways and through packages', () => {
    const files = ['a.py', 'b.py', 'c.py', 'pkg/__init__.py', 'pkg/deep/x.py', 'lone.py'];
    const summary = (seed: boolean, ...mentions: string[]): TextSummary => ({ seed, mentions });
    const summaries = new Map([
      ['a.py', summary(true, 'b')], // seed mentions b: forward
      ['b.py', summary(false)],
      ['c.py', summary(false, 'b')], // mentions reached b: backward
      ['pkg/__init__.py', summary(false)],
      ['pkg/deep/x.py', summary(false, 'c')], // mentions reached c; its package above is reached, and so on
      ['lone.py', summary(false, 'lone')],
    ]);
    expect(reachableFiles(files, summaries)).toEqual(['a.py', 'b.py', 'c.py', 'pkg/__init__.py', 'pkg/deep/x.py']);
    expect(mentionFinder(new Set(['b', 'lone', 'x2']))('from .b import x  # see lone')).toEqual(['b', 'lone']);
    expect(mentionFinder(new Set(['b', 'vüe']))('from .vüe import b')).toEqual(['b', 'vüe']);
  });

  test('ASCII names are found as whole words, as `\\w+` splits them, names with the same hash told apart', () => {
    // `Aa` and `BB` have the same hash; `ü` ends a word as it does for `\w` without the `u` flag.
    const find = mentionFinder(new Set(['Aa', 'v', 'views_2', 'x', 'models']));
    expect(find('BB')).toEqual([]);
    expect(find('Aa')).toEqual(['Aa']);
    expect(find('vüe x_y models2 _models views_2\nmodels')).toEqual(['models', 'v', 'views_2']);
    expect(find('')).toEqual([]);
  });
});

type IndexJson = { files: Record<string, { mentions?: unknown; facts?: [string, number, number] }> | null; listings: Record<string, { folders: unknown }> };

/**
 * Rewrites every facts record of a cache into a pack of its own (`rewrite` gives a record's whole text, hash line
 * included, from its facts) and the index it is given to point there; drops the stored result, which would answer
 * without them. Writing the index is the caller's.
 */
function rewriteFacts(cacheDir: string, index: IndexJson, rewrite: (facts: object) => string): void {
  const pack = `${'f'.repeat(40)}.pack`;
  const records: Buffer[] = [];
  let size = 0;
  for (const entry of Object.values(index.files!)) {
    if (!entry.facts) continue;
    const [name, offset, length] = entry.facts;
    const record = readFileSync(path.join(cacheDir, 'facts', name)).subarray(offset, offset + length).toString('utf8');
    const rewritten = Buffer.from(rewrite(JSON.parse(record.slice(record.indexOf('\n') + 1)) as object));
    entry.facts = [pack, size, rewritten.length];
    records.push(rewritten);
    size += rewritten.length;
  }
  expect(records.length).toBeGreaterThan(0);
  writeFileSync(path.join(cacheDir, 'facts', pack), Buffer.concat(records));
  rmSync(path.join(cacheDir, 'result.json'), { force: true });
}

/** Rewrites every facts record of a cache, sealed: only the content is wrong (see rewriteFacts). */
function corruptFacts(cacheDir: string, index: IndexJson, corrupt: (facts: object) => object): void {
  rewriteFacts(cacheDir, index, (facts) => sealed(JSON.stringify(corrupt(facts))));
}

/** A cache file's JSON, below its hash line. */
function readSealed<T>(file: string): T {
  const text = readFileSync(file, 'utf8');
  return JSON.parse(text.slice(text.indexOf('\n') + 1)) as T;
}

describe('scan cache', () => {
  const app = path.join(ROOT, 'fixtures', 'flask', 'shop');
  const realNow = Date.now;
  /** From here on the clock reads 10 s later: files just written are settled, so the cache trusts their stamps. */
  const settleFiles = (): void => void jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 10_000);
  afterEach(() => jest.restoreAllMocks());

  test('a warm cache gives the cold report, and a changed file is read again', async () => {
    settleFiles();
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    try {
      const uncached = await report({ paths: [dir] });
      expect(await report({ paths: [dir], cacheDir })).toBe(uncached);
      expect(existsSync(path.join(cacheDir, 'index.json'))).toBe(true);
      expect(await report({ paths: [dir], cacheDir })).toBe(uncached);
      expect(await report({ paths: [dir], cacheDir, parseAll: true })).toBe(await report({ paths: [dir], parseAll: true }));
      writeFileSync(path.join(dir, 'core.py'), `${LINKED['core.py']}\n\n@bp.route("/added")\ndef added():\n    return "ok"\n`);
      const changed = await scan({ paths: [dir], cacheDir });
      expect(changed.routes.map((r) => r.path)).toContain('/core/added');
      expect(jsonReport(changed, 'root')).toBe(await report({ paths: [dir] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('facts with other than ASCII read back from the cache as they were written', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-cache-'));
    try {
      const cache = (await ScanCache.open(path.join(dir, 'cache')))!;
      // A name, texts of two- and three-byte characters, an astral one (two UTF-16 units) and a file path.
      const source = 'π = "café"\n@app.get("/价格/🚀")\ndef naïve(x=f("…" + "ok")):\n    return "€ and 𝔘"\n';
      const written = extractFacts(pythonParser().parse(source).rootNode, 'pkg/módulo.py');
      const ascii = extractFacts(pythonParser().parse('x = "plain"\n').rootNode, 'pkg/plain.py');
      const stamp = statSync(dir);
      for (const facts of [written, ascii]) {
        cache.remember(facts.file, stamp, { hash: 'content', seed: false });
        cache.storeModuleFacts(facts.file, facts);
      }
      expect(await cache.save()).toBeUndefined();
      const reopened = (await ScanCache.open(path.join(dir, 'cache')))!;
      const readBack = (file: string): ModuleFacts | undefined => reopened.moduleFacts(file, reopened.knownParse(file, 'content').facts!);
      expect(JSON.stringify(readBack(written.file))).toBe(JSON.stringify(written));
      expect(JSON.stringify(readBack(ascii.file))).toBe(JSON.stringify(ascii));
      expect(JSON.stringify(written)).toContain('价格/🚀');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('facts another build wrote are never read: the next version sees every route', async () => {
    settleFiles();
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    try {
      const routes = (await scan({ paths: [dir], cacheDir })).routes.length;
      expect(routes).toBeGreaterThan(0);
      // What this build wrote, read by another build, would be facts of another shape: here, empty ones.
      const indexFile = path.join(cacheDir, 'index.json');
      const index = readSealed<IndexJson>(indexFile);
      corruptFacts(cacheDir, index, (facts) => ({ file: (facts as { file: string }).file, module: 'x', isPackage: false, scopes: [], bindings: {}, calls: [], functions: [], classes: [], directives: [], arms: [] }));
      writeFileSync(indexFile, sealed(JSON.stringify(index)));
      let nextScan: typeof scan = scan;
      jest.isolateModules(() => {
        jest.doMock('../src/version', () => ({ ...jest.requireActual('../src/version'), VERSION: '999.0.0' }));
        nextScan = (require('../src/scan') as typeof import('../src/scan')).scan;
      });
      expect((await nextScan({ paths: [dir], cacheDir })).routes.length).toBe(routes);
    } finally {
      jest.dontMock('../src/version');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cache not sealed with this user\'s key, shipped in the repository or made on another machine, reads as no cache', async () => {
    settleFiles();
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    const stored = path.join(cacheDir, 'result.json');
    const otherUser = mkdtempSync(path.join(os.tmpdir(), 'apiposture-user-'));
    const ownCacheHome = process.env.XDG_CACHE_HOME;
    try {
      const genuine = await report({ paths: [dir], cacheDir });
      // What anyone can write and commit: a stored result listing no route and empty facts, each under the plain hash of its text.
      const plainlySealed = (value: object): string => {
        const json = JSON.stringify(value);
        return `${createHash('sha1').update(json).digest('hex')}\n${json}`;
      };
      const entry = readSealed<{ result: { routes: unknown[] } }>(stored);
      const noRoutes = { ...entry, result: { ...entry.result, routes: [] } };
      const indexFile = path.join(cacheDir, 'index.json');
      const index = readSealed<IndexJson>(indexFile);
      rewriteFacts(cacheDir, index, (facts) => plainlySealed({ ...facts, calls: [], functions: [], classes: [] }));
      writeFileSync(indexFile, sealed(JSON.stringify(index))); // the index is this user's: only the facts are forged
      writeFileSync(stored, plainlySealed(noRoutes));
      expect(await report({ paths: [dir], cacheDir })).toBe(genuine);
      // Sealed with this user's key, the same stored result is taken: the key is what kept the forgery out.
      writeFileSync(stored, sealed(JSON.stringify(noRoutes)));
      expect((await scan({ paths: [dir], cacheDir })).routes).toEqual([]);
      // Under another user's key, what this user's scans sealed reads as no cache.
      process.env.XDG_CACHE_HOME = otherUser;
      expect(await report({ paths: [dir], cacheDir })).toBe(genuine);
      expect(readFileSync(path.join(otherUser, 'apiposture', 'key'), 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      if (ownCacheHome === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = ownCacheHome;
      rmSync(dir, { recursive: true, force: true });
      rmSync(otherUser, { recursive: true, force: true });
    }
  });

  test('an unchanged tree answers with the stored result, warnings included; any input it rests on changed is scanned again', async () => {
    settleFiles();
    const files: Record<string, string> = {
      ...LINKED,
      'shop/__init__.py': `${LINKED['shop/__init__.py']}SETTINGS = "settings.yml"\n`,
      'settings.yml': 'limits: {}\n',
      'requirements.txt': 'flask-limiter==3.3.0\n',
      'Dockerfile': 'CMD gunicorn -w 2 shop:app\n',
      'shop/legacy.py': 'from flask import Flask\n\ndef half(:\n    pass\n', // a warning the stored result keeps
    };
    const dir = corpus(files);
    const cacheDir = path.join(dir, '.apiposture-cache');
    const stored = path.join(cacheDir, 'result.json');
    const warned: string[] = [];
    const scanned = (more: Partial<ScanOptions> = {}): Promise<string> => report({ paths: [dir], cacheDir, exclude: ['vendor/missing'], onWarning: (m) => warned.push(m), ...more });
    /** The stored result, made to list no route: a scan that answers with it reused it. */
    const tamper = (): void => {
      const entry = readSealed<{ result: { routes: unknown[] } }>(stored);
      writeFileSync(stored, sealed(JSON.stringify({ ...entry, result: { ...entry.result, routes: [] } })));
    };
    const reused = async (more: Partial<ScanOptions> = {}): Promise<boolean> => {
      tamper();
      return !(await scan({ paths: [dir], cacheDir, exclude: ['vendor/missing'], ...more })).routes.length;
    };
    try {
      const cold = await scanned();
      const coldWarnings = warned.splice(0);
      expect(coldWarnings).toEqual([
        'exclude `vendor/missing` matches no Python file of the project',
        expect.stringMatching(/^shop\/legacy\.py: syntax error at line 3/),
      ]);
      expect(await scanned()).toBe(cold);
      expect(warned.splice(0)).toEqual(coldWarnings);
      expect(await reused()).toBe(true);
      const changes: [string, () => void][] = [
        ['a selected file', () => writeFileSync(path.join(dir, 'core.py'), `${files['core.py']}EDITED = True\n`)],
        ['a configuration file the code names', () => writeFileSync(path.join(dir, 'settings.yml'), 'limits: {login: 5/minute}\n')],
        ['a manifest', () => writeFileSync(path.join(dir, 'requirements.txt'), 'flask-limiter==2.0\n')],
        ['a deployment file', () => writeFileSync(path.join(dir, 'Dockerfile'), 'CMD gunicorn -w 4 shop:app\n')],
        ['a new file nothing links to', () => writeFileSync(path.join(dir, 'vendor/stats.py'), 'def median(values):\n    return sorted(values)[len(values) // 2]\n')],
      ];
      for (const [what, change] of changes) {
        await scan({ paths: [dir], cacheDir, exclude: ['vendor/missing'] }); // stores this tree's result
        change();
        expect([what, await reused()]).toEqual([what, false]);
      }
      await scan({ paths: [dir], cacheDir, exclude: ['vendor/missing'] });
      expect(await reused({ profile: { name: 'staging', defines: {} } })).toBe(false);
      expect(await reused({ parseAll: true })).toBe(false);
      // An edit that leaves what parsing gives as it was (a comment) cannot change the analysis...
      const core = path.join(dir, 'core.py');
      writeFileSync(core, Buffer.from(`# -*- coding: latin-1 -*-\n${files['core.py']}`, 'latin1'));
      await scan({ paths: [dir], cacheDir, exclude: ['vendor/missing'] });
      writeFileSync(core, Buffer.from(`# -*- coding: latin-1 -*-\n${files['core.py']}# a comment\n`, 'latin1'));
      expect(await reused()).toBe(true);
      // ...unless the file now decodes with a note the report repeats.
      await scan({ paths: [dir], cacheDir, exclude: ['vendor/missing'] });
      writeFileSync(core, Buffer.from(`# -*- coding: latin-1 -*-\n${files['core.py']}# a comment, caf\xe9\n`, 'latin1'));
      expect(await reused()).toBe(false);
      await scanned();
      expect(warned).toContain('core.py: decoded as latin-1 (its coding line)');
      // The note is repeated when its facts come from the cache because another file changed.
      warned.length = 0;
      writeFileSync(path.join(dir, 'shop/__init__.py'), `${files['shop/__init__.py']}EDITED = True\n`);
      await scanned();
      expect(warned).toContain('core.py: decoded as latin-1 (its coding line)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a same-size edit is seen although the file keeps its modification time (touch -r)', async () => {
    const dir = corpus({ 'app.py': flaskLimiterApp('get_remote_address, app=app', limitedLogin('5/minute')) });
    const file = path.join(dir, 'app.py');
    const cacheDir = path.join(dir, '.apiposture-cache');
    const status = async (options: ScanOptions): Promise<string[]> => (await scan(options)).routes.map((r) => r.status);
    const past = new Date(Date.now() - 60_000);
    try {
      utimesSync(file, past, past);
      expect(await status({ paths: [dir], cacheDir })).toEqual(['limited']);
      writeFileSync(file, readFileSync(file, 'utf8').replace('@limiter.limit', '#limiter.limit')); // same size
      utimesSync(file, past, past);
      expect(await status({ paths: [dir] })).toEqual(['unlimited']);
      expect(await status({ paths: [dir], cacheDir })).toEqual(['unlimited']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file changed within the time granularity before a scan is hashed again by the next (what parsing gave stays known for its content); a new inode is a change', async () => {
    const dir = corpus({});
    const cacheDir = path.join(dir, '.apiposture-cache');
    const stamp = (msAgo: number, ino = 7): Stats => ({ size: 10, mtimeMs: Date.now() - msAgo, ctimeMs: Date.now() - msAgo, ino }) as Stats;
    const facts = { hash: 'h', seed: false, digest: 'd' };
    // With one-second times, an edit in the same second as the scan leaves size and times as they were.
    const recent = stamp(500);
    const settled = stamp(60_000);
    try {
      const first = (await ScanCache.open(cacheDir))!;
      first.remember('recent.py', recent, facts);
      first.remember('settled.py', settled, facts);
      await first.save();
      const second = (await ScanCache.open(cacheDir))!;
      expect(second.lookup('recent.py', recent)).toBeUndefined();
      expect([second.knownParse('recent.py', 'h'), second.knownParse('recent.py', 'other content')]).toEqual([{ digest: 'd' }, {}]);
      expect(second.lookup('settled.py', settled)).toEqual(facts);
      expect(second.lookup('settled.py', { ...settled, ino: 8 } as Stats)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unchanged tree is not walked again; a file added or removed changes its folder and is seen', async () => {
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    const paths = [dir];
    const routePaths = async (): Promise<string[]> => (await scan({ paths, cacheDir })).routes.map((r) => r.path);
    const past = new Date(Date.now() - 60_000);
    const folders = [dir, ...fg.sync('**/*/', { cwd: dir, onlyDirectories: true, absolute: true })];
    try {
      await scan({ paths, cacheDir });
      // Folders changed within the last seconds may still be changing: that walk is not kept.
      const keptListings = (): { files: string[] }[] => Object.values(readSealed<{ listings: Record<string, { files: string[] }> }>(path.join(cacheDir, 'index.json')).listings);
      expect(keptListings()).toEqual([]);
      for (const folder of folders) utimesSync(folder, past, past);
      await scan({ paths, cacheDir });
      expect(keptListings().flatMap((l) => l.files)).toContain('core.py');
      // A file slipped in while its folder keeps its time is not seen: the kept listing was used.
      writeFileSync(path.join(dir, 'hidden.py'), 'from flask import Flask\napp = Flask(__name__)\n\n\n@app.route("/hidden")\ndef hidden():\n    return "ok"\n');
      utimesSync(dir, past, past);
      expect(await routePaths()).not.toContain('/hidden');
      // Any real addition changes the folder's time.
      utimesSync(dir, new Date(), new Date());
      expect(await routePaths()).toContain('/hidden');
      mkdirSync(path.join(dir, 'more'));
      writeFileSync(path.join(dir, 'more', 'extra.py'), 'from core import bp\n\n\n@bp.route("/extra-more")\ndef extra_more():\n    return "ok"\n');
      expect(await routePaths()).toContain('/core/extra-more');
      rmSync(path.join(dir, 'hidden.py'));
      expect(await routePaths()).not.toContain('/hidden');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a kept walk watches the folders its patterns look into', () => {
    const dir = corpus({ 'svc/app.py': '', 'svc/deep/x/y.txt': '' });
    const kept = new Map<string, Listing>();
    const store: ListingStore = { listing: (key) => kept.get(key), rememberListing: (key, listing) => kept.set(key, listing) };
    const patterns = ['*/requirements/*.txt']; // looks into `*/requirements/`, which appears under `*/`
    const walk = (): string[] => walkFiles(dir, patterns, { ignore: [], dot: true, followSymbolicLinks: true }, store).files.sort();
    const past = new Date(Date.now() - 60_000);
    try {
      for (const folder of ['', 'svc', 'svc/deep', 'svc/deep/x']) utimesSync(path.join(dir, folder), past, past);
      expect(walk()).toEqual([]);
      expect([...kept.values()][0].folders.map(([folder]) => folder).sort()).toEqual(['', 'svc/']); // not svc/deep/: nothing there matches
      mkdirSync(path.join(dir, 'svc', 'requirements'));
      writeFileSync(path.join(dir, 'svc', 'requirements', 'base.txt'), 'flask==3.0\n');
      expect(walk()).toEqual(['svc/requirements/base.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the fixtures give the same report from a cold and a warm cache', async () => {
    const cacheDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'apiposture-cache-')), 'cache');
    try {
      const paths = [path.join(ROOT, 'fixtures')];
      const uncached = await report({ paths });
      expect(await report({ paths, cacheDir })).toBe(uncached);
      expect(await report({ paths, cacheDir })).toBe(uncached);
    } finally {
      rmSync(path.dirname(cacheDir), { recursive: true, force: true });
    }
  });

  test('a cache folder a repository ships, marked as apiposture marks its own, is not used; the cache never writes through a link', async () => {
    settleFiles();
    const dir = corpus(LINKED);
    const outside = mkdtempSync(path.join(os.tmpdir(), 'apiposture-outside-'));
    const cacheDir = path.join(dir, '.apiposture-cache');
    const links = (): void => {
      symlinkSync(outside, path.join(cacheDir, 'facts'));
      symlinkSync(path.join(outside, 'victim'), path.join(cacheDir, `index.json.${process.pid}.tmp`));
    };
    try {
      const uncached = await report({ paths: [dir] });
      // The tag any apiposture folder starts with, without the line only this user's key gives.
      mkdirSync(cacheDir);
      writeFileSync(path.join(cacheDir, 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n# A cache created by apiposture; safe to delete.\n');
      links();
      const warnings: string[] = [];
      expect(await report({ paths: [dir], cacheDir, onWarning: (m) => warnings.push(m) })).toBe(uncached);
      expect(warnings).toEqual([expect.stringContaining('not used: apiposture did not create')]);
      expect(readdirSync(outside)).toEqual([]);
      // In a folder the cache made itself, links planted later are not written through either.
      rmSync(cacheDir, { recursive: true });
      expect(await report({ paths: [dir], cacheDir })).toBe(uncached);
      rmSync(path.join(cacheDir, 'facts'), { recursive: true });
      links();
      writeFileSync(path.join(dir, 'core.py'), `${LINKED['core.py']}# changed\nX = 1\n`);
      warnings.length = 0;
      await scan({ paths: [dir], cacheDir, onWarning: (m) => warnings.push(m) });
      expect(warnings).toEqual([expect.stringContaining('symbolic link')]);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test('a folder the cache did not create is neither written nor emptied: the scan warns once and goes on', async () => {
    const userFiles = { '.gitignore': 'build/\n', 'index.json': '{"mine": true}\n', 'some/dir/keep.txt': 'keep me\n', 'some/dir/facts/mine.json': '{"mine": true}\n' };
    const dir = corpus({ ...LINKED, ...userFiles });
    const files = (): string[] => fg.sync('**', { cwd: dir, dot: true }).sort();
    const before = files();
    try {
      const uncached = await report({ paths: [dir] });
      for (const cacheDir of ['.', 'some/dir']) {
        const warnings: string[] = [];
        expect(await report({ paths: [dir], cacheDir, onWarning: (m) => warnings.push(m) })).toBe(uncached);
        expect(warnings).toEqual([expect.stringContaining('not used: apiposture did not create')]);
      }
      expect(files()).toEqual(before);
      for (const [file, text] of Object.entries(userFiles)) expect(readFileSync(path.join(dir, file), 'utf8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('in its own folder the cache deletes only the packs no file refers to, and the facts files and stopped scans\' packs it wrote', async () => {
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    const packs = (): string[] => readdirSync(path.join(cacheDir, 'facts')).filter((name) => name.endsWith('.pack'));
    try {
      await scan({ paths: [dir], cacheDir });
      const [first] = packs();
      writeFileSync(path.join(dir, 'core.py'), `${LINKED['core.py']}# changed\nX = 1\n`);
      await scan({ paths: [dir], cacheDir });
      // The first pack holds the other files' facts; the second, the edited file's.
      const [second] = packs().filter((name) => name !== first);
      expect(packs().sort()).toEqual([first, second].sort());
      const mine = { 'notes.txt': 'mine\n', [`${'a'.repeat(40)}.pack.1.tmp.bak`]: 'mine too\n' };
      for (const [name, text] of Object.entries(mine)) writeFileSync(path.join(cacheDir, 'facts', name), text);
      const earlierVersions = { [`${'b'.repeat(40)}.json`]: '{}', [`${'c'.repeat(40)}.pack.99999999.tmp`]: '' }; // no process has that pid
      for (const [name, text] of Object.entries(earlierVersions)) writeFileSync(path.join(cacheDir, 'facts', name), text);
      writeFileSync(path.join(dir, 'core.py'), `${LINKED['core.py']}# changed\nX = 2\n`); // the second pack is left unreferred to
      await scan({ paths: [dir], cacheDir });
      const kept = readdirSync(path.join(cacheDir, 'facts'));
      expect(kept).toEqual(expect.arrayContaining([first, ...Object.keys(mine)]));
      expect(kept).toHaveLength(Object.keys(mine).length + 2);
      for (const gone of [second, ...Object.keys(earlierVersions)]) expect(kept).not.toContain(gone);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('live facts spread over more than eight packs, or filling less than half of theirs, are copied into one', async () => {
    settleFiles();
    // big.py is most of the facts: once it is gone, its record is most of the first pack.
    const big = `from core import bp\n${Array.from({ length: 300 }, (_, i) => `SETTING_${i} = ${i}\n`).join('')}`;
    const dir = corpus({ ...LINKED, 'big.py': big });
    const cacheDir = path.join(dir, '.apiposture-cache');
    const packs = (): string[] => readdirSync(path.join(cacheDir, 'facts')).filter((name) => name.endsWith('.pack'));
    try {
      await scan({ paths: [dir], cacheDir });
      const counts: number[] = [];
      // Each scan writes the facts of the file added (linked: it names `core`) into a pack of its own.
      for (let i = 0; i < 12; i++) {
        writeFileSync(path.join(dir, `added_${i}.py`), `from core import bp\nADDED = ${i}\n`);
        await scan({ paths: [dir], cacheDir });
        counts.push(packs().length);
      }
      expect(counts).toEqual([2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5]);
      rmSync(path.join(dir, 'added_11.py')); // a scan's pack is dropped with its last file
      await scan({ paths: [dir], cacheDir });
      const before = packs();
      expect(before).toHaveLength(4);
      rmSync(path.join(dir, 'big.py'));
      await scan({ paths: [dir], cacheDir });
      expect(packs()).toHaveLength(1);
      expect(before).not.toContain(packs()[0]);
      rmSync(path.join(cacheDir, 'result.json'));
      expect(await report({ paths: [dir], cacheDir })).toBe(await report({ paths: [dir] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cache file damaged into other valid JSON is recomputed', async () => {
    settleFiles();
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    const indexFile = path.join(cacheDir, 'index.json');
    try {
      await scan({ paths: [dir], cacheDir });
      writeFileSync(indexFile, readFileSync(indexFile, 'utf8').replace(/"seed":true/g, '"seed":false')); // nothing reachable, if believed
      expect(await report({ paths: [dir], cacheDir })).toBe(await report({ paths: [dir] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each<[string, (cacheDir: string, index: IndexJson) => void]>([
    ['"files": null', (_, index) => (index.files = null)],
    ['"mentions": 5', (_, index) => Object.values(index.files!).forEach((entry) => (entry.mentions = 5))],
    ['"folders": 5 in a kept walk', (_, index) => Object.values(index.listings).forEach((listing) => (listing.folders = 5))],
    ['facts {}', (cacheDir, index) => corruptFacts(cacheDir, index, () => ({}))],
    ['facts referring to an object never written', (cacheDir, index) => corruptFacts(cacheDir, index, (facts) => ({ ...facts, calls: [{ $ref: 1e6 }] }))],
    ['a place past the end of its pack', (_, index) => Object.values(index.files!).forEach((entry) => entry.facts && (entry.facts[1] += 1e6))],
    ['a place in a pack with another name', (_, index) => Object.values(index.files!).forEach((entry) => entry.facts && (entry.facts[0] = '../index.json'))],
  ])('a cache of the wrong shape (%s) is dropped and recomputed', async (_, corrupt) => {
    settleFiles();
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    const indexFile = path.join(cacheDir, 'index.json');
    const past = new Date(Date.now() - 60_000);
    try {
      await scan({ paths: [dir], cacheDir });
      for (const folder of [dir, ...fg.sync('**/*/', { cwd: dir, onlyDirectories: true, absolute: true })]) utimesSync(folder, past, past);
      await scan({ paths: [dir], cacheDir }); // now keeps the walks too
      const index = readSealed<IndexJson>(indexFile);
      expect(Object.keys(index.listings).length).toBeGreaterThan(0);
      corrupt(cacheDir, index);
      writeFileSync(indexFile, sealed(JSON.stringify(index))); // sealed: only the shape is wrong
      expect(await report({ paths: [dir], cacheDir })).toBe(await report({ paths: [dir] }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cache that can no longer be written to or deleted from is reported once and the scan goes on', async () => {
    const dir = corpus(LINKED);
    const cacheDir = path.join(dir, '.apiposture-cache');
    try {
      await scan({ paths: [dir], cacheDir });
      writeFileSync(path.join(dir, 'core.py'), `${LINKED['core.py']}# changed\nX = 1\n`);
      await scan({ paths: [dir], cacheDir });
      writeFileSync(path.join(dir, 'core.py'), `${LINKED['core.py']}# changed\nX = 2\n`); // new facts to write, the last scan's pack to drop
      // As when the cache belongs to another user: root would not be refused, so the refusal is simulated.
      const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      jest.spyOn(fsPromises, 'writeFile').mockRejectedValue(denied);
      jest.spyOn(fsPromises, 'rm').mockRejectedValue(denied);
      const warnings: string[] = [];
      const result = await scan({ paths: [dir], cacheDir, onWarning: (m) => warnings.push(m) });
      expect(jsonReport(result, 'root')).toBe(await report({ paths: [dir] }));
      expect(warnings).toEqual([`cache not written to ${cacheDir}: EACCES`]);
    } finally {
      jest.restoreAllMocks();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a cache that cannot be written is reported once and the scan goes on', async () => {
    const dir = corpus({ 'not-a-directory': 'a file where the cache directory should be' });
    try {
      const warnings: string[] = [];
      const result = await scan({ paths: [app], cacheDir: path.join(dir, 'not-a-directory', 'cache'), onWarning: (m) => warnings.push(m) });
      expect(jsonReport(result, 'root')).toBe(await report({ paths: [app] }));
      expect(warnings.filter((w) => w.startsWith('cache not written'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('what the shortcut keeps of a file (mentions, imported test modules) keeps no part of its text alive', () => {
  // In a process of its own, for an exact heap after collections. A match of 13 characters or more is a slice
  // of the text, which keeps the whole text; `sliced` shows the measure sees that. The text (4 MB) dwarfs the
  // heap's own noise of some 100 kB, which failed a 1 MB text's margin once.
  const script = `
    const { mentionFinder, importedModules } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'relevance.js'))});
    const mentionsIn = mentionFinder(new Set(['orders_service_module']));
    // The text is made in a call of its own, so that no variable of the measuring frame holds it.
    const keepFrom = (keep) => {
      globalThis.kept = keep(['from shop.tests_helpers_module import make_order', 'orders_service_module.create()', '# ' + 'padding '.repeat(500000)].join('\\n'));
    };
    const kept = (keep) => {
      globalThis.kept = undefined; // what the last measure kept is not this one's
      gc();
      const before = process.memoryUsage().heapUsed;
      keepFrom(keep);
      /x/.exec('x'); // the last match of any regular expression keeps its text (RegExp.lastMatch)
      gc();
      return process.memoryUsage().heapUsed - before;
    };
    const sliced = kept((text) => [text.slice(5, 35)]);
    const mentions = kept((text) => mentionsIn(text));
    const imports = kept((text) => importedModules('shop/views.py', text));
    console.log(JSON.stringify({ sliced, mentions, imports, lists: [mentionsIn('orders_service_module'), importedModules('shop/views.py', 'from shop.tests_helpers_module import make_order')] }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const measured = JSON.parse(r.stdout) as Record<'sliced' | 'mentions' | 'imports', number> & { lists: string[][] };
  expect(measured.lists).toEqual([['orders_service_module'], ['shop.tests_helpers_module', 'shop.tests_helpers_module.make_order']]);
  expect(measured.sliced).toBeGreaterThan(3_500_000);
  expect(measured.mentions).toBeLessThan(500_000);
  expect(measured.imports).toBeLessThan(500_000);
});
