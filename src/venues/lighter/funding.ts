// Lighter funding for the traded market, over the REST client and inside the shared request budget
// at its ordinary purpose ('entry': behind repairs, never taking their reserve), and lower still: a
// read goes out only while at most half the window is used and a place is free at once; otherwise
// it is skipped (a VenueError 'rate_limited') and made at a later read, so funding never takes a
// place an order or a repair is about to need, nor waits in line for one. The account's
// payments from GET /api/v1/positionFunding (auth token; lighter-python `lighter/api/account_api.py`
// position_funding, `models/position_funding.py`) and the current rate from GET
// /api/v1/funding-rates (lighter-python `lighter/api/funding_api.py`, `models/funding_rate.py`).
//
// Sign: a positive rate makes longs pay shorts (Lighter docs "Funding"); `change` is the account's
// collateral change, received > 0. Period: funding-rates quotes a rate over eight hours while the
// venue settles every hour (df-lighter-core `src/markets/funding.rs`; CCXT lighter.js market_stats
// sample: funding_timestamp on the hour), so one settlement pays an eighth of it.

import { parseUnits } from '../../core/fixed.js';
import { FUNDING_SCALE, type FundingPayment, type FundingRateNow, type FundingSource } from '../funding.js';
import { VenueError } from '../venue.js';
import { hintFor } from './errors.js';
import { readLighterFundingRate, readPositionFundings } from './messages.js';
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
}

export class LighterFunding implements FundingSource {
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
        out.push({ venue: 'lighter', market: symbol, key: `${marketId}#${r.fundingId}`, at: r.at, amount: parseUnits(r.change, FUNDING_SCALE, 'nearest'), rate: r.rate });
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
    return { venue: 'lighter', market: symbol, rate: numberText(rate.value), periodMs: 8 * HOUR_MS, settleEveryMs: HOUR_MS, nextAt: (Math.floor(now / HOUR_MS) + 1) * HOUR_MS };
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
