// A replay on two cores: one thread reads the recording (decompresses, splits lines, JSON.parses
// every book frame and runs the venue's own messages parser on it: feed.ts decoderFor), the other
// applies the decoded messages to the books (the live book syncs) and runs the engine. The reading
// thread runs ahead by a few batches at most (credits), so a day never sits in memory; what
// crosses between them is packed (packed.ts) so that the copy costs little next to the parse it
// saves. The items come out exactly as readRecordingBatches gives them, in the same order and the
// same batches, so a pipelined replay is the same replay (tested: identical CSVs and summary).

import type { Worker } from 'node:worker_threads';
import { RecordingFormatError, type RecordedEvent } from '../record/format.js';
import { readRecordingBatches, type ReadOptions, type RecordingItem } from '../record/reader.js';
import type { VenueId } from '../venues/types.js';
import { decoderFor, type FeedMessage } from './feed.js';
import { packBatch, unpackBatch, type PackedBatch } from './packed.js';
import { siblingUrl, startWorker } from './threads.js';

/**
 * The recording's batches with every frame and snapshot decoded for its venue's market (the first
 * header's, as the replayed feeds use), read on this thread.
 */
export async function* decodedBatches(dataDir: string, options: ReadOptions = {}): AsyncGenerator<RecordingItem[]> {
  let decode: Record<VenueId, (event: RecordedEvent) => FeedMessage> | undefined;
  for await (const batch of readRecordingBatches(dataDir, options)) {
    for (const item of batch) {
      if (item.kind === 'header') {
        decode ??= { backpack: decoderFor('backpack', item.header.markets.backpack), lighter: decoderFor('lighter', item.header.markets.lighter) };
      } else if (item.kind !== 'order') item.decoded = decode![item.venue](item);
    }
    yield batch;
  }
}

/** What the reading thread says. */
export type ReaderMessage = { kind: 'batch'; batch: PackedBatch } | { kind: 'torn'; file: string } | { kind: 'end' } | { kind: 'error'; name: string; message: string };

/** What the reading thread is asked: the recording and range; then one credit per batch consumed. */
export interface ReaderRequest {
  dataDir: string;
  fromWallMs?: number;
  toWallMs?: number;
}

/** Batches the reading thread may be ahead by. */
export const READ_AHEAD = 8;

/**
 * The recording's batches, decoded on a thread of their own (see the top of this file). Torn files
 * are reported through options.onTorn in order; a recording that cannot be read throws the reader's
 * error here, with its message.
 */
export async function* pipelinedBatches(dataDir: string, options: ReadOptions = {}): AsyncGenerator<RecordingItem[]> {
  const request: ReaderRequest = { dataDir, fromWallMs: options.fromWallMs, toWallMs: options.toWallMs };
  const worker: Worker = startWorker(siblingUrl(import.meta.url, 'pipeline-worker'), { workerData: request });
  const queue: ReaderMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  let exited = false;
  worker.on('message', (m: ReaderMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', (code) => {
    exited = true;
    if (code !== 0) failure ??= new Error(`the recording's reading thread stopped (exit code ${code})`);
    wake?.();
  });
  try {
    for (;;) {
      const m = queue.shift();
      if (m === undefined) {
        if (failure !== undefined) throw failure;
        if (exited) throw new Error("the recording's reading thread ended before the end of the recording");
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      if (m.kind === 'end') return;
      if (m.kind === 'torn') options.onTorn?.(m.file);
      else if (m.kind === 'error') throw m.name === 'RecordingFormatError' ? new RecordingFormatError(m.message) : new Error(m.message);
      else {
        const items = unpackBatch(m.batch);
        yield items;
        worker.postMessage(1);
      }
    }
  } finally {
    await worker.terminate();
  }
}

/** The reading thread's side: reads, decodes and packs, at most READ_AHEAD batches ahead. */
export async function serveReader(request: ReaderRequest, post: (m: ReaderMessage, transfer?: ArrayBuffer[]) => void, credits: { wait(): Promise<void> }): Promise<void> {
  try {
    const reading = decodedBatches(request.dataDir, { fromWallMs: request.fromWallMs, toWallMs: request.toWallMs, onTorn: (file) => post({ kind: 'torn', file }) });
    for await (const batch of reading) {
      await credits.wait();
      const packed = packBatch(batch);
      post({ kind: 'batch', batch: packed }, [packed.nums.buffer as ArrayBuffer]);
    }
    post({ kind: 'end' });
  } catch (e) {
    post({ kind: 'error', name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e) });
  }
}
