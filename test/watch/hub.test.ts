// The dashboard's pushes: the full histories on connect, then only what was added since the
// previous push; trades carry base units and average prices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { ArbEngine } from '../../src/engine/index.js';
import { Alerter } from '../../src/watch/alerts.js';
import { WatchHub, type UiUpdate } from '../../src/watch/hub.js';
import { settled, waitFor } from '../engine/clocked.js';
import { FakeVenue } from '../engine/fake-venue.js';
import { tempDir } from '../helpers/temp.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

test('pushes after the first carry only the new trade, the new log lines and one spread point', async () => {
  const parsed = parseConfig(['--paper', '--size', '0.01', '--log-dir', tempDir('bla-hub-')], {});
  if (parsed.kind !== 'run') throw new Error('config');
  const clock = new FakeClock();
  const backpack = new FakeVenue('backpack', BP, clock);
  const lighter = new FakeVenue('lighter', LT, clock);
  backpack.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  lighter.setBook([[999_990, 100_000]], [[1_000_000, 100_000]]);
  const hub = new WatchHub({ ticker: 'BTC', sampleMs: 2 });
  const memory = new MemoryLogger();
  const engine = new ArbEngine({ settings: engineSettings(parsed.config), backpack, lighter, logger: hub.tee(memory), clock });
  hub.attach(engine);
  await clock.runUntil(engine.start());
  const pushes: UiUpdate[] = [];
  hub.onUpdate((u) => pushes.push(u));
  const first = hub.update()!;
  assert.equal(first.full, true);
  assert.equal(first.trades.length, 0);
  assert.ok(first.log.some((l) => / INFO mode paper, ticker BTC$/.test(l)));

  await new Promise((r) => setTimeout(r, 20));
  const quiet = pushes.at(-1)!;
  assert.deepEqual([quiet.full, quiet.spreads.length, quiet.trades.length], [false, 1, 0]);
  assert.deepEqual(quiet.spreads[0].long, -1);

  const before = pushes.length;
  lighter.setBook([[1_000_400, 100_000]], [[1_000_410, 100_000]]);
  await waitFor(clock, 'trade', () => lighter.orders.length === 1);
  await settled(clock, engine);
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (pushes.slice(before).some((u) => u.trades.length > 0)) {
        clearInterval(t);
        resolve();
      }
    }, 1);
  });
  const withTrade = pushes.slice(before).find((u) => u.trades.length > 0)!;
  assert.equal(
    pushes.slice(before).reduce((n, u) => n + u.trades.length, 0),
    1,
    'the trade is pushed once',
  );
  const row = withTrade.trades[0];
  assert.deepEqual(
    [row.kind, row.direction, row.backpack, row.lighter],
    ['entry', 'LONG_BACKPACK', { side: 'buy', state: 'filled', filled: 0.01, price: 100000 }, { side: 'sell', state: 'filled', filled: 0.01, price: 100040 }],
  );
  const lines = pushes.slice(before).flatMap((u) => u.log);
  assert.equal(lines.filter((l) => / INFO LONG_BACKPACK done: /.test(l)).length, 1, 'each new line pushed once');
  assert.ok(!lines.some((l) => / INFO mode paper/.test(l)), 'old lines are not sent again');
  assert.deepEqual(
    withTrade.latency['backpack frame_to_sent'].reduce((a, b) => a + b, 0),
    1,
  );
  // Later pushes do not repeat it.
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pushes.at(-1)!.trades.length, 0);
  hub.detach();
  await clock.runUntil(engine.stop('test'));
});

test('every halt set and cleared becomes an alert of its kind; pause, resume and the summary too', async () => {
  const delivered: Array<{ kind: string; key: string; text: string; count: number }> = [];
  const alerter = new Alerter({
    sinks: [{ name: 'memory', deliver: async (a) => void delivered.push({ kind: a.kind, key: a.key, text: a.text, count: a.count }) }],
    ticker: 'BTC',
    log: new MemoryLogger(),
    secrets: [],
  });
  const hub = new WatchHub({ ticker: 'BTC', alerter });
  hub.halt({ kind: 'kill_switch', until: 1, text: '3 failed trades within 60 s' }, true);
  hub.halt({ kind: 'exposure_open', until: 1, text: 'net exposure 0.01000 still open after repairs (x); still flattening' }, true);
  hub.halt({ kind: 'auth', venue: 'backpack', until: Infinity, text: 'backpack refused our credentials (401)' }, true);
  hub.halt({ kind: 'venue_down', venue: 'lighter', until: Infinity, text: 'lighter disconnected' }, true);
  hub.halt({ kind: 'venue_down', venue: 'lighter', until: Infinity, text: 'lighter disconnected' }, false);
  hub.halt({ kind: 'kill_switch', until: 1, text: '3 failed trades within 60 s' }, false);
  hub.paused('paused from the dashboard');
  hub.paused(undefined);
  hub.stopped({ trades: 2, successes: 1, failures: 1, repairs: 1, estimatedPnl: 0.5, fees: 0.25, positions: { backpack: '0.00000', lighter: '0.00000' } }, 'SIGTERM');
  await alerter.drained();
  assert.deepEqual(
    delivered.map((d) => [d.kind, d.key, d.text]),
    [
      ['kill_switch', 'kill_switch', 'ENTRIES HALTED (kill_switch): 3 failed trades within 60 s'],
      ['exposure_open', 'exposure_open', 'ENTRIES HALTED (exposure_open): net exposure 0.01000 still open after repairs (x); still flattening'],
      ['auth', 'auth:backpack', 'ENTRIES HALTED (auth): backpack refused our credentials (401)'],
      ['venue_down', 'venue_down:lighter', 'ENTRIES HALTED (venue_down): lighter disconnected'],
      ['venue_back', 'venue_down:lighter:cleared', 'lighter is back (lighter disconnected is over)'],
      ['halt_cleared', 'kill_switch:cleared', 'halt cleared: 3 failed trades within 60 s'],
      ['paused', 'paused', 'entries paused by the operator (paused from the dashboard)'],
      ['resumed', 'resumed', 'entries resumed by the operator'],
      ['stop', 'stop', 'stopped (SIGTERM): 2 trades, 1 succeeded, 1 failed, 1 repair orders; estimated PnL 0.5000 after 0.2500 fees; positions Backpack 0.00000, Lighter 0.00000'],
    ],
  );
  alerter.stop();
});
