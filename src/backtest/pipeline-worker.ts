// A reading thread of a pipelined replay (pipeline.ts): reads, decodes and packs the files of the recording
// it is given, a credit per batch.

import { parentPort, workerData } from 'node:worker_threads';
import { CREDIT_RAW, READ_AHEAD, serveReader, type ReaderRequest } from './pipeline.js';

let credits = READ_AHEAD;
/** Batches the replaying thread asked to decode itself (it waited: this thread is the slower). */
let raw = 0;
let waiting: (() => void) | undefined;
parentPort!.on('message', (credit: number) => {
  credits++;
  if (credit === CREDIT_RAW) raw++;
  waiting?.();
});
const takeRaw = (): boolean => {
  if (raw === 0) return false;
  raw--;
  return true;
};
const wait = async (): Promise<void> => {
  while (credits === 0) {
    await new Promise<void>((r) => (waiting = r));
    waiting = undefined;
  }
  credits--;
};
void serveReader(workerData as ReaderRequest, (m, transfer) => parentPort!.postMessage(m, transfer), { wait, takeRaw }).then(() => parentPort!.close());
