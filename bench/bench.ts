/**
 * `npm run bench [-- --service N] [-- PROJECT...]`: what users scan. A generated service of N modules (default
 * 1000) where every module is reachable, then each project given (scanned from a copy, which the bench edits):
 * tree-sitter parse-only time on one thread, the cold scan, a warm scan with nothing changed, one after adding a
 * comment to a file and one after editing its code, one edit seen by `scan --watch` (a process that scanned before, with
 * its facts kept), their ratios and each phase's peak RSS (each phase in its own process). Ratios are measured
 * in one run; absolute times on shared machines vary 15–25 %. `--memory 1000,5000,20000`: peak RSS as the
 * service grows; `--synthetic 1000,10000`: scan time as the route count grows.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { discover, RACY_MS } from '../src/discover';
import { projectContext } from '../src/project-context';
import { pythonParser } from '../src/parse';
import { KeptFacts, scan, scanProject } from '../src/scan';
import { boundHeapGrowth } from '../src/heap';
import { writeSyntheticCorpus } from './synthetic';
import { writeSyntheticService } from './service';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';

interface PhaseResult {
  files: number;
  bytes: number;
  seconds: number;
  maxRssMb: number;
  routes?: number;
  firstRouteFile?: string; // a file declaring a route: the one the bench edits
}

async function parseOnly(dir: string): Promise<PhaseResult> {
  const { root, files } = await discover(projectContext([dir]), []);
  const parser = pythonParser();
  let bytes = 0;
  let seconds = 0;
  for (const file of files) {
    const text = await fs.readFile(path.join(root, file), 'latin1'); // decoding is not what we time
    bytes += Buffer.byteLength(text, 'latin1');
    const start = process.hrtime.bigint();
    parser.parse(text);
    seconds += Number(process.hrtime.bigint() - start) / 1e9;
  }
  return { files: files.length, bytes, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function fullScan(dir: string, options: { cacheDir?: string; parseAll: boolean; jobs?: number; keptFacts?: KeptFacts }): Promise<PhaseResult> {
  const start = process.hrtime.bigint();
  const result = await scan({ paths: [dir], ...options });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { files: result.stats.filesScanned, bytes: 0, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, routes: result.routes.length, firstRouteFile: result.routes[0] && path.join(path.relative(dir, result.root), result.routes[0].file) };
}

/**
 * What `scan --watch` does after an edit: one process scans (reading every module's facts, kept), then again after
 * `edited` changes; the second scan is timed.
 */
async function watchedEdit(dir: string, options: { cacheDir: string; parseAll: boolean }, edited: string): Promise<PhaseResult> {
  const keptFacts = new KeptFacts();
  await scanProject({ paths: [dir], ...options, keptFacts });
  appendFileSync(path.join(dir, edited), 'WATCHED_BY_BENCH = 1\n');
  return fullScan(dir, { ...options, keptFacts });
}

