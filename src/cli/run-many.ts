// A run of several markets in one process (--ticker BTC,ETH,SOL or --config FILE): the markets
// are resolved against both venues' market lists (symbols.ts), each gets its own engine with its
// own settings and files (bbo_{TICKER}_{date}.csv, trades_{TICKER}_{date}.csv), and they share
// one run log (backpack_lighter_{TICKER}_{TICKER}….log, every line tagged with its market), the
// caps across markets, one stop and one summary with each market and the total.

import { ParamError } from '../core/param-error.js';
import { systemClock } from '../core/clock.js';
import { ArbEngine, ENGINE_DEFAULTS, type RunSummary } from '../engine/index.js';
import { runLogPath } from '../io/paths.js';
import { RunLog, type Level, type TaggedLogger } from '../io/runlog.js';
import { buildSymbolMap, MarketSelectionError, parseUnitName, readBackpackMarkets, readLighterMarkets, selectPairs, type MarketPair } from '../markets/symbols.js';
import { startSimVenues, type SimVenues } from '../sim/index.js';
import { SIM_BASES, SIM_EXTRA_BASES } from '../sim/markets.js';
import type { BackpackRest } from '../venues/backpack/rest.js';
import { LighterConfigError } from '../venues/lighter/index.js';
import type { LighterRest } from '../venues/lighter/rest.js';
import { Watching } from '../watch/index.js';
import type { Config, MarketConfig } from './config.js';
import { liveBanner, modeLine, runLabel, unlimitedPositionWarning } from './modes.js';
import { engineSettings, flagOf, portfolioCaps, summaryText } from './settings.js';
import { makeSessions, makeVenues, prefixed, processSignals, sleep, type RunHooks, type VenueNames, type VenueSessions } from './wiring.js';

/** The run log's name part for several markets: every ticker, in the order given (BTC_ETH_SOL). */
export function combinedName(markets: readonly MarketConfig[]): string {
  return markets.map((m) => m.ticker).join('_');
}

/** A market both venues list but this program will not trade, with the reason: bad input (exit 2). */
export class MarketRefusedError extends Error {
  override name = 'MarketRefusedError';
}

/**
 * The pair of each market asked for, from both venues' public market lists: a market on one venue
 * only, or none, is refused with the markets both share (selectPairs); a pair quoted in different
 * multiples is refused with the reason (the engine trades one contract against the same contract).
 */
export async function resolvePairs(config: Config, rest: { backpack: BackpackRest; lighter: LighterRest }): Promise<MarketPair[]> {
  // Through the sessions' clients: Lighter's market list takes its place in the shared request budget.
  const [bp, lt] = await Promise.all([rest.backpack.get('/api/v1/markets').then(readBackpackMarkets), rest.lighter.get('orderBookDetails', {}).then(readLighterMarkets)]);
  const map = buildSymbolMap(bp, lt);
  const pairs = selectPairs(
    map,
    config.markets.map((m) => m.ticker),
  );
  if (pairs.length < config.markets.length) {
    const seen = new Map<MarketPair, string>();
    config.markets.forEach((m, i) => {
      const pair = selectPairs(map, [m.ticker])[0];
      const earlier = seen.get(pair);
      if (earlier !== undefined) throw new MarketRefusedError(`${earlier} and ${m.ticker} are the same market (${pair.backpack.symbol} / ${pair.lighter.symbol}) — list it once`);
      seen.set(pair, config.markets[i].ticker);
    });
  }
  pairs.forEach((pair, i) => {
    const refusal = pairRefusal(pair, config.markets[i].ticker);
    if (refusal !== undefined) throw new MarketRefusedError(refusal);
  });
  return pairs;
}

/**
 * Why the engine will not trade this pair, if it will not: contracts of different multiples would
 * need one order's size converted on the way to the other venue, and the engine hedges a contract
 * with the same contract (scan still compares such a pair, converting exactly).
 */
export function pairRefusal(pair: MarketPair, ticker: string): string | undefined {
  if (pair.shift === 0) return undefined;
  return `${ticker}: Backpack's ${pair.backpack.symbol} is ${pair.backpack.multiplier} ${pair.asset} a contract and Lighter's ${pair.lighter.symbol} ${pair.lighter.multiplier}; one order's size would differ on the two venues by 10^${Math.abs(pair.shift)}, and the engine hedges a contract with the same contract — leave ${ticker} out (scan shows how its spread converts)`;
}

/** The simulator markets a --sim run of these tickers needs: generated books for each, the extra listings asked for. */
function simMarkets(markets: readonly MarketConfig[]): { tickers: string[]; extra: string[] } {
  const tickers = markets.map((m) => (SIM_BASES.includes(m.ticker) ? m.ticker : parseUnitName(m.ticker).asset));
  return { tickers, extra: tickers.filter((t) => SIM_EXTRA_BASES.includes(t)) };
}

