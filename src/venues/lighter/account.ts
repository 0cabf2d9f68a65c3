// What Lighter says about the account and the venue itself, as typed values: the chain id it runs,
// the public key registered for (account, API key index), the account's tier and the fees that
// follow from it, collateral and positions. Start-up and the preflight `check` both read these.
// Each query is a pure function over the REST client (no state, no logging); each rule a pure
// function of its inputs that returns the one line to print when it fails. LighterAccount, at the
// end, applies them at start-up and keeps the account's position in the market.

import { LighterFunding } from './funding.js';
import { formatFixedTrim, parseFixed, parseUnits } from '../../core/fixed.js';
import { VenueError } from '../venue.js';
import { replyRefused } from './errors.js';
import { readAccount, readAccountLimits, readAccountPosition, readApiKeys, readStatus } from './messages.js';
import type { LighterSession, LoadedMarket } from './session.js';

/** The part of LighterRest these queries need (tests may hand in a stub). */
export interface LighterReader {
  get<T>(path: string, query: Record<string, string | number>, authToken?: string, timeoutMs?: number): Promise<T>;
  /** GET / (the status document, outside /api/v1). */
  getStatus<T>(timeoutMs?: number): Promise<T>;
}

// ---------------------------------------------------------------- chain id

export const MAINNET_CHAIN_ID = 304;
export const TESTNET_CHAIN_ID = 300;

/**
 * The deployments the official Python SDK knows, with the chain id each signs with
 * (lighter-python `lighter/endpoint_profiles.py`: mainnet 304, testnet 300, robinhood 466324,
 * robinhood testnet 300).
 */
const KNOWN_DEPLOYMENTS: ReadonlyArray<{ host: string; name: string; chainId: number }> = [
  { host: 'mainnet.zklighter.elliot.ai', name: 'mainnet', chainId: MAINNET_CHAIN_ID },
  { host: 'testnet.zklighter.elliot.ai', name: 'testnet', chainId: TESTNET_CHAIN_ID },
  { host: 'api.rh.lighter.xyz', name: 'robinhood', chainId: 466_324 },
  { host: 'api.rh-testnet.lighter.xyz', name: 'robinhood testnet', chainId: TESTNET_CHAIN_ID },
];
const KNOWN_CHAIN_IDS = new Set(KNOWN_DEPLOYMENTS.map((d) => d.chainId));

export interface LighterVenueInfo {
  /**
   * The chain id the venue reports: `network_id` of `GET /` (lighter-python `lighter/models/status.py`,
   * openapi `Status`). Undefined when the field is absent or not an integer.
   */
  reportedChainId?: number;
  /** The venue's clock, `timestamp` of `GET /`, in Unix seconds. */
  serverTimeSec?: number;
}

export async function fetchVenueInfo(rest: LighterReader, timeoutMs?: number): Promise<LighterVenueInfo> {
  const read = readStatus(await rest.getStatus<unknown>(timeoutMs));
  if (!read.ok) throw replyRefused('GET /', read.why);
  return { reportedChainId: read.value.networkId, serverTimeSec: read.value.timestamp };
}

