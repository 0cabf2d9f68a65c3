// The Lighter execution path against the simulator: every rejection shape and code, nonces after
// doubtful outcomes, and the shared request budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LighterRejectionShape } from '../../../src/sim/types.js';
import type { LighterVenue } from '../../../src/venues/lighter/index.js';
import { VenueError, type MarketOrderRequest } from '../../../src/venues/venue.js';
import { until } from '../../helpers/until.js';
import { ACCOUNT, started } from './harness.js';
import { pinnedWallClock } from '../../helpers/pinned-clock.js';

const BUY: MarketOrderRequest = { side: 'buy', size: 100, worstPrice: 1_000_100 };
const SELL: MarketOrderRequest = { side: 'sell', size: 100, worstPrice: 999_900 };

/** Lines the venue logged about an invalid nonce (21104): one rejection must not cause a run of them. */
const invalidNonceLines = (lines: string[]) => lines.filter((l) => l.includes('21104'));

/** Counts the REST calls the adapter makes, by path. */
function countCalls(venue: LighterVenue): Map<string, number> {
  const calls = new Map<string, number>();
  const get = venue.rest.get.bind(venue.rest);
  venue.rest.get = ((path: string, ...rest: Parameters<typeof get> extends [string, ...infer R] ? R : never) => {
    calls.set(path, (calls.get(path) ?? 0) + 1);
    return get(path, ...rest);
  }) as typeof get;
  return calls;
}

for (const shape of ['sendtx_code', 'sendtx_code_no_id', 'type_error', 'bare_error'] as const satisfies readonly LighterRejectionShape[]) {
  test(`a rejection answered as ${shape} ends the order rejected with the venue's code and message, and the next orders go through`, async () => {
    const { venue, faults, sim, logger } = await started();
    faults.rejectionShape = shape;
    faults.rejectNextOrderWith = 21733;
    const rejected = await venue.placeMarketOrder(BUY);
    assert.deepEqual([rejected.state, rejected.error?.kind, rejected.error?.code, rejected.filled], ['rejected', 'rejected', 21733, 0]);
    assert.match(rejected.error!.message, /21733 "accidental price"/);
    for (const r of [SELL, BUY, SELL]) assert.equal((await venue.placeMarketOrder(r)).state, 'filled');
    assert.deepEqual(
      sim.acceptedTxs.map((t) => t.nonce),
      [0, 1, 2],
      'the rejected order left nonce 0 unused; the next took it',
    );
    assert.deepEqual(invalidNonceLines(logger.lines), []);
  });
}

test('rejections in random shapes between trades: each one rejected, every trade filled, no run of invalid nonces', async () => {
  const { venue, faults, sim, logger, engine } = await started();
  for (let round = 0; round < 6; round++) {
    faults.rejectNextOrderWith = 21733;
    assert.equal((await venue.placeMarketOrder(BUY)).state, 'rejected');
    const trade = await venue.placeMarketOrder(round % 2 === 0 ? BUY : SELL);
    assert.equal(trade.state, 'filled', trade.error?.message);
  }
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(engine.position(String(ACCOUNT)).size, 0, 'three buys and three sells');
  assert.deepEqual(invalidNonceLines(logger.lines), []);
});

test('a rejection that names no order goes to the oldest order waiting; the one behind it meets one 21104 at most and is re-signed', async () => {
  const { venue, faults, sim, logger } = await started();
  faults.rejectionShape = 'bare_error';
  faults.rejectNextOrderWith = 21733;
  // Both leave in the same turn: the first takes nonce 0, the second nonce 1.
  const [a, b] = await Promise.all([venue.placeMarketOrder(BUY), venue.placeMarketOrder(SELL)]);
  assert.deepEqual([a.state, a.error?.code], ['rejected', 21733], 'the oldest order waiting took the rejection');
  assert.equal(b.state, 'filled', "the second was re-signed with the venue's nonce");
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0],
  );
  assert.ok(invalidNonceLines(logger.lines).length <= 1, logger.lines.join('\n'));
  assert.equal((await venue.placeMarketOrder(BUY)).state, 'filled');
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0, 1],
  );
});

