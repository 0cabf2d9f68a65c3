// One backtest described by plain values (what a worker thread can be handed): the strategy flags
// as typed on the command line plus the replay's own settings. A single backtest and each
// configuration of a sweep both run through here, so a sweep's row equals the single run.

import { ConfigError, parseConfig } from '../cli/args.js';
import { engineSettings } from '../cli/settings.js';
import type { Logger } from '../core/log.js';
import type { RecordingItem } from '../record/reader.js';
import type { LighterTier } from '../venues/lighter/account.js';
import { runBacktest, runBacktests, type BacktestOptions, type BacktestResult } from './run.js';

export interface BacktestJob {
  /** Strategy flags as typed (--size, --long-threshold, …), without the backtest's own. */
  strategyArgs: string[];
  dataDir: string;
  fromWallMs?: number;
  toWallMs?: number;
  latency: BacktestOptions['latency'];
  lighterTier?: LighterTier;
  /** Where this run's CSVs go. */
  logDir: string;
  /** Read and decode on threads of their own (run.ts BacktestOptions.pipelined; default true). */
  pipelined?: boolean;
}

export function jobConfig(job: BacktestJob) {
  // --sim only so that no credentials are asked for: nothing connects anywhere in a backtest.
  const parsed = parseConfig([...job.strategyArgs, '--sim', '--log-dir', job.logDir], {});
  if (parsed.kind !== 'run') throw new Error('--help is not a backtest setting');
  // A recording holds one market: a list of them would replay only the first.
  if (parsed.config.markets.length > 1)
    throw new ConfigError(`a backtest replays one market's recording — give one --ticker, not ${parsed.config.markets.map((m) => m.ticker).join(',')}`);
  return parsed.config;
}

function jobOptions(job: BacktestJob, logger: Logger, onProgress?: (events: number) => void, onTotal?: (events: number) => void): BacktestOptions {
  const config = jobConfig(job);
  // The CSVs are made again from the recording: written in blocks, not a write per row.
  const settings = { ...engineSettings(config), modeLabel: 'backtest', batchCsvRows: true };
  return {
    dataDir: job.dataDir,
    fromWallMs: job.fromWallMs,
    toWallMs: job.toWallMs,
    settings,
    latency: job.latency,
    lighterTier: job.lighterTier,
    lighterTxPerMinute: config.lighterTxPerMinute,
    logger,
    onProgress,
    onTotal,
    progressEvery: 20_000,
    pipelined: job.pipelined,
  };
}

export function runJob(job: BacktestJob, logger: Logger, onProgress?: (events: number) => void, onTotal?: (events: number) => void): Promise<BacktestResult> {
  return runBacktest(jobOptions(job, logger, onProgress, onTotal));
}

/** Jobs over the same data in one pass over it (runBacktests); each one's result or failure, in order. */
export function runJobs(
  jobs: BacktestJob[],
  logger: Logger,
  onProgress?: (job: number, events: number) => void,
  batches?: AsyncIterable<RecordingItem[]>,
): Promise<Array<PromiseSettledResult<BacktestResult>>> {
  return runBacktests(
    jobs.map((job, i) => jobOptions(job, logger, onProgress === undefined ? undefined : (events) => onProgress(i, events))),
    batches,
  );
}
