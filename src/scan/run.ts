// `scan`: public data only, no keys. Reads both venues' market lists, pairs them (symbol map), then
// samples every chosen market once per interval: Backpack's book by public REST (GET depth, paced
// to stay well inside the venue's 2000 requests a minute, spec §5), Lighter's book as it stands
// when that reply arrives, kept live over one WebSocket (lighter-books.ts). With many markets a
// round takes longer than the interval; the report gives the samples each market got, so the
// sampling rate is never hidden. Funding rates are read once, at the start.

import { systemClock } from '../core/clock.js';
import { parseUnits } from '../core/fixed.js';
import type { Logger } from '../core/log.js';
import { BackpackRest } from '../venues/backpack/rest.js';
import { LighterRest } from '../venues/lighter/rest.js';
import { VenueError } from '../venues/venue.js';
import { percentToFraction } from '../venues/funding.js';
import { buildSymbolMap, readBackpackMarkets, readLighterMarkets, selectPairs, type MarketPair, type RefusedMarket } from '../markets/symbols.js';
import { LighterBooks } from './lighter-books.js';
import { MarketSampler, annualisedPct, commonScales, commonSizeStep, pairBooks, type DirectionResult, type ScaledBook, type ScaledLevel } from './analysis.js';

export interface ScanOptions {
  backpackApiUrl: string;
  lighterApiUrl: string;
  lighterWsUrl: string;
  /** Backpack depth requests per minute at most (default 1200). */
  backpackRequestsPerMinute?: number;
  /** How long to wait for Lighter's books to load before sampling starts (default 10 s). */
  loadTimeoutMs?: number;
  /** Assets or venue names; empty = every market both venues list. */
  tickers: string[];
  durationMs: number;
  /** Time between the starts of two sampling rounds. */
  intervalMs: number;
  /** USD, as a decimal string. */
  notional: string;
  /** Taker fee on Backpack in bps (an account's tier is private; the default is the public tier-1 rate). */
  backpackTakerFeeBps: number;
  /** Taker fee on Lighter in bps; undefined = each market's published taker_fee. */
  lighterTakerFeeBps?: number;
  logger: Logger;
  /** Called after each round with the elapsed and total ms (the progress bar). */
  onProgress?: (elapsedMs: number, totalMs: number) => void;
  /** Stops sampling early (Ctrl-C): the report covers what was sampled. */
  signal?: AbortSignal;
}

export interface ScanMarketResult {
  asset: string;
  backpackSymbol: string;
  lighterSymbol: string;
  lighterMarketId: number;
  /** One Lighter contract is this many Backpack contracts. */
  lighterContractInBackpack: string;
  samples: number;
  failedSamples: number;
  /** Why samples failed (up to three distinct reasons). */
  errors: string[];
  backpackTakerFeeBps: number;
  lighterTakerFeeBps: number;
  /** Both venues' taker fees, opening and closing: 2 × (Backpack + Lighter). */
  roundTripFeeBps: number;
  longBackpack: DirectionResult;
  shortBackpack: DirectionResult;
  /** Median USD at the best level of each side. */
  topDepthUsd: { backpackBid: number; backpackAsk: number; lighterBid: number; lighterAsk: number };
  funding: {
    /** Backpack's rate for the current interval and the interval's length in hours. */
    backpackRate?: number;
    backpackIntervalHours?: number;
    backpackAnnualPct?: number;
    /** Lighter's current rate as funding-rates reports it: over eight hours. */
    lighterRate?: number;
    lighterRatePeriodHours: number;
    lighterAnnualPct?: number;
    /** Backpack's annualised rate minus Lighter's (positive: short Backpack / long Lighter is paid). */
    annualDiffPct?: number;
    /**
     * Each venue's own estimate of its next payment. Backpack's is markPrices' rate itself (the
     * current interval's, paid at its end: the one figure it publishes), Lighter's is market_stats'
     * current_funding_rate as a fraction per hour (the latest frame when sampling ended).
     */
    backpackPredictedRate?: number;
    backpackPredictedAnnualPct?: number;
    lighterPredictedRate?: number;
    lighterPredictedPeriodHours: number;
    lighterPredictedAnnualPct?: number;
    predictedAnnualDiffPct?: number;
  };
}

