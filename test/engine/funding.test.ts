// The engine's funding reads on a FakeClock: every fundingPollEveryMs and after each
// reconciliation; a payment counted once, and only when settled since the start; a refused reply
// is one warning and the next read counts what it held; the summary, the status snapshot and the
// trades CSV carry the sums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import { ArbEngine } from '../../src/engine/index.js';
import type { FundingPayment, FundingRateNow, FundingSource } from '../../src/venues/funding.js';
import type { MarketSpec, VenueId } from '../../src/venues/types.js';
import { VenueError } from '../../src/venues/venue.js';
import { BotMetrics } from '../../src/watch/metrics.js';
import { FakeVenue } from './fake-venue.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

/** A venue's funding history as a test scripts it. */
class ScriptedFunding implements FundingSource {
  /** Everything the venue has settled for the account (the reader filters by `since`). */
  history: FundingPayment[] = [];
  /** The next reads fail with a refused reply. */
  refuse = 0;
  reads = 0;
  constructor(
    private readonly venue: VenueId,
    private readonly rate: FundingRateNow,
  ) {}
  payments(since: number): Promise<FundingPayment[]> {
    this.reads++;
    if (this.refuse > 0) {
      this.refuse--;
      return Promise.reject(new VenueError(this.venue, 'protocol', `${this.venue} funding history refused: row 3 lacks a decimal quantity`));
    }
    return Promise.resolve(this.history.filter((p) => p.at >= since));
  }
  current(): Promise<FundingRateNow> {
    return Promise.resolve(this.rate);
  }
}

class FundedVenue extends FakeVenue {
  funding!: ScriptedFunding;
}

function setup(timings: { fundingPollEveryMs: number; reconcileEveryMs: number }) {
  const clock = new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 10), monoMs: 1000 });
  const backpack = new FundedVenue('backpack', BP, clock);
  const lighter = new FundedVenue('lighter', LT, clock);
  backpack.funding = new ScriptedFunding('backpack', { venue: 'backpack', market: 'BTC_USDC_PERP', rate: '0.0001', periodMs: 3_600_000, settleEveryMs: 3_600_000 });
  lighter.funding = new ScriptedFunding('lighter', { venue: 'lighter', market: 'BTC', rate: '-0.0008', periodMs: 8 * 3_600_000, settleEveryMs: 3_600_000 });
  for (const v of [backpack, lighter]) v.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  backpack.venuePosition = 2000;
  lighter.venuePosition = -2000;
  const logDir = tempDir('bla-funding-');
  const parsed = parseConfig(['--paper', '--size', '0.01', '--max-position', '0.02', '--log-dir', logDir], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const logger = new MemoryLogger();
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger, clock, timings });
  return { clock, backpack, lighter, engine, logger, logDir };
}

const pay = (venue: VenueId, key: string, at: number, amount: bigint, rate: string): FundingPayment => ({
  venue,
  market: venue === 'backpack' ? 'BTC_USDC_PERP' : 'BTC',
  key,
  at,
  amount,
  rate,
});

function fundingCsv(logDir: string): string[] {
  const file = readdirSync(logDir).find((f) => f.startsWith('trades_BTC_'))!;
  const [header, ...rows] = readFileSync(join(logDir, file), 'utf8').trim().split('\n');
  const cols = header.split(',');
  return rows
    .map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])))
    .filter((r) => r.kind === 'funding')
    .map((r) => `${r.timestamp} ${r.direction} ${r.backpack_funding}|${r.lighter_funding} ${r.funding_rate}`);
}

