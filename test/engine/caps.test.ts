// Caps across markets: two engines (BTC and ETH) share one PortfolioCaps, as a run of several
// markets wires them; an entry that would pass a cap is skipped with the reason, entries in flight
// count, and repairs are never asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import type { LegResult } from '../../src/venues/venue.js';
import { ArbEngine } from '../../src/engine/index.js';
import { PortfolioCaps } from '../../src/portfolio/caps.js';
import { FakeVenue, takerFill } from './fake-venue.js';

const spec = (venue: 'backpack' | 'lighter', symbol: string, priceScale: number, sizeScale: number): MarketSpec => ({
  venue,
  symbol,
  marketId: venue === 'lighter' ? 1 : undefined,
  priceScale,
  sizeScale,
  tickSize: 1,
  stepSize: 1,
  minSize: 1,
  takerFeeBps: 0,
  makerFeeBps: 0,
});

function market(ticker: string, size: string, priceScale: number, sizeScale: number, clock: FakeClock, caps: PortfolioCaps, logDir: string) {
  const parsed = parseConfig(['--paper', '--ticker', ticker, '--size', size, '--log-dir', logDir], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const backpack = new FakeVenue('backpack', spec('backpack', `${ticker}_USDC_PERP`, priceScale, sizeScale), clock);
  const lighter = new FakeVenue('lighter', spec('lighter', ticker, priceScale, sizeScale), clock);
  const logger = new MemoryLogger();
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger, clock, caps });
  caps.add(ticker, () => engine.exposure());
  return { engine, backpack, lighter, logger };
}

test('an entry that would pass --max-total-notional across markets is skipped with the reason, once', async () => {
  const clock = new FakeClock();
  const caps = new PortfolioCaps({ maxTotalNotional: 1500, names: { notional: '--max-total-notional', exposure: '--max-total-exposure' } });
  const dir = tempDir('bla-caps-');
  const btc = market('BTC', '0.01', 1, 5, clock, caps, dir);
  const eth = market('ETH', '0.2', 2, 4, clock, caps, dir);
  btc.backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  btc.lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  eth.backpack.setBook([[349_990, 100_000]], [[350_000, 100_000]]);
  eth.lighter.setBook([[349_990, 100_000]], [[350_000, 100_000]]);
  await clock.runUntil(Promise.all([btc.engine.start(), eth.engine.start()]));
  // BTC opens: 0.01 × 99 999.5 = 999.995 USDC, under the cap.
  btc.lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await clock.runUntil(btc.engine.idle());
  assert.deepEqual([btc.backpack.orders.length, btc.lighter.orders.length], [1, 1]);
  assert.deepEqual(btc.engine.positions(), { backpack: 1000, lighter: -1000 });
  // ETH would add 0.2 × 3 499.95 = 699.99: 1 699.985 in all. Two frames: said once, no order.
  eth.lighter.setBook([[350_600, 100_000]], [[350_610, 100_000]]);
  eth.lighter.setBook([[350_700, 100_000]], [[350_710, 100_000]]);
  await clock.runUntil(eth.engine.idle());
  assert.deepEqual([eth.backpack.orders.length, eth.lighter.orders.length], [0, 0]);
  const skipped = eth.logger.lines.filter((l) => l.includes('skipped: LONG_BACKPACK'));
  assert.deepEqual(skipped.length, 1, skipped.join('\n'));
  assert.match(skipped[0], /skipped: LONG_BACKPACK: total notional would be 1699\.99 USDC across markets, above --max-total-notional 1500 \(ETH 699\.99, the others 1000\.00\)/);
  assert.equal(caps.totals().notional.toFixed(3), '999.995', 'BTC alone: the skipped entry left nothing in flight');
  await clock.runUntil(Promise.all([btc.engine.stop('test'), eth.engine.stop('test')]));
});

test('--max-total-exposure counts another market’s entry in flight as one leg open, until it settles', async () => {
  const clock = new FakeClock();
  const caps = new PortfolioCaps({ maxTotalExposure: 1200, names: { notional: '--max-total-notional', exposure: '--max-total-exposure' } });
  const dir = tempDir('bla-caps-');
  const btc = market('BTC', '0.01', 1, 5, clock, caps, dir);
  const eth = market('ETH', '0.2', 2, 4, clock, caps, dir);
  btc.backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  btc.lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  eth.backpack.setBook([[349_990, 100_000]], [[350_000, 100_000]]);
  eth.lighter.setBook([[349_990, 100_000]], [[350_000, 100_000]]);
  await clock.runUntil(Promise.all([btc.engine.start(), eth.engine.start()]));
  // BTC's Lighter leg answers only when the test lets it.
  let answer!: () => void;
  const answered = new Promise<void>((r) => (answer = r));
  btc.lighter.outcomes.push(async (r, leg, venue) => {
    await answered;
    return takerFill(r, leg, venue) as LegResult;
  });
  btc.lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await clock.advance(1);
  assert.deepEqual([btc.backpack.orders.length, btc.lighter.orders.length], [1, 1], 'BTC: 999.995 of one leg is under 1200');
  // ETH now: BTC's 999.995 in flight + ETH's one leg 699.99 = 1 699.985 > 1200.
  eth.lighter.setBook([[350_600, 100_000]], [[350_610, 100_000]]);
  await clock.advance(1);
  assert.deepEqual(eth.backpack.orders.length, 0);
  assert.ok(
    eth.logger.lines.some((l) =>
      l.includes(
        'skipped: LONG_BACKPACK: open exposure could reach 1699.99 USDC across markets if one leg failed, above --max-total-exposure 1200 (ETH 0.00 + one leg 699.99, the others 1000.00)',
      ),
    ),
    eth.logger.lines.join('\n'),
  );
  // BTC settles hedged: nothing open, nothing in flight; ETH's next frame trades.
  answer();
  await clock.runUntil(btc.engine.idle());
  assert.deepEqual(btc.engine.positions(), { backpack: 1000, lighter: -1000 });
  eth.lighter.setBook([[350_650, 100_000]], [[350_660, 100_000]]);
  await clock.runUntil(eth.engine.idle());
  assert.deepEqual([eth.backpack.orders.length, eth.lighter.orders.length], [1, 1]);
  assert.deepEqual(eth.engine.positions(), { backpack: 2000, lighter: -2000 });
  await clock.runUntil(Promise.all([btc.engine.stop('test'), eth.engine.stop('test')]));
});
