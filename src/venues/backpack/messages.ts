// Every Backpack wire shape the adapter reads, and its parser: any JSON value in, a typed message
// or a refusal out, never a throw. Book sync, execution and account see only accepted values.
// Shapes: spec §6 (streams: depth, bookTicker, markPrice, account order and position updates), §7
// (GET /api/v1/depth) and §4, §8 (the REST replies: markets, account, position, collateral, mark
// prices, orders, order and fill history), as in the captured fixtures
// test/fixtures/vectors/backpack/ws_messages.json and rest_responses.json.

import { decimalsOf, parseFixed } from '../../core/fixed.js';
import type { Level } from '../../core/orderbook.js';
import { accepted, fieldsOf, isDecimalText, preview, refused, type Parsed } from '../messages.js';
import {
  ch,
  key,
  keyIs,
  levelsAt,
  load,
  onlyWsFrom,
  LevelBuffer,
  memberKey,
  plainEnd,
  read,
  readDecimal,
  readDigits,
  readInteger,
  skipValue,
  textIs,
  units16,
  ws,
} from '../scan.js';

/** A [price, quantity] row, both decimals as the venue wrote them. */
export type DepthRow = readonly [string, string];

/** The fields of a depth event the book needs (spec §7); decimals as strings. */
export interface DepthEvent {
  U: number;
  u: number;
  b: readonly DepthRow[];
  a: readonly DepthRow[];
}

/**
 * A depth event whose rows are already fixed-point integers at the book's scales (DepthScan
 * fixedEvent): what the book sync makes of a DepthEvent's rows with parseFixed, read straight from
 * the frame's text. Only made when every row is on the grid and in range; otherwise the event keeps
 * its text rows, and the book sync refuses them as before.
 */
export interface FixedDepthEvent {
  fixed: true;
  U: number;
  u: number;
  b: readonly Level[];
  a: readonly Level[];
}

/** A depth snapshot with fixed-point rows (DepthScan fixedSnapshot; see FixedDepthEvent). */
export interface FixedDepthSnapshot {
  fixed: true;
  lastUpdateId: number;
  bids: readonly Level[];
  asks: readonly Level[];
}

/** A GET /api/v1/depth body (spec §7 step 3). */
export interface DepthSnapshot {
  lastUpdateId: number;
  bids: readonly DepthRow[];
  asks: readonly DepthRow[];
}

/** bookTicker.<symbol> (spec §6.4): the venue's best prices; a side it leaves out is undefined. */
export interface BookTicker {
  bid?: string;
  ask?: string;
  /** The ticker's update id, as sent (a number or digit string; compared, never computed with). */
  u?: number | string;
}

/** markPrice.<symbol> (spec §8): the mark price `p`. */
export interface MarkPrice {
  p: string;
}

/** Update ids: non-negative safe integers, sent as numbers or digit strings. */
function updateId(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function rows(value: unknown, field: string): Parsed<DepthRow[]> {
  if (value === undefined || value === null) return accepted([]);
  if (!Array.isArray(value)) return refused(`depth ${field} is not an array of [price, quantity]`);
  const out: DepthRow[] = [];
  for (const row of value as unknown[]) {
    if (!Array.isArray(row) || row.length < 2 || !isDecimalText(row[0]) || !isDecimalText(row[1])) {
      return refused(`depth ${field} row ${preview(row, 60)} is not [price, quantity] decimal strings`);
    }
    out.push([row[0], row[1]]);
  }
  return accepted(out);
}

/** One depth frame's `data` (spec §7). */
export function readDepthEvent(data: unknown): Parsed<DepthEvent> {
  const d = fieldsOf(data);
  if (d === undefined) return refused(`depth frame has no data object: ${preview(data)}`);
  const U = updateId(d.U);
  if (U === undefined) return refused(`depth U ${preview(d.U)} is not an update id`);
  const u = updateId(d.u);
  if (u === undefined) return refused(`depth u ${preview(d.u)} is not an update id`);
  if (u < U) return refused(`depth event has u ${u} below U ${U}`);
  const b = rows(d.b, 'b');
  if (!b.ok) return b;
  const a = rows(d.a, 'a');
  if (!a.ok) return a;
  return accepted({ U, u, b: b.value, a: a.value });
}

/** A GET /api/v1/depth body (spec §7). */
export function readDepthSnapshot(body: unknown): Parsed<DepthSnapshot> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`depth snapshot is not an object: ${preview(body)}`);
  const lastUpdateId = updateId(d.lastUpdateId);
  if (lastUpdateId === undefined) return refused(`depth snapshot lastUpdateId ${preview(d.lastUpdateId)} is not an update id`);
  const bids = rows(d.bids, 'bids');
  if (!bids.ok) return bids;
  const asks = rows(d.asks, 'asks');
  if (!asks.ok) return asks;
  return accepted({ lastUpdateId, bids: bids.value, asks: asks.value });
}

