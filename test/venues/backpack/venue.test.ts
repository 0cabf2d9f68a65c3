import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { example, key, otherKey, seq } from './fixtures.js';
import { ScriptedBackpack, type Reply } from './scripted-server.js';
import { BackpackVenue, parseMarket, type BackpackVenueOptions } from '../../../src/venues/backpack/index.js';
import { Secret } from '../../../src/core/secret.js';
import { MemoryLogger } from '../../../src/core/log.js';
import { formatFixed } from '../../../src/core/fixed.js';
import { until } from '../../helpers/until.js';
import { pinnedMonoClock } from '../../helpers/pinned-clock.js';

const server = new ScriptedBackpack(key.public_key_b64);
let urls: { apiUrl: string; wsUrl: string };
let depthQueue: { body: unknown; gate: Promise<void> }[] = [];
const logger = new MemoryLogger();

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const levels = (v: BackpackVenue, side: 'bid' | 'ask') => v.book.levels(side).map(([p, q]) => [formatFixed(p, 1), formatFixed(q, 5)]);

before(async () => {
  urls = await server.listen();
  server.routes.set('GET /api/v1/markets', () => ({ body: example('markets') }));
  server.routes.set('GET /api/v1/account', () => ({ body: example('account') }));
  server.routes.set('GET /api/v1/depth', async () => {
    const next = depthQueue.shift();
    if (next === undefined) return { status: 503, body: { code: 'SERVER_ERROR', message: 'no snapshot scripted' } };
    await next.gate;
    return { body: next.body };
  });
});
after(() => server.close());

test('parseMarket: tick/step/min quantity give the scales', () => {
  const spec = parseMarket((example('markets') as unknown[])[0], { takerFeeBps: 5, makerFeeBps: 2 });
  assert.deepEqual(spec, { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 5, makerFeeBps: 2 });
});

test('book from snapshot and deltas, a gap forcing a resync, a disconnect forcing a rebuild', async () => {
  const g1 = gate();
  depthQueue = [{ body: seq.snapshot_1, gate: g1.promise }];
  const venue = new BackpackVenue({
    ticker: 'BTC',
    ...urls,
    publicKey: key.public_key_b64,
    secretKey: new Secret(key.secret_b64),
    logger,
    reconnectBaseMs: 10,
    reconnectMaxMs: 40,
    snapshotRetryMs: 10,
  });
  const bookEvents: number[] = [];
  venue.onBook((e) => bookEvents.push(e.receivedAt));
  try {
    const spec = await venue.start();
    assert.equal(spec.takerFeeBps, 5, 'fees read from /api/v1/account');
    await until('subscriptions', () => server.subscribes.length >= 2);
    assert.deepEqual(server.subscribes.slice(-2), [
      { params: ['depth.BTC_USDC_PERP', 'bookTicker.BTC_USDC_PERP', 'markPrice.BTC_USDC_PERP'], signed: false },
      { params: ['account.orderUpdate.BTC_USDC_PERP', 'account.positionUpdate.BTC_USDC_PERP'], signed: true },
    ]);
    for (const f of seq.messages_before_snapshot_1) server.broadcast(f);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(venue.status().bookValid, false, 'no book before the snapshot');
    g1.open();
    await until('book valid', () => venue.status().bookValid);
    assert.deepEqual(levels(venue, 'bid'), [
      ['97009.0', '0.20000'],
      ['97008.3', '0.40000'],
      ['97005.1', '0.75000'],
      ['97001.0', '2.00000'],
    ]);
    assert.deepEqual(levels(venue, 'ask'), [
      ['97011.0', '0.50000'],
      ['97015.2', '1.25000'],
    ]);

    // Gap: the lost events are never sent; the next snapshot waits until the test releases it.
    const g2 = gate();
    depthQueue.push({ body: seq.snapshot_2, gate: g2.promise });
    const before = bookEvents.length;
    for (const f of seq.messages_after_snapshot_1) server.broadcast(f);
    await until('gap detected', () => !venue.status().bookValid);
    assert.equal(bookEvents.length, before + 2, 'the two contiguous deltas reached the listener, the gap did not');
    for (const f of seq.messages_before_snapshot_2) server.broadcast(f);
    await new Promise((r) => setTimeout(r, 20));
    g2.open();
    await until('resynced', () => venue.status().bookValid);
    for (const f of seq.messages_after_snapshot_2) server.broadcast(f);
    const final = seq.expected_reference_steps.at(-1).state;
    await until('last delta', () => venue.book.bestBid === 970100);
    assert.deepEqual(levels(venue, 'bid'), final.bids);
    assert.deepEqual(levels(venue, 'ask'), final.asks);
    assert.ok(venue.lastBookAt > 0 && venue.bookAgeMs() >= 0);
    assert.equal(depthQueue.length, 0, 'exactly two snapshots so far');

    // Disconnect: the book is discarded, the connection comes back, every stream is renewed.
    depthQueue.push({ body: { ...seq.snapshot_2, lastUpdateId: '1662976300' }, gate: Promise.resolve() });
    const subsBefore = server.subscribes.length;
    server.dropClients();
    await until('book invalid after drop', () => !venue.status().bookValid);
    await until('resubscribed', () => server.subscribes.length >= subsBefore + 2);
    await until('rebuilt', () => venue.status().bookValid);
    assert.deepEqual(levels(venue, 'bid'), seq.snapshot_2.bids.slice().reverse());
    assert.ok(server.subscribes.slice(-1)[0].signed, 'private streams re-signed after the reconnect');
    server.broadcast({ stream: 'depth.BTC_USDC_PERP', data: { e: 'depth', U: 1662976301, u: 1662976301, b: [['97009.9', '0']], a: [] } });
    await until('applied after rebuild', () => venue.book.bestBid === 970095);
  } finally {
    await venue.stop();
  }
});

