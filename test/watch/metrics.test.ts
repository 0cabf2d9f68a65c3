// /metrics, /healthz and /readyz of the real bot against the simulators, and the Grafana
// dashboard's queries against what the bot actually exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { calm, longOpportunity, readCsv, setBooks, simVenues, until } from '../e2e/harness.js';
import { eventually, metricNames, sample, startWatchedBot } from './bot.js';

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

test('metrics: a trade, positions, latencies and process figures; healthz, readyz; a dropped feed counts a halt and a reconnect', async () => {
  const sim = await simVenues();
  calm(sim);
  // A Lighter budget of ten requests a minute, which start-up, the start's reconciliation and the trade share.
  const bot = startWatchedBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '1500', '--metrics-port', '0', '--lighter-tx-per-minute', '10']);
  try {
    const { metricsUrl } = await bot.endpoints;
    assert.match(metricsUrl!, /^http:\/\/127\.0\.0\.1:\d+$/);
    await bot.engine;
    assert.deepEqual(await get(`${metricsUrl}/healthz`), { status: 200, body: 'ok\n' });
    await eventually('ready', async () => (await get(`${metricsUrl}/readyz`)).status === 200);

    longOpportunity(sim);
    await until('trade', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry'));
    calm(sim);
    await (await bot.engine).idle();
    const text = (await get(`${metricsUrl}/metrics`)).body;
    assert.equal(sample(text, 'arb_trades_total{market="BTC",direction="LONG_BACKPACK",outcome="success"}'), 1);
    assert.equal(sample(text, 'arb_decisions_total{market="BTC",outcome="traded"}'), 1);
    assert.equal(sample(text, 'arb_position_base{market="BTC",venue="backpack"}'), 0.01);
    assert.equal(sample(text, 'arb_position_base{market="BTC",venue="lighter"}'), -0.01);
    assert.equal(sample(text, 'arb_net_exposure_base{market="BTC"}'), 0);
    assert.equal(sample(text, 'arb_fills_total{market="BTC",venue="backpack"}'), 1);
    assert.equal(sample(text, 'arb_fills_total{market="BTC",venue="lighter"}'), 1);
    assert.equal(sample(text, 'arb_filled_base_total{market="BTC",venue="lighter"}'), 0.01);
    for (const venue of ['backpack', 'lighter']) {
      for (const stage of ['frame_to_sent', 'sent_to_ack', 'sent_to_filled']) {
        assert.equal(sample(text, `arb_leg_latency_seconds_count{market="BTC",venue="${venue}",stage="${stage}"}`), 1, `${venue} ${stage}`);
      }
    }
    assert.equal(sample(text, 'arb_best_price_quote{market="BTC",venue="backpack",side="ask"}'), 100000);
    assert.equal(sample(text, 'arb_best_price_quote{market="BTC",venue="lighter",side="bid"}'), 99999);
    assert.equal(sample(text, 'arb_spread_threshold_quote{market="BTC",direction="long"}'), 5);
    assert.equal(sample(text, 'arb_engine_running{market="BTC"}'), 1);
    assert.equal(sample(text, 'arb_rate_budget_per_minute{venue="lighter"}'), 10);
    assert.equal(sample(text, 'arb_rate_budget_remaining{venue="lighter"}'), 3, 'start-up took five places, its reconciliation one, the trade one');
    assert.equal(sample(text, 'arb_rate_budget_remaining{venue="backpack"}'), undefined, 'Backpack keeps no local budget');
    assert.equal(sample(text, 'arb_execution_ready{market="BTC",venue="lighter",state="ready"}'), 1, 'places are left for an entry');
    assert.equal(sample(text, 'arb_halt_active{market="BTC",kind="venue_down"}'), 0);
    const csvPnl = readCsv(bot.logDir, 'trades').reduce((s, r) => s + Number(r.net_pnl), 0);
    assert.ok(Math.abs(sample(text, 'arb_pnl_quote{market="BTC"}')! - csvPnl) < 1e-6, 'PnL gauge = Σ net_pnl of the trades CSV');
    assert.equal(sample(text, 'arb_total_pnl_quote'), sample(text, 'arb_pnl_quote{market="BTC"}'), 'one market: the total is its PnL');
    assert.ok(sample(text, 'process_resident_memory_bytes')! > 0);
    assert.notEqual(sample(text, 'nodejs_eventloop_lag_seconds'), undefined);
    assert.match(text, /# TYPE arb_leg_latency_seconds histogram/);

    // Every query of the Grafana dashboard names only metrics the bot exports.
    const names = metricNames(text);
    const dashboard = JSON.parse(readFileSync('ops/grafana-dashboard.json', 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const FUNCTIONS = new Set(['sum', 'by', 'rate', 'increase', 'histogram_quantile', 'le', 'venue', 'stage', 'direction', 'outcome', 'kind', 'state', 'side']);
    let queries = 0;
    for (const panel of dashboard.panels) {
      for (const t of panel.targets) {
        queries++;
        const used = (t.expr.replace(/\{[^}]*\}|\[[^\]]*\]|"[^"]*"/g, '').match(/[a-z_][a-z0-9_]*/g) ?? []).filter((w) => !FUNCTIONS.has(w));
        assert.ok(used.length > 0, `${panel.title}: ${t.expr} names a metric`);
        for (const name of used) assert.ok(names.has(name), `${panel.title}: ${name} is not exported`);
      }
    }
    assert.ok(queries >= 20);

    // Lighter's feed drops: a venue_down halt is set and cleared, and the reconnect is counted.
    sim.faults.lighter.dropConnections = true;
    await eventually('reconnect counted', async () => sample((await get(`${metricsUrl}/metrics`)).body, 'arb_reconnects_total{market="BTC",venue="lighter"}') === 1);
    const after = (await get(`${metricsUrl}/metrics`)).body;
    assert.equal(sample(after, 'arb_halts_total{market="BTC",kind="venue_down"}'), 1);

    // A gap in Backpack's sequence: the book is rebuilt while connected, counted as a resync.
    sim.faults.backpack.skipSequence = 1;
    let nudge = 0;
    await eventually('resync counted', async () => {
      setBooks(sim, { bid: 999_990 - (nudge % 2) * 10, ask: 1_000_000 }, { bid: 999_990, ask: 1_000_000 });
      nudge++;
      return sample((await get(`${metricsUrl}/metrics`)).body, 'arb_book_resyncs_total{market="BTC",venue="backpack"}') === 1;
    });
    assert.equal(sample((await get(`${metricsUrl}/metrics`)).body, 'arb_reconnects_total{market="BTC",venue="backpack"}'), 0, 'a resync is not a reconnect');

    // Backpack goes silent past --max-book-age-ms: not ready, saying why; ready again once it speaks.
    sim.faults.backpack.silentUntil = Date.now() + 2500;
    await eventually('not ready while a book is stale', async () => {
      const r = await get(`${metricsUrl}/readyz`);
      return r.status === 503 && /backpack book (stale|not in sync)/.test(r.body);
    });
    // A scripted market sends frames only when its books change: move them until the bot is ready again.
    let last = '';
    let tick = 0;
    await eventually(
      `ready again (last answer: ${last})`,
      async () => {
        setBooks(sim, { bid: 999_990 - (tick % 2) * 10, ask: 1_000_000 }, { bid: 999_990, ask: 1_000_000 + (tick++ % 2) * 10 });
        const r = await get(`${metricsUrl}/readyz`);
        last = r.body;
        return r.status === 200;
      },
      20_000,
    ).catch((e: Error) => assert.fail(`${e.message}; last /readyz: ${last}`));
    assert.equal(await bot.stop(), 0);
    // The servers close with the run.
    await assert.rejects(fetch(`${metricsUrl}/healthz`));
  } finally {
    await bot.stop();
    await sim.stop();
  }
});
