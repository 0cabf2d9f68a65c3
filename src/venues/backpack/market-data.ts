// Backpack market data: the market's grid and price bands, a depth book kept exact by BookSync from
// the depth stream and REST snapshots, the bookTicker cross-check that drops a book gone wrong, the
// mark price, and the book events and status the engine listens to.

import { formatFixed, parseFixed } from '../../core/fixed.js';
import { OrderBook } from '../../core/orderbook.js';
import type { OrderSide } from '../../core/types.js';
import type { MarketSpec } from '../types.js';
import { VenueError, emitBookEvent, type BookListener, type MarketData, type StatusListener, type VenueStatus } from '../venue.js';
import { BookSync } from './book-sync.js';
import {
  readBookTicker,
  readDepthEvent,
  readDepthSnapshot,
  readMarkPrice,
  readMarketGrid,
  readMarkets,
  type DepthEvent,
  type DepthScan,
  type FixedDepthEvent,
  type MarketGrid,
} from './messages.js';
import { replyRefused } from './errors.js';
import { parsePriceBands, type PriceBands } from './price-bands.js';
import type { BackpackSession } from './session.js';
import { TickerCheck, type TickerDisagreement } from './ticker-check.js';

export interface Fees {
  takerFeeBps: number;
  makerFeeBps: number;
}

/** The perp market's symbol for an upper-case ticker (BTC → BTC_USDC_PERP); throws on anything else. */
export function backpackSymbol(ticker: string): string {
  // Upper case, or a contract of a thousand named with a lower-case k (kPEPE: see markets/symbols.ts).
  if (!/^k?[A-Z0-9]+$/.test(ticker)) throw new Error(`ticker "${ticker}" is not an upper-case asset symbol such as BTC`);
  return `${ticker}_USDC_PERP`;
}

/** Turns a /api/v1/markets entry into a MarketSpec; throws naming what is missing. */
export function parseMarket(json: unknown, fees: Fees): MarketSpec {
  const grid = readMarketGrid(json);
  if (!grid.ok) throw new VenueError('backpack', 'protocol', `Backpack ${grid.why}`);
  return specOf(grid.value, fees);
}

function specOf(grid: MarketGrid, fees: Fees): MarketSpec {
  return { venue: 'backpack', ...grid, takerFeeBps: fees.takerFeeBps, makerFeeBps: fees.makerFeeBps };
}

export class BackpackMarketData implements MarketData {
  readonly id = 'backpack' as const;
  readonly book = new OrderBook();
  lastBookAt = 0;
  /** The market, once start() loaded it. */
  spec?: MarketSpec;
  /** The market's price bands; every market leg's worst price is clamped into them. */
  bands?: PriceBands;
  private sync?: BookSync;
  private readonly bookListeners: BookListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private available = true;
  private detail?: string;
  private snapshotInFlight = false;
  private snapshotTimer?: NodeJS.Timeout;
  private stopped = false;
  /** The latest mark price from markPrice.<symbol> (priceScale, rounded down and up) and when it came. */
  private mark?: { text: string; down: number; up: number; at: number };
  /** The bookTicker cross-check (see ticker-check.ts); made with the market. */
  private tickerCheck?: TickerCheck;

  /**
   * `fees` is asked once the market is found and before the feeds open (the execution side reads
   * the account's fees, which also proves the keys).
   */
  constructor(
    private readonly session: BackpackSession,
    readonly symbol: string,
    private readonly fees: () => Promise<Fees>,
  ) {
    session.onOpen(() => {
      // A market of a shared session that has not loaded yet asks for its snapshot when it does (start()).
      if (this.sync === undefined) return;
      // Nothing is replayed after a reconnect: rebuild from a fresh snapshot.
      this.sync.reset();
      this.requestSnapshot();
      this.emitStatus();
    });
    session.onClose((why) => {
      this.sync?.reset();
      this.detail = `Backpack WS ${why}`;
      this.emitStatus();
    });
  }

  /** Routes this market's public streams; subscribed in this order when the session connects. */
  listen(): void {
    this.session.route(`depth.${this.symbol}`, (data, at) => this.handleDepth(data, at), { onThrow: () => this.resyncBook(), scan: (scan, at) => this.handleDepthScan(scan, at) });
    this.session.route(`bookTicker.${this.symbol}`, (data, at) => this.handleTicker(data, at));
    this.session.route(`markPrice.${this.symbol}`, (data, at) => this.handleMark(data, at));
  }

  get market(): MarketSpec {
    if (this.spec === undefined) throw new Error('Backpack market is not loaded yet; await start() first');
    return this.spec;
  }

  /** The book is in sync with the venue. */
  get bookValid(): boolean {
    return this.sync?.valid === true;
  }

  status(): VenueStatus {
    return { connected: this.session.connected, bookValid: this.sync?.valid ?? false, available: this.available, detail: this.detail };
  }

