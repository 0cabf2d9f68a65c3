// The runtime around the pure strategy: every book frame from either venue is evaluated as it
// arrives; both legs are sent at once; each leg's outcome is what its venue confirmed; any
// difference between the legs is repaired within a deadline or entries halt while the engine
// keeps flattening; positions are reconciled with the venues, whose figures win.

import { formatFixed } from '../core/fixed.js';
import type { Logger } from '../core/log.js';
import type { MarketSpec, OrderSide, VenueId } from '../core/types.js';
import type { Config } from '../cli/config.js';
import { runLabel } from '../cli/modes.js';
import { PnlLedger, pnlLines, type PnlReport } from './pnl.js';
import { flattenVenues, type FlattenOutcome } from './flatten.js';
import { CsvAppender, isoTimestamp } from '../io/csv.js';
import { BBO_REFERENCE_COLUMNS, TRADE_REFERENCE_COLUMNS, bboCsvPath, tradesCsvPath } from '../io/paths.js';
import { decide, legFor, spreads, startupWarnings, stepCommon, strategyParams, toCommon, topOfBookSignal, worstPrice, type EntryGate, type Intent, type StrategyParams, type VenueView } from '../strategy/index.js';
import { VenueError, type LegResult, type MarketOrderRequest, type Venue, type VenueStatus } from '../venues/venue.js';

export const BBO_COLUMNS = [...BBO_REFERENCE_COLUMNS, 'long_executable_spread', 'short_executable_spread', 'backpack_book_age_ms', 'lighter_book_age_ms'] as const;
// After the reference's columns, in the order issue 7 lists them: each leg's confirmed quantity, the
// spreads, fees, net PnL, each leg's state and latency (ms from the triggering frame's arrival to
// the order leaving and to its confirmation); then what a reader needs to audit a row.
export const TRADE_COLUMNS = [
  ...TRADE_REFERENCE_COLUMNS,
  'backpack_quantity', 'lighter_quantity', 'raw_spread', 'executable_spread', 'backpack_fee', 'lighter_fee', 'net_pnl',
  'backpack_state', 'lighter_state', 'backpack_send_ms', 'lighter_send_ms', 'backpack_confirm_ms', 'lighter_confirm_ms',
  'kind', 'backpack_client_id', 'lighter_client_id',
] as const;

export interface EngineOptions {
  config: Config;
  backpack: Venue;
  lighter: Venue;
  logger: Logger;
  /** Epoch ms for file names and rows. */
  now?: () => number;
  /** How long start() waits for both books (default 20 s). */
  startTimeoutMs?: number;
  /** How long a leg may stay unknown before the trade is written as unknown and positions are reconciled (default 5 s). */
  resolveDeadlineMs?: number;
  /** How long exposure may stay open before entries halt (default 10 s). */
  repairDeadlineMs?: number;
  /** How often a leg that stayed unknown is asked about again, for up to a minute (default 2 s). */
  lateResolveEveryMs?: number;
  /** Period of reconciliation with the venues' positions (default 30 s). */
  reconcileEveryMs?: number;
  /** Kill switch: this many failed trades within windowMs halt entries for at least cooldownMs (defaults 3, 60 s, 30 s). */
  killSwitch?: { failures?: number; windowMs?: number; cooldownMs?: number };
  /** How many times the short leg's missing quantity is sent again before the excess is unwound (default 2). */
  repairRetries?: number;
  /** stop() returns within this budget (default 10 s), plus closeBudgetMs with --close-on-exit. */
  stopBudgetMs?: number;
  /** How long --close-on-exit keeps trying to close both positions (default 15 s). */
  closeBudgetMs?: number;
}

export interface RunSummary {
  trades: number;
  successes: number;
  failures: number;
  repairs: number;
  /** Quote currency, after fees, on the matched quantity of every trade. */
  estimatedPnl: number;
  fees: number;
  positions: { backpack: string; lighter: string };
  halted?: string;
  /** Realised and unrealised PnL at the end, valued on the books before the venues closed (see pnl.ts). */
  pnl?: PnlReport;
  /** With --close-on-exit: whether both venues confirmed a zero position. */
  closeOnExit?: FlattenOutcome;
}

/** One trade or repair as the CSV and listeners see it. */
export interface TradeRecord {
  kind: 'entry' | 'repair' | 'late' | 'close';
  direction: string;
  backpack?: LegResult;
  lighter?: LegResult;
  /** performance.now() of the frame that triggered it. */
  triggeredAt: number;
  netPnl: number;
}

