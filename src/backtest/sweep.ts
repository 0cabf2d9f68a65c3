// Sweeps: a grid of strategy flags (`--sweep long-threshold=2:20:2 --sweep size=0.001,0.01`), each
// configuration replayed on a worker thread (as many threads as cores; the configurations a thread
// is handed together share one pass over the recording: run.ts runBacktests),
// with a progress bar of events done and time left. Results come back in the grid's order, so the
// output does not depend on which thread finished first.

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { RunSummary } from '../engine/index.js';
import type { BacktestJob } from './job.js';
import type { SweepRow } from './report.js';
import { readFirstHeader, readRecordingBatches } from '../record/reader.js';
import { decoderFor } from './feed.js';
import { packBatch, type PackDecoding } from './packed.js';
import { siblingUrl, startWorker } from './threads.js';

/** The flags a sweep may vary: every numeric strategy or engine flag. */
export const SWEEPABLE = [
  'size',
  'long-threshold',
  'short-threshold',
  'max-position',
  'min-edge-bps',
  'slippage-bps',
  'max-book-age-ms',
  'check-interval',
  'backpack-taker-fee-bps',
  'lighter-taker-fee-bps',
  'lighter-tx-per-minute',
] as const;

export class SweepError extends Error {
  override name = 'SweepError';
}

/** `name=a:b:step` or `name=v1,v2,…` into the flag and its values, as decimal strings. */
export function parseSweep(spec: string): { flag: string; values: string[] } {
  const eq = spec.indexOf('=');
  const flag = eq < 0 ? spec : spec.slice(0, eq).replace(/^--/, '');
  if (eq < 0 || !(SWEEPABLE as readonly string[]).includes(flag)) {
    throw new SweepError(`--sweep ${spec}: give a numeric flag and its values, e.g. --sweep long-threshold=2:20:2 or --sweep size=0.001,0.01 (flags: ${SWEEPABLE.join(', ')})`);
  }
  const body = spec.slice(eq + 1);
  const DEC = /^\d+(\.\d+)?$/;
  const range = /^([\d.]+):([\d.]+):([\d.]+)$/.exec(body);
  if (range !== null) {
    const [a, b, step] = [range[1]!, range[2]!, range[3]!];
    if (![a, b, step].every((x) => DEC.test(x)) || Number(step) <= 0 || Number(b) < Number(a))
      throw new SweepError(`--sweep ${spec}: a range is FROM:TO:STEP with FROM ≤ TO and STEP > 0, e.g. 2:20:2`);
    const decimals = Math.max(...[a, b, step].map((x) => x.split('.')[1]?.length ?? 0));
    const scale = 10 ** decimals;
    const [ia, ib, is] = [a, b, step].map((x) => Math.round(Number(x) * scale)) as [number, number, number];
    const values: string[] = [];
    for (let v = ia; v <= ib; v += is) values.push((v / scale).toFixed(decimals));
    if (values.length > 1000) throw new SweepError(`--sweep ${spec}: ${values.length} values; keep a sweep under 1000 per flag`);
    return { flag, values };
  }
  const values = body.split(',');
  if (values.length === 0 || !values.every((v) => DEC.test(v))) throw new SweepError(`--sweep ${spec}: values must be decimals, e.g. ${flag}=1,2.5,4 or a range ${flag}=2:20:2`);
  return { flag, values };
}

/** Every combination, the first flag varying slowest. */
export function sweepGrid(sweeps: Array<{ flag: string; values: string[] }>): Array<Record<string, string>> {
  let grid: Array<Record<string, string>> = [{}];
  for (const s of sweeps) grid = grid.flatMap((g) => s.values.map((v) => ({ ...g, [s.flag]: v })));
  return grid;
}

export interface SweepOutcome {
  params: Record<string, string>;
  summary: RunSummary;
  figures: Omit<SweepRow, 'params'>;
  files?: { trades: string; bbo: string };
}

/** How a sweep spreads its configurations. */
export interface SweepPlan {
  /**
   * Worker threads (default: with the shared read, one per four configurations up to one per core,
   * see sharedReadThreads; else one per core; never more than one per configuration).
   */
  threads?: number;
  /**
   * Without it (the default), the recording is read and decoded once, on the sweep's own thread,
   * and every worker thread replays its share of the configurations from those decoded batches: the
   * reading, which costs more than a configuration's books and engine, is not repeated on each
   * thread (it was, and two threads were ×1.1–1.2 faster than one). With it, each worker reads the
   * recording itself, this many configurations to a pass (1 = a pass per configuration).
   */
  perPass?: number;
}

/**
 * Worker threads for a sweep replaying the shared read: reading and decoding the recording (on the
 * sweep's own thread) weigh about what four configurations' books and engines do (measured with
 * the bench's grid), so a worker per four configurations, at most one per core: on two cores a
 * small grid runs as one reading thread and one replaying thread, each on its core.
 */
export function sharedReadThreads(configurations: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, Math.ceil(configurations / 4)));
}

/** Batches the reading thread may be ahead of the slowest worker. */
const SWEEP_READ_AHEAD = 64;

