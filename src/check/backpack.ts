// The preflight's Backpack rows, read-only: reachable (status and time, spec §3), the clock, the
// keys (the public key derived from the secret, then one signed read-only request: GET
// /api/v1/account, spec §5), the market's grid against --size (GET /api/v1/markets, parsed by the
// adapter's own parseMarket), the fees the run will assume, and free collateral (GET
// /api/v1/capital/collateral's netEquityAvailable, spec §5) against --max-position.

import { parseUnits } from '../core/fixed.js';
import type { MarketSpec } from '../venues/types.js';
import { BackpackRest, BackpackSigner, parseMarket } from '../venues/backpack/index.js';
import { collateralFigures } from './collateral.js';
import type { CheckRow } from './report.js';
import { abbreviate, clockOffsetMs, fmt, isAuthError, quantityAt, row, signedMs, skipped, timed, unreachableFix, why, type ProbeContext, type VenueFacts } from './common.js';

interface AccountJson {
  futuresTakerFee?: unknown;
  futuresMakerFee?: unknown;
  leverageLimit?: unknown;
}

interface MarketJson {
  symbol?: unknown;
  orderBookState?: unknown;
}

const KEYS = 'BACKPACK_PUBLIC_KEY / BACKPACK_SECRET_KEY';

export async function probeBackpack(ctx: ProbeContext): Promise<{ rows: CheckRow[]; facts: VenueFacts }> {
  const { config, settings } = ctx;
  const rows: CheckRow[] = [];
  const facts: VenueFacts = {};
  const symbol = `${config.ticker}_USDC_PERP`;
  const endpoint = config.backpack;

  let signer: BackpackSigner | undefined;
  let keyProblem: string | undefined;
  if (endpoint.secretKey === undefined || endpoint.publicKey === undefined) {
    keyProblem = `${KEYS} are not set`;
  } else {
    try {
      // No public key given here: the one derived from the secret is compared below, as a row.
      signer = new BackpackSigner(endpoint.secretKey);
    } catch (e) {
      keyProblem = why(e);
    }
  }
  const rest = new BackpackRest({ apiUrl: endpoint.apiUrl, signer, logger: ctx.logger, timeoutMs: settings.requestTimeoutMs });
  try {
    // Reachable: the venue's own status, then its clock, timed over the connection the first
    // request opened (the round trip an order will see, without the TCP and TLS handshakes).
    let offset: number;
    try {
      const status = await rest.get<{ status?: unknown; message?: unknown }>('/api/v1/status');
      const t = await timed(() => rest.get<unknown>('/api/v1/time'));
      if (typeof t.value !== 'number') throw new Error(`GET /api/v1/time answered ${JSON.stringify(t.value).slice(0, 60)}, not a time in ms`);
      offset = clockOffsetMs(t.value, t.sentAtMs, t.rttMs);
      if (status?.status !== 'Ok') {
        rows.push(
          row(
            'backpack.reachable',
            'Backpack reachable',
            'FAIL',
            `${endpoint.apiUrl} answers, but its status is ${String(status?.status)}${typeof status?.message === 'string' ? ` (${status.message})` : ''}`,
            'wait until Backpack is out of maintenance, then run check again',
          ),
        );
      } else {
        rows.push(row('backpack.reachable', 'Backpack reachable', 'ok', `${endpoint.apiUrl}: status Ok, round trip ${t.rttMs.toFixed(1)} ms`));
      }
    } catch (e) {
      rows.push(row('backpack.reachable', 'Backpack reachable', 'FAIL', why(e), unreachableFix(e, 'Backpack', 'BACKPACK_API_URL')));
      for (const [id, title] of [
        ['backpack.clock', 'Backpack clock'],
        ['backpack.keys', 'Backpack keys'],
        ['backpack.market', 'Backpack market'],
        ['backpack.fees', 'Backpack fees'],
        ['backpack.collateral', 'Backpack collateral'],
      ] as const) {
        rows.push(skipped(id, title, 'Backpack is not reachable'));
      }
      return { rows, facts };
    }

    const limit = settings.maxClockOffsetMs.backpack;
    rows.push(
      Math.abs(offset) <= limit
        ? row('backpack.clock', 'Backpack clock', 'ok', `offset ${signedMs(offset)} (limit ±${limit} ms)`)
        : row(
            'backpack.clock',
            'Backpack clock',
            'FAIL',
            `this machine's clock is ${signedMs(-offset)} off Backpack's (limit ±${limit} ms): signed requests would be refused as expired`,
            'synchronise the clock (NTP, e.g. `timedatectl set-ntp true`)',
          ),
    );

    // Keys: the pair must belong together, and the venue must accept a signature made with it.
    let account: AccountJson | undefined;
    if (signer === undefined) {
      rows.push(row('backpack.keys', 'Backpack keys', 'FAIL', keyProblem ?? 'no keys', `set ${KEYS} from one Backpack API key (see env_example.txt)`));
    } else if (signer.publicKey !== endpoint.publicKey) {
      rows.push(row('backpack.keys', 'Backpack keys', 'FAIL', 'BACKPACK_PUBLIC_KEY is not the public key of BACKPACK_SECRET_KEY', `copy ${KEYS} from the same Backpack API key`));
    } else {
      try {
        account = await rest.signed<AccountJson>('GET', '/api/v1/account', 'accountQuery');
        rows.push(
          row(
            'backpack.keys',
            'Backpack keys',
            'ok',
            `public key ${abbreviate(signer.publicKey)} matches the secret; a signed read-only request (GET /api/v1/account) was accepted`,
          ),
        );
      } catch (e) {
        const fix = isAuthError(e)
          ? 'the key pair is consistent but Backpack refuses it: check that this API key exists and is enabled on the account (Backpack settings → API keys), and the clock'
          : 'run check again; if it persists, Backpack is refusing account requests';
        rows.push(row('backpack.keys', 'Backpack keys', 'FAIL', `public key ${abbreviate(signer.publicKey)} matches the secret, but the signed request failed: ${why(e)}`, fix));
      }
    }

    // Fees: what the run will assume, and where it comes from (cli/run.ts passes the flag as an override).
    const taker = config.backpackTakerFeeBps ?? numberOr(account?.futuresTakerFee);
    const maker = numberOr(account?.futuresMakerFee);
    const feeSource = config.backpackTakerFeeBps !== undefined ? '--backpack-taker-fee-bps' : 'your account (GET /api/v1/account futuresTakerFee)';

    // Market: listed, open, and --size on its grid and above its minimum.
    let markets: unknown;
    try {
      markets = await rest.get<unknown>('/api/v1/markets');
    } catch (e) {
      rows.push(row('backpack.market', 'Backpack market', 'FAIL', why(e), 'run check again; Backpack did not list its markets'));
    }
    if (Array.isArray(markets)) {
      const found = (markets as MarketJson[]).find((m) => m.symbol === symbol);
      if (found === undefined) {
        const perps = (markets as MarketJson[])
          .map((m) => m.symbol)
          .filter((s): s is string => typeof s === 'string' && s.endsWith('_PERP'))
          .map((s) => s.replace('_USDC_PERP', ''));
        rows.push(row('backpack.market', 'Backpack market', 'FAIL', `Backpack lists no ${symbol}`, `choose a --ticker Backpack lists as a perp: ${perps.slice(0, 15).join(', ')}`));
      } else {
        try {
          const spec = parseMarket(found, { takerFeeBps: taker ?? 0, makerFeeBps: maker ?? 0 });
          facts.market = spec;
          rows.push(marketRow(spec, String(found.orderBookState ?? 'Open'), config.size));
        } catch (e) {
          rows.push(row('backpack.market', 'Backpack market', 'FAIL', why(e), 'Backpack changed its market format; update the bot'));
        }
      }
    } else if (markets !== undefined) {
      rows.push(row('backpack.market', 'Backpack market', 'FAIL', 'GET /api/v1/markets did not answer a list', 'run check again; Backpack did not list its markets'));
    }

    if (taker === undefined) {
      rows.push(skipped('backpack.fees', 'Backpack fees', 'the account could not be read', 'fix the keys, or give --backpack-taker-fee-bps'));
    } else {
      rows.push(row('backpack.fees', 'Backpack fees', 'ok', `taker ${taker} bps${maker === undefined ? '' : `, maker ${maker} bps`}, from ${feeSource}`));
    }

    // Collateral and position: both need the keys and the market.
    const spec = facts.market;
    if (account === undefined || spec === undefined) {
      rows.push(skipped('backpack.collateral', 'Backpack collateral', account === undefined ? 'the keys were not accepted' : 'the market was not found'));
      return { rows, facts };
    }
    try {
      const positions = await rest.signed<unknown>('GET', '/api/v1/position', 'positionQuery', { symbol });
      const mine = Array.isArray(positions) ? (positions as Array<{ symbol?: unknown; netQuantity?: unknown }>).find((p) => p.symbol === symbol) : undefined;
      facts.position = typeof mine?.netQuantity === 'string' ? parseUnits(mine.netQuantity, spec.sizeScale, 'nearest') : 0n;
      const collateral = await rest.signed<{ netEquityAvailable?: unknown }>('GET', '/api/v1/capital/collateral', 'collateralQuery');
      const marks = await rest.get<unknown>('/api/v1/markPrices', { symbol });
      const mark = Array.isArray(marks) ? (marks as Array<{ symbol?: unknown; markPrice?: unknown }>).find((m) => m.symbol === symbol)?.markPrice : undefined;
      const leverage = Number(account.leverageLimit);
      if (typeof collateral?.netEquityAvailable !== 'string' || typeof mark !== 'string' || !Number.isInteger(leverage) || leverage <= 0) {
        throw new Error("collateral, mark price or leverageLimit missing from the venue's replies");
      }
      rows.push(
        (facts.collateral = collateralFigures(ctx, {
          id: 'backpack.collateral',
          title: 'Backpack collateral',
          sizeScale: spec.sizeScale,
          priceScale: spec.priceScale,
          available: collateral.netEquityAvailable,
          mark,
          position: facts.position,
          marginNum: 1n,
          marginDen: BigInt(leverage),
          marginText: `1/${leverage} of notional (leverageLimit ${leverage})`,
          fixAdd: 'deposit USDC on Backpack',
        })).row,
      );
    } catch (e) {
      rows.push(row('backpack.collateral', 'Backpack collateral', 'FAIL', why(e), 'run check again; Backpack did not report collateral and position'));
    }
    return { rows, facts };
  } finally {
    rest.close();
  }
}

