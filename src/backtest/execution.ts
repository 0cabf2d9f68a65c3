// The simulated execution side of a replay. An order reaches its venue `arrivalMs` after it is
// sent, walks the recorded book as it stands at that moment (best level first, stopping at the
// worst-price bound, partially filled when depth runs out), pays the venue's taker fee, and its
// answer comes back `replyMs` later. Harsher than a venue in one way on purpose: an order that
// finds no depth inside its bound is refused rather than resting.
//
// Latency, either fixed per venue or learned from a recording's own order events (sent → answer,
// the median per venue, split evenly both ways). Lighter's taker speed bump is part of a fixed
// model: Standard accounts' taker orders wait 300 ms, Premium 200 ms (at 0 staked LIT) — see the
// Lighter spec §6.3 (apidocs "Account Types"). A learned latency already contains it.

import { sleep, type Clock } from '../core/clock.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import type { OrderEvent } from '../record/format.js';
import { LIGHTER_FEES_BY_TIER, type LighterTier } from '../venues/lighter/account.js';
import {
  sentLeg,
  VenueError,
  type DetachedExecution,
  type ExecutionReadiness,
  type LegResult,
  type MarketOrderRequest,
  type ReadinessGate,
  type SignAheadKind,
} from '../venues/venue.js';
import { RateBudget } from '../venues/lighter/rate-budget.js';
import { HeldAhead } from '../venues/signed-ahead.js';
import type { OrderSide } from '../core/types.js';
import type { ReplayFeed } from './feed.js';

/** Lighter's taker speed bump by account tier (ms; spec §6.3). */
export const LIGHTER_TAKER_DELAY_MS: Readonly<Record<LighterTier, number>> = { standard: 300, premium: 200 };

export interface VenueLatency {
  /** From our send to the order's match at the venue (ms). */
  arrivalMs: number;
  /** From the match to our confirmation (ms). */
  replyMs: number;
}

export type LatencyModel = Record<VenueId, VenueLatency>;

/** Fixed round trips per venue; Lighter's taker speed bump for the tier is added on the way in. */
export function fixedLatency(roundTripMs: Record<VenueId, number>, lighterTier?: LighterTier): LatencyModel {
  const bump = lighterTier === undefined ? 0 : LIGHTER_TAKER_DELAY_MS[lighterTier];
  return {
    backpack: { arrivalMs: roundTripMs.backpack / 2, replyMs: roundTripMs.backpack / 2 },
    lighter: { arrivalMs: roundTripMs.lighter / 2 + bump, replyMs: roundTripMs.lighter / 2 },
  };
}

/** Collects a recording's order events and learns each venue's round trip from them. */
export class LatencyLearner {
  private readonly sentAt = new Map<string, number>();
  private readonly trips: Record<VenueId, number[]> = { backpack: [], lighter: [] };

  /** One order event (its line's venue and µs time). */
  add(venue: VenueId, atUs: number, event: OrderEvent): void {
    if (event.event === 'sent') this.sentAt.set(`${venue}:${event.id}`, atUs);
    else if (event.id.startsWith('resolved:'))
      return; // a late answer measures the look-up, not the trip
    else if (event.state !== 'unknown') this.trips[venue].push((atUs - event.sentUs) / 1000);
  }

  /** Orders learned from, per venue. */
  count(venue: VenueId): number {
    return this.trips[venue].length;
  }

  /** The median round trip per venue; a venue without orders keeps `fallback`'s. */
  model(fallback: LatencyModel): LatencyModel {
    const out = { ...fallback };
    for (const v of ['backpack', 'lighter'] as const) {
      const t = [...this.trips[v]].sort((a, b) => a - b);
      if (t.length === 0) continue;
      const mid = t.length % 2 === 1 ? t[(t.length - 1) / 2]! : (t[t.length / 2 - 1]! + t[t.length / 2]!) / 2;
      out[v] = { arrivalMs: mid / 2, replyMs: mid / 2 };
    }
    return out;
  }
}

/** Taker fee (bps) per venue: the recorded market's (the account's rate when recorded), Lighter's by tier when given, overrides last. */
export function takerFees(markets: Record<VenueId, MarketSpec>, o: { lighterTier?: LighterTier; backpackBps?: number; lighterBps?: number } = {}): Record<VenueId, number> {
  return {
    backpack: o.backpackBps ?? markets.backpack.takerFeeBps,
    lighter: o.lighterBps ?? (o.lighterTier !== undefined ? LIGHTER_FEES_BY_TIER[o.lighterTier].takerBps : markets.lighter.takerFeeBps),
  };
}

