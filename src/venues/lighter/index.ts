// The live Lighter venue behind the port of venue.ts: market metadata, a book kept by its nonce
// chain, market orders signed by our signer and sent over the WebSocket (REST as the fallback),
// with nonces handed out locally, and outcomes taken from the account order stream — or, when
// it stays silent, from the order history by client order index.

import { formatFixed, parseFixed, parseUnits } from '../../core/fixed.js';
import type { Logger } from '../../core/log.js';
import { OrderBook } from '../../core/orderbook.js';
import type { Secret } from '../../core/secret.js';
import type { MarketSpec } from '../../core/types.js';
import { SignedAhead } from '../signed-ahead.js';
import { VenueError, emitBookEvent, type BookListener, type LegResult, type MarketOrderRequest, type StatusListener, type Venue, type VenueStatus } from '../venue.js';
import {
  LighterConfigError, apiKeyMismatch, assumeLighterFees, checkChainId, fetchAccountTier, fetchRegisteredApiKey, fetchVenueInfo, marketIdProblem, minQuoteProblem,
  type ChainIdCheck, type LighterAccountTier, type LighterFeeAssumption,
} from './account.js';
import { LighterBookSync } from './book-sync.js';
import { lighterError } from './errors.js';
import { LighterRest } from './rest.js';
import { LighterSigner, TX_TYPE, type SignedTx } from './signer/index.js';
import { LighterStream } from './ws.js';
import type { FrameRecorder } from '../../record/writer.js';

export { LighterBookSync } from './book-sync.js';
export { lighterErrorKind } from './errors.js';
export { LighterConfigError } from './account.js';

export interface LighterVenueOptions {
  /** Upper-case base asset; the perp market with this symbol. */
  ticker: string;
  /** REST base without /api/v1 (LIGHTER_API_URL). */
  apiUrl: string;
  /** WebSocket URL including /stream (LIGHTER_WS_URL). */
  wsUrl: string;
  /** Signed into every transaction: 304 mainnet, 300 testnet (LIGHTER_CHAIN_ID). */
  chainId: number;
  /** Without these three the venue is market-data only (paper mode). */
  privateKey?: Secret;
  accountIndex?: number;
  apiKeyIndex?: number;
  logger: Logger;
  /** Fee overrides in bps; otherwise the fees of the account's tier (Standard when unknown). */
  takerFeeBps?: number;
  makerFeeBps?: number;
  /** Order size per leg as typed (--size): its value is checked against the market's minimum order value. */
  orderSize?: string;
  /** --slippage-bps: a sell goes out at the book price less this, which is where the minimum order value binds. */
  slippageBps?: number;
  /** A resubscribe that brings no fresh snapshot (or no answer) within this long reconnects the socket (default 5000 ms). */
  resyncTimeoutMs?: number;
  /** How often the account streams' auth token is checked for renewal (default 30 000 ms). */
  authCheckIntervalMs?: number;
  /** How long an order may stay unconfirmed by the streams before history is asked (default 3000 ms). */
  orderTimeoutMs?: number;
  /** How long a transaction signed ahead by prepareMarketOrder may still be sent (default 1000 ms). */
  preparedOrderMaxAgeMs?: number;
  requestTimeoutMs?: number;
  /** Auth token lifetime; it is renewed when less than a sixth of it is left (default 3600 s). */
  authTokenTtlSec?: number;
  /** sendTx budget per minute (standard account: 60). */
  txPerMinute?: number;
  pingIntervalMs?: number;
  deadAfterMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /** Clock for client order indices and tokens (tests pin it). */
  now?: () => number;
  /** Receives every WebSocket frame as it arrives (--record); nothing when absent. */
  recorder?: FrameRecorder;
}

/** Client order indices are (ms since 2025) · 1024 + a counter: unique across restarts, < 2^48 until 2033. */
const CLIENT_INDEX_EPOCH = Date.UTC(2025, 0, 1);
const MAX_CLIENT_INDEX = 2 ** 48 - 1;
/** Signatures whose k·G is computed ahead, in idle time (≈ 0.07 ms each off the order path). */
const PRECOMPUTED_SIGNATURES = 8;
/** ExpiredAt = now + 10 min − 1 s, as every SDK fills it (spec §3). */
const TX_EXPIRY_MS = 599_000;

/**
 * The leading fields of an order, fixed before it is signed: the orders signed ahead for a nonce and
 * the one finally sent share them, and with them the first block of their hash.
 */
interface Ticket {
  nonce: number;
  clientOrderIndex: number;
  expiredAt: number;
}

