// Prometheus metrics through prom-client, on a registry of our own (never the global one, so two
// bots in one process, or a test, do not collide). Names follow Prometheus conventions: base
// units (seconds, base-asset units, quote currency), `_total` for counters.
//
// Cost on the order path: decisions are counted into a plain array by index and copied into the
// counter when Prometheus scrapes; gauges of books, spreads, positions and PnL are read from the
// engine's snapshot at scrape time. Only what happens after a trade (leg latencies, fills, fees)
// touches prom-client directly.
//
// Markets: every series about a market carries a `market` label (the ticker), one value per market
// of the run, so a run of several markets exports each of them; `arb_total_pnl_quote` and
// `arb_total_funding_usd` add them up. The rate budget is the venue's, shared by every market,
// and has no market label.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { VenueId } from '../venues/types.js';
import { DECISION_OUTCOMES, type DecisionOutcome, type EngineSnapshot, type Halt, type LegStage, type TradeRecord } from '../engine/index.js';
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

/** One market of the run, named by its ticker. */
export interface MarketMetricsSource extends MetricsSource {
  market: string;
}

export class BotMetrics {
  readonly registry = new Registry();
  /** Per market: decisions counted by outcome index. */
  private readonly decisionCounts = new Map<string, Float64Array>();
  private readonly decisionIndex = new Map<DecisionOutcome, number>(DECISION_OUTCOMES.map((o, i) => [o, i]));
  private readonly latency: Histogram<'market' | 'venue' | 'stage'>;
  private readonly trades: Counter<'market' | 'direction' | 'outcome'>;
  private readonly repairs: Counter<'market' | 'venue' | 'state'>;
  private readonly fills: Counter<'market' | 'venue'>;
  private readonly filledBase: Counter<'market' | 'venue'>;
  private readonly fees: Counter<'market' | 'venue'>;
  private readonly venueErrors: Counter<'market' | 'venue' | 'kind'>;
  private readonly halts: Counter<'market' | 'kind'>;
  private readonly resyncs: Counter<'market' | 'venue'>;
  private readonly reconnects: Counter<'market' | 'venue'>;
  private readonly lastStatus = new Map<string, Partial<Record<VenueId, VenueStatus>>>();

