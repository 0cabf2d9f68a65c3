// The shared Lighter request budget on a hand-driven clock and scheduler: no sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RateBudget, type BudgetPurpose } from '../../../src/venues/lighter/rate-budget.js';

function budget(perMinute: number) {
  let clock = 1_000_000;
  const wakes: Array<{ at: number; wake: () => void; cancelled: boolean }> = [];
  const b = new RateBudget({
    perMinute,
    now: () => clock,
    schedule: (wake, ms) => {
      const w = { at: clock + ms, wake, cancelled: false };
      wakes.push(w);
      return { cancel: () => void (w.cancelled = true) };
    },
  });
  /** Moves the clock and fires the timers that fall due, as the event loop would. */
  const advance = (ms: number) => {
    clock += ms;
    for (const w of wakes.splice(0)) {
      if (w.cancelled) continue;
      if (w.at <= clock) w.wake();
      else wakes.push(w);
    }
  };
  return { b, advance, now: () => clock };
}

const takeAll = (b: RateBudget, purpose: BudgetPurpose) => {
  let n = 0;
  while (b.tryTake(purpose)) n++;
  return n;
};

test('60 a minute: entries get 54, repairs the 6 held back; lookups at most 10; a rolling window', () => {
  const { b, advance } = budget(60);
  assert.deepEqual([b.repairReserve, b.lookupCap], [6, 10]);
  assert.equal(takeAll(b, 'lookup'), 10, 'lookups capped at a sixth of the window');
  assert.equal(takeAll(b, 'entry'), 44, 'entries stop at 54 in the window');
  assert.equal(b.tryTake('lookup'), false);
  assert.equal(takeAll(b, 'repair'), 6, 'the reserve is for repairs');
  assert.equal(b.used(), 60);
  advance(59_999);
  assert.equal(b.tryTake('repair'), false, 'the window rolls: nothing frees up before a full minute');
  advance(1);
  assert.equal(b.used(), 0);
});

test('availableAt names the moment a place frees up for each purpose', () => {
  const { b, advance, now } = budget(12); // reserve 2, lookups 2
  const t0 = now();
  assert.equal(takeAll(b, 'lookup'), 2);
  advance(1000);
  assert.equal(takeAll(b, 'entry'), 8);
  assert.equal(b.availableAt('lookup'), t0 + 60_000, 'the lookup cap frees when the first lookups leave the window');
  advance(1000);
  assert.equal(takeAll(b, 'repair'), 2);
  assert.equal(b.availableAt('repair'), t0 + 60_000);
  assert.equal(b.availableAt('entry'), t0 + 61_000, 'with the reserve in use, an entry waits for the entries to leave the window');
  assert.match(b.refusal('entry').message, /shared budget of 12 requests per minute \(--lighter-requests-per-minute\) is spent for another 59000 ms/);
});

test('waiters are served repairs first, then entries, then lookups, whatever their arrival order', async () => {
  const { b, advance } = budget(4); // reserve 1, lookups cap 1
  assert.equal(takeAll(b, 'repair'), 4);
  const served: string[] = [];
  const lookup = b.take('lookup').then(() => served.push('lookup'));
  const entry = b.take('entry').then(() => served.push('entry'));
  const repair = b.take('repair').then(() => served.push('repair'));
  assert.equal(b.tryTake('entry'), false, 'an entry does not jump a queued repair');
  advance(60_000); // all three places free again
  await Promise.all([lookup, entry, repair]);
  assert.deepEqual(served, ['repair', 'entry', 'lookup']);
});

test("a waiter gives up at its deadline with a rate_limited error; the venue's 429 pauses everything", async () => {
  const { b, advance, now } = budget(2);
  takeAll(b, 'repair');
  const late = b.take('entry', 500);
  advance(500);
  await assert.rejects(late, (e: Error & { kind?: string }) => e.kind === 'rate_limited');
  advance(60_000);
  b.pause(now() + 5000, '23000 "too many requests"');
  assert.equal(b.tryTake('repair'), false);
  assert.deepEqual(b.backingOff(), { until: now() + 5000, detail: '23000 "too many requests"' });
  const repair = b.take('repair');
  advance(5000);
  await repair;
  assert.equal(b.backingOff(), undefined);
});

