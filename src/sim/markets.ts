// The markets the simulated venues list, on grids like the real ones. Fees are configurable per
// run; the defaults are a low Backpack tier and Lighter's fee-free standard account, so that the
// generated cross-venue spreads can beat the round trip, as they occasionally do for real.

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

export interface SimFees {
  backpackTakerBps: number;
  backpackMakerBps: number;
  lighterTakerBps: number;
  lighterMakerBps: number;
}

export const DEFAULT_SIM_FEES: SimFees = { backpackTakerBps: 2.5, backpackMakerBps: 0, lighterTakerBps: 0, lighterMakerBps: 0 };

export function simMarketSpecs(base: string, fees: SimFees = DEFAULT_SIM_FEES): { backpack: SimMarketSpec; lighter: SimMarketSpec; referenceMid: string } {
  const b = BASES[base];
  if (b === undefined) throw new Error(`the simulated venues list ${SIM_BASES.join(', ')}, not ${base} — run --sim with one of those tickers`);
  const common = { base, marketId: b.marketId, priceScale: b.priceScale, sizeScale: b.sizeScale };
  return {
    referenceMid: b.referenceMid,
    backpack: {
      ...common, tickSize: b.backpackTick, stepSize: b.backpackStep, minSize: b.backpackMin,
      takerFeeBps: fees.backpackTakerBps, makerFeeBps: fees.backpackMakerBps, priceBandBps: 0,
    },
    lighter: {
      ...common, tickSize: 1, stepSize: 1, minSize: b.lighterMin,
      takerFeeBps: fees.lighterTakerBps, makerFeeBps: fees.lighterMakerBps, priceBandBps: 500,
    },
  };
}
