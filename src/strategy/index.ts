// The decision, pure: two books, two positions and the limits in; one intent (or the reason for
// none) out. No I/O and no clock: the caller passes `now` and the books' ages, so a test or a
// replay gets the same answer for the same state.
//
// Signals keep the reference's meaning, on executable prices: LONG_BACKPACK when the VWAP a sell of
// --size gets on Lighter exceeds the VWAP a buy of --size pays on Backpack by more than the long
// threshold; SHORT_BACKPACK is the mirror. Comparisons are exact integers at a common scale.

import { formatFixed, parseFixed, rescale } from '../core/fixed.js';
import { ParamError } from '../core/param-error.js';
import type { BookView, FillEstimate } from '../core/orderbook.js';
import type { OrderSide } from '../core/types.js';
import type { MarketSpec, VenueId } from '../venues/types.js';

export type Direction = 'LONG_BACKPACK' | 'SHORT_BACKPACK';

export interface StrategyInput {
  /** Decimal strings as typed on the command line. */
  size: string;
  longThreshold: string;
  shortThreshold: string;
  /** "0" = unlimited. */
  maxPosition: string;
  minEdgeBps: number;
  slippageBps: number;
  maxBookAgeMs: number;
}

/** Everything converted once onto both markets' grids. */
export interface StrategyParams {
  backpack: MarketSpec;
  lighter: MarketSpec;
  /** Common scales: every price and size compared at these. */
  priceScale: number;
  sizeScale: number;
  /** The order size on each venue's grid, and at the common size scale. */
  size: { backpack: number; lighter: number; common: number };
  /** Thresholds at the common price scale (quote per unit). */
  longThreshold: number;
  shortThreshold: number;
  /** |position| bound per venue at its size scale; undefined = unlimited. */
  maxPosition?: { backpack: number; lighter: number };
  fees: { backpackTakerBps: number; lighterTakerBps: number };
  minEdgeBps: number;
  slippageBps: number;
  maxBookAgeMs: number;
  /** 10^(common − venue) for sizes and for notionals (price·size): the exact moves onto the common scales. */
  toCommonSize: { backpack: number; lighter: number };
  toCommonNotional: { backpack: number; lighter: number };
}

/** A parameter that cannot work on these markets. Its text names parameters as {size}, {longThreshold}, …: see ParamError. */
export class StrategyConfigError extends ParamError {
  override name = 'StrategyConfigError';
  constructor(template: string) {
    super(template, 'config');
  }
}

