/**
 * Third-party code the project uses, from its own virtualenv when one is there (`.venv`, `venv`, `env`,
 * `$VIRTUAL_ENV`, or `python-path` in the configuration): installed packages are read as source, like
 * everything else, never imported. Only what the project names is read — the modules it imports, the
 * URLconfs it includes by name — and, from those, the modules of the same package they import, within a
 * bound. Packages whose behaviour the analysis models itself (Django, DRF, Flask, FastAPI, the limiters)
 * are never read: their tables are the reference.
 */
import { promises as fs, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Binding, ModuleFacts } from './ir';
import { eachCall } from './ir';
import { parseFile } from '../parse';
import { importTarget } from './project';

const VIRTUALENVS = ['.venv', 'venv', 'env', '.env', 'virtualenv'];
const MAX_MODULES = 300; // read at most this many installed modules per scan
const MAX_HOPS = 3; // from a module the project names, follow imports within its package this many times

/** The site-packages folders of the project's virtualenv: `configured` (a venv or a site-packages), else the usual places. */
export function sitePackagesOf(root: string, configured?: string): string[] {
  const candidates = configured ? [path.resolve(root, configured)] : [...VIRTUALENVS.map((v) => path.join(root, v)), ...(process.env.VIRTUAL_ENV ? [process.env.VIRTUAL_ENV] : [])];
  const found: string[] = [];
  for (const dir of candidates) {
    if (path.basename(dir) === 'site-packages' && isFolder(dir)) found.push(dir);
    for (const lib of [path.join(dir, 'Lib'), ...pythonLibs(path.join(dir, 'lib'))]) {
      if (isFolder(path.join(lib, 'site-packages'))) found.push(path.join(lib, 'site-packages'));
    }
  }
  return [...new Set(found)];
}

/**
 * Facts of the installed modules the project's modules name, each named as Python would from its
 * site-packages (`allauth.account.views`) and with its file relative to the project root.
 */
export async function readInstalled(root: string, sitePackages: string[], project: ModuleFacts[], modelled: readonly string[], maxFileBytes: number): Promise<ModuleFacts[]> {
  if (!sitePackages.length) return [];
  const read = new Map<string, ModuleFacts | undefined>();
  let queue: string[] = project.flatMap(namedModules).filter((name) => !modelled.includes(name.split('.')[0]));
  for (let hop = 0; hop <= MAX_HOPS && queue.length && read.size < MAX_MODULES; hop++) {
    const next: string[] = [];
    for (const name of [...new Set(queue)].sort()) {
      if (read.has(name) || read.size >= MAX_MODULES) continue;
      const facts = await readModule(root, sitePackages, name, maxFileBytes);
      read.set(name, facts);
      const top = name.split('.')[0];
      // Within its own package only: a package's dependencies are not what the project uses.
      if (facts) next.push(...namedModules(facts).filter((n) => n.split('.')[0] === top));
    }
    queue = next;
  }
  return [...read.values()].filter((m): m is ModuleFacts => m !== undefined).sort((a, b) => (a.file < b.file ? -1 : 1));
}

async function readModule(root: string, sitePackages: string[], name: string, maxFileBytes: number): Promise<ModuleFacts | undefined> {
  const relative = name.split('.').join('/');
  for (const sp of sitePackages) {
    for (const candidate of [`${relative}.py`, `${relative}/__init__.py`]) {
      const abs = path.join(sp, candidate);
      if (!(await fs.stat(abs).then((s) => s.isFile(), () => false))) continue;
      const file = path.relative(root, abs).split(path.sep).join('/');
      const outcome = parseFile(root, file, maxFileBytes);
      if (!outcome.ok) return undefined;
      return { ...outcome.facts, module: name, isPackage: candidate.endsWith('__init__.py') };
    }
  }
  return undefined;
}

/** Absolute module names a module imports (also `x.y.z` for `from x.y import z`, which may be a module) and includes by name. */
function namedModules(mod: ModuleFacts): string[] {
  const names: string[] = [];
  for (const b of Object.values(mod.bindings).flat() as Binding[]) {
    if (b.kind === 'import') {
      const from = importTarget(mod, b);
      if (from) names.push(from);
      if (b.attr && b.name !== '*') names.push(from ? `${from}.${b.attr}` : b.attr);
    } else if (b.kind === 'assign') {
      eachCall(b.value, (call) => {
        if (call.fn.k === 'name' && call.fn.id === 'include' && call.args[0]?.k === 'str') names.push(call.args[0].v);
      });
    }
  }
  return names;
}

function pythonLibs(lib: string): string[] {
  try {
    return readdirSync(lib).filter((d) => /^python\d/.test(d)).sort().map((d) => path.join(lib, d));
  } catch {
    return [];
  }
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