// ---------------------------------------------------------------- depth straight from its text

/**
 * A depth frame or snapshot as scanDepthEvent / scanDepthSnapshot read it from its text; reused
 * frame after frame. `event()` / `snapshot()` make the parser's value of it.
 */
export class DepthScan {
  text = '';
  /** U and u of an event; lastUpdateId of a snapshot in `u`. */
  U = 0;
  u = 0;
  /** An event's b and a, or a snapshot's bids and asks. */
  readonly bids = new LevelBuffer();
  readonly asks = new LevelBuffer();
  streamStart = 0;
  streamEnd = 0;

  /** The frame's stream is `name` (compared in the text). */
  streamIs(name: string): boolean {
    return this.streamEnd - this.streamStart === name.length && this.text.startsWith(name, this.streamStart);
  }

  get stream(): string {
    return this.text.slice(this.streamStart, this.streamEnd);
  }

  /** readDepthEvent's accepted value for the frame's `data`. */
  event(): DepthEvent {
    return { U: this.U, u: this.u, b: rowsOf(this.text, this.bids), a: rowsOf(this.text, this.asks) };
  }

  /** readDepthSnapshot's accepted value for the body. */
  snapshot(): DepthSnapshot {
    return { lastUpdateId: this.u, bids: rowsOf(this.text, this.bids), asks: rowsOf(this.text, this.asks) };
  }

  /** The event with its rows at these scales, as the book sync's parseFixed reads them; undefined when a row is off that grid or out of range (then event()). */
  fixedEvent(priceScale: number, sizeScale: number): FixedDepthEvent | undefined {
    const b = levelsAt(this.bids, priceScale, sizeScale);
    const a = b === undefined ? undefined : levelsAt(this.asks, priceScale, sizeScale);
    return a === undefined ? undefined : { fixed: true, U: this.U, u: this.u, b: b!, a };
  }

  /** The snapshot with its rows at these scales; undefined when a row is off that grid or out of range (then snapshot()). */
  fixedSnapshot(priceScale: number, sizeScale: number): FixedDepthSnapshot | undefined {
    const bids = levelsAt(this.bids, priceScale, sizeScale);
    const asks = bids === undefined ? undefined : levelsAt(this.asks, priceScale, sizeScale);
    return asks === undefined ? undefined : { fixed: true, lastUpdateId: this.u, bids: bids!, asks };
  }
}

function rowsOf(text: string, buf: LevelBuffer): DepthRow[] {
  const out: DepthRow[] = [];
  const at = buf.at;
  for (let j = 0; j < buf.n * 4; j += 4) out.push([text.slice(at[j], at[j + 1]), text.slice(at[j + 2], at[j + 3])]);
  return out;
}

