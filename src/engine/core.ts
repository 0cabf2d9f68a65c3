// The state every part of the engine shares: venues, clock, settings, the phase and halts, our
// count of positions, the work in flight, and what the latest book events said. Each part (loop,
// legs, repair, reconciliation, records) reads and moves this; none keeps a copy.

import type { Clock } from '../core/clock.js';
import { formatFixed } from '../core/fixed.js';
import type { Logger } from '../core/log.js';
import type { BookView } from '../core/orderbook.js';
import { renderParams } from '../core/param-error.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import { stepCommon, toCommon, type StrategyParams } from '../strategy/index.js';
import type { ExecutionReadiness, Venue } from '../venues/venue.js';
import type { FlattenOutcome } from './flatten.js';
import { Halts } from './halts.js';
import type { EngineObserver } from './observer.js';
import { PhaseMachine } from './phase.js';
import type { PnlReport } from './pnl.js';
import type { EngineSettings, EngineTimings, EntryCaps } from './settings.js';

export const VENUES = ['backpack', 'lighter'] as const;

/** The run's funding as the summary carries it: exact decimal text (JSON-safe), per market and in total. */
export interface FundingSummary {
  byMarket: Record<string, Record<VenueId, string>>;
  venues: Record<VenueId, string>;
  total: string;
  /** The total as a float (status line, metrics). */
  totalUsd: number;
  /** Per venue as floats (metrics). */
  venueUsd: Record<VenueId, number>;
  /** Per venue, what it paid us and what it charged us, as positive floats (metrics counters: each only grows). */
  flows: Record<VenueId, { received: number; paid: number }>;
  payments: number;
}

export interface RunSummary {
  trades: number;
  successes: number;
  failures: number;
  repairs: number;
  /** Quote currency, after fees, on the matched quantity of every trade. */
  estimatedPnl: number;
  fees: number;
  /** Σ gross spread captured on entries (estimatedPnl = this − the fees of the rows). */
  spreadCaptured?: number;
  /** Funding the venues paid (+) or charged (−) since the start, per market and venue (funding.ts). */
  funding?: FundingSummary;
  positions: { backpack: string; lighter: string };
  halted?: string;
  /** Realised and unrealised PnL at the end, valued on the books before the venues closed (see pnl.ts). */
  pnl?: PnlReport;
  /** When closing on exit: whether both venues confirmed a zero position. */
  closeOnExit?: FlattenOutcome;
}

const READY: ExecutionReadiness = { state: 'ready' };

export class EngineCore {
  readonly phase = new PhaseMachine();
  readonly halts: Halts;
  params?: StrategyParams;
  /** Our count of confirmed fills per venue, at its size scale; the venues' figures replace it on reconciliation. */
  readonly position: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  /** Entries, repairs and reconciliations under way: no decision while any is. */
  readonly work = new Set<Promise<void>>();
  readonly summary: RunSummary = { trades: 0, successes: 0, failures: 0, repairs: 0, estimatedPnl: 0, fees: 0, positions: { backpack: '0', lighter: '0' } };
  /** The latest book event's view, arrival time and validity per venue: what decisions read. */
  readonly books: Record<VenueId, BookView>;
  readonly lastBookAt: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  readonly bookValid: Record<VenueId, boolean> = { backpack: false, lighter: false };
  /** Book events handled per venue, and that count when our latest order left: its book must have moved since. */
  readonly bookSeq: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  readonly seqAtSend: Record<VenueId, number> = { backpack: -1, lighter: -1 };
  /** Monotonic ms our latest order left for each venue. */
  readonly lastSentAt: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  /** Monotonic ms past which no leg is waited on and no repair order sent: set by stop() to keep its budget. */
  cutoff = Infinity;
  /** Bumped when stop() gives up waiting on work: results that arrive later no longer move our counts. */
  epoch = 0;
  private readonly failures: number[] = [];
  /** The one onlooker (status line, metrics, dashboard, alerts); undefined when nobody listens. */
  observer?: EngineObserver;
  /** Set while the operator has paused entries: why, and by whom. Not a halt: repairs and reconciliation go on. */
  pausedBy?: string;
  /** Caps across the run's markets (EngineOptions.caps). */
  caps?: EntryCaps;
  /** Called when the work set empties while running (an opportunity that outlasts a trade is judged again). */
  onQuiet?: () => void;
  /** The onQuiet turn is queued and has not run yet. */
  quietQueued = false;

