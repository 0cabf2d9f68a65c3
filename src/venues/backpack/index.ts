// The live Backpack venue behind the port of venue.ts: market metadata, a depth book kept exact by
// BookSync, and market orders whose outcome is confirmed from the HTTP reply or, when that is lost,
// from the venue's order and fill history.

import { decimalsOf, formatFixed, parseFixed } from '../../core/fixed.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { LiveVenueOptions } from '../options.js';
import { OrderBook } from '../../core/orderbook.js';
import type { Secret } from '../../core/secret.js';
import type { OrderSide } from '../../core/types.js';
import type { MarketSpec } from '../types.js';
import { SignedAhead } from '../signed-ahead.js';
import {
  READY,
  VenueError,
  emitBookEvent,
  type BookListener,
  type ExecutionReadiness,
  type LegResult,
  type MarketOrderRequest,
  type StatusListener,
  type Venue,
  type VenueStatus,
} from '../venue.js';
import { BackpackSigner } from './auth.js';
import { BookSync } from './book-sync.js';
import { readBookTicker, readDepthEvent, readDepthSnapshot, readMarkPrice, readOrderUpdate, readPositionUpdate } from './messages.js';
import { FrameWarnings } from '../messages.js';
import { BackpackRest, type PreparedRequest } from './rest.js';
import { BackpackStream } from './ws.js';
import { TickerCheck, type TickerDisagreement } from './ticker-check.js';
import { clampIntoBands, parsePriceBands, type PriceBands } from './price-bands.js';
import type { FrameRecorder } from '../../record/writer.js';
import { BackpackFunding } from './funding.js';

export { BackpackSigner, signingString } from './auth.js';
export { BookSync } from './book-sync.js';
export { BackpackRest } from './rest.js';
export { backpackErrorKind } from './errors.js';
export { BackpackStream } from './ws.js';
export { clampIntoBands, parsePriceBands, type PriceBands } from './price-bands.js';

export interface BackpackVenueOptions extends LiveVenueOptions {
  /** base64 public key; checked against the one derived from secretKey. */
  publicKey?: string;
  /** base64 32-byte ED25519 seed; without it the venue is market-data only (paper mode). */
  secretKey?: Secret;
  /** X-Window in ms (default 5000). Fees without keys default to VIP-1: 5 / 2 bps. */
  windowMs?: number;
  /** Delay before asking for another snapshot when one was too old (default 200 ms). */
  snapshotRetryMs?: number;
  /** How long the bookTicker may disagree with the book before it is rebuilt (default 500 ms). */
  tickerGraceMs?: number;
  /** First clientId; later ones count up mod 2^32 (default: derived from the clock). */
  firstClientId?: number;
  /** Receives every WebSocket frame and depth snapshot as it arrives (--record); nothing when absent. */
  recorder?: FrameRecorder;
}

interface MarketJson {
  symbol?: unknown;
  marketType?: unknown;
  orderBookState?: unknown;
  filters?: { price?: { tickSize?: unknown; [band: string]: unknown }; quantity?: { stepSize?: unknown; minQuantity?: unknown } };
}

/** Turns a /api/v1/markets entry into a MarketSpec; throws naming what is missing. */
export function parseMarket(json: unknown, fees: { takerFeeBps: number; makerFeeBps: number }): MarketSpec {
  const m = (json ?? {}) as MarketJson;
  const tick = m.filters?.price?.tickSize;
  const step = m.filters?.quantity?.stepSize;
  const min = m.filters?.quantity?.minQuantity;
  if (typeof m.symbol !== 'string' || typeof tick !== 'string' || typeof step !== 'string' || typeof min !== 'string') {
    throw new VenueError('backpack', 'protocol', `Backpack market ${String(m.symbol)} lacks symbol/tickSize/stepSize/minQuantity strings`);
  }
  const priceScale = decimalsOf(tick);
  const sizeScale = decimalsOf(step);
  return {
    venue: 'backpack',
    symbol: m.symbol,
    priceScale,
    sizeScale,
    tickSize: parseFixed(tick, priceScale),
    stepSize: parseFixed(step, sizeScale),
    minSize: parseFixed(min, sizeScale, 'up'),
    takerFeeBps: fees.takerFeeBps,
    makerFeeBps: fees.makerFeeBps,
  };
}

interface OrderJson {
  id?: unknown;
  clientId?: unknown;
  status?: unknown;
  executedQuantity?: unknown;
  executedQuoteQuantity?: unknown;
}

interface FillJson {
  orderId?: unknown;
  clientId?: unknown;
  quantity?: unknown;
  price?: unknown;
  fee?: unknown;
}

const TERMINAL = new Set(['Filled', 'Cancelled', 'Expired', 'TriggerFailed']);

/** An order request signed and ready to write. */
interface SignedOrder {
  clientId: number;
  request: PreparedRequest;
}

