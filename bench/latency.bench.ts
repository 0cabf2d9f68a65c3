// npm run bench:latency — the whole bot (parseConfig → run → live adapters → engine) against the
// simulated venues on loopback. Part 1 plays a scripted stream of opportunities, alternating long
// and short, and measures for each the time from the arrival of the book frame that created it to
// the moment both orders have been handed to their sockets (Backpack HTTP request written, Lighter
// sendtx frame written). Then, against the same simulators in the same run, the floor Node allows:
// a minimal client on the same kinds of sockets (a WebSocket per venue, a kept HTTP/1.1 connection
// to Backpack) that receives the same book frames, parses them, and writes two ready-made orders
// (rendered once, before the loop). The bot's p50/p99 are printed beside the floor's, with the
// ratio. A second floor, on the same simulators right after the first, does the same but reads each
// book frame with the bot's own scanners (src/venues/*/messages.ts) instead of JSON.parse: what Node
// allows a client that parses as the bot does; the bot's ratio to it is printed too. Part 2 runs the generated market ten times faster than real time and prints the
// resident memory after ten simulated minutes of trading.
// With BENCH_WATCH=1 (the default) part 1 runs twice in the same process against fresh simulators:
// watching off, then with --metrics-port and --ui-port on, a dashboard client subscribed to the
// pushed updates and /metrics scraped every second, and prints both p50/p99 side by side.
// Environment: BENCH_OPPORTUNITIES (default 1200), BENCH_SIM_MINUTES (default 10), BENCH_SPEEDUP (default 10), BENCH_WATCH (default 1).
// BENCH_COMPARE="<flags>" (e.g. "--sign-ahead-bound book") runs part 1 only, alternately without and
// with those flags (A B A B, fresh simulators each time, watching off) in the same process, and
// prints each run's p50/p99 and the medians per variant: an A/B on the same machine load.
// BENCH_MARKETS=10 runs manyMarkets() instead (see there): the one-market figure, then the same
// opportunities on BTC while nine more markets stream and trade in the same process, then memory.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/cli/args.js';
import { startRun } from '../src/cli/run.js';
import { silentLogger } from '../src/core/log.js';
import type { TradeRecord } from '../src/engine/index.js';
import { startSimVenues, type SimVenues, type SimVenuesOptions } from '../src/sim/index.js';
import type { WatchEndpoints } from '../src/watch/index.js';
import { openFloorClient, type FloorParse } from './floor.js';

const OPPORTUNITIES = Number(process.env.BENCH_OPPORTUNITIES ?? 1200);
const SIM_MINUTES = Number(process.env.BENCH_SIM_MINUTES ?? 10);
const SPEEDUP = Number(process.env.BENCH_SPEEDUP ?? 10);
const WATCH = (process.env.BENCH_WATCH ?? '1') !== '0';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function bot(simOptions: Partial<SimVenuesOptions>, flags: string[]) {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, pingIntervalMs: 5000, ...simOptions });
  // The run's CSVs and log go to a temp folder of its own, removed once the bot has stopped (or
  // when the process exits, should the benchmark fail half-way).
  const logDir = mkdtempSync(join(tmpdir(), 'bla-bench-'));
  process.once('exit', () => rmSync(logDir, { recursive: true, force: true }));
  const parsed = parseConfig(['--ticker', 'BTC', '--size', '0.01', '--log-dir', logDir, ...flags], sim.env());
  if (parsed.kind !== 'run') throw new Error('unexpected --help');
  let watching!: (e: WatchEndpoints) => void;
  const endpoints = new Promise<WatchEndpoints>((r) => (watching = r));
  const handle = startRun(parsed.config, { consoleLevel: 'OFF', onWatching: (e) => watching(e), out: { write: () => true, isTTY: false } });
  const engine = await handle.engine;
  const stopBot = async () => {
    const code = await handle.stop('bench done');
    rmSync(logDir, { recursive: true, force: true });
    return code;
  };
  return {
    sim,
    engine,
    endpoints: await endpoints,
    stopBot,
    stop: async () => {
      await stopBot();
      await sim.stop();
    },
  };
}

function books(sim: SimVenues, b: [number, number], l: [number, number]): void {
  const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
  sim.engines.backpack.setHouseLiquidity(ladder(b[0], -1), ladder(b[1], 1));
  sim.engines.lighter.setHouseLiquidity(ladder(l[0], -1), ladder(l[1], 1));
}

