// The dashboard server's guards on their own: the update stream behind the token when the
// dashboard is reachable beyond loopback, controls refused without an engine, and loopback names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLogger } from '../../src/core/log.js';
import { WatchHub } from '../../src/watch/hub.js';
import { isLoopback, startUiServer } from '../../src/watch/server.js';

const TOKEN = 'server-test-token-0123456789';

async function status(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<[number, string]> {
  const controller = new AbortController();
  const res = await fetch(url, { method, headers, signal: controller.signal });
  const type = res.headers.get('content-type') ?? '';
  const body = type.startsWith('text/event-stream') ? '(stream)' : await res.text();
  controller.abort();
  return [res.status, body];
}

test('beyond loopback the update stream needs the token (header or ?token=); controls need an engine', async () => {
  const ui = await startUiServer({ host: '127.0.0.1', port: 0, hub: new WatchHub({ ticker: 'BTC' }), token: TOKEN, tokenToRead: true, log: new MemoryLogger() });
  try {
    assert.deepEqual(await status(`${ui.url}/events`), [401, 'missing or wrong token: this dashboard is reachable beyond this machine, so its updates need the token too\n']);
    assert.equal((await status(`${ui.url}/events?token=wrong`))[0], 401);
    assert.deepEqual(await status(`${ui.url}/events?token=${TOKEN}`), [200, '(stream)']);
    assert.deepEqual(await status(`${ui.url}/events`, { authorization: `Bearer ${TOKEN}` }), [200, '(stream)']);
    // The page itself holds no secret and loads without the token.
    assert.equal((await status(`${ui.url}/`))[0], 200);
    // A control with the token but no engine running yet: refused, saying why.
    assert.deepEqual(await status(`${ui.url}/api/pause`, { authorization: `Bearer ${TOKEN}` }, 'POST'), [409, '{"ok":false,"error":"engine is not started"}']);
    assert.equal((await status(`${ui.url}/api/pause`, { authorization: `Bearer ${TOKEN}` }))[0], 405);
    // A control's token is never taken from the query string.
    assert.equal((await status(`${ui.url}/api/pause?token=${TOKEN}`, {}, 'POST'))[0], 401);
  } finally {
    await ui.close();
  }
  const local = await startUiServer({ host: '127.0.0.1', port: 0, hub: new WatchHub({ ticker: 'BTC' }), token: TOKEN, log: new MemoryLogger() });
  try {
    assert.deepEqual(await status(`${local.url}/events`), [200, '(stream)'], 'on loopback the stream is open to this machine');
  } finally {
    await local.close();
  }
});

test('loopback names', () => {
  assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '0.0.0.0', '10.0.0.1', 'example.com'].map(isLoopback), [true, true, true, true, false, false, false]);
});
