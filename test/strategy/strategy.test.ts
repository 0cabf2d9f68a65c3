import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderBook } from '../../src/core/orderbook.js';
import type { MarketSpec } from '../../src/venues/types.js';
import {
  decide,
  describeNoTrade,
  legFor,
  netExposure,
  spreads,
  startupWarnings,
  strategyParams,
  thresholdBound,
  thresholdBoundOn,
  thresholdLevel,
  topOfBookSignal,
  worstPrice,
  StrategyConfigError,
  type StrategyInput,
  type VenueView,
} from '../../src/strategy/index.js';

// Backpack BTC: tick 0.1 (price scale 1), step 0.00001 (size scale 5), taker 2.5 bps.
const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
// Lighter BTC on a coarser size grid (4 decimals) and finer prices (2 decimals), fee-free.
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 2, sizeScale: 4, tickSize: 1, stepSize: 1, minSize: 2, takerFeeBps: 0, makerFeeBps: 0 };
const INPUT: StrategyInput = { size: '0.01', longThreshold: '5', shortThreshold: '5', maxPosition: '0', minEdgeBps: 0, slippageBps: 20, maxBookAgeMs: 2000 };

function book(bids: Array<[number, number]>, asks: Array<[number, number]>): OrderBook {
  const b = new OrderBook();
  b.applySnapshot(bids, asks);
  return b;
}
const view = (b: OrderBook, position = 0, extra: Partial<VenueView> = {}): VenueView => ({ book: b, valid: true, ageMs: 10, position, ...extra });

test('parameters land on both grids at a common scale', () => {
  const p = strategyParams(INPUT, BP, LT);
  assert.deepEqual([p.priceScale, p.sizeScale], [2, 5]);
  assert.deepEqual(p.size, { backpack: 1000, lighter: 100, common: 1000 });
  assert.deepEqual([p.longThreshold, p.shortThreshold], [500, 500]);
  assert.equal(p.maxPosition, undefined);
  assert.deepEqual(strategyParams({ ...INPUT, maxPosition: '0.02' }, BP, LT).maxPosition, { backpack: 2000, lighter: 200 });
  assert.throws(
    () => strategyParams({ ...INPUT, size: '0.00015' }, BP, LT),
    (e: Error) => e instanceof StrategyConfigError && /more decimals than lighter BTC allows \(4\)/.test(e.message),
  );
  assert.throws(() => strategyParams({ ...INPUT, size: '0.0001' }, BP, LT), /below the lighter minimum/);
});

test('LONG_BACKPACK needs Lighter bid − Backpack ask strictly above the threshold and above the fees', () => {
  const p = strategyParams({ ...INPUT, longThreshold: '30' }, BP, LT);
  const bp = book([[999_990, 10_000]], [[1_000_000, 10_000]]); // ask 100000.0
  // Lighter bid exactly 30 above: not strictly greater.
  assert.equal(decide(p, view(bp), view(book([[10_003_000, 1000]], [[10_003_100, 1000]]))).kind, 'none');
  // 30.01 above: trades. Fees: 2.5 bps of 1000 USD = 0.25; edge = 0.3001 − 0.25.
  const d = decide(p, view(bp), view(book([[10_003_001, 1000]], [[10_003_100, 1000]])));
  assert.equal(d.kind, 'trade');
  if (d.kind !== 'trade') return;
  assert.equal(d.intent.direction, 'LONG_BACKPACK');
  assert.deepEqual([d.intent.backpack.side, d.intent.backpack.size, d.intent.lighter.side, d.intent.lighter.size], ['buy', 1000, 'sell', 100]);
  assert.ok(Math.abs(d.intent.executableSpread - 30.01) < 1e-9);
  assert.ok(Math.abs(d.intent.expectedEdge - (0.3001 - 0.25)) < 1e-9);
  // Worst prices: 20 bps beyond the last level used, rounded away from the market to the tick.
  assert.equal(d.intent.backpack.worstPrice, 1_002_000);
  assert.equal(d.intent.lighter.worstPrice, Math.floor(10_003_001 * 0.998));
});

