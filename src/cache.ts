/**
 * The scan cache (`.apiposture-cache/` at the scan root unless placed elsewhere): what a scan learnt of each
 * file, so an unchanged tree is neither read nor parsed again. `index.json` maps each file, by size and
 * modification time (as git's index does), to its content hash and what the parse shortcut needs;
 * `facts/<hash>.json` holds a module's facts, keyed by its path and content. Everything is keyed by the apiposture build too: a different version or facts
 * code starts a fresh cache. Safe to delete at any time; a cache that cannot be read is ignored, one that
 * cannot be written is reported once and the scan goes on.
 */
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { ModuleFacts } from './python/ir';
import { VERSION } from './version';
import type { Listing, ListingStore } from './discover';

export const CACHE_DIR = '.apiposture-cache';

/** What is known of one file's content. `mentions` holds only for the file list it was computed with. */
export interface FileFacts {
  hash: string;
  seed: boolean;
  mentions?: string[];
}

interface IndexEntry extends FileFacts {
  size: number;
  mtimeMs: number;
}

interface Index {
  build: string;
  fileList: string; // hash of the scanned file list: module names, and so `mentions`, depend on it
  files: Record<string, IndexEntry>;
  listings: Record<string, Listing>; // tree walks, by what they were asked
}

// The source of the modules whose output is cached, and of the cache: a change to any of them changes every key.
const BUILD = hash([VERSION, ...['./python/facts', './python/ir', './parse', './relevance', './discover', './cache'].map((m) => readFileSync(require.resolve(m), 'utf8'))].join('\0'));

export function hash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export class ScanCache implements ListingStore {
  private readonly next: Index;
  private written = Promise.resolve();
  private changed = false;
  private readonly madeDirs = new Map<string, Promise<unknown>>();
  private problem?: string;

  private constructor(
    private readonly dir: string,
    private readonly previous: Index,
  ) {
    this.next = { build: BUILD, fileList: '', files: {}, listings: {} };
  }

  static async open(dir: string): Promise<ScanCache> {
    const empty: Index = { build: BUILD, fileList: '', files: {}, listings: {} };
    try {
      const index = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as Index;
      return new ScanCache(dir, index.build === BUILD ? index : empty);
    } catch {
      return new ScanCache(dir, empty);
    }
  }

  listing(key: string): Listing | undefined {
    return this.previous.listings[key];
  }

  rememberListing(key: string, listing: Listing): void {
    this.next.listings[key] = listing;
  }

  /** The files this scan covers (after discovery, before any lookup). */
  useFileList(files: string[]): void {
    this.next.fileList = hash(files.join('\0'));
  }

  /** What is known of a file whose size and modification time are unchanged; mentions only if still valid. */
  lookup(file: string, stat: Stats): FileFacts | undefined {
    const entry = this.previous.files[file];
    if (!entry || entry.size !== stat.size || entry.mtimeMs !== stat.mtimeMs) return undefined;
    const { hash: contentHash, seed, mentions } = entry;
    return this.previous.fileList === this.next.fileList && mentions ? { hash: contentHash, seed, mentions } : { hash: contentHash, seed };
  }

  remember(file: string, stat: Stats, facts: FileFacts): void {
    this.next.files[file] = { size: stat.size, mtimeMs: stat.mtimeMs, ...facts };
  }

  async moduleFacts(file: string, contentHash: string): Promise<ModuleFacts | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.factsPath(file, contentHash), 'utf8')) as ModuleFacts;
    } catch {
      return undefined;
    }
  }

  /** Queued: one file is written at a time, and its text made only then, so large scans do not hold every text at once. */
  storeModuleFacts(file: string, contentHash: string, facts: ModuleFacts): void {
    this.changed = true;
    this.written = this.written.then(() => this.write(this.factsPath(file, contentHash), JSON.stringify(facts)));
  }

  /**
   * Writes the index and drops facts no file refers to any more, unless nothing changed; returns a problem
   * to report, if any.
   */
  async save(): Promise<string | undefined> {
    await this.written;
    const index = JSON.stringify(this.next);
    if (!this.changed && index === JSON.stringify(this.previous)) return undefined;
    await this.write(path.join(this.dir, 'index.json'), index);
    await this.write(path.join(this.dir, '.gitignore'), '*\n'); // keeps the cache out of the user's commits
    const live = new Set(Object.entries(this.next.files).map(([file, entry]) => path.basename(this.factsPath(file, entry.hash))));
    const stored = await fs.readdir(path.join(this.dir, 'facts')).catch(() => [] as string[]);
    await Promise.all(stored.filter((name) => !live.has(name)).map((name) => fs.rm(path.join(this.dir, 'facts', name), { force: true })));
    return this.problem;
  }

  private factsPath(file: string, contentHash: string): string {
    return path.join(this.dir, 'facts', `${hash(`${file}\0${contentHash}`)}.json`);
  }

  /** Written under a temporary name and renamed, so a concurrent scan never reads half a file. */
  private async write(target: string, data: string): Promise<void> {
    if (this.problem) return;
    try {
      const dir = path.dirname(target);
      if (!this.madeDirs.has(dir)) this.madeDirs.set(dir, fs.mkdir(dir, { recursive: true }));
      await this.madeDirs.get(dir);
      const temporary = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temporary, data);
      await fs.rename(temporary, target);
    } catch (error) {
      this.problem ??= `cache not written to ${this.dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
    }
  }
}
