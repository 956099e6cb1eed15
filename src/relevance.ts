/**
 * The parse shortcut: which files the analysis can reach, decided from their text alone so the others are
 * never parsed. Routes and limiters start from a module importing a web framework, limiter or server
 * package (a seed); the analysis then moves between modules only by names written in their source:
 * `from .views import x`, `import app.models`, `include("shop.urls")`, a call `register(app)` of a function
 * imported by its module's name. So a module is reached only if its name (the file's stem, or its package
 * directory for `__init__.py`) is a word in a reached module, or a reached module's name is a word in it,
 * or it is a package `__init__` above or below a reached module (`from .. import limiter` names no module).
 * The closure over these links from the seeds over-approximates what resolution can follow; files outside
 * it are read (for skip reasons and this test) but not parsed. `scan --parse-all` turns the shortcut off,
 * and a test compares both reports on every fixture.
 */
import { ANALYZERS } from './frameworks';
import { LIBRARY_DESCRIPTORS } from './frameworks/libraries';
import { moduleNameOf } from './python/facts';
import { UNREAD_FRAMEWORK_PACKAGES } from './registration-names';
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { readSource, type SourceOutcome } from './parse';
import { addTo, lowerBound, ownCopy } from './collections';
import { hash, parsedOf, type FileFacts, type Parsed, type ScanCache } from './cache';
import type { Skipped } from './model';

/** Packages whose imports the analysis resolves besides the frameworks and limiter libraries: `limits`, servers. */
const OTHER_PACKAGES = ['limits', 'uvicorn', 'hypercorn'];

/**
 * Words read from every module whatever it imports: Django settings (`ROOT_URLCONF`, `MIDDLEWARE`,
 * `DJANGO_SETTINGS_MODULE`), url modules (`urlpatterns`) and suppression comments (`apiposture:`).
 */
const SEED_WORDS = ['urlpatterns', 'ROOT_URLCONF', 'MIDDLEWARE', 'DJANGO_SETTINGS_MODULE', 'apiposture'];

/** Packages whose behaviour the analysis models itself: their imports seed the shortcut, and they are never read from a virtualenv. */
export const MODELLED_PACKAGES = [...new Set([...ANALYZERS.flatMap((a) => a.packages), ...LIBRARY_DESCRIPTORS.flatMap((d) => d.packages), ...OTHER_PACKAGES])];
// Besides, the web frameworks apiposture does not read: their apps are registration sites it lists (see
// registration-names.ts). aiohttp is mostly a client: only its server, `aiohttp.web`, seeds.
const PACKAGE_ALTERNATIVES = [...MODELLED_PACKAGES, ...UNREAD_FRAMEWORK_PACKAGES.filter((p) => p !== 'aiohttp'), 'aiohttp\\.web'].join('|');
// `from pkg...` or `import a, b as c, pkg...`; a backslash may continue the line.
const SEED_PATTERN = new RegExp(
  `\\bfrom\\s+(?:${PACKAGE_ALTERNATIVES})\\b|\\bfrom\\s+aiohttp\\s+import\\b[^\\n]*\\bweb\\b|\\bimport\\s+(?:[\\w.]+(?:\\s+as\\s+\\w+)?\\s*,[\\s\\\\]*)*(?:${PACKAGE_ALTERNATIVES})\\b|\\b(?:${SEED_WORDS.join('|')})\\b`,
);

/** What the shortcut needs of a file's text: whether it is a seed, and the module names it mentions. */
export interface TextSummary {
  seed: boolean;
  mentions: string[]; // words of the text that are module names of the project, sorted
}

export function isSeed(text: string): boolean {
  return SEED_PATTERN.test(text);
}

/** A module's name word: `shop/views.py` → `views`, `shop/api/__init__.py` → `api`. */
export function nameWord(file: string): string {
  return moduleNameOf(file).module.split('.').pop() ?? '';
}

