/**
 * What the non-Python files at the top of the scanned tree say: declared package versions (requirements*.txt,
 * pyproject.toml, poetry.lock, uv.lock, Pipfile, Pipfile.lock) and `.env` settings. Some limiter behaviour
 * depends on the framework version (FastAPI 0.137 changed how included routers are stored), and slowapi
 * reads `RATELIMIT_*` from `.env`; these files are the only static evidence of either.
 */
import type { ConfigFile } from './python/config-files';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { walkFiles, type ListingStore } from './discover';
import { CACHE_DIR } from './cache';
import { readRegularFile, readTextOrUndefined } from './regular-file';
import { addTo, ownCopy } from './collections';
import { linearRegExp } from './linear-regexp';

export interface VersionSpec {
  spec: string; // PEP 440 / Poetry specifier as written, e.g. "==0.95.2", ">=0.100,<0.110", "^0.95"
  file: string;
  line: number;
}

export type PackageSpecs = ReadonlyMap<string, VersionSpec[]>;

export interface EnvSetting {
  value: string;
  file: string;
  line: number;
}

export interface ProjectMetadata {
  packages: PackageSpecs;
  dotenv: ReadonlyMap<string, EnvSetting[]>; // `.env` keys, every file that sets them
  configFiles: ReadonlyMap<string, () => ConfigFile>; // configuration files the code loads, parsed when asked (python/config-files.ts)
}

export const NO_METADATA: ProjectMetadata = { packages: new Map(), dotenv: new Map(), configFiles: new Map() };

const MANIFESTS = ['requirements*.txt', 'requirements/*.txt', 'pyproject.toml', 'poetry.lock', 'uv.lock', 'Pipfile', 'Pipfile.lock'];
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
// The manifests that sit in a folder itself (not in a subfolder), as names to match.
const TOP_MANIFESTS = MANIFESTS.filter((m) => !m.includes('/')).map((m) => new RegExp(`^${m.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`));

/**
 * `above`: folders above the project root up to the repository top (a Django project whose manage.py sits
 * below the repository's pyproject.toml): their own manifests count for packages the project's do not name,
 * so `scan proj` and `scan .` at the top read the same versions.
 */
export async function readProjectMetadata(root: string, store?: ListingStore, above: string[] = []): Promise<ProjectMetadata> {
  return { packages: await readPackageSpecs(root, store, above), dotenv: await readDotenv(root, store), configFiles: new Map() };
}

export async function readPackageSpecs(root: string, store?: ListingStore, above: string[] = []): Promise<PackageSpecs> {
  const specs = new Map<string, VersionSpec[]>();
  for (const [file, text] of await readTopFiles(root, MANIFESTS, store)) {
    for (const found of specsIn(file, text)) {
      addTo(specs, found.name, { spec: found.spec, file, line: found.line });
    }
  }
  for (const dir of above) {
    const outer = new Map<string, VersionSpec[]>();
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => TOP_MANIFESTS.some((m) => m.test(n))).sort()) {
      const file = path.join(dir, name);
      const small = await fs.stat(file).then((st) => st.isFile() && st.size <= MAX_MANIFEST_BYTES, () => false);
      const text = small ? readTextOrUndefined(file) : undefined;
      for (const found of text === undefined ? [] : specsIn(file, text)) addTo(outer, found.name, { spec: found.spec, file: path.relative(root, file).split(path.sep).join('/'), line: found.line });
    }
    for (const [name, list] of outer) if (!specs.has(name)) specs.set(name, list);
  }
  return specs;
}

// In linear time: a long run of spaces inside a value made the backtracking engine quadratic in the line.
const DOTENV_LINE = linearRegExp(`^\\s*(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^#]*?))\\s*(?:#.*)?$`);

/** `KEY=value` lines of `.env` files (comments, `export ` and quotes handled as python-dotenv does for simple lines). */
async function readDotenv(root: string, store?: ListingStore): Promise<Map<string, EnvSetting[]>> {
  const settings = new Map<string, EnvSetting[]>();
  for (const [file, text] of await readTopFiles(root, ['.env'], store)) {
    text.split('\n').forEach((raw, i) => {
      const m = DOTENV_LINE.exec(raw);
      if (m) addTo(settings, m[1], { value: m[2] ?? m[3] ?? m[4], file, line: i + 1 });
    });
  }
  return settings;
}

// Caches change with every scan or run: walking them would make the kept listing stale each time.
const TOP_WALK_EXCLUDES = ['**/node_modules/**', '**/.git/**', '**/__pycache__/**', `**/${CACHE_DIR}/**`];

/**
 * Files matching `patterns` at the root or one folder down, with their text; unreadable or huge ones, and
 * links to files outside the root, are left out. The walk's listing is kept in `store` (see walkFiles).
 */
export async function readTopFiles(root: string, patterns: string[], store?: ListingStore): Promise<[string, string][]> {
  // `deep` stops the walk below the deepest pattern (`*/requirements/*.txt`): fast-glob would list every folder.
  const { files } = walkFiles(root, patterns.flatMap((m) => [m, `*/${m}`]), { dot: true, deep: 3, followSymbolicLinks: true, ignore: TOP_WALK_EXCLUDES }, store);
  const realRoot = await fs.realpath(root);
  const out: [string, string][] = [];
  for (const file of files.sort()) {
    try {
      const inside = path.relative(realRoot, await fs.realpath(path.join(root, file)));
      if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) continue;
      const stat = await fs.stat(path.join(root, file));
      if (stat.size <= MAX_MANIFEST_BYTES) out.push([file, readRegularFile(path.join(root, file)).toString('utf8')]);
    } catch {
      // an unreadable manifest only costs evidence
    }
  }
  return out;
}

