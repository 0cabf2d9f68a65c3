// Flags, environment and .env → one validated Config. Every bad input becomes a ConfigError whose
// message is one line naming the problem and the fix; main.ts prints it and exits with status 2.
// Secret values are never echoed in a message.

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseDotEnvText } from 'dotenv';
import { Secret } from '../core/secret.js';
import { apiKeyIndexProblem } from '../venues/lighter/account.js';
import { WATCH_FLAGS, WatchConfigError, parseWatchConfig } from '../watch/config.js';
import { DEFAULT_URLS, type Config, type MarketConfig, type Mode, type PortfolioCaps } from './config.js';
import { CAP_FIELDS, MARKET_FIELDS, MarketsConfigError, parseMarketsFile, resolveMarkets, type GivenFlags } from './markets-config.js';
import { defaultLogDir, runLabel } from './modes.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const CREDENTIAL_VARS = ['BACKPACK_PUBLIC_KEY', 'BACKPACK_SECRET_KEY', 'API_KEY_PRIVATE_KEY', 'LIGHTER_ACCOUNT_INDEX', 'LIGHTER_API_KEY_INDEX'] as const;

interface FlagSpec {
  type: 'string' | 'boolean';
  default?: string;
  value?: string;
  help: string;
}

/** Every flag, with its default and one line of help; the help text is generated from this. */
export const FLAGS: Record<string, FlagSpec> = {
  ticker: {
    type: 'string',
    default: 'BTC',
    value: 'SYMBOL[,SYMBOL…]',
    help: 'base asset traded on both venues (BTC → BTC_USDC_PERP on Backpack, BTC on Lighter); several, comma-separated, run in one process',
  },
  config: {
    type: 'string',
    value: 'FILE',
    default: 'none',
    help: 'markets and per-market overrides (size, thresholds, max position, min edge, slippage) and caps, in JSON or YAML',
  },
  'max-total-notional': { type: 'string', value: 'USDC', default: 'no cap', help: 'across markets: Σ larger venue position × mid; an entry that would pass it is skipped' },
  'max-total-exposure': {
    type: 'string',
    value: 'USDC',
    default: 'no cap',
    help: 'across markets: Σ |net position| × mid plus one leg of the entry; an entry that would pass it is skipped',
  },
  size: { type: 'string', value: 'QTY', help: 'order size per leg in base units, e.g. 0.001 (required)' },
  'long-threshold': { type: 'string', default: '5', value: 'USD', help: 'buy Backpack / sell Lighter when Lighter bid − Backpack ask exceeds this' },
  'short-threshold': { type: 'string', default: '5', value: 'USD', help: 'sell Backpack / buy Lighter when Backpack bid − Lighter ask exceeds this' },
  'max-position': { type: 'string', default: '0', value: 'QTY', help: 'largest |position| on each venue after a trade; 0 = unlimited' },
  'check-interval': { type: 'string', default: '0.1', value: 'SECONDS', help: 'period of the staleness / BBO timer (decisions are event-driven)' },
  'bbo-interval': { type: 'string', default: '5', value: 'SECONDS', help: 'how often a row is written to the BBO CSV' },
  'log-dir': { type: 'string', default: 'logs', value: 'DIR', help: 'where the run log and the CSV files go (--sim: logs/sim, --paper: logs/paper, non-real hosts: logs/test)' },
  'log-level': { type: 'string', default: 'info', value: 'LEVEL', help: 'lowest level logged: debug, info, warn or error (without it the file also keeps debug lines)' },
  'log-format': { type: 'string', default: 'text', value: 'FORMAT', help: 'run log lines as text or json (one object per line)' },
  'close-on-exit': { type: 'boolean', help: 'on stop, close both positions reduce-only and confirm flat from the venues (default: positions kept)' },
  duration: { type: 'string', default: '0', value: 'SECONDS', help: 'stop cleanly after this long, as on Ctrl-C; 0 = run until stopped' },
  'min-edge-bps': { type: 'string', default: '0', value: 'BPS', help: 'minimum expected edge after both taker fees, in basis points' },
  'max-book-age-ms': { type: 'string', default: '2000', value: 'MS', help: 'a book silent for longer than this blocks trading' },
  'slippage-bps': { type: 'string', default: '20', value: 'BPS', help: 'worst price each leg accepts, away from the book price' },
  'sign-ahead-bound': {
    type: 'string',
    default: 'threshold',
    value: 'BOUND',
    help: 'orders signed ahead for a venue whose own book makes the opportunity: threshold = bounded where a trade would only just pass the thresholds and fees (plus --slippage-bps), book = none (that leg is signed when sent, bounded by its book)',
  },
  'backpack-taker-fee-bps': { type: 'string', value: 'BPS', default: 'from the venue', help: 'override the Backpack taker fee read from the venue' },
  'lighter-taker-fee-bps': {
    type: 'string',
    value: 'BPS',
    default: "the account tier's",
    help: 'override the Lighter taker fee assumed from the account tier (Standard 0, Premium up to 2.8)',
  },
  'lighter-requests-per-minute': {
    type: 'string',
    default: '60',
    value: 'N',
    help: 'Lighter request budget per rolling minute, shared by every REST call and every transaction (Standard account: 60; Premium more); repairs keep a tenth of it',
  },
  'lighter-tx-per-minute': { type: 'string', value: 'N', default: '--lighter-requests-per-minute', help: 'the same budget under its older name (kept working)' },
  'allow-unhedged-start': { type: 'boolean', help: "start even if the venues' positions do not hedge each other" },
  record: { type: 'string', value: 'DIR', default: 'not recorded', help: 'record every frame, book snapshot and order event into DIR (gzip, one file per hour) for backtests' },
  paper: { type: 'boolean', help: 'paper trading: live public market data, simulated fills, no credentials' },
  sim: { type: 'boolean', help: 'run against the built-in simulated venues on loopback (no credentials, no internet)' },
  ...WATCH_FLAGS,
  help: { type: 'boolean', help: 'show this help' },
};

