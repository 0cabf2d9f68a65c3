// A reading thread of a pipelined replay (pipeline.ts): reads, decodes and packs the files of the recording
// it is given, a credit per batch.

import { parentPort, workerData } from 'node:worker_threads';
import { READ_AHEAD, serveReader, type ReaderRequest } from './pipeline.js';

let credits = (workerData as ReaderRequest).readAhead ?? READ_AHEAD;
let waiting: (() => void) | undefined;
parentPort!.on('message', () => {
  credits++;
  waiting?.();
});
const wait = async (): Promise<void> => {
  while (credits === 0) {
    await new Promise<void>((r) => (waiting = r));
    waiting = undefined;
  }
  credits--;
};
void serveReader(workerData as ReaderRequest, (m, transfer) => parentPort!.postMessage(m, transfer), { wait }).then(() => parentPort!.close());
