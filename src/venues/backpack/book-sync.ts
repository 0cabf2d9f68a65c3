// The depth.<symbol> procedure of spec §7 as a pure state machine: no sockets, no clocks. The
// driver feeds it stream events and REST snapshots that messages.ts accepted; it keeps the OrderBook exact or says it is not.

import { parseFixed } from '../../core/fixed.js';
import type { OrderBook, Level } from '../../core/orderbook.js';
import { updateBook, type FixedLevels } from '../scan.js';
import type { DepthEvent, DepthSnapshot, FixedDepthEvent, FixedDepthSnapshot } from './messages.js';

export type { DepthEvent, DepthSnapshot, FixedDepthEvent, FixedDepthSnapshot } from './messages.js';

/** An event as the sync takes it: rows as text (parsed here), or already fixed-point (the scanners'). */
type AnyDepthEvent = DepthEvent | FixedDepthEvent;

export type SyncAction =
  | 'buffered' // waiting for a snapshot
  | 'drop_stale' // already contained in the book (or a duplicate)
  | 'apply'
  | 'gap_resync' // ids skipped: the book is cleared and a new snapshot is needed
  | 'crossed_resync'; // the book crossed after an apply: treat as out of sync

export interface SyncOutcome {
  action: SyncAction;
  U: number;
  u: number;
  /** On a gap: the U we needed and the U we got. */
  expectedU?: number;
}

export interface SnapshotOutcome {
  /** 'load_snapshot' when the book is live, 'snapshot_too_old_refetch' when a newer one is needed, 'ignored' for a stale request. */
  action: 'load_snapshot' | 'snapshot_too_old_refetch' | 'ignored';
  /** What happened to every buffered event drained against this snapshot, in order. */
  drained: SyncOutcome[];
}

export class BookSyncError extends Error {
  override name = 'BookSyncError';
}

// A stream that never matches a snapshot must not grow memory without bound.
const MAX_BUFFER = 50_000;

export class BookSync {
  private buffer: AnyDepthEvent[] = [];
  private live = false;
  /** Whether the snapshot has been loaded but no event has bridged it yet. */
  private awaitingBridge = false;
  private lastU = 0;
  private epoch = 0;

  constructor(
    readonly book: OrderBook,
    readonly priceScale: number,
    readonly sizeScale: number,
  ) {}

  /** True when the book equals the venue's book as of lastUpdateId. */
  get valid(): boolean {
    return this.live;
  }
  get lastUpdateId(): number {
    return this.lastU;
  }
  /** Changes whenever an outstanding snapshot request becomes useless (gap, reset). */
  get snapshotEpoch(): number {
    return this.epoch;
  }
  get buffered(): number {
    return this.buffer.length;
  }

  /** Reconnect: nothing is replayed by the server, so everything known is discarded. */
  reset(): void {
    this.buffer = [];
    this.live = false;
    this.awaitingBridge = false;
    this.lastU = 0;
    this.epoch++;
    this.book.clear();
  }

  onEvent(event: AnyDepthEvent): SyncOutcome {
    if (event.u < event.U) throw new BookSyncError(`depth event has u ${event.u} below U ${event.U}`);
    if (!this.live) {
      if (this.buffer.length >= MAX_BUFFER) this.buffer.shift();
      this.buffer.push(event);
      return { action: 'buffered', U: event.U, u: event.u };
    }
    return this.step(event);
  }

  /** Loads a REST snapshot taken for `epoch` and drains the buffer against it. */
  onSnapshot(snapshot: DepthSnapshot | FixedDepthSnapshot, epoch = this.epoch): SnapshotOutcome {
    if (epoch !== this.epoch || this.live) return { action: 'ignored', drained: [] };
    if ('fixed' in snapshot) this.book.applySnapshot(snapshot.bids, snapshot.asks);
    else this.book.applySnapshot(this.levels(snapshot.bids), this.levels(snapshot.asks));
    this.lastU = snapshot.lastUpdateId;
    this.live = true;
    this.awaitingBridge = true;
    const pending = this.buffer;
    this.buffer = [];
    const drained: SyncOutcome[] = [];
    for (let i = 0; i < pending.length; i++) {
      const outcome = this.step(pending[i]);
      drained.push(outcome);
      if (!this.live) {
        // Snapshot older than the buffered stream, or a gap inside the buffer: keep what follows.
        this.buffer.push(...pending.slice(i + 1));
        return { action: 'snapshot_too_old_refetch', drained };
      }
    }
    return { action: 'load_snapshot', drained };
  }

  /**
   * An event given as its ids and its rows already fixed-point in buffers (the replay's scanner
   * path, backtest/feed.ts): exactly what onEvent() does with the FixedDepthEvent made of them, but
   * answering only the action and making that event (`asEvent`) only when it is kept (buffered).
   */
  onFixedRows(U: number, u: number, bids: FixedLevels, asks: FixedLevels, asEvent: () => FixedDepthEvent): SyncAction {
    if (u < U) throw new BookSyncError(`depth event has u ${u} below U ${U}`);
    if (!this.live) {
      if (this.buffer.length >= MAX_BUFFER) this.buffer.shift();
      this.buffer.push(asEvent());
      return 'buffered';
    }
    if (u <= this.lastU) return 'drop_stale';
    const contiguous = this.awaitingBridge ? U <= this.lastU + 1 : U === this.lastU + 1;
    if (!contiguous) {
      this.invalidate();
      this.buffer.push(asEvent());
      return 'gap_resync';
    }
    updateBook(this.book, bids, asks);
    this.lastU = u;
    this.awaitingBridge = false;
    if (this.book.isCrossed()) {
      this.invalidate();
      return 'crossed_resync';
    }
    return 'apply';
  }

  private step(event: AnyDepthEvent): SyncOutcome {
    const { U, u } = event;
    if (u <= this.lastU) return { action: 'drop_stale', U, u };
    const contiguous = this.awaitingBridge ? U <= this.lastU + 1 : U === this.lastU + 1;
    if (!contiguous) {
      const expectedU = this.lastU + 1;
      this.invalidate();
      this.buffer.push(event);
      return { action: 'gap_resync', U, u, expectedU };
    }
    this.applyLevels(event);
    this.lastU = u;
    this.awaitingBridge = false;
    if (this.book.isCrossed()) {
      this.invalidate();
      return { action: 'crossed_resync', U, u };
    }
    return { action: 'apply', U, u };
  }

  private invalidate(): void {
    this.live = false;
    this.awaitingBridge = false;
    this.epoch++;
    this.book.clear();
  }

  private applyLevels(event: AnyDepthEvent): void {
    if ('fixed' in event) {
      for (const [p, q] of event.b) this.book.update('bid', p, q);
      for (const [p, q] of event.a) this.book.update('ask', p, q);
      return;
    }
    for (const [p, q] of event.b) this.book.update('bid', this.price(p), this.size(q));
    for (const [p, q] of event.a) this.book.update('ask', this.price(p), this.size(q));
  }

  private levels(rows: readonly (readonly [string, string])[]): Level[] {
    return rows.map(([p, q]) => [this.price(p), this.size(q)] as const);
  }
  private price(text: string): number {
    return parseFixed(text, this.priceScale);
  }
  private size(text: string): number {
    return parseFixed(text, this.sizeScale);
  }
}
