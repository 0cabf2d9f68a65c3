// The engine's observer: decisions by outcome, leg stages, halts set and cleared, venue status,
// the operator's pause and "flatten both" — on a FakeClock with fake venues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine, type DecisionOutcome, type EngineObserver } from '../../src/engine/index.js';
import { settled, waitFor } from '../engine/clocked.js';
import { FakeVenue, rejected } from '../engine/fake-venue.js';
import { tempDir } from '../helpers/temp.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

test('the observer hears decisions by outcome, leg stages, pause, flatten and halts set and cleared', async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-watch-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger: new MemoryLogger(), clock });
  const decisions: DecisionOutcome[] = [];
  const stages: Array<[string, string, number]> = [];
  const halts: Array<[string, string | undefined, boolean]> = [];
  const pauses: Array<string | undefined> = [];
  const observer: EngineObserver = {
    decision: (o) => decisions.push(o),
    legLatency: (v, s, sec) => stages.push([v, s, sec]),
    halt: (h, set) => halts.push([h.kind, h.venue, set]),
    paused: (r) => pauses.push(r),
  };
  engine.observe(observer);
  await clock.runUntil(engine.start());

  backpack.touch();
  assert.deepEqual(decisions, ['below_threshold']);

  // An opportunity: Lighter's bid 40 above Backpack's ask; the legs are answered 7 ms after they leave.
  backpack.fallback = lighter.fallback = async (r, leg, venue) => {
    await new Promise<void>((resolve) => venue.clock.setTimeout(resolve, 7));
    return { ...leg, state: 'filled', filled: r.size, notional: r.size * r.worstPrice, confirmedAt: venue.clock.monoMs() };
  };
  lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await waitFor(clock, 'first trade', () => lighter.orders.length === 1);
  await settled(clock, engine);
  assert.deepEqual(decisions, ['below_threshold', 'traded']);
  assert.deepEqual(stages, [
    ['backpack', 'frame_to_sent', 0],
    ['backpack', 'sent_to_ack', 0.007],
    ['backpack', 'sent_to_filled', 0.007],
    ['lighter', 'frame_to_sent', 0],
    ['lighter', 'sent_to_ack', 0.007],
    ['lighter', 'sent_to_filled', 0.007],
  ]);

  engine.pauseEntries('dashboard');
  assert.equal(engine.snapshot().paused, 'dashboard');
  backpack.touch();
  lighter.touch();
  assert.deepEqual(decisions.slice(-2), ['paused', 'paused']);
  assert.equal(lighter.orders.length, 1, 'no entry while paused');
  engine.resumeEntries();
  await waitFor(clock, 'second trade after resume', () => lighter.orders.length === 2);
  await settled(clock, engine);
  assert.deepEqual(pauses, ['dashboard', undefined]);
  assert.deepEqual(engine.positions(), { backpack: 2000, lighter: -2000 });

  const result = await clock.runUntil(engine.flatten());
  assert.equal(result.flat, true);
  assert.deepEqual(result.positions, { backpack: '0.00000', lighter: '0.00000' });
  assert.deepEqual([backpack.venuePosition, lighter.venuePosition], [0, 0]);
  // Backpack's bid 99999.0 less twice the 20 bps slippage: 99599.0.
  assert.deepEqual(backpack.orders.at(-1), { side: 'sell', size: 2000, worstPrice: 995_990, reduceOnly: true, purpose: 'repair' });
  assert.equal(lighter.orders.at(-1)?.reduceOnly, true);
  assert.equal(lighter.orders.at(-1)?.side, 'buy');
  assert.equal(engine.snapshot().paused, 'flatten both', 'entries stay paused after a flatten');

  lighter.setStatus({ connected: false, detail: 'socket closed' });
  lighter.setStatus({ connected: true, detail: undefined });
  assert.deepEqual(halts, [
    ['venue_down', 'lighter', true],
    ['venue_down', 'lighter', false],
  ]);
  await clock.runUntil(engine.stop('test'));
});

test('a kill switch set by failed trades and ended by its cooldown is heard both ways', async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-watch-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  const engine = new ArbEngine({
    settings: engineSettings(parsed.config),
    backpack,
    lighter,
    logger: new MemoryLogger(),
    clock,
    timings: { killSwitch: { failures: 3, windowMs: 60_000, cooldownMs: 1_000 } },
  });
  const halts: Array<[string, boolean]> = [];
  const decisions: DecisionOutcome[] = [];
  engine.observe({ halt: (h, set) => halts.push([h.kind, set]), decision: (o) => decisions.push(o) });
  backpack.fallback = rejected('no margin');
  lighter.fallback = rejected('no margin');
  await clock.runUntil(engine.start());
  for (let i = 1; i <= 3; i++) {
    backpack.touch();
    lighter.touch();
    await waitFor(clock, `failed trade ${i}`, () => lighter.orders.length === i);
    await settled(clock, engine);
  }
  assert.deepEqual(halts, [['kill_switch', true]]);
  backpack.touch();
  lighter.touch();
  assert.equal(decisions.at(-1), 'halted');
  await clock.advance(1_000);
  backpack.touch();
  lighter.touch();
  assert.deepEqual(halts, [
    ['kill_switch', true],
    ['kill_switch', false],
  ]);
  assert.equal(lighter.orders.length, 4, 'entries resume once the cooldown is over');
  await settled(clock, engine);
  await clock.runUntil(engine.stop('test'));
});
