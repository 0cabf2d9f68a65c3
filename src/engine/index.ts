// The runtime around the pure strategy. ArbEngine owns the phase (see phase.ts) and wires the parts:
//   loop.ts       book events → decision → both legs at once
//   legs.ts       send, settle unknown legs, follow them, late fills
//   repair.ts     hedge repair within a deadline, then a halt while it keeps flattening
//   halts.ts      typed halts: kill switch, exposure open, venue down, authentication
//   reconcile.ts  the venues' positions win
//   records.ts    BBO and trades CSVs, trade listeners, the summary and its PnL (pnl.ts)
//   funding.ts    the venues' funding payments since the start, and the start-up funding lines
//   flatten.ts    closing both positions on stop when asked to (close on exit)
//   startup.ts    venues that are down at start-up are waited for
//   settings.ts   the engine's own settings type and every default
//   observer.ts   the one optional onlooker (status line, metrics, dashboard, alerts)
// Time (wall and monotonic) and timers come from the injected clock only.

import { systemClock, withTimeout, type Clock, type ClockTimer } from '../core/clock.js';
import { formatFixed } from '../core/fixed.js';
import { ParamError } from '../core/param-error.js';
import type { VenueId } from '../venues/types.js';
import { roundTripFeePerUnit, spreads, startupWarnings, stepCommon, strategyParams, type Spreads, type StrategyParams } from '../strategy/index.js';
import type { ExecutionReadiness, VenueStatus } from '../venues/venue.js';
import { EngineCore, VENUES, type RunSummary } from './core.js';
import { flattenVenues, type FlattenOutcome } from './flatten.js';
import { FundingTracker } from './funding.js';
import type { Halt } from './halts.js';
import { Legs } from './legs.js';
import type { EngineObserver } from './observer.js';
import { EntryLoop, marketExposure } from './loop.js';
import type { Phase } from './phase.js';
import { Reconciler } from './reconcile.js';
import { Records, type TradeRecord } from './records.js';
import { HedgeRepair } from './repair.js';
import { resolveTimings, type EngineOptions } from './settings.js';
import { StartAborted, startVenue, waitForBooks } from './startup.js';

export { BBO_COLUMNS, TRADE_COLUMNS, type TradeRecord } from './records.js';
export type { RunSummary } from './core.js';
export type { Halt, HaltKind } from './halts.js';
export type { Phase } from './phase.js';
export { DECISION_OUTCOMES, type DecisionOutcome, type EngineObserver, type LegStage } from './observer.js';

/** One venue's top of book as an onlooker shows it (quote currency per unit; reporting only). */
export interface BookTop {
  bid?: number;
  ask?: number;
  /** ms since the latest frame. */
  ageMs: number;
  valid: boolean;
}

/** The engine's state at a glance, for the status line, the metrics and the dashboard. Floats: reporting only. */
export interface EngineSnapshot {
  phase: Phase;
  ticker: string;
  /** Why the operator paused entries, while paused. */
  paused?: string;
  halts: Halt[];
  books: Record<VenueId, BookTop>;
  /** Undefined until the markets are known. */
  spreads?: Spreads;
  thresholds?: { long: number; short: number };
  /** Both venues' taker fees on one unit at the mid, quote currency. */
  feePerUnit?: number;
  /** Base units. */
  positions: Record<VenueId, number>;
  net: number;
  summary: RunSummary;
}

/** What the operator's "flatten both" did. */
export interface FlattenResult {
  lines: string[];
  positions: { backpack: string; lighter: string };
  flat: boolean;
}
export { ENGINE_DEFAULTS, type EngineOptions, type EngineSettings, type EngineTimings, type EntryCaps, type EntryExposure } from './settings.js';

/** How long start-up waits for the venues' funding rates, and stop for the final funding read. */
const STARTUP_FUNDING_MS = 3_000;

/** How long closing on exit may overrun its budget waiting on a venue call already made. */
const CLOSE_GRACE_MS = 2_000;