export function strategyParams(input: StrategyInput, backpack: MarketSpec, lighter: MarketSpec, fees?: { backpackTakerBps?: number; lighterTakerBps?: number }): StrategyParams {
  const priceScale = Math.max(backpack.priceScale, lighter.priceScale);
  const sizeScale = Math.max(backpack.sizeScale, lighter.sizeScale);
  const onGrid = (m: MarketSpec): number => {
    let units: number;
    try {
      units = parseFixed(input.size, m.sizeScale);
    } catch {
      throw new StrategyConfigError(`{size} ${input.size} has more decimals than ${m.venue} ${m.symbol} allows (${m.sizeScale}) — use a size both venues can trade`);
    }
    if (units % m.stepSize !== 0)
      throw new StrategyConfigError(`{size} ${input.size} is not a multiple of the ${m.venue} step ${formatFixed(m.stepSize, m.sizeScale)} — pick a size on both venues' grids`);
    if (units < m.minSize) throw new StrategyConfigError(`{size} ${input.size} is below the ${m.venue} minimum ${formatFixed(m.minSize, m.sizeScale)} — raise {size}`);
    return units;
  };
  const size = { backpack: onGrid(backpack), lighter: onGrid(lighter), common: parseFixed(input.size, sizeScale) };
  // A threshold finer than the common price grid is rounded up: the bot then demands slightly more, never less.
  const threshold = (param: 'longThreshold' | 'shortThreshold', text: string) => {
    try {
      return parseFixed(text, priceScale, 'up');
    } catch {
      throw new StrategyConfigError(`{${param}} ${text} is not a usable price difference — write it in quote currency per unit, e.g. {${param}} 5`);
    }
  };
  let limit: number;
  try {
    limit = parseFixed(input.maxPosition, sizeScale, 'down');
  } catch {
    throw new StrategyConfigError(`{maxPosition} ${input.maxPosition} is not a usable size — write it in base units, e.g. {maxPosition} 0.1 (0 = unlimited)`);
  }
  if (limit < 0) throw new StrategyConfigError(`{maxPosition} ${input.maxPosition} is negative — give a bound ≥ 0 (0 = unlimited)`);
  if (limit !== 0 && limit < size.common)
    throw new StrategyConfigError(`{maxPosition} ${input.maxPosition} is below {size} ${input.size}, so no trade could ever open — raise {maxPosition} or use 0 for unlimited`);
  if (!(input.slippageBps > 0 && input.slippageBps < 10_000))
    throw new StrategyConfigError(`{slippageBps} ${input.slippageBps} must be above 0 and below 10000 — e.g. {slippageBps} 20`);
  const pow = (n: number) => 10 ** n; // exact: both scales are ≤ 18 and the differences here are small
  return {
    backpack,
    lighter,
    priceScale,
    sizeScale,
    size,
    longThreshold: threshold('longThreshold', input.longThreshold),
    shortThreshold: threshold('shortThreshold', input.shortThreshold),
    maxPosition: limit === 0 ? undefined : { backpack: rescale(limit, sizeScale, backpack.sizeScale, 'down'), lighter: rescale(limit, sizeScale, lighter.sizeScale, 'down') },
    fees: { backpackTakerBps: fees?.backpackTakerBps ?? backpack.takerFeeBps, lighterTakerBps: fees?.lighterTakerBps ?? lighter.takerFeeBps },
    minEdgeBps: input.minEdgeBps,
    slippageBps: input.slippageBps,
    maxBookAgeMs: input.maxBookAgeMs,
    toCommonSize: { backpack: pow(sizeScale - backpack.sizeScale), lighter: pow(sizeScale - lighter.sizeScale) },
    toCommonNotional: {
      backpack: pow(priceScale + sizeScale - backpack.priceScale - backpack.sizeScale),
      lighter: pow(priceScale + sizeScale - lighter.priceScale - lighter.sizeScale),
    },
  };
}

/** Round-trip taker cost per unit at a price, in quote currency (float, for the start-up warning). */
export function roundTripFeePerUnit(params: StrategyParams, price: number): number {
  return (price * (params.fees.backpackTakerBps + params.fees.lighterTakerBps)) / 10_000;
}

export interface VenueView {
  book: BookView;
  valid: boolean;
  /** ms since the latest book frame. */
  ageMs: number;
  /** Signed position at the venue's size scale. */
  position: number;
}

export interface LegIntent {
  side: OrderSide;
  size: number;
  worstPrice: number;
  /** What the book promised (notional at the venue's price+size scale). */
  expected: FillEstimate;
}

export interface Intent {
  direction: Direction;
  backpack: LegIntent;
  lighter: LegIntent;
  /** Quote per unit (floats, for logs and CSVs). */
  rawSpread: number;
  executableSpread: number;
  /** Expected profit of the pair after both taker fees, quote currency. */
  expectedEdge: number;
}

/** Why no trade: a code for the runtime to act on, and the values a person reads (see describeNoTrade). */
export type NoTrade =
  | { code: 'unresolved_legs' }
  | { code: 'halted' }
  | { code: 'exposure_open' }
  | { code: 'no_spread' }
  | { code: 'book_invalid' | 'book_empty_side' | 'book_crossed'; venue: VenueId }
  | { code: 'book_stale'; venue: VenueId; ageMs: number }
  | { code: 'notional_range'; direction: Direction }
  | { code: 'max_position'; direction: Direction }
  /** The spread passes the threshold but the expected edge after both taker fees does not beat the floor. */
  | { code: 'fees_exceed_edge'; direction: Direction; spread: number; edge: number; floor: number };

