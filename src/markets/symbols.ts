// The symbol map: which Backpack perp (X_USDC_PERP) is which Lighter market, read from both venues'
// market lists, and how one venue's prices and sizes convert exactly into the other's.
//
// Both venues list some small-priced assets in multiples: a contract named with a power-of-ten
// prefix ("1000PEPE", "1000000BABYDOGE") or a lower-case "k" ("kPEPE", "kBONK") is that many units
// of the asset. Two markets are the same asset when their names agree once the multiple is taken
// off; their contracts differ by the ratio of the two multiples, always a power of ten, so every
// conversion is a shift of the decimal scale and never rounds. A market whose listing this map
// cannot read exactly is refused with the reason, never guessed.

import { decimalsOf, parseUnits } from '../core/fixed.js';

/** An asset name with its multiple taken off: "1000PEPE" → PEPE × 1000, "kPEPE" → PEPE × 1000, "BTC" → BTC × 1. */
export interface UnitName {
  asset: string;
  /** Units of the asset in one contract: 1, 10, 100, … */
  multiplier: bigint;
  /** log10(multiplier). */
  exponent: number;
}

const POWER_PREFIX = /^(10+)([A-Z].*)$/;
const KILO_PREFIX = /^k([A-Z].*)$/;

/** Splits a venue's base name into asset and multiple (only prefixes that are powers of ten ≥ 10, and a lower-case k). */
export function parseUnitName(name: string): UnitName {
  const power = POWER_PREFIX.exec(name);
  if (power !== null) return { asset: power[2].toUpperCase(), multiplier: 10n ** BigInt(power[1].length - 1), exponent: power[1].length - 1 };
  const kilo = KILO_PREFIX.exec(name);
  if (kilo !== null) return { asset: kilo[1].toUpperCase(), multiplier: 1000n, exponent: 3 };
  return { asset: name.toUpperCase(), multiplier: 1n, exponent: 0 };
}

/** One Backpack perp as the map reads it from GET /api/v1/markets (spec §3 `Market`). */
export interface BackpackListing {
  symbol: string;
  /** The base name in the symbol: "kPEPE" for kPEPE_USDC_PERP. */
  base: string;
  priceScale: number;
  sizeScale: number;
  /** The quantity step at sizeScale ("0.05" at 2 decimals → 5). */
  stepUnits: bigint;
  /** Funding interval in ms (`fundingInterval`, string or number), when listed. */
  fundingIntervalMs?: number;
  /** Why this listing cannot be traded or read (closed book, malformed filters). */
  unusable?: string;
}

/** One Lighter perp as the map reads it from GET /api/v1/orderBookDetails (spec §4 market metadata). */
export interface LighterListing {
  symbol: string;
  marketId: number;
  priceScale: number;
  sizeScale: number;
  /** The market's published taker fee in basis points (published as percent). */
  takerFeeBps?: number;
  unusable?: string;
}

/** A market both venues list, with the exact conversion between their contracts. */
export interface MarketPair {
  /** The asset both contracts are multiples of: "PEPE". */
  asset: string;
  backpack: BackpackListing & { multiplier: bigint };
  lighter: LighterListing & { multiplier: bigint };
  /**
   * log10(Lighter multiplier / Backpack multiplier): one Lighter contract is 10^shift Backpack
   * contracts. 0 for the same contract on both venues.
   */
  shift: number;
}

/** A market the map will not trade or scan, with the reason. */
export interface RefusedMarket {
  asset: string;
  backpack?: string;
  lighter?: string;
  reason: string;
}

export interface SymbolMap {
  pairs: MarketPair[];
  refused: RefusedMarket[];
  /** Assets listed on Backpack only and on Lighter only (by their venue names). */
  backpackOnly: string[];
  lighterOnly: string[];
}

/** A decimal value as an integer and its scale. */
export interface Scaled {
  units: bigint;
  scale: number;
}

/** v × 10^exponent, exact: a positive exponent multiplies the integer, a negative one raises the scale. */
function timesPow10(v: Scaled, exponent: number): Scaled {
  if (exponent < 0) return { units: v.units, scale: v.scale - exponent };
  // Lower the scale first, so that the result carries no more decimals than it needs.
  const fewer = Math.min(exponent, v.scale);
  return { units: v.units * 10n ** BigInt(exponent - fewer), scale: v.scale - fewer };
}

/** A Lighter price (per Lighter contract, at its price scale) as a price per Backpack contract. */
export function lighterPriceInBackpack(pair: MarketPair, price: bigint): Scaled {
  return timesPow10({ units: price, scale: pair.lighter.priceScale }, -pair.shift);
}

/** A Lighter size (Lighter contracts) in Backpack contracts. */
export function lighterSizeInBackpack(pair: MarketPair, size: bigint): Scaled {
  return timesPow10({ units: size, scale: pair.lighter.sizeScale }, pair.shift);
}