export interface ScanReport {
  startedAt: string;
  durationMs: number;
  intervalMs: number;
  notionalUsd: string;
  markets: ScanMarketResult[];
  refused: RefusedMarket[];
  warnings: string[];
}

interface Subject {
  pair: MarketPair;
  sampler: MarketSampler;
  lighterFeeBps: number;
}

const BACKPACK_INTERVAL_DEFAULT_MS = 3_600_000;
const HOUR_MS = 3_600_000;
/** The period of the rate Lighter's funding-rates reports (see result()). */
const LIGHTER_RATE_PERIOD_MS = 8 * 3_600_000;

export async function runScan(o: ScanOptions): Promise<ScanReport> {
  const startedAt = new Date().toISOString();
  const backpack = new BackpackRest({ apiUrl: o.backpackApiUrl, logger: o.logger });
  const lighter = new LighterRest({ apiUrl: o.lighterApiUrl, logger: o.logger });
  const warnings: string[] = [];
  let books: LighterBooks | undefined;
  try {
    const [bpMarkets, ltMarkets] = await Promise.all([
      backpack.get('/api/v1/markets').then(readBackpackMarkets),
      lighter.get('orderBookDetails', {}, undefined, undefined, null).then(readLighterMarkets),
    ]);
    const map = buildSymbolMap(bpMarkets, ltMarkets);
    const pairs = o.tickers.length > 0 ? selectPairs(map, o.tickers) : map.pairs;
    if (pairs.length === 0) throw new Error('the two venues list no market in common that can be scanned');

    const subjects: Subject[] = pairs.map((pair) => {
      const { priceScale, sizeScale } = commonScales(pair);
      const lighterFeeBps = o.lighterTakerFeeBps ?? pair.lighter.takerFeeBps ?? 0;
      const roundTrip = 2 * (o.backpackTakerFeeBps + lighterFeeBps);
      return { pair, lighterFeeBps, sampler: new MarketSampler(parseUnits(o.notional, priceScale + sizeScale, 'up'), Math.round(roundTrip * 1e6) / 1e6, commonSizeStep(pair)) };
    });
    books = new LighterBooks(
      o.lighterWsUrl,
      pairs.map((p) => p.lighter),
      o.logger,
    );
    books.start();
    const funding = await readFunding(backpack, lighter, warnings);
    const loaded = await waitFor(() => pairs.every((p) => books!.book(p.lighter.marketId) !== undefined), o.loadTimeoutMs ?? 10_000, o.signal);
    if (!loaded) {
      const missing = pairs.filter((p) => books!.book(p.lighter.marketId) === undefined).map((p) => p.lighter.symbol);
      warnings.push(`Lighter's book for ${missing.join(', ')} had not loaded when sampling started`);
    }
    const pace = pacer(60_000 / (o.backpackRequestsPerMinute ?? 1200));

    const t0 = systemClock.monoMs();
    while (!(o.signal?.aborted ?? false)) {
      const roundStart = systemClock.monoMs();
      await Promise.all(subjects.map((s) => sample(s, backpack, books!, pace)));
      const elapsed = systemClock.monoMs() - t0;
      o.onProgress?.(Math.min(elapsed, o.durationMs), o.durationMs);
      if (elapsed >= o.durationMs) break;
      const wait = Math.min(o.intervalMs - (systemClock.monoMs() - roundStart), o.durationMs - elapsed);
      if (wait > 0) await sleep(wait, o.signal);
    }

    const markets = subjects.map((s) => result(s, o.backpackTakerFeeBps, funding, books!));
    markets.sort(rank);
    return { startedAt, durationMs: o.durationMs, intervalMs: o.intervalMs, notionalUsd: o.notional, markets, refused: map.refused, warnings };
  } finally {
    await books?.stop();
    backpack.close();
    lighter.close();
  }
}

/** Resolves true once `ready()` holds, false after `timeoutMs` or an abort. */
async function waitFor(ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const end = systemClock.monoMs() + timeoutMs;
  while (!ready()) {
    if (systemClock.monoMs() >= end || (signal?.aborted ?? false)) return false;
    await sleep(20, signal);
  }
  return true;
}

