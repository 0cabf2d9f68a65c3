// Several markets on one Backpack session, against the simulator: one WebSocket for every market's
// streams, a market that joins once the socket is open still loads its book, client ids unique
// across markets, and the connection kept until the last market stops.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/log.js';
import { startSimVenues } from '../../../src/sim/index.js';
import { BackpackSession, BackpackVenue, type BackpackVenueOptions } from '../../../src/venues/backpack/index.js';
import { until } from '../../helpers/until.js';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

test('a second market joining the open socket loads its book; both trade on one connection with distinct client ids; the last stop closes it', async () => {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, scripted: true, pingIntervalMs: 2000 });
  closers.push(() => sim.stop());
  sim.marketEngines.BTC.backpack.setHouseLiquidity([[999_990, 100_000]], [[1_000_000, 100_000]]);
  sim.marketEngines.ETH.backpack.setHouseLiquidity([[349_990, 100_000]], [[350_000, 100_000]]);
  const base: BackpackVenueOptions = {
    ticker: 'BTC',
    apiUrl: sim.backpack.apiUrl,
    wsUrl: sim.backpack.wsUrl,
    publicKey: sim.credentials.backpackPublicKey,
    secretKey: sim.credentials.backpackSecretKey,
    logger: silentLogger,
    firstClientId: 7,
  };
  const session = new BackpackSession(base);
  const btc = new BackpackVenue(base, session);
  const eth = new BackpackVenue({ ...base, ticker: 'ETH' }, session);
  closers.push(
    () => btc.stop(),
    () => eth.stop(),
  );
  await btc.start();
  await until('BTC book valid', () => btc.status().bookValid);
  // The socket is open before ETH has loaded its market: ETH asks for its snapshot itself.
  await eth.start();
  await until('ETH book valid', () => eth.status().bookValid);
  assert.equal(sim.backpack.connections(), 1);
  assert.deepEqual([btc.book.bestBid, btc.book.bestAsk, eth.book.bestBid, eth.book.bestAsk], [999_990, 1_000_000, 349_990, 350_000]);
  const legs = await Promise.all([
    btc.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 1_000_100 }),
    eth.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 350_100 }),
    btc.placeMarketOrder({ side: 'sell', size: 1000, worstPrice: 999_900 }),
    eth.placeMarketOrder({ side: 'sell', size: 100, worstPrice: 349_900 }),
  ]);
  assert.deepEqual(
    legs.map((l) => [l.state, l.clientOrderId]),
    [
      ['filled', '7'],
      ['filled', '8'],
      ['filled', '9'],
      ['filled', '10'],
    ],
  );
  // Stopped twice (the engine's start-up and its stop may both stop a venue): BTC still holds the connection.
  await eth.stop();
  await eth.stop();
  assert.equal(sim.backpack.connections(), 1, 'BTC still holds the connection');
  assert.equal((await btc.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 1_000_100 })).state, 'filled');
  await btc.stop();
  await until('the socket closed', () => sim.backpack.connections() === 0);
});
