// The simulators' funding schedule and the account funding histories they serve, read by the bot's
// own venue-side funding readers: hourly settlements at the rates the tests set, on a clock the
// test moves; Lighter's positionFunding with its parameters, auth and paging; Backpack's history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/log.js';
import { startSimVenues } from '../../src/sim/index.js';
import { SimFundingSchedule } from '../../src/sim/funding.js';
import { SimMargin } from '../../src/sim/margin.js';
import { createMatchingEngine } from '../../src/sim/matching.js';
import { simMarketSpecs } from '../../src/sim/markets.js';
import { BackpackSigner } from '../../src/venues/backpack/auth.js';
import { BackpackFunding } from '../../src/venues/backpack/funding.js';
import { BackpackRest } from '../../src/venues/backpack/rest.js';
import { LighterFunding } from '../../src/venues/lighter/funding.js';
import { LighterRest } from '../../src/venues/lighter/rest.js';
import { RateBudget } from '../../src/venues/lighter/rate-budget.js';
import type { VenueError } from '../../src/venues/venue.js';
import { LighterSigner } from '../../src/venues/lighter/signer/index.js';

const HOUR = 3_600_000;

test('the schedule settles every hour boundary the clock passes, at the rate each venue reports then', () => {
  const btc = createMatchingEngine(simMarketSpecs('BTC').backpack);
  btc.setHouseLiquidity([[999_990, 1_000_000]], [[1_000_000, 1_000_000]]);
  btc.place({ account: 'a', side: 'buy', type: 'market', size: 1000, timeInForce: 'IOC' });
  btc.place({ account: 'b', side: 'sell', type: 'market', size: 2000, timeInForce: 'IOC' });
  btc.setHouseLiquidity([[999_990, 1_000_000]], [[1_000_000, 1_000_000]]);
  const margin = new SimMargin([btc]);
  let now = Date.UTC(2026, 0, 1, 10, 20);
  let rate = '0.0001';
  const schedule = new SimFundingSchedule({ now: () => now, venues: [{ venue: 'backpack', margin, engines: [btc], rateFor: () => rate }] });
  assert.equal(schedule.nextAfter(), Date.UTC(2026, 0, 1, 11));
  assert.deepEqual(schedule.advanceTo(now + 30 * 60_000), [], 'no boundary before 11:00');
  now = Date.UTC(2026, 0, 1, 12, 5);
  const two = schedule.advanceTo(now);
  assert.deepEqual(
    two.map((s) => [s.at, s.rate, [...s.payments]]),
    [
      // Long 0.01 at the mid 99999.5 pays 0.0999995 → 0.100000; short 0.02 receives 0.199999.
      [
        Date.UTC(2026, 0, 1, 11),
        '0.0001',
        [
          ['a', -100_000n],
          ['b', 199_999n],
        ],
      ],
      [
        Date.UTC(2026, 0, 1, 12),
        '0.0001',
        [
          ['a', -100_000n],
          ['b', 199_999n],
        ],
      ],
    ],
  );
  rate = '-0.00005';
  assert.deepEqual(schedule.advanceTo(now), [], 'a boundary is settled once');
  const one = schedule.settleNow();
  assert.deepEqual(
    [...one[0].payments],
    [
      ['a', 49_999n],
      ['b', -100_000n],
    ],
    'a negative rate: the long receives, the short pays (each rounded against it)',
  );
  assert.equal(margin.funding('a', 'BTC'), -100_000n - 100_000n + 49_999n);
  assert.deepEqual(
    margin.fundingEvents.map((e) => [e.id, e.at, e.sizes.get('a'), e.sizes.get('b')]),
    [
      [0, Date.UTC(2026, 0, 1, 11), 1000, -2000],
      [1, Date.UTC(2026, 0, 1, 12), 1000, -2000],
      [2, now, 1000, -2000],
    ],
  );
});

