import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderTap } from '../../src/record/venue-tap.js';
import type { FrameRecorder } from '../../src/record/writer.js';
import type { MarketOrderRequest, SignAheadKind, Venue } from '../../src/venues/venue.js';
import type { OrderSide } from '../../src/core/types.js';

test('the order tap hands over both kinds of orders signed ahead and the bounds the venue holds', () => {
  const prepared: Array<[MarketOrderRequest, SignAheadKind | undefined]> = [];
  const inner = {
    id: 'lighter',
    prepareMarketOrder: (request: MarketOrderRequest, kind?: SignAheadKind) => void prepared.push([request, kind]),
    heldBounds: (side: OrderSide, size: number) => (side === 'sell' && size === 500 ? [999_500, 998_000] : []),
  } as unknown as Venue;
  const tap = new OrderTap(inner, {} as FrameRecorder);
  const book = { side: 'sell', size: 500, worstPrice: 999_500 } as const;
  const threshold = { side: 'sell', size: 500, worstPrice: 998_000 } as const;
  tap.prepareMarketOrder!(book, 'book');
  tap.prepareMarketOrder!(threshold, 'threshold');
  // Without the kind the venue would file the threshold order in the book order's place.
  assert.deepEqual(prepared, [
    [book, 'book'],
    [threshold, 'threshold'],
  ]);
  assert.deepEqual(tap.heldBounds?.('sell', 500), [999_500, 998_000]);
  assert.deepEqual(tap.heldBounds?.('buy', 500), []);
});

test('the order tap has no sign-ahead members when its venue has none', () => {
  const tap = new OrderTap({ id: 'backpack' } as unknown as Venue, {} as FrameRecorder);
  assert.equal(tap.prepareMarketOrder, undefined);
  assert.equal(tap.heldBounds, undefined);
});
