// Backpack REST replies that do not match the protocol (null, an array, fields of the wrong type):
// each gives one error line naming the endpoint, and nothing is lost — start-up stops before the
// feeds open, a read fails with that line, and an order whose reply cannot be read stays unknown
// until a look-up settles it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { example, key, seq } from './fixtures.js';
import { ScriptedBackpack } from './scripted-server.js';
import { BackpackVenue } from '../../../src/venues/backpack/index.js';
import { VenueError } from '../../../src/venues/venue.js';
import { Secret } from '../../../src/core/secret.js';
import { MemoryLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';

const server = new ScriptedBackpack(key.public_key_b64);
let urls: { apiUrl: string; wsUrl: string };

before(async () => {
  urls = await server.listen();
});
after(() => server.close());

function defaults(): void {
  server.routes.set('GET /api/v1/markets', () => ({ body: example('markets') }));
  server.routes.set('GET /api/v1/account', () => ({ body: example('account') }));
  server.routes.set('GET /api/v1/depth', () => ({ body: seq.snapshot_2 }));
}

const newVenue = (logger: MemoryLogger) =>
  new BackpackVenue({ ticker: 'BTC', ...urls, publicKey: key.public_key_b64, secretKey: new Secret(key.secret_b64), logger, orderTimeoutMs: 2000, firstClientId: 900 });

/** The same rule for every refused reply: a protocol VenueError whose one line names the request. */
function refusedLine(endpoint: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof VenueError, `a VenueError, not ${String(e)}`);
    assert.equal(e.kind, 'protocol');
    assert.ok(!e.message.includes('\n'), 'one line');
    assert.ok(e.message.startsWith(`Backpack ${endpoint} reply refused: `), e.message);
    assert.ok(e.message.endsWith('(the reply did not match the Backpack protocol)'), e.message);
    return true;
  };
}

const MALFORMED = [null, [], 42, 'ok', { netEquity: 1, netEquityAvailable: ['2'], netQuantity: 3, symbol: 4 }];

test('start-up: a markets or account reply that is not the protocol stops start-up with one line naming the endpoint, before any feed opens', async () => {
  for (const [route, bodies] of [
    ['GET /api/v1/markets', [null, {}, 42]],
    ['GET /api/v1/account', [null, [], 'x']],
  ] as const) {
    for (const body of bodies) {
      defaults();
      server.routes.set(route, () => ({ body }));
      const subscribes = server.subscribes.length;
      const venue = newVenue(new MemoryLogger());
      try {
        await assert.rejects(venue.start(), refusedLine(route));
        assert.equal(server.subscribes.length, subscribes, 'no stream was opened');
      } finally {
        await venue.stop();
      }
    }
  }
  // Our market's entry with its grid missing: refused by name, not read as zeros.
  defaults();
  const markets = example('markets') as Array<{ symbol: string; filters: unknown }>;
  markets.find((m) => m.symbol === 'BTC_USDC_PERP')!.filters = { price: { tickSize: 0.1 } };
  server.routes.set('GET /api/v1/markets', () => ({ body: markets }));
  const venue = newVenue(new MemoryLogger());
  try {
    await assert.rejects(
      venue.start(),
      (e) => refusedLine('GET /api/v1/markets')(e) && /market BTC_USDC_PERP lacks symbol\/tickSize\/stepSize\/minQuantity/.test((e as Error).message),
    );
  } finally {
    await venue.stop();
  }
});

test('position, collateral and mark price: a malformed reply fails the read with one line naming the endpoint; the next good reply reads', async () => {
  defaults();
  const venue = newVenue(new MemoryLogger());
  try {
    await venue.start();
    for (const body of MALFORMED) {
      server.routes.set('GET /api/v1/position', () => ({ body: Array.isArray(body) ? [{ symbol: 'BTC_USDC_PERP', netQuantity: 0.5 }] : body }));
      server.routes.set('GET /api/v1/capital/collateral', () => ({ body }));
      server.routes.set('GET /api/v1/markPrices', () => ({ body: body ?? [{ symbol: 'BTC_USDC_PERP', markPrice: 97000, fundingRate: '0' }] }));
      await assert.rejects(venue.fetchPosition(), refusedLine('GET /api/v1/position'));
      await assert.rejects(venue.fetchCollateral(), refusedLine('GET /api/v1/capital/collateral'));
      await assert.rejects(venue.fetchMarkAndFunding(), refusedLine('GET /api/v1/markPrices'));
    }
    server.routes.set('GET /api/v1/position', () => ({ body: [{ symbol: 'BTC_USDC_PERP', netQuantity: '-0.01500' }] }));
    server.routes.set('GET /api/v1/capital/collateral', () => ({ body: example('collateral') }));
    assert.equal(await venue.fetchPosition(), -1500);
    assert.deepEqual(await venue.fetchCollateral(), { netEquity: '10233.026', netEquityAvailable: '10200.7' });
  } finally {
    await venue.stop();
  }
});

test('an order reply that cannot be read leaves the leg unknown with one error line; the look-up settles it, past a malformed order query and history', async () => {
  defaults();
  const logger = new MemoryLogger();
  const venue = newVenue(logger);
  try {
    await venue.start();
    await until('book valid', () => venue.status().bookValid);
    let clientId = 0;
    server.routes.set('POST /api/v1/order', (p) => {
      clientId = Number(p.clientId);
      return { body: { id: '555', clientId, status: 'Filled', executedQuantity: 0.01, executedQuoteQuantity: '970.1' } };
    });
    const leg = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 980_000 });
    assert.equal(leg.state, 'unknown', 'it may have executed: not rejected');
    assert.equal(leg.clientOrderId, String(clientId));
    assert.ok(refusedLine('POST /api/v1/order')(leg.error));
    assert.match(leg.error!.message, /lacks executedQuantity\/executedQuoteQuantity\/status/);
    assert.deepEqual(
      logger.lines.filter((l) => l.includes('reply refused')),
      [`ERROR ${leg.error!.message}`],
    );

    // The order query answers an array and the history an object: still unknown, each said once.
    server.routes.set('GET /api/v1/order', () => ({ body: [] }));
    server.routes.set('GET /wapi/v1/history/orders', () => ({ body: { orders: 'none' } }));
    const still = await venue.resolveOrder(leg);
    assert.equal(still.state, 'unknown');
    assert.equal(logger.lines.filter((l) => l.startsWith('WARN Backpack GET /api/v1/order reply refused: ')).length, 1);
    assert.equal(logger.lines.filter((l) => l.startsWith('WARN Backpack GET /wapi/v1/history/orders reply refused: ')).length, 1);

    // The history holds it: filled, with the fills' fee.
    server.routes.set('GET /wapi/v1/history/orders', () => ({ body: [{ id: '555', clientId, status: 'Filled', executedQuantity: '0.01', executedQuoteQuantity: '970.1' }] }));
    server.routes.set('GET /wapi/v1/history/fills', () => ({ body: [{ orderId: '555', clientId, quantity: '0.01', fee: '0.4851' }] }));
    const settled = await venue.resolveOrder(still);
    assert.deepEqual([settled.state, settled.filled, settled.notional, settled.fee, settled.venueOrderId], ['filled', 1000, 970_100_000, 0.4851, '555']);
  } finally {
    await venue.stop();
  }
});