test("both simulators serve the account's funding history in the venues' shapes, and the bot's readers take it exactly", async () => {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, scripted: true, pingIntervalMs: 1000 });
  const backpackRest = new BackpackRest({
    apiUrl: sim.endpoints.backpack.apiUrl,
    signer: new BackpackSigner(sim.credentials.backpackSecretKey, sim.credentials.backpackPublicKey),
    logger: silentLogger,
  });
  const lighterRest = new LighterRest({ apiUrl: sim.endpoints.lighter.apiUrl, logger: silentLogger });
  const signer = new LighterSigner({
    privateKey: sim.credentials.lighterPrivateKey,
    chainId: 304,
    accountIndex: sim.credentials.lighterAccountIndex,
    apiKeyIndex: sim.credentials.lighterApiKeyIndex,
  });
  const token = () => signer.createAuthToken(Math.floor(Date.now() / 1000) + 600);
  try {
    for (const e of [sim.engines.backpack, sim.engines.lighter]) e.setHouseLiquidity([[999_990, 1_000_000]], [[1_000_000, 1_000_000]]);
    sim.engines.backpack.place({ account: sim.accounts.backpack, side: 'buy', type: 'market', size: 1000, timeInForce: 'IOC' });
    sim.engines.lighter.place({ account: sim.accounts.lighter, side: 'sell', type: 'market', size: 1000, timeInForce: 'IOC' });
    for (const e of [sim.engines.backpack, sim.engines.lighter]) e.setHouseLiquidity([[999_990, 1_000_000]], [[1_000_000, 1_000_000]]);
    sim.funding.backpack.set('BTC_USDC_PERP', '0.0001');
    sim.funding.lighter.set(1, 0.0008);
    const t0 = Math.floor(Date.now() / HOUR) * HOUR;
    sim.fundingSchedule.settleNow(t0 - HOUR); // before the reader's start: not ours
    sim.fundingSchedule.settleNow(t0 + HOUR);
    sim.funding.backpack.set('BTC_USDC_PERP', '-0.0002');
    sim.funding.lighter.set(1, -0.0016);
    sim.fundingSchedule.settleNow(t0 + 2 * HOUR);

    // Lighter: positionFunding needs the account's token and a limit of 1..100; rows newest first.
    await assert.rejects(lighterRest.get('positionFunding', { account_index: 100, limit: 10 }), /20001|auth/);
    await assert.rejects(lighterRest.get('positionFunding', { account_index: 100, limit: 101 }, token()), /limit/);
    const raw = await lighterRest.get<{ position_fundings: unknown[]; next_cursor: string | null }>('positionFunding', { account_index: 100, market_id: 1, limit: 2 }, token());
    // The docs' example of these rows stamps them in seconds (WebSocket reference › Account All, funding_histories).
    assert.deepEqual(raw.position_fundings[0], {
      timestamp: (t0 + 2 * HOUR) / 1000,
      market_id: 1,
      funding_id: 2, // the venue's third settlement (the markets with empty books have no mark to settle at)
      change: '-0.199999',
      discount: '0.000000',
      rate: '-0.0002',
      position_size: '0.01000',
      position_side: 'short',
    });
    assert.equal(raw.next_cursor, '2');
    // start_timestamp / end_timestamp are seconds too, as the rows' timestamps (third-party clients of positionFunding read them so).
    const since = await lighterRest.get<{ position_fundings: Array<{ funding_id: number }> }>(
      'positionFunding',
      { account_index: 100, market_id: 1, limit: 10, start_timestamp: (t0 + 2 * HOUR) / 1000 },
      token(),
    );
    assert.deepEqual(
      since.position_fundings.map((r) => r.funding_id),
      [2],
    );
    assert.equal(
      (await lighterRest.get<{ position_fundings: unknown[] }>('positionFunding', { account_index: 100, market_id: 1, limit: 10, side: 'long' }, token())).position_fundings.length,
      0,
    );

    const lighter = new LighterFunding({ rest: lighterRest, accountIndex: 100, market: () => ({ marketId: 1, symbol: 'BTC' }), authToken: token, now: () => t0 });
    const lt = await lighter.payments(t0);
    assert.deepEqual(
      lt.map((p) => [p.key, p.at, p.amount, p.rate]),
      [
        ['1#1', t0 + HOUR, 99_999_000_000n, '0.0001'],
        ['1#2', t0 + 2 * HOUR, -199_999_000_000n, '-0.0002'],
      ],
    );
    assert.deepEqual(await lighter.current(), { venue: 'lighter', market: 'BTC', rate: '-0.0016', periodMs: 8 * HOUR, settleEveryMs: HOUR, nextAt: t0 + HOUR });

    // The prediction from the session's market_stats channel: subscribed when the rate is first asked for.
    const subscribed: string[] = [];
    let handle: ((frame: Record<string, unknown>) => void) | undefined;
    const stream = { subscribe: (c: string) => subscribed.push(c), route: (_p: string, h: (frame: Record<string, unknown>) => void) => (handle = h) };
    const predicting = new LighterFunding({
      rest: lighterRest,
      accountIndex: 100,
      market: () => ({ marketId: 1, symbol: 'BTC' }),
      authToken: token,
      now: () => t0,
      stream,
      statsWaitMs: 0,
    });
    const before = await predicting.current();
    assert.deepEqual(subscribed, ['market_stats/1']);
    assert.equal(before.predicted, undefined);
    assert.equal(before.predictedMissing, 'no market_stats frame received yet');
    handle!({ channel: 'market_stats:0', market_stats: { market_id: 0, current_funding_rate: '0.0100', funding_rate: '0', funding_timestamp: t0 } });
    handle!({ channel: 'market_stats:1', market_stats: { market_id: 1, current_funding_rate: '-0.0030', funding_rate: '0.0012', funding_timestamp: t0 } });
    assert.deepEqual((await predicting.current()).predicted, { rate: '-0.00003', periodMs: HOUR, at: t0 + HOUR, field: 'market_stats current_funding_rate' });
    assert.deepEqual(subscribed, ['market_stats/1'], 'subscribed once');

    // Inside Lighter's shared budget, funding takes a place only while at most half the window is used, and never waits for one.
    const budget = new RateBudget({ perMinute: 10 });
    const budgeted = new LighterFunding({ rest: lighterRest, accountIndex: 100, market: () => ({ marketId: 1, symbol: 'BTC' }), authToken: token, now: () => t0, budget });
    assert.equal((await budgeted.payments(t0)).length, 2);
    assert.equal(budget.used(), 1, 'the read took one place');
    for (let i = 0; i < 4; i++) assert.ok(budget.tryTake('entry'));
    await assert.rejects(budgeted.payments(t0), (e: VenueError) => e.kind === 'rate_limited' && /5 of 10 this minute\) is kept for orders/.test(e.message));
    await assert.rejects(budgeted.current(), (e: VenueError) => e.kind === 'rate_limited');
    assert.equal(budget.used(), 5, 'nothing sent, no place taken');

    const backpack = new BackpackFunding(backpackRest, 'BTC_USDC_PERP');
    const bp = await backpack.payments(t0);
    assert.deepEqual(
      bp.map((p) => [p.key, p.at, p.amount, p.rate]),
      [
        [`BTC_USDC_PERP@${t0 + HOUR}`, t0 + HOUR, -100_000_000_000n, '0.0001'],
        [`BTC_USDC_PERP@${t0 + 2 * HOUR}`, t0 + 2 * HOUR, 199_999_000_000n, '-0.0002'],
      ],
    );
    const now = await backpack.current();
    // markPrices' one rate is the current interval's and the venue's estimate of the payment at nextFundingTimestamp.
    assert.deepEqual(
      { ...now, nextAt: undefined },
      {
        venue: 'backpack',
        market: 'BTC_USDC_PERP',
        rate: '-0.0002',
        periodMs: HOUR,
        settleEveryMs: HOUR,
        nextAt: undefined,
        mark: '99999.5',
        predicted: { rate: '-0.0002', periodMs: HOUR, at: now.nextAt, field: 'markPrices fundingRate' },
      },
    );
    assert.equal(now.nextAt! % HOUR, 0, 'settled on the hour');
  } finally {
    backpackRest.close();
    lighterRest.close();
    await sim.stop();
  }
});
