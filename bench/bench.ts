/**
 * `npm run bench [dir]`: tree-sitter parse-only time vs full-scan time (default jobs, and one job) on the same
 * files, each phase in its own process so peak RSS is its own. Default corpus: the standard library of the `python3` on PATH.
 * Prints ratios measured in one run; absolute times on shared machines vary 15–25 %.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { discover } from '../src/discover';
import { projectContext } from '../src/project-context';
import { pythonParser } from '../src/parse';
import { scan } from '../src/scan';
import { writeSyntheticCorpus } from './synthetic';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';

interface PhaseResult {
  files: number;
  bytes: number;
  seconds: number;
  maxRssMb: number;
  routes?: number;
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

async function fullScan(dir: string, options: { cacheDir?: string; parseAll: boolean; jobs?: number }): Promise<PhaseResult> {
  const start = process.hrtime.bigint();
  const result = await scan({ paths: [dir], ...options });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { files: result.stats.filesScanned, bytes: 0, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, routes: result.routes.length };
}

/** Runs a phase in a fresh process: `parse`, or `scan` with an optional cache directory and `--parse-all`. */
function runPhase(phase: string, dir: string, ...options: string[]): PhaseResult {
  const r = spawnSync(process.execPath, [__filename, '--phase', phase, dir, ...options], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${phase} phase failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PhaseResult;
}

function defaultCorpus(): string {
  return execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])'], { encoding: 'utf8' }).trim();
}

async function mainBench(argv: string[]): Promise<void> {
  const phaseIndex = argv.indexOf('--phase');
  if (phaseIndex >= 0) {
    const [phase, dir, cacheDir] = argv.slice(phaseIndex + 1);
    const jobs = argv.includes('--one-job') ? 1 : undefined;
    const result = phase === 'parse' ? await parseOnly(dir) : await fullScan(dir, { cacheDir: cacheDir || undefined, parseAll: argv.includes('--parse-all'), jobs });
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const synthetic = argv.indexOf('--synthetic');
  if (synthetic >= 0) return syntheticBench((argv[synthetic + 1] ?? '1000,10000').split(',').map(Number));
  const dir = argv.find((a) => !a.startsWith('-')) ?? defaultCorpus();
  process.stderr.write(`corpus: ${dir}\n`);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-bench-cache-'));
  try {
    const parsed = runPhase('parse', dir);
    // Each mode scans twice with its own cache: cold (empty cache), then warm (the tree unchanged).
    const [short, all] = [[], ['--parse-all']].map((flags, i) => {
      const modeCache = path.join(cacheDir, String(i));
      return { cold: runPhase('scan', dir, modeCache, ...flags), warm: runPhase('scan', dir, modeCache, ...flags) };
    });
    const oneJob = runPhase('scan', dir, path.join(cacheDir, 'one-job'), '--parse-all', '--one-job');
    const jobs = os.availableParallelism();
    const rows: [string, string][] = [
      ['files', String(parsed.files)],
      ['MB', (parsed.bytes / 1048576).toFixed(1)],
      ['parse-only s (tree-sitter, 1 thread)', parsed.seconds.toFixed(2)],
      [`full scan s, ${jobs} jobs: cold, warm cache`, `${short.cold.seconds.toFixed(2)}, ${short.warm.seconds.toFixed(2)}`],
      ['ratio full scan (cold) / parse-only', (short.cold.seconds / parsed.seconds).toFixed(2)],
      ['ratio warm / cold', (short.warm.seconds / short.cold.seconds).toFixed(2)],
      [`--parse-all s, ${jobs} jobs: cold, warm`, `${all.cold.seconds.toFixed(2)}, ${all.warm.seconds.toFixed(2)}`],
      ['ratio --parse-all (cold) / parse-only', (all.cold.seconds / parsed.seconds).toFixed(2)],
      ['ratio --parse-all warm / cold', (all.warm.seconds / all.cold.seconds).toFixed(2)],
      ['--parse-all s, 1 job: cold', oneJob.seconds.toFixed(2)],
      ['speed-up from parse workers', (oneJob.seconds / all.cold.seconds).toFixed(2)],
      ['peak RSS MB: parse-only', parsed.maxRssMb.toFixed(0)],
      ['peak RSS MB: full scan cold, warm', `${short.cold.maxRssMb.toFixed(0)}, ${short.warm.maxRssMb.toFixed(0)}`],
      ['peak RSS MB: --parse-all cold, warm', `${all.cold.maxRssMb.toFixed(0)}, ${all.warm.maxRssMb.toFixed(0)}`],
      ['routes found: full scan, --parse-all', `${short.cold.routes ?? 0}, ${all.cold.routes ?? 0}`],
    ];
    for (const [label, value] of rows) process.stdout.write(`${label.padEnd(42)} ${value}\n`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
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
