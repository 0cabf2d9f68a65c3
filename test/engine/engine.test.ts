import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine } from '../../src/engine/index.js';
import { FakeVenue } from './fake-venue.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

function engineWith(backpack: FakeVenue, lighter: FakeVenue, clock: FakeClock) {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--max-position', '0.01', '--log-dir', tempDir('bla-engine-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const logger = new MemoryLogger();
  return {
    engine: new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger, clock, timings: { resolveDeadlineMs: 100, repairDeadlineMs: 1000 } }),
    logger,
  };
}

test('a leg that stays unknown but did fill is not hedged a second time: positions are reconciled before any repair', async () => {
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const { engine, logger } = engineWith(backpack, lighter, clock);
  await clock.runUntil(engine.start());
  // The Lighter sell executes, but neither the reply nor any lookup ever says so.
  lighter.outcomes.push((r, leg) => {
    lighter.venuePosition -= r.size;
    return { ...leg, state: 'unknown' };
  });
  lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await clock.advance(600);
  const summary = await clock.runUntil(engine.stop('test'));
  assert.deepEqual([backpack.orders.length, lighter.orders.length], [1, 1], 'no repair order: the venue already holds the hedge');
  assert.deepEqual(summary.positions, { backpack: '0.01000', lighter: '-0.01000' });
  assert.ok(logger.lines.some((l) => l.includes('still unknown')));
});

test('a leg resolved after the deadline gets its own late row, so the trades CSV still adds up to the venue', async () => {
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const parsed = parseConfig(['--paper', '--size', '0.01', '--max-position', '0.01', '--log-dir', tempDir('bla-engine-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const engine = new ArbEngine({
    settings: engineSettings(parsed.config),
    backpack,
    lighter,
    logger: new MemoryLogger(),
    clock,
    timings: { resolveDeadlineMs: 100, lateResolveEveryMs: 50 },
  });
  await clock.runUntil(engine.start());
  let asked = 0;
  lighter.outcomes.push((r, leg) => {
    lighter.venuePosition -= r.size;
    return { ...leg, state: 'unknown' };
  });
  // The venue answers only on the fifth question, after the engine's 100 ms deadline.
  lighter.resolve = (leg) => (++asked < 5 ? leg : { ...leg, state: 'filled', filled: leg.requested, notional: leg.requested * 1_000_400, confirmedAt: clock.monoMs() });
  const records: string[] = [];
  engine.onTrade((t) => records.push(`${t.kind}:${t.lighter?.state}:${t.lighter?.filled}`));
  lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await clock.advance(600);
  await clock.runUntil(engine.stop('test'));
  assert.deepEqual(records, ['entry:unknown:0', 'late:filled:1000']);
  const csv = readFileSync(
    join(
      parsed.config.logDir,
      readdirSync(parsed.config.logDir).find((f) => f.startsWith('trades_'))!,
    ),
    'utf8',
  )
    .trim()
    .split('\n');
  assert.equal(csv.length, 3, 'header, entry, late');
  assert.match(csv[2], /^[^,]+,LATE_LIGHTER,0\.01000,,,sell,100040\.000,/);
  assert.deepEqual([backpack.orders.length, lighter.orders.length], [1, 1], 'nothing was hedged twice');
});
