/** `scan --watch`: facts kept in memory from one scan to the next, and the reports it prints after each change. */
import { spawn } from 'node:child_process';
import fs, { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
function watching(args: string[], cwd = ROOT) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'apiposture'), 'scan', ...args, '--watch'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    waiters.forEach((w) => w());
  });
  const scans = (): number => stderr.split('\n').filter((l) => l.startsWith('apiposture: watching ')).length;
  // stdout and stderr are two pipes: a scan's report may come in after its "watching" line.
  const reports = (): string[] => stdout.split(/\n(?=\{)/).filter((report) => report.trim().endsWith('}'));
  const reportsOnStdout = !args.includes('-o');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    untilWatching: (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => void (scans() >= n && (!reportsOnStdout || reports().length >= n) && resolve());
        waiters.push(check);
        check();
      }),
    scans,
    output: () => ({ reports: reports(), stderr }),
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
    const { reports, stderr } = watch.output();
    expect(stderr).toContain(`${path.relative(ROOT, source)} changed, scanning again`);
    const [first, second] = reports;
    const loginLimits = (report: string): string[] => JSON.parse(report).routes.find((r: { path: string }) => r.path === '/login').limits.map((l: { rate: string }) => l.rate);
    expect(loginLimits(first)).toEqual(['5/minute']);
    expect(loginLimits(second)).toEqual(['200/day', '50/hour']); // the app's defaults, once its own limit is gone
    expect(second.trim()).toEqual(spawnCli([app, '-f', 'json', '--no-cache']).stdout.trim());
  } finally {
    expect(await watch.stop()).toBe(1); // findings at or above warning
  }
}, 60_000);

test('scan --watch does not wake for its own writes: the cache and a report file inside the project, also named through a link', async () => {
  const { app } = copyOf('flask/shop');
  const link = path.join(dir, 'link');
  symlinkSync(app, link);
  const watch = watching([link, '-f', 'json', '-o', 'report.json', '--cache-dir', 'own-cache'], app);
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

/** What nextChange answers within `ms`, or 'nothing'. */
function changeWithin(watcher: ProjectWatcher, ms: number): Promise<string> {
  return Promise.race([watcher.nextChange(), new Promise<string>((resolve) => setTimeout(() => resolve('nothing'), ms))]);
}

test('a folder removed and made again is watched anew, and folders outside the root are watched when named', async () => {
  for (const folder of ['project/app', 'project/build', 'above']) mkdirSync(path.join(dir, folder), { recursive: true });
  const project = path.join(dir, 'project');
  const watcher = new ProjectWatcher(project, [], [path.join(project, 'build'), path.join(dir, 'above')]);
  try {
    watcher.refresh();
    rmSync(path.join(project, 'app'), { recursive: true });
    mkdirSync(path.join(project, 'app'));
    expect(await changeWithin(watcher, 5000)).toContain(path.join(project, 'app')); // the folder, or a name its old watch gives
    watcher.refresh();
    for (const file of ['app/views.py', 'build/given.py', '../above/.apiposture.toml']) {
      const changed = changeWithin(watcher, 5000);
      writeFileSync(path.join(project, file), 'x = 1\n');
      expect(await changed).toBe(path.resolve(project, file));
    }
  } finally {
    watcher.close();
  }
});

test('changes that never stop still wake the watch within two seconds', async () => {
  mkdirSync(path.join(dir, 'app'));
  const watcher = new ProjectWatcher(dir, []);
  const log = path.join(dir, 'app', 'server.log');
  const writing = setInterval(() => appendFileSync(log, 'line\n'), 50);
  try {
    watcher.refresh();
    const started = Date.now();
    expect(await changeWithin(watcher, 5000)).toBe(log);
    expect(Date.now() - started).toBeLessThan(3000);
  } finally {
    clearInterval(writing);
    watcher.close();
  }
});
