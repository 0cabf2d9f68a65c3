import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OrderBook } from '../../src/core/orderbook.js';

function book(): OrderBook {
  const b = new OrderBook();
  b.applySnapshot(
    [
      [1000, 5],
      [990, 10],
      [1001, 2],
    ],
    [
      [1010, 3],
      [1005, 1],
      [1020, 50],
      [1030, 0],
    ],
  );
  return b;
}

test('snapshot sorts levels and drops zero sizes; best levels are read directly', () => {
  const b = book();
  assert.equal(b.bestBid, 1001);
  assert.equal(b.bestBidSize, 2);
  assert.equal(b.bestAsk, 1005);
  assert.equal(b.bestAskSize, 1);
  assert.deepEqual(b.levels('bid'), [
    [1001, 2],
    [1000, 5],
    [990, 10],
  ]);
  assert.deepEqual(b.levels('ask', 2), [
    [1005, 1],
    [1010, 3],
  ]);
  assert.equal(b.depth('ask'), 3);
});

test('absolute-size updates insert, change and remove levels', () => {
  const b = book();
  b.update('bid', 1002, 4); // new best
  assert.equal(b.bestBid, 1002);
  b.update('bid', 1000, 7); // change inside
  assert.equal(b.sizeAt('bid', 1000), 7);
  b.update('bid', 1002, 0); // remove best
  assert.equal(b.bestBid, 1001);
  b.update('bid', 995, 1); // insert in the middle
  assert.deepEqual(
    b.levels('bid').map((l) => l[0]),
    [1001, 1000, 995, 990],
  );
  b.update('ask', 1005, 0);
  assert.equal(b.bestAsk, 1010);
  b.update('ask', 1111, 0); // removing an absent level is a no-op
  assert.equal(b.depth('ask'), 2);
  b.update('ask', 1003, 2);
  assert.equal(b.bestAsk, 1003);
});

test('empty book has no best levels; clear empties it', () => {
  const b = book();
  b.clear();
  assert.equal(b.bestBid, undefined);
  assert.equal(b.bestAsk, undefined);
  assert.equal(b.isCrossed(), false);
  assert.deepEqual(b.estimateFill('buy', 1), { filled: 0, notional: 0, avgPrice: 0, worstPrice: 0, complete: false });
});

test('VWAP and worst price to fill a quantity on either side', () => {
  const b = book();
  // Buy 3: 1 @ 1005 + 2 @ 1010
  assert.deepEqual(b.estimateFill('buy', 3), { filled: 3, notional: 3025, avgPrice: 3025 / 3, worstPrice: 1010, complete: true });
  // Top level covers the size: the average is the best price.
  assert.deepEqual(b.estimateFill('sell', 2), { filled: 2, notional: 2002, avgPrice: 1001, worstPrice: 1001, complete: true });
  // Sell 10: 2 @ 1001 + 5 @ 1000 + 3 @ 990
  const sell = b.estimateFill('sell', 10);
  assert.equal(sell.notional, 2002 + 5000 + 2970);
  assert.equal(sell.worstPrice, 990);
  assert.equal(sell.complete, true);
  // Not enough depth: 54 asked, 54 available exactly → complete; 55 → not.
  assert.equal(b.estimateFill('buy', 54).complete, true);
  const short = b.estimateFill('buy', 55);
  assert.equal(short.complete, false);
  assert.equal(short.filled, 54);
  assert.equal(short.worstPrice, 1020);
});

test('estimateFillInto writes every field of estimateFill into the object it is given, and returns it', () => {
  const b = book();
  // Stale values in every field: each must be overwritten, whatever the fill.
  const out = { filled: -1, notional: -1, avgPrice: -1, worstPrice: -1, complete: true };
  for (const [side, quantity] of [
    ['buy', 3],
    ['sell', 2],
    ['sell', 10],
    ['buy', 54],
    ['buy', 55],
    ['sell', 0],
  ] as const) {
    assert.equal(b.estimateFillInto(side, quantity, out), out);
    assert.deepEqual({ ...out }, b.estimateFill(side, quantity), `${side} ${quantity}`);
  }
  assert.deepEqual({ ...out }, { filled: 0, notional: 0, avgPrice: 0, worstPrice: 0, complete: true });
  const empty = new OrderBook();
  assert.deepEqual({ ...empty.estimateFillInto('buy', 1, out) }, { filled: 0, notional: 0, avgPrice: 0, worstPrice: 0, complete: false });
});

test('crossed-book detection', () => {
  const b = book();
  assert.equal(b.isCrossed(), false);
  b.update('bid', 1005, 1); // bid == ask
  assert.equal(b.isCrossed(), true);
  b.update('bid', 1005, 0);
  b.update('ask', 1000, 1); // ask below bid
  assert.equal(b.isCrossed(), true);
});

test('notional beyond 2^53 is still computed from exact integers', () => {
  const b = new OrderBook();
  b.applySnapshot([], [[4_000_000_000, 3_000_000_000]]);
  const fill = b.estimateFill('buy', 3_000_000_000);
  assert.equal(fill.notional, Number(4_000_000_000n * 3_000_000_000n));
  assert.equal(fill.complete, true);
});

test('property: matches a plain Map model after random updates', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 5 })), { maxLength: 400 }), (updates) => {
      const b = new OrderBook();
      const bids = new Map<number, number>();
      const asks = new Map<number, number>();
      for (const [isBid, price, size] of updates) {
        b.update(isBid ? 'bid' : 'ask', price, size);
        const m = isBid ? bids : asks;
        if (size === 0) m.delete(price);
        else m.set(price, size);
      }
      const want = (m: Map<number, number>, desc: boolean) => [...m.entries()].sort((x, y) => (desc ? y[0] - x[0] : x[0] - y[0]));
      assert.deepEqual(b.levels('bid'), want(bids, true));
      assert.deepEqual(b.levels('ask'), want(asks, false));
      assert.equal(b.bestBid, bids.size ? Math.max(...bids.keys()) : undefined);
      assert.equal(b.bestAsk, asks.size ? Math.min(...asks.keys()) : undefined);
    }),
    { numRuns: 500 },
  );
});
