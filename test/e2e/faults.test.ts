// Issue 7 against the simulated venues: scripted books make one opportunity at a time, faults are
// armed on one venue, and every run must end hedged on the simulators' own books with a trades
// CSV that matches their fills row for row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LighterSigner } from '../../src/venues/lighter/signer/index.js';
import { SIM_CHAIN_ID, type SimVenues } from '../../src/sim/index.js';
import { assertCsvMatchesFills, calm, csvNet, longOpportunity, readCsv, readLog, setBooks, shortOpportunity, simVenues, startBot, until, type BotRun } from './harness.js';

const position = (sim: SimVenues, v: 'backpack' | 'lighter') => sim.engines[v].position(sim.accounts[v]).size;
const entries = (bot: BotRun) => readCsv(bot.logDir, 'trades').filter((r) => r.kind === 'entry');

/** Runs the bot with one position's worth of room, lets `act` play, stops, and checks the end state. */
async function scenario(name: string, act: (sim: SimVenues, bot: BotRun) => Promise<void>, flags: string[] = []): Promise<{ sim: SimVenues; bot: BotRun }> {
  const sim = await simVenues();
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
    return { sim, bot };
  } finally {
    await bot.stop();
    await sim.stop();
  }
}

const filledBoth = (sim: SimVenues) => position(sim, 'backpack') === 1000 && position(sim, 'lighter') === -1000;

test('a long and then a short opportunity are both traded; the position limit holds on both venues', async () => {
  await scenario('both directions', async (sim, bot) => {
    longOpportunity(sim);
    await until('long trade', () => filledBoth(sim));
    await new Promise((r) => setTimeout(r, 300)); // the opportunity lasts, the limit blocks a second trade
    assert.equal(entries(bot).length, 1);
    shortOpportunity(sim);
    await until('short trades written', () => entries(bot).length === 3, 5000);
    assert.deepEqual([position(sim, 'backpack'), position(sim, 'lighter')], [-1000, 1000]);
    assert.deepEqual(
      entries(bot).map((r) => r.direction),
      ['LONG_BACKPACK', 'SHORT_BACKPACK', 'SHORT_BACKPACK'],
    );
  });
});

test('a spread above the threshold that fees eat is skipped, and said so', async () => {
  const { bot } = await scenario('fees', async (sim, b) => {
    setBooks(sim, { bid: 999_990, ask: 1_000_000 }, { bid: 1_000_200, ask: 1_000_210 }); // 20 > 5, < 25 of fees
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(entries(b).length, 0);
  });
  assert.match(readLog(bot.logDir), /skipped: LONG_BACKPACK spread 20\.00 does not pay the fees/);
});

test('a stale Lighter feed blocks trading until it is fresh and valid again', async () => {
  await scenario(
    'stale',
    async (sim, bot) => {
      // Backpack keeps talking (a quote size flickers), so only Lighter goes stale.
      let flip = 0;
      let backpackAsk = 1_000_000;
      const backpackAlive = setInterval(() => {
        flip ^= 1;
        sim.engines.backpack.setHouseLiquidity(
          [[backpackAsk - 100, 100_000 + flip]],
          [
            [backpackAsk, 100_000],
            [backpackAsk + 10, 100_000],
          ],
        );
      }, 100);
      try {
        sim.faults.lighter.silentUntil = Date.now() + 1500;
        await new Promise((r) => setTimeout(r, 700));
        // Against the bot's last Lighter book (bid 99999.0) a Backpack ask of 99950.0 is a 49-dollar long spread,
        // but that Lighter book is older than --max-book-age-ms.
        backpackAsk = 999_500;
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(sim.engines.backpack.orders(sim.accounts.backpack).length, 0, 'no order on a stale book');
        await new Promise((r) => setTimeout(r, 400));
        // Lighter speaks again: its next frame breaks the nonce chain, the book is rebuilt, then traded.
        sim.engines.lighter.setHouseLiquidity([[999_990, 100_001]], [[1_000_000, 100_000]]);
        await until('trade once fresh', () => entries(bot).length === 1, 5000);
        assert.equal(entries(bot)[0].direction, 'LONG_BACKPACK');
      } finally {
        clearInterval(backpackAlive);
      }
    },
    ['--max-book-age-ms', '500'],
  );
});