// A plain decimal: digits with an optional fraction, or a leading dot (.5). No sign, exponent or unit.
const DECIMAL = /^(\d+(\.\d+)?|\.\d+)$/;

export function helpText(): string {
  const rows = Object.entries(FLAGS).map(([name, spec]) => {
    const left = `  --${name}${spec.value ? ` <${spec.value}>` : ''}`;
    const dflt = spec.default !== undefined ? ` (default: ${spec.default})` : spec.type === 'boolean' ? ' (default: off)' : '';
    return `${left.padEnd(36)} ${spec.help}${dflt}`;
  });
  return [
    'backpack-lighter-arb — perpetual futures arbitrage between Backpack and Lighter',
    '',
    'Usage: backpack-lighter-arb --size <QTY> [options]',
    '       backpack-lighter-arb check --size <QTY> [options]   preflight: both venues read-only, no order (check --help)',
    '       backpack-lighter-arb backtest --data DIR --size <QTY> [options]   replay a --record folder (backtest --help)',
    '',
    'Options:',
    ...rows,
    '',
    'Modes: live by default (real orders; needs credentials), --paper, or --sim.',
    '',
    'Environment (or a .env file in the working directory; see env_example.txt):',
    '  BACKPACK_PUBLIC_KEY      base64 ED25519 public key (the API key)',
    '  BACKPACK_SECRET_KEY      base64 of the 32-byte ED25519 seed (the API secret)',
    '  API_KEY_PRIVATE_KEY      Lighter API private key, 40 bytes of hex (0x optional)',
    '  LIGHTER_ACCOUNT_INDEX    Lighter account index',
    "  LIGHTER_API_KEY_INDEX    Lighter API key index (3–254; 0–2 are Lighter's own apps)",
    `  BACKPACK_API_URL         (default: ${DEFAULT_URLS.BACKPACK_API_URL})`,
    `  BACKPACK_WS_URL          (default: ${DEFAULT_URLS.BACKPACK_WS_URL})`,
    `  LIGHTER_API_URL          (default: ${DEFAULT_URLS.LIGHTER_API_URL})`,
    `  LIGHTER_WS_URL           (default: ${DEFAULT_URLS.LIGHTER_WS_URL})`,
    '  LIGHTER_CHAIN_ID         (default: 304; 300 = testnet)',
    '  UI_TOKEN                 dashboard control token (default: a random one, printed at start)',
    "  TELEGRAM_BOT_TOKEN       Telegram alerts: the bot's token (with TELEGRAM_CHAT_ID)",
    '  TELEGRAM_CHAT_ID         Telegram alerts: the chat to write to',
    '  ALERT_WEBHOOK_URL        alerts as JSON POSTs to this URL',
    '',
    'Examples:',
    '  backpack-lighter-arb --sim --size 0.01 --duration 60        # simulated venues, no keys',
    '  backpack-lighter-arb --ticker BTC --size 0.001              # live, reference defaults',
    '  backpack-lighter-arb --ticker ETH --size 0.01 --long-threshold 2 --short-threshold 3',
    '  backpack-lighter-arb --ticker BTC --size 0.001 --max-position 0.01',
    '  backpack-lighter-arb --paper --ticker BTC --size 0.001      # live data, simulated fills',
  ].join('\n');
}

