/** Parsing on worker threads: the same report whatever the number of jobs, skipped files and crashed workers included. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { discover } from '../src/discover';
import { projectContext } from '../src/project-context';
import { DEFAULT_MAX_FILE_BYTES, parseFile } from '../src/parse';
import { compacted, factsFromJson, factsJson, type ModuleFacts, type PlaceMetAgain } from '../src/python/ir';
import { parseFiles } from '../src/parse-pool';
import { scan } from '../src/scan';
import { jsonReport } from '../src/report/json';
import { ROOT } from './support/run-cli';

beforeAll(() => process.chdir(ROOT));
afterEach(() => jest.restoreAllMocks());

/** Scans with this many jobs; also tells which workers were sent batches, to prove they ran. */
async function scanWith(dir: string, jobs: number, parseAll = false): Promise<{ report: string; warnings: string[]; workers: Worker[]; messages: number }> {
  const posted = jest.spyOn(Worker.prototype, 'postMessage');
  const warnings: string[] = [];
  const result = await scan({ paths: [dir], jobs, parseAll, maxFileBytes: 1024 * 1024, onWarning: (w) => warnings.push(w) });
  const workers = [...new Set(posted.mock.contexts)];
  const messages = posted.mock.calls.length;
  posted.mockRestore();
  return { report: jsonReport(result, dir), warnings, workers, messages };
}

test('the JSON report of all fixtures as one scan is byte-identical for 1, 2 and 3 jobs', async () => {
  jest.spyOn(os, 'availableParallelism').mockReturnValue(4); // jobs are capped at the cores: allow 3 on any machine
  const files = (await discover(projectContext(['fixtures']), [])).files.length;
  const one = await scanWith('fixtures', 1);
  expect(one.workers).toEqual([]);
  expect(JSON.parse(one.report).routes.length).toBeGreaterThan(100);
  for (const jobs of [2, 3]) {
    const many = await scanWith('fixtures', jobs);
    expect(many.workers).toHaveLength(jobs - 1); // this thread is one of the jobs
    expect(many.messages).toBeLessThan(files / 4); // batches, not a message per file
    expect(many.workers.map((w) => w.threadId)).toEqual(many.workers.map(() => -1)); // all terminated
    expect(many.report).toBe(one.report);
    expect(many.warnings).toEqual(one.warnings);
  }
});

test('jobs are capped at the available cores', async () => {
  jest.spyOn(os, 'availableParallelism').mockReturnValue(3);
  expect((await scanWith('fixtures', 10_000)).workers).toHaveLength(2);
});

test('by default one core is left to V8 and file reads: no worker on two cores, two on four', async () => {
  const workersWith = async (cores: number): Promise<number> => {
    jest.spyOn(os, 'availableParallelism').mockReturnValue(cores);
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    await scan({ paths: ['fixtures'] });
    const workers = new Set(posted.mock.contexts).size;
    jest.restoreAllMocks();
    return workers;
  };
  expect(await workersWith(2)).toBe(0);
  expect(await workersWith(4)).toBe(2);
});

