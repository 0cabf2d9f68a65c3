// Book events are values: the engine decides from the event it was handed, and an adapter hands the
// same reused object for every frame of a book (no allocation on the hot path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import { OrderBook } from '../../src/core/orderbook.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine } from '../../src/engine/index.js';
import { emitBookEvent, type BookEvent, type BookListener } from '../../src/venues/venue.js';
import { settled, waitFor } from './clocked.js';
import { FakeVenue } from './fake-venue.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

test("emitBookEvent hands every listener one reused event per book, with the frame's venue and arrival time", () => {
  const book = new OrderBook();
  const seen: Array<[BookEvent, string, number]> = [];
  const listeners: BookListener[] = [(e) => seen.push([e, e.venue, e.receivedAt])];
  emitBookEvent(listeners, 'lighter', book, 10.5);
  emitBookEvent(listeners, 'lighter', book, 11.25);
  assert.equal(seen[0][0], seen[1][0], 'the same object');
  assert.deepEqual(
    seen.map(([, v, at]) => [v, at]),
    [
      ['lighter', 10.5],
      ['lighter', 11.25],
    ],
  );
  assert.equal(seen[1][0].book, book);
});

test("the engine decides on the book the event carries, not on the venue's own field", async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-engine-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger: new MemoryLogger(), clock });
  await clock.runUntil(engine.start());
  // A recorded frame: its own book shows Lighter's bid 40 above Backpack's ask; the venue's field stays calm.
  const recorded = new OrderBook();
  recorded.applySnapshot([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  lighter.emitFrom(recorded);
  await waitFor(clock, "trade on the event's book", () => lighter.orders.length === 1);
  // 100040.0 less 20 bps, down to the tick: the bound comes from the event's book.
  assert.deepEqual(lighter.orders[0], { side: 'sell', size: 1000, worstPrice: 998_399 });
  await settled(clock, engine);
  await clock.runUntil(engine.stop('test'));
});
