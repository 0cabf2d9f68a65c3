// The simulated venues' matching engine: one per venue and market, price-time priority, with
// per-account positions, fills and fees. Synchronous and deterministic, so a test or a seeded
// run replays exactly. The "house" account holds the generator's liquidity and is replaced
// wholesale on every market frame; user orders rest beside it and are never touched by that.

import type { OrderSide } from '../core/types.js';
import type { SimBookListener, SimFill, SimLevelChange, SimMarketSpec, SimMatchingEngine, SimOrder, SimOrderRequest, SimPlaceOutcome, SimPosition } from './types.js';

export const HOUSE_ACCOUNT = 'house';

interface Level {
  price: number;
  /** Resting orders, oldest first (time priority). */
  queue: SimOrder[];
}

/** One side of the book: levels sorted best first. */
class Side {
  readonly levels: Level[] = [];
  constructor(private readonly isBid: boolean) {}

  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  level(price: number, create: boolean): Level | undefined {
    const levels = this.levels;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = levels[mid].price;
      if (p === price) return levels[mid];
      if (this.better(p, price)) lo = mid + 1;
      else hi = mid;
    }
    if (!create) return undefined;
    const created: Level = { price, queue: [] };
    levels.splice(lo, 0, created);
    return created;
  }

  removeEmpty(level: Level): void {
    if (level.queue.length > 0) return;
    const i = this.levels.indexOf(level);
    if (i >= 0) this.levels.splice(i, 1);
  }
}

function remaining(o: SimOrder): number {
  return o.size - o.executedSize;
}

function emptyPosition(account: string): SimPosition {
  return { account, size: 0, openNotional: 0, realizedPnl: 0, feesPaid: 0 };
}

class MatchingEngine implements SimMatchingEngine {
  private readonly bids = new Side(true);
  private readonly asks = new Side(false);
  private readonly ordersById = new Map<number, SimOrder>();
  private readonly ordersByAccount = new Map<string, SimOrder[]>();
  /**
   * Per account, every order that may still be open, in the order sent. An order that ends never
   * opens again, so one found closed is dropped for good: a look at open orders costs what is
   * open (plus each order once, when it has ended), not every order the account ever sent.
   */
  private readonly maybeOpen = new Map<string, Set<SimOrder>>();
  private readonly fillsByAccount = new Map<string, SimFill[]>();
  private readonly positionsByAccount = new Map<string, SimPosition>();
  private readonly listeners = new Set<SimBookListener>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  private houseMid: number | undefined;
  /** Level totals before the current mutation, keyed by side and price; emitted as changes after it. */
  private touched = new Map<string, { side: 'bid' | 'ask'; price: number; before: number }>();

  constructor(
    readonly market: SimMarketSpec,
    private readonly now: () => number,
  ) {}

  // ---- queries ----