const NULL = units16('null');
const K_DATA = units16('data');
const K_STREAM = units16('stream');
const K_ERROR = units16('error');
const K_LAST_UPDATE_ID = units16('lastUpdateId');
const K_BIDS = units16('bids');
const K_ASKS = units16('asks');

/**
 * An update id at `i` (updateId above): a plain integer number, or a string of 1 to 16 digits,
 * that is a safe integer and not negative, into read.v; the index after it, or -1 (declined).
 */
function scanUpdateId(i: number): number {
  if (ch(i) !== 34) {
    const j = readInteger(i);
    return j >= 0 && read.v >= 0 ? j : -1;
  }
  const j = readDigits(i + 1);
  if (j < 0 || j - i - 1 > 16 || ch(j) !== 34) return -1;
  return j + 1;
}

/** At `i`: `null` (no rows) or an array of rows whose first two entries are decimal strings (more entries skipped); the index after it, or -1. */
function scanRows(i: number, into: LevelBuffer): number {
  const c = ch(i);
  if (c === 110) return textIs(i, NULL) ? i + 4 : -1; // null: no rows, as rows() has it
  if (c !== 91) return -1;
  i = ws(i + 1);
  if (ch(i) === 93) return i + 1;
  for (;;) {
    if (ch(i) !== 91) return -1;
    i = ws(i + 1);
    if (ch(i) !== 34) return -1;
    i = readDecimal(i + 1);
    if (i < 0) return -1;
    const pm = read.v;
    const pf = read.f;
    const ps = read.start;
    const pe = read.end;
    i = ws(i);
    if (ch(i) !== 44) return -1;
    i = ws(i + 1);
    if (ch(i) !== 34) return -1;
    i = readDecimal(i + 1);
    if (i < 0) return -1;
    into.push(pm, pf, ps, pe, read.v, read.f, read.start, read.end);
    for (;;) {
      i = ws(i);
      const d = ch(i);
      if (d === 93) break;
      if (d !== 44) return -1;
      i = skipValue(i + 1);
      if (i < 0) return -1;
    }
    i = ws(i + 1);
    const d = ch(i);
    if (d === 93) return i + 1;
    if (d !== 44) return -1;
    i = ws(i + 1);
  }
}

/**
 * Reads a `{"stream": …, "data": {…}}` depth frame (spec §6, §7; the shape of the captured
 * test/fixtures/vectors/backpack/ws_messages.json depth event and of what src/sim/backpack sends)
 * straight from its text into `out`, in one pass. True when read; false (declined) for anything it
 * does not read exactly as JSON.parse and readDepthEvent would — a top-level `error`, a key it
 * reads given twice, escapes in keys or read strings, ids past 2^53 − 1 or u below U, rows that
 * are not decimal-string pairs, invalid JSON — and the caller parses it the usual way. Keys in any
 * order; unknown keys' values skipped, checked. The stream's name is for the caller to check.
 */
export function scanDepthEvent(text: string, out: DepthScan): boolean {
  if (!load(text)) return false;
  out.text = text;
  out.bids.clear();
  out.asks.clear();
  let i = ws(0);
  if (ch(i) !== 123) return false;
  i = ws(i + 1);
  let seen = 0;
  for (;;) {
    i = memberKey(i);
    if (i < 0) return false;
    if (keyIs(K_DATA)) {
      if (seen & 2) return false;
      seen |= 2;
      i = scanDepthData(i, out);
    } else if (keyIs(K_STREAM)) {
      if (seen & 1 || ch(i) !== 34) return false;
      seen |= 1;
      const ve = plainEnd(i + 1);
      if (ve < 0) return false;
      out.streamStart = i + 1;
      out.streamEnd = ve;
      i = ve + 1;
    } else if (keyIs(K_ERROR)) {
      return false;
    } else i = skipValue(i);
    if (i < 0) return false;
    i = ws(i);
    const c = ch(i);
    if (c === 125) break;
    if (c !== 44) return false;
    i = ws(i + 1);
  }
  return seen === 3 && onlyWsFrom(i + 1);
}