  /** Milliseconds since the latest applied book frame (Infinity before the first). */
  bookAgeMs(now = this.session.clock.monoMs()): number {
    return this.lastBookAt === 0 ? Infinity : now - this.lastBookAt;
  }

  onBook(listener: BookListener): void {
    this.bookListeners.push(listener);
  }
  onStatus(listener: StatusListener): void {
    this.statusListeners.push(listener);
  }

  async start(): Promise<MarketSpec> {
    this.stopped = false;
    const { rest, logger, options } = this.session;
    const markets = readMarkets(await rest.get<unknown>('/api/v1/markets'));
    if (!markets.ok) throw replyRefused('GET /api/v1/markets', markets.why);
    const found = markets.value.find((m) => m.symbol === this.symbol);
    if (found === undefined) {
      throw new VenueError(
        'backpack',
        'bad_order',
        `Backpack has no market ${this.symbol}; check --ticker (perps listed: ${markets.value
          .map((m) => m.symbol)
          .filter((s) => s.endsWith('_PERP'))
          .slice(0, 12)
          .join(', ')})`,
      );
    }
    if (found.orderBookState !== undefined && found.orderBookState !== 'Open') {
      logger.warn(`Backpack ${this.symbol} order book is ${found.orderBookState}, not Open; orders may be refused`);
    }
    if (!found.grid.ok) throw replyRefused('GET /api/v1/markets', found.grid.why);
    const fees = await this.fees();
    this.spec = specOf(found.grid.value, fees);
    this.bands = parsePriceBands(found.priceFilter, this.symbol, this.spec.priceScale);
    this.sync = new BookSync(this.book, this.spec.priceScale, this.spec.sizeScale);
    const sync = this.sync;
    this.tickerCheck = new TickerCheck(
      options.tickerGraceMs ?? 500,
      () => ({ valid: sync.valid, lastUpdateId: sync.lastUpdateId, epoch: sync.snapshotEpoch, bestBid: this.book.bestBid, bestAsk: this.book.bestAsk }),
      (d) => this.onTickerDisagreement(d),
      () => this.session.clock.monoMs(),
    );
    // A market joining a socket already open (another market of the session opened it) has missed
    // the open that asks for the snapshot: it asks now.
    if (this.session.connected) this.requestSnapshot();
    this.session.connect();
    return this.spec;
  }

  /** Stops this market's timers; the session closes the connection. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.snapshotTimer);
    this.tickerCheck?.stop();
    return Promise.resolve();
  }

  private emitStatus(): void {
    const s = this.status();
    for (const l of this.statusListeners) l('backpack', s);
  }

  private emitBook(receivedAt: number): void {
    this.lastBookAt = receivedAt;
    emitBookEvent(this.bookListeners, 'backpack', this.book, receivedAt);
  }

  private resyncBook(): void {
    if (this.sync === undefined) return;
    this.sync.reset();
    this.requestSnapshot();
    this.emitStatus();
  }

  private handleDepth(data: unknown, receivedAt: number): void {
    // On a socket shared by several markets, this market's stream may speak before its market is loaded.
    if (this.sync === undefined) return;
    const sync = this.sync;
    const event = readDepthEvent(data);
    if (!event.ok) {
      // A depth frame we cannot read leaves the book unknown: rebuild it.
      this.session.warnings.warn('depth', `Backpack depth.${this.symbol} frame refused: ${event.why}; resyncing the book`);
      this.resyncBook();
      return;
    }
    this.applyDepth(sync, event.value, receivedAt);
  }

  /**
   * A depth frame the scanner read from its text (ws.ts): the event readDepthEvent makes of its
   * data, its rows already at the market's scales when they are on its grid (else as text, which
   * the book sync refuses as before).
   */
  private handleDepthScan(scan: DepthScan, receivedAt: number): void {
    if (this.sync === undefined) return;
    const sync = this.sync;
    this.applyDepth(sync, scan.fixedEvent(sync.priceScale, sync.sizeScale) ?? scan.event(), receivedAt);
  }

  private applyDepth(sync: BookSync, event: DepthEvent | FixedDepthEvent, receivedAt: number): void {
    const wasValid = sync.valid;
    const outcome = sync.onEvent(event);
    if (outcome.action === 'apply') {
      this.emitBook(receivedAt);
      this.tickerCheck?.onBook(receivedAt);
    } else if (outcome.action === 'gap_resync' || outcome.action === 'crossed_resync') {
      this.session.logger.warn(
        `Backpack ${this.symbol} depth ${outcome.action === 'gap_resync' ? `gap (expected U ${outcome.expectedU}, got ${outcome.U})` : 'crossed'}; book invalid, resyncing`,
      );
      this.requestSnapshot();
    }
    if (wasValid !== sync.valid) this.emitStatus();
  }

