import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { startBackpackSim } from '../../../src/sim/backpack/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { SimMargin } from '../../../src/sim/margin.js';
import { BackpackSigner, signingString } from '../../../src/venues/backpack/auth.js';
import { simMarketSpecs } from '../../../src/sim/markets.js';
import type { SimFaults, SimServerHandle } from '../../../src/sim/types.js';
import { BackpackVenue } from '../../../src/venues/backpack/index.js';
import { Secret } from '../../../src/core/secret.js';
import { MemoryLogger, silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';

const dir = join(VECTORS_DIR, 'backpack');
const load = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const keys = load('keys.json').keys as Array<{ key_id: string; secret_b64: string; public_key_b64: string }>;
const restVectors = load('signing_rest.json').vectors as Array<{
  id: string;
  method: string;
  path: string;
  query: Record<string, string | number | boolean> | null;
  body_json: string | null;
  headers: Record<string, string>;
  timestamp: number;
}>;
const wsVectors = load('signing_ws.json').vectors as Array<{ id: string; timestamp: number; subscribe_message: { params: string[]; signature: string[] } }>;

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

async function sim(options: { now?: () => number; faults?: SimFaults; coalesceDepth?: boolean; collateral?: string } = {}) {
  const engines = ['BTC', 'ETH', 'SOL'].map((b) => createMatchingEngine(simMarketSpecs(b).backpack, { now: options.now }));
  const btc = engines[0];
  btc.setHouseLiquidity(
    [
      [999_990, 200],
      [999_980, 300],
    ],
    [
      [1_000_000, 400],
      [1_000_010, 500],
      [1_000_020, 5000],
    ],
  );
  const faults = options.faults ?? {};
  const margin = new SimMargin(engines, { collateral: options.collateral, leverageLimit: 10 });
  const handle: SimServerHandle = await startBackpackSim({
    engines,
    margin,
    faults,
    logger: silentLogger,
    accounts: keys.map((k) => ({ publicKey: k.public_key_b64 })),
    now: options.now,
    pingIntervalMs: 200,
    coalesceDepth: options.coalesceDepth,
  });
  closers.push(() => handle.close());
  return { handle, btc, faults, margin };
}

async function rawRequest(apiUrl: string, v: (typeof restVectors)[number], headers: Record<string, string>, body: string | null) {
  const query = v.query === null ? '' : '?' + new URLSearchParams(Object.entries(v.query).map(([k, x]): [string, string] => [k, String(x)])).toString();
  const res = await fetch(apiUrl + v.path + query, { method: v.method, headers, body: body ?? undefined });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
}

test('every signed REST vector is accepted; a one-character change in body, timestamp or window is refused', async () => {
  for (const v of restVectors) {
    const { handle } = await sim({ now: () => v.timestamp + 10 });
    const ok = await rawRequest(handle.apiUrl, v, v.headers, v.body_json);
    assert.ok(ok.status !== 401 && ok.body.message !== 'Invalid signature' && ok.body.message !== 'Request has expired', `${v.id}: ${JSON.stringify(ok.body)}`);
    if (v.body_json !== null && v.body_json.length > 2) {
      const tampered = v.body_json.replace(/"symbol":"([A-Z])/, (_m, c: string) => `"symbol":"${c === 'B' ? 'E' : 'B'}`);
      assert.notEqual(tampered, v.body_json);
      const bad = await rawRequest(handle.apiUrl, v, v.headers, tampered);
      assert.deepEqual([bad.status, bad.body.message], [400, 'Invalid signature'], `${v.id} tampered body`);
    }
    const badTs = await rawRequest(handle.apiUrl, v, { ...v.headers, 'X-Timestamp': String(v.timestamp + 1) }, v.body_json);
    assert.deepEqual([badTs.status, badTs.body.message], [400, 'Invalid signature'], `${v.id} tampered timestamp`);
    const badWin = await rawRequest(handle.apiUrl, v, { ...v.headers, 'X-Window': '5001' }, v.body_json);
    assert.deepEqual([badWin.status, badWin.body.message], [400, 'Invalid signature'], `${v.id} tampered window`);
    await handle.close();
    closers.pop();
  }
});

test('a correctly signed request outside its window is refused as expired; an unknown key as unauthorized', async () => {
  const v = restVectors.find((x) => x.id === 'rest-22')!;
  const { handle } = await sim({ now: () => v.timestamp + 5001 });
  const late = await rawRequest(handle.apiUrl, v, v.headers, null);
  assert.deepEqual([late.status, late.body.code, late.body.message], [400, 'INVALID_CLIENT_REQUEST', 'Request has expired']);
  const unknown = await rawRequest(handle.apiUrl, v, { ...v.headers, 'X-API-Key': Buffer.alloc(32, 7).toString('base64') }, null);
  assert.deepEqual([unknown.status, unknown.body.code], [401, 'UNAUTHORIZED']);
});

test('signed WS subscribe vectors are accepted and a tampered one is refused', async () => {
  for (const v of wsVectors) {
    const { handle } = await sim({ now: () => v.timestamp + 10 });
    const errors = async (message: unknown): Promise<unknown[]> => {
      const ws = new WebSocket(handle.wsUrl);
      await new Promise((r) => ws.once('open', r));
      const seen: unknown[] = [];
      ws.on('message', (m) => seen.push(JSON.parse(m.toString())));
      ws.send(JSON.stringify(message));
      // Frames are answered in order: once the answer to a message the server refuses arrives, the subscribe was handled.
      ws.send(JSON.stringify({ method: 'MARKER' }));
      const marker = { id: null, error: { code: 4001, message: 'Invalid method' } };
      await until('marker answered', () => seen.some((f) => JSON.stringify(f) === JSON.stringify(marker)));
      ws.close();
      return seen
        .slice(
          0,
          seen.findIndex((f) => JSON.stringify(f) === JSON.stringify(marker)),
        )
        .filter((f) => (f as { error?: unknown }).error !== undefined);
    };
    assert.deepEqual(await errors({ method: 'SUBSCRIBE', ...v.subscribe_message }), [], v.id);
    const sig = [...v.subscribe_message.signature];
    sig[2] = String(Number(sig[2]) + 1);
    assert.deepEqual(
      await errors({ method: 'SUBSCRIBE', params: v.subscribe_message.params, signature: sig }),
      [{ id: null, error: { code: 4006, message: 'Invalid signature' } }],
      `${v.id} tampered`,
    );
    await handle.close();
    closers.pop();
  }
});

async function venueOn(handle: SimServerHandle, logger = new MemoryLogger()) {
  const key = keys[0];
  const venue = new BackpackVenue({
    ticker: 'BTC',
    apiUrl: handle.apiUrl,
    wsUrl: handle.wsUrl,
    publicKey: key.public_key_b64,
    secretKey: new Secret(key.secret_b64),
    logger,
    orderTimeoutMs: 300,
    reconnectBaseMs: 10,
    reconnectMaxMs: 40,
    snapshotRetryMs: 10,
    deadAfterMs: 1000,
    pingIntervalMs: 200,
  });
  closers.push(() => venue.stop());
  const spec = await venue.start();
  await until('book valid', () => venue.status().bookValid);
  return { venue, spec, logger, account: key.public_key_b64 };
}

const sameBook = (venue: BackpackVenue, engine: ReturnType<typeof createMatchingEngine>) =>
  JSON.stringify([venue.book.levels('bid'), venue.book.levels('ask')]) === JSON.stringify([engine.levels('bid'), engine.levels('ask')]);

test('the Backpack adapter builds the book from the snapshot and deltas, and fills a market order at the exact VWAP', async () => {
  const { handle, btc } = await sim();
  const { venue, spec, account } = await venueOn(handle);
  assert.deepEqual(spec, { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 });
  assert.ok(sameBook(venue, btc));
  btc.setHouseLiquidity(
    [[999_995, 100]],
    [
      [1_000_005, 300],
      [1_000_015, 800],
    ],
  );
  await until('delta applied', () => sameBook(venue, btc));

  const leg = await venue.placeMarketOrder({ side: 'buy', size: 500, worstPrice: 1_000_020 });
  assert.equal(leg.state, 'filled');
  assert.equal(leg.filled, 500);
  assert.equal(leg.notional, 300 * 1_000_005 + 200 * 1_000_015);
  assert.equal(btc.position(account).size, 500);
  assert.equal(await venue.fetchPosition(), 500);
  await until('book after the fill', () => sameBook(venue, btc));
});

test('faults: partial fill, rejection, 429, a lost reply resolved by lookup', async () => {
  const { handle, btc, faults } = await sim();
  const { venue, account } = await venueOn(handle);
  btc.setHouseLiquidity([[999_990, 1000]], [[1_000_000, 10_000]]);

  faults.partialFillNext = 0.4;
  const partial = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 1_000_100 });
  assert.deepEqual([partial.state, partial.filled, partial.notional], ['partial', 400, 400 * 1_000_000]);

  faults.rejectNextOrderWith = 'INSUFFICIENT_MARGIN';
  const rejected = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.deepEqual([rejected.state, rejected.error?.kind, rejected.error?.code], ['rejected', 'insufficient_margin', 'INSUFFICIENT_MARGIN']);

  faults.rateLimitUntil = Date.now() + 300;
  const limited = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.deepEqual([limited.state, limited.error?.kind], ['rejected', 'rate_limited']);
  faults.rateLimitUntil = 0;
  await new Promise((r) => setTimeout(r, 1100)); // the adapter honours Retry-After: 1

  faults.dropNextOrderReplies = 1;
  const lost = await venue.placeMarketOrder({ side: 'sell', size: 200, worstPrice: 999_900 });
  assert.deepEqual([lost.state, lost.filled, lost.notional], ['filled', 200, 200 * 999_990]);
  assert.equal(btc.position(account).size, 400 - 200);
});

test('faults: a sequence gap and a dropped connection both end in a rebuilt, exact book; a malformed frame too', async () => {
  const { handle, btc, faults } = await sim();
  const { venue, logger } = await venueOn(handle);
  faults.skipSequence = 3;
  btc.setHouseLiquidity([[999_000, 10]], [[1_001_000, 10]]);
  await until('gap seen', () => logger.lines.some((l) => l.includes('gap')));
  btc.setHouseLiquidity([[999_100, 20]], [[1_001_100, 20]]);
  await until('resynced', () => venue.status().bookValid && sameBook(venue, btc));

  faults.dropConnections = true;
  await until('dropped', () => !venue.status().connected || !venue.status().bookValid);
  btc.setHouseLiquidity([[999_200, 30]], [[1_001_200, 30]]);
  await until('rebuilt', () => venue.status().bookValid && sameBook(venue, btc));

  faults.malformedFrame = true;
  await until('malformed frame refused', () => logger.lines.some((l) => /refused|malformed|not JSON|Unexpected/i.test(l)));
  btc.setHouseLiquidity([[999_300, 40]], [[1_001_300, 40]]);
  await until('valid after malformed frame', () => venue.status().bookValid && sameBook(venue, btc));
});

test('faults: a silent feed freezes the book age, then its lost deltas force a resync; a 503 is reported as unavailable', async () => {
  const { handle, btc, faults } = await sim();
  const { venue, logger } = await venueOn(handle);
  faults.silentUntil = Date.now() + 400;
  const frozenAt = venue.lastBookAt;
  btc.setHouseLiquidity([[999_400, 50]], [[1_001_400, 50]]);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(venue.lastBookAt, frozenAt, 'no frame while the venue is silent');
  assert.equal(sameBook(venue, btc), false);
  await new Promise((r) => setTimeout(r, 250));
  btc.setHouseLiquidity([[999_500, 60]], [[1_001_500, 60]]);
  await until('gap after silence', () => logger.lines.some((l) => l.includes('gap')));
  await until('valid after silence', () => venue.status().bookValid && sameBook(venue, btc));

  faults.unavailableUntil = Date.now() + 300;
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_001_600 });
  assert.deepEqual([leg.state, leg.error?.kind], ['unknown', 'unavailable'], 'a 503 may hide an execution, so the outcome stays unknown until looked up');
});

test('faults: reply delay, frame latency and clock skew', async () => {
  const { handle, btc, faults } = await sim();
  faults.replyDelayMs = 120;
  let t0 = Date.now();
  await fetch(`${handle.apiUrl}/api/v1/markets`);
  assert.ok(Date.now() - t0 >= 120, 'the reply waited');
  faults.replyDelayMs = 0;
  faults.clockSkewMs = 60_000;
  const time = Number(await (await fetch(`${handle.apiUrl}/api/v1/time`)).text());
  assert.ok(Math.abs(time - (Date.now() + 60_000)) < 1000, 'the server clock runs a minute ahead');
  // A request signed by a client with the right time is now outside the skewed server's window.
  const { venue } = await venueOn(handle).catch(() => ({ venue: undefined }));
  assert.equal(venue, undefined, 'the adapter cannot start against a venue whose clock is a minute off');
  faults.clockSkewMs = 0;

  const ws = new WebSocket(handle.wsUrl);
  const arrivals: number[] = [];
  ws.on('message', (m) => {
    if (m.toString().includes('"depth"')) arrivals.push(Date.now());
  });
  await new Promise((r) => ws.once('open', r));
  let markers = 0;
  ws.on('message', (m) => {
    if (m.toString().includes('Invalid method')) markers++;
  });
  ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['depth.BTC_USDC_PERP'] }));
  ws.send(JSON.stringify({ method: 'MARKER' })); // answered once the subscribe before it was handled
  await until('subscribed', () => markers === 1);
  faults.frameLatencyMs = 150;
  t0 = Date.now();
  btc.setHouseLiquidity([[999_000, 1]], [[1_001_000, 1]]);
  await until('the depth frame', () => arrivals.length > 0);
  assert.ok(arrivals[0] - t0 >= 140, 'the depth frame arrived late');
  ws.close();
});

test('a leg reports the fee the venue charged (from the order stream), not an estimate', async () => {
  const { handle, btc } = await sim();
  const { venue, account } = await venueOn(handle);
  btc.setHouseLiquidity(
    [[999_995, 100]],
    [
      [1_000_005, 300],
      [1_000_015, 800],
    ],
  );
  await until('book', () => sameBook(venue, btc));
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 500, worstPrice: 1_000_020 });
  const charged = btc.fills(account).reduce((sum, f) => sum + f.fee, 0);
  assert.equal(charged, 75_001 + 50_001, '2.5 bps per fill, rounded up, at 6 decimals');
  assert.equal(leg.fee, charged / 1e6);
  assert.notEqual(leg.fee, (leg.notional / 1e6) * 2.5e-4, 'not the taker-rate estimate');
});

test('limit orders (GTC, IOC, post-only, reduce-only), open orders, cancel, collateral and funding', async () => {
  const { handle, btc } = await sim();
  const { venue, account } = await venueOn(handle);
  btc.setHouseLiquidity([[999_990, 1000]], [[1_000_000, 1000]]);
  const gtc = (await venue.placeLimitOrder({ side: 'buy', price: 999_000, size: 100, timeInForce: 'GTC', clientId: 41 })) as Record<string, unknown>;
  assert.deepEqual([gtc.status, gtc.price, gtc.quantity, gtc.clientId], ['New', '99900.0', '0.00100', 41]);
  const open = (await venue.openOrders()) as Array<Record<string, unknown>>;
  assert.deepEqual(
    open.map((o) => o.clientId),
    [41],
  );
  const postOnly = (await venue.placeLimitOrder({ side: 'buy', price: 1_000_000, size: 100, postOnly: true, clientId: 42 })) as Record<string, unknown>;
  assert.equal(postOnly.status, 'Expired', 'a crossing post-only order expires (PostOnlyTaker)');
  const ioc = (await venue.placeLimitOrder({ side: 'buy', price: 1_000_000, size: 200, timeInForce: 'IOC', clientId: 43 })) as Record<string, unknown>;
  assert.deepEqual([ioc.status, ioc.executedQuantity, ioc.executedQuoteQuantity], ['Filled', '0.00200', '200.000000']);
  const reduce = (await venue.placeLimitOrder({ side: 'sell', price: 999_990, size: 500, timeInForce: 'IOC', reduceOnly: true, clientId: 44 })) as Record<string, unknown>;
  assert.deepEqual([reduce.status, reduce.executedQuantity], ['Filled', '0.00200'], 'clipped to the 0.002 position');
  assert.equal(btc.position(account).size, 0);
  const cancelled = (await venue.cancelOrder({ clientId: 41 })) as Record<string, unknown>;
  assert.equal(cancelled.status, 'Cancelled');
  assert.deepEqual(await venue.openOrders(), []);
  await assert.rejects(venue.cancelOrder({ clientId: 41 }), /RESOURCE_NOT_FOUND/);
  // 1 000 000 collateral − 0.002 lost on the round trip (bought at 100000.0, sold at 99999.0)
  // − 0.05 + 0.05 of fees (2.5 bps of 200.000 and of 199.998, rounded up); flat, nothing locked.
  assert.deepEqual(await venue.fetchCollateral(), { netEquity: '999999.898000', netEquityAvailable: '999999.898000' });
  const funding = await venue.fetchMarkAndFunding();
  assert.deepEqual([funding.markPrice, funding.fundingRate], [999_995, '0.0000125']);
  assert.equal(funding.nextFundingTimestamp % 3_600_000, 0);
});

test('price bands: published in filters.price; a price past the last-active or mark band is refused; a taker reaches at most the impact bound', async () => {
  const { handle, btc } = await sim();
  const { venue } = await venueOn(handle);
  const markets = (await (await fetch(`${handle.apiUrl}/api/v1/markets`)).json()) as Array<{ symbol: string; filters: { price: Record<string, unknown> } }>;
  assert.deepEqual(markets.find((m) => m.symbol === 'BTC_USDC_PERP')!.filters.price, {
    minPrice: '0.1',
    maxPrice: '1000000',
    tickSize: '0.1',
    maxMultiplier: '1.25',
    minMultiplier: '0.75',
    maxImpactMultiplier: '1.03',
    minImpactMultiplier: '0.97',
    meanMarkPriceBand: { maxMultiplier: '1.1', minMultiplier: '0.9' },
    meanPremiumBand: null,
  });
  btc.setHouseLiquidity(
    [
      [999_990, 1000],
      [960_000, 1000],
    ],
    [
      [1_000_000, 400],
      [1_040_000, 1000],
    ],
  );
  await until('book', () => venue.book.bestAsk === 1_000_000 && venue.book.bestBid === 999_990);
  let clientId = 1;
  const order = (side: 'Bid' | 'Ask', price: string | undefined, quantity: string, extra: Record<string, string | boolean> = {}) =>
    venue.rest.signed<Record<string, unknown>>('POST', '/api/v1/order', 'orderExecute', {
      symbol: 'BTC_USDC_PERP',
      side,
      orderType: price === undefined ? 'Market' : 'Limit',
      ...(price === undefined ? {} : { price, timeInForce: 'IOC' }),
      quantity,
      clientId: clientId++,
      ...extra,
    });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: { code?: unknown; message: string }) => `${String(e.code)} ${/"(.*)"/.exec(e.message)?.[1]}`,
    );
  // Mid 999_995: the last-active band (no trade yet: the mid) is 749_996.25 … 1_249_993.75, the mark band 899_995.5 … 1_099_994.5.
  assert.equal(await refusal(order('Bid', '125000.0', '0.00100')), 'INVALID_PRICE Price is too far from the last active price');
  assert.equal(await refusal(order('Ask', '74999.0', '0.00100')), 'INVALID_PRICE Price is too far from the last active price');
  assert.equal(await refusal(order('Bid', '110000.0', '0.00100')), 'INVALID_PRICE Price is too far from the mark price');
  assert.equal(await refusal(order('Ask', '89999.0', '0.00100')), 'INVALID_PRICE Price is too far from the mark price');
  assert.equal(await refusal(order('Bid', '109000.0', '0.00100', { timeInForce: 'GTC' })), 'INVALID_PRICE Price is too far from the best price');
  assert.equal(btc.levels('ask').length, 2, 'nothing traded');

  // Inside the bands but past the impact bound (1_030_000): fills up to it, the rest expires; the reply keeps the price sent.
  const ioc = await order('Bid', '109000.0', '0.01000');
  assert.deepEqual([ioc.status, ioc.executedQuantity, ioc.executedQuoteQuantity, ioc.price], ['Expired', '0.00400', '400.000000', '109000.0']);
  assert.deepEqual(btc.levels('ask'), [[1_040_000, 1000]]);
  // A market sell reaches down to the best bid · 0.97 = 969_990.3 → 969_991 (inward), so not the 960_000 level.
  const market = await order('Ask', undefined, '0.01500');
  assert.deepEqual([market.status, market.executedQuantity], ['Expired', '0.01000']);
  assert.deepEqual(btc.levels('bid'), [[960_000, 1000]]);
});

test('a wide slippage bound is clamped into the bands by the adapter, so it trades instead of being refused', async () => {
  const { handle, btc, faults } = await sim();
  const { venue } = await venueOn(handle);
  btc.setHouseLiquidity(
    [
      [999_990, 1000],
      [990_000, 1000],
    ],
    [
      [1_000_000, 400],
      [1_010_000, 1000],
    ],
  );
  await until('book', () => venue.book.bestAsk === 1_000_000 && venue.book.bestBid === 999_990);
  const buy = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 1_500_000 }); // 50 % above the ask
  assert.deepEqual([buy.state, buy.filled, buy.notional, buy.error], ['filled', 1000, 400 * 1_000_000 + 600 * 1_010_000, undefined]);
  await until('book after the buy', () => venue.book.bestAsk === 1_010_000);
  const sell = await venue.placeMarketOrder({ side: 'sell', size: 1500, worstPrice: 1 });
  assert.deepEqual([sell.state, sell.filled, sell.notional, sell.error], ['filled', 1500, 1000 * 999_990 + 500 * 990_000, undefined]);
  assert.equal(faults.rejectNextOrderWith, undefined);
});

for (const coalesceDepth of [false, true]) {
  test(`depth events that span several updates (U < u${coalesceDepth ? ', a whole turn coalesced' : ''}) keep the adapter's book exact; bookTicker ids are an 18-digit sequence of their own`, async () => {
    const { handle, btc } = await sim({ coalesceDepth });
    const { venue, logger } = await venueOn(handle);
    const ws = new WebSocket(handle.wsUrl);
    closers.push(async () => ws.close());
    await new Promise((r) => ws.once('open', r));
    const frames: Array<{ stream: string; data: { U?: number; u: number | string; a: string[][]; b: string[][] } }> = [];
    ws.on('message', (m) => frames.push(JSON.parse(m.toString())));
    ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['depth.BTC_USDC_PERP', 'bookTicker.BTC_USDC_PERP'] }));
    await new Promise((r) => setTimeout(r, 50));
    const snapshot = (await (await fetch(`${handle.apiUrl}/api/v1/depth?symbol=BTC_USDC_PERP`)).json()) as { lastUpdateId: string };
    // Three mutations in one turn, changing 7, 3 and 2 levels; some levels change twice.
    btc.setHouseLiquidity(
      [
        [999_980, 100],
        [999_970, 200],
      ],
      [
        [1_000_010, 300],
        [1_000_030, 400],
      ],
    );
    btc.setHouseLiquidity(
      [
        [999_985, 100],
        [999_970, 250],
      ],
      [
        [1_000_010, 300],
        [1_000_030, 400],
      ],
    );
    btc.setHouseLiquidity(
      [
        [999_985, 100],
        [999_970, 250],
      ],
      [
        [1_000_005, 50],
        [1_000_030, 400],
      ],
    );
    await until('frames', () => frames.filter((f) => f.stream.startsWith('bookTicker')).length >= (coalesceDepth ? 1 : 3));
    await until("the adapter's book", () => sameBook(venue, btc));
    const depth = frames.filter((f) => f.stream.startsWith('depth.')).map((f) => f.data);
    const ids = depth.map((d) => [d.U, d.u]);
    const first = Number(snapshot.lastUpdateId) + 1;
    // The sim's ladder before: bids 999_990/999_980, asks 1_000_000/1_000_010/1_000_020.
    if (coalesceDepth) {
      assert.deepEqual(ids, [[first, first + 11]]);
      assert.deepEqual(depth[0].b.sort(), [
        ['99997.0', '0.00250'],
        ['99998.0', '0.00000'],
        ['99998.5', '0.00100'],
        ['99999.0', '0.00000'],
      ]);
      assert.deepEqual(depth[0].a.sort(), [
        ['100000.0', '0.00000'],
        ['100000.5', '0.00050'],
        ['100001.0', '0.00000'],
        ['100002.0', '0.00000'],
        ['100003.0', '0.00400'],
      ]);
    } else {
      assert.deepEqual(ids, [
        [first, first + 6],
        [first + 7, first + 9],
        [first + 10, first + 11],
      ]);
    }
    const tickers = frames.filter((f) => f.stream.startsWith('bookTicker')).map((f) => f.data.u);
    assert.ok(
      tickers.every((u) => typeof u === 'string' && /^\d{18}$/.test(u)),
      JSON.stringify(tickers),
    );
    assert.deepEqual(
      tickers.map((u) => BigInt(u) - BigInt(tickers[0])),
      tickers.map((_, i) => BigInt(i)),
      'one id per ticker',
    );
    assert.ok(!depth.some((d) => String(d.u) === tickers[0]));
    assert.equal(venue.status().bookValid, true);
    assert.ok(!logger.lines.some((l) => l.includes('resyncing')), logger.lines.join('\n'));
  });
}

