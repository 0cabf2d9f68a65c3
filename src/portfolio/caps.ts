// Caps across the markets of one run: the total notional the hedged book may hold and the total
// exposure that could be left open. Every market's engine asks before an entry (EntryCaps); an
// entry that would pass a cap is skipped with the reason. Entries admitted and not yet settled are
// counted as if both legs had filled (notional) and as if only one had (exposure), so two markets
// deciding in the same instant cannot pass a cap together. Repairs and unwinds are never asked.
//
// Figures are quote currency (USDC) at each market's mid, as floats: a risk limit, never the price
// or size of an order.

import type { EntryCaps, EntryExposure } from '../engine/index.js';

export interface PortfolioCapsOptions {
  /** USDC; undefined = no cap. */
  maxTotalNotional?: number;
  maxTotalExposure?: number;
  /** How each cap is named in a refusal (the flag or field that set it). */
  names?: { notional?: string; exposure?: string };
}

/** One market's weight now (its engine's exposure()). */
export type MarketWeight = () => { notional: number; openExposure: number };

interface InFlight {
  notional: number;
  exposure: number;
}

export class PortfolioCaps implements EntryCaps {
  private readonly markets = new Map<string, MarketWeight>();
  private readonly inFlight = new Map<string, InFlight>();

  constructor(private readonly options: PortfolioCapsOptions) {}

  /** True when at least one cap is set (otherwise the engines need not ask). */
  get active(): boolean {
    return this.options.maxTotalNotional !== undefined || this.options.maxTotalExposure !== undefined;
  }

  /** Counts `market`'s weight in the totals from now on. */
  add(market: string, weight: MarketWeight): void {
    this.markets.set(market, weight);
  }

  /** The run's totals now, entries in flight included (status and summary). */
  totals(): { notional: number; openExposure: number } {
    return this.sum(undefined);
  }

  admit(market: string, entry: EntryExposure): string | undefined {
    const others = this.sum(market);
    const { maxTotalNotional, maxTotalExposure } = this.options;
    const grows = entry.notionalAfter > entry.notionalBefore;
    if (maxTotalNotional !== undefined && grows) {
      const after = others.notional + entry.notionalAfter;
      if (after > maxTotalNotional) {
        return `total notional would be ${after.toFixed(2)} USDC across markets, above ${this.options.names?.notional ?? 'the notional cap'} ${maxTotalNotional} (${market} ${entry.notionalAfter.toFixed(2)}, the others ${others.notional.toFixed(2)})`;
      }
    }
    if (maxTotalExposure !== undefined) {
      const after = others.openExposure + entry.openExposure + entry.legNotional;
      if (after > maxTotalExposure) {
        return `open exposure could reach ${after.toFixed(2)} USDC across markets if one leg failed, above ${this.options.names?.exposure ?? 'the exposure cap'} ${maxTotalExposure} (${market} ${entry.openExposure.toFixed(2)} + one leg ${entry.legNotional.toFixed(2)}, the others ${others.openExposure.toFixed(2)})`;
      }
    }
    this.inFlight.set(market, { notional: Math.max(0, entry.notionalAfter - entry.notionalBefore), exposure: entry.legNotional });
    return undefined;
  }

  settled(market: string): void {
    this.inFlight.delete(market);
  }

  /** Σ over markets other than `except` of their weight and their entry in flight. */
  private sum(except: string | undefined): { notional: number; openExposure: number } {
    let notional = 0;
    let openExposure = 0;
    for (const [name, weight] of this.markets) {
      if (name === except) continue;
      const w = weight();
      const f = this.inFlight.get(name);
      notional += w.notional + (f?.notional ?? 0);
      openExposure += w.openExposure + (f?.exposure ?? 0);
    }
    return { notional, openExposure };
  }
}
