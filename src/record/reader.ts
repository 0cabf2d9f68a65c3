// Reads a recording folder back as one async iterator: each file's header, then its events, files
// in time order (hour, then the `.N` of a later run in the same hour). Times are rebased onto the
// first file's monotonic clock through each header's wall/monotonic reading, so recordings of
// several runs form one time line. A torn last gzip member (the process was killed mid-write)
// ends that file at its last complete line; anything else unreadable is an error naming the file.

import { isAscii } from 'node:buffer';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { RECORDING_SUFFIX, RecordingFormatError, decodeEvent, parseHeader, type EventKind, type RecordedEvent, type RecordingHeader } from './format.js';
import type { VenueId } from '../venues/types.js';

export type RecordingItem = { kind: 'header'; header: RecordingHeader; file: string } | RecordedEvent;

export interface ReadOptions {
  /** Only events at or after this wall time (epoch ms). */
  fromWallMs?: number;
  /** Only events before this wall time (epoch ms). */
  toWallMs?: number;
  /** Called when a file ends in a torn member (its complete lines were kept). */
  onTorn?: (file: string) => void;
  /** Only these of the recording's files (in this order; default all of them). */
  files?: readonly string[];
  /** The first file's wall − monotonic ms, when `files` leaves it out (the time line every file is rebased onto). */
  baseWallMinusMonoMs?: number;
  /** Called when toWallMs ended the read (an event at or past it was found). */
  onRangeEnd?: () => void;
  /** Events in the usual form come with an empty payload (a pass that only counts them: countBookEvents). */
  withoutPayloads?: boolean;
}

const FILE_NAME = /-(\d{8}T\d{2})(?:\.(\d+))?\.rec\.gz$/;

/** The recording's files in replay order; throws one line when there are none. */
export function recordingFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    names = readdirSync(dir);
  } catch (e) {
    throw new RecordingFormatError(`--data ${dir}: cannot read the folder (${(e as Error).message}); give the folder a run wrote with --record`);
  }
  const files = names
    .map((n) => ({ n, m: FILE_NAME.exec(n) }))
    .filter((f): f is { n: string; m: RegExpExecArray } => f.m !== null && f.n.endsWith(RECORDING_SUFFIX))
    .sort((a, b) => (a.m[1] === b.m[1] ? Number(a.m[2] ?? 0) - Number(b.m[2] ?? 0) : a.m[1] < b.m[1] ? -1 : 1))
    .map((f) => join(dir, f.n));
  if (files.length === 0) throw new RecordingFormatError(`--data ${dir}: no recording files (*${RECORDING_SUFFIX}) in it; record one with --record ${dir}`);
  return files;
}

/** The first file's header (markets, version) without reading further. */
export async function readFirstHeader(dir: string): Promise<RecordingHeader> {
  for await (const item of readRecording(dir)) if (item.kind === 'header') return item.header;
  throw new RecordingFormatError(`--data ${dir}: no header found`);
}

/** The recording as one iterator of items (see readRecordingBatches for the fast path). */
export async function* readRecording(dir: string, options: ReadOptions = {}): AsyncGenerator<RecordingItem> {
  for await (const batch of readRecordingBatches(dir, options)) yield* batch;
}

/**
 * The recording in batches (about BATCH_BYTES of text each, in order): one await per batch rather than
 * per event, which is most of what an iterator costs a replay. The lines are found in the
 * decompressed bytes, and an event line's kind, venue and time read from them: only the payload
 * becomes a string (UTF-8 never has a 0x0A byte inside a character, so a line's bytes decode to
 * exactly that line of the decoded text; tested on arbitrary bytes against the decoded text split).
 */
