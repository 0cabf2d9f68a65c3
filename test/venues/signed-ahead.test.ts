// Orders signed ahead, per side and kind: what bounds() names is exactly what take() would hand out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.js';
import { SignedAhead } from '../../src/venues/signed-ahead.js';

const BOOK = { side: 'sell', size: 100, worstPrice: 999_900 } as const;
const THRESHOLD = { side: 'sell', size: 100, worstPrice: 999_700 } as const;

test('both kinds are held per side; bounds names them by size; take hands out either one and empties the side', () => {
  const clock = new FakeClock();
  const held = new SignedAhead<string>(1000, undefined, clock);
  held.put(BOOK, 'book-tx', 'book');
  held.put(THRESHOLD, 'threshold-tx', 'threshold');
  assert.ok(held.holds(BOOK, 'book') && held.holds(THRESHOLD, 'threshold'));
  assert.equal(held.holds(BOOK, 'threshold'), false, 'each kind its own place');
  assert.deepEqual(held.bounds('sell', 100), [999_900, 999_700]);
  assert.deepEqual([held.bounds('sell', 200), held.bounds('buy', 100)], [[], []]);
  // Signing the book's order again leaves the threshold's.
  held.put({ ...BOOK, worstPrice: 999_800 }, 'book-tx-2', 'book');
  assert.deepEqual(held.bounds('sell', 100), [999_800, 999_700]);
  assert.equal(held.take(THRESHOLD), 'threshold-tx');
  assert.deepEqual(held.bounds('sell', 100), [], 'the other kind went with it');
  assert.equal(held.take({ ...BOOK, worstPrice: 999_800 }), undefined);
});

test('bounds names only what take would still hand out: young enough, valid, not reduce-only', async () => {
  const clock = new FakeClock();
  let nonceStillNext = true;
  const held = new SignedAhead<string>(1000, () => nonceStillNext, clock);
  held.put(BOOK, 'book-tx', 'book');
  held.put({ ...THRESHOLD, reduceOnly: true }, 'reduce-only-tx', 'threshold');
  assert.deepEqual(held.bounds('sell', 100), [999_900], 'a reduce-only order is no entry');
  nonceStillNext = false;
  assert.deepEqual(held.bounds('sell', 100), []);
  assert.equal(held.take(BOOK), undefined);
  nonceStillNext = true;
  held.put(BOOK, 'book-tx', 'book');
  await clock.advance(999);
  assert.deepEqual(held.bounds('sell', 100), [999_900]);
  assert.equal(held.holds(BOOK, 'book'), false, 'past half its age: to be signed again');
  await clock.advance(1);
  assert.deepEqual(held.bounds('sell', 100), [], 'too old to be sent');
  assert.equal(held.take(BOOK), undefined);
  // The same bound in both places is named once.
  held.put(BOOK, 'a', 'book');
  held.put(BOOK, 'b', 'threshold');
  assert.deepEqual(held.bounds('sell', 100), [999_900]);
  held.clear();
  assert.deepEqual(held.bounds('sell', 100), []);
});

test('bounds and take judge ages at the moment they are given (the engine reads its clock once a turn) and agree with each other at it', async () => {
  const clock = new FakeClock();
  const held = new SignedAhead<string>(1000, undefined, clock);
  held.put(BOOK, 'book-tx', 'book');
  const turn = clock.monoMs() + 999; // the engine's reading on the deciding turn
  await clock.advance(1000); // the clock has moved past the order's life since
  assert.deepEqual(held.bounds('sell', 100), [], 'at the clock: too old');
  assert.deepEqual(held.bounds('sell', 100, turn), [999_900], "at the turn's reading: held");
  assert.equal(held.take(BOOK, turn), 'book-tx', 'and handed out at that same reading');
  held.put(BOOK, 'book-tx-2', 'book');
  assert.deepEqual(held.bounds('sell', 100, clock.monoMs() + 1000), []);
  assert.equal(held.take(BOOK, clock.monoMs() + 1000), undefined, 'too old at the reading given');
});