export type Decision = { kind: 'trade'; intent: Intent } | { kind: 'none'; reason: NoTrade };

const VENUE_NAME: Record<VenueId, string> = { backpack: 'Backpack', lighter: 'Lighter' };

/** One line on a NoTrade for logs; parameters appear by name (size, maxPosition). */
export function describeNoTrade(r: NoTrade): string {
  switch (r.code) {
    case 'unresolved_legs':
      return 'an earlier trade is unresolved';
    case 'halted':
      return 'entries halted';
    case 'exposure_open':
      return 'net exposure open; repair first';
    case 'no_spread':
      return 'no spread above threshold';
    case 'book_invalid':
      return `${VENUE_NAME[r.venue]} book invalid`;
    case 'book_empty_side':
      return `${VENUE_NAME[r.venue]} book has an empty side`;
    case 'book_crossed':
      return `${VENUE_NAME[r.venue]} book crossed`;
    case 'book_stale':
      return `${VENUE_NAME[r.venue]} book stale (${Math.round(r.ageMs)} ms)`;
    case 'notional_range':
      return `${r.direction}: notional beyond exact integer range — lower size`;
    case 'max_position':
      return `${r.direction} would exceed maxPosition`;
    case 'fees_exceed_edge':
      return `${r.direction} spread ${r.spread.toFixed(2)} does not pay the fees (edge ${r.edge.toFixed(4)} ≤ ${r.floor.toFixed(4)})`;
  }
}

export interface Spreads {
  /** Lighter bid − Backpack ask and Backpack bid − Lighter ask at the top, quote per unit (NaN without a book side). */
  rawLong: number;
  rawShort: number;
  /** The same on the VWAP that fills --size (NaN without the depth). */
  executableLong: number;
  executableShort: number;
}

// The reasons without values are shared constants: no allocation on the frames that do not trade.
const NONE_UNRESOLVED: Decision = { kind: 'none', reason: { code: 'unresolved_legs' } };
const NONE_HALTED: Decision = { kind: 'none', reason: { code: 'halted' } };
const NONE_EXPOSURE: Decision = { kind: 'none', reason: { code: 'exposure_open' } };
const NONE_NO_SPREAD: Decision = { kind: 'none', reason: { code: 'no_spread' } };
const NONE_BOOK: Record<'book_invalid' | 'book_empty_side' | 'book_crossed', Record<VenueId, Decision>> = {
  book_invalid: { backpack: { kind: 'none', reason: { code: 'book_invalid', venue: 'backpack' } }, lighter: { kind: 'none', reason: { code: 'book_invalid', venue: 'lighter' } } },
  book_empty_side: {
    backpack: { kind: 'none', reason: { code: 'book_empty_side', venue: 'backpack' } },
    lighter: { kind: 'none', reason: { code: 'book_empty_side', venue: 'lighter' } },
  },
  book_crossed: { backpack: { kind: 'none', reason: { code: 'book_crossed', venue: 'backpack' } }, lighter: { kind: 'none', reason: { code: 'book_crossed', venue: 'lighter' } } },
};