async function tradingVenue(orderTimeoutMs = 2000, extra: Partial<BackpackVenueOptions> = {}): Promise<BackpackVenue> {
  depthQueue.push({ body: seq.snapshot_2, gate: Promise.resolve() });
  const venue = new BackpackVenue({
    ticker: 'BTC',
    ...urls,
    publicKey: key.public_key_b64,
    secretKey: new Secret(key.secret_b64),
    logger,
    orderTimeoutMs,
    firstClientId: 4294967295,
    ...extra,
  });
  await venue.start();
  return venue;
}

function orderReply(body: Record<string, unknown>, executed: string, quote: string, status: string): Reply {
  return {
    body: {
      id: '11290394811',
      clientId: body.clientId,
      symbol: body.symbol,
      side: body.side,
      orderType: 'Limit',
      quantity: body.quantity,
      price: body.price,
      executedQuantity: executed,
      executedQuoteQuantity: quote,
      status,
      timeInForce: 'IOC',
    },
  };
}

test('market order: filled, partial, rejected, rate limited', async () => {
  const venue = await tradingVenue();
  try {
    const seen: Record<string, unknown>[] = [];
    server.routes.set('POST /api/v1/order', (p) => {
      seen.push(p);
      return orderReply(p, '0.01000', '970.109', 'Filled');
    });
    const fill = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.deepEqual(seen[0], { symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Limit', timeInForce: 'IOC', price: '97100.0', quantity: '0.01000', clientId: 4294967295 });
    assert.equal(fill.state, 'filled');
    assert.equal(fill.filled, 1000);
    assert.equal(fill.notional, 970109000, 'notional at priceScale + sizeScale (6) decimals');
    assert.equal(fill.clientOrderId, '4294967295');
    assert.equal(fill.venueOrderId, '11290394811');
    assert.ok(Math.abs(fill.fee - 0.4850545) < 1e-9, 'fee estimated at the 5 bps taker rate');
    assert.equal(fill.feeEstimated, true, 'and said to be an estimate');
    assert.ok(fill.confirmedAt! >= fill.sentAt);

    server.routes.set('POST /api/v1/order', (p) => {
      seen.push(p);
      return orderReply(p, '0.00400', '388.0436', 'Expired');
    });
    const partial = await venue.placeMarketOrder({ side: 'sell', size: 1000, worstPrice: 969000, reduceOnly: true });
    assert.equal(seen[1].clientId, 0, 'clientId wraps inside uint32');
    assert.equal(seen[1].reduceOnly, true);
    assert.equal(seen[1].side, 'Ask');
    assert.equal(partial.state, 'partial');
    assert.equal(partial.filled, 400);
    assert.equal(partial.notional, 388043600);

    server.routes.set('POST /api/v1/order', () => ({ status: 400, body: example('order-error-insufficient-margin') }));
    const rejected = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(rejected.state, 'rejected');
    assert.equal(rejected.filled, 0);
    assert.equal(rejected.error?.kind, 'insufficient_margin');
    assert.match(rejected.error!.message, /INSUFFICIENT_MARGIN "Insufficient margin" \(add collateral or lower --size\)/);

    const offGrid = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000.5 });
    assert.equal(offGrid.state, 'rejected');
    assert.equal(offGrid.error?.kind, 'bad_order');

    let posts = 0;
    server.routes.set('POST /api/v1/order', () => {
      posts++;
      return { status: 429, body: example('order-error-rate-limited'), headers: { 'Retry-After': '2' } };
    });
    const limited = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(limited.state, 'rejected');
    assert.equal(limited.error?.kind, 'rate_limited');
    assert.equal(limited.error?.retryAfterMs, 2000, 'Retry-After honoured');
    const held = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(held.error?.kind, 'rate_limited');
    assert.equal(posts, 1, 'no second request while backing off');
  } finally {
    await venue.stop();
  }
});