export class ArbEngine {
  private readonly venues: Record<VenueId, Venue>;
  private readonly log: Logger;
  private readonly now: () => number;
  private params?: StrategyParams;
  private readonly position: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  /** Entries, repairs and reconciliations under way: no decision while any is. */
  private readonly work = new Set<Promise<void>>();
  private running = false;
  private stopping = false;
  private halted?: { reason: string; until: number };
  /** Why each venue is unavailable, while it is. */
  private readonly venueDown: Record<VenueId, string | undefined> = { backpack: undefined, lighter: undefined };
  /** Reused on every frame: the decision path allocates nothing it does not return. */
  private readonly views: Record<VenueId, VenueView>;
  private readonly gate: EntryGate = { unresolvedLegs: false };
  private readonly failures: number[] = [];
  private bbo?: CsvAppender;
  private pnl?: PnlLedger;
  private tradesCsv?: CsvAppender;
  private timer?: NodeJS.Timeout;
  private lastBboAt = 0;
  private lastReconcileAt = 0;
  private staleLogged: Record<VenueId, boolean> = { backpack: false, lighter: false };
  private lastSkip = '';
  /** A setImmediate that signs the next entry's orders ahead is pending. */
  private preparing = false;
  /** Date.now() past which no leg is waited on and no repair order sent: set by stop() to keep its budget. */
  private cutoff = Infinity;
  /** Bumped when stop() gives up waiting on work: results that arrive later no longer move our counts (the venues' figures were taken instead). */
  private epoch = 0;
  /** The venue whose leg came up short in the last trade: the first place to retry. */
  private repairHint?: { venue: VenueId; side: OrderSide; retriesLeft: number };
  /** The last "below the minimum order" warning, said once per residual rather than every round. */
  private dustWarning?: string;
  private readonly listeners: Array<(t: TradeRecord) => void> = [];
  /** performance.now() our latest order left for each venue: its book must have moved since. */
  private readonly lastSentAt: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  /** Timers still asking about legs that stayed unknown, with the leg each follows. */
  private readonly followers = new Map<NodeJS.Timeout, LegResult>();
  private readonly summary: RunSummary = { trades: 0, successes: 0, failures: 0, repairs: 0, estimatedPnl: 0, fees: 0, positions: { backpack: '0', lighter: '0' } };
  private resolveStopped!: (s: RunSummary) => void;
  /** Resolves when the engine has stopped, by stop() or by itself. */
  readonly stopped: Promise<RunSummary> = new Promise((r) => (this.resolveStopped = r));

  constructor(private readonly options: EngineOptions) {
    this.venues = { backpack: options.backpack, lighter: options.lighter };
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.views = {
      backpack: { book: options.backpack.book, valid: false, ageMs: 0, position: 0 },
      lighter: { book: options.lighter.book, valid: false, ageMs: 0, position: 0 },
    };
  }

  private get busy(): boolean {
    return this.work.size > 0;
  }

  onTrade(listener: (t: TradeRecord) => void): void {
    this.listeners.push(listener);
  }

  get strategy(): StrategyParams | undefined {
    return this.params;
  }

  /** Current local positions at each venue's size scale. */
  positions(): Readonly<Record<VenueId, number>> {
    return { ...this.position };
  }

  /**
   * Starts both venues, waits for both books, converts the configuration onto both grids,
   * reconciles positions and begins trading. Throws one clear line (and leaves both venues
   * stopped) when it cannot start: no books in time, a size off a grid, an unhedged position.
   */
  async start(): Promise<void> {
    try {
      await this.startUp();
    } catch (e) {
      await Promise.allSettled([this.venues.backpack.stop(), this.venues.lighter.stop()]);
      throw e;
    }
  }

  private async startUp(): Promise<void> {
    const c = this.options.config;
    const [bp, lt] = await Promise.all([this.venues.backpack.start(), this.venues.lighter.start()]);
    await this.waitForBooks(this.options.startTimeoutMs ?? 20_000);
    this.params = strategyParams(c, bp, lt, { backpackTakerBps: c.backpackTakerFeeBps, lighterTakerBps: c.lighterTakerFeeBps });
    const p = this.params;
    this.log.info(`mode ${c.mode}, ticker ${c.ticker}`);
    this.log.info(`markets: Backpack ${bp.symbol} (tick ${formatFixed(bp.tickSize, bp.priceScale)}, step ${formatFixed(bp.stepSize, bp.sizeScale)}, taker ${p.fees.backpackTakerBps} bps), Lighter ${lt.symbol} #${lt.marketId} (price ${lt.priceScale} / size ${lt.sizeScale} decimals, taker ${p.fees.lighterTakerBps} bps)`);
    this.log.info(`size ${c.size}, long threshold ${c.longThreshold}, short threshold ${c.shortThreshold}, max position ${c.maxPosition === '0' ? 'unlimited' : c.maxPosition} per venue, min edge ${c.minEdgeBps} bps, slippage ${c.slippageBps} bps, max book age ${c.maxBookAgeMs} ms`);
    const b = this.venues.backpack.book;
    const mid = (b.bestBid! + b.bestAsk!) / 2 / 10 ** bp.priceScale;
    for (const warning of startupWarnings(p, c, mid)) this.log.warn(warning);
    await this.reconcile('start-up');
    const exposure = this.exposure();
    if (Math.abs(exposure) > stepCommon(p)) {
      const text = `the venues' positions are not hedged (Backpack ${this.fmtPos('backpack')}, Lighter ${this.fmtPos('lighter')}, net ${formatFixed(exposure, p.sizeScale)})`;
      if (!c.allowUnhedgedStart) throw new Error(`${text} — flatten them first, or start with --allow-unhedged-start to let the bot repair it`);
      this.log.warn(`${text}; --allow-unhedged-start given: repairing before any entry`);
    } else if (this.position.backpack !== 0 || this.position.lighter !== 0) {
      this.log.info(`picked up a hedged position: Backpack ${this.fmtPos('backpack')}, Lighter ${this.fmtPos('lighter')}`);
    }
    this.pnl = new PnlLedger({ backpack: bp, lighter: lt });
    for (const v of ['backpack', 'lighter'] as const) this.pnl.openingInventory(v, this.position[v], this.venues[v].book);
    const at = this.now();
    this.bbo = new CsvAppender(bboCsvPath(c.logDir, c.ticker, at), BBO_COLUMNS, { mode: runLabel(c) });
    this.tradesCsv = new CsvAppender(tradesCsvPath(c.logDir, c.ticker, at), TRADE_COLUMNS, { mode: runLabel(c) });
    this.running = true;
    this.lastReconcileAt = at;
    for (const v of [this.venues.backpack, this.venues.lighter]) {
      v.onBook((_venue, receivedAt) => this.onBook(receivedAt));
      v.onStatus((venue, s) => this.onStatus(venue, s));
    }
    this.timer = setInterval(() => this.tick(), c.checkIntervalMs);
    if (Math.abs(exposure) > stepCommon(p)) this.track(this.repair('start-up exposure', this.repairDeadline()));
  }

