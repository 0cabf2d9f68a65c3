// An in-memory venue behind the port, for engine tests that need outcomes no simulator gives on
// demand. Deterministic, no network: the book is set by the test, each order's result is scripted
// (the default walks the book like a taker order bounded by its worst price), the venue's status
// can be flipped, and the position it reports is its own ledger of what it filled.
import type { Clock } from '../../src/core/clock.js';
import { OrderBook, type BookView } from '../../src/core/orderbook.js';
import type { MarketSpec, VenueId } from '../../src/venues/types.js';
import { sameOrder } from '../../src/venues/signed-ahead.js';
import {
  VenueError,
  emitBookEvent,
  type BookListener,
  type LegResult,
  type MarketOrderRequest,
  type ExecutionReadiness,
  type SignAheadKind,
  type StatusListener,
  type Venue,
  type VenueStatus,
} from '../../src/venues/venue.js';

/** What the venue answers to one order: a result now, or later (a promise the test settles). */
export type Outcome = (request: MarketOrderRequest, leg: LegResult, venue: FakeVenue) => LegResult | Promise<LegResult>;

/** Fills the whole size at the order's worst price. */
export const filledAtWorst: Outcome = (r, leg, venue) => ({ ...leg, state: 'filled', filled: r.size, notional: r.size * r.worstPrice, confirmedAt: venue.clock.monoMs() });

/** Walks the book up to the worst price: filled, partial when the depth inside the bound runs out. */
export const takerFill: Outcome = (r, leg, venue) => {
  const levels = venue.book.levels(r.side === 'buy' ? 'ask' : 'bid');
  let remaining = r.size;
  let notional = 0;
  for (const [price, size] of levels) {
    if (remaining === 0 || (r.side === 'buy' ? price > r.worstPrice : price < r.worstPrice)) break;
    const take = Math.min(size, remaining);
    notional += take * price;
    remaining -= take;
  }
  const filled = r.size - remaining;
  if (filled === 0) return rejected('no liquidity inside the bound')(r, leg, venue);
  return { ...leg, state: remaining === 0 ? 'filled' : 'partial', filled, notional, fee: venue.feeOn(notional), confirmedAt: venue.clock.monoMs() };
};

export const rejected =
  (why = 'rejected by the test'): Outcome =>
  (_r, leg, venue) => ({
    ...leg,
    state: 'rejected',
    filled: 0,
    notional: 0,
    confirmedAt: venue.clock.monoMs(),
    error: new VenueError(venue.id, 'rejected', why),
  });

/** Fills only `quantity` of the order at the book (a partial fill). */
export const partialFill =
  (quantity: number): Outcome =>
  (r, leg, venue) => {
    const full = takerFill({ ...r, size: quantity }, leg, venue) as LegResult;
    return { ...full, requested: r.size, state: 'partial' };
  };

/** The reply is lost: the venue's ledger says `filled` (0 = nothing), the answer says unknown. */
export const unknownOutcome =
  (filledOnVenue: number): Outcome =>
  (r, leg, venue) => {
    if (filledOnVenue > 0) venue.ledger(r.side, filledOnVenue);
    return { ...leg, state: 'unknown', filled: 0, error: new VenueError(venue.id, 'timeout', 'no reply in time') };
  };

export class FakeVenue implements Venue {
  readonly book = new OrderBook();
  lastBookAt = 0;
  /** What fetchPosition answers: the venue's truth (start-up positions are set here). */
  venuePosition = 0;
  /** Signed sum of every quantity this venue filled for us: what the trades CSV must add up to. */
  filledNet = 0;
  readonly orders: MarketOrderRequest[] = [];
  /** Every request the engine asked to sign ahead for the current book (prepareMarketOrder 'book'), in order. */
  readonly prepared: MarketOrderRequest[] = [];
  /** Every request the engine asked to sign ahead at the threshold level's bound (prepareMarketOrder 'threshold'), in order. */
  readonly preparedAtThreshold: MarketOrderRequest[] = [];
  /**
   * When true the venue holds, like SignedAhead, the last order of each side and kind it was asked
   * to sign ahead, names their bounds in heldBounds, and counts in signedOnSend every order sent
   * that it did not hold (one a live adapter would sign on the deciding turn). Off: holds nothing.
   */
  holdSigned = false;
  signedOnSend = 0;
  private readonly held: Record<'buy' | 'sell', Record<SignAheadKind, MarketOrderRequest | undefined>> = {
    buy: { book: undefined, threshold: undefined },
    sell: { book: undefined, threshold: undefined },
  };
  /** Scripted outcomes, one per order; afterwards `fallback`. */
  outcomes: Outcome[] = [];
  fallback: Outcome = takerFill;
  /** How resolveOrder answers an unknown leg. */
  resolve: (leg: LegResult) => LegResult = (leg) => leg;
  /** When set, fetchPosition fails with it. */
  positionError?: Error;
  started = 0;
  stopped = 0;
  private current: VenueStatus = { connected: true, bookValid: true, available: true };
  private readonly books: BookListener[] = [];
  private readonly statuses: StatusListener[] = [];
  private next = 1;