export class ArbEngine {
  private readonly core: EngineCore;
  private readonly clock: Clock;
  private readonly records: Records;
  private readonly reconciler: Reconciler;
  private readonly legs: Legs;
  private readonly repair: HedgeRepair;
  private readonly loop: EntryLoop;
  private readonly funding: FundingTracker;
  private timer?: ClockTimer;
  private lastBboAt = -Infinity;
  private readonly staleSaid: Record<VenueId, boolean> = { backpack: false, lighter: false };
  private starting?: Promise<boolean>;
  private resolveStopped!: (s: RunSummary) => void;
  /** Resolves when the engine has stopped, by stop() or by itself. */
  readonly stopped: Promise<RunSummary> = new Promise((r) => (this.resolveStopped = r));

  constructor(options: EngineOptions) {
    this.clock = options.clock ?? systemClock;
    const core = new EngineCore({ backpack: options.backpack, lighter: options.lighter }, options.logger, this.clock, options.settings, resolveTimings(options.timings));
    this.core = core;
    core.caps = options.caps;
    this.records = new Records(core);
    this.reconciler = new Reconciler(core);
    this.legs = new Legs(core, this.records, this.reconciler);
    this.repair = new HedgeRepair(core, this.legs, this.records, this.reconciler);
    this.loop = new EntryLoop(core, this.legs, this.repair, this.records, this.reconciler, (e) => this.fatal(e), options.betweenFrames);
    core.onQuiet = () => this.loop.judge(this.clock.monoMs());
    this.funding = new FundingTracker(core);
    this.funding.onPayment = (p) => this.records.funding(p);
    this.reconciler.afterReconcile = () => void this.funding.poll(core.timings.reconcileEveryMs / 2);
  }

  get phase(): Phase {
    return this.core.phase.phase;
  }

  /** The halts standing now (copies). */
  halts(): Halt[] {
    return this.core.halts.list().map((h) => ({ ...h }));
  }

  /** Sets the one onlooker (status line, metrics, dashboard, alerts); the decision path calls it only when set. */
  observe(observer: EngineObserver | undefined): void {
    this.core.observer = observer;
  }

  /** The operator pauses entries (not a halt: repairs and reconciliation go on). */
  pauseEntries(reason: string): void {
    if (this.core.pausedBy !== undefined) return;
    this.core.pausedBy = reason;
    this.core.log.warn(`ENTRIES PAUSED by the operator (${reason}); repairs and reconciliation go on`);
    this.core.observer?.paused?.(reason);
  }

  resumeEntries(): void {
    if (this.core.pausedBy === undefined) return;
    this.core.pausedBy = undefined;
    this.core.log.info('entries resumed by the operator');
    this.core.observer?.paused?.(undefined);
    if (this.core.phase.is('running')) this.loop.judge(this.clock.monoMs());
  }

  /**
   * The operator's "flatten both": pauses entries, waits for work in flight, then closes both
   * venues reduce-only the way close on exit does (flatten.ts: rounds until the venues themselves
   * report zero, within the close budget) and takes the venues' figures as ours. Entries stay
   * paused until resumed.
   */
  async flatten(): Promise<FlattenResult> {
    const core = this.core;
    if (!core.phase.is('running') || core.params === undefined) throw new Error(`cannot flatten while the engine is ${core.phase.phase}`);
    this.pauseEntries('flatten both');
    await this.idle();
    const job = this.flattenBoth('flatten both');
    core.track(job);
    const outcome = await job;
    const log = outcome.flat ? core.log.info.bind(core.log) : core.log.error.bind(core.log);
    log(`flatten both: ${outcome.detail}`);
    return { lines: outcome.orders, positions: { backpack: core.fmtPos('backpack'), lighter: core.fmtPos('lighter') }, flat: outcome.flat };
  }

