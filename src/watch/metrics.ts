// Prometheus metrics through prom-client, on a registry of our own (never the global one, so two
// bots in one process, or a test, do not collide). Names follow Prometheus conventions: base
// units (seconds, base-asset units, quote currency), `_total` for counters.
//
// Cost on the order path: decisions are counted into a plain array by index and copied into the
// counter when Prometheus scrapes; gauges of books, spreads, positions and PnL are read from the
// engine's snapshot at scrape time. Only what happens after a trade (leg latencies, fills, fees)
// touches prom-client directly.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { VenueId } from '../venues/types.js';
import { DECISION_OUTCOMES, type DecisionOutcome, type EngineObserver, type EngineSnapshot, type Halt, type LegStage, type TradeRecord } from '../engine/index.js';
import type { LegResult, VenueStatus } from '../venues/venue.js';

export const METRIC_PREFIX = 'arb_';

/** Sub-millisecond to seconds: a leg's stages run from ~100 µs (frame → sent) to seconds (a slow fill). */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const VENUE_IDS: readonly VenueId[] = ['backpack', 'lighter'];

export interface MetricsSource {
  snapshot(): EngineSnapshot;
  /** Each venue's execution readiness state now (ready, backing_off, budget_empty, down, auth_failed). */
  readiness?(venue: VenueId): string;
  /** A venue's local order budget, when it keeps one. */
  rateBudget?(venue: VenueId): { remaining: number; perMinute: number } | undefined;
}

export class BotMetrics implements EngineObserver {
  readonly registry = new Registry();
  private readonly decisionCounts = new Float64Array(DECISION_OUTCOMES.length);
  private readonly decisionIndex = new Map<DecisionOutcome, number>(DECISION_OUTCOMES.map((o, i) => [o, i]));
  private readonly latency: Histogram<'venue' | 'stage'>;
  private readonly trades: Counter<'direction' | 'outcome'>;
  private readonly repairs: Counter<'venue' | 'state'>;
  private readonly fills: Counter<'venue'>;
  private readonly filledBase: Counter<'venue'>;
  private readonly fees: Counter<'venue'>;
  private readonly venueErrors: Counter<'venue' | 'kind'>;
  private readonly halts: Counter<'kind'>;
  private readonly resyncs: Counter<'venue'>;
  private readonly reconnects: Counter<'venue'>;
  private readonly lastStatus: Partial<Record<VenueId, VenueStatus>> = {};

