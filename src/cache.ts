/**
 * The scan cache (`.apiposture-cache/` at the scan root unless placed elsewhere): what a scan learnt of each
 * file, so an unchanged tree is neither read nor parsed again. `index.json` maps each file, by size,
 * modification and change times and inode (as git's index does), to its content hash, what the parse
 * shortcut needs (a file changed within the time granularity of the scan that hashed it is hashed again) and
 * where its module's facts are: a record in one of the packs `facts/<random>.pack`, each scan writing the facts it
 * parsed into a pack of its own (a file per module cost 0.6 ms a file to create here, a third of a cold scan). The
 * index is keyed by the build: a different version or facts code starts a fresh cache and never reads facts it did not write. Safe to delete at any time; a cache file that cannot be read, is damaged (its
 * keyed hash line does not match: see sealKey) or has the wrong shape is recomputed, a cache that cannot be written is reported once and the scan goes on. The cache writes only inside a folder it created
 * and marked with the user's key, never through a link, and deletes only the packs it named (and the facts files earlier
 * versions named): an existing folder
 * without that mark (`--cache-dir .`, a cache a repository ships) is reported once and not used.
 */
import { isAscii } from 'node:buffer';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, promises as fs, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compacted, factsJson, type ModuleFacts } from './python/ir';
import { readRegularFile, readRegularFileRange, readTextOrUndefined } from './regular-file';
import { isObject, isStrings } from './json-input';
import { VERSION } from './version';
import { RACY_MS, type Listing, type ListingStore } from './discover';

export const CACHE_DIR = '.apiposture-cache';

// The mark of a folder the cache created, in the Cache Directory Tagging format (backup tools skip such folders).
const MARK_FILE = 'CACHEDIR.TAG';
const MARK_HEAD = 'Signature: 8a477f597d28d172789f06886806bc55\n# A cache created by apiposture; safe to delete.\n';
// The names of packs of facts, and of the facts files earlier versions wrote: the only files the cache deletes,
// with the temporary packs of scans that stopped before they were done (`<pack>.<pid>.tmp`).
const PACK_FILE = /^[0-9a-f]{40}\.pack$/;
const FACTS_FILE = /^[0-9a-f]{40}\.json$/;
const PACK_TEMPORARY = /^[0-9a-f]{40}\.pack\.(\d+)\.tmp$/;
// Live records spread over more packs than this, or filling less than half of theirs, are copied into one pack.
const MAX_PACKS = 8;

// The last scan's result, with what it read beyond its key (see scan.ts).
const RESULT_FILE = 'result.json';

/**
 * A scan's result under the key of its inputs (the apiposture code, options, configuration, every selected
 * file's content, manifests, deployment files), with the configuration files its code named (`reads`, each
 * with the hash of what was read, null when absent) and the warnings it gave after the key was known.
 */
export interface StoredResult {
  key: string;
  reads: [string, string | null][];
  warnings: string[];
  result: unknown;
}

let code: string | undefined;

/** What tells one build of apiposture from another: the version and the source of every module, rules too. */
export function codeHash(): string {
  code ??= hash([VERSION, ...sourcesBelow(__dirname), ...sourcesBelow(path.join(__dirname, '..', 'rules'))].join('\0'));
  return code;
}

function sourcesBelow(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  return entries.flatMap((e) => (e.isDirectory() ? sourcesBelow(path.join(dir, e.name)) : /\.(js|ts)$/.test(e.name) ? [readFileSync(path.join(dir, e.name), 'utf8')] : []));
}

/**
 * What is known of one file's content. `mentions` holds only for the file list it was computed with; `digest`,
 * once the content was parsed, is the digest of what parsing gave (its module facts and decoding note, or why
 * it was skipped): an edit that leaves it as it was (a comment) cannot change the analysis. `note` is that
 * decoding note, repeated whenever the cached facts are read.
 */
export interface FileFacts {
  hash: string;
  seed: boolean;
  mentions?: string[];
  imports?: string[]; // the modules its import statements name (see importedModules)
  digest?: string;
  note?: string;
  facts?: FactsPlace; // where its module's facts are, when parsing gave facts
}

/** A record of facts: its pack, offset and length in bytes (a hash line, then the facts as JSON). */
export type FactsPlace = [string, number, number];

