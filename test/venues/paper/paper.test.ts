import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderBook } from '../../../src/core/orderbook.js';
import { silentLogger } from '../../../src/core/log.js';
import type { MarketSpec } from '../../../src/core/types.js';
import { PaperVenue } from '../../../src/venues/paper/index.js';
import type { Venue, VenueStatus } from '../../../src/venues/venue.js';

const SPEC: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 10, minSize: 20, takerFeeBps: 2, makerFeeBps: 0 };

/** A market-data venue whose book the test sets; it never trades. */
function inner(): Venue & { setBook(b: Array<[number, number]>, a: Array<[number, number]>): void } {
  const book = new OrderBook();
  const status: VenueStatus = { connected: true, bookValid: true, available: true };
  return {
    id: 'lighter', book, lastBookAt: 1, market: SPEC,
    start: async () => SPEC, stop: async () => {}, status: () => status, onBook() {}, onStatus() {},
    placeMarketOrder: () => Promise.reject(new Error('a paper venue must never send an order')),
    resolveOrder: (l) => Promise.resolve(l), fetchPosition: () => Promise.reject(new Error('not for paper')),
    setBook: (b, a) => book.applySnapshot(b, a),
  };
}

test('fills walk the book at the moment of the fill, up to the worst price; fees at the taker rate', async () => {
  const live = inner();
  live.setBook([[999_990, 1000]], [[1_000_000, 300], [1_000_010, 500], [1_000_100, 5000]]);
  const paper = new PaperVenue({ inner: live, logger: silentLogger, latencyMs: 20, latencyJitterMs: 0 });
  const pending = paper.placeMarketOrder({ side: 'buy', size: 700, worstPrice: 1_000_050 });
  // The book moves during the simulated latency: the fill sees the later book.
  live.setBook([[999_990, 1000]], [[1_000_000, 100], [1_000_010, 500], [1_000_100, 5000]]);
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
  const paper = new PaperVenue({ inner: live, logger: silentLogger, latencyMs: 0, latencyJitterMs: 0, startingPosition: 100 });
  assert.equal((await paper.placeMarketOrder({ side: 'buy', size: 25, worstPrice: 1_000_100 })).error?.kind, 'bad_order', 'off the step of 10');
  assert.equal((await paper.placeMarketOrder({ side: 'buy', size: 10, worstPrice: 1_000_100 })).error?.kind, 'bad_order', 'below the minimum of 20');
  assert.equal((await paper.placeMarketOrder({ side: 'buy', size: 50, worstPrice: 1_000_100, reduceOnly: true })).error?.kind, 'rejected', 'a buy cannot reduce a long');
  const clipped = await paper.placeMarketOrder({ side: 'sell', size: 300, worstPrice: 999_000, reduceOnly: true });
  assert.deepEqual([clipped.state, clipped.filled], ['partial', 100]);
  assert.equal(await paper.fetchPosition(), 0);
});