/** A create-order transaction signed ahead for the then next nonce (see prepareMarketOrder). */
interface SignedOrder extends Ticket {
  tx: SignedTx;
}

interface PendingOrder {
  leg: LegResult;
  clientOrderIndex: number;
  expiredAt: number;
  request: MarketOrderRequest;
  retriedNonce: boolean;
  finish: (leg: LegResult) => void;
  timer?: NodeJS.Timeout;
}

/** What start-up learned and assumed about the venue and the account (the preflight prints it). */
export interface LighterSetup {
  chain?: ChainIdCheck;
  tier?: LighterAccountTier;
  fees: LighterFeeAssumption;
  /** The market's min_quote_amount (USDC, as published). */
  minQuoteAmount?: string;
}

interface OrderJson {
  client_order_index?: unknown;
  order_index?: unknown;
  market_index?: unknown;
  status?: unknown;
  filled_base_amount?: unknown;
  filled_quote_amount?: unknown;
}

function isTerminal(status: unknown): boolean {
  return typeof status === 'string' && (status === 'filled' || status.startsWith('canceled'));
}

export class LighterVenue implements Venue {
  readonly id = 'lighter' as const;
  readonly book = new OrderBook();
  lastBookAt = 0;
  private spec?: MarketSpec;
  private sync?: LighterBookSync;
  private stream?: LighterStream;
  readonly rest: LighterRest;
  private readonly signer?: LighterSigner;
  private readonly bookListeners: BookListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private readonly pending = new Map<number, PendingOrder>();
  private nextNonce = -1;
  /** Transactions signed ahead, one per side; valid only while their nonce is still the next one. */
  private readonly prepared: SignedAhead<SignedOrder>;
  /** The ticket for the next nonce, renewed once that nonce is used or the ticket is old. */
  private ticket?: Ticket & { issuedAt: number };
  private readonly preparedMaxAgeMs: number;
  private nonceRefresh?: Promise<void>;
  private lastClientIndex = 0;
  private token?: { text: string; deadline: number };
  private txTokens: number;
  private txRefillAt: number;
  private available = true;
  private detail?: string;
  /** Latest signed position from account_all_positions (sizeScale). */
  streamedPosition?: number;
  /** Set by start(). */
  setup?: LighterSetup;
  /** Deadline (Unix s) of the token the account channels were last subscribed with. */
  private streamTokenDeadline?: number;
  private authTimer?: NodeJS.Timeout;
  private readonly resyncWatch: { book?: NodeJS.Timeout; account?: NodeJS.Timeout } = {};

