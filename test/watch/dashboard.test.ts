// The dashboard in a real browser (Debian's chromium through playwright-core) against the real bot
// and the simulators: live numbers that match the bot's, pause stops entries, flatten leaves both
// simulators flat, a control without the token is refused, and the page reconnects when the bot
// restarts. Screenshots go to test-output/ (git-ignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { chromium, type Page } from 'playwright-core';
import type { ArbEngine } from '../../src/engine/index.js';
import { calm, longOpportunity, readCsv, shortOpportunity, simVenues, until } from '../e2e/harness.js';
import { UI_TOKEN, eventually, startWatchedBot } from './bot.js';

const SHOTS = 'test-output';
const CHROMIUM = '/usr/bin/chromium';

async function text(page: Page, id: string): Promise<string> {
  return (await page.textContent(`#${id}`)) ?? '';
}

/** The page shows what the engine's own snapshot says (prices 2 decimals, sizes 6, PnL 4). */
async function pageMatchesBot(page: Page, engine: ArbEngine): Promise<boolean> {
  const s = engine.snapshot();
  const f = (x: number | undefined, d: number) => (x === undefined ? '—' : x.toFixed(d));
  const want: Record<string, string> = {
    'bp-bid': f(s.books.backpack.bid, 2),
    'bp-ask': f(s.books.backpack.ask, 2),
    'lt-bid': f(s.books.lighter.bid, 2),
    'lt-ask': f(s.books.lighter.ask, 2),
    'pos-bp': f(s.positions.backpack, 6),
    'pos-lt': f(s.positions.lighter, 6),
    net: f(s.net, 6),
    pnl: f(s.summary.estimatedPnl, 4),
    'trades-count': String(s.summary.trades),
    'th-long': f(s.thresholds?.long, 2),
  };
  for (const [id, value] of Object.entries(want)) if ((await text(page, id)) !== value) return false;
  return true;
}

test('dashboard: live numbers, controls behind the token, pause, flatten, and a reconnect after a restart', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing — install Debian's chromium (apt-get install chromium); .ci/run does it`);
  mkdirSync(SHOTS, { recursive: true });
  const sim = await simVenues();
  calm(sim);
  let bot = startWatchedBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '60000', '--ui-port', '0'], { UI_TOKEN });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const { uiUrl } = await bot.endpoints;
    assert.match(uiUrl!, /^http:\/\/127\.0\.0\.1:\d+$/);
    const engine = await bot.engine;
    assert.deepEqual(bot.out, [], 'a token from UI_TOKEN is not printed');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${uiUrl}/`);
    await page.waitForSelector('#conn.live');

    // A trade: the page shows the bot's books, positions, trade count and PnL.
    longOpportunity(sim);
    await until('trade', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry'));
    calm(sim);
    await engine.idle();
    await eventually('the page matches the bot', () => pageMatchesBot(page, engine));
    assert.equal(await text(page, 'trades-count'), '1');
    assert.equal(await text(page, 'pos-bp'), '0.010000');
    assert.equal(await text(page, 'pos-lt'), '-0.010000');
    await page.waitForSelector('#trades tbody tr');
    assert.match((await page.textContent('#trades tbody tr')) ?? '', /entryLONG_BACKPACKbuy 0\.010000 @ 100000\.00 filled/);
    assert.match((await page.textContent('#log')) ?? '', /LONG_BACKPACK done: Backpack filled 0\.01000/);
    await page.waitForSelector('#latency table[data-key="backpack frame_to_sent"]');
    await page.screenshot({ path: `${SHOTS}/dashboard-trading.png`, fullPage: true });

    // Controls without the token, or with a wrong one, are refused and change nothing; the page never holds the token.
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-token-wrong-token' }];
    for (const headers of attempts) {
      const res = await fetch(`${uiUrl}/api/pause`, { method: 'POST', headers });
      assert.equal(res.status, 401);
      assert.match(await res.text(), /missing or wrong token/);
    }
    assert.equal(engine.snapshot().paused, undefined);
    // A page elsewhere pointing its own name at 127.0.0.1 (DNS rebinding) is refused.
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${uiUrl}/events`);
      http
        .get({ hostname: u.hostname, port: u.port, path: u.pathname, headers: { host: `evil.example:${u.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.equal(rebound, 421);
    const html = await (await fetch(`${uiUrl}/`)).text();
    assert.ok(!html.includes(UI_TOKEN));
    await page.click('#pause');
    await eventually('refused on the page', async () => /pause refused: missing or wrong token/.test(await text(page, 'result')));
    assert.equal(engine.snapshot().paused, undefined);

    // Pause from the page: the next opportunity (short, which --max-position allows) is judged — the bot's book shows it — and not taken.
    await page.fill('#token', UI_TOKEN);
    await page.click('#pause');
    await eventually('paused', async () => engine.snapshot().paused !== undefined && (await text(page, 'result')) === 'pause: done');
    await page.waitForSelector('#banner:has-text("ENTRIES PAUSED")');
    shortOpportunity(sim);
    await until('the opportunity reached the bot', () => engine.snapshot().books.backpack.bid === 100040 && engine.snapshot().books.lighter.ask === 100000);
    await engine.idle();
    assert.equal(engine.snapshot().summary.trades, 1, 'no entry while paused');
    assert.equal(readCsv(bot.logDir, 'trades').length, 1);
    calm(sim);
    await page.screenshot({ path: `${SHOTS}/dashboard-paused.png`, fullPage: true });

    // Flatten both, confirmed: both simulators flat, the result shown.
    page.once('dialog', (d) => void d.accept());
    await page.click('#flatten');
    await eventually('flatten result', async () => /\(flat\)$/.test(await text(page, 'result')));
    assert.equal(sim.engines.backpack.position(sim.accounts.backpack).size, 0);
    assert.equal(sim.engines.lighter.position(sim.accounts.lighter).size, 0);
    assert.match(
      await text(page, 'result'),
      /^flatten: backpack sell 0\.01000 reduce-only: filled 0\.01000; lighter buy 0\.01000 reduce-only: filled 0\.01000 → Backpack 0\.00000, Lighter 0\.00000 \(flat\)$/,
    );
    await eventually('page shows flat', async () => (await text(page, 'pos-bp')) === '0.000000' && (await text(page, 'pos-lt')) === '0.000000');
    await page.screenshot({ path: `${SHOTS}/dashboard-flattened.png`, fullPage: true });

    // The bot restarts on the same port: the page reconnects by itself and shows the new run.
    assert.equal(await bot.stop(), 0);
    await page.waitForSelector('#conn.lost');
    const port = new URL(uiUrl!).port;
    bot = startWatchedBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '60000', '--ui-port', port], { UI_TOKEN });
    const engine2 = await bot.engine;
    await page.waitForSelector('#conn.live');
    await eventually('the page shows the new run', () => pageMatchesBot(page, engine2));
    assert.equal(await text(page, 'trades-count'), '0');
    assert.equal(await text(page, 'phase'), 'running');
  } finally {
    await browser.close();
    await bot.stop();
    await sim.stop();
  }
});
