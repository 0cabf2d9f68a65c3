// The engine against two in-memory venues with different grids: Backpack prices at 1 decimal and
// sizes at 5, Lighter prices at 2 and sizes at 4. Every scenario ends by checking that the trades
// CSV's signed quantities add up, per venue, exactly to what that venue filled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import type { Config } from '../../src/cli/config.js';
import { engineSettings, flagOf } from '../../src/cli/settings.js';
import { ParamError } from '../../src/core/param-error.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine, type EngineOptions } from '../../src/engine/index.js';
import type { LegResult } from '../../src/venues/venue.js';
import { FakeVenue, partialFill, rejected, takerFill, unknownOutcome } from './fake-venue.js';
import { settled as idle, waitFor } from './clocked.js';

// Backpack BTC: tick 0.1, step 0.00001, taker 2.5 bps. Lighter BTC: tick 0.01, step 0.0001, fee-free.
const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 2, sizeScale: 4, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

// Books as [bids, asks]. Sizes: 1 BTC on Backpack (100_000 units), 1 BTC on Lighter (10_000 units).
type Book = [Array<[number, number]>, Array<[number, number]>];
const BP_CALM: Book = [[[999_990, 100_000]], [[1_000_000, 100_000]]]; // 99999.0 / 100000.0
const LT_CALM: Book = [[[9_999_900, 10_000]], [[10_000_000, 10_000]]]; // 99999.00 / 100000.00
const LT_RICH: Book = [[[10_004_000, 10_000]], [[10_004_100, 10_000]]]; // Lighter bid 100040.00: long Backpack, 40 > 25 of fees
const BP_RICH: Book = [[[1_000_400, 100_000]], [[1_000_410, 100_000]]]; // Backpack bid 100040.0: short Backpack

interface Rig {
  backpack: FakeVenue;
  lighter: FakeVenue;
  engine: ArbEngine;
  logger: MemoryLogger;
  config: Config;
  clock: FakeClock;
}

function rig(flags: string[] = [], timings: EngineOptions['timings'] = {}, setup?: (bp: FakeVenue, lt: FakeVenue) => void): Rig {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-engine-'), ...flags], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const config: Config = { ...parsed.config, checkIntervalMs: 10 };
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook(...BP_CALM);
  lighter.setBook(...LT_CALM);
  setup?.(backpack, lighter);
  const logger = new MemoryLogger();
  const engine = new ArbEngine({
    settings: engineSettings(config),
    backpack,
    lighter,
    logger,
    clock,
    timings: { resolveDeadlineMs: 60, repairDeadlineMs: 400, lateResolveEveryMs: 20, ...timings },
  });
  return { backpack, lighter, engine, logger, config, clock };
}

function start(r: Rig): Promise<boolean> {
  return r.clock.runUntil(r.engine.start(), 'start');
}

function stop(r: Rig, reason = 'test') {
  return r.clock.runUntil(r.engine.stop(reason), 'stop');
}

/** A new frame on each venue, both books changed before either is announced (no mixed state in between). */
function frame(r: Rig, bp: Book, lt: Book): void {
  r.backpack.book.applySnapshot(...bp);
  r.lighter.book.applySnapshot(...lt);
  r.backpack.touch();
  r.lighter.touch();
}

/** The engine has nothing in flight. */
function settled(r: Rig): Promise<void> {
  return idle(r.clock, r.engine);
}

function csv(dir: string, prefix: 'trades_' | 'bbo_'): Array<Record<string, string>> {
  const file = readdirSync(dir).find((f) => f.startsWith(prefix));
  assert.ok(file, `${prefix} file exists`);
  const [header, ...lines] = readFileSync(join(dir, file), 'utf8').trim().split('\n');
  const columns = header.split(',');
  return lines.filter((l) => l !== '').map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
}

/** Σ signed quantity of a venue's column over the trades CSV, at the venue's size scale (exact). */
function csvNet(rows: Array<Record<string, string>>, venue: 'backpack' | 'lighter', scale: number): number {
  let net = 0;
  for (const row of rows) {
    const q = row[`${venue}_quantity`];
    if (q === '') continue;
    const [whole, frac = ''] = q.split('.');
    assert.equal(frac.length, scale, `${q} is written at the venue's ${scale} decimals`);
    const units = Number(whole + frac);
    net += row[`${venue}_side`] === 'buy' ? units : -units;
  }
  return net;
}

function assertCsvMatchesFills(r: Rig): Array<Record<string, string>> {
  const rows = csv(r.config.logDir, 'trades_');
  assert.equal(csvNet(rows, 'backpack', BP.sizeScale), r.backpack.filledNet, 'trades CSV adds up to the Backpack fills');
  assert.equal(csvNet(rows, 'lighter', LT.sizeScale), r.lighter.filledNet, 'trades CSV adds up to the Lighter fills');
  return rows;
}