export interface ExecutionOptions {
  latency: VenueLatency;
  takerFeeBps: number;
  /** The venue's own limit on |position| at sizeScale (an order is cut to fit it); undefined = none. */
  maxPosition?: number;
  startingPosition?: number;
  /**
   * Lighter's request budget per rolling minute (Standard account: 60), kept by the live adapter's
   * own RateBudget (venues/lighter/rate-budget.ts: transactions held to two thirds of it, a tenth
   * reserved for repairs; spec "Rate limits"); undefined = none. An order without a place is
   * refused locally as rate_limited and readiness says budget_empty, as live. Position reads take a
   * place too, as live.
   */
  requestsPerMinute?: number;
}

const READY: ExecutionReadiness = { state: 'ready' };

/** The replay's execution side on the port, composed with a ReplayFeed by composeVenue (backtest/venue.ts). */
export class SimulatedExecution implements DetachedExecution {
  position: number;
  private nextId = 1;
  /** Orders placed and filled (for the summary). */
  orders = 0;
  private readonly budget?: RateBudget;
  /** The orders a live adapter would hold signed ahead (nothing is signed here). */
  private readonly held: HeldAhead;
  /** readiness() found an entry's place free, and none has been taken since. */
  private readyTillTake = false;
  /** readiness() found no place for an entry before `until`, and none has been taken since (its detail is read when asked). */
  private empty?: Extract<ExecutionReadiness, { state: 'budget_empty' }>;

  constructor(
    private readonly feed: ReplayFeed,
    private readonly clock: Clock & { noteWork?: () => void },
    readonly options: ExecutionOptions,
  ) {
    this.position = options.startingPosition ?? 0;
    this.held = new HeldAhead(feed.venue, clock);
    if (options.requestsPerMinute !== undefined) {
      this.budget = new RateBudget({
        perMinute: options.requestsPerMinute,
        now: () => clock.monoMs(),
        schedule: (wake, ms) => {
          const timer = clock.setTimeout(wake, ms);
          return { cancel: () => clock.clear(timer) };
        },
      });
    }
  }

  /**
   * The execution side's readiness: budget_empty while an entry could not have a place. The engine
   * asks on every book frame, so the answer is kept until it can change: places only leave the
   * window as time goes on and nothing pauses a replay's budget, so ready stays ready until a place
   * is taken, and the moment an entry's place frees stays the same until then or until it comes.
   * The refusal's text (which counts the milliseconds left) is written when it is read, as it stands
   * then: its readers (the entry gate when the state changes, flatten) read it on the turn they asked.
   */
  readiness(): ExecutionReadiness {
    const budget = this.budget;
    if (budget === undefined || this.readyTillTake) {
      this.readinessGate.readyFrom = -Infinity;
      return READY;
    }
    const now = this.clock.monoMs();
    if (this.empty !== undefined && this.empty.until > now) return this.empty;
    const at = budget.availableAt('entry', true, now);
    if (at <= now) {
      this.readyTillTake = true;
      this.empty = undefined;
      this.readinessGate.readyFrom = -Infinity;
      return READY;
    }
    this.empty = {
      state: 'budget_empty',
      until: at,
      get detail(): string {
        return budget.refusalMessage('entry', true);
      },
    };
    return this.empty;
  }

  /**
   * readiness() pushed (venue.ts ReadinessGate), so that the entry gate reads a field on every book
   * frame instead of asking: open (from -Infinity) exactly while readiness() answers `ready` without
   * looking — no budget, or ready since the last place taken — and closed when a place is taken.
   */
  readonly readinessGate: ReadinessGate = { readyFrom: Infinity };

  /** Takes a place in the budget when one is free. */
  private take(purpose: 'entry' | 'repair', transaction: boolean): boolean {
    this.readinessGate.readyFrom = Infinity;
    this.readyTillTake = false;
    this.empty = undefined;
    return this.budget === undefined || this.budget.tryTake(purpose, transaction);
  }

  /** A position read, as live: it takes a place in the budget when one is free. */
  fetchPosition(): Promise<number> {
    this.take('entry', false);
    return Promise.resolve(this.position);
  }

  /** Holds the order as a live adapter would once it had signed it; answers until when handing it again changes nothing (see HeldAhead.prepare). */
  prepareMarketOrder(request: MarketOrderRequest, kind?: SignAheadKind): number {
    return this.held.prepare(request, kind);
  }

  signedAheadVoids(): number {
    return this.held.voids;
  }

