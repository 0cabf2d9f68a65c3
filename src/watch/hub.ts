// The watch hub: attached to a run's engines (one per market) as their observer, it fans what each
// engine says out to the metrics (labelled with its market), the alerts (naming the market when
// the run has several) and the dashboard's pushed updates, and keeps the short histories the
// dashboard draws (the first market's spreads and PnL, every market's row and their total, latest
// trades, log tail). History is sampled on a timer, never on a book frame.

import type { Logger } from '../core/log.js';
import type { TaggedLogger } from '../io/runlog.js';
import type { VenueId } from '../venues/types.js';
import type { ArbEngine, DecisionOutcome, EngineObserver, EngineSnapshot, Halt, LegStage, RunSummary, TradeRecord } from '../engine/index.js';
import type { VenueStatus } from '../venues/venue.js';
import type { Alerter } from './alerts.js';
import { LATENCY_BUCKETS, type BotMetrics } from './metrics.js';

export interface TradeRow {
  at: number;
  market: string;
  kind: TradeRecord['kind'];
  direction: string;
  backpack?: { side: string; state: string; filled: number; price?: number };
  lighter?: { side: string; state: string; filled: number; price?: number };
  netPnl: number;
}

export interface SpreadPoint {
  t: number;
  long?: number;
  short?: number;
  pnl: number;
}

/** One market's line on the dashboard. */
export interface MarketRow {
  ticker: string;
  phase: string;
  pnl: number;
  trades: number;
  failures: number;
  positions: { backpack: number; lighter: number };
  net: number;
  /** Halts standing, and the pause, in words. */
  halted: string[];
}

/**
 * What a dashboard is pushed: the full histories when it connects (`full`), then every second the
 * state now and only what was added since the previous push (one spread point, new trades, new log
 * lines), so a push stays small however long the bot has run.
 */
export interface UiUpdate {
  full: boolean;
  snapshot: EngineSnapshot;
  /** Every market of the run (one for a one-market run), and their total. */
  markets: MarketRow[];
  total: { pnl: number; trades: number; failures: number };
  spreads: SpreadPoint[];
  trades: TradeRow[];
  log: string[];
  /** Per venue and stage: counts in each of LATENCY_BUCKETS (non-cumulative), plus overflow. */
  latency: Record<string, number[]>;
  latencyBuckets: number[];
}

/** Kept for a page that connects: 10 minutes of one-second points, the latest trades and log lines. The page keeps the same. */
export const HISTORY = 600;
export const TRADES = 50;
export const LOG_TAIL = 100;

export class WatchHub implements EngineObserver {
  private readonly spreadHistory: SpreadPoint[] = [];
  private readonly tradeRows: TradeRow[] = [];
  private readonly logTail: string[] = [];
  private readonly latencyCounts = new Map<string, number[]>();
  private readonly listeners = new Set<(u: UiUpdate) => void>();
  private sampler?: NodeJS.Timeout;
  /** Trades and log lines ever added, and how many of each the previous push carried. */
  private tradesAdded = 0;
  private logAdded = 0;
  private tradesPushed = 0;
  private logPushed = 0;
  private engine?: ArbEngine;
  /** Every engine of the run with its market, the first one first. */
  private engines: Array<{ engine: ArbEngine; market: string }> = [];

  constructor(private readonly opts: { metrics?: BotMetrics; alerter?: Alerter; ticker: string; sampleMs?: number; now?: () => number }) {}

  /** The markets the hub watches (for the metrics), the first one first. */
  get markets(): ReadonlyArray<{ engine: ArbEngine; market: string }> {
    return this.engines;
  }

  /**
   * Becomes the observer of `engine` (the first market: the dashboard's charts and controls) and of
   * `others` (the other markets of the run), and starts sampling.
   */
  attach(engine: ArbEngine, others: readonly ArbEngine[] = []): void {
    this.engine = engine;
    this.engines = [engine, ...others].map((e) => ({ engine: e, market: e.snapshot().ticker }));
    for (const [i, { engine: e, market }] of this.engines.entries()) {
      this.opts.metrics?.addMarket(market);
      e.observe(i === 0 ? this : this.observerFor(market));
      e.onTrade((t) => this.trade(market, e, t));
    }
    this.sampler = setInterval(() => this.sample(), this.opts.sampleMs ?? 1000);
    this.sampler.unref();
    this.sample();
  }

  detach(): void {
    if (this.sampler !== undefined) clearInterval(this.sampler);
    for (const { engine } of this.engines) engine.observe(undefined);
  }

  private get firstMarket(): string {
    return this.engines[0]?.market ?? this.opts.ticker;
  }

  /** An observer of another market's engine: the same as the hub's own, for that market. */
  private observerFor(market: string): EngineObserver {
    return {
      decision: (outcome) => this.opts.metrics?.decision(market, outcome),
      legLatency: (venue, stage, seconds) => this.latencyOf(market, venue, stage, seconds),
      halt: (h, set) => this.haltOf(market, h, set),
      venueStatus: (venue, st) => this.opts.metrics?.venueStatus(market, venue, st),
      paused: (reason) => this.pausedOf(market, reason),
    };
  }