function specsIn(file: string, text: string): { name: string; spec: string; line: number }[] {
  const out: { name: string; spec: string; line: number }[] = [];
  // Kept for the whole scan: copies, not slices of a lock file of megabytes (see ownCopy).
  const found = (name: string, spec: string, line: number): void => void out.push({ name: ownCopy(normalize(name)), spec: ownCopy(spec), line });
  const lines = text.split('\n');
  const base = path.basename(file);
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    let m: RegExpMatchArray | null;
    if (base.endsWith('.lock')) {
      // poetry.lock / uv.lock: `name = "fastapi"` followed by `version = "0.95.2"`.
      if ((m = /^name\s*=\s*"([^"]+)"$/.exec(line))) {
        const version = /^version\s*=\s*"([^"]+)"/.exec(lines[i + 1]?.trim() ?? '');
        if (version) found(m[1], `==${version[1]}`, i + 2);
      }
      // Pipfile.lock: `"fastapi": {` … `"version": "==0.95.2"`.
      if ((m = /^"([^"]+)":\s*\{$/.exec(line))) {
        const version = lines.slice(i + 1, i + 12).map((l) => /"version":\s*"([^"]+)"/.exec(l)).find(Boolean);
        if (version) found(m[1], version[1], i + 1);
      }
    } else {
      // A TOML array on one line (`dependencies = ["flask>=2", "django-allauth==0.51.0"]`): each item on its own.
      const items = /^[\w-]+\s*=\s*\[/.test(line) ? [...line.matchAll(/"([^"]+)"|'([^']+)'/g)].map((q) => q[1] ?? q[2]) : [line];
      for (const item of items) {
        // requirements: `fastapi==0.95.2`; PEP 621 list item: `"fastapi>=0.100,<0.110",`; Poetry: `fastapi = "^0.95"`.
        if ((m = /^["']?([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:=\s*(?:\{[^}]*version\s*=\s*)?["']([^"']+)["']|((?:[<>=!~^]=?|===)[^;"',\]]*(?:,\s*(?:[<>=!~]=?)[^;"',\]]*)*))/.exec(item))) {
          found(m[1], (m[2] ?? m[3]).trim(), i + 1);
        }
      }
    }
  });
  return out;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

type Version = number[];

function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(text.trim());
  return m ? m[1].split('.').map(Number) : undefined;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * Whether every version the specifiers allow is below `threshold` ('below'), at or above it ('at-or-above'),
 * or the specifiers allow both or say nothing ('unknown'). The files of one folder hold together (a lock pins what
 * `pyproject.toml`'s range allows: Initiative's `fastapi>=0.136.1,<0.142` with `uv.lock` at 0.136.3 is below 0.137);
 * folders (services of their own) must agree.
 */
export function versionSide(specs: VersionSpec[] | undefined, threshold: string): 'below' | 'at-or-above' | 'unknown' {
  const limit = parseVersion(threshold)!;
  const byFolder = new Map<string, Set<'below' | 'at-or-above' | 'unknown'>>();
  for (const s of specs ?? []) {
    const folder = path.posix.dirname(s.file);
    byFolder.set(folder, (byFolder.get(folder) ?? new Set()).add(sideOf(s.spec, limit)));
  }
  const sides = new Set(
    [...byFolder.values()].map((folder) => {
      const decided = [...folder].filter((side) => side !== 'unknown');
      return decided.length === 1 ? decided[0] : 'unknown';
    }),
  );
  return sides.size === 1 ? [...sides][0] : 'unknown';
}

function sideOf(spec: string, threshold: Version): 'below' | 'at-or-above' | 'unknown' {
  let lower: Version | undefined;
  let upper: { v: Version; inclusive: boolean } | undefined;
  for (const clause of spec.split(',').map((c) => c.trim()).filter(Boolean)) {
    const m = /^(===|==|~=|>=|<=|!=|>|<|\^|~)?\s*(.+)$/.exec(clause);
    const v = m && parseVersion(m[2].replace(/\.\*$/, ''));
    if (!m || !v) return 'unknown';
    const op = m[1] ?? '==';
    if (op === '==' || op === '===') {
      if (m[2].endsWith('.*')) return sideOf(`~=${m[2].replace(/\.\*$/, '')}.0`, threshold);
      lower = v;
      upper = { v, inclusive: true };
    } else if (op === '>=' || op === '>') lower = v;
    else if (op === '<') upper = { v, inclusive: false };
    else if (op === '<=') upper = { v, inclusive: true };
    else if (op === '~=' || op === '~' || op === '^') {
      lower = v;
      // `~=0.95.0` → <0.96; `^0.95` → <0.96 (Poetry: the left-most non-zero part); `^1.2` → <2.
      const bumpAt = op === '^' ? Math.max(0, v.findIndex((x) => x !== 0)) : Math.max(0, v.length - 2);
      upper = { v: [...v.slice(0, bumpAt), v[bumpAt] + 1], inclusive: false };
    }
  }
  if (upper && (compare(upper.v, threshold) < 0 || (!upper.inclusive && compare(upper.v, threshold) === 0))) return 'below';
  if (lower && compare(lower, threshold) >= 0) return 'at-or-above';
  return 'unknown';
}
