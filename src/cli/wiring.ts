// A run's venues from the Config: each venue's adapter options, the sessions every market of a
// run shares, paper trading and recording wrapped around them; and the process's stop signals.

import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { TaggedLogger } from '../io/runlog.js';
import { tapOrders } from '../record/venue-tap.js';
import type { Recorder } from '../record/writer.js';
import { BackpackSession, BackpackVenue, type BackpackVenueOptions } from '../venues/backpack/index.js';
import { LighterSession, LighterVenue, type LighterVenueOptions } from '../venues/lighter/index.js';
import { paperVenue } from '../venues/paper/index.js';
import type { Venue } from '../venues/venue.js';
import type { ArbEngine } from '../engine/index.js';
import type { SimVenues } from '../sim/index.js';
import type { WatchEndpoints } from '../watch/index.js';
import type { Config } from './config.js';

/** What a caller may hook into a run (the command line, tests and the latency benchmark). */
export interface RunHooks {
  /** Resolves with a reason when the run should stop; defaults to SIGINT/SIGTERM. */
  stopSignal?: Promise<string>;
  /** Console level of the run log (tests silence it). */
  consoleLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'OFF';
  /** Lines to log as warnings first (what parsing .env could not read). */
  warnings?: string[];
  /** Called once the engine runs (tests and the latency benchmark look inside); with several markets, the first market's. */
  onStarted?: (engine: ArbEngine, sim?: SimVenues) => void;
  /** With several markets: called once every market's engine runs, in the order of the markets. */
  onStartedMany?: (engines: ArbEngine[], sim?: SimVenues) => void;
  /** Called once the metrics server and dashboard listen (their URLs; tests give port 0). */
  onWatching?: (endpoints: WatchEndpoints) => void;
  /** Where the status line and the dashboard token go (default stdout). */
  out?: { write(s: string): unknown; isTTY?: boolean };
}

/** Each venue's own name for the market when they differ from --ticker (from the symbol map: kPEPE on Backpack, 1000PEPE on Lighter). */
export interface VenueNames {
  backpack: string;
  lighter: string;
}

export function makeVenues(c: Config, log: TaggedLogger, clock: Clock, recorder?: Recorder, names?: VenueNames, sessions?: VenueSessions): { backpack: Venue; lighter: Venue } {
  const venues = makeBareVenues(c, log, clock, recorder, names, sessions);
  if (recorder === undefined) return venues;
  return { backpack: tapOrders(venues.backpack, recorder, clock), lighter: tapOrders(venues.lighter, recorder, clock) };
}

/** One connection and account per venue, shared by every market of a run (see each venue's session.ts). */
export interface VenueSessions {
  backpack: BackpackSession;
  lighter: LighterSession;
}

/** Each venue's adapter options for one market of the run (`names`: the venues' own names for it). */
export function venueOptions(
  c: Config,
  log: TaggedLogger,
  clock: Clock,
  recorder?: Recorder,
  names?: VenueNames,
): { backpack: BackpackVenueOptions; lighter: LighterVenueOptions } {
  const paper = c.mode === 'paper';
  return {
    backpack: {
      ticker: names?.backpack ?? c.ticker,
      apiUrl: c.backpack.apiUrl,
      wsUrl: c.backpack.wsUrl,
      logger: prefixed(log, 'backpack'),
      publicKey: paper ? undefined : c.backpack.publicKey,
      secretKey: paper ? undefined : c.backpack.secretKey,
      takerFeeBps: c.backpackTakerFeeBps,
      clock,
      recorder,
    },
    lighter: {
      ticker: names?.lighter ?? c.ticker,
      apiUrl: c.lighter.apiUrl,
      wsUrl: c.lighter.wsUrl,
      chainId: c.lighter.chainId,
      logger: prefixed(log, 'lighter'),
      privateKey: paper ? undefined : c.lighter.privateKey,
      accountIndex: paper ? undefined : c.lighter.accountIndex,
      apiKeyIndex: paper ? undefined : c.lighter.apiKeyIndex,
      takerFeeBps: c.lighterTakerFeeBps,
      txPerMinute: c.lighterTxPerMinute,
      orderSize: c.size,
      slippageBps: c.slippageBps,
      clock,
      recorder,
    },
  };
}

/** The sessions every market of a run shares: one socket per venue, one Lighter nonce lane and request budget. */
export function makeSessions(c: Config, log: TaggedLogger, clock: Clock): VenueSessions {
  const o = venueOptions(c, log, clock);
  return { backpack: new BackpackSession(o.backpack), lighter: new LighterSession(o.lighter) };
}

function makeBareVenues(c: Config, log: TaggedLogger, clock: Clock, recorder?: Recorder, names?: VenueNames, sessions?: VenueSessions): { backpack: Venue; lighter: Venue } {
  const paper = c.mode === 'paper';
  const o = venueOptions(c, log, clock, recorder, names);
  const backpack = new BackpackVenue(o.backpack, sessions?.backpack);
  const lighter = new LighterVenue(o.lighter, sessions?.lighter);
  if (!paper) return { backpack, lighter };
  return { backpack: paperVenue(backpack, { logger: log, clock }), lighter: paperVenue(lighter, { logger: log, clock }) };
}

/** The venue's or simulator's lines carry its tag: `[backpack] …` in text, `"src":"backpack"` in JSON. */
export function prefixed(log: TaggedLogger, tag: string): Logger {
  return log.child(tag);
}

export function processSignals(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.removeListener('SIGINT', on);
      process.removeListener('SIGTERM', on);
      resolve(signal);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
