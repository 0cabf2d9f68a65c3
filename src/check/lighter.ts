// The preflight's Lighter rows, read-only, through the same account queries start-up uses
// (venues/lighter/account.ts): reachable and its clock (GET /), the chain id the venue reports
// against LIGHTER_CHAIN_ID, the API key registered at that index for that account against the
// one API_KEY_PRIVATE_KEY gives, the market (orderBookDetails, parsed by the adapter's own
// parseMarket) against --size and its minimum order value, the account tier with the fees
// and request budget it implies, and free collateral against --max-position.

import { systemClock } from '../core/clock.js';
import { parseUnits } from '../core/fixed.js';
import type { MarketSpec } from '../venues/types.js';
import {
  apiKeyIndexProblem,
  apiKeyMismatch,
  assumeLighterFees,
  checkChainId,
  fetchAccountSummary,
  fetchAccountTier,
  fetchRegisteredApiKey,
  fetchVenueInfo,
  marketIdProblem,
  minQuoteProblem,
  type LighterAccountTier,
} from '../venues/lighter/account.js';
import { parseMarket } from '../venues/lighter/index.js';
import { LighterRest } from '../venues/lighter/rest.js';
import { derivePublicKey, LighterSigner } from '../venues/lighter/signer/index.js';
import { collateralFigures } from './collateral.js';
import type { CheckRow } from './report.js';
import { abbreviate, clockOffsetMs, fmt, unreachableFix, quantityAt, row, signedMs, skipped, timed, why, type ProbeContext, type VenueFacts } from './common.js';

/**
 * A Standard account's budget: 60 requests a minute per IP and per L1 address, REST calls and
 * transactions alike (spec §0, apidocs rate limits; CCXT `lighter.ts` rateLimit 1000 ms "60
 * requests per minute - normal account"). Premium quotas are larger and volume-based.
 */
export const STANDARD_REQUESTS_PER_MINUTE = 60;

const CREDENTIALS = 'API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX';

