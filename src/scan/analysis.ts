// The arithmetic of `scan`, free of I/O: both venues' books brought to Backpack's contract at one
// pair of scales (exact integers), what buying a notional on one venue and selling the same size on
// the other would earn, and the statistics of many such samples. Edges are reported in basis
// points as numbers: they are figures for a trader to read, never prices that reach an order.

import { atScale, lighterPriceInBackpack, lighterSizeInBackpack, type MarketPair } from '../markets/symbols.js';

/** Price and size as integers at a book's scales. */
export type ScaledLevel = readonly [price: bigint, size: bigint];

/** One venue's book, best level first on each side. */
export interface ScaledBook {
  bids: readonly ScaledLevel[];
  asks: readonly ScaledLevel[];
}

/** Both venues' books in Backpack contracts at the pair's common scales. */
export interface PairBooks {
  priceScale: number;
  sizeScale: number;
  backpack: ScaledBook;
  lighter: ScaledBook;
}

/** The scales both books share: the finer of each venue's (after Lighter's is moved to Backpack's contract). */
export function commonScales(pair: MarketPair): { priceScale: number; sizeScale: number } {
  return {
    priceScale: Math.max(pair.backpack.priceScale, lighterPriceInBackpack(pair, 1n).scale),
    sizeScale: Math.max(pair.backpack.sizeScale, lighterSizeInBackpack(pair, 1n).scale),
  };
}

/**
 * The smallest size (at the common size scale, in Backpack contracts) that is a whole number of
 * steps on both venues: Backpack's stepSize and one unit of Lighter's size_decimals.
 */
export function commonSizeStep(pair: MarketPair): bigint {
  const { sizeScale } = commonScales(pair);
  const bp = pair.backpack.stepUnits * 10n ** BigInt(sizeScale - pair.backpack.sizeScale);
  const lt = atScale(lighterSizeInBackpack(pair, 1n), sizeScale)!;
  return (bp / gcd(bp, lt)) * lt;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Both books at the common scales: Backpack's as read (its own scales), Lighter's converted exactly. */
export function pairBooks(pair: MarketPair, backpack: ScaledBook, lighter: ScaledBook): PairBooks {
  const { priceScale, sizeScale } = commonScales(pair);
  const up = (v: bigint, from: number, to: number) => v * 10n ** BigInt(to - from);
  const bp = (side: readonly ScaledLevel[]) => side.map(([p, s]) => [up(p, pair.backpack.priceScale, priceScale), up(s, pair.backpack.sizeScale, sizeScale)] as const);
  // atScale is exact here: the common scales are at least the converted ones.
  const lt = (side: readonly ScaledLevel[]) =>
    side.map(([p, s]) => [atScale(lighterPriceInBackpack(pair, p), priceScale)!, atScale(lighterSizeInBackpack(pair, s), sizeScale)!] as const);
  return { priceScale, sizeScale, backpack: { bids: bp(backpack.bids), asks: bp(backpack.asks) }, lighter: { bids: lt(lighter.bids), asks: lt(lighter.asks) } };
}

/**
 * Buying `notional` (at priceScale + sizeScale) from `asks`: the smallest size that is a multiple
 * of `step` and costs at least the notional, and what it costs; undefined when the book is too thin.
 */
export function buyNotional(asks: readonly ScaledLevel[], notional: bigint, step = 1n): { size: bigint; cost: bigint } | undefined {
  let left = notional;
  let size = 0n;
  for (const [p, s] of asks) {
    if (p <= 0n || s <= 0n) continue;
    const levelCost = p * s;
    if (levelCost >= left) {
      size += (left + p - 1n) / p;
      left = 0n;
      break;
    }
    size += s;
    left -= levelCost;
  }
  if (left > 0n) return undefined;
  size = ((size + step - 1n) / step) * step;
  const cost = fillValue(asks, size);
  return cost === undefined ? undefined : { size, cost };
}

/** The value of taking `size` from one side of a book, best level first; undefined when it is too thin. */
export function fillValue(levels: readonly ScaledLevel[], size: bigint): bigint | undefined {
  let left = size;
  let value = 0n;
  for (const [p, s] of levels) {
    if (left === 0n) break;
    if (s <= 0n) continue;
    const take = s < left ? s : left;
    value += take * p;
    left -= take;
  }
  return left === 0n ? value : undefined;
}

/** Basis points of `gain` over `base`, truncated to 1e-6 bp. */
export function bpsOf(gain: bigint, base: bigint): number {
  return Number((gain * 10_000_000_000n) / base) / 1_000_000;
}

export type Direction = 'longBackpack' | 'shortBackpack';

/**
 * The gross spread in bps of one direction at a notional (USD at priceScale + sizeScale): long
 * Backpack buys Backpack's asks and sells the same size into Lighter's bids; short Backpack buys
 * Lighter's asks and sells into Backpack's bids. Undefined when either book is too thin.
 */
export function executableSpreadBps(books: PairBooks, direction: Direction, notional: bigint, step = 1n): number | undefined {
  const [buy, sell] = direction === 'longBackpack' ? [books.backpack, books.lighter] : [books.lighter, books.backpack];
  const bought = buyNotional(buy.asks, notional, step);
  if (bought === undefined) return undefined;
  const proceeds = fillValue(sell.bids, bought.size);
  if (proceeds === undefined) return undefined;
  return bpsOf(proceeds - bought.cost, bought.cost);
}

/** USD value of a book's best level (a figure for display). */
export function topNotional(side: readonly ScaledLevel[], priceScale: number, sizeScale: number): number {
  const top = side[0];
  if (top === undefined) return 0;
  // In cents first (exact integer division), then dollars.
  const shift = priceScale + sizeScale - 2;
  const cents = shift >= 0 ? (top[0] * top[1]) / 10n ** BigInt(shift) : top[0] * top[1] * 10n ** BigInt(-shift);
  return Number(cents) / 100;
}

/** Nearest-rank percentile of sorted values (q in 0..1); undefined for none. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

export interface DirectionResult {
  /** Samples in which both books were deep enough for the notional. */
  executable: number;
  /** Samples in which the spread after the round-trip fees was above zero. */
  beat: number;
  /** beat / all samples of the market (0..1). */
  beatShare: number;
  /** Edge after the round-trip fees, in bps, over the samples that beat them (undefined when none did). */
  p50EdgeBps?: number;
  p90EdgeBps?: number;
  maxEdgeBps?: number;
  /** The best gross spread seen (bps, before fees), also when it never beat them. */
  bestGrossBps?: number;
}

