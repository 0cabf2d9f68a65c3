// L2 order book keyed by price. Prices and sizes are fixed-point integers at the market's scales.
//
// Each side is a pair of parallel arrays sorted so that the best level is the LAST element: bids
// ascending, asks descending. Updates cluster near the top of the book, so inserts and deletes
// there touch only the tail of the array, and the best price is a plain index read. Sequence
// rules (update ids, nonce chains) belong to the venue adapters, not here.

import type { BookSide, OrderSide } from './types.js';

export type Level = readonly [price: number, size: number];

export interface FillEstimate {
  /** Quantity the book can fill, at most the quantity asked for. */
  filled: number;
  /** Σ price·size over the levels used (priceScale + sizeScale decimals). */
  notional: number;
  /** Average price as a float, for decisions and display only; never for an order. */
  avgPrice: number;
  /** Price of the last level touched: the worst price paid or received. */
  worstPrice: number;
  /** True when the book holds enough depth to fill the whole quantity. */
  complete: boolean;
}

class BookHalf {
  prices: number[] = [];
  sizes: number[] = [];
  constructor(private readonly ascending: boolean) {}

  /** Index of price, or −(insertion point) − 1 when absent. */
  private find(price: number): number {
    const prices = this.prices;
    let lo = 0;
    let hi = prices.length - 1;
    // Fast path: most updates hit the top few levels at the tail.
    if (hi >= 0 && prices[hi] === price) return hi;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = prices[mid];
      if (p === price) return mid;
      if (this.ascending ? p < price : p > price) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  set(price: number, size: number): void {
    const i = this.find(price);
    const prices = this.prices;
    const sizes = this.sizes;
    if (size === 0) {
      if (i >= 0) {
        // The levels above it move down one (a short walk: updates cluster at the tail); no
        // array of removed elements is made, as splice would make one on every call.
        const last = prices.length - 1;
        for (let j = i; j < last; j++) {
          prices[j] = prices[j + 1];
          sizes[j] = sizes[j + 1];
        }
        prices.pop();
        sizes.pop();
      }
      return;
    }
    if (i >= 0) {
      sizes[i] = size;
      return;
    }
    const at = -i - 1;
    // The levels from `at` on move up one, then the new level goes in at `at` (at the end: a push).
    let j = prices.length;
    prices.push(price);
    sizes.push(size);
    for (; j > at; j--) {
      prices[j] = prices[j - 1];
      sizes[j] = sizes[j - 1];
    }
    prices[at] = price;
    sizes[at] = size;
  }

  replace(levels: Iterable<Level>): void {
    const sorted = [...levels].filter((l) => l[1] !== 0);
    sorted.sort((a, b) => (this.ascending ? a[0] - b[0] : b[0] - a[0]));
    this.prices = sorted.map((l) => l[0]);
    this.sizes = sorted.map((l) => l[1]);
  }

  clear(): void {
    this.prices = [];
    this.sizes = [];
  }
}

export class OrderBook {
  private readonly bidHalf = new BookHalf(true);
  private readonly askHalf = new BookHalf(false);

  /** Replaces both sides. Levels may come in any order; zero sizes are dropped. */
  applySnapshot(bids: Iterable<Level>, asks: Iterable<Level>): void {
    this.bidHalf.replace(bids);
    this.askHalf.replace(asks);
  }

  /** Sets the absolute size at a price; size 0 removes the level. */
  update(side: BookSide, price: number, size: number): void {
    (side === 'bid' ? this.bidHalf : this.askHalf).set(price, size);
  }

  clear(): void {
    this.bidHalf.clear();
    this.askHalf.clear();
  }

  get bestBid(): number | undefined {
    const p = this.bidHalf.prices;
    return p.length === 0 ? undefined : p[p.length - 1];
  }
  get bestBidSize(): number | undefined {
    const s = this.bidHalf.sizes;
    return s.length === 0 ? undefined : s[s.length - 1];
  }
  get bestAsk(): number | undefined {
    const p = this.askHalf.prices;
    return p.length === 0 ? undefined : p[p.length - 1];
  }
  get bestAskSize(): number | undefined {
    const s = this.askHalf.sizes;
    return s.length === 0 ? undefined : s[s.length - 1];
  }

  depth(side: BookSide): number {
    return (side === 'bid' ? this.bidHalf : this.askHalf).prices.length;
  }

  /** The best n levels of a side, best first. */
  levels(side: BookSide, n = Infinity): Level[] {
    const half = side === 'bid' ? this.bidHalf : this.askHalf;
    const out: Level[] = [];
    for (let i = half.prices.length - 1; i >= 0 && out.length < n; i--) out.push([half.prices[i], half.sizes[i]]);
    return out;
  }

  /** Size resting at an exact price, or 0. */
  sizeAt(side: BookSide, price: number): number {
    const half = side === 'bid' ? this.bidHalf : this.askHalf;
    for (let i = half.prices.length - 1; i >= 0; i--) if (half.prices[i] === price) return half.sizes[i];
    return 0;
  }

  /** True when the best bid is at or above the best ask. */
  isCrossed(): boolean {
    const b = this.bestBid;
    const a = this.bestAsk;
    return b !== undefined && a !== undefined && b >= a;
  }

  /**
   * What a taker order of `quantity` would get: a buy walks the asks, a sell walks the bids.
   * Returns the filled quantity, notional, average and worst price; `complete` is false when the
   * book lacks the depth ("not enough depth").
   */
  estimateFill(takerSide: OrderSide, quantity: number): FillEstimate {
    return this.estimateFillInto(takerSide, quantity, { filled: 0, notional: 0, avgPrice: 0, worstPrice: 0, complete: false });
  }

  /** estimateFill() written into `out` (every field), which it returns: nothing is allocated. */
  estimateFillInto(takerSide: OrderSide, quantity: number, out: FillEstimate): FillEstimate {
    const half = takerSide === 'buy' ? this.askHalf : this.bidHalf;
    const prices = half.prices;
    const sizes = half.sizes;
    let remaining = quantity;
    let notional = 0;
    let worst = 0;
    for (let i = prices.length - 1; i >= 0 && remaining > 0; i--) {
      const take = sizes[i] < remaining ? sizes[i] : remaining;
      notional += take * prices[i];
      remaining -= take;
      worst = prices[i];
    }
    const filled = quantity - remaining;
    if (!Number.isSafeInteger(notional)) notional = exactNotional(prices, sizes, filled);
    out.filled = filled;
    out.notional = notional;
    out.avgPrice = filled === 0 ? 0 : notional / filled;
    out.worstPrice = worst;
    out.complete = remaining === 0;
    return out;
  }
}

// Only reached when Σ price·size passes 2^53 (huge sizes at fine scales): redo it in bigint and
// report it as the nearest float, which is then only used for display.
function exactNotional(prices: number[], sizes: number[], quantity: number): number {
  let remaining = BigInt(quantity);
  let total = 0n;
  for (let i = prices.length - 1; i >= 0 && remaining > 0n; i--) {
    const s = BigInt(sizes[i]);
    const take = s < remaining ? s : remaining;
    total += take * BigInt(prices[i]);
    remaining -= take;
  }
  return Number(total);
}

/** A read-only view of a book: what a decision may read, never change. */
export type BookView = Pick<OrderBook, 'bestBid' | 'bestBidSize' | 'bestAsk' | 'bestAskSize' | 'depth' | 'levels' | 'sizeAt' | 'isCrossed' | 'estimateFill' | 'estimateFillInto'>;