test('a rejection that names no order, arriving after the window, is matched to none: the order stays unknown and is looked up', async () => {
  const { venue, faults, logger, sim } = await started({ venue: { answerWindowMs: 50 } });
  faults.rejectionShape = 'type_error';
  faults.rejectNextOrderWith = 21733;
  faults.replyDelayMs = 150;
  const leg = await venue.placeMarketOrder(BUY);
  assert.equal(leg.state, 'unknown', 'never a guess');
  assert.equal(leg.filled, 0);
  assert.ok(
    logger.lines.some((l) => /21733 "accidental price".*not matched to an order \(the oldest order waiting \(\d+\) was sent \d+ ms ago, past the 50 ms window/.test(l)),
    logger.lines.join('\n'),
  );
  faults.replyDelayMs = 0;
  assert.equal((await venue.placeMarketOrder(SELL)).state, 'filled');
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0],
  );
  assert.deepEqual(invalidNonceLines(logger.lines), []);
});

for (const [code, setting] of [
  [
    21120,
    /check API_KEY_PRIVATE_KEY \(the private key of that API key\), LIGHTER_API_KEY_INDEX \(the index it is registered at\) and LIGHTER_CHAIN_ID \(304 mainnet, 300 testnet\); entries are stopped/,
  ],
  [21136, /the venue refuses this signer version: update backpack-lighter-arb to a release with the current Lighter signer; entries are stopped/],
] as const) {
  test(`${code} is a configuration failure: kind auth naming the setting, readiness auth_failed, entries refused locally, repairs still sent`, async () => {
    const { venue, faults, sim } = await started();
    faults.rejectNextOrderWith = code;
    const leg = await venue.placeMarketOrder(BUY);
    assert.deepEqual([leg.state, leg.error?.kind, leg.error?.code], ['rejected', 'auth', code]);
    assert.match(leg.error!.message, setting);
    const r = venue.readiness();
    assert.equal(r.state, 'auth_failed');
    assert.match(r.state === 'auth_failed' ? r.detail : '', setting);
    assert.equal(venue.readyForOrder(), false);
    const entry = await venue.placeMarketOrder(SELL);
    assert.deepEqual([entry.state, entry.error?.kind], ['rejected', 'auth']);
    assert.match(entry.error!.message, /Lighter entry not sent/);
    assert.equal(sim.acceptedTxs.length, 0);
    const repair = await venue.placeMarketOrder({ ...SELL, purpose: 'repair' });
    assert.equal(repair.state, 'filled', "an unwind is never held back by the venue's own refusal of another order");
  });
}

for (const code of [29500, 29501]) {
  test(`${code} says nothing of the outcome: the order is not called rejected, its true outcome (filled) is kept, the venue is down until it speaks`, async () => {
    const { venue, faults, sim, logger } = await started();
    faults.rejectNextOrderWith = code;
    const leg = await venue.placeMarketOrder(BUY);
    assert.deepEqual([leg.state, leg.filled], ['filled', 100], 'the simulator executed it before answering the error');
    assert.equal(sim.acceptedTxs.length, 1);
    await until(`the ${code} seen`, () => logger.lines.some((l) => l.includes(String(code))));
    assert.equal(venue.readiness().state, 'down');
    assert.equal((await venue.placeMarketOrder({ ...SELL, purpose: 'repair' })).state, 'filled');
    assert.deepEqual(
      sim.acceptedTxs.map((t) => t.nonce),
      [0, 1],
    );
    assert.deepEqual(invalidNonceLines(logger.lines), []);
  });
}

test('acknowledged, then failed in the sequencer: the order ends unknown with nothing filled, the nonce is read again, and the next order takes the unused nonce', async () => {
  const { venue, faults, sim, logger, engine } = await started();
  const calls = countCalls(venue);
  faults.ackThenFailNext = 1;
  const leg = await venue.placeMarketOrder(BUY);
  assert.deepEqual([leg.state, leg.filled], ['unknown', 0]);
  assert.match(leg.error!.message, /not (found )?in the order history/);
  assert.ok(logger.lines.some((l) => /acknowledged but not confirmed by the account stream/.test(l)));
  assert.equal(engine.position(String(ACCOUNT)).size, 0, 'its true outcome: nothing executed');
  const next = await venue.placeMarketOrder(SELL);
  assert.equal(next.state, 'filled');
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0],
    'nonce 0, unused by the failed transaction, went to the next order',
  );
  assert.ok((calls.get('nextNonce') ?? 0) >= 1, 'the nonce was read from the venue before the next order');
  assert.deepEqual(invalidNonceLines(logger.lines), [], 'not signed with a locally incremented nonce');
});