interface Percentiles {
  p50: number;
  p99: number;
}

interface BotLatency {
  samples: number[];
  sendSpread: number[];
  missed: number;
}

/**
 * The Lighter account the benchmark trades on has a request quota of LIGHTER_QUOTA a minute (REST
 * and transactions together), and both sides know it: the simulated venue enforces it (429 /
 * 23000 beyond it) and the bot budgets for it. A Standard account's 60 a minute would measure the
 * budget, not the bot (1200 opportunities send 1200 Lighter orders within about half a minute);
 * Premium quotas are larger and volume-based (spec §0), and this is one such quota. The account's
 * tier stays the simulator's default, so the fees, and with them the scripted opportunities, are
 * the ones every earlier run measured.
 */
const LIGHTER_QUOTA = 12_000;
const LIGHTER_QUOTA_FLAGS = ['--lighter-requests-per-minute', String(LIGHTER_QUOTA)];
const lighterQuota = () => ({ lighter: { requestsPerMinute: LIGHTER_QUOTA } });

/** Watching on: metrics and dashboard servers, a dashboard client on the pushed updates, /metrics scraped every second. */
const WATCH_FLAGS = ['--metrics-port', '0', '--ui-port', '0'];

async function latency(): Promise<void> {
  const off = await botLatency(false);
  const floor = off.floor;
  const scanFloor = off.scanFloor;
  const on = WATCH ? await botLatency(true) : undefined;
  console.log(`Lighter account: a quota of ${LIGHTER_QUOTA} requests a minute, enforced by the simulator and budgeted by the bot`);
  report('watching off', off);
  if (on !== undefined) report('watching on (metrics scraped every 1 s, one dashboard client)', on);
  console.log(`the floor (minimal client, same simulators, same sockets), ${floor.samples} opportunities:`);
  console.log(`  p50 ${floor.p50.toFixed(3)} ms   p99 ${floor.p99.toFixed(3)} ms`);
  const bot50 = quantile(off.samples, 0.5);
  const bot99 = quantile(off.samples, 0.99);
  console.log(
    `bot / floor: p50 ${bot50.toFixed(3)} / ${floor.p50.toFixed(3)} = ${(bot50 / floor.p50).toFixed(2)}×   p99 ${bot99.toFixed(3)} / ${floor.p99.toFixed(3)} = ${(bot99 / floor.p99).toFixed(2)}×   (goal: p50 within 2×, p99 within 3×)`,
  );
  console.log(`the floor reading book frames with the bot's scanners (same simulators, same sockets, same writes), ${scanFloor.samples} opportunities:`);
  console.log(`  p50 ${scanFloor.p50.toFixed(3)} ms   p99 ${scanFloor.p99.toFixed(3)} ms`);
  console.log(
    `bot / scanning floor: p50 ${bot50.toFixed(3)} / ${scanFloor.p50.toFixed(3)} = ${(bot50 / scanFloor.p50).toFixed(2)}×   p99 ${bot99.toFixed(3)} / ${scanFloor.p99.toFixed(3)} = ${(bot99 / scanFloor.p99).toFixed(2)}×`,
  );
  if (on !== undefined) {
    const q = (l: BotLatency, x: number) => quantile(l.samples, x).toFixed(3);
    console.log(`watching off vs on: p50 ${q(off, 0.5)} vs ${q(on, 0.5)} ms   p99 ${q(off, 0.99)} vs ${q(on, 0.99)} ms   (goal: within noise)`);
  }
}

function report(label: string, l: BotLatency): void {
  const samples = l.samples;
  console.log(`${label} — frame arrival → both orders written, ${samples.length} opportunities (after 100 warm-up):`);
  console.log(
    `  p50 ${quantile(samples, 0.5).toFixed(3)} ms   p99 ${quantile(samples, 0.99).toFixed(3)} ms   max ${samples[samples.length - 1].toFixed(3)} ms   (target p50 ≤ 0.3, p99 ≤ 1)`,
  );
  if (l.missed > 0) console.log(`  ${l.missed} opportunities produced no trade within 2 s`);
  console.log(`  gap between the two legs' send stamps: p50 ${quantile(l.sendSpread, 0.5).toFixed(3)} ms   p99 ${quantile(l.sendSpread, 0.99).toFixed(3)} ms`);
}

