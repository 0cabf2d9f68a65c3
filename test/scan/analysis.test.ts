import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarketSampler, annualisedPct, buyNotional, commonScales, commonSizeStep, executableSpreadBps, fillValue, pairBooks, percentile } from '../../src/scan/analysis.js';
import type { MarketPair } from '../../src/markets/symbols.js';

// Backpack PEPE_USDC_PERP (7 price decimals, step 100 PEPE) against Lighter 1000PEPE (6 price, 1 size decimals).
const PEPE: MarketPair = {
  asset: 'PEPE',
  backpack: { symbol: 'PEPE_USDC_PERP', base: 'PEPE', priceScale: 7, sizeScale: 0, stepUnits: 100n, multiplier: 1n },
  lighter: { symbol: '1000PEPE', marketId: 7, priceScale: 6, sizeScale: 1, multiplier: 1000n },
  shift: 3,
};

test('the common grid of a single-unit and a thousand-unit contract', () => {
  // Lighter's 0.000001 per 1000 PEPE is 0.000000001 per PEPE (9 decimals); its 0.1 contract is 100 PEPE.
  assert.deepEqual(commonScales(PEPE), { priceScale: 9, sizeScale: 0 });
  // Backpack's step of 100 and Lighter's 100 agree: 100.
  assert.equal(commonSizeStep(PEPE), 100n);
  assert.equal(commonSizeStep({ ...PEPE, backpack: { ...PEPE.backpack, stepUnits: 250n } }), 500n);
});

test('Lighter levels are moved onto Backpack contracts exactly', () => {
  const books = pairBooks(PEPE, { bids: [[120_000n, 5_000n]], asks: [] }, { bids: [[12_001n, 25n]], asks: [[12_034n, 10n]] });
  // Backpack 0.0120000 → 0.012000000; Lighter 0.012001 per 1000 → 0.000012001 per PEPE; 2.5 contracts → 2500 PEPE.
  assert.deepEqual(books.backpack.bids, [[12_000_000n, 5_000n]]);
  assert.deepEqual(books.lighter.bids, [[12_001n, 2_500n]]);
  assert.deepEqual(books.lighter.asks, [[12_034n, 1_000n]]);
});

test('buying a notional walks the book and rounds the size up to the common step', () => {
  const asks = [
    [100n, 3n],
    [110n, 10n],
  ] as const;
  // 1000 at scale 0 prices: 3 at 100 (300), then 700/110 → 7 (6.36 rounded up): size 10 for 1070.
  assert.deepEqual(buyNotional(asks, 1000n), { size: 10n, cost: 1070n });
  // On a step of 4: 12 for 300 + 9·110.
  assert.deepEqual(buyNotional(asks, 1000n, 4n), { size: 12n, cost: 1290n });
  assert.equal(buyNotional(asks, 2000n), undefined);
  assert.equal(buyNotional(asks, 1000n, 16n), undefined); // the step needs more than the book holds
  assert.equal(
    fillValue(
      [
        [99n, 4n],
        [98n, 100n],
      ],
      10n,
    ),
    4n * 99n + 6n * 98n,
  );
  assert.equal(fillValue([[99n, 4n]], 10n), undefined);
});

test('each direction buys the cheap venue and sells the dear one for the same size', () => {
  const books = { priceScale: 0, sizeScale: 0, backpack: { bids: [[99n, 100n]], asks: [[100n, 100n]] }, lighter: { bids: [[101n, 100n]], asks: [[102n, 100n]] } } as const;
  // Long Backpack: 10 bought at 100, sold at 101: +100 bps.
  assert.equal(executableSpreadBps(books, 'longBackpack', 1000n), 100);
  // Short Backpack: 10 bought at 102 (1020), sold at 99 (990): −294.117647 bps.
  assert.equal(executableSpreadBps(books, 'shortBackpack', 1000n), -294.117647);
});

test('the sampler counts shares over all samples and takes percentiles of the edges that beat the fees', () => {
  const s = new MarketSampler(1000n, 5);
  const book = (lighterBid: bigint) =>
    ({ priceScale: 0, sizeScale: 0, backpack: { bids: [[9_990n, 100n]], asks: [[10_000n, 100n]] }, lighter: { bids: [[lighterBid, 100n]], asks: [[20_000n, 100n]] } }) as const;
  // 1000 bought at 10000 → size 1; sold at 10 007 / 10 012 / 10 030 / 10 000: 7, 12, 30, 0 bps gross.
  for (const bid of [10_007n, 10_012n, 10_030n, 10_000n]) s.add(book(bid));
  s.add({ priceScale: 0, sizeScale: 0, backpack: { bids: [], asks: [] }, lighter: { bids: [], asks: [] } });
  assert.deepEqual(s.direction('longBackpack'), { executable: 4, beat: 3, beatShare: 0.6, p50EdgeBps: 7, p90EdgeBps: 25, maxEdgeBps: 25, bestGrossBps: 30 });
  assert.equal(s.samples, 5);
  assert.deepEqual(s.depth(), { backpackBid: 999_000, backpackAsk: 1_000_000, lighterBid: 1_000_700, lighterAsk: 2_000_000 });
});

test('percentiles by nearest rank; funding annualised from its interval', () => {
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
  assert.equal(percentile([4], 0.9), 4);
  assert.equal(percentile([], 0.5), undefined);
  assert.equal(annualisedPct(0.0001, 3_600_000), 87.6);
  assert.equal(annualisedPct(0.0001, 28_800_000), 10.95);
  assert.equal(annualisedPct(-0.00005, 3_600_000), -43.8);
});
