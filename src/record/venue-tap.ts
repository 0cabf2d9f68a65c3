// Records our own order events (sent, then acknowledged with the venue's answer, or filled) by
// standing in front of a venue's execution side on the port (composed back with the venue's own
// market data, as paper trading composes its venues): the engine's sends and settles pass through unchanged,
// each stamped with the clock the engine uses. Latencies are learned from these pairs in replay.

import { systemClock, type Clock } from '../core/clock.js';
import type { MarketSpec } from '../venues/types.js';
import type { LighterSetup } from '../venues/lighter/index.js';
import type { OrderSide } from '../core/types.js';
import {
  composeVenue,
  type DetachedExecution,
  type ExecutionReadiness,
  type LegResult,
  type MarketOrderRequest,
  type ReadinessGate,
  type SignAheadKind,
  type Venue,
  type WrittenOrder,
} from '../venues/venue.js';
import { toUs } from './format.js';
import type { FrameRecorder } from './writer.js';

/** `inner` with every order it sends and settles recorded; its market data is untouched. */
export function tapOrders(inner: Venue, recorder: FrameRecorder, clock: Clock = systemClock): Venue {
  return composeVenue(inner, new OrderTap(inner, recorder, clock));
}

export class OrderTap implements DetachedExecution {
  readonly id: Venue['id'];
  private sent = 0;
  readonly prepareMarketOrder?: (request: MarketOrderRequest, kind?: SignAheadKind) => number | void;
  readonly signedAheadVoids?: () => number;
  readonly heldBounds?: (side: OrderSide, size: number, now?: number) => readonly number[];
  readonly writeOrder?: (request: MarketOrderRequest, now?: number, limit?: number) => WrittenOrder;
  readonly followOrder?: (written: WrittenOrder) => Promise<LegResult>;
  readonly readyForOrder?: () => boolean;
  readonly readiness?: () => ExecutionReadiness;
  readonly readinessGate?: ReadinessGate;
  readonly rateBudget?: () => { remaining: number; perMinute: number };

  constructor(
    private readonly inner: Venue,
    private readonly recorder: FrameRecorder,
    private readonly clock: Clock = systemClock,
  ) {
    this.id = inner.id;
    // The optional members exist exactly when the venue has them, as the engine checks for them.
    if (inner.prepareMarketOrder !== undefined) this.prepareMarketOrder = (r, kind) => inner.prepareMarketOrder!(r, kind);
    if (inner.signedAheadVoids !== undefined) this.signedAheadVoids = () => inner.signedAheadVoids!();
    if (inner.heldBounds !== undefined) this.heldBounds = (side, size, now) => inner.heldBounds!(side, size, now);
    if (inner.writeOrder !== undefined && inner.followOrder !== undefined) {
      // The deciding turn's two halves pass through: the order is written first, as without a
      // recording, and recorded once written (with the bound the venue chose), off the socket's way.
      this.writeOrder = (request, now, limit) => {
        const written = inner.writeOrder!(request, now, limit);
        return { request: written.request, inner: written, id: this.noteSent(written.request) } as TappedOrder;
      };
      this.followOrder = (written) => {
        const tapped = written as TappedOrder;
        return inner.followOrder!(tapped.inner).then((leg) => this.noted(tapped.id, leg));
      };
    }
    if (inner.readyForOrder !== undefined) this.readyForOrder = () => inner.readyForOrder!();
    if (inner.readiness !== undefined) this.readiness = () => inner.readiness!();
    if (inner.readinessGate !== undefined) this.readinessGate = inner.readinessGate;
    if (inner.rateBudget !== undefined) this.rateBudget = () => inner.rateBudget!();
  }

  /** The venue has started (composeVenue started its market data, which is the venue itself). */
  attach(spec: MarketSpec): void {
    this.recorder.market(spec);
    // A Lighter adapter with keys knows its account tier once started (its speed bump and fees depend on it).
    const tier = (this.inner as { setup?: LighterSetup }).setup?.tier?.tier;
    if (tier !== undefined) this.recorder.lighterTier(tier);
  }

  fetchPosition(): Promise<number> {
    return this.inner.fetchPosition();
  }

  placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    const id = this.noteSent(request);
    return this.inner.placeMarketOrder(request).then((leg) => this.noted(id, leg));
  }

  /** Records an order as sent; its id in the recording (our own sequence number ties the answer to its request: the venue's id is not known yet). */
  private noteSent(request: MarketOrderRequest): string {
    const id = `${this.id[0]}${++this.sent}`;
    const { side, size, worstPrice, reduceOnly, purpose } = request;
    this.recorder.order(this.id, this.clock.monoMs(), { event: 'sent', id, side, size, worstPrice, reduceOnly, purpose });
    return id;
  }

  private noted(id: string, leg: LegResult): LegResult {
    this.note(id, leg);
    return leg;
  }

  resolveOrder(leg: LegResult): Promise<LegResult> {
    return this.inner.resolveOrder(leg).then((known) => {
      if (known.state !== 'unknown') this.note(`resolved:${known.clientOrderId}`, known);
      return known;
    });
  }

  private note(id: string, leg: LegResult): void {
    const at = leg.confirmedAt ?? this.clock.monoMs();
    this.recorder.order(this.id, at, {
      event: leg.filled > 0 ? 'filled' : 'acked',
      id,
      state: leg.state,
      sentUs: toUs(leg.sentAt),
      filled: leg.filled,
      notional: leg.notional,
      fee: leg.fee,
    });
  }
}

/** What the tap's writeOrder answers: the venue's own answer, and the order's id in the recording. */
interface TappedOrder extends WrittenOrder {
  readonly inner: WrittenOrder;
  readonly id: string;
}
