// The markets the simulated venues list, on grids like the real ones. Fees are configurable per
// run; the defaults are a low Backpack tier and Lighter's fee-free standard account, so that the
// generated cross-venue spreads can beat the round trip, as they occasionally do for real.

import { parseFixed } from '../core/fixed.js';
import type { SimMarketSpec } from './types.js';

interface BaseSpec {
  marketId: number;
  referenceMid: string;
  priceScale: number;
  sizeScale: number;
  /** Backpack tick/step/min, Lighter min, all at the scales above. */
  backpackTick: number;
  backpackStep: number;
  backpackMin: number;
  lighterMin: number;
}

const BASES: Record<string, BaseSpec> = {
  ETH: { marketId: 0, referenceMid: '3500.00', priceScale: 2, sizeScale: 4, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 50 },
  BTC: { marketId: 1, referenceMid: '100000.0', priceScale: 1, sizeScale: 5, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 20 },
  SOL: { marketId: 2, referenceMid: '200.000', priceScale: 3, sizeScale: 3, backpackTick: 10, backpackStep: 10, backpackMin: 10, lighterMin: 50 },
};

export const SIM_BASES = Object.keys(BASES);

/**
 * A market quoted in multiples, listed only when a run asks for it (`extraMarkets`): one contract
 * is 1000 PEPE on both venues, named kPEPE_USDC_PERP on Backpack and 1000PEPE on Lighter, on
 * different grids (Backpack ticks of 0.000001 and whole contracts; Lighter 7 price and 1 size
 * decimals), so that matching names and converting grids are both exercised. The scale of each
 * grid, and which venue uses which naming, are the simulator's choice: the two namings are the
 * conventions for multiples that the symbol map reads.
 */
const MULTIPLE_BASES: Record<
  string,
  {
    backpackBase: string;
    lighterBase: string;
    marketId: number;
    referenceMid: string;
    backpack: { priceScale: number; sizeScale: number };
    lighter: { priceScale: number; sizeScale: number };
  }
> = {
  PEPE: { backpackBase: 'kPEPE', lighterBase: '1000PEPE', marketId: 3, referenceMid: '0.012', backpack: { priceScale: 6, sizeScale: 0 }, lighter: { priceScale: 7, sizeScale: 1 } },
};

/**
 * Plain markets listed only when a run asks for them (`extraMarkets`), so that a run of many
 * markets (the 10-market benchmark) has them: the same contract on both venues, on grids like
 * BTC's, ETH's and SOL's above. Ids follow the multiples' so that no listing moves.
 */
const PLAIN_EXTRA_BASES: Record<string, BaseSpec> = {
  DOGE: { marketId: 10, referenceMid: '0.40000', priceScale: 5, sizeScale: 0, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 40 },
  XRP: { marketId: 11, referenceMid: '2.5000', priceScale: 4, sizeScale: 1, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 60 },
  AVAX: { marketId: 12, referenceMid: '40.000', priceScale: 3, sizeScale: 2, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 40 },
  LINK: { marketId: 13, referenceMid: '25.000', priceScale: 3, sizeScale: 1, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 6 },
  SUI: { marketId: 14, referenceMid: '4.0000', priceScale: 4, sizeScale: 1, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 40 },
  ARB: { marketId: 15, referenceMid: '0.80000', priceScale: 5, sizeScale: 1, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 200 },
  LTC: { marketId: 16, referenceMid: '100.00', priceScale: 2, sizeScale: 3, backpackTick: 1, backpackStep: 1, backpackMin: 1, lighterMin: 150 },
};

export const SIM_EXTRA_BASES = [...Object.keys(MULTIPLE_BASES), ...Object.keys(PLAIN_EXTRA_BASES)];

