// Flags, environment and .env → one validated Config. Every bad input becomes a ConfigError whose
// message is one line naming the problem and the fix; main.ts prints it and exits with status 2.
// Secret values are never echoed in a message.

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Secret } from '../core/secret.js';
import { apiKeyIndexProblem } from '../venues/lighter/account.js';
import type { Config, Mode } from './config.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const DEFAULT_URLS = {
  BACKPACK_API_URL: 'https://api.backpack.exchange',
  BACKPACK_WS_URL: 'wss://ws.backpack.exchange',
  LIGHTER_API_URL: 'https://mainnet.zklighter.elliot.ai',
  LIGHTER_WS_URL: 'wss://mainnet.zklighter.elliot.ai/stream',
} as const;

export const CREDENTIAL_VARS = [
  'BACKPACK_PUBLIC_KEY',
  'BACKPACK_SECRET_KEY',
  'API_KEY_PRIVATE_KEY',
  'LIGHTER_ACCOUNT_INDEX',
  'LIGHTER_API_KEY_INDEX',
] as const;

interface FlagSpec {
  type: 'string' | 'boolean';
  default?: string;
  value?: string;
  help: string;
}

/** Every flag, with its default and one line of help; the help text is generated from this. */
export const FLAGS: Record<string, FlagSpec> = {
  ticker: { type: 'string', default: 'BTC', value: 'SYMBOL', help: 'base asset traded on both venues (BTC → BTC_USDC_PERP on Backpack, BTC on Lighter)' },
  size: { type: 'string', value: 'QTY', help: 'order size per leg in base units, e.g. 0.001 (required)' },
  'long-threshold': { type: 'string', default: '5', value: 'USD', help: 'buy Backpack / sell Lighter when Lighter bid − Backpack ask exceeds this' },
  'short-threshold': { type: 'string', default: '5', value: 'USD', help: 'sell Backpack / buy Lighter when Backpack bid − Lighter ask exceeds this' },
  'max-position': { type: 'string', default: '0', value: 'QTY', help: 'largest |position| on each venue after a trade; 0 = unlimited' },
  'check-interval': { type: 'string', default: '0.1', value: 'SECONDS', help: 'period of the staleness / BBO timer (decisions are event-driven)' },
  'bbo-interval': { type: 'string', default: '5', value: 'SECONDS', help: 'how often a row is written to the BBO CSV' },
  'log-dir': { type: 'string', default: 'logs', value: 'DIR', help: 'where the run log and the CSV files go' },
  duration: { type: 'string', default: '0', value: 'SECONDS', help: 'stop cleanly after this long, as on Ctrl-C; 0 = run until stopped' },
  'min-edge-bps': { type: 'string', default: '0', value: 'BPS', help: 'minimum expected edge after both taker fees, in basis points' },
  'max-book-age-ms': { type: 'string', default: '2000', value: 'MS', help: 'a book silent for longer than this blocks trading' },
  'slippage-bps': { type: 'string', default: '20', value: 'BPS', help: 'worst price each leg accepts, away from the book price' },
  'backpack-taker-fee-bps': { type: 'string', value: 'BPS', default: 'from the venue', help: 'override the Backpack taker fee read from the venue' },
  'lighter-taker-fee-bps': { type: 'string', value: 'BPS', default: 'the account tier\'s', help: 'override the Lighter taker fee assumed from the account tier (Standard 0, Premium up to 2.8)' },
  'lighter-tx-per-minute': { type: 'string', default: '60', value: 'N', help: 'Lighter sendTx budget per minute (standard account: 60; premium accounts have more)' },
  'allow-unhedged-start': { type: 'boolean', help: 'start even if the venues\' positions do not hedge each other' },
  record: { type: 'string', value: 'DIR', default: 'not recorded', help: 'record every frame, book snapshot and order event into DIR (gzip, one file per hour) for backtests' },
  paper: { type: 'boolean', help: 'paper trading: live public market data, simulated fills, no credentials' },
  sim: { type: 'boolean', help: 'run against the built-in simulated venues on loopback (no credentials, no internet)' },
  help: { type: 'boolean', help: 'show this help' },
};

const DECIMAL = /^\d+(\.\d+)?$/;

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
    '  LIGHTER_API_KEY_INDEX    Lighter API key index (3–254; 0–2 are Lighter\'s own apps)',
    `  BACKPACK_API_URL         (default: ${DEFAULT_URLS.BACKPACK_API_URL})`,
    `  BACKPACK_WS_URL          (default: ${DEFAULT_URLS.BACKPACK_WS_URL})`,
    `  LIGHTER_API_URL          (default: ${DEFAULT_URLS.LIGHTER_API_URL})`,
    `  LIGHTER_WS_URL           (default: ${DEFAULT_URLS.LIGHTER_WS_URL})`,
    '  LIGHTER_CHAIN_ID         (default: 304; 300 = testnet)',
    '',
    'Examples:',
    '  backpack-lighter-arb --sim --size 0.01 --duration 60        # simulated venues, no keys',
    '  backpack-lighter-arb --ticker BTC --size 0.001              # live, reference defaults',
    '  backpack-lighter-arb --ticker ETH --size 0.01 --long-threshold 2 --short-threshold 3',
    '  backpack-lighter-arb --ticker BTC --size 0.001 --max-position 0.01',
    '  backpack-lighter-arb --paper --ticker BTC --size 0.001      # live data, simulated fills',
  ].join('\n');
}

