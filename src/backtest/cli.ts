// `backpack-lighter-arb backtest --data DIR [--from T] [--to T] [--latency …] [--lighter-tier …]
// [--sweep FLAG=SPEC]… [--out DIR] [every strategy flag]`: parses the backtest's own flags, leaves
// the strategy flags to the live parser (so they mean exactly what they mean live), runs one
// backtest or a sweep, and writes the CSVs, the summary and report.html into --out.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../cli/args.js';
import { engineSettings, flagOf, summaryText } from '../cli/settings.js';
import { ParamError } from '../core/param-error.js';
import { strategyParams } from '../strategy/index.js';
import type { Logger } from '../core/log.js';
import { RecordingFormatError } from '../record/format.js';
import { countBookEvents, readFirstHeader } from '../record/reader.js';
import { RunLog } from '../io/runlog.js';
import type { LighterTier } from '../venues/lighter/account.js';
import { jobConfig, runJob, type BacktestJob } from './job.js';
import { renderReport, runFigures } from './report.js';
import { DEFAULT_ROUND_TRIP_MS } from './run.js';
import { parseSweep, runSweep, sharedReadThreads, sweepGrid, SweepError } from './sweep.js';

export interface BacktestArgs {
  job: BacktestJob;
  outDir: string;
  sweeps: Array<{ flag: string; values: string[] }>;
  /** The command line as typed, for the report. */
  typed: string;
  threads?: number;
}

export const BACKTEST_HELP = `Usage: backpack-lighter-arb backtest --data DIR --size QTY [options] [strategy flags]

Replays a folder written with --record through the same parsers, book syncs, strategy and engine
as live, with simulated execution, and writes the trades and BBO CSVs, the summary and report.html.

  --data DIR               the recording folder (required)
  --from T, --to T         replay only events in [T, T): ISO 8601 (2026-01-01T10:00:00Z) or epoch ms
  --latency MODEL          learned (default: the recording's own order round trips), MS for both
                           venues, or BP_MS,LT_MS (round trips)
  --lighter-tier TIER      standard or premium: Lighter's taker fee and, with a fixed latency, its
                           taker speed bump (standard 300 ms, premium 200 ms); default: the
                           recorded fee, and the tier the recording names for the speed bump
  --sweep FLAG=SPEC        vary a numeric flag: FROM:TO:STEP or V1,V2,… (repeatable; the grid runs
                           on worker threads)
  --threads N              worker threads replaying a sweep's configurations, beside the thread
                           that reads the recording once for all of them (default: one per four
                           configurations, at most the number of cores)
  --out DIR                where the CSVs and report.html go (default: backtest); the folder is the
                           backtest's own and its previous output is replaced
  every strategy flag      --size, --long-threshold, --short-threshold, --max-position, --min-edge-bps,
                           --slippage-bps, --max-book-age-ms, --check-interval, --bbo-interval, fee overrides…`;

const NOT_FOR_BACKTEST = ['--paper', '--sim', '--record', '--duration', '--log-dir'];

function wallTime(flag: string, text: string | undefined): number {
  if (text === undefined) throw new ConfigError(`${flag} needs a time, e.g. ${flag} 2026-01-01T10:00:00Z`);
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new ConfigError(`${flag} ${text} is not a time — give ISO 8601 (2026-01-01T10:00:00Z) or epoch milliseconds`);
  return ms;
}

