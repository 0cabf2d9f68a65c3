// Writes a recording (format.ts) off the deciding turn. A frame's callback only appends a line to
// an in-memory batch (no I/O, no compression); a setImmediate after the turn decides whether the
// batch is due (big enough or old enough), and a due batch is compressed on libuv's thread pool
// (zlib.gzip) and appended to its hour's file as one complete gzip member. Members are written in
// order through one promise chain.
//
// Crash safety: a gzip file is a sequence of members, each complete on its own, so after kill -9
// every member written whole is readable; the reader stops at a torn last member and keeps its
// complete lines. A completed hour's file is closed only after its last member is written.

import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { systemClock, type Clock } from '../core/clock.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import { RECORDING_FORMAT, RECORDING_SUFFIX, encodeEvent, hourFileName, toUs, type OrderEvent, type RecordingHeader } from './format.js';

const gzip = promisify(gzipCb);

/** What an adapter (frames, book snapshots) and the order tap call; every call returns at once. */
export interface FrameRecorder {
  /** A venue's market (grid, fees) once it has started. */
  market(spec: MarketSpec): void;
  /** The Lighter account's tier, when the venue said. */
  lighterTier(tier: 'standard' | 'premium'): void;
  /** A WebSocket frame's raw text, at its socket's performance.now() arrival stamp (ms). */
  frame(venue: VenueId, text: string, receivedAtMs: number): void;
  /** A REST answer that feeds a book, as JSON text, when it arrived (ms, performance.now()). */
  snapshot(venue: VenueId, text: string, receivedAtMs: number): void;
  /** One of our order events (ms, performance.now()). */
  order(venue: VenueId, atMs: number, event: OrderEvent): void;
}

export interface RecorderOptions {
  dir: string;
  /** The header; its markets may come later through market() (files wait for both). */
  header: Omit<RecordingHeader, 'format' | 'clock' | 'markets'> & { markets?: RecordingHeader['markets'] };
  /** Wall and monotonic time; default the system's. */
  clock?: Clock;
  /** A batch older than this is written (ms, default 250). */
  flushMs?: number;
  /** A batch bigger than this is written at once (bytes of text, default 256 KiB). */
  maxBatchBytes?: number;
  /** Called once per write failure (the recording stops; trading does not). */
  onError?: (message: string) => void;
}

interface HourFile {
  name: string;
  fd?: number;
  lines: string[];
  bytes: number;
  headerWritten: boolean;
}

export class Recorder implements FrameRecorder {
  private readonly clock: Clock;
  private readonly header: Omit<RecordingHeader, 'markets'> & { markets: Partial<RecordingHeader['markets']> };
  private readonly wallMinusMono: number;
  private readonly flushMs: number;
  private readonly maxBatchBytes: number;
  private current?: HourFile;
  private currentHour = -1;
  private scheduled = false;
  private timer?: NodeJS.Timeout;
  private lastFlushAt: number;
  private chain: Promise<void> = Promise.resolve();
  private failed = false;
  private closed = false;
  /** Lines handed over so far (tests and the summary read it). */
  lines = 0;

  constructor(private readonly options: RecorderOptions) {
    this.clock = options.clock ?? systemClock;
    const wallMs = this.clock.wallMs();
    const monoMs = this.clock.monoMs();
    this.wallMinusMono = wallMs - monoMs;
    this.header = { format: RECORDING_FORMAT, ...options.header, markets: { ...options.header.markets }, clock: { wallMs, monoMs } };
    this.flushMs = options.flushMs ?? 250;
    this.maxBatchBytes = options.maxBatchBytes ?? 256 * 1024;
    this.lastFlushAt = monoMs;
    mkdirSync(options.dir, { recursive: true });
  }

  /** A venue's market as it started: a file is begun only once both are known. */
  market(spec: MarketSpec): void {
    this.header.markets[spec.venue] = spec;
  }

  /** The Lighter account's tier, once known (its taker speed bump and fees depend on it). */
  lighterTier(tier: 'standard' | 'premium'): void {
    this.header.lighterTier = tier;
  }

