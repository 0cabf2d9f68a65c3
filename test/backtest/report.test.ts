// report.html in a real browser (Debian's chromium through playwright-core), offline: the backtest
// command's own report of a two-parameter sweep over a synthetic recording opens with the network
// off and asks for nothing but its own file, raises no script error, draws all five charts with the
// run's data (the trade markers are the CSV's entries, the last net PnL is the summary's), and its
// sweep table and heatmap are the ranking the command printed. The screenshot goes to
// test-output/report.png (git-ignored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { backtestCommand } from '../../src/backtest/cli.js';
import { parseCsv } from '../../src/backtest/report.js';
import { writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { tempDir } from '../helpers/temp.js';

const SHOTS = 'test-output';
const CHROMIUM = '/usr/bin/chromium';

/** A stream that keeps what is written (not a terminal: the progress bar writes whole lines). */
function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = {
    isTTY: false,
    write(s: string) {
      text += s;
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

test('report.html opens offline in chromium and draws the backtest and its sweep', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing — install Debian's chromium (apt-get install chromium); .ci/run does it`);
  const dataDir = tempDir('bla-report-data-');
  writeSyntheticRecording(dataDir, { seconds: 300, framesPerSecond: 20, seed: 7 });
  const outDir = join(tempDir('bla-report-out-'), 'backtest');
  const out = sink();
  const err = sink();
  const code = await backtestCommand(
    [
      ...['--data', dataDir, '--size', '0.01', '--long-threshold', '30', '--short-threshold', '30', '--max-position', '0.05', '--latency', '20'],
      ...['--sweep', 'long-threshold=30,45', '--sweep', 'size=0.005,0.01', '--threads', '2', '--out', outDir],
    ],
    out.stream,
    err.stream,
  );
  assert.equal(code, 0, err.text());

  // What the command said: the run's trades, and the sweep ranked by PnL.
  const said = out.text();
  const run = /trades\s+(\d+) \((\d+) succeeded, (\d+) failed\)/.exec(said);
  assert.ok(run !== null, said);
  const trades = Number(run[1]);
  assert.ok(trades > 0, 'the recording gives the run trades to draw');
  const ranked = [...said.matchAll(/^ {2}--long-threshold (\S+) --size (\S+)\s+PnL\s+(\S+)\s+trades\s+(\d+)/gm)].map((m) => ({
    lt: m[1]!,
    size: m[2]!,
    pnl: m[3]!,
    trades: m[4]!,
  }));
  assert.equal(ranked.length, 4, said);
  const tradesCsv = readFileSync(
    join(
      outDir,
      readdirSync(outDir).find((n) => n.startsWith('trades_'))!,
    ),
    'utf8',
  );
  const entries = parseCsv(tradesCsv).filter((r) => r.kind === 'entry');
  assert.equal(entries.length, trades);
  const netPnl = /spread PnL\s+(-?[\d.]+) USDC net of fees/.exec(said);
  assert.ok(netPnl !== null, said);

  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const url = pathToFileURL(join(outDir, 'report.html')).href;
    await page.goto(url);
    await page.waitForSelector('body[data-charts]');

    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [url], 'the report asks for nothing but itself');
    assert.equal(await page.getAttribute('body', 'data-charts'), '5');

    // Every chart has ink on its canvas, and a legend with its series.
    // (Run in the page: a string, since the project's types have no DOM.)
    const charts = (await page.evaluate(`['c-spreads', 'c-pnl', 'c-positions', 'c-hist', 'c-lost'].map((id) => {
      const canvas = document.querySelector('#' + id + ' canvas');
      if (canvas === null) return { id, inked: 0, legend: 0 };
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
      return { id, inked, legend: document.querySelectorAll('#' + id + ' .u-legend .u-series').length };
    })`)) as Array<{ id: string; inked: number; legend: number }>;
    for (const c of charts) assert.ok(c.inked > 0 && c.legend >= 2, `${c.id}: ${JSON.stringify(c)}`);

    // The data drawn is the run's: a marker per entry of the trades CSV, and the summary's net PnL at the end.
    const data = JSON.parse((await page.textContent('#report-data')) ?? '') as { spreads: Array<Array<number | null>>; pnl: number[][] };
    const markers = [...data.spreads[6]!, ...data.spreads[7]!].filter((v) => v !== null).length;
    assert.equal(markers, entries.length);
    const net = data.pnl[1]!;
    // The summary prints 4 decimals: the chart's last point is within half a unit of the 4th of them.
    assert.ok(Math.abs(net[net.length - 1]! - Number(netPnl[1])) <= 0.00005 + 1e-9, `${net[net.length - 1]} against ${netPnl[1]}`);
    const facts = (await page.textContent('table tr:nth-child(3) td')) ?? '';
    assert.equal(facts.split(' ')[0], String(trades));

    // The sweep: the command's ranking row for row, and a filled 2 × 2 heatmap.
    const rows = await page.$$eval('table.sweep tr', (trs) => trs.slice(1).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    assert.deepEqual(
      rows.map((r) => ({ lt: r[1], size: r[2], pnl: r[3], trades: r[4] })),
      ranked,
    );
    const heat = await page.$$eval('table.heat td', (tds) => tds.map((td) => ({ text: td.textContent ?? '', bg: td.getAttribute('style') ?? '' })));
    assert.equal(heat.length, 4);
    for (const cell of heat) assert.ok(cell.text !== '' && cell.bg !== '', JSON.stringify(cell));

    await page.screenshot({ path: `${SHOTS}/report.png`, fullPage: true });
    const png = readFileSync(`${SHOTS}/report.png`);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  } finally {
    await browser.close();
  }
});
