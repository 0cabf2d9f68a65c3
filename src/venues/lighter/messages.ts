// Every Lighter wire shape the market-data side reads, and its parser: any JSON value in, a typed
// message or a refusal out, never a throw. Book sync and the adapter see only accepted values.
// Shape: spec §5.2 (order_book/{market}: `subscribed/order_book` snapshot, `update/order_book`
// deltas chained by begin_nonce → nonce), as in elliottech/lighter-python's ws_client.py and the
// captured frames of nautilus_trader's Lighter adapter test data.

import { parseFixed } from '../../core/fixed.js';
import type { Level } from '../../core/orderbook.js';
import { accepted, fieldsOf, isDecimalText, preview, refused, type Parsed } from '../messages.js';

/** One order_book frame, its levels at the market's scales. */
export interface BookFrame {
  snapshot: boolean;
  nonce: number;
  /** The nonce of the frame this one continues (-1 when the frame carries none). */
  beginNonce: number;
  bids: Level[];
  asks: Level[];
}

function levels(raw: unknown, side: string, priceScale: number, sizeScale: number): Parsed<Level[]> {
  if (!Array.isArray(raw)) return refused(`order_book.${side} is not an array`);
  const out: Level[] = [];
  for (const l of raw as unknown[]) {
    const f = fieldsOf(l);
    if (f === undefined || typeof f.price !== 'string' || typeof f.size !== 'string') return refused(`order_book.${side} level lacks price/size strings: ${preview(l, 60)}`);
    if (!isDecimalText(f.price) || !isDecimalText(f.size)) return refused(`order_book.${side} level is not decimal price/size: ${preview(l, 60)}`);
    try {
      out.push([parseFixed(f.price, priceScale), parseFixed(f.size, sizeScale)] as const);
    } catch (e) {
      return refused(`order_book.${side} level ${preview(l, 60)}: ${(e as Error).message}`);
    }
  }
  return accepted(out);
}

/** An order_book channel frame (spec §5.2), its levels read at the market's price and size scales. */
export function readBookFrame(frame: unknown, priceScale: number, sizeScale: number): Parsed<BookFrame> {
  const f = fieldsOf(frame);
  const ob = fieldsOf(f?.order_book);
  if (f === undefined || ob === undefined) return refused(`order_book frame lacks "order_book": ${preview(frame)}`);
  const nonce = ob.nonce;
  if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce)) return refused(`order_book.nonce is not an integer: ${preview(nonce)}`);
  const begin = ob.begin_nonce;
  const bids = levels(ob.bids, 'bids', priceScale, sizeScale);
  if (!bids.ok) return bids;
  const asks = levels(ob.asks, 'asks', priceScale, sizeScale);
  if (!asks.ok) return asks;
  return accepted({
    snapshot: typeof f.type === 'string' && f.type.startsWith('subscribed/'),
    nonce,
    beginNonce: typeof begin === 'number' && Number.isSafeInteger(begin) ? begin : -1,
    bids: bids.value,
    asks: asks.value,
  });
}

/** One order as account_all_orders:{account} streams it (spec §5.3), the fields a leg is settled from. */
export interface StreamedOrder {
  client_order_index: number;
  status?: string;
  /** Executed size and quote, decimals as sent (absent = none). */
  filled_base_amount?: string;
  filled_quote_amount?: string;
  /** The venue's order index (up to 2^60 − 1, so a bigint when past 2^53). */
  order_index?: number | bigint;
}

function amount(value: unknown): string | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && /^\d+(\.\d+)?$/.test(String(value))) return String(value);
  return isDecimalText(value) ? value : false;
}

/**
 * An account_all_orders frame's `orders` (market index → list of orders). Entries that are not
 * orders with a client order index are left out (the venue also streams orders placed elsewhere);
 * an order of ours whose executed amounts are not decimals refuses the frame.
 */
export function readAccountOrders(orders: unknown): Parsed<StreamedOrder[]> {
  const markets = fieldsOf(orders);
  if (markets === undefined) return orders === undefined || orders === null ? accepted([]) : refused(`account orders is not an object: ${preview(orders)}`);
  const out: StreamedOrder[] = [];
  for (const list of Object.values(markets)) {
    if (!Array.isArray(list)) continue;
    for (const entry of list as unknown[]) {
      const o = fieldsOf(entry);
      const raw = o?.client_order_index;
      const index = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
      if (o === undefined || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) continue;
      const base = amount(o.filled_base_amount);
      const quote = amount(o.filled_quote_amount);
      if (base === false || quote === false) return refused(`order ${index}: filled amounts ${preview([o.filled_base_amount, o.filled_quote_amount])} are not decimals`);
      const order: StreamedOrder = { client_order_index: index };
      if (typeof o.status === 'string') order.status = o.status;
      if (base !== undefined) order.filled_base_amount = base;
      if (quote !== undefined) order.filled_quote_amount = quote;
      if ((typeof o.order_index === 'number' && Number.isSafeInteger(o.order_index)) || typeof o.order_index === 'bigint') order.order_index = o.order_index;
      out.push(order);
    }
  }
  return accepted(out);
}