test("margin: MAX_LEVERAGE_REACHED past the leverage limit, INSUFFICIENT_MARGIN past the market's margin; collateral and position from the margin model", async () => {
  const { handle, btc } = await sim({ collateral: '1000' });
  const { venue, account } = await venueOn(handle);
  btc.setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
  // 0.1 BTC = 10 000 USDC: 10× on 1000 less the fee; 0.6 BTC: past even the market's 2 %.
  await assert.rejects(venue.placeLimitOrder({ side: 'buy', price: 1_000_000, size: 10_000, timeInForce: 'IOC' }), /MAX_LEVERAGE_REACHED/);
  await assert.rejects(venue.placeLimitOrder({ side: 'sell', price: 999_990, size: 60_000, timeInForce: 'IOC' }), /INSUFFICIENT_MARGIN/);
  assert.deepEqual(btc.orders(account), [], 'nothing reached the book');
  const filled = (await venue.placeLimitOrder({ side: 'buy', price: 1_000_000, size: 5_000, timeInForce: 'IOC' })) as Record<string, unknown>;
  assert.equal(filled.status, 'Filled');
  // 1000 − 1.25 fee − 0.025 marked at 99999.5; 10 % of 4999.975 held.
  assert.deepEqual(await venue.fetchCollateral(), { netEquity: '998.725000', netEquityAvailable: '498.727500' });
  const [position] = (await venue.rest.signed('GET', '/api/v1/position', 'positionQuery', { symbol: 'BTC_USDC_PERP' })) as Array<Record<string, unknown>>;
  // (0.05 · 99999.5 − 998.725) / (0.05 · 0.99) = 80833.33…; break-even 100000.0 + 1.25 / 0.05.
  assert.deepEqual(
    [position.entryPrice, position.breakEvenPrice, position.estLiquidationPrice, position.imf, position.mmf, position.netExposureQuantity],
    ['100000.0', '100025.0', '80833.3', '0.1000', '0.0100', '0.05000'],
  );
  // Closing needs no margin.
  const closed = (await venue.placeLimitOrder({ side: 'sell', price: 999_990, size: 5_000, timeInForce: 'IOC', reduceOnly: true })) as Record<string, unknown>;
  assert.equal(closed.status, 'Filled');
});

