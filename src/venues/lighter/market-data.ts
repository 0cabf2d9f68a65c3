// Lighter market data: the market's grid (orderBookDetails) and the start-up checks that depend on
// it, a book kept by its nonce chain (book-sync.ts) from the order_book channel, resubscribed for a
// fresh snapshot when the chain breaks (and the socket reconnected when none comes), and the book
// events and status the engine listens to.

import { parseFixed, parseUnits } from '../../core/fixed.js';
import { OrderBook } from '../../core/orderbook.js';
import type { MarketSpec } from '../types.js';
import { VenueError, emitBookEvent, type BookListener, type MarketData, type StatusListener, type VenueStatus } from '../venue.js';
import { LighterConfigError, marketIdProblem, minQuoteProblem, type AccountCheck } from './account.js';
import { BookSync } from './book-sync.js';
import { readBookFrame, readMarketEntry, readOrderBookDetails, scannedBookFrame, type BookFrame, type LighterBookScan, type LighterMarketEntry } from './messages.js';
import { parseLighterFrame } from './ws.js';
import { replyRefused } from './errors.js';
import type { LighterSession, LighterVenueOptions } from './session.js';

/** What start-up learned and assumed about the venue and the account (the preflight prints it). */
export interface LighterSetup extends AccountCheck {
  /** The market's min_quote_amount (USDC, as published). */
  minQuoteAmount?: string;
}

export class LighterMarketData implements MarketData {
  readonly id = 'lighter' as const;
  readonly book = new OrderBook();
  lastBookAt = 0;
  /** The market, once start() loaded it. */
  spec?: MarketSpec;
  /** Set by start(). */
  setup?: LighterSetup;
  private sync?: BookSync;
  /** This market's book channel as frames name it (spec §5: ':' where subscriptions use '/'), set with `sync`. */
  private bookChannelIn = '';
  private readonly bookListeners: BookListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private bookWatch?: NodeJS.Timeout;

  constructor(
    private readonly session: LighterSession,
    private readonly checkAccount: () => Promise<AccountCheck>,
    /** This market's own options (ticker, size, slippage) when the session serves several; default the session's. */
    private readonly own: LighterVenueOptions = session.options,
  ) {
    session.onOpen(() => {
      this.sync?.reset();
      this.emitStatus();
      this.watchBook('no order book snapshot after subscribing');
    });
    session.onClose(() => {
      this.sync?.reset();
      this.emitStatus();
    });
    session.onChange(() => this.emitStatus());
  }

  /** Routes the book channel's frames. */
  listen(): void {
    this.session.route(
      'order_book:',
      (frame, at) => this.handleBook(frame, at),
      () => this.resync('a book frame could not be read'),
      (scan, at) => this.handleBookScan(scan, at),
    );
  }

  private get options() {
    return this.own;
  }

  get market(): MarketSpec {
    if (this.spec === undefined) throw new Error('Lighter venue not started');
    return this.spec;
  }

  status(): VenueStatus {
    return { connected: this.session.connected, bookValid: this.sync?.valid ?? false, available: this.session.available, detail: this.session.detail };
  }

  onBook(listener: BookListener): void {
    this.bookListeners.push(listener);
  }
  onStatus(listener: StatusListener): void {
    this.statusListeners.push(listener);
  }

  async start(): Promise<MarketSpec> {
    const details = readOrderBookDetails(await this.session.rest.get<unknown>('orderBookDetails', {}));
    if (!details.ok) throw replyRefused('GET /api/v1/orderBookDetails', details.why);
    const list = details.value;
    const found = list.find((m) => m.symbol === this.options.ticker && (m.marketType === undefined || m.marketType === 'perp'));
    if (found === undefined) {
      throw new VenueError(
        'lighter',
        'bad_order',
        `Lighter has no perp market ${this.options.ticker}; check --ticker (listed: ${list
          .map((m) => m.symbol)
          .slice(0, 12)
          .join(', ')})`,
      );
    }
    if (!found.market.ok) throw replyRefused('GET /api/v1/orderBookDetails', found.market.why);
    const entry = found.market.value;
    const idProblem = marketIdProblem(entry.symbol, entry.marketId);
    if (idProblem !== undefined) throw new LighterConfigError(idProblem);
    const { chain, tier, fees } = await this.checkAccount();
    this.spec = specOf(entry, { takerFeeBps: fees.takerBps, makerFeeBps: this.options.makerFeeBps ?? fees.makerBps });
    const minQuoteAmount = entry.minQuoteAmount;
    this.setup = { chain, tier, fees, minQuoteAmount };
    this.checkMinQuote(entry, minQuoteAmount);
    this.sync = new BookSync(this.book, this.spec.priceScale, this.spec.sizeScale);
    this.bookChannelIn = `order_book:${this.spec.marketId}`;
    this.session.subscribe(this.bookChannel());
    // A market joining a socket that is already open gets the same watch as one subscribed at open.
    if (this.session.connected) this.watchBook('no order book snapshot after subscribing');
    this.session.connect();
    return this.spec;
  }

  /** Stops this market's timers; the session closes the connection. */
  stop(): Promise<void> {
    clearTimeout(this.bookWatch);
    return Promise.resolve();
  }

  private bookChannel(): string {
    return `order_book/${this.spec?.marketId}`;
  }