  private get ready(): boolean {
    return this.header.markets.backpack !== undefined && this.header.markets.lighter !== undefined;
  }

  frame(venue: VenueId, text: string, receivedAtMs: number): void {
    this.push(encodeEvent('frame', venue, toUs(receivedAtMs), text), receivedAtMs);
  }

  snapshot(venue: VenueId, text: string, receivedAtMs: number): void {
    this.push(encodeEvent('snapshot', venue, toUs(receivedAtMs), text), receivedAtMs);
  }

  order(venue: VenueId, atMs: number, event: OrderEvent): void {
    this.push(encodeEvent('order', venue, toUs(atMs), JSON.stringify(event)), atMs);
  }

  private push(line: string, atMs: number): void {
    if (this.closed || this.failed) return;
    const hour = Math.floor((this.wallMinusMono + atMs) / 3_600_000);
    if (hour !== this.currentHour) this.rotate(hour, atMs);
    const file = this.current!;
    file.lines.push(line);
    file.bytes += line.length;
    this.lines++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  /** After the turn: write the batch if it is due, else make sure a timer will. */
  private readonly drain = (): void => {
    this.scheduled = false;
    const file = this.current;
    if (file === undefined || file.lines.length === 0) return;
    if (!this.ready) return; // frames of the first venue up wait for the second's market
    const age = this.clock.monoMs() - this.lastFlushAt;
    if (file.bytes >= this.maxBatchBytes || age >= this.flushMs) {
      this.flush(file, false);
      return;
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          if (this.current !== undefined && this.current.lines.length > 0) this.flush(this.current, false);
        },
        Math.max(1, this.flushMs - age),
      );
      this.timer.unref();
    }
  };

  /** A new hour: the old file's last batch is written and the file closed, in order. */
  private rotate(hour: number, atMs: number): void {
    const old = this.current;
    if (old !== undefined) this.flush(old, true);
    this.currentHour = hour;
    this.current = { name: this.freeName(hourFileName(this.options.header.ticker, this.wallMinusMono + atMs)), lines: [], bytes: 0, headerWritten: false };
  }

  /** A file of an earlier run in the same hour is never appended to: the next free `.N` name is used. */
  private freeName(name: string): string {
    if (!existsSync(join(this.options.dir, name))) return name;
    const stem = name.slice(0, -RECORDING_SUFFIX.length);
    for (let n = 1; ; n++) {
      const candidate = `${stem}.${n}${RECORDING_SUFFIX}`;
      if (!existsSync(join(this.options.dir, candidate))) return candidate;
    }
  }

  private flush(file: HourFile, last: boolean): void {
    if (!this.ready) {
      // Stopped before both venues started: nothing can be replayed without both grids.
      if (last) file.lines = [];
      return;
    }
    this.lastFlushAt = this.clock.monoMs();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let text = file.lines.length === 0 ? '' : file.lines.join('');
    if (!file.headerWritten) {
      text = `${JSON.stringify(this.header)}\n${text}`;
      file.headerWritten = true;
      // Reserve the name now, so a second recorder in the same folder cannot take it.
      file.fd = openSync(join(this.options.dir, file.name), 'a');
    }
    file.lines = [];
    file.bytes = 0;
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        if (text.length > 0) {
          const member = await gzip(Buffer.from(text, 'utf8'));
          let off = 0;
          while (off < member.length) off += writeSync(file.fd!, member, off);
        }
        if (last && file.fd !== undefined) {
          closeSync(file.fd);
          file.fd = undefined;
        }
      } catch (e) {
        this.failed = true;
        this.options.onError?.(`recording to ${this.options.dir} stopped: ${(e as Error).message} (check the folder's free space and permissions)`);
      }
    });
  }

  /** Writes what is queued and closes the open file. Events after this are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.current !== undefined) this.flush(this.current, true);
    await this.chain;
  }

  /** Resolves once every batch handed over so far is on disk (tests). */
  async flushed(): Promise<void> {
    if (this.current !== undefined && this.current.lines.length > 0) this.flush(this.current, false);
    await this.chain;
  }
}
