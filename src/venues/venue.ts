// The port every venue implements: live Backpack, live Lighter, paper and replay alike. The
// strategy and engine talk only to this interface and never learn which venue is behind it.

import type { BookView, OrderBook } from '../core/orderbook.js';
import type { OrderSide } from '../core/types.js';
import type { FundingSource } from './funding.js';
import type { MarketSpec, VenueId } from './types.js';

/** Why a venue refused or could not serve a request; each kind maps to one thing to do. */
export type VenueErrorKind =
  | 'insufficient_margin' // add collateral or lower --size
  | 'bad_order' // quantity/price off the grid, below minimum, bad parameters
  | 'rate_limited' // back off
  | 'auth' // keys wrong, not registered or not allowed
  | 'expired' // request window / tx deadline passed (clock skew?)
  | 'invalid_nonce' // Lighter nonce out of sequence
  | 'unavailable' // 5xx, maintenance, connection refused
  | 'rejected' // the venue refused the order for a trading reason (price band, reduce-only, ...)
  | 'protocol' // a reply or frame we could not understand
  | 'timeout'; // no answer in time; the outcome may still be unknown

export class VenueError extends Error {
  override name = 'VenueError';
  constructor(
    readonly venue: VenueId,
    readonly kind: VenueErrorKind,
    message: string,
    readonly code?: string | number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The state one order leg ends in. `unknown` is honest: the venue has not told us yet. */
export type LegState = 'filled' | 'partial' | 'rejected' | 'unknown';

export interface MarketOrderRequest {
  side: OrderSide;
  /** Quantity at the market's sizeScale, on its step grid. */
  size: number;
  /** Slippage bound at priceScale, on its tick grid: the highest price a buy accepts, the lowest a sell accepts. */
  worstPrice: number;
  reduceOnly?: boolean;
  /**
   * Why the order is sent. A venue with a shared request budget serves `repair` (a hedge retry or
   * an unwind) before anything else, and never lets an `entry` or a look-up take the last place a
   * repair needs. Absent = entry.
   */
  purpose?: 'entry' | 'repair';
}

export interface LegResult {
  venue: VenueId;
  state: LegState;
  side: OrderSide;
  /** Quantity asked for (sizeScale). */
  requested: number;
  /** Quantity the venue confirmed as executed (sizeScale); 0 when rejected, best knowledge when unknown. */
  filled: number;
  /** Σ price·size of the executions, at priceScale + sizeScale decimals. */
  notional: number;
  /** Fee paid, in quote currency (float: reporting only, never reaches an order). */
  fee: number;
  /** True when `fee` is only the taker rate × notional because the venue has not reported the real fee. */
  feeEstimated?: boolean;
  /** Our id for the order (Backpack clientId, Lighter client order index), as a decimal string. */
  clientOrderId: string;
  /** The venue's id for the order, when known. */
  venueOrderId?: string;
  /** Monotonic ms (the clock's monoMs line) when the order was handed to the socket. */
  sentAt: number;
  /** Monotonic ms when the outcome became known (undefined while unknown). */
  confirmedAt?: number;
  /** Why it was rejected, or why it is unknown. */
  error?: VenueError;
}

/** A leg as it leaves: nothing known of its outcome yet. */
export function sentLeg(venue: VenueId, request: MarketOrderRequest, clientOrderId: string, sentAt: number): LegResult {
  return { venue, state: 'unknown', side: request.side, requested: request.size, filled: 0, notional: 0, fee: 0, clientOrderId, sentAt };
}

/**
 * Whether the execution side can take an order now. The engine opens no trade unless both venues
 * are `ready`: a leg whose partner would be refused locally is never sent. Repairs go out whenever
 * the venue takes them. Times are monotonic milliseconds from the engine's clock.
 */
export type ExecutionReadiness =
  | { state: 'ready' }
  /** The venue said 429 / rate limited; nothing is sent before `until`. */
  | { state: 'backing_off'; until: number; detail: string }
  /** The local request budget is spent; a place frees up at `until`. */
  | { state: 'budget_empty'; until: number; detail: string }
  /** 5xx, maintenance, connection refused. */
  | { state: 'down'; detail: string }
  /** Keys wrong, not registered, or the chain/signer out of date: a person must fix a setting. */
  | { state: 'auth_failed'; detail: string };

/** What Execution.writeOrder hands to followOrder: the order sent (with the bound chosen); the rest is the execution side's own. */
export interface WrittenOrder {
  readonly request: MarketOrderRequest;
}

/**
 * Readiness pushed instead of asked (Execution.readinessGate): the execution side keeps `readyFrom`
 * current, as the monotonic ms (the engine's clock) from which readiness() answers `ready` unless
 * something changes — a 429, a place taken from a budget, the venue marked down, credentials
 * refused — and every such change moves it to Infinity (or later) at once, before anything else can
 * ask. So `now >= readyFrom` means readiness() would answer `ready` now; otherwise ask readiness().
 */
export interface ReadinessGate {
  readyFrom: number;
}

/** The one `ready` answer, shared so that readiness() allocates nothing on the decision path. */
export const READY: ExecutionReadiness = Object.freeze({ state: 'ready' });

export interface VenueStatus {
  /** The market-data connection is open. */
  connected: boolean;
  /** The local book is in sync with the venue (false during a resync or before the first snapshot). */
  bookValid: boolean;
  /** False while the venue answers 5xx / maintenance, or cannot be reached. */
  available: boolean;
  /** One line on what is wrong, when something is. */
  detail?: string;
}

/**
 * One applied book frame, as a value: which venue, when the frame arrived (monotonic ms, the
 * socket's stamp on the clock's monotonic line, so decisions are timed from the wire) and a read-only view of
 * the book as that frame left it. A recording will produce the same events. An adapter reuses one
 * event object per venue (see emitBookEvent): a listener reads it during the call and keeps only
 * what it copies out.
 */
export interface BookEvent {
  readonly venue: VenueId;
  readonly receivedAt: number;
  readonly book: BookView;
}

/** Called synchronously after a book frame has been applied. */
export type BookListener = (event: BookEvent) => void;

const bookEvents = new WeakMap<BookView, { venue: VenueId; receivedAt: number; book: BookView }>();

/** Hands `listeners` the book event of a frame just applied to `book`, reusing one object per book: no allocation per frame. */
export function emitBookEvent(listeners: readonly BookListener[], venue: VenueId, book: BookView, receivedAt: number): void {
  let event = bookEvents.get(book);
  if (event === undefined) bookEvents.set(book, (event = { venue, receivedAt, book }));
  event.venue = venue;
  event.receivedAt = receivedAt;
  for (const l of listeners) l(event);
}

export type StatusListener = (venue: VenueId, status: VenueStatus) => void;

/**
 * The market-data side of a venue: the market's grid, the local book and its events, the
 * connection's status. A live adapter, a recording being replayed or a test double can stand here.
 */
export interface MarketData {
  readonly id: VenueId;

  /** Loads the market and opens the feeds (a live adapter with keys also checks them). Resolves with the market's grid. */
  start(): Promise<MarketSpec>;
  /** Closes every connection and timer. */
  stop(): Promise<void>;

  /** The market, once start() resolved. */
  readonly market: MarketSpec;
  /** The local L2 book. Read it only while status().bookValid is true. */
  readonly book: OrderBook;
  /** Monotonic ms (the engine clock's monoMs line) of the latest book frame applied (0 before the first). */
  readonly lastBookAt: number;
  status(): VenueStatus;

  onBook(listener: BookListener): void;
  onStatus(listener: StatusListener): void;
}

/**
 * Which of a side's orders signed ahead a prepareMarketOrder is for: the order an entry on the
 * venue's current book would send (`book`), or the one bounded at the threshold level's bound, for
 * an entry that opens when this venue's own book moves (`threshold`; strategy thresholdBound). Each
 * kind holds one order per side; signing one leaves the other.
 */
export type SignAheadKind = 'book' | 'threshold';

/**
 * The execution side of a venue: sending, settling, readiness and the venue's own position. A live
 * adapter implements it against the venue; paper trading and a backtest simulate it against a
 * market-data side's book.
 */
export interface Execution {
  /**
   * Sends a market order bounded by worstPrice and resolves with its confirmed outcome:
   * filled, partial, rejected, or unknown when no confirmation came within the venue's deadline.
   * Never rejects the promise for a venue-side failure: the failure is in the result.
   */
  placeMarketOrder(request: MarketOrderRequest): Promise<LegResult>;
  /**
   * placeMarketOrder in two halves, for an entry's deciding turn: `writeOrder` does what must happen
   * before the order is on its socket — for an order held signed ahead, the checks and the write,
   * and nothing else — and `followOrder`, called later in the same turn (after the entry's other leg
   * has been written too), does the rest and resolves as placeMarketOrder would. An order that
   * cannot go out the quick way goes the usual way within writeOrder. The two together are exactly
   * placeMarketOrder; `followOrder` is called once per `writeOrder`. Absent = placeMarketOrder only.
   * `now`, when given, is the engine's reading of the monotonic clock on this turn: the side may
   * judge the age of what it holds by it instead of reading the clock again (its send stamp is still
   * its own reading, taken after the write). `limit`, when given, is the threshold bound of an
   * entry's leg whose bound is the fresh one: the side sends instead the order it holds signed ahead
   * whose bound lies between the two, nearest the fresh one (signed-ahead.ts nearestHeld: the choice
   * the engine makes from heldBounds for a venue without writeOrder), and WrittenOrder.request is the
   * order sent, with the bound chosen.
   */
  writeOrder?(request: MarketOrderRequest, now?: number, limit?: number): WrittenOrder;
  followOrder?(written: WrittenOrder): Promise<LegResult>;
  /**
   * A hint that this very order may be sent soon: the adapter may sign it now, so that a
   * placeMarketOrder with an equal request only has to write it. Sends nothing and takes nothing
   * the venue can see; a different request, or time, discards it. Absent = no such shortcut.
   *
   * May answer with the monotonic ms (the engine's clock) before which handing this very order
   * again for this kind would change nothing, so long as signedAheadVoids() answers the same: the
   * engine then hands it again only from that moment. No answer = hand it on every frame.
   */
  prepareMarketOrder?(request: MarketOrderRequest, kind?: SignAheadKind): number | void;
  /**
   * How many times this side has dropped orders it held signed ahead other than by the engine
   * handing it a different one (an order sent, a Lighter nonce voided). Read with the answers of
   * prepareMarketOrder; absent = never answered.
   */
  signedAheadVoids?(): number;
  /**
   * The worst prices of the orders held signed ahead for `side` and `size` (entries: not
   * reduce-only) that a placeMarketOrder with that bound would still only write: valid and young
   * enough. Empty when none. The array is the adapter's own and reused: read it before the next
   * call. Absent = nothing is held. `now`, when given, is the engine's reading of the monotonic
   * clock on this turn, by which ages may be judged instead of reading the clock again.
   */
  heldBounds?(side: OrderSide, size: number, now?: number): readonly number[];
  /**
   * False when an order sent now would be refused before it leaves (a local rate budget is
   * spent): the engine opens no trade whose other leg would then stand alone. Absent = always.
   */
  readyForOrder?(): boolean;
  /** The execution side's readiness in detail (see ExecutionReadiness). Absent = derived from readyForOrder. */
  readiness?(): ExecutionReadiness;
  /** The moment from which readiness() answers `ready`, kept current by this side (see ReadinessGate). Absent = ask readiness(). */
  readonly readinessGate?: ReadinessGate;
  /** The local order budget: orders it allows now, and per minute (for metrics only). Absent = no local budget. */
  rateBudget?(): { remaining: number; perMinute: number };
  /** Settles an `unknown` leg from the venue's order and fill history; may still be unknown. */
  resolveOrder(leg: LegResult): Promise<LegResult>;

  /** Signed position at sizeScale as the venue reports it (long > 0). */
  fetchPosition(): Promise<number>;

  /** The account's funding on the traded market: payments and the current rate (funding.ts). Absent = none (paper, backtest, no keys). */
  readonly funding?: FundingSource;
}

/**
 * An execution side that lives apart from its market data (paper, backtest): told the market once
 * the market-data side has started, and stopped before it. Only composeVenue calls these.
 */
export interface DetachedExecution extends Execution {
  attach?(market: MarketSpec): Promise<void> | void;
  detach?(): Promise<void> | void;
}

/** What the engine sees: one venue's market data and execution together. */
export type Venue = MarketData & Execution;

/**
 * One venue out of a market-data side and an execution side that live apart (a live feed with
 * simulated fills, a replayed feed with simulated fills). Starting starts the market data, then
 * attaches the execution to its market; stopping detaches the execution, then stops the feed.
 */
export function composeVenue(data: MarketData, execution: DetachedExecution): Venue {
  return new ComposedVenue(data, execution);
}

/**
 * The venue composeVenue builds. A live adapter extends it to add what is its own (its REST client,
 * limit orders, streamed position) on top of the composed sides.
 */
export class ComposedVenue implements Venue {
  readonly id: VenueId;
  readonly writeOrder?: (request: MarketOrderRequest, now?: number, limit?: number) => WrittenOrder;
  readonly followOrder?: (written: WrittenOrder) => Promise<LegResult>;
  readonly prepareMarketOrder?: (request: MarketOrderRequest, kind?: SignAheadKind) => number | void;
  readonly signedAheadVoids?: () => number;
  readonly heldBounds?: (side: OrderSide, size: number, now?: number) => readonly number[];
  readonly readyForOrder?: () => boolean;
  readonly readiness?: () => ExecutionReadiness;
  readonly readinessGate?: ReadinessGate;
  readonly rateBudget?: () => { remaining: number; perMinute: number };
  readonly funding?: FundingSource;

  /** `account`: a live adapter's account side, when it (rather than the execution side) reads funding. */
  constructor(
    protected readonly data: MarketData,
    protected readonly execution: DetachedExecution,
    account?: { readonly funding?: FundingSource },
  ) {
    this.id = data.id;
    const funding = account?.funding ?? execution.funding;
    if (funding !== undefined) this.funding = funding;
    // The optional members exist on the venue exactly when the execution side has them, as the engine checks for them.
    if (execution.writeOrder && execution.followOrder) {
      this.writeOrder = execution.writeOrder.bind(execution);
      this.followOrder = execution.followOrder.bind(execution);
    }
    if (execution.prepareMarketOrder) this.prepareMarketOrder = execution.prepareMarketOrder.bind(execution);
    if (execution.signedAheadVoids) this.signedAheadVoids = execution.signedAheadVoids.bind(execution);
    if (execution.heldBounds) this.heldBounds = execution.heldBounds.bind(execution);
    if (execution.readyForOrder) this.readyForOrder = execution.readyForOrder.bind(execution);
    if (execution.readiness) this.readiness = execution.readiness.bind(execution);
    // The gate only with the readiness() it stands for.
    if (execution.readiness && execution.readinessGate) this.readinessGate = execution.readinessGate;
    if (execution.rateBudget) this.rateBudget = execution.rateBudget.bind(execution);
  }

  get market(): MarketSpec {
    return this.data.market;
  }
  get book(): OrderBook {
    return this.data.book;
  }
  get lastBookAt(): number {
    return this.data.lastBookAt;
  }
  async start(): Promise<MarketSpec> {
    const market = await this.data.start();
    await this.execution.attach?.(market);
    return market;
  }
  async stop(): Promise<void> {
    try {
      await this.execution.detach?.();
    } finally {
      await this.data.stop();
    }
  }
  status(): VenueStatus {
    return this.data.status();
  }
  onBook(listener: BookListener): void {
    this.data.onBook(listener);
  }
  onStatus(listener: StatusListener): void {
    this.data.onStatus(listener);
  }
  placeMarketOrder(request: MarketOrderRequest): Promise<LegResult> {
    return this.execution.placeMarketOrder(request);
  }
  resolveOrder(leg: LegResult): Promise<LegResult> {
    return this.execution.resolveOrder(leg);
  }
  fetchPosition(): Promise<number> {
    return this.execution.fetchPosition();
  }
}

/**
 * A live venue on a connection that other markets may share (each venue's session.ts): it holds
 * the session from construction or start() until stop(), and lets go once per start however often
 * it is stopped, so a second stop of one market never closes a connection others still hold.
 */
export class SessionVenue extends ComposedVenue {
  private holding = true;

  constructor(
    data: MarketData,
    execution: DetachedExecution,
    account: { readonly funding?: FundingSource } | undefined,
    private readonly held: { retain(): void; close(): Promise<void> },
  ) {
    super(data, execution, account);
  }

  override start(): Promise<MarketSpec> {
    if (!this.holding) {
      this.holding = true;
      this.held.retain();
    }
    return super.start();
  }

  /** Stops the market's timers and the execution side, then closes the connection (once no other market holds it). */
  override async stop(): Promise<void> {
    try {
      await super.stop();
    } finally {
      if (this.holding) {
        this.holding = false;
        await this.held.close();
      }
    }
  }
}
