// The Lighter simulator's venue behaviour beyond order entry: the market-data endpoints clients
// call (orderBookOrders, assetDetails, candles / candlesticks, recentTrades, `trade/{market}`), the
// per-market `account_orders` channel, GTT expiry, integrator fees and liquidation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { LighterSim } from '../../../src/sim/lighter/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs, SIM_BASES } from '../../../src/sim/markets.js';
import { LighterSigner, type CreateOrderParams } from '../../../src/venues/lighter/signer/index.js';
import { silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';
import { signWithAttributes } from '../../conformance/lighter-signing.js';

const KEY = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
const T0 = 1_800_000_000_000;

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

async function setup() {
  const clock = { now: T0 };
  const now = () => clock.now;
  const signer = new LighterSigner({ privateKey: KEY, chainId: 304, accountIndex: 7, apiKeyIndex: 3, nowMs: now });
  const engines = SIM_BASES.map((b) => createMatchingEngine(simMarketSpecs(b).lighter, { now }));
  const btc = engines[1]!;
  btc.setHouseLiquidity(
    [
      [999_990, 100_000],
      [999_900, 100_000],
    ],
    [
      [1_000_000, 100_000],
      [1_000_100, 100_000],
    ],
  );
  const sim = new LighterSim({
    engines,
    faults: {},
    logger: silentLogger,
    chainId: 304,
    now,
    pingIntervalMs: 60_000,
    accounts: [{ accountIndex: 7, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: signer.publicKeyHex }] }],
  });
  const handle = await sim.listen();
  closers.push(() => handle.close());
  let nonce = 0;
  const send = async (txInfo: string, txType = 14) => {
    const res = await fetch(`${handle.apiUrl}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: String(txType), tx_info: txInfo }) });
    const body = (await res.json()) as { code: number; message?: string };
    if (res.status === 200) nonce++;
    return { status: res.status, ...body };
  };
  const order = (p: Partial<CreateOrderParams>) =>
    signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex: 0,
      baseAmount: 1000,
      price: 1_000_100,
      isAsk: false,
      orderType: 1,
      timeInForce: 0,
      reduceOnly: false,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce,
      ...p,
    }).txInfo;
  const get = async (path: string) => {
    const res = await fetch(`${handle.apiUrl}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const token = () => signer.createAuthToken(Math.floor(clock.now / 1000) + 600);
  const socket = async () => {
    const ws = new WebSocket(handle.wsUrl);
    const frames: Array<Record<string, unknown>> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    closers.push(async () => void ws.close());
    return { ws, frames, subscribe: (channel: string, auth?: string) => ws.send(JSON.stringify({ type: 'subscribe', channel, auth })) };
  };
  return { clock, signer, sim, btc, handle, send, order, get, token, socket, nonce: () => nonce };
}

test('orderBookOrders, assetDetails, recentTrades: the shapes clients read, required parameters named when missing', async () => {
  const s = await setup();
  const book = await s.get('/api/v1/orderBookOrders?market_id=1&limit=1');
  assert.deepEqual(
    [
      book.body.total_asks,
      (book.body.asks as Array<Record<string, unknown>>).map((o) => [o.price, o.remaining_base_amount]),
      (book.body.bids as Array<Record<string, unknown>>).map((o) => [o.price, o.remaining_base_amount]),
    ],
    [1, [['100000.0', '1.00000']], [['99999.0', '1.00000']]],
  );
  const missing = await s.get('/api/v1/orderBookOrders?market_id=1');
  assert.deepEqual([missing.status, missing.body.code, missing.body.message], [400, 21505, 'orderBookOrders: the query parameter limit is required']);
  const assets = (await s.get('/api/v1/assetDetails')).body.asset_details as Array<Record<string, unknown>>;
  assert.deepEqual(assets[0], {
    asset_id: 3,
    symbol: 'USDC',
    l1_decimals: 6,
    decimals: 6,
    min_transfer_amount: '1.000000',
    min_withdrawal_amount: '1.000000',
    margin_mode: 'enabled',
    index_price: '1.000000',
  });
  assert.deepEqual(
    assets.map((a) => a.symbol),
    ['USDC', ...SIM_BASES],
  );
  assert.equal((await s.send(s.order({ baseAmount: 1500 }))).status, 200);
  const trades = (await s.get('/api/v1/recentTrades?market_id=1&limit=10')).body.trades as Array<Record<string, unknown>>;
  assert.deepEqual(
    trades.map((t) => [t.price, t.size, t.bid_account_id, t.is_maker_ask, t.timestamp]),
    [['100000.0', '0.01500', 7, true, T0]],
  );
});

test('candles (CCXT) and candlesticks (lighter-go): trades bucketed by resolution between the timestamps, count_back keeping the last', async () => {
  const s = await setup();
  assert.equal((await s.send(s.order({ baseAmount: 1000 }))).status, 200); // 0.01 at 100000.0
  s.clock.now = T0 + 30_000;
  assert.equal((await s.send(s.order({ baseAmount: 1000, isAsk: true, price: 999_000 }))).status, 200); // 0.01 at 99999.0
  s.clock.now = T0 + 90_000;
  assert.equal((await s.send(s.order({ baseAmount: 2000 }))).status, 200); // 0.02 at 100000.0
  const bucket0 = Math.floor(T0 / 60_000) * 60_000;
  const q = `market_id=1&resolution=1m&start_timestamp=${T0 - 60_000}&end_timestamp=${T0 + 120_000}`;
  const ccxt = (await s.get(`/api/v1/candles?${q}&count_back=0`)).body;
  assert.deepEqual(ccxt.c, [
    { t: bucket0, o: 100000, h: 100000, l: 99999, c: 99999, v: 0.02, V: 1999.99, i: 4 },
    { t: bucket0 + 60_000, o: 100000, h: 100000, l: 100000, c: 100000, v: 0.02, V: 2000, i: 6 },
  ]);
  const go = (await s.get(`/api/v1/candlesticks?${q}&count_back=1`)).body;
  assert.deepEqual(go, {
    code: 200,
    market_index: 1,
    resolution: '1m',
    candlesticks: [
      { timestamp: bucket0 + 60_000, open: '100000.0', high: '100000.0', low: '100000.0', close: '100000.0', volume: '0.02000', quote_volume: '2000.000000', trade_count: 1 },
    ],
  });
  const bad = await s.get(`/api/v1/candles?market_id=1&resolution=2m&start_timestamp=0&end_timestamp=1&count_back=0`);
  assert.deepEqual([bad.status, bad.body.code], [400, 21505]);
  assert.match(String(bad.body.message), /^candles: resolution must be one of 1m, 5m/);
  assert.equal(
    (await s.get(`/api/v1/candlesticks?market_id=1&resolution=1m&start_timestamp=0&end_timestamp=1`)).body.message,
    'candlesticks: the query parameter count_back is required',
  );
});

test('account_orders/{market}/{account}: auth required, frames keyed by market with the account named; trade/{market} is public', async () => {
  const s = await setup();
  const { frames, subscribe } = await s.socket();
  subscribe('account_orders/1/7');
  await until('the refusal', () => frames.some((f) => f.error !== undefined));
  assert.match((frames.find((f) => f.error !== undefined)!.error as { message: string }).message, /^invalid auth token: missing \(channel account_orders:1\)$/);
  subscribe('account_orders/1/7', s.token());
  subscribe('trade/1');
  await until('both subscribed', () => frames.some((f) => f.type === 'subscribed/account_orders') && frames.some((f) => f.type === 'subscribed/trade'));
  assert.deepEqual(
    frames.find((f) => f.type === 'subscribed/account_orders'),
    { account: 7, channel: 'account_orders:1', nonce: 5000, orders: { '1': [] }, type: 'subscribed/account_orders' },
  );
  assert.equal((await s.send(s.order({ baseAmount: 1000, clientOrderIndex: 11 }))).status, 200);
  await until('the order update', () => frames.some((f) => f.type === 'update/account_orders'));
  const update = frames.find((f) => f.type === 'update/account_orders')!;
  const [o] = (update.orders as Record<string, Array<Record<string, unknown>>>)['1']!;
  assert.deepEqual([update.account, update.channel, o!.client_order_index, o!.status, o!.filled_base_amount], [7, 'account_orders:1', 11, 'filled', '0.01000']);
  await until('the public trade', () => frames.some((f) => f.type === 'update/trade'));
  const trade = (frames.find((f) => f.type === 'update/trade')!.trades as Array<Record<string, unknown>>)[0]!;
  assert.deepEqual([trade.price, trade.size, trade.type, trade.bid_account_id], ['100000.0', '0.01000', 'trade', 7]);
});

test('a good-till-time order resting past its signed expiry is cancelled by the venue as canceled-expired', async () => {
  const s = await setup();
  const { frames, subscribe } = await s.socket();
  subscribe('account_all_orders/7', s.token());
  await until('subscribed', () => frames.some((f) => f.type === 'subscribed/account_all_orders'));
  const expiry = T0 + 60_000;
  assert.equal((await s.send(s.order({ orderType: 0, timeInForce: 1, price: 990_000, clientOrderIndex: 21, orderExpiry: expiry }))).status, 200);
  assert.equal(s.btc.openOrders('7').length, 1);
  s.clock.now = expiry - 1;
  await s.get('/');
  assert.equal(s.btc.openOrders('7').length, 1, 'still resting one ms before');
  s.clock.now = expiry;
  await s.get('/');
  assert.equal(s.btc.openOrders('7').length, 0, 'gone at its expiry');
  await until('the update', () => frames.some((f) => f.type === 'update/account_all_orders' && JSON.stringify(f).includes('canceled-expired')));
  const inactive = await s.get(`/api/v1/accountInactiveOrders?account_index=7&limit=10&auth=${encodeURIComponent(s.token())}`);
  const [o] = inactive.body.orders as Array<Record<string, unknown>>;
  assert.deepEqual([o!.client_order_index, o!.status, o!.order_expiry], [21, 'canceled-expired', expiry]);
});

test('integrator fees: refused with 21149 until the account approves the integrator, then charged on each fill on top of the venue fee', async () => {
  const s = await setup();
  const fields = (nonce: number) => ({
    AccountIndex: 7,
    ApiKeyIndex: 3,
    MarketIndex: 1,
    ClientOrderIndex: 0,
    BaseAmount: 1000,
    Price: 1_000_100,
    IsAsk: 0,
    Type: 1,
    TimeInForce: 0,
    ReduceOnly: 0,
    TriggerPrice: 0,
    OrderExpiry: 0,
    ExpiredAt: T0 + 60_000,
    Nonce: nonce,
  });
  const attrs = new Map([
    [1, 718718],
    [2, 1000],
    [3, 1000],
  ]);
  const refused = await s.send(signWithAttributes(KEY, 304, 14, fields(0), attrs).txInfo);
  assert.deepEqual([refused.status, refused.code], [400, 21149]);
  assert.match(refused.message!, /^integrator not approved: account 7 has not approved integrator 718718/);
  s.sim.approveIntegrator(7, 718718, 500, 500);
  assert.equal((await s.send(signWithAttributes(KEY, 304, 14, fields(0), attrs).txInfo)).code, 21149, 'fees above those approved');
  s.sim.approveIntegrator(7, 718718, 1000, 1000);
  assert.equal((await s.send(signWithAttributes(KEY, 304, 14, fields(0), attrs).txInfo)).status, 200);
  // 0.01 BTC at 100000.0 = 1000 USDC; 1000 / 10^6 = 0.1 % → 1 USDC to the integrator.
  assert.equal(s.sim.margin.collateral('7'), 999_999_000_000n);
});

test("liquidation: when the account's equity falls below its maintenance margin, its orders are cancelled and its position closed at market", async () => {
  const s = await setup();
  s.sim.margin.setCollateral('7', '60');
  const { frames, subscribe } = await s.socket();
  subscribe('account_all_orders/7', s.token());
  subscribe('trade/1');
  await until('subscribed', () => frames.filter((f) => String(f.type).startsWith('subscribed/')).length === 2);
  // 0.01 BTC long at 100000.0 (5 % initial margin = 50 of 60), and a resting ask above.
  assert.equal((await s.send(s.order({ baseAmount: 1000 }))).status, 200);
  assert.equal(
    (await s.send(s.order({ orderType: 0, timeInForce: 1, isAsk: true, price: 1_040_000, baseAmount: 100, clientOrderIndex: 31, orderExpiry: T0 + 3_600_000 }))).status,
    200,
  );
  // The book drops to a mid of 95005.0: equity 60 − 49.95 = 10.05 is below 1.2 % maintenance of 950.05 = 11.40.
  s.btc.setHouseLiquidity([[950_000, 100_000]], [[950_100, 100_000]]);
  await until('liquidated', () => s.btc.position('7').size === 0);
  assert.equal(s.btc.openOrders('7').length, 0);
  await until('the liquidation trade', () => frames.some((f) => f.type === 'update/trade' && (f.liquidation_trades as unknown[]).length > 0));
  const liq = (frames.find((f) => f.type === 'update/trade' && (f.liquidation_trades as unknown[]).length > 0)!.liquidation_trades as Array<Record<string, unknown>>)[0]!;
  assert.deepEqual([liq.type, liq.price, liq.size, liq.ask_account_id], ['liquidation', '95000.0', '0.01000', 7]);
  // The liquidation fee: 1 % of the 950 USDC sold.
  assert.equal(s.sim.margin.collateral('7'), 60_000_000n - 9_500_000n);
  const inactive = (await s.get(`/api/v1/accountInactiveOrders?account_index=7&limit=10&auth=${encodeURIComponent(s.token())}`)).body.orders as Array<Record<string, unknown>>;
  assert.deepEqual(inactive.map((o) => [o.type, o.status]).sort(), [
    ['limit', 'canceled-liquidation'],
    ['liquidation', 'filled'],
    ['market', 'filled'],
  ]);
});

test("self-trade prevention: an order that would trade with the account's own resting order cancels that maker as canceled-self-trade", async () => {
  const s = await setup();
  s.btc.setHouseLiquidity(
    [[999_990, 100_000]],
    [
      [1_000_000, 500],
      [1_000_100, 100_000],
    ],
  );
  assert.equal(
    (await s.send(s.order({ orderType: 0, timeInForce: 1, isAsk: true, price: 1_000_050, baseAmount: 500, clientOrderIndex: 41, orderExpiry: T0 + 3_600_000 }))).status,
    200,
  );
  // 0.003 stays within the house's 0.005 at 100000.0: the own ask at 100005.0 is not reached and rests on.
  assert.equal((await s.send(s.order({ baseAmount: 300, price: 1_000_200, clientOrderIndex: 42 }))).status, 200);
  assert.deepEqual(
    s.btc.openOrders('7').map((o) => o.clientOrderId),
    ['41'],
  );
  // 0.005 more would take the house's last 0.002 and then meet the own ask: that ask is cancelled
  // instead, and the buy goes on to the house's next level.
  assert.equal((await s.send(s.order({ baseAmount: 500, price: 1_000_200, clientOrderIndex: 43 }))).status, 200);
  assert.deepEqual(
    s.btc.fills('7').map((f) => [f.side, f.price, f.size]),
    [
      ['buy', 1_000_000, 300],
      ['buy', 1_000_000, 200],
      ['buy', 1_000_100, 300],
    ],
  );
  const inactive = (await s.get(`/api/v1/accountInactiveOrders?account_index=7&limit=10&auth=${encodeURIComponent(s.token())}`)).body.orders as Array<Record<string, unknown>>;
  assert.deepEqual(inactive.map((o) => [o.client_order_index, o.status]).sort(), [
    [41, 'canceled-self-trade'],
    [42, 'filled'],
    [43, 'filled'],
  ]);
});

test('price_protection must be a boolean, and false lifts no price check: an order far from the mid is refused with 21733 either way', async () => {
  const s = await setup();
  const post = async (fields: Record<string, string>) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    const res = await fetch(`${s.handle.apiUrl}/api/v1/sendTx`, { method: 'POST', body });
    return { status: res.status, ...((await res.json()) as { code: number }) };
  };
  // A limit bid 10 % under the mid of 99999.5, past the market's 5 % band.
  const far = s.order({ orderType: 0, timeInForce: 1, price: 900_000, orderExpiry: T0 + 3_600_000 });
  for (const protection of ['true', 'false'])
    assert.deepEqual(await post({ tx_type: '14', tx_info: far, price_protection: protection }), { status: 400, code: 21733, message: 'accidental price' });
  assert.deepEqual((await post({ tx_type: '14', tx_info: far, price_protection: '1' })).code, 21505);
  assert.equal(s.btc.orders('7').filter((o) => o.status !== 'rejected').length, 0);
});