  constructor(private readonly source: MetricsSource) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const counts = this.decisionCounts;
    const outcomes = DECISION_OUTCOMES;
    new Counter({
      name: `${METRIC_PREFIX}decisions_total`,
      help: 'Book events judged, by outcome (traded, below_threshold, fees, limits, stale, halted, paused, not_ready)',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        for (let i = 0; i < outcomes.length; i++) this.inc({ outcome: outcomes[i] }, counts[i]);
      },
    });
    this.latency = new Histogram({
      name: `${METRIC_PREFIX}leg_latency_seconds`,
      help: 'Order leg stages: frame_to_sent, sent_to_ack, sent_to_filled',
      labelNames: ['venue', 'stage'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.trades = new Counter({
      name: `${METRIC_PREFIX}trades_total`,
      help: 'Entries by direction and outcome (success: both legs filled; failed otherwise)',
      labelNames: ['direction', 'outcome'],
      registers,
    });
    this.repairs = new Counter({
      name: `${METRIC_PREFIX}repair_orders_total`,
      help: 'Repair and flatten orders by venue and leg state',
      labelNames: ['venue', 'state'],
      registers,
    });
    this.fills = new Counter({ name: `${METRIC_PREFIX}fills_total`, help: 'Legs that filled some quantity, per venue', labelNames: ['venue'], registers });
    this.filledBase = new Counter({ name: `${METRIC_PREFIX}filled_base_total`, help: 'Quantity filled, base-asset units, per venue', labelNames: ['venue'], registers });
    this.fees = new Counter({ name: `${METRIC_PREFIX}fees_quote_total`, help: 'Fees paid, quote currency, per venue', labelNames: ['venue'], registers });
    this.venueErrors = new Counter({
      name: `${METRIC_PREFIX}venue_errors_total`,
      help: 'Leg errors by venue and kind (rejected, rate_limited, auth, timeout, …)',
      labelNames: ['venue', 'kind'],
      registers,
    });
    this.halts = new Counter({ name: `${METRIC_PREFIX}halts_total`, help: 'Halts set, by kind (kill_switch, exposure_open, venue_down, auth)', labelNames: ['kind'], registers });
    this.resyncs = new Counter({
      name: `${METRIC_PREFIX}book_resyncs_total`,
      help: 'Book went out of sync and was rebuilt while connected, per venue',
      labelNames: ['venue'],
      registers,
    });
    this.reconnects = new Counter({ name: `${METRIC_PREFIX}reconnects_total`, help: 'Market-data connection re-opened after a loss, per venue', labelNames: ['venue'], registers });
    for (const v of VENUE_IDS) {
      this.resyncs.inc({ venue: v }, 0);
      this.reconnects.inc({ venue: v }, 0);
    }

    const snap = () => this.current();
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: EngineSnapshot) => void) =>
      new Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          const s = snap();
          if (s !== undefined) fill(this, s);
        },
      });
    gauge('book_age_seconds', 'Seconds since the latest book frame, per venue', ['venue'], (g, s) => {
      for (const v of VENUE_IDS) if (Number.isFinite(s.books[v].ageMs)) g.set({ venue: v }, s.books[v].ageMs / 1000);
    });
    gauge('book_valid', "1 while the venue's book is in sync", ['venue'], (g, s) => {
      for (const v of VENUE_IDS) g.set({ venue: v }, s.books[v].valid ? 1 : 0);
    });
    gauge('best_price_quote', 'Best bid and ask, quote currency per unit', ['venue', 'side'], (g, s) => {
      for (const v of VENUE_IDS) {
        const b = s.books[v];
        if (b.bid !== undefined) g.set({ venue: v, side: 'bid' }, b.bid);
        if (b.ask !== undefined) g.set({ venue: v, side: 'ask' }, b.ask);
      }
    });
    gauge(
      'spread_quote',
      'Spreads, quote per unit: long (Lighter bid − Backpack ask) and short (Backpack bid − Lighter ask), top of book (raw) and at the order size (executable)',
      ['direction', 'kind'],
      (g, s) => {
        const sp = s.spreads;
        if (sp === undefined) return;
        const put = (direction: string, kind: string, x: number) => Number.isFinite(x) && g.set({ direction, kind }, x);
        put('long', 'raw', sp.rawLong);
        put('short', 'raw', sp.rawShort);
        put('long', 'executable', sp.executableLong);
        put('short', 'executable', sp.executableShort);
      },
    );
    gauge('spread_threshold_quote', 'The configured threshold per direction, quote per unit', ['direction'], (g, s) => {
      if (s.thresholds === undefined) return;
      g.set({ direction: 'long' }, s.thresholds.long);
      g.set({ direction: 'short' }, s.thresholds.short);
    });
    gauge('fee_per_unit_quote', "Both venues' taker fees on one unit at the Backpack mid, quote currency", [], (g, s) => {
      if (s.feePerUnit !== undefined) g.set(s.feePerUnit);
    });
    gauge('position_base', 'Position per venue, base-asset units (long > 0)', ['venue'], (g, s) => {
      for (const v of VENUE_IDS) g.set({ venue: v }, s.positions[v]);
    });
    gauge('net_exposure_base', 'Net position across both venues, base-asset units', [], (g, s) => g.set(s.net));
    gauge('pnl_quote', 'Estimated PnL after fees on the matched quantity of every trade, quote currency', [], (g, s) => g.set(s.summary.estimatedPnl));
    const fundingFlow = (name: string, help: string, pick: (f: { received: number; paid: number }) => number) =>
      new Counter({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames: ['venue'],
        registers,
        collect() {
          this.reset();
          const f = snap()?.summary.funding;
          if (f !== undefined) for (const v of VENUE_IDS) this.inc({ venue: v }, pick(f.flows[v]));
        },
      });
    fundingFlow('funding_received_usd_total', "Funding the venue paid us since the start, USD (from the venue's own funding history)", (f) => f.received);
    fundingFlow('funding_paid_usd_total', "Funding the venue charged us since the start, USD (from the venue's own funding history)", (f) => f.paid);
    gauge('halt_active', '1 while a halt of this kind stands', ['kind'], (g, s) => {
      for (const k of ['kill_switch', 'exposure_open', 'venue_down', 'auth']) g.set({ kind: k }, s.halts.some((h) => h.kind === k) ? 1 : 0);
    });
    gauge('entries_paused', '1 while the operator has paused entries', [], (g, s) => g.set(s.paused === undefined ? 0 : 1));
    gauge('engine_running', '1 while the engine is running (started, not stopping)', [], (g, s) => g.set(s.phase === 'running' ? 1 : 0));
    const src = this.source;
    gauge('execution_ready', "1 while the venue's execution side can take an order now (its rate budget and back-off allow one)", ['venue', 'state'], (g) => {
      if (src.readiness === undefined) return;
      for (const v of VENUE_IDS) {
        const state = src.readiness(v);
        g.set({ venue: v, state }, state === 'ready' ? 1 : 0);
      }
    });
    this.budgetGauge();
  }

  private budgetGauge(): void {
    const src = this.source;
    new Gauge({
      name: `${METRIC_PREFIX}rate_budget_remaining`,
      help: "Orders the venue's local rate budget allows now (Lighter: sendTx per minute)",
      labelNames: ['venue'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const v of VENUE_IDS) {
          const b = src.rateBudget?.(v);
          if (b !== undefined) this.set({ venue: v }, b.remaining);
        }
      },
    });
    new Gauge({
      name: `${METRIC_PREFIX}rate_budget_per_minute`,
      help: "The size of the venue's local rate budget, orders per minute",
      labelNames: ['venue'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const v of VENUE_IDS) {
          const b = src.rateBudget?.(v);
          if (b !== undefined) this.set({ venue: v }, b.perMinute);
        }
      },
    });
  }

  private current(): EngineSnapshot | undefined {
    try {
      return this.source.snapshot();
    } catch {
      return undefined;
    }
  }

  // ------------------------------------------------------------ EngineObserver

  decision(outcome: DecisionOutcome): void {
    this.decisionCounts[this.decisionIndex.get(outcome)!]++;
  }

  legLatency(venue: VenueId, stage: LegStage, seconds: number): void {
    this.latency.observe({ venue, stage }, seconds);
  }

  halt(h: Halt, set: boolean): void {
    if (set) this.halts.inc({ kind: h.kind });
  }

  venueStatus(venue: VenueId, s: VenueStatus): void {
    const was = this.lastStatus[venue];
    this.lastStatus[venue] = { ...s };
    if (was === undefined) return;
    if (!was.connected && s.connected) this.reconnects.inc({ venue });
    else if (was.connected && s.connected && !was.bookValid && s.bookValid) this.resyncs.inc({ venue });
  }

  /** A trade record (entry, repair, late): trades, fills, fees, errors. */
  trade(t: TradeRecord): void {
    if (t.kind === 'entry') {
      const ok = t.backpack?.state === 'filled' && t.lighter?.state === 'filled';
      this.trades.inc({ direction: t.direction, outcome: ok ? 'success' : 'failed' });
    }
    for (const leg of [t.backpack, t.lighter]) if (leg !== undefined) this.leg(leg, t.kind !== 'entry');
  }

  private leg(leg: LegResult, repair: boolean): void {
    const venue = leg.venue;
    if (repair) this.repairs.inc({ venue, state: leg.state });
    if (leg.filled > 0) this.fills.inc({ venue });
    if (leg.fee > 0) this.fees.inc({ venue }, leg.fee);
    if (leg.error !== undefined) this.venueErrors.inc({ venue, kind: leg.error.kind });
  }

  /** Base-unit quantity of a fill needs the market's scale, which the trade record does not carry. */
  filled(venue: VenueId, base: number): void {
    if (base > 0) this.filledBase.inc({ venue }, base);
  }

  /** The Prometheus text exposition. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