/** Parses KEY=VALUE lines of a .env file (comments, blank lines, `export `, quotes). */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m === null) continue;
    let value = m[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]] = value;
  }
  return out;
}

/** Result of parsing: either a Config to run, or the help text to print. */
export type ParseResult = { kind: 'run'; config: Config } | { kind: 'help'; text: string };

/**
 * Builds the Config from argv (without node and script), the process environment, and the text
 * of a .env file (undefined when there is none). Variables set in the environment win over .env.
 */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv, dotEnvText?: string): ParseResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean' }> = {};
    for (const [name, spec] of Object.entries(FLAGS)) options[name] = { type: spec.type };
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    throw new ConfigError(argvProblem(e));
  }
  if (values.help) return { kind: 'help', text: helpText() };

  const str = (name: string): string => {
    const v = values[name];
    return typeof v === 'string' ? v : (FLAGS[name].default ?? '');
  };

  const size = str('size');
  if (size === '') throw new ConfigError('--size is required — give the order size per leg in base units, e.g. --size 0.001');
  const sizeValue = decimal('--size', size);
  if (!/[1-9]/.test(size)) throw new ConfigError(`--size ${size} is zero — give a positive order size, e.g. --size 0.001`);

  const ticker = str('ticker').toUpperCase();
  if (!/^[A-Z0-9]+$/.test(ticker)) {
    throw new ConfigError(`--ticker "${str('ticker')}" has characters other than A–Z and 0–9 — give the base asset only, e.g. --ticker BTC`);
  }

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
    ticker,
    size: sizeValue,
    longThreshold: decimal('--long-threshold', str('long-threshold')),
    shortThreshold: decimal('--short-threshold', str('short-threshold')),
    maxPosition: decimal('--max-position', str('max-position')),
    checkIntervalMs,
    bboIntervalMs,
    logDir: str('log-dir') || 'logs',
    recordDir: typeof values.record === 'string' && values.record !== '' ? values.record : undefined,
    durationMs,
    minEdgeBps: Number(decimal('--min-edge-bps', str('min-edge-bps'))),
    maxBookAgeMs: Number(integer('--max-book-age-ms', str('max-book-age-ms'), 1, 3_600_000)),
    slippageBps: Number(decimal('--slippage-bps', str('slippage-bps'))),
    allowUnhedgedStart: values['allow-unhedged-start'] === true,
    backpackTakerFeeBps: optionalBps('--backpack-taker-fee-bps', values['backpack-taker-fee-bps']),
    lighterTakerFeeBps: optionalBps('--lighter-taker-fee-bps', values['lighter-taker-fee-bps']),
    lighterTxPerMinute: Number(integer('--lighter-tx-per-minute', str('lighter-tx-per-minute'), 1, 1_000_000)),
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
  if (config.slippageBps <= 0) throw new ConfigError(`--slippage-bps ${config.slippageBps} must be above 0 — e.g. --slippage-bps 20`);

  // Credentials are needed only to trade for real; paper and sim modes ignore them.
  if (mode === 'live') {
    const missing = CREDENTIAL_VARS.filter((name) => envValue(name) === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        `missing credentials: ${missing.join(', ')} — set them in the environment or in .env (see env_example.txt), or run with --paper or --sim`,
      );
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
  return { kind: 'run', config };
}

function argvProblem(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]} — run with --help to list the flags`;
  const missingValue = /Option '(--[a-z-]+)[^']*' argument missing/.exec(message);
  if (missingValue) return `${missingValue[1]} needs a value — run with --help for an example`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}" — flags take the form --name value; run with --help`;
  return `${message.split('\n')[0]} — run with --help`;
}

function decimal(flag: string, text: string): string {
  if (text.startsWith('-')) throw new ConfigError(`${flag} ${text} is negative — give a number of 0 or more`);
  if (!DECIMAL.test(text)) throw new ConfigError(`${flag} "${text}" is not a decimal number — write it like 0.001 or 5`);
  return text;
}

function positiveSeconds(flag: string, text: string): number {
  const value = Number(decimal(flag, text));
  if (!(value > 0)) throw new ConfigError(`${flag} ${text} must be above 0 seconds — e.g. ${flag} 0.1`);
  const ms = value * 1000;
  if (ms < 1) throw new ConfigError(`${flag} ${text} is below one millisecond — e.g. ${flag} 0.1`);
  return ms;
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