type WorkerReport = {
  kind: string;
  index: number;
  events?: number;
  summary?: RunSummary;
  figures?: Omit<SweepRow, 'params'>;
  files?: { trades: string; bbo: string };
  message?: string;
};

/**
 * Runs `base` once per grid point, each in `outDir/sweep-<n>/`, on worker threads, a group of
 * configurations per pass over the recording (runJobs). `onProgress(done, total)` counts events
 * replayed over all configurations (total = per-run events × runs).
 */
export async function runSweep(
  base: BacktestJob,
  grid: Array<Record<string, string>>,
  outDir: string,
  eventsPerRun: number,
  onProgress?: (done: number, total: number) => void,
  plan: SweepPlan | number = {},
): Promise<SweepOutcome[]> {
  const { threads: asked, perPass: perPassAsked } = typeof plan === 'number' ? { threads: plan, perPass: undefined } : plan;
  const jobs: BacktestJob[] = grid.map((params, i) => ({
    ...base,
    strategyArgs: [...base.strategyArgs, ...Object.entries(params).flatMap(([k, v]) => [`--${k}`, v])],
    logDir: join(outDir, `sweep-${String(i + 1).padStart(3, '0')}`),
  }));
  const shared = perPassAsked === undefined;
  const threads = Math.max(1, Math.min(jobs.length, asked ?? (shared ? sharedReadThreads(jobs.length) : availableParallelism())));
  const perPass = shared ? Math.ceil(jobs.length / threads) : Math.max(1, perPassAsked);
  const groups: Array<Array<{ index: number; job: BacktestJob }>> = [];
  for (let i = 0; i < jobs.length; i += perPass) groups.push(jobs.slice(i, i + perPass).map((job, k) => ({ index: i + k, job })));
  const results: SweepOutcome[] = new Array(jobs.length);
  const done = new Array<number>(jobs.length).fill(0);
  const total = eventsPerRun * jobs.length;
  const report = () =>
    onProgress?.(
      done.reduce((a, b) => a + b, 0),
      total,
    );
  const workerUrl = siblingUrl(import.meta.url, 'sweep-worker');
  let next = 0;
  const workers: Worker[] = [];
  // The shared reading: batches sent and not yet replayed, per worker.
  const unacked: number[] = [];
  let acked: (() => void) | undefined;
  let failure: unknown;
  const onReport = (m: WorkerReport, give: () => void, w: number) => {
    if (m.kind === 'ack') {
      unacked[w]!--;
      acked?.();
    } else if (m.kind === 'progress') {
      done[m.index] = m.events!;
      report();
    } else if (m.kind === 'done') {
      done[m.index] = m.events!;
      report();
      const empty = { pnl: 0, trades: 0, winRate: 0, maxDrawdown: 0, fees: 0 };
      results[m.index] = { params: grid[m.index]!, summary: m.summary!, figures: m.figures ?? empty, files: m.files };
    } else if (m.kind === 'idle') give();
    else throw new SweepError(`sweep configuration ${m.index + 1} (${JSON.stringify(grid[m.index])}) failed: ${m.message}`);
  };
  try {
    const running = Promise.all(
      [...Array(Math.min(threads, groups.length)).keys()].map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const worker = startWorker(workerUrl);
            workers.push(worker);
            unacked.push(0);
            const fail = (e: unknown) => {
              failure ??= e;
              acked?.();
              reject(e);
            };
            const give = () => {
              if (next >= groups.length) {
                resolve();
                return;
              }
              worker.postMessage({ group: groups[next++], streamed: shared });
            };
            worker.on('message', (m: WorkerReport) => {
              try {
                onReport(m, give, w);
              } catch (e) {
                fail(e);
              }
            });
            worker.on('error', fail);
            give();
          }),
      ),
    );
    if (shared) {
      // Read once here; every worker replays the same decoded batches (packed.ts) for its configurations.
      const sending = (async () => {
        const range = { fromWallMs: base.fromWallMs, toWallMs: base.toWallMs };
        // Decoded as packed, as a pipelined replay's reader does (pipeline.ts serveReader): book
        // frames scanned straight into the numbers, no message objects made just to be packed.
        const markets = (await readFirstHeader(base.dataDir)).markets;
        const decoding: PackDecoding = { markets, decode: { backpack: decoderFor('backpack', markets.backpack), lighter: decoderFor('lighter', markets.lighter) } };
        for await (const batch of readRecordingBatches(base.dataDir, range)) {
          const packed = packBatch(batch, decoding);
          while (failure === undefined && unacked.some((n) => n >= SWEEP_READ_AHEAD)) await new Promise<void>((r) => (acked = r));
          if (failure !== undefined) return;
          for (let w = 0; w < workers.length; w++) {
            workers[w]!.postMessage({ batch: packed });
            unacked[w]!++;
          }
        }
        for (const worker of workers) worker.postMessage({ end: true });
      })();
      // A recording that cannot be read ends the sweep with the reader's own line.
      await Promise.all([running, sending.catch((e: unknown) => Promise.reject(new SweepError(`sweep: ${(e as Error).message}`)))]);
    } else await running;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
