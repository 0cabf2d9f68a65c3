// The market-data side of a replayed venue: recorded frames go through the live adapters' own
// parsers and book syncs — Backpack's depth U/u sync with its REST snapshots (book-sync.ts),
// Lighter's begin_nonce sync (book-sync.ts) — so gaps, crossed books and resyncs happen in a
// replay as they did live, and the engine gets the same book events.
//
// What the recording cannot show is when the live adapter threw its book away (a reconnect, a
// ticker disagreement): it only shows the snapshot that followed. A live Backpack adapter asks for
// a snapshot only after its book went invalid, so a snapshot that finds the replayed book valid
// resets it first and loads the snapshot, as live did.

import type { Level, OrderBook } from '../core/orderbook.js';
import type { FixedLevels } from '../venues/scan.js';
import { OrderBook as Book } from '../core/orderbook.js';
import type { Logger } from '../core/log.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import type { RecordedEvent } from '../record/format.js';
import { BookSync as BackpackBookSync } from '../venues/backpack/book-sync.js';
import {
  DepthScan,
  readDepthEvent,
  readDepthSnapshot,
  scanDepthEvent,
  scanDepthSnapshot,
  type DepthEvent,
  type DepthSnapshot,
  type FixedDepthEvent,
  type FixedDepthSnapshot,
} from '../venues/backpack/messages.js';
import { BookSync as LighterBookSync } from '../venues/lighter/book-sync.js';
import { LighterBookScan, readBookFrame, scanLighterBook, scannedBookFrame, type BookFrame } from '../venues/lighter/messages.js';
import type { BookListener, MarketData, StatusListener, VenueStatus } from '../venues/venue.js';

/**
 * What the live parsers made of one recorded frame or snapshot, before the book sync takes it:
 * decoding (the venue's book-frame scanner, or JSON.parse and its messages parser) is the costly half of a replayed event and
 * depends only on the recording, so it can be done once for the backtests sharing a pass, or on
 * another thread (pipeline.ts), and applied to each book after.
 */
export type FeedMessage =
  /** Not a book message (tickers, marks, account frames, pings): the book skips it. */
  | { k: 'skip' }
  /** The parser refused it (or it is not JSON): the book goes unknown, as live. */
  | { k: 'refused'; why: string }
  | { k: 'depth'; depth: DepthEvent | FixedDepthEvent }
  | { k: 'depthSnapshot'; snapshot: DepthSnapshot | FixedDepthSnapshot }
  | { k: 'bookFrame'; frame: BookFrame };

/**
 * A book update as a pipelined replay's batch packs it (packed.ts unpackBatch for the replay): its
 * levels are `nums[bidsAt .. bidsAt + 2·bidsN)` and `nums[asksAt .. asksAt + 2·asksN)`, price then
 * size at the market's scales; `first`/`last` are Lighter's begin_nonce/nonce or Backpack's U/u.
 * Applied as apply() applies a scanned update (the syncs' applyUpdate/onFixedRows), with no level
 * or frame object made.
 */
export interface PackedUpdate {
  k: 'packedUpdate';
  nums: Float64Array;
  first: number;
  last: number;
  bidsAt: number;
  bidsN: number;
  asksAt: number;
  asksN: number;
}

/** What applyMessage takes: a decoded message, or a packed update. */
export type ReplayMessage = FeedMessage | PackedUpdate;

/** Levels copied out of a packed batch for a sync (reused frame after frame). */
class PackedLevels implements FixedLevels {
  n = 0;
  fx = new Float64Array(64);
  load(nums: Float64Array, at: number, n: number): this {
    if (2 * n > this.fx.length) this.fx = new Float64Array(2 * n);
    const fx = this.fx;
    for (let k = 0; k < 2 * n; k++) fx[k] = nums[at + k]!;
    this.n = n;
    return this;
  }
  /** As Level objects, for a sync that keeps the event (Backpack's buffer). */
  levels(): Level[] {
    const out: Level[] = [];
    for (let k = 0; k < 2 * this.n; k += 2) out.push([this.fx[k]!, this.fx[k + 1]!] as const);
    return out;
  }
}

const SKIP: FeedMessage = { k: 'skip' };

