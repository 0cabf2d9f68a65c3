import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderBook } from '../../../src/core/orderbook.js';
import { silentLogger } from '../../../src/core/log.js';
import type { MarketSpec } from '../../../src/venues/types.js';
import { paperVenue } from '../../../src/venues/paper/index.js';
import { composeVenue, type DetachedExecution, type LegResult, type MarketData, type VenueStatus } from '../../../src/venues/venue.js';

const SPEC: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 10, minSize: 20, takerFeeBps: 2, makerFeeBps: 0 };

/** A market-data side whose book the test sets: it has no execution members at all. */
function inner(): MarketData & { setBook(b: Array<[number, number]>, a: Array<[number, number]>): void } {
  const book = new OrderBook();
  const status: VenueStatus = { connected: true, bookValid: true, available: true };
  return {
    id: 'lighter',
    book,
    lastBookAt: 1,
    market: SPEC,
    start: async () => SPEC,
    stop: async () => {},
    status: () => status,
    onBook() {},
    onStatus() {},
    setBook: (b, a) => book.applySnapshot(b, a),
  };
}

test('fills walk the book at the moment of the fill, up to the worst price; fees at the taker rate', async () => {
  const live = inner();
  live.setBook(
    [[999_990, 1000]],
    [
      [1_000_000, 300],
      [1_000_010, 500],
      [1_000_100, 5000],
    ],
  );
  const paper = paperVenue(live, { logger: silentLogger, latencyMs: 20, latencyJitterMs: 0 });
  const pending = paper.placeMarketOrder({ side: 'buy', size: 700, worstPrice: 1_000_050 });
  // The book moves during the simulated latency: the fill sees the later book.
  live.setBook(
    [[999_990, 1000]],
    [
      [1_000_000, 100],
      [1_000_010, 500],
      [1_000_100, 5000],
    ],
  );
  const leg = await pending;
  assert.deepEqual([leg.state, leg.filled, leg.notional], ['partial', 600, 100 * 1_000_000 + 500 * 1_000_010]);
  assert.ok(Math.abs(leg.fee - ((100 * 1_000_000 + 500 * 1_000_010) / 1e6) * 2e-4) < 1e-12);
  assert.ok(leg.confirmedAt! - leg.sentAt >= 19);
  assert.equal(await paper.fetchPosition(), 600);

  const full = await paper.placeMarketOrder({ side: 'sell', size: 200, worstPrice: 999_000 });
  assert.deepEqual([full.state, full.filled, full.notional], ['filled', 200, 200 * 999_990]);
  assert.equal(await paper.fetchPosition(), 400);
  const beyond = await paper.placeMarketOrder({ side: 'sell', size: 200, worstPrice: 999_999 });
  assert.deepEqual([beyond.state, beyond.error?.kind], ['rejected', 'rejected']);
});

test('grid, minimum and reduce-only are enforced like a venue would', async () => {
  const live = inner();
  live.setBook([[999_990, 10_000]], [[1_000_000, 10_000]]);
  const paper = paperVenue(live, { logger: silentLogger, latencyMs: 0, latencyJitterMs: 0, startingPosition: 100 });
  assert.equal((await paper.placeMarketOrder({ side: 'buy', size: 25, worstPrice: 1_000_100 })).error?.kind, 'bad_order', 'off the step of 10');
  assert.equal((await paper.placeMarketOrder({ side: 'buy', size: 10, worstPrice: 1_000_100 })).error?.kind, 'bad_order', 'below the minimum of 20');
  assert.equal((await paper.placeMarketOrder({ side: 'buy', size: 50, worstPrice: 1_000_100, reduceOnly: true })).error?.kind, 'rejected', 'a buy cannot reduce a long');
  const clipped = await paper.placeMarketOrder({ side: 'sell', size: 300, worstPrice: 999_000, reduceOnly: true });
  assert.deepEqual([clipped.state, clipped.filled], ['partial', 100]);
  assert.equal(await paper.fetchPosition(), 0);
});

test('a full fill across several levels reports the exact VWAP notional; ids are unique', async () => {
  const live = inner();
  live.setBook(
    [
      [999_990, 200],
      [999_980, 300],
      [999_900, 400],
    ],
    [[1_000_000, 10_000]],
  );
  const paper = paperVenue(live, { logger: silentLogger, latencyMs: 0, latencyJitterMs: 0 });
  const leg = await paper.placeMarketOrder({ side: 'sell', size: 800, worstPrice: 999_900 });
  // 200 @ 99999.0 + 300 @ 99998.0 + 300 @ 99990.0 — the bound itself is acceptable.
  assert.deepEqual([leg.state, leg.filled, leg.notional], ['filled', 800, 200 * 999_990 + 300 * 999_980 + 300 * 999_900]);
  assert.equal(leg.requested, 800);
  assert.equal(leg.error, undefined);
  const again = await paper.placeMarketOrder({ side: 'buy', size: 20, worstPrice: 1_000_000 });
  assert.notEqual(again.clientOrderId, leg.clientOrderId);
  assert.equal(await paper.fetchPosition(), -780);
  assert.equal(await paper.resolveOrder(leg), leg, 'paper outcomes are always known');
});