test('trades both directions on executable prices; exact CSV headers, telemetry, rows that add up to the fills', async () => {
  const r = rig(['--bbo-interval', '0.01']);
  await start(r);
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'long trade', () => r.lighter.orders.length === 1);
  await settled(r);
  assert.deepEqual(r.backpack.orders, [{ side: 'buy', size: 1000, worstPrice: 1_002_000 }]);
  // 100040.00 less 20 bps = 99839.92, on Lighter's 0.01 tick.
  assert.deepEqual(r.lighter.orders, [{ side: 'sell', size: 100, worstPrice: 9_983_992 }]);
  assert.deepEqual(r.engine.positions(), { backpack: 1000, lighter: -100 });
  frame(r, BP_RICH, LT_CALM);
  await waitFor(r.clock, 'short trade', () => r.lighter.orders.length === 2);
  await settled(r);
  assert.deepEqual(r.backpack.orders[1], { side: 'sell', size: 1000, worstPrice: 998_399 }); // 100040.0 less 20 bps = 99839.92, down to the 0.1 tick
  assert.deepEqual(r.lighter.orders[1], { side: 'buy', size: 100, worstPrice: 10_020_000 });
  // The timer (every 10 ms) writes a BBO row every 10 ms: 50 ms of clock, five rows.
  const bboRows = () => csv(r.config.logDir, 'bbo_').length;
  const rowsBefore = bboRows();
  await r.clock.advance(50);
  assert.equal(bboRows() - rowsBefore, 5);
  const { pnl, ...summary } = await stop(r);
  // Flat at the end: everything is realised, the spread less the fees.
  assert.deepEqual([Math.round(pnl!.realisedNet * 1e6) / 1e6, pnl!.spreadCapturedGross, pnl!.unrealisedAtMid], [0.2999, 0.8, 0]);
  assert.deepEqual(
    {
      ...summary,
      estimatedPnl: Math.round(summary.estimatedPnl * 1e6) / 1e6,
      fees: Math.round(summary.fees * 1e6) / 1e6,
      spreadCaptured: Math.round(summary.spreadCaptured! * 1e6) / 1e6,
    },
    // Each trade captures 40 × 0.01 = 0.40 and pays 2.5 bps of 1000 on Backpack (0.25 then 0.2501).
    { trades: 2, successes: 2, failures: 0, repairs: 0, estimatedPnl: 0.2999, fees: 0.5001, spreadCaptured: 0.8, positions: { backpack: '0.00000', lighter: '0.0000' } },
  );

  const trades = readFileSync(
    join(
      r.config.logDir,
      readdirSync(r.config.logDir).find((f) => f.startsWith('trades_BTC_'))!,
    ),
    'utf8',
  ).split('\n');
  assert.equal(
    trades[0],
    'timestamp,direction,quantity,backpack_side,backpack_price,lighter_side,lighter_price,spread_captured,pnl_estimate,' +
      'backpack_quantity,lighter_quantity,raw_spread,executable_spread,backpack_fee,lighter_fee,net_pnl,backpack_state,lighter_state,' +
      'backpack_send_ms,lighter_send_ms,backpack_confirm_ms,lighter_confirm_ms,kind,backpack_client_id,lighter_client_id,backpack_funding,lighter_funding,funding_rate,backpack_worst_price,lighter_worst_price,mode',
  );
  const bbo = readFileSync(
    join(
      r.config.logDir,
      readdirSync(r.config.logDir).find((f) => f.startsWith('bbo_BTC_'))!,
    ),
    'utf8',
  ).split('\n');
  assert.equal(
    bbo[0],
    'timestamp,backpack_bid,backpack_ask,lighter_bid,lighter_ask,long_spread,short_spread,signal,long_executable_spread,short_executable_spread,backpack_book_age_ms,lighter_book_age_ms,mode',
  );
  assert.ok(bbo.length > 6, 'BBO rows are written on the timer');
  assert.match(bbo[1], /^\d{4}-\d\d-\d\dT[^,]+,\d+\.\d,\d+\.\d,\d+\.\d\d,\d+\.\d\d,/);

  const rows = assertCsvMatchesFills(r);
  assert.equal(rows.length, 2);
  const [long, short] = rows;
  assert.deepEqual(
    [
      long.direction,
      long.quantity,
      long.backpack_side,
      long.backpack_price,
      long.lighter_side,
      long.lighter_price,
      long.backpack_quantity,
      long.lighter_quantity,
      long.raw_spread,
      long.executable_spread,
      long.spread_captured,
      long.backpack_state,
      long.lighter_state,
      long.kind,
    ],
    ['LONG_BACKPACK', '0.01', 'buy', '100000.000', 'sell', '100040.0000', '0.01000', '0.0100', '40.0000', '40.0000', '40.0000', 'filled', 'filled', 'entry'],
  );
  assert.deepEqual([short.direction, short.backpack_side, short.lighter_side, short.backpack_state, short.lighter_state], ['SHORT_BACKPACK', 'sell', 'buy', 'filled', 'filled']);
  for (const row of rows) {
    for (const col of ['backpack_send_ms', 'lighter_send_ms', 'backpack_confirm_ms', 'lighter_confirm_ms']) {
      assert.match(row[col], /^\d+\.\d{3}$/, `${col} is a latency in ms`);
    }
    assert.ok(Number(row.backpack_send_ms) <= Number(row.backpack_confirm_ms));
  }
  assert.ok(
    r.logger.lines.some((l) => /LONG_BACKPACK done: .* sent \d+\.\d{3}\/\d+\.\d{3} ms, confirmed \d+\.\d{3}\/\d+\.\d{3} ms after the frame/.test(l)),
    'telemetry in the log',
  );
});

