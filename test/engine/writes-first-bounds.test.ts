// A venue that writes its own orders (Execution.writeOrder) is handed the threshold bound and
// chooses among the orders it holds signed ahead itself; one sent to in full has the engine choose
// from heldBounds. Over random frames, pauses past a held order's half-life and life, and trades,
// both must send exactly the same orders, with the same bounds, and leave the same orders held.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec, VenueId } from '../../src/venues/types.js';
import { ArbEngine, type TradeRecord } from '../../src/engine/index.js';
import { HeldAhead } from '../../src/venues/signed-ahead.js';
import type { LegResult, MarketOrderRequest, SignAheadKind, WrittenOrder } from '../../src/venues/venue.js';
import { FakeVenue } from './fake-venue.js';
import { settled } from './clocked.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 2, sizeScale: 4, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

/** A FakeVenue holding what it is handed as a live adapter does (HeldAhead's rules). */
class HeldVenue extends FakeVenue {
  protected readonly ahead: HeldAhead;

  constructor(id: VenueId, market: MarketSpec, clock: FakeClock) {
    super(id, market, clock);
    this.ahead = new HeldAhead(id, clock);
  }

  override prepareMarketOrder(r: MarketOrderRequest, kind: SignAheadKind = 'book'): void {
    super.prepareMarketOrder(r, kind);
    this.ahead.prepare(r, kind);
  }

  override heldBounds(side: 'buy' | 'sell', size: number, now?: number): readonly number[] {
    return this.ahead.bounds(side, size, now);
  }

  override placeMarketOrder(r: MarketOrderRequest): Promise<LegResult> {
    this.ahead.sent(r);
    return super.placeMarketOrder(r);
  }
}

/** The same venue, writing its own orders: it chooses the held order to send from the limit it is handed. */
class WritingVenue extends HeldVenue {
  /** Bounds it chose something other than the fresh one for. */
  chose = 0;

  writeOrder(request: MarketOrderRequest, now?: number, limit?: number): WrittenOrder {
    const order = this.ahead.choose(request, limit, now);
    if (order.worstPrice !== request.worstPrice) this.chose++;
    return { request: order };
  }

  followOrder(written: WrittenOrder): Promise<LegResult> {
    return this.placeMarketOrder(written.request);
  }
}

interface Step {
  bp: number;
  lt: number;
  pauseMs: number;
}

async function run(steps: Step[], writing: boolean) {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--max-position', '0.03', '--log-dir', tempDir('bla-writing-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const Venue = writing ? WritingVenue : HeldVenue;
  const backpack = new Venue('backpack', BP, clock);
  const lighter = new Venue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[9_999_900, 10_000]], [[10_000_000, 10_000]]);
  const engine = new ArbEngine({
    settings: engineSettings({ ...parsed.config, checkIntervalMs: 10 }),
    backpack,
    lighter,
    logger: new MemoryLogger(),
    clock,
    timings: { resolveDeadlineMs: 60, repairDeadlineMs: 400, lateResolveEveryMs: 20 },
  });
  const trades: Array<[TradeRecord['kind'], number | undefined, number | undefined]> = [];
  engine.onTrade((t) => trades.push([t.kind, t.backpack?.filled, t.lighter?.filled]));
  await clock.runUntil(engine.start(), 'start');
  const seen: unknown[] = [];
  for (const s of steps) {
    // Backpack 0.1 ticks, Lighter 0.01: a Lighter bid 30 USD or more above Backpack's ask opens a long entry.
    backpack.book.applySnapshot([[999_990 + s.bp, 100_000]], [[1_000_000 + s.bp, 100_000]]);
    lighter.book.applySnapshot([[9_999_900 + s.lt * 10, 10_000]], [[10_000_000 + s.lt * 10, 10_000]]);
    backpack.touch();
    lighter.touch();
    await settled(clock, engine);
    if (s.pauseMs > 0) await clock.advance(s.pauseMs);
    seen.push(
      [backpack, lighter].map((v) => ({
        buy: [...v.heldBounds('buy', v.id === 'backpack' ? 1000 : 100)],
        sell: [...v.heldBounds('sell', v.id === 'backpack' ? 1000 : 100)],
        orders: v.orders.length,
      })),
    );
  }
  await clock.runUntil(engine.stop('test'), 'stop');
  const chose = backpack instanceof WritingVenue && lighter instanceof WritingVenue ? backpack.chose + lighter.chose : 0;
  return { seen, orders: [backpack.orders, lighter.orders], trades, chose };
}

test('a venue that chooses the held order itself as it writes sends the very orders, with the very bounds, the engine chooses for one sent to in full', async () => {
  let chose = 0;
  let traded = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({ bp: fc.constantFrom(0, 0, 0, 3, -3, 17), lt: fc.constantFrom(0, 0, 0, 50, -50, 400, 450), pauseMs: fc.constantFrom(0, 0, 0, 100, 300, 499, 500, 700, 1200) }),
        { minLength: 5, maxLength: 40 },
      ),
      async (steps) => {
        const writing = await run(steps, true);
        const full = await run(steps, false);
        assert.deepEqual(writing.orders, full.orders);
        assert.deepEqual(writing.seen, full.seen);
        assert.deepEqual(writing.trades, full.trades);
        chose += writing.chose;
        if (full.orders[0]!.length > 0) traded++;
      },
    ),
    { numRuns: 40, seed: 15 },
  );
  // The property had something to compare: held bounds other than the fresh one were chosen, and runs traded.
  assert.ok(chose >= 10, `a held bound chosen ${chose} times`);
  assert.ok(traded >= 10, `orders sent in ${traded} of 40 runs`);
});