/** Which market's start-up threw an error (the error line names it). */
const failedMarket = new WeakMap<object, string>();

interface Market {
  config: MarketConfig;
  engine: ArbEngine;
}

export async function runMany(config: Config, hooks: RunHooks = {}): Promise<number> {
  const name = combinedName(config.markets);
  const log = new RunLog(runLogPath(config.logDir, name), {
    consoleLevel: hooks.consoleLevel ?? (config.logLevel.toUpperCase() as Level),
    fileLevel: config.fileLogLevel.toUpperCase() as Level,
    format: config.logFormat,
  });
  for (const warning of hooks.warnings ?? []) log.warn(warning);
  log.info(modeLine(config));
  for (const m of config.markets) {
    const own = { ...config, ...m };
    if (runLabel(config) === 'live') for (const line of liveBanner(own)) log.info(line);
    const unlimited = unlimitedPositionWarning(own);
    if (unlimited !== undefined) log.warn(`${m.ticker}: ${unlimited}`);
  }
  log.info(`markets ${config.markets.map((m) => m.ticker).join(', ')}: one engine each, lines tagged [TICKER]; logs in ${config.logDir}/ (rows marked mode=${runLabel(config)})`);
  const capsLine = [
    config.caps.maxTotalNotional !== undefined ? `total notional ≤ ${config.caps.maxTotalNotional} USDC` : '',
    config.caps.maxTotalExposure !== undefined ? `open exposure ≤ ${config.caps.maxTotalExposure} USDC` : '',
  ].filter(Boolean);
  log.info(capsLine.length > 0 ? `caps across markets: ${capsLine.join(', ')} (entries only; repairs always go out)` : 'caps across markets: none');
  const secrets = [config.backpack.secretKey?.reveal(), config.lighter.privateKey?.reveal()].filter((x): x is string => x !== undefined);
  const watching = new Watching(config.watch, { ticker: name, mode: config.mode, log, secrets, maxBookAgeMs: config.maxBookAgeMs, out: hooks.out ?? process.stdout });
  let sim: SimVenues | undefined;
  const markets: Market[] = [];
  const summaries: Array<[string, RunSummary]> = [];
  let stopReason = 'start-up failed';
  let first: RunSummary | undefined;
  let sessions: VenueSessions | undefined;
  try {
    await watching.listen();
    hooks.onWatching?.(watching.endpoints);
    let cfg = config;
    if (config.mode === 'sim') {
      const s = simMarkets(config.markets);
      sim = await startSimVenues({ ticker: s.tickers[0], tickers: s.tickers, extraMarkets: s.extra, logger: prefixed(log, 'sim') });
      cfg = { ...config, ...sim.endpoints };
      log.info(`sim: Backpack ${sim.backpack.apiUrl}, Lighter ${sim.lighter.apiUrl} (chain ${cfg.lighter.chainId}, account ${cfg.lighter.accountIndex})`);
    }
    const clock = systemClock;
    // One connection per venue carries every market: one WebSocket each, Backpack's kept order
    // line, and Lighter's one nonce lane and request budget (repairs first, whichever market).
    sessions = makeSessions(cfg, log, clock);
    const shared = sessions;
    const pairs = await resolvePairs(cfg, { backpack: sessions.backpack.rest, lighter: sessions.lighter.rest });
    const caps = portfolioCaps(config);
    config.markets.forEach((m, i) => {
      const own: Config = { ...cfg, ...m };
      const names: VenueNames = { backpack: pairs[i].backpack.base, lighter: pairs[i].lighter.symbol };
      const marketLog = log.child(m.ticker);
      // The venues' lines carry the market and the venue: [BTC/backpack].
      const venueLog: TaggedLogger = { ...marketLog, child: (tag) => log.child(`${m.ticker}/${tag}`) };
      const engine = new ArbEngine({
        settings: engineSettings(own),
        ...makeVenues(own, venueLog, clock, undefined, names, shared),
        logger: marketLog,
        clock,
        caps: caps.active ? caps : undefined,
        // The markets share one process's time for signing ahead.
        timings: { signAheadPerSecond: ENGINE_DEFAULTS.signAheadPerSecond / config.markets.length },
      });
      if (caps.active) caps.add(m.ticker, () => engine.exposure());
      markets.push({ config: m, engine });
    });
    // The status line, metrics, dashboard and alerts cover every market (the dashboard's charts and controls are the first market's).
    watching.attach(
      markets[0].engine,
      markets.slice(1).map((m) => m.engine),
    );
    if (config.watch !== undefined)
      log.info(`the status line, metrics, dashboard and alerts cover every market; the dashboard's charts and controls are ${markets[0].config.ticker}'s, the first market`);
    const stopSignal = hooks.stopSignal ?? processSignals();
    const duration = config.durationMs > 0 ? sleep(config.durationMs).then(() => `--duration ${config.durationMs / 1000} s elapsed`) : new Promise<string>(() => {});
    const anyStopped = Promise.race(markets.map((m) => m.engine.stopped.then(() => `${m.config.ticker}: engine stopped`)));
    const stopping = Promise.race([stopSignal, duration, anyStopped]);
    void stopping.then((reason) => {
      for (const m of markets) if (m.engine.phase === 'starting') void m.engine.stop(reason);
    });
    const started = await Promise.all(
      markets.map((m) =>
        m.engine.start().catch((e: unknown) => {
          failedMarket.set(e as object, m.config.ticker);
          throw e;
        }),
      ),
    );
    if (started.every(Boolean)) {
      watching.running();
      hooks.onStartedMany?.(
        markets.map((m) => m.engine),
        sim,
      );
      hooks.onStarted?.(markets[0].engine, sim);
      log.info(`running ${markets.length} markets: every book frame from either venue is evaluated as it arrives`);
    }
    stopReason = await stopping;
    for (const [i, s] of (await Promise.all(markets.map((m) => m.engine.stop(stopReason)))).entries()) summaries.push([markets[i].config.ticker, s]);
    first = summaries[0][1];
    for (const line of totalLines(summaries)) log.info(`summary: ${line.trim()}`);
    if (hooks.consoleLevel !== 'OFF') process.stdout.write(manySummaryText(summaries));
    return summaries.some(([, s]) => s.closeOnExit !== undefined && !s.closeOnExit.flat) ? 1 : 0;
  } catch (e) {
    const text = e instanceof ParamError ? e.render(flagOf) : `${e instanceof Error ? e.message : String(e)}`;
    const market = typeof e === 'object' && e !== null ? failedMarket.get(e) : undefined;
    const line = market === undefined ? text : `${market}: ${text}`;
    log.error(line);
    if (summaries.length === 0) stopReason = `could not start: ${line}`;
    await Promise.all(markets.map((m) => m.engine.stop('start-up failed').catch(() => undefined)));
    // Sessions no market took (the markets were refused before any venue was made) close here.
    if (markets.length === 0 && sessions !== undefined) await Promise.allSettled([sessions.backpack.close(), sessions.lighter.close()]);
    const bad = (e instanceof ParamError && e.kind === 'config') || e instanceof LighterConfigError || e instanceof MarketSelectionError || e instanceof MarketRefusedError;
    return bad ? 2 : 1;
  } finally {
    await watching.finish(first, stopReason).catch((e: unknown) => log.warn(`watch: ${e instanceof Error ? e.message : String(e)}`));
    await sim?.stop();
    log.close();
  }
}