/** The two venues' specs of an extra market (see MULTIPLE_BASES and PLAIN_EXTRA_BASES). */
export function simExtraMarketSpecs(base: string, fees: SimFees = DEFAULT_SIM_FEES): { backpack: SimMarketSpec; lighter: SimMarketSpec; referenceMid: string } {
  if (PLAIN_EXTRA_BASES[base] !== undefined) return specsOf(base, PLAIN_EXTRA_BASES[base], fees, {});
  const b = MULTIPLE_BASES[base];
  if (b === undefined) throw new Error(`the simulated venues can also list ${SIM_EXTRA_BASES.join(', ')}, not ${base}`);
  return {
    referenceMid: b.referenceMid,
    backpack: {
      base: b.backpackBase,
      marketId: b.marketId,
      ...b.backpack,
      tickSize: 1,
      stepSize: 1,
      minSize: 1,
      takerFeeBps: fees.backpackTakerBps,
      makerFeeBps: fees.backpackMakerBps,
      priceBandBps: 0,
    },
    lighter: {
      base: b.lighterBase,
      marketId: b.marketId,
      ...b.lighter,
      tickSize: 1,
      stepSize: 1,
      minSize: 1,
      takerFeeBps: fees.lighterTakerBps,
      makerFeeBps: fees.lighterMakerBps,
      priceBandBps: 500,
    },
  };
}

export interface SimFees {
  backpackTakerBps: number;
  backpackMakerBps: number;
  lighterTakerBps: number;
  lighterMakerBps: number;
}

export const DEFAULT_SIM_FEES: SimFees = { backpackTakerBps: 2.5, backpackMakerBps: 0, lighterTakerBps: 0, lighterMakerBps: 0 };

/** Per-run choices about how the simulated Lighter lists its markets. */
export interface SimMarketOptions {
  /**
   * List perp markets under widened ids (4095 + the usual id: ETH 4095, BTC 4096, SOL 4097), as
   * Lighter testnet has since September 2026 (ETH perp 4095 captured 2026-09-18: nautilus_trader
   * `crates/adapters/lighter/test_data/http_order_books_widened_ids.json`; ETH/BTC/SOL as
   * 4095/4096/4097 on chain 300: elliottech/lighter-go issue #88).
   */
  widenedMarketIds?: boolean;
  /** Lighter's min_quote_amount in USDC (default "10": the value every market shows in that fixture and in `http_order_book_details.json`). */
  lighterMinQuote?: string;
}

export const WIDENED_MARKET_ID_BASE = 4095;

export function simMarketSpecs(
  base: string,
  fees: SimFees = DEFAULT_SIM_FEES,
  options: SimMarketOptions = {},
): { backpack: SimMarketSpec; lighter: SimMarketSpec; referenceMid: string } {
  const b = BASES[base];
  if (b === undefined) throw new Error(`the simulated venues list ${SIM_BASES.join(', ')}, not ${base} — run --sim with one of those tickers`);
  return specsOf(base, b, fees, options);
}

function specsOf(base: string, b: BaseSpec, fees: SimFees, options: SimMarketOptions): { backpack: SimMarketSpec; lighter: SimMarketSpec; referenceMid: string } {
  const marketId = options.widenedMarketIds === true ? WIDENED_MARKET_ID_BASE + b.marketId : b.marketId;
  const common = { base, marketId, priceScale: b.priceScale, sizeScale: b.sizeScale };
  const minQuote = parseFixed(options.lighterMinQuote ?? '10', b.priceScale + b.sizeScale, 'up');
  return {
    referenceMid: b.referenceMid,
    backpack: {
      ...common,
      tickSize: b.backpackTick,
      stepSize: b.backpackStep,
      minSize: b.backpackMin,
      takerFeeBps: fees.backpackTakerBps,
      makerFeeBps: fees.backpackMakerBps,
      priceBandBps: 0,
      // Model parameters (imf 2 %, mmf 1 %: 50× at most), reported as the position's imf/mmf.
      initialMarginBps: 200,
      maintenanceMarginBps: 100,
    },
    lighter: {
      ...common,
      tickSize: 1,
      stepSize: 1,
      minSize: b.lighterMin,
      takerFeeBps: fees.lighterTakerBps,
      makerFeeBps: fees.lighterMakerBps,
      priceBandBps: 500,
      minQuote,
      // Published as orderBookDetails' default_initial_margin_fraction / maintenance_margin_fraction
      // (units of 0.01 %, spec §2 market metadata); 20× at most.
      initialMarginBps: 500,
      maintenanceMarginBps: 120,
    },
  };
}