/** Accumulates one market's samples. */
export class MarketSampler {
  samples = 0;
  failed = 0;
  readonly lastErrors: string[] = [];
  private readonly edges: Record<Direction, number[]> = { longBackpack: [], shortBackpack: [] };
  private readonly executable: Record<Direction, number> = { longBackpack: 0, shortBackpack: 0 };
  private readonly bestGross: Partial<Record<Direction, number>> = {};
  private readonly tops: Record<'backpackBid' | 'backpackAsk' | 'lighterBid' | 'lighterAsk', number[]> = { backpackBid: [], backpackAsk: [], lighterBid: [], lighterAsk: [] };

  /** notional: USD at the books' priceScale + sizeScale; roundTripFeeBps: both venues' taker fees, in and out; step: commonSizeStep. */
  constructor(
    readonly notional: bigint,
    readonly roundTripFeeBps: number,
    readonly step = 1n,
  ) {}

  add(books: PairBooks): void {
    this.samples++;
    for (const d of ['longBackpack', 'shortBackpack'] as const) {
      const gross = executableSpreadBps(books, d, this.notional, this.step);
      if (gross === undefined) continue;
      this.executable[d]++;
      if (this.bestGross[d] === undefined || gross > this.bestGross[d]!) this.bestGross[d] = gross;
      const edge = round6(gross - this.roundTripFeeBps);
      if (edge > 0) this.edges[d].push(edge);
    }
    const { priceScale: p, sizeScale: s } = books;
    this.tops.backpackBid.push(topNotional(books.backpack.bids, p, s));
    this.tops.backpackAsk.push(topNotional(books.backpack.asks, p, s));
    this.tops.lighterBid.push(topNotional(books.lighter.bids, p, s));
    this.tops.lighterAsk.push(topNotional(books.lighter.asks, p, s));
  }

  fail(reason: string): void {
    this.failed++;
    if (!this.lastErrors.includes(reason) && this.lastErrors.length < 3) this.lastErrors.push(reason);
  }

  direction(d: Direction): DirectionResult {
    const sorted = [...this.edges[d]].sort((a, b) => a - b);
    return {
      executable: this.executable[d],
      beat: sorted.length,
      beatShare: this.samples === 0 ? 0 : sorted.length / this.samples,
      p50EdgeBps: percentile(sorted, 0.5),
      p90EdgeBps: percentile(sorted, 0.9),
      maxEdgeBps: sorted.at(-1),
      bestGrossBps: this.bestGross[d],
    };
  }

  /** Median USD at the best level of each side. */
  depth(): { backpackBid: number; backpackAsk: number; lighterBid: number; lighterAsk: number } {
    const med = (v: number[]) =>
      percentile(
        [...v].sort((a, b) => a - b),
        0.5,
      ) ?? 0;
    return { backpackBid: med(this.tops.backpackBid), backpackAsk: med(this.tops.backpackAsk), lighterBid: med(this.tops.lighterBid), lighterAsk: med(this.tops.lighterAsk) };
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

const HOURS_PER_YEAR = 24 * 365;

/** A funding rate per interval as a yearly percentage (simple, not compounded). */
export function annualisedPct(ratePerInterval: number, intervalMs: number): number {
  return round6(ratePerInterval * ((HOURS_PER_YEAR * 3_600_000) / intervalMs) * 100);
}