test("transactions are also kept to two thirds of the budget (the older documents' 40 of 60), with the repairs' reserve inside it", () => {
  const { b, advance } = budget(60);
  assert.equal(b.transactionCap, 40);
  assert.equal(takeAll(b, 'lookup'), 10);
  let entries = 0;
  while (b.tryTake('entry', true)) entries++;
  assert.equal(entries, 34, 'entries stop 6 short of the 40 transactions');
  assert.equal(b.tryTake('entry'), true, 'a plain request still has room in the 60');
  let repairs = 0;
  while (b.tryTake('repair', true)) repairs++;
  assert.equal(repairs, 6, 'the repairs take the last transactions');
  assert.match(b.refusal('entry', true).message, /shared budget of 60 requests \(40 transactions\) per minute/);
  advance(60_000);
  assert.equal(b.tryTake('entry', true), true);
  assert.equal(new RateBudget({ perMinute: 60, transactionsPerMinute: 60 }).transactionCap, 60, 'a setting can lift it');
});

test('on a monotonic clock that moves a fraction of a millisecond between readings, a free place is taken at once', () => {
  // A monotonic clock read twice is later the second time; "free from now" must still mean free now.
  let clock = 5_000.25;
  const b = new RateBudget({ perMinute: 10, now: () => (clock += 0.001) });
  assert.equal(b.tryTake('entry'), true);
  assert.equal(b.tryTake('repair', true), true);
  assert.equal(b.used(), 2);
});

test('a check looks at a bounded number of entries however full the window: the work per order does not grow with the run', () => {
  // A large quota (a Premium account's, or a benchmark's) holds thousands of places in one
  // window; readiness is asked on every book frame and every order takes a place, so a check
  // that scanned the window would cost more the longer the bot trades.
  let clock = 0;
  const b = new RateBudget({ perMinute: 100_000, now: () => clock });
  const orders = 6000;
  for (let i = 0; i < orders; i++) {
    clock += 20; // one order every 20 ms: 3000 in any one-minute window
    assert.ok(b.availableAt('entry', true) <= clock, `order ${i}: the budget is far from spent`);
    assert.equal(b.tryTake('entry', true), true);
    if (i % 3 === 0) assert.equal(b.tryTake('lookup'), true);
  }
  assert.equal(b.used(), 3000 + 1000, 'the window holds the last minute: 3000 orders and 1000 look-ups');
  // Each entry is looked at a bounded number of times when it leaves the window, and each check a
  // bounded number of times besides: linear in the orders, not in orders × window.
  assert.ok(b.entriesExamined <= 16 * orders, `${b.entriesExamined} entries looked at for ${orders} orders`);
});

test("an entry's transaction taken on the strength of the moment last worked out gets exactly the answers a budget working it out every time gives", () => {
  // The budget remembers availableAt('entry', true) until a place is taken or a pause comes. Twin
  // budgets take the same steps; the second forgets that moment before every step (a pause that
  // ends before it began changes nothing else), so it works everything out afresh.
  const op = fc.oneof(
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
    fc.record({ kind: fc.constant('take' as const), purpose: fc.constantFrom('entry', 'repair', 'lookup') as fc.Arbitrary<BudgetPurpose>, transaction: fc.boolean() }),
    fc.record({ kind: fc.constant('ask' as const), purpose: fc.constantFrom('entry', 'repair', 'lookup') as fc.Arbitrary<BudgetPurpose>, transaction: fc.boolean() }),
    fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 15_000 }) }),
    // To the moment an entry's place frees up, or just before or after it.
    fc.record({ kind: fc.constant('edge' as const), off: fc.constantFrom(-1, -0.001, 0, 0.001, 1) }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 30 }), fc.array(op, { maxLength: 120 }), (perMinute, ops) => {
      let clock = 1_000;
      const remembers = new RateBudget({ perMinute, now: () => clock });
      const fresh = new RateBudget({ perMinute, now: () => clock });
      const forget = () => fresh.pause(-Infinity, '');
      for (const o of ops) {
        forget();
        if (o.kind === 'wait') clock += o.ms;
        else if (o.kind === 'take') assert.equal(remembers.tryTake(o.purpose, o.transaction), fresh.tryTake(o.purpose, o.transaction));
        else if (o.kind === 'ask') assert.equal(remembers.availableAt(o.purpose, o.transaction), fresh.availableAt(o.purpose, o.transaction));
        else if (o.kind === 'edge') {
          const at = remembers.availableAt('entry', true);
          assert.equal(at, fresh.availableAt('entry', true));
          clock = Math.max(clock, at + o.off);
        } else {
          remembers.pause(clock + o.ms, 'test');
          fresh.pause(clock + o.ms, 'test');
        }
        assert.equal(remembers.used(), fresh.used());
      }
      remembers.close();
      fresh.close();
    }),
    { numRuns: 300 },
  );
});
