/** `scan --watch`: facts kept in memory from one scan to the next, and the reports it prints after each change. */
import { spawn } from 'node:child_process';
import fs, { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScanCache } from '../src/cache';
import { KeptFacts, scan, scanProject } from '../src/scan';
import { jsonReport } from '../src/report/json';
import { ProjectWatcher } from '../src/watch';
import { ROOT, spawnCli } from './support/run-cli';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'apiposture-watch-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const ADDED_ROUTE = '\n\n@admin_app.route("/added")\ndef added():\n    return "added"\n';

/** A copy of a fixture to edit, and a cache folder beside it. */
function copyOf(fixture: string): { app: string; cacheDir: string } {
  const app = path.join(dir, 'app');
  cpSync(path.join(ROOT, 'fixtures', fixture), app, { recursive: true });
  return { app, cacheDir: path.join(dir, 'cache') };
}

test('a scan with kept facts reads from the cache only the edited module, and reports what a fresh scan does', async () => {
  const { app, cacheDir } = copyOf('flask/service');
  const keptFacts = new KeptFacts();
  await scanProject({ paths: [app], cacheDir, keptFacts });
  appendFileSync(path.join(app, 'svc', 'admin.py'), ADDED_ROUTE);
  const read = jest.spyOn(ScanCache.prototype, 'moduleFacts');
  const again = jsonReport(await scan({ paths: [app], cacheDir, keptFacts }), app);
  expect(read).not.toHaveBeenCalled(); // the edited module is parsed, the others were kept
  const fresh = jsonReport(await scan({ paths: [app] }), app);
  expect(again).toEqual(fresh);
  expect(again).toContain('/added');
});

test('kept facts are those of the file as it is: an edit back to an earlier content is read, not the facts kept before it', async () => {
  const { app, cacheDir } = copyOf('flask/service');
  const edited = path.join(app, 'svc', 'admin.py');
  const original = readFileSync(edited, 'utf8');
  const keptFacts = new KeptFacts();
  await scanProject({ paths: [app], cacheDir, keptFacts });
  writeFileSync(edited, original + ADDED_ROUTE);
  await scan({ paths: [app], cacheDir, keptFacts });
  writeFileSync(edited, original);
  const back = jsonReport(await scan({ paths: [app], cacheDir, keptFacts }), app);
  expect(back).toEqual(jsonReport(await scan({ paths: [app] }), app));
  expect(back).not.toContain('/added');
});

/** Runs `scan --watch`; `untilWatching(n)` waits for the n-th "watching" line, `stop()` ends it with Ctrl-C. */
function watching(args: string[]) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'apiposture'), 'scan', ...args, '--watch'], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    waiters.forEach((w) => w());
  });
  const scans = (): number => stderr.split('\n').filter((l) => l.startsWith('apiposture: watching ')).length;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    untilWatching: (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => void (scans() >= n && resolve());
        waiters.push(check);
        check();
      }),
    scans,
    output: () => ({ stdout, stderr }),
    stop: async (): Promise<number | null> => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

test('scan --watch prints a report, then a new one after an edit, as a fresh scan gives it; Ctrl-C ends it with the last scan\'s exit code', async () => {
  const { app, cacheDir } = copyOf('flask/shop');
  const watch = watching([app, '-f', 'json', '--cache-dir', cacheDir]);
  try {
    await watch.untilWatching(1);
    const source = path.join(app, 'app.py');
    writeFileSync(source, readFileSync(source, 'utf8').replace('@limiter.limit("5/minute")\n', ''));
    await watch.untilWatching(2);
    const { stdout, stderr } = watch.output();
    expect(stderr).toContain(`${path.relative(ROOT, source)} changed, scanning again`);
    const [first, second] = stdout.split(/\n(?=\{)/);
    const loginLimits = (report: string): string[] => JSON.parse(report).routes.find((r: { path: string }) => r.path === '/login').limits.map((l: { rate: string }) => l.rate);
    expect(loginLimits(first)).toEqual(['5/minute']);
    expect(loginLimits(second)).toEqual(['200/day', '50/hour']); // the app's defaults, once its own limit is gone
    expect(second.trim()).toEqual(spawnCli([app, '-f', 'json', '--no-cache']).stdout.trim());
  } finally {
    expect(await watch.stop()).toBe(1); // findings at or above warning
  }
}, 60_000);

test('scan --watch does not wake for its own writes: the cache and a report file inside the project', async () => {
  const { app } = copyOf('flask/shop');
  const watch = watching([app, '-f', 'json', '-o', path.join(app, 'report.json'), '--cache-dir', path.join(app, 'own-cache')]);
  try {
    await watch.untilWatching(1);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // several times the time changes take to settle
    expect(watch.scans()).toBe(1);
    expect(JSON.parse(readFileSync(path.join(app, 'report.json'), 'utf8')).routes.length).toBeGreaterThan(0);
  } finally {
    await watch.stop();
  }
}, 60_000);

test('folders that cannot be watched are named with why, and changes elsewhere are still seen', async () => {
  for (const folder of ['app', 'full', '.git', '.github', 'app/.hidden', 'node_modules']) mkdirSync(path.join(dir, folder));
  const { watch } = fs;
  const watched: string[] = [];
  jest.spyOn(fs, 'watch').mockImplementation(((folder: string, listener: fs.WatchListener<string>) => {
    if (folder.endsWith('full')) throw Object.assign(new Error('no space left'), { code: 'ENOSPC' });
    watched.push(path.relative(dir, folder));
    return watch(folder, listener);
  }) as typeof fs.watch);
  const watcher = new ProjectWatcher(dir, new Set());
  try {
    expect(watcher.refresh()).toBe('1 (ENOSPC: the limit fs.inotify.max_user_watches reached) folders of the project cannot be watched: changes there are not seen');
    // No scan reads .git, node_modules or hidden folders below the root; deployment files are looked for in .github.
    expect(watched.sort()).toEqual(['', '.github', 'app']);
    const changed = watcher.nextChange();
    writeFileSync(path.join(dir, 'app', 'views.py'), 'x = 1\n');
    expect(await changed).toBe(path.join(dir, 'app', 'views.py'));
  } finally {
    watcher.close();
  }
});
