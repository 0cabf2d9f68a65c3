// Backpack funding for the traded market, over the REST client: the account's payments from
// GET /wapi/v1/history/funding (instruction fundingHistoryQueryAll; spec §4.7; CCXT backpack.js
// fetchFundingHistory / parseIncome) and the current rate from GET /api/v1/markPrices (spec §3).
//
// Sign: `quantity` is signed from the account's view: "Positive if received, negative if paid"
// (Backpack OpenAPI `FundingPayment.quantity`); it is USDC, decimal text, read exactly. The docs do
// not say who pays a positive rate (spec §10 Q7); like every perp venue CCXT knows, and like
// Lighter, longs pay shorts when it is positive — the start-up line says so as a reading.
// Period: the rate is the current interval's; the interval is the market's `fundingInterval` (ms,
// string or number; 1 h in the Rust client's fixture, CCXT parseFundingRate reports '1h').
//
// Predicted: markPrices' `fundingRate` is "the funding rate for the current interval" and
// `nextFundingTimestamp` is "the end time of the current interval ... Funding payments will be
// distributed at this time" (Backpack OpenAPI `MarkPrice`); the markPrice stream carries the same
// figure as `f`, "Estimated funding rate" (Backpack docs, Streams › Mark price). So the one figure
// Backpack publishes is both the current interval's rate and the venue's estimate of the payment
// at nextFundingTimestamp: it is shown as both. CCXT backpack.ts parseFundingRate maps it to
// `fundingRate` and leaves `nextFundingRate` undefined; it publishes no other prediction. The
// settled rates are GET /api/v1/fundingRates (`FundingIntervalRate`: "the funding rate for the
// interval"), history only.

import { parseUnits } from '../../core/fixed.js';
import { FUNDING_SCALE, type FundingPayment, type FundingRateNow, type FundingSource } from '../funding.js';
import { VenueError } from '../venue.js';
import { hintFor } from './errors.js';
import { readFundingHistory, readMarkPrices } from './messages.js';
import type { BackpackRest } from './rest.js';

/** Rows per history page (the venue's maximum for its histories, spec §4.7). */
const PAGE = 1000;
/** At most this many pages per read: a run's funding rows on one market fill far fewer. */
const MAX_PAGES = 20;
const HOUR_MS = 3_600_000;

export class BackpackFunding implements FundingSource {
  private intervalMs?: number;

  constructor(
    private readonly rest: BackpackRest,
    private readonly symbol: string,
  ) {}

  async payments(sinceWallMs: number): Promise<FundingPayment[]> {
    // The venue stamps settlements to the second: a payment in the run's first second counts.
    const since = Math.floor(sinceWallMs / 1000) * 1000;
    const out: FundingPayment[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const body = await this.rest.signed<unknown>('GET', '/wapi/v1/history/funding', 'fundingHistoryQueryAll', {
        symbol: this.symbol,
        limit: PAGE,
        offset: page * PAGE,
        sortDirection: 'Desc',
      });
      const rows = readFundingHistory(body, this.symbol);
      if (!rows.ok) throw new VenueError('backpack', 'protocol', `Backpack funding history refused: ${rows.why} (${hintFor('protocol')})`);
      for (const r of rows.value) {
        if (r.at < since) continue;
        out.push({ venue: 'backpack', market: r.symbol, key: `${r.symbol}@${r.at}`, at: r.at, amount: parseUnits(r.quantity, FUNDING_SCALE, 'nearest'), rate: r.fundingRate });
      }
      const oldest = rows.value.length === 0 ? undefined : Math.min(...rows.value.map((r) => r.at));
      if (!Array.isArray(body) || body.length < PAGE || oldest === undefined || oldest < since) break;
    }
    return out.sort((a, b) => a.at - b.at);
  }

  async current(): Promise<FundingRateNow> {
    const body = await this.rest.get<unknown>('/api/v1/markPrices', { symbol: this.symbol });
    const row = readMarkPrices(body, this.symbol);
    if (!row.ok) throw new VenueError('backpack', 'protocol', `Backpack funding rate refused: ${row.why} (${hintFor('protocol')})`);
    const interval = await this.interval();
    return {
      venue: 'backpack',
      market: this.symbol,
      rate: row.value.fundingRate,
      periodMs: interval,
      settleEveryMs: interval,
      nextAt: row.value.nextFundingTimestamp,
      mark: row.value.markPrice,
      predicted: { rate: row.value.fundingRate, periodMs: interval, at: row.value.nextFundingTimestamp, field: 'markPrices fundingRate' },
    };
  }

  /** The market's fundingInterval (ms), read once; an hour when the market does not say. */
  private async interval(): Promise<number> {
    if (this.intervalMs !== undefined) return this.intervalMs;
    const market = await this.rest.get<{ fundingInterval?: unknown }>('/api/v1/market', { symbol: this.symbol });
    const ms = Number(market?.fundingInterval);
    this.intervalMs = Number.isSafeInteger(ms) && ms > 0 ? ms : HOUR_MS;
    return this.intervalMs;
  }
}
