// --close-on-exit's flattening, against in-memory venues whose positions are their own ledgers:
// it ends only on the venues' word, never opens a position, and says why when it cannot finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock, sleep } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import { ArbEngine } from '../../src/engine/index.js';
import { tempDir } from '../helpers/temp.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { flattenVenues } from '../../src/engine/flatten.js';
import type { LegResult } from '../../src/venues/venue.js';
import { FakeVenue, partialFill, rejected, takerFill } from './fake-venue.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 10, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 20, takerFeeBps: 0, makerFeeBps: 0 };

function rig(bpPosition: number, ltPosition: number) {
  // Time moves only when the test moves it: the pauses between rounds and the deadline are on this clock.
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook(
    [
      [999_990, 100_000],
      [999_980, 100_000],
    ],
    [[1_000_000, 100_000]],
  );
  lighter.setBook(
    [[999_990, 100_000]],
    [
      [1_000_000, 100_000],
      [1_000_010, 100_000],
    ],
  );
  backpack.venuePosition = bpPosition;
  lighter.venuePosition = ltPosition;
  const legs: LegResult[] = [];
  const log = new MemoryLogger();
  const run = (deadlineMs = 5000) =>
    clock.runUntil(
      flattenVenues({
        venues: { backpack, lighter },
        markets: { backpack: BP, lighter: LT },
        slippageBps: 20,
        clock,
        deadline: clock.monoMs() + deadlineMs,
        log,
        label: 'close-on-exit',
        onLeg: (l) => legs.push(l),
        pauseMs: 1,
      }),
      'flattening',
    );
  return { backpack, lighter, legs, log, run, clock };
}

test('the closing orders are listed Backpack first, whichever venue answers first', async () => {
  const r = rig(1000, -1000);
  // Backpack answers 5 ms after Lighter.
  r.backpack.outcomes = [async (req, leg, venue) => (await sleep(r.clock, 5), takerFill(req, leg, venue))];
  const outcome = await r.run();
  assert.deepEqual(outcome.orders, ['backpack sell 0.01000 reduce-only: filled 0.01000', 'lighter buy 0.01000 reduce-only: filled 0.01000']);
  assert.equal(outcome.flat, true);
});

test("both positions closed reduce-only; flat only on the venues' word", async () => {
  const r = rig(1000, -1000);
  const outcome = await r.run();
  assert.deepEqual(outcome, {
    flat: true,
    positions: { backpack: 0, lighter: 0 },
    orders: ['backpack sell 0.01000 reduce-only: filled 0.01000', 'lighter buy 0.01000 reduce-only: filled 0.01000'],
    detail: 'both venues report a zero position (confirmed after 1 closing round)',
  });
  // Sell 0.01 into the 99999.0 bid less 20 bps (99799.0); buy 0.01 up to 100000.0 plus 20 bps (100200.0).
  assert.deepEqual(r.backpack.orders, [{ side: 'sell', size: 1000, worstPrice: 997_990, reduceOnly: true, purpose: 'repair' }]);
  assert.deepEqual(r.lighter.orders, [{ side: 'buy', size: 1000, worstPrice: 1_002_000, reduceOnly: true, purpose: 'repair' }]);
  assert.deepEqual(r.legs.map((l) => `${l.venue}:${l.state}:${l.filled}`).sort(), ['backpack:filled:1000', 'lighter:filled:1000']);
});

test('a refused and a partial close are sent again, with a wider bound each round, until flat', async () => {
  const r = rig(1000, 0);
  r.backpack.outcomes = [rejected('price band'), partialFill(400)];
  const outcome = await r.run();
  assert.equal(outcome.flat, true);
  assert.equal(outcome.detail, 'both venues report a zero position (confirmed after 3 closing rounds)');
  assert.deepEqual(
    r.backpack.orders.map((o) => [o.size, o.worstPrice, o.reduceOnly]),
    [
      [1000, 997_990, true], // 20 bps
      [1000, 995_990, true], // 40 bps
      [600, 991_990, true], // 80 bps below 99999.0 = 99199.008, down to the 0.1 tick
    ],
  );
  assert.equal(r.lighter.orders.length, 0, 'a flat venue gets no order');
});

test('a venue out of its request budget gets no closing order until it takes orders again (no refused close row)', async () => {
  const r = rig(1000, -1000);
  let asked = 0;
  r.lighter.readiness = () =>
    asked++ === 0 ? { state: 'budget_empty', until: r.clock.monoMs() + 100, detail: 'the 60 transactions per minute budget is spent' } : { state: 'ready' };
  const outcome = await r.run();
  assert.equal(outcome.detail, 'both venues report a zero position (confirmed after 2 closing rounds)');
  // Round 1 closes Backpack at 20 bps; Lighter's only order goes out in round 2, at 40 bps.
  assert.deepEqual(r.lighter.orders, [{ side: 'buy', size: 1000, worstPrice: 1_004_000, reduceOnly: true, purpose: 'repair' }]);
  assert.deepEqual(
    r.legs.map((l) => `${l.venue}:${l.state}`),
    ['backpack:filled', 'lighter:filled'],
  );
  assert.ok(r.log.lines.includes('INFO close-on-exit: lighter is not taking orders yet (the 60 transactions per minute budget is spent); closing it next round'));
});

test('a residual below the minimum order is named, with the minimum, and not waited on', async () => {
  const r = rig(5, 0);
  const outcome = await r.run(60_000);
  assert.deepEqual(outcome, {
    flat: false,
    positions: { backpack: 5, lighter: 0 },
    orders: [],
    detail: 'not flat: Backpack 0.00005, Lighter 0.00000; backpack 0.00005 is below its minimum order 0.00010 — close it by hand on the venue',
  });
  assert.equal(r.backpack.orders.length, 0);
});

test('a venue that cannot say its position is never called flat', async () => {
  const r = rig(1000, -1000);
  r.lighter.positionError = new Error('503 maintenance');
  const outcome = await r.run(30);
  assert.equal(outcome.flat, false);
  assert.ok(Number.isNaN(outcome.positions.lighter));
  assert.equal(outcome.positions.backpack, 0, 'Backpack was closed meanwhile');
  assert.equal(
    outcome.detail,
    'not flat: Backpack 0.00000, Lighter unknown; the closing time ran out (lighter position unavailable: 503 maintenance) — close it by hand on the venue',
  );
  assert.equal(r.lighter.orders.length, 0, 'no order sent on a position it does not know');
});

test('--close-on-exit never touches an account whose run failed at start-up', async () => {
  const r = rig(1000, 0); // an unhedged position found at start: the engine refuses to start
  const parsed = parseConfig(['--paper', '--size', '0.01', '--close-on-exit', '--log-dir', tempDir('bla-flatten-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack: r.backpack, lighter: r.lighter, logger: r.log, clock: r.clock });
  await assert.rejects(r.clock.runUntil(engine.start()), /the venues' positions are not hedged/);
  const summary = await r.clock.runUntil(engine.stop('start-up failed'));
  assert.equal(summary.closeOnExit, undefined);
  assert.deepEqual([r.backpack.orders.length, r.lighter.orders.length], [0, 0], 'no order sent');
  assert.equal(r.backpack.venuePosition, 1000);
});
