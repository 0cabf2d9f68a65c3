// --paper against the simulators' public feeds: trades are simulated, nothing reaches a venue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calm, readCsv, readLog, setBooks, simVenues, startBot, until } from './harness.js';

test('paper mode trades on live public data without keys and without sending an order', async () => {
  const sim = await simVenues();
  calm(sim);
  try {
    const env = { BACKPACK_API_URL: sim.backpack.apiUrl, BACKPACK_WS_URL: sim.backpack.wsUrl, LIGHTER_API_URL: sim.lighter.apiUrl, LIGHTER_WS_URL: sim.lighter.wsUrl };
    const bot = startBot(sim, ['--paper', '--max-position', '0.01'], undefined, env);
    try {
      await bot.engine;
      // Without keys Backpack's fee is the public VIP-1 taker rate (5 bps, 50 per BTC): an 80 spread pays it.
      setBooks(sim, { bid: 999_990, ask: 1_000_000 }, { bid: 1_000_800, ask: 1_000_810 });
      await until('a paper trade', () => readCsv(bot.logDir, 'trades').length === 1);
    } finally {
      assert.equal(await bot.stop(), 0);
    }
    const [row] = readCsv(bot.logDir, 'trades');
    assert.deepEqual(
      [row.direction, row.backpack_state, row.lighter_state, row.backpack_quantity, row.lighter_quantity],
      ['LONG_BACKPACK', 'filled', 'filled', '0.01000', '0.01000'],
    );
    assert.equal(sim.engines.backpack.orders(sim.accounts.backpack).length + sim.engines.lighter.orders(sim.accounts.lighter).length, 0, 'no order reached a venue');
    assert.match(readLog(bot.logDir), /mode: PAPER/);
  } finally {
    await sim.stop();
  }
});
