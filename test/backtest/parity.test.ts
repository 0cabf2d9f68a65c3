// A run against the simulators recorded with --record, then replayed through the same engine with
// the latency learned from the recording and the simulators' fees: the replay makes the same
// decisions (count, directions, order) at the same moments, within the latency model; and two
// replays of the same recording write byte-identical CSVs and the same summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runBacktest, type BacktestResult } from '../../src/backtest/run.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { OrderEvent } from '../../src/record/format.js';
import { readRecording } from '../../src/record/reader.js';
import { calm, longOpportunity, readCsv, shortOpportunity, simVenues, startBot, until } from '../e2e/harness.js';
import { tempDir } from '../helpers/temp.js';

async function replay(dataDir: string): Promise<{ result: BacktestResult; logDir: string }> {
  const logDir = tempDir('bla-bt-');
  const parsed = parseConfig(['--sim', '--ticker', 'BTC', '--size', '0.01', '--max-position', '0.02', '--log-dir', logDir], {});
  assert.ok(parsed.kind === 'run');
  const result = await runBacktest({ dataDir, settings: engineSettings(parsed.config), latency: 'learned', logger: new MemoryLogger() });
  return { result, logDir };
}

test('a recorded --sim run replays to the same decisions, and two replays give identical bytes', async () => {
  const recordDir = tempDir('bla-rec-');
  const sim = await simVenues();
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.02', '--record', recordDir]);
  let liveRows;
  const secrets = [sim.env().BACKPACK_SECRET_KEY!, sim.env().API_KEY_PRIVATE_KEY!].map((s) => s.replace(/^0x/, ''));
  try {
    await bot.engine;
    longOpportunity(sim);
    await until('two long entries', () => readCsv(bot.logDir, 'trades').filter((r) => r.kind === 'entry').length >= 2);
    calm(sim);
    await until('a calm book seen', () => true);
    // Shorts until --max-position stops them (+0.02 to -0.02: four), so that how many slip in before
    // the calm book lands cannot depend on how fast the machine is (it did, under load).
    shortOpportunity(sim);
    await until('six entries', () => readCsv(bot.logDir, 'trades').filter((r) => r.kind === 'entry').length >= 6);
    calm(sim);
    assert.equal(await bot.stop(), 0);
    liveRows = readCsv(bot.logDir, 'trades').filter((r) => r.kind === 'entry');
  } finally {
    await bot.stop();
    await sim.stop();
  }

  // What the live run sent, from the recording's own order events; and no key anywhere in it.
  const liveSends: number[] = [];
  // Each answered order's own round trip, as the latency learner counts them.
  const liveTrips: Array<{ venue: 'backpack' | 'lighter'; ms: number }> = [];
  for await (const item of readRecording(recordDir)) {
    if (item.kind !== 'header') for (const s of secrets) assert.ok(!item.payload.includes(s), 'a key in the recording');
    if (item.kind !== 'order') continue;
    const event = JSON.parse(item.payload) as OrderEvent;
    if (event.event === 'sent') {
      if (item.venue === 'backpack') liveSends.push(item.atUs / 1000);
    } else if (!event.id.startsWith('resolved:') && event.state !== 'unknown') liveTrips.push({ venue: item.venue, ms: (item.atUs - event.sentUs) / 1000 });
  }
  assert.equal(liveSends.length, liveRows.length);

  const a = await replay(recordDir);
  const entries = a.result.trades.filter((t) => t.kind === 'entry');
  assert.deepEqual(
    entries.map((t) => t.direction),
    liveRows.map((r) => r.direction),
    `same trades, same directions, same order: live sent at ${liveSends.map((x) => x.toFixed(1))}, replay decided at ${entries.map((t) => t.triggeredAt.toFixed(1))}`,
  );
  // Both directions were traded live, each up to the position limit.
  assert.deepEqual(
    liveRows.map((r) => r.direction),
    ['LONG_BACKPACK', 'LONG_BACKPACK', 'SHORT_BACKPACK', 'SHORT_BACKPACK', 'SHORT_BACKPACK', 'SHORT_BACKPACK'],
  );
  // The replay decides on a recorded frame's arrival, or when its legs are answered (at the learned
  // median round trip rather than this order's own), and its clock does not move while the engine
  // computes. So each decision is within one learned round trip plus 10 ms of live's send, plus, for
  // the entries before it (back to back while an opportunity lasts), how far a live order's own
  // round trip was from the median (a loaded machine spreads them: the bound follows the model).
  const trip = a.result.latency.backpack.arrivalMs + a.result.latency.backpack.replyMs;
  const model = (v: 'backpack' | 'lighter') => a.result.latency[v].arrivalMs + a.result.latency[v].replyMs;
  const spread = Math.max(...liveTrips.map((t) => Math.abs(t.ms - model(t.venue))));
  entries.forEach((t, i) => {
    const gap = Math.abs(liveSends[i]! - t.triggeredAt);
    const bound = trip + 10 + i * spread;
    assert.ok(
      gap <= bound,
      `decision ${i}: live sent ${liveSends[i]!.toFixed(3)}, replay decided ${t.triggeredAt.toFixed(3)} (round trip ${trip.toFixed(3)} ms, spread ${spread.toFixed(3)} ms)`,
    );
  });
  assert.equal(a.result.summary.trades, liveRows.length);
  // The latency was learned from every order the live run sent and had answered, on both venues.
  assert.deepEqual(a.result.learnedFrom, { backpack: liveRows.length, lighter: liveRows.length });
  assert.ok(a.result.latency.lighter.arrivalMs > 0 && a.result.latency.backpack.arrivalMs > 0);
  assert.equal(a.result.summary.successes, liveRows.length);

  const b = await replay(recordDir);
  assert.ok(a.result.files !== undefined && b.result.files !== undefined);
  const bytes = (r: { result: BacktestResult }, k: 'trades' | 'bbo') => readFileSync(r.result.files![k], 'utf8');
  assert.equal(bytes(b, 'trades'), bytes(a, 'trades'));
  assert.equal(bytes(b, 'bbo'), bytes(a, 'bbo'));
  assert.deepEqual(b.result.summary, a.result.summary);
  assert.ok(bytes(a, 'trades').split('\n').length >= 5);
});
