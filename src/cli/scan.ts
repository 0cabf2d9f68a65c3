// `backpack-lighter-arb scan`: flags → ScanOptions, the run, and the report on stdout. Public data
// only: no key is read, so none can leak. Bad input exits 2 with one line on stderr.

import { parseArgs } from 'node:util';
import { silentLogger } from '../core/log.js';
import { MarketSelectionError } from '../markets/symbols.js';
import { formatCsv, formatJson, formatTable } from '../scan/report.js';
import { runScan, type ScanOptions } from '../scan/run.js';
import { ConfigError, parseDotEnv } from './args.js';
import { DEFAULT_URLS } from './config.js';

export const SCAN_HELP = [
  'usage: backpack-lighter-arb scan [options]',
  '',
  "Samples both venues' public order books for every market both list and ranks where the",
  'cross-venue spread beats the taker fees. No API keys are used.',
  '',
  '  --ticker A,B                 only these markets (asset or venue name: BTC, kPEPE, 1000PEPE)',
  '  --duration SECONDS           how long to sample (default 60)',
  '  --interval SECONDS           time between two samples of a market (default 1); slower when the venues answer slower',
  '  --notional USD               size of the round trip the spread is measured at (default 1000)',
  '  --backpack-taker-fee-bps BPS Backpack taker fee (default 5, the public tier-1 rate)',
  "  --lighter-taker-fee-bps BPS  Lighter taker fee (default: each market's published taker_fee)",
  '  --json | --csv               the report for scripts on stdout instead of the table',
  '',
  'Environment (or .env): BACKPACK_API_URL, LIGHTER_API_URL, LIGHTER_WS_URL.',
].join('\n');

function positive(flag: string, text: string, max: number): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(v > 0) || v > max) throw new ConfigError(`${flag} ${text} is not a number above 0 and at most ${max}; give e.g. ${flag} 1`);
  return v;
}

function bps(flag: string, text: string): number {
  const v = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || v > 100) throw new ConfigError(`${flag} ${text} is not a fee in basis points from 0 to 100; give e.g. ${flag} 2.5`);
  return v;
}

function apiUrl(name: string, text: string, protocols = ['http:', 'https:']): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError(`${name} "${text}" is not a URL; set it to e.g. ${DEFAULT_URLS[name as keyof typeof DEFAULT_URLS]}`);
  }
  if (!protocols.includes(u.protocol))
    throw new ConfigError(`${name} must be a ${protocols.join('/')} URL, not ${u.protocol}; set it to e.g. ${DEFAULT_URLS[name as keyof typeof DEFAULT_URLS]}`);
  return text;
}

export type ScanArgs = { kind: 'help' } | { kind: 'scan'; options: Omit<ScanOptions, 'logger' | 'onProgress' | 'signal'>; format: 'table' | 'json' | 'csv' };

export function parseScanArgs(argv: string[], env: NodeJS.ProcessEnv, dotEnvText?: string): ScanArgs {
  let values;
  try {
    ({ values } = parseArgs({
      // `--notional -5` reaches the value check (and its clear line) instead of "argument is ambiguous".
      args: argv.flatMap((a, i) =>
        /^-\d/.test(a) && /^--[a-z-]+$/.test(argv[i - 1] ?? '') ? [] : /^--[a-z-]+$/.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? [`${a}=${argv[i + 1]}`] : [a],
      ),
      strict: true,
      options: {
        ticker: { type: 'string' },
        duration: { type: 'string' },
        interval: { type: 'string' },
        notional: { type: 'string' },
        'backpack-taker-fee-bps': { type: 'string' },
        'lighter-taker-fee-bps': { type: 'string' },
        json: { type: 'boolean' },
        csv: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new ConfigError(`${e instanceof Error ? e.message.split('\n')[0] : String(e)}; see backpack-lighter-arb scan --help`);
  }
  if (values.help === true) return { kind: 'help' };
  if (values.json === true && values.csv === true) throw new ConfigError('--json and --csv both given; choose one');
  const dot = dotEnvText === undefined ? {} : parseDotEnv(dotEnvText);
  const envValue = (name: string) => env[name] ?? dot[name];
  const notional = values.notional ?? '1000';
  positive('--notional', notional, 100_000_000);
  const tickers = (values.ticker ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  return {
    kind: 'scan',
    format: values.json === true ? 'json' : values.csv === true ? 'csv' : 'table',
    options: {
      backpackApiUrl: apiUrl('BACKPACK_API_URL', envValue('BACKPACK_API_URL') ?? DEFAULT_URLS.BACKPACK_API_URL),
      lighterApiUrl: apiUrl('LIGHTER_API_URL', envValue('LIGHTER_API_URL') ?? DEFAULT_URLS.LIGHTER_API_URL),
      lighterWsUrl: apiUrl('LIGHTER_WS_URL', envValue('LIGHTER_WS_URL') ?? DEFAULT_URLS.LIGHTER_WS_URL, ['ws:', 'wss:']),
      tickers,
      durationMs: Math.round(positive('--duration', values.duration ?? '60', 86_400) * 1000),
      intervalMs: Math.round(positive('--interval', values.interval ?? '1', 3600) * 1000),
      notional,
      backpackTakerFeeBps: bps('--backpack-taker-fee-bps', values['backpack-taker-fee-bps'] ?? '5'),
      lighterTakerFeeBps: values['lighter-taker-fee-bps'] === undefined ? undefined : bps('--lighter-taker-fee-bps', values['lighter-taker-fee-bps']),
    },
  };
}

/** A one-line progress bar on a terminal's stderr. */
function progressBar(stream: NodeJS.WriteStream): (elapsed: number, total: number) => void {
  return (elapsed, total) => {
    const width = 30;
    const done = Math.round((elapsed / total) * width);
    stream.write(`\rscanning [${'#'.repeat(done)}${'-'.repeat(width - done)}] ${Math.floor(elapsed / 1000)}/${Math.round(total / 1000)} s`);
    if (elapsed >= total) stream.write('\n');
  };
}

export async function scanMain(argv: string[], env: NodeJS.ProcessEnv, dotEnvText?: string): Promise<number> {
  let parsed: ScanArgs;
  try {
    parsed = parseScanArgs(argv, env, dotEnvText);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(SCAN_HELP + '\n');
    return 0;
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    const report = await runScan({ ...parsed.options, logger: silentLogger, signal: abort.signal, onProgress: process.stderr.isTTY ? progressBar(process.stderr) : undefined });
    const text = parsed.format === 'json' ? formatJson(report) : parsed.format === 'csv' ? formatCsv(report) : formatTable(report);
    process.stdout.write(text + '\n');
    return 0;
  } catch (e) {
    if (e instanceof MarketSelectionError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', stop);
  }
}
