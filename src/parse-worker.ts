/** Entry of a parse-pool worker thread: parses each batch of files it is sent and answers their outcomes in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseBatch, sent, type ParseWorkerData } from './parse-pool';

const { root, maxFileBytes } = workerData as ParseWorkerData;

// An exception here ends the worker and the pool sees the error.
parentPort!.on('message', (files: string[]) => parentPort!.postMessage(parseBatch(root, files, maxFileBytes).map(sent)));
