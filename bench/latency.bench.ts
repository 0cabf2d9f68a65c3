// npm run bench:latency — the whole bot (parseConfig → run → live adapters → engine) against the
// simulated venues on loopback. Part 1 plays a scripted stream of opportunities, alternating long
// and short, and measures for each the time from the arrival of the book frame that created it to
// the moment both orders have been handed to their sockets (Backpack HTTP request written, Lighter
// sendtx frame written). Part 2 runs the generated market ten times faster than real time and
// prints the resident memory after ten simulated minutes of trading.
// Environment: BENCH_OPPORTUNITIES (default 1200), BENCH_SIM_MINUTES (default 10), BENCH_SPEEDUP (default 10).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/cli/args.js';
import { startRun } from '../src/cli/run.js';
import { silentLogger } from '../src/core/log.js';
import type { TradeRecord } from '../src/engine/index.js';
import { startSimVenues, type SimVenues, type SimVenuesOptions } from '../src/sim/index.js';

const OPPORTUNITIES = Number(process.env.BENCH_OPPORTUNITIES ?? 1200);
const SIM_MINUTES = Number(process.env.BENCH_SIM_MINUTES ?? 10);
const SPEEDUP = Number(process.env.BENCH_SPEEDUP ?? 10);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function bot(simOptions: Partial<SimVenuesOptions>, flags: string[]) {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, pingIntervalMs: 5000, ...simOptions });
  const parsed = parseConfig(['--ticker', 'BTC', '--size', '0.01', '--log-dir', mkdtempSync(join(tmpdir(), 'bla-bench-')), ...flags], sim.env());
  if (parsed.kind !== 'run') throw new Error('unexpected --help');
  const handle = startRun(parsed.config, { consoleLevel: 'OFF' });
  const engine = await handle.engine;
  return { sim, engine, stop: async () => { await handle.stop('bench done'); await sim.stop(); } };
}

function books(sim: SimVenues, b: [number, number], l: [number, number]): void {
  const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
  sim.engines.backpack.setHouseLiquidity(ladder(b[0], -1), ladder(b[1], 1));
  sim.engines.lighter.setHouseLiquidity(ladder(l[0], -1), ladder(l[1], 1));
}

async function latency(): Promise<void> {
  // A premium-sized Lighter budget: the standard 60 transactions a minute would throttle the benchmark, not the bot.
  const { sim, engine, stop } = await bot({ scripted: true }, ['--max-position', '0.01', '--max-book-age-ms', '60000', '--lighter-tx-per-minute', '1000000']);
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
  await stop();
  samples.sort((a, b) => a - b);
  sendSpread.sort((a, b) => a - b);
  console.log(`frame arrival → both orders written, ${samples.length} opportunities (after 100 warm-up):`);
  console.log(`  p50 ${quantile(samples, 0.5).toFixed(3)} ms   p99 ${quantile(samples, 0.99).toFixed(3)} ms   max ${samples[samples.length - 1].toFixed(3)} ms   (target p50 ≤ 0.3, p99 ≤ 1)`);
  if (missed > 0) console.log(`  ${missed} opportunities produced no trade within 2 s`);
  console.log(`  gap between the two legs' send stamps: p50 ${quantile(sendSpread, 0.5).toFixed(3)} ms   p99 ${quantile(sendSpread, 0.99).toFixed(3)} ms`);
}

async function memory(): Promise<void> {
  const stepMs = 100 / SPEEDUP;
  const { engine, stop } = await bot({ scripted: false, seed: 3, market: { stepMs } }, ['--max-position', '0.05', '--lighter-tx-per-minute', '1000000']);
  let trades = 0;
  engine.onTrade((r) => {
    if (r.kind === 'entry') trades++;
  });
  const before = process.memoryUsage().rss;
  const realMs = (SIM_MINUTES * 60_000) / SPEEDUP;
  await new Promise((r) => setTimeout(r, realMs));
  const rss = process.memoryUsage().rss;
  await stop();
  console.log(`memory: ${SIM_MINUTES} simulated minutes (${(realMs / 1000).toFixed(0)} s at ${SPEEDUP}× speed, ${trades} trades): RSS ${(rss / 2 ** 20).toFixed(1)} MiB (was ${(before / 2 ** 20).toFixed(1)} MiB at start), heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB`);
}

await latency();
await memory();