test("a timeout (reply lost, streams silent): the leg's true outcome comes from the history, and the nonce is read again before the next order", async () => {
  const { venue, faults, sim, logger } = await started();
  const calls = countCalls(venue);
  faults.dropNextOrderReplies = 1;
  faults.silentUntil = Date.now() + 600;
  const leg = await venue.placeMarketOrder(BUY);
  assert.deepEqual([leg.state, leg.filled], ['filled', 100]);
  const reads = calls.get('nextNonce') ?? 0;
  assert.ok(reads >= 1);
  assert.equal((await venue.placeMarketOrder(SELL)).state, 'filled');
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0, 1],
  );
  assert.deepEqual(invalidNonceLines(logger.lines), []);
});

test('orders signed ahead are discarded when the nonce is read again, even when it reads the same', async () => {
  const { venue, faults } = await started();
  const signer = (venue as unknown as { signer: { signCreateOrder: (p: unknown) => unknown } }).signer;
  const sign = signer.signCreateOrder.bind(signer);
  let signatures = 0;
  signer.signCreateOrder = (p) => (signatures++, sign(p));
  faults.rejectNextOrderWith = 21733;
  assert.equal((await venue.placeMarketOrder(BUY)).state, 'rejected');
  await venue.nonces.ensure();
  venue.prepareMarketOrder(SELL);
  assert.equal(signatures, 2);
  venue.nonces.suspect(); // e.g. a timeout elsewhere
  await venue.nonces.ensure(); // reads 0 again
  assert.equal((await venue.placeMarketOrder(SELL)).state, 'filled');
  assert.equal(signatures, 3, 'the sell signed ahead before the read was not sent; it was signed anew');
});

test('one stuck leg never delays the hedge: its look-ups are paced and capped, and a repair takes its place at once', async () => {
  let clock = Date.now();
  // 12 a minute: 2 places held for repairs, look-ups at most 2 a minute.
  const { venue, faults, sim } = await started({ now: () => clock, venue: { txPerMinute: 12 } });
  const calls = countCalls(venue);
  faults.ackThenFailNext = 1;
  const stuck = await venue.placeMarketOrder(BUY); // unknown after its deadline and one look-up
  assert.equal(stuck.state, 'unknown');
  // The engine asks about it again and again for a minute, as it does for an unknown leg.
  for (let i = 0; i < 60; i++) {
    assert.equal((await venue.resolveOrder(stuck)).state, 'unknown');
    clock += 500;
  }
  assert.equal(calls.get('accountInactiveOrders'), 2, 'two look-ups in the minute, however often it was asked');
  clock = clock - 30_000; // back inside the same window as everything above, for the entries below
  while (venue.readyForOrder()) await venue.placeMarketOrder(venue.budget.used() % 2 === 0 ? BUY : SELL);
  assert.equal(venue.readiness().state, 'budget_empty');
  const before = venue.budget.used();
  const repair = venue.placeMarketOrder({ ...SELL, purpose: 'repair' });
  assert.equal(venue.budget.used(), before + 1, 'the repair took its place in the same turn: it did not wait in line');
  assert.equal((await repair).state, 'filled');
  assert.ok(sim.acceptedTxs.length >= 2);
});

const DAY_MS = 86_400_000;

test('a 429 from the venue holds everything back: readiness backing_off until the back-off ends', async () => {
  let clock = Date.now();
  // The clock's monotonic line runs a day behind its wall line, so a time said on the wrong line shows.
  const { venue, faults } = await started({ now: () => clock, venue: { clock: pinnedWallClock(() => clock, -DAY_MS) } });
  faults.rateLimitUntil = Date.now() + 60_000;
  await assert.rejects(venue.fetchPosition(), (e: Error & { kind?: string }) => e.kind === 'rate_limited');
  // The port speaks the engine's monotonic time: 10 s from now on the clock's monoMs line, not its wall line.
  const r = venue.readiness();
  assert.equal(r.state, 'backing_off');
  assert.equal(r.state === 'backing_off' ? r.until : NaN, clock - DAY_MS + 10_000);
  assert.equal(venue.readyForOrder(), false);
  faults.rateLimitUntil = 0;
  clock += 10_000;
  assert.deepEqual(venue.readiness(), { state: 'ready' });
});