async function botLatency(
  watch: boolean,
  extraFlags: string[] = [],
  withFloor = true,
): Promise<BotLatency & { floor: Percentiles & { samples: number }; scanFloor: Percentiles & { samples: number } }> {
  const { sim, engine, endpoints, stopBot } = await bot({ scripted: true, faults: lighterQuota() }, [
    '--max-position',
    '0.01',
    '--max-book-age-ms',
    '60000',
    ...LIGHTER_QUOTA_FLAGS,
    ...(watch ? WATCH_FLAGS : []),
    ...extraFlags,
  ]);
  const watchers: Array<() => void> = [];
  if (watch) {
    // A dashboard client: holds the server-sent event stream open and reads every update.
    const events = new AbortController();
    void fetch(`${endpoints.uiUrl}/events`, { signal: events.signal })
      .then(async (res) => {
        for await (const _chunk of res.body!) void _chunk;
      })
      .catch(() => undefined);
    const scrape = setInterval(
      () =>
        void fetch(`${endpoints.metricsUrl}/metrics`)
          .then((r) => r.text())
          .catch(() => undefined),
      1000,
    );
    watchers.push(
      () => events.abort(),
      () => clearInterval(scrape),
    );
  }
  let waiting: ((r: TradeRecord) => void) | undefined;
  engine.onTrade((r) => {
    if (r.kind === 'entry' && waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w(r);
    }
  });
  const samples: number[] = [];
  let missed = 0;
  const sendSpread: number[] = [];
  const calm = () => books(sim, [999_990, 1_000_000], [999_990, 1_000_000]);
  for (let i = 0; i < OPPORTUNITIES + 100; i++) {
    calm();
    await new Promise((r) => setTimeout(r, 3));
    const traded = new Promise<TradeRecord | undefined>((r) => {
      waiting = r;
      setTimeout(() => r(undefined), 2000);
    });
    // Long when flat or short, short when long: the position stays inside --max-position.
    if (engine.positions().backpack <= 0) books(sim, [999_990, 1_000_000], [1_000_400, 1_000_410]);
    else books(sim, [1_000_400, 1_000_410], [999_990, 1_000_000]);
    const record = await traded;
    if (record === undefined) {
      missed++;
      continue;
    }
    if (i < 100) continue; // warm-up: JIT, sockets, first-use paths
    // Both legs' own stamps: Backpack's when its request reached the OS, Lighter's after its frame was written.
    samples.push(Math.max(record.backpack!.sentAt, record.lighter!.sentAt) - record.triggeredAt);
    sendSpread.push(Math.abs(record.backpack!.sentAt - record.lighter!.sentAt));
    await new Promise((r) => setTimeout(r, 15)); // let the re-trade of a lasting opportunity finish
  }
  for (const w of watchers) w();
  await stopBot();
  // The floors are measured once, on the first run's simulators, one after the other.
  const none = { p50: NaN, p99: NaN, samples: 0 };
  const floor = watch || !withFloor ? none : await floorLatency(sim, 'json');
  const scanFloor = watch || !withFloor ? none : await floorLatency(sim, 'scan');
  await sim.stop();
  samples.sort((a, b) => a - b);
  sendSpread.sort((a, b) => a - b);
  return { samples, sendSpread, missed, floor, scanFloor };
}

/** The floor (floor.ts), measured on the same simulators and the same scripted opportunities. */
async function floorLatency(sim: SimVenues, parse: FloorParse): Promise<Percentiles & { samples: number }> {
  const floor = await openFloorClient(sim, parse);
  const samples: number[] = [];
  const calm = () => books(sim, [999_990, 1_000_000], [999_990, 1_000_000]);
  for (let i = 0; i < OPPORTUNITIES + 100; i++) {
    calm();
    await new Promise((r) => setTimeout(r, 3));
    const ms = await floor.measure(() => books(sim, [999_990, 1_000_000], [1_000_400, 1_000_410]));
    if (ms !== undefined && i >= 100) samples.push(ms);
    await new Promise((r) => setTimeout(r, 15));
  }
  if (!floor.open) throw new Error('the floor client lost a connection during the run; its figures would be of a partial run');
  if (parse === 'scan' && floor.scanned === 0) throw new Error('the scanning floor read no book frame with the scanners');
  floor.close();
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), samples: samples.length };
}