  /** What readiness() answers; the engine reads it before every entry. */
  ready: ExecutionReadiness = { state: 'ready' };

  constructor(
    readonly id: VenueId,
    readonly market: MarketSpec,
    readonly clock: Clock,
  ) {}

  readiness(): ExecutionReadiness {
    return this.ready;
  }

  /** start() fails with these, one per call, before it succeeds (a venue down at start-up). */
  startFailures: Error[] = [];

  start(): Promise<MarketSpec> {
    this.started++;
    const failure = this.startFailures.shift();
    return failure === undefined ? Promise.resolve(this.market) : Promise.reject(failure);
  }
  stop(): Promise<void> {
    this.stopped++;
    return Promise.resolve();
  }
  status(): VenueStatus {
    return this.current;
  }
  onBook(l: BookListener): void {
    this.books.push(l);
  }
  onStatus(l: StatusListener): void {
    this.statuses.push(l);
  }

  setStatus(change: Partial<VenueStatus>): void {
    this.current = { ...this.current, ...change };
    for (const l of this.statuses) l(this.id, this.current);
  }

  /** Replaces the book with a new frame and tells the listeners, as a venue's socket would. */
  setBook(bids: Array<[number, number]>, asks: Array<[number, number]>): void {
    this.book.applySnapshot(bids, asks);
    this.touch();
  }

  /** Sends the current book again as a fresh frame. */
  touch(): void {
    this.lastBookAt = this.clock.monoMs();
    emitBookEvent(this.books, this.id, this.book, this.lastBookAt);
  }

  /** Announces a frame whose book is `view` (a recording's, say) rather than this venue's own. */
  emitFrom(view: BookView): void {
    emitBookEvent(this.books, this.id, view, this.clock.monoMs());
  }

  feeOn(notional: number): number {
    return (notional / 10 ** (this.market.priceScale + this.market.sizeScale)) * (this.market.takerFeeBps / 10_000);
  }

  /** Books a fill on the venue's side. */
  ledger(side: 'buy' | 'sell', quantity: number): void {
    const signed = side === 'buy' ? quantity : -quantity;
    this.venuePosition += signed;
    this.filledNet += signed;
  }

  async placeMarketOrder(r: MarketOrderRequest): Promise<LegResult> {
    this.orders.push(r);
    if (this.holdSigned) {
      const h = this.held[r.side];
      if (!(h.book !== undefined && sameOrder(h.book, r)) && !(h.threshold !== undefined && sameOrder(h.threshold, r))) this.signedOnSend++;
      h.book = h.threshold = undefined;
    }
    const leg: LegResult = {
      venue: this.id,
      state: 'unknown',
      side: r.side,
      requested: r.size,
      filled: 0,
      notional: 0,
      fee: 0,
      clientOrderId: String(this.next++),
      sentAt: this.clock.monoMs(),
    };
    const wouldGrow = r.side === 'buy' ? this.venuePosition >= 0 : this.venuePosition <= 0;
    if (r.reduceOnly === true && (wouldGrow || r.size > Math.abs(this.venuePosition))) {
      return rejected('reduce-only order would increase the position')(r, leg, this) as LegResult;
    }
    const out = await (this.outcomes.shift() ?? this.fallback)(r, leg, this);
    if (out.state !== 'unknown' && out.filled > 0) this.ledger(r.side, out.filled);
    return out;
  }
  prepareMarketOrder(r: MarketOrderRequest, kind: SignAheadKind = 'book'): void {
    (kind === 'book' ? this.prepared : this.preparedAtThreshold).push(r);
    this.held[r.side][kind] = r;
  }
  heldBounds(side: 'buy' | 'sell', size: number): readonly number[] {
    if (!this.holdSigned) return [];
    const out: number[] = [];
    for (const o of [this.held[side].book, this.held[side].threshold]) if (o !== undefined && o.size === size && o.reduceOnly !== true) out.push(o.worstPrice);
    return out;
  }
  resolveOrder(leg: LegResult): Promise<LegResult> {
    const known = this.resolve(leg);
    return Promise.resolve(known);
  }
  fetchPosition(): Promise<number> {
    return this.positionError ? Promise.reject(this.positionError) : Promise.resolve(this.venuePosition);
  }
}