/** Finds the module names a text mentions as words (in code, strings or comments alike). */
export function mentionFinder(nameWords: ReadonlySet<string>): (text: string) => string[] {
  // Only a name that is a word can be one a text mentions (not a migration's `2026-06-17-1034_add_meter`).
  // Each word mapped to itself: a mention is kept as the name's own text, not as the match, a slice of the file's
  // text that would keep the whole file for the rest of the scan (see ownCopy).
  const words = new Map([...nameWords].filter((w) => /^[\p{L}\p{N}_]+$/u.test(w)).map((w) => [w, w]));
  // Python identifiers may be non-ASCII; ASCII names are found without a regular expression (below).
  if ([...words.keys()].every((w) => /^\w+$/.test(w))) return asciiMentionFinder([...words.keys()]);
  return (text) => {
    const word = /[\p{L}\p{N}_]+/gu;
    const mentions = new Set<string>();
    for (let m = word.exec(text); m; m = word.exec(text)) {
      const name = words.get(m[0]);
      if (name !== undefined) mentions.add(name);
    }
    return [...mentions].sort();
  };
}

/**
 * The ASCII names a text mentions, its words (runs of `\w`) read code by code and looked up by a hash of their
 * codes: `/\w+/g` made a match and a text for each of the millions of words of a large service's sources (200 MB
 * made and dropped for Skyvern's).
 */
function asciiMentionFinder(names: string[]): (text: string) => string[] {
  const byHash = new Map<number, string[]>();
  for (const name of names) addTo(byHash, wordHash(name), name);
  return (text) => {
    const mentions = new Set<string>();
    let start = 0;
    let hash = 0; // of the word read so far, as wordHash gives it
    for (let i = 0; i <= text.length; i++) {
      const code = i < text.length ? text.charCodeAt(i) : 0;
      if (isWordCode(code)) {
        hash = nextHash(hash, code);
        continue;
      }
      const candidates = i > start ? byHash.get(hash) : undefined;
      if (candidates) for (const name of candidates) if (name.length === i - start && text.startsWith(name, start)) mentions.add(name);
      start = i + 1;
      hash = 0;
    }
    return [...mentions].sort();
  };
}

function wordHash(word: string): number {
  let hash = 0;
  for (let i = 0; i < word.length; i++) hash = nextHash(hash, word.charCodeAt(i));
  return hash;
}

function nextHash(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}

/** `\w` in a regular expression without the `u` flag: ASCII letters, digits and `_`. */
function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
}

