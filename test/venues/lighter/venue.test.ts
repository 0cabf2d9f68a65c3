// The Lighter adapter driven against the Lighter simulator, which verifies every transaction's
// signature with our verifier and enforces every nonce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LighterVenue } from '../../../src/venues/lighter/index.js';
import { LighterSigner, derivePublicKey, privateKeyFromSeed } from '../../../src/venues/lighter/signer/index.js';
import { silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';
import { pinnedWallClock } from '../../helpers/pinned-clock.js';
import { ACCOUNT, API_KEY, CHAIN, KEY, closers, sameBook, setup, started } from './harness.js';

test('the market comes from orderBookDetails and the book from the snapshot and the nonce chain', async () => {
  const { venue, engine, spec } = await started();
  assert.deepEqual(spec, { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 20, takerFeeBps: 0, makerFeeBps: 0 });
  assert.ok(sameBook(venue, engine));
  engine.setHouseLiquidity(
    [[999_995, 100]],
    [
      [1_000_005, 300],
      [1_000_015, 800],
    ],
  );
  await until('deltas applied', () => sameBook(venue, engine));
});

test('a begin_nonce gap invalidates the book and a resubscribe rebuilds it; so does a dropped connection', async () => {
  const { venue, engine, faults, logger } = await started();
  faults.skipSequence = 2;
  engine.setHouseLiquidity([[999_000, 10]], [[1_001_000, 10]]);
  await until('gap seen', () => logger.lines.some((l) => l.includes('begin_nonce does not continue')));
  await until('resubscribed', () => venue.status().bookValid && sameBook(venue, engine));
  await new Promise((r) => setTimeout(r, 100));
  // The "unsubscribed" answer is not a book frame: one gap, one resubscribe, no loop.
  assert.equal(logger.lines.filter((l) => l.includes('resubscribing')).length, 1);
  faults.dropConnections = true;
  await until('dropped', () => !venue.status().bookValid);
  engine.setHouseLiquidity([[999_100, 20]], [[1_001_100, 20]]);
  await until('rebuilt', () => venue.status().bookValid && sameBook(venue, engine));
});

test('a market order is confirmed by the account stream with the exact average price', async () => {
  const { venue, engine, sim } = await started();
  engine.setHouseLiquidity(
    [[999_995, 100]],
    [
      [1_000_005, 300],
      [1_000_015, 800],
    ],
  );
  await until('book', () => sameBook(venue, engine));
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 500, worstPrice: 1_000_020 });
  assert.equal(leg.state, 'filled');
  assert.equal(leg.filled, 500);
  assert.equal(leg.notional, 300 * 1_000_005 + 200 * 1_000_015);
  assert.ok(leg.confirmedAt! >= leg.sentAt);
  assert.equal(engine.position(String(ACCOUNT)).size, 500);
  assert.equal(await venue.fetchPosition(), 500);
  await until('position stream', () => venue.streamedPosition === 500);
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0],
  );
});

test('two concurrent orders carry distinct consecutive nonces', async () => {
  const { venue, sim } = await started();
  const [a, b] = await Promise.all([
    venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 }),
    venue.placeMarketOrder({ side: 'sell', size: 100, worstPrice: 999_900 }),
  ]);
  assert.deepEqual([a.state, b.state], ['filled', 'filled'], `${a.error?.message} | ${b.error?.message}`);
  assert.notEqual(a.clientOrderId, b.clientOrderId);
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0, 1],
  );
});

