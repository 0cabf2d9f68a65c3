// Where the reference bot put its files; users' scripts read these names.
import { join } from 'node:path';
import { fileDate } from './csv.js';

export function runLogPath(logDir: string, ticker: string): string {
  return join(logDir, `backpack_lighter_${ticker}.log`);
}
export function bboCsvPath(logDir: string, ticker: string, epochMs: number): string {
  return join(logDir, `bbo_${ticker}_${fileDate(epochMs)}.csv`);
}
export function tradesCsvPath(logDir: string, ticker: string, epochMs: number): string {
  return join(logDir, `trades_${ticker}_${fileDate(epochMs)}.csv`);
}

/** The reference bot's columns, first and in this order; more may follow. */
export const BBO_REFERENCE_COLUMNS = ['timestamp', 'backpack_bid', 'backpack_ask', 'lighter_bid', 'lighter_ask', 'long_spread', 'short_spread', 'signal'] as const;
export const TRADE_REFERENCE_COLUMNS = [
  'timestamp',
  'direction',
  'quantity',
  'backpack_side',
  'backpack_price',
  'lighter_side',
  'lighter_price',
  'spread_captured',
  'pnl_estimate',
] as const;
