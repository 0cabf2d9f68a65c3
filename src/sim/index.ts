// Both simulated venues in-process on free loopback ports, with freshly generated keys registered
// on them and a market generator feeding both books: what --sim, `npm run demo`, `npm run sim`
// and the end-to-end tests run against. The bot talks to them through its live adapters.

import { randomBytes } from 'node:crypto';
import type { Logger } from '../core/log.js';
import { Secret } from '../core/secret.js';
import { BackpackSigner } from '../venues/backpack/auth.js';
import { derivePublicKey, privateKeyFromSeed } from '../venues/lighter/signer/index.js';
import { startBackpackSim } from './backpack/index.js';
import { LighterSim } from './lighter/index.js';
import { MarketGenerator, startMarketFeed, type MarketFeed, type MarketGeneratorOptions } from './market.js';
import { DEFAULT_SIM_FEES, SIM_BASES, simExtraMarketSpecs, simMarketSpecs, type SimFees, type SimMarketOptions } from './markets.js';
import { SimFundingSchedule, hourlyFromEightHour } from './funding.js';
import { SimMargin } from './margin.js';
import { createMatchingEngine } from './matching.js';
import type { SimFaults, SimMatchingEngine, SimServerHandle } from './types.js';

export const SIM_CHAIN_ID = 304;
export const SIM_LIGHTER_ACCOUNT = 100;
export const SIM_LIGHTER_API_KEY = 4;
/** The rate both simulators report and settle at until a test sets one (Backpack: per interval; Lighter: over eight hours). */
const DEFAULT_FUNDING_RATE = '0.0000125';

export interface SimVenuesOptions {
  /** The base asset the bot trades; its market is generated, the others are listed with empty books. */
  ticker: string;
  /** Several markets traded at once: each of these gets a generated book (default just `ticker`). */
  tickers?: string[];
  logger: Logger;
  seed?: number;
  fees?: SimFees;
  /** Generator tuning (rates, volatility, jumps); the step interval is also the feed's real-time period. */
  market?: Partial<Omit<MarketGeneratorOptions, 'backpack' | 'lighter' | 'referenceMid'>>;
  /** Fault plans per venue; tests flip fields at run time. */
  faults?: { backpack?: SimFaults; lighter?: SimFaults };
  /** No generator: tests drive the books themselves. */
  scripted?: boolean;
  pingIntervalMs?: number;
  /** How Lighter lists its markets (widened ids, minimum order value). */
  markets?: SimMarketOptions;
  /** The chain id the simulated Lighter runs and reports (default SIM_CHAIN_ID, mainnet's). */
  lighterChainId?: number;
  /** The bot account's tier in accountLimits (default "standard"). */
  lighterTier?: string;
  /** The bot accounts' starting collateral per venue, USDC (default DEFAULT_SIM_COLLATERAL, ample). */
  collateral?: { backpack?: string; lighter?: string };
  /** Also list these markets quoted in multiples (SIM_EXTRA_BASES, e.g. "PEPE"), with empty books. */
  extraMarkets?: string[];
  /** Run the hourly funding schedule on timers (every `realIntervalMs` of real time, default the hour); off unless asked: tests settle by hand. */
  fundingTimer?: { realIntervalMs?: number };
  /** Wall ms of both servers and the funding schedule (default Date.now). */
  now?: () => number;
}

export interface SimCredentials {
  backpackPublicKey: string;
  backpackSecretKey: Secret;
  lighterPrivateKey: Secret;
  lighterAccountIndex: number;
  lighterApiKeyIndex: number;
}

/** The simulators' URLs and keys, in the shape of the bot's endpoint settings (the simulator knows no bot type). */
export interface SimEndpoints {
  backpack: { apiUrl: string; wsUrl: string; publicKey: string; secretKey: Secret };
  lighter: { apiUrl: string; wsUrl: string; chainId: number; privateKey: Secret; accountIndex: number; apiKeyIndex: number };
}