test("streams in the venue's order: orderAccepted New/0, then orderFill per fill with cumulative z, positionOpened/Adjusted/Closed with b,n,l,f,m, trade.* and ticker.*", async () => {
  const { handle, btc } = await sim();
  const key = keys[0];
  const signer = new BackpackSigner(new Secret(key.secret_b64));
  const { venue } = await venueOn(handle);
  btc.setHouseLiquidity(
    [[999_990, 1000]],
    [
      [1_000_000, 100],
      [1_000_010, 1000],
    ],
  );
  const ws = new WebSocket(handle.wsUrl);
  const frames: Array<{ stream: string; data: Record<string, unknown> }> = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString()) as { stream?: string; data?: Record<string, unknown>; id?: unknown };
    if (msg.stream !== undefined) frames.push(msg as { stream: string; data: Record<string, unknown> });
    else markers++;
  });
  let markers = 0;
  await new Promise((r) => ws.once('open', r));
  const ts = Date.now();
  const sig = signer.signText(signingString('subscribe', undefined, ts, 5000));
  ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['account.orderUpdate', 'account.positionUpdate'], signature: [key.public_key_b64, sig, String(ts), '5000'] }));
  ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['trade.BTC_USDC_PERP', 'ticker.BTC_USDC_PERP'] }));
  ws.send(JSON.stringify({ method: 'MARKER' }));
  await until('subscribed', () => markers === 1);
  // A market buy of 0.002 that sweeps two levels: 0.001 at 100000.0 and 0.001 at 100001.0.
  await venue.placeLimitOrder({ side: 'buy', price: 1_000_010, size: 200, timeInForce: 'IOC' });
  await until('the frames', () => frames.some((f) => f.stream === 'account.positionUpdate') && frames.some((f) => f.stream.startsWith('ticker.')));
  const orders = frames.filter((f) => f.stream === 'account.orderUpdate').map((f) => [f.data.e, f.data.X, f.data.z, f.data.l ?? null]);
  assert.deepEqual(orders, [
    ['orderAccepted', 'New', '0.00000', null],
    ['orderFill', 'PartiallyFilled', '0.00100', '0.00100'],
    ['orderFill', 'Filled', '0.00200', '0.00100'],
  ]);
  const trades = frames.filter((f) => f.stream === 'trade.BTC_USDC_PERP').map((f) => [f.data.p, f.data.q, f.data.m, f.data.t]);
  assert.deepEqual(trades, [
    ['100000.0', '0.00100', false, 1],
    ['100001.0', '0.00100', false, 2],
  ]);
  const ticker = frames.find((f) => f.stream === 'ticker.BTC_USDC_PERP')!.data;
  assert.deepEqual([ticker.o, ticker.c, ticker.h, ticker.l, ticker.v, ticker.V, ticker.n], ['100000.0', '100001.0', '100001.0', '100000.0', '0.00200', '200.001000', 2]);
  const opened = frames.find((f) => f.stream === 'account.positionUpdate')!.data;
  // Entry 100000.5; break-even moved by the 0.05 of fees (2.5 bps, each rounded up): 100025.5.
  assert.deepEqual(
    [opened.e, opened.q, opened.Q, opened.B, opened.b, opened.f, opened.m, opened.l],
    ['positionOpened', '0.00200', '0.00200', '100000.5', '100025.5', '0.1000', '0.0100', '0'],
  );
  frames.length = 0;
  await venue.placeLimitOrder({ side: 'sell', price: 999_990, size: 100, timeInForce: 'IOC' });
  await venue.placeLimitOrder({ side: 'sell', price: 999_990, size: 100, timeInForce: 'IOC' });
  await until('two position events', () => frames.filter((f) => f.stream === 'account.positionUpdate').length === 2);
  assert.deepEqual(
    frames.filter((f) => f.stream === 'account.positionUpdate').map((f) => [f.data.e, f.data.q]),
    [
      ['positionAdjusted', '0.00100'],
      ['positionClosed', '0.00000'],
    ],
  );
  ws.close();
});
