import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMatchingEngine, HOUSE_ACCOUNT } from '../../src/sim/matching.js';
import type { SimLevelChange, SimMarketSpec } from '../../src/sim/types.js';

// BTC-like grid: price scale 1 (tick 0.1 = 1), size scale 5 (step 0.00001 = 1), min 0.0001 = 10.
const SPEC: SimMarketSpec = {
  base: 'BTC',
  marketId: 1,
  priceScale: 1,
  sizeScale: 5,
  tickSize: 1,
  stepSize: 1,
  minSize: 10,
  takerFeeBps: 5,
  makerFeeBps: 2,
  priceBandBps: 500,
};

function engine(spec: Partial<SimMarketSpec> = {}) {
  const e = createMatchingEngine({ ...SPEC, ...spec }, { now: () => 1_700_000_000_000 });
  const changes: SimLevelChange[][] = [];
  e.onBookChange((c) => changes.push([...c]));
  return { e, changes };
}

test('a market buy walks the asks in price-time order with exact notional, fees and position', () => {
  const { e } = engine();
  e.setHouseLiquidity(
    [[999_990, 1000]],
    [
      [1_000_000, 300],
      [1_000_010, 500],
    ],
  );
  e.place({ account: 'bob', side: 'sell', type: 'limit', size: 200, price: 1_000_000, timeInForce: 'GTC' }); // behind the house at 1_000_000
  const out = e.place({ account: 'alice', side: 'buy', type: 'market', size: 700, price: 1_000_010, timeInForce: 'IOC', clientOrderId: '7' });
  assert.equal(out.order.status, 'filled');
  assert.equal(out.order.executedSize, 700);
  // 300 from the house first (time priority), then 200 from bob, then 200 at the next level.
  assert.equal(out.order.executedNotional, 500 * 1_000_000 + 200 * 1_000_010);
  const alice = out.fills.filter((f) => f.account === 'alice');
  assert.deepEqual(
    alice.map((f) => [f.price, f.size]),
    [
      [1_000_000, 300],
      [1_000_000, 200],
      [1_000_010, 200],
    ],
  );
  // taker fee 5 bps, rounded up per fill
  assert.deepEqual(
    alice.map((f) => f.fee),
    [Math.ceil((300 * 1_000_000 * 5) / 10_000), Math.ceil((200 * 1_000_000 * 5) / 10_000), Math.ceil((200 * 1_000_010 * 5) / 10_000)],
  );
  const bob = out.fills.filter((f) => f.account === 'bob');
  assert.deepEqual(
    bob.map((f) => [f.side, f.price, f.size, f.liquidity, f.fee]),
    [['sell', 1_000_000, 200, 'maker', 40_000]],
  );
  assert.deepEqual(
    out.touchedOrders.map((o) => [o.account, o.status]),
    [['bob', 'filled']],
  );
  assert.deepEqual(e.position('alice'), { account: 'alice', size: 700, openNotional: 500 * 1_000_000 + 200 * 1_000_010, realizedPnl: 0, feesPaid: out.order.fee });
  assert.equal(e.position('bob').size, -200);
  assert.deepEqual(e.levels('ask'), [[1_000_010, 300]]);
  assert.equal(e.orderByClientId('alice', '7')?.orderId, out.order.orderId);
});

test('IOC and market remainders expire; the worst price bounds the walk', () => {
  const { e } = engine();
  e.setHouseLiquidity(
    [[999_990, 1000]],
    [
      [1_000_000, 100],
      [1_000_050, 500],
    ],
  );
  const out = e.place({ account: 'a', side: 'buy', type: 'limit', size: 300, price: 1_000_020, timeInForce: 'IOC' });
  assert.equal(out.order.status, 'expired');
  assert.equal(out.order.executedSize, 100);
  assert.deepEqual(e.openOrders('a'), []);
  const none = e.place({ account: 'a', side: 'buy', type: 'market', size: 100, price: 1_000_020, timeInForce: 'IOC' });
  assert.equal(none.order.status, 'expired');
  assert.equal(none.order.rejectReason, 'no_liquidity');
});

test('FOK is all or nothing', () => {
  const { e, changes } = engine();
  e.setHouseLiquidity([], [[1_000_000, 100]]);
  changes.length = 0;
  const out = e.place({ account: 'a', side: 'buy', type: 'limit', size: 200, price: 1_000_000, timeInForce: 'FOK' });
  assert.equal(out.order.status, 'expired');
  assert.equal(out.order.executedSize, 0);
  assert.deepEqual(changes, []);
  assert.equal(e.place({ account: 'a', side: 'buy', type: 'limit', size: 100, price: 1_000_000, timeInForce: 'FOK' }).order.status, 'filled');
});

