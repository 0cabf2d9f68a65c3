import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarketGenerator, ScriptedMarket } from '../../src/sim/market.js';
import { simMarketSpecs } from '../../src/sim/markets.js';
import { createMatchingEngine } from '../../src/sim/matching.js';

const specs = simMarketSpecs('BTC');

function frames(seed: number, n: number) {
  const g = new MarketGenerator({ ...specs, seed });
  return Array.from({ length: n }, (_, i) => g.next(i * 100));
}

test('the same seed gives the same frames, another seed others', () => {
  assert.deepEqual(frames(3, 200), frames(3, 200));
  assert.notDeepEqual(frames(3, 200), frames(4, 200));
});

test('books are on each venue grid, sorted best first and never crossed', () => {
  for (const f of frames(11, 2000)) {
    for (const venue of ['backpack', 'lighter'] as const) {
      const spec = specs[venue];
      const { bids, asks } = f[venue];
      assert.ok(bids[0][0] < asks[0][0]);
      for (let i = 1; i < bids.length; i++) assert.ok(bids[i][0] < bids[i - 1][0] && asks[i][0] > asks[i - 1][0]);
      for (const [p, s] of [...bids, ...asks]) {
        assert.equal(p % spec.tickSize, 0);
        assert.equal(s % spec.stepSize, 0);
        assert.ok(s >= spec.minSize);
      }
    }
  }
});

test('cross-venue spreads beating 5 USD plus the Backpack taker fee come in both directions, but not most of the time', () => {
  // 10 simulated minutes at the default rates (seed 7): measured 47 long and 42 short episodes, 8.9% of steps.
  let long = 0;
  let short = 0;
  let episodesLong = 0;
  let episodesShort = 0;
  let wasLong = false;
  let wasShort = false;
  const all = frames(7, 6000);
  for (const f of all) {
    const bBid = f.backpack.bids[0][0];
    const bAsk = f.backpack.asks[0][0];
    const lBid = f.lighter.bids[0][0];
    const lAsk = f.lighter.asks[0][0];
    const isLong = lBid - bAsk > 50 && lBid - bAsk > (bAsk * 2.5) / 10_000;
    const isShort = bBid - lAsk > 50 && bBid - lAsk > (bBid * 2.5) / 10_000;
    if (isLong) long++;
    if (isShort) short++;
    if (isLong && !wasLong) episodesLong++;
    if (isShort && !wasShort) episodesShort++;
    wasLong = isLong;
    wasShort = isShort;
  }
  assert.equal(episodesLong, 47);
  assert.equal(episodesShort, 42);
  assert.equal(long + short, 534);
});

test('a scripted market sets exact books on both engines, step by step', () => {
  const engines = { backpack: createMatchingEngine(specs.backpack), lighter: createMatchingEngine(specs.lighter) };
  const script = new ScriptedMarket(
    [
      { backpack: { bids: [[999_990, 100]], asks: [[1_000_000, 100]] }, lighter: { bids: [[1_000_100, 100]], asks: [[1_000_110, 100]] } },
      { backpack: { bids: [[999_000, 5]], asks: [[999_010, 7]] }, lighter: { bids: [[999_001, 9]], asks: [[999_020, 3]] } },
    ],
    engines,
  );
  assert.equal(script.advance(), true);
  assert.deepEqual(engines.lighter.levels('bid'), [[1_000_100, 100]]);
  assert.equal(script.advance(), true);
  assert.deepEqual(engines.backpack.levels('bid'), [[999_000, 5]]);
  assert.deepEqual(engines.backpack.levels('ask'), [[999_010, 7]]);
  assert.deepEqual(engines.lighter.levels('ask'), [[999_020, 3]]);
  assert.equal(script.advance(), false);
});

test('an unknown base is refused with the list of simulated ones', () => {
  assert.throws(() => simMarketSpecs('DOGE'), /list ETH, BTC, SOL, not DOGE/);
});
