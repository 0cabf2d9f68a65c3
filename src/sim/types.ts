// Contracts between the parts of the simulated venues: the matching engine (one per venue and
// market), the market generator that feeds it house liquidity, the fault plan both protocol
// servers honour, and the servers' start options. Prices and sizes are fixed-point integers at the
// market's scales, exactly as in core/types.ts.

import type { Logger } from '../core/log.js';
import type { OrderSide } from '../core/types.js';

/** The grid and fees of one simulated market. */
export interface SimMarketSpec {
  /** Base asset, upper case: "BTC". Backpack serves it as `${base}_USDC_PERP`, Lighter as `${base}`. */
  base: string;
  /** Lighter market index (ignored by the Backpack server). */
  marketId: number;
  priceScale: number;
  sizeScale: number;
  /** At priceScale / sizeScale. */
  tickSize: number;
  stepSize: number;
  minSize: number;
  takerFeeBps: number;
  makerFeeBps: number;
  /** Orders priced further than this from the mid are refused (Lighter's price band; 0 = none). */
  priceBandBps: number;
  /**
   * Lighter's min_quote_amount at priceScale + sizeScale: an order whose BaseAmount × Price is
   * below it is refused (undefined = no minimum; ignored by the Backpack server).
   */
  minQuote?: number;
  /**
   * Initial and maintenance margin fractions in bps (Lighter's orderBookDetails units of 0.01 %;
   * Backpack's imf/mmf × 10^4). Undefined = 500 / 120, the simulated Lighter's published defaults.
   */
  initialMarginBps?: number;
  maintenanceMarginBps?: number;
}

export type SimTimeInForce = 'GTC' | 'IOC' | 'FOK';

export interface SimOrderRequest {
  /** The trading account (Backpack: public key base64; Lighter: account index as a string). */
  account: string;
  side: OrderSide;
  type: 'market' | 'limit';
  size: number;
  /** Limit price; for a market order the worst acceptable price (undefined = unbounded). */
  price?: number;
  timeInForce: SimTimeInForce;
  postOnly?: boolean;
  reduceOnly?: boolean;
  /** The client's own id (Backpack clientId, Lighter client order index), as given. */
  clientOrderId?: string;
  /** Execute at most this much and cancel the rest (the partial-fill fault). */
  fillLimit?: number;
}

export interface SimFill {
  tradeId: number;
  orderId: number;
  clientOrderId?: string;
  account: string;
  side: OrderSide;
  price: number;
  size: number;
  /** Fee in quote units at priceScale + sizeScale (exact integer: notional · bps / 10^4, rounded up). */
  fee: number;
  liquidity: 'maker' | 'taker';
  /** The order on the other side of this trade (the house's included). */
  counterOrderId: number;
  /** Epoch ms from the engine's clock. */
  timestamp: number;
}

export type SimOrderStatus = 'new' | 'partiallyFilled' | 'filled' | 'cancelled' | 'expired' | 'rejected';

export interface SimOrder {
  orderId: number;
  clientOrderId?: string;
  account: string;
  side: OrderSide;
  type: 'market' | 'limit';
  size: number;
  price?: number;
  timeInForce: SimTimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  status: SimOrderStatus;
  executedSize: number;
  /** Σ price·size of the order's fills, at priceScale + sizeScale. */
  executedNotional: number;
  /** Σ fees of the order's fills, as in SimFill.fee. */
  fee: number;
  /** Why the engine refused it (grid, minimum, post-only would cross, reduce-only, price band). */
  rejectReason?: SimRejectReason;
  createdAt: number;
  updatedAt: number;
}

export type SimRejectReason =
  'size_off_grid' | 'size_below_minimum' | 'price_off_grid' | 'price_out_of_band' | 'post_only_would_cross' | 'reduce_only_would_increase' | 'no_liquidity';

export interface SimPosition {
  account: string;
  /** Signed, at sizeScale (long > 0). */
  size: number;
  /** Σ signed price·size of the open position, at priceScale + sizeScale (for entry price). */
  openNotional: number;
  /** Realised PnL in quote units at priceScale + sizeScale, fees excluded. */
  realizedPnl: number;
  /** Σ fees paid, as in SimFill.fee. */
  feesPaid: number;
}