export function parseBacktestArgs(argv: string[]): BacktestArgs | 'help' {
  let data: string | undefined;
  let from: number | undefined;
  let to: number | undefined;
  let latency: BacktestJob['latency'] = 'learned';
  let latencyText: string | undefined;
  let tier: LighterTier | undefined;
  let out = 'backtest';
  let threads: number | undefined;
  const sweeps: Array<{ flag: string; values: string[] }> = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    const value = () => (eq > 0 ? raw.slice(eq + 1) : argv[++i]);
    switch (name) {
      case '--help':
        return 'help';
      case '--data':
        data = value();
        break;
      case '--from':
        from = wallTime('--from', value());
        break;
      case '--to':
        to = wallTime('--to', value());
        break;
      case '--latency':
        latencyText = value();
        break;
      case '--lighter-tier': {
        const t = value();
        if (t !== 'standard' && t !== 'premium') throw new ConfigError(`--lighter-tier ${t ?? ''} is not a Lighter tier — give standard or premium`);
        tier = t;
        break;
      }
      case '--sweep':
        try {
          sweeps.push(parseSweep(value() ?? ''));
        } catch (e) {
          throw new ConfigError((e as Error).message);
        }
        break;
      case '--threads': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 64) throw new ConfigError('--threads takes a whole number from 1 to 64');
        threads = n;
        break;
      }
      case '--out':
        out = value() ?? '';
        if (out === '') throw new ConfigError('--out needs a folder, e.g. --out backtest');
        break;
      default:
        if (NOT_FOR_BACKTEST.includes(name)) throw new ConfigError(`${name} is not a backtest flag — a backtest reads --data and writes into --out`);
        rest.push(raw);
    }
  }
  if (data === undefined || data === '') throw new ConfigError('backtest needs --data DIR — the folder a run wrote with --record');
  if (from !== undefined && to !== undefined && to <= from) throw new ConfigError('--to must be after --from');
  if (latencyText !== undefined && latencyText !== 'learned') {
    const parts = latencyText.split(',');
    const ms = parts.map(Number);
    if (parts.length > 2 || !ms.every((x) => Number.isFinite(x) && x >= 0))
      throw new ConfigError(`--latency ${latencyText}: give learned, one round trip in ms for both venues, or BP_MS,LT_MS`);
    latency = { roundTripMs: { backpack: ms[0]!, lighter: ms[1] ?? ms[0]! } };
  }
  const job: BacktestJob = { strategyArgs: rest, dataDir: data, fromWallMs: from, toWallMs: to, latency, lighterTier: tier, logDir: out };
  jobConfig(job); // every strategy flag is checked now, with the live parser's one-line errors
  for (const point of sweepGrid(sweeps)) jobConfig({ ...job, strategyArgs: [...rest, ...Object.entries(point).flatMap(([k, v]) => [`--${k}`, v])] });
  return { job, outDir: out, sweeps, typed: ['backtest', ...argv].join(' '), threads };
}

/** The --out folder is the backtest's own: a marker says so, and only then is old output removed. */
function prepareOut(dir: string): void {
  const marker = join(dir, '.backtest-output');
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(marker)) {
    throw new ConfigError(`--out ${dir} already holds files that no backtest wrote — give an empty or new folder`);
  }
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (/^(trades_|bbo_).*\.csv$/.test(name) || name === 'report.html' || /^sweep-\d+$/.test(name) || name.endsWith('.log'))
      rmSync(join(dir, name), { recursive: true, force: true });
  }
  writeFileSync(marker, 'This folder holds backtest output; the next backtest into it replaces it.\n');
}

/** Book events in the recording within --from/--to, for the progress bar. */
async function countEvents(dir: string, fromWallMs?: number, toWallMs?: number): Promise<number> {
  return countBookEvents(dir, { fromWallMs, toWallMs });
}

function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  const started = performance.now();
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (now - last < 200 && done < total) return;
    last = now;
    const f = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const elapsed = (now - started) / 1000;
    const left = f > 0 ? (elapsed / f) * (1 - f) : NaN;
    const line = `[${'#'.repeat(Math.round(f * width)).padEnd(width, '.')}] ${(f * 100).toFixed(0).padStart(3)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events  ${Number.isFinite(left) ? `${left.toFixed(0)} s left` : ''}`;
    stream.write(stream.isTTY ? `\r${line}` : `${line}\n`);
  };
}

