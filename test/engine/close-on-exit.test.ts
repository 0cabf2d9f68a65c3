// Closing on exit inside the engine's stop(), on a FakeClock: after a trade, both in-memory venues
// end flat through reduce-only orders booked as 'close' rows, the PnL is valued with nothing open,
// and a venue that never answers cannot keep stop() from returning (it ends as not flat, said).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine, type EngineOptions } from '../../src/engine/index.js';
import { FakeVenue } from './fake-venue.js';
import { waitFor } from './clocked.js';

// Backpack BTC: tick 0.1, step 0.00001, taker 2.5 bps. Lighter BTC: tick 0.01, step 0.0001, fee-free.
const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 2, sizeScale: 4, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

function rig(flags: string[], timings: EngineOptions['timings'] = {}) {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--max-position', '0.01', '--log-dir', tempDir('bla-close-'), ...flags], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]); // 99999.0 / 100000.0
  lighter.setBook([[9_999_900, 10_000]], [[10_000_000, 10_000]]); // 99999.00 / 100000.00
  const logger = new MemoryLogger();
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger, clock, timings });
  return { clock, backpack, lighter, logger, engine, logDir: parsed.config.logDir };
}

/** Starts, takes one long trade (buy 0.01 on Backpack, sell 0.01 on Lighter) and calms the books again. */
async function tradeOnce(r: ReturnType<typeof rig>): Promise<void> {
  await r.clock.runUntil(r.engine.start(), 'start');
  r.lighter.setBook([[10_004_000, 10_000]], [[10_004_100, 10_000]]); // Lighter bid 100040.00
  await waitFor(r.clock, 'the long trade', () => r.backpack.venuePosition === 1000 && r.lighter.venuePosition === -100);
  await r.clock.runUntil(r.engine.idle(), 'idle');
  r.lighter.setBook([[9_999_900, 10_000]], [[10_000_000, 10_000]]);
}

function trades(dir: string): Array<Record<string, string>> {
  const file = readdirSync(dir).find((f) => f.startsWith('trades_'));
  assert.ok(file, 'trades CSV exists');
  const [header, ...lines] = readFileSync(join(dir, file), 'utf8').trim().split('\n');
  const columns = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
}

test('stop() with close on exit flattens both venues reduce-only, writes close rows and confirms flat from the venues', async () => {
  const r = rig(['--close-on-exit']);
  await tradeOnce(r);
  const summary = await r.clock.runUntil(r.engine.stop('test'), 'stop');
  assert.deepEqual([r.backpack.venuePosition, r.lighter.venuePosition], [0, 0]);
  // Sell 0.01 into the 99999.0 bid less 40 bps (twice the 20 bps entry bound); buy 0.01 up to 100000.00 plus 40 bps.
  assert.deepEqual(r.backpack.orders.at(-1), { side: 'sell', size: 1000, worstPrice: 995_990, reduceOnly: true, purpose: 'repair' });
  assert.deepEqual(r.lighter.orders.at(-1), { side: 'buy', size: 100, worstPrice: 10_040_000, reduceOnly: true, purpose: 'repair' });
  assert.deepEqual(summary.closeOnExit, {
    flat: true,
    positions: { backpack: 0, lighter: 0 },
    orders: ['backpack sell 0.01000 reduce-only: filled 0.01000', 'lighter buy 0.0100 reduce-only: filled 0.0100'],
    detail: 'both venues report a zero position (confirmed after 1 closing round)',
  });
  assert.deepEqual(summary.positions, { backpack: '0.00000', lighter: '0.0000' });
  const rows = trades(r.logDir);
  assert.deepEqual(
    rows.map((row) => [row.kind, row.direction, row.backpack_side, row.backpack_quantity, row.lighter_side, row.lighter_quantity, row.mode]),
    [
      ['entry', 'LONG_BACKPACK', 'buy', '0.01000', 'sell', '0.0100', 'paper'],
      ['close', 'CLOSE_BACKPACK', 'sell', '0.01000', '', '', 'paper'],
      ['close', 'CLOSE_LIGHTER', '', '', 'buy', '0.0100', 'paper'],
    ],
  );
  // Nothing open at the end: the whole result is realised and unrealised is zero on both venues.
  const pnl = summary.pnl!;
  assert.deepEqual([pnl.inventory.backpack.position, pnl.inventory.lighter.position, pnl.unrealisedAtMid], [0, 0, 0]);
  // Entry: bought 0.01 at 100000.0, sold 0.01 at 100040.00 (+0.40); close: sold at 99999.0, bought at 100000.00 (−0.01).
  // Backpack fees 2.5 bps on 1000.00 and on 999.99; Lighter is fee-free.
  // Cash +0.39, fees 0.25 + 0.2499975: −0.1099975 USDC (floats: a report, compared to 1e-9).
  assert.ok(Math.abs(pnl.realisedNet - -0.1099975) < 1e-9, `realised ${pnl.realisedNet}`);
  assert.match(r.logger.lines.join('\n'), /close-on-exit: both venues report a zero position/);
  assert.equal(r.backpack.stopped, 1);
});

test('without close on exit the positions are kept and valued as unrealised', async () => {
  const r = rig([]);
  await tradeOnce(r);
  const summary = await r.clock.runUntil(r.engine.stop('test'), 'stop');
  assert.deepEqual([r.backpack.venuePosition, r.lighter.venuePosition], [1000, -100]);
  assert.equal(summary.closeOnExit, undefined);
  assert.deepEqual(
    trades(r.logDir).map((row) => row.kind),
    ['entry'],
  );
  const pnl = summary.pnl!;
  // Long 0.01 at the Backpack mid 99999.5, short 0.01 at the Lighter mid 99999.50.
  assert.deepEqual([pnl.inventory.backpack.position, pnl.inventory.lighter.position], [0.01, -0.01]);
  assert.equal(Math.round(pnl.unrealisedAtMid * 1e9) / 1e9, 0);
});

test('a venue that never answers during close on exit cannot hold stop(): it returns, not flat, and says what to do', async () => {
  const r = rig(['--close-on-exit'], { closeBudgetMs: 1000 });
  await tradeOnce(r);
  r.lighter.fetchPosition = () => new Promise<number>(() => {});
  const stopAt = r.clock.monoMs();
  const summary = await r.clock.runUntil(r.engine.stop('test'), 'stop', 30_000);
  // The closing budget (1 s) and the grace for a call already made (2 s); nothing else waits here.
  assert.ok(r.clock.monoMs() - stopAt <= 3_010, `stop took ${r.clock.monoMs() - stopAt} ms of clock time`);
  assert.equal(summary.closeOnExit?.flat, false);
  assert.equal(summary.closeOnExit?.detail, 'not flat: a venue did not answer within the closing time (3 s) — check both positions on the venues and close them by hand');
  assert.match(r.logger.lines.join('\n'), /ERROR.*close-on-exit: not flat: a venue did not answer/);
  assert.deepEqual([r.backpack.stopped, r.lighter.stopped], [1, 1], 'both venues were still stopped');
});
