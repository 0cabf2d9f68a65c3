// Wires a Config to venues and the engine for the chosen mode and owns the run's lifetime:
// Ctrl-C, SIGTERM and --duration all lead to the same clean stop and exit status 0.

import type { Logger } from '../core/log.js';
import { ArbEngine, type RunSummary } from '../engine/index.js';
import { pnlLines } from '../engine/pnl.js';
import { runLogPath } from '../io/paths.js';
import { RunLog, type Level, type TaggedLogger } from '../io/runlog.js';
import { startSimVenues, type SimVenues } from '../sim/index.js';
import { BackpackVenue } from '../venues/backpack/index.js';
import { LighterVenue } from '../venues/lighter/index.js';
import { PaperVenue } from '../venues/paper/index.js';
import type { Venue } from '../venues/venue.js';
import type { Config } from './config.js';
import { liveBanner, modeLine, runLabel, unlimitedPositionWarning } from './modes.js';

export interface RunHooks {
  /** Resolves with a reason when the run should stop; defaults to SIGINT/SIGTERM. */
  stopSignal?: Promise<string>;
  /** Console level of the run log (tests silence it). */
  consoleLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'OFF';
  /** Lines to log as warnings first (what parsing .env could not read). */
  warnings?: string[];
  /** Called once the engine runs (tests and the latency benchmark look inside). */
  onStarted?: (engine: ArbEngine, sim?: SimVenues) => void;
}

export async function run(config: Config, hooks: RunHooks = {}): Promise<number> {
  const log = new RunLog(runLogPath(config.logDir, config.ticker), {
    consoleLevel: hooks.consoleLevel ?? (config.logLevel.toUpperCase() as Level),
    fileLevel: config.fileLogLevel.toUpperCase() as Level,
    format: config.logFormat,
  });
  for (const warning of hooks.warnings ?? []) log.warn(warning);
  log.info(modeLine(config));
  if (runLabel(config) === 'live') for (const line of liveBanner(config)) log.info(line);
  const unlimited = unlimitedPositionWarning(config);
  if (unlimited !== undefined) log.warn(unlimited);
  log.info(`ticker ${config.ticker}, logs in ${config.logDir}/ (rows marked mode=${runLabel(config)})`);
  let sim: SimVenues | undefined;
  let engine: ArbEngine | undefined;
  try {
    let cfg = config;
    if (config.mode === 'sim') {
      sim = await startSimVenues({ ticker: config.ticker, logger: prefixed(log, 'sim') });
      cfg = sim.configFor(config);
      log.info(`sim: Backpack ${sim.backpack.apiUrl}, Lighter ${sim.lighter.apiUrl} (chain ${cfg.lighter.chainId}, account ${cfg.lighter.accountIndex})`);
    }
    engine = new ArbEngine({ config: cfg, ...makeVenues(cfg, log), logger: log });
    const stopSignal = hooks.stopSignal ?? processSignals();
    const duration = config.durationMs > 0 ? sleep(config.durationMs).then(() => `--duration ${config.durationMs / 1000} s elapsed`) : new Promise<string>(() => {});
    await engine.start();
    hooks.onStarted?.(engine, sim);
    log.info('running: every book frame from either venue is evaluated as it arrives');
    const reason = await Promise.race([stopSignal, duration, engine.stopped.then(() => 'engine stopped')]);
    const summary = await engine.stop(reason);
    // A silenced console (tests, benchmarks) prints nothing: under node's test runner a child's own
    // writes to stdout share the pipe with the runner's messages and can corrupt them.
    if (hooks.consoleLevel !== 'OFF') printSummary(summary);
    // --close-on-exit promised flat venues: a run that could not deliver that does not end as a success.
    return summary.closeOnExit !== undefined && !summary.closeOnExit.flat ? 1 : 0;
  } catch (e) {
    log.error(`${e instanceof Error ? e.message : String(e)}`);
    await engine?.stop('start-up failed').catch(() => undefined);
    return 1;
  } finally {
    await sim?.stop();
    log.close();
  }
}

/** A run started in-process (tests, benchmarks): its engine once started, and a stop like Ctrl-C. */
export interface RunHandle {
  exit: Promise<number>;
  engine: Promise<ArbEngine>;
  stop(reason: string): Promise<number>;
}

export function startRun(config: Config, hooks: Omit<RunHooks, 'stopSignal' | 'onStarted'> = {}): RunHandle {
  let stop!: (reason: string) => void;
  const stopSignal = new Promise<string>((r) => (stop = r));
  let started!: (e: ArbEngine) => void;
  const engine = new Promise<ArbEngine>((r) => (started = r));
  const exit = run(config, { ...hooks, stopSignal, onStarted: (e) => started(e) });
  return {
    exit,
    engine,
    stop: (reason) => {
      stop(reason);
      return exit;
    },
  };
}

function makeVenues(c: Config, log: TaggedLogger): { backpack: Venue; lighter: Venue } {
  const paper = c.mode === 'paper';
  const backpack = new BackpackVenue({
    ticker: c.ticker, apiUrl: c.backpack.apiUrl, wsUrl: c.backpack.wsUrl, logger: prefixed(log, 'backpack'),
    publicKey: paper ? undefined : c.backpack.publicKey, secretKey: paper ? undefined : c.backpack.secretKey, takerFeeBps: c.backpackTakerFeeBps,
  });
  const lighter = new LighterVenue({
    ticker: c.ticker, apiUrl: c.lighter.apiUrl, wsUrl: c.lighter.wsUrl, chainId: c.lighter.chainId, logger: prefixed(log, 'lighter'),
    privateKey: paper ? undefined : c.lighter.privateKey, accountIndex: paper ? undefined : c.lighter.accountIndex, apiKeyIndex: paper ? undefined : c.lighter.apiKeyIndex,
    takerFeeBps: c.lighterTakerFeeBps, txPerMinute: c.lighterTxPerMinute,
  });
  if (!paper) return { backpack, lighter };
  return { backpack: new PaperVenue({ inner: backpack, logger: log }), lighter: new PaperVenue({ inner: lighter, logger: log }) };
}

/** The venue's or simulator's lines carry its tag: `[backpack] …` in text, `"src":"backpack"` in JSON. */
function prefixed(log: TaggedLogger, tag: string): Logger {
  return log.child(tag);
}

function processSignals(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', on);
      process.removeListener('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

function printSummary(s: RunSummary): void {
  process.stdout.write(
    [
      '',
      '── summary ──────────────────────────────',
      `trades              ${s.trades} (${s.successes} succeeded, ${s.failures} failed)`,
      `repair orders       ${s.repairs}`,
      `spread PnL          ${s.estimatedPnl.toFixed(4)} USDC net of fees (the trades CSV's net_pnl summed)`,
      `fees                ${s.fees.toFixed(4)}`,
      ...(s.pnl !== undefined ? pnlLines(s.pnl) : []),
      `position Backpack   ${s.positions.backpack}`,
      `position Lighter    ${s.positions.lighter}`,
      ...(s.closeOnExit ? [`close on exit       ${s.closeOnExit.flat ? 'flat: ' : 'NOT FLAT: '}${s.closeOnExit.detail}`] : []),
      ...(s.halted ? [`entries halted      ${s.halted}`] : []),
      '',
    ].join('\n'),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