/** A replayed venue's market-data side: the port's MarketData, fed by apply() instead of a socket. */
export interface ReplayFeed extends MarketData {
  readonly venue: VenueId;
  readonly market: MarketSpec;
  readonly book: OrderBook;
  readonly lastBookAt: number;
  readonly valid: boolean;
  /** Frames applied to the book so far. */
  readonly applied: number;
  onBook(listener: BookListener): void;
  onStatus(listener: StatusListener): void;
  status(): VenueStatus;
  /** One recorded frame or snapshot of this venue, at its receive time (ms): decode(), then applyMessage(). */
  apply(event: RecordedEvent, atMs: number): void;
  /** The live parsers' reading of one of this venue's recorded frames or snapshots (pure: no book involved). */
  decode(event: RecordedEvent): FeedMessage;
  /** A decoded frame or snapshot into the book, at its receive time (ms). */
  applyMessage(message: ReplayMessage, kind: RecordedEvent['kind'], atMs: number): void;
  /** A new recording session (the bot was restarted): everything known is dropped. */
  reset(): void;
}

/** Decodes a recorded book event for one venue's market (what a feed's decode() does, without a feed). */
export function decoderFor(venue: VenueId, market: MarketSpec): (event: RecordedEvent) => FeedMessage {
  return venue === 'backpack' ? backpackDecoder(market) : lighterDecoder(market);
}

function backpackDecoder(market: MarketSpec): (event: RecordedEvent) => FeedMessage {
  const depthStream = `depth.${market.symbol}`;
  // The scanners read the usual frame straight from its text (messages.ts scanDepthEvent): exactly
  // what JSON.parse and readDepthEvent give, or declined, and then read the usual way below. Its
  // rows go to the book sync as fixed-point numbers when they are on the market's grid (what the
  // sync's parseFixed would make of them), else as their text (which the sync refuses as before).
  const scan = new DepthScan();
  const { priceScale, sizeScale } = market;
  return (event) => {
    try {
      if (event.kind === 'snapshot') {
        if (scanDepthSnapshot(event.payload, scan)) return { k: 'depthSnapshot', snapshot: scan.fixedSnapshot(priceScale, sizeScale) ?? scan.snapshot() };
        const snapshot = readDepthSnapshot(JSON.parse(event.payload) as unknown);
        return snapshot.ok ? { k: 'depthSnapshot', snapshot: snapshot.value } : { k: 'refused', why: snapshot.why };
      }
      // Only depth frames move the book; the ticker, mark and account streams are skipped unparsed.
      if (!event.payload.includes(depthStream)) return SKIP;
      if (scanDepthEvent(event.payload, scan) && scan.streamIs(depthStream)) return { k: 'depth', depth: scan.fixedEvent(priceScale, sizeScale) ?? scan.event() };
      const frame = JSON.parse(event.payload) as { stream?: unknown; data?: unknown };
      if (frame.stream !== depthStream) return SKIP;
      const depth = readDepthEvent(frame.data);
      return depth.ok ? { k: 'depth', depth: depth.value } : { k: 'refused', why: depth.why };
    } catch (e) {
      return { k: 'refused', why: (e as Error).message };
    }
  };
}

function lighterDecoder(market: MarketSpec): (event: RecordedEvent) => FeedMessage {
  // As backpackDecoder: the scanner first (messages.ts scanLighterBook), JSON.parse when it declines.
  const scan = new LighterBookScan();
  return (event) => {
    // Only order_book frames move the book: account frames, pings and tx answers are skipped unparsed.
    if (event.kind !== 'frame' || !event.payload.includes('"order_book')) return SKIP;
    if (scanLighterBook(event.payload, scan)) {
      const frame = scannedBookFrame(scan, market.priceScale, market.sizeScale);
      if (frame !== undefined) return { k: 'bookFrame', frame };
    }
    try {
      const frame = JSON.parse(event.payload) as Record<string, unknown>;
      if (typeof frame.channel !== 'string' || !frame.channel.startsWith('order_book:')) return SKIP;
      if (frame.type === 'unsubscribed') return SKIP; // the first half of a resubscribe, as live skips it
      const read = readBookFrame(frame, market.priceScale, market.sizeScale);
      return read.ok ? { k: 'bookFrame', frame: read.value } : { k: 'refused', why: read.why };
    } catch (e) {
      return { k: 'refused', why: (e as Error).message };
    }
  };
}

