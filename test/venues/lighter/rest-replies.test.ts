// Lighter REST replies that do not match the protocol (null, an array, fields of the wrong type),
// against the simulator with the reply's body replaced after it arrived: each gives one error line
// naming the endpoint, and nothing is lost — start-up stops before the feeds open (or, for what is
// only informative, says so and goes on), a read fails with that line, and an unknown order stays
// unknown until a readable look-up settles it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LighterVenue } from '../../../src/venues/lighter/index.js';
import { VenueError } from '../../../src/venues/venue.js';
import { setup, started } from './harness.js';

/** The venue's REST client answers `body` for `path` (the request still goes to the simulator and takes its place). */
function replyWith(venue: LighterVenue, path: string, body: unknown): () => void {
  const rest = venue.rest;
  const get = rest.get.bind(rest);
  rest.get = (async (p: string, ...more: Parameters<typeof get> extends [string, ...infer R] ? R : never) => {
    const real: unknown = await get(p, ...more);
    return p === path ? body : real;
  }) as typeof get;
  return () => {
    rest.get = get;
  };
}

/** The same rule for every refused reply: a protocol VenueError whose one line names the request. */
function refusedLine(endpoint: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof VenueError, `a VenueError, not ${String(e)}`);
    assert.equal(e.kind, 'protocol');
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.ok(e.message.startsWith(`Lighter ${endpoint} reply refused: `), e.message);
    assert.ok(e.message.endsWith('(the reply did not match the Lighter protocol)'), e.message);
    return true;
  };
}

for (const [path, bodies] of [
  ['orderBookDetails', [null, { order_book_details: { BTC: 1 } }, { order_book_details: [{ symbol: 'BTC', market_id: '1', size_decimals: 5, price_decimals: 1 }] }]],
  ['apikeys', [null, []]],
  ['nextNonce', [null, { nonce: '0' }, [{ nonce: 0 }]]],
] as const) {
  test(`start-up: a ${path} reply that is not the protocol stops start-up with one line naming the endpoint, before the feeds open`, async () => {
    for (const body of bodies) {
      const { venue } = await setup();
      replyWith(venue, path, body);
      await assert.rejects(venue.start(), refusedLine(`GET /api/v1/${path}`));
      assert.equal(venue.stream, undefined, 'no socket was opened');
    }
  });
}

test('start-up: an unreadable status or accountLimits reply is said in one line and start-up goes on with what is known', async () => {
  const { venue, logger } = await setup();
  replyWith(venue, 'accountLimits', [{ user_tier: 'premium' }]);
  venue.rest.getStatus = (() => Promise.resolve(null)) as typeof venue.rest.getStatus;
  await venue.start();
  assert.equal(venue.setup?.tier?.tier, undefined, 'the tier was not guessed');
  assert.match(venue.setup?.tier?.unknownBecause ?? '', /^Lighter GET \/api\/v1\/accountLimits reply refused: accountLimits is not an object: \[\{"user_tier":"premium"\}\] \(/);
  assert.equal(venue.setup?.fees.takerBps, 0, 'Standard assumed, and said');
  assert.deepEqual(
    logger.lines.filter((l) => l.includes('GET / reply refused')),
    ['WARN Lighter status (GET /) could not be read: Lighter GET / reply refused: status is not an object: null (the reply did not match the Lighter protocol)'],
  );
});

test('position: a malformed account reply fails the read with one line naming the endpoint; the next good reply reads', async () => {
  const { venue } = await started();
  for (const body of [null, [], { accounts: [7] }, { accounts: [{ positions: [{ market_id: 1, sign: 1, position: 0.5 }] }] }, { accounts: [{ positions: { 1: {} } }] }]) {
    const restore = replyWith(venue, 'account', body);
    await assert.rejects(venue.fetchPosition(), refusedLine('GET /api/v1/account'));
    restore();
  }
  assert.equal(await venue.fetchPosition(), 0);
  const restore = replyWith(venue, 'account', { accounts: [{ positions: [{ market_id: 1, sign: -1, position: '0.00150', symbol: 'BTC' }] }] });
  assert.equal(await venue.fetchPosition(), -150);
  restore();
});

test('an unknown order whose history reply cannot be read stays unknown with one line naming the endpoint; a readable look-up settles it', async () => {
  const { venue, logger } = await started({ venue: { lookupIntervalMs: 0 } });
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.equal(leg.state, 'filled', leg.error?.message);
  const unknown = { ...leg, state: 'unknown' as const, filled: 0, notional: 0, confirmedAt: undefined };
  for (const body of [null, { orders: { 0: 'x' } }, { orders: [{ client_order_index: Number(leg.clientOrderId), status: 'filled', filled_base_amount: -1 }] }]) {
    const restore = replyWith(venue, 'accountInactiveOrders', body);
    const still = await venue.resolveOrder(unknown);
    restore();
    assert.equal(still.state, 'unknown', 'nothing is concluded from a reply that cannot be read');
    assert.ok(refusedLine('GET /api/v1/accountInactiveOrders')(still.error));
  }
  assert.equal(logger.lines.filter((l) => l.includes('GET /api/v1/accountInactiveOrders reply refused')).length, 3, 'one line per refused reply');
  const settled = await venue.resolveOrder(unknown);
  assert.deepEqual([settled.state, settled.filled, settled.notional], ['filled', leg.filled, leg.notional]);
});

test('with the socket down, an unreadable sendTx acceptance is not taken as one: said in one line, the order is looked up at its deadline and settled', async () => {
  const { venue, sim, logger } = await started();
  await venue.stream!.stop();
  const rest = venue.rest;
  const sendTx = rest.sendTx.bind(rest);
  rest.sendTx = (async (...args: Parameters<typeof sendTx>) => {
    await sendTx(...args);
    return null;
  }) as unknown as typeof sendTx;
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 300, worstPrice: 1_000_100 });
  assert.deepEqual([leg.state, leg.filled, leg.notional], ['filled', 300, 300 * 1_000_000], 'the history settled it');
  assert.equal(sim.acceptedTxs.length, 1);
  const refused = logger.lines.filter((l) => l.includes('POST /api/v1/sendTx reply refused'));
  assert.deepEqual(refused, [
    `WARN Lighter POST /api/v1/sendTx reply refused: sendTx reply is not an object: null (the reply did not match the Lighter protocol); order ${leg.clientOrderId} is looked up at its deadline`,
  ]);
  assert.ok(
    logger.lines.some((l) => l.includes(`order ${leg.clientOrderId} not answered after`)),
    'the deadline did not count it as acknowledged',
  );
});
