// --close-on-exit: on stop the bot closes both venues reduce-only and exits only once the venues
// themselves report flat; without it, positions are kept (the reference's behaviour).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { SimVenues } from '../../src/sim/index.js';
import { assertCsvMatchesFills, calm, csvNet, longOpportunity, readCsv, readLog, simVenues, startBot, until } from './harness.js';

const position = (sim: SimVenues, v: 'backpack' | 'lighter') => sim.engines[v].position(sim.accounts[v]).size;

async function tradeOnceThenStop(flags: string[], beforeStop: (sim: SimVenues) => void = () => {}) {
  const sim = await simVenues();
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01', ...flags]);
  try {
    await bot.engine;
    longOpportunity(sim);
    await until('the long trade', () => position(sim, 'backpack') === 1000 && position(sim, 'lighter') === -1000 && readCsv(bot.logDir, 'trades').length === 1);
    calm(sim);
    beforeStop(sim);
    const exit = await bot.stop();
    return { sim, bot, exit };
  } catch (e) {
    await bot.stop();
    await sim.stop();
    throw e;
  }
}

test('--close-on-exit leaves both simulators flat, with reduce-only orders, and confirms it from the venues', async () => {
  const { sim, bot, exit } = await tradeOnceThenStop(['--close-on-exit']);
  try {
    assert.equal(exit, 0);
    assert.equal(position(sim, 'backpack'), 0, 'Backpack flat on the simulator');
    assert.equal(position(sim, 'lighter'), 0, 'Lighter flat on the simulator');
    for (const v of ['backpack', 'lighter'] as const) {
      const orders = sim.engines[v].orders(sim.accounts[v]);
      assert.equal(orders.length, 2, `${v}: the entry and one closing order`);
      assert.deepEqual([orders[1].reduceOnly, orders[1].side, orders[1].executedSize], [true, v === 'backpack' ? 'sell' : 'buy', 1000], `${v}: closed reduce-only`);
    }
    const rows = readCsv(bot.logDir, 'trades');
    assert.deepEqual(rows.map((r) => `${r.kind}:${r.direction}`).sort(), ['close:CLOSE_BACKPACK', 'close:CLOSE_LIGHTER', 'entry:LONG_BACKPACK']);
    assert.equal(csvNet(rows, 'backpack'), 0);
    assert.equal(csvNet(rows, 'lighter'), 0);
    assertCsvMatchesFills(rows, sim, assert);
    const log = readLog(bot.logDir);
    assert.match(log, /close-on-exit: both venues report a zero position \(confirmed after 1 closing round\)/);
    assert.match(log, /summary: unrealised PnL +\+0\.0000 USDC/);
    // The run's keys never reach its files.
    const env = sim.env();
    for (const secret of [env.BACKPACK_SECRET_KEY, env.API_KEY_PRIVATE_KEY, env.API_KEY_PRIVATE_KEY.replace(/^0x/, '')]) {
      assert.ok(!log.includes(secret), 'no secret in the run log');
      assert.ok(!readCsv(bot.logDir, 'trades').some((r) => Object.values(r).includes(secret)), 'no secret in the trades CSV');
    }
  } finally {
    await sim.stop();
    rmSync(bot.logDir, { recursive: true, force: true });
  }
});

test('--close-on-exit: a closing order the venue refuses is sent again until the venue reports flat', async () => {
  const { sim, bot, exit } = await tradeOnceThenStop(['--close-on-exit'], (s) => (s.faults.backpack.rejectNextOrderWith = 'INSUFFICIENT_MARGIN'));
  try {
    assert.equal(exit, 0);
    assert.deepEqual([position(sim, 'backpack'), position(sim, 'lighter')], [0, 0]);
    const log = readLog(bot.logDir);
    assert.match(log, /close-on-exit: backpack sell 0\.01000 reduce-only: rejected 0\.00000/);
    assert.match(log, /close-on-exit: both venues report a zero position \(confirmed after 2 closing rounds\)/);
    assertCsvMatchesFills(readCsv(bot.logDir, 'trades'), sim, assert);
  } finally {
    await sim.stop();
    rmSync(bot.logDir, { recursive: true, force: true });
  }
});

test('without --close-on-exit the positions are kept', async () => {
  const { sim, bot, exit } = await tradeOnceThenStop([]);
  try {
    assert.equal(exit, 0);
    assert.deepEqual([position(sim, 'backpack'), position(sim, 'lighter')], [1000, -1000]);
    assert.doesNotMatch(readLog(bot.logDir), /close-on-exit/);
  } finally {
    await sim.stop();
    rmSync(bot.logDir, { recursive: true, force: true });
  }
});