abstract class FeedBase {
  readonly book: OrderBook = new Book();
  lastBookAt = 0;
  applied = 0;
  protected readonly bookListeners: BookListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private saidValid = false;

  constructor(
    readonly venue: VenueId,
    readonly market: MarketSpec,
    protected readonly log: Logger,
  ) {
    this.event = { venue, receivedAt: 0, book: this.book };
  }

  /** A packed update's levels, copied out of its batch for the sync (PackedUpdate; reused frame after frame). */
  protected readonly packedBids = new PackedLevels();
  protected readonly packedAsks = new PackedLevels();

  abstract get valid(): boolean;
  abstract decode(event: RecordedEvent): FeedMessage;
  abstract applyMessage(message: ReplayMessage, kind: RecordedEvent['kind'], atMs: number): void;

  apply(event: RecordedEvent, atMs: number): void {
    this.applyMessage(this.decode(event), event.kind, atMs);
  }

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

  /** The one book event of this feed, reused for every frame as emitBookEvent reuses one per book (no lookup for it). */
  private readonly event: { readonly venue: VenueId; receivedAt: number; readonly book: OrderBook };

  protected emitBook(atMs: number): void {
    this.lastBookAt = atMs;
    this.applied++;
    const event = this.event;
    event.receivedAt = atMs;
    const listeners = this.bookListeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(event);
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
  readonly decode: (event: RecordedEvent) => FeedMessage;
  private readonly depthStream: string;
  private readonly scan = new DepthScan();
  /** The scanned event as an object, for the sync to keep (it buffers it): bound once. */
  private readonly scannedEvent = (): FixedDepthEvent => this.scan.fixedEvent(this.market.priceScale, this.market.sizeScale)!;

  constructor(market: MarketSpec, log: Logger) {
    super('backpack', market, log);
    this.sync = new BackpackBookSync(this.book as Book, market.priceScale, market.sizeScale);
    this.decode = backpackDecoder(market);
    this.depthStream = `depth.${market.symbol}`;
  }

  /**
   * decode() then applyMessage(), with the usual depth frame taken straight from the scanner's
   * buffers into the book: the decoder's guard and scanner, then the sync's onFixedRows, so no
   * event, row or outcome object is made (one is only when the sync keeps the event). Any other
   * frame, a snapshot, or rows off the grid take decode() and applyMessage(). The same book, events,
   * statuses and lines either way (test/backtest/feed.test.ts).
   */
  override apply(event: RecordedEvent, atMs: number): void {
    const text = event.payload;
    if (event.kind !== 'frame') return this.applyMessage(this.decode(event), event.kind, atMs);
    // Only depth frames move the book (the decoder's guard: no other is even scanned).
    if (!text.includes(this.depthStream)) return;
    const scan = this.scan;
    const { priceScale, sizeScale } = this.market;
    if (!scanDepthEvent(text, scan) || !scan.streamIs(this.depthStream) || !scan.bids.toFixed(priceScale, sizeScale) || !scan.asks.toFixed(priceScale, sizeScale))
      return this.applyMessage(this.decode(event), event.kind, atMs);
    try {
      if (this.sync.onFixedRows(scan.U, scan.u, scan.bids, scan.asks, this.scannedEvent) === 'apply') this.emitBook(atMs);
    } catch (e) {
      return this.refuse('frame', atMs, (e as Error).message);
    }
    this.afterFrame();
  }

  get valid(): boolean {
    return this.sync.valid;
  }

  reset(): void {
    this.sync.reset();
    this.afterFrame();
  }

  applyMessage(message: ReplayMessage, kind: RecordedEvent['kind'], atMs: number): void {
    if (message.k === 'skip') return;
    // As live: a snapshot or depth frame that cannot be read leaves the book unknown until the next snapshot.
    if (message.k === 'refused') return this.refuse(kind, atMs, message.why);
    if (message.k === 'packedUpdate') return this.applyPacked(message, atMs);
    try {
      if (message.k === 'depthSnapshot') {
        if (this.sync.valid) this.sync.reset();
        const out = this.sync.onSnapshot(message.snapshot);
        if (out.action === 'load_snapshot') this.emitBook(atMs);
      } else if (message.k === 'depth') {
        const out = this.sync.onEvent(message.depth);
        if (out.action === 'apply') this.emitBook(atMs);
      } else return;
    } catch (e) {
      return this.refuse(kind, atMs, (e as Error).message);
    }
    this.afterFrame();
  }

  private packedU = 0;
  private packedLastU = 0;
  /** The packed update as an event, for the sync to keep (it buffers it): bound once. */
  private readonly packedEvent = (): FixedDepthEvent => ({ fixed: true, U: this.packedU, u: this.packedLastU, b: this.packedBids.levels(), a: this.packedAsks.levels() });

  /** A packed depth frame, as apply() applies a scanned one. */
  private applyPacked(m: PackedUpdate, atMs: number): void {
    const bids = this.packedBids.load(m.nums, m.bidsAt, m.bidsN);
    const asks = this.packedAsks.load(m.nums, m.asksAt, m.asksN);
    this.packedU = m.first;
    this.packedLastU = m.last;
    try {
      if (this.sync.onFixedRows(m.first, m.last, bids, asks, this.packedEvent) === 'apply') this.emitBook(atMs);
    } catch (e) {
      return this.refuse('frame', atMs, (e as Error).message);
    }
    this.afterFrame();
  }

  private refuse(kind: RecordedEvent['kind'], atMs: number, why: string): void {
    this.log.warn(`backpack recorded ${kind} at ${atMs.toFixed(3)} ms refused: ${why}`);
    this.sync.reset();
    this.afterFrame();
  }
}

export class LighterFeed extends FeedBase implements ReplayFeed {
  private readonly sync: LighterBookSync;
  readonly decode: (event: RecordedEvent) => FeedMessage;
  private readonly scan = new LighterBookScan();

