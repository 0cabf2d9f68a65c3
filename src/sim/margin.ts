// The margin model of one simulated venue: each account's collateral (USDC), cross-margined over
// every market the venue lists, with per-market initial and maintenance margin fractions and an
// account-wide leverage limit. Balances move with what the matching engines record (realised PnL
// and fees per fill) and with funding payments this model applies; equity marks open positions at
// the engine's mid. Order checks run before an order reaches the engine and give the venue's own
// refusal (the servers turn the verdict into Backpack's / Lighter's code).
//
// Sources:
// - Backpack: `GET /api/v1/capital/collateral` (MarginAccountSummary: netEquity, netEquityAvailable,
//   netEquityLocked, imf, mmf) and `GET /api/v1/position` (FuturePositionWithMargin: entryPrice,
//   estLiquidationPrice, imf, mmf, cumulativeFundingPayment), Backpack API docs; error codes
//   INSUFFICIENT_MARGIN and MAX_LEVERAGE_REACHED from the docs' ApiErrorCode list; the account's
//   `leverageLimit` from `GET /api/v1/account` (AccountSummary). The docs do not say which of the
//   two codes a given order meets; this model reads MAX_LEVERAGE_REACHED as "the account's own
//   leverage limit binds while the market's initial margin would still be covered" and
//   INSUFFICIENT_MARGIN as "not even the market's initial margin is covered".
// - Lighter: the margin fractions orderBookDetails publishes (default_initial_margin_fraction,
//   maintenance_margin_fraction; spec §2 market metadata), read as units of 0.01 % (500 = 5 %,
//   20×); code 21739 "not enough
//   margin" from the spec's error list (§7: CCXT 4.5.84 lighter.js `exceptions.exact`, apidocs
//   troubleshooting).
// - Both venues check an order against the margin of the position it could reach with every open
//   order of the account filled (Backpack's netExposureQuantity "includes worst-case open orders");
//   an order that does not increase that exposure is never refused for margin. Where a venue's
//   documents are silent, the harsher reading: resting orders count fully, and a buy is valued at
//   the higher of its own price and the mark.

import { formatFixed, parseFixed, parseUnits } from '../core/fixed.js';
import type { OrderSide } from '../core/types.js';
import type { SimMatchingEngine } from './types.js';

/** Every margin figure here is in USDC at this scale (micro-dollars). */
export const MARGIN_SCALE = 6;

/** What an account starts with unless a test says otherwise: ample, so bot tests and the demo trade freely. */
export const DEFAULT_SIM_COLLATERAL = '1000000';

export type MarginVerdict = 'ok' | 'insufficient_margin' | 'max_leverage';

export interface SimMarginOptions {
  /** Starting collateral of every account, USDC as a decimal string (default DEFAULT_SIM_COLLATERAL). */
  collateral?: string;
  /** Account-wide leverage limit (Backpack's leverageLimit; default 10 for Backpack, none for Lighter). */
  leverageLimit?: number;
}

export interface MarginSummary {
  collateral: bigint;
  /** collateral + realised PnL − fees + funding + unrealised PnL at the mark. */
  equity: bigint;
  unrealized: bigint;
  /** Initial margin held by positions and open orders. */
  initialMargin: bigint;
  maintenanceMargin: bigint;
  /** equity − initialMargin, never below 0. */
  available: bigint;
}

export class SimMargin {
  private readonly collateralByAccount = new Map<string, bigint>();
  /** Funding paid (negative) or received per account and market base, at MARGIN_SCALE. */
  private readonly fundingByAccount = new Map<string, Map<string, bigint>>();
  private readonly defaultCollateral: bigint;
  readonly leverageLimit: number | undefined;
  /**
   * Every funding settlement, oldest first: the venues' funding-rate and funding-payment histories.
   * `id` counts settlements of this venue from 0 (Lighter's funding_id); `sizes` holds each paying
   * account's signed position (at the market's sizeScale) when it was settled.
   */
  readonly fundingEvents: Array<{ id: number; base: string; at: number; rate: string; payments: ReadonlyMap<string, bigint>; sizes: ReadonlyMap<string, number> }> = [];

  constructor(
    private readonly engines: readonly SimMatchingEngine[],
    options: SimMarginOptions = {},
  ) {
    this.defaultCollateral = BigInt(parseFixed(options.collateral ?? DEFAULT_SIM_COLLATERAL, MARGIN_SCALE));
    this.leverageLimit = options.leverageLimit;
  }

  /** Sets an account's collateral (USDC decimal string), replacing what it had deposited. */
  setCollateral(account: string, usdc: string): void {
    this.collateralByAccount.set(account, BigInt(parseFixed(usdc, MARGIN_SCALE)));
  }

