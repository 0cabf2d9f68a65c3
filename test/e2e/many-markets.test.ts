// Several markets in one process against the simulators, through the real entry path (parseConfig →
// run → live adapters): per-market settings from a config file, per-market files, the run log
// tagged by market, the summary of each market and the total, caps across markets, refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { simVenues, until } from './harness.js';
import { books, calmAll, csv, filledEntries, startMany } from './many-harness.js';

test('caps across markets: with BTC held, an ETH entry that would pass --max-total-notional is skipped with the reason', async () => {
  const sim = await simVenues({ ticker: 'BTC' });
  calmAll(sim);
  const bot = startMany(sim, ['--ticker', 'BTC,ETH', '--size', '0.01', '--max-total-notional', '1010', '--max-position', '0.01']);
  try {
    await bot.engines;
    books(sim, 'BTC', { bid: 999_990, ask: 1_000_000 }, { bid: 1_000_400, ask: 1_000_410 }, 10);
    await until('BTC entry', () => filledEntries(csv(bot.logDir, 'trades', 'BTC')).length === 1);
    // ETH 0.01 ≈ 35 USDC more: 1 000 + 35 > 1 010.
    books(sim, 'ETH', { bid: 349_990, ask: 350_000 }, { bid: 350_700, ask: 350_710 }, 10);
    const logPath = join(bot.logDir, 'backpack_lighter_BTC_ETH.log');
    await until('ETH skipped', () => readFileSync(logPath, 'utf8').includes('[ETH] skipped: LONG_BACKPACK: total notional would be'));
    assert.equal(csv(bot.logDir, 'trades', 'ETH').length, 0, 'no ETH entry');
    assert.match(
      readFileSync(logPath, 'utf8'),
      /\[ETH\] skipped: LONG_BACKPACK: total notional would be 10\d\d\.\d\d USDC across markets, above --max-total-notional 1010 \(ETH 35\.\d\d, the others 100\d\.\d\d\)/,
    );
    calmAll(sim);
    assert.equal(await bot.stop('test stop'), 0);
  } finally {
    await bot.stop('test stop');
    await sim.stop();
  }
});

test('a market neither venue lists is refused at start-up with the markets both share (exit 2)', async () => {
  const sim = await simVenues({ ticker: 'BTC' });
  const bot = startMany(sim, ['--ticker', 'BTC,FOO', '--size', '0.01']);
  try {
    assert.equal(await bot.exit, 2);
    const log = readFileSync(join(bot.logDir, 'backpack_lighter_BTC_FOO.log'), 'utf8');
    assert.match(log, /ERROR FOO is listed on neither venue\. Markets both venues share: BTC, ETH, SOL\n/);
    assert.deepEqual(
      readdirSync(bot.logDir).filter((f) => f.endsWith('.csv')),
      [],
      'nothing started',
    );
  } finally {
    await sim.stop();
  }
});

test('a one-market run keeps the caps too: an entry past --max-total-notional is skipped with the reason', async () => {
  const sim = await simVenues({ ticker: 'BTC' });
  calmAll(sim);
  const bot = startMany(sim, ['--ticker', 'BTC', '--size', '0.01', '--max-total-notional', '500']);
  try {
    await bot.engines;
    books(sim, 'BTC', { bid: 999_990, ask: 1_000_000 }, { bid: 1_000_400, ask: 1_000_410 }, 10);
    const logPath = join(bot.logDir, 'backpack_lighter_BTC.log');
    await until('BTC skipped', () => readFileSync(logPath, 'utf8').includes('skipped: LONG_BACKPACK: total notional would be'));
    assert.match(
      readFileSync(logPath, 'utf8'),
      /skipped: LONG_BACKPACK: total notional would be 100\d\.\d\d USDC across markets, above --max-total-notional 500 \(BTC 100\d\.\d\d, the others 0\.00\)/,
    );
    assert.equal(csv(bot.logDir, 'trades', 'BTC').length, 0, 'no entry');
    calmAll(sim);
    assert.equal(await bot.stop('test stop'), 0);
  } finally {
    await bot.stop('test stop');
    await sim.stop();
  }
});
