// The Backpack account in one market: its position (asked over REST, and as streamed by
// account.positionUpdate), the account's collateral, and the market's mark price and funding rate.

import { parseFixed } from '../../core/fixed.js';
import { replyRefused } from './errors.js';
import type { BackpackMarketData } from './market-data.js';
import { readCollateral, readMarkPrices, readPosition, readPositionUpdate, type Collateral } from './messages.js';
import type { BackpackSession } from './session.js';

export class BackpackAccount {
  /** Latest position from account.positionUpdate (sizeScale). */
  streamedPosition?: number;

  constructor(
    private readonly session: BackpackSession,
    private readonly data: BackpackMarketData,
  ) {}

  /** Routes the position stream (with keys only); subscribed in routing order when the session connects. */
  listen(): void {
    if (this.session.signer !== undefined)
      this.session.route(`account.positionUpdate.${this.data.symbol}`, (data) => this.handlePosition(data), { prefix: 'account.positionUpdate' });
  }

  private handlePosition(data: unknown): void {
    const read = readPositionUpdate(data);
    if (!read.ok) return void this.session.warnings.warn('positionUpdate', `Backpack account.positionUpdate frame refused: ${read.why}`);
    for (const p of read.value) if (p.symbol === this.data.symbol) this.streamedPosition = parseFixed(p.quantity, this.data.market.sizeScale);
  }

  /** Signed position at sizeScale as the venue reports it (long > 0). */
  async fetchPosition(): Promise<number> {
    const symbol = this.data.symbol;
    const body = await this.session.rest.signed<unknown>('GET', '/api/v1/position', 'positionQuery', { symbol });
    const read = readPosition(body, symbol);
    if (!read.ok) throw replyRefused('GET /api/v1/position', read.why);
    return read.value === undefined ? 0 : parseFixed(read.value, this.data.market.sizeScale); // flat markets are not listed
  }

  /** Free margin (netEquityAvailable) in quote units, for reporting. */
  async fetchCollateral(): Promise<Collateral> {
    const read = readCollateral(await this.session.rest.signed<unknown>('GET', '/api/v1/capital/collateral', 'collateralQuery'));
    if (!read.ok) throw replyRefused('GET /api/v1/capital/collateral', read.why);
    return read.value;
  }

  /** Mark price (priceScale, rounded to nearest) and the current funding rate as a decimal string. */
  async fetchMarkAndFunding(): Promise<{ markPrice: number; fundingRate: string; nextFundingTimestamp: number }> {
    const symbol = this.data.symbol;
    const read = readMarkPrices(await this.session.rest.get<unknown>('/api/v1/markPrices', { symbol }), symbol);
    if (!read.ok) throw replyRefused('GET /api/v1/markPrices', read.why);
    const { markPrice, fundingRate, nextFundingTimestamp } = read.value;
    return { markPrice: parseFixed(markPrice, this.data.market.priceScale, 'nearest'), fundingRate, nextFundingTimestamp };
  }
}
