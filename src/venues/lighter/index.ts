// The live Lighter venue behind the port of venue.ts: market metadata, a book kept by its nonce
// chain, market orders signed by our signer and sent over the WebSocket (REST as the fallback),
// with nonces handed out locally while they can be trusted (nonce.ts), every request in one
// shared budget (rate-budget.ts), rejections in any of the venue's shapes (tx-replies.ts), and
// outcomes taken from the account order stream — or, when it stays silent, from the order history
// by client order index.

import { formatFixed, parseFixed, parseUnits } from '../../core/fixed.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { LiveVenueOptions } from '../options.js';
import { OrderBook } from '../../core/orderbook.js';
import type { Secret } from '../../core/secret.js';
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
import {
  LighterConfigError,
  apiKeyMismatch,
  assumeLighterFees,
  checkChainId,
  fetchAccountTier,
  fetchRegisteredApiKey,
  fetchVenueInfo,
  marketIdProblem,
  minQuoteProblem,
  type ChainIdCheck,
  type LighterAccountTier,
  type LighterFeeAssumption,
} from './account.js';
import { BookSync } from './book-sync.js';
import { readAccountOrders, readAccountPosition, readBookFrame } from './messages.js';
import { FrameWarnings } from '../messages.js';
import { isConfigurationFailure, lighterError } from './errors.js';
import { NonceKeeper } from './nonce.js';
import { LighterFunding } from './funding.js';
import { RateBudget, type BudgetPurpose } from './rate-budget.js';
import { LighterRest } from './rest.js';
import { AwaitingAnswers, parseTxReply, type TxReply } from './tx-replies.js';
import { LighterSigner, TX_TYPE, type SignedTx } from './signer/index.js';
import { LighterStream } from './ws.js';
import type { FrameRecorder } from '../../record/writer.js';

export { BookSync } from './book-sync.js';
export { lighterErrorKind } from './errors.js';
export { LighterConfigError } from './account.js';

export interface LighterVenueOptions extends LiveVenueOptions {
  /** Signed into every transaction: 304 mainnet, 300 testnet (LIGHTER_CHAIN_ID). */
  chainId: number;
  /** Without these three the venue is market-data only (paper mode). */
  privateKey?: Secret;
  accountIndex?: number;
  apiKeyIndex?: number;
  /** Order size per leg as typed (--size): its value is checked against the market's minimum order value. Fees not overridden are the account tier's (Standard when unknown). */
  orderSize?: string;
  /** --slippage-bps: a sell goes out at the book price less this, which is where the minimum order value binds. */
  slippageBps?: number;
  /** A resubscribe that brings no fresh snapshot (or no answer) within this long reconnects the socket (default 5000 ms). */
  resyncTimeoutMs?: number;
  /** How often the account streams' auth token is checked for renewal (default 30 000 ms). */
  authCheckIntervalMs?: number;
  /** Auth token lifetime; it is renewed when less than a sixth of it is left (default 3600 s). */
  authTokenTtlSec?: number;
  /**
   * The shared request budget per rolling minute: every REST call and every transaction
   * (--lighter-requests-per-minute, formerly --lighter-tx-per-minute; Standard account: 60).
   */
  txPerMinute?: number;
  /** How long after its send an order may still take an answer that names no order (default 2000 ms). */
  answerWindowMs?: number;
  /** Least time between two look-ups of the same order (default: half a minute over the look-up cap, 3 s at 60/min). */
  lookupIntervalMs?: number;
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
  purpose: BudgetPurpose;
  retriedNonce: boolean;
  finish: (leg: LegResult) => void;
  timer?: NodeJS.Timeout;
  /** The venue acknowledged the transaction (its outcome still comes from the account streams). */
  acknowledged?: boolean;
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
  private sync?: BookSync;
  private stream?: LighterStream;
  readonly rest: LighterRest;
  private readonly signer?: LighterSigner;
  private readonly bookListeners: BookListener[] = [];
  private readonly statusListeners: StatusListener[] = [];
  private readonly pending = new Map<number, PendingOrder>();
  readonly nonces: NonceKeeper;
  /** The one budget every Lighter request and transaction takes a place in. */
  readonly budget: RateBudget;
  /** Orders sent on the current WebSocket connection and not answered yet. */
  private readonly awaiting: AwaitingAnswers;
  /** When each unknown order was last looked up (by client order index). */
  private readonly lookedUpAt = new Map<string, number>();
  /** Set by 21108/21120/21136: a person must change a setting; entries stay stopped. */
  private authFailure?: string;
  /** Transactions signed ahead, one per side; valid only while their nonce is still the next one. */
  private readonly prepared: SignedAhead<SignedOrder>;
  /** The ticket for the next nonce, renewed once that nonce is used or the ticket is old. */
  private ticket?: Ticket & { issuedAt: number };
  private readonly preparedMaxAgeMs: number;
  private lastClientIndex = 0;
  private token?: { text: string; deadline: number };
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

