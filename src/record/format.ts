// The recording format. A recording is a folder of gzip files, one per wall-clock hour
// (`<ticker>-YYYYMMDDTHH.rec.gz`); each starts with a header line and then holds one line per event.
//
//   header:  {"format":1,...}  (JSON: bot version, ticker, both markets' grids and fees, and one
//            reading of the wall and monotonic clocks together, so a monotonic time maps to a date)
//   event:   <kind>\t<venue>\t<µs>\t<payload>
//     kind   F  a WebSocket frame; payload = its raw text
//            S  a REST answer that feeds a book (Backpack depth snapshot); payload = its JSON text
//            O  one of our order events; payload = JSON (see OrderEvent)
//     venue  b (Backpack) or l (Lighter)
//     µs     the local receive time in integer microseconds on the monotonic clock (performance.now())
//
// The payload is the last field, so a tab inside it needs no escaping; a frame's line breaks (only
// JSON whitespace in a well-formed frame) are written as spaces so that a line is one event.

import type { OrderSide } from '../core/types.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import type { LegState } from '../venues/venue.js';

export const RECORDING_FORMAT = 1;
export const RECORDING_SUFFIX = '.rec.gz';

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  /** The bot's version (package.json) that wrote the file. */
  version: string;
  ticker: string;
  /** The mode that was recorded: live, paper or sim. */
  mode: string;
  markets: Record<VenueId, MarketSpec>;
  /** One simultaneous reading of both clocks: wall = wallMs + (mono − monoMs). */
  clock: { wallMs: number; monoMs: number };
  /** Lighter account tier when known (its taker latency and fees depend on it). */
  lighterTier?: 'standard' | 'premium';
}

export type EventKind = 'frame' | 'snapshot' | 'order';

/** Our own order events, from which latencies can be learned. Times are monotonic µs. */
export type OrderEvent =
  | { event: 'sent'; id: string; side: OrderSide; size: number; worstPrice: number; reduceOnly?: boolean; purpose?: 'entry' | 'repair' }
  | { event: 'acked' | 'filled'; id: string; state: LegState; sentUs: number; filled: number; notional: number; fee: number };

export interface RecordedEvent {
  kind: EventKind;
  venue: VenueId;
  /** Monotonic µs. */
  atUs: number;
  /** Raw text (frame, snapshot) or the order event's JSON. */
  payload: string;
  /**
   * What the replay's parsers made of the payload (backtest/feed.ts FeedMessage), when it was
   * decoded once for several backtests sharing a pass, or on the reading thread. Never written to a file.
   */
  decoded?: unknown;
}

/**
 * One event made at load with a fractional time, so that the event objects' hidden class holds
 * atUs as a double from the start. A recording's times are µs of the recording process's monotonic
 * clock, which starts near zero: small integers (V8's Smi) until 2^31 µs, about 36 minutes in, and
 * heap doubles after. V8 gives a field the representation of its first value, so without this the
 * first event past 2^31 µs would force a new class, and every function optimised for the old one
 * (books, strategy, engine, clock) would be thrown away and compiled again mid-replay: measured, about
 * 30 deoptimisations and 50 recompilations, 0.1 s of a cold hour's 1.1 s CPU. Every maker of events
 * (decodeEvent here, the reader's byte path, the backtest's unpacking) loads this module first.
 * Nothing reads it (test/backtest/shapes.test.ts).
 */
export const EVENT_SHAPE_SEED: RecordedEvent = { kind: 'frame', venue: 'backpack', atUs: 0.5, payload: '' };

const KIND_CODE: Record<EventKind, string> = { frame: 'F', snapshot: 'S', order: 'O' };
const VENUE_CODE: Record<VenueId, string> = { backpack: 'b', lighter: 'l' };

export function encodeEvent(kind: EventKind, venue: VenueId, atUs: number, payload: string): string {
  const text = payload.includes('\n') || payload.includes('\r') ? payload.replace(/[\r\n]/g, ' ') : payload;
  return `${KIND_CODE[kind]}\t${VENUE_CODE[venue]}\t${atUs}\t${text}\n`;
}

export class RecordingFormatError extends Error {
  override name = 'RecordingFormatError';
}

/** One event line back into its fields; throws naming the line's fault. */
export function decodeEvent(line: string, where: string): RecordedEvent {
  const t1 = line.indexOf('\t', 2);
  const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
  if (line.length < 6 || line[1] !== '\t' || t1 !== 3 || t2 < 0) throw new RecordingFormatError(`${where}: not an event line (${line.slice(0, 40)})`);
  const k = line[0];
  const kind: EventKind | undefined = k === 'F' ? 'frame' : k === 'S' ? 'snapshot' : k === 'O' ? 'order' : undefined;
  const v = line[2];
  const venue: VenueId | undefined = v === 'b' ? 'backpack' : v === 'l' ? 'lighter' : undefined;
  const atUs = Number(line.slice(t1 + 1, t2));
  if (kind === undefined || venue === undefined || !Number.isSafeInteger(atUs)) throw new RecordingFormatError(`${where}: bad kind, venue or time (${line.slice(0, 40)})`);
  return { kind, venue, atUs, payload: line.slice(t2 + 1) };
}

export function parseHeader(line: string, where: string): RecordingHeader {
  let h: RecordingHeader;
  try {
    h = JSON.parse(line) as RecordingHeader;
  } catch {
    throw new RecordingFormatError(`${where}: the first line is not a recording header; is this a recording made with --record?`);
  }
  if (h?.format !== RECORDING_FORMAT)
    throw new RecordingFormatError(
      `${where}: recording format ${String(h?.format)} is not ${RECORDING_FORMAT}; replay it with the bot version that wrote it (${String(h?.version)})`,
    );
  if (h.markets?.backpack === undefined || h.markets?.lighter === undefined) throw new RecordingFormatError(`${where}: the header lacks a market for each venue`);
  return h;
}

/** File name of the hour that wall time `wallMs` falls in. */
export function hourFileName(ticker: string, wallMs: number): string {
  const d = new Date(Math.floor(wallMs / 3_600_000) * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${ticker}-${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${RECORDING_SUFFIX}`;
}

/** Monotonic µs of a performance.now() reading. */
export function toUs(monoMs: number): number {
  return Math.round(monoMs * 1000);
}