async function memory(): Promise<void> {
  const stepMs = 100 / SPEEDUP;
  const { engine, stop } = await bot({ scripted: false, seed: 3, market: { stepMs }, faults: lighterQuota() }, ['--max-position', '0.05', ...LIGHTER_QUOTA_FLAGS]);
  let trades = 0;
  engine.onTrade((r) => {
    if (r.kind === 'entry') trades++;
  });
  const before = process.memoryUsage().rss;
  const realMs = (SIM_MINUTES * 60_000) / SPEEDUP;
  await new Promise((r) => setTimeout(r, realMs));
  const rss = process.memoryUsage().rss;
  await stop();
  console.log(
    `memory: ${SIM_MINUTES} simulated minutes (${(realMs / 1000).toFixed(0)} s at ${SPEEDUP}× speed, ${trades} trades): RSS ${(rss / 2 ** 20).toFixed(1)} MiB (was ${(before / 2 ** 20).toFixed(1)} MiB at start), heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`,
  );
}

// ------------------------------------------------------------------ BENCH_MARKETS=N (issue 17)

/** The simulators' markets in the order a run of N takes them (BTC first: its opportunities are the ones timed). */
const MANY_MARKETS: Array<[string, string]> = [
  ['BTC', '0.01'],
  ['ETH', '0.1'],
  ['SOL', '1'],
  ['DOGE', '100'],
  ['XRP', '10'],
  ['AVAX', '1'],
  ['LINK', '1'],
  ['SUI', '10'],
  ['ARB', '50'],
  ['LTC', '0.5'],
];

/**
 * The bot with N markets from a config file against simulators that list them all: every market but
 * BTC on a generated feed `stepMs` apart (or BTC too when `btcGenerated`), BTC scripted by the caller.
 */