/** The KEY=VALUE pairs of a .env file, read by dotenv (comments, `export `, quotes, multi-line quoted values). */
export function parseDotEnv(text: string): Record<string, string> {
  return parseDotEnvText(text);
}

/**
 * One warning per .env line that is none of: blank, a # comment, `[export] NAME=value` (or
 * `NAME: value`), or the inside of a quoted value that spans lines. dotenv skips such lines
 * silently; a key the user believes is set would then be missing. The line's text is never
 * repeated: it may hold a secret.
 */
export function dotEnvWarnings(text: string): string[] {
  const warnings: string[] = [];
  let openQuote: string | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (openQuote !== undefined) {
      if (line.includes(openQuote)) openQuote = undefined;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = /^(?:export\s+)?[\w.-]+(?:\s*=|:\s)\s*(.*)$/.exec(trimmed);
    if (m === null) {
      warnings.push(`.env line ${i + 1} is not NAME=value and was ignored — write it as NAME=value, or start it with # to keep it as a comment`);
      return;
    }
    const value = m[1];
    const quote = /^['"`]/.exec(value)?.[0];
    if (quote !== undefined && !value.slice(1).includes(quote)) openQuote = quote;
  });
  if (openQuote !== undefined) warnings.push(`.env has a quoted value opened with ${openQuote} that is never closed — close the quote`);
  return warnings;
}

function readConfigFile(path: string, readFile: (path: string) => string): string {
  try {
    return readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new ConfigError(`--config ${path} cannot be read (${why}) — give the path of a JSON or YAML file, e.g. --config config.example.yaml`);
  }
}

/** Result of parsing: either a Config to run (with warnings to log, e.g. unreadable .env lines), or the help text to print. */
export type ParseResult = { kind: 'run'; config: Config; warnings: string[] } | { kind: 'help'; text: string };

