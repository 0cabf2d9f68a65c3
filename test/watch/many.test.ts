// Watching a run of several markets (BTC and ETH, one process) against the simulators: the
// metrics carry each market's series under a `market` label and their total, the dashboard in
// headless chromium shows a row for each market and the total, and an alert names its market.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { parseConfig } from '../../src/cli/args.js';
import { startRun } from '../../src/cli/run.js';
import type { WatchEndpoints } from '../../src/watch/index.js';
import { simVenues, until } from '../e2e/harness.js';
import { books, calmAll, csv, filledEntries } from '../e2e/many-harness.js';
import { tempDir } from '../helpers/temp.js';
import { UI_TOKEN, eventually, sample } from './bot.js';

const CHROMIUM = '/usr/bin/chromium';

/** A webhook receiver on loopback: keeps every alert body. */
async function webhook() {
  const received: Array<Record<string, unknown>> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('several markets: metrics per market with their total, the dashboard shows each market and the total, alerts name their market', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing — install Debian's chromium (apt-get install chromium)`);
  const hook = await webhook();
  const sim = await simVenues({ ticker: 'BTC' });
  calmAll(sim);
  const logDir = tempDir('bla-watch-many-');
  const parsed = parseConfig(
    ['--ticker', 'BTC,ETH', '--size', '0.01', '--max-position', '0.01', '--log-dir', logDir, '--max-book-age-ms', '5000', '--metrics-port', '0', '--ui-port', '0'],
    { ...sim.env(), UI_TOKEN, ALERT_WEBHOOK_URL: hook.url },
  );
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  let watching!: (e: WatchEndpoints) => void;
  const endpoints = new Promise<WatchEndpoints>((r) => (watching = r));
  const bot = startRun(parsed.config, { consoleLevel: 'OFF', onWatching: (e) => watching(e), out: { write: () => true, isTTY: false } });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const { metricsUrl, uiUrl } = await endpoints;
    const [btc, eth] = await bot.engines;
    const metrics = async () => (await fetch(`${metricsUrl}/metrics`)).text();

    // A trade in BTC only.
    books(sim, 'BTC', { bid: 999_990, ask: 1_000_000 }, { bid: 1_000_400, ask: 1_000_410 }, 10);
    await until('BTC entry', () => filledEntries(csv(logDir, 'trades', 'BTC')).length === 1);
    calmAll(sim);
    await btc.idle();
    await eventually('both books in the metrics', async () => sample(await metrics(), 'arb_best_price_quote{market="ETH",venue="lighter",side="ask"}') === 3500);
    const text = await metrics();
    const lines = new Set(text.split('\n'));
    for (const line of [
      'arb_trades_total{market="BTC",direction="LONG_BACKPACK",outcome="success"} 1',
      'arb_position_base{market="BTC",venue="backpack"} 0.01',
      'arb_position_base{market="BTC",venue="lighter"} -0.01',
      'arb_position_base{market="ETH",venue="backpack"} 0',
      'arb_position_base{market="ETH",venue="lighter"} 0',
      'arb_best_price_quote{market="BTC",venue="backpack",side="ask"} 100000',
      'arb_best_price_quote{market="ETH",venue="backpack",side="bid"} 3499.9',
      'arb_best_price_quote{market="ETH",venue="lighter",side="ask"} 3500',
      'arb_spread_threshold_quote{market="BTC",direction="long"} 5',
      'arb_spread_threshold_quote{market="ETH",direction="long"} 5',
      'arb_engine_running{market="BTC"} 1',
      'arb_engine_running{market="ETH"} 1',
      'arb_fills_total{market="BTC",venue="backpack"} 1',
      'arb_reconnects_total{market="ETH",venue="lighter"} 0',
      'arb_pnl_quote{market="ETH"} 0',
    ])
      assert.ok(lines.has(line), `${line} is exported`);
    assert.equal(text.match(/^arb_trades_total\{market="ETH"/m), null, 'no ETH trade');
    assert.ok(text.includes('arb_decisions_total{market="ETH",outcome="below_threshold"}'), 'ETH decisions counted under ETH');
    const btcPnl = btc.snapshot().summary.estimatedPnl;
    assert.equal(sample(text, 'arb_pnl_quote{market="BTC"}'), btcPnl);
    assert.equal(sample(text, 'arb_total_pnl_quote'), btcPnl + eth.snapshot().summary.estimatedPnl);

    // The dashboard: a row per market and the total, as the engines say.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${uiUrl}/`);
    await page.waitForSelector('#conn.live');
    await page.waitForSelector('#markets-section:not([style*="display: none"])');
    const rows = async () =>
      page.$$eval('#markets tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td as { textContent: string | null }).textContent)));
    const want = () =>
      [btc, eth].map((e) => {
        const s = e.snapshot();
        return [
          s.ticker,
          s.phase,
          s.summary.estimatedPnl.toFixed(4),
          String(s.summary.trades),
          String(s.summary.failures),
          s.positions.backpack.toFixed(6),
          s.positions.lighter.toFixed(6),
          s.net.toFixed(6),
          '—',
        ];
      });
    await eventually('the page shows both markets', async () => JSON.stringify((await rows()).slice(0, 2)) === JSON.stringify(want()));
    const all = await rows();
    assert.deepEqual(
      all.map((r) => r[0]),
      ['BTC', 'ETH', 'total'],
    );
    assert.deepEqual(all[1], ['ETH', 'running', '0.0000', '0', '0', '0.000000', '0.000000', '0.000000', '—']);
    assert.deepEqual(all[2], ['total', '', btcPnl.toFixed(4), '1', '0', '', '', '', '']);
    assert.equal(await page.textContent('#title'), 'backpack-lighter-arb · BTC, ETH');
    assert.equal(await page.textContent('#trades-count'), '1');

    // Ready only when every market is; the controls act on every market.
    assert.equal((await fetch(`${metricsUrl}/readyz`)).status, 200);
    const control = (name: string) => fetch(`${uiUrl}/api/${name}`, { method: 'POST', headers: { authorization: `Bearer ${UI_TOKEN}` } });
    assert.equal((await control('pause')).status, 200);
    assert.deepEqual([btc.snapshot().paused, eth.snapshot().paused], ['paused from the dashboard', 'paused from the dashboard']);
    assert.match(await (await fetch(`${metricsUrl}/readyz`)).text(), /^not ready: BTC: halted|^ready/);
    assert.equal((await control('resume')).status, 200);
    assert.deepEqual([btc.snapshot().paused, eth.snapshot().paused], [undefined, undefined]);
    // Flatten from the page: both markets flattened, each named in the result.
    await page.fill('#token', UI_TOKEN);
    page.once('dialog', (d) => void d.accept());
    await page.click('#flatten');
    await eventually('flatten result', async () => /^flatten: BTC: .*\(flat\) \| ETH: .*\(flat\)$/.test((await page.textContent('#result')) ?? ''));
    for (const e of [btc, eth]) assert.deepEqual(e.snapshot().positions, { backpack: 0, lighter: 0 });
    assert.deepEqual([btc.snapshot().paused, eth.snapshot().paused], ['flatten both', 'flatten both'], 'entries stay paused after a flatten');
    await control('resume');

    // Lighter drops both markets' streams: each market's halt is its own alert, named.
    sim.faults.lighter.dropConnections = true;
    await eventually('both markets halted and back', async () =>
      ['BTC', 'ETH'].every(
        (m) =>
          hook.received.some((r) => r.kind === 'venue_down' && String(r.text).startsWith(`${m}: ENTRIES HALTED (venue_down)`)) &&
          hook.received.some((r) => r.kind === 'venue_back' && String(r.text).startsWith(`${m}: lighter is back`)),
      ),
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(hook.received.map((r) => r.text))}`);
    });
    assert.equal(await bot.stop('test stop'), 0);
  } finally {
    await browser.close();
    await bot.stop('test stop');
    await sim.stop();
    await hook.close();
  }
});