test('one leg rejected (Lighter 21733): the missing leg is retried and the run ends hedged', async () => {
  const { bot } = await scenario('rejected leg', async (sim) => {
    sim.faults.lighter.rejectNextOrderWith = 21733;
    longOpportunity(sim);
    await until('hedged after repair', () => filledBoth(sim));
  });
  const rows = readCsv(bot.logDir, 'trades');
  assert.deepEqual(
    rows.map((r) => [r.kind, r.backpack_state, r.lighter_state]),
    [
      ['entry', 'filled', 'rejected'],
      ['repair', '', 'filled'],
    ],
  );
});

test('a partial fill on Backpack: the missing half is bought again', async () => {
  const { bot } = await scenario('partial', async (sim) => {
    sim.faults.backpack.partialFillNext = 0.5;
    longOpportunity(sim);
    await until('hedged after repair', () => filledBoth(sim));
  });
  const rows = readCsv(bot.logDir, 'trades');
  assert.deepEqual(
    rows.map((r) => [r.kind, r.backpack_state, r.backpack_quantity, r.lighter_quantity]),
    [
      ['entry', 'partial', '0.00500', '0.01000'],
      ['repair', 'filled', '0.00500', ''],
    ],
  );
});

test('a lost Backpack reply: the order stream settles the leg, with no lookup', async () => {
  const { bot } = await scenario('unknown', async (sim, b) => {
    sim.faults.backpack.dropNextOrderReplies = 1;
    longOpportunity(sim);
    await until('resolved', () => entries(b).length === 1, 8000);
  });
  assert.equal(entries(bot)[0].backpack_state, 'filled');
  const log = readLog(bot.logDir);
  assert.match(log, /already settled from the order stream, so not looking it up/);
  assert.doesNotMatch(log, /; looking it up/);
});

test('a lost Backpack reply while its stream is silent too: unknown until the deadline, then resolved by lookup', async () => {
  const { bot } = await scenario('unknown, silent stream', async (sim, b) => {
    sim.faults.backpack.dropNextOrderReplies = 1;
    sim.faults.backpack.silentUntil = Date.now() + 4000;
    longOpportunity(sim);
    await until('resolved', () => entries(b).length === 1, 8000);
  });
  assert.equal(entries(bot)[0].backpack_state, 'filled');
  assert.match(readLog(bot.logDir), /Backpack order clientId \d+: .*; looking it up/);
});

test('a WebSocket drop on Lighter mid-trade', async () => {
  await scenario('ws drop', async (sim) => {
    sim.faults.lighter.frameLatencyMs = 50;
    longOpportunity(sim);
    await new Promise((r) => setTimeout(r, 60));
    sim.faults.lighter.dropConnections = true;
    sim.faults.lighter.frameLatencyMs = 0;
    await until('hedged', () => filledBoth(sim), 8000);
  });
});

test('a sequence gap on Backpack mid-trade', async () => {
  await scenario('gap', async (sim) => {
    sim.faults.backpack.skipSequence = 5;
    longOpportunity(sim);
    await until('hedged', () => filledBoth(sim), 5000);
  });
});

test('a 503 period on Backpack: the leg fails, entries wait, the hedge is repaired when it is back', async () => {
  await scenario('503', async (sim) => {
    sim.faults.backpack.unavailableUntil = Date.now() + 1500;
    longOpportunity(sim);
    await until('hedged after the outage', () => filledBoth(sim), 15_000);
  });
});

