// npm run bench:replay — replay speed. Writes a synthetic recording of BENCH_SECONDS (default one
// simulated hour) in the real format with the live frame mix at BENCH_FPS book frames per second
// on each venue (default 20: Backpack depth deltas, a bookTicker on each change of the top, a
// markPrice a second; Lighter order_book deltas + pings; src/backtest/synthetic.ts). Each book frame
// carries what captured frames carry: the few levels that changed (Lighter a median of 3, a mean
// of about 3.9, as nautilus_trader's captured BTC updates in
// tests/test_data/lighter/ws/mainnet_order_book_place_cancel_btc.json; Backpack a median of 2),
// about 265 bytes an event. An earlier generator re-quoted both ten-level sides in every frame
// (about 37 levels, 877 bytes an event): replay figures taken on it are not comparable. The
// rate: Lighter batches its order_book updates (about every 50 ms, as third-party clients of the
// stream note), but that capture holds 2,549 BTC updates in 17.6 s of their own timestamps (about
// 145 a second, a median of 5 ms apart) on a busy market, so the default 20 is a quiet market's
// rate and BENCH_FPS=145 the capture's; Backpack's real-time depth stream sends an event per
// engine update (spec §6). In the same run:
//   1. the ceiling: a bare loop that decompresses the same files and JSON.parses every line (one core;
//      the faster of two ways of reading the lines, see bareLoop);
//   2. the backtest end to end (decompress, parse, book sync, strategy, engine, simulated fills) on
//      one thread, and pipelined (reading and decoding on threads of their own: src/backtest/pipeline.ts);
// alternately, BENCH_ROUNDS times (default 3), and prints events per second for each, and their ratios
// to the bare loop: on a shared machine the absolute figures are noise, the ratio of runs taken side
// by side is what can be compared.
// Then the time for a day of these frames — extrapolated from the run, or with BENCH_DAY=1 measured on
// a synthetic day written for it (4.66 million events in 24 hour files and a 25th with the last few,
// about 150 MB of disk, a minute or two to write; BENCH_DAY_DIR=dir
// writes it there and reuses it when it is already there): the frames, the time and frames/s, pipelined
// and (BENCH_DAY_ONE_THREAD=1) on one thread, and the bare loop over the same day.
// Then a sweep (BENCH_SWEEP=0 skips it) over the first BENCH_SWEEP_SECONDS of the recording (default
// all of it: each replaying thread pays a fixed start — loading the code, V8 compiling it — which a
// short section makes look larger than in a sweep anyone would run; BENCH_SWEEP_SECONDS=1800 gives
// the figure taken before): by default the grid the issue gives as its example, --sweep long-threshold=2:20:2 --sweep
// size=0.001,0.01 (20 configurations), or with BENCH_SWEEP_CONFIGS=n, n values of --long-threshold
// (6, 10, 14 …); on one thread (it reads the recording and
// replays every configuration: what one core does), on two threads each reading the recording itself
// (the plan before: two threads were ×1.1–1.2 faster than one), and on one and two threads replaying
// the batches the sweep's own thread read and decoded once (the plan now); the throughput
// (configuration-events per second) of each, the CPU time it took over its wall time (how many cores
// it really had: on a machine others are using, maybe not two), the load average before it, and the
// speed-ups.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BacktestJob } from '../src/backtest/job.js';
import type { SweepPlan } from '../src/backtest/sweep.js';
import { fromDist } from './dist.js';

// The compiled code, as a user runs it (bench/dist.ts).
const { runJob } = await fromDist<typeof import('../src/backtest/job.js')>('backtest/job');
const { parseSweep, runSweep, sharedReadThreads, sweepGrid } = await fromDist<typeof import('../src/backtest/sweep.js')>('backtest/sweep');
const { SYNTHETIC_MARKETS, writeSyntheticRecording } = await fromDist<typeof import('../src/backtest/synthetic.js')>('backtest/synthetic');
const { Recorder } = await fromDist<typeof import('../src/record/writer.js')>('record/writer');
const { silentLogger } = await fromDist<typeof import('../src/core/log.js')>('core/log');
const { fileLineBatches, fileLines, readRecordingBatches, recordingFiles } = await fromDist<typeof import('../src/record/reader.js')>('record/reader');

/**
 * CPU time per thread of this process (Linux: /proc/self/task), sampled until stop(): on a machine
 * others are using, the wall time says little, the threads' CPU says how the work was spread.
 */
