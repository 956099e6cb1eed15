/**
 * Hostile-input fuzzing: mutants of the fixture sources (truncated, spliced with random bytes, NULs, cut
 * ranges, repeated lines), generated pathological files (deep nesting, 20,000 stacked route decorators, huge
 * rate counts, control characters in names) and damaged caches (a value of a cache file's JSON replaced by one
 * of any type), each scanned next to a known-good app. Every scan must finish within a time budget, keep the
 * good app's result unchanged, and never throw. `npm run fuzz [-- N]` runs N mutants (default 2000), every
 * tenth a damaged cache; test/fuzz.test.ts runs a small seeded subset.
 */
import fg from 'fast-glob';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../src/scan';
import { seededRandom } from './seeded-random';

export const GOOD_APP = `from flask import Flask\napp = Flask(__name__)\n\n@app.route("/ok")\ndef ok():\n    return "ok"\n`;

type Mutation = (source: Buffer, random: () => number) => Buffer;

const at = (source: Buffer, random: () => number): number => Math.floor(random() * (source.length + 1));

const MUTATIONS: Record<string, Mutation> = {
  truncate: (s, r) => s.subarray(0, at(s, r)),
  randomBytes: (s, r) => {
    const i = at(s, r);
    const noise = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
    return Buffer.concat([s.subarray(0, i), noise, s.subarray(i)]);
  },
  nulBytes: (s, r) => {
    const i = at(s, r);
    return Buffer.concat([s.subarray(0, i), Buffer.alloc(1 + Math.floor(r() * 8)), s.subarray(i)]);
  },
  cutRange: (s, r) => {
    const [a, b] = [at(s, r), at(s, r)].sort((x, y) => x - y);
    return Buffer.concat([s.subarray(0, a), s.subarray(b)]);
  },
  repeatLines: (s, r) => {
    const lines = s.toString('latin1').split('\n');
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, ...Array<string>(1 + Math.floor(r() * 50)).fill(lines[i] ?? ''));
    return Buffer.from(lines.join('\n'), 'latin1');
  },
  swapLines: (s, r) => {
    const lines = s.toString('latin1').split('\n');
    const [i, j] = [Math.floor(r() * lines.length), Math.floor(r() * lines.length)];
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return Buffer.from(lines.join('\n'), 'latin1');
  },
};

