/**
 * Parses files to module facts on this thread and worker threads (`jobs`): reading, parsing and facts
 * extraction are most of a scan's time and each file is independent of the others. This thread takes batches
 * too: it has nothing else to do meanwhile, and its outcomes need no copying between threads. Outcomes come
 * back in the order of `files` whatever order the lanes finish in, so the report does not depend on the number
 * of jobs.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { factsOfParse, parseableSource, parseFile, readSource, type ParseOutcome, type SourceOutcome } from './parse';
import { compacted, factsFromJson, factsJson, type PlaceMetAgain } from './python/ir';
import { parseAhead, releaseParserMemory, type ParseAhead } from './python/syntax';

export interface ParseFilesOptions {
  maxFileBytes: number;
  jobs?: number; // at most the number of cores, by default one fewer; 1 parses on this thread
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
  texts?: Map<string, string>; // the one copy of each text the scan's facts hold (see compacted)
  sources?: Map<string, SourceOutcome>; // files already read (see Selection.sources): parsed on this thread as read, then dropped
  // Each outcome as it comes, with its facts as JSON (what a cache writes, as it is): as a worker sent them, or written here.
  onParsed?: (index: number, outcome: ParseOutcome, json: string | undefined) => void;
}

/** An outcome as a worker sends it: facts as JSON text, which costs less to copy between threads than objects. */
export type SentOutcome = Exclude<ParseOutcome, { ok: true }> | { ok: true; json: string; note?: string };

/** What a worker is started with; each message it gets is a batch of files, and it answers their outcomes. */
export interface ParseWorkerData {
  root: string;
  maxFileBytes: number;
}

// Starting a worker (loading tree-sitter and this code, warming up the JIT) costs about 0.1 s of CPU, as
// much as parsing a few dozen small files.
const MIN_FILES_PER_WORKER = 25;
// Files per message: small enough that a batch of large files at the end does not leave the other
// workers idle long, large enough that messaging costs nothing next to parsing.
const BATCH_SIZE = 8;
// Files the main thread has sent to be parsed ahead beyond the batch it is on: enough that a few large files in a
// row do not leave it waiting (Saleor's files, parsed and their facts built in a loop: 7.1-8.0 s on one thread,
// 4.5-5.7 s with 8 files ahead, 4.1-4.7 s with 32).
const PARSED_AHEAD = 32;

// Workers need JavaScript: under ts-jest this module is the .ts source, so use the build in dist/ (`npm test` builds first).
const WORKER_SCRIPT = __filename.endsWith('.ts')
  ? path.join(__dirname, '..', 'dist', 'src', 'parse-worker.js')
  : path.join(__dirname, 'parse-worker.js');