class ThreadCpu {
  private readonly start = ThreadCpu.read();
  private readonly last = new Map<string, number>();
  private readonly timer = setInterval(() => this.sample(), 20);
  private static read(): Map<string, number> | undefined {
    try {
      const out = new Map<string, number>();
      for (const tid of readdirSync('/proc/self/task')) {
        try {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          out.set(tid, (Number(f[11]) + Number(f[12])) / 100);
        } catch {
          // the thread ended between the listing and the read
        }
      }
      return out;
    } catch {
      return undefined;
    }
  }
  private sample(): void {
    for (const [tid, s] of ThreadCpu.read() ?? []) this.last.set(tid, s);
  }
  /** The busiest threads' CPU seconds (most first), all threads' together, and this (the replaying) thread's and the busiest others'. */
  stop(): { busiest: number[]; total: number; main: number; others: number[] } | undefined {
    clearInterval(this.timer);
    this.sample();
    if (this.start === undefined) return undefined;
    const main = String(process.pid);
    const spent = [...this.last].map(([tid, s]) => ({ tid, s: s - (this.start!.get(tid) ?? 0) })).filter((t) => t.s > 0);
    const used = spent.map((t) => t.s).sort((a, b) => b - a);
    const others = spent
      .filter((t) => t.tid !== main)
      .map((t) => t.s)
      .sort((a, b) => b - a);
    return { busiest: used.slice(0, 3), total: used.reduce((a, b) => a + b, 0), main: spent.find((t) => t.tid === main)?.s ?? 0, others: others.slice(0, 3) };
  }
}

const recordingFilesOrNone = (dir: string) => {
  try {
    return recordingFiles(dir).length;
  } catch {
    return 0;
  }
};

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3600);
const FPS = Number(process.env.BENCH_FPS ?? 20);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SWEEP_CONFIGS = process.env.BENCH_SWEEP_CONFIGS === undefined ? undefined : Math.max(2, Number(process.env.BENCH_SWEEP_CONFIGS));
const SWEEP_SECONDS = Math.min(SECONDS, Number(process.env.BENCH_SWEEP_SECONDS ?? SECONDS));
const START_WALL = Date.UTC(2026, 0, 1);
const temps: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
const rate = (n: number, s: number) => (n / s).toFixed(0).padStart(9);

/**
 * The bare loop: decompress every file and JSON.parse every line; lines and seconds. Two ways, the
 * faster of which is the ceiling: the text split into lines (fileLineBatches), and the replay's own
 * reader, which finds the lines in the decompressed bytes and makes only each payload a string
 * (readRecordingBatches; its header lines arrive parsed). A ceiling slower than the replay's own
 * reading would flatter the replay.
 */
async function bareLoop(dir: string): Promise<{ lines: number; s: number; way: string }> {
  let t = performance.now();
  let lines = 0;
  for (const file of recordingFiles(dir)) {
    for await (const batch of fileLineBatches(file)) {
      for (const line of batch) {
        // The header is JSON; an event line's payload is the last tab-separated field.
        JSON.parse(line[0] === '{' ? line : line.slice(line.indexOf('\t', 4) + 1));
        lines++;
      }
    }
  }
  const split = { lines, s: (performance.now() - t) / 1000, way: 'text split' };
  t = performance.now();
  lines = 0;
  for await (const batch of readRecordingBatches(dir)) {
    for (const item of batch) {
      if (item.kind !== 'header') JSON.parse(item.payload);
      lines++;
    }
  }
  const bytes = { lines, s: (performance.now() - t) / 1000, way: 'lines from the bytes' };
  return bytes.s < split.s ? bytes : split;
}

const strategyArgs = ['--size', '0.01', '--long-threshold', '10', '--short-threshold', '10', '--max-position', '0.05'];
const jobFor = (dataDir: string, toWallMs?: number, pipelined = true): BacktestJob => ({
  strategyArgs,
  dataDir,
  toWallMs,
  pipelined,
  latency: { roundTripMs: { backpack: 20, lighter: 20 } },
  logDir: temp('bench-replay-out-'),
});

