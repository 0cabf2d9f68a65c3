// An entry's deciding turn writes both legs before anything else of either send: a venue that
// splits placeMarketOrder (writeOrder, then followOrder) has its order written, the other leg
// written, and only then is either followed. The split pair must end exactly as placeMarketOrder
// would, and a broken half must still give an `unknown` leg, never a lost one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec, VenueId } from '../../src/venues/types.js';
import { ArbEngine, type TradeRecord } from '../../src/engine/index.js';
import type { LegResult, MarketOrderRequest, WrittenOrder } from '../../src/venues/venue.js';
import { FakeVenue } from './fake-venue.js';
import { settled } from './clocked.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

/** A FakeVenue whose sends come in two halves, each noted in `calls` (shared by both venues). */
class SplitVenue extends FakeVenue {
  /** When set, the named half throws instead. */
  breaks?: 'write' | 'follow';

  constructor(
    id: VenueId,
    market: MarketSpec,
    clock: FakeClock,
    private readonly calls: string[],
  ) {
    super(id, market, clock);
  }

  /** The engine's clock readings handed to writeOrder and heldBounds. */
  readonly nows: number[] = [];

  writeOrder(request: MarketOrderRequest, now?: number): WrittenOrder {
    this.calls.push(`write ${this.id} ${request.side}`);
    if (now !== undefined) this.nows.push(now);
    if (this.breaks === 'write') throw new Error(`${this.id} socket exploded`);
    return { request };
  }

  followOrder(written: WrittenOrder): Promise<LegResult> {
    this.calls.push(`follow ${this.id}`);
    if (this.breaks === 'follow') throw new Error(`${this.id} bookkeeping exploded`);
    return super.placeMarketOrder(written.request);
  }

  override placeMarketOrder(r: MarketOrderRequest): Promise<LegResult> {
    this.calls.push(`place ${this.id} ${r.side}`);
    return super.placeMarketOrder(r);
  }
}

function setup(split: { backpack: boolean; lighter: boolean }) {
  const clock = new FakeClock();
  const calls: string[] = [];
  const backpack = split.backpack ? new SplitVenue('backpack', BP, clock, calls) : new RecordingVenue('backpack', BP, clock, calls);
  const lighter = split.lighter ? new SplitVenue('lighter', LT, clock, calls) : new RecordingVenue('lighter', LT, clock, calls);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const parsed = parseConfig(['--paper', '--size', '0.01', '--max-position', '0.01', '--log-dir', tempDir('bla-writes-first-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const engine = new ArbEngine({
    settings: engineSettings(parsed.config),
    backpack,
    lighter,
    logger: new MemoryLogger(),
    clock,
    timings: { resolveDeadlineMs: 100, repairDeadlineMs: 1000 },
  });
  const trades: TradeRecord[] = [];
  engine.onTrade((t) => trades.push(t));
  return { clock, calls, backpack, lighter, engine, trades };
}

/** A FakeVenue without the split, noting its sends in the same list. */
class RecordingVenue extends FakeVenue {
  constructor(
    id: VenueId,
    market: MarketSpec,
    clock: FakeClock,
    private readonly calls: string[],
  ) {
    super(id, market, clock);
  }

  override placeMarketOrder(r: MarketOrderRequest): Promise<LegResult> {
    this.calls.push(`place ${this.id} ${r.side}`);
    return super.placeMarketOrder(r);
  }
}

test('an entry writes both legs, Backpack first, before either is followed; the legs end as placeMarketOrder ends them', async () => {
  const { clock, calls, backpack, lighter, engine, trades } = setup({ backpack: true, lighter: true });
  await clock.runUntil(engine.start());
  lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await settled(clock, engine);
  assert.deepEqual(calls, ['write backpack buy', 'write lighter sell', 'follow backpack', 'follow lighter']);
  // Both writes judge what they hold at the turn's one clock reading (the frame arrived at it: the clock is a FakeClock).
  const at = lighter.lastBookAt;
  assert.deepEqual([(backpack as SplitVenue).nows, (lighter as SplitVenue).nows], [[at], [at]]);
  assert.deepEqual([backpack.orders.length, lighter.orders.length], [1, 1]);
  const entry = trades.find((t) => t.kind === 'entry');
  assert.equal(entry?.backpack?.state, 'filled');
  assert.equal(entry?.lighter?.state, 'filled');
  assert.equal(entry?.backpack?.filled, 1000);
  assert.equal(entry?.lighter?.filled, 1000);
  await clock.runUntil(engine.stop('test'));
});

test('a venue without the split is sent to in full in its place in the order: the other leg is written around it', async () => {
  const { clock, calls, lighter, engine, trades } = setup({ backpack: true, lighter: false });
  await clock.runUntil(engine.start());
  lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await settled(clock, engine);
  assert.deepEqual(calls, ['write backpack buy', 'place lighter sell', 'follow backpack']);
  assert.equal(trades.find((t) => t.kind === 'entry')?.lighter?.state, 'filled');
  await clock.runUntil(engine.stop('test'));
});

for (const half of ['write', 'follow'] as const) {
  test(`a ${half}Order that throws leaves its leg unknown, not lost, and the other leg is still sent and followed`, async () => {
    const { clock, calls, lighter, engine, trades } = setup({ backpack: true, lighter: true });
    await clock.runUntil(engine.start());
    (lighter as SplitVenue).breaks = half;
    lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
    await settled(clock, engine);
    const entryCalls = ['write backpack buy', 'write lighter sell', 'follow backpack', ...(half === 'follow' ? ['follow lighter'] : [])];
    assert.deepEqual(calls.slice(0, entryCalls.length), entryCalls);
    // A leg whose write threw is not followed: nothing of it is left to follow.
    assert.equal(calls.includes('follow lighter'), half === 'follow');
    const entry = trades.find((t) => t.kind === 'entry');
    assert.equal(entry?.backpack?.state, 'filled');
    assert.equal(entry?.lighter?.state, 'unknown');
    assert.equal(entry?.lighter?.clientOrderId, '');
    assert.match(entry?.lighter?.error?.message ?? '', half === 'write' ? /order call failed: lighter socket exploded/ : /order call failed: lighter bookkeeping exploded/);
    await clock.runUntil(engine.stop('test'));
  });
}
