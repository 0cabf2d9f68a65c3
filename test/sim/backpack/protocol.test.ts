// Raw-protocol checks the adapter-driven tests do not reach: order lookup by clientId, cancel-all,
// the fill and order histories, UNSUBSCRIBE, and the dead-client policy for sockets that never pong.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { startBackpackSim } from '../../../src/sim/backpack/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs } from '../../../src/sim/markets.js';
import { BackpackSigner, type Params } from '../../../src/venues/backpack/auth.js';
import { Secret } from '../../../src/core/secret.js';
import { silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';

const keys = JSON.parse(readFileSync(join(VECTORS_DIR, 'backpack', 'keys.json'), 'utf8')).keys as Array<{ secret_b64: string; public_key_b64: string }>;
const signer = new BackpackSigner(new Secret(keys[0].secret_b64), keys[0].public_key_b64);

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function sim(pingIntervalMs = 1000) {
  const btc = createMatchingEngine(simMarketSpecs('BTC').backpack);
  btc.setHouseLiquidity(
    [[999_990, 200]],
    [
      [1_000_000, 400],
      [1_000_010, 500],
    ],
  );
  const handle = await startBackpackSim({ engines: [btc], faults: {}, logger: silentLogger, accounts: [{ publicKey: keys[0].public_key_b64 }], pingIntervalMs });
  closers.push(() => handle.close());
  return { handle, btc };
}

async function signed(apiUrl: string, method: string, path: string, instruction: string, params: Params): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = { ...signer.headers(instruction, params, Date.now(), 5000) };
  const entries = Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]);
  let url = apiUrl + path;
  let body: string | undefined;
  if (method === 'GET') url += '?' + new URLSearchParams(entries).toString();
  else {
    body = JSON.stringify(params);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, body: await res.json() };
}

test('order lookup by clientId, cancel-all, and the order and fill histories', async () => {
  const { handle, btc } = await sim();
  const api = handle.apiUrl;
  const order = (side: string, price: string, clientId: number) =>
    signed(api, 'POST', '/api/v1/order', 'orderExecute', { symbol: 'BTC_USDC_PERP', side, orderType: 'Limit', price, quantity: '0.00100', timeInForce: 'GTC', clientId });
  assert.equal((await order('Bid', '99000.0', 7)).status, 200);
  assert.equal((await order('Bid', '98000.0', 8)).status, 200);
  const found = await signed(api, 'GET', '/api/v1/order', 'orderQuery', { symbol: 'BTC_USDC_PERP', clientId: 8 });
  assert.equal(found.status, 200);
  assert.deepEqual((({ clientId, price, status }) => ({ clientId, price, status }))(found.body as Record<string, unknown>), { clientId: 8, price: '98000.0', status: 'New' });

  const cancelled = await signed(api, 'DELETE', '/api/v1/orders', 'orderCancelAll', { symbol: 'BTC_USDC_PERP' });
  assert.equal(cancelled.status, 200);
  assert.deepEqual((cancelled.body as Array<Record<string, unknown>>).map((o) => [o.clientId, o.status]).sort(), [
    [7, 'Cancelled'],
    [8, 'Cancelled'],
  ]);
  assert.deepEqual(btc.openOrders(keys[0].public_key_b64), []);
  const gone = await signed(api, 'GET', '/api/v1/order', 'orderQuery', { symbol: 'BTC_USDC_PERP', clientId: 8 });
  assert.deepEqual([gone.status, (gone.body as { code: string }).code], [404, 'RESOURCE_NOT_FOUND']);

  // A market buy of 0.005 walks 0.004 at 100000.0 and 0.001 at 100001.0.
  const market = await signed(api, 'POST', '/api/v1/order', 'orderExecute', { symbol: 'BTC_USDC_PERP', side: 'Bid', orderType: 'Market', quantity: '0.00500', clientId: 9 });
  assert.equal(market.status, 200);
  const orderId = (market.body as { id: string }).id;
  const fills = await signed(api, 'GET', '/wapi/v1/history/fills', 'fillHistoryQueryAll', { symbol: 'BTC_USDC_PERP' });
  assert.deepEqual(
    (fills.body as Array<Record<string, unknown>>).map((f) => [f.orderId, f.side, f.price, f.quantity, f.isMaker]),
    [
      [orderId, 'Bid', '100000.0', '0.00400', false],
      [orderId, 'Bid', '100001.0', '0.00100', false],
    ],
  );
  const history = await signed(api, 'GET', '/wapi/v1/history/orders', 'orderHistoryQueryAll', { symbol: 'BTC_USDC_PERP' });
  assert.deepEqual(
    (history.body as Array<Record<string, unknown>>).map((o) => [o.clientId, o.status, o.executedQuantity]),
    [
      [7, 'Cancelled', '0.00000'],
      [8, 'Cancelled', '0.00000'],
      [9, 'Filled', '0.00500'],
    ],
  );
  const position = await signed(api, 'GET', '/api/v1/position', 'positionQuery', {});
  assert.deepEqual(
    (position.body as Array<Record<string, unknown>>).map((p) => [p.symbol, p.netQuantity]),
    [['BTC_USDC_PERP', '0.00500']],
  );
});

test('UNSUBSCRIBE stops depth frames; a socket that never answers pings is terminated', async () => {
  const { handle, btc } = await sim(50);
  // autoPong off: this client is alive on TCP but deaf to protocol pings, as a hung process would be.
  const deaf = new WebSocket(handle.wsUrl, { autoPong: false });
  const live = new WebSocket(handle.wsUrl);
  const deafClosed = new Promise<number>((r) => deaf.once('close', (code) => r(code)));
  closers.push(async () => {
    deaf.terminate();
    live.terminate();
  });
  await Promise.all([deaf, live].map((s) => new Promise((r) => s.once('open', r))));
  const frames: string[] = [];
  live.on('message', (m) => frames.push(m.toString()));
  // Messages are handled in order: once a refused marker is answered, what was sent before it took effect.
  const handled = async () => {
    const before = frames.length;
    live.send(JSON.stringify({ method: 'MARKER' }));
    await until('marker answered', () => frames.slice(before).some((f) => f.includes('Invalid method')));
  };
  live.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['depth.BTC_USDC_PERP'] }));
  await handled();
  btc.setHouseLiquidity(
    [[999_990, 300]],
    [
      [1_000_000, 400],
      [1_000_010, 500],
    ],
  );
  await until('a depth frame', () => frames.some((f) => f.includes('"stream":"depth.BTC_USDC_PERP"')));
  live.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: ['depth.BTC_USDC_PERP'] }));
  await handled();
  const seen = frames.length;
  btc.setHouseLiquidity(
    [[999_990, 100]],
    [
      [1_000_000, 400],
      [1_000_010, 500],
    ],
  );
  await handled(); // a depth frame, had there been one, would have been sent before this answer
  assert.deepEqual(
    frames.slice(seen).filter((f) => f.includes('depth')),
    [],
    'no depth after UNSUBSCRIBE',
  );

  const closed = await deafClosed;
  assert.equal(closed, 1006, 'terminated without a close handshake after two missed pongs');
  assert.equal(live.readyState, WebSocket.OPEN, 'a client that pongs is kept');
});