function scanDepthData(i: number, out: DepthScan): number {
  if (ch(i) !== 123) return -1;
  i = ws(i + 1);
  let seen = 0;
  for (;;) {
    i = memberKey(i);
    if (i < 0) return -1;
    const k = key.len === 1 ? ch(key.at) : 0;
    if (k === 85) {
      // U
      if (seen & 1) return -1;
      seen |= 1;
      i = scanUpdateId(i);
      out.U = read.v;
    } else if (k === 117) {
      // u
      if (seen & 2) return -1;
      seen |= 2;
      i = scanUpdateId(i);
      out.u = read.v;
    } else if (k === 98) {
      // b
      if (seen & 4) return -1;
      seen |= 4;
      i = scanRows(i, out.bids);
    } else if (k === 97) {
      // a
      if (seen & 8) return -1;
      seen |= 8;
      i = scanRows(i, out.asks);
    } else i = skipValue(i);
    if (i < 0) return -1;
    i = ws(i);
    const c = ch(i);
    if (c === 125) return (seen & 3) === 3 && out.u >= out.U ? i + 1 : -1;
    if (c !== 44) return -1;
    i = ws(i + 1);
  }
}

/**
 * Reads a GET /api/v1/depth body (spec §7; test/fixtures/vectors/backpack/rest_responses.json)
 * straight from its text: lastUpdateId (into `u`), bids, asks; declines as scanDepthEvent does.
 */
export function scanDepthSnapshot(text: string, out: DepthScan): boolean {
  if (!load(text)) return false;
  out.text = text;
  out.bids.clear();
  out.asks.clear();
  out.streamStart = 0;
  out.streamEnd = 0;
  let i = ws(0);
  if (ch(i) !== 123) return false;
  i = ws(i + 1);
  let seen = 0;
  for (;;) {
    i = memberKey(i);
    if (i < 0) return false;
    if (keyIs(K_LAST_UPDATE_ID)) {
      if (seen & 1) return false;
      seen |= 1;
      i = scanUpdateId(i);
      out.u = read.v;
    } else if (keyIs(K_BIDS)) {
      if (seen & 2) return false;
      seen |= 2;
      i = scanRows(i, out.bids);
    } else if (keyIs(K_ASKS)) {
      if (seen & 4) return false;
      seen |= 4;
      i = scanRows(i, out.asks);
    } else i = skipValue(i);
    if (i < 0) return false;
    i = ws(i);
    const c = ch(i);
    if (c === 125) break;
    if (c !== 44) return false;
    i = ws(i + 1);
  }
  return (seen & 1) === 1 && onlyWsFrom(i + 1);
}

/** A bookTicker frame's `data` (spec §6.4). A side that is not a string is left out (the check keeps its previous price); a string that is not a decimal refuses the frame. */
export function readBookTicker(data: unknown): Parsed<BookTicker> {
  const d = fieldsOf(data);
  if (d === undefined) return refused(`bookTicker frame has no data object: ${preview(data)}`);
  if (typeof d.b === 'string' && !isDecimalText(d.b)) return refused(`bookTicker b ${preview(d.b)} is not a decimal string`);
  if (typeof d.a === 'string' && !isDecimalText(d.a)) return refused(`bookTicker a ${preview(d.a)} is not a decimal string`);
  const u = typeof d.u === 'number' || typeof d.u === 'string' ? d.u : undefined;
  return accepted({ bid: typeof d.b === 'string' ? d.b : undefined, ask: typeof d.a === 'string' ? d.a : undefined, u });
}

/** A markPrice frame's `data` (spec §8). */
export function readMarkPrice(data: unknown): Parsed<MarkPrice> {
  const p = fieldsOf(data)?.p;
  if (!isDecimalText(p)) return refused(`markPrice frame lacks the mark price p: ${preview(data, 120)}`);
  return accepted({ p });
}