export async function* readRecordingBatches(dir: string, options: ReadOptions = {}): AsyncGenerator<RecordingItem[]> {
  let base: number | undefined = options.baseWallMinusMonoMs;
  const withPayload = options.withoutPayloads !== true;
  for (const file of options.files ?? recordingFiles(dir)) {
    let header: RecordingHeader | undefined;
    let offsetUs = 0;
    let wallMinusMonoUs = 0;
    let lineNo = 0;
    let out: RecordingItem[] = [];
    let ended = false;
    /** One line: buf[from, to) (without its newline), `ascii` when buf holds only ASCII bytes; false when the range ended at it. */
    const line = (buf: Buffer, from: number, to: number, ascii: boolean): boolean => {
      lineNo++;
      if (header === undefined) {
        header = parseHeader(buf.toString('utf8', from, to), file);
        const wmm = header.clock.wallMs - header.clock.monoMs;
        base ??= wmm;
        offsetUs = Math.round((wmm - base) * 1000);
        wallMinusMonoUs = Math.round(base * 1000);
        out.push({ kind: 'header', header, file });
        return true;
      }
      if (to === from) return true;
      const event = eventAt(buf, from, to, withPayload, ascii) ?? decodeEvent(buf.toString('utf8', from, to), `${file} line ${lineNo}`);
      if (offsetUs !== 0) event.atUs += offsetUs;
      if (options.fromWallMs !== undefined && (event.atUs + wallMinusMonoUs) / 1000 < options.fromWallMs) return true;
      if (options.toWallMs !== undefined && (event.atUs + wallMinusMonoUs) / 1000 >= options.toWallMs) return false;
      out.push(event);
      return true;
    };
    // The bytes of a line that a chunk's end cut, to be completed by the next chunk.
    let rest: Buffer | undefined;
    const read = { torn: false };
    for await (const chunk of gunzipBuffers(file, read, options.onTorn)) {
      let pos = 0;
      let nl = chunk.indexOf(10);
      if (rest !== undefined) {
        if (nl < 0) {
          rest = Buffer.concat([rest, chunk]);
          continue;
        }
        const whole = Buffer.concat([rest, chunk.subarray(0, nl)]);
        rest = undefined;
        ended = !line(whole, 0, whole.length, isAscii(whole));
        pos = nl + 1;
        nl = ended ? -1 : chunk.indexOf(10, pos);
      }
      // A batch per BATCH_BYTES or so of the chunk: what a batch keeps alive while it is replayed
      // stays young and small for the collector, and a reading thread's read-ahead counts batches.
      let cut = pos + BATCH_BYTES;
      // ASCII throughout (the usual recording): a payload is made from its bytes as Latin-1, which
      // for ASCII bytes is exactly their UTF-8 reading, without UTF-8's checks (one SIMD pass here).
      const ascii = isAscii(chunk);
      for (; nl >= 0; pos = nl + 1, nl = chunk.indexOf(10, pos)) {
        if (!line(chunk, pos, nl, ascii)) {
          ended = true;
          break;
        }
        if (nl >= cut && out.length > 0) {
          yield out;
          out = [];
          cut = nl + BATCH_BYTES;
        }
      }
      if (ended) break;
      // A copy: the chunk itself is not kept alive for the few bytes of its last line.
      if (pos < chunk.length) rest = Buffer.from(chunk.subarray(pos));
      if (out.length > 0) {
        yield out;
        out = [];
      }
    }
    if (ended) {
      if (out.length > 0) yield out;
      options.onRangeEnd?.();
      return;
    }
    // A last line without its newline is a torn write too (a torn member was already reported).
    if (rest !== undefined && !read.torn) options.onTorn?.(file);
  }
}

/**
 * The event on buf[from, to) when it is in the usual form — kind, venue and a time of 1 to 15
 * plain digits — read from the bytes as decodeEvent reads its text; otherwise undefined, and
 * decodeEvent reads the text (its rules for every other form, and its error line).
 */
function eventAt(buf: Buffer, from: number, to: number, withPayload: boolean, ascii: boolean): RecordedEvent | undefined {
  const k = buf[from];
  const kind: EventKind | undefined = k === 0x46 ? 'frame' : k === 0x53 ? 'snapshot' : k === 0x4f ? 'order' : undefined;
  const v = buf[from + 2];
  const venue: VenueId | undefined = v === 0x62 ? 'backpack' : v === 0x6c ? 'lighter' : undefined;
  if (kind === undefined || venue === undefined || buf[from + 1] !== 9 || buf[from + 3] !== 9) return undefined;
  let i = from + 4;
  let atUs = 0;
  for (; i < to && i < from + 19; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) break;
    atUs = atUs * 10 + (c - 0x30);
  }
  if (i === from + 4 || i >= to || buf[i] !== 9) return undefined;
  return { kind, venue, atUs, payload: withPayload ? buf.toString(ascii ? 'latin1' : 'utf8', i + 1, to) : '' };
}

/**
 * The frames and snapshots of the recording within the range (what a replay goes through: the
 * progress bar's total), read as readRecordingBatches reads them but without making their payloads.
 */
export async function countBookEvents(dir: string, range: { fromWallMs?: number; toWallMs?: number } = {}): Promise<number> {
  let n = 0;
  for await (const batch of readRecordingBatches(dir, { ...range, withoutPayloads: true })) for (const item of batch) if (item.kind === 'frame' || item.kind === 'snapshot') n++;
  return n;
}

/** A gzip file's complete lines; a torn last member ends it quietly (reported through onTorn). */
export async function* fileLines(file: string, onTorn?: (file: string) => void): AsyncGenerator<string> {
  for await (const lines of fileLineBatches(file, onTorn)) yield* lines;
}

/** Decompressed bytes per batch of lines. */
const BATCH_BYTES = 256 * 1024;

/** A gzip file's complete lines, a batch per BATCH_BYTES or so of decompressed text. */
export async function* fileLineBatches(file: string, onTorn?: (file: string) => void): AsyncGenerator<string[]> {
  // The decoder carries a character split between two chunks over to the next.
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const read = { torn: false };
  for await (const chunk of gunzipChunks(file, read, onTorn)) {
    // A read returns all that is buffered (up to the read-ahead): it is cut into batches of about
    // BATCH_BYTES, so that what a batch keeps alive while it is replayed (its lines, the frames
    // parsed from them) stays young and small for the collector.
    for (let at = 0; at < chunk.length; at += BATCH_BYTES) {
      const text = rest + decoder.write(at === 0 && chunk.length <= BATCH_BYTES ? chunk : chunk.subarray(at, at + BATCH_BYTES));
      const lines = text.split('\n');
      rest = lines.pop()!;
      if (lines.length > 0) yield lines;
    }
  }
  rest += decoder.end();
  // A last line without its newline is a torn write too (a torn member was already reported).
  if (rest.length > 0 && !read.torn) onTorn?.(file);
}