test('between frames each venue signs ahead both legs an entry would send; the leg whose book did not move is exactly that order', async () => {
  const r = rig();
  await start(r);
  frame(r, BP_CALM, LT_CALM);
  await settled(r);
  const last = (v: FakeVenue, side: 'buy' | 'sell') => v.prepared.filter((q) => q.side === side).at(-1);
  // On the calm books: Backpack buys up to 100000.0 + 20 bps, sells down to 99999.0 − 20 bps (0.1 tick); Lighter alike on 0.01.
  assert.deepEqual(
    [last(r.backpack, 'buy'), last(r.backpack, 'sell')],
    [
      { side: 'buy', size: 1000, worstPrice: 1_002_000 },
      { side: 'sell', size: 1000, worstPrice: 997_990 },
    ],
  );
  assert.deepEqual(
    [last(r.lighter, 'buy'), last(r.lighter, 'sell')],
    [
      { side: 'buy', size: 100, worstPrice: 10_020_000 },
      { side: 'sell', size: 100, worstPrice: 9_979_900 },
    ],
  );
  const preparedBefore = r.backpack.prepared.length;
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'long trade', () => r.lighter.orders.length === 1);
  assert.deepEqual(r.backpack.orders[0], last(r.backpack, 'buy'), 'Backpack did not move: its leg is the one signed ahead');
  await settled(r);
  frame(r, BP_CALM, LT_CALM);
  await settled(r);
  assert.ok(r.backpack.prepared.length > preparedBefore, 'signed ahead again on the next frames once the trade is over');
  assert.deepEqual(last(r.lighter, 'sell'), { side: 'sell', size: 100, worstPrice: 9_979_900 });
  await stop(r);
});

test('between frames a book that moved without moving a bound hands the very order handed before (nothing new is built); a moved bound hands a new one', async () => {
  const r = rig();
  await start(r);
  frame(r, BP_CALM, LT_CALM);
  await settled(r);
  const last = (v: FakeVenue, kind: 'book' | 'threshold', side: 'buy' | 'sell') => (kind === 'book' ? v.prepared : v.preparedAtThreshold).filter((q) => q.side === side).at(-1)!;
  const kinds = ['book', 'threshold'] as const;
  const sides = ['buy', 'sell'] as const;
  const before = [r.backpack, r.lighter].flatMap((v) => kinds.flatMap((k) => sides.map((s) => last(v, k, s))));
  // Both books move (other sizes at the same prices, still more than --size): every order stays as it was.
  frame(r, [[[999_990, 90_000]], [[1_000_000, 80_000]]], [[[9_999_900, 9_000]], [[10_000_000, 8_000]]]);
  await settled(r);
  const after = [r.backpack, r.lighter].flatMap((v) => kinds.flatMap((k) => sides.map((s) => last(v, k, s))));
  after.forEach((order, i) => assert.equal(order, before[i], `order ${i} is the same object`));
  // Backpack's ask rises a tick: its book buy has a new bound, and so has Lighter's threshold sell; the rest stand.
  frame(r, [[[999_990, 90_000]], [[1_000_010, 80_000]]], [[[9_999_900, 9_000]], [[10_000_000, 8_000]]]);
  await settled(r);
  assert.deepEqual(last(r.backpack, 'book', 'buy'), { side: 'buy', size: 1000, worstPrice: 1_002_011 });
  assert.notEqual(last(r.backpack, 'book', 'buy'), before[0]);
  assert.equal(last(r.backpack, 'book', 'sell'), before[1]);
  assert.notEqual(last(r.lighter, 'threshold', 'sell'), before[7]);
  assert.equal(last(r.lighter, 'threshold', 'buy'), before[6]);
  assert.equal(last(r.lighter, 'book', 'buy'), before[4]);
  await stop(r);
});