/** A signed decimal as the venue writes positions: an optional minus, digits, optionally a fraction. */
function signedDecimal(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  return typeof text === 'string' && text.length <= 64 && /^-?\d+(\.\d+)?$/.test(text) ? text : undefined;
}

/** One fill an account.orderUpdate event reports (spec §6.5 `orderFill`): its trade id, fee and size. */
export interface OrderFill {
  /** `t`, deduplicated on: a fill delivered twice counts once. */
  tradeId: string;
  /** `n`, in `feeSymbol` (a float: reporting only). */
  fee: number;
  feeSymbol?: string;
  /** `l`, the fill's size, as sent. */
  size?: string;
}

/** account.orderUpdate (spec §6.5), for an order with our clientId `c`. */
export interface OrderUpdate {
  clientId: string;
  /** `X`. */
  status?: string;
  /** `z` and `Z`: cumulative executed size and quote, as sent. */
  executed?: string;
  executedQuote?: string;
  /** `i`. */
  orderId?: string;
  fill?: OrderFill;
}

/**
 * An account.orderUpdate event's `data`; `null` for an event without a clientId (not an order of
 * ours). A field of the wrong type is left out, as a field the event does not carry; a size or
 * quote that is not a decimal, or a fill whose fee is no number, refuses the event.
 */
export function readOrderUpdate(data: unknown): Parsed<OrderUpdate | null> {
  const d = fieldsOf(data);
  if (d === undefined) return refused(`orderUpdate frame has no data object: ${preview(data)}`);
  if (d.c === undefined || d.c === null) return accepted(null);
  if (typeof d.c !== 'number' && typeof d.c !== 'string') return refused(`orderUpdate clientId c ${preview(d.c)} is not an id`);
  const update: OrderUpdate = { clientId: String(d.c) };
  if (typeof d.X === 'string') update.status = d.X;
  for (const [field, key] of [
    ['z', 'executed'],
    ['Z', 'executedQuote'],
  ] as const) {
    const v = d[field];
    if (typeof v !== 'string') continue;
    if (!isDecimalText(v)) return refused(`orderUpdate ${field} ${preview(v)} is not a decimal string`);
    update[key] = v;
  }
  if (typeof d.i === 'string') update.orderId = d.i;
  if (d.t !== undefined && d.t !== null && (typeof d.n === 'string' || typeof d.n === 'number')) {
    const fee = Number(d.n);
    if (!Number.isFinite(fee) || (typeof d.n === 'string' && !/^-?\d+(\.\d+)?$/.test(d.n))) return refused(`orderUpdate fee n ${preview(d.n)} is not a number`);
    if (typeof d.t !== 'string' && typeof d.t !== 'number') return refused(`orderUpdate trade id t ${preview(d.t)} is not an id`);
    const fill: OrderFill = { tradeId: String(d.t), fee };
    if (typeof d.N === 'string') fill.feeSymbol = d.N;
    if (typeof d.l === 'string') {
      if (!isDecimalText(d.l)) return refused(`orderUpdate fill size l ${preview(d.l)} is not a decimal string`);
      fill.size = d.l;
    }
    update.fill = fill;
  }
  return accepted(update);
}

/** One position of account.positionUpdate (spec §6.5): symbol `s` and signed quantity `q`, as sent. */
export interface PositionUpdate {
  symbol: string;
  quantity: string;
}

/**
 * An account.positionUpdate event's `data` (one position or a list). Items without a symbol or a
 * quantity are left out; a quantity that is not a signed decimal refuses the event.
 */