  private async waitForBooks(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.venues.backpack.status().bookValid || !this.venues.lighter.status().bookValid) {
      if (Date.now() > deadline) {
        const missing = (['backpack', 'lighter'] as const).filter((v) => !this.venues[v].status().bookValid).join(' and ');
        throw new Error(`no valid order book from ${missing} within ${timeoutMs / 1000} s — check the URLs and the network, then retry`);
      }
      await sleep(20);
    }
  }

  private track(job: Promise<unknown>): void {
    const run: Promise<void> = job.then(
      () => undefined,
      (e: unknown) => this.log.error(`engine: ${e instanceof Error ? e.message : String(e)}`),
    ).finally(() => {
      this.work.delete(run);
      // An opportunity that outlasts the trade is traded again now, not at the next frame.
      if (this.work.size === 0 && this.running && !this.stopping) setImmediate(() => this.onBook(performance.now()));
    });
    this.work.add(run);
  }

  /** A defect in the engine itself stops it cleanly (repairing any residual) rather than trading on. */
  private fatal(e: unknown): void {
    const reason = `engine fault: ${e instanceof Error ? e.message : String(e)}`;
    this.log.error(`${reason}; stopping`);
    void this.stop(reason);
  }

  // ---------------------------------------------------------------- decisions

  private onBook(receivedAt: number): void {
    if (!this.running || this.stopping || this.work.size > 0) return;
    try {
      this.evaluate(receivedAt);
    } catch (e) {
      this.fatal(e);
    }
  }

  private evaluate(receivedAt: number): void {
    const gate = this.gate;
    gate.halted = this.entryBlocked();
    gate.unresolvedLegs = this.work.size > 0;
    if (gate.halted !== undefined) return; // the cheap answer first; decide() would say the same
    const bpVenue = this.venues.backpack;
    const ltVenue = this.venues.lighter;
    // Decide only on books that have heard from their venue since our own last order there, so a
    // lasting opportunity is judged on a book that already shows what our fills took.
    if (bpVenue.lastBookAt <= this.lastSentAt.backpack || ltVenue.lastBookAt <= this.lastSentAt.lighter) return;
    const nowPerf = performance.now();
    const bp = this.views.backpack;
    bp.valid = bpVenue.status().bookValid;
    bp.ageMs = nowPerf - bpVenue.lastBookAt;
    bp.position = this.position.backpack;
    const lt = this.views.lighter;
    lt.valid = ltVenue.status().bookValid;
    lt.ageMs = nowPerf - ltVenue.lastBookAt;
    lt.position = this.position.lighter;
    const decision = decide(this.params!, bp, lt, gate);
    if (decision.kind === 'none') {
      // One line per opportunity that fees eat, not one per frame while it lasts.
      const skipped = decision.reason.includes('does not pay') ? decision.reason.slice(0, decision.reason.indexOf(' ')) : '';
      if (skipped !== '' && skipped !== this.lastSkip) this.log.info(`skipped: ${decision.reason}`);
      this.lastSkip = skipped;
      if (bp.valid && lt.valid && !this.preparing) {
        this.preparing = true;
        setImmediate(() => this.prepareEntries());
      }
      return;
    }
    this.lastSkip = '';
    this.enter(decision.intent, receivedAt);
  }

  /**
   * After the frames of this turn, lets each venue sign the legs an entry on these books would send
   * (both sides: either direction may come next), so the frame that opens an opportunity usually
   * finds one leg already signed — the one whose book did not move — and only has to write it.
   */
  private prepareEntries(): void {
    this.preparing = false;
    if (!this.running || this.stopping || this.work.size > 0 || this.params === undefined) return;
    for (const id of ['backpack', 'lighter'] as const) {
      const venue = this.venues[id];
      if (venue.prepareMarketOrder === undefined || !venue.status().bookValid) continue;
      for (const side of ['buy', 'sell'] as const) {
        const leg = legFor(this.params, id, venue.book, side);
        if (leg === undefined) continue;
        try {
          venue.prepareMarketOrder({ side, size: leg.size, worstPrice: leg.worstPrice });
        } catch (e) {
          // Only a shortcut: the order is signed when it is sent instead.
          this.log.warn(`${id}: signing ahead failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }

  private onStatus(venue: VenueId, s: VenueStatus): void {
    const down = !s.available || !s.connected;
    if (down && this.venueDown[venue] === undefined) {
      this.venueDown[venue] = s.detail ?? (s.available ? 'disconnected' : 'unavailable');
      this.log.error(`ENTRIES HALTED: ${venue} ${s.available ? 'disconnected' : 'unavailable'}${s.detail ? `: ${s.detail}` : ''}; resuming once it is back and exposure is flat`);
    } else if (!down && this.venueDown[venue] !== undefined) {
      this.venueDown[venue] = undefined;
      this.log.info(`${venue} is back${this.isFlat() ? '; entries resume' : '; entries resume once exposure is flat'}`);
    }
  }

  /** Why no entry may start now, or undefined. */
  private entryBlocked(): string | undefined {
    if (this.halted !== undefined) {
      if (Date.now() >= this.halted.until && this.isFlat() && this.venueDown.backpack === undefined && this.venueDown.lighter === undefined) {
        this.log.info(`entries resume: ${this.halted.reason} is over and exposure is flat`);
        this.halted = undefined;
      } else return this.halted.reason;
    }
    const bp = this.venues.backpack;
    const lt = this.venues.lighter;
    let s = bp.status();
    if (!s.available || !s.connected) return 'backpack unavailable';
    s = lt.status();
    if (!s.available || !s.connected) return 'lighter unavailable';
    if (bp.readyForOrder?.() === false) return 'backpack order budget spent';
    if (lt.readyForOrder?.() === false) return 'lighter order budget spent';
    return undefined;
  }

  /** Both legs leave before either reply is awaited; nothing is awaited between deciding and sending. */
  private enter(intent: Intent, triggeredAt: number): void {
    const bpRequest: MarketOrderRequest = { side: intent.backpack.side, size: intent.backpack.size, worstPrice: intent.backpack.worstPrice };
    const ltRequest: MarketOrderRequest = { side: intent.lighter.side, size: intent.lighter.size, worstPrice: intent.lighter.worstPrice };
    const bp = send(this.venues.backpack, bpRequest);
    const lt = send(this.venues.lighter, ltRequest);
    this.lastSentAt.backpack = this.lastSentAt.lighter = performance.now();
    this.summary.trades++;
    this.track(this.finishEntry(intent, triggeredAt, bp, lt));
  }

  private async finishEntry(intent: Intent, triggeredAt: number, bpPromise: Promise<LegResult>, ltPromise: Promise<LegResult>): Promise<void> {
    // Formatting waits until the orders are on their way: some adapters write on the next tick.
    await new Promise<void>((r) => setImmediate(r));
    this.log.info(`${intent.direction}: spread ${intent.rawSpread.toFixed(2)} (executable ${intent.executableSpread.toFixed(2)}, edge after fees ${intent.expectedEdge.toFixed(4)}) → Backpack ${intent.backpack.side} / Lighter ${intent.lighter.side} ${this.options.config.size}`);
    const epoch = this.epoch;
    const [bp, lt] = await Promise.all([bpPromise.then((l) => this.settle('backpack', l)), ltPromise.then((l) => this.settle('lighter', l))]);
    if (epoch !== this.epoch) {
      this.log.warn(`${intent.direction} legs answered after shutdown stopped waiting (Backpack ${bp.state} ${this.fmtSize('backpack', bp.filled)}, Lighter ${lt.state} ${this.fmtSize('lighter', lt.filled)}); the venues' positions were taken instead`);
      return;
    }
    this.apply(bp);
    this.apply(lt);
    const record = this.record('entry', intent.direction, bp, lt, triggeredAt, intent);
    const ok = bp.state === 'filled' && lt.state === 'filled';
    if (ok) this.summary.successes++;
    this.log.info(
      `${intent.direction} done: Backpack ${bp.state} ${this.fmtSize('backpack', bp.filled)} @ ${avgText(bp, this.market('backpack'))}, Lighter ${lt.state} ${this.fmtSize('lighter', lt.filled)} @ ${avgText(lt, this.market('lighter'))}, ` +
        `net ${record.netPnl.toFixed(4)}; sent ${ms(bp.sentAt - triggeredAt)}/${ms(lt.sentAt - triggeredAt)} ms, confirmed ${ms((bp.confirmedAt ?? NaN) - triggeredAt)}/${ms((lt.confirmedAt ?? NaN) - triggeredAt)} ms after the frame (Backpack/Lighter)`,
    );
    if (!ok) this.noteFailure(`${intent.direction}: Backpack ${bp.state}${bp.error ? ` (${bp.error.message})` : ''}, Lighter ${lt.state}${lt.error ? ` (${lt.error.message})` : ''}`);
    // An outcome we could not learn may still have filled: take the venues' positions before hedging on our count.
    if (bp.state === 'unknown' || lt.state === 'unknown') await this.reconcile('a leg is unknown');
    if (!this.isFlat()) {
      const short = toCommon(bp.filled, this.market('backpack'), this.params!) < toCommon(lt.filled, this.market('lighter'), this.params!) ? 'backpack' : 'lighter';
      this.repairHint = { venue: short, side: short === 'backpack' ? intent.backpack.side : intent.lighter.side, retriesLeft: this.options.repairRetries ?? 2 };
      await this.repair(`${intent.direction} legs differ`, this.repairDeadline());
    }
  }

  /** Asks the venue until an unknown leg is known, or the deadline passes (then it stays unknown). */
  private async settle(venue: VenueId, leg: LegResult): Promise<LegResult> {
    const limit = this.options.resolveDeadlineMs ?? 5000;
    const deadline = Date.now() + limit;
    let wait = Math.min(200, Math.max(10, limit / 4));
    // An order that never got an id cannot be looked up: the venues' positions will settle it.
    if (leg.state === 'unknown' && leg.clientOrderId === '') return leg;
    while (leg.state === 'unknown' && Date.now() < Math.min(deadline, this.cutoff)) {
      await sleep(wait);
      wait = Math.min(wait * 2, 2000);
      try {
        leg = await this.venues[venue].resolveOrder(leg);
      } catch (e) {
        this.log.warn(`${venue} order ${leg.clientOrderId}: lookup failed (${e instanceof Error ? e.message : String(e)}); asking again`);
      }
    }
    if (leg.state === 'unknown') {
      this.log.error(`${venue} order ${leg.clientOrderId} is still unknown after ${(this.options.resolveDeadlineMs ?? 5000) / 1000} s: ${leg.error?.message ?? ''}; reconciling positions with the venue and still asking about it`);
      this.followUnknown(venue, leg);
    }
    return leg;
  }

  /**
   * Keeps asking about a leg that stayed unknown; if it turns out to have filled, that fill gets
   * its own `late` row (so the CSV still adds up to the venue's fills) and the venue's position is
   * taken again. Positions were already reconciled, so the fill is not counted a second time.
   */
  private followUnknown(venue: VenueId, leg: LegResult): void {
    if (this.stopping) return;
    const every = this.options.lateResolveEveryMs ?? 2000;
    const giveUpAt = Date.now() + 60_000;
    const timer = setInterval(() => {
      if (Date.now() > giveUpAt || this.stopping) {
        this.unfollow(timer);
        if (!this.stopping) this.log.error(`${venue} order ${leg.clientOrderId} never resolved; positions were taken from the venue, so the trades CSV may miss its fill`);
        return;
      }
      void this.venues[venue].resolveOrder(leg).then((known) => this.lateOutcome(timer, venue, known), () => undefined);
    }, every);
    this.followers.set(timer, leg);
  }

  private unfollow(timer: NodeJS.Timeout): boolean {
    clearInterval(timer);
    return this.followers.delete(timer);
  }

  /** A followed leg became known: a fill gets its own `late` row and the venue's position is taken again. */
  private lateOutcome(timer: NodeJS.Timeout, venue: VenueId, known: LegResult): void {
    if (known.state === 'unknown' || !this.followers.has(timer)) return;
    this.unfollow(timer);
    this.log.warn(`${venue} order ${known.clientOrderId} resolved late: ${known.state} ${this.fmtSize(venue, known.filled)}`);
    if (known.filled > 0) {
      this.summary.fees += known.fee;
      this.record('late', `LATE_${venue.toUpperCase()}`, venue === 'backpack' ? known : undefined, venue === 'lighter' ? known : undefined, known.sentAt);
      if (!this.stopping) this.track(this.reconcile('late fill'));
    }
  }

  private apply(leg: LegResult): void {
    if (leg.filled > 0) this.position[leg.venue] += leg.side === 'buy' ? leg.filled : -leg.filled;
    this.summary.fees += leg.fee;
  }

  private noteFailure(what: string): void {
    this.summary.failures++;
    const ks = this.options.killSwitch ?? {};
    const windowMs = ks.windowMs ?? 60_000;
    const t = Date.now();
    this.failures.push(t);
    while (this.failures.length > 0 && this.failures[0] < t - windowMs) this.failures.shift();
    this.log.warn(`trade failed: ${what}`);
    if (this.failures.length >= (ks.failures ?? 3) && this.halted === undefined) {
      this.halt(`${this.failures.length} failed trades within ${windowMs / 1000} s`);
    }
  }

  /** Stops new entries, loudly; they resume after the cooldown once exposure is flat and both venues are up. */
  private halt(reason: string): void {
    const cooldownMs = this.options.killSwitch?.cooldownMs ?? 30_000;
    this.halted = { reason, until: Date.now() + cooldownMs };
    this.log.error(`ENTRIES HALTED: ${reason}; resuming after ${cooldownMs / 1000} s once exposure is flat and both venues are up`);
  }

  private repairDeadline(): number {
    return Date.now() + (this.options.repairDeadlineMs ?? 10_000);
  }

  // ---------------------------------------------------------------- hedge repair

  private exposure(): number {
    const p = this.params!;
    return toCommon(this.position.backpack, p.backpack, p) + toCommon(this.position.lighter, p.lighter, p);
  }

  private isFlat(): boolean {
    return Math.abs(this.exposure()) <= stepCommon(this.params!);
  }

  /**
   * Brings net exposure back to zero by `deadline` (Date.now() ms): first the short leg's missing
   * quantity again (a bounded number of times), then the excess unwound reduce-only where the
   * position points the way of the exposure. Exposure still open at the deadline halts entries;
   * the timer keeps calling this until it is flat.
   */
  private async repair(why: string, deadline: number): Promise<void> {
    this.log.warn(`hedge repair (${why}): net exposure ${formatFixed(this.exposure(), this.params!.sizeScale)}`);
    let failedInARow = 0;
    const epoch = this.epoch;
    while (!this.isFlat() && Date.now() < Math.min(deadline, this.cutoff) && epoch === this.epoch) {
      const exposure = this.exposure();
      const side: OrderSide = exposure > 0 ? 'sell' : 'buy';
      // The retries belong to the incident, not to one call: the timer's next call goes on from here.
      const hint = this.repairHint;
      let venue: VenueId;
      let reduceOnly: boolean;
      if (hint !== undefined && hint.side === side && hint.retriesLeft > 0 && this.venueDown[hint.venue] === undefined) {
        venue = hint.venue;
        reduceOnly = false;
        hint.retriesLeft--;
      } else {
        venue = Math.sign(this.position.backpack) === Math.sign(exposure) && this.position.backpack !== 0 ? 'backpack' : 'lighter';
        reduceOnly = true;
      }
      const outcome = await this.repairOrder(venue, side, Math.abs(exposure), reduceOnly);
      if (outcome === 'filled') failedInARow = 0;
      else {
        // Nothing sendable waits for the book; a refused order backs off a little more each time.
        failedInARow++;
        const pause = outcome === 'not sent' ? 250 : Math.min(1000, 25 * 2 ** Math.min(failedInARow, 6));
        await sleep(Math.min(pause, Math.max(0, Math.min(deadline, this.cutoff) - Date.now())));
      }
    }
    await this.reconcile('after repair');
    if (this.isFlat()) {
      this.repairHint = undefined;
      this.dustWarning = undefined;
      this.log.info(`hedge repaired: Backpack ${this.fmtPos('backpack')}, Lighter ${this.fmtPos('lighter')}`);
    } else if (this.halted === undefined || !this.halted.reason.startsWith('net exposure')) {
      this.halt(`net exposure ${formatFixed(this.exposure(), this.params!.sizeScale)} still open after repairs (${why}); still flattening`);
    } else {
      this.halted.until = Math.max(this.halted.until, Date.now() + (this.options.killSwitch?.cooldownMs ?? 30_000));
    }
  }

  /** One repair order: whether it filled (some quantity), was refused or unknown, or could not be sent (no book, below minimum). */
  private async repairOrder(venue: VenueId, side: OrderSide, exposureCommon: number, reduceOnly: boolean): Promise<'filled' | 'failed' | 'not sent'> {
    const p = this.params!;
    const m = this.market(venue);
    const v = this.venues[venue];
    let size = Math.floor(exposureCommon / 10 ** (p.sizeScale - m.sizeScale) / m.stepSize) * m.stepSize;
    if (reduceOnly) size = Math.min(size, Math.abs(this.position[venue]));
    if (size < m.minSize) {
      const line = `${venue}: residual ${formatFixed(size, m.sizeScale)} is below the minimum order ${formatFixed(m.minSize, m.sizeScale)}; no order can close it — close it by hand on the venue`;
      if (line !== this.dustWarning) this.log.warn(line);
      this.dustWarning = line;
      return 'not sent';
    }
    const top = side === 'buy' ? v.book.bestAsk : v.book.bestBid;
    if (!v.status().bookValid || top === undefined) return 'not sent';
    const fill = v.book.estimateFill(side, size);
    const bound = worstPrice(fill.worstPrice || top, side, m, p.slippageBps * 2);
    const triggeredAt = performance.now();
    const sending = send(v, { side, size, worstPrice: bound, reduceOnly });
    this.lastSentAt[venue] = performance.now();
    const epoch = this.epoch;
    let leg = await sending;
    leg = await this.settle(venue, leg);
    if (epoch !== this.epoch) {
      this.log.warn(`repair ${venue} ${side} answered after shutdown stopped waiting: ${leg.state} ${this.fmtSize(venue, leg.filled)}; the venue's position was taken instead`);
      return 'failed';
    }
    this.apply(leg);
    this.summary.repairs++;
    this.record('repair', `REPAIR_${venue.toUpperCase()}`, venue === 'backpack' ? leg : undefined, venue === 'lighter' ? leg : undefined, triggeredAt);
    if (leg.state === 'unknown') await this.reconcile('a repair leg is unknown');
    this.log.warn(`repair ${venue} ${side} ${formatFixed(size, m.sizeScale)}${reduceOnly ? ' reduce-only' : ''}: ${leg.state} ${formatFixed(leg.filled, m.sizeScale)}${leg.error ? ` (${leg.error.message})` : ''}`);
    return leg.filled > 0 ? 'filled' : 'failed';
  }

  /** The venues' positions win; any drift from our own count is logged. */
  private async reconcile(when: string): Promise<void> {
    for (const venue of ['backpack', 'lighter'] as const) {
      try {
        const actual = await this.venues[venue].fetchPosition();
        if (actual !== this.position[venue]) {
          if (when !== 'start-up') this.log.warn(`reconcile (${when}): ${venue} position is ${this.fmtSize(venue, actual)}, we counted ${this.fmtSize(venue, this.position[venue])}; taking the venue's`);
          this.position[venue] = actual;
        }
      } catch (e) {
        this.log.warn(`reconcile (${when}): ${venue} position unavailable: ${(e as Error).message}`);
        if (when === 'start-up') throw e;
      }
    }
    this.lastReconcileAt = this.now();
  }

  // ---------------------------------------------------------------- timer: staleness, BBO, reconcile, flatten

  private tick(): void {
    if (!this.running) return;
    const c = this.options.config;
    const nowPerf = performance.now();
    for (const v of ['backpack', 'lighter'] as const) {
      const stale = nowPerf - this.venues[v].lastBookAt > c.maxBookAgeMs;
      if (stale !== this.staleLogged[v]) {
        this.staleLogged[v] = stale;
        if (stale) this.log.warn(`${v} book is stale (no frame for ${c.maxBookAgeMs} ms); no decisions on it`);
        else this.log.info(`${v} book is fresh again`);
      }
    }
    const at = this.now();
    if (at - this.lastBboAt >= c.bboIntervalMs) {
      this.lastBboAt = at;
      this.writeBbo(at);
    }
    if (this.busy || this.stopping) return;
    if (!this.isFlat()) {
      this.track(this.repair('open exposure', this.repairDeadline()));
      return;
    }
    if (at - this.lastReconcileAt >= (this.options.reconcileEveryMs ?? 30_000)) this.track(this.reconcile('periodic'));
  }

  private writeBbo(at: number): void {
    const p = this.params!;
    const b = this.venues.backpack.book;
    const l = this.venues.lighter.book;
    const s = spreads(p, b, l);
    const price = (v: number | undefined, m: MarketSpec) => (v === undefined ? '' : formatFixed(v, m.priceScale));
    const num = (x: number) => (Number.isFinite(x) ? x.toFixed(p.priceScale) : '');
    const signal = topOfBookSignal(p, b, l);
    const nowPerf = performance.now();
    this.bbo?.append({
      timestamp: isoTimestamp(at),
      backpack_bid: price(b.bestBid, p.backpack), backpack_ask: price(b.bestAsk, p.backpack),
      lighter_bid: price(l.bestBid, p.lighter), lighter_ask: price(l.bestAsk, p.lighter),
      long_spread: num(s.rawLong), short_spread: num(s.rawShort), signal,
      long_executable_spread: num(s.executableLong), short_executable_spread: num(s.executableShort),
      backpack_book_age_ms: Math.round(nowPerf - this.venues.backpack.lastBookAt), lighter_book_age_ms: Math.round(nowPerf - this.venues.lighter.lastBookAt),
    });
  }

  /**
   * One trades-CSV row. A leg that is absent (repair and late rows) leaves its venue's columns
   * empty, so summing each venue's signed quantities over the file gives exactly its fills.
   */
  private record(kind: TradeRecord['kind'], direction: string, bp: LegResult | undefined, lt: LegResult | undefined, triggeredAt: number, intent?: Intent): TradeRecord {
    const p = this.params!;
    const unit = (leg: LegResult | undefined, v: VenueId) => (leg === undefined ? 0 : leg.filled / 10 ** this.market(v).sizeScale);
    const avg = (leg: LegResult | undefined, v: VenueId) => (leg === undefined || leg.filled === 0 ? NaN : leg.notional / leg.filled / 10 ** this.market(v).priceScale);
    const matched = Math.min(unit(bp, 'backpack'), unit(lt, 'lighter'));
    const buyAvg = bp?.side === 'buy' ? avg(bp, 'backpack') : avg(lt, 'lighter');
    const sellAvg = bp?.side === 'sell' ? avg(bp, 'backpack') : avg(lt, 'lighter');
    const captured = kind === 'entry' && matched > 0 ? sellAvg - buyAvg : NaN;
    const fees = (bp?.fee ?? 0) + (lt?.fee ?? 0);
    const gross = Number.isFinite(captured) ? captured * matched : 0;
    const netPnl = gross - fees;
    this.summary.estimatedPnl += netPnl;
    this.pnl?.captured(kind === 'entry' ? gross : 0);
    if (bp !== undefined) this.pnl?.fill(bp);
    if (lt !== undefined) this.pnl?.fill(lt);
    const t = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : (x - triggeredAt).toFixed(3));
    const spread = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(p.priceScale + 2));
    const leg = (l: LegResult | undefined, v: VenueId) => ({
      side: l?.side ?? '', price: l !== undefined && l.filled > 0 ? avg(l, v).toFixed(this.market(v).priceScale + 2) : '',
      quantity: l === undefined ? '' : formatFixed(l.filled, this.market(v).sizeScale), fee: l === undefined ? '' : l.fee.toFixed(6), state: l?.state ?? '', id: l?.clientOrderId ?? '',
      send: t(l?.sentAt), confirm: t(l?.confirmedAt),
    });
    const b = leg(bp, 'backpack');
    const l = leg(lt, 'lighter');
    const one = bp ?? lt;
    this.tradesCsv?.append({
      timestamp: isoTimestamp(this.now()), direction,
      quantity: kind === 'entry' ? this.options.config.size : one === undefined ? '' : formatFixed(one.requested, this.market(one.venue).sizeScale),
      backpack_side: b.side, backpack_price: b.price, lighter_side: l.side, lighter_price: l.price,
      spread_captured: spread(captured), pnl_estimate: gross.toFixed(6),
      backpack_quantity: b.quantity, lighter_quantity: l.quantity, raw_spread: spread(intent?.rawSpread), executable_spread: spread(intent?.executableSpread),
      backpack_fee: b.fee, lighter_fee: l.fee, net_pnl: netPnl.toFixed(6), backpack_state: b.state, lighter_state: l.state,
      backpack_send_ms: b.send, lighter_send_ms: l.send, backpack_confirm_ms: b.confirm, lighter_confirm_ms: l.confirm,
      kind, backpack_client_id: b.id, lighter_client_id: l.id,
    });
    const record: TradeRecord = { kind, direction, backpack: bp, lighter: lt, triggeredAt, netPnl };
    for (const listener of this.listeners) listener(record);
    return record;
  }

  // ---------------------------------------------------------------- stop

  /**
   * No new entries; in-flight legs resolved; legs still unknown asked once more; residual
   * repaired; venues stopped; summary logged; files closed — within the stop budget (10 s).
   */
  async stop(reason: string): Promise<RunSummary> {
    if (this.stopping) return this.stopped;
    this.stopping = true;
    const budget = this.options.stopBudgetMs ?? 10_000;
    const startedAt = Date.now();
    const left = (reserveMs: number) => Math.max(0, startedAt + budget - reserveMs - Date.now());
    this.cutoff = startedAt + budget * 0.85;
    this.log.info(`stopping (${reason}): no new entries`);
    clearInterval(this.timer);
    if (this.params !== undefined) {
      await withTimeout(Promise.all(this.work), left(budget * 0.4));
      const followed = [...this.followers];
      for (const [timer] of followed) clearInterval(timer);
      await withTimeout(
        Promise.all(followed.map(([timer, leg]) => this.venues[leg.venue].resolveOrder(leg).then((known) => this.lateOutcome(timer, leg.venue, known), () => undefined))),
        Math.min(1000, left(budget * 0.35)),
      );
      this.followers.clear();
      if (this.work.size > 0) {
        // A leg that never answers must not keep the residual unmanaged: the venues say where we stand.
        this.epoch++;
        this.log.error(`stopping: ${this.work.size} trade or repair still unanswered; taking positions from the venues and repairing from there`);
        this.work.clear();
        await withTimeout(this.reconcile('shutdown'), Math.min(2000, left(budget * 0.3)));
      }
      if (this.running && !this.isFlat()) {
        const deadline = Date.now() + left(budget * 0.15);
        await withTimeout(this.repair('shutdown', deadline), left(budget * 0.1));
      }
    }
    // Only a run that started trading closes positions: one that failed at start-up (say, on an
    // unhedged position found there) leaves the account as it found it.
    if (this.options.config.closeOnExit && this.running && this.params !== undefined) {
      // Its own budget: closing is what the trader asked for, and it ends only when the venues say flat.
      this.log.info('close-on-exit: closing both positions reduce-only');
      const p = this.params;
      const outcome = await flattenVenues({
        venues: this.venues, markets: { backpack: p.backpack, lighter: p.lighter }, slippageBps: p.slippageBps * 2,
        deadline: Date.now() + (this.options.closeBudgetMs ?? 15_000), log: this.log,
        onLeg: (leg) => {
          this.apply(leg);
          this.record('close', `CLOSE_${leg.venue.toUpperCase()}`, leg.venue === 'backpack' ? leg : undefined, leg.venue === 'lighter' ? leg : undefined, leg.sentAt);
        },
      });
      for (const v of ['backpack', 'lighter'] as const) if (!Number.isNaN(outcome.positions[v])) this.position[v] = outcome.positions[v];
      this.summary.closeOnExit = outcome;
      if (outcome.flat) this.log.info(`close-on-exit: ${outcome.detail}`);
      else this.log.error(`close-on-exit: ${outcome.detail}`);
    }
    this.running = false;
    // Valued on the books before the venues close them.
    if (this.pnl !== undefined) this.summary.pnl = this.pnl.report(this.position, { backpack: this.venues.backpack.book, lighter: this.venues.lighter.book });
    await withTimeout(Promise.allSettled([this.venues.backpack.stop(), this.venues.lighter.stop()]), left(0));
    this.summary.positions = { backpack: this.params ? this.fmtPos('backpack') : '0', lighter: this.params ? this.fmtPos('lighter') : '0' };
    if (this.halted !== undefined) this.summary.halted = this.halted.reason;
    else if (this.params !== undefined && !this.isFlat()) this.summary.halted = `net exposure ${formatFixed(this.exposure(), this.params.sizeScale)} still open at shutdown`;
    this.bbo?.close();
    this.tradesCsv?.close();
    const s = this.summary;
    const line = `summary: ${s.trades} trades, ${s.successes} succeeded, ${s.failures} failed, ${s.repairs} repair orders; estimated PnL ${s.estimatedPnl.toFixed(4)} after ${s.fees.toFixed(4)} fees; positions Backpack ${s.positions.backpack}, Lighter ${s.positions.lighter}${s.halted ? `; halted: ${s.halted}` : ''}`;
    if (s.halted !== undefined && this.params !== undefined && !this.isFlat()) this.log.error(`${line} — EXPOSURE IS OPEN: flatten it by hand or restart with --allow-unhedged-start`);
    else this.log.info(line);
    if (s.pnl !== undefined) for (const l of pnlLines(s.pnl)) this.log.info(`summary: ${l.trim()}`);
    this.resolveStopped(s);
    return s;
  }

  // ---------------------------------------------------------------- helpers

  private market(v: VenueId): MarketSpec {
    return v === 'backpack' ? this.params!.backpack : this.params!.lighter;
  }

  private fmtSize(v: VenueId, units: number): string {
    return formatFixed(units, this.market(v).sizeScale);
  }

  private fmtPos(v: VenueId): string {
    return this.fmtSize(v, this.position[v]);
  }
}