test('a moved book trades with the leg held at the threshold bound: neither leg is signed on the deciding turn, on either venue', async () => {
  // Lighter's bid jumps: LONG_BACKPACK. Against the Backpack buy of 0.01 at 100000.0, the Lighter
  // sell only just passes at 100025.01 (the 2.5 bps Backpack fee decides over --long-threshold 5):
  // its bound is 100025.01 − 20 bps = 99824.95. Backpack's book did not move: its book order goes.
  const long = rig([], {}, (bp, lt) => (bp.holdSigned = lt.holdSigned = true));
  await start(long);
  frame(long, BP_CALM, LT_CALM);
  await settled(long);
  assert.deepEqual(long.lighter.preparedAtThreshold.filter((q) => q.side === 'sell').at(-1), { side: 'sell', size: 100, worstPrice: 9_982_495 });
  frame(long, BP_CALM, LT_RICH);
  await waitFor(long.clock, 'long trade', () => long.lighter.orders.length === 1);
  assert.deepEqual(long.lighter.orders[0], { side: 'sell', size: 100, worstPrice: 9_982_495 }, 'the held threshold bound, not the fresh 99839.92');
  assert.deepEqual(long.backpack.orders[0], { side: 'buy', size: 1000, worstPrice: 1_002_000 });
  assert.deepEqual([long.backpack.signedOnSend, long.lighter.signedOnSend], [0, 0], 'both legs were held signed ahead');
  await settled(long);
  const done = await stop(long);
  assert.deepEqual([done.trades, done.successes], [1, 1]);

  // Backpack's bid jumps: SHORT_BACKPACK. Against the Lighter buy of 0.01 at 100000.00, the Backpack
  // sell only just passes at 100025.1 (its own fee grows with its price): bound 100025.1 − 20 bps = 99825.0.
  const short = rig([], {}, (bp, lt) => (bp.holdSigned = lt.holdSigned = true));
  await start(short);
  frame(short, BP_CALM, LT_CALM);
  await settled(short);
  frame(short, BP_RICH, LT_CALM);
  await waitFor(short.clock, 'short trade', () => short.backpack.orders.length === 1);
  assert.deepEqual(short.backpack.orders[0], { side: 'sell', size: 1000, worstPrice: 998_250 });
  assert.deepEqual(short.lighter.orders[0], { side: 'buy', size: 100, worstPrice: 10_020_000 });
  assert.deepEqual([short.backpack.signedOnSend, short.lighter.signedOnSend], [0, 0]);
  await stop(short);
});

test('a held threshold bound that the other venue’s move made too loose is not sent; --sign-ahead-bound book holds no threshold order', async () => {
  // Both books move in one turn: Backpack's ask rises to 100001.0 (so the Lighter sell must now reach
  // about 100026.0, a tighter bound than the 99824.95 held) as Lighter's bid jumps to 100040.00.
  const BP_UP: Book = [[[1_000_000, 100_000]], [[1_000_010, 100_000]]];
  const r = rig([], {}, (bp, lt) => (bp.holdSigned = lt.holdSigned = true));
  await start(r);
  frame(r, BP_CALM, LT_CALM);
  await settled(r);
  assert.deepEqual(r.lighter.heldBounds('sell', 100), [9_979_900, 9_982_495]);
  frame(r, BP_UP, LT_RICH);
  await waitFor(r.clock, 'long trade', () => r.lighter.orders.length === 1);
  // Fresh bounds: Lighter 100040.00 − 20 bps = 99839.92; Backpack 100001.0 + 20 bps = 100201.1 (held: 100200.0, too tight).
  assert.deepEqual(r.lighter.orders[0], { side: 'sell', size: 100, worstPrice: 9_983_992 });
  assert.deepEqual(r.backpack.orders[0], { side: 'buy', size: 1000, worstPrice: 1_002_011 });
  assert.deepEqual([r.backpack.signedOnSend, r.lighter.signedOnSend], [1, 1]);
  await stop(r);

  const strict = rig(['--sign-ahead-bound', 'book'], {}, (bp, lt) => (bp.holdSigned = lt.holdSigned = true));
  await start(strict);
  frame(strict, BP_CALM, LT_CALM);
  await settled(strict);
  assert.deepEqual([strict.backpack.preparedAtThreshold, strict.lighter.preparedAtThreshold], [[], []]);
  frame(strict, BP_CALM, LT_RICH);
  await waitFor(strict.clock, 'long trade', () => strict.lighter.orders.length === 1);
  assert.deepEqual(strict.lighter.orders[0], { side: 'sell', size: 100, worstPrice: 9_983_992 }, 'signed on the deciding turn at the fresh bound, as before');
  assert.deepEqual(strict.backpack.orders[0], { side: 'buy', size: 1000, worstPrice: 1_002_000 });
  assert.deepEqual([strict.backpack.signedOnSend, strict.lighter.signedOnSend], [0, 1]);
  await stop(strict);
});

test('thresholds are strictly greater, on the exact common scale', async () => {
  // Fee-free, so the threshold alone decides: Lighter bid exactly 40 above the Backpack ask does not trade.
  const r = rig(['--long-threshold', '40', '--backpack-taker-fee-bps', '0']);
  await start(r);
  frame(r, BP_CALM, [[[10_004_000, 10_000]], [[10_004_100, 10_000]]]);
  await r.clock.advance(30);
  assert.equal(r.backpack.orders.length + r.lighter.orders.length, 0, 'equal to the threshold: no trade');
  frame(r, BP_CALM, [[[10_004_001, 10_000]], [[10_004_100, 10_000]]]); // 40.01 above
  await waitFor(r.clock, 'trade', () => r.lighter.orders.length === 1);
  await stop(r);
  assertCsvMatchesFills(r);
});