export interface SimVenues {
  backpack: SimServerHandle;
  lighter: SimServerHandle;
  engines: { backpack: SimMatchingEngine; lighter: SimMatchingEngine };
  /** The account names the engines know the bot by. */
  accounts: { backpack: string; lighter: string };
  credentials: SimCredentials;
  faults: { backpack: SimFaults; lighter: SimFaults };
  lighterSim: LighterSim;
  /** Each venue's margin model (collateral, funding, margin checks). */
  margin: { backpack: SimMargin; lighter: SimMargin };
  /** Every listed market's engines by base (the extra markets by their base too, e.g. "PEPE"). */
  marketEngines: Record<string, { backpack: SimMatchingEngine; lighter: SimMatchingEngine }>;
  /**
   * The funding rates the venues report, live: Backpack per symbol (rate per interval, decimal
   * text; markPrices' current-interval rate, which is also its estimate of the next payment),
   * Lighter per market id (over eight hours, as funding-rates reports it) and Lighter's prediction
   * per market id (market_stats current_funding_rate: percent for the hour, decimal text).
   */
  funding: { backpack: Map<string, string>; lighter: Map<number, number>; lighterPredicted: Map<number, string> };
  /** Both venues' hourly funding settlements at those rates: settleNow(), advanceTo(wall), or on timers. */
  fundingSchedule: SimFundingSchedule;
  /** Where the bot finds these venues and with which keys (the endpoint part of its configuration). */
  endpoints: SimEndpoints;
  /** The same as the environment variables a trader would put in .env (secrets included: these keys open only the simulators). */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startSimVenues(options: SimVenuesOptions): Promise<SimVenues> {
  const faults = { backpack: options.faults?.backpack ?? {}, lighter: options.faults?.lighter ?? {} };
  const fees = options.fees ?? DEFAULT_SIM_FEES;
  if (!SIM_BASES.includes(options.ticker) && !(options.extraMarkets ?? []).includes(options.ticker)) simMarketSpecs(options.ticker); // throws the clear error
  const specs = Object.fromEntries(SIM_BASES.map((b) => [b, simMarketSpecs(b, fees, options.markets)]));
  const extra = options.extraMarkets ?? [];
  for (const b of extra) specs[b] = simExtraMarketSpecs(b, fees);
  const listed = [...SIM_BASES, ...extra];
  const backpackEngines = listed.map((b) => createMatchingEngine(specs[b].backpack));
  const lighterEngines = listed.map((b) => createMatchingEngine(specs[b].lighter));
  const marketEngines = Object.fromEntries(listed.map((b, i) => [b, { backpack: backpackEngines[i], lighter: lighterEngines[i] }]));
  const funding = { backpack: new Map<string, string>(), lighter: new Map<number, number>(), lighterPredicted: new Map<number, string>() };
  const traded = listed.indexOf(options.ticker);
  const engines = { backpack: backpackEngines[traded], lighter: lighterEngines[traded] };
  const generated = options.tickers ?? [options.ticker];
  for (const t of generated) if (!listed.includes(t)) simMarketSpecs(t); // throws the clear error

  const lighterChainId = options.lighterChainId ?? SIM_CHAIN_ID;
  const backpackSecret = new Secret(randomBytes(32).toString('base64'));
  const backpackPublicKey = new BackpackSigner(backpackSecret).publicKey;
  const lighterKey = privateKeyFromSeed(randomBytes(32));
  const credentials: SimCredentials = {
    backpackPublicKey,
    backpackSecretKey: backpackSecret,
    lighterPrivateKey: new Secret(lighterKey),
    lighterAccountIndex: SIM_LIGHTER_ACCOUNT,
    lighterApiKeyIndex: SIM_LIGHTER_API_KEY,
  };

  const margin = {
    backpack: new SimMargin(backpackEngines, { collateral: options.collateral?.backpack, leverageLimit: 10 }),
    lighter: new SimMargin(lighterEngines, { collateral: options.collateral?.lighter }),
  };
  const backpack = await startBackpackSim({
    engines: backpackEngines,
    margin: margin.backpack,
    faults: faults.backpack,
    logger: options.logger,
    accounts: [{ publicKey: backpackPublicKey }],
    pingIntervalMs: options.pingIntervalMs,
    fundingRates: funding.backpack,
    now: options.now,
  });
  const lighterSim = new LighterSim({
    engines: lighterEngines,
    margin: margin.lighter,
    faults: faults.lighter,
    logger: options.logger,
    chainId: lighterChainId,
    pingIntervalMs: options.pingIntervalMs,
    accounts: [{ accountIndex: SIM_LIGHTER_ACCOUNT, apiKeys: [{ apiKeyIndex: SIM_LIGHTER_API_KEY, publicKeyHex: derivePublicKey(lighterKey) }], tier: options.lighterTier }],
    fundingRates: funding.lighter,
    predictedFundingRates: funding.lighterPredicted,
    now: options.now,
  });
  const lighter = await lighterSim.listen();
  const fundingSchedule = new SimFundingSchedule({
    now: options.now,
    venues: [
      // The current interval's rate, as /api/v1/markPrices reports it (default as the server's).
      { venue: 'backpack', margin: margin.backpack, engines: backpackEngines, rateFor: (e) => funding.backpack.get(`${e.market.base}_USDC_PERP`) ?? DEFAULT_FUNDING_RATE },
      // An eighth of the eight-hour rate /api/v1/funding-rates reports, each hour.
      { venue: 'lighter', margin: margin.lighter, engines: lighterEngines, rateFor: (e) => hourlyFromEightHour(funding.lighter.get(e.market.marketId) ?? 0.0000125) },
    ],
  });
  if (options.fundingTimer !== undefined) fundingSchedule.start(options.fundingTimer.realIntervalMs);

  const feeds: MarketFeed[] = [];
  if (options.scripted !== true) {
    generated.forEach((t) => {
      const s = specs[t];
      // Seed 3: both directions beat the fees within the first minute, so the 60 s demo shows both.
      // Every market walks the same seeded path in basis points of its own mid, so a run of several
      // markets sees each of them trade as the demo does in BTC.
      const generator = new MarketGenerator({ backpack: s.backpack, lighter: s.lighter, referenceMid: s.referenceMid, seed: options.seed ?? 3, ...options.market });
      feeds.push(startMarketFeed({ generator, backpack: marketEngines[t].backpack, lighter: marketEngines[t].lighter, intervalMs: options.market?.stepMs ?? 100 }));
    });
  }

  return {
    backpack,
    lighter,
    engines,
    accounts: { backpack: backpackPublicKey, lighter: String(SIM_LIGHTER_ACCOUNT) },
    credentials,
    faults,
    lighterSim,
    margin,
    marketEngines,
    funding,
    fundingSchedule,
    endpoints: {
      backpack: { apiUrl: backpack.apiUrl, wsUrl: backpack.wsUrl, publicKey: backpackPublicKey, secretKey: backpackSecret },
      lighter: {
        apiUrl: lighter.apiUrl,
        wsUrl: lighter.wsUrl,
        chainId: lighterChainId,
        privateKey: credentials.lighterPrivateKey,
        accountIndex: SIM_LIGHTER_ACCOUNT,
        apiKeyIndex: SIM_LIGHTER_API_KEY,
      },
    },
    env: () => ({
      BACKPACK_API_URL: backpack.apiUrl,
      BACKPACK_WS_URL: backpack.wsUrl,
      BACKPACK_PUBLIC_KEY: backpackPublicKey,
      BACKPACK_SECRET_KEY: backpackSecret.reveal(),
      LIGHTER_API_URL: lighter.apiUrl,
      LIGHTER_WS_URL: lighter.wsUrl,
      LIGHTER_CHAIN_ID: String(lighterChainId),
      API_KEY_PRIVATE_KEY: credentials.lighterPrivateKey.reveal(),
      LIGHTER_ACCOUNT_INDEX: String(SIM_LIGHTER_ACCOUNT),
      LIGHTER_API_KEY_INDEX: String(SIM_LIGHTER_API_KEY),
    }),
    stop: async () => {
      for (const feed of feeds) feed.stop();
      fundingSchedule.stop();
      await Promise.allSettled([backpack.close(), lighter.close()]);
    },
  };
}