test('an invalid nonce on Lighter (another client used it) is recovered by re-signing', async () => {
  const { sim } = await scenario('nonce', async (s) => {
    const c = s.credentials;
    const other = new LighterSigner({ privateKey: c.lighterPrivateKey, chainId: SIM_CHAIN_ID, accountIndex: c.lighterAccountIndex, apiKeyIndex: c.lighterApiKeyIndex });
    const next = (await (await fetch(`${s.lighter.apiUrl}/api/v1/nextNonce?account_index=${c.lighterAccountIndex}&api_key_index=${c.lighterApiKeyIndex}`)).json()) as {
      nonce: number;
    };
    const tx = other.signCancelAllOrders({ timeInForce: 0, time: 0, nonce: next.nonce });
    assert.equal((await fetch(`${s.lighter.apiUrl}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: String(tx.txType), tx_info: tx.txInfo }) })).status, 200);
    longOpportunity(s);
    await until('hedged', () => filledBoth(s), 5000);
  });
  const nonces = sim.lighterSim.acceptedTxs.map((t) => t.nonce);
  assert.deepEqual(nonces, [...nonces.keys()], 'every nonce used once, in order');
});

test('a clean stop in the middle of a trade resolves the legs and exits 0', async () => {
  const sim = await simVenues();
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01']);
  try {
    await bot.engine;
    sim.faults.backpack.replyDelayMs = 400;
    longOpportunity(sim);
    await until('trade sent', () => sim.engines.lighter.orders(sim.accounts.lighter).length > 0);
    const t0 = Date.now();
    assert.equal(await bot.stop('SIGINT'), 0);
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(position(sim, 'backpack') + position(sim, 'lighter'), 0);
    assert.equal(entries(bot).length, 1);
    assert.match(readLog(bot.logDir), /stopping \(SIGINT\)[\s\S]*summary: 1 trades, 1 succeeded/);
  } finally {
    await sim.stop();
  }
});

test('a restart picks up a hedged position; an unhedged one is refused unless --allow-unhedged-start', async () => {
  const sim = await simVenues();
  calm(sim);
  try {
    const first = startBot(sim, ['--max-position', '0.01']);
    await first.engine;
    longOpportunity(sim);
    await until('trade', () => filledBoth(sim));
    calm(sim);
    assert.equal(await first.stop(), 0);

    const second = startBot(sim, ['--max-position', '0.01'], first.logDir);
    const engine = await second.engine;
    assert.deepEqual(engine.positions(), { backpack: 1000, lighter: -1000 });
    longOpportunity(sim);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(entries(second).length, 1, 'the picked-up position counts against --max-position: no new entry');
    calm(sim);
    assert.equal(await second.stop(), 0);
    assert.match(readLog(second.logDir), /picked up a hedged position: Backpack 0\.01000, Lighter -0\.01000/);

    // Someone sells 0.01 on Lighter by hand: now short 0.01 net.
    sim.engines.lighter.place({ account: sim.accounts.lighter, side: 'sell', type: 'market', size: 1000, timeInForce: 'IOC' });
    const refused = startBot(sim, [], first.logDir);
    assert.equal(await refused.exit, 1);
    assert.match(readLog(refused.logDir), /not hedged \(Backpack 0\.01000, Lighter -0\.02000, net -0\.01000\) — flatten them first, or start with --allow-unhedged-start/);

    const repairing = startBot(sim, ['--allow-unhedged-start'], first.logDir);
    await repairing.engine;
    await until('repaired', () => position(sim, 'backpack') + position(sim, 'lighter') === 0, 5000);
    assert.equal(await repairing.stop(), 0);
  } finally {
    await sim.stop();
  }
});

test('a spent Lighter transaction budget blocks entries instead of sending a lone Backpack leg', async () => {
  const { sim, bot } = await scenario(
    'budget',
    async (s, b) => {
      longOpportunity(s);
      await until('first trade', () => entries(b).length === 1);
      await new Promise((r) => setTimeout(r, 400)); // the opportunity lasts; the entries' share of the budget is spent
    },
    ['--max-position', '0.05', '--lighter-tx-per-minute', '8'],
  ); // start-up takes 6 of the 7 places entries may use (one is kept for repairs)
  assert.equal(sim.engines.backpack.orders(sim.accounts.backpack).length, 1, 'no second Backpack order');
  assert.deepEqual(
    readCsv(bot.logDir, 'trades').map((r) => r.kind),
    ['entry'],
  );
});

test('kill switch: three failed trades within a minute halt entries loudly, and the run still ends flat', async () => {
  const { bot, sim } = await scenario(
    'kill switch',
    async (s, b) => {
      // Every Lighter order now falls outside its price band (21733): each entry fails and is unwound.
      s.engines.lighter.market.priceBandBps = 1;
      let flip = 0;
      const lighterAlive = setInterval(() => {
        flip ^= 1;
        s.engines.lighter.setHouseLiquidity([[1_000_400, 100_000 + flip]], [[1_000_410, 100_000]]);
      }, 50);
      try {
        s.engines.backpack.setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
        await until('halted', () => readLog(b.logDir).includes('ENTRIES HALTED: 3 failed trades within 60 s'), 10_000);
        const entriesAtHalt = entries(b).length;
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(entries(b).length, entriesAtHalt, 'no entry while halted, though the spread is still there');
      } finally {
        clearInterval(lighterAlive);
      }
    },
    ['--max-position', '0.05'],
  );
  assert.equal(entries(bot).length, 3);
  assert.equal(position(sim, 'backpack'), 0, 'each failed entry was unwound on Backpack');
});