/** Raw and executable spreads in quote per unit, for the BBO file and the decision. */
export function spreads(params: StrategyParams, backpack: BookView, lighter: BookView): Spreads {
  const px = (v: number | undefined, m: MarketSpec) => (v === undefined ? NaN : v / 10 ** m.priceScale);
  const bpAsk = px(backpack.bestAsk, params.backpack);
  const bpBid = px(backpack.bestBid, params.backpack);
  const ltAsk = px(lighter.bestAsk, params.lighter);
  const ltBid = px(lighter.bestBid, params.lighter);
  const vwap = (book: BookView, side: OrderSide, m: MarketSpec, size: number) => {
    const f = book.estimateFill(side, size);
    return f.complete ? f.avgPrice / 10 ** m.priceScale : NaN;
  };
  return {
    rawLong: ltBid - bpAsk,
    rawShort: bpBid - ltAsk,
    executableLong: vwap(lighter, 'sell', params.lighter, params.size.lighter) - vwap(backpack, 'buy', params.backpack, params.size.backpack),
    executableShort: vwap(backpack, 'sell', params.backpack, params.size.backpack) - vwap(lighter, 'buy', params.lighter, params.size.lighter),
  };
}

/** What the runtime knows that the books do not: a trade still in flight, a halt. */
export interface EntryGate {
  /** An earlier trade's (or repair's) legs are not all resolved yet. */
  unresolvedLegs: boolean;
  /** Entries are halted (kill switch, venue down, exposure left open, authentication). */
  halted: boolean;
}

/** The guards of issue 7, then both signals in turn. Called on every book frame: no allocation but the answer. */
export function decide(params: StrategyParams, backpack: VenueView, lighter: VenueView, gate?: EntryGate): Decision {
  if (gate !== undefined) {
    if (gate.unresolvedLegs) return NONE_UNRESOLVED;
    if (gate.halted) return NONE_HALTED;
  }
  const blocked = guard('backpack', backpack, params) ?? guard('lighter', lighter, params);
  if (blocked !== undefined) return blocked;
  const exposure = backpack.position * params.toCommonSize.backpack + lighter.position * params.toCommonSize.lighter;
  if (Math.abs(exposure) > stepCommon(params)) return NONE_EXPOSURE;
  return tryDirection(params, backpack, lighter, 'LONG_BACKPACK') ?? tryDirection(params, backpack, lighter, 'SHORT_BACKPACK') ?? NONE_NO_SPREAD;
}

function guard(venue: VenueId, v: VenueView, params: StrategyParams): Decision | undefined {
  if (!v.valid) return NONE_BOOK.book_invalid[venue];
  if (v.book.bestBid === undefined || v.book.bestAsk === undefined) return NONE_BOOK.book_empty_side[venue];
  if (v.book.isCrossed()) return NONE_BOOK.book_crossed[venue];
  if (v.ageMs > params.maxBookAgeMs) return { kind: 'none', reason: { code: 'book_stale', venue, ageMs: v.ageMs } };
  return undefined;
}

/**
 * The reference's signal on the top of the book, exactly: LONG_BACKPACK when Lighter bid − Backpack
 * ask > long threshold, SHORT_BACKPACK when Backpack bid − Lighter ask > short threshold, '' otherwise
 * (or without both sides). For the BBO file; trades are decided on executable prices by decide().
 */
export function topOfBookSignal(params: StrategyParams, backpack: BookView, lighter: BookView): Direction | '' {
  const bpBid = backpack.bestBid;
  const bpAsk = backpack.bestAsk;
  const ltBid = lighter.bestBid;
  const ltAsk = lighter.bestAsk;
  const bpUp = 10 ** (params.priceScale - params.backpack.priceScale);
  const ltUp = 10 ** (params.priceScale - params.lighter.priceScale);
  if (ltBid !== undefined && bpAsk !== undefined && ltBid * ltUp - bpAsk * bpUp > params.longThreshold) return 'LONG_BACKPACK';
  if (bpBid !== undefined && ltAsk !== undefined && bpBid * bpUp - ltAsk * ltUp > params.shortThreshold) return 'SHORT_BACKPACK';
  return '';
}

/** A copy of a scratch fill (its five fields: estimateFillInto writes exactly these), as one literal of one shape. */
function copyFill(f: FillEstimate): FillEstimate {
  return { filled: f.filled, notional: f.notional, avgPrice: f.avgPrice, worstPrice: f.worstPrice, complete: f.complete };
}

