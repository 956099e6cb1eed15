/**
 * What `scan --watch` waits on: a change to a file of the project. Each folder is watched on its own (a recursive
 * watch in Node 20 takes one inotify watch per file as well: 5,718 for Skyvern's repository, against 386 folders,
 * and a user's watches are limited), but not the folders no scan reads (DEFAULT_EXCLUDES, hidden ones but at the
 * root, where deployment files are looked for too) nor the cache's, whose writes would wake it again.
 */
import { readdirSync, realpathSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { DEFAULT_EXCLUDES } from './discover';

// Editors save in steps (a temporary file, a rename, a second write): the scan starts once none came for this long,
// or this long after the first change when changes keep coming (a log written every 100 ms would starve it).
const SETTLE_MS = 200;
const MAX_SETTLE_MS = 2000;

const UNREAD_FOLDERS = new Set(DEFAULT_EXCLUDES.map((pattern) => /^\*\*\/([^*/]+)\/\*\*$/.exec(pattern)?.[1]).filter((name) => name !== undefined));

export class ProjectWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private changed: string | undefined; // the first path changed since the last nextChange answered
  private settle?: NodeJS.Timeout;
  private settleBy = 0; // when the changes seen are scanned whether or not more come
  private wake?: (changed: string) => void;
  private readonly root: string;
  private readonly ignored: Set<string>;
  private readonly alsoWatched: string[];

  /**
   * `ignored`: paths whose changes are the scan's own (the cache folder, report files); `alsoWatched`: folders the
   * scan reads a file of outside those below the root it watches (a file given by name in a folder scans skip,
   * configuration found above the root, `--config`'s). All are compared as the file system resolves them: a report
   * named through a link would otherwise never match the changes seen, and each scan would wake the next.
   */
  constructor(root: string, ignored: Iterable<string>, alsoWatched: Iterable<string> = []) {
    this.root = resolved(root);
    this.ignored = new Set([...ignored].map(resolved));
    this.alsoWatched = [...new Set([...alsoWatched].map(resolved))];
  }

  /**
   * Watches every folder below the root as it is now: those made since the last call too; those gone are let go.
   * Returns why folders could not be watched (the user's limit of inotify watches reached), with how many.
   */
  refresh(): string | undefined {
    const folders = this.foldersBelow(this.root);
    for (const folder of this.alsoWatched) folders.add(folder);
    for (const [folder, watcher] of this.watchers) {
      if (folders.has(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
    }
    const unwatched = new Map<string, number>();
    for (const folder of folders) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, (_event, name) => this.saw(name ? path.join(folder, name.toString()) : folder));
        watcher.on('error', () => {
          watcher.close(); // the folder went away, or cannot be watched any more: the next refresh tries it again
          this.watchers.delete(folder);
        });
        this.watchers.set(folder, watcher);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        if (code !== 'ENOENT') unwatched.set(code, (unwatched.get(code) ?? 0) + 1); // else removed since it was listed
      }
    }
    if (!unwatched.size) return undefined;
    const counted = [...unwatched].map(([code, count]) => `${count} (${code}${code === 'ENOSPC' ? ': the limit fs.inotify.max_user_watches reached' : ''})`);
    return `${counted.join(', ')} folders of the project cannot be watched: changes there are not seen`;
  }

  get folders(): number {
    return this.watchers.size;
  }

  /** The first path that changed since the last answer, once changes have settled. */
  nextChange(): Promise<string> {
    return new Promise((resolve) => {
      this.wake = resolve;
      if (this.changed !== undefined && !this.settle) this.answer();
    });
  }

  close(): void {
    clearTimeout(this.settle);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private saw(changed: string): void {
    if ([...this.ignored].some((own) => changed === own || changed.startsWith(`${own}${path.sep}`))) return;
    // A folder removed and made again (a checkout, a generator) is a new one: its old watch would see nothing more.
    this.watchers.get(changed)?.close();
    this.watchers.delete(changed);
    if (this.changed === undefined) this.settleBy = Date.now() + MAX_SETTLE_MS;
    this.changed ??= changed;
    clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = undefined;
      this.answer();
    }, Math.max(0, Math.min(SETTLE_MS, this.settleBy - Date.now())));
  }

  private answer(): void {
    const { wake, changed } = this;
    if (!wake || changed === undefined) return;
    this.wake = undefined;
    this.changed = undefined;
    wake(changed);
  }

  private foldersBelow(folder: string, found = new Set<string>()): Set<string> {
    if (this.ignored.has(folder)) return found;
    found.add(folder);
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return found; // unreadable or gone: nothing below it to watch
    }
    for (const entry of entries) {
      const read = !UNREAD_FOLDERS.has(entry.name) && (!entry.name.startsWith('.') || folder === this.root);
      if (entry.isDirectory() && read) this.foldersBelow(path.join(folder, entry.name), found);
    }
    return found;
  }
}

/** The path as the file system resolves it (links followed); for a file not made yet, its folder's, resolved. */
function resolved(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}
