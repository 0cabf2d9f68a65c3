// Free collateral against what a run may still add on one venue: the margin of reaching
// --max-position from the position held, in exact integers at the market's quote scale.

import { parseUnits } from '../core/fixed.js';
import type { CheckRow } from './report.js';
import { fmt, fmtQuote, fmtSigned, marginNeeded, quantityAt, row, type CollateralFigures, type ProbeContext } from './common.js';

export interface CollateralInput {
  id: 'backpack.collateral' | 'lighter.collateral';
  title: string;
  sizeScale: number;
  priceScale: number;
  /** Free collateral as the venue reports it (quote currency, decimal string). */
  available: string;
  /** Price the margin is valued at (decimal string). */
  mark: string;
  position: bigint;
  /** Initial margin = notional · num / den. */
  marginNum: bigint;
  marginDen: bigint;
  marginText: string;
  fixAdd: string;
}

/**
 * Free collateral against what the run may still add: up to --max-position from the current
 * position (a trade that reverses it frees the old margin as it goes), or one --size order when
 * --max-position is 0 (unlimited). Exact integers at priceScale + sizeScale.
 */
export function collateralRow(ctx: ProbeContext, c: CollateralInput): CheckRow {
  return collateralFigures(ctx, c).row;
}

/** What one market's collateral row found: the row, and its figures for a check of several markets. */
export function collateralFigures(ctx: ProbeContext, c: CollateralInput): CollateralFigures {
  const { config } = ctx;
  const quoteScale = c.priceScale + c.sizeScale;
  const available = parseUnits(c.available, quoteScale, 'down');
  const mark = parseUnits(c.mark, c.priceScale, 'nearest');
  const size = quantityAt(config.size, c.sizeScale) ?? parseUnits(config.size, c.sizeScale, 'up');
  const max = parseUnits(config.maxPosition, c.sizeScale, 'up');
  const held = c.position < 0n ? -c.position : c.position;
  const unlimited = max === 0n;
  const room = unlimited ? size : max > held ? max - held : 0n;
  const need = marginNeeded(room, mark, c.marginNum, c.marginDen);
  const perUnit = marginNeeded(10n ** BigInt(c.sizeScale), mark, c.marginNum, c.marginDen);
  const supports = perUnit === 0n ? 0n : (available * 10n ** BigInt(c.sizeScale)) / perUnit;
  const found = `${fmtQuote(available, quoteScale)} USDC free; margin ${c.marginText} at ${fmt(mark, c.priceScale)}`;
  const what = unlimited
    ? `one --size ${config.size} order needs ${fmtQuote(need, quoteScale, 'up')} USDC; --max-position 0 (unlimited): this collateral carries at most ${fmt(supports, c.sizeScale)}`
    : `reaching --max-position ${config.maxPosition} from ${fmtSigned(c.position, c.sizeScale)} needs ${fmtQuote(need, quoteScale, 'up')} USDC`;
  const figures = { available, need, quoteScale, margin: `margin ${c.marginText} at ${fmt(mark, c.priceScale)}` };
  if (available >= need) return { ...figures, row: row(c.id, c.title, 'ok', `${found}; ${what}`) };
  const fix = unlimited ? `${c.fixAdd}, or lower --size` : `${c.fixAdd}, or lower --max-position to ${fmt(supports + held, c.sizeScale)} or less`;
  return { ...figures, row: row(c.id, c.title, 'FAIL', `${found}; ${what}`, fix) };
}