test('a repair with no place left waits first in line, says so, and goes out the moment a place frees up', async () => {
  let clock = Date.now();
  // 6 a minute, one held for repairs; start-up takes the other five (markets, status, key, tier, nonce).
  const { venue, logger, sim } = await started({ now: () => clock, venue: { txPerMinute: 6 } });
  const t0 = clock;
  assert.equal((await venue.placeMarketOrder({ ...BUY, purpose: 'repair' })).state, 'filled', 'the reserved place');
  const waiting = venue.placeMarketOrder({ ...SELL, purpose: 'repair' });
  assert.equal((await venue.placeMarketOrder(BUY)).state, 'rejected', 'an entry does not pass a waiting repair');
  await until('the wait is logged', () => logger.lines.some((l) => /Lighter repair order \d+ waits 60000 ms for a place in the request budget of 6 a minute/.test(l)));
  assert.equal(sim.acceptedTxs.length, 1);
  clock = t0 + 60_000;
  venue.budget.wake(); // the timer the budget armed, fired by hand with the test's clock
  assert.equal((await waiting).state, 'filled');
  assert.equal(sim.acceptedTxs.length, 2);
});

test('readiness pushed: the gate opens only with an answer of ready (or the moment a spent budget frees a place) and closes at once with a place taken, a 429, the venue marked down or credentials refused', async () => {
  let clock = Date.now();
  const { venue } = await started({ now: () => clock, venue: { txPerMinute: 12 } });
  const gate = venue.readinessGate!;
  /** Whenever the gate is open, readiness() answers ready (the engine reads the gate instead of asking). */
  const agrees = (what: string) => {
    if (clock >= gate.readyFrom) assert.equal(venue.readiness().state, 'ready', `${what}: the gate is open, so readiness() must say ready`);
  };
  assert.equal(gate.readyFrom, Infinity, 'closed until readiness() is first asked');
  assert.equal(venue.readiness().state, 'ready');
  assert.equal(gate.readyFrom, clock, 'open from now');
  const written = venue.writeOrder!(BUY);
  assert.equal(gate.readyFrom, Infinity, 'the order took a place: closed in the same turn');
  assert.equal((await venue.followOrder!(written)).state, 'filled');
  agrees('after an order');
  assert.equal(venue.readiness().state, 'ready');
  assert.equal(gate.readyFrom, clock);
  // Entries until the budget has no place for one (10 of 12: 2 are held back for repairs).
  while (venue.readyForOrder()) await venue.placeMarketOrder(venue.budget.used() % 2 === 0 ? BUY : SELL);
  const spent = venue.readiness();
  assert.equal(spent.state, 'budget_empty');
  const freeAt = spent.state === 'budget_empty' ? spent.until : NaN;
  assert.equal(gate.readyFrom, freeAt, 'open from the moment a place frees up');
  clock = freeAt - 1;
  agrees('a millisecond before the place frees up');
  assert.equal(venue.readiness().state, 'budget_empty');
  clock = freeAt;
  agrees('as the place frees up');
  assert.equal(venue.readiness().state, 'ready');
  // The venue's own 429: closed at once, and kept closed while it backs off.
  venue.budget.pause(clock + 5_000, '429 (test)');
  assert.equal(gate.readyFrom, Infinity);
  assert.equal(venue.readiness().state, 'backing_off');
  assert.equal(gate.readyFrom, Infinity, 'asked again on every frame while backing off');
  clock += 5_000;
  assert.equal(venue.readiness().state, 'ready');
  agrees('after the back-off');
  // Marked down: closed at once.
  const parts = (venue as unknown as { parts: { session: { markUnavailable(d: string): void; available: boolean }; execution: { failAuth(e: VenueError): void } } }).parts;
  parts.session.markUnavailable('Lighter unavailable: 503 (test)');
  assert.equal(gate.readyFrom, Infinity);
  assert.equal(venue.readiness().state, 'down');
  parts.session.available = true;
  assert.equal(venue.readiness().state, 'ready');
  // Credentials refused: closed at once, for good.
  parts.execution.failAuth(new VenueError('lighter', 'auth', '21108 (test)'));
  assert.equal(gate.readyFrom, Infinity);
  assert.equal(venue.readiness().state, 'auth_failed');
  assert.equal(gate.readyFrom, Infinity);
});