test('decisions use the VWAP that fills --size, and a spread that does not pay the fees is skipped', async () => {
  const r = rig();
  await start(r);
  // Top of book 40 apart, but only 0.002 at 100000.0: the VWAP for 0.01 is 100028.0, 12 < 25 of fees.
  frame(
    r,
    [
      [[999_990, 100_000]],
      [
        [1_000_000, 200],
        [1_000_350, 100_000],
      ],
    ],
    LT_RICH,
  );
  await r.clock.advance(30);
  frame(r, BP_CALM, LT_CALM); // that opportunity is over
  await r.clock.advance(10);
  // 20 above at the top with ample depth: pays 20 × 0.01 but costs 25 × 0.01 in fees.
  frame(r, BP_CALM, [[[10_002_000, 10_000]], [[10_002_100, 10_000]]]);
  await r.clock.advance(30);
  assert.equal(r.backpack.orders.length + r.lighter.orders.length, 0);
  const skipped = r.logger.lines.filter((l) => l.includes('skipped'));
  assert.deepEqual(
    skipped.map((l) => l.replace(/ \(edge.*/, '')),
    ['INFO skipped: LONG_BACKPACK spread 12.00 does not pay the fees', 'INFO skipped: LONG_BACKPACK spread 20.00 does not pay the fees'],
  );
  // Not enough depth to fill --size at all: no trade.
  frame(r, [[[999_990, 100_000]], [[1_000_000, 500]]], LT_RICH);
  await r.clock.advance(30);
  assert.equal(r.backpack.orders.length, 0);
  await stop(r);
});

test('--max-position holds on both venues after the trade', async () => {
  const r = rig(['--max-position', '0.01']);
  await start(r);
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'first long', () => r.lighter.orders.length === 1);
  await settled(r);
  frame(r, BP_CALM, LT_RICH); // the opportunity lasts, but another long would make 0.02 on each venue
  await r.clock.advance(40);
  assert.equal(r.backpack.orders.length, 1);
  frame(r, BP_RICH, LT_CALM); // a short brings both back towards zero: allowed
  await waitFor(r.clock, 'short', () => r.lighter.orders.length === 2);
  await settled(r);
  frame(r, BP_RICH, LT_CALM); // flat now: one more short to −0.01 is allowed, a second is not
  await waitFor(r.clock, 'second short', () => r.lighter.orders.length === 3);
  await settled(r);
  frame(r, BP_RICH, LT_CALM);
  await r.clock.advance(40);
  assert.equal(r.lighter.orders.length, 3);
  const summary = await stop(r);
  assert.deepEqual(summary.positions, { backpack: '-0.01000', lighter: '0.0100' });
  assertCsvMatchesFills(r);
});

test('an invalid, crossed or stale book blocks trading until it is good again', async () => {
  const r = rig(['--max-book-age-ms', '50']);
  await start(r);
  r.backpack.setStatus({ bookValid: false });
  frame(r, BP_CALM, LT_RICH);
  await r.clock.advance(30);
  r.backpack.setStatus({ bookValid: true });
  frame(r, [[[1_000_010, 100_000]], [[1_000_000, 100_000]]], LT_RICH); // Backpack bid above its ask
  await r.clock.advance(30);
  assert.equal(r.backpack.orders.length + r.lighter.orders.length, 0, 'no order on an invalid or crossed book');
  frame(r, BP_CALM, LT_CALM);
  await r.clock.advance(80);
  r.lighter.setBook(...LT_RICH); // Backpack's last frame is 80 ms old: stale
  await r.clock.advance(20);
  assert.equal(r.backpack.orders.length, 0, 'no order on a stale book');
  assert.ok(r.logger.lines.some((l) => l === 'WARN backpack book is stale (no frame for 50 ms); no decisions on it'));
  r.backpack.touch();
  await waitFor(r.clock, 'trade once fresh', () => r.backpack.orders.length === 1);
  await stop(r);
  assertCsvMatchesFills(r);
});

test('one leg rejected: the missing quantity is sent again and the repair gets its own row', async () => {
  const r = rig();
  await start(r);
  r.lighter.outcomes.push(rejected('price band'));
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'repair', () => r.lighter.orders.length === 2);
  await settled(r);
  assert.deepEqual(r.lighter.orders[1], { side: 'sell', size: 100, worstPrice: 9_963_984, reduceOnly: false, purpose: 'repair' }, 'the same sell again, 40 bps bound');
  const summary = await stop(r);
  assert.deepEqual([summary.trades, summary.successes, summary.failures, summary.repairs], [1, 0, 1, 1]);
  assert.deepEqual(summary.positions, { backpack: '0.01000', lighter: '-0.0100' });
  const rows = assertCsvMatchesFills(r);
  assert.deepEqual(
    rows.map((x) => [x.kind, x.direction, x.backpack_side, x.backpack_quantity, x.backpack_state, x.lighter_side, x.lighter_quantity, x.lighter_state]),
    [
      ['entry', 'LONG_BACKPACK', 'buy', '0.01000', 'filled', 'sell', '0.0000', 'rejected'],
      ['repair', 'REPAIR_LIGHTER', '', '', '', 'sell', '0.0100', 'filled'],
    ],
  );
});