test('GTC rests, post-only that would cross is refused, cancel removes it with an exact level change', () => {
  const { e, changes } = engine();
  e.setHouseLiquidity([[999_000, 100]], [[1_001_000, 100]]);
  changes.length = 0;
  const resting = e.place({ account: 'a', side: 'buy', type: 'limit', size: 50, price: 999_000, timeInForce: 'GTC', postOnly: true });
  assert.equal(resting.order.status, 'new');
  assert.deepEqual(changes, [[{ side: 'bid', price: 999_000, size: 150 }]]);
  const crossing = e.place({ account: 'a', side: 'buy', type: 'limit', size: 50, price: 1_001_000, timeInForce: 'GTC', postOnly: true });
  assert.equal(crossing.order.status, 'rejected');
  assert.equal(crossing.order.rejectReason, 'post_only_would_cross');
  assert.deepEqual(
    e.openOrders('a').map((o) => o.orderId),
    [resting.order.orderId],
  );
  assert.equal(e.cancel('b', resting.order.orderId), undefined, 'another account cannot cancel it');
  assert.equal(e.cancel('a', resting.order.orderId)?.status, 'cancelled');
  assert.deepEqual(changes.at(-1), [{ side: 'bid', price: 999_000, size: 100 }]);
});

test('reduce-only is clipped to the position and refused when it would increase it', () => {
  const { e } = engine();
  e.setHouseLiquidity([[999_000, 10_000]], [[1_000_000, 10_000]]);
  assert.equal(e.place({ account: 'a', side: 'sell', type: 'market', size: 100, timeInForce: 'IOC', reduceOnly: true }).order.rejectReason, 'reduce_only_would_increase');
  e.place({ account: 'a', side: 'buy', type: 'market', size: 100, timeInForce: 'IOC' });
  const out = e.place({ account: 'a', side: 'sell', type: 'market', size: 300, timeInForce: 'IOC', reduceOnly: true });
  assert.equal(out.order.status, 'filled');
  assert.equal(out.order.executedSize, 100);
  assert.equal(e.position('a').size, 0);
  // bought 100 at 1_000_000, sold 100 at 999_000: realised −100·1000
  assert.equal(e.position('a').realizedPnl, -100_000);
});

test('grid, minimum and price band are enforced with the exact reason', () => {
  const { e } = engine({ stepSize: 10, tickSize: 5 });
  e.setHouseLiquidity([[1_000_000, 1000]], [[1_000_010, 1000]]);
  const reason = (r: Parameters<typeof e.place>[0]) => e.place(r).order.rejectReason;
  assert.equal(reason({ account: 'a', side: 'buy', type: 'market', size: 15, timeInForce: 'IOC' }), 'size_off_grid');
  assert.equal(reason({ account: 'a', side: 'buy', type: 'limit', size: 20, price: 1_000_002, timeInForce: 'GTC' }), 'price_off_grid');
  assert.equal(
    createMatchingEngine({ ...SPEC, minSize: 100 }).place({ account: 'a', side: 'buy', type: 'market', size: 50, timeInForce: 'IOC' }).order.rejectReason,
    'size_below_minimum',
  );
  // mid 1_000_005; band 5% → 1_050_005.25 is the edge
  assert.equal(reason({ account: 'a', side: 'buy', type: 'limit', size: 20, price: 1_050_010, timeInForce: 'GTC' }), 'price_out_of_band');
  assert.equal(reason({ account: 'a', side: 'sell', type: 'limit', size: 20, price: 1_050_000, timeInForce: 'GTC' }), undefined);
});

test('fillLimit fills part and cancels the rest', () => {
  const { e } = engine();
  e.setHouseLiquidity([], [[1_000_000, 1000]]);
  const out = e.place({ account: 'a', side: 'buy', type: 'market', size: 400, timeInForce: 'IOC', fillLimit: 150 });
  assert.equal(out.order.status, 'expired');
  assert.equal(out.order.executedSize, 150);
  assert.equal(e.position('a').size, 150);
});

test('house liquidity is replaced wholesale with exact level changes and trades against crossing user orders', () => {
  const { e, changes } = engine();
  e.setHouseLiquidity(
    [
      [999_000, 100],
      [998_000, 200],
    ],
    [[1_001_000, 100]],
  );
  assert.deepEqual(
    changes.at(-1)?.sort((x, y) => x.price - y.price),
    [
      { side: 'bid', price: 998_000, size: 200 },
      { side: 'bid', price: 999_000, size: 100 },
      { side: 'ask', price: 1_001_000, size: 100 },
    ],
  );
  e.place({ account: 'a', side: 'sell', type: 'limit', size: 50, price: 1_002_000, timeInForce: 'GTC' });
  changes.length = 0;
  // The new house bid at 1_003_000 crosses a's resting ask at 1_002_000: a is filled as maker.
  e.setHouseLiquidity([[1_003_000, 80]], [[1_004_000, 100]]);
  assert.equal(e.position('a').size, -50);
  assert.equal(e.fills('a')[0].price, 1_002_000);
  assert.equal(e.fills('a')[0].liquidity, 'maker');
  assert.deepEqual(e.levels('bid'), [[1_003_000, 30]]);
  assert.deepEqual(e.levels('ask'), [[1_004_000, 100]]);
  assert.deepEqual(
    changes[0].sort((x, y) => x.price - y.price || x.side.localeCompare(y.side)),
    [
      { side: 'bid', price: 998_000, size: 0 },
      { side: 'bid', price: 999_000, size: 0 },
      { side: 'ask', price: 1_001_000, size: 0 },
      { side: 'ask', price: 1_002_000, size: 0 },
      { side: 'bid', price: 1_003_000, size: 30 },
      { side: 'ask', price: 1_004_000, size: 100 },
    ],
  );
  assert.equal(
    e.positions().some((p) => p.account === HOUSE_ACCOUNT),
    false,
    'the house is not a reported account',
  );
});

