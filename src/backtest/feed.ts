// The market-data side of a replayed venue: recorded frames go through the live adapters' own
// parsers and book syncs — Backpack's depth U/u sync with its REST snapshots (book-sync.ts),
// Lighter's begin_nonce sync (book-sync.ts) — so gaps, crossed books and resyncs happen in a
// replay as they did live, and the engine gets the same book events.
//
// What the recording cannot show is when the live adapter threw its book away (a reconnect, a
// ticker disagreement): it only shows the snapshot that followed. A live Backpack adapter asks for
// a snapshot only after its book went invalid, so a snapshot that finds the replayed book valid
// resets it first and loads the snapshot, as live did.

import type { OrderBook } from '../core/orderbook.js';
import { OrderBook as Book } from '../core/orderbook.js';
import type { Logger } from '../core/log.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import type { RecordedEvent } from '../record/format.js';
import { BookSync as BackpackBookSync } from '../venues/backpack/book-sync.js';
import { readDepthEvent, readDepthSnapshot } from '../venues/backpack/messages.js';
import { BookSync as LighterBookSync } from '../venues/lighter/book-sync.js';
import { readBookFrame } from '../venues/lighter/messages.js';
import { emitBookEvent, type BookListener, type MarketData, type StatusListener, type VenueStatus } from '../venues/venue.js';

/** A replayed venue's market-data side: the port's MarketData, fed by apply() instead of a socket. */
export interface ReplayFeed extends MarketData {
  readonly venue: VenueId;
  readonly market: MarketSpec;
  readonly book: OrderBook;
  readonly lastBookAt: number;
  readonly valid: boolean;
  /** Frames applied to the book so far. */
  readonly applied: number;
  /** Other backtests replay the same event objects: a frame's parsed JSON is kept on it for them. */
  shareParsed: boolean;
  onBook(listener: BookListener): void;
  onStatus(listener: StatusListener): void;
  status(): VenueStatus;
  /** One recorded frame or snapshot of this venue, at its receive time (ms). */
  apply(event: RecordedEvent, atMs: number): void;
  /** A new recording session (the bot was restarted): everything known is dropped. */
  reset(): void;
}

/**
 * The event's payload as JSON. When backtests share a pass over the recording (a sweep, run.ts
 * runBacktests) it is parsed once for all of them and kept on the event while its batch is being
 * replayed; the messages parsers only read what they are given. Alone, nothing is kept.
 */
function payloadJson(event: RecordedEvent, share: boolean): unknown {
  if (!share) return JSON.parse(event.payload) as unknown;
  if (event.json === undefined) event.json = JSON.parse(event.payload) as unknown;
  return event.json;
}

abstract class FeedBase {
  readonly book: OrderBook = new Book();
  lastBookAt = 0;
  applied = 0;
  protected readonly bookListeners: BookListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private saidValid = false;
  /** Set when other backtests replay the same events (a sweep's shared pass): parsed frames are kept on the event for them. */
  shareParsed = false;

  constructor(
    readonly venue: VenueId,
    readonly market: MarketSpec,
    protected readonly log: Logger,
  ) {}

  abstract get valid(): boolean;

  get id(): VenueId {
    return this.venue;
  }
  /** Nothing to open: the recording is the feed. */
  start(): Promise<MarketSpec> {
    return Promise.resolve(this.market);
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }

  onBook(listener: BookListener): void {
    this.bookListeners.push(listener);
  }
  onStatus(listener: StatusListener): void {
    this.statusListeners.push(listener);
  }
  status(): VenueStatus {
    return { connected: true, bookValid: this.valid, available: true, detail: this.valid ? undefined : `${this.venue} book out of sync in the recording` };
  }

  protected emitBook(atMs: number): void {
    this.lastBookAt = atMs;
    this.applied++;
    emitBookEvent(this.bookListeners, this.venue, this.book, atMs);
  }