/** The files reachable from the seeds over name links and package nesting, in the order of `files` (sorted). */
export function reachableFiles(files: string[], summaries: ReadonlyMap<string, TextSummary>): string[] {
  const byName = group(files, (f) => [nameWord(f)]);
  const byMention = group(files, (f) => summaries.get(f)?.mentions ?? []);
  const present = new Set(files);
  const reached = new Set<string>();
  const queue: string[] = [];
  const visit = (file: string): void => {
    if (reached.has(file) || !summaries.has(file)) return;
    reached.add(file);
    queue.push(file);
  };
  files.filter((f) => summaries.get(f)?.seed).forEach(visit);
  while (queue.length) {
    const file = queue.pop() as string;
    for (const word of summaries.get(file)?.mentions ?? []) byName.get(word)?.forEach(visit);
    byMention.get(nameWord(file))?.forEach(visit);
    // `from .. import x` names no module: the packages above a reached file are reached, and a reached
    // package reaches every file below it.
    const dirs = file.split('/').slice(0, -1).map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`);
    for (const dir of ['', ...dirs]) if (present.has(`${dir}__init__.py`)) visit(`${dir}__init__.py`);
    if (/(^|\/)__init__\.py$/.test(file)) filesBelow(files, file.slice(0, file.lastIndexOf('/') + 1)).forEach(visit);
  }
  return files.filter((f) => reached.has(f));
}

/** Files under `dir` (with its trailing slash): a contiguous run of the sorted list. */
function filesBelow(sorted: string[], dir: string): string[] {
  const low = lowerBound(sorted, dir);
  let end = low;
  while (end < sorted.length && sorted[end].startsWith(dir)) end++;
  return sorted.slice(low, end);
}

function group(files: string[], keys: (file: string) => string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const file of files) {
    for (const key of keys(file)) {
      const list = map.get(key);
      if (list) list.push(file);
      else map.set(key, [file]);
    }
  }
  return map;
}

export interface Selection {
  files: ({ file: string; hash: string } & Parsed)[]; // the files to analyse, in order, with their content hash and what the cache knows parsing it gives
  skipped: Skipped[];
  testFiles: string[]; // the test files the project imports, which are part of it (see importedTestFiles)
  sources: Map<string, SourceOutcome>; // selected files as the selection read them (see KEPT_SOURCE_CHARS): parsed as hashed
}

/**
 * The modules a file's import statements name, relative ones made absolute: `dojo/urls.py`'s `from .test.api.urls
 * import x` is `dojo.test.api.urls`; `from a.b import c` names `a.b` and, maybe a module, `a.b.c`.
 */
export function importedModules(file: string, text: string): string[] {
  // Only a name with `test` in it can be a test module's (see importedTestFiles): most files need no reading.
  if (!text.includes('test')) return NO_MODULES;
  const modules = new Set<string>();
  const packageParts = moduleNameOf(file).module.split('.').slice(0, /(^|\/)__init__\.py$/.test(file) ? undefined : -1);
  for (const m of text.matchAll(/^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)/gm)) {
    const [, dots, name, names] = m;
    const base = dots ? [...packageParts.slice(0, packageParts.length - (dots.length - 1)), ...(name ? [name] : [])].join('.') : name;
    if (base) modules.add(base);
    for (const imported of names.replace(/#[^\n]*/g, '').split(/[(),\n]/)) {
      const word = imported.trim().split(/\s/)[0];
      if (/^\w+$/.test(word ?? '')) modules.add(base ? `${base}.${word}` : word);
    }
  }
  for (const m of text.matchAll(/^[ \t]*import[ \t]+([\w.]+(?:[ \t]+as[ \t]+\w+)?(?:[ \t]*,[ \t]*[\w.]+(?:[ \t]+as[ \t]+\w+)?)*)/gm)) {
    for (const imported of m[1].split(',')) modules.add(imported.trim().split(/\s/)[0]);
  }
  return [...modules].filter((m) => m.includes('test')).sort().map(ownCopy); // kept all scan long (see ownCopy)
}

const NO_MODULES: string[] = [];

/**
 * Test files the project's own code imports (transitively), and the packages above them: DefectDojo's `dojo/test/`
 * holds the Test model's views and API routes, which `dojo/urls.py` imports. A module matches an imported name by
 * its dotted path or a tail of it (`src/app/test/x.py` is `app.test.x`) that no other file of the project matches.
 */
function importedTestFiles(testFiles: string[], importsOf: (file: string) => string[], files: string[]): string[] {
  const tails = (f: string): string[] => {
    const parts = moduleNameOf(f).module.split('.');
    return parts.map((_, i) => parts.slice(i).join('.'));
  };
  const byModule = group(testFiles, (f) => tails(f).filter((tail) => tail.includes('test')));
  // A name the project's other files answer to is theirs (`tests/baserow/api/` mirrors `src/baserow/api/`), as are
  // the packages above them, with an `__init__.py` or not: a run of whole segments of one of their dotted names.
  let ownModules: string[] | undefined;
  const own = new Map<string, boolean>();
  const isOwn = (name: string): boolean => {
    ownModules ??= files.map((f) => `.${moduleNameOf(f).module}.`);
    if (!own.has(name)) own.set(name, ownModules.some((module) => module.includes(`.${name}.`)));
    return own.get(name)!;
  };
  const included = new Set<string>();
  const present = new Set(testFiles);
  const queue = [...files];
  while (queue.length) {
    for (const name of importsOf(queue.pop() as string)) {
      const named = byModule.get(name);
      if (!named || isOwn(name)) continue;
      for (const file of named) {
        const dirs = file.split('/').slice(0, -1).map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/__init__.py`);
        for (const found of [file, ...dirs.filter((d) => present.has(d))]) {
          if (included.has(found)) continue;
          included.add(found);
          queue.push(found);
        }
      }
    }
  }
  return [...included].sort();
}

