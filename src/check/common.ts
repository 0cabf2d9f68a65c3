// What the preflight's venue probes share: their settings, the facts they hand to the rows that
// compare both venues, exact money arithmetic for margin, and round-trip/clock measurement.

import { systemClock } from '../core/clock.js';
import { FixedPointError, formatFixed, formatFixedTrim, parseUnits } from '../core/fixed.js';
import type { Logger } from '../core/log.js';
import type { MarketSpec } from '../venues/types.js';
import type { Config } from '../cli/config.js';
import { VenueError } from '../venues/venue.js';
import type { CheckRow, RowId } from './report.js';

export interface CheckSettings {
  /** Deadline of each REST request (ms). */
  requestTimeoutMs: number;
  /** How long a venue's book may take to become valid (ms). */
  bookTimeoutMs: number;
  /** How long both books are watched once valid (ms). */
  bookWatchMs: number;
  /** Largest tolerated clock offset against each venue (ms). */
  maxClockOffsetMs: { backpack: number; lighter: number };
  /** Largest distance between the two venues' mid prices, in basis points. */
  maxMidGapBps: number;
}

export const DEFAULT_SETTINGS: CheckSettings = {
  requestTimeoutMs: 5000,
  bookTimeoutMs: 10_000,
  bookWatchMs: 3000,
  // Backpack refuses a signed request stamped more than a little ahead of its clock (spec §2.6, our
  // simulator: 1000 ms); Lighter reports whole seconds, so its offset is only known to ±1 s.
  maxClockOffsetMs: { backpack: 1000, lighter: 2000 },
  maxMidGapBps: 100,
};

/** What collateral.ts works out for one market (collateralFigures): its report row and the figures it compared. */
export interface CollateralFigures {
  row: CheckRow;
  /** Free collateral and the margin this market may still add, at `quoteScale`. */
  available: bigint;
  need: bigint;
  quoteScale: number;
  /** "margin 1/10 of notional (leverageLimit 10) at 100000" */
  margin: string;
}

export interface ProbeContext {
  config: Config;
  settings: CheckSettings;
  logger: Logger;
}

/** What a venue's probes learnt that rows about both venues need. Sizes at the market's sizeScale. */
export interface VenueFacts {
  market?: MarketSpec;
  /** Signed position, undefined when it could not be read. */
  position?: bigint;
  /** The collateral row's figures, when it could be measured. */
  collateral?: CollateralFigures;
}

export function row(id: RowId, title: string, status: CheckRow['status'], detail: string, fix?: string): CheckRow {
  return fix === undefined ? { id, title, status, detail } : { id, title, status, detail, fix };
}

export function skipped(id: RowId, title: string, because: string, fix?: string): CheckRow {
  return row(id, title, 'skipped', `not checked: ${because}`, fix);
}

/** The message of anything thrown, on one line (venue errors already name their fix). */
export function why(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0];
}

export function isAuthError(e: unknown): boolean {
  return e instanceof VenueError && (e.kind === 'auth' || e.kind === 'expired');
}

/**
 * What to do when a venue's first request fails: an answer that says busy or down is waited out; no
 * answer at all is the URL or the network.
 */
export function unreachableFix(e: unknown, venue: string, urlVar: string): string {
  if (e instanceof VenueError && e.kind === 'rate_limited') return `${venue} is rate limiting this address: wait a minute, then run check again`;
  if (e instanceof VenueError && e.kind === 'unavailable' && e.code !== undefined)
    return `${venue} answers but is unavailable (maintenance?): wait until it is back, then run check again`;
  return `check ${urlVar} and that this machine can reach it`;
}

/** Runs a request and measures its round trip and the venue's clock against ours. */
export async function timed<T>(request: () => Promise<T>): Promise<{ value: T; rttMs: number; sentAtMs: number }> {
  const sentAtMs = systemClock.wallMs();
  const t0 = systemClock.monoMs();
  const value = await request();
  return { value, rttMs: systemClock.monoMs() - t0, sentAtMs };
}

/**
 * The venue's clock minus ours: its timestamp against the middle of the round trip. `resolutionMs`
 * is the unit the venue reports in; a timestamp floored to whole seconds is taken at its middle.
 */
export function clockOffsetMs(venueTimeMs: number, sentAtMs: number, rttMs: number, resolutionMs = 1): number {
  const venueMid = venueTimeMs + (resolutionMs > 1 ? resolutionMs / 2 : 0);
  return Math.round(venueMid - (sentAtMs + rttMs / 2));
}

export function signedMs(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${Math.abs(ms)} ms`;
}

/** --size (or another quantity flag) at a market's size scale; undefined when it has more decimals. */
export function quantityAt(text: string, sizeScale: number): bigint | undefined {
  try {
    return parseUnits(text, sizeScale, 'exact');
  } catch (e) {
    if (e instanceof FixedPointError) return undefined;
    throw e;
  }
}

export function fmt(units: bigint | number, scale: number): string {
  return formatFixedTrim(typeof units === 'number' ? BigInt(units) : units, scale);
}

/** A signed quantity as "+0.001" / "−0.001" / "0". */
export function fmtSigned(units: bigint, scale: number): string {
  if (units === 0n) return '0';
  return `${units > 0n ? '+' : '−'}${fmt(units < 0n ? -units : units, scale)}`;
}

/**
 * Margin a position of `size` (sizeScale) at `price` (priceScale) needs when the venue asks for
 * `num/den` of its notional, in quote units at priceScale + sizeScale, rounded up: exact integers,
 * so "covers" never depends on a float.
 */
export function marginNeeded(size: bigint, price: bigint, num: bigint, den: bigint): bigint {
  const notional = size * price;
  return (notional * num + den - 1n) / den;
}

/**
 * A non-negative quote amount at `scale` decimals, shown to the cent: what is available rounded
 * down, what is needed rounded up, so the figures shown never make a shortfall look covered.
 */
export function fmtQuote(units: bigint, scale: number, rounding: 'down' | 'up' = 'down'): string {
  if (scale <= 2) return formatFixed(units * 10n ** BigInt(2 - scale), 2);
  const unit = 10n ** BigInt(scale - 2);
  const cents = rounding === 'up' ? (units + unit - 1n) / unit : units / unit;
  return formatFixed(cents, 2);
}

/** A public key shown by its ends only, enough to tell keys apart. */
export function abbreviate(key: string): string {
  return key.length <= 12 ? key : `${key.slice(0, 6)}…${key.slice(-4)}`;
}
