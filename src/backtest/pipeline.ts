// A replay on two cores: reading threads read the recording (decompress, find the lines in the
// bytes, read every book frame with the venue's scanner straight into packed numbers, or JSON.parse
// and its messages parser: feed.ts decoderFor), two of them on alternate files, while this thread
// applies the decoded messages to the books (the live book syncs) and runs the engine, and nothing
// else: it never decodes. Reading costs more than the books and the engine (captured-size frames
// at 145 a second: about 1.5 µs of a reading thread's CPU an event against 1.0 µs of this one's),
// hence two readers for one engine when there are two files or more. A reader runs ahead by at
// most READ_AHEAD batches (credits), so a day never sits in memory; what crosses between the
// threads is packed (packed.ts) so that the copy costs little next to the parse it saves. The
// items come out exactly as readRecordingBatches gives them, in the same order and the same
// batches, so a pipelined replay is the same replay (tested: identical CSVs, summary and warnings).

import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { RecordingFormatError, type RecordedEvent } from '../record/format.js';
import { readFirstHeader, readRecordingBatches, recordingFiles, type ReadOptions, type RecordingItem } from '../record/reader.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import { decoderFor, type FeedMessage } from './feed.js';
import { packBatch, unpackBatch, type PackDecoding, type PackedBatch } from './packed.js';
import { siblingUrl, startWorker } from './threads.js';

/**
 * The recording's batches with every frame and snapshot decoded for its venue's market: the
 * given markets, else the first header's (as the replayed feeds use), read on this thread.
 */
export async function* decodedBatches(
  dataDir: string,
  options: ReadOptions = {},
  markets?: Record<VenueId, MarketSpec>,
  /** Batches to leave undecoded (their frames cross raw, and the replaying thread decodes them). */
  leaveRaw: () => boolean = () => false,
): AsyncGenerator<RecordingItem[]> {
  let decode: Record<VenueId, (event: RecordedEvent) => FeedMessage> | undefined =
    markets === undefined ? undefined : { backpack: decoderFor('backpack', markets.backpack), lighter: decoderFor('lighter', markets.lighter) };
  for await (const batch of readRecordingBatches(dataDir, options)) {
    const raw = leaveRaw();
    for (const item of batch) {
      if (item.kind === 'header') {
        decode ??= { backpack: decoderFor('backpack', item.header.markets.backpack), lighter: decoderFor('lighter', item.header.markets.lighter) };
      } else if (item.kind !== 'order' && !raw) item.decoded = decode![item.venue](item);
    }
    yield batch;
  }
}

/** What a reading thread says. */
export type ReaderMessage =
  | { kind: 'batch'; batch: PackedBatch }
  | { kind: 'torn'; file: string }
  /** Its current file is done; `stopped` when the range ended in it (nothing after it is read). */
  | { kind: 'fileEnd'; stopped: boolean }
  | { kind: 'error'; name: string; message: string };

/**
 * What a reading thread is asked. Then it is sent a credit per batch consumed. The replaying thread
 * never decodes a batch itself (it once did, for the batch after one it had to wait for: with one
 * file, so one reader, that put the scanners on both threads, and the replaying thread's share of
 * the reading cost more than the waits it saved — a pipelined replay ran no faster than one thread).
 */
export interface ReaderRequest {
  dataDir: string;
  /** Its share of the recording's files, in order. */
  files: string[];
  /** The first file's wall − monotonic ms: every file's times are rebased onto it. */
  baseWallMinusMonoMs: number;
  markets: Record<VenueId, MarketSpec>;
  fromWallMs?: number;
  toWallMs?: number;
  /** Tests: every this many batches is sent undecoded (the replaying thread decodes it: the same decoders, the same replay). */
  rawEvery?: number;
  /** Tests: batches it may be ahead by, instead of READ_AHEAD. */
  readAhead?: number;
}

export const CREDIT = 1;

/**
 * Batches a reading thread may be ahead by (a batch is 256 KiB of text, some 120 KB packed): an
 * hour's file of frames that re-quote a whole ten-level ladder each; an hour of captured-size
 * frames (about 265 bytes an event at 20 frames a second) fills a fifth of it. The readers take
 * the files in turn, so a reader must be able to read its next file whole while the engine replays
 * the other reader's.
 */
export const READ_AHEAD = 1024;

/**
 * Reading threads: two of them (on alternate files) keep the replaying thread fed on two cores, as
 * reading and decoding cost more than the books and the engine (captured-size frames: about half as
 * much again; frames that re-quote whole ladders: about three times). More than three would only
 * hold more of the recording in memory.
 */
function readerCount(files: number): number {
  return Math.max(1, Math.min(files, Math.max(2, Math.min(3, availableParallelism() - 1))));
}