  /** The state at a glance (allocates: for the status line, metrics scrapes and the dashboard, never the hot path). */
  snapshot(): EngineSnapshot {
    const core = this.core;
    const now = this.clock.monoMs();
    const p = core.params;
    const top = (v: VenueId): BookTop => {
      const b = core.books[v];
      const scale = p === undefined ? 0 : core.market(v).priceScale;
      return {
        bid: p === undefined || b.bestBid === undefined ? undefined : b.bestBid / 10 ** scale,
        ask: p === undefined || b.bestAsk === undefined ? undefined : b.bestAsk / 10 ** scale,
        ageMs: core.lastBookAt[v] === 0 ? Infinity : now - core.lastBookAt[v],
        valid: core.bookValid[v],
      };
    };
    const books = { backpack: top('backpack'), lighter: top('lighter') };
    const unit = (v: VenueId) => (p === undefined ? 0 : core.position[v] / 10 ** core.market(v).sizeScale);
    const positions = { backpack: unit('backpack'), lighter: unit('lighter') };
    const snap: EngineSnapshot = {
      phase: core.phase.phase,
      ticker: core.settings.ticker,
      paused: core.pausedBy,
      halts: this.halts(),
      books,
      positions,
      net: positions.backpack + positions.lighter,
      summary: { ...core.summary, positions: { ...core.summary.positions } },
    };
    if (p !== undefined) {
      snap.spreads = spreads(p, core.books.backpack, core.books.lighter);
      snap.thresholds = { long: p.longThreshold / 10 ** p.priceScale, short: p.shortThreshold / 10 ** p.priceScale };
      const mid = books.backpack.bid !== undefined && books.backpack.ask !== undefined ? (books.backpack.bid + books.backpack.ask) / 2 : undefined;
      if (mid !== undefined) snap.feePerUnit = roundTripFeePerUnit(p, mid);
    }
    return snap;
  }

  /**
   * This market's weight in the run's totals, in quote currency at the Backpack mid (Lighter's when
   * Backpack has none): the larger venue position (notional) and the net (open exposure). Floats,
   * for the caps across markets and the summary; 0 before the markets are known.
   */
  exposure(): { notional: number; openExposure: number } {
    return marketExposure(this.core);
  }

  /** A venue's execution readiness now, as the entry gate reads it. */
  readiness(venue: VenueId): ExecutionReadiness {
    return this.core.readiness(venue);
  }

  /** A venue's local order budget, when it keeps one (metrics only). */
  rateBudget(venue: VenueId): { remaining: number; perMinute: number } | undefined {
    return this.core.venues[venue].rateBudget?.();
  }

  onTrade(listener: (t: TradeRecord) => void): void {
    this.records.onTrade(listener);
  }

  get strategy(): StrategyParams | undefined {
    return this.core.params;
  }

  /** Current local positions at each venue's size scale. */
  positions(): Readonly<Record<VenueId, number>> {
    return { ...this.core.position };
  }

  /**
   * Nothing of the engine's continues on a later turn: running, no entry, repair or reconciliation
   * in flight, no funding read, no leg followed, no quiet-turn queued. A replay's clock needs to let
   * turns pass after a timer only when something does (ReplayClock.settleWhenBusy).
   */
  get settled(): boolean {
    const core = this.core;
    return core.phase.phase === 'running' && core.work.size === 0 && !core.quietQueued && !this.funding.reading && this.legs.following === 0;
  }