test('a transaction signed ahead goes out when that very order is placed while its nonce is next; a nonce taken meanwhile makes the other one signed anew', async () => {
  const t0 = Date.now();
  const { venue, sim } = await started({ now: () => t0 });
  // With the clock held still, client order indexes are consecutive: each nonce's ticket takes one,
  // shared by both sides signed ahead for that nonce (only one of them can ever be sent).
  const buy = { side: 'buy', size: 100, worstPrice: 1_000_100 } as const;
  const sell = { side: 'sell', size: 100, worstPrice: 999_900 } as const;
  // Count the signatures the adapter makes.
  const signer = (venue as unknown as { signer: LighterSigner }).signer;
  const sign = signer.signCreateOrder.bind(signer);
  let signatures = 0;
  signer.signCreateOrder = (p) => (signatures++, sign(p));
  venue.prepareMarketOrder(buy);
  venue.prepareMarketOrder(sell);
  venue.prepareMarketOrder(buy); // same order, same nonce, fresh: kept
  assert.equal(signatures, 2);
  const txsBefore = sim.acceptedTxs.length;
  const a = await venue.placeMarketOrder(buy);
  assert.equal(signatures, 2, 'the buy went out as signed ahead');
  const b = await venue.placeMarketOrder(sell);
  assert.equal(signatures, 3, 'the sell signed ahead was for the nonce the buy took: signed anew');
  const c = await venue.placeMarketOrder({ ...buy, worstPrice: 1_000_200 });
  assert.equal(signatures, 4);
  assert.deepEqual([a.state, b.state, c.state], ['filled', 'filled', 'filled']);
  const first = Number(a.clientOrderId);
  assert.deepEqual(
    [Number(b.clientOrderId) - first, Number(c.clientOrderId) - first],
    [1, 2],
    'the buy signed ahead went out for nonce 0; the sell signed ahead for nonce 0 was dropped and signed anew for nonce 1; then a fresh buy',
  );
  assert.deepEqual(
    sim.acceptedTxs.slice(txsBefore).map((t) => t.nonce),
    [0, 1, 2],
    'every nonce accepted in order, none skipped',
  );
});

test("both orders held for a side (the book's and the threshold's) are for the next nonce: the one placed goes out without a new signature, and a nonce taken or doubted voids every one held", async () => {
  const t0 = Date.now();
  const { venue, sim } = await started({ now: () => t0 });
  const signer = (venue as unknown as { signer: LighterSigner }).signer;
  const sign = signer.signCreateOrder.bind(signer);
  const prices: number[] = [];
  signer.signCreateOrder = (p) => (prices.push(p.price), sign(p));
  const book = { side: 'sell', size: 100, worstPrice: 999_900 } as const;
  const threshold = { side: 'sell', size: 100, worstPrice: 999_700 } as const;
  venue.prepareMarketOrder(book, 'book');
  venue.prepareMarketOrder(threshold, 'threshold');
  venue.prepareMarketOrder(book, 'book'); // kept: the same order for the same nonce
  venue.prepareMarketOrder(threshold, 'threshold'); // kept as well
  assert.deepEqual(prices, [999_900, 999_700]);
  assert.deepEqual(venue.heldBounds('sell', 100), [999_900, 999_700]);
  assert.deepEqual(venue.heldBounds('buy', 100), []);
  const txsBefore = sim.acceptedTxs.length;
  const leg = await venue.placeMarketOrder(threshold);
  assert.equal(leg.state, 'filled', leg.error?.message);
  assert.deepEqual(prices, [999_900, 999_700], 'the threshold order went out as signed ahead');
  // Held for the buy side now, for the next nonce; a sell placed meanwhile takes that nonce.
  venue.prepareMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 }, 'book');
  venue.prepareMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_300 }, 'threshold');
  assert.deepEqual(venue.heldBounds('buy', 100), [1_000_100, 1_000_300]);
  const other = await venue.placeMarketOrder(book);
  assert.equal(other.state, 'filled', other.error?.message);
  assert.deepEqual(venue.heldBounds('buy', 100), [], 'signed for the nonce the sell took: void');
  assert.deepEqual(prices, [999_900, 999_700, 1_000_100, 1_000_300, 999_900], 'the sell was signed anew, for its own nonce');
  assert.deepEqual(
    sim.acceptedTxs.slice(txsBefore).map((t) => t.nonce),
    [0, 1],
  );
  // A doubt on the nonce voids both kinds at once; the read that follows does not bring them back.
  venue.prepareMarketOrder(book, 'book');
  venue.prepareMarketOrder(threshold, 'threshold');
  assert.deepEqual(venue.heldBounds('sell', 100), [999_900, 999_700]);
  venue.nonces.suspect();
  assert.deepEqual(venue.heldBounds('sell', 100), []);
  await venue.nonces.ensure();
  assert.equal(venue.nonces.value, 2);
  assert.deepEqual(venue.heldBounds('sell', 100), [], 'dropped, not merely waiting for the nonce');
});

