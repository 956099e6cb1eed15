/**
 * `npm run corpus -- [--mirrors DIR] [--only name,...] [--out FILE.md]`: scans the real-world apps of
 * `bench/corpus.json` at their pinned commits, the way a user would (the built CLI, from the given folder),
 * and prints one Markdown row per scan, ending with the digest of its JSON report (so that a diff against the
 * committed table shows every report that changed). Each app is exported from its mirror (`git archive`, no network) into
 * a temporary tree that is removed afterwards. Mirrors are bare git directories: DIR/owner+name/repo (or
 * DIR/owner+name), as the fetch tool leaves them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reportDigest } from './report-digest';

interface Scan {
  cwd: string;
  paths: string[];
}

interface App {
  repo: string;
  commit: string;
  framework: string;
  layout: string;
  scans: Scan[];
}

interface Row {
  app: string;
  scan: string;
  exit: string;
  files?: number;
  routes?: number;
  unknownPath?: number;
  byStatus?: Record<string, number>;
  sites?: number;
  unresolvedSites?: number;
  outside?: number;
  seconds: number;
  rssMb?: number;
  digest?: string; // of the JSON report: a changed report shows in the table's diff
}

const projectRoot = path.resolve(__dirname, '..', '..');
const statuses = ['limited', 'partial', 'unlimited', 'exempt', 'unknown'];
const timeBinary = '/usr/bin/time';

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** A mirror's git directory: `repo` (bare), `repo/.git` (some snapshots come with a work tree), or the folder itself. */
function gitDirOf(mirrors: string, repo: string): string {
  const base = path.join(mirrors, repo.replace('/', '+'));
  return [path.join(base, 'repo', '.git'), path.join(base, 'repo')].find((dir) => existsSync(dir)) ?? base;
}

/**
 * Exports the commit's tree into dest. Snapshots lack files of 4 MiB and more, and `git archive` stops at a
 * missing blob (it exits 0 and warns), so when some are missing only the present files are archived. Returns
 * the missing paths.
 */
function exportTree(gitDir: string, commit: string, dest: string): string[] {
  const git = (args: string[], input?: string) =>
    execFileSync('git', [`--git-dir=${gitDir}`, ...args], { input, stdio: 'pipe', encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, GIT_LITERAL_PATHSPECS: '1' } });
  // ls-tree entries: "<mode> <type> <hash>\t<path>"
  const blobs = git(['ls-tree', '-r', '-z', commit]).split('\0').filter((e) => e.split(' ')[1] === 'blob');
  const checked = git(['cat-file', '--batch-check'], blobs.map((e) => e.split(' ')[2].split('\t')[0]).join('\n') + '\n').split('\n');
  const files = blobs.map((e) => e.slice(e.indexOf('\t') + 1));
  const missing = files.filter((_, i) => checked[i].endsWith(' missing'));
  const pathspec = missing.length ? ['--', ...files.filter((_, i) => !checked[i].endsWith(' missing'))] : [];
  const tar = `${dest}.tar`;
  try {
    git(['archive', `--output=${tar}`, commit, ...pathspec]);
    execFileSync('tar', ['-x', '-f', tar, '-C', dest]);
  } finally {
    rmSync(tar, { force: true });
  }
  return missing;
}

