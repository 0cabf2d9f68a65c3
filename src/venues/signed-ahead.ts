// Orders an adapter signed ahead (prepareMarketOrder), for both venues: per side, one for the
// current book and one at the threshold level's bound (SignAheadKind). Kept while young, handed out
// once and only for the very same order, otherwise dropped.

import { systemClock, type Clock } from '../core/clock.js';
import type { OrderSide } from '../core/types.js';
import type { VenueId } from './types.js';
import type { MarketOrderRequest, SignAheadKind } from './venue.js';

/** The same order: side, size, worst price and reduce-only flag. */
export function sameOrder(a: MarketOrderRequest, b: MarketOrderRequest): boolean {
  return a.side === b.side && a.size === b.size && a.worstPrice === b.worstPrice && (a.reduceOnly === true) === (b.reduceOnly === true);
}

/**
 * The bound an entry's leg goes out with, of the bounds `held` signed ahead for its side and size:
 * `fresh` (the bound of the book the decision saw) when it is held or nothing else is; otherwise the
 * held bound between `fresh` and `limit` (the threshold bound; both inclusive: a sell's
 * limit ≤ held ≤ fresh, a buy's fresh ≤ held ≤ limit) nearest `fresh`, the first of equals; `fresh`
 * when none lies there or there is no limit. Every fill inside such a bound is one the settings accept.
 */
export function nearestHeld(held: readonly number[], side: OrderSide, fresh: number, limit: number | undefined): number {
  if (held.length === 0 || limit === undefined || held.includes(fresh)) return fresh;
  let best = fresh;
  let distance = Infinity;
  for (let i = 0; i < held.length; i++) {
    const bound = held[i];
    const inside = side === 'sell' ? limit <= bound && bound <= fresh : fresh <= bound && bound <= limit;
    if (inside && Math.abs(bound - fresh) < distance) {
      best = bound;
      distance = Math.abs(bound - fresh);
    }
  }
  return best;
}

/**
 * The entry order to send for `request` (its bound the fresh one) given `limit` (see nearestHeld):
 * `request` itself, or the same order at the held bound chosen. Without a limit, `request`.
 */
export function chooseHeld<T>(held: SignedAhead<T>, request: MarketOrderRequest, limit: number | undefined, now: number | undefined): MarketOrderRequest {
  if (limit === undefined || request.reduceOnly === true) return request;
  const bound = nearestHeld(held.bounds(request.side, request.size, now), request.side, request.worstPrice, limit);
  return bound === request.worstPrice ? request : { ...request, worstPrice: bound };
}

/** How long an order signed ahead may still be sent, unless the venue options say otherwise (VenueOptions.preparedOrderMaxAgeMs). */
export const SIGNED_AHEAD_MAX_AGE_MS = 1000;

interface Held<T> {
  order: MarketOrderRequest;
  signed: T;
  at: number;
  /** at + maxAgeMs / 2: from then on it is signed again (holds). */
  renewAt: number;
}

type Slots<T> = Record<SignAheadKind, Held<T> | undefined>;

const KINDS: readonly SignAheadKind[] = ['book', 'threshold'];

export class SignedAhead<T> {
  private readonly held: Record<OrderSide, Slots<T>> = { buy: { book: undefined, threshold: undefined }, sell: { book: undefined, threshold: undefined } };
  /** Reused by bounds(): nothing is allocated when the engine asks on the deciding turn. */
  private readonly found: number[] = [];

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

  /** True when this order is held in `kind`'s place, valid, and young enough not to be signed again yet. */
  holds(order: MarketOrderRequest, kind: SignAheadKind = 'book'): boolean {
    const h = this.held[order.side][kind];
    return h !== undefined && (h.order === order || sameOrder(h.order, order)) && this.valid(h.signed) && this.clock.monoMs() < h.renewAt;
  }

  /** When the order in `kind`'s place of `side` is to be signed again (holds turns false), or -Infinity when the place is empty. */
  renewAt(side: OrderSide, kind: SignAheadKind): number {
    return this.held[side][kind]?.renewAt ?? -Infinity;
  }

  /** Holds `signed` for this order in `kind`'s place of its side (undefined empties the place). */
  put(order: MarketOrderRequest, signed: T | undefined, kind: SignAheadKind = 'book'): void {
    const at = this.clock.monoMs();
    const slots = this.held[order.side];
    const h = slots[kind];
    if (signed === undefined) slots[kind] = undefined;
    // The place's record is written over when it has one (nothing outside this class keeps a
    // record: its readers copy what they need out of it on the spot), so an order held again,
    // as happens after most frames, allocates nothing.
    else if (h !== undefined) {
      h.order = order;
      h.signed = signed;
      h.at = at;
      h.renewAt = at + this.maxAgeMs / 2;
    } else slots[kind] = { order, signed, at, renewAt: at + this.maxAgeMs / 2 };
  }

  /** Drops everything held (Lighter: the nonce they were signed for is void). */
  clear(): void {
    for (const side of ['buy', 'sell'] as const) for (const kind of KINDS) this.held[side][kind] = undefined;
  }