test('an order signed ahead is on the socket, as the whole sendtx frame signed ahead, when placeMarketOrder returns; one signed now is too', async () => {
  const { venue, sim } = await started();
  const session = (venue as unknown as { parts: { session: { send(frame: string | Buffer): boolean } } }).parts.session;
  const send = session.send.bind(session);
  const written: string[] = [];
  session.send = (frame) => (written.push(frame.toString()), send(frame));
  const signer = (venue as unknown as { signer: LighterSigner }).signer;
  const sign = signer.signCreateOrder.bind(signer);
  const txInfos: string[] = [];
  signer.signCreateOrder = (p) => {
    const tx = sign(p);
    txInfos.push(tx.txInfo);
    return tx;
  };
  const sell = { side: 'sell', size: 100, worstPrice: 999_900 } as const;
  venue.prepareMarketOrder(sell);
  assert.equal(txInfos.length, 1);
  const placed = venue.placeMarketOrder(sell);
  assert.equal(written.length, 1, 'written before placeMarketOrder returned');
  const leg = await placed;
  assert.equal(leg.state, 'filled', leg.error?.message);
  assert.equal(txInfos.length, 1, 'sent as signed ahead');
  assert.equal(written[0], `{"type":"jsonapi/sendtx","data":{"id":"${leg.clientOrderId}","tx_type":14,"tx_info":${txInfos[0]}}}`);
  const buy = venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.equal(written.length, 2, 'signed now and written before placeMarketOrder returned');
  const bought = await buy;
  assert.equal(bought.state, 'filled', bought.error?.message);
  assert.equal(written[1], `{"type":"jsonapi/sendtx","data":{"id":"${bought.clientOrderId}","tx_type":14,"tx_info":${txInfos[1]}}}`);
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0, 1],
  );
});

test('writeOrder writes a transaction signed ahead and takes its nonce before it returns; followOrder ends it as placeMarketOrder does; an order not signed ahead goes the usual way within writeOrder', async () => {
  const { venue, sim } = await started();
  const session = (venue as unknown as { parts: { session: { send(frame: string | Buffer): boolean } } }).parts.session;
  const send = session.send.bind(session);
  const written: string[] = [];
  session.send = (frame) => (written.push(frame.toString()), send(frame));
  const sell = { side: 'sell', size: 100, worstPrice: 999_900 } as const;
  venue.prepareMarketOrder(sell);
  const nonce = venue.nonces.value;
  const first = venue.writeOrder!(sell);
  assert.deepEqual([written.length, venue.nonces.value], [1, nonce + 1], 'the frame is on the socket and its nonce taken');
  const buy = { side: 'buy', size: 100, worstPrice: 1_000_100 } as const;
  const second = venue.writeOrder!(buy);
  assert.equal(written.length, 2, 'signed now and written within writeOrder');
  const [sold, bought] = await Promise.all([venue.followOrder!(first), venue.followOrder!(second)]);
  assert.deepEqual([sold.state, bought.state], ['filled', 'filled'], sold.error?.message ?? bought.error?.message);
  assert.ok(written[0].includes(`"id":"${sold.clientOrderId}"`) && written[1].includes(`"id":"${bought.clientOrderId}"`));
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [nonce, nonce + 1],
  );
});

