// The one validated, typed configuration every part of the program reads. Built by parseConfig()
// from flags, environment and .env (see args.ts); nothing else reads process.env or argv.

import type { Secret } from '../core/secret.js';
import type { WatchConfig } from '../watch/config.js';

export type Mode = 'live' | 'paper' | 'sim';

/** The venues' production endpoints, used unless the environment names others. */
export const DEFAULT_URLS = {
  BACKPACK_API_URL: 'https://api.backpack.exchange',
  BACKPACK_WS_URL: 'wss://ws.backpack.exchange',
  LIGHTER_API_URL: 'https://mainnet.zklighter.elliot.ai',
  LIGHTER_WS_URL: 'wss://mainnet.zklighter.elliot.ai/stream',
} as const;

export interface BackpackEndpoint {
  /** REST base without /api/v1, e.g. https://api.backpack.exchange */
  apiUrl: string;
  /** WebSocket URL, e.g. wss://ws.backpack.exchange */
  wsUrl: string;
  /** base64 ED25519 public key (X-API-Key); undefined in paper mode. */
  publicKey?: string;
  /** base64 of the 32-byte ED25519 seed. */
  secretKey?: Secret;
}

export interface LighterEndpoint {
  /** REST base without /api/v1, e.g. https://mainnet.zklighter.elliot.ai */
  apiUrl: string;
  /** WebSocket URL including /stream. */
  wsUrl: string;
  chainId: number;
  /** 40-byte hex private key, with or without 0x. */
  privateKey?: Secret;
  accountIndex?: number;
  apiKeyIndex?: number;
}

/** One market's own settings: from the flags alone for one market, or a --ticker list / --config file for several. */
export interface MarketConfig {
  /** Upper-case name as given (BTC, 1000PEPE): file names and log tags. */
  ticker: string;
  /** Order size per leg, a positive decimal string in base units. */
  size: string;
  longThreshold: string;
  shortThreshold: string;
  /** "0" = unlimited. */
  maxPosition: string;
  minEdgeBps: number;
  slippageBps: number;
}

/** Limits across every market of the run, in quote currency (USDC) as typed; undefined = no cap. */
export interface PortfolioCaps {
  /** Σ over markets of the larger venue position × mid: what the hedged book holds. */
  maxTotalNotional?: string;
  /** Σ over markets of |net position| × mid, plus one leg of the entry under way: what a failed leg could leave open. */
  maxTotalExposure?: string;
}

export interface Config {
  mode: Mode;
  /** Upper-case base asset, e.g. BTC: the first market's (every market is in `markets`). */
  ticker: string;
  /** Every market of the run, the first one mirrored in the top-level fields; one entry for a one-market run. */
  markets: MarketConfig[];
  /** Caps across markets (--max-total-notional, --max-total-exposure or the config file). */
  caps: PortfolioCaps;
  /** Order size per leg, as typed: a positive decimal string in base units. */
  size: string;
  /** Quote currency per unit; decimal strings, converted to each market's grid after start. */
  longThreshold: string;
  shortThreshold: string;
  /** Largest |position| allowed on each venue after a trade; "0" = unlimited. */
  maxPosition: string;
  /** Period of the staleness / BBO timer. */
  checkIntervalMs: number;
  /** How often a BBO row is written. */
  bboIntervalMs: number;
  logDir: string;
  /** --record: where frames, snapshots and order events are recorded; undefined = not recorded. */
  recordDir?: string;
  /** Stop cleanly after this long; 0 = run until stopped. */
  durationMs: number;
  /** Minimum expected edge after both taker fees, in basis points of notional. */
  minEdgeBps: number;
  /** A book older than this blocks decisions. */
  maxBookAgeMs: number;
  /** Worst price each leg accepts, in basis points away from the book price. */
  slippageBps: number;
  /** --sign-ahead-bound: also sign ahead each leg at the threshold level's bound (threshold), or only for the current book (book). */
  signAheadBound: 'book' | 'threshold';
  allowUnhedgedStart: boolean;
  /** Taker fee overrides (bps); undefined = read from the venue. */
  backpackTakerFeeBps?: number;
  lighterTakerFeeBps?: number;
  /** Lighter sendTx budget per minute; orders beyond it are not sent. */
  lighterTxPerMinute: number;
  /** On stop, flatten both venues reduce-only and confirm flat from the venues (default: positions kept). */
  closeOnExit: boolean;
  /** Lowest level echoed to the console. */
  logLevel: LogLevel;
  /** Lowest level written to the run log file: --log-level when given, else debug (diagnostics kept for a post-mortem). */
  fileLogLevel: LogLevel;
  /** Run log lines as text (the reference's form) or one JSON object per line. */
  logFormat: 'text' | 'json';
  backpack: BackpackEndpoint;
  lighter: LighterEndpoint;
  /** Status line, metrics, dashboard, alerts; absent = status line defaults only. */
  watch?: WatchConfig;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
