// Lighter's result codes (spec §0 and §7) turned into the port's error kinds, each with what to do.
// 20001 is not a Lighter code (it came from a mock): an HTTP 401/403 is what marks a refused token.

import { VenueError, type VenueErrorKind } from '../venue.js';

const KIND_BY_CODE: Record<number, VenueErrorKind> = {
  21108: 'auth', // public key not registered
  21120: 'auth', // invalid signature: wrong key, key index or chain id
  21136: 'auth', // the venue no longer accepts this signer version
  21501: 'bad_order', // invalid tx info
  29500: 'unavailable', // internal error: the outcome is not known
  29501: 'unavailable', // timeout: the outcome is not known
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

/** Codes whose remedy is one particular setting, said exactly (spec §0; apidocs troubleshooting). */
const HINT_BY_CODE: Record<number, string> = {
  21108: 'the API key is not registered for this account: check LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX',
  21120:
    'invalid signature: check API_KEY_PRIVATE_KEY (the private key of that API key), LIGHTER_API_KEY_INDEX (the index it is registered at) and LIGHTER_CHAIN_ID (304 mainnet, 300 testnet); entries are stopped',
  21136: 'the venue refuses this signer version: update backpack-lighter-arb to a release with the current Lighter signer; entries are stopped',
  29500: 'Lighter internal error: the transaction may or may not have executed; its outcome is looked up',
  29501: 'Lighter timed out: the transaction may or may not have executed; its outcome is looked up',
};

/** Codes that mean a person must change a setting before any more entries (readiness auth_failed). */
export function isConfigurationFailure(code: unknown): boolean {
  return code === 21108 || code === 21120 || code === 21136;
}

/**
 * Codes a bare, uncorrelated error frame may carry for a transaction: 21xxx is the transaction
 * domain (nautilus_trader crates/adapters/lighter/src/common/consts.rs LIGHTER_ERROR_CODE_TX_RANGE:
 * 20xxx request validation, 21xxx transaction processing, 30xxx subscriptions), plus 29500/29501.
 */
export function isTransactionCode(code: number): boolean {
  return (code >= 21_000 && code < 22_000) || code === 29500 || code === 29501;
}

/** One error line: what the venue said, and what to do about it. */
export function lighterError(what: string, code: number, message: string, httpStatus?: number, retryAfterMs?: number): VenueError {
  const kind = lighterErrorKind(code, httpStatus);
  return new VenueError('lighter', kind, `Lighter ${what}: ${code} "${message}" (${HINT_BY_CODE[code] ?? HINT[kind]})`, code, retryAfterMs);
}

export function hintFor(kind: VenueErrorKind): string {
  return HINT[kind];
}

/**
 * The error for a reply `messages.ts` refused: one line naming the request and what was wrong with
 * the answer. Nothing is read from such a reply.
 */
export function replyRefused(endpoint: string, why: string): VenueError {
  return new VenueError('lighter', 'protocol', `Lighter ${endpoint} reply refused: ${why} (${hintFor('protocol')})`);
}