/** Runs a phase in a fresh process: `parse`, or `scan` with an optional cache directory and `--parse-all`. */
function runPhase(phase: string, dir: string, ...options: string[]): PhaseResult {
  const r = spawnSync(process.execPath, [__filename, '--phase', phase, dir, ...options], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${phase} phase failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PhaseResult;
}

/** A copy of a real project to edit, without what the scan never reads (VCS data, node_modules, virtualenvs). */
function copyProject(dir: string, into: string): string {
  const skipped = new Set(['.git', 'node_modules', '.venv', 'venv', '.tox', '.apiposture-cache']);
  cpSync(dir, into, { recursive: true, filter: (source) => !skipped.has(path.basename(source)) });
  return into;
}

/** Scans one tree the way a user's day goes: cold, again with nothing changed, again after editing one file. */
function measure(label: string, dir: string, cacheDir: string): void {
  const parsed = runPhase('parse', dir);
  // Files written within RACY_MS of a scan are hashed again by the next: measure a tree as users have it, settled.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RACY_MS + 100);
  const cold = runPhase('scan', dir, cacheDir, '--parse-all');
  const warm = runPhase('scan', dir, cacheDir, '--parse-all');
  const edited = cold.firstRouteFile ? path.join(dir, cold.firstRouteFile) : undefined;
  // A comment leaves the file's facts as they were, so the stored result answers; a new name is a code edit.
  if (edited) appendFileSync(edited, '\n# a comment added by npm run bench\n');
  const afterComment = runPhase('scan', dir, cacheDir, '--parse-all');
  if (edited) appendFileSync(edited, 'EDITED_BY_BENCH = 1\n');
  const afterEdit = runPhase('scan', dir, cacheDir, '--parse-all');
  const watched = cold.firstRouteFile ? runPhase('watch', dir, cacheDir, '--parse-all', cold.firstRouteFile) : undefined;
  const ratio = (a: number, b: number): string => (a / b).toFixed(2);
  const rows: [string, string][] = [
    ['files, MB', `${parsed.files}, ${(parsed.bytes / 1048576).toFixed(1)}`],
    ['parse-only s (tree-sitter, 1 thread)', parsed.seconds.toFixed(2)],
    ['cold scan s (every file parsed)', `${cold.seconds.toFixed(2)}  = ${ratio(cold.seconds, parsed.seconds)} × parse-only`],
    ['warm scan s, nothing changed', `${warm.seconds.toFixed(2)}  = ${ratio(warm.seconds, cold.seconds)} × cold`],
    [`warm scan s, a comment added to one file${edited ? '' : ' (no route file)'}`, `${afterComment.seconds.toFixed(2)}  = ${ratio(afterComment.seconds, cold.seconds)} × cold`],
    [`warm scan s, one file's code edited${edited ? '' : ' (no route file)'}`, `${afterEdit.seconds.toFixed(2)}  = ${ratio(afterEdit.seconds, cold.seconds)} × cold`],
    ['scan --watch s, one file\'s code edited', watched ? `${watched.seconds.toFixed(2)}  = ${ratio(watched.seconds, cold.seconds)} × cold` : '(no route file)'],
    ['peak RSS MB: parse-only, cold, warm, edited, watch', [parsed, cold, warm, afterEdit, watched].map((p) => p?.maxRssMb.toFixed(0) ?? '-').join(', ')],
    ['routes', `${cold.routes ?? 0} (warm ${warm.routes ?? 0}, comment ${afterComment.routes ?? 0}, edited ${afterEdit.routes ?? 0}, watch ${watched?.routes ?? '-'})`],
  ];
  process.stdout.write(`${label}\n${rows.map(([k, v]) => `  ${k.padEnd(52)} ${v}`).join('\n')}\n`);
  if ([warm, afterComment, afterEdit, watched ?? cold].some((r) => r.routes !== cold.routes)) process.exitCode = 1; // a cache must never change the report
}

async function mainBench(argv: string[]): Promise<void> {
  const phaseIndex = argv.indexOf('--phase');
  if (phaseIndex >= 0) {
    const [phase, dir, cacheDir, , edited] = argv.slice(phaseIndex + 1);
    if (phase !== 'parse') boundHeapGrowth(); // as the command does
    const jobs = argv.includes('--one-job') ? 1 : undefined;
    const parseAll = argv.includes('--parse-all');
    const result = phase === 'parse' ? await parseOnly(dir) : phase === 'watch' ? await watchedEdit(dir, { cacheDir, parseAll }, edited) : await fullScan(dir, { cacheDir: cacheDir || undefined, parseAll, jobs });
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const value = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const synthetic = value('--synthetic');
  if (synthetic) return syntheticBench(synthetic.split(',').map(Number));
  const memory = value('--memory');
  if (memory) return memoryCurve(memory.split(',').map(Number));
  const optionValues = new Set([value('--service')]);
  const projects = argv.filter((a) => !a.startsWith('-') && !optionValues.has(a));
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'apiposture-bench-'));
  try {
    const modules = Number(value('--service') ?? 1000);
    const routes = writeSyntheticService(path.join(scratch, 'service'), modules);
    measure(`generated service: ${modules} modules, every one reachable, ${routes} routes`, path.join(scratch, 'service'), path.join(scratch, 'cache-service'));
    projects.forEach((dir, i) => measure(dir, copyProject(dir, path.join(scratch, `project-${i}`)), path.join(scratch, `cache-${i}`)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Peak memory as the service grows: it should grow at most linearly with the modules. */
function memoryCurve(sizes: number[]): void {
  process.stdout.write(`${'modules'.padStart(8)} ${'files'.padStart(7)} ${'MB'.padStart(6)} ${'cold scan s'.padStart(12)} ${'peak RSS MB'.padStart(12)} ${'KB/module'.padStart(10)}\n`);
  for (const size of sizes) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-memory-'));
    try {
      writeSyntheticService(dir, size);
      const parsed = runPhase('parse', dir);
      const r = runPhase('scan', dir, '', '--parse-all');
      process.stdout.write(`${String(size).padStart(8)} ${String(r.files).padStart(7)} ${(parsed.bytes / 1048576).toFixed(1).padStart(6)} ${r.seconds.toFixed(2).padStart(12)} ${r.maxRssMb.toFixed(0).padStart(12)} ${((r.maxRssMb * 1024) / size).toFixed(0).padStart(10)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Scan time as the route count grows: it should grow linearly (time per 1,000 routes stays flat). */
function syntheticBench(sizes: number[]): void {
  process.stdout.write(`${'routes'.padStart(8)} ${'found'.padStart(8)} ${'files'.padStart(7)} ${'scan s'.padStart(8)} ${'s/1k routes'.padStart(12)} ${'peak RSS MB'.padStart(12)}\n`);
  for (const size of sizes) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-synthetic-'));
    try {
      const routes = writeSyntheticCorpus(dir, size);
      const r = runPhase('scan', dir);
      const perThousand = (r.seconds / routes) * 1000;
      process.stdout.write(`${String(routes).padStart(8)} ${String(r.routes).padStart(8)} ${String(r.files).padStart(7)} ${r.seconds.toFixed(2).padStart(8)} ${perThousand.toFixed(3).padStart(12)} ${r.maxRssMb.toFixed(0).padStart(12)}\n`);
      if (r.routes !== routes) process.exitCode = 1; // the scan must find every generated route
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

mainBench(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 2;
});
