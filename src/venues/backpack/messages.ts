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
