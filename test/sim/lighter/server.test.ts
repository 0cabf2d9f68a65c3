import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { LighterSim, rawMember } from '../../../src/sim/lighter/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs, SIM_BASES } from '../../../src/sim/markets.js';
import type { SimFaults } from '../../../src/sim/types.js';
import { LighterSigner } from '../../../src/venues/lighter/signer/index.js';
import { silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';

interface TxVector {
  id: string;
  public_key: string;
  private_key: string;
  chain_id: number;
  tx_type: number;
  tx_info: string;
  tx_hash: string;
  inputs: { account_index: number; api_key_index: number; nonce: number; client_order_index?: number };
  effective: { expired_at: number };
}
const vectors = (name: string) => JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', `${name}.json`), 'utf8')).vectors as TxVector[];
const ALL = ['create_order', 'cancel_order', 'cancel_all_orders', 'modify_order', 'create_grouped_orders'].flatMap(vectors);

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

async function sim(o: {
  chainId?: number;
  now?: () => number;
  key?: { account: number; index: number; publicKeyHex: string; nonce: number };
  faults?: SimFaults;
  pingIntervalMs?: number;
}) {
  const engines = SIM_BASES.map((b) => createMatchingEngine(simMarketSpecs(b).lighter, { now: o.now }));
  engines[1].setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const k = o.key ?? { account: 7, index: 3, publicKeyHex: '00'.repeat(40), nonce: 0 };
  const s = new LighterSim({
    engines,
    faults: o.faults ?? {},
    logger: silentLogger,
    chainId: o.chainId ?? 304,
    now: o.now,
    pingIntervalMs: o.pingIntervalMs ?? 100,
    accounts: [{ accountIndex: k.account, apiKeys: [{ apiKeyIndex: k.index, publicKeyHex: k.publicKeyHex, nonce: k.nonce }] }],
  });
  const handle = await s.listen();
  closers.push(() => handle.close());
  const send = async (txType: number, txInfo: string) => {
    const res = await fetch(`${handle.apiUrl}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: String(txType), tx_info: txInfo }) });
    return { status: res.status, body: (await res.json()) as { code: number; message?: string; tx_hash?: string } };
  };
  return { s, handle, send, engines };
}

const forVector = (v: TxVector, extra: { chainId?: number; nonceShift?: number; late?: boolean } = {}) =>
  sim({
    chainId: extra.chainId ?? v.chain_id,
    now: () => (extra.late ? v.effective.expired_at + 1 : v.effective.expired_at - 60_000),
    key: { account: v.inputs.account_index, index: v.inputs.api_key_index, publicKeyHex: v.public_key, nonce: v.inputs.nonce + (extra.nonceShift ?? 0) },
  });

test(`every signed transaction vector (${ALL.length}) passes the signature and nonce checks`, async () => {
  for (const v of ALL) {
    const { send } = await forVector(v);
    const r = await send(v.tx_type, v.tx_info);
    // Past the checks a vector may still be refused for trading reasons (its market or prices are not the simulator's).
    assert.ok(![21501, 21120, 21108, 21104, 21711].includes(r.body.code), `${v.id}: ${JSON.stringify(r.body)}`);
    if (r.status === 200) assert.equal(r.body.tx_hash, v.tx_hash, `${v.id}: the hash the simulator computed`);
  }
});

test('a tampered tx_info, another chain id, a wrong nonce and an expired tx are refused with the spec codes', async () => {
  const v = vectors('create_order')[0];
  const tampered = v.tx_info.replace('"Price":300000', '"Price":300001');
  assert.notEqual(tampered, v.tx_info);
  assert.equal((await (await forVector(v)).send(14, tampered)).body.code, 21120, 'invalid signature');
  assert.equal((await (await forVector(v, { chainId: 300 })).send(14, v.tx_info)).body.code, 21120, 'another chain id: invalid signature');
  assert.equal((await (await forVector(v)).send(14, v.tx_info.replace('"Sig":"', '"Sig":"x'))).body.code, 21501, 'a tx_info that cannot be read');
  const wrongNonce = await (await forVector(v, { nonceShift: 1 })).send(14, v.tx_info);
  assert.deepEqual([wrongNonce.status, wrongNonce.body.code], [400, 21104]);
  assert.equal((await (await forVector(v, { late: true })).send(14, v.tx_info)).body.code, 21711);
  const unknownKey = await sim({ now: () => v.effective.expired_at - 60_000 });
  assert.equal((await unknownKey.send(14, v.tx_info)).body.code, 21108);
});

test('a client order index is used once per account; the nonce advances only on accepted transactions', async () => {
  const key = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
  const signer = new LighterSigner({ privateKey: key, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const { send, s, engines } = await sim({ key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  const order = (nonce: number, clientOrderIndex: number) =>
    signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex,
      baseAmount: 1000,
      price: 1_000_100,
      isAsk: false,
      orderType: 1,
      timeInForce: 0,
      reduceOnly: false,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce,
    });
  const first = order(0, 55);
  const ok = await send(14, first.txInfo);
  assert.deepEqual([ok.status, ok.body.tx_hash], [200, first.txHash]);
  assert.equal(engines[1].position('7').size, 1000);
  assert.equal((await send(14, order(1, 55).txInfo)).body.code, 21728);
  assert.equal((await send(14, order(1, 56).txInfo)).status, 200, 'the refused tx did not use nonce 1');
  assert.deepEqual(
    s.acceptedTxs.map((t) => t.nonce),
    [0, 1],
  );
});

test('faults: 429, 503, reply delay, lost reply (executed anyway), malformed frame, frame latency, clock skew', async () => {
  const faults: SimFaults = {};
  const key = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
  const signer = new LighterSigner({ privateKey: key, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  // Pings far apart: a frame latency longer than the ping period would (rightly) get the client dropped.
  const { send, handle, engines } = await sim({ faults, pingIntervalMs: 5000, key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  const get = async (path: string) => {
    const res = await fetch(`${handle.apiUrl}${path}`);
    return { status: res.status, body: (await res.json()) as { code: number; timestamp?: number } };
  };
  faults.rateLimitUntil = Date.now() + 10_000;
  assert.deepEqual((await get('/api/v1/orderBooks')).status, 429);
  faults.rateLimitUntil = 0;
  faults.unavailableUntil = Date.now() + 10_000;
  assert.deepEqual([(await get('/api/v1/orderBooks')).status, (await get('/api/v1/orderBooks')).body.code], [503, 503]);
  faults.unavailableUntil = 0;
  faults.replyDelayMs = 120;
  let t0 = Date.now();
  await get('/api/v1/orderBooks');
  assert.ok(Date.now() - t0 >= 120);
  faults.replyDelayMs = 0;
  faults.clockSkewMs = 3_600_000;
  const skewed = (await get('/')).body.timestamp!;
  assert.ok(Math.abs(skewed - Math.floor((Date.now() + 3_600_000) / 1000)) <= 1);
  faults.clockSkewMs = 0;

  faults.dropNextOrderReplies = 1;
  const tx = signer.signCreateOrder({
    marketIndex: 1,
    clientOrderIndex: 9,
    baseAmount: 500,
    price: 1_000_100,
    isAsk: false,
    orderType: 1,
    timeInForce: 0,
    reduceOnly: false,
    triggerPrice: 0,
    orderExpiry: 0,
    nonce: 0,
  });
  await assert.rejects(send(14, tx.txInfo), 'the reply is lost');
  assert.equal(engines[1].position('7').size, 500, 'but the order was executed');

  const ws = new WebSocket(handle.wsUrl);
  const frames: Array<{ at: number; text: string }> = [];
  ws.on('message', (m) => {
    frames.push({ at: Date.now(), text: m.toString() });
    if (m.toString() === '{"type":"ping"}') ws.send('{"type":"pong"}'); // or the server drops us
  });
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'subscribe', channel: 'order_book/1' }));
  await new Promise((r) => setTimeout(r, 50));
  faults.malformedFrame = true;
  // The fault is polled every 20 ms: wait for its frame rather than for a fixed time (a loaded machine is slower).
  const notJson = (text: string) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  };
  await until('a frame that is not JSON', () => frames.some((f) => notJson(f.text)));
  faults.frameLatencyMs = 150;
  t0 = Date.now();
  engines[1].setHouseLiquidity([[999_980, 5]], [[1_000_010, 5]]);
  await until('the delayed book frame', () => frames.some((f) => f.at >= t0 && f.text.includes('update/order_book')));
  const update = frames.find((f) => f.at >= t0 && f.text.includes('update/order_book'));
  assert.ok(update !== undefined && update.at - t0 >= 140, `the book frame arrived late: ${JSON.stringify(frames.map((f) => [f.at - t0, f.text.slice(0, 60)]))}`);
  ws.close();
});

test('rawMember returns the signed object exactly as sent', () => {
  const info = '{"AccountIndex":1,"Index":1152921504606846975,"Sig":"a\\"}b"}';
  assert.equal(rawMember(`{"type":"jsonapi/sendtx","data":{"id":"1","tx_type":15,"tx_info":${info}}}`, 'tx_info'), info);
  assert.equal(rawMember('{"data":{"tx_info":"text"}}', 'tx_info'), undefined);
});

/** A WebSocket client that sends one tx frame and collects every frame that follows. */
async function wsClient(wsUrl: string) {
  const ws = new WebSocket(wsUrl);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (m) => {
    const f = JSON.parse(m.toString()) as Record<string, unknown>;
    if (f.type === 'ping') return void ws.send('{"type":"pong"}');
    if (f.type !== 'connected') frames.push(f);
  });
  await new Promise((r) => ws.once('open', r));
  closers.push(async () => void ws.close());
  const sendTx = async (id: string, txType: number, txInfo: string): Promise<Record<string, unknown>> => {
    const before = frames.length;
    ws.send(`{"type":"jsonapi/sendtx","data":{"id":"${id}","tx_type":${txType},"tx_info":${txInfo}}}`);
    const t0 = Date.now();
    while (frames.length === before) {
      if (Date.now() - t0 > 2000) throw new Error('no answer to the sendtx');
      await new Promise((r) => setTimeout(r, 5));
    }
    return frames[before];
  };
  return { ws, frames, sendTx };
}

const TEST_KEY = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';

async function rejectionShapes(count: number): Promise<string[]> {
  const signer = new LighterSigner({ privateKey: TEST_KEY, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const faults: SimFaults = {};
  const { handle, s } = await sim({ faults, key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  const client = await wsClient(handle.wsUrl);
  const shapes: string[] = [];
  for (let i = 0; i < count; i++) {
    faults.rejectNextOrderWith = 21733;
    const tx = signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex: 100 + i,
      baseAmount: 500,
      price: 1_000_100,
      isAsk: false,
      orderType: 1,
      timeInForce: 0,
      reduceOnly: false,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce: 0,
    });
    const f = await client.sendTx(String(100 + i), 14, tx.txInfo);
    if (f.type === 'jsonapi/sendtx') {
      assert.deepEqual([f.code, f.message], [21733, 'accidental price']);
      if (f.id !== undefined) assert.equal(f.id, String(100 + i));
      shapes.push(f.id === undefined ? 'sendtx_code_no_id' : 'sendtx_code');
    } else if (f.type === 'error') {
      assert.deepEqual(f, { type: 'error', code: 21733, message: 'accidental price' });
      shapes.push('type_error');
    } else {
      assert.deepEqual(f, { error: { code: 21733, message: 'accidental price' } });
      shapes.push('bare_error');
    }
  }
  assert.equal(s.acceptedTxs.length, 0, 'no rejected transaction used its nonce');
  return shapes;
}

test("a rejected WS transaction comes in each of the venue's shapes, chosen at random per rejection from the seed", async () => {
  const shapes = await rejectionShapes(24);
  assert.deepEqual([...new Set(shapes)].sort(), ['bare_error', 'sendtx_code', 'sendtx_code_no_id', 'type_error'], 'every shape occurs');
  assert.deepEqual(await rejectionShapes(24), shapes, 'the same seed, the same shapes');
});

test('acknowledged, then failed in the sequencer: a tx hash comes back, nothing executes, and the nonce is still free', async () => {
  const signer = new LighterSigner({ privateKey: TEST_KEY, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const faults: SimFaults = { ackThenFailNext: 1 };
  const { handle, s, engines } = await sim({ faults, key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  const client = await wsClient(handle.wsUrl);
  const order = (clientOrderIndex: number) =>
    signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex,
      baseAmount: 500,
      price: 1_000_100,
      isAsk: false,
      orderType: 1,
      timeInForce: 0,
      reduceOnly: false,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce: 0,
    });
  const first = order(1);
  const ack = await client.sendTx('1', 14, first.txInfo);
  assert.deepEqual([ack.code, ack.tx_hash, ack.id], [200, first.txHash, '1']);
  assert.equal(engines[1].position('7').size, 0, 'nothing executed');
  assert.equal(s.acceptedTxs.length, 0);
  const second = await client.sendTx('2', 14, order(2).txInfo);
  assert.equal(second.code, 200, 'nonce 0 was not used by the failed transaction');
  assert.deepEqual(
    s.acceptedTxs.map((t) => t.nonce),
    [0],
  );
  assert.equal(engines[1].position('7').size, 500);
});

test('29500/29501 answer a transaction that executed all the same (the harsher reading)', async () => {
  const signer = new LighterSigner({ privateKey: TEST_KEY, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const faults: SimFaults = { rejectNextOrderWith: 29501, rejectionShape: 'bare_error' };
  const { handle, s, engines } = await sim({ faults, key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  const client = await wsClient(handle.wsUrl);
  const tx = signer.signCreateOrder({
    marketIndex: 1,
    clientOrderIndex: 5,
    baseAmount: 500,
    price: 1_000_100,
    isAsk: false,
    orderType: 1,
    timeInForce: 0,
    reduceOnly: false,
    triggerPrice: 0,
    orderExpiry: 0,
    nonce: 0,
  });
  assert.deepEqual(await client.sendTx('5', 14, tx.txInfo), { error: { code: 29501, message: 'timeout' } });
  assert.equal(engines[1].position('7').size, 500);
  assert.deepEqual(
    s.acceptedTxs.map((t) => t.nonce),
    [0],
  );
});

test('one shared request budget for REST and WS transactions: 429 with 23000 beyond it, a place back a minute later', async () => {
  let clock = 1_800_000_000_000;
  const signer = new LighterSigner({ privateKey: TEST_KEY, chainId: 304, accountIndex: 7, apiKeyIndex: 3, nowMs: () => clock });
  const faults: SimFaults = { requestsPerMinute: 3, rejectionShape: 'sendtx_code' };
  const { handle, s } = await sim({ faults, now: () => clock, key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  const get = async () => {
    const res = await fetch(`${handle.apiUrl}/api/v1/orderBooks`);
    return [res.status, ((await res.json()) as { code: number }).code];
  };
  assert.deepEqual(await get(), [200, 200]);
  assert.deepEqual(await get(), [200, 200]);
  const client = await wsClient(handle.wsUrl);
  const order = (clientOrderIndex: number, nonce: number) =>
    signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex,
      baseAmount: 500,
      price: 1_000_100,
      isAsk: false,
      orderType: 1,
      timeInForce: 0,
      reduceOnly: false,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce,
    });
  assert.equal((await client.sendTx('1', 14, order(1, 0).txInfo)).code, 200, 'the third request of the minute');
  const refused = await client.sendTx('2', 14, order(2, 1).txInfo);
  assert.deepEqual([refused.code, refused.message, refused.id], [23000, 'Too Many Requests', '2']);
  assert.deepEqual(await get(), [429, 23000]);
  assert.deepEqual(
    s.acceptedTxs.map((t) => t.nonce),
    [0],
    'the refused transaction used no nonce',
  );
  clock += 59_999;
  assert.deepEqual(await get(), [429, 23000], 'a rolling minute');
  clock += 1;
  assert.deepEqual(await get(), [200, 200]);
  // The older documents' separate transaction cap, when set: transactions stop before requests do.
  faults.transactionsPerMinute = 1;
  assert.equal((await client.sendTx('3', 14, order(3, 1).txInfo)).code, 200);
  assert.equal((await client.sendTx('4', 14, order(4, 2).txInfo)).code, 23000, 'a second transaction in the minute');
  assert.deepEqual(
    s.acceptedTxs.map((t) => t.nonce),
    [0, 1],
  );
});

test("margin: an order past the account's initial margin is refused with 21739, the nonce unused; the account shows the margin model", async () => {
  const key = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
  const signer = new LighterSigner({ privateKey: key, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const { send, s, engines, handle } = await sim({ key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  s.margin.setCollateral('7', '100');
  const order = (nonce: number, baseAmount: number, isAsk = false, reduceOnly = false) =>
    signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex: 0,
      baseAmount,
      price: isAsk ? 999_000 : 1_000_100,
      isAsk,
      orderType: 1,
      timeInForce: 0,
      reduceOnly,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce,
    });
  // 0.02 BTC at the signed worst price 100010.0 = 2000.2; 5 % initial margin = 100.01 > 100.
  const refused = await send(14, order(0, 2000).txInfo);
  assert.deepEqual([refused.status, refused.body.code, refused.body.message], [400, 21739, 'not enough margin']);
  assert.equal(engines[1].position('7').size, 0);
  // 0.0199 BTC = 1990.199 → 99.51 of margin: accepted, on the nonce the refusal left unused.
  assert.equal((await send(14, order(0, 1990).txInfo)).status, 200);
  assert.equal(engines[1].position('7').size, 1990);
  const account = ((await (await fetch(`${handle.apiUrl}/api/v1/account?by=index&value=7`)).json()) as { accounts: Array<Record<string, unknown>> }).accounts[0];
  const position = (account.positions as Array<Record<string, unknown>>)[0];
  // Bought at 100000.0, marked at the mid 99999.5: −0.00995; IM 5 % of 1989.99005 = 99.499503 (rounded up).
  assert.deepEqual([account.collateral, account.available_balance, account.total_asset_value, account.account_type], ['100.000000', '0.490547', '99.990050', 0]);
  // (0.0199 · 99999.5 − 99.99005) / (0.0199 · 0.988) = 96128.4…, truncated to the tick.
  assert.deepEqual([position.liquidation_price, position.initial_margin_fraction, position.avg_entry_price, position.margin_mode], ['96128.4', '5.00', '100000.0', 0]);
  // Closing needs no margin, even with the collateral gone.
  s.margin.setCollateral('7', '0');
  assert.equal((await send(14, order(1, 1000, false).txInfo)).body.code, 21739, 'adding is refused');
  assert.equal((await send(14, order(1, 1990, true, true).txInfo)).status, 200, 'reduce-only passes');
  assert.equal(engines[1].position('7').size, 0);
});

test("sendTx as multipart/form-data (CCXT's encoding) with price_protection; account_all_trades without a token; order times in seconds; order_expiry as signed", async () => {
  const key = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
  const signer = new LighterSigner({ privateKey: key, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const { engines, handle } = await sim({ key: { account: 7, index: 3, publicKeyHex: signer.publicKeyHex, nonce: 0 } });
  const ws = new WebSocket(handle.wsUrl);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Record<string, unknown>));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'subscribe', channel: 'account_all_trades/7' }));
  ws.send(JSON.stringify({ type: 'subscribe', channel: 'account_all_orders/7' }));
  await until('answers', () => frames.filter((f) => f.type === 'subscribed/account_all_trades' || f.error !== undefined).length === 2);
  assert.ok(
    frames.some((f) => f.type === 'subscribed/account_all_trades'),
    'account_all_trades is public',
  );
  const refused = frames.find((f) => f.error !== undefined)!.error as { message: string };
  assert.match(refused.message, /channel account_all_orders:7/, 'the refusal names its channel');

  const multipart = async (fields: Record<string, string>) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    const res = await fetch(`${handle.apiUrl}/api/v1/sendTx`, { method: 'POST', body });
    return { status: res.status, body: (await res.json()) as { code: number; message?: string; tx_hash?: string } };
  };
  const order = (nonce: number, clientOrderIndex: number) =>
    signer.signCreateOrder({
      marketIndex: 1,
      clientOrderIndex,
      baseAmount: 500,
      price: 1_000_100,
      isAsk: false,
      orderType: 1,
      timeInForce: 0,
      reduceOnly: false,
      triggerPrice: 0,
      orderExpiry: 0,
      nonce,
    });
  const bad = await multipart({ tx_type: '14', tx_info: order(0, 1).txInfo, price_protection: 'maybe' });
  assert.deepEqual([bad.status, bad.body.code], [400, 21505]);
  const tx = order(0, 2);
  const ok = await multipart({ tx_type: '14', tx_info: tx.txInfo, price_protection: 'true' });
  assert.deepEqual([ok.status, ok.body.tx_hash], [200, tx.txHash]);
  assert.equal(engines[1].position('7').size, 500);
  await until('the trade', () => frames.some((f) => f.type === 'update/account_all_trades'));

  const token = signer.createAuthToken(Math.floor(Date.now() / 1000) + 600);
  const res = await fetch(`${handle.apiUrl}/api/v1/accountInactiveOrders?account_index=7&limit=10&auth=${encodeURIComponent(token)}`);
  const [done] = ((await res.json()) as { orders: Array<{ created_at: number; updated_at: number; timestamp: number }> }).orders;
  const nowSec = Math.floor(Date.now() / 1000);
  assert.ok(done.created_at <= nowSec && done.created_at >= nowSec - 60, `created_at ${done.created_at} is in seconds`);
  assert.equal(done.updated_at, done.timestamp);
  // A good-till-time order signed with an expiry reports it (ms, as signed).
  const expiry = Date.now() + 3_600_000;
  const gtt = signer.signCreateOrder({
    marketIndex: 1,
    clientOrderIndex: 3,
    baseAmount: 500,
    price: 990_000,
    isAsk: false,
    orderType: 0,
    timeInForce: 1,
    reduceOnly: false,
    triggerPrice: 0,
    orderExpiry: expiry,
    nonce: 1,
  });
  assert.equal((await multipart({ tx_type: '14', tx_info: gtt.txInfo })).status, 200);
  const active = await fetch(`${handle.apiUrl}/api/v1/accountActiveOrders?account_index=7&market_id=1&auth=${encodeURIComponent(token)}`);
  const [open] = ((await active.json()) as { orders: Array<{ order_expiry: number; client_order_index: number }> }).orders;
  assert.deepEqual([open.client_order_index, open.order_expiry], [3, expiry]);
  ws.close();
});
