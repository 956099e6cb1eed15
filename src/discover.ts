/**
 * Finds the Python files of the project: `**\/*.py` under its root, minus default excludes (virtualenvs,
 * site-packages, node_modules, VCS and build folders), the user's excludes and the patterns of `.gitignore`
 * at the project root. Excludes follow .gitignore semantics. Symbolic links are not followed, so link loops
 * cannot hang it.
 */
import type FastGlob from 'fast-glob';
import ignore from 'ignore';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Skipped } from './model';
import type { ProjectContext } from './project-context';
import { readRegularFile } from './regular-file';

export const DEFAULT_EXCLUDES = [
  '**/.git/**', '**/.hg/**', '**/.svn/**', '**/node_modules/**', '**/__pycache__/**', '**/site-packages/**',
  '**/.venv/**', '**/venv/**', '**/env/**', '**/.env/**', '**/virtualenv/**', '**/.tox/**', '**/.nox/**',
  '**/build/**', '**/dist/**', '**/.mypy_cache/**', '**/.pytest_cache/**', '**/.apiposture-cache/**',
];

/**
 * Test code builds throwaway apps (a conftest's `FastAPI()` including every router again, a factory called with a
 * testing config): not what is deployed, so not scanned unless the project's own code imports it (see
 * importedTestFiles: DefectDojo's `dojo/test/` is its Test model's package). A test file given by name is scanned.
 */
const TEST_CODE = ignore().add(['tests/', 'test/', 'conftest.py', 'test_*.py', '*_test.py']);

export interface Discovery {
  root: string; // absolute
  files: string[]; // relative to root, forward slashes, sorted
  testFiles: string[]; // test code, scanned only where the project imports it (see TEST_CODE), sorted
  skipped: Skipped[]; // symbolic links to Python files and folders that could not be read
  unmatchedExcludes: string[]; // user excludes that exclude no file, as given
  installedFolders: string[]; // folders pip installed packages into (see packageTargets), relative to root, sorted
}

/** A user exclude as given (`pattern`) and as a .gitignore pattern at the project root (`rooted`). */
export interface Exclude {
  pattern: string;
  rooted: string;
}

/**
 * Excludes from the command line, read as .gitignore patterns. One with a slash before its end is anchored:
 * to the working directory when it names a path there (`--exclude ./legacy` standing in a package), else to
 * the project root. Patterns without such a slash (`tests`, `*.py`, `migrations/`) match at any depth.
 */
