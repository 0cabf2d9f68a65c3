// npm run bench:replay — replay speed. Writes a synthetic recording of BENCH_SECONDS (default one
// simulated hour) in the real format with the live frame mix at BENCH_FPS book frames per second
// on each venue (default 20: Backpack depth deltas + a bookTicker each + a markPrice a second,
// Lighter order_book deltas + pings; src/backtest/synthetic.ts), then in the same run:
//   1. the ceiling: a bare loop that decompresses the same files and JSON.parses every line;
//   2. the backtest end to end (decompress, parse, book sync, strategy, engine, simulated fills);
// alternately, BENCH_ROUNDS times (default 3), and prints events per second for each, the ratio
// of the best of each and each round's own ratio: on a shared machine the absolute figures are
// noise, the ratio of two runs taken side by side is what can be compared.
// Then the time for a day of these frames — extrapolated from the run (a day is 86 400 / BENCH_SECONDS
// times these events, at the best end-to-end rate), or with BENCH_DAY=1 measured on a synthetic
// day written for it (24 files, about 1 GB of disk, several minutes).
// Then a sweep of BENCH_SWEEP_CONFIGS configurations (default 4; BENCH_SWEEP=0 skips it) over the
// first BENCH_SWEEP_SECONDS of the recording (default 1800): on one thread a pass per configuration
// (nothing shared), on one thread in one shared pass, and on two threads sharing a pass each; it
// prints the throughput (configuration-events per second) of each, the CPU time it took over its
// wall time (how many cores it really had: two threads on a machine others are using may get one),
// and the speed-ups.

import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob, type BacktestJob } from '../src/backtest/job.js';
import { runSweep, sweepGrid, type SweepPlan } from '../src/backtest/sweep.js';
import { SYNTHETIC_MARKETS, writeSyntheticRecording } from '../src/backtest/synthetic.js';
import { Recorder } from '../src/record/writer.js';
import { silentLogger } from '../src/core/log.js';
import { fileLineBatches, fileLines, readRecordingBatches, recordingFiles } from '../src/record/reader.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3600);
const FPS = Number(process.env.BENCH_FPS ?? 20);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SWEEP_CONFIGS = Math.max(2, Number(process.env.BENCH_SWEEP_CONFIGS ?? 4));
const SWEEP_SECONDS = Math.min(SECONDS, Number(process.env.BENCH_SWEEP_SECONDS ?? 1800));
const START_WALL = Date.UTC(2026, 0, 1);
const temps: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
const rate = (n: number, s: number) => (n / s).toFixed(0).padStart(9);

/** The bare loop: decompress every file and JSON.parse every line; lines and seconds. */
async function bareLoop(dir: string): Promise<{ lines: number; s: number }> {
  const t = performance.now();
  let lines = 0;
  for (const file of recordingFiles(dir)) {
    // The fastest way to read it: a decompressed chunk of lines at a time.
    for await (const batch of fileLineBatches(file)) {
      for (const line of batch) {
        // The header is JSON; an event line's payload is the last tab-separated field.
        JSON.parse(line[0] === '{' ? line : line.slice(line.indexOf('\t', 4) + 1));
        lines++;
      }
    }
  }
  return { lines, s: (performance.now() - t) / 1000 };
}

const strategyArgs = ['--size', '0.01', '--long-threshold', '10', '--short-threshold', '10', '--max-position', '0.05'];
const jobFor = (dataDir: string, toWallMs?: number): BacktestJob => ({
  strategyArgs,
  dataDir,
  toWallMs,
  latency: { roundTripMs: { backpack: 20, lighter: 20 } },
  logDir: temp('bench-replay-out-'),
});

/** The backtest end to end; events (every line but headers) and seconds. */
async function endToEnd(dataDir: string): Promise<{ events: number; s: number; trades: number }> {
  const t = performance.now();
  const r = await runJob(jobFor(dataDir), silentLogger);
  return { events: r.events, s: (performance.now() - t) / 1000, trades: r.summary.trades };
}

