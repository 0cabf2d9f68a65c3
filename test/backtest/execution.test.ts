// The simulated execution side of a replay against a recorded Backpack book fed through the live
// depth sync: partial fills when depth runs out, the worst-price bound, latency moving the fill to
// a later book, fees by venue and tier, Lighter's speed bump, the order budget and position limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayClock } from '../../src/backtest/clock.js';
import { LatencyLearner, SimulatedExecution, fixedLatency, takerFees, type ExecutionOptions } from '../../src/backtest/execution.js';
import { BackpackFeed, LighterFeed } from '../../src/backtest/feed.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';

// Backpack BTC: price 1 decimal, size 5 decimals; 2.5 bps taker.
const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 2, sizeScale: 4, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

function rig(options: Partial<ExecutionOptions> = {}) {
  const clock = new ReplayClock(0, Date.UTC(2026, 0, 1));
  const feed = new BackpackFeed(BP, new MemoryLogger());
  // Asks 100.0 × 0.5 and 100.1 × 0.3; bids 99.9 × 0.4 and 99.8 × 1.
  feed.apply(
    {
      kind: 'snapshot',
      venue: 'backpack',
      atUs: 0,
      payload: JSON.stringify({
        lastUpdateId: '1',
        asks: [
          ['100.0', '0.5'],
          ['100.1', '0.3'],
        ],
        bids: [
          ['99.9', '0.4'],
          ['99.8', '1'],
        ],
      }),
    },
    0,
  );
  const exec = new SimulatedExecution(feed, clock, { latency: { arrivalMs: 10, replyMs: 5 }, takerFeeBps: 2.5, ...options });
  let u = 1;
  const depth = (atMs: number, a: Array<[string, string]>, b: Array<[string, string]> = []) => {
    u++;
    feed.apply({ kind: 'frame', venue: 'backpack', atUs: atMs * 1000, payload: JSON.stringify({ stream: 'depth.BTC_USDC_PERP', data: { e: 'depth', U: u, u, a, b } }) }, atMs);
  };
  return { clock, feed, exec, depth };
}

test('a buy bigger than the depth inside its bound fills partially, level by level, after the latency', async () => {
  const { clock, exec } = rig();
  const leg = exec.placeMarketOrder({ side: 'buy', size: 100_000, worstPrice: 1_010 });
  await clock.advanceTo(100);
  const r = await leg;
  assert.equal(r.state, 'partial');
  assert.equal(r.filled, 80_000);
  assert.equal(r.notional, 50_000 * 1_000 + 30_000 * 1_001);
  assert.equal(r.sentAt, 0);
  assert.equal(r.confirmedAt, 15);
  assert.equal(exec.position, 80_000);
  // 2.5 bps of 80.03 (0.5 × 100.0 + 0.3 × 100.1).
  assert.equal(r.fee, (80_030_000 / 1e6) * 2.5e-4);
});

test('the worst-price bound stops the walk: a buy bounded at 100.0 takes only that level; a sell above the bid is refused', async () => {
  const { clock, exec } = rig();
  const buy = exec.placeMarketOrder({ side: 'buy', size: 100_000, worstPrice: 1_000 });
  const sell = exec.placeMarketOrder({ side: 'sell', size: 10_000, worstPrice: 1_000 });
  await clock.advanceTo(100);
  const b = await buy;
  assert.equal(b.state, 'partial');
  assert.equal(b.filled, 50_000);
  assert.equal(b.notional, 50_000 * 1_000);
  const s = await sell;
  assert.equal(s.state, 'rejected');
  assert.equal(s.filled, 0);
  assert.match(s.error!.message, /no depth inside the worst price/);
});

