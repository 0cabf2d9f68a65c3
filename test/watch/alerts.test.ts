// Alerts against a local fake Telegram Bot API and a local webhook: delivered, deduplicated with a
// count, rate-limited, retried with back-off (honouring Telegram's retry_after), never carrying a
// secret; and the real bot's start, halt and stop alerts against the simulators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLogger } from '../../src/core/log.js';
import { Alerter, TelegramSink, WebhookSink, dailyCheck } from '../../src/watch/alerts.js';
import { calm, longOpportunity, readCsv, simVenues, until } from '../e2e/harness.js';
import { eventually, startWatchedBot } from './bot.js';

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/** A local HTTP server that records every POST and answers with the next scripted status (then 200). */
async function fakeServer(script: Array<{ status: number; body?: unknown }> = []) {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(data || '{}') as Record<string, unknown> });
      const next = script.shift() ?? { status: 200, body: { ok: true, result: {} } };
      res.writeHead(next.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(next.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const BOT_TOKEN = '123456:ABC-secret-bot-token';

test('Telegram and webhook: delivered, a flapping key is one alert then one with the count, secrets redacted', async () => {
  const tg = await fakeServer();
  const hook = await fakeServer();
  let now = 1_700_000_000_000;
  const log = new MemoryLogger();
  const alerter = new Alerter({
    sinks: [new TelegramSink({ token: BOT_TOKEN, chatId: '42', apiUrl: tg.url }), new WebhookSink(`${hook.url}/hook/s3cr3t-path`)],
    ticker: 'BTC',
    log,
    secrets: [BOT_TOKEN, `${hook.url}/hook/s3cr3t-path`, 'VENUE-SECRET-KEY'],
    dedupWindowMs: 60_000,
    retryBaseMs: 1,
    now: () => now,
  });
  try {
    alerter.send({ kind: 'venue_down', key: 'venue_down:lighter', text: 'lighter disconnected (key VENUE-SECRET-KEY leaked?)' });
    for (let i = 0; i < 99; i++) alerter.send({ kind: 'venue_down', key: 'venue_down:lighter', text: 'lighter disconnected' });
    await eventually('first delivery', async () => tg.received.length === 1 && hook.received.length === 1);
    assert.equal(tg.received[0].path, `/bot${BOT_TOKEN}/sendMessage`);
    assert.deepEqual(tg.received[0].body, { chat_id: '42', text: '[BTC] lighter disconnected (key [redacted] leaked?)', disable_web_page_preview: true });
    assert.equal(hook.received[0].path, '/hook/s3cr3t-path');
    assert.deepEqual(
      { ...hook.received[0].body, at: 'x' },
      { kind: 'venue_down', key: 'venue_down:lighter', text: 'lighter disconnected (key [redacted] leaked?)', count: 1, ticker: 'BTC', at: 'x' },
    );
    // The window ends: the 99 held back are one alert with their count.
    now += 60_000;
    alerter.poke();
    await eventually('the count', async () => tg.received.length === 2 && hook.received.length === 2, 5000);
    assert.match(String(tg.received[1].body.text), /^\[BTC\] lighter disconnected — 99 more since .* \(×99\)$/);
    assert.equal(hook.received[1].body.count, 99);
    await alerter.drained();
    assert.equal(alerter.delivered, 4);
    // Held back when the run ends: flushed with their count, not lost.
    alerter.send({ kind: 'venue_down', key: 'venue_down:lighter', text: 'lighter disconnected' });
    alerter.send({ kind: 'venue_down', key: 'venue_down:lighter', text: 'lighter disconnected' });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(hook.received.length, 2, 'held back within the window');
    alerter.flush();
    await alerter.drained();
    assert.equal(hook.received.length, 3);
    assert.equal(hook.received[2].body.count, 2);
    for (const r of [...tg.received, ...hook.received]) assert.doesNotMatch(JSON.stringify(r.body), /secret|s3cr3t/i);
  } finally {
    alerter.stop();
    await tg.close();
    await hook.close();
  }
});

test('retries with back-off: a 500 then a 429 with retry_after, then delivered; a 401 is given up with one line naming the fix, no token', async () => {
  const tg = await fakeServer([{ status: 500 }, { status: 429, body: { ok: false, error_code: 429, parameters: { retry_after: 0 } } }]);
  const log = new MemoryLogger();
  const alerter = new Alerter({ sinks: [new TelegramSink({ token: BOT_TOKEN, chatId: '42', apiUrl: tg.url })], ticker: 'BTC', log, secrets: [BOT_TOKEN], retryBaseMs: 1 });
  try {
    alerter.send({ kind: 'kill_switch', key: 'kill_switch', text: 'ENTRIES HALTED (kill_switch): 3 failed trades within 60 s' });
    await alerter.drained();
    assert.equal(tg.received.length, 3, 'two failures then the delivery');
    assert.equal(alerter.delivered, 1);
    assert.deepEqual(log.lines, []);
  } finally {
    alerter.stop();
    await tg.close();
  }
  const refused = await fakeServer([{ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } }]);
  const log2 = new MemoryLogger();
  const a2 = new Alerter({ sinks: [new TelegramSink({ token: BOT_TOKEN, chatId: '42', apiUrl: refused.url })], ticker: 'BTC', log: log2, secrets: [BOT_TOKEN], retryBaseMs: 1 });
  try {
    a2.send({ kind: 'start', key: 'start', text: 'started' });
    await a2.drained();
    assert.equal(refused.received.length, 1, 'a 401 is not retried');
    assert.deepEqual(log2.lines, ['WARN alert not delivered to telegram after 1 attempt(s): telegram answered HTTP 401 — check TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID']);
  } finally {
    a2.stop();
    await refused.close();
  }
});

test('rate limit: beyond perMinute deliveries in a minute, the rest wait for the next minute', async () => {
  const hook = await fakeServer();
  let now = 1_700_000_000_000;
  const alerter = new Alerter({ sinks: [new WebhookSink(hook.url)], ticker: 'BTC', log: new MemoryLogger(), secrets: [], perMinute: 3, now: () => now });
  try {
    for (let i = 0; i < 5; i++) alerter.send({ kind: 'halt', key: `k${i}`, text: `alert ${i}` });
    await eventually('three delivered', async () => hook.received.length === 3);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(hook.received.length, 3, 'the fourth waits');
    now += 60_000;
    alerter.poke();
    await eventually('the rest delivered a minute later', async () => hook.received.length === 5);
    assert.deepEqual(
      hook.received.map((r) => r.body.text),
      ['alert 0', 'alert 1', 'alert 2', 'alert 3', 'alert 4'],
    );
  } finally {
    alerter.stop();
    await hook.close();
  }
});

test('the daily summary is sent once at the chosen UTC hour, not again that day, again the next day', () => {
  let now = Date.UTC(2026, 0, 5, 7, 59);
  const sent: string[] = [];
  const check = dailyCheck(
    8,
    () => sent.push(new Date(now).toISOString()),
    () => now,
  );
  check();
  assert.deepEqual(sent, []);
  for (const minute of [0, 1, 59]) {
    now = Date.UTC(2026, 0, 5, 8, minute);
    check();
  }
  now = Date.UTC(2026, 0, 5, 9, 0);
  check();
  now = Date.UTC(2026, 0, 6, 8, 30);
  check();
  assert.deepEqual(sent, ['2026-01-05T08:00:00.000Z', '2026-01-06T08:30:00.000Z']);
});

test('the real bot: start, venue down and back, and stop with the summary reach the fake Telegram and webhook', async () => {
  const tg = await fakeServer();
  const hook = await fakeServer();
  const sim = await simVenues();
  calm(sim);
  const bot = startWatchedBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '5000'], {
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_CHAT_ID: '42',
    TELEGRAM_API_URL: tg.url,
    ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
  });
  try {
    await bot.engine;
    await eventually('start alert', async () => hook.received.some((r) => r.body.kind === 'start'));
    longOpportunity(sim);
    await until('trade', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry'));
    calm(sim);
    sim.faults.lighter.dropConnections = true;
    await eventually('venue down and back', async () => hook.received.some((r) => r.body.kind === 'venue_down') && hook.received.some((r) => r.body.kind === 'venue_back'));
    assert.equal(await bot.stop(), 0);
    const stop = hook.received.find((r) => r.body.kind === 'stop');
    assert.ok(stop !== undefined, 'stop alert delivered before the run ended');
    assert.match(
      String(stop.body.text),
      /^stopped \(test stop\): 1 trades, 1 succeeded, 0 failed, 0 repair orders; estimated PnL [-\d.]+ after [\d.]+ fees; funding 0\.000000 USDC; positions Backpack 0\.01000, Lighter -0\.01000$/,
    );
    assert.deepEqual(
      tg.received.map((r) => String(r.body.text).split(':')[0].split(' (')[0]),
      hook.received.map((r) => `[BTC] ${String(r.body.text).split(':')[0].split(' (')[0]}`),
    );
    for (const r of [...tg.received, ...hook.received]) assert.doesNotMatch(JSON.stringify(r.body), /ABC-secret/);
  } finally {
    await bot.stop();
    await sim.stop();
    await tg.close();
    await hook.close();
  }
});