  /** With several markets an alert names its market. */
  private named(market: string, text: string): string {
    return this.engines.length > 1 ? `${market}: ${text}` : text;
  }

  snapshot(): EngineSnapshot {
    if (this.engine === undefined) throw new Error('no engine attached yet');
    return this.engine.snapshot();
  }

  get attached(): ArbEngine | undefined {
    return this.engine;
  }

  /** A logger that also keeps the tail for the dashboard (secrets never reach the log to begin with). */
  tee(inner: Logger | TaggedLogger, tag?: string): TaggedLogger {
    const shown = tag === undefined ? '' : `[${tag}] `;
    const keep = (level: string, m: string) => {
      this.logTail.push(`${new Date(this.now()).toISOString()} ${level} ${shown}${m}`);
      this.logAdded++;
      if (this.logTail.length > LOG_TAIL) this.logTail.shift();
    };
    return {
      debug: (m) => inner.debug(m),
      info: (m) => (inner.info(m), keep('INFO', m)),
      warn: (m) => (inner.warn(m), keep('WARN', m)),
      error: (m) => (inner.error(m), keep('ERROR', m)),
      // A venue's lines keep their tag in the run log and in the page's tail alike.
      child: (t) => this.tee('child' in inner ? inner.child(t) : inner, t),
    };
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  onUpdate(listener: (u: UiUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every market's row now, and their total. */
  private rows(): { markets: MarketRow[]; total: UiUpdate['total'] } {
    const markets = this.engines.map(({ engine }): MarketRow => {
      const s = engine.snapshot();
      const halted = s.halts.map((h) => `${h.kind}: ${h.text}`);
      if (s.paused !== undefined) halted.push(`paused: ${s.paused}`);
      return {
        ticker: s.ticker,
        phase: s.phase,
        pnl: s.summary.estimatedPnl,
        trades: s.summary.trades,
        failures: s.summary.failures,
        positions: { ...s.positions },
        net: s.net,
        halted,
      };
    });
    const total = markets.reduce((t, m) => ({ pnl: t.pnl + m.pnl, trades: t.trades + m.trades, failures: t.failures + m.failures }), { pnl: 0, trades: 0, failures: 0 });
    return { markets, total };
  }

  /** The full state, for a page that just connected. */
  update(): UiUpdate | undefined {
    if (this.engine === undefined) return undefined;
    return {
      full: true,
      snapshot: this.engine.snapshot(),
      ...this.rows(),
      spreads: [...this.spreadHistory],
      trades: [...this.tradeRows],
      log: [...this.logTail],
      latency: this.latency(),
      latencyBuckets: LATENCY_BUCKETS,
    };
  }

  private latency(): Record<string, number[]> {
    const latency: Record<string, number[]> = {};
    for (const [k, v] of this.latencyCounts) latency[k] = [...v];
    return latency;
  }

  /** What was added since the previous push. */
  private delta(snapshot: EngineSnapshot): UiUpdate {
    const newest = <T>(ring: T[], added: number, pushed: number) => (added === pushed ? [] : ring.slice(-Math.min(ring.length, added - pushed)));
    const u: UiUpdate = {
      full: false,
      snapshot,
      ...this.rows(),
      spreads: this.spreadHistory.slice(-1),
      trades: newest(this.tradeRows, this.tradesAdded, this.tradesPushed),
      log: newest(this.logTail, this.logAdded, this.logPushed),
      latency: this.latency(),
      latencyBuckets: LATENCY_BUCKETS,
    };
    this.tradesPushed = this.tradesAdded;
    this.logPushed = this.logAdded;
    return u;
  }

  private sample(): void {
    if (this.engine === undefined) return;
    const s = this.engine.snapshot();
    const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined);
    this.spreadHistory.push({ t: this.now(), long: finite(s.spreads?.executableLong), short: finite(s.spreads?.executableShort), pnl: s.summary.estimatedPnl });
    if (this.spreadHistory.length > HISTORY) this.spreadHistory.shift();
    const u = this.delta(s);
    for (const l of this.listeners) l(u);
  }

  // ------------------------------------------------------------ EngineObserver

  decision(outcome: DecisionOutcome): void {
    this.opts.metrics?.decision(this.firstMarket, outcome);
  }

  legLatency(venue: VenueId, stage: LegStage, seconds: number): void {
    this.latencyOf(this.firstMarket, venue, stage, seconds);
  }

  /** The dashboard's latency histogram counts every market's legs together; the metrics keep them apart. */
  private latencyOf(market: string, venue: VenueId, stage: LegStage, seconds: number): void {
    this.opts.metrics?.legLatency(market, venue, stage, seconds);
    const key = `${venue} ${stage}`;
    let counts = this.latencyCounts.get(key);
    if (counts === undefined) this.latencyCounts.set(key, (counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0)));
    let i = LATENCY_BUCKETS.findIndex((b) => seconds <= b);
    if (i < 0) i = LATENCY_BUCKETS.length;
    counts[i]++;
  }

  halt(h: Halt, set: boolean): void {
    this.haltOf(this.firstMarket, h, set);
  }

  private haltOf(market: string, h: Halt, set: boolean): void {
    this.opts.metrics?.halt(market, h, set);
    const a = this.opts.alerter;
    if (a === undefined) return;
    // Each market's halts are their own: the key keeps one market's from hiding another's.
    const key = `${this.engines.length > 1 ? `${market}:` : ''}${h.kind}${h.venue ? `:${h.venue}` : ''}`;
    if (!set) {
      a.send({
        kind: h.kind === 'venue_down' ? 'venue_back' : 'halt_cleared',
        key: `${key}:cleared`,
        text: this.named(market, h.kind === 'venue_down' ? `${h.venue} is back (${h.text} is over)` : `halt cleared: ${h.text}`),
      });
      return;
    }
    const kind =
      h.kind === 'venue_down' ? 'venue_down' : h.kind === 'kill_switch' ? 'kill_switch' : h.kind === 'exposure_open' ? 'exposure_open' : h.kind === 'auth' ? 'auth' : 'halt';
    a.send({ kind, key, text: this.named(market, `ENTRIES HALTED (${h.kind}): ${h.text}`) });
  }

  venueStatus(venue: VenueId, s: VenueStatus): void {
    this.opts.metrics?.venueStatus(this.firstMarket, venue, s);
  }

  paused(reason: string | undefined): void {
    this.pausedOf(this.firstMarket, reason);
  }

  private pausedOf(market: string, reason: string | undefined): void {
    const key = this.engines.length > 1 ? `${market}:` : '';
    this.opts.alerter?.send(
      reason === undefined
        ? { kind: 'resumed', key: `${key}resumed`, text: this.named(market, 'entries resumed by the operator') }
        : { kind: 'paused', key: `${key}paused`, text: this.named(market, `entries paused by the operator (${reason})`) },
    );
  }

  private trade(ticker: string, engine: ArbEngine, t: TradeRecord): void {
    const m = this.opts.metrics;
    const p = engine.strategy;
    const row: TradeRow = { at: this.now(), market: ticker, kind: t.kind, direction: t.direction, netPnl: t.netPnl };
    for (const venue of ['backpack', 'lighter'] as const) {
      const leg = t[venue];
      if (leg === undefined || p === undefined) continue;
      const market = p[venue];
      const filled = leg.filled / 10 ** market.sizeScale;
      m?.filled(ticker, venue, filled);
      row[venue] = { side: leg.side, state: leg.state, filled, price: leg.filled > 0 ? leg.notional / leg.filled / 10 ** market.priceScale : undefined };
    }
    m?.trade(ticker, t);
    this.tradeRows.push(row);
    this.tradesAdded++;
    if (this.tradeRows.length > TRADES) this.tradeRows.shift();
  }

  /** Start and stop alerts, with the summary. */
  started(mode: string): void {
    this.opts.alerter?.send({ kind: 'start', key: 'start', text: `started (${mode})` });
  }

  stopped(s: RunSummary, reason: string): void {
    this.opts.alerter?.send({ kind: 'stop', key: 'stop', text: `stopped (${reason}): ${summaryText(s)}` });
  }

  heartbeat(): void {
    if (this.engine === undefined) return;
    // One market: its summary. Several: each market's, named, then their total.
    const line = (s: EngineSnapshot) =>
      `${summaryText(s.summary)}; positions Backpack ${s.positions.backpack}, Lighter ${s.positions.lighter}${s.halts.length > 0 ? `; halted: ${s.halts.map((h) => h.text).join('; ')}` : ''}`;
    const snaps = this.engines.map(({ engine }) => engine.snapshot());
    const { total } = this.rows();
    const text =
      snaps.length > 1
        ? `daily summary: ${snaps.map((s) => `${s.ticker}: ${line(s)}`).join(' | ')} | total: ${total.trades} trades, ${total.failures} failed, estimated PnL ${total.pnl.toFixed(4)}`
        : `daily summary: ${line(this.engine.snapshot())}`;
    this.opts.alerter?.send({ kind: 'heartbeat', key: `heartbeat:${new Date(this.now()).toISOString().slice(0, 10)}`, text });
  }
}

export function summaryText(s: RunSummary): string {
  return `${s.trades} trades, ${s.successes} succeeded, ${s.failures} failed, ${s.repairs} repair orders; estimated PnL ${s.estimatedPnl.toFixed(4)} after ${s.fees.toFixed(4)} fees${s.funding ? `; funding ${s.funding.total} USDC` : ''}; positions Backpack ${s.positions.backpack}, Lighter ${s.positions.lighter}${s.halted ? `; halted: ${s.halted}` : ''}`;
}
