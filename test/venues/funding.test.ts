// The funding parsers of both venues' messages modules take any JSON value, never throw, and
// accept only what is valid (fuzzed, bounded runs); real shapes read exactly; and the exact
// arithmetic the start-up line and the simulators use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFundingHistory, readMarkPrices } from '../../src/venues/backpack/messages.js';
import { readLighterFundingRate, readMarketStatsFunding, readPositionFundings } from '../../src/venues/lighter/messages.js';
import { harsherAmount, numberText } from '../../src/venues/lighter/funding.js';
import { divNearest, formatUsd, fundingPerDay, percentToFraction, type FundingRateNow } from '../../src/venues/funding.js';
import { hourlyFromEightHour } from '../../src/sim/funding.js';
import type { Parsed } from '../../src/venues/messages.js';

const RUNS = { numRuns: 300, seed: 17 };
const SIGNED = /^-?\d+(\.\d+)?$/;

const wild = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 42, -1, 1.5, NaN, '', '1', '-1', '1e3', 'NaN', '-0.0001', '2025-08-01T16:00:00', '2025-08-01', [], {}, 2 ** 53, '99999999999999999999'),
);
const backpackRow = fc.record(
  { userId: wild, subaccountId: wild, symbol: fc.oneof(wild, fc.constant('BTC_USDC_PERP')), quantity: wild, intervalEndTimestamp: wild, fundingRate: wild },
  { requiredKeys: [] },
);
const lighterRow = fc.record(
  {
    timestamp: fc.oneof(wild, fc.nat()),
    market_id: fc.oneof(wild, fc.constantFrom(0, 1)),
    funding_id: fc.oneof(wild, fc.nat()),
    change: wild,
    discount: wild,
    rate: wild,
    position_size: wild,
    position_side: wild,
  },
  { requiredKeys: [] },
);

/** Never throws, and returns a Parsed. */
function total<T>(parse: () => Parsed<T>): Parsed<T> {
  const out = parse();
  assert.ok(out.ok === true || (out.ok === false && typeof out.why === 'string' && out.why.length > 0));
  return out;
}

test('funding parsers take any value without throwing; what they accept is valid', () => {
  fc.assert(
    fc.property(fc.oneof(wild, fc.array(fc.oneof(backpackRow, wild), { maxLength: 4 })), (body) => {
      const h = total(() => readFundingHistory(body, 'BTC_USDC_PERP'));
      if (h.ok) for (const r of h.value) assert.ok(r.symbol === 'BTC_USDC_PERP' && SIGNED.test(r.quantity) && SIGNED.test(r.fundingRate) && Number.isFinite(r.at));
      const m = total(() => readMarkPrices(body, 'BTC_USDC_PERP'));
      if (m.ok) assert.ok(/^\d+(\.\d+)?$/.test(m.value.markPrice) && SIGNED.test(m.value.fundingRate));
    }),
    RUNS,
  );
  fc.assert(
    fc.property(
      fc.oneof(
        wild,
        fc.record({ code: wild, position_fundings: fc.oneof(wild, fc.array(fc.oneof(lighterRow, wild), { maxLength: 4 })), funding_rates: wild }, { requiredKeys: [] }),
      ),
      (body) => {
        const p = total(() => readPositionFundings(body, 1));
        if (p.ok) for (const r of p.value) assert.ok(r.marketId === 1 && SIGNED.test(r.change) && SIGNED.test(r.rate) && Number.isSafeInteger(r.at) && r.at >= 1000);
        const rate = total(() => readLighterFundingRate(body, 1));
        if (rate.ok) assert.ok(Number.isFinite(rate.value));
      },
    ),
    RUNS,
  );
});

