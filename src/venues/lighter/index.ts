// The live Lighter venue behind the port of venue.ts, built from its parts: one session (the
// connection and the account: REST, the shared request budget, signer, nonces, auth token,
// WebSocket), the market data (the market's grid and start-up checks, the book), the execution
// (orders and their outcomes) and the account (start-up checks, position), composed with
// composeVenue. What the port does not name (the REST client, nonces, budget, token, trades) is
// reached through the venue as before.

import type { OrderSide } from '../../core/types.js';
import { SessionVenue, type ExecutionReadiness, type MarketOrderRequest, type SignAheadKind } from '../venue.js';
import { LighterAccount, type AccountCheck } from './account.js';
import { LighterExecution } from './execution.js';
import { LighterMarketData, type LighterSetup } from './market-data.js';
import type { NonceKeeper } from './nonce.js';
import type { RateBudget } from './rate-budget.js';
import type { LighterRest } from './rest.js';
import { LighterSession, type LighterVenueOptions } from './session.js';
import type { LighterSigner } from './signer/index.js';
import type { LighterStream } from './ws.js';

export { BookSync } from './book-sync.js';
export { lighterErrorKind } from './errors.js';
export { LighterConfigError, LighterAccount } from './account.js';
export { parseMarket, LighterMarketData, type LighterSetup } from './market-data.js';
export { LighterExecution } from './execution.js';
export { LighterSession, type LighterVenueOptions } from './session.js';

interface Parts {
  session: LighterSession;
  data: LighterMarketData;
  execution: LighterExecution;
  account: LighterAccount;
}

function build(options: LighterVenueOptions, shared?: LighterSession): Parts {
  const session = shared ?? new LighterSession(options);
  session.retain();
  // The market asks the account for its start-up checks (and the fees they imply) before its feeds open.
  const data: LighterMarketData = new LighterMarketData(session, (): Promise<AccountCheck> => account.check(), options);
  const account: LighterAccount = new LighterAccount(session, data);
  const execution = new LighterExecution(session, data, account, options);
  data.listen();
  execution.listen();
  account.listen();
  return { session, data, execution, account };
}

export class LighterVenue extends SessionVenue {
  declare readonly id: 'lighter';
  declare readonly prepareMarketOrder: (request: MarketOrderRequest, kind?: SignAheadKind) => void;
  declare readonly heldBounds: (side: OrderSide, size: number) => readonly number[];
  declare readonly readyForOrder: () => boolean;
  declare readonly readiness: () => ExecutionReadiness;
  declare readonly rateBudget: () => { remaining: number; perMinute: number };
  private readonly parts: Parts;

  /**
   * One market on a session of its own, or with `session`, one of several markets on a shared
   * session (one socket, nonce lane and request budget; see session.ts): `options` then gives this
   * market's ticker, size and slippage, and the session's options the rest.
   */
  constructor(options: LighterVenueOptions, session?: LighterSession) {
    const parts = build(options, session);
    super(parts.data, parts.execution, parts.account, parts.session);
    this.parts = parts;
  }

  get rest(): LighterRest {
    return this.parts.session.rest;
  }
  get nonces(): NonceKeeper {
    return this.parts.session.nonces;
  }
  /** The one budget every Lighter request and transaction takes a place in. */
  get budget(): RateBudget {
    return this.parts.session.budget;
  }
  get signer(): LighterSigner | undefined {
    return this.parts.session.signer;
  }
  get stream(): LighterStream | undefined {
    return this.parts.session.stream;
  }
  /** A token valid for at least a sixth of its lifetime more; renewed locally, no round trip. */
  authToken(): string {
    return this.parts.session.authToken();
  }
  /** Set by start(). */
  get setup(): LighterSetup | undefined {
    return this.parts.data.setup;
  }
  /** Latest signed position from account_all_positions (sizeScale). */
  get streamedPosition(): number | undefined {
    return this.parts.account.streamedPosition;
  }
  /** The account's fills in this market, newest first (auth token attached). */
  fetchTrades(limit?: number): Promise<Array<Record<string, unknown>>> {
    return this.parts.execution.fetchTrades(limit);
  }
  /** Whether the venue executed a transaction we sent (GET /api/v1/tx by hash). */
  txStatus(txHash: string): Promise<Record<string, unknown>> {
    return this.parts.execution.txStatus(txHash);
  }
}