/** tryDirection's fills, written on every call (decide() allocates nothing on a frame that does not trade). */
const BP_FILL: FillEstimate = { filled: 0, notional: 0, avgPrice: 0, worstPrice: 0, complete: false };
const LT_FILL: FillEstimate = { filled: 0, notional: 0, avgPrice: 0, worstPrice: 0, complete: false };

function tryDirection(params: StrategyParams, backpack: VenueView, lighter: VenueView, direction: Direction): Decision | undefined {
  const bpSide: OrderSide = direction === 'LONG_BACKPACK' ? 'buy' : 'sell';
  const ltSide: OrderSide = bpSide === 'buy' ? 'sell' : 'buy';
  const bpFill = backpack.book.estimateFillInto(bpSide, params.size.backpack, BP_FILL);
  const ltFill = lighter.book.estimateFillInto(ltSide, params.size.lighter, LT_FILL);
  if (!bpFill.complete || !ltFill.complete) return undefined;
  // Notionals at the common price + size scale: exact integers, comparable across venues.
  const bpNotional = bpFill.notional * params.toCommonNotional.backpack;
  const ltNotional = ltFill.notional * params.toCommonNotional.lighter;
  if (!Number.isSafeInteger(bpNotional) || !Number.isSafeInteger(ltNotional)) {
    return { kind: 'none', reason: { code: 'notional_range', direction } };
  }
  if (!spreadClears(params, direction, bpNotional, ltNotional)) return undefined;
  const unit = notionalUnit(params);
  const gross = grossOf(direction, bpNotional, ltNotional) / unit;
  const edge = edgeAfterFees(params, direction, bpNotional, ltNotional);
  const floor = edgeFloor(params, bpNotional, ltNotional);
  if (!(edge > floor)) return { kind: 'none', reason: { code: 'fees_exceed_edge', direction, spread: gross / (params.size.common / 10 ** params.sizeScale), edge, floor } };

  if (params.maxPosition !== undefined) {
    const bpAfter = backpack.position + (bpSide === 'buy' ? params.size.backpack : -params.size.backpack);
    const ltAfter = lighter.position + (ltSide === 'buy' ? params.size.lighter : -params.size.lighter);
    if (Math.abs(bpAfter) > params.maxPosition.backpack || Math.abs(ltAfter) > params.maxPosition.lighter) {
      return { kind: 'none', reason: { code: 'max_position', direction } };
    }
  }
  const size = params.size.common / 10 ** params.sizeScale;
  const top =
    direction === 'LONG_BACKPACK'
      ? lighter.book.bestBid! / 10 ** params.lighter.priceScale - backpack.book.bestAsk! / 10 ** params.backpack.priceScale
      : backpack.book.bestBid! / 10 ** params.backpack.priceScale - lighter.book.bestAsk! / 10 ** params.lighter.priceScale;
  return {
    kind: 'trade',
    intent: {
      direction,
      // The trade keeps copies: the scratch fills are written again on the next frame.
      backpack: legOf(params, 'backpack', bpSide, copyFill(bpFill)),
      lighter: legOf(params, 'lighter', ltSide, copyFill(ltFill)),
      rawSpread: top,
      executableSpread: gross / size,
      expectedEdge: edge,
    },
  };
}

// The checks of a trade's prices, shared by decide() and thresholdLevel() so both answer alike to
// the last bit. Notionals are at the common price + size scale.

/** The last common price + size scale asked for and its power of ten (notionalUnit). */
let unitScale = NaN;
let unitValue = 1;

/** 10 ** (price scale + size scale), the common notional's unit: the same number, remembered for the last scale (it is asked on every price check). */
function notionalUnit(params: StrategyParams): number {
  const scale = params.priceScale + params.sizeScale;
  if (scale !== unitScale) {
    unitValue = 10 ** scale;
    unitScale = scale;
  }
  return unitValue;
}