async function manyBot(n: number, stepMs: number, btcGenerated: boolean) {
  const chosen = MANY_MARKETS.slice(0, n);
  if (chosen.length < n) throw new Error(`BENCH_MARKETS=${n}: the simulators offer ${MANY_MARKETS.length} markets`);
  const tickers = chosen.map(([t]) => t);
  const sim = await startSimVenues({
    ticker: 'BTC',
    tickers: btcGenerated ? tickers : tickers.slice(1),
    extraMarkets: tickers.filter((t) => !['BTC', 'ETH', 'SOL'].includes(t)),
    logger: silentLogger,
    pingIntervalMs: 5000,
    seed: 3,
    market: { stepMs },
  });
  const logDir = mkdtempSync(join(tmpdir(), 'bla-bench-'));
  process.once('exit', () => rmSync(logDir, { recursive: true, force: true }));
  const configPath = join(logDir, 'markets.json');
  // Thresholds 0: only the fees decide, so the generated markets trade too (thresholds are USD per unit, and 5 would shut out every cheap one).
  const markets = Object.fromEntries(chosen.map(([t, size]) => [t, { size, 'max-position': String(Number(size) * 5), 'long-threshold': '0', 'short-threshold': '0' }]));
  writeFileSync(configPath, JSON.stringify({ markets }));
  const parsed = parseConfig(['--config', configPath, '--log-dir', logDir, '--max-book-age-ms', '60000', '--lighter-tx-per-minute', '1000000'], sim.env());
  if (parsed.kind !== 'run') throw new Error('unexpected --help');
  const handle = startRun(parsed.config, { consoleLevel: 'OFF', out: { write: () => true, isTTY: false } });
  const engines = await handle.engines;
  return {
    sim,
    engines,
    stop: async () => {
      await handle.stop('bench done');
      await sim.stop();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

async function manyMarkets(n: number): Promise<void> {
  // The one-market figure first, in the same process, as part 1 measures it.
  const one = await botLatency(false);
  // The same opportunities on BTC while the other markets stream (a frame every 10 ms each) and trade.
  const { sim, engines, stop } = await manyBot(n, 10, false);
  const engine = engines[0];
  let waiting: ((r: TradeRecord) => void) | undefined;
  engine.onTrade((r) => {
    if (r.kind === 'entry' && waiting !== undefined) {
      const w = waiting;
      waiting = undefined;
      w(r);
    }
  });
  const btc = sim.marketEngines.BTC;
  const set = (b: [number, number], l: [number, number]) => {
    const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
    btc.backpack.setHouseLiquidity(ladder(b[0], -1), ladder(b[1], 1));
    btc.lighter.setHouseLiquidity(ladder(l[0], -1), ladder(l[1], 1));
  };
  const samples: number[] = [];
  let missed = 0;
  for (let i = 0; i < OPPORTUNITIES + 100; i++) {
    set([999_990, 1_000_000], [999_990, 1_000_000]);
    await new Promise((r) => setTimeout(r, 3));
    const traded = new Promise<TradeRecord | undefined>((r) => {
      waiting = r;
      setTimeout(() => r(undefined), 2000);
    });
    if (engine.positions().backpack <= 0) set([999_990, 1_000_000], [1_000_400, 1_000_410]);
    else set([1_000_400, 1_000_410], [999_990, 1_000_000]);
    const record = await traded;
    if (record === undefined) {
      missed++;
      continue;
    }
    if (i < 100) continue;
    samples.push(Math.max(record.backpack!.sentAt, record.lighter!.sentAt) - record.triggeredAt);
    await new Promise((r) => setTimeout(r, 15));
  }
  const others = engines.slice(1).reduce((a, e) => a + e.snapshot().summary.trades, 0);
  await stop();
  samples.sort((a, b) => a - b);
  const q = (xs: number[], x: number) => (xs.length === 0 ? NaN : quantile(xs, x)).toFixed(3);
  console.log(`frame arrival → both orders written, BTC opportunities (after 100 warm-up):`);
  console.log(`  1 market:   ${one.samples.length} samples   p50 ${q(one.samples, 0.5)} ms   p99 ${q(one.samples, 0.99)} ms${one.missed > 0 ? `   (${one.missed} missed)` : ''}`);
  console.log(
    `  ${n} markets: ${samples.length} samples   p50 ${q(samples, 0.5)} ms   p99 ${q(samples, 0.99)} ms${missed > 0 ? `   (${missed} missed)` : ''}   (the other ${n - 1} streaming, ${others} trades among them)   (goal: within noise of 1 market)`,
  );
  // Memory: every market generated, ten times faster than real time.
  const stepMs = 100 / SPEEDUP;
  const run = await manyBot(n, stepMs, true);
  const before = process.memoryUsage().rss;
  const realMs = (SIM_MINUTES * 60_000) / SPEEDUP;
  await new Promise((r) => setTimeout(r, realMs));
  const rss = process.memoryUsage().rss;
  const trades = run.engines.reduce((a, e) => a + e.snapshot().summary.trades, 0);
  await run.stop();
  console.log(
    `memory, ${n} markets: ${SIM_MINUTES} simulated minutes (${(realMs / 1000).toFixed(0)} s at ${SPEEDUP}× speed, ${trades} trades): RSS ${(rss / 2 ** 20).toFixed(1)} MiB (was ${(before / 2 ** 20).toFixed(1)} MiB at start), heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`,
  );
}

/** BENCH_COMPARE: part 1 without and with the given flags, alternately, in this process. */
async function compare(flags: string[]): Promise<void> {
  const runs: Record<'A' | 'B', Array<{ p50: number; p99: number }>> = { A: [], B: [] };
  for (const variant of ['A', 'B', 'A', 'B'] as const) {
    const l = await botLatency(false, variant === 'A' ? [] : flags, false);
    const p = { p50: quantile(l.samples, 0.5), p99: quantile(l.samples, 0.99) };
    runs[variant].push(p);
    console.log(
      `${variant} (${variant === 'A' ? 'defaults' : flags.join(' ')}): ${l.samples.length} opportunities   p50 ${p.p50.toFixed(3)} ms   p99 ${p.p99.toFixed(3)} ms${l.missed > 0 ? `   (${l.missed} missed)` : ''}`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const v of ['A', 'B'] as const) {
    console.log(`${v}: median of runs p50 ${median(runs[v].map((r) => r.p50)).toFixed(3)} ms   p99 ${median(runs[v].map((r) => r.p99)).toFixed(3)} ms`);
  }
}

const MARKETS = Number(process.env.BENCH_MARKETS ?? 1);
const COMPARE = process.env.BENCH_COMPARE;
if (COMPARE !== undefined && COMPARE.trim() !== '') await compare(COMPARE.trim().split(/\s+/));
else if (MARKETS > 1) await manyMarkets(MARKETS);
else {
  await latency();
  await memory();
}
