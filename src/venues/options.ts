// The options every live adapter takes, in the same words for both venues; each venue's options
// type adds only what is its own (keys, chain id, windows, budgets).

import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';

export interface LiveVenueOptions {
  /** Upper-case base asset (BTC); each venue names its perp market from it. */
  ticker: string;
  /** REST base without /api/v1 (BACKPACK_API_URL, LIGHTER_API_URL). */
  apiUrl: string;
  /** WebSocket URL (BACKPACK_WS_URL, LIGHTER_WS_URL). */
  wsUrl: string;
  logger: Logger;
  /** Taker/maker fee overrides in bps; otherwise the venue's (see each adapter). */
  takerFeeBps?: number;
  makerFeeBps?: number;
  /** How long an order may stay unconfirmed before it is looked up (default 3000 ms). */
  orderTimeoutMs?: number;
  /** Deadline for other REST calls (default 5000 ms). */
  requestTimeoutMs?: number;
  /** How long an order signed ahead by prepareMarketOrder may still be sent (default 1000 ms). */
  preparedOrderMaxAgeMs?: number;
  /** Stream tuning (tests shorten these). */
  pingIntervalMs?: number;
  deadAfterMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /**
   * The engine's clock: wall ms for signatures, tokens, expiry and client ids; monotonic ms for
   * back-offs, budgets, readiness, ages and leg times. Default the system's; tests pin it.
   */
  clock?: Clock;
}
