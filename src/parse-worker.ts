/** Entry of a parse-pool worker thread: parses each batch of files it is sent and answers their outcomes in order. */
import { parentPort, workerData } from 'node:worker_threads';
import { parseBatch, type ParseWorkerData } from './parse-pool';

const { root, maxFileBytes } = workerData as ParseWorkerData;

// A rejection here is unhandled, so it ends the worker and the pool sees the error.
parentPort!.on('message', async (files: string[]) => parentPort!.postMessage(await parseBatch(root, files, maxFileBytes)));
