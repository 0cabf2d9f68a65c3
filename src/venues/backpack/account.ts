// The Backpack account in one market: its position (asked over REST, and as streamed by
// account.positionUpdate), the account's collateral, and the market's mark price and funding rate.

import { parseFixed } from '../../core/fixed.js';
import { VenueError } from '../venue.js';
import type { BackpackMarketData } from './market-data.js';
import { readPositionUpdate } from './messages.js';
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
    const rows = await this.session.rest.signed<unknown>('GET', '/api/v1/position', 'positionQuery', { symbol });
    if (!Array.isArray(rows)) throw new VenueError('backpack', 'protocol', 'Backpack /api/v1/position did not return an array');
    const row = (rows as { symbol?: unknown; netQuantity?: unknown }[]).find((r) => r.symbol === symbol);
    if (row === undefined) return 0; // flat markets are not listed
    if (typeof row.netQuantity !== 'string') throw new VenueError('backpack', 'protocol', `Backpack position for ${symbol} lacks netQuantity`);
    return parseFixed(row.netQuantity, this.data.market.sizeScale);
  }

  /** Free margin (netEquityAvailable) in quote units, for reporting. */
  async fetchCollateral(): Promise<{ netEquity: string; netEquityAvailable: string }> {
    const c = await this.session.rest.signed<{ netEquity?: unknown; netEquityAvailable?: unknown }>('GET', '/api/v1/capital/collateral', 'collateralQuery');
    if (typeof c?.netEquity !== 'string' || typeof c.netEquityAvailable !== 'string')
      throw new VenueError('backpack', 'protocol', 'Backpack collateral reply lacks netEquity/netEquityAvailable');
    return { netEquity: c.netEquity, netEquityAvailable: c.netEquityAvailable };
  }

  /** Mark price (priceScale, rounded to nearest) and the current funding rate as a decimal string. */
  async fetchMarkAndFunding(): Promise<{ markPrice: number; fundingRate: string; nextFundingTimestamp: number }> {
    const symbol = this.data.symbol;
    const rows = await this.session.rest.get<unknown>('/api/v1/markPrices', { symbol });
    const row = Array.isArray(rows)
      ? (rows as { symbol?: unknown; markPrice?: unknown; fundingRate?: unknown; nextFundingTimestamp?: unknown }[]).find((r) => r.symbol === symbol)
      : undefined;
    if (row === undefined || typeof row.markPrice !== 'string' || typeof row.fundingRate !== 'string')
      throw new VenueError('backpack', 'protocol', `Backpack markPrices lacks ${symbol}`);
    return { markPrice: parseFixed(row.markPrice, this.data.market.priceScale, 'nearest'), fundingRate: row.fundingRate, nextFundingTimestamp: Number(row.nextFundingTimestamp) };
  }
}