/** Our position in one market as account_all_positions streams it (spec §5.3): its sign and size, as sent. */
export interface StreamedPosition {
  sign: 1 | -1;
  position: string;
}

/** An account_all_positions frame's `positions`, for market `marketId`; undefined when it carries none for that market. */
export function readAccountPosition(positions: unknown, marketId: number): Parsed<StreamedPosition | undefined> {
  const all = fieldsOf(positions);
  if (all === undefined) return positions === undefined || positions === null ? accepted(undefined) : refused(`account positions is not an object: ${preview(positions)}`);
  const p = fieldsOf(all[String(marketId)]);
  if (p === undefined || typeof p.position !== 'string') return accepted(undefined);
  if (!isDecimalText(p.position)) return refused(`position of market ${marketId} ${preview(p.position)} is not a decimal string`);
  return accepted({ sign: Number(p.sign) < 0 ? -1 : 1, position: p.position });
}

// ---------------------------------------------------------------- funding (account history, current rate)

/** A signed decimal as the venue prints amounts and rates. */
function isSignedDecimal(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && /^-?\d+(\.\d+)?$/.test(value);
}

/** One of our funding payments as GET /api/v1/positionFunding lists it (lighter-python `models/position_funding.py`). */
export interface PositionFundingRow {
  marketId: number;
  fundingId: number;
  /** Wall ms (the venue's `timestamp`; seconds are read as seconds). */
  at: number;
  /** Collateral change, as printed: received > 0. */
  change: string;
  rate: string;
}

/**
 * A positionFunding body ({code, position_fundings, next_cursor}): the rows of `marketId`. The
 * model names no unit for `timestamp`: a value below 10^11 can only be seconds (10^11 ms is 1973),
 * so it is read as seconds; above, ms. Any malformed row refuses the whole reply.
 */
export function readPositionFundings(body: unknown, marketId: number): Parsed<PositionFundingRow[]> {
  const f = fieldsOf(body);
  const list = f?.position_fundings;
  if (f === undefined || !(Array.isArray(list) || list === null || list === undefined)) return refused(`positionFunding reply lacks "position_fundings": ${preview(body)}`);
  const out: PositionFundingRow[] = [];
  for (const entry of (list ?? []) as unknown[]) {
    const r = fieldsOf(entry);
    const ts = r?.timestamp;
    if (
      r === undefined ||
      typeof r.market_id !== 'number' ||
      !Number.isSafeInteger(r.market_id) ||
      typeof r.funding_id !== 'number' ||
      !Number.isSafeInteger(r.funding_id) ||
      typeof ts !== 'number' ||
      !Number.isSafeInteger(ts) ||
      ts <= 0 ||
      !isSignedDecimal(r.change) ||
      !isSignedDecimal(r.rate)
    )
      return refused(`positionFunding row is not a funding payment (market_id, funding_id, timestamp, decimal change and rate): ${preview(entry, 100)}`);
    if (r.market_id === marketId) out.push({ marketId: r.market_id, fundingId: r.funding_id, at: ts < 1e11 ? ts * 1000 : ts, change: r.change, rate: r.rate });
  }
  return accepted(out);
}

/**
 * A GET /api/v1/funding-rates body (lighter-python `models/funding_rates.py`, `funding_rate.py`):
 * Lighter's own rate for `marketId` (the list also carries other exchanges' rates for the same
 * symbols; only exchange "lighter" is Lighter's). The rate is a number over eight hours.
 */
export function readLighterFundingRate(body: unknown, marketId: number): Parsed<number> {
  const list = fieldsOf(body)?.funding_rates;
  if (!Array.isArray(list)) return refused(`funding-rates reply lacks a "funding_rates" list: ${preview(body)}`);
  const row = (list as unknown[]).map(fieldsOf).find((r) => r?.exchange === 'lighter' && r.market_id === marketId);
  if (row === undefined) return refused(`funding-rates has no Lighter rate for market ${marketId}`);
  if (typeof row.rate !== 'number' || !Number.isFinite(row.rate)) return refused(`funding-rates rate for market ${marketId} is not a number: ${preview(row.rate)}`);
  return accepted(row.rate);
}