  /** The venue's own best prices from bookTicker (priceScale), the cross-check's latest. */
  get tickerBestBid(): number | undefined {
    return this.tickerCheck?.bid;
  }
  get tickerBestAsk(): number | undefined {
    return this.tickerCheck?.ask;
  }

  /**
   * The venue's own top of book must agree with ours (spec §6.4, §7 step 7): a disagreement that
   * outlasts a short grace period with no ticker matching our book meanwhile means our book is
   * wrong, and it is dropped and rebuilt (ticker-check.ts). A side the frame leaves out keeps its
   * previous price.
   */
  private handleTicker(data: unknown, receivedAt: number): void {
    if (this.spec === undefined) return;
    const t = readBookTicker(data);
    if (!t.ok) return void this.session.warnings.warn('bookTicker', `Backpack bookTicker.${this.symbol} frame refused: ${t.why}`);
    const d = t.value;
    const bid = d.bid !== undefined ? parseFixed(d.bid, this.market.priceScale) : this.tickerBestBid;
    const ask = d.ask !== undefined ? parseFixed(d.ask, this.market.priceScale) : this.tickerBestAsk;
    this.tickerCheck?.onTicker(bid, ask, d.u, receivedAt);
  }

  /** markPrice.<symbol> `p` (spec §8; OpenAPI `Streams` › Mark price): a reference for the mean-mark price band. */
  private handleMark(data: unknown, receivedAt: number): void {
    if (this.spec === undefined) return;
    const m = readMarkPrice(data);
    if (!m.ok) return void this.session.warnings.warn('markPrice', `Backpack markPrice.${this.symbol} frame refused: ${m.why}`);
    const p = m.value.p;
    const scale = this.market.priceScale;
    this.mark = { text: p, down: parseFixed(p, scale, 'down'), up: parseFixed(p, scale, 'up'), at: receivedAt };
  }

  /** The latest mark price the venue streamed, as sent (undefined before the first). */
  get markPrice(): string | undefined {
    return this.mark?.text;
  }

  /**
   * The mark a `side` order's price band is judged against (priceScale, rounded down for a buy and
   * up for a sell), or undefined when none came in the last 10 s: the venue sends one about once a
   * second, and an older one says nothing about the band now.
   */
  markFor(side: OrderSide): number | undefined {
    if (this.mark === undefined || this.session.clock.monoMs() - this.mark.at > 10_000) return undefined;
    return side === 'buy' ? this.mark.down : this.mark.up;
  }

  private onTickerDisagreement(d: TickerDisagreement): void {
    if (this.stopped) return;
    const spec = this.market;
    const price = (p: number | undefined) => (p === undefined ? 'none' : formatFixed(p, spec.priceScale));
    this.session.logger.warn(
      `Backpack ${this.symbol} bookTicker (bid ${price(d.tickerBid)}, ask ${price(d.tickerAsk)}, u ${d.tickerId ?? 'none'}) disagrees with our book (bid ${price(d.bookBid)}, ask ${price(d.bookAsk)}) at update ${d.bookUpdateId} for over ${this.session.options.tickerGraceMs ?? 500} ms with no match meanwhile; book invalid, resyncing`,
    );
    this.sync!.reset();
    this.requestSnapshot();
    this.emitStatus();
  }

  private requestSnapshot(delayMs = 0): void {
    if (this.stopped || this.snapshotInFlight || this.snapshotTimer !== undefined) return;
    if (delayMs > 0) {
      this.snapshotTimer = setTimeout(() => {
        this.snapshotTimer = undefined;
        this.requestSnapshot();
      }, delayMs);
      return;
    }
    const sync = this.sync!;
    const epoch = sync.snapshotEpoch;
    const { rest, options, clock } = this.session;
    this.snapshotInFlight = true;
    rest
      .get<unknown>('/api/v1/depth', { limit: 1000, symbol: this.symbol })
      .then((body) => {
        this.snapshotInFlight = false;
        if (this.stopped) return;
        options.recorder?.snapshot('backpack', JSON.stringify(body), clock.monoMs());
        const snapshot = readDepthSnapshot(body);
        if (!snapshot.ok) throw replyRefused('GET /api/v1/depth', snapshot.why);
        const out = sync.onSnapshot(snapshot.value, epoch);
        if (out.action === 'load_snapshot') {
          this.available = true;
          this.detail = undefined;
          this.emitStatus();
          const at = clock.monoMs();
          this.emitBook(at);
          this.tickerCheck?.onBook(at);
        } else {
          this.requestSnapshot(options.snapshotRetryMs ?? 200);
        }
      })
      .catch((e: unknown) => {
        this.snapshotInFlight = false;
        if (this.stopped) return;
        const err = e as VenueError;
        this.detail = `Backpack depth snapshot failed: ${err.message}`;
        this.session.logger.warn(this.detail);
        this.requestSnapshot(err.retryAfterMs ?? 1000);
      });
  }
}