  heldBounds(side: OrderSide, size: number): readonly number[] {
    return this.held.bounds(side, size);
  }

  /** A replayed order's outcome is known when it resolves: nothing is left to look up. */
  resolveOrder(leg: LegResult): Promise<LegResult> {
    return Promise.resolve(leg);
  }

  get market(): MarketSpec {
    return this.feed.market;
  }

  async placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    const venue = this.feed.venue;
    const m = this.market;
    this.orders++;
    this.clock.noteWork?.();
    this.held.sent(request);
    // The outcome is written into the leg sentLeg made (nothing else holds it) rather than spread
    // into a copy: once a site is warm, V8 gives each object made by a spread plus a key of its own a
    // hidden class of its own (measured: 2,151 classes for the 2,162 filled legs of an hour's replay),
    // and every function that reads legs then goes megamorphic. The keys and their order are those
    // the spread gave.
    const leg = sentLeg(venue, request, `replay-${this.nextId++}`, this.clock.monoMs());
    const reject = (error: VenueError): LegResult => {
      leg.state = 'rejected';
      leg.confirmedAt = this.clock.monoMs();
      leg.error = error;
      return leg;
    };
    const refuse = (kind: 'bad_order' | 'rejected', message: string): LegResult => reject(new VenueError(venue, kind, `${venue} replayed order: ${message}`));
    if (!Number.isSafeInteger(request.size) || request.size <= 0 || request.size % m.stepSize !== 0 || request.size < m.minSize)
      return refuse('bad_order', `size ${request.size} is off the step grid (${m.stepSize}) or below the minimum (${m.minSize}) at ${m.sizeScale} decimals`);
    if (!Number.isSafeInteger(request.worstPrice) || request.worstPrice <= 0 || request.worstPrice % m.tickSize !== 0)
      return refuse('bad_order', `worst price ${request.worstPrice} is off the tick grid (${m.tickSize} at ${m.priceScale} decimals)`);
    const purpose = request.purpose === 'repair' ? 'repair' : 'entry';
    if (this.budget !== undefined && !this.take(purpose, true)) return reject(this.budget.refusal(purpose, true));
    await sleep(this.clock, this.options.latency.arrivalMs);
    const outcome = this.match(request);
    await sleep(this.clock, this.options.latency.replyMs);
    if (typeof outcome === 'string') return refuse('rejected', outcome);
    leg.state = outcome.state;
    leg.filled = outcome.filled;
    leg.notional = outcome.notional;
    leg.fee = outcome.fee;
    leg.confirmedAt = this.clock.monoMs();
    return leg;
  }

  /** The order at the venue, now: the book as recorded at this moment. */
  private match(request: MarketOrderRequest): Pick<LegResult, 'state' | 'filled' | 'notional' | 'fee'> | string {
    const m = this.market;
    if (!this.feed.valid) return 'the recorded book was out of sync when the order arrived';
    let size = request.size;
    if (request.reduceOnly === true) {
      const reducible = request.side === 'buy' ? -this.position : this.position;
      if (reducible <= 0) return 'reduce-only order would increase the position';
      size = Math.min(size, reducible);
    }
    const limit = this.options.maxPosition;
    if (limit !== undefined && request.reduceOnly !== true) {
      const room = request.side === 'buy' ? limit - this.position : limit + this.position;
      if (room <= 0) return `position limit ${limit} reached (position ${this.position})`;
      size = Math.min(size, room - (room % m.stepSize));
      if (size <= 0) return `position limit ${limit} leaves no room for one step`;
    }
    let filled = 0;
    let notional = 0;
    const side = request.side === 'buy' ? 'ask' : 'bid';
    for (const [price, available] of this.feed.book.levels(side)) {
      if (request.side === 'buy' ? price > request.worstPrice : price < request.worstPrice) break;
      const take = Math.min(available, size - filled);
      filled += take;
      notional += take * price;
      // What we took is gone from the book until the venue's next word on that level (both venues
      // send absolute sizes), so a second order before then cannot take it again.
      this.feed.book.update(side, price, available - take);
      if (filled === size) break;
    }
    if (filled === 0) return 'no depth inside the worst price';
    if (!Number.isSafeInteger(notional)) notional = Number(BigInt(Math.round(notional))); // reporting only past 2^53
    this.position += request.side === 'buy' ? filled : -filled;
    const fee = (notional / 10 ** (m.priceScale + m.sizeScale)) * (this.options.takerFeeBps / 10_000);
    return { state: filled === request.size ? 'filled' : 'partial', filled, notional, fee };
  }
}