/** Spaces calls at least `gapMs` apart, in the order they ask. */
function pacer(gapMs: number): () => Promise<void> {
  let next = 0;
  return async () => {
    const now = systemClock.monoMs();
    const at = Math.max(now, next);
    next = at + gapMs;
    if (at > now) await sleep(at - now);
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Best first on each side (Backpack answers both sides ascending). */
function sortBook(bids: ScaledLevel[], asks: ScaledLevel[]): ScaledBook {
  bids.sort((a, b) => (a[0] > b[0] ? -1 : a[0] < b[0] ? 1 : 0));
  asks.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { bids, asks };
}

/** GET /api/v1/depth (spec §3): `[price, quantity]` strings, both sides ascending. */
export function readBackpackDepth(json: unknown, priceScale: number, sizeScale: number): ScaledBook {
  const body = json as { bids?: unknown; asks?: unknown } | null;
  if (body === null || typeof body !== 'object' || !Array.isArray(body.bids) || !Array.isArray(body.asks)) throw new Error('Backpack depth reply has no bids/asks lists');
  const side = (rows: unknown[]): ScaledLevel[] =>
    rows
      .map((r) => {
        if (!Array.isArray(r) || typeof r[0] !== 'string' || typeof r[1] !== 'string') throw new Error('Backpack depth level is not [price, quantity] text');
        return [parseUnits(r[0], priceScale), parseUnits(r[1], sizeScale)] as const;
      })
      .filter(([, s]) => s > 0n);
  return sortBook(side(body.bids as unknown[]), side(body.asks as unknown[]));
}

async function sample(s: Subject, backpack: BackpackRest, books: LighterBooks, pace: () => Promise<void>): Promise<void> {
  const { pair } = s;
  try {
    await pace();
    const bp = await backpack.get('/api/v1/depth', { symbol: pair.backpack.symbol });
    // Lighter's book as it stands when Backpack's reply arrives.
    const lt = books.book(pair.lighter.marketId);
    if (lt === undefined) throw new Error(books.problems.get(pair.lighter.marketId) ?? `Lighter's ${pair.lighter.symbol} book is not loaded yet`);
    s.sampler.add(pairBooks(pair, readBackpackDepth(bp, pair.backpack.priceScale, pair.backpack.sizeScale), lt));
  } catch (e) {
    s.sampler.fail(e instanceof VenueError || e instanceof Error ? e.message : String(e));
  }
}

interface FundingRates {
  backpack: Map<string, number>;
  lighter: Map<number, number>;
}

async function readFunding(backpack: BackpackRest, lighter: LighterRest, warnings: string[]): Promise<FundingRates> {
  const out: FundingRates = { backpack: new Map(), lighter: new Map() };
  const [bp, lt] = await Promise.allSettled([backpack.get('/api/v1/markPrices'), lighter.get('funding-rates', {}, undefined, undefined, null)]);
  if (bp.status === 'fulfilled' && Array.isArray(bp.value)) {
    // spec §3 markPrices: fundingRate is the current interval's rate (decimal text).
    for (const m of bp.value as Array<{ symbol?: unknown; fundingRate?: unknown }>) {
      const rate = Number(m.fundingRate);
      if (typeof m.symbol === 'string' && typeof m.fundingRate === 'string' && Number.isFinite(rate)) out.backpack.set(m.symbol, rate);
    }
  } else warnings.push(`Backpack funding rates unavailable: ${bp.status === 'rejected' ? errorText(bp.reason) : 'markPrices is not a list'}`);
  const list = lt.status === 'fulfilled' ? (lt.value as { funding_rates?: unknown } | null)?.funding_rates : undefined;
  if (Array.isArray(list)) {
    // lighter-python `lighter/models/funding_rate.py`: the list also carries other exchanges' rates; only "lighter" is Lighter's own.
    for (const r of list as Array<{ market_id?: unknown; exchange?: unknown; rate?: unknown }>) {
      if (r.exchange === 'lighter' && typeof r.market_id === 'number' && typeof r.rate === 'number' && Number.isFinite(r.rate)) out.lighter.set(r.market_id, r.rate);
    }
  } else warnings.push(`Lighter funding rates unavailable: ${lt.status === 'rejected' ? errorText(lt.reason) : 'funding-rates has no funding_rates list'}`);
  return out;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function result(s: Subject, backpackFeeBps: number, funding: FundingRates, books: LighterBooks): ScanMarketResult {
  const { pair, sampler } = s;
  const intervalMs = pair.backpack.fundingIntervalMs ?? BACKPACK_INTERVAL_DEFAULT_MS;
  const bpRate = funding.backpack.get(pair.backpack.symbol);
  const ltRate = funding.lighter.get(pair.lighter.marketId);
  const bpAnnual = bpRate === undefined ? undefined : annualisedPct(bpRate, intervalMs);
  // funding-rates gives each venue's current rate over eight hours, though Lighter settles every
  // hour (df-lighter-core `src/markets/funding.rs`; lighter-python `funding_rate.py` names no period).
  const ltAnnual = ltRate === undefined ? undefined : annualisedPct(ltRate, LIGHTER_RATE_PERIOD_MS);
  const predicted = books.funding(pair.lighter.marketId);
  const ltPredicted = predicted === undefined ? undefined : Number(percentToFraction(predicted.predictedPct));
  const ltPredictedAnnual = ltPredicted === undefined ? undefined : annualisedPct(ltPredicted, HOUR_MS);
  const ratio = pair.shift >= 0 ? (10n ** BigInt(pair.shift)).toString() : `1/${10n ** BigInt(-pair.shift)}`;
  return {
    asset: pair.asset,
    backpackSymbol: pair.backpack.symbol,
    lighterSymbol: pair.lighter.symbol,
    lighterMarketId: pair.lighter.marketId,
    lighterContractInBackpack: ratio,
    samples: sampler.samples,
    failedSamples: sampler.failed,
    errors: [...sampler.lastErrors],
    backpackTakerFeeBps: backpackFeeBps,
    lighterTakerFeeBps: s.lighterFeeBps,
    roundTripFeeBps: sampler.roundTripFeeBps,
    longBackpack: sampler.direction('longBackpack'),
    shortBackpack: sampler.direction('shortBackpack'),
    topDepthUsd: sampler.depth(),
    funding: {
      backpackRate: bpRate,
      backpackIntervalHours: intervalMs / 3_600_000,
      backpackAnnualPct: bpAnnual,
      lighterRate: ltRate,
      lighterRatePeriodHours: LIGHTER_RATE_PERIOD_MS / 3_600_000,
      lighterAnnualPct: ltAnnual,
      annualDiffPct: bpAnnual !== undefined && ltAnnual !== undefined ? Math.round((bpAnnual - ltAnnual) * 1e6) / 1e6 : undefined,
      backpackPredictedRate: bpRate,
      backpackPredictedAnnualPct: bpAnnual,
      lighterPredictedRate: ltPredicted,
      lighterPredictedPeriodHours: 1,
      lighterPredictedAnnualPct: ltPredictedAnnual,
      predictedAnnualDiffPct: bpAnnual !== undefined && ltPredictedAnnual !== undefined ? Math.round((bpAnnual - ltPredictedAnnual) * 1e6) / 1e6 : undefined,
    },
  };
}

/** Best first: the larger share of time either direction beat the fees, then its median edge, then the best gross spread. */
function rank(a: ScanMarketResult, b: ScanMarketResult): number {
  const best = (m: ScanMarketResult) => (m.longBackpack.beatShare >= m.shortBackpack.beatShare ? m.longBackpack : m.shortBackpack);
  const x = best(a);
  const y = best(b);
  if (x.beatShare !== y.beatShare) return y.beatShare - x.beatShare;
  if ((x.p50EdgeBps ?? 0) !== (y.p50EdgeBps ?? 0)) return (y.p50EdgeBps ?? 0) - (x.p50EdgeBps ?? 0);
  const gross = (m: ScanMarketResult) => Math.max(m.longBackpack.bestGrossBps ?? -Infinity, m.shortBackpack.bestGrossBps ?? -Infinity);
  return gross(b) - gross(a) || a.asset.localeCompare(b.asset);
}