  /** Resolves once no entry, repair or reconciliation is in flight (work that waits on the clock needs the clock to move). */
  async idle(): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.core.work.size === 0) return;
      await Promise.allSettled([...this.core.work]);
    }
  }

  /**
   * Starts both venues (waiting out any that is down), waits for both books, converts the settings
   * onto both grids, reconciles positions and begins trading. Resolves true once running, false
   * when stop() ended the start-up. Throws one clear line (and leaves both venues stopped) when it
   * cannot start: a parameter off a market's grid (a StrategyConfigError),
   * refused credentials, an unhedged position.
   */
  async start(): Promise<boolean> {
    this.core.phase.move('starting');
    this.funding.begin();
    this.starting = this.startUp();
    try {
      return await this.starting;
    } catch (e) {
      if (e instanceof StartAborted) return false;
      await this.stop('start-up failed');
      throw e;
    }
  }

  private async startUp(): Promise<boolean> {
    const core = this.core;
    const s = core.settings;
    for (const v of VENUES) {
      core.venues[v].onBook((event) => this.loop.onBook(event));
      core.venues[v].onStatus((venue, status) => this.onStatus(venue, status));
    }
    const [bp, lt] = await Promise.all([startVenue(core, 'backpack'), startVenue(core, 'lighter')]);
    await waitForBooks(core);
    core.params = strategyParams(s.strategy, bp, lt, { backpackTakerBps: s.takerFeeBps.backpack, lighterTakerBps: s.takerFeeBps.lighter });
    const p = core.params;
    const st = s.strategy;
    core.log.info(`mode ${s.modeLabel}, ticker ${s.ticker}`);
    core.log.info(
      `markets: Backpack ${bp.symbol} (tick ${formatFixed(bp.tickSize, bp.priceScale)}, step ${formatFixed(bp.stepSize, bp.sizeScale)}, taker ${p.fees.backpackTakerBps} bps), Lighter ${lt.symbol} #${lt.marketId} (price ${lt.priceScale} / size ${lt.sizeScale} decimals, taker ${p.fees.lighterTakerBps} bps)`,
    );
    core.log.info(
      `size ${st.size}, long threshold ${st.longThreshold}, short threshold ${st.shortThreshold}, max position ${st.maxPosition === '0' ? 'unlimited' : st.maxPosition} per venue, min edge ${st.minEdgeBps} bps, slippage ${st.slippageBps} bps, max book age ${st.maxBookAgeMs} ms`,
    );
    for (const v of VENUES) {
      // Start-up takes each venue's book as it stands; from here on, only book events move these.
      core.books[v] = core.venues[v].book;
      core.lastBookAt[v] = core.venues[v].lastBookAt;
      core.bookValid[v] = core.venues[v].status().bookValid;
    }
    const b = core.books.backpack;
    const mid = (b.bestBid! + b.bestAsk!) / 2 / 10 ** bp.priceScale;
    for (const warning of startupWarnings(p, st, mid)) core.log.warn(core.text(warning));
    await this.reconciler.atStart();
    const exposure = core.exposure();
    const unhedged = Math.abs(exposure) > stepCommon(p);
    if (unhedged) {
      const text = `the venues' positions are not hedged (Backpack ${core.fmtPos('backpack')}, Lighter ${core.fmtPos('lighter')}, net ${formatFixed(exposure, p.sizeScale)})`;
      if (!s.allowUnhedgedStart) throw new ParamError(`${text} — flatten them first, or start with {allowUnhedgedStart} to let the bot repair it`, 'state');
      core.log.warn(core.text(`${text}; {allowUnhedgedStart} given: repairing before any entry`));
    } else if (core.position.backpack !== 0 || core.position.lighter !== 0) {
      core.log.info(`picked up a hedged position: Backpack ${core.fmtPos('backpack')}, Lighter ${core.fmtPos('lighter')}`);
    }
    if (this.funding.hasSources) {
      let lines: string[] | undefined;
      await withTimeout(
        this.clock,
        this.funding.startupLines().then((l) => (lines = l)),
        STARTUP_FUNDING_MS,
      );
      if (lines === undefined) core.log.warn(`funding: the venues' current rates did not come within ${STARTUP_FUNDING_MS / 1000} s; starting without the start-up funding lines`);
      for (const line of lines ?? []) core.log.info(line);
      core.summary.funding = this.funding.summary();
    }
    if (!core.phase.is('starting')) throw new StartAborted('stopped during start-up');
    this.records.open();
    this.funding.lastAt = this.clock.monoMs();
    core.phase.move('running');
    this.timer = this.clock.setInterval(() => this.tick(), s.checkIntervalMs);
    if (unhedged) core.track(this.repair.repair('start-up exposure', this.repair.deadline()));
    return true;
  }

  private onStatus(venue: VenueId, s: VenueStatus): void {
    const core = this.core;
    core.bookValid[venue] = s.bookValid;
    core.observer?.venueStatus?.(venue, s);
    const down = !s.available || !s.connected;
    if (down && !core.halts.has('venue_down', venue)) {
      core.halts.set(
        'venue_down',
        `${venue} ${s.available ? 'disconnected' : 'unavailable'}${s.detail ? `: ${s.detail}` : ''}`,
        Infinity,
        venue,
        'resuming once it is back and exposure is flat',
      );
    } else if (!down && core.halts.clear('venue_down', venue)) {
      core.log.info(`${venue} is back${core.params !== undefined && core.isFlat() ? '; entries resume' : '; entries resume once exposure is flat'}`);
    }
  }

  /** A defect in the engine itself stops it cleanly (repairing any residual) rather than trading on. */
  private fatal(e: unknown): void {
    const reason = `engine fault: ${e instanceof Error ? e.message : String(e)}`;
    this.core.log.error(`${reason}; stopping`);
    void this.stop(reason);
  }

  // ---------------------------------------------------------------- timer: staleness, BBO, reconcile, flatten

  private tick(): void {
    const core = this.core;
    if (!core.phase.is('running')) return;
    const s = core.settings;
    const now = this.clock.monoMs();
    for (const v of VENUES) {
      const stale = now - core.lastBookAt[v] > s.strategy.maxBookAgeMs;
      if (stale !== this.staleSaid[v]) {
        this.staleSaid[v] = stale;
        if (stale) core.log.warn(`${v} book is stale (no frame for ${s.strategy.maxBookAgeMs} ms); no decisions on it`);
        else core.log.info(`${v} book is fresh again`);
      }
    }
    if (now - this.lastBboAt >= s.bboIntervalMs) {
      this.lastBboAt = now;
      this.records.writeBbo();
    }
    if (now - this.funding.lastAt >= core.timings.fundingPollEveryMs) void this.funding.poll(core.timings.fundingPollEveryMs);
    if (core.busy) return;
    if (!core.isFlat()) {
      core.track(this.repair.repair('open exposure', this.repair.deadline()));
      return;
    }
    if (now - this.reconciler.lastAt >= core.timings.reconcileEveryMs) core.track(this.reconciler.reconcile('periodic'));
  }

  // ---------------------------------------------------------------- stop

  /**
   * Both venues closed reduce-only (flatten.ts), every closing order booked and written as a row
   * ('close' on exit, 'repair' for the operator's flatten), and the venues' own final figures
   * taken as ours.
   */
  private async flattenBoth(label: 'close-on-exit' | 'flatten both'): Promise<FlattenOutcome> {
    const core = this.core;
    const p = core.params!;
    const onExit = label === 'close-on-exit';
    core.log.info(`${label}: closing both positions reduce-only`);
    const outcome = await flattenVenues({
      venues: core.venues,
      markets: { backpack: p.backpack, lighter: p.lighter },
      slippageBps: p.slippageBps * 2,
      clock: this.clock,
      deadline: this.clock.monoMs() + core.timings.closeBudgetMs,
      log: core.log,
      label,
      readiness: (v) => core.readiness(v),
      onLeg: (leg) => {
        this.legs.apply(leg);
        if (!onExit) core.summary.repairs++;
        const tag = `${onExit ? 'CLOSE' : 'FLATTEN'}_${leg.venue.toUpperCase()}`;
        this.records.record(onExit ? 'close' : 'repair', tag, leg.venue === 'backpack' ? leg : undefined, leg.venue === 'lighter' ? leg : undefined, leg.sentAt);
        if (leg.error?.kind === 'auth') core.haltForAuth(leg.venue, leg.error.message);
      },
    });
    // On exit, an answer after stop() gave up waiting (and said so) changes nothing any more.
    if (!(onExit && core.summary.closeOnExit !== undefined)) for (const v of VENUES) if (!Number.isNaN(outcome.positions[v])) core.position[v] = outcome.positions[v];
    return outcome;
  }

  private async closeOnExit(): Promise<void> {
    const core = this.core;
    const outcome = await this.flattenBoth('close-on-exit');
    if (core.summary.closeOnExit !== undefined) return;
    core.summary.closeOnExit = outcome;
    if (outcome.flat) core.log.info(`close-on-exit: ${outcome.detail}`);
    else core.log.error(`close-on-exit: ${outcome.detail}`);
  }

  /**
   * No new entries; in-flight legs resolved; legs still unknown asked once more; residual
   * repaired; when closing on exit, both venues flattened (on a budget of its own); PnL valued;
   * venues stopped; summary logged; files closed — within the stop budget.
   */
  async stop(reason: string): Promise<RunSummary> {
    const core = this.core;
    if (core.phase.is('stopping', 'stopped')) return this.stopped;
    const wasRunning = core.phase.is('running');
    const wasStarting = core.phase.is('starting');
    core.phase.move('stopping');
    const clock = this.clock;
    const budget = core.timings.stopBudgetMs;
    const startedAt = clock.monoMs();
    const s = core.settings;
    // Time spent closing on exit (its own budget) does not eat into what is left for the rest.
    let closeSpentMs = 0;
    const left = (reserveMs: number) => Math.max(0, startedAt + closeSpentMs + budget - reserveMs - clock.monoMs());
    core.cutoff = startedAt + budget * 0.85;
    core.log.info(`stopping (${reason}): no new entries`);
    clock.clear(this.timer);
    // A start-up under way notices the stop at its next step; a venue start in flight is let finish, so it can be stopped.
    if (wasStarting && this.starting !== undefined) await withTimeout(clock, this.starting, left(budget * 0.5));
    if (core.params !== undefined) {
      await withTimeout(clock, Promise.all(core.work), left(budget * 0.4));
      await withTimeout(clock, this.legs.finalAsk(), Math.min(1000, left(budget * 0.35)));
      this.legs.forget();
      if (core.work.size > 0) {
        // A leg that never answers must not keep the residual unmanaged: the venues say where we stand.
        core.epoch++;
        core.log.error(`stopping: ${core.work.size} trade or repair still unanswered; taking positions from the venues and repairing from there`);
        core.work.clear();
        await withTimeout(clock, this.reconciler.reconcile('shutdown'), Math.min(2000, left(budget * 0.3)));
      }
      if (wasRunning && !core.isFlat()) {
        const deadline = clock.monoMs() + left(budget * 0.15);
        await withTimeout(clock, this.repair.repair('shutdown', deadline), left(budget * 0.1));
      }
      // Only a run that started trading closes positions: one that failed at start-up (say, on an
      // unhedged position found there) leaves the account as it found it.
      if (wasRunning && s.closeOnExit) {
        // Its own budget on top of the stop budget: closing is what the trader asked for, and it
        // ends only when the venues say flat (or the budget runs out, said as not flat).
        const closeStartedAt = clock.monoMs();
        // No new round starts after closeBudgetMs; the grace covers a venue call that never answers.
        await withTimeout(clock, this.closeOnExit(), core.timings.closeBudgetMs + CLOSE_GRACE_MS);
        if (core.summary.closeOnExit === undefined) {
          const detail = `not flat: a venue did not answer within the closing time (${(core.timings.closeBudgetMs + CLOSE_GRACE_MS) / 1000} s) — check both positions on the venues and close them by hand`;
          core.summary.closeOnExit = { flat: false, positions: { backpack: NaN, lighter: NaN }, orders: [], detail };
          core.log.error(`close-on-exit: ${detail}`);
        }
        closeSpentMs = clock.monoMs() - closeStartedAt;
      }
      // Every settlement so far, read once more, then valued on the books before the venues close them.
      if (wasRunning) await withTimeout(clock, this.funding.final(), Math.min(STARTUP_FUNDING_MS, left(budget * 0.05)));
      this.records.valuePnl();
    }
    await withTimeout(clock, Promise.allSettled(VENUES.map((v) => core.venues[v].stop())), left(0));
    const summary = this.records.finishSummary();
    this.records.close();
    core.phase.move('stopped');
    this.resolveStopped(summary);
    return summary;
  }
}