  private readonly clock: Clock;
  /** Refused frames, said at most once per kind per 10 s. */
  private readonly warnings: FrameWarnings;
  /** The account's funding payments and the current rate (funding.ts); only with account keys. */
  readonly funding?: LighterFunding;

  constructor(private readonly options: LighterVenueOptions) {
    this.clock = options.clock ?? systemClock;
    this.warnings = new FrameWarnings(options.logger, this.clock);
    const mono = () => this.clock.monoMs();
    this.budget = new RateBudget({ perMinute: options.txPerMinute ?? 60, now: mono });
    this.rest = new LighterRest({ apiUrl: options.apiUrl, logger: options.logger, timeoutMs: options.requestTimeoutMs, budget: this.budget, now: mono });
    const { privateKey, accountIndex, apiKeyIndex } = options;
    if (privateKey !== undefined && accountIndex !== undefined && apiKeyIndex !== undefined) {
      this.signer = new LighterSigner({ privateKey, chainId: options.chainId, accountIndex, apiKeyIndex, nowMs: () => this.clock.wallMs() });
      this.funding = new LighterFunding({
        rest: this.rest,
        accountIndex,
        market: () => this.market,
        authToken: () => this.authToken(),
        now: () => this.clock.wallMs(),
        budget: this.budget,
      });
    }
    this.preparedMaxAgeMs = options.preparedOrderMaxAgeMs ?? 1000;
    this.prepared = new SignedAhead(this.preparedMaxAgeMs, (signed) => this.nonces.trusted && signed.nonce === this.nonces.value, this.clock);
    this.nonces = new NonceKeeper(
      () => this.readNonce(),
      () => this.discardSignedAhead(),
    );
    this.awaiting = new AwaitingAnswers(options.answerWindowMs ?? 2000);
  }

