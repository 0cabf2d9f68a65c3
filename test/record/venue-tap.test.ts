import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderTap } from '../../src/record/venue-tap.js';
import type { FrameRecorder } from '../../src/record/writer.js';
import type { LegResult, MarketOrderRequest, SignAheadKind, Venue, WrittenOrder } from '../../src/venues/venue.js';
import type { OrderSide } from '../../src/core/types.js';
import type { Clock } from '../../src/core/clock.js';

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

test("the order tap passes the deciding turn's two halves through: the write first, then the record of the order the venue chose, and its answer", async () => {
  const calls: string[] = [];
  const orders: unknown[] = [];
  const gate = { readyFrom: 5 };
  const inner = {
    id: 'backpack',
    placeMarketOrder: () => Promise.reject(new Error('not on this path')),
    // The venue sends a held order bounded nearer the limit than the request's bound.
    writeOrder: (request: MarketOrderRequest, now?: number, limit?: number): WrittenOrder => {
      calls.push(`write ${request.worstPrice} now ${now} limit ${limit}`);
      return { request: { ...request, worstPrice: 100_050 }, mine: 7 } as WrittenOrder;
    },
    followOrder: (written: WrittenOrder) => {
      calls.push(`follow ${(written as unknown as { mine: number }).mine}`);
      return Promise.resolve({
        venue: 'backpack',
        state: 'filled',
        filled: 500,
        notional: 50_025_000,
        fee: 1,
        sentAt: 10,
        confirmedAt: 12,
        clientOrderId: 'c1',
      } as unknown as LegResult);
    },
    readiness: () => ({ state: 'ready' }),
    readinessGate: gate,
  } as unknown as Venue;
  const recorder = { order: (venue: string, at: number, event: unknown) => void orders.push([venue, at, event]) } as unknown as FrameRecorder;
  let t = 3;
  const tap = new OrderTap(inner, recorder, { monoMs: () => t, wallMs: () => 0 } as unknown as Clock);
  assert.equal(tap.readinessGate, gate, "the venue's own gate, read as it moves");
  const written = tap.writeOrder!({ side: 'buy', size: 500, worstPrice: 100_100, purpose: 'entry' }, 3, 100_000);
  assert.deepEqual(written.request, { side: 'buy', size: 500, worstPrice: 100_050, purpose: 'entry' });
  assert.deepEqual(calls, ['write 100100 now 3 limit 100000']);
  t = 4;
  const leg = await tap.followOrder!(written);
  assert.equal(leg.state, 'filled');
  assert.deepEqual(calls, ['write 100100 now 3 limit 100000', 'follow 7']);
  assert.deepEqual(orders, [
    ['backpack', 3, { event: 'sent', id: 'b1', side: 'buy', size: 500, worstPrice: 100_050, reduceOnly: undefined, purpose: 'entry' }],
    ['backpack', 12, { event: 'filled', id: 'b1', state: 'filled', sentUs: 10_000, filled: 500, notional: 50_025_000, fee: 1 }],
  ]);
});

test('the order tap has no split and no gate when its venue has none', () => {
  const tap = new OrderTap({ id: 'lighter', placeMarketOrder: () => Promise.resolve() } as unknown as Venue, {} as FrameRecorder);
  assert.equal(tap.writeOrder, undefined);
  assert.equal(tap.followOrder, undefined);
  assert.equal(tap.readinessGate, undefined);
});
