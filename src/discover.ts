/**
 * Finds the Python files to scan: `**\/*.py` under each path (or the file itself), minus default excludes
 * (virtualenvs, site-packages, node_modules, VCS and build folders), user `--exclude` globs and the
 * patterns of `.gitignore` at the scan root. Symbolic links are not followed, so link loops cannot hang it.
 */
import fg from 'fast-glob';
import ignore from 'ignore';
import { promises as fs } from 'node:fs';
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

export async function discover(paths: string[], excludes: string[]): Promise<Discovery> {
  const { root, resolved } = await resolvePaths(paths);
  const gitignore = ignore();
  try {
    gitignore.add(await fs.readFile(path.join(root, '.gitignore'), 'utf8'));
  } catch {
    // no .gitignore at the root
  }
  const userIgnore = excludes.map((e) => (e.includes('/') || e.includes('*') ? e : `**/${e}/**`));
  const found = new Set<string>();
  for (const { abs, isFile } of resolved) {
    if (isFile) {
      found.add(toRelative(root, abs));
      continue;
    }
    // Synchronous: on large trees the async walk's thread-pool round trips cost twice the time.
    const entries = fg.sync('**/*.py', {
      cwd: abs, ignore: [...DEFAULT_EXCLUDES, ...userIgnore], followSymbolicLinks: false, onlyFiles: true, dot: false,
      suppressErrors: true,
    });
    // fast-glob answers relative to `abs` with forward slashes: one prefix per path, not a path.relative per file.
    const prefix = abs === root ? '' : `${toRelative(root, abs)}/`;
    for (const entry of entries) found.add(prefix + entry);
  }
  const files = [...found].filter((f) => !gitignore.ignores(f)).sort();
  return { root, files };
}

function toRelative(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}
