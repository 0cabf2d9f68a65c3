// The replay's shortcuts change nothing: a backtest with them gives the same summary, CSV bytes,
// spreads and log lines as one that takes none (BacktestOptions.exhaustive), over recordings that
// trade often, run Lighter's request budget dry, and hold a second run after an hour's gap. And the replay
// clock's own rule: after a timer, the turns pass whenever anything still continues on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { ReplayClock } from '../../src/backtest/clock.js';
import { runBacktest, type BacktestResult } from '../../src/backtest/run.js';
import { writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { MemoryLogger } from '../../src/core/log.js';
import { tempDir } from '../helpers/temp.js';

interface Outcome {
  result: BacktestResult;
  trades: string;
  bbo: string;
  lines: string[];
}

async function backtest(dataDir: string, flags: string[], exhaustive: boolean, lighterTxPerMinute?: number): Promise<Outcome> {
  const logDir = tempDir('bla-short-out-');
  const parsed = parseConfig(['--sim', ...flags, '--log-dir', logDir], {});
  assert.ok(parsed.kind === 'run');
  const logger = new MemoryLogger();
  const result = await runBacktest({
    dataDir,
    settings: engineSettings(parsed.config),
    latency: { roundTripMs: { backpack: 20, lighter: 30 } },
    lighterTxPerMinute,
    logger,
    pipelined: false,
    exhaustive,
  });
  assert.ok(result.files !== undefined, 'the engine ran');
  return { result, trades: readFileSync(result.files.trades, 'utf8'), bbo: readFileSync(result.files.bbo, 'utf8'), lines: logger.lines };
}

function assertSame(fast: Outcome, slow: Outcome): void {
  assert.deepEqual(fast.result.summary, slow.result.summary);
  assert.equal(fast.result.events, slow.result.events);
  assert.deepEqual(fast.result.applied, slow.result.applied);
  assert.deepEqual(fast.result.trades, slow.result.trades);
  assert.deepEqual(fast.result.spreads, slow.result.spreads);
  assert.equal(fast.trades, slow.trades);
  assert.equal(fast.bbo, slow.bbo);
  assert.deepEqual(fast.lines, slow.lines);
}

test('a backtest gives the same bytes with the replay shortcuts as without, trading often and with the request budget run dry', async () => {
  const dir = tempDir('bla-short-data-');
  writeSyntheticRecording(dir, { seconds: 240, framesPerSecond: 40, seed: 21, startWallMs: Date.UTC(2026, 0, 1) });
  const configs: Array<{ flags: string[]; tx?: number }> = [
    { flags: ['--size', '0.01', '--long-threshold', '10', '--short-threshold', '10', '--max-position', '0.05'] },
    // Thresholds the basis jumps clear by far, an unlimited position and a small request budget:
    // entries back to back, the budget spent, entries paused and resumed on its timers.
    { flags: ['--size', '0.02', '--long-threshold', '2', '--short-threshold', '2', '--max-position', '0', '--min-edge-bps', '0'], tx: 12 },
  ];
  for (const c of configs) {
    const slow = await backtest(dir, c.flags, true, c.tx);
    const fast = await backtest(dir, c.flags, false, c.tx);
    assert.ok(slow.result.summary.trades > 5, `the replay traded (${slow.result.summary.trades} trades), so the comparison says something`);
    assertSame(fast, slow);
  }
});

test('the same bytes with and without the shortcuts across a second run in the recording: books that go stale, resync from snapshots and trade again, a request budget that runs dry', async () => {
  const dir = tempDir('bla-short-runs-');
  writeSyntheticRecording(dir, { seconds: 120, framesPerSecond: 40, seed: 22, startWallMs: Date.UTC(2026, 0, 1) });
  writeSyntheticRecording(dir, { seconds: 120, framesPerSecond: 40, seed: 23, startWallMs: Date.UTC(2026, 0, 1, 1) });
  const flags = ['--size', '0.01', '--long-threshold', '4', '--short-threshold', '4', '--max-position', '0.03'];
  const slow = await backtest(dir, flags, true);
  const fast = await backtest(dir, flags, false);
  assert.ok(slow.result.summary.trades > 5, `the replay traded (${slow.result.summary.trades} trades)`);
  // The hour between the runs: both books go stale and come back; Lighter's request budget runs dry and refills.
  for (const line of [
    'WARN backpack book is stale',
    'WARN lighter book is stale',
    'INFO backpack book is fresh again',
    'DEBUG lighter order budget spent',
    'DEBUG lighter takes orders again',
  ])
    assert.ok(
      slow.lines.some((l) => l.startsWith(line)),
      line,
    );
  assertSame(fast, slow);
});

test('after a timer the replay clock lets turns pass when an order was sent or the engine is not settled, and the work they carry is done before the next event', async () => {
  for (const how of ['noteWork', 'unsettled'] as const) {
    const clock = new ReplayClock(0, 1_000);
    clock.settleWhenBusy(() => how !== 'unsettled');
    const done: string[] = [];
    clock.setTimeout(() => {
      if (how === 'noteWork') clock.noteWork();
      // Work continuing over promise callbacks and setImmediate turns, as an order's reply does.
      void Promise.resolve()
        .then(() => new Promise<void>((r) => setImmediate(r)))
        .then(() => new Promise<void>((r) => setImmediate(r)))
        .then(() => done.push(`${how} at ${clock.monoMs()}`));
    }, 10);
    assert.equal(clock.busyUntil(20), true);
    await clock.advanceTo(20);
    assert.deepEqual(done, [`${how} at 10`]);
    assert.equal(clock.monoMs(), 20);
  }
});

test('advanceSync fires the timers that leave nothing to settle without a turn, and hands the first that does to advanceTo: the same fires, work and times as advanceTo alone', async () => {
  // Timers (timeouts and intervals) at random times, some starting work that continues over promise
  // callbacks and setImmediate turns (as an order's reply does) and is counted until it ends;
  // the driver moves to random times, one way with advanceTo alone, the other with advanceSync first.
  const plan = fc.record({
    timers: fc.array(fc.record({ at: fc.integer({ min: 0, max: 200 }), every: fc.option(fc.integer({ min: 5, max: 60 })), works: fc.integer({ min: 0, max: 3 }) }), {
      minLength: 1,
      maxLength: 8,
    }),
    steps: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 30 }),
  });
  await fc.assert(
    fc.asyncProperty(plan, async ({ timers, steps }) => {
      const run = async (sync: boolean) => {
        const clock = new ReplayClock(0, 1_000);
        let working = 0;
        clock.settleWhenBusy(() => working === 0);
        const log: string[] = [];
        let fires = 0;
        timers.forEach((tm, id) => {
          const fn = () => {
            const n = fires++;
            log.push(`timer ${id} at ${clock.monoMs()}`);
            // A timer with works > 0 starts work on one fire in (works + 1); the others start nothing.
            if (tm.works > 0 && n % (tm.works + 1) === 0) {
              working++;
              void Promise.resolve()
                .then(() => new Promise<void>((r) => setImmediate(r)))
                .then(() => {
                  log.push(`work of ${id} done at ${clock.monoMs()}`);
                  working--;
                });
            }
          };
          if (tm.every === null) clock.setTimeout(fn, tm.at);
          else clock.setInterval(fn, tm.every);
        });
        let t = 0;
        for (const step of steps) {
          t += step;
          if (!clock.busyUntil(t)) clock.setTime(t);
          else if (!sync || !clock.advanceSync(t)) await clock.advanceTo(t);
          log.push(`event at ${clock.monoMs()}`);
        }
        return log;
      };
      assert.deepEqual(await run(true), await run(false));
    }),
    { numRuns: 300 },
  );
});
