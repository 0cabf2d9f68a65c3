// Wires a Config to venues and the engine for the chosen mode and owns the run's lifetime:
// Ctrl-C, SIGTERM and --duration all lead to the same clean stop and exit status 0.

import type { Logger } from '../core/log.js';
import { ParamError } from '../core/param-error.js';
import { systemClock, type Clock } from '../core/clock.js';
import { ArbEngine, type EngineSettings, type RunSummary } from '../engine/index.js';
import { pnlLines } from '../engine/pnl.js';
import { runLogPath } from '../io/paths.js';
import { RunLog, type Level, type TaggedLogger } from '../io/runlog.js';
import { startSimVenues, type SimVenues } from '../sim/index.js';
import { BackpackSession, BackpackVenue, type BackpackVenueOptions } from '../venues/backpack/index.js';
import { LighterConfigError, LighterSession, LighterVenue, type LighterVenueOptions } from '../venues/lighter/index.js';
import { paperVenue } from '../venues/paper/index.js';
import type { Venue } from '../venues/venue.js';
import { Watching, type WatchEndpoints } from '../watch/index.js';
import { tapOrders } from '../record/venue-tap.js';
import { Recorder } from '../record/writer.js';
import { VERSION } from '../version.js';
import type { Config } from './config.js';
import { liveBanner, modeLine, runLabel, unlimitedPositionWarning } from './modes.js';
import { runMany } from './run-many.js';
import { PortfolioCaps } from '../portfolio/caps.js';

export interface RunHooks {
  /** Resolves with a reason when the run should stop; defaults to SIGINT/SIGTERM. */
  stopSignal?: Promise<string>;
  /** Console level of the run log (tests silence it). */
  consoleLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'OFF';
  /** Lines to log as warnings first (what parsing .env could not read). */
  warnings?: string[];
  /** Called once the engine runs (tests and the latency benchmark look inside); with several markets, the first market's. */
  onStarted?: (engine: ArbEngine, sim?: SimVenues) => void;
  /** With several markets: called once every market's engine runs, in the order of the markets. */
  onStartedMany?: (engines: ArbEngine[], sim?: SimVenues) => void;
  /** Called once the metrics server and dashboard listen (their URLs; tests give port 0). */
  onWatching?: (endpoints: WatchEndpoints) => void;
  /** Where the status line and the dashboard token go (default stdout). */
  out?: { write(s: string): unknown; isTTY?: boolean };
}

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