  /** `markets`: the run's markets as they are now (the first is the one a one-market run has). */
  constructor(private readonly markets: () => readonly MarketMetricsSource[]) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const counts = this.decisionCounts;
    const outcomes = DECISION_OUTCOMES;
    new Counter({
      name: `${METRIC_PREFIX}decisions_total`,
      help: 'Book events judged, per market, by outcome (traded, below_threshold, fees, limits, stale, halted, paused, not_ready)',
      labelNames: ['market', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const [market, c] of counts) for (let i = 0; i < outcomes.length; i++) this.inc({ market, outcome: outcomes[i] }, c[i]);
      },
    });
    this.latency = new Histogram({
      name: `${METRIC_PREFIX}leg_latency_seconds`,
      help: 'Order leg stages: frame_to_sent, sent_to_ack, sent_to_filled',
      labelNames: ['market', 'venue', 'stage'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.trades = new Counter({
      name: `${METRIC_PREFIX}trades_total`,
      help: 'Entries by direction and outcome (success: both legs filled; failed otherwise)',
      labelNames: ['market', 'direction', 'outcome'],
      registers,
    });
    this.repairs = new Counter({
      name: `${METRIC_PREFIX}repair_orders_total`,
      help: 'Repair and flatten orders by venue and leg state',
      labelNames: ['market', 'venue', 'state'],
      registers,
    });
    this.fills = new Counter({ name: `${METRIC_PREFIX}fills_total`, help: 'Legs that filled some quantity, per venue', labelNames: ['market', 'venue'], registers });
    this.filledBase = new Counter({ name: `${METRIC_PREFIX}filled_base_total`, help: 'Quantity filled, base-asset units, per venue', labelNames: ['market', 'venue'], registers });
    this.fees = new Counter({ name: `${METRIC_PREFIX}fees_quote_total`, help: 'Fees paid, quote currency, per venue', labelNames: ['market', 'venue'], registers });
    this.venueErrors = new Counter({
      name: `${METRIC_PREFIX}venue_errors_total`,
      help: 'Leg errors by venue and kind (rejected, rate_limited, auth, timeout, …)',
      labelNames: ['market', 'venue', 'kind'],
      registers,
    });
    this.halts = new Counter({
      name: `${METRIC_PREFIX}halts_total`,
      help: 'Halts set, by kind (kill_switch, exposure_open, venue_down, auth)',
      labelNames: ['market', 'kind'],
      registers,
    });
    this.resyncs = new Counter({
      name: `${METRIC_PREFIX}book_resyncs_total`,
      help: 'Book went out of sync and was rebuilt while connected, per venue',
      labelNames: ['market', 'venue'],
      registers,
    });
    this.reconnects = new Counter({
      name: `${METRIC_PREFIX}reconnects_total`,
      help: 'Market-data connection re-opened after a loss, per venue',
      labelNames: ['market', 'venue'],
      registers,
    });

    const snaps = () => this.current();
    // A gauge per market: `fill` sets its series with `L` adding the market label.
    const gauge = (
      name: string,
      help: string,
      labelNames: string[],
      fill: (set: (labels: Record<string, string>, v: number) => void, s: EngineSnapshot, m: MarketMetricsSource) => void,
    ) =>
      new Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames: ['market', ...labelNames],
        registers,
        collect() {
          this.reset();
          for (const [m, s] of snaps()) fill((labels, v) => this.set({ market: m.market, ...labels }, v), s, m);
        },
      });
    gauge('book_age_seconds', 'Seconds since the latest book frame, per venue', ['venue'], (set, s) => {
      for (const v of VENUE_IDS) if (Number.isFinite(s.books[v].ageMs)) set({ venue: v }, s.books[v].ageMs / 1000);
    });
    gauge('book_valid', "1 while the venue's book is in sync", ['venue'], (set, s) => {
      for (const v of VENUE_IDS) set({ venue: v }, s.books[v].valid ? 1 : 0);
    });
    gauge('best_price_quote', 'Best bid and ask, quote currency per unit', ['venue', 'side'], (set, s) => {
      for (const v of VENUE_IDS) {
        const b = s.books[v];
        if (b.bid !== undefined) set({ venue: v, side: 'bid' }, b.bid);
        if (b.ask !== undefined) set({ venue: v, side: 'ask' }, b.ask);
      }
    });
    gauge(
      'spread_quote',
      'Spreads, quote per unit: long (Lighter bid − Backpack ask) and short (Backpack bid − Lighter ask), top of book (raw) and at the order size (executable)',
      ['direction', 'kind'],
      (set, s) => {
        const sp = s.spreads;
        if (sp === undefined) return;
        const put = (direction: string, kind: string, x: number) => Number.isFinite(x) && set({ direction, kind }, x);
        put('long', 'raw', sp.rawLong);
        put('short', 'raw', sp.rawShort);
        put('long', 'executable', sp.executableLong);
        put('short', 'executable', sp.executableShort);
      },
    );
    gauge('spread_threshold_quote', 'The configured threshold per direction, quote per unit', ['direction'], (set, s) => {
      if (s.thresholds === undefined) return;
      set({ direction: 'long' }, s.thresholds.long);
      set({ direction: 'short' }, s.thresholds.short);
    });
    gauge('fee_per_unit_quote', "Both venues' taker fees on one unit at the Backpack mid, quote currency", [], (set, s) => {
      if (s.feePerUnit !== undefined) set({}, s.feePerUnit);
    });
    gauge('position_base', 'Position per venue, base-asset units (long > 0)', ['venue'], (set, s) => {
      for (const v of VENUE_IDS) set({ venue: v }, s.positions[v]);
    });
    gauge('net_exposure_base', 'Net position across both venues, base-asset units', [], (set, s) => set({}, s.net));
    gauge('pnl_quote', 'Estimated PnL after fees on the matched quantity of every trade, quote currency', [], (set, s) => set({}, s.summary.estimatedPnl));
    const fundingFlow = (name: string, help: string, pick: (f: { received: number; paid: number }) => number) =>
      new Counter({
        name: `${METRIC_PREFIX}${name}`,
        help,
        labelNames: ['market', 'venue'],
        registers,
        collect() {
          this.reset();
          for (const [m, s] of snaps()) {
            const f = s.summary.funding;
            if (f !== undefined) for (const v of VENUE_IDS) this.inc({ market: m.market, venue: v }, pick(f.flows[v]));
          }
        },
      });
    fundingFlow('funding_received_usd_total', "Funding the venue paid us since the start, USD (from the venue's own funding history)", (f) => f.received);
    fundingFlow('funding_paid_usd_total', "Funding the venue charged us since the start, USD (from the venue's own funding history)", (f) => f.paid);
    gauge('halt_active', '1 while a halt of this kind stands', ['kind'], (set, s) => {
      for (const k of ['kill_switch', 'exposure_open', 'venue_down', 'auth']) set({ kind: k }, s.halts.some((h) => h.kind === k) ? 1 : 0);
    });
    gauge('entries_paused', '1 while the operator has paused entries', [], (set, s) => set({}, s.paused === undefined ? 0 : 1));
    gauge('engine_running', '1 while the engine is running (started, not stopping)', [], (set, s) => set({}, s.phase === 'running' ? 1 : 0));
    gauge('execution_ready', "1 while the venue's execution side can take an order now (its rate budget and back-off allow one)", ['venue', 'state'], (set, _s, m) => {
      if (m.readiness === undefined) return;
      for (const v of VENUE_IDS) {
        const state = m.readiness(v);
        set({ venue: v, state }, state === 'ready' ? 1 : 0);
      }
    });
    // The totals a trader reads across markets (positions are in each market's own asset: no total).
    const total = (name: string, help: string, pick: (s: EngineSnapshot) => number) =>
      new Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        registers,
        collect() {
          this.reset();
          const all = snaps();
          if (all.length > 0) this.set(all.reduce((sum, [, s]) => sum + pick(s), 0));
        },
      });
    total('total_pnl_quote', 'Estimated PnL after fees, summed over every market of the run, quote currency', (s) => s.summary.estimatedPnl);
    total(
      'total_funding_usd',
      "Funding received less paid, both venues, summed over every market of the run, USD (from the venues' own funding histories)",
      (s) => s.summary.funding?.totalUsd ?? 0,
    );
    this.budgetGauge();
  }

  /** Starts a market's counters at zero, so each is exported before its first event. */
  addMarket(market: string): void {
    if (this.decisionCounts.has(market)) return;
    this.decisionCounts.set(market, new Float64Array(DECISION_OUTCOMES.length));
    for (const v of VENUE_IDS) {
      this.resyncs.inc({ market, venue: v }, 0);
      this.reconnects.inc({ market, venue: v }, 0);
    }
  }

  private budgetGauge(): void {
    // The venue's budget, shared by every market: read through the first.
    const first = () => this.markets()[0];
    new Gauge({
      name: `${METRIC_PREFIX}rate_budget_remaining`,
      help: "Orders the venue's local rate budget allows now (Lighter: sendTx per minute)",
      labelNames: ['venue'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const v of VENUE_IDS) {
          const b = first()?.rateBudget?.(v);
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
          const b = first()?.rateBudget?.(v);
          if (b !== undefined) this.set({ venue: v }, b.perMinute);
        }
      },
    });
  }

  /** Each market's snapshot now (a market whose engine cannot say is left out of this scrape). */
  private current(): Array<[MarketMetricsSource, EngineSnapshot]> {
    const out: Array<[MarketMetricsSource, EngineSnapshot]> = [];
    for (const m of this.markets()) {
      try {
        out.push([m, m.snapshot()]);
      } catch {
        // not attached yet
      }
    }
    return out;
  }

  // ------------------------------------------------------------ what each market's engine reports

  decision(market: string, outcome: DecisionOutcome): void {
    let counts = this.decisionCounts.get(market);
    if (counts === undefined) {
      this.addMarket(market);
      counts = this.decisionCounts.get(market)!;
    }
    counts[this.decisionIndex.get(outcome)!]++;
  }

  legLatency(market: string, venue: VenueId, stage: LegStage, seconds: number): void {
    this.latency.observe({ market, venue, stage }, seconds);
  }

  halt(market: string, h: Halt, set: boolean): void {
    if (set) this.halts.inc({ market, kind: h.kind });
  }

  venueStatus(market: string, venue: VenueId, s: VenueStatus): void {
    let last = this.lastStatus.get(market);
    if (last === undefined) this.lastStatus.set(market, (last = {}));
    const was = last[venue];
    last[venue] = { ...s };
    if (was === undefined) return;
    if (!was.connected && s.connected) this.reconnects.inc({ market, venue });
    else if (was.connected && s.connected && !was.bookValid && s.bookValid) this.resyncs.inc({ market, venue });
  }

  /** A trade record (entry, repair, late): trades, fills, fees, errors. */
  trade(market: string, t: TradeRecord): void {
    if (t.kind === 'entry') {
      const ok = t.backpack?.state === 'filled' && t.lighter?.state === 'filled';
      this.trades.inc({ market, direction: t.direction, outcome: ok ? 'success' : 'failed' });
    }
    for (const leg of [t.backpack, t.lighter]) if (leg !== undefined) this.leg(market, leg, t.kind !== 'entry');
  }

  private leg(market: string, leg: LegResult, repair: boolean): void {
    const venue = leg.venue;
    if (repair) this.repairs.inc({ market, venue, state: leg.state });
    if (leg.filled > 0) this.fills.inc({ market, venue });
    if (leg.fee > 0) this.fees.inc({ market, venue }, leg.fee);
    if (leg.error !== undefined) this.venueErrors.inc({ market, venue, kind: leg.error.kind });
  }

  /** Base-unit quantity of a fill needs the market's scale, which the trade record does not carry. */
  filled(market: string, venue: VenueId, base: number): void {
    if (base > 0) this.filledBase.inc({ market, venue }, base);
  }

  /** The Prometheus text exposition. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
