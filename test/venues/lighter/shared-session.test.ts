// Several markets on one Lighter session, against the simulator: one WebSocket, one nonce lane (no
// collision however the markets' orders interleave), one request budget in which an entry in one
// market never takes the place a repair in another needs, and a connection that stays up until the
// last market stops.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { until } from '../../helpers/until.js';
import { pinnedWallClock } from '../../helpers/pinned-clock.js';
import { MemoryLogger, silentLogger } from '../../../src/core/log.js';
import { Secret } from '../../../src/core/secret.js';
import { LighterSim } from '../../../src/sim/lighter/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs } from '../../../src/sim/markets.js';
import type { SimFaults } from '../../../src/sim/types.js';
import { LighterSession, LighterVenue, type LighterVenueOptions } from '../../../src/venues/lighter/index.js';
import { VenueError, type MarketOrderRequest } from '../../../src/venues/venue.js';
import { setup } from './harness.js';

const KEY = (JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', 'keys.json'), 'utf8')).keys as Array<{ private_key: string; public_key: string }>)[0];
const ACCOUNT = 7;
const API_KEY = 3;

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

const BTC_BUY: MarketOrderRequest = { side: 'buy', size: 100, worstPrice: 1_000_100 };
const BTC_SELL: MarketOrderRequest = { side: 'sell', size: 100, worstPrice: 999_900 };
const ETH_BUY: MarketOrderRequest = { side: 'buy', size: 100, worstPrice: 350_100 };
const ETH_SELL: MarketOrderRequest = { side: 'sell', size: 100, worstPrice: 349_900 };

async function twoMarkets(txPerMinute: number, now: () => number) {
  const btc = createMatchingEngine(simMarketSpecs('BTC').lighter, { now });
  const eth = createMatchingEngine(simMarketSpecs('ETH').lighter, { now });
  btc.setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
  eth.setHouseLiquidity([[349_990, 100_000]], [[350_000, 100_000]]);
  const faults: SimFaults = {};
  const sim = new LighterSim({
    engines: [btc, eth],
    faults,
    logger: silentLogger,
    chainId: 304,
    now,
    pingIntervalMs: 2000,
    accounts: [{ accountIndex: ACCOUNT, apiKeys: [{ apiKeyIndex: API_KEY, publicKeyHex: KEY.public_key }] }],
  });
  const handle = await sim.listen();
  closers.push(() => handle.close());
  const logger = new MemoryLogger();
  const base: LighterVenueOptions = {
    ticker: 'BTC',
    apiUrl: handle.apiUrl,
    wsUrl: handle.wsUrl,
    chainId: 304,
    privateKey: new Secret(KEY.private_key),
    accountIndex: ACCOUNT,
    apiKeyIndex: API_KEY,
    logger,
    txPerMinute,
    orderTimeoutMs: 2000,
    clock: pinnedWallClock(now),
  };
  const session = new LighterSession(base);
  const venues = { btc: new LighterVenue(base, session), eth: new LighterVenue({ ...base, ticker: 'ETH' }, session) };
  closers.push(
    () => venues.btc.stop(),
    () => venues.eth.stop(),
  );
  await Promise.all([venues.btc.start(), venues.eth.start()]);
  await until('both books valid', () => venues.btc.status().bookValid && venues.eth.status().bookValid);
  return { sim, handle, venues, session, logger, faults };
}

test('two markets on one session: one WebSocket, each market its own book, interleaved orders on one nonce lane without a collision', async () => {
  const { sim, handle, venues, logger } = await twoMarkets(1000, () => Date.now());
  assert.equal(handle.connections(), 1);
  assert.deepEqual([venues.btc.market.marketId, venues.eth.market.marketId], [1, 0]);
  assert.deepEqual([venues.btc.book.bestBid, venues.btc.book.bestAsk, venues.eth.book.bestBid, venues.eth.book.bestAsk], [999_990, 1_000_000, 349_990, 350_000]);
  // Both markets send in the same turn, four times over: every order fills, each with a nonce of its own.
  const legs = await Promise.all(
    [0, 1, 2, 3].flatMap((i) => [venues.btc.placeMarketOrder(i % 2 === 0 ? BTC_BUY : BTC_SELL), venues.eth.placeMarketOrder(i % 2 === 0 ? ETH_BUY : ETH_SELL)]),
  );
  assert.deepEqual(
    legs.map((l) => l.state),
    Array<string>(8).fill('filled'),
  );
  assert.equal(new Set(legs.map((l) => l.clientOrderId)).size, 8, 'client order indices unique across the markets');
  const nonces = sim.acceptedTxs.map((t) => t.nonce).sort((a, b) => a - b);
  assert.deepEqual(nonces, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(
    logger.lines.filter((l) => l.includes('21104')),
    [],
    'no invalid nonce',
  );
  // Each market's fills are its own: 0 net after buy, sell, buy, sell.
  assert.deepEqual([await venues.btc.fetchPosition(), await venues.eth.fetchPosition()], [0, 0]);
});

test('an answer rejecting an ETH order reaches the ETH market: by our id, or without it as the oldest order waiting', async () => {
  const { venues, faults } = await twoMarkets(1000, () => Date.now());
  faults.rejectNextOrderWith = 21733;
  const named = await venues.eth.placeMarketOrder(ETH_BUY);
  assert.deepEqual([named.state, named.error?.code], ['rejected', 21733]);
  faults.rejectionShape = 'bare_error';
  faults.rejectNextOrderWith = 21733;
  // ETH's leaves first, then BTC's, in the same turn: the bare rejection is ETH's; BTC's is re-signed and fills.
  const [eth, btc] = await Promise.all([venues.eth.placeMarketOrder(ETH_SELL), venues.btc.placeMarketOrder(BTC_BUY)]);
  assert.deepEqual([eth.state, eth.error?.code], ['rejected', 21733]);
  assert.equal(btc.state, 'filled', btc.error?.message);
});

test('one request budget: once ETH entries have spent it, a BTC repair still leaves in the same turn, and no entry in either market passes it', async () => {
  let clock = Date.now();
  // 12 a minute: 2 places held for repairs, whichever market needs them.
  const { venues, session, sim } = await twoMarkets(12, () => clock);
  while (venues.eth.readyForOrder()) await venues.eth.placeMarketOrder(session.budget.used() % 2 === 0 ? ETH_BUY : ETH_SELL);
  assert.equal(venues.eth.readiness().state, 'budget_empty');
  assert.equal(venues.btc.readiness().state, 'budget_empty', 'BTC shares the budget ETH spent');
  assert.equal((await venues.btc.placeMarketOrder(BTC_BUY)).state, 'rejected', 'a BTC entry does not take a repair place');
  const before = session.budget.used();
  const accepted = sim.acceptedTxs.length;
  const repair = venues.btc.placeMarketOrder({ ...BTC_SELL, purpose: 'repair' });
  assert.equal(session.budget.used(), before + 1, 'the repair took its place in the same turn: it did not wait behind ETH');
  assert.equal((await repair).state, 'filled');
  assert.equal(sim.acceptedTxs.length, accepted + 1);
  clock += 1; // nothing else moved
  assert.equal((await venues.eth.placeMarketOrder(ETH_BUY)).state, 'rejected', 'nor does an ETH entry');
});

test('the connection stays up while any market holds it, and closes with the last', async () => {
  const { handle, venues } = await twoMarkets(1000, () => Date.now());
  await venues.eth.stop();
  await venues.eth.stop();
  assert.equal(handle.connections(), 1);
  assert.equal((await venues.btc.placeMarketOrder(BTC_BUY)).state, 'filled', 'BTC still trades on the connection');
  await venues.btc.stop();
  await until('the socket closed', () => handle.connections() === 0);
});

test('an account check that failed (the venue down at start-up) is made afresh by the next start-up attempt, not remembered', async () => {
  const { venue } = await setup();
  const get = venue.rest.get.bind(venue.rest);
  let refused = 0;
  venue.rest.get = ((path: string, ...rest: Parameters<typeof get> extends [string, ...infer R] ? R : never) => {
    if (path === 'apikeys' && refused++ === 0) return Promise.reject(new VenueError('lighter', 'unavailable', 'Lighter 503 (test)'));
    return get(path, ...rest);
  }) as typeof venue.rest.get;
  await assert.rejects(venue.start(), /Lighter 503 \(test\)/);
  const spec = await venue.start();
  assert.equal(spec.symbol, 'BTC');
  assert.equal(refused, 2, 'the key was asked again');
});
