// The simulated venues' funding schedule: every interval, each venue settles funding on each of its
// markets at the rate it reports, through its margin model (margin.ts applyFunding), which books the
// payments where the venues' funding histories and balances read them.
//
// Sources for the schedule:
// - Backpack settles each perp at the end of its funding interval: `fundingInterval` on the market
//   (ms; 3 600 000 in the Rust client's SOL_USDC_PERP fixture, spec §3 markets), `nextFundingTimestamp`
//   on /api/v1/markPrices; CCXT backpack.js parseFundingRate reports the interval as '1h'. The rate
//   paid is the current interval's `fundingRate` from /api/v1/markPrices.
// - Lighter settles hourly (Lighter docs "Funding": funding is paid every hour; df-lighter-core
//   `src/markets/funding.rs`), while /api/v1/funding-rates gives the rate over eight hours (see the
//   lighter server's route): each hourly settlement pays an eighth of it.
//
// Time is the tests' to control: `settleNow()` settles one interval at once, `advanceTo(wall)`
// settles every interval boundary passed since the last call, and `start()` runs the schedule on
// timers (for `npm run sim` and the demo, optionally fast: a shorter real interval). No test sleeps.

import { formatFixedTrim, parseUnits } from '../core/fixed.js';
import { numberText } from '../venues/lighter/funding.js';
import type { SimMargin } from './margin.js';
import type { SimMatchingEngine } from './types.js';

/** Both venues settle funding every hour. */
export const SIM_FUNDING_INTERVAL_MS = 3_600_000;

export interface SimFundingVenue {
  venue: 'backpack' | 'lighter';
  margin: SimMargin;
  engines: readonly SimMatchingEngine[];
  /** The rate one settlement on `engine`'s market pays now, as a decimal string. */
  rateFor(engine: SimMatchingEngine): string;
}

export interface SimFundingOptions {
  venues: readonly SimFundingVenue[];
  /** Wall ms (the servers' clock). */
  now?: () => number;
  /** The venues' settlement interval (default one hour). */
  intervalMs?: number;
}

export interface SimSettlement {
  venue: 'backpack' | 'lighter';
  base: string;
  at: number;
  rate: string;
  /** Micro-dollars (MARGIN_SCALE) per account, positive = received. */
  payments: ReadonlyMap<string, bigint>;
}

export class SimFundingSchedule {
  readonly intervalMs: number;
  private readonly now: () => number;
  /** The latest boundary settled by advanceTo (wall ms). */
  private lastBoundary: number;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: SimFundingOptions) {
    this.intervalMs = options.intervalMs ?? SIM_FUNDING_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.lastBoundary = Math.floor(this.now() / this.intervalMs) * this.intervalMs;
  }

  /** The next settlement time after `wall` (what markPrices calls nextFundingTimestamp). */
  nextAfter(wall = this.now()): number {
    return (Math.floor(wall / this.intervalMs) + 1) * this.intervalMs;
  }

  /** Settles one interval on every market of both venues now (or at `at`), at the rates they report. */
  settleNow(at = this.now()): SimSettlement[] {
    const out: SimSettlement[] = [];
    for (const v of this.options.venues) {
      for (const engine of v.engines) {
        const rate = v.rateFor(engine);
        const payments = v.margin.applyFunding(engine, rate, at);
        out.push({ venue: v.venue, base: engine.market.base, at, rate, payments });
      }
    }
    return out;
  }

  /** Settles every interval boundary in (last boundary, wall]; returns the settlements made. */
  advanceTo(wall: number): SimSettlement[] {
    const out: SimSettlement[] = [];
    for (let b = this.lastBoundary + this.intervalMs; b <= wall; b += this.intervalMs) {
      out.push(...this.settleNow(b));
      this.lastBoundary = b;
    }
    return out;
  }

  /** Runs the schedule on timers: every `realIntervalMs` of real time (default the interval) one settlement. */
  start(realIntervalMs = this.intervalMs): void {
    this.stop();
    const tick = () => {
      this.settleNow();
      this.timer = setTimeout(tick, realIntervalMs);
      this.timer.unref();
    };
    // On the real schedule, the first settlement falls on the next boundary; a fast one starts a full period from now.
    const first = realIntervalMs === this.intervalMs ? this.nextAfter() - this.now() : realIntervalMs;
    this.timer = setTimeout(tick, first);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * A rate over eight hours (as Lighter's funding-rates gives it) as the rate of one hourly
 * settlement, exactly: a decimal divided by 8 always terminates (three more digits at most).
 */
export function hourlyFromEightHour(rate: number | string): string {
  const text = typeof rate === 'number' ? numberText(rate) : rate;
  const SCALE = 18;
  const units = parseUnits(text, SCALE - 3, 'nearest') * 1000n;
  return formatFixedTrim(units / 8n, SCALE);
}