/** Each file's outcome, in the order of `files`. */
export async function parseFiles(root: string, files: string[], options: ParseFilesOptions): Promise<ParseOutcome[]> {
  const { maxFileBytes, onProgress, onWarning, onParsed, texts = new Map<string, string>(), sources = new Map<string, SourceOutcome>() } = options;
  // More threads than cores only cost memory and start-up time (--jobs 10000 would start hundreds). By default one
  // core is left to V8's own threads (concurrent marking of the facts kept, compiling) and to reading files: on two
  // cores a worker saved no time and cost 30-35 MB of peak (polar 7.8-7.9 s and 232-234 MB with one thread, 7.9-8.2 s
  // and 265-269 MB with a worker; Skyvern 10.0-10.2 s and 321-332 MB against 10.3-10.6 s and 354-364 MB), the main
  // thread busy taking in the worker's facts while the worker sat idle 3 of its 7 s.
  const cores = os.availableParallelism();
  const threads = Math.min(options.jobs ?? Math.max(1, cores - 1), cores, Math.floor(files.length / MIN_FILES_PER_WORKER));
  const workers: Worker[] = [];
  const outcomes: ParseOutcome[] = new Array(files.length);
  let next = 0;
  let done = 0;
  let stopping = false;

  // Each lane takes the next batch as soon as it is free, so lanes that get small files take more batches.
  const claim = (): { start: number; batch: string[] } | undefined => {
    if (stopping || next >= files.length) return undefined;
    const start = next;
    next = Math.min(files.length, start + BATCH_SIZE);
    return { start, batch: files.slice(start, next) };
  };
  const lane = async (worker: Worker | undefined, ahead?: AheadLane): Promise<void> => {
    const take = ahead ? () => ahead.next(claim) : claim;
    try {
      for (let claimed = take(); claimed; claimed = take()) {
        const { start, batch } = claimed;
        let results: ParseOutcome[] | undefined;
        let jsons: (string | undefined)[] = []; // the facts as JSON, when a worker sent them so or the cache wants them
        if (worker) {
          try {
            const sent = await inWorker(worker, batch);
            jsons = sent.map((s) => (s.ok ? s.json : undefined));
            results = sent.map((outcome) => received(outcome, texts));
          } catch (error) {
            // The crashed worker's files are parsed on this thread rather than skipped: the report stays what one
            // job gives, and a file that really makes parsing throw fails the scan as it does with one job.
            onWarning?.(`parse worker stopped (${(error as Error).message}); its files are parsed on the main thread`);
            worker = undefined;
          }
        }
        // Turning the event loop between batches lets native trees be freed as we go.
        if (!results) {
          const parse = ahead?.parse ?? ((file: string) => parseFile(root, file, maxFileBytes, takeSource(sources, file)));
          const here = await new Promise<ParsedHere[]>((resolve) => setImmediate(() => resolve(parseBatch(batch, parse, { texts, json: Boolean(onParsed) }))));
          results = here.map((h) => h.outcome);
          jsons = here.map((h) => h.json);
        }
        outcomes.splice(start, batch.length, ...results);
        results.forEach((outcome, i) => onParsed?.(start + i, outcome, jsons[i]));
        done += batch.length;
        onProgress?.(done, files.length);
      }
    } catch (error) {
      stopping = true; // the other lanes finish their batch and take no more
      throw error;
    }
  };

  let ahead: AheadLane | undefined;
  try {
    const workerData: ParseWorkerData = { root, maxFileBytes };
    // Started inside `try`, so that if one fails to start, those already started are terminated.
    while (workers.length < threads - 1) workers.push(new Worker(WORKER_SCRIPT, { workerData }));
    // The main thread's files are parsed ahead on a thread of the addon's own when a core is left for it.
    if (parseAhead && cores > threads && files.length) ahead = aheadLane(parseAhead(), root, maxFileBytes, sources);
    const lanes = await Promise.allSettled([lane(undefined, ahead), ...workers.map((worker) => lane(worker))]);
    for (const settled of lanes) if (settled.status === 'rejected') throw settled.reason;
  } finally {
    ahead?.stop();
    // allSettled waited for every lane's batch, so the workers are idle now. That matters: terminating one inside
    // tree-sitter's parse aborts the whole process (its native code calls back into JavaScript, and that call
    // fails with a C++ exception nothing catches).
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (files.length) releaseParserMemory();
  return outcomes;
}

interface ParsedHere {
  outcome: ParseOutcome;
  json?: string;
}

/**
 * Parses files one after another on this thread, their facts compacted to be kept and, with `json`, written as JSON
 * (with the places compacting met again: factsJson need not look for them).
 */
function parseBatch(files: string[], parse: (file: string) => ParseOutcome, { texts, json }: { texts: Map<string, string>; json: boolean }): ParsedHere[] {
  return files.map((file) => {
    const outcome = parse(file);
    if (!outcome.ok) return { outcome };
    const metAgain: PlaceMetAgain[] | undefined = json ? [] : undefined;
    const facts = compacted(outcome.facts, { trim: true, texts, metAgain });
    return { outcome: { ...outcome, facts }, ...(metAgain && { json: factsJson(facts, metAgain) }) };
  });
}

/** The file's source if the scan has read it already, dropped from `sources` (undefined: read it now). */
function takeSource(sources: Map<string, SourceOutcome>, file: string): SourceOutcome | undefined {
  const source = sources.get(file);
  sources.delete(file);
  return source;
}

interface Claimed {
  start: number;
  batch: string[];
}

/** The main thread's batches with their files parsed ahead (see ParseAhead): `next` claims batches to keep it fed. */
interface AheadLane {
  next(claim: () => Claimed | undefined): Claimed | undefined;
  parse(file: string): ParseOutcome;
  stop(): void;
}

function aheadLane(ahead: ParseAhead, root: string, maxFileBytes: number, sources: Map<string, SourceOutcome>): AheadLane {
  const claimed: Claimed[] = [];
  const queued = new Map<string, SourceOutcome>(); // the files of the claimed batches not parsed yet, texts sent ahead
  return {
    next: (claim) => {
      while (queued.size < BATCH_SIZE + PARSED_AHEAD) {
        const more = claim();
        if (!more) break;
        for (const file of more.batch) {
          const source = parseableSource(takeSource(sources, file) ?? readSource(root, file, maxFileBytes));
          queued.set(file, source);
          if (source.ok) ahead.submit(source.text);
        }
        claimed.push(more);
      }
      return claimed.shift();
    },
    parse: (file) => {
      const source = queued.get(file)!;
      queued.delete(file);
      return source.ok ? factsOfParse(file, ahead.take(), source.note) : source;
    },
    stop: () => ahead.stop(),
  };
}

/** What a worker sends for an outcome (see SentOutcome). */
export function sent(outcome: ParseOutcome): SentOutcome {
  return outcome.ok ? { ok: true, json: factsJson(outcome.facts), ...(outcome.note && { note: outcome.note }) } : outcome;
}

function received(outcome: SentOutcome, texts: Map<string, string>): ParseOutcome {
  return outcome.ok ? { ok: true, facts: factsFromJson(outcome.json, texts), ...(outcome.note && { note: outcome.note }) } : outcome;
}

/** Sends a batch to a worker; rejects if the worker fails or exits before it answers. */
function inWorker(worker: Worker, files: string[]): Promise<SentOutcome[]> {
  return new Promise((resolve, reject) => {
    const onMessage = (outcomes: SentOutcome[]): void => {
      stopListening();
      resolve(outcomes);
    };
    const onError = (error: Error): void => {
      stopListening();
      reject(error);
    };
    const onExit = (code: number): void => onError(new Error(`exited with code ${code}`));
    // Removes only our own listeners: removeAllListeners would also drop the Worker's internal ones that keep its port alive.
    const stopListening = (): void => void worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(files);
  });
}