test("a residual below both venues' minimum order is reported once with what to do, not every repair round; entries halt", async () => {
  const r = rig([], {}, (bp, lt) => {
    Object.assign(bp, { market: { ...BP, minSize: 100 } }); // 0.001
    Object.assign(lt, { market: { ...LT, minSize: 10 } }); // 0.001
  });
  await start(r);
  r.lighter.outcomes.push(partialFill(95)); // 0.0005 short of the hedge
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'halted', () => r.logger.lines.some((l) => l.includes('ENTRIES HALTED: net exposure')), 3000);
  await r.clock.advance(900); // more repair rounds on the timer
  const dust = r.logger.lines.filter((l) => l.includes('below the minimum order'));
  assert.deepEqual(dust, [
    'WARN lighter: residual 0.0005 is below the minimum order 0.0010; no order can close it — close it by hand on the venue',
    'WARN backpack: residual 0.00050 is below the minimum order 0.00100; no order can close it — close it by hand on the venue',
  ]);
  assert.deepEqual([r.backpack.orders.length, r.lighter.orders.length], [1, 1], 'no order below the minimum was sent');
  await stop(r);
});

test('a leg that keeps being rejected: after the bounded retries the excess is unwound reduce-only', async () => {
  const r = rig([], { repairRetries: 2 });
  await start(r);
  r.lighter.fallback = rejected('market closed');
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'unwind', () => r.backpack.orders.length === 2);
  await settled(r);
  assert.equal(r.lighter.orders.length, 3, 'entry + 2 retries');
  assert.deepEqual(r.backpack.orders[1], { side: 'sell', size: 1000, worstPrice: 995_990, reduceOnly: true, purpose: 'repair' });
  const summary = await stop(r);
  assert.deepEqual(summary.positions, { backpack: '0.00000', lighter: '0.0000' });
  assert.equal(summary.halted, undefined);
  const rows = assertCsvMatchesFills(r);
  assert.deepEqual(
    rows.map((x) => x.direction),
    ['LONG_BACKPACK', 'REPAIR_LIGHTER', 'REPAIR_LIGHTER', 'REPAIR_BACKPACK'],
  );
});

test('a partial fill: the rest of the short leg is sent', async () => {
  const r = rig();
  await start(r);
  r.lighter.outcomes.push(partialFill(60));
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'repair', () => r.lighter.orders.length === 2);
  await settled(r);
  assert.equal(r.lighter.orders[1].size, 40);
  const summary = await stop(r);
  assert.deepEqual(summary.positions, { backpack: '0.01000', lighter: '-0.0100' });
  const rows = assertCsvMatchesFills(r);
  assert.deepEqual(
    rows.map((x) => [x.lighter_quantity, x.lighter_state]),
    [
      ['0.0060', 'partial'],
      ['0.0040', 'filled'],
    ],
  );
});

test('an unknown leg resolved by lookup before the deadline needs no repair', async () => {
  const r = rig([], { resolveDeadlineMs: 500 });
  await start(r);
  r.lighter.outcomes.push(unknownOutcome(100));
  let asked = 0;
  r.lighter.resolve = (leg: LegResult) =>
    ++asked < 2 ? leg : { ...leg, state: 'filled', filled: 100, notional: 100 * 10_004_000, error: undefined, confirmedAt: r.clock.monoMs() };
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'resolved', () => asked >= 2);
  await settled(r);
  const summary = await stop(r);
  assert.deepEqual([summary.successes, summary.repairs], [1, 0]);
  assert.deepEqual(summary.positions, { backpack: '0.01000', lighter: '-0.0100' });
  assert.deepEqual(
    assertCsvMatchesFills(r).map((x) => x.lighter_state),
    ['filled'],
  );
});

test('repairs that keep failing halt entries loudly; the engine keeps flattening and resumes once flat', async () => {
  const r = rig([], { repairRetries: 1, repairDeadlineMs: 150, killSwitch: { cooldownMs: 100 } });
  await start(r);
  r.lighter.fallback = rejected('market closed');
  r.backpack.outcomes.push(takerFill); // the entry's Backpack buy fills…
  r.backpack.fallback = rejected('maintenance'); // …then every unwind is refused
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'halt', () => r.logger.lines.some((l) => l.startsWith('ERROR ENTRIES HALTED: net exposure 0.01000 still open after repairs')));
  const unwindsBefore = r.backpack.orders.length;
  await r.clock.advance(200);
  assert.ok(r.backpack.orders.length > unwindsBefore, 'still trying to flatten while halted');
  assert.ok(r.backpack.orders.slice(1).every((o) => o.reduceOnly === true && o.side === 'sell'));
  r.lighter.fallback = takerFill;
  r.backpack.fallback = takerFill;
  await waitFor(r.clock, 'flat', () => r.backpack.venuePosition === 0);
  await settled(r);
  // Cooldown over and flat: a new opportunity trades again.
  await r.clock.advance(120);
  const before = r.lighter.orders.length;
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'entries resume', () => r.lighter.orders.length === before + 1);
  await settled(r);
  assert.ok(r.logger.lines.some((l) => l.startsWith('INFO entries resume')));
  const summary = await stop(r);
  assert.deepEqual(summary.positions, { backpack: '0.01000', lighter: '-0.0100' });
  assertCsvMatchesFills(r);
});

