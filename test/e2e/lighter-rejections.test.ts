// The real bot against the simulated venues, with Lighter answering the way the live venue does:
// rejections in each of its shapes, configuration failures (21120, 21136), answers that say
// nothing of the outcome (29500, 29501), a timeout, a transaction acknowledged and then failed in
// the sequencer, and the shared request budget enforced by the simulator itself. Every run must
// end with the leg's true outcome in the trades CSV, no run of invalid nonces, and the position
// flat (hedged) on the simulators' own books.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LighterRejectionShape } from '../../src/sim/types.js';
import type { SimVenues } from '../../src/sim/index.js';
import { assertCsvMatchesFills, calm, csvNet, longOpportunity, readCsv, readLog, shortOpportunity, simVenues, startBot, until, type BotRun } from './harness.js';

const position = (sim: SimVenues, v: 'backpack' | 'lighter') => sim.engines[v].position(sim.accounts[v]).size;
const entries = (bot: BotRun) => readCsv(bot.logDir, 'trades').filter((r) => r.kind === 'entry');
const filledLong = (sim: SimVenues) => position(sim, 'backpack') === 1000 && position(sim, 'lighter') === -1000;

/**
 * Runs the bot against simulators that enforce Lighter's shared request budget (the bot's own,
 * 60 a minute unless the flags say otherwise, 40 of them transactions), lets `act` play, stops,
 * and checks the end state.
 */
async function scenario(
  name: string,
  act: (sim: SimVenues, bot: BotRun) => Promise<void>,
  flags: string[] = [],
  requestsPerMinute = 60,
): Promise<{ sim: SimVenues; bot: BotRun; log: string }> {
  // Both readings of the venue's limits at once: the shared budget, and the older two thirds of it for transactions.
  const sim = await simVenues({ faults: { lighter: { requestsPerMinute, transactionsPerMinute: Math.floor((requestsPerMinute * 2) / 3) } } });
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '5000', ...flags]);
  try {
    await bot.engine;
    await act(sim, bot);
    calm(sim);
    assert.equal(await bot.stop(), 0, `${name}: exit status`);
    const rows = readCsv(bot.logDir, 'trades');
    assert.equal(position(sim, 'backpack') + position(sim, 'lighter'), 0, `${name}: net exposure on the simulators`);
    assert.equal(csvNet(rows, 'backpack'), position(sim, 'backpack'), `${name}: CSV sums to the Backpack position`);
    assert.equal(csvNet(rows, 'lighter'), position(sim, 'lighter'), `${name}: CSV sums to the Lighter position`);
    assertCsvMatchesFills(rows, sim, assert);
    const log = readLog(bot.logDir);
    assert.doesNotMatch(log, /21104/, `${name}: no invalid nonce`);
    assert.doesNotMatch(log, /23000|Too Many Requests/, `${name}: the bot kept within the venue's request budget`);
    const nonces = sim.lighterSim.acceptedTxs.map((t) => t.nonce);
    assert.deepEqual(nonces, [...nonces.keys()], `${name}: every nonce used once, in order`);
    return { sim, bot, log };
  } finally {
    await bot.stop();
    await sim.stop();
  }
}

const states = (bot: BotRun) => readCsv(bot.logDir, 'trades').map((r) => [r.kind, r.backpack_state, r.lighter_state]);

for (const shape of ['sendtx_code', 'sendtx_code_no_id', 'type_error', 'bare_error'] as const satisfies readonly LighterRejectionShape[]) {
  test(`a Lighter leg rejected as ${shape}: rejected with the venue's code, repaired, hedged`, async () => {
    const { bot, log } = await scenario(shape, async (sim) => {
      sim.faults.lighter.rejectionShape = shape;
      sim.faults.lighter.rejectNextOrderWith = 21733;
      longOpportunity(sim);
      await until('hedged after repair', () => filledLong(sim));
    });
    assert.deepEqual(states(bot), [
      ['entry', 'filled', 'rejected'],
      ['repair', '', 'filled'],
    ]);
    assert.match(log, /21733 "accidental price"/);
  });
}