  collateral(account: string): bigint {
    return this.collateralByAccount.get(account) ?? this.defaultCollateral;
  }

  /**
   * Settles one funding interval on `engine`'s market: every account with a position pays
   * size × mark × rate (longs pay a positive rate, shorts receive it). `rate` is a decimal string
   * ("0.0001" = 1 bp) for this one settlement. Returns the payments by account (positive = received).
   *
   * Who pays: a positive rate makes longs pay shorts (Lighter docs "Funding"; Backpack's docs do not
   * say, spec §10 Q7 — CCXT backpack.js parseIncome reads `quantity` as signed from the account's
   * view, and every perp venue CCXT knows pays this way). Rounding: neither venue documents it; the
   * harsher reading holds, so each payment is rounded against the account (floor to the micro-dollar:
   * a payer pays the part of a micro-dollar, a receiver loses it).
   */
  applyFunding(engine: SimMatchingEngine, rate: string, at = Date.now()): Map<string, bigint> {
    const RATE_SCALE = 18;
    const r = parseUnits(rate, RATE_SCALE, 'nearest');
    const out = new Map<string, bigint>();
    const sizes = new Map<string, number>();
    const mark = engine.mid();
    if (mark === undefined) return out;
    const s = engine.market;
    const scale = s.priceScale + s.sizeScale + RATE_SCALE - MARGIN_SCALE;
    for (const p of engine.positions()) {
      if (p.size === 0) continue;
      const payment = floorDiv(-(BigInt(p.size) * BigInt(mark) * r), 10n ** BigInt(scale));
      let byMarket = this.fundingByAccount.get(p.account);
      if (byMarket === undefined) this.fundingByAccount.set(p.account, (byMarket = new Map()));
      byMarket.set(s.base, (byMarket.get(s.base) ?? 0n) + payment);
      out.set(p.account, payment);
      sizes.set(p.account, p.size);
    }
    this.fundingEvents.push({ id: this.fundingEvents.length, base: s.base, at, rate, payments: out, sizes });
    return out;
  }

  /** Funding received (positive) or paid on one market, at MARGIN_SCALE. */
  funding(account: string, base: string): bigint {
    return this.fundingByAccount.get(account)?.get(base) ?? 0n;
  }

  summary(account: string): MarginSummary {
    let equity = this.collateral(account);
    let unrealized = 0n;
    let initialMargin = 0n;
    let maintenanceMargin = 0n;
    for (const engine of this.engines) {
      const s = engine.market;
      const scale = s.priceScale + s.sizeScale;
      const p = engine.position(account);
      equity += toUsd(BigInt(p.realizedPnl - p.feesPaid), scale) + this.funding(account, s.base);
      const mark = markOf(engine, account);
      if (mark === undefined) continue;
      const u = toUsd(BigInt(p.size) * BigInt(mark) - BigInt(p.openNotional), scale);
      unrealized += u;
      equity += u;
      const exposure = exposureOf(engine, account);
      initialMargin += fraction(toUsd(BigInt(exposure) * BigInt(mark), scale), initialBps(engine, this.leverageLimit));
      maintenanceMargin += fraction(toUsd(BigInt(Math.abs(p.size)) * BigInt(mark), scale), maintenanceBps(engine));
    }
    const available = equity - initialMargin;
    return { collateral: this.collateral(account), equity, unrealized, initialMargin, maintenanceMargin, available: available > 0n ? available : 0n };
  }

  /**
   * Whether `account` may place this order on `engine`'s market. A reduce-only order, or one that
   * does not raise the account's worst-case exposure on the market, always passes.
   */
  check(engine: SimMatchingEngine, account: string, order: { side: OrderSide; size: number; price?: number; reduceOnly?: boolean }): MarginVerdict {
    if (order.reduceOnly === true) return 'ok';
    const before = exposureOf(engine, account);
    const after = exposureOf(engine, account, order);
    if (after <= before) return 'ok';
    const mark = engine.mid() ?? order.price;
    if (mark === undefined) return 'ok';
    const s = engine.market;
    const scale = s.priceScale + s.sizeScale;
    const price = order.side === 'buy' && order.price !== undefined ? Math.max(order.price, mark) : mark;
    const summary = this.summary(account);
    // The margin this market holds now (at the mark), replaced by what it would hold after the order.
    const held = fraction(toUsd(BigInt(before) * BigInt(markOf(engine, account) ?? mark), scale), initialBps(engine, this.leverageLimit));
    const otherIm = summary.initialMargin - held;
    const notional = toUsd(BigInt(after) * BigInt(price), scale);
    const fee = fraction(toUsd(BigInt(order.size) * BigInt(price), scale), Math.max(0, s.takerFeeBps));
    const equity = summary.equity - fee;
    if (otherIm + fraction(notional, marketInitialBps(engine)) > equity) return 'insufficient_margin';
    if (otherIm + fraction(notional, initialBps(engine, this.leverageLimit)) > equity) return 'max_leverage';
    return 'ok';
  }

