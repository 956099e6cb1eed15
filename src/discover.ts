/**
 * Finds the Python files to scan: `**\/*.py` under each path (or the file itself), minus default excludes
 * (virtualenvs, site-packages, node_modules, VCS and build folders), user `--exclude` globs and the
 * patterns of `.gitignore` at the scan root. Symbolic links are not followed, so link loops cannot hang it.
 */
import fg from 'fast-glob';
import ignore from 'ignore';
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';

export const DEFAULT_EXCLUDES = [
  '**/.git/**', '**/.hg/**', '**/.svn/**', '**/node_modules/**', '**/__pycache__/**', '**/site-packages/**',
  '**/.venv/**', '**/venv/**', '**/env/**', '**/.env/**', '**/virtualenv/**', '**/.tox/**', '**/.nox/**',
  '**/build/**', '**/dist/**', '**/.mypy_cache/**', '**/.pytest_cache/**', '**/.apiposture-cache/**',
];

export interface Discovery {
  root: string; // absolute
  files: string[]; // relative to root, forward slashes, sorted
}

/** The deepest directory containing every path. */
export function scanRoot(paths: string[]): string {
  const dirs = paths.map((p) => path.resolve(p));
  let root = dirs[0];
  for (const dir of dirs.slice(1)) {
    while (!(dir + path.sep).startsWith(root.endsWith(path.sep) ? root : root + path.sep) && dir !== root) root = path.dirname(root);
  }
  return root;
}

async function resolvePaths(paths: string[]): Promise<{ root: string; resolved: { abs: string; isFile: boolean }[] }> {
  const resolved: { abs: string; isFile: boolean }[] = [];
  for (const p of paths) {
    const stat = await fs.stat(p); // a missing path is a usage error: let it throw
    resolved.push({ abs: path.resolve(p), isFile: stat.isFile() });
  }
  const root = resolved.length === 1 && resolved[0].isFile ? path.dirname(resolved[0].abs) : scanRoot(resolved.map((r) => r.abs));
  return { root, resolved };
}

/** The directory report paths are relative to (and where configuration is read). */
export async function rootOf(paths: string[]): Promise<string> {
  return (await resolvePaths(paths)).root;
}

/**
 * A previous walk's file list, valid while every folder it walked keeps its modification time: adding,
 * removing or renaming an entry changes its folder's time (git's untracked cache relies on the same).
 */
export interface Listing {
  key: string; // the scan paths, excludes and .gitignore it was made for
  folders: [string, number][]; // each walked folder, relative to the root, and its mtimeMs
  files: string[];
}

export interface ListingStore {
  listing(): Listing | undefined;
  rememberListing(listing: Listing): void;
}

// A folder changed this close to the walk may have changed during it, or within the file system's time
// granularity (one or two seconds on some): such a listing is not kept.
const RACY_MS = 2000;

export async function discover(paths: string[], excludes: string[], store?: ListingStore): Promise<Discovery> {
  const { root, resolved } = await resolvePaths(paths);
  let gitignoreText = '';
  try {
    gitignoreText = await fs.readFile(path.join(root, '.gitignore'), 'utf8');
  } catch {
    // no .gitignore at the root
  }
  const userIgnore = excludes.map((e) => (e.includes('/') || e.includes('*') ? e : `**/${e}/**`));
  const key = JSON.stringify([resolved, userIgnore, gitignoreText]);
  const previous = store?.listing();
  if (previous?.key === key && previous.folders.every(([folder, mtimeMs]) => mtimeOf(path.join(root, folder)) === mtimeMs)) {
    store?.rememberListing(previous);
    return { root, files: previous.files };
  }
  const walkStart = Date.now();
  const found = new Set<string>();
  const folders: string[] = [];
  for (const { abs, isFile } of resolved) {
    if (isFile) {
      found.add(toRelative(root, abs));
      continue;
    }
    // Synchronous: on large trees the async walk's thread-pool round trips cost twice the time. The walk
    // also lists the folders it enters (`**/*/`), for the listing's validity.
    const entries = fg.sync(['**/*.py', '**/*/'], {
      cwd: abs, ignore: [...DEFAULT_EXCLUDES, ...userIgnore], followSymbolicLinks: false, onlyFiles: false, objectMode: true,
      dot: false, suppressErrors: true,
    });
    // fast-glob answers relative to `abs` with forward slashes: one prefix per path, not a path.relative per file.
    const prefix = abs === root ? '' : `${toRelative(root, abs)}/`;
    folders.push(prefix);
    for (const { path: entry, dirent } of entries) {
      // Regular files only, as before: symbolic links are not followed, whatever they are named.
      if (dirent.isDirectory()) folders.push(`${prefix}${entry}/`);
      else if (dirent.isFile() && entry.endsWith('.py')) found.add(prefix + entry);
    }
  }
  const gitignore = ignore().add(gitignoreText);
  const files = [...found].filter((f) => !gitignore.ignores(f)).sort();
  if (store) {
    const stamped = folders.map((folder): [string, number] => [folder, mtimeOf(path.join(root, folder))]);
    if (stamped.every(([, mtimeMs]) => mtimeMs < walkStart - RACY_MS)) store.rememberListing({ key, folders: stamped, files });
  }
  return { root, files };
}

/** A folder's mtimeMs, or NaN when it is gone or unreadable (NaN equals nothing, so a listing with it is stale). */
function mtimeOf(folder: string): number {
  try {
    return statSync(folder).mtimeMs;
  } catch {
    return NaN;
  }
}

function toRelative(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}
