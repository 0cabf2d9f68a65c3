// The bookTicker cross-check (spec §7 step 7): the venue's own best prices against our depth book.
// A book that goes wrong without a sequence gap (a level we failed to delete, a snapshot that did
// not bridge) shows up here as a top the venue never reports.
//
// The ticker's update id is not used to decide anything: the docs show it as an 18-digit string,
// a CCXT capture as a depth-sized number (spec §3 bookTicker, §10 Q18; CCXT pro backpack.js
// handleBidAsk), so it may not share the depth stream's id space and comparing the two could call
// a fresh ticker old or an old one fresh. What decides is time: the book is rebuilt only when the
// ticker and our top disagree for a whole grace period during which no ticker matched any top our
// book showed within that period (so a ticker that runs behind or ahead of a fast book matches it)
// — a book that really is wrong never matches at all. The id serves one purpose, and only once the
// venue has shown it shares the depth space (a ticker whose id equals our book's update id with the
// same top): a ticker with a later id than our book waits for the depth frames that will follow.

import { systemClock } from '../../core/clock.js';

export interface BookView {
  /** The book is in sync (a snapshot bridged by contiguous deltas). */
  valid: boolean;
  lastUpdateId: number;
  /** Changes whenever the book is dropped (BookSync.snapshotEpoch). */
  epoch: number;
  bestBid?: number;
  bestAsk?: number;
}

export interface TickerDisagreement {
  tickerBid?: number;
  tickerAsk?: number;
  /** The ticker's id as sent. */
  tickerId?: string;
  bookBid?: number;
  bookAsk?: number;
  bookUpdateId: number;
}

interface TopSpan {
  bid?: number;
  ask?: number;
  /** Monotonic ms when this became our top; it lasted until the next one's `since`. */
  since: number;
}

interface TickerSeen {
  bid?: number;
  ask?: number;
  at: number;
}

// A bound on the history kept, whatever the frame rate: older entries are outside the grace period anyway in practice.
const MAX_HISTORY = 512;

/** A ticker id as an exact integer, when it is one that fits (digits or a safe JSON number). */
function parseTickerId(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export class TickerCheck {
  bid?: number;
  ask?: number;
  private id?: string;
  private seq?: number;
  private seen = false;
  /** Our recent tops, oldest first, all of the current book epoch. */
  private tops: TopSpan[] = [];
  private topsEpoch = -1;
  private tickers: TickerSeen[] = [];
  /** Monotonic ms of the latest ticker that matched a top of ours within the grace period. */
  private lastMatchAt = -Infinity;
  /** The venue has shown its ticker ids are depth update ids. */
  private sharedIds = false;
  private timer?: NodeJS.Timeout;
  private generation = 0;

  constructor(
    private readonly graceMs: number,
    private readonly view: () => BookView,
    private readonly onDisagreement: (d: TickerDisagreement) => void,
    private readonly clock: () => number = () => systemClock.monoMs(),
  ) {}

  /** A bookTicker frame's prices (priceScale; undefined = side absent) and id, received at `at`. */
  onTicker(bid: number | undefined, ask: number | undefined, id: unknown, at: number): void {
    this.bid = bid;
    this.ask = ask;
    this.seen = true;
    this.id = id === undefined || id === null ? undefined : String(id);
    this.seq = parseTickerId(id);
    this.tickers.push({ bid, ask, at });
    const book = this.view();
    this.syncTops(book);
    if (book.valid) {
      if (this.seq !== undefined && this.seq === book.lastUpdateId && bid === book.bestBid && ask === book.bestAsk) this.sharedIds = true;
      if (this.wasOurTop(bid, ask, at - this.graceMs)) this.lastMatchAt = at;
    }
    this.trim(at);
    this.check(book, at);
  }

  /** Our book changed (a delta applied or a snapshot loaded) at `at`. */
  onBook(at: number): void {
    const book = this.view();
    this.syncTops(book);
    if (!book.valid) return;
    const last = this.tops.at(-1);
    if (last === undefined || last.bid !== book.bestBid || last.ask !== book.bestAsk) {
      this.tops.push({ bid: book.bestBid, ask: book.bestAsk, since: at });
      // A ticker that reported this top a moment ago: the ticker runs ahead of our book.
      if (this.tickers.some((t) => t.at >= at - this.graceMs && t.bid === book.bestBid && t.ask === book.bestAsk)) this.lastMatchAt = at;
    }
    this.trim(at);
    this.check(book, at);
  }

  stop(): void {
    this.disarm();
  }

  /** The ticker's id as last sent, for log lines. */
  get tickerId(): string | undefined {
    return this.id;
  }

  /** undefined: nothing to compare (no book, no ticker, or a ticker known to be ahead of the book). */
  private agrees(book: BookView): boolean | undefined {
    if (!book.valid || !this.seen) return undefined;
    if (this.sharedIds && this.seq !== undefined && this.seq > book.lastUpdateId) return undefined;
    return this.bid === book.bestBid && this.ask === book.bestAsk;
  }

  private check(book: BookView, now: number): void {
    const agrees = this.agrees(book);
    if (agrees === undefined) return;
    if (agrees) return this.disarm();
    if (this.timer === undefined) this.arm(now);
  }

  private arm(armedAt: number): void {
    const generation = ++this.generation;
    this.timer = setTimeout(() => {
      // Frames that arrived while the timer was due are read first: a busy process must not
      // mistake its own delay for the venue's silence.
      setImmediate(() => {
        if (generation !== this.generation) return;
        this.timer = undefined;
        const book = this.view();
        if (this.agrees(book) !== false) return;
        const now = this.clock();
        if (this.lastMatchAt >= armedAt) return this.arm(now); // matched meanwhile: the book follows the venue
        this.onDisagreement({ tickerBid: this.bid, tickerAsk: this.ask, tickerId: this.id, bookBid: book.bestBid, bookAsk: book.bestAsk, bookUpdateId: book.lastUpdateId });
      });
    }, this.graceMs);
  }

  private disarm(): void {
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Whether our book showed this top at any moment since `from` (or shows it now). */
  private wasOurTop(bid: number | undefined, ask: number | undefined, from: number): boolean {
    for (let i = this.tops.length - 1; i >= 0; i--) {
      const end = i + 1 < this.tops.length ? this.tops[i + 1].since : Infinity;
      if (end < from) break;
      if (this.tops[i].bid === bid && this.tops[i].ask === ask) return true;
    }
    return false;
  }

  /** A dropped book's tops say nothing about the next one. */
  private syncTops(book: BookView): void {
    if (book.epoch !== this.topsEpoch || !book.valid) {
      this.tops = [];
      this.topsEpoch = book.epoch;
    }
  }

  private trim(now: number): void {
    const from = now - this.graceMs;
    // Keep a top while the one after it began inside the grace period (it was current then).
    let dropTops = 0;
    while (dropTops + 1 < this.tops.length && this.tops[dropTops + 1].since < from) dropTops++;
    if (this.tops.length - dropTops > MAX_HISTORY) dropTops = this.tops.length - MAX_HISTORY;
    if (dropTops > 0) this.tops.splice(0, dropTops);
    let dropTickers = 0;
    while (dropTickers < this.tickers.length - 1 && this.tickers[dropTickers].at < from) dropTickers++;
    if (this.tickers.length - dropTickers > MAX_HISTORY) dropTickers = this.tickers.length - MAX_HISTORY;
    if (dropTickers > 0) this.tickers.splice(0, dropTickers);
  }
}