function isInside(file: string, folders: string[]): boolean {
  return folders.some((folder) => {
    const rel = path.relative(folder, file);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}

function runScan(app: App, scan: Scan, tree: string): Row {
  const cwd = path.join(tree, scan.cwd);
  const cli = path.join(projectRoot, 'bin', 'apiposture');
  const args = [cli, 'scan', ...scan.paths, '-f', 'json', '--no-cache'];
  const rssFile = path.join(os.tmpdir(), `apiposture-corpus-rss-${process.pid}`);
  const useTime = existsSync(timeBinary);
  const [command, commandArgs] = useTime ? [timeBinary, ['-f', '%M', '-o', rssFile, process.execPath, ...args]] : [process.execPath, args];
  const start = process.hrtime.bigint();
  const r = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const row: Row = { app: app.repo, scan: `${scan.cwd || '.'}: ${scan.paths.join(' ')}`, exit: String(r.status ?? r.signal), seconds };
  if (useTime) {
    const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kb)) row.rssMb = kb / 1024;
    rmSync(rssFile, { force: true });
  }
  if (r.status !== 0 && r.status !== 1) {
    process.stderr.write(`${app.repo} (${row.scan}) exited ${row.exit}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
    return row;
  }
  const report = JSON.parse(r.stdout) as {
    root: string;
    routes: { path: string; file: string; status: string }[];
    stats: { filesScanned: number; registrationSites: { total: number; unresolved: number } };
  };
  const folders = scan.paths.map((p) => path.resolve(cwd, p));
  row.digest = reportDigest(r.stdout);
  row.files = report.stats.filesScanned;
  row.routes = report.routes.length;
  row.unknownPath = report.routes.filter((route) => route.path.includes('{?}')).length;
  row.byStatus = Object.fromEntries(statuses.map((s) => [s, report.routes.filter((route) => route.status === s).length]));
  row.sites = report.stats.registrationSites.total;
  row.unresolvedSites = report.stats.registrationSites.unresolved;
  row.outside = report.routes.filter((route) => !isInside(path.resolve(cwd, report.root, route.file), folders)).length;
  return row;
}

function cells(row: Row): string[] {
  const n = (v: number | undefined) => (v === undefined ? 'n/a' : String(v));
  return [
    row.app,
    `\`${row.scan}\``,
    row.exit,
    n(row.files),
    n(row.routes),
    n(row.unknownPath),
    ...statuses.map((s) => n(row.byStatus?.[s])),
    n(row.sites),
    n(row.unresolvedSites),
    n(row.outside),
    row.seconds.toFixed(2),
    row.rssMb === undefined ? 'n/a' : row.rssMb.toFixed(0),
    row.digest ?? 'n/a',
  ];
}

function totals(rows: Row[]): string[] {
  const sum = (pick: (r: Row) => number | undefined) => {
    const values = rows.map(pick).filter((v): v is number => v !== undefined);
    return values.length ? String(values.reduce((a, b) => a + b, 0)) : 'n/a';
  };
  const rss = rows.map((r) => r.rssMb).filter((v): v is number => v !== undefined);
  const failed = rows.filter((r) => r.exit !== '0' && r.exit !== '1').length;
  return [
    `**total** (${new Set(rows.map((r) => r.app)).size} apps)`,
    `${rows.length} scans`,
    failed ? `${failed} failed` : '0 failed',
    sum((r) => r.files),
    sum((r) => r.routes),
    sum((r) => r.unknownPath),
    ...statuses.map((s) => sum((r) => r.byStatus?.[s])),
    sum((r) => r.sites),
    sum((r) => r.unresolvedSites),
    sum((r) => r.outside),
    rows.reduce((a, r) => a + r.seconds, 0).toFixed(2),
    rss.length ? `max ${Math.max(...rss).toFixed(0)}` : 'n/a',
    '',
  ];
}

function table(rows: Row[]): string {
  const header = ['app', 'scan (cwd: paths)', 'exit', 'files', 'routes', 'routes with `{?}`', 'limited', 'partial', 'unlimited', 'exempt', 'unknown', 'registration sites', 'unresolved registration sites', 'routes outside the scanned folder', 'time s', 'peak RSS MB', 'report digest'];
  const line = (c: string[]) => `| ${c.join(' | ')} |`;
  const total = (pick: (r: Row) => number | undefined): number => rows.reduce((a, r) => a + (pick(r) ?? 0), 0);
  const share = (part: number, whole: number): string => `${((100 * part) / Math.max(1, whole)).toFixed(1)} %`;
  const shares = `Routes with \`{?}\`: ${share(total((r) => r.unknownPath), total((r) => r.routes))} of routes; unresolved registration sites: ${share(total((r) => r.unresolvedSites), total((r) => r.sites))} of sites.`;
  return [line(header), line(header.map(() => '---')), ...rows.map((r) => line(cells(r))), line(totals(rows)), '', shares].join('\n') + '\n';
}

function main(argv: string[]): void {
  const mirrors = option(argv, '--mirrors') ?? '/work/.mirror';
  const only = option(argv, '--only')?.split(',').filter(Boolean);
  const out = option(argv, '--out');
  const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'bench', 'corpus.json'), 'utf8')) as { apps: App[] };
  const apps = manifest.apps.filter((a) => !only || only.some((name) => a.repo === name || a.repo.split('/')[1] === name));
  if (!existsSync(timeBinary)) process.stderr.write(`corpus: ${timeBinary} not found (apt-get install time); peak RSS is n/a\n`);
  const rows: Row[] = [];
  const missing: string[] = [];
  for (const app of apps) {
    const gitDir = gitDirOf(mirrors, app.repo);
    if (!existsSync(gitDir)) {
      process.stderr.write(`corpus: no mirror of ${app.repo} at ${gitDir}; skipped\n`);
      continue;
    }
    const tree = mkdtempSync(path.join(os.tmpdir(), 'apiposture-corpus-'));
    try {
      missing.push(...exportTree(gitDir, app.commit, tree).map((file) => `${app.repo}:${file}`));
      for (const scan of app.scans) {
        const row = runScan(app, scan, tree);
        process.stderr.write(`${app.repo} ${row.scan}: ${row.routes ?? '-'} routes, ${row.seconds.toFixed(1)} s\n`);
        rows.push(row);
      }
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  }
  const markdown = table(rows);
  process.stdout.write(markdown);
  if (out) {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    const heading = [
      '# Corpus: real-world apps',
      '',
      `Produced by \`npm run corpus -- ${argv.join(' ')}\` on ${new Date().toISOString().slice(0, 10)},`,
      `apiposture ${commit}, Node ${process.version}, ${os.availableParallelism()} cores. Apps and pinned commits: \`bench/corpus.json\`;`,
      'hand checks: `bench/corpus-checks.md`. Each scan runs `apiposture scan PATHS -f json --no-cache` standing in the',
      "scan's folder of a fresh export of the pinned commit. Exit 1 means findings (normal); 2 is a failure.",
      `Files the mirrors lack (4 MiB and more), left out of the exports: ${missing.length ? missing.map((m) => `\`${m}\``).join(', ') : 'none'}.`,
      '',
    ].join('\n');
    writeFileSync(out, `${heading}\n${markdown}`);
  }
}

main(process.argv.slice(2));