test('a bot that cannot start says so in its stop alert, with the reason', async () => {
  const hook = await fakeServer();
  const sim = await simVenues();
  calm(sim);
  const bot = startWatchedBot(sim, ['--size', '0.00015'], { ALERT_WEBHOOK_URL: `${hook.url}/alerts` });
  try {
    assert.equal(await bot.exit, 2);
    assert.deepEqual(
      hook.received.map((r) => r.body.kind),
      ['stop'],
    );
    assert.match(String(hook.received[0].body.text), /^stopped: could not start: --size 0\.00015 is below the lighter minimum 0\.00020 — raise --size/);
  } finally {
    await sim.stop();
    await hook.close();
  }
});

test('an alert held back by its window does not hold back a different one: the other goes out at once', async () => {
  const hook = await fakeServer();
  const alerter = new Alerter({ sinks: [new WebhookSink(`${hook.url}/alerts`)], ticker: 'BTC', log: new MemoryLogger(), secrets: [] });
  try {
    alerter.send({ kind: 'paused', key: 'paused', text: 'entries paused by the operator (a)' });
    await eventually('the first pause', async () => hook.received.length === 1);
    // The same key within its window: held back until the window ends (five minutes).
    alerter.send({ kind: 'paused', key: 'paused', text: 'entries paused by the operator (b)' });
    // Another key: due now, not when the held one's window ends.
    alerter.send({ kind: 'venue_down', key: 'venue_down:lighter', text: 'ENTRIES HALTED (venue_down): lighter disconnected' });
    await eventually('the halt delivered while the pause is held back', async () => hook.received.some((r) => r.body.kind === 'venue_down'));
    assert.deepEqual(
      hook.received.map((r) => r.body.kind),
      ['paused', 'venue_down'],
    );
  } finally {
    alerter.stop();
    await hook.close();
  }
});
