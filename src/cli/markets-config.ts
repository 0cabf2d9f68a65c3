// The markets of a run and their settings: one market from the flags alone (as the reference's
// users expect), several from `--ticker BTC,ETH,SOL`, or a `--config FILE` (JSON or YAML) with
// per-market overrides. Each market's value of a setting is, first found:
//   the market's own entry in the file → the flag on the command line → the file's `defaults` → the built-in default.
// Every bad field is one ConfigError naming the field (and the file) and the fix.

import { parse as parseYaml } from 'yaml';
import type { MarketConfig, PortfolioCaps } from './config.js';

/** The settings a market may override, by their flag (and file key) names. */
export const MARKET_FIELDS = ['size', 'long-threshold', 'short-threshold', 'max-position', 'min-edge-bps', 'slippage-bps'] as const;
export type MarketField = (typeof MARKET_FIELDS)[number];

export const CAP_FIELDS = ['max-total-notional', 'max-total-exposure'] as const;
export type CapField = (typeof CAP_FIELDS)[number];

const FILE_FIELDS = ['defaults', 'markets', ...CAP_FIELDS] as const;

const BUILT_IN: Partial<Record<MarketField, string>> = {
  'long-threshold': '5',
  'short-threshold': '5',
  'max-position': '0',
  'min-edge-bps': '0',
  'slippage-bps': '20',
};

const EXAMPLE: Record<MarketField | CapField, string> = {
  size: '0.001',
  'long-threshold': '5',
  'short-threshold': '5',
  'max-position': '0.01',
  'min-edge-bps': '1',
  'slippage-bps': '20',
  'max-total-notional': '50000',
  'max-total-exposure': '2000',
};

// A plain decimal: digits with an optional fraction, or a leading dot (.5). No sign, exponent or unit.
const DECIMAL = /^(\d+(\.\d+)?|\.\d+)$/;
const TICKER = /^[A-Za-z0-9]+$/;

/** A value and where it came from, in the words its error names: `--size` or `markets.ETH.size in run.yaml`. */
interface Sourced {
  text: string;
  source: string;
  /** How the fix is written at that source: `--size 0.001` or `size: 0.001`. */
  example: (value: string) => string;
}

/** What a --config file says, checked field by field. */
export interface MarketsFile {
  path: string;
  defaults: Partial<Record<MarketField, Sourced>>;
  markets: Array<{ ticker: string; fields: Partial<Record<MarketField, Sourced>> }>;
  caps: Partial<Record<CapField, Sourced>>;
}

export class MarketsConfigError extends Error {
  override name = 'MarketsConfigError';
}

function fail(message: string): never {
  throw new MarketsConfigError(message);
}

/** Reads and checks a --config file's text (JSON by a .json name, YAML by .yaml/.yml). */
export function parseMarketsFile(path: string, text: string): MarketsFile {
  let doc: unknown;
  if (/\.json$/i.test(path)) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      fail(`--config ${path} is not valid JSON (${(e as Error).message}) — correct the file`);
    }
  } else if (/\.ya?ml$/i.test(path)) {
    try {
      doc = parseYaml(text, { uniqueKeys: true });
    } catch (e) {
      fail(`--config ${path} is not valid YAML (${(e as Error).message.split('\n')[0]}) — correct the file`);
    }
  } else fail(`--config ${path}: the name must end in .json, .yaml or .yml, which says how it is read — rename the file`);
  if (!isRecord(doc)) fail(`--config ${path} holds no mapping of settings — start from config.example.yaml`);
  for (const key of Object.keys(doc)) {
    if (!(FILE_FIELDS as readonly string[]).includes(key)) fail(`${path}: unknown field "${key}" — the top-level fields are ${FILE_FIELDS.join(', ')}`);
  }
  const file: MarketsFile = { path, defaults: {}, markets: [], caps: {} };
  if (doc.defaults !== undefined && doc.defaults !== null) file.defaults = fieldsOf(doc.defaults, 'defaults', path);
  for (const cap of CAP_FIELDS) {
    if (doc[cap] !== undefined) file.caps[cap] = sourced(doc[cap], cap, cap, path);
  }
  const markets = doc.markets;
  if (markets === undefined || markets === null) fail(`${path}: no "markets" — list the markets to trade, e.g. markets: { BTC: { size: 0.001 } }`);
  const entries: Array<[string, unknown]> = Array.isArray(markets)
    ? markets.map((m, i) => {
        if (typeof m !== 'string') fail(`${path}: markets[${i}] is not a ticker — write a list of names (markets: [BTC, ETH]) or a mapping (markets: { BTC: { size: 0.001 } })`);
        return [m, null];
      })
    : isRecord(markets)
      ? Object.entries(markets)
      : fail(`${path}: "markets" is neither a list nor a mapping — e.g. markets: { BTC: { size: 0.001 } }`);
  if (entries.length === 0) fail(`${path}: "markets" is empty — name at least one market, e.g. markets: { BTC: { size: 0.001 } }`);
  const seen = new Set<string>();
  for (const [name, body] of entries) {
    if (!TICKER.test(name)) fail(`${path}: market "${name}" has characters other than A–Z and 0–9 — give the base asset only, e.g. BTC`);
    const ticker = name.toUpperCase();
    if (seen.has(ticker)) fail(`${path}: market ${ticker} is listed twice — keep one entry`);
    seen.add(ticker);
    file.markets.push({ ticker, fields: body === null || body === undefined ? {} : fieldsOf(body, `markets.${name}`, path) });
  }
  return file;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldsOf(body: unknown, at: string, path: string): Partial<Record<MarketField, Sourced>> {
  if (!isRecord(body)) fail(`${path}: ${at} is not a mapping of settings — e.g. ${at}: { size: 0.001 }`);
  const out: Partial<Record<MarketField, Sourced>> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(MARKET_FIELDS as readonly string[]).includes(key)) fail(`${path}: unknown field ${at}.${key} — a market's fields are ${MARKET_FIELDS.join(', ')}`);
    out[key as MarketField] = sourced(value, `${at}.${key}`, key, path);
  }
  return out;
}

