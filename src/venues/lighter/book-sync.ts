// The order_book/{market} procedure of spec §5.2 as a pure state machine: a `subscribed/` frame
// loads the book; each `update/` frame applies only if its begin_nonce equals the nonce of the
// frame before it. A break (or a crossed book) invalidates the book until the next snapshot.
// It reads only frames messages.ts accepted.
// `offset` is not a sequence and is ignored.

import type { OrderBook } from '../../core/orderbook.js';
import { updateBook, type FixedLevels } from '../scan.js';
import type { BookFrame } from './messages.js';

export type { BookFrame } from './messages.js';

/**
 * What one frame did, in the words both venues' book syncs use (backpack/book-sync.ts): a
 * snapshot loaded, a delta applied, a gap or a crossed book (book cleared, a new snapshot needed),
 * or a delta ignored because no snapshot has come yet.
 */
export type BookSyncAction = 'load_snapshot' | 'apply' | 'gap_resync' | 'crossed_resync' | 'ignored';

export class BookSync {
  private lastNonce: number | undefined;

  constructor(
    readonly book: OrderBook,
    readonly priceScale: number,
    readonly sizeScale: number,
  ) {}

  get valid(): boolean {
    return this.lastNonce !== undefined;
  }

  reset(): void {
    this.lastNonce = undefined;
    this.book.clear();
  }

  apply(frame: BookFrame): BookSyncAction {
    if (frame.snapshot) {
      this.book.applySnapshot(frame.bids, frame.asks);
      this.lastNonce = frame.nonce;
      return this.checkCrossed('load_snapshot');
    }
    if (this.lastNonce === undefined) return 'ignored';
    if (frame.beginNonce !== this.lastNonce) {
      this.reset();
      return 'gap_resync';
    }
    for (const [p, q] of frame.bids) this.book.update('bid', p, q);
    for (const [p, q] of frame.asks) this.book.update('ask', p, q);
    this.lastNonce = frame.nonce;
    return this.checkCrossed('apply');
  }

  /**
   * An `update/` frame (not a snapshot) whose levels are already fixed-point in buffers (the
   * replay's scanner path, backtest/feed.ts): exactly what apply() does with the BookFrame made of
   * the same nonces and levels, with nothing allocated.
   */
  applyUpdate(nonce: number, beginNonce: number, bids: FixedLevels, asks: FixedLevels): BookSyncAction {
    if (this.lastNonce === undefined) return 'ignored';
    if (beginNonce !== this.lastNonce) {
      this.reset();
      return 'gap_resync';
    }
    updateBook(this.book, bids, asks);
    this.lastNonce = nonce;
    return this.checkCrossed('apply');
  }

  private checkCrossed(ok: BookSyncAction): BookSyncAction {
    if (this.book.isCrossed()) {
      this.reset();
      return 'crossed_resync';
    }
    return ok;
  }
}
