// Wires a Config to venues and the engine for the chosen mode and owns the run's lifetime:
// Ctrl-C, SIGTERM and --duration all lead to the same clean stop and exit status 0.

import { ParamError } from '../core/param-error.js';
import { systemClock } from '../core/clock.js';
import { ArbEngine, type RunSummary } from '../engine/index.js';
import { optimizeOrderPathEarly } from '../engine/loop.js';
import { runLogPath } from '../io/paths.js';
import { RunLog, type Level } from '../io/runlog.js';
import { startSimVenues, type SimVenues } from '../sim/index.js';
import { LighterConfigError } from '../venues/lighter/index.js';
import { Watching } from '../watch/index.js';
import { Recorder } from '../record/writer.js';
import { VERSION } from '../version.js';
import type { Config } from './config.js';
import { liveBanner, modeLine, runLabel, unlimitedPositionWarning } from './modes.js';
import { runMany } from './run-many.js';
import { engineSettings, flagOf, portfolioCaps, summaryText } from './settings.js';
import { makeVenues, prefixed, processSignals, sleep, type RunHooks } from './wiring.js';

// As soon as the bot's modules load, before any of its functions has started counting (see there).
optimizeOrderPathEarly();

export async function run(config: Config, hooks: RunHooks = {}): Promise<number> {
  if (config.markets.length > 1) return runMany(config, hooks);
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
  const secrets = [config.backpack.secretKey?.reveal(), config.lighter.privateKey?.reveal()].filter((x): x is string => x !== undefined);
  const watching = new Watching(config.watch, { ticker: config.ticker, mode: config.mode, log, secrets, maxBookAgeMs: config.maxBookAgeMs, out: hooks.out ?? process.stdout });
  let summary: RunSummary | undefined;
  let stopReason = 'start-up failed';
  let recorder: Recorder | undefined;
  try {
    await watching.listen();
    hooks.onWatching?.(watching.endpoints);
    if (config.recordDir !== undefined) {
      recorder = new Recorder({ dir: config.recordDir, header: { version: VERSION, ticker: config.ticker, mode: config.mode }, onError: (m) => log.error(m) });
      log.info(
        `recording every frame, book snapshot and order event to ${config.recordDir}/ (replay it with: backpack-lighter-arb backtest --data ${config.recordDir} --size ${config.size})`,
      );
    }
    let cfg = config;
    if (config.mode === 'sim') {
      sim = await startSimVenues({ ticker: config.ticker, logger: prefixed(log, 'sim') });
      cfg = { ...config, ...sim.endpoints };
      log.info(`sim: Backpack ${sim.backpack.apiUrl}, Lighter ${sim.lighter.apiUrl} (chain ${cfg.lighter.chainId}, account ${cfg.lighter.accountIndex})`);
    }
    // One clock for the run: the engine, both venues and the recorder's order stamps read it.
    const clock = systemClock;
    // The caps across markets bind a one-market run too (its own weight is the total).
    const caps = portfolioCaps(config);
    const bot = new ArbEngine({
      settings: engineSettings(cfg),
      ...makeVenues(cfg, watching.logger, clock, recorder),
      logger: watching.logger,
      clock,
      caps: caps.active ? caps : undefined,
    });
    if (caps.active) caps.add(config.ticker, () => bot.exposure());
    engine = bot;
    watching.attach(bot);
    const stopSignal = hooks.stopSignal ?? processSignals();
    const duration = config.durationMs > 0 ? sleep(config.durationMs).then(() => `--duration ${config.durationMs / 1000} s elapsed`) : new Promise<string>(() => {});
    const stopping = Promise.race([stopSignal, duration, bot.stopped.then(() => 'engine stopped')]);
    // A stop during start-up (e.g. while a venue that is down is waited for) ends the start-up cleanly.
    void stopping.then((reason) => {
      if (bot.phase === 'starting') void bot.stop(reason);
    });
    if (await bot.start()) {
      watching.running();
      hooks.onStarted?.(bot, sim);
      log.info('running: every book frame from either venue is evaluated as it arrives');
    }
    stopReason = await stopping;
    summary = await bot.stop(stopReason);
    // A silenced console (tests, benchmarks) prints nothing: under node's test runner a child's own
    // writes to stdout share the pipe with the runner's messages and can corrupt them.
    if (hooks.consoleLevel !== 'OFF') printSummary(summary);
    // --close-on-exit promised flat venues: a run that could not deliver that does not end as a success.
    return summary.closeOnExit !== undefined && !summary.closeOnExit.flat ? 1 : 0;
  } catch (e) {
    // A setting that cannot work on these markets is bad input: one line with the flag names, status 2.
    const line = e instanceof ParamError ? e.render(flagOf) : `${e instanceof Error ? e.message : String(e)}`;
    log.error(line);
    if (summary === undefined) stopReason = `could not start: ${line}`;
    await engine?.stop('start-up failed').catch(() => undefined);
    // A setting that cannot work (a flag off a market's grid, or one the venue shows to be wrong) is a configuration error, like a bad flag.
    return (e instanceof ParamError && e.kind === 'config') || e instanceof LighterConfigError ? 2 : 1;
  } finally {
    await watching.finish(summary, stopReason).catch((e: unknown) => log.warn(`watch: ${e instanceof Error ? e.message : String(e)}`));
    await sim?.stop();
    await recorder?.close();
    log.close();
  }
}

/** A run started in-process (tests, benchmarks): its engine once started, and a stop like Ctrl-C. */
export interface RunHandle {
  exit: Promise<number>;
  engine: Promise<ArbEngine>;
  /** Every market's engine, in the order of the markets (one for a one-market run). */
  engines: Promise<ArbEngine[]>;
  stop(reason: string): Promise<number>;
}

export function startRun(config: Config, hooks: Omit<RunHooks, 'stopSignal' | 'onStarted' | 'onStartedMany'> = {}): RunHandle {
  let stop!: (reason: string) => void;
  const stopSignal = new Promise<string>((r) => (stop = r));
  let started!: (e: ArbEngine) => void;
  const engine = new Promise<ArbEngine>((r) => (started = r));
  let startedAll!: (e: ArbEngine[]) => void;
  const engines = new Promise<ArbEngine[]>((r) => (startedAll = r));
  const exit = run(config, {
    ...hooks,
    stopSignal,
    onStarted: (e) => {
      started(e);
      if (config.markets.length === 1) startedAll([e]);
    },
    onStartedMany: (all) => startedAll(all),
  });
  return {
    exit,
    engine,
    engines,
    stop: (reason) => {
      stop(reason);
      return exit;
    },
  };
}

function printSummary(s: RunSummary): void {
  process.stdout.write(summaryText(s));
}
