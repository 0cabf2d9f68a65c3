// The worst-price clamp into Backpack's price bands: exact integers, on the tick grid, rounded
// inward, each band around the side of the book (or the mark) that makes it narrowest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { example } from './fixtures.js';
import { clampIntoBands, parsePriceBands } from '../../../src/venues/backpack/price-bands.js';
import { VenueError } from '../../../src/venues/venue.js';

const btc = (example('markets') as Array<{ filters: { price: Record<string, unknown> } }>)[0].filters.price;
const bands = parsePriceBands(btc, 'BTC_USDC_PERP', 1);
const book = { bestBid: 970_090, bestAsk: 970_109 };

test('the captured BTC filters parse into exact fractions and grid prices', () => {
  assert.deepEqual(bands, {
    minPrice: 1,
    maxPrice: 10_000_000,
    lastActive: { min: { num: 75, den: 100 }, max: { num: 125, den: 100 } },
    impact: { min: { num: 97, den: 100 }, max: { num: 103, den: 100 } },
    meanMark: { min: { num: 9, den: 10 }, max: { num: 11, den: 10 } },
  });
  assert.deepEqual(parsePriceBands({ tickSize: '0.1' }, 'X', 1), {
    minPrice: undefined,
    maxPrice: undefined,
    lastActive: { min: undefined, max: undefined },
    impact: { min: undefined, max: undefined },
    meanMark: { min: undefined, max: undefined },
  });
});

test('a buy is clamped below every ceiling: the impact bound from the ask, rounded down onto the grid', () => {
  // Ceilings: last active 970_090 · 1.25 = 1_212_612.5, impact 970_109 · 1.03 = 999_212.27, mark 970_090 · 1.1 = 1_067_099.
  assert.equal(clampIntoBands('buy', 2_000_000, bands, 1, book), 999_212);
  assert.equal(clampIntoBands('buy', 2_000_000, bands, 5, book), 999_210, 'a coarser tick rounds further down');
  assert.equal(clampIntoBands('buy', 971_000, bands, 1, book), 971_000, 'a bound inside every band is kept');
  assert.equal(clampIntoBands('buy', 2_000_000, bands, 1, { ...book, markPrice: 900_000 }), 990_000, 'a mark below the book narrows the mark band');
  assert.equal(clampIntoBands('buy', 20_000_000, bands, 1, {}), 10_000_000, 'with no book only maxPrice applies');
});

test('a sell is clamped above every floor: the impact bound from the bid, rounded up onto the grid', () => {
  // Floors: last active 970_109 · 0.75 = 727_581.75, impact 970_090 · 0.97 = 940_987.3, mark 970_109 · 0.9 = 873_098.1.
  assert.equal(clampIntoBands('sell', 1, bands, 1, book), 940_988);
  assert.equal(clampIntoBands('sell', 1, bands, 5, book), 940_990);
  assert.equal(clampIntoBands('sell', 969_000, bands, 1, book), 969_000);
  assert.equal(clampIntoBands('sell', 1, bands, 1, { ...book, markPrice: 1_100_000 }), 990_000, 'a mark above the book narrows the mark band');
  assert.equal(clampIntoBands('sell', 0, bands, 1, {}), 1, 'with no book only minPrice applies');
});

test('a malformed band is refused naming the field', () => {
  assert.throws(
    () => parsePriceBands({ ...btc, maxImpactMultiplier: '1.0x' }, 'BTC_USDC_PERP', 1),
    (e: unknown) =>
      e instanceof VenueError && e.kind === 'protocol' && e.message === 'Backpack market BTC_USDC_PERP filters.price.maxImpactMultiplier "1.0x" is not a positive decimal string',
  );
  assert.throws(
    () => parsePriceBands({ ...btc, meanMarkPriceBand: { maxMultiplier: 1.1, minMultiplier: '0.9' } }, 'BTC_USDC_PERP', 1),
    /filters\.price\.meanMarkPriceBand\.maxMultiplier 1\.1 is not a positive decimal string/,
  );
  assert.throws(() => parsePriceBands({ ...btc, maxPrice: '1e9' }, 'BTC_USDC_PERP', 1), /filters\.price\.maxPrice "1e9" is not a decimal string/);
});

test('the grid rounding is exact in doubles and in bigint alike, at the edges of each', () => {
  const m = { num: 103, den: 100 };
  const slow = (ref: number, tick: number, up: boolean) => {
    const q = BigInt(ref) * 103n;
    const d = 100n * BigInt(tick);
    return Number((up ? (q + d - 1n) / d : q / d) * BigInt(tick));
  };
  const b = { lastActive: {}, impact: { max: m, min: m }, meanMark: {} };
  for (const ref of [1, 99, 100, 970_109, 999_999_999, 12_345_678_901, 87_000_000_000_000, 87_000_000_000_033, 87_500_000_000_001, 1_000_000_000_000_003]) {
    for (const tick of [1, 3, 5, 100]) {
      assert.equal(clampIntoBands('buy', Number.MAX_SAFE_INTEGER, b, tick, { bestAsk: ref }), slow(ref, tick, false), `buy ${ref} ${tick}`);
      assert.equal(clampIntoBands('sell', 0, b, tick, { bestBid: ref }), slow(ref, tick, true), `sell ${ref} ${tick}`);
    }
  }
});
