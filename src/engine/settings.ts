// What the engine is told: its own settings type (the command line maps its Config into it), and
// every default in one object.

import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { VenueId } from '../venues/types.js';
import type { StrategyInput } from '../strategy/index.js';
import type { Venue } from '../venues/venue.js';

export interface EngineSettings {
  /** Upper-case base asset, e.g. BTC: file names and log lines. */
  ticker: string;
  /** How the run is wired (live, paper, sim): written in the log, never decided on. */
  modeLabel: string;
  /** The strategy's parameters as typed; converted onto both grids once the markets are known. */
  strategy: StrategyInput;
  /** Taker fee overrides in bps; undefined = the venue's. */
  takerFeeBps: { backpack?: number; lighter?: number };
  /** Period of the staleness / BBO / reconciliation timer. */
  checkIntervalMs: number;
  /** How often a BBO row is written. */
  bboIntervalMs: number;
  /** Directory of the BBO and trades CSVs. */
  logDir: string;
  /**
   * CSV rows written in blocks and when the run ends rather than each as it happens (a replay's
   * files are made again from its recording); default: each row on disk when it is reported.
   */
  batchCsvRows?: boolean;
  /** Start with unhedged positions and repair them instead of refusing to start. */
  allowUnhedgedStart: boolean;
  /** On stop, flatten both venues reduce-only and confirm flat from the venues (flatten.ts); default: positions kept. */
  closeOnExit: boolean;
  /**
   * Which orders each venue signs ahead: `threshold` (default) also the leg bounded at the threshold
   * level's bound (strategy thresholdBound), sent when it lies between the fresh book's bound and
   * the threshold bound of the deciding turn; `book` only the leg for the current book.
   */
  signAheadBound?: 'book' | 'threshold';
  /** Where a person fixes each venue's credentials, named when an authentication failure halts entries. */
  credentials: Record<VenueId, string>;
  /** How the parameters of errors and warnings ({size}, {allowUnhedgedStart}, …) are shown; default: their names. */
  nameOf?: (param: string) => string;
}

/** Timings and limits; every one has its default in ENGINE_DEFAULTS. */
export interface EngineTimings {
  /** How long start-up waits for both books before it says so (it goes on waiting until stopped). */
  startTimeoutMs: number;
  /** First and largest pause between start-up attempts on a venue that is down. */
  startRetryBaseMs: number;
  startRetryMaxMs: number;
  /** How long a leg may stay unknown before the trade is written as unknown and positions are reconciled. */
  resolveDeadlineMs: number;
  /** How long exposure may stay open before entries halt. */
  repairDeadlineMs: number;
  /** How often a leg that stayed unknown is asked about again, and for how long. */
  lateResolveEveryMs: number;
  lateResolveForMs: number;
  /** Period of reconciliation with the venues' positions. */
  reconcileEveryMs: number;
  /** How often the venues' funding histories are read (also after each reconciliation, never more than once per reconcileEveryMs / 2 there). */
  fundingPollEveryMs: number;
  /** Kill switch: this many failed trades within windowMs halt entries for at least cooldownMs. */
  killSwitch: { failures: number; windowMs: number; cooldownMs: number };
  /** How many times the short leg's missing quantity is sent again before the excess is unwound. */
  repairRetries: number;
  /** stop() returns within this budget, plus closeBudgetMs when closing on exit. */
  stopBudgetMs: number;
  /** How long closing on exit keeps trying to close both positions. */
  closeBudgetMs: number;
  /**
   * New orders handed to the venues to sign ahead, at most this many a second (a bucket holding a
   * tenth of a second's worth, at least 8: two venues' book and threshold orders, both sides).
   * Signing costs about 0.1 ms an order; without a bound, markets that stream fast would spend
   * the process's time signing orders most of which are never sent, and crowd out the rest.
   * Several markets in one process share ENGINE_DEFAULTS' figure.
   */
  signAheadPerSecond: number;
}

export const ENGINE_DEFAULTS: Readonly<EngineTimings> = Object.freeze({
  startTimeoutMs: 20_000,
  startRetryBaseMs: 500,
  startRetryMaxMs: 10_000,
  resolveDeadlineMs: 5_000,
  repairDeadlineMs: 10_000,
  lateResolveEveryMs: 2_000,
  lateResolveForMs: 60_000,
  reconcileEveryMs: 30_000,
  fundingPollEveryMs: 60_000,
  killSwitch: Object.freeze({ failures: 3, windowMs: 60_000, cooldownMs: 30_000 }),
  repairRetries: 2,
  stopBudgetMs: 10_000,
  closeBudgetMs: 15_000,
  signAheadPerSecond: 1_000,
});

/**
 * What an entry would do to the run's totals, in quote currency (floats: a risk limit, never an
 * order's price or size). Told to the caps shared by every market's engine.
 */
export interface EntryExposure {
  /** This market's larger venue position × mid, before and after both legs fill. */
  notionalBefore: number;
  notionalAfter: number;
  /** This market's |net position| × mid now. */
  openExposure: number;
  /** One leg × mid: what the entry leaves open if only one leg fills. */
  legNotional: number;
}

/**
 * Limits shared with the other markets' engines of the run (cli wires src/portfolio's): asked
 * before each entry, told when that entry has settled. Repairs and unwinds are never asked.
 */
export interface EntryCaps {
  /** Why this entry may not open now (one line), or undefined: the entry is then counted in flight until settled(). */
  admit(market: string, entry: EntryExposure): string | undefined;
  /** The entry `market` was admitted for has settled (legs applied, repair done or given up). */
  settled(market: string): void;
}

export interface EngineOptions {
  settings: EngineSettings;
  /** Caps across the run's markets; absent = none. */
  caps?: EntryCaps;
  backpack: Venue;
  lighter: Venue;
  logger: Logger;
  /** Wall and monotonic time and timers; default the system's. */
  clock?: Clock;
  /**
   * Runs the work meant for between two frames (signing the next entry's orders ahead). Default
   * setImmediate: after the frames of this turn. A replay runs it at once, before its next recorded
   * event, so what is held does not depend on how the recording was cut into batches.
   */
  betweenFrames?: (work: () => void) => void;
  /** Overrides of ENGINE_DEFAULTS. */
  timings?: Partial<Omit<EngineTimings, 'killSwitch'>> & { killSwitch?: Partial<EngineTimings['killSwitch']> };
}

export function resolveTimings(overrides: EngineOptions['timings'] = {}): EngineTimings {
  return { ...ENGINE_DEFAULTS, ...overrides, killSwitch: { ...ENGINE_DEFAULTS.killSwitch, ...overrides.killSwitch } };
}
