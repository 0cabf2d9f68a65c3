// The engine's phase and halts as typed values: entries wait for both execution sides to be ready
// (a venue backing off after a 429 is a pause, not a fault), an authentication failure halts entries
// naming the setting, and a venue that is down at start-up is waited for. All on a FakeClock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine, type EngineOptions } from '../../src/engine/index.js';
import { PHASE_MOVES, PhaseMachine } from '../../src/engine/phase.js';
import { VenueError } from '../../src/venues/venue.js';
import { settled, waitFor } from './clocked.js';
import { FakeVenue, rejected } from './fake-venue.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const CALM: [Array<[number, number]>, Array<[number, number]>] = [[[999_990, 100_000]], [[1_000_000, 100_000]]];
const RICH: [Array<[number, number]>, Array<[number, number]>] = [[[1_000_400, 100_000]], [[1_000_410, 100_000]]];

function rig(timings: EngineOptions['timings'] = {}) {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-engine-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook(...CALM);
  lighter.setBook(...CALM);
  const logger = new MemoryLogger();
  const engine = new ArbEngine({
    settings: engineSettings({ ...parsed.config, checkIntervalMs: 10 }),
    backpack,
    lighter,
    logger,
    clock,
    timings: { resolveDeadlineMs: 60, repairDeadlineMs: 400, ...timings },
  });
  return { clock, backpack, lighter, logger, engine };
}

test('the phase moves only through its table', () => {
  const m = new PhaseMachine();
  assert.equal(m.phase, 'idle');
  assert.throws(() => m.move('running'), /no move from idle to running/);
  m.move('starting');
  m.move('running');
  assert.throws(() => m.move('starting'), /no move from running to starting/);
  m.move('stopping');
  m.move('stopped');
  assert.deepEqual(PHASE_MOVES.stopped, []);
});

test('Backpack backing off (429) across an opportunity: no entry, no kill switch; trading resumes by itself when it is ready', async () => {
  const r = rig({ killSwitch: { failures: 1 } });
  assert.equal(r.engine.phase, 'idle');
  await r.clock.runUntil(r.engine.start());
  assert.equal(r.engine.phase, 'running');
  r.backpack.ready = { state: 'backing_off', until: r.clock.monoMs() + 1000, detail: 'HTTP 429, Retry-After 1 s' };
  r.lighter.setBook(...RICH); // Lighter bid 100040.0 above the Backpack ask: a long opportunity, lasting
  for (let i = 0; i < 10; i++) {
    await r.clock.advance(50);
    r.lighter.touch();
    r.backpack.touch();
  }
  assert.deepEqual([r.backpack.orders.length, r.lighter.orders.length], [0, 0], 'no leg sent while Backpack backs off');
  assert.deepEqual(r.engine.halts(), [], 'a rate-limited period is not a halt');
  assert.equal(r.logger.lines.filter((l) => l.startsWith('WARN backpack cannot take an order')).length, 1, 'said once');
  r.backpack.ready = { state: 'ready' };
  r.backpack.touch();
  await waitFor(r.clock, 'entry after the back-off', () => r.lighter.orders.length === 1);
  await settled(r.clock, r.engine);
  assert.ok(r.logger.lines.includes('INFO backpack takes orders again; entries resume'));
  const summary = await r.clock.runUntil(r.engine.stop('test'));
  assert.deepEqual([summary.trades, summary.successes, summary.failures, summary.halted], [1, 1, 0, undefined]);
  assert.equal(r.engine.phase, 'stopped');
});