test('latency moves the fill to the book as it is when the order arrives, not when it was sent', async () => {
  const early = rig();
  const late = rig();
  const a = early.exec.placeMarketOrder({ side: 'buy', size: 10_000, worstPrice: 1_020 });
  const b = late.exec.placeMarketOrder({ side: 'buy', size: 10_000, worstPrice: 1_020 });
  // The ask moves from 100.0 to 101.0: before the order arrives (5 ms) in one case, after (15 ms) in the other.
  await early.clock.advanceTo(5);
  early.depth(5, [
    ['100.0', '0'],
    ['100.1', '0'],
    ['101.0', '1'],
  ]);
  await late.clock.advanceTo(15);
  late.depth(15, [
    ['100.0', '0'],
    ['100.1', '0'],
    ['101.0', '1'],
  ]);
  await early.clock.advanceTo(100);
  await late.clock.advanceTo(100);
  assert.equal((await a).notional, 10_000 * 1_010);
  assert.equal((await b).notional, 10_000 * 1_000);
});

test('what a fill took is gone from the book until the venue next speaks of that level', async () => {
  const { clock, exec, feed, depth } = rig();
  const first = exec.placeMarketOrder({ side: 'buy', size: 40_000, worstPrice: 1_000 });
  await clock.advanceTo(11);
  assert.deepEqual(feed.book.levels('ask'), [
    [1_000, 10_000],
    [1_001, 30_000],
  ]);
  const second = exec.placeMarketOrder({ side: 'buy', size: 40_000, worstPrice: 1_000 });
  await clock.advanceTo(100);
  assert.equal((await first).filled, 40_000);
  assert.equal((await second).filled, 10_000);
  depth(101, [['100.0', '0.5']]);
  assert.deepEqual(feed.book.levels('ask')[0], [1_000, 50_000]);
});

test('fees by venue and tier: the recorded rate, Lighter by tier, overrides last; Lighter Standard has its 300 ms taker speed bump', () => {
  const markets = { backpack: BP, lighter: LT };
  assert.deepEqual(takerFees(markets), { backpack: 2.5, lighter: 0 });
  assert.deepEqual(takerFees(markets, { lighterTier: 'premium' }), { backpack: 2.5, lighter: 2.8 });
  assert.deepEqual(takerFees(markets, { lighterTier: 'standard' }), { backpack: 2.5, lighter: 0 });
  assert.deepEqual(takerFees(markets, { lighterTier: 'premium', backpackBps: 1, lighterBps: 2 }), { backpack: 1, lighter: 2 });
  assert.deepEqual(fixedLatency({ backpack: 20, lighter: 10 }, 'standard'), { backpack: { arrivalMs: 10, replyMs: 10 }, lighter: { arrivalMs: 305, replyMs: 5 } });
  assert.deepEqual(fixedLatency({ backpack: 20, lighter: 10 }, 'premium').lighter, { arrivalMs: 205, replyMs: 5 });
  assert.deepEqual(fixedLatency({ backpack: 20, lighter: 10 }).lighter, { arrivalMs: 5, replyMs: 5 });
});

test('latency learned from order events: the median round trip per venue, split both ways', () => {
  const l = new LatencyLearner();
  for (const [id, sentUs, atUs] of [
    ['b1', 1_000, 5_000],
    ['b2', 10_000, 12_000],
    ['b3', 20_000, 30_000],
  ] as const) {
    l.add('backpack', sentUs, { event: 'sent', id, side: 'buy', size: 1, worstPrice: 1 });
    l.add('backpack', atUs, { event: 'filled', id, state: 'filled', sentUs, filled: 1, notional: 1, fee: 0 });
  }
  const m = l.model(fixedLatency({ backpack: 99, lighter: 50 }));
  assert.deepEqual(m.backpack, { arrivalMs: 2, replyMs: 2 });
  assert.deepEqual(m.lighter, { arrivalMs: 25, replyMs: 25 }, 'a venue with no orders keeps the fallback');
});

test("Lighter's request budget as the live adapter keeps it: entries stop at two thirds less the repair reserve, a repair still goes, readiness says budget_empty until a place frees", async () => {
  const { clock, exec } = rig({ requestsPerMinute: 60 });
  // 60 a minute: transactions 40, of which 6 are kept for repairs → 34 entries.
  const entries = [...Array(35).keys()].map(() => exec.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_010 }));
  await clock.advanceTo(100);
  const states = (await Promise.all(entries)).map((l) => l.state);
  assert.equal(states.filter((s) => s === 'filled').length, 34);
  const refused = await entries[34]!;
  assert.equal(refused.state, 'rejected');
  assert.equal(refused.error!.kind, 'rate_limited');
  assert.deepEqual(exec.readiness().state, 'budget_empty');
  assert.equal((exec.readiness() as { until: number }).until, 60_000, 'the first place frees a minute after it was taken');
  const repair = exec.placeMarketOrder({ side: 'sell', size: 100, worstPrice: 990, purpose: 'repair' });
  await clock.advanceTo(200);
  assert.equal((await repair).state, 'filled');
  await clock.advanceTo(60_000);
  assert.deepEqual(exec.readiness(), { state: 'ready' });
});