test('an opportunity that loses after fees is skipped with the reason', () => {
  const p = strategyParams(INPUT, BP, LT);
  const bp = book([[999_990, 10_000]], [[1_000_000, 10_000]]);
  const d = decide(p, view(bp), view(book([[10_002_000, 1000]], [[10_002_100, 1000]]))); // 20 > 5 but < 25 of fees per unit
  assert.equal(d.kind, 'none');
  assert.ok(d.kind === 'none' && d.reason.code === 'fees_exceed_edge');
  assert.deepEqual(
    { ...d.reason, edge: Math.round(d.reason.edge * 1e6) / 1e6, floor: d.reason.floor },
    { code: 'fees_exceed_edge', direction: 'LONG_BACKPACK', spread: 20, edge: -0.05, floor: 0 },
  );
  assert.match(describeNoTrade(d.reason), /^LONG_BACKPACK spread 20\.00 does not pay the fees/);
  // --min-edge-bps raises the floor above a spread that pays the fees.
  const rich = view(book([[10_003_000, 1000]], [[10_003_100, 1000]]));
  assert.equal(decide(p, view(bp), rich).kind, 'trade');
  assert.equal(decide(strategyParams({ ...INPUT, minEdgeBps: 1 }, BP, LT), view(bp), rich).kind, 'none');
});

test('the executable spread is the VWAP over the depth --size needs, not the top of book', () => {
  const p = strategyParams(INPUT, BP, LT);
  // Top of book: 40 apart, but Backpack has only 0.002 at 100000.0; the rest costs 100035.0.
  const bp = book(
    [[999_990, 10_000]],
    [
      [1_000_000, 200],
      [1_000_350, 10_000],
    ],
  );
  const lt = book([[10_004_000, 1000]], [[10_004_100, 1000]]);
  const s = spreads(p, bp, lt);
  assert.ok(Math.abs(s.rawLong - 40) < 1e-9);
  assert.ok(Math.abs(s.executableLong - (40 - 0.8 * 35)) < 1e-9); // VWAP 100028.0 → 12.0
  assert.equal(decide(p, view(bp), view(lt)).kind, 'none', '12 − 25 of fees does not pay');
  // Not enough depth: no trade at all.
  assert.equal(decide(p, view(book([[999_990, 10]], [[1_000_000, 10]])), view(lt)).kind, 'none');
});

test('SHORT_BACKPACK mirrors it', () => {
  const p = strategyParams(INPUT, BP, LT);
  const d = decide(p, view(book([[1_000_400, 10_000]], [[1_000_410, 10_000]])), view(book([[9_999_900, 1000]], [[10_000_000, 1000]])));
  assert.equal(d.kind, 'trade');
  if (d.kind === 'trade') assert.deepEqual([d.intent.direction, d.intent.backpack.side, d.intent.lighter.side], ['SHORT_BACKPACK', 'sell', 'buy']);
});

test('the position limit applies to both venues after the trade', () => {
  const p = strategyParams({ ...INPUT, maxPosition: '0.01' }, BP, LT);
  const bp = book([[999_990, 10_000]], [[1_000_000, 10_000]]);
  const lt = book([[10_004_000, 1000]], [[10_004_100, 1000]]);
  assert.equal(decide(p, view(bp, 0), view(lt, 0)).kind, 'trade');
  assert.deepEqual(decide(p, view(bp, 1000), view(lt, -100)), { kind: 'none', reason: { code: 'max_position', direction: 'LONG_BACKPACK' } });
  // A short Backpack position leaves room for a long trade.
  assert.equal(decide(p, view(bp, -1000), view(lt, 100)).kind, 'trade');
});

test('guards: invalid, crossed or stale books and open exposure block every decision', () => {
  const p = strategyParams(INPUT, BP, LT);
  const bp = book([[999_990, 10_000]], [[1_000_000, 10_000]]);
  const lt = book([[10_004_000, 1000]], [[10_004_100, 1000]]);
  const reason = (d: ReturnType<typeof decide>) => (d.kind === 'none' ? d.reason : 'trade');
  assert.deepEqual(reason(decide(p, view(bp, 0, { valid: false }), view(lt))), { code: 'book_invalid', venue: 'backpack' });
  assert.deepEqual(reason(decide(p, view(book([[1_000_010, 1]], [[1_000_000, 1]])), view(lt))), { code: 'book_crossed', venue: 'backpack' });
  assert.deepEqual(reason(decide(p, view(bp), view(lt, 0, { ageMs: 2001 }))), { code: 'book_stale', venue: 'lighter', ageMs: 2001 });
  assert.equal(describeNoTrade({ code: 'book_stale', venue: 'lighter', ageMs: 2001 }), 'Lighter book stale (2001 ms)');
  assert.deepEqual(reason(decide(p, view(bp, 1000), view(lt, 0))), { code: 'exposure_open' });
  assert.equal(reason(decide(p, view(bp, 1000), view(lt, -100))), 'trade', 'hedged positions are not exposure');
});