export function readPositionUpdate(data: unknown): Parsed<PositionUpdate[]> {
  const items = Array.isArray(data) ? (data as unknown[]) : [data];
  const out: PositionUpdate[] = [];
  for (const item of items) {
    const p = fieldsOf(item);
    if (p === undefined || typeof p.s !== 'string' || p.q === undefined || p.q === null) continue;
    const quantity = signedDecimal(p.q);
    if (quantity === undefined) return refused(`positionUpdate ${p.s.slice(0, 40)} quantity q ${preview(p.q)} is not a signed decimal`);
    out.push({ symbol: p.s, quantity });
  }
  return accepted(out);
}

// ---------------------------------------------------------------- REST replies

/** A market's grid from its /api/v1/markets entry: scales from tickSize and stepSize, integers at them. */
export interface MarketGrid {
  symbol: string;
  priceScale: number;
  sizeScale: number;
  /** Positive, at priceScale. */
  tickSize: number;
  /** Positive, at sizeScale. */
  stepSize: number;
  /** At sizeScale, rounded up onto the grid. */
  minSize: number;
}

/** One /api/v1/markets entry (spec §4): `filters.price.tickSize`, `filters.quantity.stepSize` and `minQuantity`. */
export function readMarketGrid(entry: unknown): Parsed<MarketGrid> {
  const m = fieldsOf(entry);
  const symbol = m?.symbol;
  const filters = fieldsOf(m?.filters);
  const tick = fieldsOf(filters?.price)?.tickSize;
  const quantity = fieldsOf(filters?.quantity);
  const step = quantity?.stepSize;
  const min = quantity?.minQuantity;
  const name = typeof symbol === 'string' ? symbol.slice(0, 40) : preview(symbol, 40);
  if (typeof symbol !== 'string' || !isDecimalText(tick) || !isDecimalText(step) || !isDecimalText(min)) {
    return refused(`market ${name} lacks symbol/tickSize/stepSize/minQuantity strings`);
  }
  try {
    const priceScale = decimalsOf(tick);
    const sizeScale = decimalsOf(step);
    const grid = { symbol, priceScale, sizeScale, tickSize: parseFixed(tick, priceScale), stepSize: parseFixed(step, sizeScale), minSize: parseFixed(min, sizeScale, 'up') };
    if (grid.tickSize <= 0 || grid.stepSize <= 0) return refused(`market ${name} has a zero tickSize or stepSize`);
    return accepted(grid);
  } catch (e) {
    return refused(`market ${name} grid unreadable: ${(e as Error).message.slice(0, 120)}`);
  }
}

/** A market as GET /api/v1/markets lists it: its symbol, book state, grid (or why not) and price filter. */
export interface ListedMarket {
  symbol: string;
  orderBookState?: string;
  grid: Parsed<MarketGrid>;
  /** `filters.price` as sent: price-bands.ts reads it. */
  priceFilter: unknown;
}

/** GET /api/v1/markets: an array; entries without a symbol are left out. */
export function readMarkets(body: unknown): Parsed<ListedMarket[]> {
  if (!Array.isArray(body)) return refused(`markets is not an array: ${preview(body)}`);
  const out: ListedMarket[] = [];
  for (const entry of body as unknown[]) {
    const m = fieldsOf(entry);
    if (m === undefined || typeof m.symbol !== 'string') continue;
    const listed: ListedMarket = { symbol: m.symbol, grid: readMarketGrid(m), priceFilter: fieldsOf(m.filters)?.price };
    if (typeof m.orderBookState === 'string') listed.orderBookState = m.orderBookState;
    out.push(listed);
  }
  return accepted(out);
}

/** The account's futures fees (GET /api/v1/account `futuresTakerFee`, `futuresMakerFee`), in bps; undefined when not both are numbers. */
export interface AccountFees {
  fees?: { takerBps: number; makerBps: number };
}

function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  return typeof value === 'string' && value.length <= 64 && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
}

export function readAccountFees(body: unknown): Parsed<AccountFees> {
  const a = fieldsOf(body);
  if (a === undefined) return refused(`account is not an object: ${preview(body)}`);
  const takerBps = finiteNumber(a.futuresTakerFee);
  const makerBps = finiteNumber(a.futuresMakerFee);
  return accepted(takerBps === undefined || makerBps === undefined ? {} : { fees: { takerBps, makerBps } });
}