/** One change of an aggregated price level: the new total size (0 = level gone). */
export interface SimLevelChange {
  side: 'bid' | 'ask';
  price: number;
  size: number;
}

/** Everything one place() did, in order, so servers can emit their frames from it. */
export interface SimPlaceOutcome {
  order: SimOrder;
  /** Every fill on both sides (the taker's and each maker's), in execution order. */
  fills: SimFill[];
  /** Orders other than `order` whose state changed (makers hit). */
  touchedOrders: SimOrder[];
}

export type SimBookListener = (changes: readonly SimLevelChange[]) => void;

/**
 * A price-time-priority matching engine for one market of one venue. Synchronous and
 * deterministic: the same calls give the same results. Book listeners run synchronously after
 * every mutation with the aggregated level changes it caused (never empty).
 */
export interface SimMatchingEngine {
  readonly market: SimMarketSpec;
  place(request: SimOrderRequest): SimPlaceOutcome;
  /** Cancels a resting order of this account; undefined if it is not open. */
  cancel(account: string, orderId: number): SimOrder | undefined;
  cancelAll(account: string): SimOrder[];
  openOrders(account: string): SimOrder[];
  order(orderId: number): SimOrder | undefined;
  orderByClientId(account: string, clientOrderId: string): SimOrder | undefined;
  /** Every order of the account, newest last (open and closed). */
  orders(account: string): SimOrder[];
  fills(account: string): SimFill[];
  position(account: string): SimPosition;
  positions(): SimPosition[];
  /** Aggregated levels, best first. */
  levels(side: 'bid' | 'ask', depth?: number): Array<[price: number, size: number]>;
  bestBid(): number | undefined;
  bestAsk(): number | undefined;
  /** Mid of the best prices, or the last generator mid when one side is empty. */
  mid(): number | undefined;
  /**
   * Replaces the house (market-maker) liquidity with exactly these levels. User orders are never
   * touched; house levels that would cross resting user orders trade against them first.
   */
  setHouseLiquidity(bids: ReadonlyArray<readonly [number, number]>, asks: ReadonlyArray<readonly [number, number]>): void;
  onBookChange(listener: SimBookListener): () => void;
}

/** What the generator wants both venues' books to look like now. */
export interface SimMarketFrame {
  /** Epoch ms of the simulated clock. */
  at: number;
  backpack: { bids: Array<[number, number]>; asks: Array<[number, number]> };
  lighter: { bids: Array<[number, number]>; asks: Array<[number, number]> };
}

/**
 * Faults chosen per run (or switched at run time by tests). Both servers consult the live object
 * on every request and frame, so changing a field takes effect immediately.
 */
