// The Config as the engine and the summaries see it: the one place the command line's names meet
// the engine's (settings, flag names, caps across markets, the printed summary). Kept apart from
// the run's wiring so that what needs only these (a backtest, a sweep worker) loads no venue.

import type { EngineSettings, RunSummary } from '../engine/index.js';
import { pnlLines } from '../engine/pnl.js';
import { PortfolioCaps } from '../portfolio/caps.js';
import type { Config } from './config.js';
import { runLabel } from './modes.js';

/** The engine's settings from the Config: the one place the command line's names meet the engine's. */
export function engineSettings(c: Config): EngineSettings {
  return {
    ticker: c.ticker,
    // The label written in every CSV row and the log: live only against the real venues' hosts.
    modeLabel: runLabel(c),
    strategy: {
      size: c.size,
      longThreshold: c.longThreshold,
      shortThreshold: c.shortThreshold,
      maxPosition: c.maxPosition,
      minEdgeBps: c.minEdgeBps,
      slippageBps: c.slippageBps,
      maxBookAgeMs: c.maxBookAgeMs,
    },
    takerFeeBps: { backpack: c.backpackTakerFeeBps, lighter: c.lighterTakerFeeBps },
    checkIntervalMs: c.checkIntervalMs,
    bboIntervalMs: c.bboIntervalMs,
    logDir: c.logDir,
    allowUnhedgedStart: c.allowUnhedgedStart,
    closeOnExit: c.closeOnExit,
    signAheadBound: c.signAheadBound,
    credentials: { backpack: 'BACKPACK_PUBLIC_KEY / BACKPACK_SECRET_KEY', lighter: 'API_KEY_PRIVATE_KEY / LIGHTER_ACCOUNT_INDEX / LIGHTER_API_KEY_INDEX' },
    nameOf: flagOf,
  };
}

const FLAGS: Record<string, string> = {
  size: '--size',
  longThreshold: '--long-threshold',
  shortThreshold: '--short-threshold',
  maxPosition: '--max-position',
  minEdgeBps: '--min-edge-bps',
  slippageBps: '--slippage-bps',
  maxBookAgeMs: '--max-book-age-ms',
  allowUnhedgedStart: '--allow-unhedged-start',
  maxTotalNotional: '--max-total-notional',
  maxTotalExposure: '--max-total-exposure',
};

/** A parameter's command-line flag. */
export function flagOf(param: string): string {
  return FLAGS[param] ?? param;
}

/** The caps across markets from the Config (--max-total-notional, --max-total-exposure or the file), named by their flags. */
export function portfolioCaps(config: Config): PortfolioCaps {
  return new PortfolioCaps({
    maxTotalNotional: config.caps.maxTotalNotional === undefined ? undefined : Number(config.caps.maxTotalNotional),
    maxTotalExposure: config.caps.maxTotalExposure === undefined ? undefined : Number(config.caps.maxTotalExposure),
    names: { notional: flagOf('maxTotalNotional'), exposure: flagOf('maxTotalExposure') },
  });
}

/** The run summary as printed at the end of a run (a backtest prints the same). */
export function summaryText(s: RunSummary): string {
  return [
    '',
    '── summary ──────────────────────────────',
    `trades              ${s.trades} (${s.successes} succeeded, ${s.failures} failed)`,
    `repair orders       ${s.repairs}`,
    `spread PnL          ${s.estimatedPnl.toFixed(4)} USDC net of fees (the trades CSV's net_pnl summed)`,
    `fees                ${s.fees.toFixed(4)}`,
    ...(s.pnl !== undefined ? pnlLines(s.pnl) : []),
    `position Backpack   ${s.positions.backpack}`,
    `position Lighter    ${s.positions.lighter}`,
    ...(s.closeOnExit ? [`close on exit       ${s.closeOnExit.flat ? 'flat: ' : 'NOT FLAT: '}${s.closeOnExit.detail}`] : []),
    ...(s.halted ? [`entries halted      ${s.halted}`] : []),
    '',
  ].join('\n');
}
