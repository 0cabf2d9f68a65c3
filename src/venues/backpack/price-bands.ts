// Backpack's price bands (GET /api/v1/markets → filters.price; spec §3): the venue refuses a price
// too far from the last active price (`minMultiplier`/`maxMultiplier`, captured error "Price is too
// far from the last active price") or from the mean mark price (`meanMarkPriceBand`), and lets a
// taker reach only so far past the best price (`minImpactMultiplier`/`maxImpactMultiplier`).
// Field meanings: the OpenAPI document's `PriceFilter` and `PriceBandMarkPrice` schemas
// (docs.backpack.exchange); CCXT 4.5.84 backpack.js reads none of them, and the official Rust
// client's `PriceFilters` only minPrice/maxPrice/tickSize.
//
// A market leg's worst price is clamped into every band, rounded inward onto the tick grid, so that
// a wide --slippage-bps is never refused as an invalid price. We know neither the venue's last
// active price nor its mean mark price, so each band is taken around the side of our book that
// makes it narrowest (a buy's ceiling from the best bid, a sell's floor from the best ask), and
// around the mark price too when one is known.

import { parseFixed } from '../../core/fixed.js';
import type { OrderSide } from '../../core/types.js';
import { VenueError } from '../venue.js';
import { fieldsOf } from '../messages.js';

/** A decimal multiplier as an exact fraction (num / den, both safe integers). */
export interface Multiplier {
  num: number;
  den: number;
}

export interface PriceBands {
  /** At priceScale. */
  minPrice?: number;
  maxPrice?: number;
  lastActive: { min?: Multiplier; max?: Multiplier };
  impact: { min?: Multiplier; max?: Multiplier };
  meanMark: { min?: Multiplier; max?: Multiplier };
}

/** What the bands are taken around (priceScale); absent ones are skipped. */
export interface BandReferences {
  bestBid?: number;
  bestAsk?: number;
  markPrice?: number;
}

function multiplier(value: unknown, field: string, symbol: string): Multiplier | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value) || /^0+(\.0+)?$/.test(value)) {
    throw new VenueError('backpack', 'protocol', `Backpack market ${symbol} filters.price.${field} ${JSON.stringify(value)} is not a positive decimal string`);
  }
  const [whole, frac = ''] = value.split('.');
  const num = Number(whole + frac);
  const den = 10 ** frac.length;
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) {
    throw new VenueError('backpack', 'protocol', `Backpack market ${symbol} filters.price.${field} ${value} has more digits than a band needs`);
  }
  return { num, den };
}

function price(value: unknown, field: string, symbol: string, priceScale: number, mode: 'up' | 'down'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value)) {
    throw new VenueError('backpack', 'protocol', `Backpack market ${symbol} filters.price.${field} ${JSON.stringify(value)} is not a decimal string`);
  }
  try {
    return parseFixed(value, priceScale, mode);
  } catch {
    throw new VenueError('backpack', 'protocol', `Backpack market ${symbol} filters.price.${field} ${value} does not fit a price at ${priceScale} decimals`);
  }
}

/** Reads the bands from a market's `filters.price`; absent fields are no band. Throws naming a malformed one. */
export function parsePriceBands(filtersPrice: unknown, symbol: string, priceScale: number): PriceBands {
  const f = fieldsOf(filtersPrice) ?? {};
  const mark = fieldsOf(f.meanMarkPriceBand) ?? {};
  return {
    minPrice: price(f.minPrice, 'minPrice', symbol, priceScale, 'up'),
    maxPrice: price(f.maxPrice, 'maxPrice', symbol, priceScale, 'down'),
    lastActive: { min: multiplier(f.minMultiplier, 'minMultiplier', symbol), max: multiplier(f.maxMultiplier, 'maxMultiplier', symbol) },
    impact: { min: multiplier(f.minImpactMultiplier, 'minImpactMultiplier', symbol), max: multiplier(f.maxImpactMultiplier, 'maxImpactMultiplier', symbol) },
    meanMark: { min: multiplier(mark.minMultiplier, 'meanMarkPriceBand.minMultiplier', symbol), max: multiplier(mark.maxMultiplier, 'meanMarkPriceBand.maxMultiplier', symbol) },
  };
}

/**
 * ref·m on the tick grid: the last multiple at or below it, or (`up`) the first at or above it.
 * Exact: in doubles while every product is a safe integer (the common case, on the order path),
 * in bigint otherwise.
 */
function onGrid(ref: number, m: Multiplier, tick: number, up: boolean): number {
  const q = ref * m.num;
  const d = m.den * tick;
  if (Number.isSafeInteger(q) && Number.isSafeInteger(d)) {
    let k = Math.floor(q / d);
    // The division may round across an integer; the products below are exact.
    if (k * d > q) k--;
    else if ((k + 1) * d <= q) k++;
    if (up && k * d < q) k++;
    return k * tick;
  }
  const bq = BigInt(ref) * BigInt(m.num);
  const bd = BigInt(m.den) * BigInt(tick);
  return Number((up ? (bq + bd - 1n) / bd : bq / bd) * BigInt(tick));
}

/**
 * The worst price clamped into every band that applies (exact integers at priceScale, on the tick
 * grid, rounded inward): a buy's never above any ceiling, a sell's never below any floor.
 */
export function clampIntoBands(side: OrderSide, worstPrice: number, bands: PriceBands, tick: number, refs: BandReferences): number {
  const { bestBid, bestAsk, markPrice } = refs;
  if (side === 'buy') {
    let ceiling = worstPrice;
    const lower = (p: number | undefined) => {
      if (p !== undefined && p < ceiling) ceiling = p;
    };
    if (bands.maxPrice !== undefined) lower(Math.floor(bands.maxPrice / tick) * tick);
    const low = bestBid ?? bestAsk;
    if (low !== undefined && bands.lastActive.max !== undefined) lower(onGrid(low, bands.lastActive.max, tick, false));
    if (bestAsk !== undefined && bands.impact.max !== undefined) lower(onGrid(bestAsk, bands.impact.max, tick, false));
    const markLow = low === undefined ? markPrice : markPrice === undefined ? low : Math.min(low, markPrice);
    if (markLow !== undefined && bands.meanMark.max !== undefined) lower(onGrid(markLow, bands.meanMark.max, tick, false));
    return ceiling;
  }
  let floor = worstPrice;
  const raise = (p: number | undefined) => {
    if (p !== undefined && p > floor) floor = p;
  };
  if (bands.minPrice !== undefined) raise(Math.ceil(bands.minPrice / tick) * tick);
  const high = bestAsk ?? bestBid;
  if (high !== undefined && bands.lastActive.min !== undefined) raise(onGrid(high, bands.lastActive.min, tick, true));
  if (bestBid !== undefined && bands.impact.min !== undefined) raise(onGrid(bestBid, bands.impact.min, tick, true));
  const markHigh = high === undefined ? markPrice : markPrice === undefined ? high : Math.max(high, markPrice);
  if (markHigh !== undefined && bands.meanMark.min !== undefined) raise(onGrid(markHigh, bands.meanMark.min, tick, true));
  return floor;
}