test("real shapes read exactly: Backpack's FundingPayment rows and markPrices, Lighter's position_fundings and funding_rates", () => {
  // CCXT backpack.js parseIncome sample row, and one of another market.
  const history = readFundingHistory(
    [
      { fundingRate: '0.0001', intervalEndTimestamp: '2025-08-01T16:00:00', quantity: '-0.001301', subaccountId: 0, symbol: 'ETH_USDC_PERP', userId: 1813870 },
      { fundingRate: '-0.0000125', intervalEndTimestamp: '2025-08-01T17:00:00', quantity: '0.25', subaccountId: null, symbol: 'BTC_USDC_PERP', userId: 1 },
    ],
    'BTC_USDC_PERP',
  );
  assert.deepEqual(history, { ok: true, value: [{ symbol: 'BTC_USDC_PERP', quantity: '0.25', at: Date.UTC(2025, 7, 1, 17), fundingRate: '-0.0000125' }] });
  // Any unreadable row refuses the whole reply, ours or not: nothing is summed from half a history.
  assert.equal(readFundingHistory([{ symbol: 'ETH_USDC_PERP', quantity: 'NaN', intervalEndTimestamp: '2025-08-01T16:00:00', fundingRate: '0' }], 'BTC_USDC_PERP').ok, false);
  assert.deepEqual(
    readMarkPrices([{ symbol: 'BTC_USDC_PERP', markPrice: '99999.5', indexPrice: '1', fundingRate: '0.0001', nextFundingTimestamp: 1753113600000 }], 'BTC_USDC_PERP'),
    {
      ok: true,
      value: { markPrice: '99999.5', fundingRate: '0.0001', nextFundingTimestamp: 1753113600000 },
    },
  );
  const lighter = readPositionFundings(
    {
      code: 200,
      position_fundings: [
        { timestamp: 1763532000004, market_id: 1, funding_id: 7, change: '-0.100000', discount: '0', rate: '0.0001', position_size: '0.01000', position_side: 'long' },
        { timestamp: 1763535600, market_id: 1, funding_id: 8, change: '0.05', discount: '0', rate: '-0.00005', position_size: '0.01000', position_side: 'long' },
        { timestamp: 1763535600, market_id: 0, funding_id: 9, change: '1', discount: '0', rate: '0', position_size: '1', position_side: 'short' },
      ],
      next_cursor: null,
    },
    1,
  );
  assert.deepEqual(lighter, {
    ok: true,
    value: [
      { marketId: 1, fundingId: 7, at: 1763532000004, change: '-0.100000', rate: '0.0001', side: 'long' },
      { marketId: 1, fundingId: 8, at: 1763535600000, change: '0.05', rate: '-0.00005', side: 'long' },
    ],
  });
  const rates = {
    funding_rates: [
      { market_id: 1, exchange: 'binance', symbol: 'BTC', rate: 0.5 },
      { market_id: 1, exchange: 'lighter', symbol: 'BTC', rate: -0.0008 },
    ],
  };
  assert.deepEqual(readLighterFundingRate(rates, 1), { ok: true, value: -0.0008 });
  assert.equal(readLighterFundingRate(rates, 2).ok, false);
});

test('per day, exactly: −position × mid × rate × (day / period), rounded to nearest at 12 decimals', () => {
  const rate = (r: string, hours: number): FundingRateNow => ({ venue: 'backpack', market: 'BTC_USDC_PERP', rate: r, periodMs: hours * 3_600_000, settleEveryMs: 3_600_000 });
  // 0.01 BTC long at 99999.5, 1 bp an hour: pays 0.0999995 an hour, 2.399988 a day.
  assert.equal(fundingPerDay(1000, 5, 1_999_990, 1, rate('0.0001', 1)), -2_399_988_000_000n);
  // A short at a negative rate pays: −16 bp over eight hours on 0.01 at 99999.5 is 4.799976 a day.
  assert.equal(fundingPerDay(-1000, 5, 1_999_990, 1, rate('-0.0016', 8)), -4_799_976_000_000n);
  // A mid between ticks stays exact: 1 unit at 0.15 (bid 0.1, ask 0.2), 1 % per 24 h = 0.0015.
  assert.equal(fundingPerDay(1, 0, 3, 1, rate('-0.01', 24)), 1_500_000_000n);
  assert.equal(formatUsd(-2_399_988_000_000n), '-2.399988');
  assert.equal(formatUsd(1_500_000_000n, true), '+0.001500');
  assert.equal(formatUsd(1n), '0.000000000001');
  assert.deepEqual([divNearest(5n, 2n), divNearest(-5n, 2n), divNearest(4n, 3n), divNearest(-4n, 3n)], [3n, -3n, 1n, -1n]);
});

