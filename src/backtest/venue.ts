// A replayed venue on the port: the market-data side is a ReplayFeed (recorded frames through the
// live parsers and book syncs), the execution side a SimulatedExecution. The engine cannot tell it
// from a live venue.

import type { MarketSpec } from '../core/types.js';
import type { BookListener, ExecutionReadiness, LegResult, MarketOrderRequest, StatusListener, Venue, VenueStatus } from '../venues/venue.js';
import type { SimulatedExecution } from './execution.js';
import type { ReplayFeed } from './feed.js';

export class ReplayVenue implements Venue {
  readonly id: Venue['id'];

  constructor(
    readonly feed: ReplayFeed,
    readonly execution: SimulatedExecution,
  ) {
    this.id = feed.venue;
  }

  get market(): MarketSpec {
    return this.feed.market;
  }
  get book() {
    return this.feed.book;
  }
  get lastBookAt(): number {
    return this.feed.lastBookAt;
  }
  start(): Promise<MarketSpec> {
    return Promise.resolve(this.feed.market);
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  status(): VenueStatus {
    return this.feed.status();
  }
  onBook(listener: BookListener): void {
    this.feed.onBook(listener);
  }
  onStatus(listener: StatusListener): void {
    this.feed.onStatus(listener);
  }
  placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    return this.execution.place(request);
  }
  readiness(): ExecutionReadiness {
    return this.execution.readiness();
  }
  resolveOrder(leg: LegResult): Promise<LegResult> {
    return Promise.resolve(leg);
  }
  fetchPosition(): Promise<number> {
    return Promise.resolve(this.execution.readPosition());
  }
}
