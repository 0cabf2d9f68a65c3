// Funding as both venues' account sides report it, in the same words: the payments the account
// received or paid on the market it trades (from the venue's account funding history) and the
// rate the venue quotes now. Amounts are exact: USD at FUNDING_SCALE decimals in a bigint, parsed
// straight from the venue's decimal text. The engine sums them per market and venue (engine/funding.ts).

import { formatFixed, formatFixedTrim, parseUnits } from '../core/fixed.js';
import type { VenueId } from './types.js';

/** Decimals of every funding amount (USD): finer than either venue prints. */
export const FUNDING_SCALE = 12;

/** Decimals of a rate read for arithmetic (Backpack's mark stream carries ~28 digits; 18 is far below any payment's resolution). */
export const RATE_SCALE = 18;

export interface FundingPayment {
  venue: VenueId;
  /** The venue's symbol of the market ("BTC_USDC_PERP", "BTC"). */
  market: string;
  /** One settlement on one market for this account: the key that keeps a payment from being counted twice. */
  key: string;
  /** Wall ms of the settlement (the venue's resolution: Backpack gives seconds). */
  at: number;
  /** USD at FUNDING_SCALE: positive = received, negative = paid. */
  amount: bigint;
  /** The rate settled, as the venue printed it. */
  rate: string;
  /** Why the amount is not the venue's figure as printed (a sign read the harsher way), said in the log. */
  note?: string;
}

/** The rate a venue quotes now for the traded market. */
export interface FundingRateNow {
  venue: VenueId;
  market: string;
  /** Decimal text, signed: positive = longs pay shorts (on both venues, see each venue's funding.ts). */
  rate: string;
  /** The period the rate is quoted over (ms): Backpack the funding interval, Lighter eight hours. */
  periodMs: number;
  /** How often the venue settles (ms): hourly on both. */
  settleEveryMs: number;
  /** Wall ms of the next settlement, when the venue says. */
  nextAt?: number;
  /** The venue's mark price (decimal text), when it gives one with the rate. */
  mark?: string;
  /**
   * The venue's own estimate of its next payment's rate, where a source says the field is that
   * (see each venue's funding.ts); absent where the venue publishes none or it was not received.
   */
  predicted?: FundingPrediction;
  /** Why the prediction is absent although the venue publishes one (not received yet, refused). */
  predictedMissing?: string;
}

/** A venue's published estimate of the rate its next settlement will pay. */
export interface FundingPrediction {
  /** Decimal text, a fraction per `periodMs`, signed as FundingRateNow.rate. */
  rate: string;
  periodMs: number;
  /** Wall ms of the settlement it is for, when the venue says. */
  at?: number;
  /** The venue's field it was read from, said in the start-up line ("markPrices fundingRate"). */
  field: string;
}

/** A percentage as a fraction, exactly (decimal text: "0.0012" % → "0.000012"). */
export function percentToFraction(text: string): string {
  return formatFixedTrim(parseUnits(text, RATE_SCALE - 2, 'nearest'), RATE_SCALE);
}

/** What an execution side offers about funding (optional on the port: paper and backtests have none). */
export interface FundingSource {
  /** Payments on the traded market settled at or after `sinceWallMs` (at the venue's resolution), oldest first. Throws a VenueError. */
  payments(sinceWallMs: number): Promise<FundingPayment[]>;
  /** The current rate. Throws a VenueError. */
  current(): Promise<FundingRateNow>;
}

const DAY_MS = 86_400_000;

/**
 * What holding `position` (signed, at `sizeScale`) costs (< 0) or earns (> 0) per day at `rate`,
 * valued at `markTimesTwo` / 2 (bid + ask at `priceScale`, so a mid between ticks stays exact), in
 * USD at FUNDING_SCALE rounded to nearest. Positive rate: longs pay.
 */
export function fundingPerDay(position: number, sizeScale: number, markTimesTwo: number, priceScale: number, rate: FundingRateNow): bigint {
  const r = parseUnits(rate.rate, RATE_SCALE, 'nearest');
  // −size · mark · rate · (day / period), at sizeScale + priceScale + RATE_SCALE, then halved (the mark was doubled).
  const num = -BigInt(position) * BigInt(markTimesTwo) * r * BigInt(DAY_MS);
  const den = 2n * BigInt(rate.periodMs) * 10n ** BigInt(sizeScale + priceScale + RATE_SCALE - FUNDING_SCALE);
  return divNearest(num, den);
}

/** a / b rounded half away from zero (b > 0). */
export function divNearest(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice < b) return q;
  return a < 0n ? q - 1n : q + 1n;
}

/** A funding amount as text: at least 6 decimals (the venues' resolution), more only when it has them. */
export function formatUsd(units: bigint, signed = false): string {
  let text = formatFixed(units, FUNDING_SCALE);
  while (text.endsWith('0') && text.length - text.indexOf('.') - 1 > 6) text = text.slice(0, -1);
  return signed && units >= 0n ? `+${text}` : text;
}

/** A funding amount as a float, for reports and metrics only. */
export function usdFloat(units: bigint): number {
  return Number(units) / 10 ** FUNDING_SCALE;
}