test('a 429 makes readiness() backing_off until the Retry-After time, ready afterwards; without Retry-After the back-off doubles from 1 s', async () => {
  let t = 50_000;
  const venue = await tradingVenue(2000, { clock: pinnedMonoClock(() => t) });
  try {
    assert.deepEqual(venue.readiness(), { state: 'ready' });
    assert.equal(venue.readyForOrder(), true);
    let posts = 0;
    let limit: Record<string, string> | undefined = { 'Retry-After': '2' };
    server.routes.set('POST /api/v1/order', (p) => {
      posts++;
      if (limit !== undefined) return { status: 429, body: example('order-error-rate-limited'), headers: limit };
      return orderReply(p, '0.01000', '970.109', 'Filled');
    });
    const order = { side: 'buy', size: 1000, worstPrice: 971000 } as const;
    assert.equal((await venue.placeMarketOrder(order)).error?.kind, 'rate_limited');
    assert.deepEqual(venue.readiness(), { state: 'backing_off', until: 52_000, detail: 'Backpack answered 429 (rate limited); nothing is sent for another 2000 ms' });
    assert.equal(venue.readyForOrder(), false);
    t = 51_999;
    assert.equal(venue.readiness().state, 'backing_off');
    assert.equal((await venue.placeMarketOrder(order)).error?.kind, 'rate_limited', 'refused here while backing off');
    assert.equal(posts, 1, 'and not sent');
    t = 52_000;
    assert.deepEqual(venue.readiness(), { state: 'ready' });
    assert.equal(venue.readyForOrder(), true);

    limit = undefined;
    assert.equal((await venue.placeMarketOrder(order)).state, 'filled', 'sent and filled once the back-off is over');
    assert.equal(posts, 2);

    // No Retry-After: 1 s after a success, then 2 s for the next 429 in a row.
    limit = {};
    assert.equal((await venue.placeMarketOrder(order)).error?.kind, 'rate_limited');
    assert.equal(posts, 3);
    assert.deepEqual(venue.readiness(), { state: 'backing_off', until: 53_000, detail: 'Backpack answered 429 (rate limited); nothing is sent for another 1000 ms' });
    t = 53_000;
    assert.equal(venue.readyForOrder(), true);
    assert.equal((await venue.placeMarketOrder(order)).error?.kind, 'rate_limited');
    assert.equal(posts, 4);
    assert.deepEqual(venue.readiness(), { state: 'backing_off', until: 55_000, detail: 'Backpack answered 429 (rate limited); nothing is sent for another 2000 ms' });
    t = 55_000;
    assert.deepEqual(venue.readiness(), { state: 'ready' });
  } finally {
    await venue.stop();
  }
});

test('readiness pushed: the gate stands open from the end of the 429 back-off, moved there as the 429 is read; whenever it is open readiness() answers ready, and only then', async () => {
  let t = 50_000;
  const venue = await tradingVenue(2000, { clock: pinnedMonoClock(() => t) });
  try {
    const gate = venue.readinessGate!;
    const agrees = (what: string) => assert.equal(venue.readiness().state === 'ready', t >= gate.readyFrom, `${what}: the gate and readiness() agree`);
    agrees('before any 429');
    server.routes.set('POST /api/v1/order', () => ({ status: 429, body: example('order-error-rate-limited'), headers: { 'Retry-After': '2' } }));
    const order = { side: 'buy', size: 1000, worstPrice: 971000 } as const;
    const refused = venue.placeMarketOrder(order);
    await until('the 429 is read', () => gate.readyFrom !== 0);
    assert.equal(gate.readyFrom, 52_000, 'moved to the end of the back-off');
    assert.equal((await refused).error?.kind, 'rate_limited');
    agrees('backing off');
    t = 51_999;
    agrees('a millisecond before the end');
    t = 52_000;
    agrees('at the end');
    assert.equal(venue.readiness().state, 'ready');
  } finally {
    await venue.stop();
  }
});