/** The totals over every market: trades, outcomes, repairs, spread PnL and fees. */
export function totalLines(summaries: ReadonlyArray<[string, RunSummary]>): string[] {
  const sum = (f: (s: RunSummary) => number) => summaries.reduce((a, [, s]) => a + f(s), 0);
  const lines = [
    `markets             ${summaries.map(([t]) => t).join(', ')}`,
    `trades              ${sum((s) => s.trades)} (${sum((s) => s.successes)} succeeded, ${sum((s) => s.failures)} failed)`,
    `repair orders       ${sum((s) => s.repairs)}`,
    `spread PnL          ${sum((s) => s.estimatedPnl).toFixed(4)} USDC net of fees (every market's trades CSV net_pnl summed)`,
    `fees                ${sum((s) => s.fees).toFixed(4)}`,
  ];
  if (summaries.every(([, s]) => s.pnl !== undefined)) {
    lines.push(
      `total PnL           ${sum((s) => s.pnl!.totalAtMid).toFixed(4)} USDC at the mids; ${sum((s) => s.pnl!.totalIfClosed).toFixed(4)} if closed now (realised ${sum((s) => s.pnl!.realisedNet).toFixed(4)})`,
    );
  }
  const halted = summaries.filter(([, s]) => s.halted !== undefined).map(([t, s]) => `${t}: ${s.halted}`);
  if (halted.length > 0) lines.push(`entries halted      ${halted.join('; ')}`);
  return lines;
}

/** Each market's summary as a one-market run prints it, headed by its ticker, then the total. */
export function manySummaryText(summaries: ReadonlyArray<[string, RunSummary]>): string {
  const parts = summaries.map(([ticker, s]) => summaryText(s).replace('── summary ──────', `── summary ${ticker} ──`));
  return [...parts, '', `── summary, all ${summaries.length} markets ──────────────`, ...totalLines(summaries), ''].join('\n');
}