test('kill switch: repeated failed trades halt entries; they resume after the cooldown with exposure flat', async () => {
  const r = rig([], { killSwitch: { failures: 2, windowMs: 10_000, cooldownMs: 250 } });
  await start(r);
  r.lighter.outcomes.push(rejected('one'), takerFill, rejected('two')); // each failed entry's retry fills
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'first repaired', () => r.lighter.orders.length === 2);
  await settled(r);
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'second repaired', () => r.lighter.orders.length === 4);
  await settled(r);
  assert.ok(
    r.logger.lines.some((l) => l.startsWith('ERROR ENTRIES HALTED: 2 failed trades within 10 s')),
    r.logger.lines.join('\n'),
  );
  frame(r, BP_CALM, LT_RICH);
  await r.clock.advance(40);
  assert.equal(r.lighter.orders.length, 4, 'halted: no entry');
  await r.clock.advance(250);
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'resumed', () => r.lighter.orders.length === 5);
  await settled(r);
  const summary = await stop(r);
  assert.deepEqual([summary.trades, summary.failures, summary.repairs], [3, 2, 2]);
  assertCsvMatchesFills(r);
});

test('kill switch: a venue that is unavailable halts entries until it is back', async () => {
  const r = rig();
  await start(r);
  r.lighter.setStatus({ available: false, detail: 'HTTP 503' });
  frame(r, BP_CALM, LT_RICH);
  await r.clock.advance(30);
  assert.equal(r.backpack.orders.length, 0);
  assert.ok(r.logger.lines.includes('ERROR ENTRIES HALTED: lighter unavailable: HTTP 503; resuming once it is back and exposure is flat'));
  r.lighter.setStatus({ available: true, detail: undefined });
  assert.ok(r.logger.lines.includes('INFO lighter is back; entries resume'));
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'trade', () => r.backpack.orders.length === 1);
  await stop(r);
  assertCsvMatchesFills(r);
});

test('start-up refuses unhedged positions in one clear line and leaves both venues stopped', async () => {
  const r = rig([], {}, (bp) => (bp.venuePosition = 1000));
  await assert.rejects(start(r), (e: Error) => {
    // The engine names the parameter; the command line shows it as its flag.
    assert.ok(e instanceof ParamError && e.kind === 'state');
    assert.equal(
      e.render(flagOf),
      "the venues' positions are not hedged (Backpack 0.01000, Lighter 0.0000, net 0.01000) — flatten them first, or start with --allow-unhedged-start to let the bot repair it",
    );
    return true;
  });
  assert.deepEqual([r.backpack.stopped, r.lighter.stopped], [1, 1]);
  assert.equal(r.backpack.orders.length, 0);
});

test('--allow-unhedged-start: the engine flattens the residual before any entry', async () => {
  const r = rig(['--allow-unhedged-start'], {}, (bp) => (bp.venuePosition = 1000));
  let confirm!: () => void;
  r.backpack.outcomes.push((req, leg, venue) => new Promise((res) => (confirm = () => res(takerFill(req, leg, venue) as LegResult))));
  await start(r);
  frame(r, BP_CALM, LT_RICH); // an opportunity while the start-up repair is in flight: not taken
  await r.clock.advance(30);
  assert.equal(r.lighter.orders.length, 0);
  confirm();
  await waitFor(r.clock, 'entry after the repair', () => r.lighter.orders.length === 1);
  await settled(r);
  assert.ok(r.logger.lines.some((l) => l.includes('--allow-unhedged-start given: repairing before any entry')));
  assert.deepEqual(
    r.backpack.orders.map((o) => [o.side, o.size, o.reduceOnly]),
    [
      ['sell', 1000, true],
      ['buy', 1000, undefined],
    ],
  );
  assert.equal(r.backpack.orders[0].worstPrice, 995_990); // 99999.0 less 40 bps, down to the tick
  const summary = await stop(r);
  assert.deepEqual(summary.positions, { backpack: '0.01000', lighter: '-0.0100' });
  assertCsvMatchesFills(r);
});

test('restart: an existing hedged position is picked up and counts towards the limits', async () => {
  const r = rig(['--max-position', '0.01'], {}, (bp, lt) => {
    bp.venuePosition = 1000;
    lt.venuePosition = -100;
  });
  await start(r);
  assert.ok(r.logger.lines.includes('INFO picked up a hedged position: Backpack 0.01000, Lighter -0.0100'));
  assert.deepEqual(r.engine.positions(), { backpack: 1000, lighter: -100 });
  frame(r, BP_CALM, LT_RICH); // another long would exceed the limit
  await r.clock.advance(40);
  assert.equal(r.backpack.orders.length, 0);
  frame(r, BP_RICH, LT_CALM);
  await waitFor(r.clock, 'short', () => r.backpack.orders.length === 1);
  await settled(r);
  const summary = await stop(r);
  assert.deepEqual(summary.positions, { backpack: '0.00000', lighter: '0.0000' });
});

