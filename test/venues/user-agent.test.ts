// Both venues name the bot and its version: the version in src/version.ts is package.json's, and
// the User-Agent arrives on every kind of request — REST through the keep-alive agent, orders on
// the kept HTTP/1.1 connection, and each WebSocket handshake — on Backpack and on Lighter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { USER_AGENT, VERSION } from '../../src/version.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { until } from '../helpers/until.js';
import { example, key, seq } from './backpack/fixtures.js';
import { ScriptedBackpack } from './backpack/scripted-server.js';
import { BackpackVenue } from '../../src/venues/backpack/index.js';
import { LighterRest } from '../../src/venues/lighter/rest.js';
import { LighterStream } from '../../src/venues/lighter/ws.js';
import { Secret } from '../../src/core/secret.js';
import { MemoryLogger } from '../../src/core/log.js';

test("the version sent is package.json's", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  assert.equal(VERSION, pkg.version);
  assert.equal(USER_AGENT, `${pkg.name}/${pkg.version}`);
});

test('Backpack: REST through the agent, the order on the kept connection and the WS handshake all carry the User-Agent', async () => {
  const server = new ScriptedBackpack(key.public_key_b64);
  const urls = await server.listen();
  server.routes.set('GET /api/v1/markets', () => ({ body: example('markets') }));
  server.routes.set('GET /api/v1/account', () => ({ body: example('account') }));
  server.routes.set('GET /api/v1/depth', () => ({ body: seq.snapshot_2 }));
  server.routes.set('POST /api/v1/order', (p) => ({ body: { id: '1', clientId: p.clientId, status: 'Filled', executedQuantity: '0.01000', executedQuoteQuantity: '970.109' } }));
  const venue = new BackpackVenue({ ticker: 'BTC', ...urls, publicKey: key.public_key_b64, secretKey: new Secret(key.secret_b64), logger: new MemoryLogger(), firstClientId: 7 });
  try {
    await venue.start();
    await until('book', () => venue.status().bookValid);
    // The order connection opens beside start(); the order must go out on it, not through the agent.
    await until('order connection open', () => venue.rest.orderLineIdle);
    const leg = await venue.placeMarketOrder({ side: 'buy', size: 1000, worstPrice: 971000 });
    assert.equal(leg.state, 'filled');
    const orderIndex = server.requests.findIndex((r) => r.path === '/api/v1/order');
    const agentPorts = server.requests.map((r, i) => (r.path === '/api/v1/order' ? undefined : server.ports[i])).filter((p) => p !== undefined);
    assert.ok(!agentPorts.includes(server.ports[orderIndex]), 'the order came on its own connection');
    assert.deepEqual([...new Set(server.requests.map((r) => r.path))].sort(), ['/api/v1/account', '/api/v1/depth', '/api/v1/markets', '/api/v1/order', '/wapi/v1/history/fills']);
    assert.equal(server.userAgents.length, server.requests.length);
    assert.deepEqual(
      server.userAgents,
      server.requests.map(() => USER_AGENT),
    );
    assert.ok(server.handshakes.length >= 1);
    assert.deepEqual(
      server.handshakes,
      server.handshakes.map(() => USER_AGENT),
    );
  } finally {
    await venue.stop();
    await server.close();
  }
});

test('Lighter: REST and the WS handshake carry the User-Agent', async () => {
  const seen: { kind: string; userAgent?: string }[] = [];
  const httpServer = http.createServer((req, res) => {
    seen.push({ kind: `${req.method} ${req.url?.split('?')[0]}`, userAgent: req.headers['user-agent'] });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"code":200}');
  });
  const wss = new WebSocketServer({ server: httpServer });
  wss.on('connection', (_socket, req) => seen.push({ kind: 'ws', userAgent: req.headers['user-agent'] }));
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r));
  const { port } = httpServer.address() as AddressInfo;
  const rest = new LighterRest({ apiUrl: `http://127.0.0.1:${port}`, logger: new MemoryLogger() });
  const stream = new LighterStream(
    { wsUrl: `ws://127.0.0.1:${port}/stream`, logger: new MemoryLogger() },
    { onFrame: () => undefined, onOpen: () => undefined, onClose: () => undefined },
  );
  try {
    await rest.get('orderBooks', {});
    await rest.sendTx(14, '{}');
    stream.start();
    await until('handshake', () => seen.some((s) => s.kind === 'ws'));
    assert.deepEqual(seen, [
      { kind: 'GET /api/v1/orderBooks', userAgent: USER_AGENT },
      { kind: 'POST /api/v1/sendTx', userAgent: USER_AGENT },
      { kind: 'ws', userAgent: USER_AGENT },
    ]);
  } finally {
    await stream.stop();
    rest.close();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    httpServer.closeAllConnections();
    await new Promise<void>((r) => httpServer.close(() => r()));
  }
});
