// Paper trading: a real market-data side (a live venue started without keys, or a replayed feed)
// composed with a simulated execution side, which fills by walking that book as it stands after a
// simulated order latency. No order ever leaves the machine; positions and fees are kept locally.

import { sleep, systemClock, type Clock } from '../../core/clock.js';
import { seededRandom } from '../../core/prng.js';
import type { Logger } from '../../core/log.js';
import type { MarketSpec } from '../types.js';
import type { OrderSide } from '../../core/types.js';
import { HeldAhead } from '../signed-ahead.js';
import { composeVenue, sentLeg, VenueError, type DetachedExecution, type LegResult, type MarketData, type MarketOrderRequest, type SignAheadKind, type Venue } from '../venue.js';

export interface PaperExecutionOptions {
  logger: Logger;
  /** Simulated order round trip (ms), plus up to latencyJitterMs more. */
  latencyMs?: number;
  latencyJitterMs?: number;
  seed?: number;
  startingPosition?: number;
  /** Monotonic time for the legs' timestamps and the simulated latency; default the system's (the engine's clock in a run). */
  clock?: Clock;
}

/** A paper venue: `data`'s market data, fills simulated against its book. */
export function paperVenue(data: MarketData, options: PaperExecutionOptions): Venue {
  return composeVenue(data, new PaperExecution(data, options));
}

/** The simulated execution side: fills walk the market-data side's book at the fill moment. */
export class PaperExecution implements DetachedExecution {
  private position: number;
  private nextId = 1;
  private readonly random: () => number;
  private readonly clock: Clock;
  /** The orders a live adapter would hold signed ahead (nothing is signed here). */
  private readonly held: HeldAhead;

  constructor(
    private readonly data: MarketData,
    private readonly options: PaperExecutionOptions,
  ) {
    this.position = options.startingPosition ?? 0;
    this.random = seededRandom(options.seed ?? 1);
    this.clock = options.clock ?? systemClock;
    this.held = new HeldAhead(data.id, this.clock);
  }

  prepareMarketOrder(request: MarketOrderRequest, kind?: SignAheadKind): void {
    this.held.prepare(request, kind);
  }

  heldBounds(side: OrderSide, size: number): readonly number[] {
    return this.held.bounds(side, size);
  }

  private get id(): MarketData['id'] {
    return this.data.id;
  }

  attach(market: MarketSpec): void {
    this.options.logger.info(`${market.venue}: paper trading — fills are simulated against the live book, nothing is sent`);
  }

  async placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    const m = this.data.market;
    const leg = sentLeg(this.id, request, `paper-${this.nextId++}`, this.clock.monoMs());
    this.held.sent(request);
    const refuse = (kind: 'bad_order' | 'rejected', message: string): LegResult => ({
      ...leg,
      state: 'rejected',
      confirmedAt: this.clock.monoMs(),
      error: new VenueError(this.id, kind, `${this.id} paper order: ${message}`),
    });
    if (!Number.isSafeInteger(request.size) || request.size % m.stepSize !== 0 || request.size < m.minSize)
      return refuse('bad_order', `size ${request.size} is off the step grid (${m.stepSize}) or below the minimum (${m.minSize}) at ${m.sizeScale} decimals`);
    if (!Number.isSafeInteger(request.worstPrice) || request.worstPrice <= 0 || request.worstPrice % m.tickSize !== 0)
      return refuse('bad_order', `worst price ${request.worstPrice} is off the tick grid (${m.tickSize} at ${m.priceScale} decimals)`);
    await sleep(this.clock, (this.options.latencyMs ?? 30) + this.random() * (this.options.latencyJitterMs ?? 10));
    if (!this.data.status().bookValid) return refuse('rejected', 'the book is not valid at the fill moment');
    let size = request.size;
    if (request.reduceOnly === true) {
      // Judged at the fill moment, as a venue would: another order may have moved the position meanwhile.
      const reducible = request.side === 'buy' ? -this.position : this.position;
      if (reducible <= 0) return refuse('rejected', 'reduce-only order would increase the position');
      size = Math.min(size, reducible);
    }
    // Walk the book as it is now, stopping at the worst acceptable price.
    const levels = this.data.book.levels(request.side === 'buy' ? 'ask' : 'bid');
    let filled = 0;
    let notional = 0;
    for (const [price, available] of levels) {
      if (request.side === 'buy' ? price > request.worstPrice : price < request.worstPrice) break;
      const take = Math.min(available, size - filled);
      filled += take;
      notional += take * price;
      if (filled === size) break;
    }
    if (filled === 0) return refuse('rejected', 'no liquidity inside the worst price');
    this.position += request.side === 'buy' ? filled : -filled;
    const fee = (notional / 10 ** (m.priceScale + m.sizeScale)) * (m.takerFeeBps / 10_000);
    this.options.logger.debug(
      `${this.id} paper ${leg.clientOrderId}: ${request.side} ${filled}/${request.size} for ${notional} (priceScale+sizeScale), position now ${this.position}`,
    );
    return { ...leg, state: filled === request.size ? 'filled' : 'partial', filled, notional, fee, confirmedAt: this.clock.monoMs() };
  }

  resolveOrder(leg: LegResult): Promise<LegResult> {
    return Promise.resolve(leg);
  }

  fetchPosition(): Promise<number> {
    return Promise.resolve(this.position);
  }
}