test('a venue position limit cuts an order to the room left and refuses one with none', async () => {
  const { clock, exec } = rig({ maxPosition: 15_000 });
  const a = exec.placeMarketOrder({ side: 'buy', size: 10_000, worstPrice: 1_010 });
  await clock.advanceTo(20);
  const b = exec.placeMarketOrder({ side: 'buy', size: 10_000, worstPrice: 1_010 });
  await clock.advanceTo(40);
  const c = exec.placeMarketOrder({ side: 'buy', size: 10_000, worstPrice: 1_010 });
  await clock.advanceTo(60);
  assert.deepEqual([(await a).filled, (await b).filled, (await c).filled], [10_000, 5_000, 0]);
  assert.equal((await b).state, 'partial');
  assert.match((await c).error!.message, /position limit 15000 reached/);
});

test('orders held as a live adapter holds them signed ahead: per side and kind, young enough, handed out once; a Lighter order voids them all', async () => {
  const { clock, exec } = rig();
  const book = { side: 'buy', size: 10_000, worstPrice: 1_003 } as const;
  const threshold = { side: 'buy', size: 10_000, worstPrice: 1_010 } as const;
  exec.prepareMarketOrder(book, 'book');
  exec.prepareMarketOrder(threshold, 'threshold');
  exec.prepareMarketOrder({ side: 'sell', size: 10_000, worstPrice: 997 }, 'book');
  assert.deepEqual(exec.heldBounds('buy', 10_000), [1_003, 1_010]);
  assert.deepEqual(exec.heldBounds('buy', 20_000), [], 'another size is not held');
  // Past the age a live adapter would still send (1 s), nothing is offered.
  clock.setTime(1_000);
  assert.deepEqual(exec.heldBounds('buy', 10_000), []);
  exec.prepareMarketOrder(book, 'book');
  exec.prepareMarketOrder(threshold, 'threshold');
  exec.prepareMarketOrder({ side: 'sell', size: 10_000, worstPrice: 997 }, 'book');
  // Backpack: sending a buy hands out (and drops) what the buy side held; the sell side stays.
  const sent = exec.placeMarketOrder(threshold);
  assert.deepEqual(exec.heldBounds('buy', 10_000), []);
  assert.deepEqual(exec.heldBounds('sell', 10_000), [997]);
  await clock.advanceTo(1_100);
  assert.equal((await sent).state, 'filled');

  // Lighter: any transaction takes the nonce everything held was signed for.
  const clockL = new ReplayClock(0, Date.UTC(2026, 0, 1));
  const feedL = new LighterFeed(LT, new MemoryLogger());
  const lighter = new SimulatedExecution(feedL, clockL, { latency: { arrivalMs: 10, replyMs: 5 }, takerFeeBps: 0 });
  lighter.prepareMarketOrder({ side: 'buy', size: 10, worstPrice: 10_100 }, 'book');
  lighter.prepareMarketOrder({ side: 'sell', size: 10, worstPrice: 9_900 }, 'threshold');
  void lighter.placeMarketOrder({ side: 'buy', size: 10, worstPrice: 10_200 });
  assert.deepEqual(lighter.heldBounds('buy', 10), []);
  assert.deepEqual(lighter.heldBounds('sell', 10), []);
  await clockL.advanceTo(100);
});