test('a wide worst price is clamped into the price bands: the impact bound from the book, the mean-mark band from a mark that is lower (higher), rounded inward', async () => {
  const venue = await tradingVenue();
  try {
    const sent: unknown[] = [];
    server.routes.set('POST /api/v1/order', (p) => {
      sent.push(p.price);
      return orderReply(p, '0.01000', '970.109', 'Filled');
    });
    await until('book', () => venue.book.bestBid === 970099 && venue.book.bestAsk === 970109);
    // Book 97009.9 / 97010.9: a buy reaches at most 97010.9 · 1.03 = 99921.227, a sell at least 97009.9 · 0.97 = 94099.603.
    await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 2_000_000 });
    await venue.placeMarketOrder({ side: 'sell', size: 1000, worstPrice: 1 });
    // A mark of 89000.05 (rounded down for a buy) caps a buy at 89000.0 · 1.1; 105000.04 (rounded up for a sell) floors a sell at 105000.1 · 0.9 = 94500.09 → 94500.1.
    const mark = async (p: string) => {
      server.broadcast({ stream: 'markPrice.BTC_USDC_PERP', data: { e: 'markPrice', s: 'BTC_USDC_PERP', p, f: '0.0000125', i: p, n: 0 } });
      await until(`mark ${p}`, () => venue.markPrice === p);
    };
    await mark('89000.05');
    await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 2_000_000 });
    await mark('105000.04');
    await venue.placeMarketOrder({ side: 'sell', size: 1000, worstPrice: 1 });
    await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971_000 });
    assert.deepEqual(sent, ['99921.2', '94099.7', '97900.0', '94500.1', '97100.0']);
    assert.ok(!logger.lines.some((l) => l.includes('price bands cap')), 'every bound so far could still trade');
    // Marks so far from the book that the band leaves no room to trade: said, with the cause.
    await mark('85000.05');
    await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 2_000_000 });
    await mark('110000.04');
    await venue.placeMarketOrder({ side: 'sell', size: 1000, worstPrice: 1 });
    assert.deepEqual(sent.slice(5), ['93500.0', '99000.1']);
    const capped = logger.lines.filter((l) => l.includes('price bands cap'));
    assert.deepEqual(
      capped.map((l) => l.replace(/^.*Backpack/, 'Backpack')),
      [
        "Backpack BTC_USDC_PERP price bands cap this buy at 93500.0, below the best ask 97010.9 (mark 85000.0): it cannot fill until the venue's mark and book come back together",
        "Backpack BTC_USDC_PERP price bands cap this sell at 99000.1, above the best bid 97009.9 (mark 110000.1): it cannot fill until the venue's mark and book come back together",
      ],
    );
  } finally {
    await venue.stop();
  }
});

test('market orders leave on the kept order connection, which carries nothing else; signed requests still verify there', async () => {
  const venue = await tradingVenue();
  try {
    await new Promise((r) => setTimeout(r, 50)); // the order connection opens beside start()
    const first = server.requests.length;
    server.routes.set('POST /api/v1/order', (p) => orderReply(p, '0.01000', '970.109', 'Filled'));
    for (const side of ['buy', 'sell', 'buy'] as const) {
      assert.equal((await venue.placeMarketOrder({ side, size: 1000, worstPrice: side === 'buy' ? 971000 : 969000 })).state, 'filled');
    }
    const orders = server.requests
      .map((r, i) => ({ ...r, port: server.ports[i] }))
      .slice(first)
      .filter((r) => r.path === '/api/v1/order');
    assert.deepEqual(
      orders.map((o) => o.instruction),
      ['orderExecute', 'orderExecute', 'orderExecute'],
      'each signature verified',
    );
    const port = orders[0].port;
    assert.ok(
      orders.every((o) => o.port === port),
      'one connection for every order',
    );
    const others = server.ports.filter((_, i) => server.requests[i].path !== '/api/v1/order');
    assert.ok(others.length > 0 && others.every((p) => p !== port), 'no other request on it');
  } finally {
    await venue.stop();
  }
});