/** Files no real project has, but a scanner meets: deep nesting, long decorator chains, Python 2, odd text. */
export const PATHOLOGICAL: Record<string, string | Buffer> = {
  'deep_parens.py': `x = ${'('.repeat(10_000)}1${')'.repeat(10_000)}\n`,
  'deep_lists.py': `x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
  'deep_blocks.py': Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') + `${' '.repeat(3000)}pass\n`,
  'decorator_chain.py': `from good import app\n${'@app.route("/x")\n'.repeat(20_000)}def x():\n    pass\n`,
  // The worst case of a limit (AP009 on a login route) is simulated: its work must not grow with the count.
  'huge_counts.py': `from flask_limiter import Limiter\nfrom good import app\nlimiter = Limiter(app)\n${['1000000000000000/day', '99999999999999999999/day', '0/minute', '1000000/minute;1000000000/day']
    .map((rate, i) => `\n@app.route("/login${i}", methods=["POST"])\n@limiter.limit("${rate}")\ndef login${i}():\n    pass\n`).join('')}`,
  'ctrl_\x1b[2J\x07\nname.py': `from good import app\n\n@app.route("/x\x1b]0;title\x07\\x00")\ndef x\u200b():\n    pass\n`,
  'long_attribute_chain.py': `y = a${'.b'.repeat(20_000)}\n`,
  'long_string_concat.py': `s = ${Array(20_000).fill('"a"').join(' + ')}\n`,
  'python2.py': `print "hello"\nexec "x = 1"\nclass Old:\n    def f(self):\n        raise ValueError, "no"\n`,
  'only_nul.py': Buffer.alloc(4096),
  'unterminated.py': `s = """${'never closed\n'.repeat(1000)}`,
  'mixed_tabs.py': `if x:\n\tif y:\n        pass\n\t  z = 1\n`,
  'wide_line.py': `x = "${'a'.repeat(2_000_000)}"\n`,
  'weird name ünïcode.py': GOOD_APP.replace('/ok', '/unicode'),
};

export interface FuzzOutcome {
  inputs: number;
  failures: string[]; // seed or file name, with what went wrong
  slowest: { name: string; ms: number };
}

// Values of every JSON type: one replaces a value of the cache that has another type, or the same.
const JSON_VALUES: unknown[] = [null, 0, -1, 1e308, '', 'x', true, [], [null], {}, { '': null }];

/**
 * Replaces one value anywhere in a cache file (chosen by `random`) with a JSON value of any type, below the
 * file's hash line, as damage or a hand edit would.
 */
function damageCacheFile(cacheDir: string, random: () => number): void {
  const files = fg.sync('**/*.json', { cwd: cacheDir }).sort();
  const file = path.join(cacheDir, files[Math.floor(random() * files.length)]);
  const text = readFileSync(file, 'utf8');
  const cut = text.indexOf('\n') + 1;
  const json: unknown = JSON.parse(text.slice(cut));
  const places: [Record<string, unknown>, string][] = [];
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, inner] of Object.entries(value)) {
      places.push([value as Record<string, unknown>, key]);
      visit(inner);
    }
  };
  visit(json);
  const replacement = JSON_VALUES[Math.floor(random() * JSON_VALUES.length)];
  const place = places[Math.floor(random() * (places.length + 1))]; // past the end: the whole file
  if (place) place[0][place[1]] = replacement;
  writeFileSync(file, text.slice(0, cut) + JSON.stringify(place ? json : replacement));
}

/**
 * Scans `files` next to the good app and checks it still has exactly the good app's route. With
 * `damageCache`, a first scan fills a cache, which is damaged before the scan that is checked.
 */
async function scanBeside(name: string, files: Record<string, string | Buffer>, budgetMs: number, damageCache?: (cacheDir: string) => void): Promise<{ problem?: string; ms: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-fuzz-'));
  try {
    writeFileSync(path.join(dir, 'good.py'), GOOD_APP);
    for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
    const cacheDir = damageCache && path.join(dir, '.apiposture-cache');
    if (damageCache) {
      await scan({ paths: [dir], cacheDir });
      damageCache(cacheDir!);
    }
    const started = Date.now();
    const result = await scan({ paths: [dir], cacheDir });
    const ms = Date.now() - started;
    const routes = result.routes.filter((r) => r.file === 'good.py');
    const good = routes.map((r) => `${r.path} ${r.status}`);
    // A mutant may hold a Flask-Limiter whose app cannot be read (`Limiter(app=app)` in a def the mutation broke): the
    // scan then rightly cannot tell whether it binds the good app, and says so.
    const unboundLimiter = routes.length === 1 && good[0] === '/ok unknown' && routes[0].evidence.every((e) => e.message.startsWith('limiter binding unclear'));
    if (good.join() !== '/ok unlimited' && !unboundLimiter) return { problem: `${name}: good app's routes changed: ${good.join(', ')}`, ms };
    if (ms > budgetMs) return { problem: `${name}: took ${ms} ms (budget ${budgetMs} ms)`, ms };
    return { ms };
  } catch (error) {
    return { problem: `${name}: threw ${(error as Error).stack ?? error}`, ms: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `fixtures`: the directory whose Python files are mutated. */
export async function fuzz(fixtures: string, mutants: number, seed = 1, budgetMs = 10_000): Promise<FuzzOutcome> {
  const sources = fg.sync('**/*.py', { cwd: fixtures }).sort().map((f) => readFileSync(path.join(fixtures, f)));
  const names = Object.keys(MUTATIONS);
  const outcome: FuzzOutcome = { inputs: 0, failures: [], slowest: { name: '', ms: 0 } };
  const record = (name: string, r: { problem?: string; ms: number }): void => {
    outcome.inputs++;
    if (r.problem) outcome.failures.push(r.problem);
    if (r.ms > outcome.slowest.ms) outcome.slowest = { name, ms: r.ms };
  };
  for (const [file, content] of Object.entries(PATHOLOGICAL)) record(file, await scanBeside(file, { [file]: content }, budgetMs));
  for (let i = 0; i < mutants; i++) {
    const random = seededRandom(seed + i);
    const source = sources[Math.floor(random() * sources.length)];
    if (i % 10 === 9) {
      const name = `damaged cache seed=${seed + i}`;
      record(name, await scanBeside(name, { 'other.py': source }, budgetMs, (cacheDir) => damageCacheFile(cacheDir, random)));
      continue;
    }
    const mutation = names[Math.floor(random() * names.length)];
    const name = `mutant seed=${seed + i} (${mutation})`;
    record(name, await scanBeside(name, { 'mutant.py': MUTATIONS[mutation](source, random) }, budgetMs));
  }
  return outcome;
}

if (require.main === module) {
  const mutants = Number(process.argv[2] ?? 2000);
  void fuzz(path.resolve('fixtures'), mutants).then((o) => {
    process.stdout.write(`${o.inputs} inputs, ${o.failures.length} failures; slowest ${o.slowest.name} ${o.slowest.ms} ms\n`);
    for (const f of o.failures) process.stdout.write(`  ${f}\n`);
    process.exitCode = o.failures.length ? 1 : 0;
  });
}