/**
 * Builds the Config from argv (without node and script), the process environment, and the text
 * of a .env file (undefined when there is none). Variables set in the environment win over .env.
 */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, dotEnvText?: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): ParseResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean' }> = {};
    for (const [name, spec] of Object.entries(FLAGS)) options[name] = { type: spec.type };
    values = parseArgs({ args: joinDashedValues(argv), options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new ConfigError(argvProblem(e));
  }
  if (values.help) return { kind: 'help', text: helpText() };

  const str = (name: string): string => {
    const v = values[name];
    return typeof v === 'string' ? v : (FLAGS[name].default ?? '');
  };

  let markets: MarketConfig[];
  let caps: PortfolioCaps;
  try {
    const given: GivenFlags = {};
    if (typeof values.ticker === 'string') given.ticker = values.ticker;
    for (const field of [...MARKET_FIELDS, ...CAP_FIELDS]) {
      const v = values[field];
      if (typeof v === 'string') given[field] = v;
    }
    // A flag given with an empty value is as good as missing.
    if (given.size === '') delete given.size;
    const configPath = typeof values.config === 'string' ? values.config : undefined;
    const file = configPath === undefined ? undefined : parseMarketsFile(configPath, readConfigFile(configPath, readFile));
    ({ markets, caps } = resolveMarkets(given, file));
  } catch (e) {
    if (e instanceof MarketsConfigError) throw new ConfigError(e.message);
    throw e;
  }
  const first = markets[0];

  const checkIntervalMs = positiveSeconds('--check-interval', str('check-interval'));
  const bboIntervalMs = positiveSeconds('--bbo-interval', str('bbo-interval'));
  const durationMs = Math.round(Number(decimal('--duration', str('duration'))) * 1000);

  if (values.paper && values.sim) throw new ConfigError('--paper and --sim were both given — choose one mode');
  const mode: Mode = values.sim ? 'sim' : values.paper ? 'paper' : 'live';

  const merged: Record<string, string | undefined> = { ...(dotEnvText ? parseDotEnv(dotEnvText) : {}) };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  const envValue = (name: string): string | undefined => {
    const v = merged[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const config: Config = {
    mode,
    ticker: first.ticker,
    markets,
    caps,
    size: first.size,
    longThreshold: first.longThreshold,
    shortThreshold: first.shortThreshold,
    maxPosition: first.maxPosition,
    checkIntervalMs,
    bboIntervalMs,
    logDir: '',
    recordDir: typeof values.record === 'string' && values.record !== '' ? values.record : undefined,
    durationMs,
    minEdgeBps: first.minEdgeBps,
    maxBookAgeMs: Number(integer('--max-book-age-ms', str('max-book-age-ms'), 1, 3_600_000)),
    slippageBps: first.slippageBps,
    signAheadBound: oneOf('--sign-ahead-bound', str('sign-ahead-bound').toLowerCase(), ['threshold', 'book'] as const),
    allowUnhedgedStart: values['allow-unhedged-start'] === true,
    backpackTakerFeeBps: optionalBps('--backpack-taker-fee-bps', values['backpack-taker-fee-bps']),
    lighterTakerFeeBps: optionalBps('--lighter-taker-fee-bps', values['lighter-taker-fee-bps']),
    lighterTxPerMinute: lighterRequestsPerMinute(values),
    closeOnExit: values['close-on-exit'] === true,
    logLevel: oneOf('--log-level', str('log-level').toLowerCase(), LOG_LEVELS),
    fileLogLevel: typeof values['log-level'] === 'string' ? oneOf('--log-level', values['log-level'].toLowerCase(), LOG_LEVELS) : 'debug',
    logFormat: oneOf('--log-format', str('log-format').toLowerCase(), ['text', 'json'] as const),
    backpack: {
      apiUrl: url('BACKPACK_API_URL', envValue('BACKPACK_API_URL') ?? DEFAULT_URLS.BACKPACK_API_URL, ['http:', 'https:']),
      wsUrl: url('BACKPACK_WS_URL', envValue('BACKPACK_WS_URL') ?? DEFAULT_URLS.BACKPACK_WS_URL, ['ws:', 'wss:']),
    },
    lighter: {
      apiUrl: url('LIGHTER_API_URL', envValue('LIGHTER_API_URL') ?? DEFAULT_URLS.LIGHTER_API_URL, ['http:', 'https:']),
      wsUrl: url('LIGHTER_WS_URL', envValue('LIGHTER_WS_URL') ?? DEFAULT_URLS.LIGHTER_WS_URL, ['ws:', 'wss:']),
      chainId: Number(integer('LIGHTER_CHAIN_ID', envValue('LIGHTER_CHAIN_ID') ?? '304', 1, 2 ** 31 - 1)),
    },
  };
  // A recording holds one market's frames (the backtest replays one market).
  if (config.recordDir !== undefined && markets.length > 1) {
    throw new ConfigError(`--record records one market, and ${markets.map((m) => m.ticker).join(', ')} were given — record with a single --ticker, or leave out --record`);
  }
  // A run that is not live on the real venues writes in a folder of its own unless told otherwise,
  // so a live trades CSV holds only real trades.
  config.logDir = typeof values['log-dir'] === 'string' && values['log-dir'] !== '' ? values['log-dir'] : defaultLogDir(runLabel(config));
  try {
    config.watch = parseWatchConfig((name) => values[name], envValue);
  } catch (e) {
    if (e instanceof WatchConfigError) throw new ConfigError(e.message);
    throw e;
  }

  // Credentials are needed only to trade for real; paper and sim modes ignore them.
  if (mode === 'live') {
    const missing = CREDENTIAL_VARS.filter((name) => envValue(name) === undefined);
    if (missing.length > 0) {
      throw new ConfigError(`missing credentials: ${missing.join(', ')} — set them in the environment or in .env (see env_example.txt), or run with --paper or --sim`);
    }
    const secretKey = envValue('BACKPACK_SECRET_KEY')!;
    const publicKey = envValue('BACKPACK_PUBLIC_KEY')!;
    checkBackpackKeys(publicKey, secretKey);
    const lighterKey = envValue('API_KEY_PRIVATE_KEY')!;
    if (!/^(0x)?[0-9a-fA-F]{80}$/.test(lighterKey)) {
      throw new ConfigError(
        `API_KEY_PRIVATE_KEY is not 40 bytes of hex (got ${lighterKey.replace(/^0x/, '').length} characters) — paste the Lighter API private key as 80 hex digits, with or without 0x`,
      );
    }
    config.backpack.publicKey = publicKey;
    config.backpack.secretKey = new Secret(secretKey);
    config.lighter.privateKey = new Secret(lighterKey);
    config.lighter.accountIndex = Number(integer('LIGHTER_ACCOUNT_INDEX', envValue('LIGHTER_ACCOUNT_INDEX')!, 0, 2 ** 48 - 2));
    config.lighter.apiKeyIndex = Number(integer('LIGHTER_API_KEY_INDEX', envValue('LIGHTER_API_KEY_INDEX')!, 0, 254));
    const keyIndexProblem = apiKeyIndexProblem(config.lighter.apiKeyIndex);
    if (keyIndexProblem !== undefined) throw new ConfigError(keyIndexProblem);
  }
  return { kind: 'run', config, warnings: dotEnvText ? dotEnvWarnings(dotEnvText) : [] };
}

function argvProblem(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]} — run with --help to list the flags`;
  const missingValue = /Option '(--[a-z-]+)[^']*' argument missing/.exec(message);
  if (missingValue) return `${missingValue[1]} needs a value — run with --help for an example`;
  // A flag followed by another flag (`--size --ticker BTC`): its value is missing.
  const ambiguous = /Option '(--[a-z-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) return `${ambiguous[1]} needs a value — run with --help for an example`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}" — flags take the form --name value; run with --help`;
  return `${message.split('\n')[0]} — run with --help`;
}