test('an order signed ahead goes out as signed when that very order is placed while fresh, once; any other order is signed anew', async () => {
  const venue = await tradingVenue(2000, { preparedOrderMaxAgeMs: 200 });
  try {
    const first = server.requests.length;
    server.routes.set('POST /api/v1/order', (p) => orderReply(p, '0.01000', '970.109', 'Filled'));
    const buy = { side: 'buy', size: 1000, worstPrice: 971000 } as const;
    venue.prepareMarketOrder(buy); // clientId 4294967295
    venue.prepareMarketOrder({ side: 'sell', size: 1000, worstPrice: 969000 }); // 0
    venue.prepareMarketOrder(buy); // the same order, still fresh: kept as it is
    assert.equal((await venue.placeMarketOrder(buy)).clientOrderId, '4294967295', 'the order signed ahead');
    assert.equal((await venue.placeMarketOrder(buy)).clientOrderId, '1', 'used once only');
    assert.equal((await venue.placeMarketOrder({ side: 'sell', size: 1000, worstPrice: 968000 })).clientOrderId, '2', 'another worst price: signed anew');
    venue.prepareMarketOrder(buy); // 3
    await new Promise((r) => setTimeout(r, 250));
    assert.equal((await venue.placeMarketOrder(buy)).clientOrderId, '4', 'too old: signed anew');
    const orders = server.requests.slice(first).filter((r) => r.path === '/api/v1/order');
    assert.deepEqual(
      orders.map((o) => [o.params.clientId, o.params.side, o.params.price, o.instruction]),
      [
        [4294967295, 'Bid', '97100.0', 'orderExecute'],
        [1, 'Bid', '97100.0', 'orderExecute'],
        [2, 'Ask', '96800.0', 'orderExecute'],
        [4, 'Bid', '97100.0', 'orderExecute'],
      ],
    );
  } finally {
    await venue.stop();
  }
});

test("a side holds two orders signed ahead, the book's and the threshold's: heldBounds names both, either goes out as signed, and sending one empties the side", async () => {
  const venue = await tradingVenue(2000, { preparedOrderMaxAgeMs: 2000 });
  try {
    const first = server.requests.length;
    server.routes.set('POST /api/v1/order', (p) => orderReply(p, '0.01000', '970.109', 'Filled'));
    const book = { side: 'buy', size: 1000, worstPrice: 971000 } as const;
    const threshold = { side: 'buy', size: 1000, worstPrice: 972000 } as const;
    venue.prepareMarketOrder(book, 'book'); // clientId 4294967295
    venue.prepareMarketOrder(threshold, 'threshold'); // 0
    venue.prepareMarketOrder(book, 'book'); // the same order, still fresh: kept, the threshold one too
    assert.deepEqual(venue.heldBounds('buy', 1000), [971000, 972000]);
    assert.deepEqual([venue.heldBounds('buy', 2000), venue.heldBounds('sell', 1000)], [[], []]);
    assert.equal((await venue.placeMarketOrder(threshold)).clientOrderId, '0', 'the threshold order as signed ahead');
    assert.deepEqual(venue.heldBounds('buy', 1000), [], 'the side was emptied');
    assert.equal((await venue.placeMarketOrder(book)).clientOrderId, '1', 'signed anew');
    const orders = server.requests.slice(first).filter((r) => r.path === '/api/v1/order');
    assert.deepEqual(
      orders.map((o) => [o.params.clientId, o.params.price]),
      [
        [0, '97200.0'],
        [1, '97100.0'],
      ],
    );
  } finally {
    await venue.stop();
  }
});

test('writeOrder puts an order signed ahead on the free order line before it returns and does nothing else; followOrder ends it as placeMarketOrder does; one that cannot go that way goes the usual way', async () => {
  const venue = await tradingVenue(2000, { preparedOrderMaxAgeMs: 2000 });
  try {
    await until('the order connection is open', () => venue.rest.orderLineIdle);
    const first = server.requests.length;
    server.routes.set('POST /api/v1/order', (p) => orderReply(p, '0.01000', '970.109', 'Filled'));
    const buy = { side: 'buy', size: 1000, worstPrice: 971000 } as const;
    venue.prepareMarketOrder(buy); // clientId 4294967295
    const written = venue.writeOrder!(buy);
    assert.equal(venue.rest.orderLineIdle, false, 'written on the order line: it now waits for the answer');
    // The other leg of an entry would be written here; this one, not signed ahead, is signed now and goes through the agent.
    const sell = { side: 'sell', size: 1000, worstPrice: 969000 } as const;
    const usual = venue.writeOrder!(sell);
    const [bought, sold] = await Promise.all([venue.followOrder!(written), venue.followOrder!(usual)]);
    assert.deepEqual([bought.state, bought.clientOrderId, bought.filled], ['filled', '4294967295', 1000]);
    assert.deepEqual([sold.state, sold.clientOrderId, sold.filled], ['filled', '0', 1000]);
    assert.ok(bought.sentAt <= sold.sentAt, "the order line's leg was stamped when it was written");
    const orders = server.requests.slice(first).filter((r) => r.path === '/api/v1/order');
    assert.deepEqual(
      orders.map((o) => [o.params.clientId, o.params.side, o.params.price, o.instruction]),
      [
        [4294967295, 'Bid', '97100.0', 'orderExecute'],
        [0, 'Ask', '96900.0', 'orderExecute'],
      ],
    );
  } finally {
    await venue.stop();
  }
});

