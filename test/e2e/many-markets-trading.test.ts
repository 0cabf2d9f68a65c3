// Several markets trading at once against the simulators through one process: per-market
// settings from a config file, files, log tags and summaries; one WebSocket per venue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/cli/args.js';
import { startRun } from '../../src/cli/run.js';
import { tempDir } from '../helpers/temp.js';
import { simVenues, until } from './harness.js';
import { books, calmAll, csv, filledEntries, startMany } from './many-harness.js';

const CONFIG = [
  'defaults:',
  '  max-position: "1"',
  'markets:',
  '  BTC:',
  '    size: "0.01"',
  '  ETH:',
  '    size: "0.1"',
  '    long-threshold: "4"',
  '  SOL:',
  '    size: "1"',
  '    short-threshold: "3"',
].join('\n');

test('three markets from a config file: each trades with its own size, in its own files, tagged in one log; one summary per market and the total', async () => {
  const sim = await simVenues({ ticker: 'BTC' });
  calmAll(sim);
  const bot = startMany(sim, ['--config', 'run.yaml', '--bbo-interval', '0.2'], { 'run.yaml': CONFIG });
  try {
    const engines = await bot.engines;
    assert.deepEqual([sim.backpack.connections(), sim.lighter.connections()], [1, 1], 'one WebSocket per venue carries every market');
    assert.deepEqual(
      engines.map((e) => e.snapshot().ticker),
      ['BTC', 'ETH', 'SOL'],
    );
    // BTC long (Lighter bid 40 over), ETH long (5 over its threshold of 4), SOL short (4 over its threshold of 3).
    books(sim, 'BTC', { bid: 999_990, ask: 1_000_000 }, { bid: 1_000_400, ask: 1_000_410 }, 10);
    books(sim, 'ETH', { bid: 349_990, ask: 350_000 }, { bid: 350_500, ask: 350_510 }, 10);
    books(sim, 'SOL', { bid: 204_000, ask: 204_010 }, { bid: 199_990, ask: 200_000 }, 10);
    await until('an entry in every market', () => ['BTC', 'ETH', 'SOL'].every((t) => filledEntries(csv(bot.logDir, 'trades', t)).length > 0), 20_000);
    await until('a BBO row in every market', () => ['BTC', 'ETH', 'SOL'].every((t) => csv(bot.logDir, 'bbo', t).length > 0));
    calmAll(sim);
    assert.equal(await bot.stop('test stop'), 0);
    const first = (t: string) => filledEntries(csv(bot.logDir, 'trades', t))[0];
    assert.deepEqual(
      [first('BTC').direction, first('BTC').quantity, first('BTC').backpack_quantity, first('BTC').lighter_quantity],
      ['LONG_BACKPACK', '0.01', '0.01000', '0.01000'],
    );
    assert.deepEqual([first('ETH').direction, first('ETH').quantity, first('ETH').backpack_quantity, first('ETH').lighter_quantity], ['LONG_BACKPACK', '0.1', '0.1000', '0.1000']);
    assert.deepEqual([first('SOL').direction, first('SOL').quantity, first('SOL').backpack_quantity, first('SOL').lighter_quantity], ['SHORT_BACKPACK', '1', '1.00', '1.000']);
    for (const t of ['BTC', 'ETH', 'SOL']) assert.ok(csv(bot.logDir, 'bbo', t).length > 0, `bbo_${t} written`);
    const files = readdirSync(bot.logDir).filter((f) => f.endsWith('.log'));
    assert.deepEqual(files, ['backpack_lighter_BTC_ETH_SOL.log']);
    const log = readFileSync(join(bot.logDir, files[0]), 'utf8');
    assert.match(log, /\[ETH\] LONG_BACKPACK done: Backpack filled 0\.1000 @ /);
    assert.match(log, /\[SOL\] SHORT_BACKPACK done: Backpack filled 1\.00 @ /);
    // One account behind every market: checked once.
    assert.equal(log.match(/\[lighter\] Lighter chain id 304/g)?.length, 1);
    const trades = (t: string) => csv(bot.logDir, 'trades', t).filter((r) => r.kind === 'entry').length;
    for (const t of ['BTC', 'ETH', 'SOL']) assert.match(log, new RegExp(`\\[${t}\\] summary: ${trades(t)} trades, `));
    const total = trades('BTC') + trades('ETH') + trades('SOL');
    assert.match(log, new RegExp(`INFO  summary: trades {14}${total} \\(`));
    assert.match(log, /INFO {2}summary: markets {13}BTC, ETH, SOL/);
  } finally {
    await bot.stop('test stop');
    await sim.stop();
  }
});

test('a market quoted in multiples under different names (kPEPE on Backpack, 1000PEPE on Lighter, the same 1000 PEPE) trades beside BTC', async () => {
  const sim = await simVenues({ ticker: 'BTC', extraMarkets: ['PEPE'] });
  calmAll(sim);
  // 0.012000 a contract of 1000 PEPE: Backpack at 6 price decimals, Lighter at 7.
  books(sim, 'PEPE', { bid: 11_990, ask: 12_000 }, { bid: 119_900, ask: 120_000 }, 10);
  const yaml = ['markets:', '  BTC:', '    size: "0.01"', '  PEPE:', '    size: "1000"', '    long-threshold: "0.00001"', '    max-position: "1000"'].join('\n');
  const bot = startMany(sim, ['--config', 'run.yaml'], { 'run.yaml': yaml });
  try {
    await bot.engines;
    // Lighter's bid 0.01208 over Backpack's ask 0.01200: long Backpack.
    books(sim, 'PEPE', { bid: 11_990, ask: 12_000 }, { bid: 120_800, ask: 120_900 }, 10);
    await until('a PEPE entry', () => filledEntries(csv(bot.logDir, 'trades', 'PEPE')).length > 0);
    books(sim, 'PEPE', { bid: 11_990, ask: 12_000 }, { bid: 119_900, ask: 120_000 }, 10);
    assert.equal(await bot.stop('test stop'), 0);
    const row = filledEntries(csv(bot.logDir, 'trades', 'PEPE'))[0];
    assert.deepEqual(
      [row.direction, row.backpack_side, row.backpack_quantity, row.backpack_price, row.lighter_side, row.lighter_quantity, row.lighter_price],
      ['LONG_BACKPACK', 'buy', '1000', '0.01200000', 'sell', '1000.0', '0.012080000'],
    );
    assert.equal(sim.marketEngines.PEPE.backpack.market.base, 'kPEPE');
    assert.equal(sim.marketEngines.PEPE.lighter.market.base, '1000PEPE');
  } finally {
    await bot.stop('test stop');
    await sim.stop();
  }
});

test('--sim --ticker BTC,ETH: the built-in simulators generate both markets and the bot trades in both', async () => {
  const logDir = tempDir('bla-many-sim-');
  const parsed = parseConfig(
    ['--sim', '--ticker', 'BTC,ETH', '--size', '0.01', '--long-threshold', '0.1', '--short-threshold', '0.1', '--max-position', '0.02', '--log-dir', logDir],
    {},
  );
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  const bot = startRun(parsed.config, { consoleLevel: 'OFF' });
  try {
    assert.equal((await bot.engines).length, 2);
    await until('an entry in both markets', () => ['BTC', 'ETH'].every((t) => filledEntries(csv(logDir, 'trades', t)).length > 0), 90_000);
    assert.equal(await bot.stop('test stop'), 0);
    for (const t of ['BTC', 'ETH']) assert.ok(csv(logDir, 'trades', t).every((r) => r.mode === 'sim'));
  } finally {
    await bot.stop('test stop');
  }
});
