// Funding against the simulators: a position held across two hourly settlements on both venues,
// one at positive rates and one at negative, is in the summary and the trades CSV to the
// micro-dollar the simulators paid; the start-up lines give the current rates and what the
// positions found cost or earn per day; a malformed funding history is one warning and loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSummary } from '../../src/engine/index.js';
import { SimMargin } from '../../src/sim/margin.js';
import type { SimVenues } from '../../src/sim/index.js';
import { calm, longOpportunity, readCsv, readLog, simVenues, startBot, until } from './harness.js';

/** Backpack's rate is per interval (one hour here); Lighter's funding-rates rate is over eight hours. */
function setRates(sim: SimVenues, backpack: string, lighterEightHours: number): void {
  sim.funding.backpack.set('BTC_USDC_PERP', backpack);
  sim.funding.lighter.set(1, lighterEightHours);
}

/** Funding rows of the trades CSV, as written. */
function fundingRows(logDir: string) {
  return readCsv(logDir, 'trades')
    .filter((r) => r.kind === 'funding')
    .map((r) => ({ direction: r.direction, backpack: r.backpack_funding, lighter: r.lighter_funding, rate: r.funding_rate }));
}

/** A hedge held from an earlier run: Backpack long 0.01, Lighter short 0.01, both books calm. */
function heldHedge(sim: SimVenues): void {
  calm(sim);
  sim.engines.backpack.place({ account: sim.accounts.backpack, side: 'buy', type: 'market', size: 1000, timeInForce: 'IOC' });
  sim.engines.lighter.place({ account: sim.accounts.lighter, side: 'sell', type: 'market', size: 1000, timeInForce: 'IOC' });
  calm(sim);
}

test('a hedge held across two settlements, at positive then negative rates: the summary and the CSV show exactly what the simulators paid', async () => {
  const sim = await simVenues();
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01']);
  try {
    const engine = await bot.engine;
    let summary: RunSummary | undefined;
    void engine.stopped.then((s) => (summary = s));
    longOpportunity(sim); // Backpack long 0.01, Lighter short 0.01
    await until('the long trade', () => readCsv(bot.logDir, 'trades').length === 1);
    calm(sim); // both mids 99999.5 from here on

    // The next hour: 1 bp on both (Lighter quotes 8 bp over eight hours). The long pays
    // 0.01 · 99999.5 · 0.0001 = 0.0999995 → 0.100000 (rounded against it); the short receives 0.099999.
    const first = sim.fundingSchedule.nextAfter();
    setRates(sim, '0.0001', 0.0008);
    assert.equal(sim.fundingSchedule.advanceTo(first).length, 6, 'one settlement per listed market on each venue');
    // The hour after: −2 bp. Now the long receives 0.01 · 99999.5 · 0.0002 = 0.199999 and the short pays it.
    setRates(sim, '-0.0002', -0.0016);
    assert.equal(sim.fundingSchedule.advanceTo(first + 3_600_000).length, 6);

    assert.equal(await bot.stop(), 0);
    const paid = { backpack: sim.margin.backpack.funding(sim.accounts.backpack, 'BTC'), lighter: sim.margin.lighter.funding(sim.accounts.lighter, 'BTC') };
    assert.deepEqual(paid, { backpack: -100_000n + 199_999n, lighter: 99_999n - 199_999n }, "the simulators' own books");

    assert.ok(summary?.funding !== undefined && summary.pnl !== undefined);
    assert.deepEqual(summary.funding.venues, { backpack: SimMargin.format(paid.backpack), lighter: SimMargin.format(paid.lighter) });
    assert.deepEqual(summary.funding.venues, { backpack: '0.099999', lighter: '-0.100000' });
    assert.deepEqual(summary.funding.byMarket, { BTC: { backpack: '0.099999', lighter: '-0.100000' } });
    assert.equal(summary.funding.total, '-0.000001');
    assert.equal(summary.funding.payments, 4);
    assert.equal(summary.pnl.funding.total, '-0.000001');

    // One CSV row per settlement, oldest first, each on its venue's column.
    const rows = fundingRows(bot.logDir);
    assert.deepEqual(
      rows.filter((r) => r.direction === 'FUNDING_BACKPACK'),
      [
        { direction: 'FUNDING_BACKPACK', backpack: '-0.100000', lighter: '', rate: '0.0001' },
        { direction: 'FUNDING_BACKPACK', backpack: '0.199999', lighter: '', rate: '-0.0002' },
      ],
    );
    assert.deepEqual(
      rows.filter((r) => r.direction === 'FUNDING_LIGHTER'),
      [
        { direction: 'FUNDING_LIGHTER', backpack: '', lighter: '0.099999', rate: '0.0001' },
        { direction: 'FUNDING_LIGHTER', backpack: '', lighter: '-0.199999', rate: '-0.0002' },
      ],
    );

    const log = readLog(bot.logDir);
    assert.match(log, /summary: funding +-0\.000001 USDC = Backpack \+0\.099999 USDC, Lighter -0\.100000 USDC/);
    assert.match(log, /summary: realised PnL .* -0\.0000 USDC funding /);
    assert.match(log, /funding: Backpack BTC_USDC_PERP charged us 0\.100000 at rate 0\.0001/);
    assert.match(log, /funding: Lighter BTC charged us 0\.199999 at rate -0\.0002/);
  } finally {
    await bot.stop();
    await sim.stop();
  }
});

