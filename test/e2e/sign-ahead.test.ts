// The bound a leg goes out with, through the real adapters against the simulators: with the default
// --sign-ahead-bound threshold the leg of the venue whose book made the opportunity is the order
// signed ahead at the threshold level's bound; with --sign-ahead-bound book it carries the bound of
// the book the decision saw. The other leg is the order signed ahead for its unmoved book either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longOpportunity, readCsv, setBooks, simVenues, startBot, until } from './harness.js';

// Backpack asks 100000.0 for 0.01 (2.5 bps taker fee, 0.25 USD); Lighter is fee-free. A Lighter sell
// of 0.01 only just pays at 100025.1 (tick 0.1): its bound, 20 bps lower on the tick, is 99825.0.
// Lighter's bid then jumps to 100040.0, whose own bound would be 99839.9. Backpack buys up to
// 100000.0 + 20 bps = 100200.0.
const cases: Array<[string, string[], number]> = [
  ['threshold (default)', [], 998_250],
  ['book', ['--sign-ahead-bound', 'book'], 998_399],
];

for (const [name, flags, lighterBound] of cases) {
  test(`--sign-ahead-bound ${name}: a moved Lighter book sends the Lighter sell bounded at ${lighterBound / 10}`, async () => {
    const sim = await simVenues();
    setBooks(sim, { bid: 999_990, ask: 1_000_000 }, { bid: 999_990, ask: 1_000_000 });
    const bot = startBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '5000', ...flags]);
    try {
      const engine = await bot.engine;
      let judged = 0;
      engine.observe({ decision: () => judged++ });
      // A calm frame judged while running: the orders for these books are signed ahead right after it.
      setBooks(sim, { bid: 999_980, ask: 1_000_000 }, { bid: 999_980, ask: 1_000_000 });
      await until('calm books judged', () => judged > 0);
      await new Promise((r) => setImmediate(r));
      longOpportunity(sim);
      await until('trade', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry'));
      const entry = readCsv(bot.logDir, 'trades').find((r) => r.kind === 'entry')!;
      assert.deepEqual([entry.backpack_state, entry.lighter_state], ['filled', 'filled']);
      const sell = sim.engines.lighter.orders(sim.accounts.lighter).filter((o) => o.side === 'sell');
      const buy = sim.engines.backpack.orders(sim.accounts.backpack).filter((o) => o.side === 'buy');
      assert.deepEqual(
        sell.map((o) => o.price),
        [lighterBound],
      );
      assert.deepEqual(
        buy.map((o) => o.price),
        [1_002_000],
      );
      assert.equal(await bot.stop(), 0);
    } finally {
      await bot.stop();
      await sim.stop();
    }
  });
}
