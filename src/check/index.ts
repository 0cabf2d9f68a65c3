// The preflight `backpack-lighter-arb check`: with the same Config a run would use, ask both venues
// everything a run depends on — reachable, clocks, keys, chain id, market and minimums, fees,
// tier and budget, collateral, positions, live books — and place no order. Venue probes and the
// book watch run side by side; the rows about both venues are derived from what they found.

import { silentLogger, type Logger } from '../core/log.js';
import type { Config } from '../cli/config.js';
import type { Venue } from '../venues/venue.js';
import { probeBackpack } from './backpack.js';
import { watchBooks } from './books.js';
import { DEFAULT_SETTINGS, fmt, fmtQuote, fmtSigned, row, skipped, type CheckSettings, type ProbeContext, type VenueFacts } from './common.js';
import { probeLighter } from './lighter.js';
import { report, type CheckReport, type CheckRow } from './report.js';

export { renderTable, type CheckReport, type CheckRow, type RowId, type RowStatus } from './report.js';
export { DEFAULT_SETTINGS, type CheckSettings } from './common.js';

export interface CheckOptions {
  settings?: Partial<CheckSettings>;
  /** Where the adapters' own log lines go (default: nowhere; the table says what matters). */
  logger?: Logger;
  /** Market-data venues to watch instead of new adapters (tests). */
  venues?: { backpack: Venue; lighter: Venue };
}

/**
 * The preflight. With several markets (--ticker BTC,ETH or --config), each market is checked as a
 * run of it alone would be, side by side; the rows about the venues and the account (reachable,
 * clock, keys, chain id, API key, tier) are shown once, and each venue's collateral once, against
 * the sum of what every market's --max-position may still add. Passed only when every row is ok.
 */
export async function runCheck(config: Config, options: CheckOptions = {}): Promise<CheckReport> {
  if (config.markets.length <= 1) return report((await checkOne(config, options)).rows);
  const tickers = config.markets.map((m) => m.ticker);
  const each = await Promise.all(
    config.markets.map((m) =>
      checkOne({ ...config, ticker: m.ticker, size: m.size, maxPosition: m.maxPosition, markets: [m] }, m === config.markets[0] ? options : { ...options, venues: undefined }),
    ),
  );
  const rows: CheckRow[] = [];
  for (const r of each[0].rows) if (ONCE.has(r.id)) rows.push(r);
  for (const [i, one] of each.entries()) {
    const ticker = tickers[i];
    for (const r of one.rows) if (!ONCE.has(r.id) && !COLLATERAL.has(r.id)) rows.push({ ...r, title: `${ticker}: ${r.title}`, market: ticker });
  }
  for (const venue of ['backpack', 'lighter'] as const) rows.push(collateralAcross(venue, config, each));
  return report(rows, tickers);
}

/** Rows about a venue or the account, the same for every market: shown once. */
const ONCE: ReadonlySet<string> = new Set([
  'backpack.reachable',
  'backpack.clock',
  'backpack.keys',
  'lighter.reachable',
  'lighter.clock',
  'lighter.chain',
  'lighter.key',
  'lighter.tier',
]);
const COLLATERAL: ReadonlySet<string> = new Set(['backpack.collateral', 'lighter.collateral']);

/**
 * One venue's free collateral against the sum of what each market may still add (each at its own
 * scale, summed exactly at the finest); a market whose own row could not measure it is that row,
 * named by its market.
 */
function collateralAcross(venue: 'backpack' | 'lighter', config: Config, each: ReadonlyArray<{ rows: CheckRow[]; facts: Record<'backpack' | 'lighter', VenueFacts> }>): CheckRow {
  const id = venue === 'backpack' ? 'backpack.collateral' : 'lighter.collateral';
  const name = venue === 'backpack' ? 'Backpack' : 'Lighter';
  const title = `${name} collateral`;
  const missing = each.findIndex((one) => one.facts[venue].collateral === undefined);
  if (missing >= 0) {
    const own = each[missing].rows.find((r) => r.id === id)!;
    return { ...own, title: `${config.markets[missing].ticker}: ${own.title}`, market: config.markets[missing].ticker };
  }
  const figures = each.map((one) => one.facts[venue].collateral!);
  const scale = Math.max(...figures.map((f) => f.quoteScale));
  const at = (units: bigint, from: number) => units * 10n ** BigInt(scale - from);
  const available = at(figures[0].available, figures[0].quoteScale);
  const need = figures.reduce((sum, f) => sum + at(f.need, f.quoteScale), 0n);
  const parts = figures.map((f, i) => `${config.markets[i].ticker} ${fmtQuote(f.need, f.quoteScale, 'up')} (--max-position ${config.markets[i].maxPosition}, ${f.margin})`);
  const detail = `${fmtQuote(available, scale)} USDC free; every market reaching its --max-position needs ${fmtQuote(need, scale, 'up')} USDC: ${parts.join('; ')}`;
  if (available >= need) return row(id, title, 'ok', detail);
  return row(id, title, 'FAIL', detail, `deposit USDC on ${name}, or lower the markets' --max-position so their sum fits`);
}

