// The Lighter adapter against a Lighter simulator on loopback, shared by the Lighter venue tests.
import { after } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { LighterSim } from '../../../src/sim/lighter/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs, type SimMarketOptions } from '../../../src/sim/markets.js';
import type { SimFaults, SimServerHandle } from '../../../src/sim/types.js';
import { LighterVenue } from '../../../src/venues/lighter/index.js';
import { Secret } from '../../../src/core/secret.js';
import { MemoryLogger, silentLogger } from '../../../src/core/log.js';
import { until } from '../../helpers/until.js';
import { pinnedWallClock } from '../../helpers/pinned-clock.js';

const keys = JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', 'keys.json'), 'utf8')).keys as Array<{ private_key: string; public_key: string }>;
export const KEY = keys[0];
export const ACCOUNT = 7;
export const API_KEY = 3;
export const CHAIN = 304;

export const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

export interface SetupOptions {
  now?: () => number;
  registeredKey?: string;
  /** The chain id the simulator runs (default CHAIN, the one the venue is configured with). */
  simChainId?: number;
  /** The account's tier in accountLimits (default standard; "" leaves it out). */
  tier?: string;
  markets?: SimMarketOptions;
  venue?: Partial<ConstructorParameters<typeof LighterVenue>[0]>;
}

export async function setup(options: SetupOptions = {}) {
  const engine = createMatchingEngine(simMarketSpecs('BTC', undefined, options.markets).lighter, { now: options.now });
  engine.setHouseLiquidity(
    [
      [999_990, 2000],
      [999_980, 3000],
    ],
    [
      [1_000_000, 4000],
      [1_000_010, 5000],
    ],
  );
  const faults: SimFaults = {};
  const sim = new LighterSim({
    // Pings 2 s apart: under a loaded machine a 200 ms pong deadline drops connections mid-test.
    engines: [engine],
    faults,
    logger: silentLogger,
    chainId: options.simChainId ?? CHAIN,
    now: options.now,
    pingIntervalMs: 2000,
    accounts: [{ accountIndex: ACCOUNT, apiKeys: [{ apiKeyIndex: API_KEY, publicKeyHex: options.registeredKey ?? KEY.public_key }], tier: options.tier }],
  });
  const handle: SimServerHandle = await sim.listen();
  closers.push(() => handle.close());
  const logger = new MemoryLogger();
  const venue = new LighterVenue({
    ticker: 'BTC',
    apiUrl: handle.apiUrl,
    wsUrl: handle.wsUrl,
    chainId: CHAIN,
    privateKey: new Secret(KEY.private_key),
    accountIndex: ACCOUNT,
    apiKeyIndex: API_KEY,
    logger,
    orderTimeoutMs: 400,
    reconnectBaseMs: 10,
    reconnectMaxMs: 40,
    clock: options.now === undefined ? undefined : pinnedWallClock(options.now),
    ...options.venue,
  });
  closers.push(() => venue.stop());
  return { engine, faults, sim, handle, venue, logger };
}

export async function started(options: SetupOptions = {}) {
  const s = await setup(options);
  const spec = await s.venue.start();
  await until('book valid', () => s.venue.status().bookValid);
  return { ...s, spec };
}

export const sameBook = (venue: LighterVenue, engine: ReturnType<typeof createMatchingEngine>) =>
  JSON.stringify([venue.book.levels('bid'), venue.book.levels('ask')]) === JSON.stringify([engine.levels('bid'), engine.levels('ask')]);