test('worst prices round away from the market onto the tick', () => {
  assert.equal(worstPrice(1_000_000, 'buy', BP, 20), 1_002_000);
  assert.equal(worstPrice(1_000_001, 'buy', { ...BP, tickSize: 5 }, 20), 1_002_005);
  assert.equal(worstPrice(1_000_001, 'sell', { ...BP, tickSize: 5 }, 20), 998_000); // 998000.998 down to the tick
});

test('worst prices are exact integers, also for a fractional --slippage-bps and on prices where a float would round', () => {
  // 2.5 bps on 100000.0 (1_000_000 at scale 1): 100025.0 exactly, on the 0.1 tick — no rounding needed either way.
  assert.equal(worstPrice(1_000_000, 'buy', BP, 2.5), 1_000_250);
  assert.equal(worstPrice(1_000_000, 'sell', BP, 2.5), 999_750);
  // A price where p·1.002 is an integer in exact arithmetic but not in floats: 4_294_967_000 · 1.002.
  const big: MarketSpec = { ...LT, tickSize: 1 };
  assert.equal(worstPrice(4_294_967_000, 'buy', big, 20), 4_303_556_934);
  assert.equal(worstPrice(4_294_967_000, 'sell', big, 20), 4_286_377_066);
  // Off-grid results go away from the market by less than one tick: 12_345 · 1.002 = 12_369.69.
  assert.equal(worstPrice(12_345, 'buy', { ...BP, tickSize: 10 }, 20), 12_370);
  assert.equal(worstPrice(12_345, 'sell', { ...BP, tickSize: 10 }, 20), 12_320); // 12_320.31 down to the tick
  // A sell bound never falls to zero or below.
  assert.equal(worstPrice(1, 'sell', BP, 9_999), 1);
});

test('SHORT_BACKPACK is strictly greater too, on the exact common scale', () => {
  const p = strategyParams({ ...INPUT, shortThreshold: '30' }, BP, LT);
  const lt = book([[9_999_900, 1000]], [[10_000_000, 1000]]); // Lighter ask 100000.00
  // Backpack bid 100030.0: exactly 30 → no trade; Backpack is on a 0.1 grid, so the next price is 100030.1.
  assert.equal(decide(p, view(book([[1_000_300, 10_000]], [[1_000_310, 10_000]])), view(lt)).kind, 'none');
  const d = decide(p, view(book([[1_000_301, 10_000]], [[1_000_310, 10_000]])), view(lt));
  assert.equal(d.kind, 'trade');
  if (d.kind === 'trade') {
    assert.equal(d.intent.direction, 'SHORT_BACKPACK');
    assert.ok(Math.abs(d.intent.rawSpread - 30.1) < 1e-9);
    // The buy on Lighter is bounded 20 bps above its ask; the sell on Backpack 20 bps below its bid, on the tick.
    assert.deepEqual([d.intent.lighter.worstPrice, d.intent.backpack.worstPrice], [10_020_000, 998_300]);
  }
});

test("the top-of-book signal for the BBO file is the reference's, strictly greater", () => {
  const p = strategyParams(INPUT, BP, LT);
  const bp = book([[999_990, 10_000]], [[1_000_000, 10_000]]);
  assert.equal(topOfBookSignal(p, bp, book([[10_000_500, 1]], [[10_000_600, 1]])), '', 'exactly 5 above');
  assert.equal(topOfBookSignal(p, bp, book([[10_000_501, 1]], [[10_000_600, 1]])), 'LONG_BACKPACK');
  assert.equal(topOfBookSignal(p, book([[1_000_051, 1]], [[1_000_060, 1]]), book([[9_999_000, 1]], [[10_000_000, 1]])), 'SHORT_BACKPACK');
  assert.equal(topOfBookSignal(p, new OrderBook(), book([[10_000_501, 1]], [[10_000_600, 1]])), '', 'no Backpack ask');
});