export function commandLineExcludes(patterns: string[], cwd: string, root: string): Exclude[] {
  return patterns.map((pattern) => {
    const body = pattern.replace(/\/+$/, '');
    const anchored = body.includes('/') && !body.startsWith('**/');
    if (!anchored) return { pattern, rooted: pattern };
    const fromCwd = path.relative(root, path.resolve(cwd, body)).split(path.sep).join('/');
    const inProject = fromCwd !== '' && !fromCwd.startsWith('..') && !path.isAbsolute(fromCwd);
    const rooted = inProject && existsSync(path.join(root, fromCwd)) ? fromCwd : body.replace(/^\.?\//, '');
    return { pattern, rooted: `/${rooted}${pattern.endsWith('/') ? '/' : ''}` };
  });
}

/**
 * A walk's file list, valid while every folder it walked keeps its modification time: adding, removing or
 * renaming an entry changes its folder's time (git's untracked cache relies on the same).
 */
export interface Listing {
  folders: [string, number][]; // each walked folder, relative to the walk's start, and its mtimeMs
  files: string[];
  links: string[]; // symbolic links matching the patterns, when they are not followed
}

/** A walk's files and links, the folders it walked (`folder/`) and those it could not read with why. */
export interface Walk {
  files: string[];
  links: string[];
  folders: string[];
  unreadable: { folder: string; code: string }[];
}

/** Keeps listings between scans, by what the walk was asked (start, patterns, options). */
export interface ListingStore {
  listing(key: string): Listing | undefined;
  rememberListing(key: string, listing: Listing): void;
}

// A folder changed this close to the walk may have changed during it, or within the file system's time
// granularity (one or two seconds on some): such a listing is not kept.
export const RACY_MS = 2000;

/**
 * The regular files under `cwd` matching `patterns`, relative to `cwd`, and the unfollowed symbolic links
 * among the matches; from the store when no walked folder changed since. Synchronous: on large trees the
 * async walk's thread-pool round trips cost twice the time.
 */
export function walkFiles(
  cwd: string,
  patterns: string[],
  options: { ignore: string[]; dot: boolean; deep?: number; followSymbolicLinks: boolean },
  store?: ListingStore,
): Walk {
  const key = JSON.stringify([cwd, patterns, options]);
  const kept = store?.listing(key);
  if (kept && kept.folders.every(([folder, mtimeMs]) => mtimeOf(path.join(cwd, folder)) === mtimeMs)) {
    store?.rememberListing(key, kept);
    return { files: kept.files, links: kept.links, folders: kept.folders.map(([folder]) => folder), unreadable: [] };
  }
  const walkStart = Date.now();
  // fast-glob passes over folders it cannot read (suppressErrors): they are noted as its reads fail.
  const unreadable: Walk['unreadable'] = [];
  const noteFailure = ((folder: string, readOptions: object) => {
    try {
      return readdirSync(folder, readOptions);
    } catch (error) {
      unreadable.push({ folder: `${path.relative(cwd, folder).split(path.sep).join('/') || '.'}/`, code: (error as NodeJS.ErrnoException).code ?? String(error) });
      throw error;
    }
  }) as typeof readdirSync;
  // The folders the patterns look into, and those above them (where such a folder would be created), are
  // listed too, for the listing's validity.
  const folderPatterns = [...new Set(patterns.flatMap(foldersAbove))];
  // Loaded here: a scan whose listings the cache still holds walks nothing, and loading it costs 15 ms.
  const fg = require('fast-glob') as typeof FastGlob;
  const entries = fg.sync([...patterns, ...folderPatterns], { cwd, ...options, onlyFiles: false, objectMode: true, suppressErrors: true, fs: { readdirSync: noteFailure } });
  const files: string[] = [];
  const links: string[] = [];
  const folders = [''];
  for (const { path: entry, dirent } of entries) {
    if (dirent.isDirectory()) folders.push(`${entry}/`);
    else if (dirent.isFile()) files.push(entry);
    else if (dirent.isSymbolicLink()) links.push(entry);
  }
  if (store && !unreadable.length) {
    const stamped = folders.map((folder): [string, number] => [folder, mtimeOf(path.join(cwd, folder))]);
    if (stamped.every(([, mtimeMs]) => mtimeMs < walkStart - RACY_MS)) store.rememberListing(key, { folders: stamped, files, links });
  }
  return { files, links, folders, unreadable };
}

/**
 * Every Python file of the project (the analysis needs them all as context), and the files given
 * explicitly even when a default exclude would skip them.
 */
export async function discover(context: ProjectContext, excludes: Exclude[], store?: ListingStore): Promise<Discovery> {
  const { root } = context;
  const gitignore = ignore();
  try {
    gitignore.add(readRegularFile(path.join(root, '.gitignore')).toString('utf8'));
  } catch {
    // no .gitignore at the root, or none that can be read
  }
  const walk = walkFiles(root, ['**/*.py'], { ignore: DEFAULT_EXCLUDES, dot: false, followSymbolicLinks: false }, store);
  const excluded = ignore().add(excludes.map((e) => e.rooted));
  const given = context.scanPaths.filter((p) => p !== '' && statSync(path.join(root, p)).isFile());
  const installedFolders = packageTargets(walk.folders);
  const kept = walk.files.filter((f) => !gitignore.ignores(f) && !installedFolders.some((folder) => f.startsWith(folder)));
  const included = kept.filter((f) => !excluded.ignores(f));
  const files = [...new Set([...included.filter((f) => !TEST_CODE.ignores(f)), ...given])].sort();
  const testFiles = included.filter((f) => TEST_CODE.ignores(f) && !given.includes(f)).sort();
  const unmatchedExcludes = excludes.filter((e) => !kept.some((f) => ignore().add(e.rooted).ignores(f))).map((e) => e.pattern);
  const skipped = [
    ...walk.links.filter((link) => !gitignore.ignores(link)).map((file) => ({ file, reason: 'symbolic link, not followed' })),
    ...walk.unreadable.map(({ folder, code }) => ({ file: folder, reason: `folder could not be read: ${code}` })),
  ];
  return { root, files, testFiles, skipped, unmatchedExcludes, installedFolders: installedFolders.map((folder) => folder.slice(0, -1)) };
}

/**
 * Folders (`libs/`) holding `*.dist-info` folders: pip installed packages there (`pip install --target libs`, how
 * bazarr vendors Flask and Flask-RESTX themselves). Their code is third-party, read as a virtualenv's site-packages
 * is; read as the project's, `from flask import Flask` named the vendored class instead of Flask's. Not the root:
 * that is the project.
 */
function packageTargets(folders: string[]): string[] {
  const targets = folders.filter((f) => f.endsWith('.dist-info/')).map((f) => path.posix.dirname(f.slice(0, -1)));
  return [...new Set(targets)].filter((t) => t !== '.').map((t) => `${t}/`).sort();
}

// The folder patterns of a file pattern's parent path and each path above it: for `a/<star>/b/<star>.txt`,
// `a/`, `a/<star>/` and `a/<star>/b/`. A pattern with `**` looks into every folder.
function foldersAbove(pattern: string): string[] {
  const segments = pattern.split('/').slice(0, -1);
  if (segments.includes('**')) return ['**/*/'];
  return segments.map((_, i) => `${segments.slice(0, i + 1).join('/')}/`);
}

/** A folder's mtimeMs, or NaN when it is gone or unreadable (NaN equals nothing, so a listing with it is stale). */
function mtimeOf(folder: string): number {
  try {
    return statSync(folder).mtimeMs;
  } catch {
    return NaN;
  }
}