test('a leg refused for rate limiting is a failed trade that is repaired, but it does not feed the kill switch', async () => {
  const r = rig({ killSwitch: { failures: 1 } });
  await r.clock.runUntil(r.engine.start());
  r.lighter.outcomes.push((_req, leg, venue) => ({
    ...leg,
    state: 'rejected',
    confirmedAt: venue.clock.monoMs(),
    error: new VenueError('lighter', 'rate_limited', 'too many requests', 23000),
  }));
  r.lighter.setBook(...RICH);
  await waitFor(r.clock, 'repair', () => r.backpack.orders.length + r.lighter.orders.length === 3);
  await settled(r.clock, r.engine);
  assert.deepEqual(r.engine.halts(), [], 'one rate-limited failure with failures: 1 would have tripped the switch');
  const summary = await r.clock.runUntil(r.engine.stop('test'));
  assert.deepEqual([summary.trades, summary.failures, summary.repairs], [1, 1, 1]);
});

test('a repair waits for a venue that backs off and goes out once it takes orders', async () => {
  const r = rig({ repairDeadlineMs: 5000 });
  await r.clock.runUntil(r.engine.start());
  r.lighter.outcomes.push((req, leg, venue) => {
    // The entry's Lighter leg is refused and the venue then backs off for 300 ms.
    venue.ready = { state: 'backing_off', until: venue.clock.monoMs() + 300, detail: 'HTTP 429' };
    return rejected('rate limited')(req, leg, venue);
  });
  const t0 = r.clock.monoMs();
  r.lighter.setBook(...RICH);
  await waitFor(r.clock, 'entry', () => r.lighter.orders.length === 1);
  await r.clock.advance(250);
  assert.equal(r.lighter.orders.length, 1, 'no repair while Lighter backs off');
  r.lighter.ready = { state: 'ready' };
  await waitFor(r.clock, 'repair', () => r.lighter.orders.length === 2);
  assert.ok(r.clock.monoMs() - t0 < 400);
  assert.deepEqual(r.lighter.orders[1], { side: 'sell', size: 1000, worstPrice: 996_398, reduceOnly: false, purpose: 'repair' });
  await settled(r.clock, r.engine);
  await r.clock.runUntil(r.engine.stop('test'));
});

test('an authentication error on a leg halts entries with a typed auth halt naming the setting; repairs still go out', async () => {
  const r = rig();
  await r.clock.runUntil(r.engine.start());
  r.lighter.outcomes.push((_req, leg, venue) => ({
    ...leg,
    state: 'rejected',
    confirmedAt: venue.clock.monoMs(),
    error: new VenueError('lighter', 'auth', 'invalid signature (21120)', 21120),
  }));
  r.lighter.setBook(...RICH);
  await waitFor(r.clock, 'repair sent', () => r.lighter.orders.length === 2);
  await settled(r.clock, r.engine);
  const halts = r.engine.halts();
  assert.deepEqual(
    halts.map((h) => [h.kind, h.venue, h.until]),
    [['auth', 'lighter', Infinity]],
  );
  assert.ok(
    r.logger.lines.includes(
      'ERROR ENTRIES HALTED: lighter refused our credentials (invalid signature (21120)); fix API_KEY_PRIVATE_KEY / LIGHTER_ACCOUNT_INDEX / LIGHTER_API_KEY_INDEX and restart; repairs still go out',
    ),
  );
  const ordersBefore = r.backpack.orders.length;
  await r.clock.advance(5000);
  r.lighter.touch();
  r.backpack.touch();
  await r.clock.advance(50);
  assert.equal(r.backpack.orders.length, ordersBefore, 'no entry while the auth halt stands');
  const summary = await r.clock.runUntil(r.engine.stop('test'));
  assert.match(summary.halted ?? '', /^lighter refused our credentials/);
});

test('auth_failed readiness halts entries before any leg is sent', async () => {
  const r = rig();
  await r.clock.runUntil(r.engine.start());
  r.backpack.ready = { state: 'auth_failed', detail: 'API key not authorized' };
  r.lighter.setBook(...RICH);
  await r.clock.advance(50);
  assert.deepEqual([r.backpack.orders.length, r.lighter.orders.length], [0, 0]);
  assert.deepEqual(
    r.engine.halts().map((h) => [h.kind, h.venue]),
    [['auth', 'backpack']],
  );
  assert.ok(r.logger.lines.some((l) => l.includes('fix BACKPACK_PUBLIC_KEY / BACKPACK_SECRET_KEY and restart')));
  await r.clock.runUntil(r.engine.stop('test'));
});