test('an order whose answer times out is resolved by lookup', async () => {
  const venue = await tradingVenue(150);
  try {
    let placed: Record<string, unknown> | undefined;
    server.routes.set('POST /api/v1/order', (p) => {
      placed = p;
      return { ...orderReply(p, '0.01000', '970.109', 'Filled'), delayMs: 600 };
    });
    server.routes.set('GET /api/v1/order', () => ({ status: 404, body: { code: 'RESOURCE_NOT_FOUND', message: 'Order not found' } }));
    server.routes.set('GET /wapi/v1/history/orders', () => ({
      body: [
        { id: '999', clientId: 7, status: 'Filled', executedQuantity: '1', executedQuoteQuantity: '1' },
        { id: '11290394811', clientId: placed!.clientId, status: 'Filled', executedQuantity: '0.01', executedQuoteQuantity: '970.109' },
      ],
    }));
    server.routes.set('GET /wapi/v1/history/fills', () => ({ body: example('fills') }));
    const leg = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(leg.state, 'filled');
    assert.equal(leg.filled, 1000);
    assert.equal(leg.notional, 970109000);
    assert.equal(leg.venueOrderId, '11290394811');
    assert.ok(Math.abs(leg.fee - (0.194022 + 0.291033)) < 1e-9, 'fee summed from the fills');
    const paths = server.requests
      .filter((r) => r.path !== '/api/v1/depth')
      .slice(-4)
      .map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(paths, ['POST /api/v1/order', 'GET /api/v1/order', 'GET /wapi/v1/history/orders', 'GET /wapi/v1/history/fills']);
    assert.deepEqual(server.requests.at(-3)!.params, { clientId: String(placed!.clientId), symbol: 'BTC_USDC_PERP' });

    // Not found anywhere: honestly unknown.
    server.routes.set('GET /wapi/v1/history/orders', () => ({ body: [] }));
    const lost = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(lost.state, 'unknown');
    assert.match(lost.error!.message, /not found in open orders or history/);
    assert.equal(await venue.resolveOrder({ ...lost }).then((l) => l.state), 'unknown');
    await new Promise((r) => setTimeout(r, 650)); // let the delayed replies drain before stop
  } finally {
    await venue.stop();
  }
});

test('position from netQuantity; no secret in any log line', async () => {
  const venue = await tradingVenue();
  try {
    server.routes.set('GET /api/v1/position', () => ({ body: example('positions') }));
    assert.equal(await venue.fetchPosition(), 1000);
    assert.ok(server.verifiedSignatures > 10);
    assert.ok(!logger.lines.some((l) => l.includes(key.secret_b64)));
  } finally {
    await venue.stop();
  }
});