class ReaderThread {
  private readonly worker: Worker;
  private readonly queue: ReaderMessage[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private exited = false;

  constructor(request: ReaderRequest) {
    this.worker = startWorker(siblingUrl(import.meta.url, 'pipeline-worker'), { workerData: request });
    this.worker.on('message', (m: ReaderMessage) => {
      this.queue.push(m);
      this.wake?.();
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      this.wake?.();
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (code !== 0) this.failure ??= new Error(`a reading thread of the recording stopped (exit code ${code})`);
      this.wake?.();
    });
  }

  async next(): Promise<ReaderMessage> {
    for (;;) {
      const m = this.queue.shift();
      if (m !== undefined) return m;
      if (this.failure !== undefined) throw this.failure;
      if (this.exited) throw new Error('a reading thread of the recording ended before its files did');
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }

  credit(): void {
    this.worker.postMessage(CREDIT);
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/** A pipelined reading of a recording (startPipeline): its batches, once, and a stop for its threads. */
export interface Pipeline extends AsyncIterable<RecordingItem[]> {
  /** Ends the reading threads (whether the batches were read or not); what a replay must call when it is done with them. */
  stop(): Promise<void>;
}

/**
 * The recording's batches, read and decoded on threads of their own (see the top of this file),
 * in order. The threads start at once and read ahead while the caller sets its replay up (a learned
 * latency is a whole pass over the recording on the caller's thread first), so stop() must end
 * them however the caller ends. Torn files are reported through options.onTorn in order, as the
 * batches are taken; a recording that cannot be read throws the reader's error when its batches are
 * taken, with its message.
 */
export function startPipeline(dataDir: string, options: ReadOptions & { rawEvery?: number; readAhead?: number } = {}): Pipeline {
  const setup = (async () => {
    const files = recordingFiles(dataDir);
    const first = await readFirstHeader(dataDir);
    const count = readerCount(files.length);
    const readers: ReaderThread[] = [];
    try {
      for (let r = 0; r < count; r++) {
        readers.push(
          new ReaderThread({
            dataDir,
            files: files.filter((_, i) => i % count === r),
            baseWallMinusMonoMs: first.clock.wallMs - first.clock.monoMs,
            markets: first.markets,
            fromWallMs: options.fromWallMs,
            toWallMs: options.toWallMs,
            rawEvery: options.rawEvery,
            readAhead: options.readAhead,
          }),
        );
      }
    } catch (e) {
      // A thread that could not start: those that did are ended here (stop() finds none).
      await Promise.all(readers.map((r) => r.stop()));
      throw e;
    }
    return { files, readers };
  })();
  // A failure is the caller's when it takes the batches (it may never: its own set-up failed first).
  setup.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= setup.then(
      async ({ readers }) => {
        await Promise.all(readers.map((r) => r.stop()));
      },
      () => undefined,
    ));
  async function* batches(): AsyncGenerator<RecordingItem[]> {
    try {
      const { files, readers } = await setup;
      const count = readers.length;
      for (let i = 0; i < files.length; i++) {
        const reader = readers[i % count]!;
        for (;;) {
          const m = await reader.next();
          if (m.kind === 'batch') {
            yield unpackBatch(m.batch, true);
            reader.credit();
          } else if (m.kind === 'torn') options.onTorn?.(m.file);
          else if (m.kind === 'error') throw m.name === 'RecordingFormatError' ? new RecordingFormatError(m.message) : new Error(m.message);
          else if (m.stopped) return;
          else break;
        }
      }
    } finally {
      await stop();
    }
  }
  return { [Symbol.asyncIterator]: batches, stop };
}

/** A reading thread's side: reads, decodes and packs its files, at most READ_AHEAD batches ahead (tests: every rawEvery-th batch left undecoded). */
export async function serveReader(request: ReaderRequest, post: (m: ReaderMessage, transfer?: ArrayBuffer[]) => void, credits: { wait(): Promise<void> }): Promise<void> {
  let sent = 0;
  const markets = request.markets;
  const decoding: PackDecoding = { markets, decode: { backpack: decoderFor('backpack', markets.backpack), lighter: decoderFor('lighter', markets.lighter) } };
  const leaveRaw = () => request.rawEvery !== undefined && sent % request.rawEvery === request.rawEvery - 1;
  try {
    for (const file of request.files) {
      let stopped = false;
      const reading = readRecordingBatches(request.dataDir, {
        files: [file],
        baseWallMinusMonoMs: request.baseWallMinusMonoMs,
        fromWallMs: request.fromWallMs,
        toWallMs: request.toWallMs,
        onTorn: (f) => post({ kind: 'torn', file: f }),
        onRangeEnd: () => (stopped = true),
      });
      for await (const batch of reading) {
        // Decoded as packed: book frames scanned straight into the numbers (packed.ts PackDecoding).
        const packed = packBatch(batch, leaveRaw() ? undefined : decoding);
        await credits.wait();
        post({ kind: 'batch', batch: packed }, [packed.nums.buffer as ArrayBuffer]);
        sent++;
      }
      post({ kind: 'fileEnd', stopped });
      if (stopped) return;
    }
  } catch (e) {
    post({ kind: 'error', name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e) });
  }
}
