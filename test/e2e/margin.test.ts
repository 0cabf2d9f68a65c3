// The real bot against simulators whose margin model refuses a leg on its own: no injected
// rejection. Lighter holds too little collateral for a 0.01 BTC short (5 % of ~1000 USDC), so the
// simulator answers the Lighter leg with 21739 "not enough margin" while the Backpack leg fills;
// retrying that leg meets the same refusal, and the hedge is repaired by unwinding Backpack
// reduce-only. Both venues end flat, the trades CSV agrees with the simulators' fills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { assertCsvMatchesFills, calm, csvNet, longOpportunity, readCsv, readLog, simVenues, startBot, until } from './harness.js';

test("a Lighter leg refused for margin by the simulator's margin model: the hedge is repaired and both venues end flat", async () => {
  const sim = await simVenues({ collateral: { lighter: '20' } });
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '5000']);
  const position = (v: 'backpack' | 'lighter') => sim.engines[v].position(sim.accounts[v]).size;
  try {
    await bot.engine;
    longOpportunity(sim);
    await until('the Backpack leg filled', () => sim.engines.backpack.fills(sim.accounts.backpack).length > 0);
    await until('the Backpack leg unwound', () => position('backpack') === 0 && sim.engines.backpack.fills(sim.accounts.backpack).length >= 2, 10_000);
    calm(sim);
    assert.equal(await bot.stop(), 0);
    assert.deepEqual([position('backpack'), position('lighter')], [0, 0]);
    assert.equal(sim.engines.lighter.fills(sim.accounts.lighter).length, 0, 'Lighter never filled');
    const rows = readCsv(bot.logDir, 'trades');
    // Entry: Backpack filled, Lighter refused; the Lighter leg retried twice (refused again), then
    // Backpack unwound reduce-only.
    assert.deepEqual(
      rows.map((r) => [r.kind, r.backpack_state, r.lighter_state, r.backpack_side]),
      [
        ['entry', 'filled', 'rejected', 'buy'],
        ['repair', '', 'rejected', ''],
        ['repair', '', 'rejected', ''],
        ['repair', 'filled', '', 'sell'],
      ],
    );
    assert.equal(csvNet(rows, 'backpack'), 0);
    assert.equal(csvNet(rows, 'lighter'), 0);
    assertCsvMatchesFills(rows, sim, assert);
    const log = readLog(bot.logDir);
    assert.match(log, /21739 "not enough margin"/);
    assert.match(log, /add collateral on Lighter or lower --size/);
    assert.match(log, /hedge repaired: Backpack 0\.00000, Lighter 0\.00000/);
    // Every refusal came from the margin model: Lighter's collateral is untouched; Backpack's equity
    // moved by the round trip: 0.25 + 0.249998 of fees (2.5 bps, rounded up) and 0.01 lost (bought at
    // 100000.0, sold at 99999.0).
    assert.equal(sim.margin.lighter.summary(sim.accounts.lighter).equity, 20_000_000n);
    assert.equal(sim.margin.backpack.summary(sim.accounts.backpack).equity, 1_000_000_000_000n - 250_000n - 249_998n - 10_000n);
  } finally {
    await bot.stop();
    await sim.stop();
    rmSync(bot.logDir, { recursive: true, force: true });
  }
});

test("a Backpack leg refused for margin by the simulator's margin model: the hedge is repaired and both venues end flat", async () => {
  // Backpack holds 20 USDC: a 0.01 BTC buy (~1000 USDC) needs more initial margin than that, so
  // the simulator refuses it on its own (INSUFFICIENT_MARGIN) while the Lighter short fills;
  // the hedge is repaired by buying the Lighter short back reduce-only.
  const sim = await simVenues({ collateral: { backpack: '20' } });
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '5000']);
  const position = (v: 'backpack' | 'lighter') => sim.engines[v].position(sim.accounts[v]).size;
  try {
    await bot.engine;
    longOpportunity(sim);
    await until('the Lighter leg filled', () => sim.engines.lighter.fills(sim.accounts.lighter).length > 0);
    await until('the Lighter leg unwound', () => position('lighter') === 0 && sim.engines.lighter.fills(sim.accounts.lighter).length >= 2, 10_000);
    calm(sim);
    assert.equal(await bot.stop(), 0);
    assert.deepEqual([position('backpack'), position('lighter')], [0, 0]);
    assert.equal(sim.engines.backpack.fills(sim.accounts.backpack).length, 0, 'Backpack never filled');
    const rows = readCsv(bot.logDir, 'trades');
    // Entry: Lighter filled, Backpack refused; the Backpack leg retried twice (refused again), then
    // the Lighter short bought back reduce-only.
    assert.deepEqual(
      rows.map((r) => [r.kind, r.backpack_state, r.lighter_state, r.lighter_side]),
      [
        ['entry', 'rejected', 'filled', 'sell'],
        ['repair', 'rejected', '', ''],
        ['repair', 'rejected', '', ''],
        ['repair', '', 'filled', 'buy'],
      ],
    );
    assert.equal(csvNet(rows, 'backpack'), 0);
    assert.equal(csvNet(rows, 'lighter'), 0);
    assertCsvMatchesFills(rows, sim, assert);
    const log = readLog(bot.logDir);
    assert.match(log, /INSUFFICIENT_MARGIN "Insufficient margin" \(add collateral or lower --size\)/);
    assert.match(log, /hedge repaired: Backpack 0\.00000, Lighter 0\.00000/);
    assert.equal(sim.margin.backpack.summary(sim.accounts.backpack).equity, 20_000_000n, "Backpack's collateral untouched");
  } finally {
    await bot.stop();
    await sim.stop();
    rmSync(bot.logDir, { recursive: true, force: true });
  }
});