/**
 * Sends one order. The port promises never to reject, but if an adapter breaks that promise (or
 * throws before sending) the leg becomes `unknown`, so the venue's position settles it instead of
 * the trade vanishing from the books.
 */
function send(venue: Venue, request: MarketOrderRequest): Promise<LegResult> {
  const sentAt = performance.now();
  const unknown = (e: unknown): LegResult => ({
    venue: venue.id, state: 'unknown', side: request.side, requested: request.size, filled: 0, notional: 0, fee: 0, clientOrderId: '', sentAt,
    error: e instanceof VenueError ? e : new VenueError(venue.id, 'protocol', `order call failed: ${e instanceof Error ? e.message : String(e)}`),
  });
  try {
    return venue.placeMarketOrder(request).catch(unknown);
  } catch (e) {
    return Promise.resolve(unknown(e));
  }
}

function avgText(leg: LegResult, m: MarketSpec): string {
  return leg.filled === 0 ? '-' : (leg.notional / leg.filled / 10 ** m.priceScale).toFixed(m.priceScale + 2);
}

function ms(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '-';
}

function sleep(msToWait: number): Promise<void> {
  return new Promise((r) => setTimeout(r, msToWait));
}

async function withTimeout(work: Promise<unknown>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, limitMs)))]);
  clearTimeout(timer);
}