test('funding is read on its period; each payment counted once and only from the start; a refused reply is one warning and loses nothing', async () => {
  const { clock, backpack, lighter, engine, logger, logDir } = setup({ fundingPollEveryMs: 1000, reconcileEveryMs: 1_000_000 });
  const start = clock.wallMs();
  backpack.funding.history.push(pay('backpack', 'old', start - 3_600_000, -5_000_000_000_000n, '0.0001'));
  await clock.runUntil(engine.start());
  // The start-up lines: 0.02 long at 99999.5 and 1 bp an hour costs 4.799976 a day; the short at −8 bp over 8 h pays 0.02 · 99999.5 · 0.0024 = 4.799976 a day.
  assert.ok(logger.lines.some((l) => l.includes('funding now: Backpack BTC_USDC_PERP 0.0001 per 1 h; Lighter BTC -0.0008 per 8 h, settled every 1 h')));
  assert.ok(
    logger.lines.some((l) =>
      l.includes(
        'funding per day at these rates on the positions held, at the mids: Backpack 0.02000 costs 4.799976 USDC/day; Lighter -0.02000 costs 4.799976 USDC/day; net -9.599952 USDC/day',
      ),
    ),
    logger.lines.join('\n'),
  );
  assert.equal(backpack.funding.reads, 0, 'no history read at start-up: nothing has settled in this run yet');

  backpack.funding.history.push(pay('backpack', 'h11', start + 3_600_000, -199_999_000_000n, '0.0001'));
  // A Lighter row whose sign was read the harsher way (venues/lighter/funding.ts): counted as paid, and said.
  lighter.funding.history.push({
    ...pay('lighter', '1#7', start + 3_600_000, -24_999_000_000n, '-0.0001'),
    note: 'its change 0.024999 reads as received, but a short at rate -0.0001 pays: counted as paid (the harsher reading)',
  });
  await clock.advance(1000);
  await engine.idle();
  assert.deepEqual([backpack.funding.reads, lighter.funding.reads], [1, 1]);
  assert.equal(
    logger.lines.filter((l) =>
      l.includes(
        "funding: Lighter BTC settlement 1#7: its change 0.024999 reads as received, but a short at rate -0.0001 pays: counted as paid (the harsher reading) — compare with the venue's own funding history",
      ),
    ).length,
    1,
  );
  assert.deepEqual(engine.snapshot().summary.funding?.venues, { backpack: '-0.199999', lighter: '-0.024999' }, 'the payment before the start is not this run’s');

  // The next read: the same rows again (counted once), Backpack's reply refused twice running: one warning.
  backpack.funding.refuse = 2;
  await clock.advance(1000);
  await clock.advance(1000);
  backpack.funding.history.push(pay('backpack', 'h12', start + 7_200_000, 99_999_000_000n, '-0.00005'));
  await clock.advance(1000);
  await engine.idle();
  assert.equal(logger.lines.filter((l) => l.includes('funding: Backpack payments unavailable')).length, 1, 'one warning for the refused replies');
  assert.ok(logger.lines.some((l) => l.includes('backpack funding history refused: row 3 lacks a decimal quantity')));
  const snap = engine.snapshot();
  assert.deepEqual(snap.summary.funding?.venues, { backpack: '-0.100000', lighter: '-0.024999' });
  assert.equal(snap.summary.funding?.total, '-0.124999');
  assert.equal(snap.summary.funding?.payments, 3);

  // Metrics: what each venue paid us and charged us, each only growing.
  const metrics = await new BotMetrics(() => [{ market: 'BTC', snapshot: () => engine.snapshot() }]).registry.metrics();
  assert.match(metrics, /^arb_funding_paid_usd_total\{market="BTC",venue="backpack"\} 0\.199999$/m);
  assert.match(metrics, /^arb_funding_received_usd_total\{market="BTC",venue="backpack"\} 0\.099999$/m);
  assert.match(metrics, /^arb_funding_paid_usd_total\{market="BTC",venue="lighter"\} 0\.024999$/m);
  assert.match(metrics, /^arb_funding_received_usd_total\{market="BTC",venue="lighter"\} 0$/m);
  assert.match(metrics, /^arb_total_funding_usd -0\.124999$/m);

  const summary = await clock.runUntil(engine.stop('test'));
  assert.equal(summary.pnl?.funding.total, '-0.124999');
  assert.deepEqual(summary.pnl?.funding.byMarket, { BTC: { backpack: '-0.100000', lighter: '-0.024999' } });
  assert.deepEqual(fundingCsv(logDir), [
    '2026-01-01T11:00:00.000Z FUNDING_BACKPACK -0.199999| 0.0001',
    '2026-01-01T11:00:00.000Z FUNDING_LIGHTER |-0.024999 -0.0001',
    '2026-01-01T12:00:00.000Z FUNDING_BACKPACK 0.099999| -0.00005',
  ]);
  assert.ok(logger.lines.some((l) => /summary: funding +-0\.124999 USDC = Backpack -0\.100000 USDC, Lighter -0\.024999 USDC/.test(l)));
});

test('a reconciliation reads funding too, at most once per half reconciliation period', async () => {
  const { clock, backpack, lighter, engine } = setup({ fundingPollEveryMs: 1_000_000_000, reconcileEveryMs: 1000 });
  await clock.runUntil(engine.start());
  assert.equal(backpack.funding.reads, 0);
  lighter.funding.history.push(pay('lighter', '1#1', clock.wallMs() + 1, 50_000_000_000n, '0.0001'));
  await clock.advance(1100);
  await engine.idle();
  assert.deepEqual([backpack.funding.reads, lighter.funding.reads], [1, 1], 'the periodic reconciliation read both histories');
  assert.equal(engine.snapshot().summary.funding?.venues.lighter, '0.050000');
  await clock.advance(1000);
  await engine.idle();
  assert.deepEqual([backpack.funding.reads, lighter.funding.reads], [2, 2]);
  await clock.runUntil(engine.stop('test'));
});

test('a venue whose rate does not come within 3 s is said, and start-up goes on without the funding lines', async () => {
  const { clock, backpack, engine, logger } = setup({ fundingPollEveryMs: 60_000, reconcileEveryMs: 30_000 });
  backpack.funding.current = () => new Promise<FundingRateNow>(() => undefined);
  const started = engine.start();
  await clock.advance(2900);
  assert.equal(engine.phase, 'starting', 'still waiting for the rates');
  await clock.advance(200);
  assert.equal(await started, true);
  assert.ok(logger.lines.some((l) => l.includes("funding: the venues' current rates did not come within 3 s; starting without the start-up funding lines")));
  assert.ok(!logger.lines.some((l) => l.includes('funding now:')));
  await clock.runUntil(engine.stop('test'));
});
