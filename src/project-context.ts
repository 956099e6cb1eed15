/**
 * The project around the scan paths. `scan app` where `app/main.py` says `from app.api import router` only
 * resolves when `app`'s parent is read too, so the tool reads the whole project the paths belong to and
 * reports the routes declared inside the paths. The project root is the nearest folder at or above the scan
 * paths that a Python developer would call the project's (a marker below); module names come from package
 * chains (see module-names.ts), never from the scan path.
 */
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isIdentifier } from './python/module-names';

// Files or folders that sit at the top of a Python project or repository.
const MARKERS = ['pyproject.toml', 'setup.cfg', 'setup.py', 'manage.py', 'Pipfile', 'poetry.lock', 'uv.lock', 'requirements.txt', 'requirements', '.git'];

export interface ProjectContext {
  root: string; // absolute: every file of the project is read, names and reports are relative to it
  marker?: string; // what made `root` the project root; absent when no marker was found
  scanPaths: string[]; // the paths given, relative to root with forward slashes ('' is the root itself)
  rootPackage: string; // the dotted package name of `root` itself when it is a package (`__init__.py`), else ''
  namespace: string[]; // the folders above `rootPackage`'s top inside the project's outermost folder: its namespace package (see moduleNames)
  configDirs: string[]; // where configuration is looked for, nearest first: the scan root up to the repository top
  outerDirs: string[]; // folders above root that are still the project's (each with a marker, up to the repository top), nearest first
}

export function projectContext(paths: string[]): ProjectContext {
  const resolved = paths.map((p) => ({ abs: path.resolve(p), isFile: statSync(p).isFile() }));
  const scanRoot = resolved.length === 1 && resolved[0].isFile ? path.dirname(resolved[0].abs) : commonFolder(resolved.map((r) => r.abs));
  const found = ancestors(scanRoot).find((dir) => markerOf(dir) !== undefined);
  // Without a marker, read as far up as the package chain reaches, as Python's import would need.
  const root = found ?? packageChainTop(scanRoot);
  const repositoryTop = ancestors(scanRoot).find((dir) => isPresent(path.join(dir, '.git')));
  const configDirs = ancestors(scanRoot).filter((dir) => isWithin(dir, root) || (repositoryTop !== undefined && isWithin(dir, repositoryTop)));
  const outerDirs = outerProjectDirs(root, repositoryTop);
  const rootPackage = toRelative(packageChainTop(root), root).split('/').filter(Boolean).join('.');
  return {
    root,
    marker: found && markerOf(found),
    scanPaths: resolved.map((r) => toRelative(root, r.abs)),
    rootPackage,
    namespace: rootPackage ? namespaceAbove(packageChainTop(root), outerDirs.at(-1) ?? ancestors(root).slice(1).find((dir) => markerOf(dir) !== undefined) ?? root) : [],
    configDirs,
    outerDirs,
  };
}

/**
 * `swh` for a root `repo/swh/web` whose package `web` lies in `repo/swh/`, a folder without `__init__.py` below the
 * project's outermost folder (or the nearest marked one above the root): a PEP 420 namespace package when `repo` is
 * on the import path, as `import swh.web.config` has it. The trailing folder names that are identifiers, outermost first.
 */
function namespaceAbove(chainTop: string, projectTop: string): string[] {
  if (chainTop === projectTop || !isWithin(chainTop, projectTop)) return [];
  const names = toRelative(projectTop, chainTop).split('/');
  const identifiers: string[] = [];
  while (names.length && isIdentifier(names[names.length - 1])) identifiers.unshift(names.pop()!);
  return identifiers;
}

/** `repo/pyproject.toml` above `repo/proj/manage.py`: the folders above the root that still carry a marker. */
function outerProjectDirs(root: string, repositoryTop: string | undefined): string[] {
  const out: string[] = [];
  for (const dir of ancestors(root).slice(1)) {
    const inRepository = repositoryTop !== undefined && isWithin(dir, repositoryTop);
    if (!inRepository && markerOf(dir) === undefined) break;
    out.push(dir);
    if (dir === repositoryTop) break;
  }
  return out;
}

/** True when `file` (relative to the project root) lies inside one of the scan paths. */
export function inScanPaths(context: ProjectContext, file: string): boolean {
  return context.scanPaths.some((p) => p === '' || file === p || file.startsWith(`${p}/`));
}

/** The folder itself and those above it, nearest first, stopping below the home folder and the file system root. */
function ancestors(dir: string): string[] {
  const home = os.homedir();
  const out: string[] = [];
  for (let d = dir; d !== home && path.dirname(d) !== d; d = path.dirname(d)) out.push(d);
  return out;
}

function markerOf(dir: string): string | undefined {
  return MARKERS.find((m) => isPresent(path.join(dir, m)));
}

/** The first folder at or above `dir` that is not a package: Python's import root for `dir`'s modules. */
export function packageChainTop(dir: string): string {
  let top = dir;
  // A checkout named `mayan-edms` with a stray `__init__.py` is no package Python could import.
  while (isPresent(path.join(top, '__init__.py')) && isIdentifier(path.basename(top)) && path.dirname(top) !== top) top = path.dirname(top);
  return top;
}

/** The deepest folder containing every path. */
export function commonFolder(paths: string[]): string {
  let root = paths[0];
  for (const p of paths.slice(1)) while (!isWithin(p, root)) root = path.dirname(root);
  return root;
}

function isWithin(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

function isPresent(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function toRelative(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}
