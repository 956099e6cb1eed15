/** Entry of a parse-pool worker thread: parses each batch of files it is sent and answers their outcomes in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseFile } from './parse';
import { sent, type ParseWorkerData } from './parse-pool';

const { root, maxFileBytes } = workerData as ParseWorkerData;

// Facts travel as JSON text, which has no spare room to trim (see compacted). An exception here ends the worker
// and the pool sees the error.
parentPort!.on('message', (files: string[]) => parentPort!.postMessage(files.map((file) => sent(parseFile(root, file, maxFileBytes)))));