/** The backtest end to end; events (every line but headers) and seconds. */
async function endToEnd(dataDir: string, pipelined: boolean): Promise<{ events: number; s: number; trades: number; idleBound?: number; threads?: string }> {
  const threads = new ThreadCpu();
  const t = performance.now();
  const r = await runJob(jobFor(dataDir, undefined, pipelined), silentLogger);
  const s = (performance.now() - t) / 1000;
  const per = threads.stop();
  // What idle cores would give: the busiest thread's CPU, or all threads' CPU over the cores.
  const idleBound = per === undefined ? undefined : Math.max(per.busiest[0] ?? 0, per.total / availableParallelism());
  // The replaying thread (this one) apart: pipelined, the reading threads are among the others (zlib's and V8's helpers too).
  const threadsLine =
    per === undefined ? undefined : `replaying thread ${per.main.toFixed(2)} s, busiest others ${per.others.map((x) => x.toFixed(2)).join(' + ')} …, all ${per.total.toFixed(2)} s`;
  return { events: r.events, s, trades: r.summary.trades, idleBound, threads: threadsLine };
}
const bound = (r: { events: number; idleBound?: number; threads?: string }) =>
  r.idleBound === undefined ? '' : `, ≥ ${r.idleBound.toFixed(2)} s on idle cores by its threads' CPU: ${r.threads}`;