  constructor(
    readonly venues: Record<VenueId, Venue>,
    readonly log: Logger,
    readonly clock: Clock,
    readonly settings: EngineSettings,
    readonly timings: EngineTimings,
  ) {
    this.halts = new Halts(clock, log);
    this.halts.onChange = (h, set) => this.observer?.halt?.(h, set);
    this.books = { backpack: venues.backpack.book, lighter: venues.lighter.book };
  }

  /** A template's {params} as the user knows them. */
  text(template: string): string {
    return renderParams(template, this.settings.nameOf ?? ((p) => p));
  }

  get busy(): boolean {
    return this.work.size > 0;
  }

  track(job: Promise<unknown>): void {
    const run: Promise<void> = job
      .then(
        () => undefined,
        (e: unknown) => this.log.error(`engine: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        this.work.delete(run);
        if (this.work.size === 0 && this.phase.is('running')) {
          this.quietQueued = true;
          setImmediate(() => {
            this.quietQueued = false;
            this.onQuiet?.();
          });
        }
      });
    this.work.add(run);
  }

  /** Our order just left for `v`. */
  noteSent(v: VenueId): void {
    this.lastSentAt[v] = this.clock.monoMs();
    this.seqAtSend[v] = this.bookSeq[v];
  }

  /** The execution side's readiness; a venue without readiness() answers from readyForOrder(). */
  readiness(v: VenueId): ExecutionReadiness {
    const venue = this.venues[v];
    if (venue.readiness !== undefined) return venue.readiness();
    // readyForOrder() says no more than "not now": the moment a place frees up is unknown (until = now).
    if (venue.readyForOrder?.() === false) return { state: 'budget_empty', until: this.clock.monoMs(), detail: 'readyForOrder() is false' };
    return READY;
  }

  /** Failed trades; `countsForKillSwitch` false for a failure a rate limit alone explains (a pause, not a fault). */
  noteFailure(what: string, countsForKillSwitch: boolean): void {
    this.summary.failures++;
    this.log.warn(`trade failed: ${what}`);
    if (!countsForKillSwitch) return;
    const ks = this.timings.killSwitch;
    const t = this.clock.monoMs();
    this.failures.push(t);
    while (this.failures.length > 0 && this.failures[0] < t - ks.windowMs) this.failures.shift();
    if (this.failures.length >= ks.failures && !this.halts.has('kill_switch')) {
      this.halts.set(
        'kill_switch',
        `${this.failures.length} failed trades within ${ks.windowMs / 1000} s`,
        t + ks.cooldownMs,
        undefined,
        `resuming after ${ks.cooldownMs / 1000} s once exposure is flat and both venues are up`,
      );
    }
  }

  /** The venue refused our credentials: entries halt until a person fixes the setting and restarts. */
  haltForAuth(venue: VenueId, detail: string): void {
    this.halts.set('auth', `${venue} refused our credentials (${detail})`, Infinity, venue, `fix ${this.settings.credentials[venue]} and restart; repairs still go out`);
  }

  market(v: VenueId): MarketSpec {
    return v === 'backpack' ? this.params!.backpack : this.params!.lighter;
  }

  fmtSize(v: VenueId, units: number): string {
    return formatFixed(units, this.market(v).sizeScale);
  }

  fmtPos(v: VenueId): string {
    return this.fmtSize(v, this.position[v]);
  }

  exposure(): number {
    const p = this.params!;
    return toCommon(this.position.backpack, p.backpack, p) + toCommon(this.position.lighter, p.lighter, p);
  }

  isFlat(): boolean {
    return Math.abs(this.exposure()) <= stepCommon(this.params!);
  }
}