  constructor(market: MarketSpec, log: Logger) {
    super('lighter', market, log);
    this.sync = new LighterBookSync(this.book as Book, market.priceScale, market.sizeScale);
    this.decode = lighterDecoder(market);
  }

  /**
   * decode() then applyMessage(), with the usual `update/order_book` frame taken straight from the
   * scanner's buffers into the book (the decoder's guard and scanner, then the sync's applyUpdate):
   * no BookFrame, level or message is made. A snapshot, any other frame, or levels off the grid take
   * decode() and applyMessage(). The same book, events, statuses and lines either way
   * (test/backtest/feed.test.ts).
   */
  override apply(event: RecordedEvent, atMs: number): void {
    const text = event.payload;
    if (event.kind !== 'frame') return;
    const scan = this.scan;
    const { priceScale, sizeScale } = this.market;
    // The decoder's guard (only a text holding `"order_book` is read at all) is asked only when the
    // scanner declines: a frame it reads has a channel `order_book:…` in plain quotes, so holds it.
    if (!scanLighterBook(text, scan) || scan.snapshot || !scan.bids.toFixed(priceScale, sizeScale) || !scan.asks.toFixed(priceScale, sizeScale))
      return text.includes('"order_book') ? this.applyMessage(this.decode(event), event.kind, atMs) : undefined;
    try {
      const action = this.sync.applyUpdate(scan.nonce, scan.beginNonce, scan.bids, scan.asks);
      if (action === 'apply') this.emitBook(atMs);
    } catch (e) {
      return this.refuse(atMs, (e as Error).message);
    }
    this.afterFrame();
  }

  get valid(): boolean {
    return this.sync.valid;
  }

  reset(): void {
    this.sync.reset();
    this.afterFrame();
  }

  applyMessage(message: ReplayMessage, _kind: RecordedEvent['kind'], atMs: number): void {
    if (message.k === 'skip') return;
    if (message.k === 'refused') return this.refuse(atMs, message.why);
    if (message.k === 'packedUpdate') {
      // A packed update frame, as apply() applies a scanned one.
      const bids = this.packedBids.load(message.nums, message.bidsAt, message.bidsN);
      const asks = this.packedAsks.load(message.nums, message.asksAt, message.asksN);
      try {
        if (this.sync.applyUpdate(message.last, message.first, bids, asks) === 'apply') this.emitBook(atMs);
      } catch (e) {
        return this.refuse(atMs, (e as Error).message);
      }
      return this.afterFrame();
    }
    if (message.k !== 'bookFrame') return;
    try {
      const action = this.sync.apply(message.frame);
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