test('an off-tick bound is refused; an invalid book at the fill moment rejects; nothing inside the bound rejects with the cause', async () => {
  const live = inner();
  live.setBook([[999_990, 1000]], [[1_000_000, 1000]]);
  const paper = paperVenue(live, { logger: silentLogger, latencyMs: 0, latencyJitterMs: 0 });
  const offTick = await paper.placeMarketOrder({ side: 'buy', size: 20, worstPrice: 1_000_000.5 });
  assert.deepEqual([offTick.state, offTick.error?.kind], ['rejected', 'bad_order']);
  const none = await paper.placeMarketOrder({ side: 'buy', size: 20, worstPrice: 999_999 });
  assert.deepEqual([none.state, none.filled, none.error?.kind], ['rejected', 0, 'rejected']);
  assert.match(none.error!.message, /no liquidity inside the worst price/);
  live.status().bookValid = false;
  const stale = await paper.placeMarketOrder({ side: 'buy', size: 20, worstPrice: 1_000_000 });
  assert.deepEqual([stale.state, stale.error?.kind], ['rejected', 'rejected']);
  assert.equal(await paper.fetchPosition(), 0, 'no rejected order moved the position');
});

test('reduce-only is judged at the fill moment: two in flight cannot flip the position', async () => {
  const live = inner();
  live.setBook([[999_990, 10_000]], [[1_000_000, 10_000]]);
  const paper = paperVenue(live, { logger: silentLogger, latencyMs: 5, latencyJitterMs: 5, seed: 7, startingPosition: 100 });
  const [a, b] = await Promise.all([
    paper.placeMarketOrder({ side: 'sell', size: 80, worstPrice: 999_000, reduceOnly: true }),
    paper.placeMarketOrder({ side: 'sell', size: 80, worstPrice: 999_000, reduceOnly: true }),
  ]);
  assert.equal(a.filled + b.filled, 100);
  assert.deepEqual([a.state, b.state].sort(), ['filled', 'partial']);
  assert.equal(await paper.fetchPosition(), 0);
  const third = await paper.placeMarketOrder({ side: 'sell', size: 20, worstPrice: 999_000, reduceOnly: true });
  assert.deepEqual([third.state, third.error?.kind], ['rejected', 'rejected']);
});

test('composeVenue: market data from one side, execution from the other; start attaches after the feed, stop detaches before it', async () => {
  const calls: string[] = [];
  const live = inner();
  const data: MarketData = { ...live, start: async () => (calls.push('data.start'), SPEC), stop: async () => void calls.push('data.stop') };
  const leg: LegResult = { venue: 'lighter', state: 'filled', side: 'buy', requested: 20, filled: 20, notional: 20, fee: 0, clientOrderId: 'x', sentAt: 1 };
  const execution: DetachedExecution = {
    attach: (m) => void calls.push(`attach ${m.symbol}`),
    detach: () => void calls.push('detach'),
    placeMarketOrder: async () => leg,
    resolveOrder: async () => leg,
    fetchPosition: async () => 42,
    readiness: () => ({ state: 'down', detail: 'test' }),
  };
  const venue = composeVenue(data, execution);
  assert.equal(await venue.start(), SPEC);
  await venue.stop();
  assert.deepEqual(calls, ['data.start', 'attach BTC', 'detach', 'data.stop']);
  assert.deepEqual([venue.id, venue.market, venue.book, venue.lastBookAt], ['lighter', SPEC, live.book, 1]);
  assert.equal(await venue.placeMarketOrder({ side: 'buy', size: 20, worstPrice: 1 }), leg);
  assert.equal(await venue.fetchPosition(), 42);
  assert.deepEqual(venue.readiness?.(), { state: 'down', detail: 'test' });
  // Optional members the execution side lacks are absent on the venue too: the engine checks for them.
  assert.deepEqual([venue.readyForOrder, venue.prepareMarketOrder, venue.rateBudget], [undefined, undefined, undefined]);
});

test('paper holds the orders a live Lighter adapter would have signed ahead, so the engine picks the same bounds; any order sent voids them', async () => {
  const live = inner();
  live.setBook([[999_990, 1000]], [[1_000_000, 1000]]);
  const paper = paperVenue(live, { logger: silentLogger, latencyMs: 0, latencyJitterMs: 0 });
  paper.prepareMarketOrder!({ side: 'sell', size: 200, worstPrice: 997_990 }, 'book');
  paper.prepareMarketOrder!({ side: 'sell', size: 200, worstPrice: 997_500 }, 'threshold');
  paper.prepareMarketOrder!({ side: 'buy', size: 200, worstPrice: 1_002_000 }, 'book');
  assert.deepEqual(paper.heldBounds!('sell', 200), [997_990, 997_500]);
  assert.deepEqual(paper.heldBounds!('buy', 200), [1_002_000]);
  const leg = await paper.placeMarketOrder({ side: 'sell', size: 200, worstPrice: 997_500 });
  assert.equal(leg.state, 'filled');
  // On Lighter every order held was signed for the nonce that order took.
  assert.deepEqual(paper.heldBounds!('sell', 200), []);
  assert.deepEqual(paper.heldBounds!('buy', 200), []);
});
