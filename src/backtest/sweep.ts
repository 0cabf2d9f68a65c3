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
  /** Worker threads (default: as many as cores, at most one per configuration). */
  threads?: number;
  /**
   * Configurations replayed together in one pass over the recording on a thread, sharing its
   * decompression, decoding and JSON parsing (default: the configurations shared evenly between the
   * threads, at most 8 per pass so that a long sweep still balances; 1 = a pass per configuration).
   */
  perPass?: number;
}

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
  const threads = Math.max(1, Math.min(jobs.length, asked ?? availableParallelism()));
  const perPass = Math.max(1, perPassAsked ?? Math.min(8, Math.ceil(jobs.length / threads)));
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
  try {
    await Promise.all(
      [...Array(Math.min(threads, groups.length)).keys()].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = startWorker(workerUrl);
            workers.push(worker);
            const give = () => {
              if (next >= groups.length) {
                resolve();
                return;
              }
              worker.postMessage({ group: groups[next++] });
            };
            worker.on(
              'message',
              (m: {
                kind: string;
                index: number;
                events?: number;
                summary?: RunSummary;
                figures?: Omit<SweepRow, 'params'>;
                files?: { trades: string; bbo: string };
                message?: string;
              }) => {
                if (m.kind === 'progress') {
                  done[m.index] = m.events!;
                  report();
                } else if (m.kind === 'done') {
                  done[m.index] = m.events!;
                  report();
                  const empty = { pnl: 0, trades: 0, winRate: 0, maxDrawdown: 0, fees: 0 };
                  results[m.index] = { params: grid[m.index]!, summary: m.summary!, figures: m.figures ?? empty, files: m.files };
                } else if (m.kind === 'idle') give();
                else reject(new SweepError(`sweep configuration ${m.index + 1} (${JSON.stringify(grid[m.index])}) failed: ${m.message}`));
              },
            );
            worker.on('error', reject);
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
