// Every Backpack wire shape the market-data side reads, and its parser: any JSON value in, a
// typed message or a refusal out, never a throw. Book sync and the adapter see only accepted
// values. Shapes: spec §6 (streams: depth, bookTicker, markPrice) and §7 (GET /api/v1/depth), as
// in the captured fixtures test/fixtures/vectors/backpack/ws_messages.json and
// rest_responses.json.

import { accepted, fieldsOf, isDecimalText, preview, refused, type Parsed } from '../messages.js';

/** A [price, quantity] row, both decimals as the venue wrote them. */
export type DepthRow = readonly [string, string];

/** The fields of a depth event the book needs (spec §7); decimals as strings. */
export interface DepthEvent {
  U: number;
  u: number;
  b: readonly DepthRow[];
  a: readonly DepthRow[];
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

// ---------------------------------------------------------------- funding (account history, current rate)

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

/** GET /api/v1/markPrices for one symbol (spec §3): mark, the current interval's rate, when it is paid. */
export interface MarkPriceRow {
  markPrice: string;
  fundingRate: string;
  /** ms; undefined when absent. */
  nextFundingTimestamp?: number;
}

/** A GET /api/v1/markPrices body: the row of `symbol`, refused when absent or not decimal. */
export function readMarkPrices(body: unknown, symbol: string): Parsed<MarkPriceRow> {
  if (!Array.isArray(body)) return refused(`markPrices is not an array: ${preview(body)}`);
  const row = (body as unknown[]).map(fieldsOf).find((r) => r?.symbol === symbol);
  if (row === undefined) return refused(`markPrices has no row for ${symbol}`);
  if (!isDecimalText(row.markPrice) || !isSignedDecimalText(row.fundingRate))
    return refused(`markPrices row for ${symbol} lacks a decimal markPrice / fundingRate: ${preview(row, 100)}`);
  const next = row.nextFundingTimestamp;
  const nextMs = typeof next === 'number' && Number.isSafeInteger(next) && next > 0 ? next : typeof next === 'string' && /^\d{1,15}$/.test(next) ? Number(next) : undefined;
  return accepted({ markPrice: row.markPrice, fundingRate: row.fundingRate, nextFundingTimestamp: nextMs });
}