  order(orderId: number): SimOrder | undefined {
    return this.ordersById.get(orderId);
  }
  orderByClientId(account: string, clientOrderId: string): SimOrder | undefined {
    const list = this.ordersByAccount.get(account) ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i].clientOrderId === clientOrderId) return list[i];
    return undefined;
  }
  orders(account: string): SimOrder[] {
    return [...(this.ordersByAccount.get(account) ?? [])];
  }
  openOrders(account: string): SimOrder[] {
    const candidates = this.maybeOpen.get(account);
    const open: SimOrder[] = [];
    if (candidates === undefined) return open;
    for (const o of candidates) {
      if (o.status === 'new' || o.status === 'partiallyFilled') open.push(o);
      else candidates.delete(o);
    }
    return open;
  }
  fills(account: string): SimFill[] {
    return [...(this.fillsByAccount.get(account) ?? [])];
  }
  position(account: string): SimPosition {
    return { ...(this.positionsByAccount.get(account) ?? emptyPosition(account)) };
  }
  positions(): SimPosition[] {
    return [...this.positionsByAccount.values()].filter((p) => p.account !== HOUSE_ACCOUNT).map((p) => ({ ...p }));
  }
  levels(side: 'bid' | 'ask', depth = Infinity): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const level of (side === 'bid' ? this.bids : this.asks).levels) {
      if (out.length >= depth) break;
      out.push([level.price, this.total(level)]);
    }
    return out;
  }
  bestBid(): number | undefined {
    return this.bids.levels[0]?.price;
  }
  bestAsk(): number | undefined {
    return this.asks.levels[0]?.price;
  }
  mid(): number | undefined {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    if (bid !== undefined && ask !== undefined) return Math.floor((bid + ask) / 2);
    return this.houseMid;
  }
  onBookChange(listener: SimBookListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- mutations ----

  place(request: SimOrderRequest): SimPlaceOutcome {
    const at = this.now();
    const order: SimOrder = {
      orderId: this.nextOrderId++,
      clientOrderId: request.clientOrderId,
      account: request.account,
      side: request.side,
      type: request.type,
      size: request.size,
      price: request.price,
      timeInForce: request.type === 'market' ? 'IOC' : request.timeInForce,
      postOnly: request.postOnly === true,
      reduceOnly: request.reduceOnly === true,
      status: 'new',
      executedSize: 0,
      executedNotional: 0,
      fee: 0,
      createdAt: at,
      updatedAt: at,
    };
    this.ordersById.set(order.orderId, order);
    this.listFor(this.ordersByAccount, order.account).push(order);
    this.candidatesFor(order.account).add(order);
    const outcome: SimPlaceOutcome = { order, fills: [], touchedOrders: [] };

    const reason = this.validate(order);
    if (reason !== undefined) {
      order.status = 'rejected';
      order.rejectReason = reason;
      return outcome;
    }
    if (order.reduceOnly) {
      const position = this.position(order.account).size;
      const reducible = order.side === 'buy' ? -position : position;
      if (reducible <= 0) {
        order.status = 'rejected';
        order.rejectReason = 'reduce_only_would_increase';
        return outcome;
      }
      if (order.size > reducible) order.size = reducible;
    }
    const opposite = order.side === 'buy' ? this.asks : this.bids;
    const crosses = (price: number): boolean => order.price === undefined || (order.side === 'buy' ? price <= order.price : price >= order.price);
    if (order.postOnly && opposite.levels.length > 0 && crosses(opposite.levels[0].price)) {
      order.status = 'rejected';
      order.rejectReason = 'post_only_would_cross';
      return outcome;
    }
    let want = order.size;
    if (request.fillLimit !== undefined) want = Math.min(want, request.fillLimit);
    if (order.timeInForce === 'FOK' && this.available(opposite, crosses, order.size) < order.size) {
      order.status = 'expired';
      order.updatedAt = at;
      return outcome;
    }

    this.beginMutation();
    this.match(order, opposite, crosses, want, outcome, at);
    const fullyDone = order.executedSize === order.size;
    if (fullyDone) order.status = 'filled';
    else if (order.type === 'limit' && order.timeInForce === 'GTC' && request.fillLimit === undefined) {
      this.rest(order);
      order.status = order.executedSize > 0 ? 'partiallyFilled' : 'new';
    } else {
      order.status = 'expired';
      if (order.executedSize === 0 && order.type === 'market') order.rejectReason = 'no_liquidity';
    }
    order.updatedAt = at;
    this.endMutation();
    return outcome;
  }

  cancel(account: string, orderId: number): SimOrder | undefined {
    const order = this.ordersById.get(orderId);
    if (order === undefined || order.account !== account) return undefined;
    if (order.status !== 'new' && order.status !== 'partiallyFilled') return undefined;
    this.beginMutation();
    this.unrest(order);
    order.status = 'cancelled';
    order.updatedAt = this.now();
    this.endMutation();
    return order;
  }

  cancelAll(account: string): SimOrder[] {
    const open = this.openOrders(account);
    this.beginMutation();
    for (const order of open) {
      this.unrest(order);
      order.status = 'cancelled';
      order.updatedAt = this.now();
    }
    this.endMutation();
    return open;
  }

  setHouseLiquidity(bids: ReadonlyArray<readonly [number, number]>, asks: ReadonlyArray<readonly [number, number]>): void {
    const at = this.now();
    this.beginMutation();
    for (const order of this.openOrders(HOUSE_ACCOUNT)) {
      this.unrest(order);
      order.status = 'cancelled';
    }
    // The house keeps no history: its orders are bookkeeping for liquidity, not trades to audit.
    // Its list holds exactly the house orders still indexed by id (the previous update dropped the rest).
    for (const o of this.ordersByAccount.get(HOUSE_ACCOUNT) ?? []) this.ordersById.delete(o.orderId);
    this.ordersByAccount.set(HOUSE_ACCOUNT, []);
    this.maybeOpen.delete(HOUSE_ACCOUNT);
    const bestBid = bids[0]?.[0];
    const bestAsk = asks[0]?.[0];
    if (bestBid !== undefined && bestAsk !== undefined) this.houseMid = Math.floor((bestBid + bestAsk) / 2);
    const scratch: SimPlaceOutcome = { order: undefined as unknown as SimOrder, fills: [], touchedOrders: [] };
    for (const [side, levels] of [
      ['buy', bids],
      ['sell', asks],
    ] as const) {
      for (const [price, size] of levels) {
        if (size <= 0) continue;
        const order: SimOrder = {
          orderId: this.nextOrderId++,
          account: HOUSE_ACCOUNT,
          side,
          type: 'limit',
          size,
          price,
          timeInForce: 'GTC',
          postOnly: false,
          reduceOnly: false,
          status: 'new',
          executedSize: 0,
          executedNotional: 0,
          fee: 0,
          createdAt: at,
          updatedAt: at,
        };
        this.ordersById.set(order.orderId, order);
        this.listFor(this.ordersByAccount, HOUSE_ACCOUNT).push(order);
        this.candidatesFor(HOUSE_ACCOUNT).add(order);
        const opposite = side === 'buy' ? this.asks : this.bids;
        // House liquidity that crosses a resting user order trades against it, as a real maker would.
        this.match(order, opposite, (p) => (side === 'buy' ? p <= price : p >= price), size, scratch, at);
        if (remaining(order) > 0) this.rest(order);
        else order.status = 'filled';
      }
    }
    this.endMutation();
  }

  // ---- internals ----

  private validate(order: SimOrder): SimOrder['rejectReason'] {
    const m = this.market;
    if (!Number.isSafeInteger(order.size) || order.size <= 0 || order.size % m.stepSize !== 0) return 'size_off_grid';
    if (order.size < m.minSize) return 'size_below_minimum';
    if (order.price !== undefined) {
      if (!Number.isSafeInteger(order.price) || order.price <= 0 || order.price % m.tickSize !== 0) return 'price_off_grid';
      const mid = this.mid();
      if (m.priceBandBps > 0 && mid !== undefined && Math.abs(order.price - mid) * 10_000 > mid * m.priceBandBps) return 'price_out_of_band';
    } else if (order.type === 'limit') return 'price_off_grid';
    return undefined;
  }

  private available(opposite: Side, crosses: (price: number) => boolean, upTo: number): number {
    let total = 0;
    for (const level of opposite.levels) {
      if (!crosses(level.price) || total >= upTo) break;
      total += this.total(level);
    }
    return total;
  }

  private match(taker: SimOrder, opposite: Side, crosses: (price: number) => boolean, want: number, outcome: SimPlaceOutcome, at: number): void {
    let left = want - taker.executedSize;
    while (left > 0 && opposite.levels.length > 0) {
      const level = opposite.levels[0];
      if (!crosses(level.price)) break;
      this.touch(opposite === this.bids ? 'bid' : 'ask', level.price, level);
      while (left > 0 && level.queue.length > 0) {
        const maker = level.queue[0];
        const qty = Math.min(left, remaining(maker));
        this.execute(maker, level.price, qty, 'maker', outcome, at, taker.orderId);
        this.execute(taker, level.price, qty, 'taker', outcome, at, maker.orderId);
        left -= qty;
        if (remaining(maker) === 0) {
          maker.status = 'filled';
          level.queue.shift();
        } else maker.status = 'partiallyFilled';
        maker.updatedAt = at;
        if (maker.account !== HOUSE_ACCOUNT && !outcome.touchedOrders.includes(maker)) outcome.touchedOrders.push(maker);
      }
      opposite.removeEmpty(level);
    }
  }

  private execute(order: SimOrder, price: number, size: number, liquidity: 'maker' | 'taker', outcome: SimPlaceOutcome, at: number, counterOrderId: number): void {
    const notional = price * size;
    const bps = liquidity === 'maker' ? this.market.makerFeeBps : this.market.takerFeeBps;
    const fee = order.account === HOUSE_ACCOUNT ? 0 : Math.ceil((notional * bps) / 10_000 - 1e-9);
    order.executedSize += size;
    order.executedNotional += notional;
    order.fee += fee;
    const fill: SimFill = {
      tradeId: this.nextTradeId++,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      account: order.account,
      side: order.side,
      price,
      size,
      fee,
      liquidity,
      counterOrderId,
      timestamp: at,
    };
    if (order.account !== HOUSE_ACCOUNT) {
      this.listFor(this.fillsByAccount, order.account).push(fill);
      outcome.fills.push(fill);
    }
    this.applyToPosition(order.account, order.side, price, size, fee);
  }

  private applyToPosition(account: string, side: OrderSide, price: number, size: number, fee: number): void {
    let p = this.positionsByAccount.get(account);
    if (p === undefined) {
      p = emptyPosition(account);
      this.positionsByAccount.set(account, p);
    }
    p.feesPaid += fee;
    const signed = side === 'buy' ? size : -size;
    if (p.size === 0 || Math.sign(p.size) === Math.sign(signed)) {
      p.size += signed;
      p.openNotional += signed * price;
      return;
    }
    const closing = Math.min(size, Math.abs(p.size));
    // Entry cost of the part being closed, pro rata; the rounding stays in the open remainder.
    const entryPart = proRata(p.openNotional, closing, Math.abs(p.size));
    const direction = Math.sign(p.size);
    p.realizedPnl += direction * (closing * price) - entryPart;
    p.openNotional -= entryPart;
    p.size += signed;
    if (p.size === 0) p.openNotional = 0;
    else if (Math.sign(p.size) === Math.sign(signed)) p.openNotional = p.size * price; // flipped through zero
  }

  private rest(order: SimOrder): void {
    const side = order.side === 'buy' ? this.bids : this.asks;
    const level = side.level(order.price!, true)!;
    this.touch(order.side === 'buy' ? 'bid' : 'ask', level.price, level);
    level.queue.push(order);
  }

  private unrest(order: SimOrder): void {
    const side = order.side === 'buy' ? this.bids : this.asks;
    const level = side.level(order.price!, false);
    if (level === undefined) return;
    this.touch(order.side === 'buy' ? 'bid' : 'ask', level.price, level);
    const i = level.queue.indexOf(order);
    if (i >= 0) level.queue.splice(i, 1);
    side.removeEmpty(level);
  }

  private total(level: Level): number {
    let sum = 0;
    for (const o of level.queue) sum += remaining(o);
    return sum;
  }

  private touch(side: 'bid' | 'ask', price: number, level: Level): void {
    const key = `${side}:${price}`;
    if (!this.touched.has(key)) this.touched.set(key, { side, price, before: this.total(level) });
  }

  private beginMutation(): void {
    this.touched.clear();
  }

  private endMutation(): void {
    if (this.touched.size === 0) return;
    const changes: SimLevelChange[] = [];
    for (const { side, price, before } of this.touched.values()) {
      const level = (side === 'bid' ? this.bids : this.asks).level(price, false);
      const now = level === undefined ? 0 : this.total(level);
      if (now !== before) changes.push({ side, price, size: now });
    }
    this.touched.clear();
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }

  private candidatesFor(account: string): Set<SimOrder> {
    let set = this.maybeOpen.get(account);
    if (set === undefined) {
      set = new Set();
      this.maybeOpen.set(account, set);
    }
    return set;
  }

  private listFor<T>(map: Map<string, T[]>, account: string): T[] {
    let list = map.get(account);
    if (list === undefined) {
      list = [];
      map.set(account, list);
    }
    return list;
  }
}

/** round(total · part / whole), halves away from zero, exact: the product passes 2^53 on large positions. */
function proRata(total: number, part: number, whole: number): number {
  const num = BigInt(total) * BigInt(part);
  const den = BigInt(whole);
  const q = (2n * (num < 0n ? -num : num) + den) / (2n * den);
  return Number(num < 0n ? -q : q);
}

export function createMatchingEngine(market: SimMarketSpec, options: { now?: () => number } = {}): SimMatchingEngine {
  return new MatchingEngine(market, options.now ?? Date.now);
}
