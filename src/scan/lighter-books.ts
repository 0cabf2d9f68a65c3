// Lighter's books for `scan`, kept live over one public WebSocket: an `order_book/{market}`
// subscription per market on the same connection (spec §5), each synced by the venue's nonce
// procedure (BookSync). Lighter's REST allows a Standard IP only 60 requests a minute
// (spec §1 "Rate limits"), which polling even one market every second would use up; the stream
// costs no request. A book that breaks (nonce gap, crossed) is subscribed afresh. Funding's
// prediction comes on the same socket from one `market_stats/all` subscription (Lighter API docs,
// WebSocket reference › Market Stats: `current_funding_rate`, "an estimation of the upcoming
// funding payment"; messages.ts readMarketStatsFunding), the latest kept per market.

import type { Logger } from '../core/log.js';
import { OrderBook } from '../core/orderbook.js';
import { BookSync } from '../venues/lighter/book-sync.js';
import { readBookFrame, readMarketStatsFunding, type MarketStatsFunding } from '../venues/lighter/messages.js';
import { LighterStream } from '../venues/lighter/ws.js';
import type { ScaledBook } from './analysis.js';

interface Entry {
  book: OrderBook;
  sync: BookSync;
  channel: string;
}

export class LighterBooks {
  private readonly stream: LighterStream;
  private readonly books = new Map<number, Entry>();
  /** The last reason a book was not usable, per market (for the report). */
  readonly problems = new Map<number, string>();
  /** The latest market_stats funding figures per market. */
  private readonly stats = new Map<number, MarketStatsFunding>();
  /** Why the latest market_stats frame was refused, per market. */
  readonly statsProblems = new Map<number, string>();

  constructor(
    wsUrl: string,
    markets: ReadonlyArray<{ marketId: number; priceScale: number; sizeScale: number }>,
    private readonly logger: Logger,
  ) {
    for (const m of markets) {
      const book = new OrderBook();
      this.books.set(m.marketId, { book, sync: new BookSync(book, m.priceScale, m.sizeScale), channel: `order_book/${m.marketId}` });
    }
    this.stream = new LighterStream(
      { wsUrl, logger },
      {
        onFrame: (frame) => this.onFrame(frame),
        onOpen: () => undefined,
        onClose: (reason) => {
          for (const [id, e] of this.books) {
            e.sync.reset();
            this.problems.set(id, `Lighter stream closed (${reason})`);
          }
        },
      },
    );
    for (const e of this.books.values()) this.stream.subscribe(e.channel);
    this.stream.subscribe('market_stats/all');
  }

  /** The market's latest market_stats funding figures, once one arrived. */
  funding(marketId: number): MarketStatsFunding | undefined {
    return this.stats.get(marketId);
  }

  start(): void {
    this.stream.start();
  }

  stop(): Promise<void> {
    return this.stream.stop();
  }

  /** The market's book now, best first, at its own scales; undefined while it is not in sync. */
  book(marketId: number): ScaledBook | undefined {
    const e = this.books.get(marketId);
    if (e === undefined || !e.sync.valid) return undefined;
    const side = (s: 'bid' | 'ask') => e.book.levels(s).map(([p, q]) => [BigInt(p), BigInt(q)] as const);
    return { bids: side('bid'), asks: side('ask') };
  }

  private onFrame(frame: Record<string, unknown>): void {
    const channel = typeof frame.channel === 'string' ? frame.channel : '';
    if (channel === 'market_stats:all') {
      for (const id of this.books.keys()) {
        const read = readMarketStatsFunding(frame, id);
        if (!read.ok) this.statsProblems.set(id, read.why);
        else if (read.value !== undefined) {
          this.stats.set(id, read.value);
          this.statsProblems.delete(id);
        }
      }
      return;
    }
    if (!channel.startsWith('order_book:')) {
      // An error frame (e.g. 23001 too many subscriptions) names no market: keep it for the report.
      if (frame.error !== undefined || frame.code !== undefined) this.logger.warn(`Lighter WS: ${JSON.stringify(frame).slice(0, 160)}`);
      return;
    }
    const id = Number(channel.slice('order_book:'.length));
    const e = this.books.get(id);
    if (e === undefined) return;
    const read = readBookFrame(frame, e.sync.priceScale, e.sync.sizeScale);
    if (!read.ok) {
      this.problems.set(id, `Lighter book frame refused: ${read.why}`);
      e.sync.reset();
      this.stream.resubscribe(e.channel);
      return;
    }
    const action = e.sync.apply(read.value);
    if (action === 'gap_resync' || action === 'crossed_resync') {
      this.problems.set(id, `Lighter book ${action === 'gap_resync' ? 'skipped a nonce' : 'crossed'}; subscribed afresh`);
      this.stream.resubscribe(e.channel);
    }
  }
}
