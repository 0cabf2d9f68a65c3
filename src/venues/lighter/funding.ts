// Lighter funding for the traded market, over the REST client and inside the shared request budget
// at its ordinary purpose ('entry': behind repairs, never taking their reserve), and lower still: a
// read goes out only while at most half the window is used and a place is free at once; otherwise
// it is skipped (a VenueError 'rate_limited') and made at a later read, so funding never takes a
// place an order or a repair is about to need, nor waits in line for one. The account's
// payments from GET /api/v1/positionFunding (auth token; lighter-python `lighter/api/account_api.py`
// position_funding, `models/position_funding.py`) and the current rate from GET
// /api/v1/funding-rates (lighter-python `lighter/api/funding_api.py`, `models/funding_rate.py`).
//
// Sign: a positive rate makes longs pay shorts (Lighter docs "Funding"; lighter-go
// `examples/market_data/funding_rates/main.go`: "Positive rate = longs pay shorts"). `change` is
// read as the account's collateral change, received > 0, but no source says so in words, and the
// docs' own example (WebSocket reference › Account All, `funding_histories`: a long, rate
// "0.0001", change "0.001") reads the other way. So the harsher reading is kept: a payment
// counts as received only when both its sign and its side and rate say received (a long at a
// negative rate, a short at a positive one); otherwise it counts as paid, |change| either way.
// Timestamp: seconds in the docs' example (`timestamp: 1700000000`, the same channel) and in
// df-lighter-core's `fundings` reading; ms is accepted too (a value below 10^11 is seconds).
// Period: funding-rates quotes a rate over eight hours while the venue settles every hour
// (df-lighter-core `src/markets/funding.rs`; CCXT lighter.js market_stats sample: funding_timestamp
// on the hour), so one settlement pays an eighth of it.
//
// Predicted: the `market_stats/{market}` channel's `current_funding_rate`, "an estimation of the
// upcoming funding payment" (Lighter API docs, WebSocket reference › Market Stats), percent for
// the hour (messages.ts readMarketStatsFunding). It is subscribed on the session's socket the
// first time the rate is asked for; until its first frame the prediction is absent and said so.
// funding-rates has no prediction (lighter-python `models/funding_rate.py`: market_id, exchange,
// symbol, rate; a `predicted_rate` appears only in lighter-go's hand-written
// `types/api/market.go`, whose shapes do not match the wire, e.g. its PositionFunding fields).

import { parseUnits } from '../../core/fixed.js';
import { FUNDING_SCALE, percentToFraction, type FundingPayment, type FundingRateNow, type FundingSource } from '../funding.js';
import { VenueError } from '../venue.js';
import { hintFor } from './errors.js';
import { readLighterFundingRate, readMarketStatsFunding, readPositionFundings, type MarketStatsFunding } from './messages.js';
import type { RateBudget } from './rate-budget.js';
import type { LighterRest } from './rest.js';

/** positionFunding's largest page (lighter-python: limit 1..100). */
const PAGE = 100;
const MAX_PAGES = 20;
const HOUR_MS = 3_600_000;

export interface LighterFundingOptions {
  rest: LighterRest;
  accountIndex: number;
  /** The traded market, once the adapter has started. */
  market: () => { marketId?: number; symbol: string };
  /** A valid auth token (the adapter renews its own). */
  authToken: () => string;
  /** Wall ms (the adapter's injected clock). */
  now: () => number;
  /** The shared request budget the REST client counts against (absent: requests are not counted). */
  budget?: RateBudget;
  /** The session's socket, for the market_stats channel (absent: no prediction is read). */
  stream?: {
    subscribe(channel: string): void;
    route(prefix: string, handle: (frame: Record<string, unknown>) => void): void;
  };
  /** How long current() waits for the first market_stats frame (default 1.5 s: inside the engine's 3 s bound on the start-up lines). */
  statsWaitMs?: number;
}

export class LighterFunding implements FundingSource {
  /** The latest market_stats funding figures of the market, once subscribed. */
  private stats?: MarketStatsFunding;
  private statsWanted?: Promise<void>;
  private statsArrived?: () => void;
  /** Why the latest market_stats frame was refused. */
  private statsProblem?: string;

  constructor(private readonly o: LighterFundingOptions) {}