test('a position that flips through zero realises the closed part and re-opens at the fill price', () => {
  const { e } = engine({ takerFeeBps: 0, makerFeeBps: 0 });
  e.setHouseLiquidity([[1_000_000, 10_000]], [[1_000_100, 10_000]]);
  e.place({ account: 'a', side: 'buy', type: 'market', size: 100, timeInForce: 'IOC' }); // long 100 @ 1_000_100
  e.place({ account: 'a', side: 'sell', type: 'market', size: 300, timeInForce: 'IOC' }); // sell 300 @ 1_000_000
  assert.deepEqual(e.position('a'), { account: 'a', size: -200, openNotional: -200 * 1_000_000, realizedPnl: -100 * 100, feesPaid: 0 });
});

test('realised PnL stays exact on large positions (the pro-rata entry cost goes past 2^53)', () => {
  const { e } = engine({ takerFeeBps: 0, makerFeeBps: 0 });
  // Long 3 BTC: 0.62711 at 100000.4 and 2.37289 at 100003.3, then close 1.27958 BTC. The entry cost of
  // the closed part is open·closing/size with open·closing ≈ 3.8e16, where doubles round (measured: off by one).
  for (const [ask, size] of [
    [1_000_004, 62_711],
    [1_000_033, 237_289],
  ] as const) {
    e.setHouseLiquidity([[999_000, 1]], [[ask, size]]);
    e.place({ account: 'a', side: 'buy', type: 'market', size, timeInForce: 'IOC' });
  }
  e.setHouseLiquidity([[1_100_000, 127_958]], [[1_200_000, 1]]);
  e.place({ account: 'a', side: 'sell', type: 'market', size: 127_958, timeInForce: 'IOC' });
  const open = 62_711n * 1_000_004n + 237_289n * 1_000_033n;
  const entryPart = (open * 127_958n * 2n + 300_000n) / 600_000n; // nearest, halves up
  const p = e.position('a');
  assert.equal(BigInt(p.realizedPnl), 127_958n * 1_100_000n - entryPart);
  assert.equal(BigInt(p.openNotional), open - entryPart);
  assert.equal(p.size, 300_000 - 127_958);
});

test('the work of a book update and of a look at open orders does not grow with the orders an account has ever sent', () => {
  // The simulator keeps every order for the history endpoints; a long run (the latency benchmark
  // sends thousands) must not make each house-liquidity update or open-order look-up (the margin
  // check runs one per order) scan all of them. Reads of the orders' fields are counted.
  const { e } = engine();
  const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
  e.setHouseLiquidity(ladder(999_990, -1), ladder(1_000_000, 1));
  const sent = 2000;
  for (let i = 0; i < sent; i++) {
    const out = e.place({ account: 'bot', side: i % 2 === 0 ? 'buy' : 'sell', type: 'market', size: 10, price: i % 2 === 0 ? 1_000_100 : 999_900, timeInForce: 'IOC' });
    assert.equal(out.order.status, 'filled');
  }
  e.place({ account: 'bot', side: 'buy', type: 'limit', size: 10, price: 999_000, timeInForce: 'GTC' }); // one that stays open
  assert.equal(e.openOrders('bot').length, 1);
  let reads = 0;
  for (const o of e.orders('bot')) {
    for (const field of ['status', 'account'] as const) {
      let value = o[field];
      Object.defineProperty(o, field, {
        get: () => (reads++, value),
        set: (v) => (value = v),
        enumerable: true,
        configurable: true,
      });
    }
  }
  for (let i = 0; i < 10; i++) {
    e.setHouseLiquidity(ladder(999_990 + i, -1), ladder(1_000_000 + i, 1));
    assert.equal(e.openOrders('bot').length, 1);
  }
  assert.ok(reads <= 100, `${reads} reads of the bot's ${sent + 1} orders for 10 book updates and 10 looks at its open orders`);
  assert.deepEqual(
    e.openOrders('bot').map((o) => [o.side, o.price, o.status]),
    [['buy', 999_000, 'new']],
  );
  assert.equal(e.orders('bot').length, sent + 1, 'the history keeps every order');
});
