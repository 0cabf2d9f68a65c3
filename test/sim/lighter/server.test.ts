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

interface TxVector {
  id: string; public_key: string; private_key: string; chain_id: number; tx_type: number; tx_info: string; tx_hash: string;
  inputs: { account_index: number; api_key_index: number; nonce: number; client_order_index?: number };
  effective: { expired_at: number };
}
const vectors = (name: string) => JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', `${name}.json`), 'utf8')).vectors as TxVector[];
const ALL = ['create_order', 'cancel_order', 'cancel_all_orders', 'modify_order', 'create_grouped_orders'].flatMap(vectors);

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

async function sim(o: { chainId?: number; now?: () => number; key?: { account: number; index: number; publicKeyHex: string; nonce: number }; faults?: SimFaults; pingIntervalMs?: number }) {
  const engines = SIM_BASES.map((b) => createMatchingEngine(simMarketSpecs(b).lighter, { now: o.now }));
  engines[1].setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const k = o.key ?? { account: 7, index: 3, publicKeyHex: '00'.repeat(40), nonce: 0 };
  const s = new LighterSim({
    engines, faults: o.faults ?? {}, logger: silentLogger, chainId: o.chainId ?? 304, now: o.now, pingIntervalMs: o.pingIntervalMs ?? 100,
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
    assert.ok(![21501, 21108, 21104, 21711].includes(r.body.code), `${v.id}: ${JSON.stringify(r.body)}`);
    if (r.status === 200) assert.equal(r.body.tx_hash, v.tx_hash, `${v.id}: the hash the simulator computed`);
  }
});

test('a tampered tx_info, another chain id, a wrong nonce and an expired tx are refused with the spec codes', async () => {
  const v = vectors('create_order')[0];
  const tampered = v.tx_info.replace('"Price":300000', '"Price":300001');
  assert.notEqual(tampered, v.tx_info);
  assert.equal((await (await forVector(v)).send(14, tampered)).body.code, 21501);
  assert.equal((await (await forVector(v, { chainId: 300 })).send(14, v.tx_info)).body.code, 21501);
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
    signer.signCreateOrder({ marketIndex: 1, clientOrderIndex, baseAmount: 1000, price: 1_000_100, isAsk: false, orderType: 1, timeInForce: 0, reduceOnly: false, triggerPrice: 0, orderExpiry: 0, nonce });
  const first = order(0, 55);
  const ok = await send(14, first.txInfo);
  assert.deepEqual([ok.status, ok.body.tx_hash], [200, first.txHash]);
  assert.equal(engines[1].position('7').size, 1000);
  assert.equal((await send(14, order(1, 55).txInfo)).body.code, 21728);
  assert.equal((await send(14, order(1, 56).txInfo)).status, 200, 'the refused tx did not use nonce 1');
  assert.deepEqual(s.acceptedTxs.map((t) => t.nonce), [0, 1]);
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
  const tx = signer.signCreateOrder({ marketIndex: 1, clientOrderIndex: 9, baseAmount: 500, price: 1_000_100, isAsk: false, orderType: 1, timeInForce: 0, reduceOnly: false, triggerPrice: 0, orderExpiry: 0, nonce: 0 });
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
  await new Promise((r) => setTimeout(r, 60));
  assert.ok(frames.some((f) => { try { JSON.parse(f.text); return false; } catch { return true; } }), 'a frame that is not JSON');
  faults.frameLatencyMs = 150;
  t0 = Date.now();
  engines[1].setHouseLiquidity([[999_980, 5]], [[1_000_010, 5]]);
  await new Promise((r) => setTimeout(r, 250));
  const update = frames.find((f) => f.at >= t0 && f.text.includes('update/order_book'));
  assert.ok(update !== undefined && update.at - t0 >= 140, `the book frame arrived late: ${JSON.stringify(frames.map((f) => [f.at - t0, f.text.slice(0, 60)]))}`);
  ws.close();
});

test('rawMember returns the signed object exactly as sent', () => {
  const info = '{"AccountIndex":1,"Index":1152921504606846975,"Sig":"a\\"}b"}';
  assert.equal(rawMember(`{"type":"jsonapi/sendtx","data":{"id":"1","tx_type":15,"tx_info":${info}}}`, 'tx_info'), info);
  assert.equal(rawMember('{"data":{"tx_info":"text"}}', 'tx_info'), undefined);
});