/** A Backpack price (per Backpack contract) as a price per Lighter contract. */
export function backpackPriceInLighter(pair: MarketPair, price: bigint): Scaled {
  return timesPow10({ units: price, scale: pair.backpack.priceScale }, pair.shift);
}

/** A Backpack size (Backpack contracts) in Lighter contracts. */
export function backpackSizeInLighter(pair: MarketPair, size: bigint): Scaled {
  return timesPow10({ units: size, scale: pair.backpack.sizeScale }, -pair.shift);
}

/** The value at `scale` exactly, or undefined when it has more decimals than that scale holds. */
export function atScale(v: Scaled, scale: number): bigint | undefined {
  if (scale >= v.scale) return v.units * 10n ** BigInt(scale - v.scale);
  const div = 10n ** BigInt(v.scale - scale);
  return v.units % div === 0n ? v.units / div : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/** Reads GET /api/v1/markets: every USDC perp, each with its grid or the reason it is unusable. */
export function readBackpackMarkets(json: unknown): BackpackListing[] {
  if (!Array.isArray(json)) throw new Error("Backpack /api/v1/markets did not answer a list of markets (the venue or its URL is not Backpack's API: check BACKPACK_API_URL)");
  const out: BackpackListing[] = [];
  for (const raw of json as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const m = raw as Record<string, unknown>;
    const symbol = text(m.symbol);
    if (symbol === undefined || m.marketType !== 'PERP' || !symbol.endsWith('_USDC_PERP')) continue;
    const base = symbol.slice(0, -'_USDC_PERP'.length);
    const filters = (m.filters ?? {}) as { price?: { tickSize?: unknown }; quantity?: { stepSize?: unknown } };
    const tick = text(filters.price?.tickSize);
    const step = text(filters.quantity?.stepSize);
    const interval = Number(text(m.fundingInterval));
    const listing: BackpackListing = {
      symbol,
      base,
      priceScale: 0,
      sizeScale: 0,
      stepUnits: 1n,
      fundingIntervalMs: Number.isFinite(interval) && interval > 0 ? interval : undefined,
    };
    try {
      if (tick === undefined || step === undefined) throw new Error('no tickSize/stepSize in its filters');
      listing.priceScale = decimalsOf(tick);
      listing.sizeScale = decimalsOf(step);
      listing.stepUnits = parseUnits(step, listing.sizeScale);
      if (listing.stepUnits <= 0n) throw new Error(`stepSize ${step} is not above zero`);
    } catch (e) {
      listing.unusable = `Backpack lists ${symbol} with an unreadable grid (${e instanceof Error ? e.message : String(e)})`;
    }
    if (listing.unusable === undefined && m.orderBookState !== undefined && m.orderBookState !== 'Open')
      listing.unusable = `Backpack's ${symbol} book is ${String(m.orderBookState)}, not Open`;
    out.push(listing);
  }
  return out;
}

/** Reads GET /api/v1/orderBookDetails: every perp market, each with its decimals or the reason it is unusable. */
export function readLighterMarkets(json: unknown): LighterListing[] {
  const list = (json as { order_book_details?: unknown } | null)?.order_book_details;
  if (!Array.isArray(list))
    throw new Error("Lighter /api/v1/orderBookDetails did not answer order_book_details (the venue or its URL is not Lighter's API: check LIGHTER_API_URL)");
  const out: LighterListing[] = [];
  for (const raw of list as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const m = raw as Record<string, unknown>;
    const symbol = text(m.symbol);
    const marketId = Number(text(m.market_id));
    if (symbol === undefined || !Number.isSafeInteger(marketId)) continue;
    if (m.market_type !== undefined && m.market_type !== 'perp') continue;
    const priceScale = Number(text(m.price_decimals));
    const sizeScale = Number(text(m.size_decimals));
    const fee = Number(text(m.taker_fee));
    const listing: LighterListing = { symbol, marketId, priceScale, sizeScale, takerFeeBps: Number.isFinite(fee) ? Math.round(fee * 100 * 1e6) / 1e6 : undefined };
    if (!Number.isInteger(priceScale) || !Number.isInteger(sizeScale) || priceScale < 0 || sizeScale < 0 || priceScale > 18 || sizeScale > 18) {
      listing.unusable = `Lighter lists ${symbol} (market ${marketId}) without readable price_decimals/size_decimals`;
    } else if (m.status !== undefined && m.status !== 'active') {
      listing.unusable = `Lighter's ${symbol} (market ${marketId}) is ${String(m.status)}, not active`;
    } else if (m.quote_multiplier !== undefined && Number(text(m.quote_multiplier)) !== 1) {
      // No source read says how a quote_multiplier other than 1 changes prices or sizes: refuse rather than guess.
      listing.unusable = `Lighter quotes ${symbol} (market ${marketId}) with quote_multiplier ${String(m.quote_multiplier)}, which this program does not convert`;
    }
    out.push(listing);
  }
  return out;
}

/** Pairs the two lists by asset. Contracts of the same multiple pair first; a leftover on either side is refused. */
export function buildSymbolMap(backpack: readonly BackpackListing[], lighter: readonly LighterListing[]): SymbolMap {
  const byAsset = new Map<string, { b: Array<BackpackListing & UnitName>; l: Array<LighterListing & UnitName> }>();
  const entry = (asset: string) => {
    let e = byAsset.get(asset);
    if (e === undefined) byAsset.set(asset, (e = { b: [], l: [] }));
    return e;
  };
  for (const b of backpack) {
    const u = parseUnitName(b.base);
    entry(u.asset).b.push({ ...b, ...u });
  }
  for (const l of lighter) {
    const u = parseUnitName(l.symbol);
    entry(u.asset).l.push({ ...l, ...u });
  }
  const map: SymbolMap = { pairs: [], refused: [], backpackOnly: [], lighterOnly: [] };
  for (const asset of [...byAsset.keys()].sort()) {
    const { b, l } = byAsset.get(asset)!;
    if (l.length === 0) {
      map.backpackOnly.push(...b.map((x) => x.symbol));
      continue;
    }
    if (b.length === 0) {
      map.lighterOnly.push(...l.map((x) => x.symbol));
      continue;
    }
    const matches: Array<[BackpackListing & UnitName, LighterListing & UnitName]> = [];
    if (b.length === 1 && l.length === 1) matches.push([b[0], l[0]]);
    else {
      // Several contracts of one asset on a venue: only the same multiple is an unambiguous match.
      for (const x of b) {
        const y = l.find((c) => c.multiplier === x.multiplier);
        if (y !== undefined) matches.push([x, y]);
        else
          map.refused.push({ asset, backpack: x.symbol, reason: `Backpack's ${x.symbol} has no Lighter market of the same multiple among ${l.map((c) => c.symbol).join(', ')}` });
      }
      for (const y of l) {
        if (!matches.some(([, m]) => m === y))
          map.refused.push({ asset, lighter: y.symbol, reason: `Lighter's ${y.symbol} has no Backpack market of the same multiple among ${b.map((c) => c.symbol).join(', ')}` });
      }
    }
    for (const [x, y] of matches) {
      const unusable = x.unusable ?? y.unusable;
      if (unusable !== undefined) {
        map.refused.push({ asset, backpack: x.symbol, lighter: y.symbol, reason: unusable });
        continue;
      }
      map.pairs.push({
        asset,
        backpack: {
          symbol: x.symbol,
          base: x.base,
          priceScale: x.priceScale,
          sizeScale: x.sizeScale,
          stepUnits: x.stepUnits,
          fundingIntervalMs: x.fundingIntervalMs,
          multiplier: x.multiplier,
        },
        lighter: { symbol: y.symbol, marketId: y.marketId, priceScale: y.priceScale, sizeScale: y.sizeScale, takerFeeBps: y.takerFeeBps, multiplier: y.multiplier },
        shift: y.exponent - x.exponent,
      });
    }
  }
  return map;
}

/** A market name the user asked for is not one both venues list (or was refused). */
export class MarketSelectionError extends Error {
  override name = 'MarketSelectionError';
}

/**
 * The pairs for the tickers asked for (asset, Backpack base or symbol, or Lighter symbol; any case).
 * An unknown, one-venue or refused name throws one line naming it and the markets both venues share.
 */
export function selectPairs(map: SymbolMap, tickers: readonly string[]): MarketPair[] {
  const shared = map.pairs.map((p) => p.asset).join(', ') || '(none)';
  const out: MarketPair[] = [];
  for (const raw of tickers) {
    const t = raw.trim();
    const up = t.toUpperCase();
    const asset = parseUnitName(t).asset;
    const pair = map.pairs.find(
      (p) => p.asset === up || p.asset === asset || p.backpack.symbol.toUpperCase() === up || p.backpack.base.toUpperCase() === up || p.lighter.symbol.toUpperCase() === up,
    );
    if (pair !== undefined) {
      if (!out.includes(pair)) out.push(pair);
      continue;
    }
    const refused = map.refused.find((r) => r.asset === asset || r.asset === up);
    if (refused !== undefined) throw new MarketSelectionError(`${t} is refused: ${refused.reason}. Markets both venues share: ${shared}`);
    const matches = (s: string) => s.toUpperCase() === up || parseUnitName(s.replace(/_USDC_PERP$/, '')).asset === asset;
    const onBackpack = map.backpackOnly.find(matches);
    const onLighter = map.lighterOnly.find(matches);
    if (onBackpack !== undefined) throw new MarketSelectionError(`${t} is listed on Backpack only (${onBackpack}), not on Lighter. Markets both venues share: ${shared}`);
    if (onLighter !== undefined) throw new MarketSelectionError(`${t} is listed on Lighter only (${onLighter}), not on Backpack. Markets both venues share: ${shared}`);
    throw new MarketSelectionError(`${t} is listed on neither venue. Markets both venues share: ${shared}`);
  }
  return out;
}
