// The Lighter simulator's subscription and market behaviours at the protocol level: an unsubscribe
// that a subscribe overtakes (30003), the faults that ignore or swallow one, widened market ids
// and the published minimum order value.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { LighterSim } from '../../../src/sim/lighter/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs, SIM_BASES, type SimMarketOptions } from '../../../src/sim/markets.js';
import type { SimFaults } from '../../../src/sim/types.js';
import { silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function sim(markets: SimMarketOptions = {}, faults: SimFaults = {}) {
  const engines = SIM_BASES.map((b) => createMatchingEngine(simMarketSpecs(b, undefined, markets).lighter));
  engines[1].setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const s = new LighterSim({ engines, faults, logger: silentLogger, chainId: 304, accounts: [] });
  const handle = await s.listen();
  closers.push(() => handle.close());
  return { handle, engines, faults };
}

async function client(wsUrl: string) {
  const ws = new WebSocket(wsUrl);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as Record<string, unknown>));
  await new Promise((r) => ws.once('open', r));
  closers.push(async () => void ws.terminate());
  await until('greeting', () => frames.some((f) => f.type === 'connected'));
  const send = (o: unknown) => ws.send(JSON.stringify(o));
  const kinds = () =>
    frames.filter((f) => f.type !== 'connected' && f.type !== 'ping').map((f) => (f.error !== undefined ? `error ${(f.error as { code: number }).code}` : String(f.type)));
  return { ws, frames, send, kinds };
}

test('a subscribe sent right behind its unsubscribe meets 30003 and the channel then ends: the race a client must not run', async () => {
  const { handle, engines } = await sim();
  const c = await client(handle.wsUrl);
  c.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('snapshot', () => c.kinds().includes('subscribed/order_book'));
  c.send({ type: 'unsubscribe', channel: 'order_book/1' });
  c.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('unsubscribed', () => c.kinds().includes('unsubscribed'));
  assert.deepEqual(c.kinds(), ['subscribed/order_book', 'error 30003', 'unsubscribed']);
  assert.deepEqual(c.frames.find((f) => f.error !== undefined)?.error, { code: 30003, message: 'Already Subscribed to : order_book:1' });
  engines[1].setHouseLiquidity([[999_980, 100]], [[1_000_010, 100]]);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(!c.kinds().includes('update/order_book'), 'no subscription is left');
});

test('a subscribe sent after the unsubscribed answer starts afresh with a snapshot', async () => {
  const { handle } = await sim();
  const c = await client(handle.wsUrl);
  c.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('snapshot', () => c.kinds().includes('subscribed/order_book'));
  c.send({ type: 'unsubscribe', channel: 'order_book/1' });
  await until('unsubscribed', () => c.kinds().includes('unsubscribed'));
  assert.deepEqual(c.frames.at(-1), { type: 'unsubscribed', channel: 'order_book:1' });
  c.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('second snapshot', () => c.kinds().filter((k) => k === 'subscribed/order_book').length === 2);
  assert.deepEqual(c.kinds(), ['subscribed/order_book', 'unsubscribed', 'subscribed/order_book']);
});

test('faults: an ignored unsubscribe is answered but the deltas go on; an unanswered one is neither', async () => {
  const { handle, engines, faults } = await sim();
  const c = await client(handle.wsUrl);
  c.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('snapshot', () => c.kinds().includes('subscribed/order_book'));
  faults.unsubscribeFault = 'ignored';
  c.send({ type: 'unsubscribe', channel: 'order_book/1' });
  await until('unsubscribed', () => c.kinds().includes('unsubscribed'));
  assert.equal(faults.unsubscribeFault, undefined, 'the fault is used once');
  c.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('30003', () => c.kinds().includes('error 30003'));
  engines[1].setHouseLiquidity([[999_980, 100]], [[1_000_010, 100]]);
  await until('deltas go on', () => c.kinds().includes('update/order_book'));

  const d = await client(handle.wsUrl);
  d.send({ type: 'subscribe', channel: 'order_book/1' });
  await until('snapshot', () => d.kinds().includes('subscribed/order_book'));
  faults.unsubscribeFault = 'unanswered';
  d.send({ type: 'unsubscribe', channel: 'order_book/1' });
  engines[1].setHouseLiquidity([[999_970, 100]], [[1_000_020, 100]]);
  await until('deltas go on', () => d.kinds().includes('update/order_book'));
  assert.ok(!d.kinds().includes('unsubscribed'));
});

test('widened market ids and min_quote_amount are market options, published as the venue does', async () => {
  const { handle } = await sim({ widenedMarketIds: true, lighterMinQuote: '12.5' });
  const books = (await (await fetch(`${handle.apiUrl}/api/v1/orderBooks`)).json()) as { order_books: Array<{ symbol: string; market_id: number; min_quote_amount: string }> };
  assert.deepEqual(
    books.order_books.map((b) => [b.symbol, b.market_id, b.min_quote_amount]),
    [
      ['ETH', 4095, '12.500000'],
      ['BTC', 4096, '12.500000'],
      ['SOL', 4097, '12.500000'],
    ],
  );
  const c = await client(handle.wsUrl);
  c.send({ type: 'subscribe', channel: 'order_book/4096' });
  await until('snapshot', () => c.kinds().includes('subscribed/order_book'));
  assert.equal(c.frames.find((f) => f.type === 'subscribed/order_book')?.channel, 'order_book:4096');
  const plain = await sim();
  const details = (await (await fetch(`${plain.handle.apiUrl}/api/v1/orderBookDetails?market_id=1`)).json()) as {
    order_book_details: Array<{ market_id: number; min_quote_amount: string }>;
  };
  assert.deepEqual(
    details.order_book_details.map((b) => [b.market_id, b.min_quote_amount]),
    [[1, '10.000000']],
  );
});