export async function probeLighter(ctx: ProbeContext): Promise<{ rows: CheckRow[]; facts: VenueFacts }> {
  const { config, settings } = ctx;
  const rows: CheckRow[] = [];
  const facts: VenueFacts = {};
  const endpoint = config.lighter;
  const rest = new LighterRest({ apiUrl: endpoint.apiUrl, logger: ctx.logger, timeoutMs: settings.requestTimeoutMs });
  try {
    // Reachable, clock and chain id: GET /.
    let info;
    try {
      // Timed on the second request, over the connection the first one opened: the round trip an
      // order will see, without the TCP and TLS handshakes.
      await fetchVenueInfo(rest);
      const t = await timed(() => fetchVenueInfo(rest));
      info = t.value;
      rows.push(row('lighter.reachable', 'Lighter reachable', 'ok', `${endpoint.apiUrl}: answers, round trip ${t.rttMs.toFixed(1)} ms`));
      const limit = settings.maxClockOffsetMs.lighter;
      if (info.serverTimeSec === undefined) {
        rows.push(
          row('lighter.clock', 'Lighter clock', 'FAIL', 'GET / carries no timestamp, so the clock cannot be compared', "check that LIGHTER_API_URL points at Lighter's API"),
        );
      } else {
        const offset = clockOffsetMs(info.serverTimeSec * 1000, t.sentAtMs, t.rttMs, 1000);
        rows.push(
          Math.abs(offset) <= limit
            ? row('lighter.clock', 'Lighter clock', 'ok', `offset ${signedMs(offset)} (Lighter reports whole seconds; limit ±${limit} ms)`)
            : row(
                'lighter.clock',
                'Lighter clock',
                'FAIL',
                `this machine's clock is ${signedMs(-offset)} off Lighter's (limit ±${limit} ms): transaction deadlines and auth tokens would be wrong`,
                'synchronise the clock (NTP, e.g. `timedatectl set-ntp true`)',
              ),
        );
      }
    } catch (e) {
      rows.push(row('lighter.reachable', 'Lighter reachable', 'FAIL', why(e), unreachableFix(e, 'Lighter', 'LIGHTER_API_URL')));
      for (const [id, title] of [
        ['lighter.clock', 'Lighter clock'],
        ['lighter.chain', 'Lighter chain id'],
        ['lighter.key', 'Lighter API key'],
        ['lighter.market', 'Lighter market'],
        ['lighter.fees', 'Lighter fees'],
        ['lighter.tier', 'Lighter tier and budget'],
        ['lighter.collateral', 'Lighter collateral'],
      ] as const) {
        rows.push(skipped(id, title, 'Lighter is not reachable'));
      }
      return { rows, facts };
    }

    const chain = checkChainId(endpoint.chainId, endpoint.apiUrl, info.reportedChainId);
    if (!chain.ok) {
      const [found, fix] = splitFix(chain.problem);
      rows.push(row('lighter.chain', 'Lighter chain id', 'FAIL', found, fix));
    } else if (chain.verifiedBy === undefined) {
      rows.push(
        row(
          'lighter.chain',
          'Lighter chain id',
          'FAIL',
          chain.note,
          'point LIGHTER_API_URL at a Lighter API that reports its network_id, and set LIGHTER_CHAIN_ID to match (304 mainnet, 300 testnet)',
        ),
      );
    } else {
      rows.push(row('lighter.chain', 'Lighter chain id', 'ok', `LIGHTER_CHAIN_ID ${chain.chainId} agrees with ${chain.verifiedBy}`));
    }

    // The API key: a bot's index, registered for this account with the public key of our private key.
    const { privateKey, accountIndex, apiKeyIndex } = endpoint;
    let signer: LighterSigner | undefined;
    let keyOk = false;
    if (privateKey === undefined || accountIndex === undefined || apiKeyIndex === undefined) {
      rows.push(row('lighter.key', 'Lighter API key', 'FAIL', `${CREDENTIALS} are not all set`, `set ${CREDENTIALS} (see env_example.txt)`));
    } else {
      const indexProblem = apiKeyIndexProblem(apiKeyIndex);
      try {
        const ours = derivePublicKey(privateKey);
        signer = new LighterSigner({ privateKey, chainId: endpoint.chainId, accountIndex, apiKeyIndex });
        const registered = await fetchRegisteredApiKey(rest, accountIndex, apiKeyIndex);
        const mismatch = apiKeyMismatch(registered, ours);
        const problem = indexProblem ?? mismatch;
        if (problem !== undefined) {
          const [found, fix] = splitFix(problem);
          rows.push(row('lighter.key', 'Lighter API key', 'FAIL', found, fix));
        } else {
          keyOk = true;
          rows.push(
            row(
              'lighter.key',
              'Lighter API key',
              'ok',
              `account ${accountIndex}, key index ${apiKeyIndex}: registered public key ${abbreviate(ours)} is the one API_KEY_PRIVATE_KEY gives`,
            ),
          );
        }
      } catch (e) {
        rows.push(
          row(
            'lighter.key',
            'Lighter API key',
            'FAIL',
            `account ${accountIndex}, key index ${apiKeyIndex}: ${why(e)}`,
            'check API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX',
          ),
        );
      }
    }

    // The market: listed as a perp, signable, and --size above its minimums.
    let details: Record<string, unknown> | undefined;
    try {
      const reply = await rest.get<{ order_book_details?: unknown }>('orderBookDetails', {});
      const list = Array.isArray(reply.order_book_details) ? (reply.order_book_details as Record<string, unknown>[]) : [];
      details = list.find((m) => m.symbol === config.ticker && (m.market_type === undefined || m.market_type === 'perp'));
      if (details === undefined) {
        rows.push(
          row(
            'lighter.market',
            'Lighter market',
            'FAIL',
            `Lighter lists no perp market ${config.ticker}`,
            `choose a --ticker Lighter lists: ${list
              .map((m) => String(m.symbol))
              .slice(0, 15)
              .join(', ')}`,
          ),
        );
      } else {
        const spec = parseMarket(details, {});
        facts.market = spec;
        rows.push(marketRow(spec, details, config.size));
      }
    } catch (e) {
      rows.push(row('lighter.market', 'Lighter market', 'FAIL', why(e), 'run check again; Lighter did not list its markets'));
    }

    // Tier: what it costs and how many requests a minute the run may make.
    let tier: LighterAccountTier | undefined;
    if (signer !== undefined && keyOk) {
      const deadline = Math.floor(systemClock.wallMs() / 1000) + 600;
      tier = await fetchAccountTier(rest, signer.accountIndex, signer.createAuthToken(deadline));
    }
    const fees = assumeLighterFees(tier, config.lighterTakerFeeBps);
    rows.push(
      row(
        'lighter.fees',
        'Lighter fees',
        'ok',
        `taker ${fees.takerBps} bps, maker ${fees.makerBps} bps, from ${fees.source}${config.lighterTakerFeeBps === undefined ? '; override with --lighter-taker-fee-bps' : ''}`,
      ),
    );
    const budget = config.lighterTxPerMinute;
    if (tier?.tier === 'premium') {
      rows.push(
        row(
          'lighter.tier',
          'Lighter tier and budget',
          'ok',
          `Premium (accountLimits user_tier "${tier.reported}"): volume-based quota; the bot budgets ${budget} requests a minute (--lighter-requests-per-minute)`,
        ),
      );
    } else {
      const what =
        tier?.tier === 'standard'
          ? `Standard (accountLimits user_tier "${tier.reported}")`
          : `Standard assumed (${tier?.unknownBecause ?? 'the tier could not be read: the API key is not valid'})`;
      rows.push(
        budget <= STANDARD_REQUESTS_PER_MINUTE
          ? row(
              'lighter.tier',
              'Lighter tier and budget',
              'ok',
              `${what}: ${STANDARD_REQUESTS_PER_MINUTE} requests a minute for REST and transactions together; the bot budgets ${budget} (--lighter-requests-per-minute)`,
            )
          : row(
              'lighter.tier',
              'Lighter tier and budget',
              'FAIL',
              `${what}: ${STANDARD_REQUESTS_PER_MINUTE} requests a minute for REST and transactions together, but --lighter-requests-per-minute is ${budget}: the venue would answer 429 before the bot's own limit`,
              `lower --lighter-requests-per-minute to ${STANDARD_REQUESTS_PER_MINUTE} or less, or move the account to Premium`,
            ),
      );
    }

    // Collateral and position: the account by index, valued at the market's last trade.
    const spec = facts.market;
    if (accountIndex === undefined || !keyOk || spec === undefined || details === undefined) {
      rows.push(skipped('lighter.collateral', 'Lighter collateral', !keyOk ? 'the API key was not confirmed' : 'the market was not found'));
      return { rows, facts };
    }
    try {
      const account = await fetchAccountSummary(rest, accountIndex);
      const mine = account.positions.find((p) => p.marketId === spec.marketId);
      facts.position = mine === undefined ? 0n : parseUnits(mine.size, spec.sizeScale, 'nearest');
      const imf = Number(details.default_initial_margin_fraction);
      const price = details.last_trade_price;
      if (!Number.isInteger(imf) || imf <= 0 || (typeof price !== 'string' && typeof price !== 'number'))
        throw new Error('orderBookDetails lacks default_initial_margin_fraction or last_trade_price');
      rows.push(
        (facts.collateral = collateralFigures(ctx, {
          id: 'lighter.collateral',
          title: 'Lighter collateral',
          sizeScale: spec.sizeScale,
          priceScale: spec.priceScale,
          available: account.availableBalance,
          mark: String(price),
          position: facts.position,
          // Margin fractions are in 1/10 000 of notional (lighter-go `client/http/http_types.go`
          // OrderBookDetail, uint32; leverage = 10 000 / fraction as the SDK examples compute it).
          marginNum: BigInt(imf),
          marginDen: 10_000n,
          marginText: `${fmt(imf, 2)} % of notional (default_initial_margin_fraction ${imf})`,
          fixAdd: 'deposit USDC on Lighter',
        })).row,
      );
    } catch (e) {
      rows.push(row('lighter.collateral', 'Lighter collateral', 'FAIL', why(e), 'run check again; Lighter did not report the account'));
    }
    return { rows, facts };
  } finally {
    rest.close();
  }
}