  /** Tells the listeners when validity changed. */
  protected afterFrame(): void {
    const valid = this.valid;
    if (valid === this.saidValid) return;
    this.saidValid = valid;
    const s = this.status();
    for (const l of this.statusListeners) l(this.venue, s);
  }
}

export class BackpackFeed extends FeedBase implements ReplayFeed {
  private readonly sync: BackpackBookSync;
  private readonly depthStream: string;

  constructor(market: MarketSpec, log: Logger) {
    super('backpack', market, log);
    this.sync = new BackpackBookSync(this.book as Book, market.priceScale, market.sizeScale);
    this.depthStream = `depth.${market.symbol}`;
  }

  get valid(): boolean {
    return this.sync.valid;
  }

  reset(): void {
    this.sync.reset();
    this.afterFrame();
  }

  apply(event: RecordedEvent, atMs: number): void {
    try {
      if (event.kind === 'snapshot') {
        const snapshot = readDepthSnapshot(payloadJson(event, this.shareParsed));
        // As live: a snapshot that cannot be read loads nothing and the book stays unknown.
        if (!snapshot.ok) return this.refuse(event, atMs, snapshot.why);
        if (this.sync.valid) this.sync.reset();
        const out = this.sync.onSnapshot(snapshot.value);
        if (out.action === 'load_snapshot') this.emitBook(atMs);
      } else {
        // Only depth frames move the book; the ticker, mark and account streams are skipped unparsed.
        if (!event.payload.includes(this.depthStream)) return;
        const frame = payloadJson(event, this.shareParsed) as { stream?: unknown; data?: unknown };
        if (frame.stream !== this.depthStream) return;
        const depth = readDepthEvent(frame.data);
        // As live: a depth frame that cannot be read leaves the book unknown until the next snapshot.
        if (!depth.ok) return this.refuse(event, atMs, depth.why);
        const out = this.sync.onEvent(depth.value);
        if (out.action === 'apply') this.emitBook(atMs);
      }
    } catch (e) {
      return this.refuse(event, atMs, (e as Error).message);
    }
    this.afterFrame();
  }

  private refuse(event: RecordedEvent, atMs: number, why: string): void {
    this.log.warn(`backpack recorded ${event.kind} at ${atMs.toFixed(3)} ms refused: ${why}`);
    this.sync.reset();
    this.afterFrame();
  }
}

export class LighterFeed extends FeedBase implements ReplayFeed {
  private readonly sync: LighterBookSync;

  constructor(market: MarketSpec, log: Logger) {
    super('lighter', market, log);
    this.sync = new LighterBookSync(this.book as Book, market.priceScale, market.sizeScale);
  }

  get valid(): boolean {
    return this.sync.valid;
  }

  reset(): void {
    this.sync.reset();
    this.afterFrame();
  }

  apply(event: RecordedEvent, atMs: number): void {
    // Only order_book frames move the book: account frames, pings and tx answers are skipped unparsed.
    if (event.kind !== 'frame' || !event.payload.includes('"order_book')) return;
    try {
      const frame = payloadJson(event, this.shareParsed) as Record<string, unknown>;
      if (typeof frame.channel !== 'string' || !frame.channel.startsWith('order_book:')) return;
      if (frame.type === 'unsubscribed') return; // the first half of a resubscribe, as live skips it
      const read = readBookFrame(frame, this.sync.priceScale, this.sync.sizeScale);
      if (!read.ok) return this.refuse(atMs, read.why);
      const action = this.sync.apply(read.value);
      if (action === 'load_snapshot' || action === 'apply') this.emitBook(atMs);
    } catch (e) {
      return this.refuse(atMs, (e as Error).message);
    }
    this.afterFrame();
  }

  private refuse(atMs: number, why: string): void {
    this.log.warn(`lighter recorded frame at ${atMs.toFixed(3)} ms refused: ${why}`);
    this.sync.reset();
    this.afterFrame();
  }
}