test('readiness asked on every frame between orders follows the budget: ready until the last entry place is taken, budget_empty then, ready again a minute later', async () => {
  const { clock, exec } = rig({ requestsPerMinute: 60 });
  // 34 entry places (60 a minute: transactions 40, 6 kept for repairs); a position read takes a place of the 60 too.
  await exec.fetchPosition();
  const sent: Array<Promise<unknown>> = [];
  for (let i = 0; i < 34; i++) {
    assert.deepEqual(exec.readiness(), { state: 'ready' }, `before entry ${i + 1}`);
    assert.deepEqual(exec.readiness(), { state: 'ready' }, `asked again before entry ${i + 1}`);
    sent.push(exec.placeMarketOrder({ side: 'buy', size: 1, worstPrice: 1_010 }));
    await clock.advanceTo(clock.monoMs() + 1);
  }
  const empty = exec.readiness();
  assert.equal(empty.state, 'budget_empty');
  assert.equal((empty as { until: number }).until, 60_000, 'the first entry place (taken at 0) frees a minute later');
  assert.equal(clock.monoMs(), 34);
  assert.match(
    empty.state === 'budget_empty' ? empty.detail : '',
    /^Lighter entry not sent: the shared budget of 60 requests \(40 transactions\) per minute \(--lighter-requests-per-minute\) is spent for another 59966 ms$/,
  );
  // A repair still has a place; taking it moves the entries' next place on to the second entry's minute.
  sent.push(exec.placeMarketOrder({ side: 'sell', size: 1, worstPrice: 990, purpose: 'repair' }));
  assert.equal((exec.readiness() as { until: number }).until, 60_001);
  await clock.advanceTo(60_000);
  const still = exec.readiness();
  assert.deepEqual(
    still,
    {
      state: 'budget_empty',
      until: 60_001,
      detail: 'Lighter entry not sent: the shared budget of 60 requests (40 transactions) per minute (--lighter-requests-per-minute) is spent for another 1 ms',
    },
    'not yet, and the wait said as it is now',
  );
  await clock.advanceTo(60_001);
  assert.deepEqual(exec.readiness(), { state: 'ready' });
  await Promise.all(sent);
});

test('the readiness gate is open only while readiness() answers ready: opened by a ready answer, closed by every place taken, shut while the budget is spent', async () => {
  const { clock, exec } = rig({ requestsPerMinute: 60 });
  const gate = exec.readinessGate;
  const open = () => clock.monoMs() >= gate.readyFrom;
  assert.equal(open(), false, 'closed until readiness() has answered');
  let opened = 0;
  const sent: Array<Promise<unknown>> = [];
  // Entries every few milliseconds, readiness asked now and then between them, past the point the
  // budget runs dry and on until it frees: whenever the gate is open, readiness() says ready.
  for (let i = 0; i < 400; i++) {
    if (open()) {
      opened++;
      assert.deepEqual(exec.readiness(), { state: 'ready' }, `gate open at ${clock.monoMs()} ms`);
    }
    if (i % 3 === 0) {
      const r = exec.readiness();
      assert.equal(open(), r.state === 'ready', `the gate after readiness() at ${clock.monoMs()} ms`);
    }
    if (i % 5 === 4) {
      if (i % 2 === 0) await exec.fetchPosition();
      else sent.push(exec.placeMarketOrder({ side: 'buy', size: 1, worstPrice: 1_010 }));
      assert.equal(open(), false, 'a place taken closes it');
    }
    await clock.advanceTo(clock.monoMs() + (i === 250 ? 60_000 : 1));
  }
  assert.ok(opened > 40, `${opened} turns read the gate open`);
  await clock.advanceTo(clock.monoMs() + 100);
  await Promise.all(sent);
  // No budget (Backpack): open from the first answer on, and nothing closes it.
  const bp = rig();
  bp.exec.readiness();
  assert.equal(bp.clock.monoMs() >= bp.exec.readinessGate.readyFrom, true);
  const order = bp.exec.placeMarketOrder({ side: 'buy', size: 1, worstPrice: 1_010 });
  assert.equal(bp.clock.monoMs() >= bp.exec.readinessGate.readyFrom, true, 'no budget: no place taken');
  await bp.clock.advanceTo(100);
  assert.equal((await order).state, 'filled');
  assert.deepEqual(bp.exec.readiness(), { state: 'ready' });
  assert.equal(bp.clock.monoMs() >= bp.exec.readinessGate.readyFrom, true);
});