/** The deployment an API URL points at, when it is one the official SDK lists. */
export function deploymentForUrl(apiUrl: string): { name: string; chainId: number } | undefined {
  let host: string;
  try {
    host = new URL(apiUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const d = KNOWN_DEPLOYMENTS.find((k) => k.host === host);
  return d === undefined ? undefined : { name: d.name, chainId: d.chainId };
}

export type ChainIdCheck = { ok: true; chainId: number; verifiedBy: string } | { ok: true; chainId: number; verifiedBy: undefined; note: string } | { ok: false; problem: string };

/**
 * Whether LIGHTER_CHAIN_ID agrees with the venue. A wrong chain id does not fail locally: every
 * transaction would come back as an invalid signature (spec §1, apidocs troubleshooting). The
 * venue's `network_id` is trusted as a chain id only when it is one of the known Lighter chain
 * ids; otherwise the API URL's known deployment decides; otherwise nothing can be verified.
 */
export function checkChainId(configured: number, apiUrl: string, reported: number | undefined): ChainIdCheck {
  const fix = `set LIGHTER_CHAIN_ID to match LIGHTER_API_URL (${MAINNET_CHAIN_ID} mainnet, ${TESTNET_CHAIN_ID} testnet)`;
  if (reported !== undefined && KNOWN_CHAIN_IDS.has(reported)) {
    if (reported !== configured)
      return {
        ok: false,
        problem: `LIGHTER_CHAIN_ID is ${configured} but the Lighter venue at ${apiUrl} reports chain id ${reported}; every transaction would fail as an invalid signature — ${fix}`,
      };
    return { ok: true, chainId: configured, verifiedBy: `the venue's network_id ${reported}` };
  }
  const deployment = deploymentForUrl(apiUrl);
  if (deployment !== undefined) {
    if (deployment.chainId !== configured)
      return {
        ok: false,
        problem: `LIGHTER_CHAIN_ID is ${configured} but ${apiUrl} is Lighter ${deployment.name}, chain id ${deployment.chainId}; every transaction would fail as an invalid signature — ${fix}`,
      };
    return { ok: true, chainId: configured, verifiedBy: `${apiUrl} is Lighter ${deployment.name}` };
  }
  const what = reported === undefined ? 'reports no network_id' : `reports network_id ${reported}, which is no known Lighter chain id`;
  return { ok: true, chainId: configured, verifiedBy: undefined, note: `chain id ${configured} not verified: the venue at ${apiUrl} ${what}` };
}

// ---------------------------------------------------------------- API keys

/** Lighter's own apps sign with API key indexes 0–2 (desktop, mobile PWA, mobile app; apidocs "API keys"). */
export const FIRST_BOT_API_KEY_INDEX = 3;
/** The largest index a key can have (lighter-go `types/txtypes/constants.go MaxApiKeyIndex`). */
export const LAST_API_KEY_INDEX = 254;

/** The configuration line for an API key index a bot must not use, or undefined when it may. */
export function apiKeyIndexProblem(index: number): string | undefined {
  if (!Number.isInteger(index) || index < 0 || index > LAST_API_KEY_INDEX)
    return `LIGHTER_API_KEY_INDEX ${index} is not an API key index — create a key at index ${FIRST_BOT_API_KEY_INDEX}–${LAST_API_KEY_INDEX} and set LIGHTER_API_KEY_INDEX to it`;
  if (index < FIRST_BOT_API_KEY_INDEX) {
    return `LIGHTER_API_KEY_INDEX ${index} belongs to Lighter's own web and mobile apps (indexes 0–2), whose orders would collide with the bot's nonces — create a key at index ${FIRST_BOT_API_KEY_INDEX}–${LAST_API_KEY_INDEX} and set LIGHTER_API_KEY_INDEX to it`;
  }
  return undefined;
}

export interface RegisteredApiKey {
  accountIndex: number;
  apiKeyIndex: number;
  /** Lower-case hex without 0x, as lighter-go's `Check` compares it; undefined = no key at that index. */
  publicKeyHex?: string;
  /** The key's next nonce as the key list reports it. */
  nonce?: number;
}

/** GET /api/v1/apikeys for one index (spec §3; lighter-go `client/client.go (*TxClient).Check`). */
export async function fetchRegisteredApiKey(rest: LighterReader, accountIndex: number, apiKeyIndex: number): Promise<RegisteredApiKey> {
  const read = readApiKeys(await rest.get<unknown>('apikeys', { account_index: accountIndex, api_key_index: apiKeyIndex }), apiKeyIndex);
  if (!read.ok) throw replyRefused('GET /api/v1/apikeys', read.why);
  return { accountIndex, apiKeyIndex, publicKeyHex: read.value.publicKeyHex, nonce: read.value.nonce };
}

/** The start-up line when the registered key is not ours, or undefined when it is. */
export function apiKeyMismatch(registered: RegisteredApiKey, ourPublicKeyHex: string): string | undefined {
  if (registered.publicKeyHex === undefined) {
    return `Lighter account ${registered.accountIndex} has no API key ${registered.apiKeyIndex} — check LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX`;
  }
  if (registered.publicKeyHex !== ourPublicKeyHex.toLowerCase().replace(/^0x/, '')) {
    return `Lighter API key ${registered.apiKeyIndex} of account ${registered.accountIndex} is registered with another public key than API_KEY_PRIVATE_KEY gives — paste the private key of that API key, or set LIGHTER_API_KEY_INDEX to the key it belongs to`;
  }
  return undefined;
}

// ---------------------------------------------------------------- market ids

/**
 * The perp market indexes our signer encodes as lighter-go does (lighter-go `types/txtypes/constants.go`
 * MinPerpsMarketIndex 0, MaxPerpsMarketIndex 254, as of its August 2026 release). Testnet has listed
 * widened ids (ETH perp 4095, captured 2026-09-18: nautilus_trader
 * `crates/adapters/lighter/test_data/http_order_books_widened_ids.json`; ETH/BTC/SOL 4095–4097 on
 * chain 300). lighter-go issue #88 (open since 2026-09-09) asks which signer supports them and
 * whether the hash schema changed; no official signer or vectors for their encoding were found, so
 * they are refused rather than guessed.
 */
export const MAX_SIGNABLE_PERP_MARKET_ID = 254;

/** The start-up line for a market id our signer cannot encode, or undefined when it can. */
export function marketIdProblem(symbol: string, marketId: number): string | undefined {
  if (Number.isInteger(marketId) && marketId >= 0 && marketId <= MAX_SIGNABLE_PERP_MARKET_ID) return undefined;
  return `Lighter lists ${symbol} as perp market ${marketId}, but the official signer (lighter-go) encodes perp market ids 0–${MAX_SIGNABLE_PERP_MARKET_ID} only and no signing vectors for wider ids exist yet — this market cannot be traded until a signer release with vectors for widened market ids is supported; choose another --ticker`;
}

// ---------------------------------------------------------------- tier and fees

export type LighterTier = 'standard' | 'premium';

export interface LighterAccountTier {
  /** Undefined when the venue did not say, or said something we do not recognise. */
  tier?: LighterTier;
  /** `user_tier` / `user_tier_name` as the venue sent them. */
  reported?: string;
  /** Why the tier is unknown, when it is. */
  unknownBecause?: string;
}

function tierFromName(name: string): LighterTier | undefined {
  const n = name.trim().toLowerCase();
  if (n.includes('premium')) return 'premium';
  if (n === 'std' || n.includes('standard')) return 'standard';
  return undefined;
}

/**
 * The account's tier from GET /api/v1/accountLimits (auth token required): `user_tier` and
 * `user_tier_name` (lighter-python `lighter/models/account_limits.py`). The tier is also what
 * `POST /api/v1/changeAccountTier` sets ("standard" / "premium"). The reply's
 * current_*_fee_tick fields are not used: their unit is not documented in what was read.
 */
export async function fetchAccountTier(rest: LighterReader, accountIndex: number, authToken: string): Promise<LighterAccountTier> {
  let body: unknown;
  try {
    body = await rest.get<unknown>('accountLimits', { account_index: accountIndex }, authToken);
  } catch (e) {
    return { unknownBecause: `accountLimits failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const read = readAccountLimits(body);
  if (!read.ok) return { unknownBecause: replyRefused('GET /api/v1/accountLimits', read.why).message };
  return parseAccountTier(read.value);
}

export function parseAccountTier(reply: { user_tier?: unknown; user_tier_name?: unknown }): LighterAccountTier {
  const names = [reply.user_tier, reply.user_tier_name].filter((v): v is string => typeof v === 'string' && v !== '');
  if (names.length === 0) return { unknownBecause: 'accountLimits carries no user_tier' };
  for (const name of names) {
    const tier = tierFromName(name);
    if (tier !== undefined) return { tier, reported: name };
  }
  return { reported: names[0], unknownBecause: `accountLimits reports user_tier "${names[0]}", which is neither standard nor premium` };
}

/**
 * Fees by tier (apidocs "Account Types", current page, as summarised in our spec §0): Standard
 * 0 maker / 0 taker with a 300 ms taker speed bump; Premium 0.40 bps maker / 2.80 bps taker at 0
 * staked LIT, lower with LIT staked (down to 0.28 / 1.96 bps). An older page said 0.2 / 2 bps; the
 * higher, current figures are assumed so that an edge is never overstated. The market's
 * `taker_fee` does not reflect the tier (mainnet fixture `"taker_fee":"0.0000"`).
 */
export const LIGHTER_FEES_BY_TIER: Readonly<Record<LighterTier, { makerBps: number; takerBps: number }>> = {
  standard: { makerBps: 0, takerBps: 0 },
  premium: { makerBps: 0.4, takerBps: 2.8 },
};

export interface LighterFeeAssumption {
  takerBps: number;
  makerBps: number;
  /** Where the figure comes from, in words. */
  source: string;
  /** The start-up line: which fee, from where, and how to override it. */
  line: string;
}

/** The fee the bot assumes on Lighter: the override, else the tier's schedule, else Standard. */
export function assumeLighterFees(tier: LighterAccountTier | undefined, takerOverrideBps?: number): LighterFeeAssumption {
  const how = 'override with --lighter-taker-fee-bps';
  if (takerOverrideBps !== undefined) {
    const makerBps = LIGHTER_FEES_BY_TIER[tier?.tier ?? 'standard'].makerBps;
    const source = '--lighter-taker-fee-bps';
    return { takerBps: takerOverrideBps, makerBps, source, line: `Lighter fees: taker ${takerOverrideBps} bps (from ${source})` };
  }
  if (tier?.tier !== undefined) {
    const f = LIGHTER_FEES_BY_TIER[tier.tier];
    const source = `the account's ${tier.tier} tier (accountLimits user_tier "${tier.reported ?? tier.tier}")`;
    const extra = tier.tier === 'premium' ? ' at 0 staked LIT; staking lowers it' : ", with the venue's taker speed bump";
    return { ...f, source, line: `Lighter fees: taker ${f.takerBps} bps, maker ${f.makerBps} bps from ${source}${extra} — ${how}` };
  }
  const f = LIGHTER_FEES_BY_TIER.standard;
  const why = tier?.unknownBecause ?? 'the account tier was not read';
  const source = `the Standard schedule, assumed (${why})`;
  return {
    ...f,
    source,
    line: `Lighter fees: taker ${f.takerBps} bps, maker ${f.makerBps} bps from ${source}; a Premium account pays up to ${LIGHTER_FEES_BY_TIER.premium.takerBps} bps taker — ${how}`,
  };
}

// ---------------------------------------------------------------- collateral and positions

export interface LighterPosition {
  marketId: number;
  symbol: string;
  /** Signed size as the venue's decimal string, e.g. "-0.0100". */
  size: string;
}

export interface LighterAccountSummary {
  accountIndex: number;
  /** Decimal strings in USDC, exactly as the venue sent them. */
  collateral: string;
  availableBalance: string;
  /** Non-zero positions only. */
  positions: LighterPosition[];
}

/** GET /api/v1/account?by=index (spec §4; nautilus fixture `http_account.json`). */
export async function fetchAccountSummary(rest: LighterReader, accountIndex: number): Promise<LighterAccountSummary> {
  const read = readAccount(await rest.get<unknown>('account', { by: 'index', value: accountIndex }));
  if (!read.ok) throw replyRefused('GET /api/v1/account', read.why);
  const account = read.value;
  if (account === undefined) throw new VenueError('lighter', 'auth', `Lighter has no account ${accountIndex} — check LIGHTER_ACCOUNT_INDEX (find it with accountsByL1Address)`);
  const str = (v: string | undefined, field: string): string => {
    if (v === undefined) throw new VenueError('lighter', 'protocol', `Lighter account ${accountIndex} lacks "${field}"`);
    return v;
  };
  const positions: LighterPosition[] = [];
  for (const p of account.positions) {
    if (!/[1-9]/.test(p.position)) continue;
    positions.push({ marketId: p.marketId, symbol: p.symbol, size: p.sign < 0 ? `-${p.position}` : p.position });
  }
  return { accountIndex, collateral: str(account.collateral, 'collateral'), availableBalance: str(account.availableBalance, 'available_balance'), positions };
}

// ---------------------------------------------------------------- minimum quote amount

/**
 * The start-up line when an order of `size` (sizeScale units) at `price` (priceScale units) cannot
 * reach the market's `min_quote_amount` (a decimal string in USDC; `orderBooks`/`orderBookDetails`,
 * nautilus fixture `http_order_book_details.json`), or undefined when it can. Exact: compared in
 * integers at priceScale + sizeScale decimals.
 */
export function minQuoteProblem(market: { symbol: string; priceScale: number; sizeScale: number }, size: number, price: number, minQuoteAmount: string): string | undefined {
  const scale = market.priceScale + market.sizeScale;
  const minimum = parseUnits(minQuoteAmount, scale, 'up');
  const notional = BigInt(size) * BigInt(price);
  if (notional >= minimum) return undefined;
  // The smallest size on the grid that reaches the minimum at this price.
  const needed = price > 0 ? (minimum + BigInt(price) - 1n) / BigInt(price) : 0n;
  const fmt = formatFixedTrim;
  return `--size ${fmt(BigInt(size), market.sizeScale)} is worth ${fmt(notional, scale)} USDC on Lighter ${market.symbol} at ${fmt(BigInt(price), market.priceScale)}, below the market's minimum order value of ${minQuoteAmount} USDC — use --size ${fmt(needed, market.sizeScale)} or more`;
}

// ---------------------------------------------------------------- errors

/**
 * A setting the venue shows to be wrong (chain id, market id, key, size below the minimum order
 * value): nothing was sent, and a person must change the configuration. The CLI exits with 2.
 */
export class LighterConfigError extends Error {
  override name = 'LighterConfigError';
}

// ---------------------------------------------------------------- the account at run time

/** What the account's start-up checks found, and the fees assumed from it. */
export interface AccountCheck {
  chain?: ChainIdCheck;
  tier?: LighterAccountTier;
  fees: LighterFeeAssumption;
}

/** The account's start-up checks, made once per session (one account) for every market it serves. */
const accountChecks = new WeakMap<LighterSession, Promise<AccountCheck>>();

/** The account in one market: its start-up checks, and its position as asked and as streamed. */
export class LighterAccount {
  /** Latest signed position from account_all_positions (sizeScale). */
  streamedPosition?: number;
  /** The account's funding payments on the market and its current rate (funding.ts); only with account keys. */
  readonly funding?: LighterFunding;

  constructor(
    private readonly session: LighterSession,
    private readonly loaded: LoadedMarket,
  ) {
    const signer = session.signer;
    if (signer !== undefined)
      this.funding = new LighterFunding({
        rest: session.rest,
        budget: session.budget,
        accountIndex: signer.accountIndex,
        market: () => loaded.market,
        authToken: () => session.authToken(),
        now: () => session.clock.wallMs(),
        stream: { subscribe: (channel) => session.subscribe(channel), route: (prefix, handle) => session.route(prefix, handle) },
      });
  }

  /** Routes the position channel's frames. */
  listen(): void {
    this.session.route('account_all_positions:', (frame) => this.handlePositions(frame.positions));
  }

  /**
   * With keys: the chain id, the registered API key (and the nonce it starts from) and the
   * account's tier; then the fees that follow (said in one line).
   */
  check(): Promise<AccountCheck> {
    // One account, whatever markets the session serves: checked once. A check that failed (the venue
    // down at start-up, say) is made afresh by the next start-up attempt.
    let check = accountChecks.get(this.session);
    if (check === undefined) {
      const made = (check = this.checkOnce());
      accountChecks.set(this.session, made);
      made.catch(() => {
        if (accountChecks.get(this.session) === made) accountChecks.delete(this.session);
      });
    }
    return check;
  }

  private async checkOnce(): Promise<AccountCheck> {
    const { signer, rest, options, logger } = this.session;
    let chain: ChainIdCheck | undefined;
    let tier: LighterAccountTier = { unknownBecause: 'no account keys (market data only)' };
    if (signer !== undefined) {
      chain = await this.checkChain();
      await this.checkApiKey();
      tier = await fetchAccountTier(rest, signer.accountIndex, this.session.authToken());
    }
    const fees = assumeLighterFees(tier, options.takerFeeBps);
    logger.info(fees.line);
    return { chain, tier, fees };
  }

  /** LIGHTER_CHAIN_ID must be the venue's, or every transaction fails as an invalid signature. */
  private async checkChain(): Promise<ChainIdCheck> {
    const { rest, options, logger } = this.session;
    let reported: number | undefined;
    try {
      reported = (await fetchVenueInfo(rest)).reportedChainId;
    } catch (e) {
      logger.warn(`Lighter status (GET /) could not be read: ${(e as Error).message}`);
    }
    const check = checkChainId(options.chainId, options.apiUrl, reported);
    if (!check.ok) throw new LighterConfigError(check.problem);
    if (check.verifiedBy !== undefined) logger.info(`Lighter chain id ${check.chainId} (agrees with ${check.verifiedBy})`);
    else logger.warn(check.note);
    return check;
  }

  /** The registered key must be ours (spec §3), and the nonce starts where the venue says. */
  private async checkApiKey(): Promise<void> {
    const signer = this.session.signer!;
    const registered = await fetchRegisteredApiKey(this.session.rest, signer.accountIndex, signer.apiKeyIndex);
    const mismatch = apiKeyMismatch(registered, signer.publicKeyHex);
    if (mismatch !== undefined) throw new LighterConfigError(mismatch);
    await this.session.nonces.ensure();
  }

  private handlePositions(positions: unknown): void {
    const spec = this.loaded.spec;
    if (spec === undefined) return;
    const read = readAccountPosition(positions, spec.marketId!);
    if (!read.ok) return void this.session.warnings.warn('account_all_positions', `Lighter account_all_positions frame refused: ${read.why}`);
    const p = read.value;
    if (p !== undefined) this.streamedPosition = p.sign * parseFixed(p.position, spec.sizeScale);
  }

  /** Signed position at sizeScale as the venue reports it (long > 0). */
  async fetchPosition(): Promise<number> {
    const signer = this.session.signer;
    if (signer === undefined) throw new VenueError('lighter', 'auth', 'Lighter positions need LIGHTER_ACCOUNT_INDEX');
    const market = this.loaded.market;
    // The position is what every repair is sized from (the engine reconciles before and after
    // repairing, and every 30 s): it is served with the repairs, ahead of entries.
    const read = readAccount(await this.session.rest.get<unknown>('account', { by: 'index', value: signer.accountIndex }, undefined, undefined, 'repair'));
    if (!read.ok) throw replyRefused('GET /api/v1/account', read.why);
    const row = read.value?.positions.find((p) => p.marketId === market.marketId);
    if (row === undefined) return 0;
    return row.sign * parseFixed(row.position, market.sizeScale);
  }
}