// The texts read here are kept for the mentions and for parsing up to this many characters in all: a service's whole
// source is read once (Skyvern's 35 MB: its parse phase 4.9-5.1 s -> 4.5-4.7 s), a larger tree's rest is read again
// rather than held at once.
const KEPT_SOURCE_CHARS = 48 * 2 ** 20;

/**
 * Reads the files (or takes what the cache knows of unchanged ones) and selects those the analysis can
 * reach, or all with `parseAll`. Files that cannot be read or decoded are skipped with their reason, as
 * parsing them would have been. Mentions are only needed when some file is a seed; they and the parse read
 * the texts kept here (`keptChars`, default KEPT_SOURCE_CHARS), files past that bound a second time.
 */
export async function selectFiles(root: string, nonTestFiles: string[], options: { maxBytes: number; parseAll?: boolean; cache?: ScanCache; testFiles?: string[]; keptChars?: number }): Promise<Selection> {
  const { maxBytes, cache, testFiles = [], keptChars: keptLimit = KEPT_SOURCE_CHARS } = options;
  const known = new Map<string, { stat: Stats; facts: FileFacts }>();
  const sources = new Map<string, SourceOutcome>(); // read once, for the hash, the mentions and parsing
  let keptChars = 0;
  const skipped: Skipped[] = [];
  const read = (file: string): void => {
    const stat = statOrUndefined(path.join(root, file));
    const cached = stat && stat.size <= maxBytes ? cache?.lookup(file, stat) : undefined;
    if (stat && cached && (cached.imports || !testFiles.length)) {
      known.set(file, { stat, facts: cached });
      return;
    }
    const source = readSource(root, file, maxBytes);
    if (!source.ok) skipped.push({ file, reason: source.reason });
    else if (stat) {
      if (keptChars + source.text.length <= keptLimit) {
        sources.set(file, source);
        keptChars += source.text.length;
      }
      const contentHash = hash(source.text);
      const imports = testFiles.length ? importedModules(file, source.text) : undefined;
      known.set(file, { stat, facts: { hash: contentHash, seed: isSeed(source.text), ...(imports && { imports }), ...cache?.knownParse(file, contentHash) } });
    }
  };
  nonTestFiles.forEach(read);
  const imported = importedTestFiles(testFiles, (file) => known.get(file)?.facts.imports ?? [], nonTestFiles);
  imported.forEach(read);
  const files = [...nonTestFiles, ...imported].sort();
  const summaries = new Map<string, TextSummary>();
  if (!options.parseAll && [...known.values()].some((k) => k.facts.seed)) {
    // Module names of every file that may be scanned: what a cached mention holds for depends on no import.
    const mentionsIn = mentionFinder(new Set([...nonTestFiles, ...testFiles].map(nameWord)));
    for (const [file, { facts }] of known) {
      if (!facts.mentions) {
        const source = sources.get(file) ?? readSource(root, file, maxBytes);
        facts.mentions = source.ok ? mentionsIn(source.text) : [];
      }
      summaries.set(file, { seed: facts.seed, mentions: facts.mentions });
    }
  }
  for (const [file, { stat, facts }] of known) cache?.remember(file, stat, facts);
  // Without a seed nothing is reachable.
  const selected = options.parseAll ? files.filter((f) => known.has(f)) : summaries.size ? reachableFiles(files, summaries) : [];
  const selectedSources = new Map<string, SourceOutcome>();
  for (const file of selected) {
    const source = sources.get(file);
    if (source) selectedSources.set(file, source);
  }
  return {
    files: selected.map((file) => {
      const { facts } = known.get(file) as { facts: FileFacts };
      return { file, hash: facts.hash, ...parsedOf(facts) };
    }),
    skipped,
    testFiles: imported,
    sources: selectedSources,
  };
}

/** Synchronous: a thread-pool round trip per file would cost more than the stat itself. Any error (a link loop, a vanished file) means no stat. */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