try {
  const dir = temp('bench-replay-');
  let t = performance.now();
  const events = writeSyntheticRecording(dir, { seconds: SECONDS, framesPerSecond: FPS, seed: 11, startWallMs: START_WALL });
  console.log(
    `recording: ${SECONDS} s simulated at ${FPS} book frames/s a venue, ${events.toLocaleString('en-US')} events, written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  let bestBare = 0;
  let bestOne = 0;
  let bestPiped = 0;
  let e2eEvents = 0;
  const ratios: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const bare = await bareLoop(dir);
    const one = await endToEnd(dir, false);
    const piped = await endToEnd(dir, true);
    const bareRate = bare.lines / bare.s;
    bestBare = Math.max(bestBare, bareRate);
    bestOne = Math.max(bestOne, one.events / one.s);
    bestPiped = Math.max(bestPiped, piped.events / piped.s);
    e2eEvents = piped.events;
    ratios.push(`${((one.events / one.s / bareRate) * 100).toFixed(1)} % / ${((piped.events / piped.s / bareRate) * 100).toFixed(1)} %`);
    console.log(
      `round ${round} (load ${loadavg()[0]!.toFixed(2)}): bare decompress + JSON.parse ${rate(bare.lines, bare.s)} lines/s (${bare.s.toFixed(2)} s, ${bare.way});  backtest on one thread ${rate(one.events, one.s)} events/s (${one.s.toFixed(2)} s, ${one.trades} trades${bound(one)});  pipelined ${rate(piped.events, piped.s)} events/s (${piped.s.toFixed(2)} s, ${piped.trades} trades${bound(piped)})`,
    );
  }
  console.log(
    `frames/s end to end: one thread ${bestOne.toFixed(0)}, pipelined ${bestPiped.toFixed(0)}; bare loop: ${bestBare.toFixed(0)}; ratio ${((bestOne / bestBare) * 100).toFixed(1)} % (one thread) and ${((bestPiped / bestBare) * 100).toFixed(1)} % (pipelined) of the bare loop (best of ${ROUNDS} each; per round, one thread / pipelined: ${ratios.join(', ')})`,
  );

  const dayEvents = (e2eEvents * 86_400) / SECONDS;
  console.log(
    `a day of these frames (${Math.round(dayEvents).toLocaleString('en-US')} events, extrapolated: 86 400 / ${SECONDS} × this recording) would replay in about ${(dayEvents / bestPiped).toFixed(0)} s pipelined, ${(dayEvents / bestOne).toFixed(0)} s on one thread (the bare loop: ${(dayEvents / bestBare).toFixed(0)} s)`,
  );
  if (process.env.BENCH_DAY === '1') {
    const dayDir = process.env.BENCH_DAY_DIR ?? temp('bench-replay-day-');
    if (!existsSync(dayDir) || recordingFilesOrNone(dayDir) < 24) {
      mkdirSync(dayDir, { recursive: true });
      t = performance.now();
      const n = writeSyntheticRecording(dayDir, { seconds: 86_400, framesPerSecond: FPS, seed: 11, startWallMs: START_WALL });
      console.log(`day recording: ${n.toLocaleString('en-US')} events in ${recordingFiles(dayDir).length} files, written in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    const load = loadavg()[0]!.toFixed(2);
    const day = await endToEnd(dayDir, true);
    console.log(
      `a day measured (load ${load}): pipelined, replayed end to end in ${day.s.toFixed(1)} s: ${day.events.toLocaleString('en-US')} frames, ${rate(day.events, day.s).trim()} frames/s, ${day.trades} trades${bound(day)}`,
    );
    if (process.env.BENCH_DAY_ONE_THREAD === '1') {
      const one = await endToEnd(dayDir, false);
      console.log(`  on one thread: ${one.s.toFixed(1)} s, ${rate(one.events, one.s).trim()} frames/s, ${one.trades} trades${bound(one)}`);
    }
    const bare = await bareLoop(dayDir);
    console.log(`  the bare loop over the same day (one core): ${bare.s.toFixed(1)} s, ${rate(bare.lines, bare.s).trim()} lines/s (${bare.way})`);
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
    const sweeps =
      SWEEP_CONFIGS === undefined
        ? [parseSweep('long-threshold=2:20:2'), parseSweep('size=0.001,0.01')]
        : [{ flag: 'long-threshold', values: Array.from({ length: SWEEP_CONFIGS }, (_, i) => String(6 + 4 * i)) }];
    const grid = sweepGrid(sweeps);
    const base = jobFor(dir, START_WALL + SWEEP_SECONDS * 1000);
    let perRun = 0; // the events one configuration replays: every frame and snapshot up to the end of the section
    for await (const batch of readRecordingBatches(dir, { toWallMs: base.toWallMs })) for (const item of batch) if (item.kind === 'frame' || item.kind === 'snapshot') perRun++;
    const total = perRun * grid.length;
    console.log(
      `sweep: ${grid.length} configurations (${sweeps.map((w) => `--${w.flag} ${w.values.join(',')}`).join(' ')}) over the first ${SWEEP_SECONDS} s (${perRun.toLocaleString('en-US')} events each); ${availableParallelism()} cores`,
    );
    const runs: Array<{ label: string; plan: SweepPlan }> = [
      { label: '1 thread, reading too', plan: { threads: 1, perPass: grid.length } },
      { label: '2 threads, each reading too', plan: { threads: 2, perPass: Math.ceil(grid.length / 2) } },
      { label: 'read once + 1 replaying thread', plan: { threads: 1 } },
      { label: 'read once + 2 replaying threads', plan: { threads: 2 } },
    ];
    console.log(`  (the default plan for ${grid.length} configurations on ${availableParallelism()} cores: read once + ${sharedReadThreads(grid.length)} replaying thread(s))`);
    const took: number[] = [];
    const bounds: number[] = [];
    for (const r of runs) {
      const load = loadavg()[0]!;
      const threads = new ThreadCpu();
      t = performance.now();
      const cpu0 = process.cpuUsage();
      await runSweep(base, grid, temp('bench-sweep-'), perRun, undefined, r.plan);
      const s = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      const per = threads.stop();
      took.push(s);
      // CPU over wall time: how many cores the run actually got (on a busy machine, maybe not two).
      console.log(
        `  ${r.label.padEnd(36)} ${s.toFixed(2).padStart(7)} s  ${rate(total, s)} configuration-events/s  (CPU ${cpuS.toFixed(2)} s, ${(cpuS / s).toFixed(2)} cores busy; load before ${load.toFixed(2)})`,
      );
      if (per !== undefined) {
        // Load-independent: the busiest thread's CPU, and the whole CPU over the cores, bound the wall time on idle cores.
        const bound = Math.max(per.busiest[0] ?? 0, per.total / availableParallelism());
        bounds.push(bound);
        console.log(
          `  ${''.padEnd(36)} threads' CPU: ${per.busiest.map((x) => x.toFixed(2)).join(', ')} s (the busiest; all: ${per.total.toFixed(2)} s) → on idle cores at least ${bound.toFixed(2)} s`,
        );
      }
    }
    console.log(
      `  speed-up over one thread, same grid, measured: two threads each reading ×${(took[0]! / took[1]!).toFixed(2)}; read once + one replaying thread ×${(took[0]! / took[2]!).toFixed(2)}; read once + two ×${(took[0]! / took[3]!).toFixed(2)}`,
    );
    if (bounds.length === runs.length)
      console.log(
        `  the same from the threads' CPU (what idle cores would give): ×${(bounds[0]! / bounds[1]!).toFixed(2)}; ×${(bounds[0]! / bounds[2]!).toFixed(2)}; ×${(bounds[0]! / bounds[3]!).toFixed(2)}`,
      );
  }
} finally {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
}