/** The caps across markets from the Config (--max-total-notional, --max-total-exposure or the file), named by their flags. */
export function portfolioCaps(config: Config): PortfolioCaps {
  return new PortfolioCaps({
    maxTotalNotional: config.caps.maxTotalNotional === undefined ? undefined : Number(config.caps.maxTotalNotional),
    maxTotalExposure: config.caps.maxTotalExposure === undefined ? undefined : Number(config.caps.maxTotalExposure),
    names: { notional: flagOf('maxTotalNotional'), exposure: flagOf('maxTotalExposure') },
  });
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

/** The engine's settings from the Config: the one place the command line's names meet the engine's. */
export function engineSettings(c: Config): EngineSettings {
  return {
    ticker: c.ticker,
    // The label written in every CSV row and the log: live only against the real venues' hosts.
    modeLabel: runLabel(c),
    strategy: {
      size: c.size,
      longThreshold: c.longThreshold,
      shortThreshold: c.shortThreshold,
      maxPosition: c.maxPosition,
      minEdgeBps: c.minEdgeBps,
      slippageBps: c.slippageBps,
      maxBookAgeMs: c.maxBookAgeMs,
    },
    takerFeeBps: { backpack: c.backpackTakerFeeBps, lighter: c.lighterTakerFeeBps },
    checkIntervalMs: c.checkIntervalMs,
    bboIntervalMs: c.bboIntervalMs,
    logDir: c.logDir,
    allowUnhedgedStart: c.allowUnhedgedStart,
    closeOnExit: c.closeOnExit,
    credentials: { backpack: 'BACKPACK_PUBLIC_KEY / BACKPACK_SECRET_KEY', lighter: 'API_KEY_PRIVATE_KEY / LIGHTER_ACCOUNT_INDEX / LIGHTER_API_KEY_INDEX' },
    nameOf: flagOf,
  };
}

const FLAGS: Record<string, string> = {
  size: '--size',
  longThreshold: '--long-threshold',
  shortThreshold: '--short-threshold',
  maxPosition: '--max-position',
  minEdgeBps: '--min-edge-bps',
  slippageBps: '--slippage-bps',
  maxBookAgeMs: '--max-book-age-ms',
  allowUnhedgedStart: '--allow-unhedged-start',
  maxTotalNotional: '--max-total-notional',
  maxTotalExposure: '--max-total-exposure',
};

/** A parameter's command-line flag. */
export function flagOf(param: string): string {
  return FLAGS[param] ?? param;
}

/** Each venue's own name for the market when they differ from --ticker (from the symbol map: kPEPE on Backpack, 1000PEPE on Lighter). */
export interface VenueNames {
  backpack: string;
  lighter: string;
}

export function makeVenues(c: Config, log: TaggedLogger, clock: Clock, recorder?: Recorder, names?: VenueNames, sessions?: VenueSessions): { backpack: Venue; lighter: Venue } {
  const venues = makeBareVenues(c, log, clock, recorder, names, sessions);
  if (recorder === undefined) return venues;
  return { backpack: tapOrders(venues.backpack, recorder, clock), lighter: tapOrders(venues.lighter, recorder, clock) };
}

/** One connection and account per venue, shared by every market of a run (see each venue's session.ts). */
export interface VenueSessions {
  backpack: BackpackSession;
  lighter: LighterSession;
}

/** Each venue's adapter options for one market of the run (`names`: the venues' own names for it). */
export function venueOptions(
  c: Config,
  log: TaggedLogger,
  clock: Clock,
  recorder?: Recorder,
  names?: VenueNames,
): { backpack: BackpackVenueOptions; lighter: LighterVenueOptions } {
  const paper = c.mode === 'paper';
  return {
    backpack: {
      ticker: names?.backpack ?? c.ticker,
      apiUrl: c.backpack.apiUrl,
      wsUrl: c.backpack.wsUrl,
      logger: prefixed(log, 'backpack'),
      publicKey: paper ? undefined : c.backpack.publicKey,
      secretKey: paper ? undefined : c.backpack.secretKey,
      takerFeeBps: c.backpackTakerFeeBps,
      clock,
      recorder,
    },
    lighter: {
      ticker: names?.lighter ?? c.ticker,
      apiUrl: c.lighter.apiUrl,
      wsUrl: c.lighter.wsUrl,
      chainId: c.lighter.chainId,
      logger: prefixed(log, 'lighter'),
      privateKey: paper ? undefined : c.lighter.privateKey,
      accountIndex: paper ? undefined : c.lighter.accountIndex,
      apiKeyIndex: paper ? undefined : c.lighter.apiKeyIndex,
      takerFeeBps: c.lighterTakerFeeBps,
      txPerMinute: c.lighterTxPerMinute,
      orderSize: c.size,
      slippageBps: c.slippageBps,
      clock,
      recorder,
    },
  };
}

/** The sessions every market of a run shares: one socket per venue, one Lighter nonce lane and request budget. */
export function makeSessions(c: Config, log: TaggedLogger, clock: Clock): VenueSessions {
  const o = venueOptions(c, log, clock);
  return { backpack: new BackpackSession(o.backpack), lighter: new LighterSession(o.lighter) };
}

function makeBareVenues(c: Config, log: TaggedLogger, clock: Clock, recorder?: Recorder, names?: VenueNames, sessions?: VenueSessions): { backpack: Venue; lighter: Venue } {
  const paper = c.mode === 'paper';
  const o = venueOptions(c, log, clock, recorder, names);
  const backpack = new BackpackVenue(o.backpack, sessions?.backpack);
  const lighter = new LighterVenue(o.lighter, sessions?.lighter);
  if (!paper) return { backpack, lighter };
  return { backpack: paperVenue(backpack, { logger: log, clock }), lighter: paperVenue(lighter, { logger: log, clock }) };
}

/** The venue's or simulator's lines carry its tag: `[backpack] …` in text, `"src":"backpack"` in JSON. */
export function prefixed(log: TaggedLogger, tag: string): Logger {
  return log.child(tag);
}

export function processSignals(): Promise<string> {
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
  process.stdout.write(summaryText(s));
}

/** The run summary as printed at the end of a run (a backtest prints the same). */
export function summaryText(s: RunSummary): string {
  return [
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
  ].join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
