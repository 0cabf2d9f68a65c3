// A sweep's configurations equal the same backtests run one by one: each replayed alone (runJob),
// and in a sweep on worker threads — replaying the batches the sweep's thread read and decoded once
// for all of them (the default), or each thread reading the recording itself, its configurations
// sharing one pass — the same summaries, the same figures, byte-identical CSVs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runJob, runJobs, type BacktestJob } from '../../src/backtest/job.js';
import { runSweep, sweepGrid, SweepError } from '../../src/backtest/sweep.js';
import { writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { silentLogger } from '../../src/core/log.js';
import type { RunSummary } from '../../src/engine/index.js';
import { tempDir } from '../helpers/temp.js';

const grid = sweepGrid([{ flag: 'long-threshold', values: ['2', '10', '30', '60'] }]);

function withParams(base: BacktestJob, params: Record<string, string>, logDir: string): BacktestJob {
  return { ...base, strategyArgs: [...base.strategyArgs, ...Object.entries(params).flatMap(([k, v]) => [`--${k}`, v])], logDir };
}

test('a sweep of 4 configurations equals the 4 backtests run alone, whether the configurations share a pass over the recording or not', async () => {
  const dataDir = tempDir('bla-sweep-data-');
  const events = writeSyntheticRecording(dataDir, { seconds: 120, framesPerSecond: 20, seed: 5 });
  const base: BacktestJob = {
    strategyArgs: ['--size', '0.01', '--short-threshold', '10', '--max-position', '0.05'],
    dataDir,
    latency: 'learned',
    logDir: '',
  };

  const alone: Array<{ summary: RunSummary; trades: string; bbo: string; events: number }> = [];
  for (const params of grid) {
    const r = await runJob(withParams(base, params, tempDir('bla-sweep-alone-')), silentLogger);
    assert.ok(r.files !== undefined);
    alone.push({ summary: r.summary, trades: readFileSync(r.files.trades, 'utf8'), bbo: readFileSync(r.files.bbo, 'utf8'), events: r.events });
  }
  assert.equal(alone[0]!.events, events, 'every event of the recording was replayed');
  // The configurations differ, so equality below says something.
  const tradeCounts = alone.map((a) => a.summary.trades);
  assert.ok(tradeCounts[0]! > tradeCounts[3]! && tradeCounts[3]! >= 0, `trade counts ${tradeCounts}`);
  assert.ok(new Set(alone.map((a) => a.trades)).size > 1);

  // In one pass on this thread.
  const together = await runJobs(
    grid.map((params) => withParams(base, params, tempDir('bla-sweep-pass-'))),
    silentLogger,
  );
  together.forEach((r, i) => {
    assert.ok(r.status === 'fulfilled' && r.value.files !== undefined);
    assert.deepEqual(r.value.summary, alone[i]!.summary, `configuration ${i + 1}: summary`);
    assert.equal(readFileSync(r.value.files.trades, 'utf8'), alone[i]!.trades, `configuration ${i + 1}: trades CSV`);
    assert.equal(readFileSync(r.value.files.bbo, 'utf8'), alone[i]!.bbo, `configuration ${i + 1}: BBO CSV`);
  });

  // On worker threads: two threads replaying the shared read; one thread; each thread reading itself, two configurations per pass, then one.
  for (const plan of [{ threads: 2 }, { threads: 1 }, { threads: 2, perPass: 2 }, { threads: 2, perPass: 1 }]) {
    const outDir = tempDir('bla-sweep-out-');
    let last = 0;
    const outcomes = await runSweep(base, grid, outDir, events, (done) => (last = done), plan);
    assert.equal(last, events * grid.length, 'progress ends at every event of every configuration');
    outcomes.forEach((o, i) => {
      assert.deepEqual(o.params, grid[i]);
      assert.ok(o.files !== undefined);
      assert.equal(o.files.trades.startsWith(join(outDir, `sweep-00${i + 1}`)), true);
      assert.deepEqual(o.summary, alone[i]!.summary, `${JSON.stringify(plan)} configuration ${i + 1}: summary`);
      assert.equal(readFileSync(o.files.trades, 'utf8'), alone[i]!.trades, `${JSON.stringify(plan)} configuration ${i + 1}: trades CSV`);
      assert.equal(readFileSync(o.files.bbo, 'utf8'), alone[i]!.bbo, `${JSON.stringify(plan)} configuration ${i + 1}: BBO CSV`);
      assert.equal(o.figures.trades > 0 || alone[i]!.summary.trades === 0, true);
    });
  }
});

test('a configuration that cannot start fails the sweep with a line naming it, when it shares its pass with one that runs', async () => {
  const dataDir = tempDir('bla-sweep-fail-');
  writeSyntheticRecording(dataDir, { seconds: 10, seed: 3 });
  const base: BacktestJob = { strategyArgs: ['--size', '0.01'], dataDir, latency: { roundTripMs: { backpack: 20, lighter: 20 } }, logDir: '' };
  const bad = sweepGrid([{ flag: 'size', values: ['0.01', '0.00001'] }]);
  await assert.rejects(
    runSweep(base, bad, tempDir('bla-sweep-fail-out-'), 0, undefined, { threads: 1 }),
    (e: unknown) => e instanceof SweepError && e.message === 'sweep configuration 2 ({"size":"0.00001"}) failed: size 0.00001 is below the lighter minimum 0.00020 — raise size',
  );
});

test("a recording that cannot be read ends a sweep with the reader's line naming the file", async () => {
  const dataDir = tempDir('bla-sweep-bad-');
  writeSyntheticRecording(dataDir, { seconds: 5, seed: 3, startWallMs: Date.UTC(2026, 0, 1) });
  writeFileSync(join(dataDir, 'BTC-20260101T01.rec.gz'), 'not gzip');
  const base: BacktestJob = { strategyArgs: ['--size', '0.01'], dataDir, latency: { roundTripMs: { backpack: 20, lighter: 20 } }, logDir: '' };
  await assert.rejects(
    runSweep(base, grid, tempDir('bla-sweep-bad-out-'), 0, undefined, { threads: 2 }),
    (e: unknown) => e instanceof SweepError && e.message.startsWith(`sweep: ${join(dataDir, 'BTC-20260101T01.rec.gz')}: not readable as gzip`),
  );
});
