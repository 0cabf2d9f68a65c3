// npm run bench:replay — replay speed. Writes a synthetic recording of BENCH_SECONDS (default one
// simulated hour) in the real format with the live frame mix (Backpack depth + bookTicker +
// markPrice, Lighter order_book deltas + pings; src/backtest/synthetic.ts), then in the same run:
//   1. the ceiling: a bare loop that decompresses the same files and JSON.parses every line;
//   2. the backtest end to end (decompress, parse, book sync, strategy, engine, simulated fills);
// and prints events per second for each and the ratio. With BENCH_SWEEP=1 it also runs a sweep of
// two configurations on one thread and on two, and prints the speed-up.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob, type BacktestJob } from '../src/backtest/job.js';
import { runSweep, sweepGrid } from '../src/backtest/sweep.js';
import { SYNTHETIC_MARKETS, writeSyntheticRecording } from '../src/backtest/synthetic.js';
import { Recorder } from '../src/record/writer.js';
import { silentLogger } from '../src/core/log.js';
import { fileLineBatches, fileLines, recordingFiles } from '../src/record/reader.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3600);
const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
try {
  let t = performance.now();
  const events = writeSyntheticRecording(dir, { seconds: SECONDS, framesPerSecond: 20, seed: 11 });
  console.log(`recording: ${SECONDS} s simulated, ${events.toLocaleString('en-US')} events, written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  let parsed = 0;
  for (const file of recordingFiles(dir)) {
    // The fastest way to read it: a decompressed chunk of lines at a time.
    for await (const lines of fileLineBatches(file)) {
      for (const line of lines) {
        // The header is JSON; an event line's payload is the last tab-separated field.
        const payload = line[0] === '{' ? line : line.slice(line.indexOf('\t', 4) + 1);
        JSON.parse(payload);
        parsed++;
      }
    }
  }
  const bare = (performance.now() - t) / 1000;
  console.log(`bare decompress + JSON.parse: ${(parsed / bare).toFixed(0).padStart(9)} lines/s  (${bare.toFixed(2)} s)`);

  const job: BacktestJob = {
    strategyArgs: ['--size', '0.01', '--long-threshold', '10', '--short-threshold', '10', '--max-position', '0.05'],
    dataDir: dir,
    latency: { roundTripMs: { backpack: 20, lighter: 20 } },
    logDir: mkdtempSync(join(tmpdir(), 'bench-replay-out-')),
  };
  t = performance.now();
  const result = await runJob(job, silentLogger);
  const e2e = (performance.now() - t) / 1000;
  console.log(`backtest end to end:          ${(result.events / e2e).toFixed(0).padStart(9)} events/s (${e2e.toFixed(2)} s, ${result.summary.trades} trades)`);
  console.log(`ratio: ${((result.events / e2e / (parsed / bare)) * 100).toFixed(1)} % of the bare loop`);
  console.log(`a day of these frames would replay in about ${((e2e * 86_400) / SECONDS).toFixed(0)} s on one core`);

  // What --record costs the deciding turn: one recorder call per frame (the line is only queued there).
  {
    const recDir = mkdtempSync(join(tmpdir(), 'bench-rec-'));
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
    rmSync(recDir, { recursive: true, force: true });
    console.log(`--record on the deciding turn: ${((spent * 1e6) / calls).toFixed(0)} ns per frame (${calls.toLocaleString('en-US')} frames queued)`);
  }

  if (process.env.BENCH_SWEEP === '1') {
    const grid = sweepGrid([{ flag: 'long-threshold', values: ['10', '30'] }]);
    for (const threads of [1, 2]) {
      t = performance.now();
      await runSweep({ ...job, logDir: mkdtempSync(join(tmpdir(), 'bench-sweep-')) }, grid, job.logDir, result.events, undefined, threads);
      console.log(`sweep of 2 on ${threads} thread${threads > 1 ? 's' : ''}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