/** What parsing a file's content gave, as far as the cache keeps it apart from its facts, and where those are. */
export type Parsed = Pick<FileFacts, 'digest' | 'note' | 'facts'>;

/** What tells a file unchanged: an edit, `touch -r` (which sets ctime) or a replacement by rename changes one of these. */
const STAMP = ['size', 'mtimeMs', 'ctimeMs', 'ino'] as const;
type Stamp = Record<(typeof STAMP)[number], number>;

interface IndexEntry extends FileFacts, Stamp {}

interface Index {
  build: string;
  fileList: string; // hash of the scanned file list: module names, and so `mentions`, depend on it
  started: number; // when the scan began, before it read any file
  files: Record<string, IndexEntry>;
  listings: Record<string, Listing>; // tree walks, by what they were asked
}

// The source of the modules whose output is cached, and of the cache: a change to any of them changes every key.
const BUILD = hash([VERSION, ...['./python/facts', './python/ir', './parse', './relevance', './discover', './cache'].map((m) => readFileSync(require.resolve(m), 'utf8'))].join('\0'));

export function hash(text: string | Uint8Array): string {
  return createHash('sha1').update(text).digest('hex');
}

export class ScanCache implements ListingStore {
  private readonly next: Index;
  private changed = false;
  private unsettled = false; // some file was hashed again for a recent change: a new index lets it settle
  private readonly madeDirs = new Set<string>();
  private made = false;
  private problem?: string;
  private pack?: { name: string; temporary: string; fd: number; size: number }; // this scan's, while it is written

  private constructor(
    private readonly dir: string,
    private readonly previous: Index,
  ) {
    this.next = { build: BUILD, fileList: '', started: Date.now(), files: {}, listings: {} };
  }