  /**
   * The mark price at which the account's equity would meet its maintenance margin, everything
   * else held still (at the market's priceScale), or undefined when flat or never reached.
   */
  liquidationPrice(engine: SimMatchingEngine, account: string): number | undefined {
    const p = engine.position(account);
    const mark = markOf(engine, account);
    if (p.size === 0 || mark === undefined) return undefined;
    const s = engine.market;
    const scale = s.priceScale + s.sizeScale;
    const summary = this.summary(account);
    const ownMm = fraction(toUsd(BigInt(Math.abs(p.size)) * BigInt(mark), scale), maintenanceBps(engine));
    // In quote units at priceScale + sizeScale: E + size·(P − mark) = |size|·P·mmf + otherMm.
    const slack = fromUsd(summary.equity - (summary.maintenanceMargin - ownMm), scale);
    const size = BigInt(p.size);
    const mmf = BigInt(maintenanceBps(engine));
    let price: bigint;
    if (size > 0n) price = ((size * BigInt(mark) - slack) * 10_000n) / (size * (10_000n - mmf));
    else price = ((slack - size * BigInt(mark)) * 10_000n) / (-size * (10_000n + mmf));
    if (price <= 0n) return undefined;
    return Number(price);
  }

  /** A figure of this model as the decimal string the venues print. */
  static format(units: bigint, decimals = MARGIN_SCALE): string {
    const text = formatFixed(units, MARGIN_SCALE);
    if (decimals >= MARGIN_SCALE) return text;
    return text.slice(0, text.length - (MARGIN_SCALE - decimals) - (decimals === 0 ? 1 : 0));
  }
}

/** The market's initial margin fraction in bps (Lighter's units of 0.01 % are bps). */
export function marketInitialBps(engine: SimMatchingEngine): number {
  return engine.market.initialMarginBps ?? 500;
}

export function maintenanceBps(engine: SimMatchingEngine): number {
  return engine.market.maintenanceMarginBps ?? 120;
}

/** The fraction that applies: the market's, or the account's leverage limit where that is stricter. */
export function initialBps(engine: SimMatchingEngine, leverageLimit: number | undefined): number {
  const own = marketInitialBps(engine);
  return leverageLimit === undefined ? own : Math.max(own, Math.ceil(10_000 / leverageLimit));
}

/** The account's worst-case position size on the market, every open order filled (and `extra` too). */
function exposureOf(engine: SimMatchingEngine, account: string, extra?: { side: OrderSide; size: number }): number {
  const position = engine.position(account).size;
  let buys = 0;
  let sells = 0;
  for (const o of engine.openOrders(account)) {
    if (o.reduceOnly) continue;
    if (o.side === 'buy') buys += o.size - o.executedSize;
    else sells += o.size - o.executedSize;
  }
  if (extra !== undefined) {
    if (extra.side === 'buy') buys += extra.size;
    else sells += extra.size;
  }
  return Math.max(0, position + buys, -(position - sells));
}

function markOf(engine: SimMatchingEngine, account: string): number | undefined {
  const mid = engine.mid();
  if (mid !== undefined) return mid;
  const p = engine.position(account);
  return p.size === 0 ? undefined : Math.round(p.openNotional / p.size);
}

/** a / b rounded toward −∞ (b > 0). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Quote units at `scale` → MARGIN_SCALE, truncated toward zero. */
function toUsd(units: bigint, scale: number): bigint {
  return scale >= MARGIN_SCALE ? units / 10n ** BigInt(scale - MARGIN_SCALE) : units * 10n ** BigInt(MARGIN_SCALE - scale);
}

function fromUsd(units: bigint, scale: number): bigint {
  return scale >= MARGIN_SCALE ? units * 10n ** BigInt(scale - MARGIN_SCALE) : units / 10n ** BigInt(MARGIN_SCALE - scale);
}

/** amount · bps / 10^4, rounded up (a margin requirement never rounds in the trader's favour). */
function fraction(amount: bigint, bps: number): bigint {
  const b = BigInt(Math.round(bps * 100));
  const num = amount * b;
  const den = 1_000_000n;
  return num > 0n ? (num + den - 1n) / den : num / den;
}