test('an empty book side blocks the decision; net exposure is measured on the common scale', () => {
  const p = strategyParams(INPUT, BP, LT);
  const lt = book([[10_004_000, 1000]], [[10_004_100, 1000]]);
  assert.deepEqual(decide(p, view(book([[999_990, 10_000]], [])), view(lt)), { kind: 'none', reason: { code: 'book_empty_side', venue: 'backpack' } });
  assert.equal(netExposure(p, 1000, -100), 0, '0.01 long on Backpack hedges 0.0100 short on Lighter');
  assert.equal(netExposure(p, 1000, -90), 100);
});

test('start-up: a threshold below the round-trip fees is reported; unusable limits are refused with the fix', () => {
  const p = strategyParams(INPUT, BP, LT); // 2.5 + 0 bps of 100000 = 25 per unit
  const warnings = startupWarnings(p, INPUT, 100_000);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /^\{longThreshold\} 5 is below the round-trip taker fees \(≈ 25\.00 per unit at 100000\.00/);
  assert.deepEqual(startupWarnings(strategyParams({ ...INPUT, longThreshold: '30', shortThreshold: '25' }, BP, LT), INPUT, 100_000), []);
  // Errors name parameters; the command line renders them as flags (test/cli).
  assert.throws(
    () => strategyParams({ ...INPUT, maxPosition: '0.005' }, BP, LT),
    (e: Error) =>
      e instanceof StrategyConfigError &&
      e.render((x) => `<${x}>`) === '<maxPosition> 0.005 is below <size> 0.01, so no trade could ever open — raise <maxPosition> or use 0 for unlimited',
  );
  assert.throws(() => strategyParams({ ...INPUT, size: '0.00001' }, BP, { ...LT, sizeScale: 5, stepSize: 2, minSize: 2 }), /not a multiple of the lighter step/);
  assert.throws(() => strategyParams({ ...INPUT, longThreshold: 'five' }, BP, LT), / longThreshold five is not a usable price difference/);
  // Fee overrides replace what the venues publish.
  assert.deepEqual(strategyParams(INPUT, BP, LT, { lighterTakerBps: 1 }).fees, { backpackTakerBps: 2.5, lighterTakerBps: 1 });
});

test('guards the runtime passes in: unresolved legs and a halt block the decision before anything else', () => {
  const p = strategyParams(INPUT, BP, LT);
  const bp = book([[999_990, 10_000]], [[1_000_000, 10_000]]);
  const lt = book([[10_004_000, 1000]], [[10_004_100, 1000]]);
  assert.equal(decide(p, view(bp), view(lt), { unresolvedLegs: false, halted: false }).kind, 'trade');
  assert.deepEqual(decide(p, view(bp), view(lt), { unresolvedLegs: true, halted: false }), { kind: 'none', reason: { code: 'unresolved_legs' } });
  assert.deepEqual(decide(p, view(bp), view(lt), { unresolvedLegs: false, halted: true }), { kind: 'none', reason: { code: 'halted' } });
});

test('legFor gives exactly the legs decide() sends, for either direction, and nothing without the depth', () => {
  const params = strategyParams(INPUT, BP, LT);
  const bp = book(
    [
      [999_990, 400],
      [999_980, 5000],
    ],
    [
      [1_000_000, 400],
      [1_000_010, 5000],
    ],
  );
  const lt = book([[10_004_000, 10_000]], [[10_004_100, 10_000]]);
  const long = decide(params, view(bp), view(lt));
  assert.equal(long.kind, 'trade');
  if (long.kind !== 'trade') return;
  assert.deepEqual(legFor(params, 'backpack', bp, 'buy'), long.intent.backpack);
  assert.deepEqual(legFor(params, 'lighter', lt, 'sell'), long.intent.lighter);
  // --size 0.01 walks two Backpack levels: the bound is 20 bps beyond the second, 100001.0 → 100201.1 rounded up to the tick.
  assert.equal(long.intent.backpack.worstPrice, 1_002_011);
  assert.equal(legFor(params, 'backpack', book([[999_990, 10]], [[1_000_000, 10]]), 'buy'), undefined);
});

