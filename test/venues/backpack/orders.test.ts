// Backpack adapter against the scripted server: the order tools besides the market leg (limit,
// cancel, open orders), account reads, and the order stream as fee source and confirmation path.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { example, key, seq } from './fixtures.js';
import { ScriptedBackpack, type Reply } from './scripted-server.js';
import { BackpackVenue } from '../../../src/venues/backpack/index.js';
import { Secret } from '../../../src/core/secret.js';
import { MemoryLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';

const server = new ScriptedBackpack(key.public_key_b64);
let urls: { apiUrl: string; wsUrl: string };
const ORDER_STREAM = 'account.orderUpdate.BTC_USDC_PERP';

before(async () => {
  urls = await server.listen();
  server.routes.set('GET /api/v1/markets', () => ({ body: example('markets') }));
  server.routes.set('GET /api/v1/account', () => ({ body: example('account') }));
  server.routes.set('GET /api/v1/depth', () => ({ body: seq.snapshot_2 }));
});
after(() => server.close());

/** A started venue whose private streams are subscribed, so order updates reach it. */
async function tradingVenue(logger = new MemoryLogger(), orderTimeoutMs = 2000): Promise<BackpackVenue> {
  const signedBefore = server.subscribes.filter((s) => s.signed).length;
  const venue = new BackpackVenue({ ticker: 'BTC', ...urls, publicKey: key.public_key_b64, secretKey: new Secret(key.secret_b64), logger, orderTimeoutMs, firstClientId: 500 });
  await venue.start();
  await until('private subscribe', () => server.subscribes.filter((s) => s.signed).length > signedBefore);
  return venue;
}

const since = (n: number) => server.requests.slice(n).filter((r) => r.path !== '/api/v1/depth');

function echoOrder(p: Record<string, unknown>, status: string, executed = '0', quote = '0'): Reply {
  return {
    body: {
      id: '11290394977',
      clientId: p.clientId,
      symbol: p.symbol,
      side: p.side,
      orderType: p.orderType,
      price: p.price,
      quantity: p.quantity,
      executedQuantity: executed,
      executedQuoteQuantity: quote,
      postOnly: p.postOnly ?? null,
      reduceOnly: p.reduceOnly ?? null,
      status,
      timeInForce: p.timeInForce,
    },
  };
}

/** An orderFill event as the venue streams it (spec §6.5). */
function fill(clientId: number, o: { t: number; l: string; L: string; n: string; z: string; Z: string; X: string }): unknown {
  return {
    stream: ORDER_STREAM,
    data: {
      e: 'orderFill',
      E: 1767225600124000,
      s: 'BTC_USDC_PERP',
      c: clientId,
      S: 'Bid',
      o: 'LIMIT',
      f: 'IOC',
      q: '0.01',
      p: '97100.0',
      X: o.X,
      i: '11290394811',
      t: o.t,
      l: o.l,
      L: o.L,
      m: false,
      n: o.n,
      N: 'USDC',
      z: o.z,
      Z: o.Z,
      T: 1767225600123000,
      O: 'USER',
    },
  };
}

test('limit orders (GTC, IOC, FOK, post-only, reduce-only), cancel and open orders: exact signed requests, the venue objects back', async () => {
  const venue = await tradingVenue();
  try {
    server.routes.set('POST /api/v1/order', (p) => echoOrder(p, p.timeInForce === 'GTC' ? 'New' : 'Expired'));
    const n = server.requests.length;
    const gtc = (await venue.placeLimitOrder({ side: 'buy', price: 970005, size: 1000, postOnly: true, clientId: 43 })) as Record<string, unknown>;
    const ioc = (await venue.placeLimitOrder({ side: 'sell', price: 971000, size: 2500, timeInForce: 'IOC', reduceOnly: true })) as Record<string, unknown>;
    await venue.placeLimitOrder({ side: 'buy', price: 969999, size: 1, timeInForce: 'FOK' });
    assert.deepEqual(since(n), [
      {
        method: 'POST',
        path: '/api/v1/order',
        instruction: 'orderExecute',
        params: { symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Limit', price: '97000.5', quantity: '0.01000', timeInForce: 'GTC', clientId: 43, postOnly: true },
      },
      {
        method: 'POST',
        path: '/api/v1/order',
        instruction: 'orderExecute',
        params: { symbol: 'BTC_USDC_PERP', side: 'Ask', orderType: 'Limit', price: '97100.0', quantity: '0.02500', timeInForce: 'IOC', clientId: 500, reduceOnly: true },
      },
      {
        method: 'POST',
        path: '/api/v1/order',
        instruction: 'orderExecute',
        params: { symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Limit', price: '96999.9', quantity: '0.00001', timeInForce: 'FOK', clientId: 501 },
      },
    ]);
    assert.deepEqual([gtc.status, gtc.clientId, gtc.postOnly, gtc.price], ['New', 43, true, '97000.5']);
    assert.deepEqual([ioc.status, ioc.clientId, ioc.reduceOnly], ['Expired', 500, true]);

    server.routes.set('GET /api/v1/orders', () => ({ body: example('orders-open') }));
    server.routes.set('DELETE /api/v1/order', (p) =>
      p.orderId === '11290394977' || p.clientId === 43 ? { body: example('order-cancel') } : { status: 404, body: { code: 'RESOURCE_NOT_FOUND', message: 'Order not found' } },
    );
    const m = server.requests.length;
    const open = (await venue.openOrders()) as Record<string, unknown>[];
    const byId = (await venue.cancelOrder({ orderId: '11290394977' })) as Record<string, unknown>;
    const byClient = (await venue.cancelOrder({ clientId: 43 })) as Record<string, unknown>;
    await assert.rejects(venue.cancelOrder({ clientId: 44 }), (e: Error & { kind?: string }) => /RESOURCE_NOT_FOUND/.test(e.message) && e.kind !== undefined);
    assert.deepEqual(since(m), [
      { method: 'GET', path: '/api/v1/orders', instruction: 'orderQueryAll', params: { symbol: 'BTC_USDC_PERP' } },
      { method: 'DELETE', path: '/api/v1/order', instruction: 'orderCancel', params: { orderId: '11290394977', symbol: 'BTC_USDC_PERP' } },
      { method: 'DELETE', path: '/api/v1/order', instruction: 'orderCancel', params: { clientId: 43, symbol: 'BTC_USDC_PERP' } },
      { method: 'DELETE', path: '/api/v1/order', instruction: 'orderCancel', params: { clientId: 44, symbol: 'BTC_USDC_PERP' } },
    ]);
    assert.deepEqual(
      open.map((o) => [o.id, o.clientId, o.status]),
      [['11290394977', 43, 'New']],
    );
    assert.deepEqual([byId.status, byClient.status], ['Cancelled', 'Cancelled']);
  } finally {
    await venue.stop();
  }
});

test('collateral and mark/funding are parsed from the replies; a malformed reply is named', async () => {
  const venue = await tradingVenue();
  try {
    server.routes.set('GET /api/v1/capital/collateral', () => ({ body: example('collateral') }));
    server.routes.set('GET /api/v1/markPrices', () => ({ body: example('markPrices') }));
    const n = server.requests.length;
    assert.deepEqual(await venue.fetchCollateral(), { netEquity: '10233.026', netEquityAvailable: '10200.7' });
    assert.deepEqual(await venue.fetchMarkAndFunding(), { markPrice: 970101, fundingRate: '0.0000125', nextFundingTimestamp: 1767229200000 });
    assert.deepEqual(since(n), [
      { method: 'GET', path: '/api/v1/capital/collateral', instruction: 'collateralQuery', params: {} },
      { method: 'GET', path: '/api/v1/markPrices', params: { symbol: 'BTC_USDC_PERP' } },
    ]);

    server.routes.set('GET /api/v1/capital/collateral', () => ({ body: { netEquity: 10233 } }));
    server.routes.set('GET /api/v1/markPrices', () => ({ body: [{ symbol: 'ETH_USDC_PERP', markPrice: '3000', fundingRate: '0' }] }));
    await assert.rejects(venue.fetchCollateral(), (e: Error & { kind?: string }) => e.kind === 'protocol' && /lacks netEquity\/netEquityAvailable/.test(e.message));
    await assert.rejects(venue.fetchMarkAndFunding(), (e: Error & { kind?: string }) => e.kind === 'protocol' && /markPrices lacks BTC_USDC_PERP/.test(e.message));
  } finally {
    await venue.stop();
  }
});

test('a filled leg reports the fee the order stream charged, each fill counted once; history is the fallback; the estimate says so', async () => {
  const venue = await tradingVenue();
  try {
    let clientId = 0;
    server.routes.set('POST /api/v1/order', (p) => {
      clientId = Number(p.clientId);
      // The reply goes out first; the fills follow on the stream a moment later, one of them twice.
      setTimeout(() => {
        server.broadcast(fill(clientId, { t: 3100421, l: '0.00600', L: '97010.9', n: '0.291033', z: '0.00600', Z: '582.0654', X: 'PartiallyFilled' }));
        server.broadcast(fill(clientId, { t: 3100421, l: '0.00600', L: '97010.9', n: '0.291033', z: '0.00600', Z: '582.0654', X: 'PartiallyFilled' }));
        server.broadcast(fill(clientId, { t: 3100422, l: '0.00400', L: '97010.9', n: '0.194022', z: '0.01000', Z: '970.109', X: 'Filled' }));
      }, 15);
      return echoOrder(p, 'Filled', '0.01000', '970.109');
    });
    const n = server.requests.length;
    const leg = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.deepEqual([leg.state, leg.filled, leg.notional, leg.feeEstimated], ['filled', 1000, 970109000, undefined]);
    assert.ok(Math.abs(leg.fee - (0.291033 + 0.194022)) < 1e-12, `fee ${leg.fee} is the streamed one, the duplicate not counted`);
    assert.deepEqual(
      since(n).map((r) => r.path),
      ['/api/v1/order'],
      'no history read when the stream had it',
    );

    // No stream fills: the fills history gives the fee.
    server.routes.set('POST /api/v1/order', (p) => echoOrder(p, 'Filled', '0.01000', '970.109'));
    // The history holds this order's two fills and another order's fill, which must not count.
    server.routes.set('GET /wapi/v1/history/fills', (q) => ({
      body: [
        ...(example('fills') as object[]).map((f) => ({ ...f, orderId: q.orderId, clientId: 'x' })),
        { clientId: '7', orderId: '1', fee: '9', quantity: '1', symbol: 'BTC_USDC_PERP' },
      ],
    }));
    const m = server.requests.length;
    const fromHistory = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.ok(Math.abs(fromHistory.fee - (0.194022 + 0.291033)) < 1e-12);
    assert.equal(fromHistory.feeEstimated, undefined);
    assert.deepEqual(since(m).at(-1), {
      method: 'GET',
      path: '/wapi/v1/history/fills',
      instruction: 'fillHistoryQueryAll',
      params: { orderId: '11290394977', symbol: 'BTC_USDC_PERP' },
    });

    // Neither: the taker-rate estimate (5 bps), flagged as one.
    server.routes.set('GET /wapi/v1/history/fills', () => ({ status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: 'down' } }));
    const estimated = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(estimated.feeEstimated, true);
    assert.ok(Math.abs(estimated.fee - 970.109 * 5e-4) < 1e-12);
  } finally {
    await venue.stop();
  }
});

test('the order stream settles a leg whose HTTP reply is late, before any lookup; a partial IOC too', async () => {
  const venue = await tradingVenue(new MemoryLogger(), 2000);
  try {
    let replied = false;
    const replyMs = 400;
    server.routes.set('POST /api/v1/order', (p) => {
      const id = Number(p.clientId);
      setTimeout(() => {
        server.broadcast(fill(id, { t: 1, l: '0.00400', L: '97010.9', n: '0.194022', z: '0.00400', Z: '388.0436', X: 'PartiallyFilled' }));
        server.broadcast({
          stream: ORDER_STREAM,
          data: { e: 'orderExpired', s: 'BTC_USDC_PERP', c: id, i: '11290394811', X: 'Expired', R: 'ImmediateOrCancel', t: null, z: '0.00400', Z: '388.0436' },
        });
      }, 10);
      setTimeout(() => (replied = true), replyMs);
      return { ...echoOrder(p, 'Expired', '0.00400', '388.0436'), delayMs: replyMs };
    });
    const n = server.requests.length;
    const leg = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(replied, false, 'settled before the HTTP reply came');
    assert.deepEqual([leg.state, leg.filled, leg.notional, leg.venueOrderId, leg.feeEstimated], ['partial', 400, 388043600, '11290394811', undefined]);
    assert.ok(Math.abs(leg.fee - 0.194022) < 1e-12);
    assert.ok(leg.confirmedAt !== undefined && leg.confirmedAt >= leg.sentAt);
    assert.deepEqual(
      since(n).map((r) => r.path),
      ['/api/v1/order'],
      'no REST lookup',
    );

    // Expired with nothing done, told only by the stream: rejected with the cause, not unknown.
    server.routes.set('POST /api/v1/order', (p) => {
      const id = Number(p.clientId);
      setTimeout(
        () =>
          server.broadcast({
            stream: ORDER_STREAM,
            data: { e: 'orderExpired', s: 'BTC_USDC_PERP', c: id, i: '11290394812', X: 'Expired', R: 'ImmediateOrCancel', t: null, z: '0', Z: '0' },
          }),
        10,
      );
      return { ...echoOrder(p, 'Expired'), delayMs: replyMs };
    });
    const none = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 960000 });
    assert.deepEqual([none.state, none.filled, none.error?.kind], ['rejected', 0, 'rejected']);
    // A stream event without the cumulative totals cannot settle anything: the reply does.
    server.routes.set('POST /api/v1/order', (p) => {
      const id = Number(p.clientId);
      setTimeout(() => server.broadcast({ stream: ORDER_STREAM, data: { e: 'orderExpired', s: 'BTC_USDC_PERP', c: id, X: 'Expired' } }), 10);
      return { ...echoOrder(p, 'Filled', '0.01000', '970.109'), delayMs: 50 };
    });
    server.routes.set('GET /wapi/v1/history/fills', () => ({ body: [] }));
    const fromReply = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.deepEqual([fromReply.state, fromReply.filled, fromReply.feeEstimated], ['filled', 1000, true], 'an empty fills history is no fee of 0');
    await new Promise((r) => setTimeout(r, replyMs + 50)); // let the late replies drain before stop
  } finally {
    await venue.stop();
  }
});