/** GET /api/v1/position: the signed `netQuantity` of `symbol` as sent, undefined when it is not listed (flat). */
export function readPosition(body: unknown, symbol: string): Parsed<string | undefined> {
  if (!Array.isArray(body)) return refused(`position is not an array: ${preview(body)}`);
  for (const entry of body as unknown[]) {
    const row = fieldsOf(entry);
    if (row === undefined || row.symbol !== symbol) continue;
    const quantity = typeof row.netQuantity === 'string' ? signedDecimal(row.netQuantity) : undefined;
    if (quantity === undefined) return refused(`position for ${symbol} lacks netQuantity (a signed decimal string): ${preview(row.netQuantity)}`);
    return accepted(quantity);
  }
  return accepted(undefined);
}

/** GET /api/v1/capital/collateral: the account's net equity and what of it is free, decimals as sent. */
export interface Collateral {
  netEquity: string;
  netEquityAvailable: string;
}

export function readCollateral(body: unknown): Parsed<Collateral> {
  const c = fieldsOf(body);
  const netEquity = typeof c?.netEquity === 'string' ? signedDecimal(c.netEquity) : undefined;
  const netEquityAvailable = typeof c?.netEquityAvailable === 'string' ? signedDecimal(c.netEquityAvailable) : undefined;
  if (netEquity === undefined || netEquityAvailable === undefined) return refused(`collateral reply lacks netEquity/netEquityAvailable decimal strings: ${preview(body)}`);
  return accepted({ netEquity, netEquityAvailable });
}

/** One market of GET /api/v1/markPrices: mark price and funding rate as sent, the next funding time in Unix ms. */
export interface MarkAndFunding {
  markPrice: string;
  fundingRate: string;
  nextFundingTimestamp: number;
}

export function readMarkPrices(body: unknown, symbol: string): Parsed<MarkAndFunding> {
  const rows: unknown[] = Array.isArray(body) ? (body as unknown[]) : [];
  for (const entry of rows) {
    const row = fieldsOf(entry);
    if (row === undefined || row.symbol !== symbol) continue;
    const fundingRate = typeof row.fundingRate === 'string' ? signedDecimal(row.fundingRate) : undefined;
    const next = updateId(row.nextFundingTimestamp);
    if (!isDecimalText(row.markPrice) || fundingRate === undefined || next === undefined) break;
    return accepted({ markPrice: row.markPrice, fundingRate, nextFundingTimestamp: next });
  }
  return refused(`markPrices lacks ${symbol.slice(0, 40)} with a decimal markPrice, fundingRate and nextFundingTimestamp: ${preview(body)}`);
}

/** An order as the venue answers it (POST and GET /api/v1/order, order history; spec §4.1): the fields a leg is settled from. */
export interface OrderReply {
  /** The venue's order id. */
  id?: string;
  /** Our clientId, as a decimal string. */
  clientId?: string;
  status: string;
  /** Executed size and quote, decimals as sent. */
  executedQuantity: string;
  executedQuoteQuantity: string;
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0 && value.length <= 64) return value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
}

/** One order object; refused unless it carries its status and executed size and quote. */
export function readOrder(body: unknown): Parsed<OrderReply> {
  const o = fieldsOf(body);
  if (o === undefined || typeof o.status !== 'string' || !isDecimalText(o.executedQuantity) || !isDecimalText(o.executedQuoteQuantity)) {
    return refused(`order reply lacks executedQuantity/executedQuoteQuantity/status: ${preview(body, 200)}`);
  }
  const order: OrderReply = { status: o.status.slice(0, 40), executedQuantity: o.executedQuantity, executedQuoteQuantity: o.executedQuoteQuantity };
  const id = idText(o.id);
  if (id !== undefined) order.id = id;
  const clientId = idText(o.clientId);
  if (clientId !== undefined) order.clientId = clientId;
  return accepted(order);
}

