// `scan` against both simulated venues with several markets: ETH's spread pays (long Backpack),
// BTC's never does, SOL's books are empty, and PEPE is quoted in thousands (kPEPE_USDC_PERP on
// Backpack, 1000PEPE on Lighter, on different grids) and pays the other way. The books are static,
// so every sample is the same and the figures are exact whatever the number of samples.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { silentLogger } from '../../src/core/log.js';
import { startSimVenues, type SimVenues } from '../../src/sim/index.js';
import { runScan, type ScanReport } from '../../src/scan/run.js';
import { CSV_COLUMNS, formatCsv, formatTable } from '../../src/scan/report.js';

let sim: SimVenues;
let report: ScanReport;

const FEES = { backpackTakerBps: 2.5, backpackMakerBps: 0, lighterTakerBps: 0, lighterMakerBps: 0 };

before(async () => {
  sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, scripted: true, fees: FEES, extraMarkets: ['PEPE'] });
  const e = sim.marketEngines;
  // ETH (2 price, 4 size decimals): Backpack ask 3500.00, Lighter bid 3505.00 → long Backpack pays.
  e.ETH.backpack.setHouseLiquidity([[349_900, 100_000]], [[350_000, 100_000]]);
  e.ETH.lighter.setHouseLiquidity([[350_500, 100_000]], [[350_600, 100_000]]);
  // BTC (1 price, 5 size decimals): the same book on both venues, 2.0 wide: never pays.
  e.BTC.backpack.setHouseLiquidity([[999_990, 1_000_000]], [[1_000_010, 1_000_000]]);
  e.BTC.lighter.setHouseLiquidity([[999_990, 1_000_000]], [[1_000_010, 1_000_000]]);
  // PEPE: Lighter ask 0.0120000 (7 decimals, sizes to 0.1 contract), Backpack bid 0.012030 (6 decimals, whole contracts).
  e.PEPE.lighter.setHouseLiquidity([[119_000, 10_000_000]], [[120_000, 10_000_000]]);
  e.PEPE.backpack.setHouseLiquidity([[12_030, 1_000_000]], [[12_050, 1_000_000]]);
  sim.funding.backpack.set('ETH_USDC_PERP', '0.0001');
  sim.funding.lighter.set(0, 0.00002);
  // Lighter's own estimate of ETH's next hourly payment, in percent as market_stats prints it.
  sim.funding.lighterPredicted.set(0, '0.0030');
  report = await runScan({
    backpackApiUrl: sim.backpack.apiUrl,
    lighterApiUrl: sim.lighter.apiUrl,
    lighterWsUrl: sim.lighter.wsUrl,
    tickers: [],
    durationMs: 300,
    intervalMs: 100,
    notional: '1000',
    backpackTakerFeeBps: 2.5,
    logger: silentLogger,
  });
});

after(async () => {
  await sim.stop();
});

test('every market both venues list is scanned and ranked: the paying ones first, the larger edge ahead at equal share', () => {
  assert.deepEqual(
    report.markets.map((m) => [m.asset, m.backpackSymbol, m.lighterSymbol, m.lighterMarketId, m.lighterContractInBackpack]),
    [
      ['PEPE', 'kPEPE_USDC_PERP', '1000PEPE', 3, '1'],
      ['ETH', 'ETH_USDC_PERP', 'ETH', 0, '1'],
      ['BTC', 'BTC_USDC_PERP', 'BTC', 1, '1'],
      ['SOL', 'SOL_USDC_PERP', 'SOL', 2, '1'],
    ],
  );
  for (const m of report.markets) {
    assert.ok(m.samples >= 1, `${m.asset} was sampled`);
    assert.equal(m.failedSamples, 0, `${m.asset}: ${m.errors.join('; ')}`);
    assert.equal(m.roundTripFeeBps, 5);
    assert.equal(m.backpackTakerFeeBps, 2.5);
    assert.equal(m.lighterTakerFeeBps, 0);
  }
  assert.deepEqual(report.refused, []);
});

test('a market whose spread pays: exact edge after the round-trip fees', () => {
  const eth = report.markets.find((m) => m.asset === 'ETH')!;
  // 1000 USD at 3500.00 → 0.2858 ETH for 1000.30; sold at 3505.00 for 1001.729: 14.285714 bps gross, 9.285714 after 5 bps of fees.
  assert.deepEqual(eth.longBackpack, {
    executable: eth.samples,
    beat: eth.samples,
    beatShare: 1,
    p50EdgeBps: 9.285714,
    p90EdgeBps: 9.285714,
    maxEdgeBps: 9.285714,
    bestGrossBps: 14.285714,
  });
  // The other way buys Lighter at 3506.00 and sells Backpack at 3499.00.
  assert.equal(eth.shortBackpack.beat, 0);
  assert.equal(eth.shortBackpack.beatShare, 0);
  assert.equal(eth.shortBackpack.p50EdgeBps, undefined);
  assert.equal(eth.shortBackpack.bestGrossBps, -19.965772);
  assert.deepEqual(eth.topDepthUsd, { backpackBid: 34990, backpackAsk: 35000, lighterBid: 35050, lighterAsk: 35060 });
  // Backpack 0.0001 per hour = 87.6 %/yr, Lighter 0.00002 per 8 h = 2.19 %/yr (its Binance line, twice that, is ignored).
  // Predicted: Backpack's one figure is its estimate too; Lighter's market_stats 0.0030 % for the hour = 0.00003 = 26.28 %/yr.
  assert.deepEqual(eth.funding, {
    backpackRate: 0.0001,
    backpackIntervalHours: 1,
    backpackAnnualPct: 87.6,
    lighterRate: 0.00002,
    lighterRatePeriodHours: 8,
    lighterAnnualPct: 2.19,
    annualDiffPct: 85.41,
    backpackPredictedRate: 0.0001,
    backpackPredictedAnnualPct: 87.6,
    lighterPredictedRate: 0.00003,
    lighterPredictedPeriodHours: 1,
    lighterPredictedAnnualPct: 26.28,
    predictedAnnualDiffPct: 61.32,
  });
});