/**
 * The order events of a recording (times on one line, as readRecordingBatches gives them) and how
 * many other events it holds, for a pass that needs only the orders (the learned latency): the
 * other lines are counted in the decompressed bytes without being turned into text or events.
 */
export async function readOrderEvents(dir: string, onTorn?: (file: string) => void): Promise<{ orders: RecordedEvent[]; others: number }> {
  const orders: RecordedEvent[] = [];
  let others = 0;
  let base: number | undefined;
  for (const file of recordingFiles(dir)) {
    let header: RecordingHeader | undefined;
    let offsetUs = 0;
    let lineNo = 0;
    let rest: Buffer | undefined;
    const read = { torn: false };
    for await (const chunk of gunzipChunks(file, read, onTorn)) {
      const buf = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
      let pos = 0;
      for (let nl = buf.indexOf(10, pos); nl >= 0; pos = nl + 1, nl = buf.indexOf(10, pos)) {
        lineNo++;
        if (header === undefined) {
          header = parseHeader(buf.toString('utf8', pos, nl), file);
          const wmm = header.clock.wallMs - header.clock.monoMs;
          base ??= wmm;
          offsetUs = Math.round((wmm - base) * 1000);
        } else if (buf[pos] === 0x4f /* O */) {
          const event = decodeEvent(buf.toString('utf8', pos, nl), `${file} line ${lineNo}`);
          if (offsetUs !== 0) event.atUs += offsetUs;
          orders.push(event);
        } else if (nl > pos) others++;
      }
      rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
    }
    // A last line without its newline is a torn write too (a torn member was already reported).
    if (rest !== undefined && !read.torn) onTorn?.(file);
  }
  return { orders, others };
}

/**
 * A gzip file's decompressed bytes, chunk by chunk. Big chunks and a deep read-ahead: zlib's thread
 * keeps decompressing while this thread parses, and the read-ahead stays in Buffers (outside the JS
 * heap, never copied by the young-generation collector). A torn last member ends it quietly
 * (reported through onTorn, and `read.torn` set); anything else unreadable is an error naming the file.
 */
async function* gunzipChunks(file: string, read: { torn: boolean }, onTorn?: (file: string) => void): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024, highWaterMark: 8 * 1024 * 1024 } as ZlibOptions);
  const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A member cut short by a kill: zlib says the input ended early. Its partial line is dropped.
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test((e as Error).message)) {
      read.torn = true;
      onTorn?.(file);
      return;
    }
    throw new RecordingFormatError(`${file}: not readable as gzip (${(e as Error).message}); the file is damaged beyond its last complete member`);
  } finally {
    source.destroy();
  }
}

/** Decompressed bytes kept queued ahead of the reader (zlib goes on decompressing on its thread meanwhile). */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * zlib's output chunks: 1 MiB rather than 256 KiB cut the reading thread's CPU by about a tenth
 * (fewer callbacks and buffers; the 145 frames/s recording read alone, 0.13 → 0.12 s).
 */
const CHUNK_BYTES = 1024 * 1024;

/**
 * A gzip file's decompressed bytes in the chunks zlib makes (up to CHUNK_BYTES each), handed on as
 * they are: unlike a stream's async iterator, which joins all that is buffered into one new Buffer
 * at each read, nothing is copied. Up to READ_AHEAD_BYTES wait in the queue while this thread
 * works. A torn last member and every other failure as gunzipChunks has them.
 */
async function* gunzipBuffers(file: string, read: { torn: boolean }, onTorn?: (file: string) => void): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
  source.on('error', (e) => gunzip.destroy(e));
  const queue: Buffer[] = [];
  let head = 0;
  let queued = 0;
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  gunzip.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= READ_AHEAD_BYTES) gunzip.pause();
    wake?.();
  });
  gunzip.on('end', () => {
    done = true;
    wake?.();
  });
  gunzip.on('error', (e) => {
    failure = e;
    wake?.();
  });
  source.pipe(gunzip);
  try {
    for (;;) {
      if (head < queue.length) {
        const chunk = queue[head]!;
        queue[head++] = EMPTY;
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        queued -= chunk.length;
        if (queued < READ_AHEAD_BYTES && gunzip.isPaused()) gunzip.resume();
        yield chunk;
        continue;
      }
      if (failure !== undefined) {
        const code = (failure as NodeJS.ErrnoException).code;
        // A member cut short by a kill: zlib says the input ended early. Its partial line is dropped.
        if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(failure.message)) {
          read.torn = true;
          onTorn?.(file);
          return;
        }
        throw new RecordingFormatError(`${file}: not readable as gzip (${failure.message}); the file is damaged beyond its last complete member`);
      }
      if (done) return;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

const EMPTY = Buffer.alloc(0);
