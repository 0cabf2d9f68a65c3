// Runs the real bot against the simulators with its watch servers on free loopback ports, and
// hands back their URLs.
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { startRun } from '../../src/cli/run.js';
import type { ArbEngine } from '../../src/engine/index.js';
import type { SimVenues } from '../../src/sim/index.js';
import type { WatchEndpoints } from '../../src/watch/index.js';

export const UI_TOKEN = 'test-token-0123456789abcdef';

export interface WatchedBot {
  exit: Promise<number>;
  engine: Promise<ArbEngine>;
  endpoints: Promise<WatchEndpoints>;
  /** What the bot wrote to its console (status line, token). */
  out: string[];
  logDir: string;
  stop(): Promise<number>;
}

export function startWatchedBot(sim: SimVenues, flags: string[], env: Record<string, string> = {}): WatchedBot {
  const logDir = tempDir('bla-watch-');
  const parsed = parseConfig(['--ticker', 'BTC', '--size', '0.01', '--log-dir', logDir, ...flags], { ...sim.env(), ...env });
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  const out: string[] = [];
  let watching!: (e: WatchEndpoints) => void;
  const endpoints = new Promise<WatchEndpoints>((r) => (watching = r));
  const handle = startRun(parsed.config, { consoleLevel: 'OFF', onWatching: (e) => watching(e), out: { write: (s: string) => out.push(s), isTTY: false } });
  return { exit: handle.exit, engine: handle.engine, endpoints, out, logDir, stop: () => handle.stop('test stop') };
}

/** The value of one sample line of a Prometheus exposition, e.g. `arb_pnl_quote` or `arb_fills_total{venue="backpack"}`. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    if (line.slice(0, at) === series) return Number(line.slice(at + 1));
  }
  return undefined;
}

/** Every metric name in an exposition (from its # TYPE lines, with the histogram's and summary's series suffixes). */
export function metricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (m === null) continue;
    names.add(m[1]);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1] + s);
    if (m[2] === 'summary') for (const s of ['_sum', '_count']) names.add(m[1] + s);
  }
  return names;
}

/** Polls an async condition until it holds; fails naming it after `ms` (a safety net, not a timing assertion). */
export async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