/** Sell notional − buy notional of a direction (common scale). */
function grossOf(direction: Direction, bpNotional: number, ltNotional: number): number {
  return direction === 'LONG_BACKPACK' ? ltNotional - bpNotional : bpNotional - ltNotional;
}

/** (sell − buy)/size > threshold  ⇔  sell − buy > threshold · size, exact integers at one scale. */
function spreadClears(params: StrategyParams, direction: Direction, bpNotional: number, ltNotional: number): boolean {
  const threshold = direction === 'LONG_BACKPACK' ? params.longThreshold : params.shortThreshold;
  return grossOf(direction, bpNotional, ltNotional) > threshold * params.size.common;
}

/** Expected profit of the pair after both taker fees, quote currency (float: compared, never sent). */
function edgeAfterFees(params: StrategyParams, direction: Direction, bpNotional: number, ltNotional: number): number {
  const unit = notionalUnit(params);
  const fees = (bpNotional * params.fees.backpackTakerBps + ltNotional * params.fees.lighterTakerBps) / 10_000 / unit;
  return grossOf(direction, bpNotional, ltNotional) / unit - fees;
}

/** The least edge --min-edge-bps asks of the pair, quote currency. */
function edgeFloor(params: StrategyParams, bpNotional: number, ltNotional: number): number {
  const unit = notionalUnit(params);
  return ((bpNotional + ltNotional) / 2 / unit) * (params.minEdgeBps / 10_000);
}

/** Every price check of decide() (threshold, then fees and --min-edge-bps) on these notionals. */
function pricesClear(params: StrategyParams, direction: Direction, bpNotional: number, ltNotional: number): boolean {
  return spreadClears(params, direction, bpNotional, ltNotional) && edgeAfterFees(params, direction, bpNotional, ltNotional) > edgeFloor(params, bpNotional, ltNotional);
}

/** The direction whose `venue` leg is a `side` order: LONG_BACKPACK buys Backpack and sells Lighter. */
export function directionOf(venue: VenueId, side: OrderSide): Direction {
  return (venue === 'backpack') === (side === 'buy') ? 'LONG_BACKPACK' : 'SHORT_BACKPACK';
}

/** The price iterations thresholdLevel() may walk from its estimate to the exact level (it is one or two off at most). */
const LEVEL_WALK_LIMIT = 64;

/**
 * The threshold level: the price on `venue`'s tick grid at which a `side` order of --size, filled
 * whole at that one level, would only just pass every price check of decide() — the threshold of
 * its direction, both taker fees and --min-edge-bps — against the other venue's executable fill
 * `otherNotional` (Σ price·size at that venue's own scales, as FillEstimate.notional gives it). For
 * a sell it is the lowest such price, for a buy the highest. Undefined when no positive price
 * passes (fees at or above 100 %, a notional beyond the exact integer range).
 *
 * Exact: an estimate from the closed form picks a tick, then the very checks decide() makes settle
 * it, so a book whose --size fills at this level trades and one a tick worse does not.
 */
