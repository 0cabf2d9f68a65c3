// `backpack-lighter-arb check …`: the preflight, with the same flags, environment and .env as a run,
// for every market the run would trade (--ticker BTC,ETH or --config). Prints one table and exits 0
// only when every row passes, 1 when one fails, 2 for a configuration error (as a run does). Places
// no order; secrets are never printed.

import { existsSync, readFileSync } from 'node:fs';
import { silentLogger } from '../core/log.js';
import { renderTable, runCheck, type CheckOptions } from '../check/index.js';
import { startSimVenues, type SimVenues } from '../sim/index.js';
import { ConfigError, backpackPublicKeyFromSeed, dotEnvWarnings, helpText, parseConfig, parseDotEnv } from './args.js';
import type { Config } from './config.js';

export interface CheckIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: CheckIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The subcommand as main.ts runs it: the process's environment and the working directory's .env. */
export function checkFromProcess(argv: string[]): Promise<number> {
  return checkCommand(argv, process.env, existsSync('.env') ? readFileSync('.env', 'utf8') : undefined);
}

export async function checkCommand(argv: string[], env: NodeJS.ProcessEnv, dotEnvText: string | undefined, io: CheckIo = STDIO, options: CheckOptions = {}): Promise<number> {
  let config: Config;
  try {
    const parsed = parseCheckConfig(argv, env, dotEnvText);
    if (parsed === 'help') {
      io.out(`${checkHelp()}\n`);
      return 0;
    }
    config = parsed;
  } catch (e) {
    if (e instanceof ConfigError) {
      // As a run does: a line .env could not read may be why a setting is missing.
      for (const warning of dotEnvText !== undefined ? dotEnvWarnings(dotEnvText) : []) io.err(`warning: ${warning}\n`);
      io.err(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (config.mode === 'paper') {
    io.err('error: check verifies the keys and accounts a live run uses, and --paper has none — run check without --paper (or with --sim to try it)\n');
    return 2;
  }
  let sim: SimVenues | undefined;
  try {
    if (config.mode === 'sim') {
      try {
        sim = await startSimVenues({ ticker: config.ticker, tickers: config.markets.map((m) => m.ticker), logger: silentLogger });
      } catch (e) {
        // The only refusal here is a ticker the simulators do not list: a configuration error.
        io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
      config = { ...config, ...sim.endpoints };
    }
    const markets = config.markets.length > 0 ? config.markets : [{ ticker: config.ticker, size: config.size, maxPosition: config.maxPosition }];
    io.out(
      `check: ${markets.map((m) => `${m.ticker}, --size ${m.size}, --max-position ${m.maxPosition}`).join('; ')} on Backpack ${config.backpack.apiUrl} and Lighter ${config.lighter.apiUrl}${sim ? ' (simulated)' : ''} — read-only, no order is placed\n\n`,
    );
    const result = await runCheck(config, options);
    io.out(`${renderTable(result)}\n`);
    return result.passed ? 0 : 1;
  } finally {
    await sim?.stop();
  }
}

/**
 * The run's own parser, with one difference: a BACKPACK_PUBLIC_KEY that does not belong to
 * BACKPACK_SECRET_KEY is a row of the table (with every other row still checked), not a stop.
 */
function parseCheckConfig(argv: string[], env: NodeJS.ProcessEnv, dotEnvText: string | undefined): Config | 'help' {
  const merged: Record<string, string | undefined> = { ...(dotEnvText ? parseDotEnv(dotEnvText) : {}) };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  const given = merged.BACKPACK_PUBLIC_KEY?.trim();
  const derived = derivedBackpackKey(merged.BACKPACK_SECRET_KEY?.trim());
  const mismatch = given !== undefined && given !== '' && derived !== undefined && derived !== given;
  const parsed = parseConfig(argv, mismatch ? { ...env, BACKPACK_PUBLIC_KEY: derived } : env, dotEnvText);
  if (parsed.kind === 'help') return 'help';
  if (mismatch && parsed.config.backpack.publicKey !== undefined) parsed.config.backpack.publicKey = given;
  return parsed.config;
}

function derivedBackpackKey(secret: string | undefined): string | undefined {
  if (secret === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) return undefined;
  const seed = Buffer.from(secret, 'base64');
  return seed.length === 32 && seed.toString('base64') === secret ? backpackPublicKeyFromSeed(seed) : undefined;
}

function checkHelp(): string {
  return [
    'backpack-lighter-arb check — verify everything a run needs, without trading',
    '',
    'Usage: backpack-lighter-arb check --size <QTY> [the same options and .env as a run]',
    '',
    'Connects to both venues, places no order, and prints one table: reachable (round trip, clock',
    'offset), keys valid and registered, chain id, market and minimums against --size, fees assumed',
    'and from where, account tier and request budget, collateral against --max-position, positions',
    'and whether they hedge, both books live and in sync. Exit status 0 only when every row passes.',
    '',
    helpText(),
  ].join('\n');
}