test('market-data-only mode without keys; a key the venue does not know fails start() as auth', async () => {
  depthQueue.push({ body: seq.snapshot_2, gate: Promise.resolve() });
  const subsBefore = server.subscribes.length;
  const paper = new BackpackVenue({ ticker: 'BTC', ...urls, logger });
  try {
    const spec = await paper.start();
    assert.equal(spec.takerFeeBps, 5);
    await until('public subscribe', () => server.subscribes.length > subsBefore);
    await until('book valid', () => paper.status().bookValid);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(server.subscribes.slice(subsBefore), [{ params: ['depth.BTC_USDC_PERP', 'bookTicker.BTC_USDC_PERP', 'markPrice.BTC_USDC_PERP'], signed: false }]);
    const leg = await paper.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(leg.state, 'rejected');
    assert.equal(leg.error?.kind, 'auth');
    assert.match(leg.error!.message, /needs API keys; set BACKPACK_PUBLIC_KEY and BACKPACK_SECRET_KEY/);
  } finally {
    await paper.stop();
  }

  const other = otherKey;
  const stranger = new BackpackVenue({ ticker: 'BTC', ...urls, secretKey: new Secret(other.secret_b64), logger });
  await assert.rejects(stranger.start(), (e: Error & { kind?: string }) => e.kind === 'auth' && /Invalid signature/.test(e.message) && /check BACKPACK_PUBLIC_KEY/.test(e.message));
  await stranger.stop();

  const unknown = new BackpackVenue({ ticker: 'DOGE', ...urls, logger });
  await assert.rejects(unknown.start(), /Backpack has no market DOGE_USDC_PERP; check --ticker \(perps listed: BTC_USDC_PERP/);
  await unknown.stop();
});

test('a bookTicker that keeps disagreeing with an up-to-date book makes it resync', async () => {
  depthQueue = [
    { body: seq.snapshot_1, gate: Promise.resolve() },
    { body: seq.snapshot_1, gate: Promise.resolve() },
  ];
  const log = new MemoryLogger();
  const venue = new BackpackVenue({ ticker: 'BTC', ...urls, logger: log, reconnectBaseMs: 10, snapshotRetryMs: 10, tickerGraceMs: 50 });
  try {
    await venue.start();
    await until('book valid', () => venue.status().bookValid);
    const u = Number(seq.snapshot_1.lastUpdateId);
    const ticker = (b: string, a: string, at: number) =>
      server.broadcast({ stream: 'bookTicker.BTC_USDC_PERP', data: { e: 'bookTicker', s: 'BTC_USDC_PERP', b, B: '1', a, A: '1', u: at } });
    ticker('97008.3', '97010.5', u); // agrees
    ticker('97000.0', '97010.5', u + 5); // newer than the book: not comparable yet
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(depthQueue.length, 1, 'no resync while the ticker agrees or is ahead');
    ticker('97000.0', '97010.5', u); // disagrees with a book at the same update id
    await new Promise((r) => setTimeout(r, 80));
    ticker('97000.0', '97010.5', u); // still, after the grace period
    await until('resync', () => depthQueue.length === 0);
    assert.ok(log.lines.some((l) => l.includes('bookTicker (bid 97000.0, ask 97010.5') && l.includes('resyncing')));
    await until('valid again', () => venue.status().bookValid);
  } finally {
    await venue.stop();
  }
});

test('a depth frame that moves our top away from the ticker is caught by the grace timer with no further ticker; a ticker that follows in time is not', async () => {
  depthQueue = [
    { body: seq.snapshot_1, gate: Promise.resolve() },
    { body: seq.snapshot_1, gate: Promise.resolve() },
  ];
  const log = new MemoryLogger();
  const venue = new BackpackVenue({ ticker: 'BTC', ...urls, logger: log, reconnectBaseMs: 10, snapshotRetryMs: 10, tickerGraceMs: 60 });
  try {
    await venue.start();
    await until('book valid', () => venue.status().bookValid);
    const u = Number(seq.snapshot_1.lastUpdateId);
    const ticker = (b: string, a: string, at: number) =>
      server.broadcast({ stream: 'bookTicker.BTC_USDC_PERP', data: { e: 'bookTicker', s: 'BTC_USDC_PERP', b, B: '1', a, A: '1', u: at } });
    const depth = (at: number, b: string[][]) => server.broadcast({ stream: 'depth.BTC_USDC_PERP', data: { e: 'depth', U: at, u: at, b, a: [] } });
    ticker('97008.3', '97010.5', u); // agrees with the snapshot
    // The top bid leaves; the venue's ticker for it follows within the grace period: no resync.
    depth(u + 1, [['97008.3', '0']]);
    ticker('97005.1', '97010.5', u + 1);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(depthQueue.length, 1, 'a ticker that caught up in time cancels the check (one snapshot taken at start)');
    assert.equal(venue.status().bookValid, true);
    // Our top moves again but no ticker ever confirms it: after the grace period the book is rebuilt.
    depth(u + 2, [['97005.1', '0']]);
    await until('resync without another ticker', () => depthQueue.length === 0, 1000);
    assert.ok(
      log.lines.some(
        (l) => l.includes('bookTicker (bid 97005.1, ask 97010.5, u 1662976201) disagrees with our book (bid 97001.0, ask 97010.5) at update 1662976202') && l.includes('resyncing'),
      ),
    );
    await until('valid again', () => venue.status().bookValid);
  } finally {
    await venue.stop();
  }
});

test('bookTicker ids from their own sequence (18-digit strings): a ticker that agrees, ahead of or behind the book, never resyncs it; one that really disagrees still does', async () => {
  depthQueue = [
    { body: seq.snapshot_1, gate: Promise.resolve() },
    { body: seq.snapshot_1, gate: Promise.resolve() },
  ];
  const log = new MemoryLogger();
  const venue = new BackpackVenue({ ticker: 'BTC', ...urls, logger: log, reconnectBaseMs: 10, snapshotRetryMs: 10, tickerGraceMs: 100 });
  try {
    await venue.start();
    await until('book valid', () => venue.status().bookValid);
    const u = Number(seq.snapshot_1.lastUpdateId);
    let id = 111063070525358080n;
    const ticker = (b: string, a: string) =>
      server.broadcast({ stream: 'bookTicker.BTC_USDC_PERP', data: { e: 'bookTicker', s: 'BTC_USDC_PERP', b, B: '1', a, A: '1', u: String(id++) } });
    const depth = (at: number, b: string[][]) => server.broadcast({ stream: 'depth.BTC_USDC_PERP', data: { e: 'depth', U: at, u: at, b, a: [] } });
    ticker('97008.3', '97010.5'); // agrees
    // Behind the book: our top moves first, the ticker follows (frames keep their order on the socket).
    depth(u + 1, [['97008.3', '0']]);
    ticker('97005.1', '97010.5');
    // Ahead of the book: the ticker first, the depth frame follows.
    ticker('97006.0', '97010.5');
    depth(u + 2, [['97006.0', '1.00000']]);
    await new Promise((r) => setTimeout(r, 250)); // well past the grace period
    assert.equal(depthQueue.length, 1, 'no resync (one snapshot taken at start)');
    assert.equal(venue.status().bookValid, true);
    // The venue's top is one our book never shows: rebuilt after the grace period.
    ticker('97000.0', '97010.5');
    await until('resync', () => depthQueue.length === 0, 1000);
    assert.ok(
      log.lines.some(
        (l) => l.includes('bookTicker (bid 97000.0, ask 97010.5, u 111063070525358083) disagrees with our book (bid 97006.0, ask 97010.5)') && l.includes('resyncing'),
      ),
    );
    await until('valid again', () => venue.status().bookValid);
  } finally {
    await venue.stop();
  }
});

test('a bookTicker from another id sequence that lags one top behind a fast book, never agreeing at any instant, does not resync it', async () => {
  depthQueue = [
    { body: seq.snapshot_1, gate: Promise.resolve() },
    { body: seq.snapshot_1, gate: Promise.resolve() },
  ];
  const log = new MemoryLogger();
  const venue = new BackpackVenue({ ticker: 'BTC', ...urls, logger: log, reconnectBaseMs: 10, snapshotRetryMs: 10, tickerGraceMs: 150 });
  try {
    await venue.start();
    await until('book valid', () => venue.status().bookValid);
    const u = Number(seq.snapshot_1.lastUpdateId);
    // Small ids of its own: every one is below the book's update id.
    const ticker = (b: string, at: number) =>
      server.broadcast({ stream: 'bookTicker.BTC_USDC_PERP', data: { e: 'bookTicker', s: 'BTC_USDC_PERP', b, B: '1', a: '97010.5', A: '1', u: at } });
    // The top bid cycles 97008.4 → 97008.5 → 97008.6 → 97008.4 … every 10 ms for longer than the grace
    // period; each ticker reports the top our book had just before, so the two never agree at any instant.
    const cycle = ['97008.4', '97008.5', '97008.6'];
    const levelsFor = (top: string) => cycle.map((p) => [p, p <= top ? '1.00000' : '0']);
    let previous = '97008.3';
    for (let k = 0; k < 40; k++) {
      const top = cycle[k % 3];
      server.broadcast({ stream: 'depth.BTC_USDC_PERP', data: { e: 'depth', U: u + 1 + k, u: u + 1 + k, b: levelsFor(top), a: [] } });
      ticker(previous, 500 + k);
      previous = top;
      await new Promise((r) => setTimeout(r, 10));
    }
    ticker(previous, 540);
    await new Promise((r) => setTimeout(r, 300)); // well past the grace period
    assert.equal(venue.book.bestBid, 970084, 'the 40th top');
    assert.equal(depthQueue.length, 1, 'no resync (one snapshot taken at start)');
    assert.equal(venue.status().bookValid, true);
    assert.ok(!log.lines.some((l) => l.includes('resyncing')), log.lines.join('\n'));
  } finally {
    await venue.stop();
  }
});