  /**
   * --size must be worth the market's min_quote_amount. A sell goes out with the book price less
   * --slippage-bps as its price, so that is the price it is judged at (the simulator checks the
   * signed BaseAmount × Price, the harsher reading of the venue's rule).
   */
  private checkMinQuote(found: LighterMarketEntry, minQuoteAmount: string | undefined): void {
    const spec = this.spec!;
    if (this.options.orderSize === undefined || minQuoteAmount === undefined) return;
    let size: number;
    try {
      size = Number(parseUnits(this.options.orderSize, spec.sizeScale, 'down'));
    } catch {
      return; // an off-grid or unreadable size is refused with its own line elsewhere
    }
    const last = found.lastTradePrice !== undefined ? parseFixed(found.lastTradePrice, spec.priceScale, 'down') : 0;
    if (!(last > 0)) {
      this.options.logger.warn(
        `Lighter ${spec.symbol} publishes no last trade price; --size ${this.options.orderSize} was not checked against the minimum order value of ${minQuoteAmount} USDC`,
      );
      return;
    }
    const worstSell = Math.floor((last * (10_000 - (this.options.slippageBps ?? 0))) / 10_000);
    const problem = minQuoteProblem(spec, size, worstSell, minQuoteAmount);
    if (problem !== undefined) throw new LighterConfigError(problem);
  }

  /** After a (re)subscribe of the book: no fresh snapshot within the resync timeout reconnects the socket. */
  private watchBook(what: string): void {
    clearTimeout(this.bookWatch);
    const ms = this.options.resyncTimeoutMs ?? 5000;
    this.bookWatch = setTimeout(() => {
      if (this.sync?.valid !== true) this.session.reconnect(`${what} within ${ms} ms`);
    }, ms);
  }

  private emitStatus(): void {
    const s = this.status();
    for (const l of this.statusListeners) l('lighter', s);
  }

  private handleBook(frame: Record<string, unknown>, receivedAt: number): void {
    // The socket carries every market's book: this market reads its own channel only.
    if (this.sync === undefined || frame.channel !== this.bookChannelIn) return;
    const sync = this.sync;
    const read = readBookFrame(frame, sync.priceScale, sync.sizeScale);
    if (!read.ok) {
      this.session.warnings.warn('order_book', `Lighter order_book frame refused: ${read.why}`);
      return this.resync('a book frame could not be read');
    }
    this.applyBook(read.value, receivedAt);
  }

  /**
   * A book frame the scanner read from its text (ws.ts): the same frame readBookFrame makes of it;
   * where a level is off this market's grid or out of range, the text is parsed and read the usual
   * way, which refuses it in its own words.
   */
  private handleBookScan(scan: LighterBookScan, receivedAt: number): void {
    if (this.sync === undefined || !scan.channelIs(this.bookChannelIn)) return;
    const frame = scannedBookFrame(scan, this.sync.priceScale, this.sync.sizeScale);
    if (frame === undefined) return this.handleBook(parseLighterFrame(scan.text) as Record<string, unknown>, receivedAt);
    this.applyBook(frame, receivedAt);
  }

  private applyBook(frame: BookFrame, receivedAt: number): void {
    const sync = this.sync!;
    const wasValid = sync.valid;
    const action = sync.apply(frame);
    if (action === 'load_snapshot' || action === 'apply') {
      this.session.available = true;
      this.lastBookAt = receivedAt;
      if (!wasValid) this.emitStatus();
      emitBookEvent(this.bookListeners, 'lighter', this.book, receivedAt);
    } else if (action === 'gap_resync' || action === 'crossed_resync') {
      this.resync(action === 'gap_resync' ? 'begin_nonce does not continue the previous nonce' : 'the book crossed');
    }
  }

  private resync(why: string): void {
    this.options.logger.warn(`Lighter ${this.options.ticker} book invalid (${why}); resubscribing for a fresh snapshot`);
    this.sync?.reset();
    this.emitStatus();
    this.session.resubscribe(this.bookChannel());
    this.watchBook('no fresh order book snapshot after a resync');
  }
}

/** An orderBookDetails entry as a MarketSpec: integer grids, fees in bps (published as percent). Throws naming what is missing. */
export function parseMarket(m: unknown, fees: { takerFeeBps?: number; makerFeeBps?: number }): MarketSpec {
  const entry = readMarketEntry(m);
  if (!entry.ok) throw new VenueError('lighter', 'protocol', `Lighter ${entry.why}`);
  return specOf(entry.value, fees);
}

function specOf(m: LighterMarketEntry, fees: { takerFeeBps?: number; makerFeeBps?: number }): MarketSpec {
  const percentToBps = (v: string | undefined): number => (v !== undefined ? Number(v) * 100 : 0);
  let minSize: number;
  try {
    minSize = parseFixed(m.minBaseAmount, m.sizeScale, 'up');
  } catch (e) {
    throw new VenueError('lighter', 'protocol', `Lighter market ${m.symbol} min_base_amount ${m.minBaseAmount}: ${(e as Error).message}`);
  }
  return {
    venue: 'lighter',
    symbol: m.symbol,
    marketId: m.marketId,
    priceScale: m.priceScale,
    sizeScale: m.sizeScale,
    tickSize: 1,
    stepSize: 1,
    minSize,
    takerFeeBps: fees.takerFeeBps ?? percentToBps(m.takerFee),
    makerFeeBps: fees.makerFeeBps ?? percentToBps(m.makerFee),
  };
}