export async function backtestCommand(argv: string[], out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  let args: BacktestArgs | 'help';
  try {
    args = parseBacktestArgs(argv);
    if (args === 'help') {
      out.write(BACKTEST_HELP + '\n');
      return 0;
    }
    const header = await readFirstHeader(args.job.dataDir);
    // Settings only the recorded markets can refuse (a size off a grid), for every configuration, before anything runs.
    for (const point of sweepGrid(args.sweeps)) {
      const c = jobConfig({ ...args.job, strategyArgs: [...args.job.strategyArgs, ...Object.entries(point).flatMap(([k, v]) => [`--${k}`, v])] });
      strategyParams(engineSettings(c).strategy, header.markets.backpack, header.markets.lighter);
    }
    prepareOut(args.outDir);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof RecordingFormatError || e instanceof SweepError) {
      err.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ParamError) {
      err.write(`error: ${e.render(flagOf)}\n`);
      return 2;
    }
    throw e;
  }
  const config = jobConfig(args.job);
  const log: Logger = new RunLog(join(args.outDir, `backtest_${config.ticker}.log`), { consoleLevel: 'WARN' });
  try {
    // A learned latency reads the recording once first and counts its events on the way; else they are counted here.
    let total = args.job.latency === 'learned' ? 0 : await countEvents(args.job.dataDir, args.job.fromWallMs, args.job.toWallMs);
    const bar = progressBar(err);
    const thresholds = { long: Number(config.longThreshold), short: Number(config.shortThreshold) };
    const result = await runJob(
      args.job,
      log,
      (done) => bar(done, total),
      (n) => (total = n),
    );
    if (err.isTTY) err.write('\n');
    const s = result.summary;
    out.write(
      [
        '',
        `── backtest of ${args.job.dataDir} ──────────────`,
        `events replayed     ${result.events} (book frames applied: Backpack ${result.applied.backpack}, Lighter ${result.applied.lighter})`,
        `latency             Backpack ${(result.latency.backpack.arrivalMs + result.latency.backpack.replyMs).toFixed(3)} ms, Lighter ${(result.latency.lighter.arrivalMs + result.latency.lighter.replyMs).toFixed(3)} ms round trip${result.learnedFrom === undefined ? ' (fixed)' : ` (learned from ${result.learnedFrom.backpack} Backpack and ${result.learnedFrom.lighter} Lighter orders; a venue with none keeps ${DEFAULT_ROUND_TRIP_MS.backpack} ms)`}`,
      ].join('\n') + summaryText(s),
    );
    let sweepRows;
    if (args.sweeps.length > 0) {
      const grid = sweepGrid(args.sweeps);
      err.write(
        `sweep: ${grid.length} configurations on ${Math.min(grid.length, args.threads ?? sharedReadThreads(grid.length))} worker threads, the recording read once for all of them\n`,
      );
      const sweepBar = progressBar(err);
      const outcomes = await runSweep(args.job, grid, args.outDir, result.events, sweepBar, args.threads);
      if (err.isTTY) err.write('\n');
      sweepRows = outcomes.map((o) => ({ params: o.params, ...o.figures }));
      const ranked = [...sweepRows].sort((a, b) => b.pnl - a.pnl);
      out.write(`sweep ranked by PnL (${grid.length} configurations):\n`);
      for (const r of ranked)
        out.write(
          `  ${Object.entries(r.params)
            .map(([k, v]) => `--${k} ${v}`)
            .join(' ')
            .padEnd(
              40,
            )} PnL ${r.pnl.toFixed(4).padStart(10)}  trades ${String(r.trades).padStart(5)}  win ${(r.winRate * 100).toFixed(1).padStart(5)}%  max drawdown ${r.maxDrawdown.toFixed(4)}  fees ${r.fees.toFixed(4)}\n`,
        );
    }
    const tradesCsv = result.files === undefined ? '' : readFileSync(result.files.trades, 'utf8');
    const figures = runFigures(tradesCsv);
    const report = join(args.outDir, 'report.html');
    writeFileSync(report, renderReport({ title: `Backtest ${config.ticker}: ${args.job.dataDir}`, result, tradesCsv, thresholds, flags: args.typed, sweep: sweepRows }));
    out.write(`win rate ${(figures.winRate * 100).toFixed(1)}%, max drawdown ${figures.maxDrawdown.toFixed(4)}\n`);
    out.write(`files: ${result.files === undefined ? '(no trades or BBO file: the recording never gave both books)' : `${result.files.trades}, ${result.files.bbo}`}, ${report}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof RecordingFormatError || e instanceof SweepError) {
      err.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    (log as RunLog).close();
  }
}