test('a clean stop in the middle of a trade waits for the legs, records them and closes the files', async () => {
  const r = rig();
  await start(r);
  let confirm!: () => void;
  r.lighter.outcomes.push((req, leg, venue) => new Promise((res) => (confirm = () => res(takerFill(req, leg, venue) as LegResult))));
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'both legs sent', () => r.lighter.orders.length === 1 && r.backpack.orders.length === 1);
  const t0 = r.clock.monoMs();
  const stopping = r.engine.stop('SIGTERM');
  await r.clock.advance(50);
  frame(r, BP_CALM, LT_RICH); // no new entry while stopping
  confirm();
  const summary = await r.clock.runUntil(stopping);
  assert.ok(r.clock.monoMs() - t0 < 10_000);
  assert.deepEqual([summary.trades, summary.successes, summary.positions.backpack, summary.positions.lighter], [1, 1, '0.01000', '-0.0100']);
  assert.deepEqual([r.backpack.orders.length, r.lighter.orders.length, r.backpack.stopped, r.lighter.stopped], [1, 1, 1, 1]);
  assert.equal(await r.engine.stopped, summary);
  assert.ok(r.logger.lines.some((l) => l.startsWith('INFO summary: 1 trades, 1 succeeded, 0 failed, 0 repair orders')));
  assertCsvMatchesFills(r);
});

test('a stop while a leg is unanswered repairs the residual before it returns, within the budget', async () => {
  const r = rig([], { stopBudgetMs: 2000, resolveDeadlineMs: 5000 });
  await start(r);
  r.lighter.outcomes.push(() => new Promise<LegResult>(() => {})); // never answers
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'sent', () => r.lighter.orders.length === 1);
  const t0 = r.clock.monoMs();
  const summary = await stop(r, 'SIGINT');
  assert.ok(r.clock.monoMs() - t0 <= 2000, `stopped in ${r.clock.monoMs() - t0} ms of the 2000 ms budget`);
  assert.ok(
    r.backpack.orders.some((o) => o.reduceOnly === true),
    r.logger.lines.join('\n'),
  );
  // The entry never confirmed, so its Backpack fill stood alone until the shutdown repair unwound it.
  assert.equal(summary.positions.backpack, '0.00000');
  assert.ok(r.backpack.orders.some((o) => o.reduceOnly === true));
});

test("periodic reconciliation: the venue's figure wins and the drift is logged", async () => {
  const r = rig([], { reconcileEveryMs: 20 });
  await start(r);
  r.backpack.venuePosition = 1000;
  r.lighter.venuePosition = -100; // e.g. a trade made by hand on both venues
  await waitFor(r.clock, 'reconciled', () => r.engine.positions().backpack === 1000 && r.engine.positions().lighter === -100);
  assert.ok(r.logger.lines.some((l) => l === "WARN reconcile (periodic): backpack position is 0.01000, we counted 0.00000; taking the venue's"));
  await stop(r);
});

test("an adapter that throws instead of answering: the leg counts as unknown, the venue's position settles it, the hedge is repaired", async () => {
  const r = rig();
  await start(r);
  r.lighter.outcomes.push(() => {
    throw new Error('socket closed under the order');
  });
  frame(r, BP_CALM, LT_RICH);
  await waitFor(r.clock, 'repair', () => r.lighter.orders.length === 2);
  await settled(r);
  const summary = await stop(r);
  assert.deepEqual([summary.trades, summary.failures, summary.repairs], [1, 1, 1]);
  assert.deepEqual(summary.positions, { backpack: '0.01000', lighter: '-0.0100' });
  assert.ok(r.logger.lines.some((l) => l.includes('Lighter unknown (order call failed: socket closed under the order)')));
  assert.deepEqual(
    assertCsvMatchesFills(r).map((x) => [x.kind, x.lighter_state]),
    [
      ['entry', 'unknown'],
      ['repair', 'filled'],
    ],
  );
});

test('signing ahead keeps to its budget: new orders at most signAheadPerSecond a second, a burst of at least 8; an order equal to the one handed costs nothing', async () => {
  const r = rig([], { signAheadPerSecond: 20 });
  await start(r);
  const handed = () => r.backpack.prepared.length + r.backpack.preparedAtThreshold.length + r.lighter.prepared.length + r.lighter.preparedAtThreshold.length;
  // The clock stands still: only the frames' turns and the signing ahead after them run.
  const turn = async (bp: Book, lt: Book) => {
    frame(r, bp, lt);
    await new Promise((done) => setImmediate(done));
  };
  // One USD lower on both venues (Backpack's tick is 0.1, Lighter's 0.01): every bound moves.
  const lower: Book[] = [
    [[[999_980, 100_000]], [[999_990, 100_000]]],
    [[[9_999_800, 10_000]], [[9_999_900, 10_000]]],
  ];
  const before = handed();
  // Calm books: each venue's book order and threshold order, both sides: 8 new orders, the whole burst.
  await turn(BP_CALM, LT_CALM);
  assert.equal(handed() - before, 8);
  // The same books in new frames: orders equal to those handed, handed again at no cost.
  await turn(BP_CALM, LT_CALM);
  assert.equal(handed() - before, 16);
  // Every bound moves and the budget is spent: nothing new is handed.
  await turn(lower[0], lower[1]);
  assert.equal(handed() - before, 16);
  // 100 ms later the budget has 2 more (20 a second): two of the eight are handed on the next frame.
  await r.clock.advance(100);
  await turn(lower[0], lower[1]);
  assert.equal(handed() - before, 18);
  // A second later the burst is whole again: the six left.
  await r.clock.advance(1000);
  await turn(lower[0], lower[1]);
  assert.equal(handed() - before, 26);
  await stop(r);
});
