// Lighter's result codes (spec §7) turned into the port's error kinds, each with what to do.

import { VenueError, type VenueErrorKind } from '../venue.js';

const KIND_BY_CODE: Record<number, VenueErrorKind> = {
  20001: 'auth', // invalid auth token
  21108: 'auth', // public key not registered
  21501: 'auth', // tx info refused: almost always a key, api key index or chain id mismatch
  21104: 'invalid_nonce',
  21105: 'invalid_nonce',
  21711: 'expired',
  21506: 'rate_limited',
  23000: 'rate_limited',
  23001: 'rate_limited',
  23002: 'rate_limited',
  23003: 'rate_limited',
  21507: 'insufficient_margin',
  21508: 'insufficient_margin',
  21739: 'insufficient_margin',
  21602: 'bad_order',
  21700: 'bad_order',
  21701: 'bad_order',
  21702: 'bad_order',
  21703: 'bad_order',
  21704: 'bad_order',
  21705: 'bad_order',
  21706: 'bad_order',
  21727: 'bad_order',
  21729: 'bad_order',
  21728: 'rejected', // client order index already used
  21732: 'rejected', // reduce-only would increase the position
  21733: 'rejected', // accidental price: outside the venue's price band
  21734: 'rejected',
  21738: 'rejected',
};

const HINT: Record<VenueErrorKind, string> = {
  insufficient_margin: 'add collateral on Lighter or lower --size',
  bad_order: 'size or price off the market grid; check the market decimals',
  rate_limited: 'backing off before the next transaction',
  auth: 'check API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX, LIGHTER_API_KEY_INDEX and LIGHTER_CHAIN_ID',
  expired: 'the transaction deadline passed; check the clock (NTP)',
  invalid_nonce: 'refreshing the nonce from the venue',
  unavailable: 'Lighter is down or in maintenance; retrying',
  rejected: 'the venue refused it for a trading reason',
  protocol: 'the reply did not match the Lighter protocol',
  timeout: 'no answer in time; the outcome is resolved from the account streams or history',
};

export function lighterErrorKind(code: number, httpStatus?: number): VenueErrorKind {
  const known = KIND_BY_CODE[code];
  if (known !== undefined) return known;
  if (httpStatus === 429) return 'rate_limited';
  if (code === 503 || (httpStatus !== undefined && httpStatus >= 500)) return 'unavailable';
  if (httpStatus === 401 || httpStatus === 403) return 'auth';
  return 'rejected';
}

/** One error line: what the venue said, and what to do about it. */
export function lighterError(what: string, code: number, message: string, httpStatus?: number, retryAfterMs?: number): VenueError {
  const kind = lighterErrorKind(code, httpStatus);
  return new VenueError('lighter', kind, `Lighter ${what}: ${code} "${message}" (${HINT[kind]})`, code, retryAfterMs);
}

export function hintFor(kind: VenueErrorKind): string {
  return HINT[kind];
}
