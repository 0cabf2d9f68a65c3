// Backpack execution: client ids, orders signed ahead and sent on the order line, and their
// outcome confirmed from the HTTP reply, from the order stream, or — when both are lost — from the
// venue's order and fill history; the real fee from the fills; readiness after a 429.

import { formatFixed, parseFixed } from '../../core/fixed.js';
import type { OrderSide } from '../../core/types.js';
import type { MarketSpec } from '../types.js';
import { SIGNED_AHEAD_MAX_AGE_MS, SignedAhead } from '../signed-ahead.js';
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
import type { LineWrite } from '../http-line.js';
import type { BackpackAccount } from './account.js';
import type { BackpackMarketData, Fees } from './market-data.js';
import { readAccountFees, readFills, readOrder, readOrderHistory, readOrderUpdate, type OrderReply } from './messages.js';
import { replyRefused } from './errors.js';
import { clampIntoBands } from './price-bands.js';
import type { PreparedRequest } from './rest.js';
import { asVenueError, type BackpackSession } from './session.js';

const TERMINAL = new Set(['Filled', 'Cancelled', 'Expired', 'TriggerFailed']);

/** An order request signed and ready to write. */
interface SignedOrder {
  clientId: number;
  request: PreparedRequest;
}

/** writeOrder's answer: the order written on the order line (its reply still to be asked for), or the usual way's outcome. */
interface BackpackWritten extends WrittenOrder {
  order: SignedOrder | undefined;
  sentAt: number;
  line: LineWrite | undefined;
  usual: Promise<LegResult> | undefined;
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
export class BackpackExecution implements DetachedExecution {
  /** Orders signed ahead, one per side (see prepareMarketOrder). */
  private readonly prepared: SignedAhead<SignedOrder>;
  /** The clock's reading as the latest order written by writeOrder was handed to the OS (stampWritten). */
  private writtenAt = NaN;
  /** Takes that reading; made once, so the write allocates no callback. */
  private readonly stampWritten = (): void => {
    this.writtenAt = this.clock.monoMs();
  };
  /** What account.orderUpdate has told us per clientId: cumulative executed size/quote, fees, status. */
  private readonly streamed = new Map<string, StreamedOrder>();

  constructor(
    private readonly session: BackpackSession,
    private readonly data: BackpackMarketData,
    private readonly account: BackpackAccount,
  ) {
    const { options, clock } = session;
    this.prepared = new SignedAhead(options.preparedOrderMaxAgeMs ?? SIGNED_AHEAD_MAX_AGE_MS, undefined, clock);
  }

  /** Routes the order stream (with keys only); subscribed in routing order when the session connects. */
  listen(): void {
    if (this.session.signer !== undefined) this.session.route(`account.orderUpdate.${this.data.symbol}`, (data) => this.handleOrderUpdate(data), { prefix: 'account.orderUpdate' });
  }