test('a market that never pays, and one with empty books', () => {
  const btc = report.markets.find((m) => m.asset === 'BTC')!;
  // 0.01 BTC bought at 100001.0 and sold at 99999.0.
  for (const d of [btc.longBackpack, btc.shortBackpack]) {
    assert.deepEqual(d, { executable: btc.samples, beat: 0, beatShare: 0, p50EdgeBps: undefined, p90EdgeBps: undefined, maxEdgeBps: undefined, bestGrossBps: -0.199998 });
  }
  assert.deepEqual(btc.funding, {
    backpackRate: 0.0000125,
    backpackIntervalHours: 1,
    backpackAnnualPct: 10.95,
    lighterRate: 0.0000125,
    lighterRatePeriodHours: 8,
    lighterAnnualPct: 1.36875,
    annualDiffPct: 9.58125,
    // The simulator's default estimate: an eighth of 0.0000125 in percent, cut to four decimals as the venue prints it: 0.0001 % = 0.000001 an hour.
    backpackPredictedRate: 0.0000125,
    backpackPredictedAnnualPct: 10.95,
    lighterPredictedRate: 0.000001,
    lighterPredictedPeriodHours: 1,
    lighterPredictedAnnualPct: 0.876,
    predictedAnnualDiffPct: 10.074,
  });
  const sol = report.markets.find((m) => m.asset === 'SOL')!;
  assert.deepEqual(sol.longBackpack, { executable: 0, beat: 0, beatShare: 0, p50EdgeBps: undefined, p90EdgeBps: undefined, maxEdgeBps: undefined, bestGrossBps: undefined });
  assert.deepEqual(sol.topDepthUsd, { backpackBid: 0, backpackAsk: 0, lighterBid: 0, lighterAsk: 0 });
});

test('a market quoted in thousands on different grids: sizes on both grids, exact edge', () => {
  const pepe = report.markets.find((m) => m.asset === 'PEPE')!;
  // 1000 USD at 0.0120000 → 83333.34 contracts, rounded up to Backpack's whole contracts: 83334 for
  // 1000.008; sold at 0.012030 for 1002.50802: exactly 25 bps gross, 20 after fees.
  assert.deepEqual(pepe.shortBackpack, { executable: pepe.samples, beat: pepe.samples, beatShare: 1, p50EdgeBps: 20, p90EdgeBps: 20, maxEdgeBps: 20, bestGrossBps: 25 });
  assert.equal(pepe.longBackpack.beat, 0);
  assert.deepEqual(pepe.topDepthUsd, { backpackBid: 12030, backpackAsk: 12050, lighterBid: 11900, lighterAsk: 12000 });
});

test('--ticker picks markets by any venue name; the report renders as table and CSV', async () => {
  const picked = await runScan({
    backpackApiUrl: sim.backpack.apiUrl,
    lighterApiUrl: sim.lighter.apiUrl,
    lighterWsUrl: sim.lighter.wsUrl,
    tickers: ['1000PEPE', 'btc'],
    durationMs: 1,
    intervalMs: 1,
    notional: '1000',
    backpackTakerFeeBps: 2.5,
    logger: silentLogger,
  });
  assert.deepEqual(
    picked.markets.map((m) => m.asset),
    ['PEPE', 'BTC'],
  );
  const csv = formatCsv(report).split('\n');
  assert.equal(csv.length, 5);
  assert.equal(csv[0], CSV_COLUMNS.join(','));
  assert.equal(csv[1].split(',').length, CSV_COLUMNS.length);
  assert.match(
    csv[2],
    /^2,ETH,ETH_USDC_PERP,ETH,0,1,\d+,0,2\.5,0,5,1,9\.285714,9\.285714,9\.285714,14\.285714,0,,,,-19\.965772,34990,35000,35050,35060,0\.0001,1,87\.6,0\.00002,8,2\.19,85\.41,0\.0001,87\.6,0\.00003,1,26\.28,61\.32$/,
  );
  const table = formatTable(report).split('\n');
  assert.match(
    table.find((l) => /^4\s/.test(l))!,
    /^4\s+SOL\s+SOL_USDC_PERP \/ SOL\s+\d+\s+5\.00\s+no depth for the notional\s+no depth for the notional\s+0\/0\s+0\/0\s+10\.95\s+1\.37\s+9\.58\s+10\.95\s+0\.88\s+10\.07$/,
  );
  assert.match(table[3], /^2\s+ETH\s+ETH_USDC_PERP \/ ETH\s+\d+\s+5\.00\s+100\.0% 9\.3\/9\.3\/9\.3\s+0% \(best -20\.0 gross\)/);
});

test('the command refuses a ticker neither venue lists with the list both share, exit 2, and reads no key', async () => {
  // The command itself, as a trader runs it: no keys in its environment.
  const env = { PATH: process.env.PATH, BACKPACK_API_URL: sim.backpack.apiUrl, LIGHTER_API_URL: sim.lighter.apiUrl, LIGHTER_WS_URL: sim.lighter.wsUrl };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'scan', '--ticker', 'DOGE', '--duration', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stdout, '');
  assert.equal(stderr, 'error: DOGE is listed on neither venue. Markets both venues share: BTC, ETH, PEPE, SOL\n');
  assert.equal(code, 2);
});
