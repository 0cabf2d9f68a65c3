// The order_book/{market} procedure of spec §5.2 as a pure state machine: a `subscribed/` frame
// loads the book; each `update/` frame applies only if its begin_nonce equals the nonce of the
// frame before it. A break (or a crossed book) invalidates the book until the next snapshot.
// `offset` is not a sequence and is ignored.

import { parseFixed } from '../../core/fixed.js';
import type { Level, OrderBook } from '../../core/orderbook.js';

export interface BookFrame {
  snapshot: boolean;
  nonce: number;
  beginNonce: number;
  bids: Level[];
  asks: Level[];
}

export type BookSyncAction = 'loaded' | 'applied' | 'gap' | 'crossed' | 'ignored';

export class LighterBookSync {
  private lastNonce: number | undefined;

  constructor(
    private readonly book: OrderBook,
    private readonly priceScale: number,
    private readonly sizeScale: number,
  ) {}

  get valid(): boolean {
    return this.lastNonce !== undefined;
  }

  reset(): void {
    this.lastNonce = undefined;
    this.book.clear();
  }

  /** Parses a raw frame's order_book into integers; throws naming the bad field. */
  parse(frame: Record<string, unknown>): BookFrame {
    const ob = frame.order_book as Record<string, unknown> | undefined;
    if (typeof ob !== 'object' || ob === null) throw new Error('order_book frame lacks "order_book"');
    const nonce = ob.nonce;
    const begin = ob.begin_nonce;
    if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce)) throw new Error(`order_book.nonce is not an integer: ${String(nonce)}`);
    const levels = (raw: unknown, side: string): Level[] => {
      if (!Array.isArray(raw)) throw new Error(`order_book.${side} is not an array`);
      return raw.map((l: { price?: unknown; size?: unknown }) => {
        if (typeof l?.price !== 'string' || typeof l.size !== 'string') throw new Error(`order_book.${side} level lacks price/size strings`);
        return [parseFixed(l.price, this.priceScale), parseFixed(l.size, this.sizeScale)] as const;
      });
    };
    return {
      snapshot: typeof frame.type === 'string' && frame.type.startsWith('subscribed/'),
      nonce,
      beginNonce: typeof begin === 'number' ? begin : -1,
      bids: levels(ob.bids, 'bids'),
      asks: levels(ob.asks, 'asks'),
    };
  }

  apply(frame: BookFrame): BookSyncAction {
    if (frame.snapshot) {
      this.book.applySnapshot(frame.bids, frame.asks);
      this.lastNonce = frame.nonce;
      return this.checkCrossed('loaded');
    }
    if (this.lastNonce === undefined) return 'ignored';
    if (frame.beginNonce !== this.lastNonce) {
      this.reset();
      return 'gap';
    }
    for (const [p, q] of frame.bids) this.book.update('bid', p, q);
    for (const [p, q] of frame.asks) this.book.update('ask', p, q);
    this.lastNonce = frame.nonce;
    return this.checkCrossed('applied');
  }

  private checkCrossed(ok: BookSyncAction): BookSyncAction {
    if (this.book.isCrossed()) {
      this.reset();
      return 'crossed';
    }
    return ok;
  }
}