test("a rejection followed by more trades: later trades go through on the venue's nonces", async () => {
  const { bot } = await scenario('more trades', async (sim, b) => {
    sim.faults.lighter.rejectNextOrderWith = 21733;
    longOpportunity(sim);
    await until('hedged after repair', () => filledLong(sim));
    shortOpportunity(sim);
    await until('two short trades', () => entries(b).length === 3, 8000);
    assert.deepEqual([position(sim, 'backpack'), position(sim, 'lighter')], [-1000, 1000]);
  });
  assert.deepEqual(states(bot), [
    ['entry', 'filled', 'rejected'],
    ['repair', '', 'filled'],
    ['entry', 'filled', 'filled'],
    ['entry', 'filled', 'filled'],
  ]);
});

for (const [code, setting] of [
  [21120, /LIGHTER_CHAIN_ID/],
  [21136, /update backpack-lighter-arb/],
] as const) {
  test(`${code} on a Lighter leg: the hedge is repaired, the setting to check is named, and no entry opens afterwards`, async () => {
    const { bot, log } = await scenario(String(code), async (sim, b) => {
      sim.faults.lighter.rejectNextOrderWith = code;
      longOpportunity(sim);
      await until('hedged after repair', () => filledLong(sim));
      calm(sim);
      await new Promise((r) => setTimeout(r, 100));
      shortOpportunity(sim);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(entries(b).length, 1, 'entries stopped after the configuration failure');
    });
    assert.deepEqual(states(bot), [
      ['entry', 'filled', 'rejected'],
      ['repair', '', 'filled'],
    ]);
    assert.match(log, new RegExp(`${code} "`));
    assert.match(log, setting);
  });
}

for (const code of [29500, 29501]) {
  test(`${code} on a Lighter leg that executed: its true outcome (filled) is kept, nothing is repaired twice`, async () => {
    const { bot, log } = await scenario(String(code), async (sim) => {
      sim.faults.lighter.rejectNextOrderWith = code;
      longOpportunity(sim);
      await until('hedged', () => filledLong(sim));
      await new Promise((r) => setTimeout(r, 300));
    });
    assert.deepEqual(states(bot), [['entry', 'filled', 'filled']]);
    assert.match(log, new RegExp(String(code)));
  });
}

test('a timeout on Lighter (reply lost, streams silent): the leg is found filled in the history, and trading goes on', async () => {
  const { bot } = await scenario('timeout', async (sim, b) => {
    sim.faults.lighter.dropNextOrderReplies = 1;
    longOpportunity(sim);
    // The book frames of this moment are out; everything after them is held back for a while.
    const silentUntil = (sim.faults.lighter.silentUntil = Date.now() + 3500);
    await until('entry written', () => entries(b).length === 1, 10_000);
    assert.ok(filledLong(sim));
    await until('Lighter speaks again', () => Date.now() > silentUntil + 50);
    calm(sim);
    await new Promise((r) => setTimeout(r, 100));
    shortOpportunity(sim);
    await until('two short trades', () => entries(b).length === 3, 10_000);
  });
  assert.deepEqual(states(bot)[0], ['entry', 'filled', 'filled']);
  assert.match(readLog(bot.logDir), /not answered after \d+ ms; looking it up/);
});

test('acknowledged, then failed in the sequencer: the leg stays unknown (nothing filled), positions settle it, the hedge is repaired', async () => {
  const { bot, log } = await scenario('ack then fail', async (sim) => {
    sim.faults.lighter.ackThenFailNext = 1;
    longOpportunity(sim);
    await until('hedged after repair', () => filledLong(sim), 20_000);
  });
  const rows = readCsv(bot.logDir, 'trades');
  assert.deepEqual([rows[0].kind, rows[0].backpack_state, rows[0].lighter_state, rows[0].lighter_quantity], ['entry', 'filled', 'unknown', '0.00000']);
  assert.deepEqual(
    rows.slice(1).map((r) => [r.kind, r.lighter_state]),
    [['repair', 'filled']],
  );
  assert.match(log, /acknowledged but not confirmed by the account stream/);
});

test('one stuck Lighter leg never delays the hedge through the request budget (12 a minute on both sides)', async () => {
  const { bot, log } = await scenario(
    'stuck leg',
    async (sim) => {
      sim.faults.lighter.ackThenFailNext = 1;
      longOpportunity(sim);
      await until('hedged after repair', () => filledLong(sim), 20_000);
    },
    ['--lighter-requests-per-minute', '12'],
    12,
  );
  assert.deepEqual(
    states(bot).map((s) => s[0]),
    ['entry', 'repair'],
  );
  assert.doesNotMatch(log, /waits \d+ ms for a place in the request budget|budget of \d+ requests per minute .* is spent|backing off/, 'no order waited for want of a place');
});
