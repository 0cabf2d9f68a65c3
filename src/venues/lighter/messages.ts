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
