// Records our own order events (sent, then acknowledged with the venue's answer, or filled) by
// standing in front of a venue on the port: the engine's sends and settles pass through unchanged,
// each stamped with the clock the engine uses. Latencies are learned from these pairs in replay.

import { systemClock, type Clock } from '../core/clock.js';
import type { MarketSpec } from '../core/types.js';
import type { LighterSetup } from '../venues/lighter/index.js';
import type { BookListener, ExecutionReadiness, LegResult, MarketOrderRequest, StatusListener, Venue, VenueStatus } from '../venues/venue.js';
import { toUs } from './format.js';
import type { FrameRecorder } from './writer.js';

export class OrderTap implements Venue {
  readonly id: Venue['id'];
  private sent = 0;
  readonly prepareMarketOrder?: (request: MarketOrderRequest) => void;
  readonly readyForOrder?: () => boolean;
  readonly readiness?: () => ExecutionReadiness;

  constructor(
    private readonly inner: Venue,
    private readonly recorder: FrameRecorder,
    private readonly clock: Clock = systemClock,
  ) {
    this.id = inner.id;
    if (inner.prepareMarketOrder !== undefined) this.prepareMarketOrder = (r) => inner.prepareMarketOrder!(r);
    if (inner.readyForOrder !== undefined) this.readyForOrder = () => inner.readyForOrder!();
    if (inner.readiness !== undefined) this.readiness = () => inner.readiness!();
  }

  get market(): MarketSpec {
    return this.inner.market;
  }
  get book() {
    return this.inner.book;
  }
  get lastBookAt(): number {
    return this.inner.lastBookAt;
  }
  start(): Promise<MarketSpec> {
    return this.inner.start().then((spec) => {
      this.recorder.market(spec);
      // A Lighter adapter with keys knows its account tier once started (its speed bump and fees depend on it).
      const tier = (this.inner as { setup?: LighterSetup }).setup?.tier?.tier;
      if (tier !== undefined) this.recorder.lighterTier(tier);
      return spec;
    });
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  status(): VenueStatus {
    return this.inner.status();
  }
  onBook(listener: BookListener): void {
    this.inner.onBook(listener);
  }
  onStatus(listener: StatusListener): void {
    this.inner.onStatus(listener);
  }
  fetchPosition(): Promise<number> {
    return this.inner.fetchPosition();
  }

  placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    // Our own sequence number ties the answer to its request: the venue's id is not known yet.
    const id = `${this.id[0]}${++this.sent}`;
    const { side, size, worstPrice, reduceOnly, purpose } = request;
    this.recorder.order(this.id, this.clock.monoMs(), { event: 'sent', id, side, size, worstPrice, reduceOnly, purpose });
    return this.inner.placeMarketOrder(request).then((leg) => {
      this.note(id, leg);
      return leg;
    });
  }

  resolveOrder(leg: LegResult): Promise<LegResult> {
    return this.inner.resolveOrder(leg).then((known) => {
      if (known.state !== 'unknown') this.note(`resolved:${known.clientOrderId}`, known);
      return known;
    });
  }

  private note(id: string, leg: LegResult): void {
    const at = leg.confirmedAt ?? this.clock.monoMs();
    this.recorder.order(this.id, at, { event: leg.filled > 0 ? 'filled' : 'acked', id, state: leg.state, sentUs: toUs(leg.sentAt), filled: leg.filled, notional: leg.notional, fee: leg.fee });
  }
}