test('writeOrder with a limit sends the held order chooseHeld chooses (the threshold order inside the limit when the fresh bound is not held), as signed ahead, and says which', async () => {
  const { venue, sim } = await started();
  const session = (venue as unknown as { parts: { session: { send(frame: string | Buffer): boolean } } }).parts.session;
  const send = session.send.bind(session);
  const written: string[] = [];
  session.send = (frame) => (written.push(frame.toString()), send(frame));
  const signer = (venue as unknown as { signer: LighterSigner }).signer;
  const sign = signer.signCreateOrder.bind(signer);
  const prices: number[] = [];
  signer.signCreateOrder = (p) => (prices.push(p.price), sign(p));
  venue.prepareMarketOrder({ side: 'sell', size: 100, worstPrice: 999_900 }, 'book');
  venue.prepareMarketOrder({ side: 'sell', size: 100, worstPrice: 999_700 }, 'threshold');
  // The sell's book moved: its fresh bound 999_800 is not held; 999_700 lies between it and the limit 999_600, 999_900 does not.
  const w = venue.writeOrder!({ side: 'sell', size: 100, worstPrice: 999_800 }, undefined, 999_600);
  assert.equal(w.request.worstPrice, 999_700, 'the threshold order');
  assert.equal(written.length, 1);
  assert.deepEqual(prices, [999_900, 999_700], 'nothing signed on the turn');
  const leg = await venue.followOrder!(w);
  assert.equal(leg.state, 'filled', leg.error?.message);
  assert.deepEqual(venue.heldBounds('sell', 100), [], 'the nonce they were signed for is used');
  // Nothing inside the limit: the fresh bound, signed now.
  venue.prepareMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_300 }, 'threshold');
  const fresh = venue.writeOrder!({ side: 'buy', size: 100, worstPrice: 1_000_100 }, undefined, 1_000_200);
  assert.equal(fresh.request.worstPrice, 1_000_100);
  assert.equal((await venue.followOrder!(fresh)).state, 'filled');
  assert.deepEqual(prices, [999_900, 999_700, 1_000_300, 1_000_100]);
  assert.equal(sim.acceptedTxs.length, 2);
});

test("an order signed ahead late in its ticket's life still goes out under the client order index it was signed with", async () => {
  const { venue } = await started({ venue: { preparedOrderMaxAgeMs: 100 } });
  venue.prepareMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 }); // issues the ticket for nonce 0
  await new Promise((r) => setTimeout(r, 70));
  const sell = { side: 'sell', size: 100, worstPrice: 999_900 } as const;
  venue.prepareMarketOrder(sell); // same ticket, 70 ms old
  await new Promise((r) => setTimeout(r, 45)); // the ticket is now past 100 ms, the sell only 45 ms old
  const leg = await venue.placeMarketOrder(sell);
  assert.equal(leg.state, 'filled', `confirmed by the order stream under its own client order index (${leg.error?.message})`);
  assert.equal(leg.error, undefined);
});

