import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimMargin } from '../../src/sim/margin.js';
import { createMatchingEngine } from '../../src/sim/matching.js';
import { simMarketSpecs } from '../../src/sim/markets.js';

// Backpack's BTC market: price ×10, size ×10^5, imf 2 %, mmf 1 %, taker 2.5 bps; the account's
// leverage limit 10. 1 000 USDC of collateral; the book at 100000.0.
function backpackBtc(collateral = '1000') {
  const btc = createMatchingEngine(simMarketSpecs('BTC').backpack);
  const eth = createMatchingEngine(simMarketSpecs('ETH').backpack);
  btc.setHouseLiquidity([[999_990, 1_000_000]], [[1_000_000, 1_000_000]]);
  const margin = new SimMargin([btc, eth], { collateral, leverageLimit: 10 });
  return { btc, eth, margin };
}

test("order checks: within the leverage limit passes, past it MAX_LEVERAGE_REACHED, past the market's own margin INSUFFICIENT_MARGIN", () => {
  const { btc, margin } = backpackBtc();
  // 0.09 BTC = 9000 USDC: 900 at the 10× limit + 2.25 fee ≤ 1000.
  assert.equal(margin.check(btc, 'a', { side: 'buy', size: 9_000 }), 'ok');
  // 0.1 BTC = 10 000: 1000 + 2.5 fee > 1000, but the market's 2 % (200) is covered.
  assert.equal(margin.check(btc, 'a', { side: 'buy', size: 10_000 }), 'max_leverage');
  assert.equal(margin.check(btc, 'a', { side: 'sell', size: 20_000 }), 'max_leverage');
  // 0.6 BTC = 60 000: even 2 % (1200) exceeds the 985 left after the 15 fee.
  assert.equal(margin.check(btc, 'a', { side: 'buy', size: 60_000 }), 'insufficient_margin');
  // A buy priced above the mark is valued at its own price: 0.09 at 112000.0 = 10 080.
  assert.equal(margin.check(btc, 'a', { side: 'buy', size: 9_000, price: 1_120_000 }), 'max_leverage');
  // Another account is untouched by this one's collateral.
  margin.setCollateral('rich', '1000000');
  assert.equal(margin.check(btc, 'rich', { side: 'buy', size: 60_000 }), 'ok');
});

test('balances move with fills, marks and funding; the liquidation price is where equity meets maintenance', () => {
  const { btc, margin } = backpackBtc();
  btc.place({ account: 'a', side: 'buy', type: 'market', size: 5_000, timeInForce: 'IOC' });
  // 0.05 BTC bought at 100000.0: fee 2.5 bps of 5000 = 1.25; marked at the mid 99999.5: −0.025;
  // IM 10 % (the leverage limit) of 4999.975, MM 1 %.
  assert.deepEqual(margin.summary('a'), {
    collateral: 1_000_000_000n,
    equity: 998_725_000n,
    unrealized: -25_000n,
    initialMargin: 499_997_500n,
    maintenanceMargin: 49_999_750n,
    available: 498_727_500n,
  });
  btc.setHouseLiquidity([[1_009_990, 1_000_000]], [[1_010_010, 1_000_000]]);
  const s = margin.summary('a');
  // Mark 101000.0: unrealised +50; IM 10 % of 5050 = 505; MM 1 % = 50.5.
  assert.deepEqual(s, {
    collateral: 1_000_000_000n,
    equity: 1_048_750_000n,
    unrealized: 50_000_000n,
    initialMargin: 505_000_000n,
    maintenanceMargin: 50_500_000n,
    available: 543_750_000n,
  });
  // (0.05 · 101000 − 1048.75) / (0.05 · 0.99) = 80833.33…, truncated to the tick.
  assert.equal(margin.liquidationPrice(btc, 'a'), 808_333);
  // A positive rate: the long pays 0.05 · 101000 · 0.0001 = 0.505.
  assert.deepEqual([...margin.applyFunding(btc, '0.0001')], [['a', -505_000n]]);
  assert.equal(margin.funding('a', 'BTC'), -505_000n);
  assert.equal(margin.summary('a').equity, 1_048_245_000n);
  // Selling half back at 100999.0 realises +24.975 and pays 0.63124375 → 0.631244 of fee (rounded
  // up); the other half is still marked +25.
  btc.place({ account: 'a', side: 'sell', type: 'market', size: 2_500, timeInForce: 'IOC' });
  const after = margin.summary('a');
  assert.equal(after.collateral, 1_000_000_000n, 'the deposit stays what it was');
  assert.equal(after.equity, 1_000_000_000n - 1_250_000n - 631_244n - 505_000n + 24_975_000n + 25_000_000n);
});

test('an order that does not raise the exposure passes with no equity left; open orders hold margin', () => {
  const { btc, margin } = backpackBtc();
  btc.place({ account: 'a', side: 'buy', type: 'market', size: 9_000, timeInForce: 'IOC' });
  margin.setCollateral('a', '0');
  assert.equal(margin.check(btc, 'a', { side: 'sell', size: 9_000 }), 'ok', 'closing');
  assert.equal(margin.check(btc, 'a', { side: 'sell', size: 9_000, reduceOnly: true }), 'ok', 'reduce-only');
  assert.equal(margin.check(btc, 'a', { side: 'buy', size: 1 }), 'insufficient_margin');
  const { btc: b2, margin: m2 } = backpackBtc();
  // A resting bid of 0.09 BTC holds its margin: a second one does not fit beside it.
  b2.place({ account: 'a', side: 'buy', type: 'limit', size: 9_000, price: 990_000, timeInForce: 'GTC' });
  assert.equal(m2.summary('a').initialMargin, 899_995_500n);
  assert.equal(m2.check(b2, 'a', { side: 'buy', size: 9_000, price: 990_000 }), 'max_leverage');
  // A sell of the same size only nets against it: the worst case stays 0.09 long.
  assert.equal(m2.check(b2, 'a', { side: 'sell', size: 9_000, price: 1_010_000 }), 'ok');
});