test('at start-up: the current and predicted rates, and what the hedged positions found cost or earn per day, exactly', async () => {
  const sim = await simVenues();
  heldHedge(sim);
  setRates(sim, '0.0001', 0.0016);
  // Lighter's estimate of its next hourly payment, in percent as market_stats prints it: 0.0150 % = 0.00015.
  sim.funding.lighterPredicted.set(1, '0.0150');
  const bot = startBot(sim, ['--max-position', '0.01']);
  try {
    await bot.engine;
    await until('the funding lines', () => readLog(bot.logDir).includes('funding per day'));
    const lines = readLog(bot.logDir)
      .split('\n')
      .filter((l) => / funding (now|per day)/.test(l))
      .map((l) => l.slice(l.indexOf('funding ')));
    // Both predictions are for the next hourly settlement.
    const times = [...lines[0]!.matchAll(/for (\S+Z) /g)].map((m) => Date.parse(m[1]!));
    assert.equal(times.length, 2);
    for (const t of times) assert.equal(t % 3_600_000, 0);
    // Backpack: −0.01 · 99999.5 · 0.0001 · 24 = −2.399988; Lighter: +0.01 · 99999.5 · 0.0016 · 3 = +4.799976.
    assert.deepEqual(
      [lines[0]!.replace(/for \S+Z /g, 'for T '), lines[1]],
      [
        "funding now: Backpack BTC_USDC_PERP 0.0001 per 1 h, predicted 0.0001 per 1 h for T (markPrices fundingRate); Lighter BTC 0.0016 per 8 h, settled every 1 h, predicted 0.00015 per 1 h for T (market_stats current_funding_rate) (a positive rate: longs pay shorts — Lighter's documents; Backpack's do not say, read the same way)",
        'funding per day at these rates on the positions held, at the mids: Backpack 0.01000 costs 2.399988 USDC/day; Lighter -0.01000 earns 4.799976 USDC/day; net +2.399988 USDC/day',
      ],
    );
  } finally {
    await bot.stop();
    await sim.stop();
  }
});

test('a malformed funding history is one warning per venue and loses nothing: the next read counts every settlement', async () => {
  const sim = await simVenues();
  heldHedge(sim);
  setRates(sim, '0.0001', 0.0008);
  const bot = startBot(sim, ['--max-position', '0.01']);
  try {
    const engine = await bot.engine;
    let summary: RunSummary | undefined;
    void engine.stopped.then((s) => (summary = s));
    sim.fundingSchedule.advanceTo(sim.fundingSchedule.nextAfter());
    sim.faults.backpack.malformedFundingReplies = 1;
    sim.faults.lighter.malformedFundingReplies = 1;
    assert.equal(await bot.stop(), 0);
    assert.equal(sim.faults.backpack.malformedFundingReplies, 0, 'Backpack served its malformed reply');
    assert.equal(sim.faults.lighter.malformedFundingReplies, 0, 'Lighter served its malformed reply');
    const log = readLog(bot.logDir).split('\n');
    assert.equal(log.filter((l) => l.includes('funding: Backpack payments unavailable')).length, 1);
    assert.equal(log.filter((l) => l.includes('funding: Lighter payments unavailable')).length, 1);
    assert.ok(log.some((l) => /Backpack funding history refused: .*quantity/.test(l)));
    assert.ok(log.some((l) => l.includes('Lighter positionFunding refused: ')));
    assert.deepEqual(summary?.funding?.venues, { backpack: '-0.100000', lighter: '0.099999' });
    assert.deepEqual(
      fundingRows(bot.logDir)
        .map((r) => `${r.direction} ${r.backpack}${r.lighter}`)
        .sort(),
      ['FUNDING_BACKPACK -0.100000', 'FUNDING_LIGHTER 0.099999'],
    );
  } finally {
    await bot.stop();
    await sim.stop();
  }
});