function marketRow(spec: MarketSpec, details: Record<string, unknown>, sizeText: string): CheckRow {
  const title = 'Lighter market';
  const minQuote = typeof details.min_quote_amount === 'string' ? details.min_quote_amount : undefined;
  // Lighter's grid is its decimals: one unit of the last price / size decimal (spec §2).
  const grid = `market id ${spec.marketId}, tick ${fmt(spec.tickSize, spec.priceScale)}, step ${fmt(spec.stepSize, spec.sizeScale)}, minimum ${fmt(spec.minSize, spec.sizeScale)}${minQuote === undefined ? '' : ` and ${minQuote} USDC order value`}`;
  const idProblem = marketIdProblem(spec.symbol, spec.marketId ?? -1);
  if (idProblem !== undefined) {
    const [found, fix] = splitFix(idProblem);
    return row('lighter.market', title, 'FAIL', found, fix);
  }
  if (details.status !== undefined && details.status !== 'active') {
    return row('lighter.market', title, 'FAIL', `${spec.symbol} (${grid}) is ${String(details.status)}, not active`, 'wait until the market is active, or choose another --ticker');
  }
  const size = quantityAt(sizeText, spec.sizeScale);
  if (size === undefined)
    return row(
      'lighter.market',
      title,
      'FAIL',
      `${spec.symbol}: ${grid}; --size ${sizeText} has more than ${spec.sizeScale} decimals`,
      `give a --size with at most ${spec.sizeScale} decimals`,
    );
  if (size < BigInt(spec.minSize))
    return row('lighter.market', title, 'FAIL', `${spec.symbol}: ${grid}; --size ${sizeText} is below the minimum`, `give --size ${fmt(spec.minSize, spec.sizeScale)} or more`);
  const price = details.last_trade_price;
  if (minQuote !== undefined && (typeof price === 'string' || typeof price === 'number')) {
    const problem = minQuoteProblem(spec, Number(size), Number(parseUnits(String(price), spec.priceScale, 'nearest')), minQuote);
    if (problem !== undefined) {
      const [found, fix] = splitFix(problem);
      return row('lighter.market', title, 'FAIL', `${spec.symbol}: ${grid}; ${found}`, fix);
    }
  }
  return row('lighter.market', title, 'ok', `${spec.symbol}: ${grid}; --size ${sizeText} fits`);
}

/** The shared problem lines read "what is wrong — what to do": the row shows each in its column. */
function splitFix(line: string): [string, string | undefined] {
  const at = line.lastIndexOf(' — ');
  return at < 0 ? [line, undefined] : [line.slice(0, at), line.slice(at + 3)];
}
