// The bound a leg goes out with, through the real adapters against the simulators: with the default
// --sign-ahead-bound threshold the leg of the venue whose book made the opportunity is the order
// signed ahead at the threshold level's bound; with --sign-ahead-bound book it carries the bound of
// the book the decision saw. The other leg is the order signed ahead for its unmoved book either way.
// Both directions, so both venues' moved legs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longOpportunity, readCsv, setBooks, shortOpportunity, simVenues, startBot, until } from './harness.js';

// Both books calm at bid 99998.0 / ask 100000.0; Backpack's taker fee is 2.5 bps (0.25 USD on 0.01),
// Lighter is fee-free. A Lighter sell of 0.01 against the Backpack buy at 100000.0 only just pays at
// 100025.1 (tick 0.1); so does a Backpack sell against the Lighter buy at 100000.0 (its own fee grows
// with its price). Either bound, 20 bps lower on the tick, is 99825.0. The moved book's bid is then
// 100040.0, whose own bound would be 99839.9; the unmoved venue's buy goes out at its book's bound,
// 100000.0 + 20 bps = 100200.0.
const cases: Array<[string, 'lighter' | 'backpack', string[], number]> = [
  ['threshold (default)', 'lighter', [], 998_250],
  ['book', 'lighter', ['--sign-ahead-bound', 'book'], 998_399],
  ['threshold (default)', 'backpack', [], 998_250],
  ['book', 'backpack', ['--sign-ahead-bound', 'book'], 998_399],
];

for (const [name, moved, flags, sellBound] of cases) {
  test(`--sign-ahead-bound ${name}: a moved ${moved} book sends its sell bounded at ${sellBound / 10}, the other venue's buy at its book's bound`, async () => {
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
      if (moved === 'lighter') longOpportunity(sim);
      else shortOpportunity(sim);
      await until('trade', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry'));
      const entry = readCsv(bot.logDir, 'trades').find((r) => r.kind === 'entry')!;
      assert.deepEqual([entry.backpack_state, entry.lighter_state], ['filled', 'filled']);
      const other = moved === 'lighter' ? 'backpack' : 'lighter';
      const sells = sim.engines[moved].orders(sim.accounts[moved]).filter((o) => o.side === 'sell');
      const buys = sim.engines[other].orders(sim.accounts[other]).filter((o) => o.side === 'buy');
      assert.deepEqual(
        sells.map((o) => o.price),
        [sellBound],
      );
      assert.deepEqual(
        buys.map((o) => o.price),
        [1_002_000],
      );
      // The trades CSV shows the bounds as sent.
      const sellText = (sellBound / 10).toFixed(1);
      assert.deepEqual([entry.backpack_worst_price, entry.lighter_worst_price], moved === 'lighter' ? ['100200.0', sellText] : [sellText, '100200.0']);
      assert.equal(await bot.stop(), 0);
    } finally {
      await bot.stop();
      await sim.stop();
    }
  });
}