  /**
   * The worst prices of the orders take() would hand out for `side` and `size` (not reduce-only)
   * at `now` (default: the clock's reading now). The array is reused: read it before the next call.
   */
  bounds(side: OrderSide, size: number, now = this.clock.monoMs()): readonly number[] {
    const out = this.found;
    out.length = 0;
    for (const kind of KINDS) {
      const h = this.held[side][kind];
      if (h === undefined || h.order.size !== size || h.order.reduceOnly === true || !(now - h.at < this.maxAgeMs) || !this.valid(h.signed)) continue;
      if (!out.includes(h.order.worstPrice)) out.push(h.order.worstPrice);
    }
    return out;
  }

  /**
   * chooseHeld, then take of the order chosen, in one walk of the side's places: the order signed
   * ahead that an entry for `request` sends given the threshold bound `limit`, or undefined when it
   * is to be signed now (then with `request`'s own bound: nothing held lies nearer). The order taken
   * is left in `takenOrder`. Its side is emptied either way. `request` is an entry's (not reduce-only).
   */
  takeNearest(request: MarketOrderRequest, limit: number, now = this.clock.monoMs()): T | undefined {
    const slots = this.held[request.side];
    const fresh = request.worstPrice;
    const sell = request.side === 'sell';
    // The places take() would hand out (bounds()), in their order: at most the two kinds.
    let first: Held<T> | undefined;
    let second: Held<T> | undefined;
    for (const kind of KINDS) {
      const h = slots[kind];
      slots[kind] = undefined;
      if (h === undefined || h.order.size !== request.size || h.order.reduceOnly === true || !(now - h.at < this.maxAgeMs) || !this.valid(h.signed)) continue;
      if (first === undefined) first = h;
      else second = h;
    }
    this.takenOrder = undefined;
    if (first === undefined) return undefined;
    // nearestHeld: the fresh bound if held, else the nearest inside [fresh, limit], the first of equals.
    let chosen: Held<T> | undefined;
    if (first.order.worstPrice === fresh) chosen = first;
    else if (second !== undefined && second.order.worstPrice === fresh) chosen = second;
    else {
      const b1 = first.order.worstPrice;
      if (sell ? limit <= b1 && b1 <= fresh : fresh <= b1 && b1 <= limit) chosen = first;
      if (second !== undefined) {
        const b2 = second.order.worstPrice;
        const inside = sell ? limit <= b2 && b2 <= fresh : fresh <= b2 && b2 <= limit;
        // Nearer than the first (strictly: of equals, the first).
        if (inside && (chosen === undefined || Math.abs(b2 - fresh) < Math.abs(b1 - fresh))) chosen = second;
      }
    }
    if (chosen === undefined) return undefined;
    this.takenOrder = chosen.order;
    return chosen.signed;
  }

  /** The order the latest takeNearest handed out (undefined: none). */
  takenOrder?: MarketOrderRequest;

  /** The order signed ahead if it is this one, valid and young enough at `now` (default: the clock's reading now); its side is emptied either way. */
  take(order: MarketOrderRequest, now = this.clock.monoMs()): T | undefined {
    const slots = this.held[order.side];
    let found: T | undefined;
    for (const kind of KINDS) {
      const h = slots[kind];
      slots[kind] = undefined;
      if (found === undefined && h !== undefined && sameOrder(h.order, order) && this.valid(h.signed) && now - h.at < this.maxAgeMs) found = h.signed;
    }
    return found;
  }
}

/**
 * What a live adapter would hold signed ahead, for an execution side that signs nothing (paper
 * trading, a backtest): the same places, ages and hand-out rules, so the engine picks the same
 * bound for each leg as it does live. Sending hands out (and drops) what the side held on
 * Backpack; on Lighter any transaction takes the nonce everything held was signed for.
 */
export class HeldAhead {
  private readonly held: SignedAhead<true>;
  /** Times what was held was dropped by an order sent (Execution.signedAheadVoids). */
  voids = 0;

  constructor(
    private readonly venue: VenueId,
    clock: Clock,
  ) {
    this.held = new SignedAhead<true>(SIGNED_AHEAD_MAX_AGE_MS, undefined, clock);
  }

  /**
   * Holds `request` in `kind`'s place unless it is held there young enough; answers the moment from
   * which preparing it again would sign it again (before it, and while `voids` stands, it is a no-op).
   */
  prepare(request: MarketOrderRequest, kind: SignAheadKind = 'book'): number {
    if (!this.held.holds(request, kind)) this.held.put(request, true, kind);
    return this.held.renewAt(request.side, kind);
  }

  bounds(side: OrderSide, size: number, now?: number): readonly number[] {
    return this.held.bounds(side, size, now);
  }

  /** The order an entry sends for `request` given the threshold bound `limit` (chooseHeld), as a live adapter's writeOrder chooses it. */
  choose(request: MarketOrderRequest, limit: number | undefined, now?: number): MarketOrderRequest {
    return chooseHeld(this.held, request, limit, now);
  }

  /** An order is sent (entry or repair alike). */
  sent(request: MarketOrderRequest): void {
    this.voids++;
    if (this.venue === 'lighter') this.held.clear();
    else this.held.take(request);
  }
}