try {
  const dir = temp('bench-replay-');
  let t = performance.now();
  const events = writeSyntheticRecording(dir, { seconds: SECONDS, framesPerSecond: FPS, seed: 11, startWallMs: START_WALL });
  console.log(
    `recording: ${SECONDS} s simulated at ${FPS} book frames/s a venue, ${events.toLocaleString('en-US')} events, written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  let bestBare = 0;
  let bestE2e = 0;
  let e2eEvents = 0;
  const ratios: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const bare = await bareLoop(dir);
    const e2e = await endToEnd(dir);
    const bareRate = bare.lines / bare.s;
    const e2eRate = e2e.events / e2e.s;
    bestBare = Math.max(bestBare, bareRate);
    bestE2e = Math.max(bestE2e, e2eRate);
    e2eEvents = e2e.events;
    ratios.push(`${((e2eRate / bareRate) * 100).toFixed(1)} %`);
    console.log(
      `round ${round}: bare decompress + JSON.parse ${rate(bare.lines, bare.s)} lines/s (${bare.s.toFixed(2)} s);  backtest end to end ${rate(e2e.events, e2e.s)} events/s (${e2e.s.toFixed(2)} s, ${e2e.trades} trades)`,
    );
  }
  console.log(
    `frames/s end to end: ${bestE2e.toFixed(0)}; bare loop: ${bestBare.toFixed(0)}; ratio ${((bestE2e / bestBare) * 100).toFixed(1)} % of the bare loop (best of ${ROUNDS} each; per round: ${ratios.join(', ')})`,
  );

  const dayEvents = (e2eEvents * 86_400) / SECONDS;
  console.log(
    `a day of these frames (${Math.round(dayEvents).toLocaleString('en-US')} events, extrapolated: 86 400 / ${SECONDS} × this recording) would replay in about ${(dayEvents / bestE2e).toFixed(0)} s end to end on one core (the bare loop: ${(dayEvents / bestBare).toFixed(0)} s)`,
  );
  if (process.env.BENCH_DAY === '1') {
    const dayDir = temp('bench-replay-day-');
    t = performance.now();
    const n = writeSyntheticRecording(dayDir, { seconds: 86_400, framesPerSecond: FPS, seed: 11, startWallMs: START_WALL });
    console.log(`day recording: ${n.toLocaleString('en-US')} events in ${recordingFiles(dayDir).length} files, written in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    const day = await endToEnd(dayDir);
    console.log(`a day measured: replayed end to end in ${day.s.toFixed(1)} s (${rate(day.events, day.s).trim()} events/s, ${day.trades} trades)`);
    rmSync(dayDir, { recursive: true, force: true });
  }

  // What --record costs the deciding turn: one recorder call per frame (the line is only queued there).
  {
    const recDir = temp('bench-rec-');
    const rec = new Recorder({
      dir: recDir,
      header: { version: '0', ticker: 'BTC', mode: 'bench', markets: { backpack: SYNTHETIC_MARKETS.backpack, lighter: SYNTHETIC_MARKETS.lighter } },
    });
    const frames: string[] = [];
    for (const file of recordingFiles(dir))
      for await (const line of fileLines(file)) if (line[0] === 'F' && frames.length < 20_000) frames.push(line.slice(line.indexOf('\t', 4) + 1));
    let calls = 0;
    let spent = 0;
    for (let round = 0; round < 20; round++) {
      const t0 = performance.now();
      for (const f of frames) rec.frame('backpack', f, performance.now());
      spent += performance.now() - t0;
      calls += frames.length;
      await new Promise((r) => setImmediate(r)); // the writes happen after the turn, as live
    }
    await rec.close();
    console.log(`--record on the deciding turn: ${((spent * 1e6) / calls).toFixed(0)} ns per frame (${calls.toLocaleString('en-US')} frames queued)`);
  }

  if (process.env.BENCH_SWEEP !== '0') {
    const values = Array.from({ length: SWEEP_CONFIGS }, (_, i) => String(6 + 4 * i));
    const grid = sweepGrid([{ flag: 'long-threshold', values }]);
    const base = jobFor(dir, START_WALL + SWEEP_SECONDS * 1000);
    let perRun = 0; // the events one configuration replays: every frame and snapshot up to the end of the section
    for await (const batch of readRecordingBatches(dir, { toWallMs: base.toWallMs })) for (const item of batch) if (item.kind === 'frame' || item.kind === 'snapshot') perRun++;
    const total = perRun * grid.length;
    console.log(
      `sweep: ${grid.length} configurations (--long-threshold ${values.join(',')}) over the first ${SWEEP_SECONDS} s (${perRun.toLocaleString('en-US')} events each); ${availableParallelism()} cores`,
    );
    const runs: Array<{ label: string; plan: SweepPlan }> = [
      { label: '1 thread, a pass per configuration', plan: { threads: 1, perPass: 1 } },
      { label: '1 thread, one shared pass', plan: { threads: 1, perPass: grid.length } },
      { label: '2 threads, a shared pass each', plan: { threads: 2, perPass: Math.ceil(grid.length / 2) } },
    ];
    const took: number[] = [];
    for (const r of runs) {
      t = performance.now();
      const cpu0 = process.cpuUsage();
      await runSweep(base, grid, temp('bench-sweep-'), perRun, undefined, r.plan);
      const s = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      took.push(s);
      // CPU over wall time: how many cores the run actually got (on a busy machine, maybe not two).
      console.log(
        `  ${r.label.padEnd(36)} ${s.toFixed(2).padStart(7)} s  ${rate(total, s)} configuration-events/s  (CPU ${cpuS.toFixed(2)} s, ${(cpuS / s).toFixed(2)} cores busy)`,
      );
    }
    console.log(
      `  speed-up: sharing the pass ×${(took[0]! / took[1]!).toFixed(2)}; two threads over one (both shared) ×${(took[1]! / took[2]!).toFixed(2)}; together ×${(took[0]! / took[2]!).toFixed(2)}`,
    );
  }
} finally {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
}