  async payments(sinceWallMs: number): Promise<FundingPayment[]> {
    const { marketId, symbol } = this.marketOf();
    const since = Math.floor(sinceWallMs / 1000) * 1000;
    const out: FundingPayment[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query: Record<string, string | number> = { account_index: this.o.accountIndex, market_id: marketId, limit: PAGE, side: 'all' };
      if (cursor !== undefined) query.cursor = cursor;
      const body = await this.o.rest.get<unknown>('positionFunding', query, this.o.authToken(), undefined, this.place('positionFunding'));
      const rows = readPositionFundings(body, marketId);
      if (!rows.ok) throw new VenueError('lighter', 'protocol', `Lighter positionFunding refused: ${rows.why} (${hintFor('protocol')})`);
      for (const r of rows.value) {
        if (r.at < since) continue;
        const amount = harsherAmount(r.change, r.side, r.rate);
        const payment: FundingPayment = { venue: 'lighter', market: symbol, key: `${marketId}#${r.fundingId}`, at: r.at, amount, rate: r.rate };
        if (amount !== parseUnits(r.change, FUNDING_SCALE, 'nearest'))
          payment.note = `its change ${r.change} reads as received, but a ${r.side} at rate ${r.rate} pays: counted as paid (the harsher reading)`;
        out.push(payment);
      }
      const next = (body as { next_cursor?: unknown }).next_cursor;
      const oldest = rows.value.length === 0 ? undefined : Math.min(...rows.value.map((r) => r.at));
      if (typeof next !== 'string' || next === '' || oldest === undefined || oldest < since) break;
      cursor = next;
    }
    return out.sort((a, b) => a.at - b.at);
  }

  async current(): Promise<FundingRateNow> {
    const { marketId, symbol } = this.marketOf();
    const body = await this.o.rest.get<unknown>('funding-rates', {}, undefined, undefined, this.place('funding-rates'));
    const rate = readLighterFundingRate(body, marketId);
    if (!rate.ok) throw new VenueError('lighter', 'protocol', `Lighter funding rate refused: ${rate.why} (${hintFor('protocol')})`);
    const now = this.o.now();
    const nextAt = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
    const out: FundingRateNow = { venue: 'lighter', market: symbol, rate: numberText(rate.value), periodMs: 8 * HOUR_MS, settleEveryMs: HOUR_MS, nextAt };
    await this.watchStats(marketId);
    if (this.stats !== undefined) out.predicted = { rate: percentToFraction(this.stats.predictedPct), periodMs: HOUR_MS, at: nextAt, field: 'market_stats current_funding_rate' };
    else if (this.o.stream !== undefined) out.predictedMissing = this.statsProblem ?? 'no market_stats frame received yet';
    return out;
  }

  /** Subscribes market_stats/{market} once; resolves at its first readable frame or after statsWaitMs. */
  private watchStats(marketId: number): Promise<void> {
    const stream = this.o.stream;
    if (stream === undefined) return Promise.resolve();
    if (this.statsWanted === undefined) {
      const channel = `market_stats:${marketId}`;
      stream.route('market_stats:', (frame) => {
        if (frame.channel !== channel) return;
        const read = readMarketStatsFunding(frame, marketId);
        if (!read.ok) {
          this.statsProblem = read.why;
          return;
        }
        if (read.value === undefined) return;
        this.stats = read.value;
        this.statsProblem = undefined;
        this.statsArrived?.();
      });
      stream.subscribe(`market_stats/${marketId}`);
      this.statsWanted = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.o.statsWaitMs ?? 1500);
        timer.unref();
        this.statsArrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.stats !== undefined ? Promise.resolve() : this.statsWanted;
  }

  /** Takes a place for one read now, or refuses: the budget is more than half used, backing off, or has no place free at once. */
  private place(what: string): null | 'entry' {
    const budget = this.o.budget;
    if (budget === undefined) return 'entry';
    if (budget.used() * 2 >= budget.perMinute || !budget.tryTake('entry')) {
      throw new VenueError(
        'lighter',
        'rate_limited',
        `Lighter ${what} not read now: the shared request budget (${budget.used()} of ${budget.perMinute} this minute) is kept for orders`,
      );
    }
    return null;
  }

  private marketOf(): { marketId: number; symbol: string } {
    const m = this.o.market();
    if (m.marketId === undefined) throw new VenueError('lighter', 'protocol', 'Lighter funding asked before the market was loaded');
    return { marketId: m.marketId, symbol: m.symbol };
  }
}

/** A JSON number as the shortest decimal text that reads back as it (no exponent). */
export function numberText(x: number): string {
  const s = String(x);
  if (!/e/i.test(s)) return s;
  const [mant, exp] = s.toLowerCase().split('e');
  const e = Number(exp);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const point = mant.replace('-', '').indexOf('.');
  const intLen = (point === -1 ? digits.length : point) + e;
  const text =
    intLen <= 0
      ? `0.${'0'.repeat(-intLen)}${digits}`
      : intLen >= digits.length
        ? digits + '0'.repeat(intLen - digits.length)
        : `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return (neg ? '-' : '') + text;
}

/**
 * One positionFunding row as USD at FUNDING_SCALE, the harsher of two readings (see the header):
 * received only when `change` is positive and the side and rate say the account was paid (a long
 * at a negative rate, a short at a positive one, or a zero rate); paid otherwise.
 */
export function harsherAmount(change: string, side: 'long' | 'short', rate: string): bigint {
  const units = parseUnits(change, FUNDING_SCALE, 'nearest');
  const magnitude = units < 0n ? -units : units;
  const r = parseUnits(rate, 18, 'nearest');
  const sideSaysPaid = (side === 'long' && r > 0n) || (side === 'short' && r < 0n);
  return units > 0n && !sideSaysPaid ? magnitude : -magnitude;
}
