// The live Backpack adapter reads depth frames with the scanner first (ws.ts onDepth) and falls
// back to JSON.parse and readDepthEvent: a frame in another key order is applied, a frame the
// scanner declines is still applied the usual way, and a row off the grid gets the book sync's own
// refusal line and a resync from a fresh snapshot, as before the scanner.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { example, key, seq } from './fixtures.js';
import { ScriptedBackpack } from './scripted-server.js';
import { BackpackVenue } from '../../../src/venues/backpack/index.js';
import { Secret } from '../../../src/core/secret.js';
import { MemoryLogger } from '../../../src/core/log.js';
import { formatFixed, parseFixed } from '../../../src/core/fixed.js';
import { until } from '../../helpers/until.js';

const server = new ScriptedBackpack(key.public_key_b64);
after(() => server.close());

test('depth frames on the live socket: scanned, declined and refused frames each end as the parser and the book sync have them', async () => {
  const urls = await server.listen();
  let snapshots = 0;
  server.routes.set('GET /api/v1/markets', () => ({ body: example('markets') }));
  server.routes.set('GET /api/v1/account', () => ({ body: example('account') }));
  server.routes.set('GET /api/v1/depth', () => {
    snapshots++;
    return { body: seq.snapshot_1 };
  });
  const logger = new MemoryLogger();
  const venue = new BackpackVenue({
    ticker: 'BTC',
    ...urls,
    publicKey: key.public_key_b64,
    secretKey: new Secret(key.secret_b64),
    logger,
    reconnectBaseMs: 10,
    reconnectMaxMs: 40,
    snapshotRetryMs: 10,
  });
  const bids = () => venue.book.levels('bid').map(([p, q]) => [formatFixed(p, 1), formatFixed(q, 5)]);
  try {
    await venue.start();
    await until('book valid', () => venue.status().bookValid);
    const last = Number(seq.snapshot_1.lastUpdateId);
    // Keys in another order, whitespace, an unknown key with a nested value.
    server.broadcastText(
      `{ "data" : { "b" : [ ["97009.0", "0.20000"] ], "u": ${last + 1}, "x": {"y": [null, "\\u00e9"]}, "a": [], "U": ${last + 1} }, "stream": "depth.BTC_USDC_PERP" }`,
    );
    await until('scanned frame applied', () => bids()[0]?.[0] === '97009.0');
    // A key with an escape: the scanner declines, JSON.parse and readDepthEvent read it.
    server.broadcastText(`{"stream":"depth.BTC_USDC_PERP","data":{"\\u0055":${last + 2},"u":${last + 2},"b":[["97009.5","0.10000"]],"a":[]}}`);
    await until('declined frame applied', () => bids()[0]?.[0] === '97009.5');
    assert.deepEqual(bids().slice(0, 2), [
      ['97009.5', '0.10000'],
      ['97009.0', '0.20000'],
    ]);
    // Off the grid (one decimal): the book sync's refusal, word for word, and a fresh snapshot.
    let why = '';
    try {
      parseFixed('97009.55', 1);
    } catch (e) {
      why = (e as Error).message;
    }
    assert.ok(why.length > 0);
    const before = snapshots;
    server.broadcastText(`{"stream":"depth.BTC_USDC_PERP","data":{"U":${last + 3},"u":${last + 3},"b":[["97009.55","0.10000"]],"a":[]}}`);
    await until('refused', () => logger.lines.some((l) => l.includes(`Backpack depth.BTC_USDC_PERP frame refused: ${why}`)));
    await until('a fresh snapshot', () => snapshots > before && venue.status().bookValid);
  } finally {
    await venue.stop();
  }
});