function marketRow(spec: MarketSpec, state: string, sizeText: string): CheckRow {
  const grid = `tick ${fmt(spec.tickSize, spec.priceScale)}, step ${fmt(spec.stepSize, spec.sizeScale)}, minimum ${fmt(spec.minSize, spec.sizeScale)}`;
  const title = 'Backpack market';
  if (state !== 'Open') return row('backpack.market', title, 'FAIL', `${spec.symbol} (${grid}) is ${state}, not Open`, 'wait until the market reopens, or choose another --ticker');
  const size = quantityAt(sizeText, spec.sizeScale);
  if (size === undefined || size % BigInt(spec.stepSize) !== 0n) {
    return row(
      'backpack.market',
      title,
      'FAIL',
      `${spec.symbol}: ${grid}; --size ${sizeText} is not a multiple of the step`,
      `give a --size that is a multiple of ${fmt(spec.stepSize, spec.sizeScale)}`,
    );
  }
  if (size < BigInt(spec.minSize)) {
    return row('backpack.market', title, 'FAIL', `${spec.symbol}: ${grid}; --size ${sizeText} is below the minimum`, `give --size ${fmt(spec.minSize, spec.sizeScale)} or more`);
  }
  return row('backpack.market', title, 'ok', `${spec.symbol}: ${grid}; --size ${sizeText} fits`);
}

function numberOr(v: unknown): number | undefined {
  const n = typeof v === 'string' || typeof v === 'number' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