export function thresholdLevel(params: StrategyParams, venue: VenueId, side: OrderSide, otherNotional: number): number | undefined {
  const other: VenueId = venue === 'backpack' ? 'lighter' : 'backpack';
  const direction = directionOf(venue, side);
  const m = params[venue];
  const tick = m.tickSize;
  const otherCommon = otherNotional * params.toCommonNotional[other];
  // The common notional of --size on `venue` per unit of its price.
  const perPrice = params.size[venue] * params.toCommonNotional[venue];
  if (!Number.isSafeInteger(otherCommon) || !Number.isSafeInteger(perPrice) || perPrice <= 0) return undefined;
  const feeOwn = (venue === 'backpack' ? params.fees.backpackTakerBps : params.fees.lighterTakerBps) / 10_000;
  const feeOther = (venue === 'backpack' ? params.fees.lighterTakerBps : params.fees.backpackTakerBps) / 10_000;
  const halfEdge = params.minEdgeBps / 20_000;
  const thresholdTimesSize = (direction === 'LONG_BACKPACK' ? params.longThreshold : params.shortThreshold) * params.size.common;
  // The closed form on the reals (an estimate only; the checks below decide).
  let estimate: number;
  if (side === 'sell') {
    const denominator = 1 - feeOwn - halfEdge;
    if (!(denominator > 0)) return undefined;
    estimate = Math.max(otherCommon + thresholdTimesSize, (otherCommon * (1 + feeOther + halfEdge)) / denominator) / perPrice;
  } else {
    estimate = Math.min(otherCommon - thresholdTimesSize, (otherCommon * (1 - feeOther - halfEdge)) / (1 + feeOwn + halfEdge)) / perPrice;
  }
  if (!Number.isFinite(estimate)) return undefined;
  let price = Math.max(tick, Math.round(estimate / tick) * tick);
  let steps = 0;
  if (side === 'sell') {
    // The lowest passing price: up until it passes, then down while the tick below still passes.
    while (!levelPasses(params, venue, direction, perPrice, otherCommon, price)) {
      price += tick;
      if (++steps > LEVEL_WALK_LIMIT) return undefined;
    }
    while (price - tick >= tick && levelPasses(params, venue, direction, perPrice, otherCommon, price - tick)) {
      price -= tick;
      if (++steps > LEVEL_WALK_LIMIT) return undefined;
    }
  } else {
    // The highest passing price: down until it passes, then up while the tick above still passes.
    while (!levelPasses(params, venue, direction, perPrice, otherCommon, price)) {
      price -= tick;
      if (price < tick || ++steps > LEVEL_WALK_LIMIT) return undefined;
    }
    while (levelPasses(params, venue, direction, perPrice, otherCommon, price + tick)) {
      price += tick;
      if (++steps > LEVEL_WALK_LIMIT) return undefined;
    }
  }
  return price;
}

/** Whether `venue`'s leg filled whole at `price` passes every price check of decide() (thresholdLevel; a function, not a closure per call). */
function levelPasses(params: StrategyParams, venue: VenueId, direction: Direction, perPrice: number, otherCommon: number, price: number): boolean {
  const own = price * perPrice;
  if (!Number.isSafeInteger(own)) return false;
  return venue === 'backpack' ? pricesClear(params, direction, own, otherCommon) : pricesClear(params, direction, otherCommon, own);
}

/**
 * The worst price a `side` leg on `venue` may carry and still be one the trader's settings accept:
 * the threshold level (thresholdLevel) with the usual slippage allowance (worstPrice). An order
 * signed ahead with a bound between this and the bound of the current book can be sent as it is.
 */
export function thresholdBound(params: StrategyParams, venue: VenueId, side: OrderSide, otherNotional: number): number | undefined {
  const level = thresholdLevel(params, venue, side, otherNotional);
  return level === undefined ? undefined : worstPrice(level, side, params[venue], params.slippageBps);
}

/** thresholdBound() against the other venue's book as it stands: its fill of --size on the opposite side. */
export function thresholdBoundOn(params: StrategyParams, venue: VenueId, side: OrderSide, otherBook: BookView): number | undefined {
  const other: VenueId = venue === 'backpack' ? 'lighter' : 'backpack';
  const fill = otherBook.estimateFill(side === 'buy' ? 'sell' : 'buy', params.size[other]);
  return fill.complete ? thresholdBound(params, venue, side, fill.notional) : undefined;
}

function legOf(params: StrategyParams, venue: VenueId, side: OrderSide, fill: FillEstimate): LegIntent {
  return { side, size: params.size[venue], worstPrice: worstPrice(fill.worstPrice, side, params[venue], params.slippageBps), expected: fill };
}