test("Lighter's eight-hour rate as one hourly settlement, exactly; numbers as decimal text without exponents", () => {
  assert.equal(hourlyFromEightHour(0.0008), '0.0001');
  assert.equal(hourlyFromEightHour(-0.0016), '-0.0002');
  assert.equal(hourlyFromEightHour(0.0000125), '0.0000015625');
  assert.equal(hourlyFromEightHour('0.00000001'), '0.00000000125');
  assert.deepEqual(
    [numberText(1e-7), numberText(-2.5e-8), numberText(0.0008), numberText(1e21), numberText(12)],
    ['0.0000001', '-0.000000025', '0.0008', '1000000000000000000000', '12'],
  );
});

test("Lighter's positionFunding sign, the harsher reading: received only when change, side and rate all say so", () => {
  // A short at a positive rate, or a long at a negative one, is paid: change > 0 is received.
  assert.equal(harsherAmount('0.099999', 'short', '0.0001'), 99_999_000_000n);
  assert.equal(harsherAmount('0.05', 'long', '-0.00005'), 50_000_000_000n);
  // Paid by both readings.
  assert.equal(harsherAmount('-0.100000', 'long', '0.0001'), -100_000_000_000n);
  // The docs' own example row (WebSocket reference › Account All: a long, rate 0.0001, change 0.001)
  // says received while the side and rate say paid: counted as paid.
  assert.equal(harsherAmount('0.001', 'long', '0.0001'), -1_000_000_000n);
  // A negative change is paid whatever the side says.
  assert.equal(harsherAmount('-0.001', 'short', '0.0001'), -1_000_000_000n);
  // At a zero rate the change's sign decides.
  assert.equal(harsherAmount('0.001', 'long', '0'), 1_000_000_000n);
});

test("Lighter's market_stats funding: the docs' example read exactly, per market and from market_stats/all; percent for the hour as a fraction", () => {
  // Lighter API docs, WebSocket reference › Market Stats, example response.
  const frame = {
    channel: 'market_stats:0',
    market_stats: {
      symbol: 'ETH',
      market_id: 0,
      index_price: '2965.30',
      mark_price: '2963.63',
      open_interest: '185926683.471886',
      open_interest_limit: '72057594037927936.000000',
      funding_clamp_small: '0.0500',
      funding_clamp_big: '4.0000',
      last_trade_price: '2963.67',
      current_funding_rate: '-0.0005',
      funding_rate: '0.0011',
      funding_timestamp: 1769187600001,
      daily_base_token_volume: 296009.9355,
      daily_quote_token_volume: 870882976.341333,
      daily_price_low: 2888.37,
      daily_price_high: 2984,
      daily_price_change: 0.830824189844348,
    },
    timestamp: 1773158679717,
    type: 'update/market_stats',
  };
  const one = { marketId: 0, predictedPct: '-0.0005', lastPct: '0.0011', lastAt: 1769187600001 };
  assert.deepEqual(readMarketStatsFunding(frame, 0), { ok: true, value: one });
  assert.equal(readMarketStatsFunding(frame, 1).ok, false, 'another market is refused');
  const all = { channel: 'market_stats:all', market_stats: { '0': frame.market_stats }, type: 'update/market_stats' };
  assert.deepEqual(readMarketStatsFunding(all, 0), { ok: true, value: one });
  assert.deepEqual(readMarketStatsFunding(all, 3), { ok: true, value: undefined }, 'a market the update does not carry');
  assert.equal(readMarketStatsFunding({ ...frame, market_stats: { ...frame.market_stats, current_funding_rate: -0.0005 } }, 0).ok, false);
  assert.equal(percentToFraction('-0.0005'), '-0.000005');
  assert.equal(percentToFraction('0.0012'), '0.000012');
  assert.equal(percentToFraction('1'), '0.01');
});
