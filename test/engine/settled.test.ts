// ArbEngine.settled: what a replay's clock asks before it skips the turns after a timer. It must be
// false whenever anything of the engine's continues on a later turn — start-up, an entry whose legs
// are out, the turn that judges the books again once the work is done — and true only when nothing
// does (the queued quiet turn itself is covered by the replay's A/B test, test/backtest/shortcuts.test.ts). On a FakeClock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock, sleep } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine } from '../../src/engine/index.js';
import { waitFor } from './clocked.js';
import { FakeVenue, filledAtWorst } from './fake-venue.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const CALM: [Array<[number, number]>, Array<[number, number]>] = [[[999_990, 100_000]], [[1_000_000, 100_000]]];
const RICH: [Array<[number, number]>, Array<[number, number]>] = [[[1_000_400, 100_000]], [[1_000_410, 100_000]]];

test('the engine is settled only while running with nothing in flight: not during start-up, an entry or its quiet turn, nor once stopped', async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-settled-')], {});
  assert.ok(parsed.kind === 'run');
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook(...CALM);
  lighter.setBook(...CALM);
  const engine = new ArbEngine({ settings: engineSettings({ ...parsed.config, checkIntervalMs: 10 }), backpack, lighter, logger: new MemoryLogger(), clock });
  assert.equal(engine.settled, false, 'idle: not started');
  const starting = engine.start();
  assert.equal(engine.settled, false, 'starting');
  await clock.runUntil(starting);
  assert.equal(engine.settled, true, 'running, nothing in flight');

  // Both legs answer 20 ms after they are sent: the entry is in flight until then.
  const later = async (...args: Parameters<typeof filledAtWorst>) => {
    await sleep(clock, 20);
    return filledAtWorst(...args);
  };
  backpack.outcomes.push(later);
  lighter.outcomes.push(later);
  lighter.setBook(...RICH);
  await waitFor(clock, 'the entry', () => backpack.orders.length === 1 && lighter.orders.length === 1, 100, 1);
  assert.equal(engine.settled, false, 'legs out');
  lighter.setBook(...CALM);
  await clock.advance(10);
  assert.equal(engine.settled, false, 'legs still out after 10 ms');
  // When the trade is booked its work is still in flight; a few turns later it is done and the books judged again.
  const atRecord: boolean[] = [];
  engine.onTrade(() => atRecord.push(engine.settled));
  await clock.advance(15);
  assert.deepEqual(atRecord, [false]);
  assert.equal(engine.settled, true, 'answered, booked, judged again');
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((r) => setImmediate(r));
    assert.equal(engine.settled, true, 'and nothing more on later turns');
  }
  assert.equal(backpack.orders.length, 1, 'one entry: the books are calm again');

  await clock.runUntil(engine.stop('test'));
  assert.equal(engine.settled, false, 'stopped');
});