  /** Wall ms (client order indices, tokens, expiry). */
  private now(): number {
    return this.clock.wallMs();
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
      throw new VenueError(
        'lighter',
        'bad_order',
        `Lighter has no perp market ${this.options.ticker}; check --ticker (listed: ${list
          .map((m) => String(m.symbol))
          .slice(0, 12)
          .join(', ')})`,
      );
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
    this.spec = parseMarket(found, { takerFeeBps: fees.takerBps, makerFeeBps: this.options.makerFeeBps ?? fees.makerBps });
    const minQuoteAmount = typeof found.min_quote_amount === 'string' ? found.min_quote_amount : undefined;
    this.setup = { chain, tier, fees, minQuoteAmount };
    this.checkMinQuote(found, minQuoteAmount);
    if (this.signer !== undefined) this.signer.precompute(PRECOMPUTED_SIGNATURES);
    this.sync = new BookSync(this.book, this.spec.priceScale, this.spec.sizeScale);
    this.stream = new LighterStream(
      {
        wsUrl: this.options.wsUrl,
        logger: this.options.logger,
        pingIntervalMs: this.options.pingIntervalMs,
        deadAfterMs: this.options.deadAfterMs,
        reconnectBaseMs: this.options.reconnectBaseMs,
        reconnectMaxMs: this.options.reconnectMaxMs,
        onRaw: this.options.recorder === undefined ? undefined : (text, at) => this.options.recorder!.frame('lighter', text, at),
      },
      {
        onFrame: (frame, at) => this.handleFrame(frame, at),
        onOpen: () => {
          this.sync?.reset();
          this.detail = undefined;
          this.emitStatus();
          this.watchBook('no order book snapshot after subscribing');
        },
        onClose: (why) => {
          // Answers to what this connection carried will never come: those orders are settled by
          // their deadline, and their nonces are in doubt.
          if (this.awaiting.clear().length > 0) this.nonces.suspect();
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
    await this.nonces.ensure();
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
      this.options.logger.warn(
        `Lighter ${spec.symbol} publishes no last trade price; --size ${this.options.orderSize} was not checked against the minimum order value of ${minQuoteAmount} USDC`,
      );
      return;
    }
    const worstSell = Math.floor((last * (10_000 - (this.options.slippageBps ?? 0))) / 10_000);
    const problem = minQuoteProblem(spec, size, worstSell, minQuoteAmount);
    if (problem !== undefined) throw new LighterConfigError(problem);
  }

  /** GET nextNonce. A repair waiting on it is first in line for its place. */
  private async readNonce(): Promise<number> {
    const signer = this.signer!;
    const purpose: BudgetPurpose = [...this.pending.values()].some((p) => p.purpose === 'repair') ? 'repair' : 'entry';
    const r = await this.rest.get<{ nonce?: unknown }>('nextNonce', { account_index: signer.accountIndex, api_key_index: signer.apiKeyIndex }, undefined, undefined, purpose);
    if (typeof r.nonce !== 'number') throw new VenueError('lighter', 'protocol', 'Lighter nextNonce reply lacks "nonce"');
    return r.nonce;
  }

  /** Orders signed ahead were signed for a nonce that is void now. */
  private discardSignedAhead(): void {
    this.prepared.put({ side: 'buy', size: 0, worstPrice: 0 }, undefined);
    this.prepared.put({ side: 'sell', size: 0, worstPrice: 0 }, undefined);
    this.ticket = undefined;
  }

  /** The local nonce is in doubt: read it again in the background, before the next transaction needs it. */
  private doubtNonce(): void {
    this.nonces.suspect();
    this.nonces.ensure().catch((e: unknown) => this.options.logger.warn(`Lighter nonce could not be read again yet: ${(e as Error).message}; the next order reads it first`));
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
    this.budget.close();
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
      const reply = parseTxReply(frame);
      if (reply !== undefined) return this.handleTxReply(reply);
      if (frame.type === 'unsubscribed') return; // the first half of a resubscribe
      if (channel.startsWith('order_book:')) return this.handleBook(frame, receivedAt);
      if (channel.startsWith('account_all_orders:')) return this.handleOrders(frame.orders);
      if (channel.startsWith('account_all_positions:')) return this.handlePositions(frame.positions);
    } catch (e) {
      this.warnings.warn(channel || String(frame.type), `Lighter ${channel || String(frame.type)} frame refused: ${(e as Error).message}`);
      if (channel.startsWith('order_book:')) this.resync('a book frame could not be read');
    }
  }

  private handleBook(frame: Record<string, unknown>, receivedAt: number): void {
    const sync = this.sync!;
    const wasValid = sync.valid;
    const read = readBookFrame(frame, sync.priceScale, sync.sizeScale);
    if (!read.ok) {
      this.warnings.warn('order_book', `Lighter order_book frame refused: ${read.why}`);
      return this.resync('a book frame could not be read');
    }
    const action = sync.apply(read.value);
    if (action === 'load_snapshot' || action === 'apply') {
      this.available = true;
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
    this.stream?.resubscribe(this.bookChannel());
    this.watchBook('no fresh order book snapshot after a resync');
  }

  /**
   * An answer to a transaction, or an error frame. An acknowledgement only means accepted: the
   * outcome still comes from the account streams. A rejection goes to the order it names, else to
   * the oldest order waiting on this connection within the window, else to none (tx-replies.ts).
   */
  private handleTxReply(reply: TxReply): void {
    const now = this.clock.monoMs();
    if (reply.kind === 'ack') {
      const id = reply.id !== undefined ? Number(reply.id) : this.awaiting.ackOldest(now);
      if (id === undefined) return;
      this.awaiting.remove(id);
      const pending = this.pending.get(id);
      if (pending !== undefined) pending.acknowledged = true;
      return;
    }
    const { code, message } = reply;
    if (this.handleSubscriptionError(code, message)) return;
    let pending: PendingOrder | undefined;
    let why: string | undefined;
    if (reply.id !== undefined) {
      pending = this.pending.get(Number(reply.id));
      this.awaiting.remove(Number(reply.id));
      if (pending === undefined) why = `order ${reply.id} is no longer waiting`;
    } else {
      const to = this.awaiting.attribute(code, now);
      if ('to' in to) pending = this.pending.get(to.to);
      else why = to.ambiguous;
    }
    if (pending !== undefined) {
      void this.onSendFailed(pending, lighterError(`order ${pending.clientOrderIndex}`, code, message));
      return;
    }
    const error = lighterError('WS', code, message);
    if (error.kind === 'rate_limited') this.budget.pause(this.clock.monoMs() + (error.retryAfterMs ?? 10_000), `${code} "${message}"`);
    if (isConfigurationFailure(code)) this.failAuth(error);
    if (code === 503 || error.kind === 'unavailable') this.markUnavailable(`Lighter unavailable: ${code} "${message}"`);
    if (this.awaiting.size > 0) {
      // It may have been the answer to one of them: their nonces are in doubt, their outcomes are
      // looked up at their deadlines.
      this.options.logger.error(
        `${error.message} — not matched to an order (${why}); the ${this.awaiting.size} order(s) in flight stay unknown until the account streams or the order history settle them`,
      );
      this.doubtNonce();
    } else {
      this.options.logger.error(`${error.message}${why === undefined ? '' : ` (${why})`}`);
    }
  }

  private markUnavailable(detail: string): void {
    this.available = false;
    this.detail = detail;
    this.emitStatus();
  }

  /** 21108/21120/21136: a setting is wrong; no entry goes out until it is fixed and the bot restarted. */
  private failAuth(error: VenueError): void {
    if (this.authFailure === undefined) this.options.logger.error(`${error.message}`);
    this.authFailure = error.message;
    this.emitStatus();
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
    const read = readAccountOrders(orders);
    if (!read.ok) return void this.warnings.warn('account_all_orders', `Lighter account_all_orders frame refused: ${read.why}`);
    for (const o of read.value) {
      const pending = this.pending.get(o.client_order_index);
      if (pending !== undefined && isTerminal(o.status)) this.settle(pending, this.legFromOrder(pending.leg, o));
    }
  }

  private handlePositions(positions: unknown): void {
    if (this.spec === undefined) return;
    const read = readAccountPosition(positions, this.spec.marketId!);
    if (!read.ok) return void this.warnings.warn('account_all_positions', `Lighter account_all_positions frame refused: ${read.why}`);
    const p = read.value;
    if (p !== undefined) this.streamedPosition = p.sign * parseFixed(p.position, this.spec.sizeScale);
  }

  private legFromOrder(leg: LegResult, o: OrderJson): LegResult {
    const spec = this.market;
    const filled = parseFixed(String(o.filled_base_amount ?? '0'), spec.sizeScale);
    const notional = parseFixed(String(o.filled_quote_amount ?? '0'), spec.priceScale + spec.sizeScale, 'nearest');
    // Trades carry fees in undocumented units (spec §12 Q11): report the market's taker rate on the notional.
    const fee = (notional / 10 ** (spec.priceScale + spec.sizeScale)) * (spec.takerFeeBps / 10_000);
    const base = {
      ...leg,
      filled,
      notional,
      fee,
      venueOrderId: o.order_index === undefined ? undefined : String(o.order_index),
      confirmedAt: this.clock.monoMs(),
      error: undefined,
    };
    if (filled >= leg.requested) return { ...base, state: 'filled' };
    if (filled > 0) return { ...base, state: 'partial' };
    return {
      ...base,
      state: 'rejected',
      error: new VenueError('lighter', 'rejected', `Lighter order ${leg.clientOrderId} ended ${String(o.status)} with nothing filled (no liquidity inside the worst price?)`),
    };
  }

  private settle(pending: PendingOrder, leg: LegResult): void {
    if (this.pending.get(pending.clientOrderIndex) !== pending) return;
    this.pending.delete(pending.clientOrderIndex);
    this.awaiting.remove(pending.clientOrderIndex);
    clearTimeout(pending.timer);
    pending.finish(leg);
  }

  private takeClientIndex(): number {
    const fromClock = (this.now() - CLIENT_INDEX_EPOCH) * 1024;
    this.lastClientIndex = Math.max(this.lastClientIndex + 1, fromClock);
    if (this.lastClientIndex > MAX_CLIENT_INDEX) throw new VenueError('lighter', 'bad_order', 'client order index would exceed 2^48 − 1; the clock is wrong');
    return this.lastClientIndex;
  }

  /**
   * Whether an entry sent now would leave: keys that work, a venue that answers, the venue's own
   * back-off over, and a place for an entry in the shared request budget. Repairs are not held to
   * this: they go out whenever the venue takes them.
   */
  readiness(): ExecutionReadiness {
    if (this.signer === undefined)
      return { state: 'auth_failed', detail: 'Lighter was started for market data only (no API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX, LIGHTER_API_KEY_INDEX)' };
    if (this.authFailure !== undefined) return { state: 'auth_failed', detail: this.authFailure };
    if (!this.available) return { state: 'down', detail: this.detail ?? 'Lighter is unavailable' };
    // The budget runs on the clock's monotonic line, the one the port speaks (venue.ts).
    const off = this.budget.backingOff();
    if (off !== undefined) return { state: 'backing_off', until: off.until, detail: `Lighter said ${off.detail}` };
    const now = this.clock.monoMs();
    const at = this.budget.availableAt('entry', true, now);
    if (at > now) return { state: 'budget_empty', until: at, detail: this.budget.refusal('entry', true).message };
    return READY;
  }

  /** The shared request budget: places left in the rolling minute (repairs' reserve included), and its size. */
  rateBudget(): { remaining: number; perMinute: number } {
    return { remaining: Math.max(0, this.budget.perMinute - this.budget.used()), perMinute: this.budget.perMinute };
  }

  readyForOrder(): boolean {
    return this.readiness().state === 'ready';
  }

  /** Why this request cannot be an order on this market, if it cannot. */
  private orderProblem(request: MarketOrderRequest): VenueError | undefined {
    const spec = this.market;
    if (!Number.isSafeInteger(request.size) || request.size < spec.minSize || request.size > MAX_CLIENT_INDEX) {
      return new VenueError(
        'lighter',
        'bad_order',
        `Lighter order size ${formatFixed(request.size, spec.sizeScale)} is below the market minimum ${formatFixed(spec.minSize, spec.sizeScale)} or not an integer amount`,
      );
    }
    if (!Number.isSafeInteger(request.worstPrice) || request.worstPrice < 1 || request.worstPrice > 0xffffffff) {
      return new VenueError('lighter', 'bad_order', `Lighter worst price ${request.worstPrice} is outside 1 … 2^32−1 at ${spec.priceScale} decimals`);
    }
    return undefined;
  }

  /** A market order (IOC at the worst price) signed for a nonce; throws a SignerError on bad fields. */
  private signOrder(request: MarketOrderRequest, clientOrderIndex: number, nonce: number, expiredAt?: number): SignedTx {
    return this.signer!.signCreateOrder({
      marketIndex: this.market.marketId!,
      clientOrderIndex,
      baseAmount: request.size,
      price: request.worstPrice,
      isAsk: request.side === 'sell',
      orderType: 1,
      timeInForce: 0,
      reduceOnly: request.reduceOnly === true,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce,
      expiredAt,
    });
  }

  /** The ticket for the next nonce. Throws when the clock is wrong. */
  private nextTicket(): Ticket {
    const t = this.ticket;
    const nonce = this.nonces.value;
    if (t !== undefined && t.nonce === nonce && this.clock.monoMs() - t.issuedAt < this.preparedMaxAgeMs) return t;
    this.ticket = { nonce, clientOrderIndex: this.takeClientIndex(), expiredAt: this.now() + TX_EXPIRY_MS, issuedAt: this.clock.monoMs() };
    return this.ticket;
  }

  /**
   * Signs this order for the next nonce now, so that placeMarketOrder of an equal request only
   * writes it. Any transaction sent meanwhile takes that nonce, and the one signed ahead is dropped;
   * so does every read of the nonce. Nothing is signed ahead while the nonce is in doubt.
   */
  prepareMarketOrder(request: MarketOrderRequest): void {
    if (this.signer === undefined || this.spec === undefined || !this.nonces.trusted || this.orderProblem(request) !== undefined) return;
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
    const leg: LegResult = {
      venue: 'lighter',
      state: 'unknown',
      side: request.side,
      requested: request.size,
      filled: 0,
      notional: 0,
      fee: 0,
      clientOrderId: '0',
      sentAt: this.clock.monoMs(),
    };
    const reject = (error: VenueError): Promise<LegResult> => {
      this.options.logger.warn(error.message);
      return Promise.resolve({ ...leg, state: 'rejected', confirmedAt: this.clock.monoMs(), error });
    };
    if (this.signer === undefined)
      return reject(
        new VenueError('lighter', 'auth', 'Lighter orders need API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX (this venue was started for market data only)'),
      );
    const purpose: BudgetPurpose = request.purpose === 'repair' ? 'repair' : 'entry';
    if (purpose === 'entry' && this.authFailure !== undefined) return reject(new VenueError('lighter', 'auth', `Lighter entry not sent: ${this.authFailure}`));
    const problem = this.orderProblem(request);
    if (problem !== undefined) return reject(problem);
    // An entry leaves now or not at all (the engine asked readyForOrder first); a repair waits for
    // its place, first in line.
    const placed = this.budget.tryTake(purpose, true);
    if (!placed && purpose === 'entry') return reject(this.budget.refusal('entry', true));
    // A transaction signed ahead is used once, if it is this very order for the nonce due now; it
    // brings its own ticket, which may be older than the current one.
    const ahead = placed && this.nonces.trusted ? this.prepared.take(request) : undefined;
    let ticket: Ticket;
    try {
      ticket = ahead ?? this.nextTicket();
    } catch (e) {
      return reject(e as VenueError);
    }
    leg.clientOrderId = String(ticket.clientOrderIndex);
    return new Promise<LegResult>((finish) => {
      const pending: PendingOrder = { leg, clientOrderIndex: ticket.clientOrderIndex, expiredAt: ticket.expiredAt, request, purpose, retriedNonce: false, finish };
      this.pending.set(ticket.clientOrderIndex, pending);
      if (placed && this.nonces.trusted) this.send(pending, ahead?.tx);
      else void this.sendWhenReady(pending, placed);
    });
  }

  /** The slow way out: a place in the budget (a repair waits for one), then a fresh nonce, then the send. */
  private async sendWhenReady(pending: PendingOrder, placed: boolean): Promise<void> {
    try {
      if (!placed) {
        this.options.logger.warn(
          `Lighter ${pending.purpose} order ${pending.clientOrderIndex} waits ${Math.ceil(Math.max(0, this.budget.availableAt(pending.purpose, true) - this.clock.monoMs()))} ms for a place in the request budget of ${this.budget.perMinute} a minute`,
        );
        await this.budget.take(pending.purpose, this.options.requestTimeoutMs ?? 5000, true);
      }
      await this.nonces.ensure();
    } catch (e) {
      const error = e instanceof VenueError ? e : new VenueError('lighter', 'invalid_nonce', `Lighter order not sent: ${(e as Error).message}`);
      this.options.logger.warn(`Lighter order ${pending.clientOrderIndex} not sent: ${error.message}`);
      this.settle(pending, { ...pending.leg, state: 'rejected', confirmedAt: this.clock.monoMs(), error });
      return;
    }
    if (this.pending.get(pending.clientOrderIndex) === pending) this.send(pending);
  }

  /** Writes the order, signed ahead or now with the next local nonce, to the socket (REST when the socket is down). Its place is taken. */
  private send(pending: PendingOrder, signedAhead?: SignedTx): void {
    let signed: SignedTx;
    try {
      signed = signedAhead ?? this.signOrder(pending.request, pending.clientOrderIndex, this.nonces.value, pending.expiredAt);
      this.nonces.take();
    } catch (e) {
      this.settle(pending, {
        ...pending.leg,
        state: 'rejected',
        confirmedAt: this.clock.monoMs(),
        error: new VenueError('lighter', 'bad_order', `Lighter order not signed: ${(e as Error).message}`),
      });
      return;
    }
    const frame = `{"type":"jsonapi/sendtx","data":{"id":"${pending.clientOrderIndex}","tx_type":${TX_TYPE.CREATE_ORDER},"tx_info":${signed.txInfo}}}`;
    const written = this.stream?.send(frame) === true;
    pending.leg.sentAt = this.clock.monoMs();
    if (written) this.awaiting.sent(pending.clientOrderIndex, pending.leg.sentAt);
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => void this.onDeadline(pending), this.options.orderTimeoutMs ?? 3000);
    // Refill the signer's nonce commitments once this turn's hot path is over.
    setImmediate(() => this.signer?.precompute(PRECOMPUTED_SIGNATURES));
    if (written) return;
    this.rest.sendTx(TX_TYPE.CREATE_ORDER, signed.txInfo, this.options.orderTimeoutMs ?? 3000, null).then(
      () => {
        pending.acknowledged = true;
      },
      (e: unknown) => void this.onSendFailed(pending, e instanceof VenueError ? e : new VenueError('lighter', 'protocol', String(e))),
    );
  }

  private async onSendFailed(pending: PendingOrder, error: VenueError): Promise<void> {
    if (this.pending.get(pending.clientOrderIndex) !== pending) return;
    this.awaiting.remove(pending.clientOrderIndex);
    if (error.kind === 'invalid_nonce' && !pending.retriedNonce) {
      // Our nonce ran ahead of (or behind) the venue's: read it, re-sign once (spec §3).
      pending.retriedNonce = true;
      this.options.logger.warn(`${error.message}; re-signing order ${pending.clientOrderIndex} with the venue's nonce`);
      this.nonces.suspect();
      void this.sendWhenReady(pending, this.budget.tryTake(pending.purpose, true));
      return;
    }
    if (error.kind === 'timeout' || (error.kind === 'unavailable' && (error.code === 29500 || error.code === 29501))) {
      // No answer, or an answer that says nothing of the outcome: the deadline looks it up.
      if (error.kind === 'unavailable') this.markUnavailable(error.message);
      this.options.logger.warn(`Lighter order ${pending.clientOrderIndex}: ${error.message}`);
      this.doubtNonce();
      return;
    }
    if (error.kind === 'unavailable') this.markUnavailable(error.message);
    if (error.kind === 'rate_limited') this.budget.pause(this.clock.monoMs() + (error.retryAfterMs ?? 10_000), `${error.code ?? 429} on order ${pending.clientOrderIndex}`);
    if (isConfigurationFailure(error.code)) this.failAuth(error);
    this.options.logger.warn(`Lighter order ${pending.clientOrderIndex} rejected: ${error.message}`);
    // A refused transaction may not have used its nonce: read it again before the next one.
    this.doubtNonce();
    this.settle(pending, { ...pending.leg, state: 'rejected', confirmedAt: this.clock.monoMs(), error });
  }

  private async onDeadline(pending: PendingOrder): Promise<void> {
    if (this.pending.get(pending.clientOrderIndex) !== pending) return;
    // No outcome in time, acknowledged or not: the transaction may have failed in the sequencer
    // without using its nonce, so the count is in doubt.
    this.doubtNonce();
    const how = pending.acknowledged === true ? 'acknowledged but not confirmed by the account stream' : 'not answered';
    this.options.logger.warn(`Lighter order ${pending.clientOrderIndex} ${how} after ${this.options.orderTimeoutMs ?? 3000} ms; looking it up`);
    const leg = await this.resolveOrder({ ...pending.leg, error: new VenueError('lighter', 'timeout', `no confirmation from the account stream in time (${how})`) });
    this.settle(pending, leg);
  }

  /**
   * Settles an unknown leg from the inactive orders, by client order index. Look-ups are paced:
   * one order is asked about at most once per lookupIntervalMs, and all look-ups together stay
   * under their cap in the request budget, so one stuck leg never takes the places a hedge needs.
   * A look-up not made now leaves the leg unknown, saying when the next one can be.
   */
  async resolveOrder(leg: LegResult): Promise<LegResult> {
    if (leg.state !== 'unknown' || this.signer === undefined) return leg;
    const account = this.signer.accountIndex;
    const want = Number(leg.clientOrderId);
    const now = this.clock.monoMs();
    const interval = this.options.lookupIntervalMs ?? Math.max(1000, Math.ceil(30_000 / this.budget.lookupCap));
    const last = this.lookedUpAt.get(leg.clientOrderId);
    if (last !== undefined && now - last < interval) {
      return {
        ...leg,
        state: 'unknown',
        error: new VenueError(
          'lighter',
          'timeout',
          `Lighter order ${want} is still unknown; next look-up in ${interval - (now - last)} ms (look-ups are paced to keep the request budget for hedges)`,
        ),
      };
    }
    if (!this.budget.tryTake('lookup')) {
      return { ...leg, state: 'unknown', error: new VenueError('lighter', 'timeout', `Lighter order ${want} is still unknown; ${this.budget.refusal('lookup').message}`) };
    }
    this.lookedUpAt.set(leg.clientOrderId, now);
    if (this.lookedUpAt.size > 1000) this.lookedUpAt.delete(this.lookedUpAt.keys().next().value!);
    try {
      const inactive = await this.rest.get<{ orders?: OrderJson[] }>(
        'accountInactiveOrders',
        { account_index: account, market_id: this.market.marketId!, limit: 100 },
        this.authToken(),
        undefined,
        null,
      );
      const done = (inactive.orders ?? []).find((o) => Number(o.client_order_index) === want);
      if (done !== undefined && isTerminal(done.status)) {
        this.lookedUpAt.delete(leg.clientOrderId);
        return this.legFromOrder(leg, done);
      }
      return { ...leg, state: 'unknown', error: new VenueError('lighter', 'timeout', `Lighter order ${want} is not in the order history (yet); outcome unknown`) };
    } catch (e) {
      const err = e instanceof VenueError ? e : new VenueError('lighter', 'protocol', String(e));
      this.options.logger.warn(`Lighter lookup of order ${want} failed: ${err.message}`);
      return { ...leg, state: 'unknown', error: err };
    }
  }

  /** The account's fills in this market, newest first (auth token attached). */
  async fetchTrades(limit = 100): Promise<Array<Record<string, unknown>>> {
    const reply = await this.rest.get<{ trades?: Array<Record<string, unknown>> }>(
      'trades',
      { account_index: this.signer!.accountIndex, market_id: this.market.marketId!, sort_by: 'timestamp', sort_dir: 'desc', limit },
      this.authToken(),
      undefined,
      'lookup',
    );
    return reply.trades ?? [];
  }

  /** Whether the venue executed a transaction we sent (GET /api/v1/tx by hash). */
  txStatus(txHash: string): Promise<Record<string, unknown>> {
    return this.rest.get('tx', { by: 'hash', value: txHash }, undefined, undefined, 'lookup');
  }

  async fetchPosition(): Promise<number> {
    if (this.signer === undefined) throw new VenueError('lighter', 'auth', 'Lighter positions need LIGHTER_ACCOUNT_INDEX');
    // The position is what every repair is sized from (the engine reconciles before and after
    // repairing, and every 30 s): it is served with the repairs, ahead of entries.
    const reply = await this.rest.get<{ accounts?: Array<{ positions?: Array<{ market_id?: unknown; sign?: unknown; position?: unknown }> }> }>(
      'account',
      { by: 'index', value: this.signer.accountIndex },
      undefined,
      undefined,
      'repair',
    );
    const row = (reply.accounts?.[0]?.positions ?? []).find((p) => Number(p.market_id) === this.market.marketId);
    if (row === undefined) return 0;
    if (typeof row.position !== 'string') throw new VenueError('lighter', 'protocol', `Lighter position for market ${this.market.marketId} lacks "position"`);
    return (Number(row.sign) < 0 ? -1 : 1) * parseFixed(row.position, this.market.sizeScale);
  }
}

/** An orderBookDetails entry as a MarketSpec: integer grids, fees in bps (published as percent). */
export function parseMarket(m: Record<string, unknown>, fees: { takerFeeBps?: number; makerFeeBps?: number }): MarketSpec {
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
