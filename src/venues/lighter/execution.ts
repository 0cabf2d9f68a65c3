// Lighter execution: client order indices, market orders signed by our signer (ahead of time when
// the nonce can be trusted) and sent over the WebSocket (REST as the fallback), every request in
// the session's one budget, rejections in any of the venue's shapes (tx-replies.ts), and outcomes
// taken from the account order stream — or, when it stays silent, from the order history by client
// order index; readiness from the keys, the venue's state and the budget.

import { formatFixed, parseFixed } from '../../core/fixed.js';
import type { OrderSide } from '../../core/types.js';
import type { MarketSpec } from '../types.js';
import { chooseHeld, SIGNED_AHEAD_MAX_AGE_MS, SignedAhead } from '../signed-ahead.js';
import {
  READY,
  sentLeg,
  VenueError,
  type DetachedExecution,
  type ExecutionReadiness,
  type LegResult,
  type MarketOrderRequest,
  type ReadinessGate,
  type SignAheadKind,
  type WrittenOrder,
} from '../venue.js';
import type { LighterAccount } from './account.js';
import { isConfigurationFailure, lighterError, replyRefused } from './errors.js';
import { readAccountOrders, readInactiveOrders, readSendTx, readTrades, readTx, type StreamedOrder } from './messages.js';
import type { BudgetPurpose } from './rate-budget.js';
import type { LighterSession, LighterVenueOptions, LoadedMarket } from './session.js';
import { TX_TYPE, type SignedTx } from './signer/index.js';
import type { TxReply } from './tx-replies.js';

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
  /** The whole sendtx frame as UTF-8, rendered when signed: sending it is one write, with no encoding left to do. */
  frame: Buffer;
}

/** The jsonapi/sendtx frame of a create-order transaction; its id is the client order index, so replies name the order. */
function sendTxFrame(clientOrderIndex: number, txInfo: string): string {
  return `{"type":"jsonapi/sendtx","data":{"id":"${clientOrderIndex}","tx_type":${TX_TYPE.CREATE_ORDER},"tx_info":${txInfo}}}`;
}

/** writeOrder's answer: a transaction signed ahead whose frame is written, or the usual way's outcome. */
interface LighterWritten extends WrittenOrder {
  purpose: BudgetPurpose;
  ahead: SignedOrder | undefined;
  sentAt: number;
  usual: Promise<LegResult> | undefined;
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

/** Largest base amount a transaction carries (2^48 − 1). */
const MAX_BASE_AMOUNT = 2 ** 48 - 1;

function isTerminal(status: unknown): boolean {
  return typeof status === 'string' && (status === 'filled' || status.startsWith('canceled'));
}

export class LighterExecution implements DetachedExecution {
  private readonly pending = new Map<number, PendingOrder>();
  /** When each unknown order was last looked up (by client order index). */
  private readonly lookedUpAt = new Map<string, number>();
  /** Set by 21108/21120/21136: a person must change a setting; entries stay stopped. */
  private authFailure?: string;
  /** Transactions signed ahead, one per side; valid only while their nonce is still the next one. */
  private readonly prepared: SignedAhead<SignedOrder>;
  /** The ticket for the next nonce, renewed once that nonce is used or the ticket is old. */
  private ticket?: Ticket & { issuedAt: number };
  private readonly preparedMaxAgeMs: number;
  /** Refills the signer's nonce commitments; bound once, scheduled after each send and signing ahead. */
  private readonly precompute = (): void => this.signer?.precompute(PRECOMPUTED_SIGNATURES);

  constructor(
    private readonly session: LighterSession,
    private readonly loaded: LoadedMarket,
    private readonly account: LighterAccount,
    /** This market's own options when the session serves several; default the session's. */
    private readonly own: LighterVenueOptions = session.options,
  ) {
    this.preparedMaxAgeMs = session.options.preparedOrderMaxAgeMs ?? SIGNED_AHEAD_MAX_AGE_MS;
    const nonces = session.nonces;
    this.prepared = new SignedAhead(this.preparedMaxAgeMs, (signed) => nonces.trusted && signed.nonce === nonces.value, session.clock);
    session.onNonceVoid(() => this.discardSignedAhead());
    // Every change a status shows (the venue marked down, credentials refused) and every place
    // taken from the budget or pause it is told closes the gate until readiness() is asked again.
    session.onChange(() => (this.readinessGate.readyFrom = Infinity));
    session.budget.watch(this.readinessGate);
    session.addExecution({
      inFlight: () => this.pending.size,
      // A nonce read that a waiting repair needs is first in line for its place.
      repairWaiting: () => [...this.pending.values()].some((p) => p.purpose === 'repair'),
      owns: (id) => this.pending.has(id),
      handleTxReply: (reply) => this.handleTxReply(reply),
    });
  }