interface StreamedOrder {
  orderId?: string;
  executed: number;
  executedQuote: number;
  fee: number;
  trades: Set<string>;
  /** Σ size of the distinct fills seen (sizeScale): the fee is complete once this reaches `executed`. */
  traded: number;
  status: string;
  /** The latest event carried the cumulative z/Z: only then can it settle a leg. */
  totalsSeen: boolean;
}

export class BackpackVenue implements Venue {
  readonly id = 'backpack' as const;
  readonly book = new OrderBook();
  lastBookAt = 0;
  private spec?: MarketSpec;
  /** The market's price bands; every market leg's worst price is clamped into them. */
  private bands?: PriceBands;
  private readonly symbol: string;
  private readonly signer?: BackpackSigner;
  /** Orders signed ahead, one per side (see prepareMarketOrder). */
  private readonly prepared: SignedAhead<SignedOrder>;
  readonly rest: BackpackRest;
  private stream?: BackpackStream;
  private sync?: BookSync;
  private readonly bookListeners: BookListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private available = true;
  private detail?: string;
  private snapshotInFlight = false;
  private snapshotTimer?: NodeJS.Timeout;
  private stopped = false;
  private nextClientId: number;
  private readonly clock: Clock;
  /** Refused frames, said at most once per kind per 10 s. */
  private readonly warnings: FrameWarnings;
  /** The latest mark price from markPrice.<symbol> (priceScale, rounded down and up) and when it came. */
  private mark?: { text: string; down: number; up: number; at: number };
  /** The bookTicker cross-check (see ticker-check.ts); made with the market. */
  private tickerCheck?: TickerCheck;
  /** What account.orderUpdate has told us per clientId: cumulative executed size/quote, fees, status. */
  private readonly streamed = new Map<string, StreamedOrder>();
  /** Latest position from account.positionUpdate (sizeScale). */
  streamedPosition?: number;
  /** The account's funding payments and the current rate (funding.ts); only with keys. */
  readonly funding?: BackpackFunding;

  constructor(private readonly options: BackpackVenueOptions) {
    if (!/^[A-Z0-9]+$/.test(options.ticker)) throw new Error(`ticker "${options.ticker}" is not an upper-case asset symbol such as BTC`);
    this.symbol = `${options.ticker}_USDC_PERP`;
    if (options.secretKey !== undefined) this.signer = new BackpackSigner(options.secretKey, options.publicKey);
    this.clock = options.clock ?? systemClock;
    this.warnings = new FrameWarnings(options.logger, this.clock);
    this.rest = new BackpackRest({
      apiUrl: options.apiUrl,
      signer: this.signer,
      logger: options.logger,
      timeoutMs: options.requestTimeoutMs,
      windowMs: options.windowMs,
      clock: this.clock,
    });
    this.prepared = new SignedAhead(options.preparedOrderMaxAgeMs ?? 1000, undefined, this.clock);
    if (this.signer !== undefined) this.funding = new BackpackFunding(this.rest, this.symbol);
    this.nextClientId = (options.firstClientId ?? this.clock.wallMs() % 0x1_0000_0000) >>> 0;
  }

  get market(): MarketSpec {
    if (this.spec === undefined) throw new Error('Backpack market is not loaded yet; await start() first');
    return this.spec;
  }

  status(): VenueStatus {
    return { connected: this.stream?.connected ?? false, bookValid: this.sync?.valid ?? false, available: this.available, detail: this.detail };
  }

  /**
   * After a 429 nothing is sent until the time the venue gave in Retry-After (else a back-off that
   * doubles from 1 s to 30 s): until then `backing_off`, so no entry opens whose Backpack leg would
   * be refused here; `ready` afterwards.
   */
  readiness(): ExecutionReadiness {
    const until = this.rest.backoffUntil;
    const left = until - this.clock.monoMs();
    if (left > 0) return { state: 'backing_off', until, detail: `Backpack answered 429 (rate limited); nothing is sent for another ${Math.ceil(left)} ms` };
    return READY;
  }

  readyForOrder(): boolean {
    return this.readiness().state === 'ready';
  }

