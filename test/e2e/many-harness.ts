// Helpers for runs of several markets against the simulators (see many-markets*.test.ts).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/cli/args.js';
import { startRun } from '../../src/cli/run.js';
import type { SimVenues } from '../../src/sim/index.js';
import { tempDir } from '../helpers/temp.js';
import type { CsvRow } from './harness.js';

/** Scripted books on one market: best bid/ask on each venue at that market's price scale, three levels `step` apart. */
export function books(sim: SimVenues, base: string, b: { bid: number; ask: number }, l: { bid: number; ask: number }, step: number): void {
  const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * step, 100_000] as [number, number]);
  sim.marketEngines[base].backpack.setHouseLiquidity(ladder(b.bid, -1), ladder(b.ask, 1));
  sim.marketEngines[base].lighter.setHouseLiquidity(ladder(l.bid, -1), ladder(l.ask, 1));
}

/** Calm books: BTC 100 000.0, ETH 3 500.00, SOL 200.000, no spread worth anything. */
export function calmAll(sim: SimVenues): void {
  books(sim, 'BTC', { bid: 999_990, ask: 1_000_000 }, { bid: 999_990, ask: 1_000_000 }, 10);
  books(sim, 'ETH', { bid: 349_990, ask: 350_000 }, { bid: 349_990, ask: 350_000 }, 10);
  books(sim, 'SOL', { bid: 199_990, ask: 200_000 }, { bid: 199_990, ask: 200_000 }, 10);
}

export function startMany(sim: SimVenues, flags: string[], files: Record<string, string> = {}) {
  const logDir = tempDir('bla-many-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(logDir, name), text);
  const args = flags.map((f) => (f in files ? join(logDir, f) : f));
  const parsed = parseConfig([...args, '--log-dir', logDir, '--max-book-age-ms', '5000'], sim.env());
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  const handle = startRun(parsed.config, { consoleLevel: 'OFF' });
  return { ...handle, logDir };
}

export function csv(logDir: string, prefix: 'trades' | 'bbo', ticker: string): CsvRow[] {
  const file = readdirSync(logDir).find((f) => f.startsWith(`${prefix}_${ticker}_`));
  if (file === undefined) return [];
  const [header, ...lines] = readFileSync(join(logDir, file), 'utf8').trim().split('\n');
  const columns = header.split(',');
  return lines.filter((l) => l !== '').map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
}

export const filledEntries = (rows: CsvRow[]) => rows.filter((r) => r.kind === 'entry' && r.backpack_state === 'filled' && r.lighter_state === 'filled');