/**
 * `--size -1` is a value that starts with a dash: node's parser calls it ambiguous and names no
 * flag. A string flag followed by something shaped like a number (-1, -.5, -0.1) takes it as its
 * value, so the flag's own check can refuse it with the flag's own message.
 */
function joinDashedValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([a-z-]+)$/.exec(argv[i])?.[1];
    const next = argv[i + 1];
    if (name !== undefined && FLAGS[name]?.type === 'string' && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** Checks a non-negative decimal flag; a leading dot gets its zero (.5 → 0.5) so every later parser sees one form. */
function decimal(flag: string, text: string): string {
  if (text.startsWith('-')) throw new ConfigError(`${flag} ${text} is negative — give a number of 0 or more`);
  if (!DECIMAL.test(text)) throw new ConfigError(`${flag} "${text}" is not a decimal number — write it like 0.001, .5 or 5`);
  return text.startsWith('.') ? '0' + text : text;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new ConfigError(`${flag} "${text}" is not one of ${allowed.join(', ')} — e.g. ${flag} ${allowed[0]}`);
  return text as T;
}

function positiveSeconds(flag: string, text: string): number {
  const value = Number(decimal(flag, text));
  if (!(value > 0)) throw new ConfigError(`${flag} ${text} must be above 0 seconds — e.g. ${flag} 0.1`);
  const ms = value * 1000;
  if (ms < 1) throw new ConfigError(`${flag} ${text} is below one millisecond — e.g. ${flag} 0.1`);
  return ms;
}

/** The shared Lighter request budget, under either of its names (giving both, differently, is an error). */
function lighterRequestsPerMinute(values: Record<string, string | boolean | undefined>): number {
  const current = values['lighter-requests-per-minute'];
  const older = values['lighter-tx-per-minute'];
  if (typeof current === 'string' && typeof older === 'string' && current !== older) {
    throw new ConfigError(`--lighter-requests-per-minute ${current} and --lighter-tx-per-minute ${older} name the same budget — give one of them`);
  }
  if (typeof older === 'string' && typeof current !== 'string') return Number(integer('--lighter-tx-per-minute', older, 1, 1_000_000));
  return Number(integer('--lighter-requests-per-minute', typeof current === 'string' ? current : '60', 1, 1_000_000));
}

function integer(name: string, text: string, min: number, max: number): string {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(`${name} "${text}" is not a whole number from ${min} to ${max} — correct it`);
  }
  return text;
}

function optionalBps(flag: string, value: string | boolean | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  return Number(decimal(flag, value));
}

function url(name: string, text: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new ConfigError(`${name} "${text}" is not a URL — give one like ${protocols[1]}//host:port`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} "${text}" must start with ${protocols.map((p) => p + '//').join(' or ')} — correct the scheme`);
  }
  return text.replace(/\/+$/, '');
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The base64 public key an ED25519 seed gives; exported for the simulators' key generation. */
export function backpackPublicKeyFromSeed(seed: Buffer): string {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

function strictBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function checkBackpackKeys(publicKey: string, secretKey: string): void {
  const seed = strictBase64(secretKey);
  if (seed === undefined || seed.length !== 32) {
    const what = seed === undefined ? 'is not valid base64' : `decodes to ${seed.length} bytes`;
    throw new ConfigError(`BACKPACK_SECRET_KEY ${what} — it must be the base64 of the 32-byte ED25519 seed (the API secret Backpack showed you)`);
  }
  if (backpackPublicKeyFromSeed(seed) !== publicKey) {
    throw new ConfigError('BACKPACK_PUBLIC_KEY does not match BACKPACK_SECRET_KEY — copy both from the same Backpack API key');
  }
}
