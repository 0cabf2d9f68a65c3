// Runs the real bot (parseConfig → run → live adapters) against the simulated venues, pointed at
// them through the same environment variables a trader would set, and reads back what it wrote.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { startRun } from '../../src/cli/run.js';
import { silentLogger } from '../../src/core/log.js';
import type { ArbEngine } from '../../src/engine/index.js';
import { startSimVenues, type SimVenues, type SimVenuesOptions } from '../../src/sim/index.js';
import { until as waitUntil } from '../helpers/until.js';

export interface BotRun {
  exit: Promise<number>;
  engine: Promise<ArbEngine>;
  stop(reason?: string): Promise<number>;
  logDir: string;
}

export async function simVenues(options: Partial<SimVenuesOptions> = {}): Promise<SimVenues> {
  return startSimVenues({ ticker: 'BTC', logger: silentLogger, scripted: true, pingIntervalMs: 1000, ...options });
}

export function startBot(sim: SimVenues, flags: string[], logDir = tempDir('bla-e2e-'), env: NodeJS.ProcessEnv = sim.env()): BotRun {
  const parsed = parseConfig(['--ticker', 'BTC', '--size', '0.01', '--log-dir', logDir, ...flags], env);
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  const handle = startRun(parsed.config, { consoleLevel: 'OFF' });
  return { ...handle, logDir, stop: (reason = 'test stop') => handle.stop(reason) };
}

export interface CsvRow {
  [column: string]: string;
}

export function readCsv(logDir: string, prefix: 'trades' | 'bbo'): CsvRow[] {
  const file = readdirSync(logDir).find((f) => f.startsWith(`${prefix}_BTC_`));
  if (file === undefined) return [];
  const [header, ...lines] = readFileSync(join(logDir, file), 'utf8').trim().split('\n');
  const columns = header.split(',');
  return lines.filter((l) => l !== '').map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
}

export function readLog(logDir: string): string {
  return readFileSync(join(logDir, 'backpack_lighter_BTC.log'), 'utf8');
}

/** Σ signed quantity per venue from the trades CSV, at the market's size scale (BTC: 5). */
export function csvNet(rows: CsvRow[], venue: 'backpack' | 'lighter'): number {
  let sum = 0;
  for (const r of rows) {
    const q = r[`${venue}_quantity`];
    if (q === undefined || q === '') continue;
    const units = Math.round(Number(q) * 1e5);
    sum += r[`${venue}_side`] === 'buy' ? units : -units;
  }
  return sum;
}

/**
 * Row for row: every order of ours that executed on a simulator has exactly one CSV row with its
 * client id and its executed quantity, and every CSV quantity is such an order.
 */
export function assertCsvMatchesFills(rows: CsvRow[], sim: SimVenues, assert: { deepEqual(a: unknown, b: unknown, m?: string): void }): void {
  for (const venue of ['backpack', 'lighter'] as const) {
    const engine = sim.engines[venue];
    const executed = engine
      .orders(sim.accounts[venue])
      .filter((o) => o.executedSize > 0)
      .map((o) => `${o.clientOrderId}:${o.side}:${o.executedSize}`)
      .sort();
    const written = rows
      .filter((r) => r[`${venue}_quantity`] !== '' && Number(r[`${venue}_quantity`]) > 0)
      .map((r) => `${r[`${venue}_client_id`]}:${r[`${venue}_side`]}:${Math.round(Number(r[`${venue}_quantity`]) * 1e5)}`)
      .sort();
    assert.deepEqual(written, executed, `${venue}: trades CSV rows vs the simulator's executed orders`);
  }
}

/** As the shared helper, with the longer default a whole bot run needs. */
export const until = (what: string, check: () => boolean, ms = 5000): Promise<void> => waitUntil(what, check, ms);

/** House books for a scripted moment: Backpack and Lighter best bid/ask (price ×10), deep enough for 0.01. */
export function setBooks(sim: SimVenues, b: { bid: number; ask: number }, l: { bid: number; ask: number }): void {
  const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
  sim.engines.backpack.setHouseLiquidity(ladder(b.bid, -1), ladder(b.ask, 1));
  sim.engines.lighter.setHouseLiquidity(ladder(l.bid, -1), ladder(l.ask, 1));
}

/** A calm market: no spread worth anything. */
export function calm(sim: SimVenues): void {
  setBooks(sim, { bid: 999_990, ask: 1_000_000 }, { bid: 999_990, ask: 1_000_000 });
}

/** Lighter bid 40 above Backpack ask: LONG_BACKPACK pays 40 − 25 of fees per unit. */
export function longOpportunity(sim: SimVenues): void {
  setBooks(sim, { bid: 999_990, ask: 1_000_000 }, { bid: 1_000_400, ask: 1_000_410 });
}

/** Backpack bid 40 above Lighter ask. */
export function shortOpportunity(sim: SimVenues): void {
  setBooks(sim, { bid: 1_000_400, ask: 1_000_410 }, { bid: 999_990, ask: 1_000_000 });
}
