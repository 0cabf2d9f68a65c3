import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { BackpackStream } from '../../../src/venues/backpack/ws.js';
import { MemoryLogger } from '../../../src/core/log.js';

test('a silent connection is declared dead, reconnected and every stream renewed', async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, autoPong: false });
  const subscribes: string[] = [];
  let connections = 0;
  wss.on('connection', (socket) => {
    connections++;
    socket.on('message', (raw) => subscribes.push(raw.toString()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const logger = new MemoryLogger();
  const closes: string[] = [];
  const stream = new BackpackStream(
    { wsUrl: `ws://127.0.0.1:${port}`, logger, pingIntervalMs: 20, deadAfterMs: 80, reconnectBaseMs: 10, reconnectMaxMs: 20 },
    { onFrame: () => {}, onOpen: () => {}, onClose: (why) => closes.push(why) },
  );
  stream.subscribe(['depth.BTC_USDC_PERP', 'bookTicker.BTC_USDC_PERP']);
  stream.start();
  try {
    const start = Date.now();
    while (connections < 2 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 5));
    assert.equal(connections >= 2, true, 'reconnected after the dead timer fired');
    while (subscribes.length < 2 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 5));
    const expected = JSON.stringify({ method: 'SUBSCRIBE', params: ['depth.BTC_USDC_PERP', 'bookTicker.BTC_USDC_PERP'] });
    assert.deepEqual(subscribes.slice(0, 2), [expected, expected]);
    assert.ok(logger.lines.some((l) => /nothing received for 80 ms; dropping the connection/.test(l)));
    assert.ok(logger.lines.some((l) => /reconnecting in \d+ ms \(attempt 1\)/.test(l)));
    assert.ok(closes.length >= 1);
  } finally {
    await stream.stop();
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  }
});
