// Issue 5's end-to-end run: the bot trades the generated market for 20 s and ends with positions
// equal to the simulators' own records and a trades CSV that matches their fills row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCsvMatchesFills, csvNet, readCsv, readLog, simVenues, startBot } from './harness.js';

test('20 s on the generated market: trades both ways; positions and the trades CSV match the simulators', async () => {
  // Jumps a little more often than the demo's default, so both directions show up within 20 s.
  const sim = await simVenues({ scripted: false, seed: 10, market: { jumpProbability: 0.02 } }); // seed 10: both directions within 8 s (measured offline)
  try {
    const bot = startBot(sim, ['--duration', '20', '--max-position', '0.05']);
    assert.equal(await bot.exit, 0);
    const rows = readCsv(bot.logDir, 'trades');
    const entries = rows.filter((r) => r.kind === 'entry');
    assert.ok(
      entries.some((r) => r.direction === 'LONG_BACKPACK'),
      'a LONG_BACKPACK trade',
    );
    assert.ok(
      entries.some((r) => r.direction === 'SHORT_BACKPACK'),
      'a SHORT_BACKPACK trade',
    );
    const bp = sim.engines.backpack.position(sim.accounts.backpack).size;
    const lt = sim.engines.lighter.position(sim.accounts.lighter).size;
    assert.equal(bp + lt, 0, 'hedged on the simulators');
    assert.ok(Math.abs(bp) <= 5000 && Math.abs(lt) <= 5000, '--max-position 0.05 holds on both venues');
    assert.equal(csvNet(rows, 'backpack'), bp);
    assert.equal(csvNet(rows, 'lighter'), lt);
    assertCsvMatchesFills(rows, sim, assert);
    const log = readLog(bot.logDir);
    // The live adapters against the simulators' URLs: a test run, never called live.
    assert.match(log, /mode: TEST HOSTS — the live adapters, but not against the real venues: BACKPACK_API_URL=http:\/\/127\.0\.0\.1:\d+ \(loopback\)/);
    assert.doesNotMatch(log, /real money/);
    assert.ok(rows.length > 0 && rows.every((r) => r.mode === 'test'), 'every trades row says mode=test');
    assert.match(log, new RegExp(`summary: ${rows.filter((r) => r.kind === 'entry').length} trades`));
    assert.ok(readCsv(bot.logDir, 'bbo').length >= 4, 'a BBO row every 5 s');
  } finally {
    await sim.stop();
  }
});
