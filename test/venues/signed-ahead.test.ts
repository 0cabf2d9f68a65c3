// Orders signed ahead, per side and kind: what bounds() names is exactly what take() would hand out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.js';
import fc from 'fast-check';
import { chooseHeld, SignedAhead } from '../../src/venues/signed-ahead.js';

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

test('takeNearest hands out exactly what chooseHeld then take hand out, and leaves the same places behind', async () => {
  const held = fc.record({
    size: fc.constantFrom(100, 200),
    worstPrice: fc.integer({ min: 997, max: 1003 }),
    reduceOnly: fc.boolean(),
    ageMs: fc.constantFrom(0, 400, 999, 1000, 1500),
    valid: fc.boolean(),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.constantFrom('buy', 'sell') as fc.Arbitrary<'buy' | 'sell'>, fc.constantFrom('book', 'threshold') as fc.Arbitrary<'book' | 'threshold'>, held), {
        maxLength: 6,
      }),
      fc.constantFrom('buy', 'sell') as fc.Arbitrary<'buy' | 'sell'>,
      fc.constantFrom(100, 200),
      fc.integer({ min: 997, max: 1003 }),
      fc.integer({ min: 995, max: 1005 }),
      async (places, side, size, fresh, limit) => {
        const twins = [new FakeClock(), new FakeClock()].map((clock) => {
          const invalid = new Set<string>();
          const ahead = new SignedAhead<string>(1000, (s) => !invalid.has(s), clock);
          return { clock, invalid, ahead };
        });
        // The same places, put at their ages (oldest first), on both.
        const sorted = [...places].sort((a, b) => b[2].ageMs - a[2].ageMs);
        for (const t of twins) {
          let at = 0;
          for (const [s, kind, h] of sorted) {
            await t.clock.advance(1500 - h.ageMs - at);
            at = 1500 - h.ageMs;
            const name = `${s}/${kind}/${h.worstPrice}/${h.size}/${h.ageMs}`;
            if (!h.valid) t.invalid.add(name);
            t.ahead.put({ side: s, size: h.size, worstPrice: h.worstPrice, reduceOnly: h.reduceOnly }, name, kind);
          }
          await t.clock.advance(1500 - at);
        }
        const request = { side, size, worstPrice: fresh };
        const [one, other] = twins;
        const chosen = chooseHeld(one.ahead, request, limit, undefined);
        const expected = one.ahead.take(chosen);
        const got = other.ahead.takeNearest(request, limit);
        assert.equal(got, expected);
        if (got !== undefined) assert.deepEqual({ ...other.ahead.takenOrder, reduceOnly: undefined }, { ...chosen, reduceOnly: undefined });
        for (const s of ['buy', 'sell'] as const) for (const z of [100, 200]) assert.deepEqual(other.ahead.bounds(s, z), one.ahead.bounds(s, z));
      },
    ),
    { numRuns: 400 },
  );
});