/**
 * The leg decide() would send on `venue` for `side` if a trade started on this book now — thresholds,
 * fees and limits aside — or undefined when the book cannot fill --size. Venues sign it ahead.
 */
export function legFor(params: StrategyParams, venue: VenueId, book: BookView, side: OrderSide): LegIntent | undefined {
  const fill = book.estimateFill(side, params.size[venue]);
  return fill.complete ? legOf(params, venue, side, fill) : undefined;
}

/**
 * The slippage bound beyond the last level the book needs: `slippageBps` away from it, on the tick.
 * Rounded away from the market (a buy's cap up, a sell's floor down), so the bound never ends up
 * tighter than the level the order must reach: a leg refused by its own bound would leave the
 * other leg naked, while the extra allowance is less than one tick. Exact integer arithmetic.
 */
export function worstPrice(levelPrice: number, side: OrderSide, m: MarketSpec, slippageBps: number): number {
  // Basis points carried in hundredths so a fractional --slippage-bps (e.g. 2.5) stays exact.
  const hundredths = Math.round(slippageBps * 100);
  const factor = side === 'buy' ? 1_000_000 + hundredths : 1_000_000 - hundredths;
  const denominator = 1_000_000 * m.tickSize;
  const scaled = levelPrice * factor;
  let ticks: number;
  if (Number.isSafeInteger(scaled) && Number.isSafeInteger(denominator)) {
    ticks = Math.floor(scaled / denominator);
    // The float quotient can be one off near an integer; settle it on the exact integers.
    while (ticks * denominator > scaled) ticks--;
    while ((ticks + 1) * denominator <= scaled) ticks++;
    if (side === 'buy' && ticks * denominator < scaled) ticks++;
  } else {
    const a = BigInt(levelPrice) * BigInt(factor);
    const d = BigInt(denominator);
    let q = a / d;
    if (side === 'buy' && q * d < a) q++;
    ticks = Number(q);
  }
  return Math.max(m.tickSize, ticks * m.tickSize);
}

/** A venue's size (its own scale) at the common size scale. */
export function toCommon(size: number, m: MarketSpec, params: StrategyParams): number {
  return size * params.toCommonSize[m.venue];
}

/** Net exposure across both venues at the common size scale (long > 0). */
export function netExposure(params: StrategyParams, backpackPosition: number, lighterPosition: number): number {
  return backpackPosition * params.toCommonSize.backpack + lighterPosition * params.toCommonSize.lighter;
}

/**
 * Start-up warnings on parameters that are legal but will not do what the trader may expect: a
 * threshold below the round-trip taker fees at `price` (quote per unit, e.g. the mid) means the
 * fee check, not the threshold, decides.
 */
export function startupWarnings(params: StrategyParams, input: Pick<StrategyInput, 'longThreshold' | 'shortThreshold'>, price: number): string[] {
  const feeCost = roundTripFeePerUnit(params, price);
  const out: string[] = [];
  for (const [flag, value, units] of [
    ['longThreshold', input.longThreshold, params.longThreshold],
    ['shortThreshold', input.shortThreshold, params.shortThreshold],
  ] as const) {
    if (units / 10 ** params.priceScale < feeCost) {
      out.push(
        `{${flag}} ${value} is below the round-trip taker fees (≈ ${feeCost.toFixed(2)} per unit at ${price.toFixed(2)}: Backpack ${params.fees.backpackTakerBps} + Lighter ${params.fees.lighterTakerBps} bps); only spreads that also beat the fees will trade`,
      );
    }
  }
  return out;
}

/** One size step of the coarser venue, at the common size scale: the exposure the legs may differ by. */
export function stepCommon(params: StrategyParams): number {
  return Math.max(toCommon(params.backpack.stepSize, params.backpack, params), toCommon(params.lighter.stepSize, params.lighter, params)) - 1;
}