  /** Milliseconds since the latest applied book frame (Infinity before the first). */
  bookAgeMs(now = this.clock.monoMs()): number {
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
    const markets = await this.rest.get<unknown>('/api/v1/markets');
    if (!Array.isArray(markets)) throw new VenueError('backpack', 'protocol', 'Backpack /api/v1/markets did not return an array');
    const found = markets.find((m) => (m as MarketJson).symbol === this.symbol) as MarketJson | undefined;
    if (found === undefined) {
      throw new VenueError(
        'backpack',
        'bad_order',
        `Backpack has no market ${this.symbol}; check --ticker (perps listed: ${markets
          .map((m) => (m as MarketJson).symbol)
          .filter((s) => typeof s === 'string' && s.endsWith('_PERP'))
          .slice(0, 12)
          .join(', ')})`,
      );
    }
    if (found.orderBookState !== undefined && found.orderBookState !== 'Open') {
      this.options.logger.warn(`Backpack ${this.symbol} order book is ${String(found.orderBookState)}, not Open; orders may be refused`);
    }
    let fees = { takerFeeBps: this.options.takerFeeBps ?? 5, makerFeeBps: this.options.makerFeeBps ?? 2 };
    if (this.signer !== undefined) {
      // Also proves the keys work before any order is at stake.
      const account = await this.rest.signed<{ futuresTakerFee?: unknown; futuresMakerFee?: unknown }>('GET', '/api/v1/account', 'accountQuery');
      const taker = Number(account?.futuresTakerFee);
      const maker = Number(account?.futuresMakerFee);
      if (Number.isFinite(taker) && Number.isFinite(maker)) fees = { takerFeeBps: this.options.takerFeeBps ?? taker, makerFeeBps: this.options.makerFeeBps ?? maker };
    }
    this.spec = parseMarket(found, fees);
    this.bands = parsePriceBands(found.filters?.price, this.symbol, this.spec.priceScale);
    if (this.signer !== undefined) this.rest.openOrderLine();
    this.sync = new BookSync(this.book, this.spec.priceScale, this.spec.sizeScale);
    const sync = this.sync;
    this.tickerCheck = new TickerCheck(
      this.options.tickerGraceMs ?? 500,
      () => ({ valid: sync.valid, lastUpdateId: sync.lastUpdateId, epoch: sync.snapshotEpoch, bestBid: this.book.bestBid, bestAsk: this.book.bestAsk }),
      (d) => this.onTickerDisagreement(d),
      () => this.clock.monoMs(),
    );
    this.stream = new BackpackStream(
      {
        wsUrl: this.options.wsUrl,
        logger: this.options.logger,
        signer: this.signer,
        windowMs: this.options.windowMs,
        wallMs: () => this.clock.wallMs(),
        pingIntervalMs: this.options.pingIntervalMs,
        deadAfterMs: this.options.deadAfterMs,
        reconnectBaseMs: this.options.reconnectBaseMs,
        reconnectMaxMs: this.options.reconnectMaxMs,
        onRaw: this.options.recorder === undefined ? undefined : (text, at) => this.options.recorder!.frame('backpack', text, at),
      },
      {
        onFrame: (stream, data, at) => this.handleFrame(stream, data, at),
        onOpen: () => {
          // Nothing is replayed after a reconnect: rebuild from a fresh snapshot.
          this.sync?.reset();
          this.requestSnapshot();
          this.emitStatus();
        },
        onClose: (why) => {
          this.sync?.reset();
          this.detail = `Backpack WS ${why}`;
          this.emitStatus();
        },
      },
    );
    const streams = [`depth.${this.symbol}`, `bookTicker.${this.symbol}`, `markPrice.${this.symbol}`];
    if (this.signer !== undefined) streams.push(`account.orderUpdate.${this.symbol}`, `account.positionUpdate.${this.symbol}`);
    this.stream.subscribe(streams);
    this.stream.start();
    return this.spec;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.snapshotTimer);
    this.tickerCheck?.stop();
    await this.stream?.stop();
    this.rest.close();
  }

  private emitStatus(): void {
    const s = this.status();
    for (const l of this.statusListeners) l('backpack', s);
  }

  private emitBook(receivedAt: number): void {
    this.lastBookAt = receivedAt;
    emitBookEvent(this.bookListeners, 'backpack', this.book, receivedAt);
  }

  private handleFrame(stream: string, data: unknown, receivedAt: number): void {
    try {
      if (stream === `depth.${this.symbol}`) this.handleDepth(data, receivedAt);
      else if (stream === `bookTicker.${this.symbol}`) this.handleTicker(data, receivedAt);
      else if (stream === `markPrice.${this.symbol}`) this.handleMark(data, receivedAt);
      else if (stream.startsWith('account.positionUpdate')) this.handlePosition(data);
      else if (stream.startsWith('account.orderUpdate')) this.handleOrderUpdate(data);
    } catch (e) {
      this.warnings.warn(stream, `Backpack ${stream} frame refused: ${(e as Error).message}`);
      // A depth frame we could not apply leaves the book unknown: rebuild it.
      if (stream.startsWith('depth.')) this.resyncBook();
    }
  }

  private resyncBook(): void {
    this.sync?.reset();
    this.requestSnapshot();
    this.emitStatus();
  }

  private handleDepth(data: unknown, receivedAt: number): void {
    const sync = this.sync!;
    const event = readDepthEvent(data);
    if (!event.ok) {
      // A depth frame we cannot read leaves the book unknown: rebuild it.
      this.warnings.warn('depth', `Backpack depth.${this.symbol} frame refused: ${event.why}; resyncing the book`);
      this.resyncBook();
      return;
    }
    const wasValid = sync.valid;
    const outcome = sync.onEvent(event.value);
    if (outcome.action === 'apply') {
      this.emitBook(receivedAt);
      this.tickerCheck?.onBook(receivedAt);
    } else if (outcome.action === 'gap_resync' || outcome.action === 'crossed_resync') {
      this.options.logger.warn(
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
    const t = readBookTicker(data);
    if (!t.ok) return void this.warnings.warn('bookTicker', `Backpack bookTicker.${this.symbol} frame refused: ${t.why}`);
    const d = t.value;
    const bid = d.bid !== undefined ? parseFixed(d.bid, this.market.priceScale) : this.tickerBestBid;
    const ask = d.ask !== undefined ? parseFixed(d.ask, this.market.priceScale) : this.tickerBestAsk;
    this.tickerCheck?.onTicker(bid, ask, d.u, receivedAt);
  }

  /** markPrice.<symbol> `p` (spec §8; OpenAPI `Streams` › Mark price): a reference for the mean-mark price band. */
  private handleMark(data: unknown, receivedAt: number): void {
    const m = readMarkPrice(data);
    if (!m.ok) return void this.warnings.warn('markPrice', `Backpack markPrice.${this.symbol} frame refused: ${m.why}`);
    const p = m.value.p;
    const scale = this.market.priceScale;
    this.mark = { text: p, down: parseFixed(p, scale, 'down'), up: parseFixed(p, scale, 'up'), at: receivedAt };
  }

  /** The latest mark price the venue streamed, as sent (undefined before the first). */
  get markPrice(): string | undefined {
    return this.mark?.text;
  }

  private onTickerDisagreement(d: TickerDisagreement): void {
    if (this.stopped) return;
    const spec = this.market;
    const price = (p: number | undefined) => (p === undefined ? 'none' : formatFixed(p, spec.priceScale));
    this.options.logger.warn(
      `Backpack ${this.symbol} bookTicker (bid ${price(d.tickerBid)}, ask ${price(d.tickerAsk)}, u ${d.tickerId ?? 'none'}) disagrees with our book (bid ${price(d.bookBid)}, ask ${price(d.bookAsk)}) at update ${d.bookUpdateId} for over ${this.options.tickerGraceMs ?? 500} ms with no match meanwhile; book invalid, resyncing`,
    );
    this.sync!.reset();
    this.requestSnapshot();
    this.emitStatus();
  }

  /** Keeps the cumulative fill and fee per clientId: a confirmation path besides the HTTP reply. */
  private handleOrderUpdate(data: unknown): void {
    const read = readOrderUpdate(data);
    if (!read.ok) return void this.warnings.warn('orderUpdate', `Backpack account.orderUpdate frame refused: ${read.why}`);
    const u = read.value;
    if (u === null) return; // not an order of ours
    const clientId = u.clientId;
    const entry = this.streamed.get(clientId) ?? { executed: 0, executedQuote: 0, fee: 0, trades: new Set<string>(), traded: 0, status: '', totalsSeen: false };
    const spec = this.market;
    if (u.executed !== undefined) entry.executed = parseFixed(u.executed, spec.sizeScale);
    if (u.executedQuote !== undefined) entry.executedQuote = parseFixed(u.executedQuote, spec.priceScale + spec.sizeScale, 'nearest');
    if (u.status !== undefined) entry.status = u.status;
    entry.totalsSeen = u.executed !== undefined && u.executedQuote !== undefined;
    if (u.orderId !== undefined) entry.orderId = u.orderId;
    // A fill's fee counts once, however often the event is delivered (spec §6.5: dedupe by t).
    const fill = u.fill;
    if (fill !== undefined && !entry.trades.has(fill.tradeId)) {
      entry.trades.add(fill.tradeId);
      entry.fee += fill.fee;
      if (fill.size !== undefined) entry.traded += parseFixed(fill.size, spec.sizeScale);
      if (fill.feeSymbol !== undefined && fill.feeSymbol !== 'USDC')
        this.options.logger.warn(`Backpack fill ${fill.tradeId} of clientId ${clientId} charged its fee in ${fill.feeSymbol}, not USDC; the reported fee adds it as if quote`);
    }
    this.streamed.set(clientId, entry);
    if (this.streamed.size > 1000) this.streamed.delete(this.streamed.keys().next().value as string);
    for (const waiter of this.streamWaiters) waiter();
  }

  private readonly streamWaiters = new Set<() => void>();

  /** The stream's fee for an order once its distinct fills add up to `executed`, waiting up to `ms` for them. */
  private async streamedFee(clientId: string, executed: number, ms: number): Promise<number | undefined> {
    const ready = () => {
      const e = this.streamed.get(clientId);
      return e !== undefined && e.traded >= executed && e.trades.size > 0 ? e.fee : undefined;
    };
    const now = ready();
    if (now !== undefined || executed === 0) return now ?? 0;
    return new Promise((resolve) => {
      const done = (fee: number | undefined) => {
        clearTimeout(timer);
        this.streamWaiters.delete(check);
        resolve(fee);
      };
      const check = () => {
        const fee = ready();
        if (fee !== undefined) done(fee);
      };
      const timer = setTimeout(() => done(undefined), ms);
      this.streamWaiters.add(check);
    });
  }

  /**
   * Resolves once the order stream shows the order finished with every fill seen, so a leg can be
   * settled from the stream when its HTTP reply is slow or lost. `cancel` stops waiting.
   */
  private streamSettled(clientId: string): { promise: Promise<StreamedOrder>; cancel: () => void } {
    let cancel = () => {};
    const promise = new Promise<StreamedOrder>((resolve) => {
      const check = () => {
        const e = this.streamed.get(clientId);
        if (e !== undefined && TERMINAL.has(e.status) && e.totalsSeen && e.traded >= e.executed) {
          this.streamWaiters.delete(check);
          resolve(e);
        }
      };
      cancel = () => this.streamWaiters.delete(check);
      this.streamWaiters.add(check);
      check();
    });
    return { promise, cancel };
  }

  /** A leg from what the order stream reported; its fee is the venue's own. */
  private legFromStream(leg: LegResult, seen: StreamedOrder): LegResult {
    const spec = this.market;
    return this.legFromOrder(
      leg,
      {
        id: seen.orderId,
        status: seen.status,
        executedQuantity: formatFixed(seen.executed, spec.sizeScale),
        executedQuoteQuantity: formatFixed(seen.executedQuote, spec.priceScale + spec.sizeScale),
      },
      seen.fee,
    );
  }

  private handlePosition(data: unknown): void {
    const read = readPositionUpdate(data);
    if (!read.ok) return void this.warnings.warn('positionUpdate', `Backpack account.positionUpdate frame refused: ${read.why}`);
    for (const p of read.value) if (p.symbol === this.symbol) this.streamedPosition = parseFixed(p.quantity, this.market.sizeScale);
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
    this.snapshotInFlight = true;
    this.rest
      .get<unknown>('/api/v1/depth', { limit: 1000, symbol: this.symbol })
      .then((body) => {
        this.snapshotInFlight = false;
        if (this.stopped) return;
        this.options.recorder?.snapshot('backpack', JSON.stringify(body), this.clock.monoMs());
        const snapshot = readDepthSnapshot(body);
        if (!snapshot.ok) throw new VenueError('backpack', 'protocol', `Backpack depth snapshot refused: ${snapshot.why}`);
        const out = sync.onSnapshot(snapshot.value, epoch);
        if (out.action === 'load_snapshot') {
          this.available = true;
          this.detail = undefined;
          this.emitStatus();
          const at = this.clock.monoMs();
          this.emitBook(at);
          this.tickerCheck?.onBook(at);
        } else {
          this.requestSnapshot(this.options.snapshotRetryMs ?? 200);
        }
      })
      .catch((e: unknown) => {
        this.snapshotInFlight = false;
        if (this.stopped) return;
        const err = e as VenueError;
        this.detail = `Backpack depth snapshot failed: ${err.message}`;
        this.options.logger.warn(this.detail);
        this.requestSnapshot(err.retryAfterMs ?? 1000);
      });
  }

  private takeClientId(): number {
    const id = this.nextClientId;
    this.nextClientId = (this.nextClientId + 1) >>> 0;
    return id;
  }

  /**
   * The order for a market leg, signed: an IOC limit at worstPrice, the documented way to bound a
   * taker order (spec §8), while the market order's slippageTolerance has no documented meaning
   * (spec §10 Q10). The price is worstPrice clamped into the market's price bands (price-bands.ts).
   * A VenueError when the request is off the grid.
   */
  private signOrder(request: MarketOrderRequest): SignedOrder | VenueError {
    const spec = this.market;
    try {
      if (!Number.isSafeInteger(request.size) || request.size < spec.minSize || request.size % spec.stepSize !== 0) {
        throw new VenueError(
          'backpack',
          'bad_order',
          `Backpack order size ${request.size} is off the grid (step ${spec.stepSize}, min ${spec.minSize} at ${spec.sizeScale} decimals)`,
        );
      }
      if (!Number.isSafeInteger(request.worstPrice) || request.worstPrice <= 0 || request.worstPrice % spec.tickSize !== 0) {
        throw new VenueError('backpack', 'bad_order', `Backpack worst price ${request.worstPrice} is off the tick grid (${spec.tickSize} at ${spec.priceScale} decimals)`);
      }
      // Inside the venue's price bands, or it refuses the order as an invalid price.
      const live = this.sync?.valid === true;
      // The venue sends a mark about once a second; one older than 10 s says nothing about the band now.
      const mark = this.mark !== undefined && this.clock.monoMs() - this.mark.at <= 10_000 ? (request.side === 'buy' ? this.mark.down : this.mark.up) : undefined;
      const refs = { bestBid: live ? this.book.bestBid : undefined, bestAsk: live ? this.book.bestAsk : undefined, markPrice: mark };
      const worstPrice = this.bands === undefined ? request.worstPrice : clampIntoBands(request.side, request.worstPrice, this.bands, spec.tickSize, refs);
      const best = request.side === 'buy' ? refs.bestAsk : refs.bestBid;
      if (best !== undefined && worstPrice !== request.worstPrice && (request.side === 'buy' ? worstPrice < best : worstPrice > best)) {
        this.options.logger.warn(
          `Backpack ${this.symbol} price bands cap this ${request.side} at ${formatFixed(worstPrice, spec.priceScale)}, ${request.side === 'buy' ? 'below the best ask' : 'above the best bid'} ${formatFixed(best, spec.priceScale)}${mark === undefined ? '' : ` (mark ${formatFixed(mark, spec.priceScale)})`}: it cannot fill until the venue's mark and book come back together`,
        );
      }
      const clientId = this.takeClientId();
      const body: Record<string, string | number | boolean> = {
        symbol: this.symbol,
        side: sideOf(request.side),
        orderType: 'Limit',
        timeInForce: 'IOC',
        price: formatFixed(worstPrice, spec.priceScale),
        quantity: formatFixed(request.size, spec.sizeScale),
        clientId,
      };
      if (request.reduceOnly === true) body.reduceOnly = true;
      return { clientId, request: this.rest.prepare('POST', '/api/v1/order', 'orderExecute', body) };
    } catch (e) {
      return asVenueError(e);
    }
  }

  /**
   * Signs this order now so that placeMarketOrder of an equal request only writes it. Kept per side
   * while fresh; a price or size that moved signs it again.
   */
  prepareMarketOrder(request: MarketOrderRequest): void {
    if (this.signer === undefined || this.spec === undefined) return;
    if (this.prepared.holds(request)) return;
    const signed = this.signOrder(request);
    this.prepared.put(request, signed instanceof VenueError ? undefined : signed);
  }

  async placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    // An order signed ahead is used once, if it is this very order and still fresh.
    const order = this.prepared.take(request) ?? this.signOrder(request);
    const leg: LegResult = {
      venue: 'backpack',
      state: 'unknown',
      side: request.side,
      requested: request.size,
      filled: 0,
      notional: 0,
      fee: 0,
      clientOrderId: order instanceof VenueError ? '' : String(order.clientId),
      sentAt: this.clock.monoMs(),
    };
    if (order instanceof VenueError) return { ...leg, state: 'rejected', confirmedAt: this.clock.monoMs(), error: order };
    const clientId = order.clientId;
    // sentAt is when the request has been handed to the OS: at once on the order connection, a tick later through the agent.
    const reply = this.rest.send<OrderJson>(order.request, { timeoutMs: this.options.orderTimeoutMs ?? 3000, onWritten: () => (leg.sentAt = this.clock.monoMs()), urgent: true });
    // The order stream is a second confirmation path: whichever of it and the reply settles first wins.
    const stream = this.signer === undefined ? undefined : this.streamSettled(String(clientId));
    try {
      const first = await (stream === undefined
        ? reply.then((order) => ({ order }))
        : Promise.race([reply.then((order) => ({ order })), stream.promise.then((seen) => ({ seen }))]));
      if ('seen' in first) {
        // A lost reply is still worth a warning: it says something about the connection.
        reply.catch((e: unknown) =>
          this.options.logger.warn(`Backpack order clientId ${clientId}: ${asVenueError(e).message} — already settled from the order stream, so not looking it up`),
        );
        const fromStream = this.legFromStream(leg, first.seen);
        if (fromStream.state !== 'unknown') return fromStream;
        return this.withRealFee(this.legFromOrder(leg, await reply));
      }
      return this.withRealFee(this.legFromOrder(leg, first.order));
    } catch (e) {
      const err = asVenueError(e);
      // A 5xx or a lost answer may hide an execution (spec §5): reconcile. A connection that never
      // carried the whole request cannot have executed.
      if (err.kind === 'timeout' || (err.kind === 'unavailable' && err.code !== undefined)) {
        this.options.logger.warn(`Backpack order clientId ${clientId}: ${err.message}; looking it up`);
        return this.resolveOrder({ ...leg, error: err });
      }
      this.options.logger.warn(`Backpack order clientId ${clientId} rejected: ${err.message}`);
      return { ...leg, state: 'rejected', confirmedAt: this.clock.monoMs(), error: err };
    } finally {
      stream?.cancel();
    }
  }

  private legFromOrder(leg: LegResult, order: OrderJson, fee?: number): LegResult {
    const spec = this.market;
    if (typeof order?.executedQuantity !== 'string' || typeof order.executedQuoteQuantity !== 'string' || typeof order.status !== 'string') {
      const err = new VenueError('backpack', 'protocol', `Backpack order reply lacks executedQuantity/executedQuoteQuantity/status: ${JSON.stringify(order).slice(0, 200)}`);
      this.options.logger.error(err.message);
      return { ...leg, state: 'unknown', error: err };
    }
    const filled = parseFixed(order.executedQuantity, spec.sizeScale);
    const notional = parseFixed(order.executedQuoteQuantity, spec.priceScale + spec.sizeScale);
    const venueOrderId = typeof order.id === 'string' ? order.id : undefined;
    // The reply carries no fee; until fills are read it is the taker rate on the notional (reporting only).
    const base: LegResult = {
      ...leg,
      filled,
      notional,
      fee: fee ?? (notional / 10 ** (spec.priceScale + spec.sizeScale)) * (spec.takerFeeBps / 10_000),
      venueOrderId,
      confirmedAt: this.clock.monoMs(),
      error: undefined,
    };
    if (fee === undefined && filled > 0) base.feeEstimated = true;
    else delete base.feeEstimated;
    if (filled >= leg.requested) return { ...base, state: 'filled' };
    if (filled > 0) return { ...base, state: 'partial' };
    if (TERMINAL.has(order.status)) {
      return {
        ...base,
        state: 'rejected',
        error: new VenueError(
          'backpack',
          'rejected',
          `Backpack order ${venueOrderId ?? leg.clientOrderId} ended ${order.status} with nothing executed (no liquidity inside the worst price?)`,
        ),
      };
    }
    // Still New/PartiallyFilled with nothing filled: not final.
    return { ...leg, venueOrderId, state: 'unknown', error: new VenueError('backpack', 'timeout', `Backpack order ${venueOrderId ?? leg.clientOrderId} is still ${order.status}`) };
  }

  /**
   * The reply carries no fee (spec §4.1): take it from the order stream's fills, which normally
   * arrive with the reply, else from the fills history; only if both fail is it the taker-rate estimate.
   */
  private async withRealFee(leg: LegResult): Promise<LegResult> {
    if (leg.filled === 0 || this.signer === undefined) return leg;
    const fee =
      (await this.streamedFee(leg.clientOrderId, leg.filled, 100)) ??
      (leg.venueOrderId === undefined ? undefined : await this.feeOf(leg.venueOrderId, leg.clientOrderId, leg.filled));
    if (fee === undefined) {
      this.options.logger.debug(`Backpack order ${leg.clientOrderId}: fee not confirmed by stream or history; reporting the taker-rate estimate`);
      return leg;
    }
    const real: LegResult = { ...leg, fee };
    delete real.feeEstimated;
    return real;
  }

  /** Looks the order up by clientId: open orders first, then order history, with fees from fills. */
  async resolveOrder(leg: LegResult): Promise<LegResult> {
    if (leg.state !== 'unknown') return leg;
    const seen = this.streamed.get(leg.clientOrderId);
    if (seen !== undefined && TERMINAL.has(seen.status) && seen.totalsSeen && seen.traded >= seen.executed) {
      // The order stream saw it finish: that settles it without a REST round trip.
      const fromStream = this.legFromStream(leg, seen);
      if (fromStream.state !== 'unknown') return fromStream;
    }
    const clientId = Number(leg.clientOrderId);
    try {
      let order: OrderJson | undefined;
      try {
        order = await this.rest.signed<OrderJson>('GET', '/api/v1/order', 'orderQuery', { clientId, symbol: this.symbol });
      } catch (e) {
        if (!(e instanceof VenueError) || (e.code !== 'RESOURCE_NOT_FOUND' && e.code !== 404)) throw e;
      }
      if (order === undefined || !TERMINAL.has(String(order.status))) {
        const history = await this.rest.signed<unknown>('GET', '/wapi/v1/history/orders', 'orderHistoryQueryAll', { limit: 100, sortDirection: 'Desc', symbol: this.symbol });
        const hit = Array.isArray(history) ? (history as OrderJson[]).find((o) => String(o?.clientId) === leg.clientOrderId) : undefined;
        if (hit !== undefined) order = hit;
      }
      if (order === undefined) {
        return {
          ...leg,
          state: 'unknown',
          error: new VenueError('backpack', 'timeout', `Backpack order clientId ${clientId} not found in open orders or history yet; outcome unknown`),
        };
      }
      const spec = this.market;
      const executed = typeof order.executedQuantity === 'string' ? parseFixed(order.executedQuantity, spec.sizeScale) : 0;
      const fee = executed === 0 ? 0 : await this.feeOf(String(order.id), leg.clientOrderId, executed);
      return this.legFromOrder(leg, order, fee);
    } catch (e) {
      const err = asVenueError(e);
      this.options.logger.warn(`Backpack lookup of clientId ${clientId} failed: ${err.message}`);
      return { ...leg, state: 'unknown', error: err };
    }
  }

  /** Σ fee of the order's fills from history, or undefined until the history holds all of `executed`. */
  private async feeOf(orderId: string, clientId: string, executed: number): Promise<number | undefined> {
    try {
      const fills = await this.rest.signed<unknown>('GET', '/wapi/v1/history/fills', 'fillHistoryQueryAll', { orderId, symbol: this.symbol });
      if (!Array.isArray(fills)) return undefined;
      let fee = 0;
      let traded = 0;
      for (const f of fills as FillJson[]) {
        if (String(f.orderId) !== orderId && String(f.clientId) !== clientId) continue;
        if (typeof f.quantity !== 'string' || (typeof f.fee !== 'string' && typeof f.fee !== 'number')) return undefined;
        traded += parseFixed(f.quantity, this.market.sizeScale);
        fee += Number(f.fee);
      }
      // History lags the engine: a partial list would understate the fee as if it were final.
      return traded >= executed ? fee : undefined;
    } catch (e) {
      this.options.logger.debug(`Backpack fills of order ${orderId}: ${(e as Error).message}`);
      return undefined;
    }
  }

  async fetchPosition(): Promise<number> {
    const rows = await this.rest.signed<unknown>('GET', '/api/v1/position', 'positionQuery', { symbol: this.symbol });
    if (!Array.isArray(rows)) throw new VenueError('backpack', 'protocol', 'Backpack /api/v1/position did not return an array');
    const row = (rows as { symbol?: unknown; netQuantity?: unknown }[]).find((r) => r.symbol === this.symbol);
    if (row === undefined) return 0; // flat markets are not listed
    if (typeof row.netQuantity !== 'string') throw new VenueError('backpack', 'protocol', `Backpack position for ${this.symbol} lacks netQuantity`);
    return parseFixed(row.netQuantity, this.market.sizeScale);
  }

  /** Free margin (netEquityAvailable) in quote units, for reporting. */
  async fetchCollateral(): Promise<{ netEquity: string; netEquityAvailable: string }> {
    const c = await this.rest.signed<{ netEquity?: unknown; netEquityAvailable?: unknown }>('GET', '/api/v1/capital/collateral', 'collateralQuery');
    if (typeof c?.netEquity !== 'string' || typeof c.netEquityAvailable !== 'string')
      throw new VenueError('backpack', 'protocol', 'Backpack collateral reply lacks netEquity/netEquityAvailable');
    return { netEquity: c.netEquity, netEquityAvailable: c.netEquityAvailable };
  }

  /** Mark price (priceScale, rounded to nearest) and the current funding rate as a decimal string. */
  async fetchMarkAndFunding(): Promise<{ markPrice: number; fundingRate: string; nextFundingTimestamp: number }> {
    const rows = await this.rest.get<unknown>('/api/v1/markPrices', { symbol: this.symbol });
    const row = Array.isArray(rows)
      ? (rows as { symbol?: unknown; markPrice?: unknown; fundingRate?: unknown; nextFundingTimestamp?: unknown }[]).find((r) => r.symbol === this.symbol)
      : undefined;
    if (row === undefined || typeof row.markPrice !== 'string' || typeof row.fundingRate !== 'string')
      throw new VenueError('backpack', 'protocol', `Backpack markPrices lacks ${this.symbol}`);
    return { markPrice: parseFixed(row.markPrice, this.market.priceScale, 'nearest'), fundingRate: row.fundingRate, nextFundingTimestamp: Number(row.nextFundingTimestamp) };
  }

  /** Limit order (GTC / IOC / post-only / reduce-only); resolves with the venue's order object. */
  placeLimitOrder(o: {
    side: OrderSide;
    price: number;
    size: number;
    timeInForce?: 'GTC' | 'IOC' | 'FOK';
    postOnly?: boolean;
    reduceOnly?: boolean;
    clientId?: number;
  }): Promise<unknown> {
    const spec = this.market;
    const body: Record<string, string | number | boolean> = {
      symbol: this.symbol,
      side: sideOf(o.side),
      orderType: 'Limit',
      price: formatFixed(o.price, spec.priceScale),
      quantity: formatFixed(o.size, spec.sizeScale),
      timeInForce: o.timeInForce ?? 'GTC',
      clientId: o.clientId ?? this.takeClientId(),
    };
    if (o.postOnly === true) body.postOnly = true;
    if (o.reduceOnly === true) body.reduceOnly = true;
    return this.rest.signed('POST', '/api/v1/order', 'orderExecute', body, { timeoutMs: this.options.orderTimeoutMs ?? 3000 });
  }

  cancelOrder(ref: { orderId?: string; clientId?: number }): Promise<unknown> {
    return this.rest.signed('DELETE', '/api/v1/order', 'orderCancel', { ...ref, symbol: this.symbol });
  }

  openOrders(): Promise<unknown> {
    return this.rest.signed('GET', '/api/v1/orders', 'orderQueryAll', { symbol: this.symbol });
  }
}

function sideOf(side: OrderSide): 'Bid' | 'Ask' {
  return side === 'buy' ? 'Bid' : 'Ask';
}

function asVenueError(e: unknown): VenueError {
  if (e instanceof VenueError) return e;
  return new VenueError('backpack', 'protocol', `Backpack: ${(e as Error)?.message ?? String(e)}`);
}
