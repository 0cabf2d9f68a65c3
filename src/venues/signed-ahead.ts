// Orders an adapter signed ahead (prepareMarketOrder), one per side, for both venues: kept while
// young, handed out once and only for the very same order, otherwise dropped.

import { systemClock, type Clock } from '../core/clock.js';
import type { OrderSide } from '../core/types.js';
import type { MarketOrderRequest } from './venue.js';

/** The same order: side, size, worst price and reduce-only flag. */
export function sameOrder(a: MarketOrderRequest, b: MarketOrderRequest): boolean {
  return a.side === b.side && a.size === b.size && a.worstPrice === b.worstPrice && (a.reduceOnly === true) === (b.reduceOnly === true);
}

interface Held<T> {
  order: MarketOrderRequest;
  signed: T;
  at: number;
}

export class SignedAhead<T> {
  private readonly held: Partial<Record<OrderSide, Held<T>>> = {};

  /**
   * @param maxAgeMs how long a signed order may still be sent; it is signed again after half that
   * @param valid what else must still hold for it to be sent (Lighter: its nonce is still next)
   */
  constructor(
    private readonly maxAgeMs: number,
    private readonly valid: (signed: T) => boolean = () => true,
    /** Monotonic ms for the orders' ages (the engine's clock). */
    private readonly clock: Clock = systemClock,
  ) {}

  /** True when this order is held, valid, and young enough not to be signed again yet. */
  holds(order: MarketOrderRequest): boolean {
    const h = this.held[order.side];
    return h !== undefined && sameOrder(h.order, order) && this.valid(h.signed) && this.clock.monoMs() - h.at < this.maxAgeMs / 2;
  }

  put(order: MarketOrderRequest, signed: T | undefined): void {
    this.held[order.side] = signed === undefined ? undefined : { order, signed, at: this.clock.monoMs() };
  }

  /** The order signed ahead if it is this one, valid and young enough; its side is emptied either way. */
  take(order: MarketOrderRequest): T | undefined {
    const h = this.held[order.side];
    this.held[order.side] = undefined;
    return h !== undefined && sameOrder(h.order, order) && this.valid(h.signed) && this.clock.monoMs() - h.at < this.maxAgeMs ? h.signed : undefined;
  }
}