async function checkOne(config: Config, options: CheckOptions): Promise<{ rows: CheckRow[]; facts: Record<'backpack' | 'lighter', VenueFacts> }> {
  const ctx: ProbeContext = { config, settings: { ...DEFAULT_SETTINGS, ...options.settings }, logger: options.logger ?? silentLogger };
  const [backpack, lighter, books] = await Promise.all([probeBackpack(ctx), probeLighter(ctx), watchBooks(ctx, options.venues)]);
  const rows: CheckRow[] = [...backpack.rows, ...lighter.rows];
  rows.push(positionsRow(config, backpack.facts, lighter.facts));
  // A venue that cannot be reached, or whose market is missing or refused, has no book to speak
  // of: the row that says why is the one failing.
  const failed = (id: string) => rows.some((x) => x.id === id && x.status === 'FAIL');
  for (const r of books.rows) {
    const venue = r.id === 'backpack.book' ? 'backpack' : r.id === 'lighter.book' ? 'lighter' : undefined;
    const name = venue === 'backpack' ? 'Backpack' : 'Lighter';
    if (venue !== undefined && failed(`${venue}.reachable`)) rows.push(skipped(r.id, r.title, `${name} is not reachable`));
    else if (venue !== undefined && (venue === 'backpack' ? backpack : lighter).facts.market === undefined)
      rows.push(skipped(r.id, r.title, `the market was not found on ${name}`));
    else if (venue !== undefined && failed(`${venue}.market`) && books.notStarted.includes(r.id))
      rows.push(skipped(r.id, r.title, `the ${name} market row failed, and the feed refuses that market too`));
    else rows.push(r);
  }
  return { rows, facts: { backpack: backpack.facts, lighter: lighter.facts } };
}

/** Both positions at the finer size scale: they hedge when they sum to zero. */
function positionsRow(config: Config, backpack: VenueFacts, lighter: VenueFacts): CheckRow {
  const title = 'Positions hedged';
  if (backpack.position === undefined || lighter.position === undefined || backpack.market === undefined || lighter.market === undefined) {
    const missing = [backpack.position === undefined ? 'Backpack' : undefined, lighter.position === undefined ? 'Lighter' : undefined].filter((v) => v !== undefined).join(' and ');
    return skipped('positions', title, `the ${missing} position could not be read`, 'fix the rows above');
  }
  const scale = Math.max(backpack.market.sizeScale, lighter.market.sizeScale);
  const b = backpack.position * 10n ** BigInt(scale - backpack.market.sizeScale);
  const l = lighter.position * 10n ** BigInt(scale - lighter.market.sizeScale);
  const net = b + l;
  const found = `Backpack ${fmtSigned(b, scale)}, Lighter ${fmtSigned(l, scale)} ${config.ticker}`;
  if (net === 0n) return row('positions', title, 'ok', b === 0n ? `both flat in ${config.ticker}` : `${found}: they hedge each other`);
  const netText = `net ${fmtSigned(net, scale)}`;
  if (config.allowUnhedgedStart) return row('positions', title, 'ok', `${found}: ${netText}, not hedged — accepted by --allow-unhedged-start`);
  const excess = net > 0n ? net : -net;
  return row(
    'positions',
    title,
    'FAIL',
    `${found}: ${netText}, not hedged — a run refuses to start`,
    `close ${fmt(excess, scale)} ${config.ticker} by hand (${net > 0n ? 'sell' : 'buy'} on either venue) so the two positions cancel, or start with --allow-unhedged-start`,
  );
}