function sourced(value: unknown, at: string, key: string, path: string): Sourced {
  const example = (v: string) => `${key}: "${v}"`;
  const source = `${at} in ${path}`;
  if (typeof value === 'string') return { text: value.trim(), source, example };
  if (typeof value === 'number' && Number.isFinite(value)) {
    const text = String(value);
    // A number the parser already turned into 1e-7 (or rounded) cannot be read back exactly: ask for quotes.
    if (!DECIMAL.test(text.replace(/^-/, '')))
      fail(`${source} is ${text}, which is not a plain decimal — write it in quotes, e.g. ${example(EXAMPLE[key as MarketField] ?? '0.001')}`);
    return { text, source, example };
  }
  return fail(
    `${source} is ${value === null ? 'empty' : `a ${Array.isArray(value) ? 'list' : typeof value}`} — give a number, e.g. ${example(EXAMPLE[key as MarketField] ?? '1')}`,
  );
}

/** The flags as given on the command line (only those given), each already named by its flag. */
export type GivenFlags = Partial<Record<MarketField | CapField, string>> & { ticker?: string };

function fromFlag(flag: MarketField | CapField, text: string): Sourced {
  return { text, source: `--${flag}`, example: (v) => `--${flag} ${v}` };
}

/** The run's markets from --ticker and the flags, or from the file; the caps from the flags, else the file. */
export function resolveMarkets(given: GivenFlags, file?: MarketsFile): { markets: MarketConfig[]; caps: PortfolioCaps } {
  let tickers: string[];
  if (file !== undefined) {
    if (given.ticker !== undefined) fail(`--ticker and --config ${file.path} both name the markets — list them under "markets" in the file, or leave out --config`);
    tickers = file.markets.map((m) => m.ticker);
  } else tickers = tickerList(given.ticker ?? 'BTC');
  const markets = tickers.map((ticker) => {
    const own = file?.markets.find((m) => m.ticker === ticker)?.fields ?? {};
    const pick = (field: MarketField): Sourced | undefined => {
      const flag = given[field];
      return (
        own[field] ??
        (flag !== undefined ? fromFlag(field, flag) : undefined) ??
        file?.defaults[field] ??
        (BUILT_IN[field] !== undefined ? fromFlag(field, BUILT_IN[field]) : undefined)
      );
    };
    return marketConfig(ticker, pick, file?.path);
  });
  const caps: PortfolioCaps = {};
  for (const cap of CAP_FIELDS) {
    const flag = given[cap];
    const value = flag !== undefined ? fromFlag(cap, flag) : file?.caps[cap];
    if (value === undefined) continue;
    const text = decimal(value);
    if (!/[1-9]/.test(text)) fail(`${value.source} ${value.text} is zero — give a positive amount in USDC, e.g. ${value.example(EXAMPLE[cap])}, or leave it out for no cap`);
    if (cap === 'max-total-notional') caps.maxTotalNotional = text;
    else caps.maxTotalExposure = text;
  }
  return { markets, caps };
}

/** `BTC,ETH,SOL` → [BTC, ETH, SOL]; every name checked, none twice. */
export function tickerList(text: string): string[] {
  const names = text.split(',').map((t) => t.trim());
  const out: string[] = [];
  for (const name of names) {
    if (name === '') fail(`--ticker "${text}" has an empty name — separate the markets with single commas, e.g. --ticker BTC,ETH,SOL`);
    const ticker = name.toUpperCase();
    if (!/^[A-Z0-9]+$/.test(ticker)) fail(`--ticker "${name}" has characters other than A–Z and 0–9 — give the base asset only, e.g. --ticker BTC`);
    if (out.includes(ticker)) fail(`--ticker names ${ticker} twice — list each market once, e.g. --ticker BTC,ETH`);
    out.push(ticker);
  }
  return out;
}

function marketConfig(ticker: string, pick: (field: MarketField) => Sourced | undefined, path: string | undefined): MarketConfig {
  const size = pick('size');
  if (size === undefined) {
    if (path === undefined) fail('--size is required — give the order size per leg in base units, e.g. --size 0.001');
    fail(`market ${ticker} has no size — give markets.${ticker}.size or defaults.size in ${path}, or --size`);
  }
  const sizeText = decimal(size);
  if (!/[1-9]/.test(sizeText)) fail(`${size.source} ${size.text} is zero — give a positive order size, e.g. ${size.example('0.001')}`);
  const slippage = pick('slippage-bps')!;
  const slippageBps = Number(decimal(slippage));
  if (slippageBps <= 0) fail(`${slippage.source} ${slippageBps} must be above 0 — e.g. ${slippage.example('20')}`);
  return {
    ticker,
    size: sizeText,
    longThreshold: decimal(pick('long-threshold')!),
    shortThreshold: decimal(pick('short-threshold')!),
    maxPosition: decimal(pick('max-position')!),
    minEdgeBps: Number(decimal(pick('min-edge-bps')!)),
    slippageBps,
  };
}

/** A non-negative decimal; a leading dot gets its zero (.5 → 0.5) so every later parser sees one form. */
function decimal(v: Sourced): string {
  if (v.text.startsWith('-')) fail(`${v.source} ${v.text} is negative — give a number of 0 or more`);
  if (!DECIMAL.test(v.text)) fail(`${v.source} "${v.text}" is not a decimal number — write it like 0.001, .5 or 5`);
  return v.text.startsWith('.') ? '0' + v.text : v.text;
}
