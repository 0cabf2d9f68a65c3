// The live Backpack venue behind the port of venue.ts, built from its parts: one session (the
// connection and the account: REST, signer, WebSocket), the market data (market.ts grid, book,
// cross-checks), the execution (orders and their outcomes) and the account (position,
// collateral), composed with composeVenue. What the port does not name (limit orders, the REST
// client, the streamed position) is reached through the venue as before.

import type { OrderSide } from '../../core/types.js';
import { SessionVenue, type ExecutionReadiness, type MarketOrderRequest, type SignAheadKind } from '../venue.js';
import { BackpackAccount } from './account.js';
import { BackpackExecution } from './execution.js';
import { BackpackMarketData, backpackSymbol, type Fees } from './market-data.js';
import { BackpackSession, type BackpackVenueOptions } from './session.js';
import type { BackpackRest } from './rest.js';

export { BackpackSigner, signingString } from './auth.js';
export { BookSync } from './book-sync.js';
export { BackpackRest } from './rest.js';
export { backpackErrorKind } from './errors.js';
export { BackpackStream } from './ws.js';
export { clampIntoBands, parsePriceBands, type PriceBands } from './price-bands.js';
export { parseMarket, BackpackMarketData } from './market-data.js';
export { BackpackExecution } from './execution.js';
export { BackpackAccount } from './account.js';
export { BackpackSession, type BackpackVenueOptions } from './session.js';

interface Parts {
  session: BackpackSession;
  data: BackpackMarketData;
  execution: BackpackExecution;
  account: BackpackAccount;
}

function build(options: BackpackVenueOptions, shared?: BackpackSession): Parts {
  const symbol = backpackSymbol(options.ticker);
  const session = shared ?? new BackpackSession(options);
  session.retain();
  // The market asks the execution side for the account's fees before its feeds open.
  const data: BackpackMarketData = new BackpackMarketData(session, symbol, (): Promise<Fees> => execution.loadFees());
  const account = new BackpackAccount(session, data);
  const execution: BackpackExecution = new BackpackExecution(session, data, account);
  // The streams are subscribed in this order: the book's, then orders, then positions.
  data.listen();
  execution.listen();
  account.listen();
  return { session, data, account, execution };
}

export class BackpackVenue extends SessionVenue {
  declare readonly id: 'backpack';
  declare readonly prepareMarketOrder: (request: MarketOrderRequest, kind?: SignAheadKind) => void;
  declare readonly heldBounds: (side: OrderSide, size: number) => readonly number[];
  declare readonly readyForOrder: () => boolean;
  declare readonly readiness: () => ExecutionReadiness;
  private readonly parts: Parts;

  /**
   * One market on a session of its own, or with `session`, one of several markets on a shared
   * session (one socket, one kept order line; see session.ts): `options.ticker` names this market.
   */
  constructor(options: BackpackVenueOptions, session?: BackpackSession) {
    const parts = build(options, session);
    super(parts.data, parts.execution, parts.account, parts.session);
    this.parts = parts;
  }

  get rest(): BackpackRest {
    return this.parts.session.rest;
  }

  /** Milliseconds since the latest applied book frame (Infinity before the first). */
  bookAgeMs(now?: number): number {
    return this.parts.data.bookAgeMs(now);
  }
  /** The venue's own best prices from bookTicker (priceScale), the cross-check's latest. */
  get tickerBestBid(): number | undefined {
    return this.parts.data.tickerBestBid;
  }
  get tickerBestAsk(): number | undefined {
    return this.parts.data.tickerBestAsk;
  }
  /** The latest mark price the venue streamed, as sent (undefined before the first). */
  get markPrice(): string | undefined {
    return this.parts.data.markPrice;
  }

  /** Latest position from account.positionUpdate (sizeScale). */
  get streamedPosition(): number | undefined {
    return this.parts.account.streamedPosition;
  }
  fetchCollateral(): Promise<{ netEquity: string; netEquityAvailable: string }> {
    return this.parts.account.fetchCollateral();
  }
  fetchMarkAndFunding(): Promise<{ markPrice: number; fundingRate: string; nextFundingTimestamp: number }> {
    return this.parts.account.fetchMarkAndFunding();
  }

  /** Limit order (GTC / IOC / post-only / reduce-only); resolves with the venue's order object. */
  placeLimitOrder(o: {
    side: OrderSide;
    price: number;
    size: number;
    timeInForce?: 'GTC' | 'IOC' | 'FOK';
    postOnly?: boolean;
    reduceOnly?: boolean;
    clientId?: number;
  }): Promise<unknown> {
    return this.parts.execution.placeLimitOrder(o);
  }
  cancelOrder(ref: { orderId?: string; clientId?: number }): Promise<unknown> {
    return this.parts.execution.cancelOrder(ref);
  }
  openOrders(): Promise<unknown> {
    return this.parts.execution.openOrders();
  }
}
