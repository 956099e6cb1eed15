/** Entry of a parse-pool worker thread: parses each batch of files it is sent and answers their outcomes in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseBatch, type ParseWorkerData } from './parse-pool';

const { root, maxFileBytes } = workerData as ParseWorkerData;

// An exception here ends the worker and the pool sees the error. Outcomes go as JSON: copying a string
// between threads and parsing it costs less than cloning the objects.
parentPort!.on('message', (files: string[]) => parentPort!.postMessage(JSON.stringify(parseBatch(root, files, maxFileBytes))));