test('an invalid nonce (21104) is recovered by one refresh and one re-sign', async () => {
  const { venue, sim, handle } = await started();
  // Another client of the same API key uses nonce 0 behind the adapter's back.
  const other = new LighterSigner({ privateKey: KEY.private_key, chainId: CHAIN, accountIndex: ACCOUNT, apiKeyIndex: API_KEY });
  const tx = other.signCancelAllOrders({ timeInForce: 0, time: 0, nonce: 0 });
  const res = await fetch(`${handle.apiUrl}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: String(tx.txType), tx_info: tx.txInfo }) });
  assert.equal(res.status, 200);
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.equal(leg.state, 'filled');
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0, 1],
  );
});

test('a partial fill is reported as partial; 21733 as a typed rejection', async () => {
  const { venue, faults } = await started();
  faults.partialFillNext = 0.5;
  const partial = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 1_000_100 });
  assert.deepEqual([partial.state, partial.filled, partial.notional], ['partial', 500, 500 * 1_000_000]);
  faults.rejectNextOrderWith = 21733;
  const rejected = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.deepEqual([rejected.state, rejected.error?.kind, rejected.error?.code], ['rejected', 'rejected', 21733]);
  assert.match(rejected.error!.message, /accidental price/);
  // The refused transaction did not use its nonce: the next order goes through.
  const next = await venue.placeMarketOrder({ side: 'sell', size: 100, worstPrice: 999_900 });
  assert.equal(next.state, 'filled');
});

test('an order the streams never confirm is resolved from the inactive orders by client order index', async () => {
  const { venue, faults, engine } = await started();
  faults.silentUntil = Date.now() + 600;
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 200, worstPrice: 1_000_100 });
  assert.deepEqual([leg.state, leg.filled, leg.notional], ['filled', 200, 200 * 1_000_000]);
  assert.equal(engine.position(String(ACCOUNT)).size, 200);
});

test('the auth token is renewed before it expires and the renewed one is accepted', async () => {
  let clock = Date.now();
  const { venue } = await started({ now: () => clock, venue: { authTokenTtlSec: 60 } });
  const first = venue.authToken();
  clock += 45_000;
  assert.equal(venue.authToken(), first, 'still well inside its lifetime');
  clock += 8_000; // 7 s left, under a sixth of 60 s
  const renewed = venue.authToken();
  assert.notEqual(renewed, first);
  clock += 20_000; // the first token has expired; lookups still work with the renewed one
  const unknownLeg = {
    venue: 'lighter' as const,
    state: 'unknown' as const,
    side: 'buy' as const,
    requested: 100,
    filled: 0,
    notional: 0,
    fee: 0,
    clientOrderId: '123',
    sentAt: 0,
  };
  const looked = await venue.resolveOrder(unknownLeg);
  assert.equal(looked.state, 'unknown');
  assert.equal(looked.error?.kind, 'timeout', `lookup answered, not refused: ${looked.error?.message}`);
});

test('start-up refuses a key that is not the registered one, naming the fix', async () => {
  const otherKey = derivePublicKey(privateKeyFromSeed(Buffer.from('someone else')));
  const { venue } = await setup({ registeredKey: otherKey });
  await assert.rejects(venue.start(), (e: Error) => /registered with another public key than API_KEY_PRIVATE_KEY gives — paste the private key of that API key/.test(e.message));
});

test('without credentials the venue serves market data and refuses orders with a clear reason', async () => {
  const { handle, engine } = await setup();
  const venue = new LighterVenue({ ticker: 'BTC', apiUrl: handle.apiUrl, wsUrl: handle.wsUrl, chainId: CHAIN, logger: silentLogger });
  closers.push(() => venue.stop());
  await venue.start();
  await until('book', () => venue.status().bookValid && sameBook(venue, engine));
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.deepEqual([leg.state, leg.error?.kind], ['rejected', 'auth']);
});

test('an unknown ticker is refused with the listed markets', async () => {
  const { handle } = await setup();
  const venue = new LighterVenue({ ticker: 'DOGE', apiUrl: handle.apiUrl, wsUrl: handle.wsUrl, chainId: CHAIN, logger: silentLogger });
  await assert.rejects(venue.start(), /Lighter has no perp market DOGE; check --ticker \(listed: BTC\)/);
});

test('with the socket down the order goes by REST, and its outcome comes from the order history', async () => {
  const { venue, sim, engine } = await started();
  await (venue as unknown as { stream: { stop(): Promise<void> } }).stream.stop();
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 300, worstPrice: 1_000_100 });
  assert.deepEqual([leg.state, leg.filled, leg.notional], ['filled', 300, 300 * 1_000_000]);
  assert.equal(sim.acceptedTxs.length, 1);
  assert.equal(engine.position(String(ACCOUNT)).size, 300);
});

test('a 503 makes the venue unavailable; its next book frame makes it available again', async () => {
  const { venue, faults, engine } = await started();
  faults.rejectionShape = 'sendtx_code'; // an answer that names the order (the others: execution.test.ts)
  faults.unavailableUntil = Date.now() + 60_000;
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.deepEqual([leg.state, leg.error?.kind], ['rejected', 'unavailable']);
  assert.equal(venue.status().available, false);
  assert.equal(venue.readiness().state, 'down');
  assert.equal(venue.readyForOrder(), false);
  faults.unavailableUntil = 0;
  engine.setHouseLiquidity([[999_991, 10]], [[1_000_009, 10]]);
  await until('available again', () => venue.status().available);
});

test("the shared request budget: start-up calls count too; beyond the entries' share an entry is refused before it leaves, and readiness says until when", async () => {
  let clock = Date.now();
  // 10 a minute: one place held back for repairs, so entries and ordinary calls share 9.
  // The clock's monotonic line runs a day behind its wall line, so a time said on the wrong line shows.
  const { venue, sim } = await started({ now: () => clock, venue: { txPerMinute: 10, clock: pinnedWallClock(() => clock, -86_400_000) } });
  const startedAt = clock - 86_400_000;
  assert.equal(venue.budget.used(), 5, 'orderBookDetails, the status (GET /), apikeys, accountLimits and nextNonce took their places');
  assert.deepEqual(venue.readiness(), { state: 'ready' });
  for (let i = 0; i < 4; i++)
    assert.equal((await venue.placeMarketOrder({ side: i % 2 === 0 ? 'buy' : 'sell', size: 100, worstPrice: i % 2 === 0 ? 1_000_100 : 999_900 })).state, 'filled');
  assert.equal(venue.readyForOrder(), false);
  // The first place frees up a minute after start-up took it; the port says when on the engine's monotonic line.
  const r = venue.readiness();
  assert.equal(r.state, 'budget_empty');
  assert.equal(r.state === 'budget_empty' ? r.until : NaN, startedAt + 60_000);
  const refused = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.deepEqual([refused.state, refused.error?.kind, refused.error?.retryAfterMs], ['rejected', 'rate_limited', 60_000]);
  assert.match(refused.error!.message, /shared budget of 10 requests \(6 transactions\) per minute \(--lighter-requests-per-minute\) is spent for another 60000 ms/);
  assert.equal(sim.acceptedTxs.length, 4, 'nothing was sent');
  // A repair takes the place held back for it, at once.
  const repair = await venue.placeMarketOrder({ side: 'sell', size: 100, worstPrice: 999_900, purpose: 'repair' });
  assert.equal(repair.state, 'filled');
  assert.equal(sim.acceptedTxs.length, 5);
  clock += 60_000; // the window has rolled past every place
  assert.equal(venue.readyForOrder(), true);
});

test('trades and transaction status by REST; a batch goes out as one form post with the tx_info texts verbatim', async () => {
  const { venue, sim } = await started();
  await venue.placeMarketOrder({ side: 'buy', size: 300, worstPrice: 1_000_100 });
  const trades = await venue.fetchTrades();
  assert.deepEqual(
    trades.map((t) => [t.size, t.price, t.bid_account_id]),
    [['0.00300', '100000.0', ACCOUNT]],
  );
  const status = await venue.txStatus(sim.acceptedTxs[0].txHash);
  assert.equal(status.hash, sim.acceptedTxs[0].txHash);
  // Two cancels-all in one batch, consecutive nonces, through the adapter's REST client.
  const signer = new LighterSigner({ privateKey: KEY.private_key, chainId: CHAIN, accountIndex: ACCOUNT, apiKeyIndex: API_KEY });
  const a = signer.signCancelAllOrders({ timeInForce: 0, time: 0, nonce: 1 });
  const b = signer.signCancelAllOrders({ timeInForce: 0, time: 0, nonce: 2 });
  const reply = await venue.rest.sendTxBatch([a, b]);
  assert.deepEqual(reply.tx_hash, [a.txHash, b.txHash]);
  assert.deepEqual(
    sim.acceptedTxs.map((t) => t.nonce),
    [0, 1, 2],
  );
});