export interface SimFaults {
  /** Answer the next N account funding-history requests (Backpack /wapi/v1/history/funding, Lighter positionFunding) with a malformed row. */
  malformedFundingReplies?: number;
  /** Close every WebSocket connection once, now (servers clear the flag when done). */
  dropConnections?: boolean;
  /** Skip this many sequence ids in the next book delta (Backpack U/u, Lighter begin_nonce). */
  skipSequence?: number;
  /** Delay every reply (HTTP and WS order replies) by this many ms. */
  replyDelayMs?: number;
  /** Swallow the reply of the next N order requests (the order is still executed). */
  dropNextOrderReplies?: number;
  /** Reject the next order with this venue error code (Backpack: e.g. "INSUFFICIENT_MARGIN"; Lighter: e.g. 21733). */
  rejectNextOrderWith?: string | number;
  /** Fill only this fraction (0..1, floored to the step) of the next order, cancelling the rest. */
  partialFillNext?: number;
  /** Answer every request with 429 until this epoch ms. */
  rateLimitUntil?: number;
  /** Answer every request with 503 (and Lighter's maintenance state) until this epoch ms. */
  unavailableUntil?: number;
  /** Stop sending any WS frame (book, account, ping) without closing, until this epoch ms. */
  silentUntil?: number;
  /** Send one malformed frame on every market-data connection, then clear the flag. */
  malformedFrame?: boolean;
  /** Send each of these texts as one frame on every connection, then clear the list (any JSON value, or none). */
  rawFrames?: string[];
  /** Added latency on every WS frame sent, in ms. */
  frameLatencyMs?: number;
  /** The server's clock runs this many ms ahead of the real one (timestamps it sends and checks). */
  clockSkewMs?: number;
  /**
   * The next Lighter `unsubscribe` is `ignored` (answered `unsubscribed` but not carried out, so
   * a subscribe that follows meets 30003 while the old subscription keeps streaming deltas) or
   * `unanswered` (neither answered nor carried out). Cleared when used.
   */
  unsubscribeFault?: 'ignored' | 'unanswered';
  /** Lighter: the account's shared request budget per rolling minute (REST + transactions); undefined = none. */
  requestsPerMinute?: number;
  /** Lighter: transactions per rolling minute within that budget (older documents: 40 for Standard); undefined = no separate cap. */
  transactionsPerMinute?: number;
  /** Lighter: the shape of every WebSocket rejection; undefined = one of the three at random per rejection. */
  rejectionShape?: LighterRejectionShape;
  /** Lighter: acknowledge the next N create-order transactions, then fail them in the sequencer (nothing executes, the nonce stays unused). */
  ackThenFailNext?: number;
}

/** The three shapes a rejected Lighter transaction is answered with on the WebSocket (spec §0). */
export type LighterRejectionShape = 'sendtx_code' | 'sendtx_code_no_id' | 'type_error' | 'bare_error';

/** Options every simulated protocol server takes. */
export interface SimServerOptions {
  /** One engine per market served. */
  engines: SimMatchingEngine[];
  /** Shared, mutable fault plan. */
  faults: SimFaults;
  logger: Logger;
  /** Loopback only; port 0 picks a free port. */
  host?: '127.0.0.1';
  port?: number;
  /** Server-side keep-alive ping period (ms). */
  pingIntervalMs?: number;
  /** Epoch ms clock (tests may inject one); faults.clockSkewMs is added on top. */
  now?: () => number;
}

export interface SimServerHandle {
  /** REST base, e.g. http://127.0.0.1:41234 (Backpack paths start /api/v1, Lighter /api/v1 too). */
  apiUrl: string;
  /** WebSocket URL. */
  wsUrl: string;
  close(): Promise<void>;
  /** Every stream (Backpack) or channel (Lighter) subscribed on any connection now, for tests to wait on. */
  subscriptions(): string[];
  /** WebSocket connections open now (a bot of several markets should hold one per venue). */
  connections(): number;
}

/** Backpack server: accounts are identified by their ED25519 public key (base64). */
export interface BackpackSimOptions extends SimServerOptions {
  accounts: Array<{ publicKey: string }>;
  /** The current-interval funding rate /api/v1/markPrices reports per symbol (decimal text; default "0.0000125"); tests change it at run time. */
  fundingRates?: Map<string, string>;
}

/** Lighter server: each account has API keys registered by index with their public key (hex). */
export interface LighterSimOptions extends SimServerOptions {
  chainId: number;
  /** Seeds the choice of rejection shapes (default 1). */
  seed?: number;
  /** `nonce` is the key's next expected nonce (default 0). */
  accounts: Array<{
    accountIndex: number;
    apiKeys: Array<{ apiKeyIndex: number; publicKeyHex: string; nonce?: number }>;
    /** `user_tier` in accountLimits (default "standard"); undefined-like "" leaves the field out. */
    tier?: string;
  }>;
  /** The rate over eight hours /api/v1/funding-rates reports per market id (default 0.0000125); tests change it at run time. */
  fundingRates?: Map<number, number>;
  /** market_stats' current_funding_rate per market id (percent for the hour, decimal text; default: an eighth of the eight-hour rate, in percent, cut to 4 decimals). */
  predictedFundingRates?: Map<number, string>;
}