test('a venue down at start-up (503, then refused connections) is waited for with capped back-off, said once per kind, then the bot trades', async () => {
  const r = rig({ startRetryBaseMs: 100, startRetryMaxMs: 400 });
  const down = () => new VenueError('lighter', 'unavailable', 'Lighter GET /api/v1/orderBooks: HTTP 503 maintenance', 503);
  r.lighter.startFailures = [down(), down(), down(), new VenueError('lighter', 'unavailable', 'Lighter GET /api/v1/orderBooks: ECONNREFUSED'), down()];
  const starting = r.engine.start();
  await r.clock.advance(100);
  assert.equal(r.engine.phase, 'starting');
  assert.equal(await r.clock.runUntil(starting), true);
  // Pauses 100, 200, 400, 400, 400: up on the sixth attempt.
  assert.equal(r.lighter.started, 6);
  const said = r.logger.lines.filter((l) => l.includes('is not taking us yet'));
  assert.equal(said.length, 2, 'once for the 503, once for the refused connection');
  assert.ok(r.logger.lines.includes('INFO lighter is up after 6 attempts'));
  r.lighter.setBook(...RICH);
  await waitFor(r.clock, 'trade', () => r.lighter.orders.length === 1);
  await settled(r.clock, r.engine);
  await r.clock.runUntil(r.engine.stop('test'));
});

test('only configuration and authentication errors end the start-up; a stop while waiting ends it cleanly', async () => {
  const auth = rig();
  auth.backpack.startFailures = [new VenueError('backpack', 'auth', 'Backpack GET /api/v1/account: 401 INVALID_CLIENT', 401)];
  await assert.rejects(auth.clock.runUntil(auth.engine.start()), /401 INVALID_CLIENT/);
  assert.equal(auth.engine.phase, 'stopped');
  assert.deepEqual([auth.backpack.stopped, auth.lighter.stopped], [1, 1]);

  const waiting = rig({ startRetryBaseMs: 100, startRetryMaxMs: 100 });
  waiting.lighter.startFailures = Array.from({ length: 1000 }, () => new VenueError('lighter', 'timeout', 'no answer within 5000 ms'));
  const starting = waiting.engine.start();
  await waiting.clock.advance(1000);
  assert.equal(waiting.engine.phase, 'starting');
  const summary = await waiting.clock.runUntil(waiting.engine.stop('SIGINT'));
  assert.equal(await starting, false);
  assert.equal(waiting.engine.phase, 'stopped');
  assert.deepEqual([summary.trades, waiting.backpack.stopped, waiting.lighter.stopped], [0, 1, 1]);
});

test('a feed that gives no book at start-up is waited for: said once after the start timeout, then the bot trades once it comes', async () => {
  const r = rig({ startTimeoutMs: 20_000 });
  r.lighter.setStatus({ bookValid: false, connected: false });
  const starting = r.engine.start();
  await r.clock.advance(25_000);
  assert.equal(r.engine.phase, 'starting');
  await r.clock.advance(25_000);
  assert.deepEqual(
    r.logger.lines.filter((l) => l.includes('no valid order book')),
    ['WARN no valid order book from lighter after 20 s — still waiting; check the WebSocket URL and the network, or stop the bot'],
  );
  r.lighter.setStatus({ bookValid: true, connected: true });
  assert.equal(await r.clock.runUntil(starting), true);
  r.backpack.touch(); // a fresh Backpack frame too: the one from before the wait is 50 s old
  r.lighter.setBook(...RICH);
  await waitFor(r.clock, 'trade', () => r.lighter.orders.length === 1);
  await settled(r.clock, r.engine);
  await r.clock.runUntil(r.engine.stop('test'));
});