// The threshold level: the price on one venue at which decide() only just trades against the other
// venue's fill of --size. Each case: the exact level, its bound, and decide() trading at the level
// and not one tick worse.
test('threshold level: exact, both directions and both venues, with fees and --min-edge-bps', () => {
  // Backpack 100000.0 for 0.01 (notional 1e9 at scale 6); Lighter 100000.00 for 0.01 (1e9 at scale 6).
  // A book whose `side` order of --size fills whole at `price` (the other side 100 ticks away).
  const at = (price: number, side: 'buy' | 'sell', qty: number) => (side === 'sell' ? book([[price, qty]], [[price + 100, qty]]) : book([[price - 100, qty]], [[price, qty]]));
  const bpBook = (price: number, side: 'buy' | 'sell') => at(price, side, 10_000);
  const ltBook = (price: number, side: 'buy' | 'sell') => at(price, side, 1000);
  const cases: Array<{ input: Partial<StrategyInput>; venue: 'backpack' | 'lighter'; side: 'buy' | 'sell'; level: number; bound: number }> = [
    // Lighter sell against a Backpack buy at 100000.0: the threshold 30 decides (fees ask only 25 per unit).
    { input: { longThreshold: '30' }, venue: 'lighter', side: 'sell', level: 10_003_001, bound: 9_982_994 },
    // Threshold 5: the 2.5 bps Backpack fee (0.25 on 1000 USD) decides; an edge of exactly 0 does not trade.
    { input: {}, venue: 'lighter', side: 'sell', level: 10_002_501, bound: 9_982_495 },
    // --min-edge-bps 1: (x/1e7 − 0.25) > (2e10 + x)/2e11 ⇔ x > 3 500 175.0…, x a multiple of 1000.
    { input: { minEdgeBps: 1 }, venue: 'lighter', side: 'sell', level: 10_003_501, bound: 9_983_493 },
    // Lighter buy against a Backpack sell at 100000.0.
    { input: {}, venue: 'lighter', side: 'buy', level: 9_997_499, bound: 10_017_494 },
    // Backpack buy against a Lighter sell at 100000.00: its own 2.5 bps fee scales with its price.
    { input: {}, venue: 'backpack', side: 'buy', level: 999_750, bound: 1_001_750 },
    // Backpack sell against a Lighter buy at 100000.00.
    { input: {}, venue: 'backpack', side: 'sell', level: 1_000_251, bound: 998_250 },
  ];
  for (const c of cases) {
    const p = strategyParams({ ...INPUT, ...c.input }, BP, LT);
    const otherNotional = 1_000_000_000;
    const label = `${c.venue} ${c.side} ${JSON.stringify(c.input)}`;
    assert.equal(thresholdLevel(p, c.venue, c.side, otherNotional), c.level, label);
    assert.equal(thresholdBound(p, c.venue, c.side, otherNotional), c.bound, label);
    const otherSide = c.side === 'buy' ? 'sell' : 'buy';
    const other = c.venue === 'backpack' ? ltBook(10_000_000, otherSide) : bpBook(1_000_000, otherSide);
    assert.equal(thresholdBoundOn(p, c.venue, c.side, other), c.bound, label);
    // decide() trades with the venue's --size filled at the level, and not a tick worse.
    const worse = c.side === 'sell' ? c.level - 1 : c.level + 1;
    const judge = (price: number) => {
      const own = c.venue === 'backpack' ? bpBook(price, c.side) : ltBook(price, c.side);
      return c.venue === 'backpack' ? decide(p, view(own), view(other)) : decide(p, view(other), view(own));
    };
    const onLevel = judge(c.level);
    assert.equal(onLevel.kind, 'trade', label);
    if (onLevel.kind === 'trade') assert.equal(onLevel.intent[c.venue].worstPrice, c.bound, `${label}: the bound of a trade at the level`);
    assert.equal(judge(worse).kind, 'none', `${label}: a tick worse`);
  }
});

test('threshold level: none when the fees take everything, or without depth on the other venue', () => {
  const p = strategyParams(INPUT, { ...BP, takerFeeBps: 10_000 }, LT);
  assert.equal(thresholdLevel(p, 'backpack', 'sell', 1_000_000_000), undefined);
  // A buy whose level would have to be below one tick.
  assert.equal(thresholdLevel(strategyParams(INPUT, BP, LT), 'lighter', 'buy', 1), undefined);
  const thin = book([[1_000_000, 10]], [[1_000_001, 10]]); // 0.0001 on each side, --size is 0.01
  assert.equal(thresholdBoundOn(strategyParams(INPUT, BP, LT), 'lighter', 'sell', thin), undefined);
});
