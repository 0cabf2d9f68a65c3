// Backpack's error mapping, in the same shape as Lighter's (../lighter/errors.ts): the venue's
// answer (HTTP status and `{code, message}`, spec §5 and §10) → the port's VenueErrorKind
// (backpackErrorKind), and the one hint per kind an error line ends with (hintFor).

import { VenueError, type VenueErrorKind } from '../venue.js';

const AUTH_CODES = new Set(['UNAUTHORIZED', 'INVALID_SIGNATURE', 'FORBIDDEN', 'ACCOUNT_DEACTIVATED']);
const MARGIN_CODES = new Set(['INSUFFICIENT_FUNDS', 'INSUFFICIENT_MARGIN', 'MAX_LEVERAGE_REACHED', 'BORROW_LIMIT']);
const BAD_ORDER_CODES = new Set(['INVALID_ORDER', 'INVALID_PRICE', 'INVALID_QUANTITY', 'INVALID_SYMBOL', 'INVALID_MARKET', 'INVALID_RANGE']);
const UNAVAILABLE_CODES = new Set(['SERVER_ERROR', 'TIMEOUT', 'MAINTENANCE', 'TRADING_PAUSED', 'NOT_IMPLEMENTED']);

/** Maps an HTTP status and Backpack `{code, message}` to the port's error kind. */
export function backpackErrorKind(status: number, code: string | undefined, message: string): VenueErrorKind {
  if (status === 429 || code === 'TOO_MANY_REQUESTS') return 'rate_limited';
  if (code !== undefined && AUTH_CODES.has(code)) return 'auth';
  if (code === 'INVALID_CLIENT_REQUEST') {
    // The venue reuses this code for bad signatures and stale windows (spec §5, §10 Q14).
    if (/signature|api key/i.test(message)) return 'auth';
    if (/expired|window|timestamp/i.test(message)) return 'expired';
    return 'bad_order';
  }
  if (code !== undefined && MARGIN_CODES.has(code)) return 'insufficient_margin';
  if (code !== undefined && BAD_ORDER_CODES.has(code)) return 'bad_order';
  if ((code !== undefined && UNAVAILABLE_CODES.has(code)) || status >= 500) return 'unavailable';
  if (status === 401 || status === 403) return 'auth';
  return 'rejected';
}

/** What to do about each kind of failure, said after the venue's own words. */
const HINT: Record<VenueErrorKind, string> = {
  insufficient_margin: 'add collateral or lower --size',
  bad_order: 'check size/price against the market grid',
  rate_limited: 'backing off before the next request',
  auth: 'check BACKPACK_PUBLIC_KEY / BACKPACK_SECRET_KEY and the clock',
  expired: 'the request window passed; sync the clock (NTP)',
  invalid_nonce: 'resync the nonce',
  unavailable: 'the venue is down or in maintenance; retry later after reconciling',
  rejected: 'the venue refused it for a trading reason',
  protocol: 'the reply did not match the Backpack protocol',
  timeout: 'no answer in time; the outcome is reconciled by lookup',
};

export function hintFor(kind: VenueErrorKind): string {
  return HINT[kind];
}

/**
 * The error for a reply `messages.ts` refused: one line naming the request and what was wrong with
 * the answer. Nothing is read from such a reply.
 */
export function replyRefused(endpoint: string, why: string): VenueError {
  return new VenueError('backpack', 'protocol', `Backpack ${endpoint} reply refused: ${why} (${hintFor('protocol')})`);
}
