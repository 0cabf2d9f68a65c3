// A venue that answers prepareMarketOrder with the moment it would sign an order again (and counts
// what it drops in signedAheadVoids) is handed an unchanged order only from that moment: the
// engine must then hold, send and bound exactly what it does with a venue that answers nothing
// and is handed every order on every frame. Both venues hold their orders as a replay does
// (HeldAhead); frames, pauses (past the half-life and the life of a held order) and trades (which
// void what is held) come in random order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec, VenueId } from '../../src/venues/types.js';
import { ArbEngine } from '../../src/engine/index.js';
import { HeldAhead } from '../../src/venues/signed-ahead.js';
import type { LegResult, MarketOrderRequest, SignAheadKind } from '../../src/venues/venue.js';
import { FakeVenue } from './fake-venue.js';
import { settled } from './clocked.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 2, sizeScale: 4, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

/** A FakeVenue holding what it is handed as a replay does; `answers`: it says until when handing an order again changes nothing. */
class HeldVenue extends FakeVenue {
  private readonly ahead: HeldAhead;
  readonly signedAheadVoids?: () => number;
  /** prepareMarketOrder calls. */
  handed = 0;

  constructor(id: VenueId, market: MarketSpec, clock: FakeClock, answers: boolean) {
    super(id, market, clock);
    this.ahead = new HeldAhead(id, clock);
    if (answers) this.signedAheadVoids = () => this.ahead.voids;
  }

  override prepareMarketOrder(r: MarketOrderRequest, kind: SignAheadKind = 'book'): number | void {
    this.handed++;
    super.prepareMarketOrder(r, kind);
    const renewAt = this.ahead.prepare(r, kind);
    if (this.signedAheadVoids !== undefined) return renewAt;
  }

  override heldBounds(side: 'buy' | 'sell', size: number): readonly number[] {
    return this.ahead.bounds(side, size);
  }

  override placeMarketOrder(r: MarketOrderRequest): Promise<LegResult> {
    this.ahead.sent(r);
    return super.placeMarketOrder(r);
  }
}

interface Step {
  bp: number;
  lt: number;
  pauseMs: number;
}

async function run(steps: Step[], answers: boolean) {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--max-position', '0.03', '--log-dir', tempDir('bla-answers-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new HeldVenue('backpack', BP, clock, answers);
  const lighter = new HeldVenue('lighter', LT, clock, answers);
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
  return { seen, orders: [backpack.orders, lighter.orders], handed: backpack.handed + lighter.handed };
}

test('a venue that answers when it would sign again is handed less, and the engine holds, sends and bounds exactly as with one handed every order on every frame', async () => {
  let fewer = 0;
  let traded = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({ bp: fc.constantFrom(0, 0, 0, 3, -3, 17), lt: fc.constantFrom(0, 0, 0, 50, -50, 400, 450), pauseMs: fc.constantFrom(0, 0, 0, 100, 300, 499, 500, 700, 1200) }),
        { minLength: 5, maxLength: 40 },
      ),
      async (steps) => {
        const quiet = await run(steps, true);
        const every = await run(steps, false);
        assert.deepEqual(quiet.seen, every.seen);
        assert.deepEqual(quiet.orders, every.orders);
        assert.ok(quiet.handed <= every.handed);
        if (quiet.handed < every.handed) fewer++;
        if (every.orders[0]!.length > 0) traded++;
      },
    ),
    { numRuns: 40, seed: 15 },
  );
  // The property had something to compare: runs where handing was spared, and runs that traded.
  assert.ok(fewer >= 20, `handing spared in ${fewer} of 40 runs`);
  assert.ok(traded >= 10, `orders sent in ${traded} of 40 runs`);
});

test('an order whose hand-over failed is handed again on the next frame, even by a venue that answered for it before', async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-answers-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new HeldVenue('backpack', BP, clock, true);
  const lighter = new HeldVenue('lighter', LT, clock, true);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[9_999_900, 10_000]], [[10_000_000, 10_000]]);
  const logger = new MemoryLogger();
  const engine = new ArbEngine({ settings: engineSettings({ ...parsed.config, checkIntervalMs: 10 }), backpack, lighter, logger, clock });
  await clock.runUntil(engine.start(), 'start');
  backpack.touch();
  lighter.touch();
  await settled(clock, engine);
  const buys = () => backpack.prepared.filter((q) => q.side === 'buy');
  const first = buys().at(-1)!;
  // Backpack's ask moves a tick and back: the first buy order is handed again (and answered)...
  const move = (ask: number) => {
    backpack.book.applySnapshot([[999_990, 100_000]], [[ask, 100_000]]);
    backpack.touch();
  };
  let failing = true;
  const inner = backpack.prepareMarketOrder.bind(backpack);
  backpack.prepareMarketOrder = (r, kind) => {
    // ...except that the venue fails on the way back, before it holds it.
    if (failing && kind === 'book' && r.side === 'buy' && r.worstPrice === first.worstPrice) throw new Error('signer busy');
    return inner(r, kind);
  };
  move(1_000_010);
  await settled(clock, engine);
  move(1_000_000);
  await settled(clock, engine);
  assert.ok(logger.lines.some((l) => l.includes('backpack: signing ahead failed: signer busy')));
  assert.ok(!backpack.heldBounds('buy', 1000).includes(first.worstPrice), 'the venue holds no buy at the first bound');
  failing = false;
  const handed = buys().length;
  backpack.touch();
  await settled(clock, engine);
  assert.equal(buys().length, handed + 1, 'handed again on the next frame');
  assert.deepEqual(buys().at(-1), first);
  assert.ok(backpack.heldBounds('buy', 1000).includes(first.worstPrice));
  await clock.runUntil(engine.stop('test'), 'stop');
});