  /** The cache in `dir`; none, with a warning, when `dir` exists without the cache's mark. */
  static async open(dir: string, onWarning?: (message: string) => void): Promise<ScanCache | undefined> {
    try {
      sealKey();
    } catch (error) {
      onWarning?.(`cache not used: its key cannot be kept in ${keyFile()}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return undefined;
    }
    const exists = await fs.lstat(dir).then(() => true, () => false);
    if (exists && !isMarked(dir)) {
      onWarning?.(`cache not used: apiposture did not create ${dir} for this user (it has no ${MARK_FILE} made with this user's key: another tool's folder, a cache committed to the repository or copied from elsewhere, or an older apiposture's); choose a new folder with --cache-dir, or delete this one`);
      return undefined;
    }
    const empty: Index = { build: BUILD, fileList: '', started: 0, files: {}, listings: {} };
    try {
      const index = unseal(readRegularFile(path.join(dir, 'index.json')));
      return new ScanCache(dir, isIndex(index) ? index : empty);
    } catch {
      return new ScanCache(dir, empty);
    }
  }

  listing(key: string): Listing | undefined {
    const listing: unknown = this.previous.listings[key];
    return isListing(listing) ? listing : undefined;
  }

  rememberListing(key: string, listing: Listing): void {
    this.next.listings[key] = listing;
  }

  /** The files this scan covers (after discovery, before any lookup). */
  useFileList(files: string[]): void {
    this.next.fileList = hash(files.join('\0'));
  }

  /**
   * What is known of a file whose stamp is unchanged; mentions only if still valid. A file changed within the
   * time granularity (RACY_MS) before the scan that hashed it began may have been changed again with no new
   * time: it is hashed again, until a scan begins well after its last change.
   */
  lookup(file: string, stat: Stats): FileFacts | undefined {
    const entry: unknown = this.previous.files[file];
    if (!isEntry(entry) || STAMP.some((key) => entry[key] !== stat[key])) return undefined;
    if (Math.max(entry.mtimeMs, entry.ctimeMs) >= this.previous.started - RACY_MS) {
      this.unsettled = true;
      return undefined;
    }
    const { hash: contentHash, seed, mentions, imports } = entry;
    return { hash: contentHash, seed, ...(this.previous.fileList === this.next.fileList && mentions && { mentions }), ...(imports && { imports }), ...parsedOf(entry) };
  }

  /** What parsing gave for this content of the file, also when its stamp could not vouch for it. */
  knownParse(file: string, contentHash: string): Parsed {
    const entry: unknown = this.previous.files[file];
    return isEntry(entry) && entry.hash === contentHash ? parsedOf(entry) : {};
  }

  remember(file: string, stat: Stats, facts: FileFacts): void {
    this.next.files[file] = { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, ...facts };
  }

  /** The facts recorded at `place`, kept with the scan's other `texts` (see compacted). */
  moduleFacts(file: string, place: FactsPlace, texts?: Map<string, string>): ModuleFacts | undefined {
    try {
      // Read a byte a character: decoded as UTF-8, one non-ASCII character anywhere makes the whole text two bytes a
      // character, slower to decode and to parse (Skyvern: 60 of its 67 MB of facts); compacted decodes the texts
      // that hold such bytes.
      const [pack, offset, length] = place;
      const bytes = readRegularFileRange(path.join(this.dir, 'facts', pack), offset, length);
      const facts = compacted(JSON.parse(unsealedText(bytes, 'latin1')) as ModuleFacts, { texts, utf8Bytes: !isAscii(bytes) });
      return isModuleFacts(facts, file) ? facts : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Appended now to this scan's pack, so large scans do not hold every text at once; `json`, the facts as text when a
   * worker sent them so. Returns the digest it keeps (see FileFacts).
   */
  storeModuleFacts(file: string, facts: ModuleFacts, note = '', json = factsJson(facts)): string {
    this.changed = true;
    const bytes = Buffer.from(json); // encoded once, for the seal and for the file
    const sum = seal(bytes);
    const place = this.append(Buffer.from(`${sum}\n`), bytes);
    return this.rememberParse(file, note ? hash(`${sum}\0${note}`) : sum, note, place);
  }

  /** Keeps the digest (and decoding note, and where its facts are) of what parsing the file's current content gave; returns the digest. */
  rememberParse(file: string, digest: string, note = '', facts?: FactsPlace): string {
    const entry = this.next.files[file];
    if (entry) Object.assign(entry, { digest }, note && { note }, facts && { facts });
    return digest;
  }

  /** The result a scan stored under `key`, if it is that scan's. */
  storedResult(key: string): StoredResult | undefined {
    try {
      const stored = unseal(readRegularFile(path.join(this.dir, RESULT_FILE)));
      return isStoredResult(stored) && stored.key === key ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  /** Kept for the next scan whose inputs give the same key; one result per cache, the last scan's. Copied now: the caller goes on to mark baselined findings. */
  storeResult(stored: StoredResult): void {
    this.changed = true;
    this.write(path.join(this.dir, RESULT_FILE), sealed(JSON.stringify(stored)));
  }

  /**
   * Writes this scan's pack and the index, and drops the packs no file refers to any more, unless nothing changed;
   * returns a problem to report, if any.
   */
  async save(): Promise<string | undefined> {
    this.closePack();
    const sameIndex = JSON.stringify({ ...this.next, started: this.previous.started }) === JSON.stringify(this.previous);
    if (!this.changed && !this.unsettled && sameIndex) return undefined;
    if (!this.problem) this.repackIfScattered();
    this.write(path.join(this.dir, 'index.json'), sealed(JSON.stringify(this.next)));
    const live = new Set(this.places().map(([pack]) => pack));
    const stored = await fs.readdir(path.join(this.dir, 'facts')).catch(() => [] as string[]);
    const stale = stored.filter((name) => FACTS_FILE.test(name) || (PACK_FILE.test(name) && !live.has(name)) || leftByStoppedScan(name));
    await Promise.all(stale.map((name) => fs.rm(path.join(this.dir, 'facts', name), { force: true }).catch((error: unknown) => this.fail(error))));
    return this.problem;
  }

  /** Where the facts of the files the next scan will know are. */
  private places(): FactsPlace[] {
    return Object.values(this.next.files).flatMap((entry) => (entry.facts ? [entry.facts] : []));
  }

  /** Appends a record to this scan's pack, made on first use; its place, or none when the cache cannot be written. */
  private append(...parts: Uint8Array[]): FactsPlace | undefined {
    if (this.problem) return undefined;
    try {
      if (!this.pack) {
        const name = `${randomBytes(20).toString('hex')}.pack`;
        const temporary = path.join(this.folder('facts'), `${name}.${process.pid}.tmp`);
        this.pack = { name, temporary, fd: createAfresh(temporary), size: 0 };
      }
      const offset = this.pack.size;
      for (const part of parts) {
        writeAll(this.pack.fd, part);
        this.pack.size += part.length;
      }
      return [this.pack.name, offset, this.pack.size - offset];
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** Closes this scan's pack and gives it its name, so that the index written next can refer to it. */
  private closePack(): void {
    const pack = this.pack;
    if (!pack) return;
    this.pack = undefined;
    try {
      closeSync(pack.fd);
      if (!this.problem) renameSync(pack.temporary, path.join(this.dir, 'facts', pack.name));
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * After many edits the live records lie in many small packs, and the first pack holds the old facts of every file
   * edited since: past MAX_PACKS packs, or when less than half their bytes are live, the live records are copied
   * into one new pack.
   */
  private repackIfScattered(): void {
    const places = this.places();
    const packs = new Set(places.map(([pack]) => pack));
    if (packs.size <= 1) return;
    const liveBytes = places.reduce((sum, [, , length]) => sum + length, 0);
    let packBytes = 0;
    try {
      for (const pack of packs) packBytes += lstatSync(path.join(this.dir, 'facts', pack)).size;
    } catch {
      return; // a pack another scan deleted: its files are parsed again, and what is live is repacked then
    }
    if (packs.size <= MAX_PACKS && liveBytes * 2 >= packBytes) return;
    for (const entry of Object.values(this.next.files)) {
      if (!entry.facts) continue;
      const [pack, offset, length] = entry.facts;
      try {
        entry.facts = this.append(readRegularFileRange(path.join(this.dir, 'facts', pack), offset, length));
      } catch {
        delete entry.facts; // parsed again by the next scan that needs it
      }
    }
    this.closePack();
  }

  /** Creates and marks the cache folder, once; one that appeared since `open` is used only if marked. */
  private ownFolder(): void {
    if (this.made) return;
    mkdirSync(path.dirname(this.dir), { recursive: true });
    try {
      mkdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !isMarked(this.dir)) throw error;
      this.made = true;
      return;
    }
    writeFileSync(path.join(this.dir, MARK_FILE), mark());
    writeFileSync(path.join(this.dir, '.gitignore'), '*\n'); // keeps the cache out of the user's commits
    this.made = true;
  }

  /**
   * Written under a temporary name and renamed, so a concurrent scan never reads half a file. Synchronous: a
   * cold scan writes a file per module, and thread-pool round trips would cost more than the writes.
   */
  private write(target: string, head: string, body: Uint8Array = NO_BYTES): void {
    if (this.problem) return;
    try {
      this.folder(path.relative(this.dir, path.dirname(target)));
      const temporary = `${target}.${process.pid}.tmp`;
      const fd = createAfresh(temporary);
      try {
        writeAll(fd, Buffer.from(head));
        writeAll(fd, body);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, target);
    } catch (error) {
      this.fail(error);
    }
  }

  /** The cache's folder or one inside it, made if need be (and the cache folder marked); never one reached through a link. */
  private folder(inside: string): string {
    this.ownFolder();
    const dir = path.join(this.dir, inside);
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      if (lstatSync(dir).isSymbolicLink()) throw new Error(`${dir} is a symbolic link`); // it would lead outside the cache
      this.madeDirs.add(dir);
    }
    return dir;
  }

  /** Keeps the first problem, reported once after the scan. */
  private fail(error: unknown): void {
    this.problem ??= `cache not written to ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
}

const NO_BYTES = new Uint8Array(0);

/**
 * A new file at `file`, open for writing. An exclusive create never opens whatever lies at that name (a link would
 * lead the write elsewhere); what does (left by a scan that stopped midway) is deleted and the create tried again.
 */
function createAfresh(file: string): number {
  try {
    return openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    rmSync(file, { force: true });
    return openSync(file, 'wx');
  }
}

/** A temporary pack whose scan is no longer running (it stopped before it was done). */
function leftByStoppedScan(name: string): boolean {
  const pid = PACK_TEMPORARY.exec(name)?.[1];
  if (!pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

/** The mark's text: the tag, and a line only this user's key gives (see sealKey), so a folder a repository ships is not taken for one. */
function mark(): string {
  return `${MARK_HEAD}# ${seal('a cache folder of apiposture')}\n`;
}

function isMarked(dir: string): boolean {
  return readTextOrUndefined(path.join(dir, MARK_FILE)) === mark();
}

/** Where the key cache files are sealed with is kept: per user, outside every project. */
function keyFile(): string {
  const home = process.env.XDG_CACHE_HOME || (process.platform === 'win32' && process.env.LOCALAPPDATA) || path.join(os.homedir(), '.cache');
  return path.join(home, 'apiposture', 'key');
}

const keys = new Map<string, Buffer>();

/**
 * The key cache files are sealed with (an HMAC): random, made once per user. A cache folder a repository
 * ships, committed facts or a stored result claiming every route limited, was not sealed with it and reads as
 * no cache; so does one copied from another machine. Made with an exclusive create, so concurrent scans agree.
 */
function sealKey(): Buffer {
  const file = keyFile();
  let key = keys.get(file);
  if (!key) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, randomBytes(32).toString('hex'));
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    key = readRegularFile(file);
    if (key.length < 32) throw new Error(`${file} is too short to be a key`);
    keys.set(file, key);
  }
  return key;
}

/** The keyed hash of a cache file's content (see sealKey). */
function seal(content: string | Uint8Array): string {
  return createHmac('sha1', sealKey()).update(content).digest('hex');
}

/**
 * Cache files begin with a line holding the keyed hash of the JSON below it: a file damaged in any way, even into
 * other valid JSON (a `seed` flipped, facts cut short), or not written by this user's scans, reads as no file.
 */
export function sealed(json: string): string {
  return `${seal(json)}\n${json}`;
}

function unseal(bytes: Buffer): unknown {
  return JSON.parse(unsealedText(bytes, 'utf8'));
}

/** The text below a cache file's hash line, once the hash vouches for it. */
function unsealedText(bytes: Buffer, encoding: 'utf8' | 'latin1'): string {
  const start = bytes.indexOf(10) + 1; // after the hash line; the hash is of the bytes below it, as written
  if (bytes.toString('latin1', 0, start) !== `${seal(bytes.subarray(start))}\n`) throw new Error('damaged cache file');
  return bytes.toString(encoding, start);
}

// What is read back is also checked before use: a sealed file of the wrong shape costs a recomputation, not a crash.

function isIndex(value: unknown): value is Index {
  return isObject(value) && value.build === BUILD && typeof value.fileList === 'string' && typeof value.started === 'number' && isObject(value.files) && isObject(value.listings);
}

function isEntry(value: unknown): value is IndexEntry {
  return isObject(value) && STAMP.every((key) => typeof value[key] === 'number') && typeof value.hash === 'string'
    && typeof value.seed === 'boolean' && [value.mentions, value.imports].every((v) => v === undefined || isStrings(v)) && [value.digest, value.note].every((v) => v === undefined || typeof v === 'string')
    && (value.facts === undefined || isPlace(value.facts));
}

function isPlace(value: unknown): value is FactsPlace {
  return Array.isArray(value) && value.length === 3 && typeof value[0] === 'string' && PACK_FILE.test(value[0]) && [value[1], value[2]].every((n) => Number.isSafeInteger(n) && n >= 0);
}

export function parsedOf({ digest, note, facts }: Parsed): Parsed {
  return { ...(digest && { digest }), ...(note && { note }), ...(facts && { facts }) };
}

function isStoredResult(value: unknown): value is StoredResult {
  return isObject(value) && typeof value.key === 'string' && isStrings(value.warnings) && isObject(value.result)
    && Array.isArray(value.reads) && value.reads.every((r) => Array.isArray(r) && typeof r[0] === 'string' && (typeof r[1] === 'string' || r[1] === null));
}

function isListing(value: unknown): value is Listing {
  return isObject(value) && isStrings(value.files) && isStrings(value.links)
    && Array.isArray(value.folders) && value.folders.every((folder) => Array.isArray(folder) && typeof folder[0] === 'string' && typeof folder[1] === 'number');
}

/** The top level of a module's facts, for the file asked about; deeper damage is not looked for. */
function isModuleFacts(value: unknown, file: string): value is ModuleFacts {
  return isObject(value) && value.file === file && typeof value.module === 'string' && typeof value.isPackage === 'boolean' && isObject(value.bindings)
    && ['scopes', 'calls', 'functions', 'classes', 'directives'].every((key) => Array.isArray(value[key]));
}
