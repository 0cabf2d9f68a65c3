// Readiness pushed (Venue.readinessGate): a venue that keeps its gate current is read from it on the
// frames where it was ready and stays ready — readiness() is not asked — and asked as before
// whenever the gate is closed, so entries pause and resume, and say so, exactly as when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine } from '../../src/engine/index.js';
import type { ExecutionReadiness, ReadinessGate } from '../../src/venues/venue.js';
import { settled, waitFor } from './clocked.js';
import { FakeVenue } from './fake-venue.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const CALM: [Array<[number, number]>, Array<[number, number]>] = [[[999_990, 100_000]], [[1_000_000, 100_000]]];
const RICH: [Array<[number, number]>, Array<[number, number]>] = [[[1_000_400, 100_000]], [[1_000_410, 100_000]]];

/** A FakeVenue that keeps a gate as a live side does: opened by an answer of ready, closed by every change of `ready`. */
class GatedVenue extends FakeVenue {
  readonly readinessGate: ReadinessGate = { readyFrom: Infinity };
  asked = 0;

  /** A change of readiness, as a 429 or a budget taken is on a live side: the gate closes at once. */
  set(ready: ExecutionReadiness): void {
    this.ready = ready;
    this.readinessGate.readyFrom = Infinity;
  }

  override readiness(): ExecutionReadiness {
    this.asked++;
    const r = super.readiness();
    this.readinessGate.readyFrom = r.state === 'ready' ? this.clock.monoMs() : Infinity;
    return r;
  }
}

test('a gate kept current is read instead of asking readiness(); a 429 across an opportunity still pauses entries, said once, and they resume by themselves', async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-engine-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new GatedVenue('backpack', BP, clock);
  const lighter = new GatedVenue('lighter', LT, clock);
  backpack.setBook(...CALM);
  lighter.setBook(...CALM);
  const logger = new MemoryLogger();
  const engine = new ArbEngine({
    settings: engineSettings({ ...parsed.config, checkIntervalMs: 10 }),
    backpack,
    lighter,
    logger,
    clock,
    timings: { resolveDeadlineMs: 60, repairDeadlineMs: 400, killSwitch: { failures: 1 } },
  });
  await clock.runUntil(engine.start());
  // Calm frames: each venue is asked once, then read from its open gate.
  for (let i = 0; i < 5; i++) {
    await clock.advance(20);
    backpack.touch();
    lighter.touch();
  }
  assert.deepEqual([backpack.asked, lighter.asked], [1, 1], 'asked on the first frame only');
  backpack.set({ state: 'backing_off', until: clock.monoMs() + 1000, detail: 'HTTP 429, Retry-After 1 s' });
  lighter.setBook(...RICH); // a long opportunity, lasting
  for (let i = 0; i < 10; i++) {
    await clock.advance(50);
    lighter.touch();
    backpack.touch();
  }
  assert.deepEqual([backpack.orders.length, lighter.orders.length], [0, 0], 'no leg sent while Backpack backs off');
  assert.ok(backpack.asked > 10, 'a closed gate: asked on every frame');
  assert.deepEqual(engine.halts(), [], 'a rate-limited period is not a halt');
  assert.equal(logger.lines.filter((l) => l.startsWith('WARN backpack cannot take an order')).length, 1, 'said once');
  backpack.set({ state: 'ready' });
  backpack.touch();
  await waitFor(clock, 'entry after the back-off', () => lighter.orders.length === 1);
  await settled(clock, engine);
  assert.ok(logger.lines.includes('INFO backpack takes orders again; entries resume'));
  const summary = await clock.runUntil(engine.stop('test'));
  assert.deepEqual([summary.trades, summary.successes, summary.failures, summary.halted], [1, 1, 0, undefined]);
});

test('a gate that is open but stale is never trusted past a change: a venue that closes it is asked, and its refusal holds the entry back', async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-engine-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new GatedVenue('backpack', BP, clock);
  const lighter = new GatedVenue('lighter', LT, clock);
  backpack.setBook(...CALM);
  lighter.setBook(...CALM);
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger: new MemoryLogger(), clock, timings: { resolveDeadlineMs: 60 } });
  await clock.runUntil(engine.start());
  await clock.advance(20);
  backpack.touch();
  assert.ok(lighter.readinessGate.readyFrom <= clock.monoMs(), 'open');
  // The budget is spent: the live side closes the gate as the place is taken.
  lighter.set({ state: 'budget_empty', until: clock.monoMs() + 500, detail: 'spent (test)' });
  lighter.setBook(...RICH);
  await clock.advance(20);
  assert.deepEqual([backpack.orders.length, lighter.orders.length], [0, 0]);
  lighter.set({ state: 'ready' });
  lighter.touch();
  await waitFor(clock, 'the entry once a place is free', () => lighter.orders.length === 1);
  await settled(clock, engine);
  await clock.runUntil(engine.stop('test'));
});