  /** Routes the order channel's frames (the outcomes of our orders). */
  listen(): void {
    this.session.route('account_all_orders:', (frame) => this.handleOrders(frame.orders));
  }

  /** With keys, the signer computes a few signatures' commitments ahead, in idle time. */
  attach(): void {
    this.signer?.precompute(PRECOMPUTED_SIGNATURES);
  }

  private get options() {
    return this.own;
  }
  private get clock() {
    return this.session.clock;
  }
  private get rest() {
    return this.session.rest;
  }
  private get signer() {
    return this.session.signer;
  }
  private get nonces() {
    return this.session.nonces;
  }
  private get budget() {
    return this.session.budget;
  }
  private get awaiting() {
    return this.session.awaiting;
  }
  private get market(): MarketSpec {
    return this.loaded.market;
  }
  /** Wall ms (client order indices, tokens, expiry). */
  private now(): number {
    return this.clock.wallMs();
  }
  private authToken(): string {
    return this.session.authToken();
  }
  private doubtNonce(): void {
    this.session.doubtNonce();
  }
  private markUnavailable(detail: string): void {
    this.session.markUnavailable(detail);
  }

  /** Orders signed ahead were signed for a nonce that is void now. */
  private discardSignedAhead(): void {
    this.prepared.clear();
    this.ticket = undefined;
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
    // (30003, a subscription's error, never reaches here: the session handles it.)
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

  /** 21108/21120/21136: a setting is wrong; no entry goes out until it is fixed and the bot restarted. */
  private failAuth(error: VenueError): void {
    if (this.authFailure === undefined) this.options.logger.error(`${error.message}`);
    this.authFailure = error.message;
    this.session.changed();
  }

  private handleOrders(orders: unknown): void {
    const read = readAccountOrders(orders);
    if (!read.ok) return void this.session.warnings.warn('account_all_orders', `Lighter account_all_orders frame refused: ${read.why}`);
    for (const o of read.value) {
      const pending = this.pending.get(o.client_order_index);
      if (pending !== undefined && isTerminal(o.status)) this.settle(pending, this.legFromOrder(pending.leg, o));
    }
  }

  private legFromOrder(leg: LegResult, o: StreamedOrder): LegResult {
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

  /** Unique across every market of the account (the session counts them). */
  private takeClientIndex(): number {
    return this.session.takeClientIndex();
  }

  /**
   * Whether an entry sent now would leave: keys that work, a venue that answers, the venue's own
   * back-off over, and a place for an entry in the shared request budget. Repairs are not held to
   * this: they go out whenever the venue takes them.
   */
  readiness(): ExecutionReadiness {
    // Open again only below, when the answer is `ready` or a place frees up at a known moment.
    const gate = this.readinessGate;
    gate.readyFrom = Infinity;
    if (this.signer === undefined)
      return { state: 'auth_failed', detail: 'Lighter was started for market data only (no API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX, LIGHTER_API_KEY_INDEX)' };
    if (this.authFailure !== undefined) return { state: 'auth_failed', detail: this.authFailure };
    if (!this.session.available) return { state: 'down', detail: this.session.detail ?? 'Lighter is unavailable' };
    // The budget runs on the clock's monotonic line, the one the port speaks (venue.ts).
    const now = this.clock.monoMs();
    const off = this.budget.backingOff(now);
    if (off !== undefined) return { state: 'backing_off', until: off.until, detail: `Lighter said ${off.detail}` };
    const at = this.budget.availableAt('entry', true, now);
    // Ready from `at` (now, or when the place frees up) so long as nothing changes: no place is
    // taken (the window only frees places as time passes), no pause comes, the venue stays up and
    // the credentials stand — and each of those closes the gate as it happens.
    gate.readyFrom = at;
    if (at > now) return { state: 'budget_empty', until: at, detail: this.budget.refusal('entry', true).message };
    return READY;
  }

  /** readiness() pushed (ReadinessGate): opened by readiness(), closed by every change that can make it refuse an entry. */
  readonly readinessGate: ReadinessGate = { readyFrom: Infinity };

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
    if (!Number.isSafeInteger(request.size) || request.size < spec.minSize || request.size > MAX_BASE_AMOUNT) {
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
  prepareMarketOrder(request: MarketOrderRequest, kind: SignAheadKind = 'book'): void {
    if (this.signer === undefined || this.loaded.spec === undefined || !this.nonces.trusted || this.orderProblem(request) !== undefined) return;
    if (this.prepared.holds(request, kind)) return;
    this.prepared.put(request, undefined, kind);
    try {
      // Every order held (both sides, both kinds) is for the same next nonce and ticket: whichever is sent uses it, and voids the others.
      const { nonce, clientOrderIndex, expiredAt } = this.nextTicket();
      const tx = this.signOrder(request, clientOrderIndex, nonce, expiredAt);
      this.prepared.put(request, { nonce, clientOrderIndex, expiredAt, tx, frame: Buffer.from(sendTxFrame(clientOrderIndex, tx.txInfo)) }, kind);
    } catch {
      return; // placeMarketOrder will meet the same problem and report it
    }
    setImmediate(this.precompute);
  }

  /** The bounds of the transactions held signed ahead for this side and size, for the nonce due now (see Execution.heldBounds). */
  heldBounds(side: OrderSide, size: number, now?: number): readonly number[] {
    return this.prepared.bounds(side, size, now);
  }

  placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    return this.followOrder(this.writeOrder(request));
  }

  /**
   * placeMarketOrder's first half (Execution.writeOrder): checks, a place in the budget and, for a
   * transaction signed ahead that is this very order for the nonce due now, its frame written and
   * the nonce taken — nothing else. Anything else goes the usual way here and now.
   */
  writeOrder(fresh: MarketOrderRequest, now?: number, limit?: number): LighterWritten {
    const purpose: BudgetPurpose = fresh.purpose === 'repair' ? 'repair' : 'entry';
    // The deciding turn's usual case — keys that work, an order this market takes, a nonce to trust
    // and a limit to choose a held order by — takes its place, then chooses and takes the held
    // order in one walk (takeNearest: chooseHeld then take). A held order passed orderProblem when
    // it was signed, so the fresh order's check stands for whichever is chosen.
    if (
      limit !== undefined &&
      fresh.reduceOnly !== true &&
      this.signer !== undefined &&
      (purpose !== 'entry' || this.authFailure === undefined) &&
      this.nonces.trusted &&
      this.orderProblem(fresh) === undefined
    ) {
      const placed = this.budget.tryTake(purpose, true);
      if (placed) {
        const ahead = this.prepared.takeNearest(fresh, limit, now);
        return this.afterPlace(ahead === undefined ? fresh : this.prepared.takenOrder!, purpose, true, ahead);
      }
      const request = chooseHeld(this.prepared, fresh, limit, now);
      if (purpose === 'entry') return this.usual(request, purpose, this.refuse(request, this.budget.refusal('entry', true)));
      return this.afterPlace(request, purpose, false, undefined);
    }
    const request = chooseHeld(this.prepared, fresh, limit, now);
    if (this.signer === undefined)
      return this.usual(
        request,
        purpose,
        this.refuse(
          request,
          new VenueError(
            'lighter',
            'auth',
            'Lighter orders need API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX (this venue was started for market data only)',
          ),
        ),
      );
    if (purpose === 'entry' && this.authFailure !== undefined)
      return this.usual(request, purpose, this.refuse(request, new VenueError('lighter', 'auth', `Lighter entry not sent: ${this.authFailure}`)));
    const problem = this.orderProblem(request);
    if (problem !== undefined) return this.usual(request, purpose, this.refuse(request, problem));
    // An entry leaves now or not at all (the engine asked readyForOrder first); a repair waits for
    // its place, first in line.
    const placed = this.budget.tryTake(purpose, true);
    if (!placed && purpose === 'entry') return this.usual(request, purpose, this.refuse(request, this.budget.refusal('entry', true)));
    // A transaction signed ahead is used once, if it is this very order for the nonce due now; it
    // brings its own ticket, which may be older than the current one.
    return this.afterPlace(request, purpose, placed, placed && this.nonces.trusted ? this.prepared.take(request, now) : undefined);
  }

  /** writeOrder once the order to send is known and its place taken (or, for a repair, not): `ahead`, the transaction held for it. */
  private afterPlace(request: MarketOrderRequest, purpose: BudgetPurpose, placed: boolean, ahead: SignedOrder | undefined): LighterWritten {
    // Its ready frame is written before anything else is set up: the other leg of the entry may be
    // waiting for this call to return, and no reply can be read before this turn ends. A socket
    // that is down takes nothing: then it goes the usual way (REST).
    if (ahead !== undefined && this.session.send(ahead.frame)) {
      const sentAt = this.clock.monoMs();
      this.nonces.take();
      return { request, purpose, ahead, sentAt, usual: undefined };
    }
    let ticket: Ticket;
    try {
      ticket = ahead ?? this.nextTicket();
    } catch (e) {
      return this.usual(request, purpose, this.refuse(request, e as VenueError));
    }
    const leg = this.newLeg(request, ticket.clientOrderIndex, this.clock.monoMs());
    return this.usual(
      request,
      purpose,
      this.track(leg, ticket, request, purpose, (pending) => {
        if (placed && this.nonces.trusted) this.send(pending, ahead?.tx);
        else void this.sendWhenReady(pending, placed);
      }),
    );
  }

  /** placeMarketOrder's second half (Execution.followOrder): a written order is waited for (track), then its outcome. */
  followOrder(written: LighterWritten): Promise<LegResult> {
    if (written.usual !== undefined) return written.usual;
    const ahead = written.ahead!;
    return this.track(this.newLeg(written.request, ahead.clientOrderIndex, written.sentAt), ahead, written.request, written.purpose, (pending) =>
      this.launch(pending, ahead.tx, true),
    );
  }

  /** writeOrder's answer for an order that went the usual way. */
  private usual(request: MarketOrderRequest, purpose: BudgetPurpose, outcome: Promise<LegResult>): LighterWritten {
    return { request, purpose, ahead: undefined, sentAt: NaN, usual: outcome };
  }

  private newLeg(request: MarketOrderRequest, clientOrderIndex: number, sentAt: number): LegResult {
    return sentLeg('lighter', request, String(clientOrderIndex), sentAt);
  }

  /** The order is waited for under its client order index until the account stream, a reply or its deadline settles it. */
  private track(leg: LegResult, ticket: Ticket, request: MarketOrderRequest, purpose: BudgetPurpose, go: (pending: PendingOrder) => void): Promise<LegResult> {
    return new Promise<LegResult>((finish) => {
      const pending: PendingOrder = { leg, clientOrderIndex: ticket.clientOrderIndex, expiredAt: ticket.expiredAt, request, purpose, retriedNonce: false, finish };
      this.pending.set(ticket.clientOrderIndex, pending);
      go(pending);
    });
  }

  /** A request refused here, before anything was sent. */
  private refuse(request: MarketOrderRequest, error: VenueError): Promise<LegResult> {
    this.options.logger.warn(error.message);
    const at = this.clock.monoMs();
    return Promise.resolve({ ...this.newLeg(request, 0, at), state: 'rejected', confirmedAt: at, error });
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
    const written = this.session.send(sendTxFrame(pending.clientOrderIndex, signed.txInfo));
    pending.leg.sentAt = this.clock.monoMs();
    this.launch(pending, signed, written);
  }

  /** After the write (or a socket that was down): the order awaits its answer and its deadline; REST carries it when the socket did not. */
  private launch(pending: PendingOrder, signed: SignedTx, written: boolean): void {
    if (written) this.awaiting.sent(pending.clientOrderIndex, pending.leg.sentAt);
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => void this.onDeadline(pending), this.options.orderTimeoutMs ?? 3000);
    // Refill the signer's nonce commitments once this turn's hot path is over.
    setImmediate(this.precompute);
    if (written) return;
    this.rest.sendTx(TX_TYPE.CREATE_ORDER, signed.txInfo, this.options.orderTimeoutMs ?? 3000, null).then(
      (body: unknown) => {
        // An acceptance we cannot read says nothing: the deadline looks the order up.
        const read = readSendTx(body);
        if (read.ok) pending.acknowledged = true;
        else this.options.logger.warn(`${replyRefused('POST /api/v1/sendTx', read.why).message}; order ${pending.clientOrderIndex} is looked up at its deadline`);
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
      const inactive = readInactiveOrders(
        await this.rest.get<unknown>('accountInactiveOrders', { account_index: account, market_id: this.market.marketId!, limit: 100 }, this.authToken(), undefined, null),
      );
      if (!inactive.ok) throw replyRefused('GET /api/v1/accountInactiveOrders', inactive.why);
      const done = inactive.value.find((o) => o.client_order_index === want);
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
    const read = readTrades(
      await this.rest.get<unknown>(
        'trades',
        { account_index: this.signer!.accountIndex, market_id: this.market.marketId!, sort_by: 'timestamp', sort_dir: 'desc', limit },
        this.authToken(),
        undefined,
        'lookup',
      ),
    );
    if (!read.ok) throw replyRefused('GET /api/v1/trades', read.why);
    return read.value;
  }

  /** Whether the venue executed a transaction we sent (GET /api/v1/tx by hash). */
  async txStatus(txHash: string): Promise<Record<string, unknown>> {
    const read = readTx(await this.rest.get<unknown>('tx', { by: 'hash', value: txHash }, undefined, undefined, 'lookup'));
    if (!read.ok) throw replyRefused('GET /api/v1/tx', read.why);
    return read.value;
  }

  fetchPosition(): Promise<number> {
    return this.account.fetchPosition();
  }
}