  private get options() {
    return this.session.options;
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
  private get market(): MarketSpec {
    return this.data.market;
  }
  private get symbol(): string {
    return this.data.symbol;
  }

  /**
   * The account's fees, asked before the market's feeds open (which also proves the keys work
   * before any order is at stake); without keys VIP-1's 5 / 2 bps, unless overridden.
   */
  async loadFees(): Promise<Fees> {
    let fees = { takerFeeBps: this.options.takerFeeBps ?? 5, makerFeeBps: this.options.makerFeeBps ?? 2 };
    if (this.signer !== undefined) {
      const read = readAccountFees(await this.rest.signed<unknown>('GET', '/api/v1/account', 'accountQuery'));
      if (!read.ok) throw replyRefused('GET /api/v1/account', read.why);
      const account = read.value.fees;
      if (account !== undefined) fees = { takerFeeBps: this.options.takerFeeBps ?? account.takerBps, makerFeeBps: this.options.makerFeeBps ?? account.makerBps };
    }
    return fees;
  }

  /** With keys, the order line (a connection kept open for orders) opens once the market is known. */
  attach(): void {
    if (this.signer !== undefined) this.rest.openOrderLine();
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

  /** readiness() as a field: ready from the end of the 429 back-off, which the REST client moves as it sets it. */
  get readinessGate(): ReadinessGate {
    return this.rest.backoffGate;
  }

  readyForOrder(): boolean {
    return this.readiness().state === 'ready';
  }

  /** Keeps the cumulative fill and fee per clientId: a confirmation path besides the HTTP reply. */
  private handleOrderUpdate(data: unknown): void {
    const read = readOrderUpdate(data);
    if (!read.ok) return void this.session.warnings.warn('orderUpdate', `Backpack account.orderUpdate frame refused: ${read.why}`);
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

  /** Unique across every market of the account (the session counts them). */
  private takeClientId(): number {
    return this.session.takeClientId();
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
      const data = this.data;
      const live = data.bookValid;
      // The venue sends a mark about once a second; one older than 10 s says nothing about the band now.
      const mark = data.markFor(request.side);
      const refs = { bestBid: live ? data.book.bestBid : undefined, bestAsk: live ? data.book.bestAsk : undefined, markPrice: mark };
      const worstPrice = data.bands === undefined ? request.worstPrice : clampIntoBands(request.side, request.worstPrice, data.bands, spec.tickSize, refs);
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
   * and kind (the current book's, the threshold level's) while fresh; a price or size that moved
   * signs that one again.
   */
  prepareMarketOrder(request: MarketOrderRequest, kind: SignAheadKind = 'book'): void {
    if (this.signer === undefined || this.data.spec === undefined) return;
    if (this.prepared.holds(request, kind)) return;
    const signed = this.signOrder(request);
    this.prepared.put(request, signed instanceof VenueError ? undefined : signed, kind);
  }

  /** The bounds of the orders held signed ahead for this side and size (see Execution.heldBounds). */
  heldBounds(side: OrderSide, size: number, now?: number): readonly number[] {
    return this.prepared.bounds(side, size, now);
  }

  async placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    return this.followOrder(this.writeOrder(request));
  }

  /**
   * placeMarketOrder's first half (Execution.writeOrder): an order signed ahead that is this very
   * order and still fresh is written on the free order line and nothing else is done; any other
   * order goes the usual way here and now (signed on the spot, on the order line or through the agent).
   */
  writeOrder(request: MarketOrderRequest, now?: number, limit?: number): BackpackWritten {
    // An order signed ahead is used once, if it is this very order (or, with a limit, the one
    // chooseHeld chooses) and still fresh.
    const prepared = this.prepared;
    let order = request;
    let held: SignedOrder | undefined;
    if (limit === undefined || request.reduceOnly === true) held = prepared.take(request, now);
    else if ((held = prepared.takeNearest(request, limit, now)) !== undefined) order = prepared.takenOrder!;
    if (held !== undefined) {
      // sentAt is when the request has been handed to the OS (stampWritten, right after the write).
      const line = this.rest.writeUrgent(held.request, this.stampWritten);
      if (line !== undefined) return { request: order, order: held, sentAt: this.writtenAt, line, usual: undefined };
    }
    return { request: order, order: held, sentAt: NaN, line: undefined, usual: this.sendUsual(order, held ?? this.signOrder(order)) };
  }

  /** placeMarketOrder's second half (Execution.followOrder): the written order's outcome. */
  followOrder(written: BackpackWritten): Promise<LegResult> {
    if (written.usual !== undefined) return written.usual;
    const order = written.order!;
    const leg = sentLeg('backpack', written.request, String(order.clientId), written.sentAt);
    return this.outcome(leg, order.clientId, this.rest.reply<unknown>(order.request, written.line!, this.options.orderTimeoutMs ?? 3000), false);
  }

  /** An order that did not leave as soon as it was written: signed on the spot or refused, sent on the order line or through the agent. */
  private sendUsual(request: MarketOrderRequest, order: SignedOrder | VenueError): Promise<LegResult> {
    const leg = sentLeg('backpack', request, order instanceof VenueError ? '' : String(order.clientId), this.clock.monoMs());
    if (order instanceof VenueError) return Promise.resolve({ ...leg, state: 'rejected', confirmedAt: this.clock.monoMs(), error: order });
    // sentAt is when the request has been handed to the OS: at once on the order connection, a tick later through the agent.
    const reply = this.rest.send<unknown>(order.request, { timeoutMs: this.options.orderTimeoutMs ?? 3000, onWritten: () => (leg.sentAt = this.clock.monoMs()), urgent: true });
    return this.outcome(leg, order.clientId, reply, true);
  }

  /**
   * The outcome of an order on its way, from its reply or the order stream. `later`: the stream's
   * waiter is set up just after this turn, once the other leg of an entry is on its way too (no
   * stream frame and no reply can be read before then); followOrder runs after both legs are written.
   */
  private async outcome(leg: LegResult, clientId: number, reply: Promise<unknown>, later: boolean): Promise<LegResult> {
    // The order stream is a second confirmation path: whichever of it and the reply settles first wins.
    if (later) await Promise.resolve();
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
        return this.withRealFee(this.legFromReply(leg, await reply));
      }
      return this.withRealFee(this.legFromReply(leg, first.order));
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

  /**
   * The leg from the order's reply. A reply that cannot be read leaves the leg `unknown` (it may
   * have executed), with one error line; the engine follows it up by lookup.
   */
  private legFromReply(leg: LegResult, body: unknown): LegResult {
    const read = readOrder(body);
    if (read.ok) return this.legFromOrder(leg, read.value);
    const err = replyRefused('POST /api/v1/order', `${read.why}; the order's outcome is looked up`);
    this.options.logger.error(err.message);
    return { ...leg, state: 'unknown', error: err };
  }

  private legFromOrder(leg: LegResult, order: OrderReply, fee?: number): LegResult {
    const spec = this.market;
    const filled = parseFixed(order.executedQuantity, spec.sizeScale);
    const notional = parseFixed(order.executedQuoteQuantity, spec.priceScale + spec.sizeScale);
    const venueOrderId = order.id;
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
      let order: OrderReply | undefined;
      try {
        const read = readOrder(await this.rest.signed<unknown>('GET', '/api/v1/order', 'orderQuery', { clientId, symbol: this.symbol }));
        if (read.ok) order = read.value;
        else this.options.logger.warn(`${replyRefused('GET /api/v1/order', read.why).message}; asking the order history`);
      } catch (e) {
        if (!(e instanceof VenueError) || (e.code !== 'RESOURCE_NOT_FOUND' && e.code !== 404)) throw e;
      }
      if (order === undefined || !TERMINAL.has(order.status)) {
        const history = readOrderHistory(
          await this.rest.signed<unknown>('GET', '/wapi/v1/history/orders', 'orderHistoryQueryAll', { limit: 100, sortDirection: 'Desc', symbol: this.symbol }),
          leg.clientOrderId,
        );
        // A history that cannot be read takes nothing away from what the order query said.
        if (!history.ok) this.options.logger.warn(replyRefused('GET /wapi/v1/history/orders', history.why).message);
        else if (history.value !== undefined) order = history.value;
      }
      if (order === undefined) {
        return {
          ...leg,
          state: 'unknown',
          error: new VenueError('backpack', 'timeout', `Backpack order clientId ${clientId} not found in open orders or history yet; outcome unknown`),
        };
      }
      const spec = this.market;
      const executed = parseFixed(order.executedQuantity, spec.sizeScale);
      const fee = executed === 0 ? 0 : await this.feeOf(order.id ?? '', leg.clientOrderId, executed);
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
      const fills = readFills(await this.rest.signed<unknown>('GET', '/wapi/v1/history/fills', 'fillHistoryQueryAll', { orderId, symbol: this.symbol }), orderId, clientId);
      if (!fills.ok) {
        this.options.logger.debug(replyRefused('GET /wapi/v1/history/fills', fills.why).message);
        return undefined;
      }
      let fee = 0;
      let traded = 0;
      for (const f of fills.value) {
        traded += parseFixed(f.quantity, this.market.sizeScale);
        fee += f.fee;
      }
      // History lags the engine: a partial list would understate the fee as if it were final.
      return traded >= executed ? fee : undefined;
    } catch (e) {
      this.options.logger.debug(`Backpack fills of order ${orderId}: ${(e as Error).message}`);
      return undefined;
    }
  }

  fetchPosition(): Promise<number> {
    return this.account.fetchPosition();
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
