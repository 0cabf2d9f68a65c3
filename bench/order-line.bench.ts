// npm run bench:order-line — the hand-written HTTP/1.1 order connection (src/venues/http-line.ts)
// against undici's Client (keep-alive, pipelining) writing the same signed Backpack order to the
// same loopback server, in the same process, in alternating rounds so that drift hits both alike.
//
// Two figures per client, each as median and p99 over all rounds:
//   call  — from the call to the moment it returns (what the deciding turn pays before the other
//           leg can be written);
//   reply — from the call to the complete reply read (the round trip on loopback).
// undici queues the request and writes it in a later turn, so its `call` is not the moment its
// order left: compare the two on `reply`, and take `call` as what each costs the deciding turn.
// BENCH_ORDERS (default 2000) orders per client per round, ROUNDS rounds, one order at a time,
// with BENCH_GAP_MS (default 0) idle between orders.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { silentLogger } from '../src/core/log.js';
import { Secret } from '../src/core/secret.js';
import { BackpackSigner } from '../src/venues/backpack/auth.js';
import { HttpLine } from '../src/venues/http-line.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2000);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 0);
const ROUNDS = 5;
const WARMUP = Math.min(200, ORDERS);

// The venue's answer to an order, of the size Backpack sends (a filled market order).
const REPLY = JSON.stringify({
  id: '114213562916192256',
  clientId: 7,
  symbol: 'BTC_USDC_PERP',
  side: 'Bid',
  orderType: 'Market',
  quantity: '0.01',
  executedQuantity: '0.01',
  executedQuoteQuantity: '1000.1',
  status: 'Filled',
  timeInForce: 'IOC',
  createdAt: 1764300000000,
  selfTradePrevention: 'RejectTaker',
});

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(REPLY) });
    res.end(REPLY);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// One signed order, the same bytes for every request of both clients.
const seed = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
const signer = new BackpackSigner(new Secret(seed.toString('base64')));
const params = { clientId: 7, orderType: 'Market', quantity: '0.01', side: 'Bid', symbol: 'BTC_USDC_PERP', priceLimit: '100200.0' };
const signed = { 'Content-Type': 'application/json; charset=utf-8', ...signer.headers('orderExecute', params, Date.now(), 5000) };
const body = JSON.stringify(params);
const headerLines = Object.entries(signed)
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('');

const line = new HttpLine({ venue: 'backpack', base: new URL(origin), logger: silentLogger, keepAlivePath: '/api/v1/status' });
line.start();
while (!line.idle) await new Promise((r) => setTimeout(r, 5));
const client = new Client(origin, { pipelining: 10, keepAliveTimeout: 60_000 });

interface Sample {
  call: number[];
  reply: number[];
}

async function viaLine(out: Sample): Promise<void> {
  const t0 = performance.now();
  const pending = line.request('POST', '/api/v1/order', headerLines, body, 5000);
  const t1 = performance.now();
  const reply = await pending;
  const t2 = performance.now();
  if (reply.status !== 200 || reply.text !== REPLY) throw new Error(`line: unexpected reply ${reply.status}`);
  out.call.push(t1 - t0);
  out.reply.push(t2 - t0);
}

async function viaUndici(out: Sample): Promise<void> {
  const t0 = performance.now();
  const pending = client.request({ origin, method: 'POST', path: '/api/v1/order', headers: signed, body });
  const t1 = performance.now();
  const res = await pending;
  const text = await res.body.text();
  const t2 = performance.now();
  if (res.statusCode !== 200 || text !== REPLY) throw new Error(`undici: unexpected reply ${res.statusCode}`);
  out.call.push(t1 - t0);
  out.reply.push(t2 - t0);
}

async function round(send: (s: Sample) => Promise<void>, into: Sample): Promise<void> {
  const scratch: Sample = { call: [], reply: [] };
  for (let i = 0; i < WARMUP; i++) await send(scratch);
  for (let i = 0; i < ORDERS; i++) {
    if (GAP_MS > 0) await new Promise((r) => setTimeout(r, GAP_MS));
    await send(into);
  }
}

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const us = (ms: number) => `${(ms * 1000).toFixed(1).padStart(7)} µs`;
const results = { 'http-line': { call: [], reply: [] } as Sample, 'undici Client': { call: [], reply: [] } as Sample };
for (let r = 0; r < ROUNDS; r++) {
  // Alternate who goes first.
  const order = r % 2 === 0 ? (['http-line', 'undici Client'] as const) : (['undici Client', 'http-line'] as const);
  for (const name of order) await round(name === 'http-line' ? viaLine : viaUndici, results[name]);
}

process.stdout.write(`order connection, ${ROUNDS} rounds × ${ORDERS} orders (gap ${GAP_MS} ms), loopback, node ${process.version}\n`);
process.stdout.write(`${'client'.padEnd(14)} ${'call p50'.padStart(10)} ${'call p99'.padStart(10)} ${'reply p50'.padStart(10)} ${'reply p99'.padStart(10)}\n`);
for (const [name, s] of Object.entries(results)) {
  process.stdout.write(`${name.padEnd(14)} ${us(quantile(s.call, 0.5))} ${us(quantile(s.call, 0.99))} ${us(quantile(s.reply, 0.5))} ${us(quantile(s.reply, 0.99))}\n`);
}

line.stop();
await client.close();
await new Promise<void>((r) => server.close(() => r()));