  constructor(private readonly options: LighterVenueOptions) {
    this.rest = new LighterRest({ apiUrl: options.apiUrl, logger: options.logger, timeoutMs: options.requestTimeoutMs });
    const { privateKey, accountIndex, apiKeyIndex } = options;
    if (privateKey !== undefined && accountIndex !== undefined && apiKeyIndex !== undefined) {
      this.signer = new LighterSigner({ privateKey, chainId: options.chainId, accountIndex, apiKeyIndex, nowMs: options.now });
    }
    this.txTokens = options.txPerMinute ?? 60;
    this.txRefillAt = this.now();
    this.preparedMaxAgeMs = options.preparedOrderMaxAgeMs ?? 1000;
    this.prepared = new SignedAhead(this.preparedMaxAgeMs, (signed) => signed.nonce === this.nextNonce);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  get market(): MarketSpec {
    if (this.spec === undefined) throw new Error('Lighter venue not started');
    return this.spec;
  }

  status(): VenueStatus {
    return { connected: this.stream?.connected ?? false, bookValid: this.sync?.valid ?? false, available: this.available, detail: this.detail };
  }

  onBook(listener: BookListener): void {
    this.bookListeners.push(listener);
  }
  onStatus(listener: StatusListener): void {
    this.statusListeners.push(listener);
  }

  async start(): Promise<MarketSpec> {
    const details = await this.rest.get<{ order_book_details?: unknown }>('orderBookDetails', {});
    const list = Array.isArray(details.order_book_details) ? (details.order_book_details as Record<string, unknown>[]) : [];
    const found = list.find((m) => m.symbol === this.options.ticker && (m.market_type === undefined || m.market_type === 'perp'));
    if (found === undefined) {
      throw new VenueError('lighter', 'bad_order', `Lighter has no perp market ${this.options.ticker}; check --ticker (listed: ${list.map((m) => String(m.symbol)).slice(0, 12).join(', ')})`);
    }
    const idProblem = marketIdProblem(String(found.symbol), Number(found.market_id));
    if (idProblem !== undefined) throw new LighterConfigError(idProblem);
    let chain: ChainIdCheck | undefined;
    let tier: LighterAccountTier = { unknownBecause: 'no account keys (market data only)' };
    if (this.signer !== undefined) {
      chain = await this.checkChain();
      await this.checkApiKey();
      tier = await fetchAccountTier(this.rest, this.signer.accountIndex, this.authToken());
    }
    const fees = assumeLighterFees(tier, this.options.takerFeeBps);
    this.options.logger.info(fees.line);
    this.spec = parseLighterMarket(found, { takerFeeBps: fees.takerBps, makerFeeBps: this.options.makerFeeBps ?? fees.makerBps });
    const minQuoteAmount = typeof found.min_quote_amount === 'string' ? found.min_quote_amount : undefined;
    this.setup = { chain, tier, fees, minQuoteAmount };
    this.checkMinQuote(found, minQuoteAmount);
    if (this.signer !== undefined) this.signer.precompute(PRECOMPUTED_SIGNATURES);
    this.sync = new LighterBookSync(this.book, this.spec.priceScale, this.spec.sizeScale);
    this.stream = new LighterStream(
      { wsUrl: this.options.wsUrl, logger: this.options.logger, pingIntervalMs: this.options.pingIntervalMs, deadAfterMs: this.options.deadAfterMs, reconnectBaseMs: this.options.reconnectBaseMs, reconnectMaxMs: this.options.reconnectMaxMs, onRaw: this.options.recorder === undefined ? undefined : (text, at) => this.options.recorder!.frame('lighter', text, at) },
      {
        onFrame: (frame, at) => this.handleFrame(frame, at),
        onOpen: () => {
          this.sync?.reset();
          this.detail = undefined;
          this.emitStatus();
          this.watchBook('no order book snapshot after subscribing');
        },
        onClose: (why) => {
          this.sync?.reset();
          this.detail = `Lighter WS ${why}`;
          this.emitStatus();
        },
      },
    );
    this.stream.subscribe(this.bookChannel());
    if (this.signer !== undefined) {
      for (const channel of this.accountChannels()) this.stream.subscribe(channel, () => this.streamToken());
      const every = this.options.authCheckIntervalMs ?? 30_000;
      this.authTimer = setInterval(() => this.renewAccountStreams(), every);
      this.authTimer.unref();
    }
    this.stream.start();
    return this.spec;
  }

  private bookChannel(): string {
    return `order_book/${this.spec?.marketId}`;
  }

  private accountChannels(): string[] {
    const account = this.signer!.accountIndex;
    return ['account_all_orders', 'account_all_trades', 'account_all_positions'].map((c) => `${c}/${account}`);
  }

  /** LIGHTER_CHAIN_ID must be the venue's, or every transaction fails as an invalid signature. */
  private async checkChain(): Promise<ChainIdCheck> {
    let reported: number | undefined;
    try {
      reported = (await fetchVenueInfo(this.rest)).reportedChainId;
    } catch (e) {
      this.options.logger.warn(`Lighter status (GET /) could not be read: ${(e as Error).message}`);
    }
    const check = checkChainId(this.options.chainId, this.options.apiUrl, reported);
    if (!check.ok) throw new LighterConfigError(check.problem);
    if (check.verifiedBy !== undefined) this.options.logger.info(`Lighter chain id ${check.chainId} (agrees with ${check.verifiedBy})`);
    else this.options.logger.warn(check.note);
    return check;
  }

  /** The registered key must be ours (spec §3), and the nonce starts where the venue says. */
  private async checkApiKey(): Promise<void> {
    const signer = this.signer!;
    const registered = await fetchRegisteredApiKey(this.rest, signer.accountIndex, signer.apiKeyIndex);
    const mismatch = apiKeyMismatch(registered, signer.publicKeyHex);
    if (mismatch !== undefined) throw new LighterConfigError(mismatch);
    await this.refreshNonce();
  }

  /**
   * --size must be worth the market's min_quote_amount. A sell goes out with the book price less
   * --slippage-bps as its price, so that is the price it is judged at (the simulator checks the
   * signed BaseAmount × Price, the harsher reading of the venue's rule).
   */
  private checkMinQuote(found: Record<string, unknown>, minQuoteAmount: string | undefined): void {
    const spec = this.spec!;
    if (this.options.orderSize === undefined || minQuoteAmount === undefined) return;
    let size: number;
    try {
      size = Number(parseUnits(this.options.orderSize, spec.sizeScale, 'down'));
    } catch {
      return; // an off-grid or unreadable size is refused with its own line elsewhere
    }
    const last = typeof found.last_trade_price === 'string' ? parseFixed(found.last_trade_price, spec.priceScale, 'down') : 0;
    if (!(last > 0)) {
      this.options.logger.warn(`Lighter ${spec.symbol} publishes no last trade price; --size ${this.options.orderSize} was not checked against the minimum order value of ${minQuoteAmount} USDC`);
      return;
    }
    const worstSell = Math.floor((last * (10_000 - (this.options.slippageBps ?? 0))) / 10_000);
    const problem = minQuoteProblem(spec, size, worstSell, minQuoteAmount);
    if (problem !== undefined) throw new LighterConfigError(problem);
  }

  private refreshNonce(): Promise<void> {
    if (this.nonceRefresh !== undefined) return this.nonceRefresh;
    const signer = this.signer!;
    this.nonceRefresh = this.rest
      .get<{ nonce?: unknown }>('nextNonce', { account_index: signer.accountIndex, api_key_index: signer.apiKeyIndex })
      .then((r) => {
        if (typeof r.nonce !== 'number') throw new VenueError('lighter', 'protocol', 'Lighter nextNonce reply lacks "nonce"');
        this.nextNonce = r.nonce;
      })
      .finally(() => {
        this.nonceRefresh = undefined;
      });
    return this.nonceRefresh;
  }

  /** The token an account channel subscribes with; its deadline is when the subscription must be renewed by. */
  private streamToken(): string {
    const token = this.authToken();
    this.streamTokenDeadline = this.token!.deadline;
    return token;
  }

  /**
   * Account channels authenticate once, at subscribe, with a token that expires (at most 8 h,
   * lighter-go README; spec §10). Before the one they were subscribed with lapses, they are
   * subscribed again with a fresh one — between orders, since their outcomes arrive on these
   * channels, unless the token is within a minute of lapsing.
   */
  private renewAccountStreams(): void {
    const stream = this.stream;
    if (stream === undefined || !stream.connected || stream.resubscribing || this.streamTokenDeadline === undefined) return;
    const ttl = this.options.authTokenTtlSec ?? 3600;
    const left = this.streamTokenDeadline - Math.floor(this.now() / 1000);
    if (left >= ttl / 6) return;
    if (this.pending.size > 0 && left > 60) return;
    this.options.logger.info(`Lighter account streams: renewing their auth token (${Math.max(0, left)} s left)`);
    for (const channel of this.accountChannels()) stream.resubscribe(channel);
    clearTimeout(this.resyncWatch.account);
    const ms = this.options.resyncTimeoutMs ?? 5000;
    this.resyncWatch.account = setTimeout(() => {
      if (this.stream?.resubscribing === true) this.stream.reconnect(`no answer to the account streams' resubscribe within ${ms} ms`);
    }, ms);
  }

  /** After a (re)subscribe of the book: no fresh snapshot within the resync timeout reconnects the socket. */
  private watchBook(what: string): void {
    clearTimeout(this.resyncWatch.book);
    const ms = this.options.resyncTimeoutMs ?? 5000;
    this.resyncWatch.book = setTimeout(() => {
      if (this.sync?.valid !== true) this.stream?.reconnect(`${what} within ${ms} ms`);
    }, ms);
  }

  /** A token valid for at least a sixth of its lifetime more; renewed locally, no round trip. */
  authToken(): string {
    const ttl = this.options.authTokenTtlSec ?? 3600;
    const nowSec = Math.floor(this.now() / 1000);
    if (this.token === undefined || this.token.deadline - nowSec < ttl / 6) {
      const deadline = nowSec + ttl;
      this.token = { text: this.signer!.createAuthToken(deadline), deadline };
    }
    return this.token.text;
  }

  async stop(): Promise<void> {
    clearInterval(this.authTimer);
    clearTimeout(this.resyncWatch.book);
    clearTimeout(this.resyncWatch.account);
    await this.stream?.stop();
    this.rest.close();
  }

  private emitStatus(): void {
    const s = this.status();
    for (const l of this.statusListeners) l('lighter', s);
  }

  private handleFrame(frame: Record<string, unknown>, receivedAt: number): void {
    const channel = typeof frame.channel === 'string' ? frame.channel : '';
    try {
      if (frame.error !== undefined) return this.handleError(frame);
      if (frame.type === 'unsubscribed') return; // the first half of a resubscribe
      if (channel.startsWith('order_book:')) return this.handleBook(frame, receivedAt);
      if (channel.startsWith('account_all_orders:')) return this.handleOrders(frame.orders);
      if (channel.startsWith('account_all_positions:')) return this.handlePositions(frame.positions);
      if (frame.type === 'jsonapi/sendtx') return; // accepted; the outcome comes from the order stream
    } catch (e) {
      this.options.logger.error(`Lighter ${channel || String(frame.type)} frame refused: ${(e as Error).message}`);
      if (channel.startsWith('order_book:')) this.resync('a book frame could not be read');
    }
  }

  private handleBook(frame: Record<string, unknown>, receivedAt: number): void {
    const sync = this.sync!;
    const wasValid = sync.valid;
    const action = sync.apply(sync.parse(frame));
    if (action === 'loaded' || action === 'applied') {
      this.available = true;
      this.lastBookAt = receivedAt;
      if (!wasValid) this.emitStatus();
      emitBookEvent(this.bookListeners, 'lighter', this.book, receivedAt);
    } else if (action === 'gap' || action === 'crossed') {
      this.resync(action === 'gap' ? 'begin_nonce does not continue the previous nonce' : 'the book crossed');
    }
  }

  private resync(why: string): void {
    this.options.logger.warn(`Lighter ${this.options.ticker} book invalid (${why}); resubscribing for a fresh snapshot`);
    this.sync?.reset();
    this.emitStatus();
    this.stream?.resubscribe(this.bookChannel());
    this.watchBook('no fresh order book snapshot after a resync');
  }

  private handleError(frame: Record<string, unknown>): void {
    const e = frame.error as { code?: unknown; message?: unknown };
    const code = Number(e?.code);
    const message = typeof e?.message === 'string' ? e.message : '';
    if (this.handleSubscriptionError(code, message)) return;
    const id = typeof frame.id === 'string' ? Number(frame.id) : undefined;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (pending !== undefined) {
      void this.onSendFailed(pending, lighterError('order', code, message));
      return;
    }
    this.options.logger.error(`Lighter WS error frame: ${code} "${message}"`);
    if (code === 503) {
      this.available = false;
      this.detail = `Lighter unavailable: ${message}`;
      this.emitStatus();
    }
  }

  /**
   * 30003 "Already Subscribed" (spec §0, §5; CCXT `pro/lighter.js handleErrorMessage`) can only
   * answer one of our resubscribes that overtook its unsubscribe: the old subscription may still
   * be streaming deltas to a book that waits for a snapshot that will never come. A new connection
   * starts every subscription afresh. It carries no id and is not an order's rejection.
   */
  private handleSubscriptionError(code: number, message: string): boolean {
    if (code !== 30003) return false;
    this.stream?.reconnect(`a resubscribe was answered 30003 "${message}"`);
    return true;
  }

  private handleOrders(orders: unknown): void {
    if (typeof orders !== 'object' || orders === null) return;
    for (const list of Object.values(orders as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      for (const o of list as OrderJson[]) {
        const pending = this.pending.get(Number(o.client_order_index));
        if (pending !== undefined && isTerminal(o.status)) this.settle(pending, this.legFromOrder(pending.leg, o));
      }
    }
  }

  private handlePositions(positions: unknown): void {
    if (typeof positions !== 'object' || positions === null || this.spec === undefined) return;
    const p = (positions as Record<string, { sign?: unknown; position?: unknown }>)[String(this.spec.marketId)];
    if (p !== undefined && typeof p.position === 'string') this.streamedPosition = (Number(p.sign) < 0 ? -1 : 1) * parseFixed(p.position, this.spec.sizeScale);
  }

  private legFromOrder(leg: LegResult, o: OrderJson): LegResult {
    const spec = this.market;
    const filled = parseFixed(String(o.filled_base_amount ?? '0'), spec.sizeScale);
    const notional = parseFixed(String(o.filled_quote_amount ?? '0'), spec.priceScale + spec.sizeScale, 'nearest');
    // Trades carry fees in undocumented units (spec §12 Q11): report the market's taker rate on the notional.
    const fee = (notional / 10 ** (spec.priceScale + spec.sizeScale)) * (spec.takerFeeBps / 10_000);
    const base = { ...leg, filled, notional, fee, venueOrderId: o.order_index === undefined ? undefined : String(o.order_index), confirmedAt: performance.now(), error: undefined };
    if (filled >= leg.requested) return { ...base, state: 'filled' };
    if (filled > 0) return { ...base, state: 'partial' };
    return { ...base, state: 'rejected', error: new VenueError('lighter', 'rejected', `Lighter order ${leg.clientOrderId} ended ${String(o.status)} with nothing filled (no liquidity inside the worst price?)`) };
  }

  private settle(pending: PendingOrder, leg: LegResult): void {
    if (this.pending.get(pending.clientOrderIndex) !== pending) return;
    this.pending.delete(pending.clientOrderIndex);
    clearTimeout(pending.timer);
    pending.finish(leg);
  }

  private takeClientIndex(): number {
    const fromClock = (this.now() - CLIENT_INDEX_EPOCH) * 1024;
    this.lastClientIndex = Math.max(this.lastClientIndex + 1, fromClock);
    if (this.lastClientIndex > MAX_CLIENT_INDEX) throw new VenueError('lighter', 'bad_order', 'client order index would exceed 2^48 − 1; the clock is wrong');
    return this.lastClientIndex;
  }

  /** Token bucket for sendTx: the standard account allows 60 per minute. */
  private refillTxTokens(): number {
    const perMinute = this.options.txPerMinute ?? 60;
    const now = this.now();
    this.txTokens = Math.min(perMinute, this.txTokens + ((now - this.txRefillAt) * perMinute) / 60_000);
    this.txRefillAt = now;
    return perMinute;
  }

  private takeTxToken(): number {
    const perMinute = this.refillTxTokens();
    if (this.txTokens < 1) return Math.ceil(((1 - this.txTokens) * 60_000) / perMinute);
    this.txTokens -= 1;
    return 0;
  }

  readyForOrder(): boolean {
    this.refillTxTokens();
    return this.signer !== undefined && this.txTokens >= 1;
  }

  /** Why this request cannot be an order on this market, if it cannot. */
  private orderProblem(request: MarketOrderRequest): VenueError | undefined {
    const spec = this.market;
    if (!Number.isSafeInteger(request.size) || request.size < spec.minSize || request.size > MAX_CLIENT_INDEX) {
      return new VenueError('lighter', 'bad_order', `Lighter order size ${formatFixed(request.size, spec.sizeScale)} is below the market minimum ${formatFixed(spec.minSize, spec.sizeScale)} or not an integer amount`);
    }
    if (!Number.isSafeInteger(request.worstPrice) || request.worstPrice < 1 || request.worstPrice > 0xffffffff) {
      return new VenueError('lighter', 'bad_order', `Lighter worst price ${request.worstPrice} is outside 1 … 2^32−1 at ${spec.priceScale} decimals`);
    }
    return undefined;
  }

  /** A market order (IOC at the worst price) signed for a nonce; throws a SignerError on bad fields. */
  private signOrder(request: MarketOrderRequest, clientOrderIndex: number, nonce: number, expiredAt?: number): SignedTx {
    return this.signer!.signCreateOrder({
      marketIndex: this.market.marketId!, clientOrderIndex, baseAmount: request.size, price: request.worstPrice,
      isAsk: request.side === 'sell', orderType: 1, timeInForce: 0, reduceOnly: request.reduceOnly === true, triggerPrice: 0, orderExpiry: 0, nonce, expiredAt,
    });
  }

  /** The ticket for the next nonce. Throws when the clock is wrong. */
  private nextTicket(): Ticket {
    const t = this.ticket;
    if (t !== undefined && t.nonce === this.nextNonce && performance.now() - t.issuedAt < this.preparedMaxAgeMs) return t;
    this.ticket = { nonce: this.nextNonce, clientOrderIndex: this.takeClientIndex(), expiredAt: this.now() + TX_EXPIRY_MS, issuedAt: performance.now() };
    return this.ticket;
  }

  /**
   * Signs this order for the next nonce now, so that placeMarketOrder of an equal request only
   * writes it. Any transaction sent meanwhile takes that nonce, and the one signed ahead is dropped.
   */
  prepareMarketOrder(request: MarketOrderRequest): void {
    if (this.signer === undefined || this.spec === undefined || this.nextNonce < 0 || this.orderProblem(request) !== undefined) return;
    if (this.prepared.holds(request)) return;
    this.prepared.put(request, undefined);
    try {
      const { nonce, clientOrderIndex, expiredAt } = this.nextTicket();
      this.prepared.put(request, { nonce, clientOrderIndex, expiredAt, tx: this.signOrder(request, clientOrderIndex, nonce, expiredAt) });
    } catch {
      return; // placeMarketOrder will meet the same problem and report it
    }
    setImmediate(() => this.signer?.precompute(PRECOMPUTED_SIGNATURES));
  }

  placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    const leg: LegResult = { venue: 'lighter', state: 'unknown', side: request.side, requested: request.size, filled: 0, notional: 0, fee: 0, clientOrderId: '0', sentAt: performance.now() };
    const reject = (error: VenueError): Promise<LegResult> => {
      this.options.logger.warn(error.message);
      return Promise.resolve({ ...leg, state: 'rejected', confirmedAt: performance.now(), error });
    };
    if (this.signer === undefined) return reject(new VenueError('lighter', 'auth', 'Lighter orders need API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX (this venue was started for market data only)'));
    const problem = this.orderProblem(request);
    if (problem !== undefined) return reject(problem);
    const waitMs = this.takeTxToken();
    if (waitMs > 0) return reject(new VenueError('lighter', 'rate_limited', `Lighter order not sent: the 60 transactions per minute budget is spent for another ${waitMs} ms`, undefined, waitMs));
    // A transaction signed ahead is used once, if it is this very order for the nonce due now; it
    // brings its own ticket, which may be older than the current one.
    const ahead = this.prepared.take(request);
    let ticket: Ticket;
    try {
      ticket = ahead ?? this.nextTicket();
    } catch (e) {
      return reject(e as VenueError);
    }
    leg.clientOrderId = String(ticket.clientOrderIndex);
    return new Promise<LegResult>((finish) => {
      const pending: PendingOrder = { leg, clientOrderIndex: ticket.clientOrderIndex, expiredAt: ticket.expiredAt, request, retriedNonce: false, finish };
      this.pending.set(ticket.clientOrderIndex, pending);
      pending.timer = setTimeout(() => void this.onDeadline(pending), this.options.orderTimeoutMs ?? 3000);
      this.send(pending, ahead?.tx);
    });
  }

  /** Writes the order, signed ahead or now with the next local nonce, to the socket (REST when the socket is down). */
  private send(pending: PendingOrder, signedAhead?: SignedTx): void {
    let signed: SignedTx;
    try {
      signed = signedAhead ?? this.signOrder(pending.request, pending.clientOrderIndex, this.nextNonce, pending.expiredAt);
      this.nextNonce++;
    } catch (e) {
      this.settle(pending, { ...pending.leg, state: 'rejected', confirmedAt: performance.now(), error: new VenueError('lighter', 'bad_order', `Lighter order not signed: ${(e as Error).message}`) });
      return;
    }
    const frame = `{"type":"jsonapi/sendtx","data":{"id":"${pending.clientOrderIndex}","tx_type":${TX_TYPE.CREATE_ORDER},"tx_info":${signed.txInfo}}}`;
    const written = this.stream?.send(frame) === true;
    pending.leg.sentAt = performance.now();
    // Refill the signer's nonce commitments once this turn's hot path is over.
    setImmediate(() => this.signer?.precompute(PRECOMPUTED_SIGNATURES));
    if (written) return;
    this.rest.sendTx(TX_TYPE.CREATE_ORDER, signed.txInfo, this.options.orderTimeoutMs ?? 3000).then(
      () => undefined,
      (e: unknown) => void this.onSendFailed(pending, e instanceof VenueError ? e : new VenueError('lighter', 'protocol', String(e))),
    );
  }

  private async onSendFailed(pending: PendingOrder, error: VenueError): Promise<void> {
    if (this.pending.get(pending.clientOrderIndex) !== pending) return;
    if (error.kind === 'invalid_nonce' && !pending.retriedNonce) {
      // Our nonce ran ahead of (or behind) the venue's: ask once, re-sign once (spec §3).
      pending.retriedNonce = true;
      this.options.logger.warn(`${error.message}; re-signing order ${pending.clientOrderIndex} with the venue's nonce`);
      try {
        await this.refreshNonce();
      } catch (e) {
        this.settle(pending, { ...pending.leg, state: 'rejected', confirmedAt: performance.now(), error: e as VenueError });
        return;
      }
      this.send(pending);
      return;
    }
    if (error.kind === 'timeout') return; // the deadline will look it up
    if (error.kind === 'unavailable') {
      this.available = false;
      this.detail = error.message;
      this.emitStatus();
    }
    this.options.logger.warn(`Lighter order ${pending.clientOrderIndex} rejected: ${error.message}`);
    // A refused transaction did not use its nonce; the venue's count is the truth again.
    void this.refreshNonce().catch(() => undefined);
    this.settle(pending, { ...pending.leg, state: 'rejected', confirmedAt: performance.now(), error });
  }

  private async onDeadline(pending: PendingOrder): Promise<void> {
    if (this.pending.get(pending.clientOrderIndex) !== pending) return;
    this.options.logger.warn(`Lighter order ${pending.clientOrderIndex} unconfirmed after ${this.options.orderTimeoutMs ?? 3000} ms; looking it up`);
    const leg = await this.resolveOrder({ ...pending.leg, error: new VenueError('lighter', 'timeout', 'no confirmation from the account stream in time') });
    this.settle(pending, leg);
  }

  /** Settles an unknown leg from inactive then active orders, by client order index. */
  async resolveOrder(leg: LegResult): Promise<LegResult> {
    if (leg.state !== 'unknown' || this.signer === undefined) return leg;
    const account = this.signer.accountIndex;
    const want = Number(leg.clientOrderId);
    try {
      const inactive = await this.rest.get<{ orders?: OrderJson[] }>('accountInactiveOrders', { account_index: account, market_id: this.market.marketId!, limit: 100 }, this.authToken());
      const done = (inactive.orders ?? []).find((o) => Number(o.client_order_index) === want);
      if (done !== undefined && isTerminal(done.status)) return this.legFromOrder(leg, done);
      const active = await this.rest.get<{ orders?: OrderJson[] }>('accountActiveOrders', { account_index: account, market_id: this.market.marketId! }, this.authToken());
      const open = (active.orders ?? []).find((o) => Number(o.client_order_index) === want);
      const what = open === undefined ? 'not found in the order history' : `still ${String(open.status)}`;
      return { ...leg, state: 'unknown', error: new VenueError('lighter', 'timeout', `Lighter order ${want} is ${what}; outcome unknown`) };
    } catch (e) {
      const err = e instanceof VenueError ? e : new VenueError('lighter', 'protocol', String(e));
      this.options.logger.warn(`Lighter lookup of order ${want} failed: ${err.message}`);
      return { ...leg, state: 'unknown', error: err };
    }
  }

  /** The account's fills in this market, newest first (auth token attached). */
  async fetchTrades(limit = 100): Promise<Array<Record<string, unknown>>> {
    const reply = await this.rest.get<{ trades?: Array<Record<string, unknown>> }>('trades', { account_index: this.signer!.accountIndex, market_id: this.market.marketId!, sort_by: 'timestamp', sort_dir: 'desc', limit }, this.authToken());
    return reply.trades ?? [];
  }

  /** Whether the venue executed a transaction we sent (GET /api/v1/tx by hash). */
  txStatus(txHash: string): Promise<Record<string, unknown>> {
    return this.rest.get('tx', { by: 'hash', value: txHash });
  }

  async fetchPosition(): Promise<number> {
    if (this.signer === undefined) throw new VenueError('lighter', 'auth', 'Lighter positions need LIGHTER_ACCOUNT_INDEX');
    const reply = await this.rest.get<{ accounts?: Array<{ positions?: Array<{ market_id?: unknown; sign?: unknown; position?: unknown }> }> }>('account', { by: 'index', value: this.signer.accountIndex });
    const row = (reply.accounts?.[0]?.positions ?? []).find((p) => Number(p.market_id) === this.market.marketId);
    if (row === undefined) return 0;
    if (typeof row.position !== 'string') throw new VenueError('lighter', 'protocol', `Lighter position for market ${this.market.marketId} lacks "position"`);
    return (Number(row.sign) < 0 ? -1 : 1) * parseFixed(row.position, this.market.sizeScale);
  }
}

/** An orderBookDetails entry as a MarketSpec: integer grids, fees in bps (published as percent). */
export function parseLighterMarket(m: Record<string, unknown>, fees: { takerFeeBps?: number; makerFeeBps?: number }): MarketSpec {
  const sizeScale = Number(m.size_decimals);
  const priceScale = Number(m.price_decimals);
  if (!Number.isInteger(sizeScale) || !Number.isInteger(priceScale) || typeof m.min_base_amount !== 'string' || typeof m.market_id !== 'number') {
    throw new VenueError('lighter', 'protocol', `Lighter market ${String(m.symbol)} lacks market_id/size_decimals/price_decimals/min_base_amount`);
  }
  const percentToBps = (v: unknown): number => (typeof v === 'string' && v !== '' ? Number(v) * 100 : 0);
  return {
    venue: 'lighter',
    symbol: String(m.symbol),
    marketId: m.market_id,
    priceScale,
    sizeScale,
    tickSize: 1,
    stepSize: 1,
    minSize: parseFixed(m.min_base_amount, sizeScale, 'up'),
    takerFeeBps: fees.takerFeeBps ?? percentToBps(m.taker_fee),
    makerFeeBps: fees.makerFeeBps ?? percentToBps(m.maker_fee),
  };
}