/** GET /wapi/v1/history/orders: the order with our `clientId`, undefined when the history does not hold it (yet). */
export function readOrderHistory(body: unknown, clientId: string): Parsed<OrderReply | undefined> {
  if (!Array.isArray(body)) return refused(`order history is not an array: ${preview(body)}`);
  for (const entry of body as unknown[]) {
    if (idText(fieldsOf(entry)?.clientId) !== clientId) continue;
    return readOrder(entry);
  }
  return accepted(undefined);
}

/** One fill of an order (GET /wapi/v1/history/fills): its size as sent and its fee (a float: reporting only). */
export interface FillRow {
  quantity: string;
  fee: number;
}

/** GET /wapi/v1/history/fills: the fills of the order `orderId` (or with our `clientId`); refused when one of them lacks its size or fee. */
export function readFills(body: unknown, orderId: string, clientId: string): Parsed<FillRow[]> {
  if (!Array.isArray(body)) return refused(`fills history is not an array: ${preview(body)}`);
  const out: FillRow[] = [];
  for (const entry of body as unknown[]) {
    const f = fieldsOf(entry);
    if (f === undefined || (idText(f.orderId) !== orderId && idText(f.clientId) !== clientId)) continue;
    const fee = finiteNumber(f.fee);
    if (!isDecimalText(f.quantity) || fee === undefined) return refused(`fill of order ${orderId.slice(0, 40)} lacks quantity/fee: ${preview(entry)}`);
    out.push({ quantity: f.quantity, fee });
  }
  return accepted(out);
}

// ---------------------------------------------------------------- funding (account history; the current rate is readMarkPrices above)

/** A signed decimal as the venues print amounts and rates: an optional minus, digits, optionally a point and digits. */
export function isSignedDecimalText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && /^-?\d+(\.\d+)?$/.test(value);
}

/** One row of GET /wapi/v1/history/funding for our market: amount as printed (received > 0), settlement time in wall ms. */
export interface FundingHistoryRow {
  symbol: string;
  quantity: string;
  /** intervalEndTimestamp (naive ISO, UTC, seconds) as wall ms. */
  at: number;
  fundingRate: string;
}

/** Naive ISO "2025-08-01T16:00:00" (spec §1: UTC, no zone) as ms; undefined when it is not one. */
function naiveIsoMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/.test(value)) return undefined;
  const ms = Date.parse(`${value.slice(0, 23)}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A GET /wapi/v1/history/funding body (FundingPayment rows, docs History › Funding payments; spec
 * §4.7; CCXT backpack.js parseIncome): the rows of `symbol`. Any row, ours or not, that is not a
 * FundingPayment refuses the whole reply: a history we cannot read in full is not summed in part.
 */
export function readFundingHistory(body: unknown, symbol: string): Parsed<FundingHistoryRow[]> {
  if (!Array.isArray(body)) return refused(`funding history is not an array: ${preview(body)}`);
  const out: FundingHistoryRow[] = [];
  for (const entry of body as unknown[]) {
    const r = fieldsOf(entry);
    if (r === undefined || typeof r.symbol !== 'string') return refused(`funding history row lacks a symbol: ${preview(entry, 60)}`);
    const at = naiveIsoMs(r.intervalEndTimestamp);
    if (!isSignedDecimalText(r.quantity) || at === undefined || !isSignedDecimalText(r.fundingRate))
      return refused(`funding history row for ${r.symbol} lacks a decimal quantity, an intervalEndTimestamp or a decimal fundingRate: ${preview(entry, 100)}`);
    if (r.symbol === symbol) out.push({ symbol: r.symbol, quantity: r.quantity, at, fundingRate: r.fundingRate });
  }
  return accepted(out);
}
