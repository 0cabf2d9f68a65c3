// The vocabulary that names venues: which venues there are, and what each tells us about the
// market we trade. core/ stays venue-free; the engine, strategy and watch read these types.

export type VenueId = 'backpack' | 'lighter';

/** What a venue tells us about the market we trade, in the venue's own grid. */
export interface MarketSpec {
  venue: VenueId;
  /** Venue symbol: "BTC_USDC_PERP" on Backpack, "BTC" on Lighter. */
  symbol: string;
  /** Lighter market index; undefined on Backpack. */
  marketId?: number;
  /** Decimals of prices: a price p is the integer p · 10^priceScale. */
  priceScale: number;
  /** Decimals of sizes: a size q is the integer q · 10^sizeScale. */
  sizeScale: number;
  /** Smallest price increment, at priceScale (Lighter: 1). */
  tickSize: number;
  /** Smallest size increment, at sizeScale (Lighter: 1). */
  stepSize: number;
  /** Smallest order size, at sizeScale. */
  minSize: number;
  /** Taker and maker fees in basis points (may be fractional, e.g. 2.5). */
  takerFeeBps: number;
  makerFeeBps: number;
}
