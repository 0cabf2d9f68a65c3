// An in-memory venue behind the port, for engine tests that need outcomes no simulator gives on
// demand: each order's result is scripted, and the position the venue reports is set by the test.
import { OrderBook } from '../../src/core/orderbook.js';
import type { MarketSpec, VenueId } from '../../src/core/types.js';
import type { BookListener, LegResult, MarketOrderRequest, StatusListener, Venue, VenueStatus } from '../../src/venues/venue.js';

export type Outcome = (request: MarketOrderRequest, leg: LegResult) => LegResult;

export const filledAtWorst: Outcome = (r, leg) => ({ ...leg, state: 'filled', filled: r.size, notional: r.size * r.worstPrice, confirmedAt: performance.now() });

export class FakeVenue implements Venue {
  readonly book = new OrderBook();
  lastBookAt = 0;
  /** What fetchPosition answers (the venue's truth). */
  venuePosition = 0;
  readonly orders: MarketOrderRequest[] = [];
  private readonly books: BookListener[] = [];
  private next = 1;
  /** Scripted outcomes, one per order; the default fills at the worst price. */
  outcomes: Outcome[] = [];
  /** How resolveOrder answers an unknown leg. */
  resolve: (leg: LegResult) => LegResult = (leg) => leg;

  constructor(readonly id: VenueId, readonly market: MarketSpec) {}

  start(): Promise<MarketSpec> {
    return Promise.resolve(this.market);
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  status(): VenueStatus {
    return { connected: true, bookValid: true, available: true };
  }
  onBook(l: BookListener): void {
    this.books.push(l);
  }
  onStatus(_l: StatusListener): void {}

  setBook(bids: Array<[number, number]>, asks: Array<[number, number]>): void {
    this.book.applySnapshot(bids, asks);
    this.lastBookAt = performance.now();
    for (const l of this.books) l(this.id, this.lastBookAt);
  }

  placeMarketOrder(r: MarketOrderRequest): Promise<LegResult> {
    this.orders.push(r);
    const leg: LegResult = { venue: this.id, state: 'unknown', side: r.side, requested: r.size, filled: 0, notional: 0, fee: 0, clientOrderId: String(this.next++), sentAt: performance.now() };
    const out = (this.outcomes.shift() ?? filledAtWorst)(r, leg);
    if (out.filled > 0) this.venuePosition += r.side === 'buy' ? out.filled : -out.filled;
    return Promise.resolve(out);
  }
  resolveOrder(leg: LegResult): Promise<LegResult> {
    return Promise.resolve(this.resolve(leg));
  }
  fetchPosition(): Promise<number> {
    return Promise.resolve(this.venuePosition);
  }
}
