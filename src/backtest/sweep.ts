// Sweeps: a grid of strategy flags (`--sweep long-threshold=2:20:2 --sweep size=0.001,0.01`), each
// configuration replayed on a worker thread (one at a time per thread, as many threads as cores),
// with a progress bar of events done and time left. Results come back in the grid's order, so the
// output does not depend on which thread finished first.

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunSummary } from '../engine/index.js';
import type { BacktestJob } from './job.js';
import type { SweepRow } from './report.js';

/**
 * A worker on the compiled .js file; when running from TypeScript sources (tests, tsx), the worker
 * first registers tsx's loader itself, as a worker does not inherit the main thread's hooks.
 */
function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(url.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
}

/** The flags a sweep may vary: every numeric strategy or engine flag. */
export const SWEEPABLE = ['size', 'long-threshold', 'short-threshold', 'max-position', 'min-edge-bps', 'slippage-bps', 'max-book-age-ms', 'check-interval', 'backpack-taker-fee-bps', 'lighter-taker-fee-bps', 'lighter-tx-per-minute'] as const;

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
    if (![a, b, step].every((x) => DEC.test(x)) || Number(step) <= 0 || Number(b) < Number(a)) throw new SweepError(`--sweep ${spec}: a range is FROM:TO:STEP with FROM ≤ TO and STEP > 0, e.g. 2:20:2`);
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

/**
 * Runs `base` once per grid point, each in `outDir/sweep-<n>/`, on up to `threads` worker threads.
 * `onProgress(done, total)` counts events replayed over all configurations (total = per-run events × runs).
 */
export async function runSweep(base: BacktestJob, grid: Array<Record<string, string>>, outDir: string, eventsPerRun: number, onProgress?: (done: number, total: number) => void, threads = Math.min(grid.length, availableParallelism())): Promise<SweepOutcome[]> {
  const jobs: BacktestJob[] = grid.map((params, i) => ({ ...base, strategyArgs: [...base.strategyArgs, ...Object.entries(params).flatMap(([k, v]) => [`--${k}`, v])], logDir: join(outDir, `sweep-${String(i + 1).padStart(3, '0')}`) }));
  const results: SweepOutcome[] = new Array(jobs.length);
  const done = new Array<number>(jobs.length).fill(0);
  const total = eventsPerRun * jobs.length;
  const report = () => onProgress?.(done.reduce((a, b) => a + b, 0), total);
  const here = import.meta.url;
  const workerUrl = new URL(here.endsWith('.ts') ? './sweep-worker.ts' : './sweep-worker.js', here);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      [...Array(Math.max(1, threads)).keys()].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = startWorker(workerUrl);
            workers.push(worker);
            const give = () => {
              if (next >= jobs.length) {
                resolve();
                return;
              }
              const index = next++;
              worker.postMessage({ index, job: jobs[index] });
            };
            worker.on('message', (m: { kind: string; index: number; events?: number; summary?: RunSummary; figures?: Omit<SweepRow, 'params'>; files?: { trades: string; bbo: string }; message?: string }) => {
              if (m.kind === 'progress') {
                done[m.index] = m.events!;
                report();
              } else if (m.kind === 'done') {
                done[m.index] = m.events!;
                report();
                const empty = { pnl: 0, trades: 0, winRate: 0, maxDrawdown: 0, fees: 0 };
                results[m.index] = { params: grid[m.index]!, summary: m.summary!, figures: m.figures ?? empty, files: m.files };
                give();
              } else reject(new SweepError(`sweep configuration ${m.index + 1} (${JSON.stringify(grid[m.index])}) failed: ${m.message}`));
            });
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