test('files skipped in a worker are listed with the same reasons as with one job', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-pool-'));
  try {
    for (let i = 0; i < 60; i++) writeFileSync(path.join(dir, `m${i}.py`), `from flask import Flask\napp = Flask(__name__)\n\n@app.route("/r${i}")\ndef r${i}():\n    return "ok"\n`);
    writeFileSync(path.join(dir, 'm30_binary.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
    writeFileSync(path.join(dir, 'm31_huge.py'), 'x = 1\n'.repeat(200_000));
    writeFileSync(path.join(dir, 'm32_latin.py'), Buffer.from('# -*- coding: latin-1 -*-\nname = "caf\xe9"\n', 'latin1'));
    writeFileSync(path.join(dir, 'm33_broken.py'), 'def broken(:\n');
    // Every file parsed: the broken and the Latin-1 one are linked to nothing the analysis reaches.
    const one = await scanWith(dir, 1, true);
    const two = await scanWith(dir, 2, true);
    expect(two.workers).toHaveLength(1);
    expect(JSON.parse(one.report).skipped).toEqual([
      { file: 'm30_binary.py', reason: 'binary file (contains NUL bytes)' },
      { file: 'm31_huge.py', reason: 'larger than 1.0 MB (1.1 MB)' },
      { file: 'm33_broken.py', reason: 'syntax error at line 1; analysed with error recovery, routes after it may be missed', partial: true },
    ]);
    expect(one.warnings).toContain('m32_latin.py: decoded as latin-1 (its coding line)');
    expect(two.report).toBe(one.report);
    expect(two.warnings).toEqual(one.warnings);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a crashed worker loses no file: its batch is parsed again on the main thread', async () => {
  const { root, files } = await discover(projectContext(['fixtures']), []);
  const options = { maxFileBytes: DEFAULT_MAX_FILE_BYTES };
  const expected = await parseFiles(root, files, { ...options, jobs: 1 });
  const postMessage = Worker.prototype.postMessage;
  // The first batch is replaced by a message the worker cannot handle: it throws and the worker ends.
  jest.spyOn(Worker.prototype, 'postMessage').mockImplementationOnce(function (this: Worker) {
    postMessage.call(this, null);
  });
  const warnings: string[] = [];
  const outcomes = await parseFiles(root, files, { ...options, jobs: 2, onWarning: (w) => warnings.push(w) });
  expect(warnings).toEqual(["parse worker stopped (Cannot read properties of null (reading 'map')); its files are parsed on the main thread"]);
  expect(outcomes).toEqual(expected);
});

test('when the scan fails, busy workers finish their batch and all are terminated without aborting the process', async () => {
  // Long comment-only files keep the workers inside tree-sitter's parse most of the time, where terminating one would abort.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-pool-'));
  try {
    const files = Array.from({ length: 60 }, (_, i) => `c${i}.py`);
    for (const file of files) writeFileSync(path.join(dir, file), '# a comment line of some length, repeated\n'.repeat(5_000));
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    const failing = parseFiles(dir, files, {
      maxFileBytes: DEFAULT_MAX_FILE_BYTES,
      jobs: 2,
      onProgress: () => {
        throw new Error('stop here');
      },
    });
    await expect(failing).rejects.toThrow('stop here');
    const workers = [...new Set(posted.mock.contexts)];
    expect(workers).toHaveLength(1);
    expect(workers.map((w) => w.threadId)).toEqual([-1]);
    expect(posted.mock.calls).toHaveLength(1); // no batch handed out after the failure
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Distinct objects and non-empty lists in a value, and how many times they are met. */
function objectsIn(value: unknown, seen = new Set<object>()): { met: number; distinct: number } {
  let met = 0;
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || (Array.isArray(v) && !v.length)) return;
    met++;
    if (seen.has(v)) return;
    seen.add(v);
    for (const inner of Object.values(v)) visit(inner);
  };
  visit(value);
  return { met, distinct: seen.size };
}

test('facts sent as JSON come back with the objects they share shared, texts in the scan\'s table, empty lists one frozen list, as this thread keeps them', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-facts-'));
  try {
    writeFileSync(path.join(dir, 'chain.py'), 'def rows(session, name):\n    found = session.query(Item).filter(Item.name == name).order_by(Item.created_at_timestamp).limit(10).all()\n    return [r.to_dict() for r in found]\n');
    const parsed = (): ModuleFacts => {
      const outcome = parseFile(dir, 'chain.py');
      if (!outcome.ok) throw new Error(outcome.reason);
      return outcome.facts;
    };
    const facts = parsed();
    const text = factsJson(facts);
    const texts = new Map<string, string>();
    const read = factsFromJson(text, texts);
    expect(read).toEqual(facts);
    // Texts of up to 10 characters JSON.parse already gives as one string each (see the test below).
    expect([...texts.keys()]).toEqual(expect.arrayContaining(['created_at_timestamp']));
    expect([...texts.keys()]).not.toContain('session');
    // Each link of the chain holds the links before it: plain JSON copies them, factsJson writes them once.
    const shared = objectsIn(facts);
    expect(shared.distinct).toBeLessThan(shared.met);
    expect(objectsIn(read)).toEqual(shared);
    const copied = objectsIn(JSON.parse(JSON.stringify(facts)));
    expect(copied.distinct).toBe(copied.met);
    expect(copied.distinct).toBeGreaterThan(shared.distinct);
    expect(text.length).toBeLessThan(JSON.stringify(facts).length);
    expect(read.classes).toEqual([]);
    expect(Object.isFrozen(read.classes)).toBe(true);
    expect(read.classes).toBe(read.directives);
    // What this thread keeps of facts it parsed writes the text a worker sends (the cache and its digests see no lane).
    // Compacting finds the places met again as factsJson would; writing puts them back as they were.
    const metAgain: PlaceMetAgain[] = [];
    const kept = compacted(parsed(), { trim: true, metAgain });
    expect(metAgain.length).toBe(shared.met - shared.distinct);
    expect(factsJson(kept, metAgain)).toBe(text);
    expect(factsJson(kept)).toBe(text);
    expect(kept).toEqual(facts);
    expect(objectsIn(kept)).toEqual(shared);
    expect(factsJson(read)).toBe(text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a body call\'s callee and first argument are the objects the body\'s statements hold, unless the depth bound cuts one of them short', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-facts-'));
  try {
    // 200 parentheses: read for the body's calls (from depth 0) the name inside is kept; as the callee of the
    // statement's call (from depth 1), the depth bound stops one short of it.
    const deep = `${'('.repeat(200)}handler${')'.repeat(200)}`;
    writeFileSync(path.join(dir, 'views.py'), `from helpers import handler\n\n\ndef view(request):\n    audit.log(request.user, "seen")\n    result = ${deep}(request)\n`);
    const outcome = parseFile(dir, 'views.py');
    if (!outcome.ok) throw new Error(outcome.reason);
    const { calls, bindings, functions } = outcome.facts;
    const [audit, handler] = functions[0].calls;
    const statement = calls.find((c) => c.call.fn.k === 'attr')!.call;
    expect(audit.fn).toBe(statement.fn);
    expect(audit.arg0).toBe(statement.args[0]);
    const assigned = bindings[functions[0].bodyScope].find((b) => b.name === 'result')!;
    const value = assigned.kind === 'assign' ? assigned.value : undefined;
    expect(handler.fn).toEqual(expect.objectContaining({ k: 'name', id: 'handler' }));
    expect(value).toEqual(expect.objectContaining({ k: 'call', fn: expect.objectContaining({ k: 'other', text: '…' }) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JSON.parse gives a text of up to 10 characters as one string however often it occurs, so facts read from JSON need no table for them', () => {
  // In a process of its own, for an exact heap after collections.
  const script = `
    const kept = (text) => {
      const json = JSON.stringify(Array(100000).fill(text));
      gc();
      const before = process.memoryUsage().heapUsed;
      globalThis.list = JSON.parse(json);
      gc();
      return (process.memoryUsage().heapUsed - before) / 100000;
    };
    console.log(JSON.stringify({ shared: kept('abcdefghi' + String(Math.random()).slice(2, 3)), copied: kept('abcdefghij' + String(Math.random()).slice(2, 3)) }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const { shared, copied } = JSON.parse(r.stdout) as { shared: number; copied: number };
  expect(shared).toBeLessThan(12); // the list's slot for it
  expect(copied).toBeGreaterThan(24); // a string of its own per occurrence: the measure sees copies
});

test('facts this thread parsed keep no part of their source alive: long texts are copies of their own', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-slices-'));
  try {
    // A text met once, then 3.6 MB of comment: a text kept as a slice of the source keeps it all. The comment
    // dwarfs the heap's own noise of some 100 kB.
    writeFileSync(path.join(dir, 'big.py'), `value = "a text long enough to be a slice"\n# ${'padding '.repeat(450_000)}\n`);
    // In a process of its own, for an exact heap after collections; the build (as the parse workers use it).
    const script = `
      const { parseFile } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'parse.js'))});
      const { compacted } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'python', 'ir.js'))});
      const kept = (trim) => {
        gc();
        const before = process.memoryUsage().heapUsed;
        globalThis.facts = compacted(parseFile(${JSON.stringify(dir)}, 'big.py', 1 << 22).facts, { trim });
        gc();
        return process.memoryUsage().heapUsed - before;
      };
      const untrimmed = kept(false);
      globalThis.facts = undefined;
      console.log(JSON.stringify({ untrimmed, trimmed: kept(true) }));`;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const { untrimmed, trimmed } = JSON.parse(r.stdout) as { untrimmed: number; trimmed: number };
    expect(untrimmed).toBeGreaterThan(3_000_000); // the measure sees a kept source
    expect(trimmed).toBeLessThan(500_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
