// A local Lighter exchange on loopback that speaks the real protocol (spec §3–§7, §10): every
// transaction's Schnorr signature is checked against the registered API key with our verifier,
// nonces are enforced per API key, client order indices are unique per account, the order book
// stream carries a begin_nonce chain, account channels sit behind auth tokens, and transactions
// arrive as REST form posts or `jsonapi/sendtx` frames. Matching is a SimMatchingEngine per market.

import type http from 'node:http';
import type { WebSocket } from 'ws';
import { formatFixed, parseUnits } from '../../core/fixed.js';
import { hourlyFromEightHour } from '../funding.js';
import { systemClock } from '../../core/clock.js';
import { parseJsonExact, type JsonValue } from '../../core/json.js';
import { seededUint32 } from '../../core/prng.js';
import { TX_TYPE, verifyAuthToken, verifyTxInfo } from '../../venues/lighter/signer/index.js';
import type { LighterRejectionShape, LighterSimOptions, SimFill, SimLevelChange, SimMatchingEngine, SimOrder, SimServerHandle } from '../types.js';
import { SimServerBase, header, sleep } from '../server-base.js';
import { MARGIN_SCALE, SimMargin, marketInitialBps } from '../margin.js';

/** Exchange order indices start at 2^48 (spec §2); ours are 2^48 + the engine's order id. */
const ORDER_INDEX_BASE = 2 ** 48;

/**
 * How a rejected transaction is answered on the WebSocket. The venue uses all of these (spec §0,
 * from nautilus_trader crates/adapters/lighter/src/websocket/messages.rs SendTxRejected and its
 * rejection sources, handler.rs; CCXT pro/lighter.js handleErrorMessage for the bare `error`
 * object): a sendtx reply whose top-level code is not 200, with or without the client's id; a
 * `type: error` frame; a bare `error` object. The last two carry no correlation at all, so the
 * simulator picks among all four at random (seeded) unless a test fixes one: the harsher reading.
 */
const REJECTION_SHAPES: readonly LighterRejectionShape[] = ['sendtx_code', 'sendtx_code_no_id', 'type_error', 'bare_error'];

/** Messages of the codes the fault plan can inject (spec §0 and §7). */
const REJECTION_MESSAGES: Record<number, string> = {
  21104: 'invalid nonce',
  21120: 'invalid signature',
  21136: 'invalid PublicKey, update the sdk to the latest version',
  21733: 'accidental price',
  29500: 'internal server error',
  29501: 'timeout',
};

export class LighterApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

interface Market {
  id: number;
  engine: SimMatchingEngine;
  /** Nonce of the latest book frame; the next delta's begin_nonce. */
  nonce: number;
  offset: number;
}

interface ApiKey {
  accountIndex: number;
  apiKeyIndex: number;
  publicKeyHex: string;
  nextNonce: number;
}

interface Client {
  socket: WebSocket;
  channels: Set<string>;
  /** Accounts whose private channels this connection may read (proved by an auth token). */
  accounts: Set<number>;
  /** Deadline (Unix s) of the token each account channel was subscribed with. */
  tokenDeadlines: Map<string, number>;
  awaitingPong: boolean;
}

const TIF_NAME = ['immediate-or-cancel', 'good-till-time', 'post-only'];

/**
 * How long an `unsubscribe` takes to be carried out (ms). No source orders an unsubscribe before a
 * subscribe sent right behind it (spec §0 "Resubscribing"), and the venue answers such a subscribe
 * with 30003 "Already Subscribed" (CCXT `pro/lighter.js handleErrorMessage`, `lighter.js`
 * exceptions; spec §5): this venue finishes an unsubscribe only after the frames already queued
 * on the connection, and answers `unsubscribed` (CCXT `handleUnSubscription`) when it is done.
 */
const UNSUBSCRIBE_LAG_MS = 5;

/** Candle widths by resolution name (CCXT lighter.js timeframes; lighter-go CandlestickResolution). */
const RESOLUTION_MS: Record<string, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '1w': 604_800_000,
};

/** One executed trade on a market's public tape. */
interface TapeTrade {
  tradeId: number;
  txHash: string;
  price: number;
  size: number;
  timestamp: number;
  takerSide: 'buy' | 'sell';
  takerAccount: number;
  takerOrder: number;
  makerAccount: number;
  makerOrder: number;
  liquidation: boolean;
}

/** A query parameter the route requires, or 21505 naming it. */
function requireParam(q: URLSearchParams, name: string, route: string): string {
  const v = q.get(name);
  if (v === null || v === '') throw new LighterApiError(21505, `${route}: the query parameter ${name} is required`);
  return v;
}

/** The Lighter simulator's options, with its margin model. */
export interface LighterSimServerOptions extends LighterSimOptions {
  /** The venue's margin model over `engines` (default: ample collateral for every account). */
  margin?: SimMargin;
}

export async function startLighterSim(options: LighterSimServerOptions): Promise<SimServerHandle> {
  const sim = new LighterSim(options);
  return sim.listen();
}

export class LighterSim extends SimServerBase<Client> {
  private readonly markets = new Map<number, Market>();
  private readonly keys = new Map<string, ApiKey>();
  private readonly clientIndices = new Map<number, Set<number>>();
  private readonly txs = new Map<string, { txType: number; at: number }>();
  /** OrderExpiry as signed (ms; spec §8 "OrderExpiry is an absolute Unix time in milliseconds"), by engine order id. */
  private readonly expiries = new Map<number, number>();
  /** Resting orders with an expiry, until they end or expire. */
  private readonly expiring = new Map<number, number>();
  /** Orders the venue ended itself, by engine order id: status as the venue reports it. */
  private readonly endedBy = new Map<number, 'canceled-expired' | 'canceled-liquidation' | 'canceled-self-trade'>();
  /** Every trade executed, per market id, oldest first: candles, recentTrades and `trade/{market}`. */
  private readonly tapes = new Map<number, TapeTrade[]>();
  /** Integrator fees signed on an order, by engine order id: charged on each of its fills. */
  private readonly orderIntegrators = new Map<number, { takerFee: number; makerFee: number }>();
  /** Orders the venue placed to close a liquidated account (order type "liquidation"). */
  private readonly liquidationOrders = new Set<number>();
  /** Integrators each account approved (ApproveIntegrator; spec §7 21149), with the fee caps approved. */
  private readonly integrators = new Map<number, Map<number, { takerFee: number; makerFee: number }>>();
  /** The market_stats body last published per market id: an update goes out only when it changes. */
  private readonly lastStats = new Map<number, string>();
  private sessions = 0;
  /** Arrival times of the requests counted against the shared budget, oldest first. */
  private readonly budgetTimes: number[] = [];
  private readonly transactionTimes: number[] = [];
  private readonly random: () => number;
  /** Every transaction sequenced, in order: what tests check nonces against. */
  readonly acceptedTxs: Array<{ accountIndex: number; apiKeyIndex: number; nonce: number; txType: number; txHash: string }> = [];

  /** Cross margin over every market served (src/sim/margin.ts); no account leverage limit beyond the markets' fractions. */
  readonly margin: SimMargin;

  constructor(private readonly options: LighterSimServerOptions) {
    // JSON pings; clients must pong within one period (spec §5).
    super(options, { wsPath: '/stream', malformedFrame: '{"channel":"order_book:', defaultPingMs: 30_000 });
    this.margin = options.margin ?? new SimMargin(options.engines);
    this.random = seededUint32(options.seed ?? 1);
    for (const a of options.accounts) {
      for (const k of a.apiKeys)
        this.keys.set(`${a.accountIndex}:${k.apiKeyIndex}`, { accountIndex: a.accountIndex, apiKeyIndex: k.apiKeyIndex, publicKeyHex: k.publicKeyHex, nextNonce: k.nonce ?? 0 });
    }
    for (const engine of options.engines) {
      const market: Market = { id: engine.market.marketId, engine, nonce: 5_000, offset: 100 };
      this.markets.set(market.id, market);
      this.unsubscribers.push(
        engine.onBookChange((changes) => {
          this.publishBook(market, changes);
          this.scheduleLiquidationCheck();
        }),
      );
    }
  }

  // ---------------------------------------------------------------- REST

  protected async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown): void => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if ((this.faults.replyDelayMs ?? 0) > 0) await sleep(this.faults.replyDelayMs!);
    try {
      this.sweepExpired();
      this.checkGate();
      this.checkBudget(req.method === 'POST');
      const q = url.searchParams;
      if (req.method === 'POST') {
        const form = await readForm(header(req, 'content-type') ?? '', Buffer.concat(chunks));
        // price_protection (lighter-python transaction_api.py _send_tx_serialize: optional boolean,
        // default true per its docs/TransactionApi.md): no source read says what false lifts, so it
        // is checked for being a boolean and the accidental-price band (21733) applies whatever its
        // value: the harsher reading.
        const protection = form.get('price_protection');
        if (protection !== null && protection !== 'true' && protection !== 'false')
          throw new LighterApiError(21505, `price_protection must be true or false, not ${protection}`, 400);
        if (url.pathname === '/api/v1/sendTx') {
          const reply = this.sendTx(Number(form.get('tx_type')), form.get('tx_info') ?? '');
          if (reply === undefined) return void res.socket?.destroy();
          return send(200, reply);
        }
        if (url.pathname === '/api/v1/sendTxBatch') return send(200, this.sendTxBatch(form.get('tx_types') ?? '', form.get('tx_infos') ?? ''));
        throw new LighterApiError(21505, `no POST route ${url.pathname}`, 404);
      }
      send(200, this.get(url.pathname, q, header(req, 'authorization') ?? q.get('auth') ?? undefined));
    } catch (e) {
      if (e instanceof LighterApiError) return send(e.httpStatus, { code: e.code, message: e.message });
      this.log.error(`lighter sim: ${url.pathname} failed: ${(e as Error).message}`);
      send(500, { code: 500, message: 'internal error' });
    }
  }

  /** 503 during maintenance, 429 while rate limited: the same for REST and WS transactions. */
  private checkGate(): void {
    const wall = systemClock.wallMs(); // fault windows are set on the real wall clock
    if ((this.faults.unavailableUntil ?? 0) > wall) throw new LighterApiError(503, 'service unavailable: maintenance', 503);
    if ((this.faults.rateLimitUntil ?? 0) > wall) throw new LighterApiError(23000, 'too many requests', 429);
  }

  /**
   * The shared request budget: every REST call and every transaction, either transport, in one
   * rolling minute, per IP and L1 address (spec §0 rate limits; nautilus_trader
   * crates/adapters/lighter/src/common/rate_limit.rs "60 REST requests per rolling minute"). Over
   * it: HTTP 429 with code 23000, or 23000 in a WebSocket rejection (CCXT lighter.js exceptions,
   * pro/lighter.js handleErrorMessage). Older documents give Standard accounts 40 transactions a
   * minute: where the sources disagree the harsher holds, so a test may set both. A refused request
   * does not count.
   */
  private checkBudget(transaction: boolean): void {
    const now = this.now();
    const window = (times: number[], limit: number | undefined): boolean => {
      if (limit === undefined) return true;
      while (times.length > 0 && times[0] + 60_000 <= now) times.shift();
      return times.length < limit;
    };
    if (!window(this.budgetTimes, this.faults.requestsPerMinute)) throw new LighterApiError(23000, 'Too Many Requests', 429);
    if (transaction && !window(this.transactionTimes, this.faults.transactionsPerMinute)) throw new LighterApiError(23000, 'Too Many Requests', 429);
    if (this.faults.requestsPerMinute !== undefined) this.budgetTimes.push(now);
    if (transaction && this.faults.transactionsPerMinute !== undefined) this.transactionTimes.push(now);
  }

  private get(path: string, q: URLSearchParams, auth: string | undefined): unknown {
    switch (path) {
      case '/':
        // The status document (lighter-python `lighter/models/status.py`: status, network_id,
        // timestamp): the bot reads its network_id as the chain id the venue runs.
        return { status: 200, network_id: this.options.chainId, timestamp: Math.floor(this.now() / 1000) };
      case '/api/v1/orderBooks':
        return { code: 200, order_books: this.selectMarkets(q).map((m) => this.marketJson(m, false)) };
      case '/api/v1/orderBookDetails':
        return { code: 200, order_book_details: this.selectMarkets(q).map((m) => this.marketJson(m, true)), spot_order_book_details: [] };
      case '/api/v1/funding-rates':
        // lighter-python `lighter/models/funding_rates.py` / `funding_rate.py`: {market_id, exchange,
        // symbol, rate}, exchange one of binance, bybit, hyperliquid, lighter; the rate is a fraction
        // over eight hours (df-lighter-core `src/markets/funding.rs`). The venue lists other
        // exchanges' rates for the same symbols too; so does this one (Binance's at twice Lighter's),
        // so a reader that forgets to keep only exchange "lighter" reads the wrong rate.
        return {
          code: 200,
          funding_rates: [...this.markets.values()].flatMap((m) => {
            const rate = this.options.fundingRates?.get(m.id) ?? 0.0000125;
            return [
              { market_id: m.id, exchange: 'binance', symbol: m.engine.market.base, rate: rate * 2 },
              { market_id: m.id, exchange: 'lighter', symbol: m.engine.market.base, rate },
            ];
          }),
        };
      case '/api/v1/positionFunding':
        return this.positionFunding(q, auth);
      case '/api/v1/orderBookOrders': {
        // OrderBookOrders (spec §4; CCXT 4.5.84 lighter.js fetchOrderBook reads bids/asks with
        // price and remaining_base_amount; lighter-python `models/order_book_orders.py`: total_asks,
        // asks, total_bids, bids of SimpleOrder). `limit` is required, 1..250 (apidocs
        // reference/orderbookorders). The venue lists resting orders one by one; this simulator's
        // engine exposes price levels, so each level is listed as one order of its total size.
        const m = this.market(Number(requireParam(q, 'market_id', 'orderBookOrders')));
        const limit = Number(requireParam(q, 'limit', 'orderBookOrders'));
        if (!Number.isInteger(limit) || limit < 1 || limit > 250) throw new LighterApiError(21505, `orderBookOrders: limit must be 1..250, got ${q.get('limit')}`);
        const s = m.engine.market;
        const side = (which: 'bid' | 'ask') =>
          m.engine.levels(which, limit).map(([price, size], i) => ({
            order_index: ORDER_INDEX_BASE - 1 - i,
            order_id: String(ORDER_INDEX_BASE - 1 - i),
            owner_account_index: -1,
            initial_base_amount: formatFixed(size, s.sizeScale),
            remaining_base_amount: formatFixed(size, s.sizeScale),
            price: formatFixed(price, s.priceScale),
            order_expiry: 0,
          }));
        const asks = side('ask');
        const bids = side('bid');
        return { code: 200, total_asks: asks.length, asks, total_bids: bids.length, bids };
      }
      case '/api/v1/assetDetails':
        // AssetDetails (apidocs reference/assetdetails; CCXT lighter.js fetchCurrencies/parseCurrency
        // reads asset_id, symbol, decimals, min_transfer_amount, min_withdrawal_amount): USDC is the
        // collateral asset (asset 3 on mainnet per lighter-go constants.go USDCAssetIndex), and each
        // market's base as a non-transferable asset.
        return {
          code: 200,
          asset_details: [
            {
              asset_id: 3,
              symbol: 'USDC',
              l1_decimals: 6,
              decimals: 6,
              min_transfer_amount: '1.000000',
              min_withdrawal_amount: '1.000000',
              margin_mode: 'enabled',
              index_price: '1.000000',
            },
            ...[...this.markets.values()].map((m) => ({
              asset_id: 100 + m.id,
              symbol: m.engine.market.base,
              l1_decimals: m.engine.market.sizeScale,
              decimals: m.engine.market.sizeScale,
              min_transfer_amount: '0',
              min_withdrawal_amount: '0',
              margin_mode: 'disabled',
              index_price: formatFixed(m.engine.mid() ?? 0, m.engine.market.priceScale),
            })),
          ],
        };
      case '/api/v1/candles':
      case '/api/v1/candlesticks':
        return this.candles(path, q);
      case '/api/v1/recentTrades': {
        // Public trades, newest first (spec §4; lighter-python `order_api.py recent_trades`: market_id, limit 1..100).
        const m = this.market(Number(requireParam(q, 'market_id', 'recentTrades')));
        const limit = Number(requireParam(q, 'limit', 'recentTrades'));
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new LighterApiError(21505, `recentTrades: limit must be 1..100, got ${q.get('limit')}`);
        return {
          code: 200,
          trades: this.tapeOf(m)
            .slice(-limit)
            .reverse()
            .map((t) => this.tapeJson(m, t)),
        };
      }
      case '/api/v1/nextNonce': {
        const key = this.keys.get(`${q.get('account_index')}:${q.get('api_key_index')}`);
        if (key === undefined) throw new LighterApiError(21108, 'invalid PublicKey: api key not registered');
        return { code: 200, nonce: key.nextNonce };
      }
      case '/api/v1/apikeys': {
        const account = Number(q.get('account_index'));
        const index = Number(q.get('api_key_index') ?? 255);
        const keys = [...this.keys.values()].filter((k) => k.accountIndex === account && (index === 255 || k.apiKeyIndex === index));
        return { code: 200, api_keys: keys.map((k) => ({ account_index: k.accountIndex, api_key_index: k.apiKeyIndex, nonce: k.nextNonce, public_key: k.publicKeyHex })) };
      }
      case '/api/v1/account': {
        if (q.get('by') !== 'index') throw new LighterApiError(21100, 'only by=index is simulated');
        const account = Number(q.get('value'));
        if (![...this.keys.values()].some((k) => k.accountIndex === account)) throw new LighterApiError(21100, 'account not found', 404);
        return { code: 200, total: 1, accounts: [this.accountJson(account)] };
      }
      case '/api/v1/accountLimits': {
        // lighter-python `lighter/models/account_limits.py`: user_tier / user_tier_name name the tier
        // that POST /api/v1/changeAccountTier sets; auth token required (spec §4).
        const account = this.authorize(auth, q);
        const tier = this.options.accounts.find((a) => a.accountIndex === account)?.tier ?? 'standard';
        const named = tier === '' ? {} : { user_tier: tier, user_tier_name: tier.charAt(0).toUpperCase() + tier.slice(1) };
        return {
          code: 200,
          max_llp_percentage: 25,
          ...named,
          can_create_public_pool: false,
          max_llp_amount: '0',
          current_maker_fee_tick: 0,
          current_taker_fee_tick: 0,
          effective_lit_stakes: '0',
          leased_lit: '0',
        };
      }
      case '/api/v1/accountActiveOrders': {
        const account = this.authorize(auth, q);
        const m = this.market(Number(q.get('market_id')));
        return { code: 200, orders: m.engine.openOrders(String(account)).map((o) => this.orderJson(m, o)) };
      }
      case '/api/v1/accountInactiveOrders': {
        const account = this.authorize(auth, q);
        const limit = Math.min(100, Number(q.get('limit') ?? 100));
        const orders = this.selectMarkets(q).flatMap((m) =>
          m.engine
            .orders(String(account))
            .filter((o) => o.status !== 'new' && o.status !== 'partiallyFilled')
            .map((o) => ({ m, o })),
        );
        orders.sort((a, b) => b.o.updatedAt - a.o.updatedAt || b.o.orderId - a.o.orderId);
        return { code: 200, orders: orders.slice(0, limit).map(({ m, o }) => this.orderJson(m, o)), next_cursor: null };
      }
      case '/api/v1/trades': {
        const account = this.authorize(auth, q);
        const limit = Math.min(100, Number(q.get('limit') ?? 100));
        const trades = this.selectMarkets(q).flatMap((m) => m.engine.fills(String(account)).map((f) => this.tradeJson(m, f)));
        if (q.get('sort_dir') !== 'asc') trades.reverse();
        return { code: 200, trades: trades.slice(0, limit), next_cursor: null };
      }
      case '/api/v1/tx': {
        const tx = this.txs.get(q.get('value') ?? '');
        if (tx === undefined) throw new LighterApiError(21500, 'tx not found', 404);
        return { code: 200, hash: q.get('value'), type: tx.txType, status: 2, executed_at: tx.at };
      }
      default:
        throw new LighterApiError(21505, `no route ${path}`, 404);
    }
  }

  /**
   * GET /api/v1/positionFunding (auth): the account's funding payments, newest first (lighter-python
   * `lighter/api/account_api.py` position_funding: account_index, limit 1..100 required, market_id
   * (255 = every market), cursor, side (long/short/all), start_timestamp, end_timestamp, the token in
   * the Authorization header; `lighter/models/position_fundings.py` {code, position_fundings,
   * next_cursor}; `position_funding.py` {timestamp, market_id, funding_id, change, discount, rate,
   * position_size, position_side (long|short)}). `change` is the collateral change (received > 0),
   * `rate` the hourly rate settled. The model names no unit for `timestamp`; the docs' example of
   * the same rows (WebSocket reference › Account All, funding_histories: `timestamp: 1700000000`)
   * is in seconds, as df-lighter-core reads the settlements' timestamps, so this server sends
   * seconds. A fault makes the next replies malformed.
   */
  private positionFunding(q: URLSearchParams, auth: string | undefined): unknown {
    const account = this.authorize(auth, q);
    const limit = Number(q.get('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new LighterApiError(21100, 'limit must be between 1 and 100');
    const marketParam = q.get('market_id');
    const marketId = marketParam === null || marketParam === '255' ? undefined : this.market(Number(marketParam)).id;
    const side = q.get('side') ?? 'all';
    const from = q.get('start_timestamp');
    const to = q.get('end_timestamp');
    const key = String(account);
    const rows = this.margin.fundingEvents
      .filter((e) => e.payments.has(key))
      .map((e) => ({ e, m: [...this.markets.values()].find((m) => m.engine.market.base === e.base)! }))
      .filter(({ m }) => m !== undefined && (marketId === undefined || m.id === marketId))
      .filter(({ e }) => side === 'all' || (side === 'long') === e.sizes.get(key)! > 0)
      // The window is in seconds, as the rows' timestamps.
      .filter(({ e }) => (from === null || Math.floor(e.at / 1000) >= Number(from)) && (to === null || Math.floor(e.at / 1000) <= Number(to)))
      .reverse();
    const offset = Number(q.get('cursor') ?? 0);
    const page = rows.slice(offset, offset + limit).map(({ e, m }) => {
      const size = e.sizes.get(key)!;
      return {
        timestamp: Math.floor(e.at / 1000),
        market_id: m.id,
        funding_id: e.id,
        change: SimMargin.format(e.payments.get(key)!),
        discount: '0.000000',
        rate: e.rate,
        position_size: formatFixed(Math.abs(size), m.engine.market.sizeScale),
        position_side: size > 0 ? 'long' : 'short',
      };
    });
    if ((this.faults.malformedFundingReplies ?? 0) > 0) {
      this.faults.malformedFundingReplies = (this.faults.malformedFundingReplies ?? 1) - 1;
      page.push({ timestamp: NaN, market_id: -1, funding_id: -1, change: 'lots', discount: '', rate: '', position_size: '', position_side: 'sideways' });
    }
    return { code: 200, position_fundings: page, next_cursor: offset + limit < rows.length ? String(offset + limit) : null };
  }

  /**
   * Candles from the trades this simulator executed. Two routes, two shapes: `/api/v1/candlesticks`
   * as lighter-go `client/http/candlestick_api.go` calls it (market_id, resolution,
   * start_timestamp, end_timestamp, count_back; reply `types/api/market.go` Candlesticks: timestamp,
   * open, high, low, close, volume, quote_volume, trade_count as decimal strings), and
   * `/api/v1/candles` as CCXT 4.5.84 lighter.js fetchOHLCV calls it (same parameters; reply `c`
   * of {t, o, h, l, c, v, V, i} read by parseOHLCV). Every parameter is required (the harsher
   * reading: CCXT always sends count_back 0), timestamps are Unix ms, a bucket starts at a multiple
   * of its resolution; count_back > 0 keeps only the last that many candles.
   */
  private candles(path: string, q: URLSearchParams): unknown {
    const route = path.slice('/api/v1/'.length);
    const m = this.market(Number(requireParam(q, 'market_id', route)));
    const resolution = requireParam(q, 'resolution', route);
    const width = RESOLUTION_MS[resolution];
    if (width === undefined) throw new LighterApiError(21505, `${route}: resolution must be one of ${Object.keys(RESOLUTION_MS).join(', ')}, got ${resolution}`);
    const start = Number(requireParam(q, 'start_timestamp', route));
    const end = Number(requireParam(q, 'end_timestamp', route));
    const countBack = Number(requireParam(q, 'count_back', route));
    if (![start, end, countBack].every((v) => Number.isSafeInteger(v) && v >= 0) || end < start) {
      throw new LighterApiError(21505, `${route}: start_timestamp ≤ end_timestamp (Unix ms) and count_back ≥ 0 must be integers`);
    }
    const s = m.engine.market;
    const buckets = new Map<number, { open: number; high: number; low: number; close: number; volume: number; quote: number; count: number; last: number }>();
    for (const t of this.tapeOf(m)) {
      if (t.timestamp < start || t.timestamp > end) continue;
      const at = Math.floor(t.timestamp / width) * width;
      const b = buckets.get(at);
      if (b === undefined) buckets.set(at, { open: t.price, high: t.price, low: t.price, close: t.price, volume: t.size, quote: t.price * t.size, count: 1, last: t.tradeId });
      else {
        b.high = Math.max(b.high, t.price);
        b.low = Math.min(b.low, t.price);
        b.close = t.price;
        b.volume += t.size;
        b.quote += t.price * t.size;
        b.count += 1;
        b.last = t.tradeId;
      }
    }
    let rows = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
    if (countBack > 0) rows = rows.slice(-countBack);
    const px = (v: number) => formatFixed(v, s.priceScale);
    const qty = (v: number) => formatFixed(v, s.sizeScale);
    const quote = (v: number) => formatFixed(v, s.priceScale + s.sizeScale);
    if (route === 'candles') {
      return {
        code: 200,
        r: resolution,
        c: rows.map(([t, b]) => ({
          t,
          o: Number(px(b.open)),
          h: Number(px(b.high)),
          l: Number(px(b.low)),
          c: Number(px(b.close)),
          v: Number(qty(b.volume)),
          V: Number(quote(b.quote)),
          i: b.last,
        })),
      };
    }
    return {
      code: 200,
      market_index: m.id,
      resolution,
      candlesticks: rows.map(([t, b]) => ({
        timestamp: t,
        open: px(b.open),
        high: px(b.high),
        low: px(b.low),
        close: px(b.close),
        volume: qty(b.volume),
        quote_volume: quote(b.quote),
        trade_count: b.count,
      })),
    };
  }

  private tapeOf(m: Market): TapeTrade[] {
    let tape = this.tapes.get(m.id);
    if (tape === undefined) this.tapes.set(m.id, (tape = []));
    return tape;
  }

  /** A public trade (spec §5.1 `trade/{market}`, CCXT pro lighter.js handleTrades comment). */
  private tapeJson(m: Market, t: TapeTrade): Record<string, unknown> {
    const s = m.engine.market;
    const takerIsAsk = t.takerSide === 'sell';
    return {
      trade_id: t.tradeId,
      tx_hash: t.txHash,
      type: t.liquidation ? 'liquidation' : 'trade',
      market_id: m.id,
      size: formatFixed(t.size, s.sizeScale),
      price: formatFixed(t.price, s.priceScale),
      usd_amount: formatFixed(t.price * t.size, s.priceScale + s.sizeScale),
      ask_id: takerIsAsk ? t.takerOrder : t.makerOrder,
      bid_id: takerIsAsk ? t.makerOrder : t.takerOrder,
      ask_account_id: takerIsAsk ? t.takerAccount : t.makerAccount,
      bid_account_id: takerIsAsk ? t.makerAccount : t.takerAccount,
      is_maker_ask: !takerIsAsk,
      block_height: t.tradeId,
      timestamp: t.timestamp,
    };
  }

  private selectMarkets(q: URLSearchParams): Market[] {
    const id = q.get('market_id');
    return id === null ? [...this.markets.values()] : [this.market(Number(id))];
  }

  private market(id: number): Market {
    const m = this.markets.get(id);
    if (m === undefined) throw new LighterApiError(21602, `invalid market index ${id}`);
    return m;
  }

  /** Checks an auth token (spec §10) and that it belongs to the account asked about. */
  private authorize(token: string | undefined, q: URLSearchParams): number {
    const account = Number(q.get('account_index'));
    this.checkToken(token, account);
    return account;
  }

  /**
   * Subscribes `client` to an account channel, checking the auth token first when `needsToken`
   * (a refusal names the channel, as the venue's 30003/30005 frames do, and subscribes nothing);
   * a token's deadline is kept so the subscription lapses with it. False when refused.
   */
  private admitAccountChannel(client: Client, channel: string, account: number, auth: string | undefined, needsToken: boolean): boolean {
    if (needsToken) {
      try {
        this.checkToken(auth, account);
      } catch (e) {
        this.sendTo(client, { error: { code: (e as LighterApiError).code, message: `${(e as Error).message} (channel ${channel.replaceAll('/', ':')})` } });
        return false;
      }
    }
    client.channels.add(channel);
    client.accounts.add(account);
    if (needsToken) client.tokenDeadlines.set(channel, Number(auth!.split(':')[0]));
    return true;
  }

  private checkToken(token: string | undefined, account: number): void {
    if (token === undefined) throw new LighterApiError(20001, 'invalid auth token: missing', 401);
    const [, a, k] = token.split(':');
    const key = this.keys.get(`${a}:${k}`);
    if (key === undefined || key.accountIndex !== account) throw new LighterApiError(20001, 'invalid auth token: not a key of this account', 401);
    const check = verifyAuthToken(token, key.publicKeyHex, Math.floor(this.now() / 1000));
    if (!check.ok) throw new LighterApiError(20001, `invalid auth token: ${check.reason}`, 401);
  }

  // ---------------------------------------------------------------- transactions

  /** Verifies and executes one transaction; undefined when the fault plan swallows the reply. */
  sendTx(txType: number, txInfo: string): { code: number; message: string; tx_hash: string; predicted_execution_time_ms: number } | undefined {
    const hash = this.executeTx(txType, txInfo);
    if (txType === TX_TYPE.CREATE_ORDER && (this.faults.dropNextOrderReplies ?? 0) > 0) {
      this.faults.dropNextOrderReplies = (this.faults.dropNextOrderReplies ?? 1) - 1;
      return undefined;
    }
    return { code: 200, message: '{"ratelimit": "didn\'t use volume quota"}', tx_hash: hash, predicted_execution_time_ms: this.now() + 10 };
  }

  private sendTxBatch(typesText: string, infosText: string): unknown {
    let types: unknown;
    let infos: unknown;
    try {
      types = JSON.parse(typesText);
      infos = JSON.parse(infosText);
    } catch {
      throw new LighterApiError(21501, 'invalid tx info: tx_types and tx_infos must be JSON arrays');
    }
    if (!Array.isArray(types) || !Array.isArray(infos) || types.length !== infos.length || types.length === 0 || types.length > 50) {
      throw new LighterApiError(21501, 'invalid tx info: tx_types and tx_infos must be arrays of equal length 1..50');
    }
    const hashes = types.map((t, i) => this.executeTx(Number(t), String(infos[i])));
    return { code: 200, message: '', tx_hash: hashes, predicted_execution_time_ms: this.now() + 10 };
  }

  private executeTx(txType: number, txInfo: string): string {
    this.checkGate();
    let parsed: JsonValue;
    try {
      parsed = parseJsonExact(txInfo);
    } catch (e) {
      throw new LighterApiError(21501, `invalid tx info: ${(e as Error).message}`);
    }
    const obj = (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : {}) as Record<string, JsonValue>;
    const key = this.keys.get(`${String(obj.AccountIndex)}:${String(obj.ApiKeyIndex)}`);
    if (key === undefined) throw new LighterApiError(21108, `invalid PublicKey: no API key ${String(obj.ApiKeyIndex)} registered for account ${String(obj.AccountIndex)}`);
    const verified = verifyTxInfo(txType, txInfo, key.publicKeyHex, this.options.chainId);
    // A signature that does not verify (wrong key, key index or chain id) is 21120; a tx_info that
    // cannot be read is 21501 (spec §0 error codes; apidocs troubleshooting).
    if (!verified.ok) {
      const badSignature = /signature does not verify/.test(verified.reason);
      throw new LighterApiError(badSignature ? 21120 : 21501, badSignature ? `invalid signature: ${verified.reason}` : `invalid tx info: ${verified.reason}`);
    }
    const f = verified.fields as Record<string, number>;
    if (f.ExpiredAt < this.now()) throw new LighterApiError(21711, `invalid expiry: ExpiredAt ${f.ExpiredAt} has passed`);
    const skipNonce = (verified.fields.L2TxAttributes as Record<string, number> | null)?.['4'] === 1;
    if (skipNonce ? f.Nonce < key.nextNonce : f.Nonce !== key.nextNonce) {
      throw new LighterApiError(21104, `invalid nonce: expected ${key.nextNonce}, got ${f.Nonce}`);
    }
    // 29500/29501 (internal error, timeout) say nothing of the outcome: the harsher reading is that
    // the transaction executed all the same, so they are thrown after it (below).
    let failAfter: number | undefined;
    if (txType === TX_TYPE.CREATE_ORDER && this.faults.rejectNextOrderWith !== undefined) {
      const code = Number(this.faults.rejectNextOrderWith);
      this.faults.rejectNextOrderWith = undefined;
      if (code === 29500 || code === 29501) failAfter = code;
      else throw new LighterApiError(code, REJECTION_MESSAGES[code] ?? `simulated rejection ${code}`);
    }
    // Accepted, then failed in the sequencer: the reply carries a tx hash, nothing executes and the
    // nonce stays unused (spec §3 and §4: "a 200 only means accepted"; apidocs troubleshooting).
    if (txType === TX_TYPE.CREATE_ORDER && (this.faults.ackThenFailNext ?? 0) > 0) {
      this.faults.ackThenFailNext! -= 1;
      return verified.txHash;
    }
    switch (txType) {
      case TX_TYPE.CREATE_ORDER:
        this.createOrder(key.accountIndex, f, (verified.fields.L2TxAttributes as Record<string, number> | null) ?? {}, verified.txHash);
        break;
      case TX_TYPE.CANCEL_ORDER:
        this.cancelOrder(key.accountIndex, f.MarketIndex, Number(verified.fields.Index));
        break;
      case TX_TYPE.CANCEL_ALL_ORDERS:
        for (const m of this.markets.values()) this.publishAccount(m, key.accountIndex, m.engine.cancelAll(String(key.accountIndex)), []);
        break;
      default:
        throw new LighterApiError(21505, `unsupported tx type ${txType} in the simulator`);
    }
    // Only a sequenced transaction uses its nonce (spec §3).
    key.nextNonce = skipNonce ? f.Nonce + 1 : key.nextNonce + 1;
    this.txs.set(verified.txHash, { txType, at: this.now() });
    this.acceptedTxs.push({ accountIndex: key.accountIndex, apiKeyIndex: key.apiKeyIndex, nonce: f.Nonce, txType, txHash: verified.txHash });
    if (failAfter !== undefined) throw new LighterApiError(failAfter, REJECTION_MESSAGES[failAfter], 500);
    return verified.txHash;
  }

  private createOrder(accountIndex: number, f: Record<string, number>, attrs: Record<string, number>, txHash: string): void {
    const m = this.market(f.MarketIndex);
    // Integrator fees (attributes 1–3, lighter-go tx_attributes.go) go to an integrator the account
    // approved beforehand (ApproveIntegrator, tx type 45 in lighter-go constants.go), at most the
    // fees it approved; otherwise 21149 "integrator not approved" (spec §7 error list, from CCXT
    // lighter.js and the apidocs). The fee is charged on every fill of the order, in FeeTick units
    // (10^6 = 100 %, constants.go FeeTick), on top of the venue's own fee.
    const integrator = attrs['1'] ?? 0;
    const integratorFees = { takerFee: attrs['2'] ?? 0, makerFee: attrs['3'] ?? 0 };
    if (integrator !== 0) {
      const approved = this.integrators.get(accountIndex)?.get(integrator);
      if (approved === undefined || integratorFees.takerFee > approved.takerFee || integratorFees.makerFee > approved.makerFee) {
        throw new LighterApiError(
          21149,
          `integrator not approved: account ${accountIndex} has not approved integrator ${integrator} for taker ${integratorFees.takerFee} / maker ${integratorFees.makerFee} (FeeTick units)`,
        );
      }
    }
    const used = this.clientIndices.get(accountIndex) ?? new Set<number>();
    this.clientIndices.set(accountIndex, used);
    if (f.ClientOrderIndex !== 0 && used.has(f.ClientOrderIndex)) throw new LighterApiError(21728, `client order index ${f.ClientOrderIndex} already exists`);
    const isMarket = f.Type === 1;
    if (f.Type !== 0 && f.Type !== 1) throw new LighterApiError(21704, 'invalid order type: the simulator takes limit (0) and market (1)');
    // min_quote_amount (orderBooks/orderBookDetails; nautilus fixture `http_order_book_details.json`,
    // "10.000000"): the apidocs market-data page says it binds resting orders; here every order's
    // signed BaseAmount × Price must reach it, the harsher reading.
    const minQuote = m.engine.market.minQuote;
    if (minQuote !== undefined && BigInt(f.BaseAmount) * BigInt(f.Price) < BigInt(minQuote)) {
      const s = m.engine.market;
      throw new LighterApiError(
        21706,
        `invalid base/quote amount: order value ${formatFixed(BigInt(f.BaseAmount) * BigInt(f.Price), s.priceScale + s.sizeScale)} is below min_quote_amount ${formatFixed(minQuote, s.priceScale + s.sizeScale)}`,
      );
    }
    // 21739 "not enough margin" (spec §7 error codes: CCXT lighter.js exceptions.exact) from the
    // margin model; a market order is valued at its signed worst price when that is dearer.
    const side = f.IsAsk === 1 ? 'sell' : 'buy';
    if (this.margin.check(m.engine, String(accountIndex), { side, size: f.BaseAmount, price: f.Price, reduceOnly: f.ReduceOnly === 1 }) !== 'ok') {
      throw new LighterApiError(21739, 'not enough margin');
    }
    // Self-trade prevention (docs.lighter.xyz "Self-Trade Prevention": trades between the same
    // account cancel the resting maker order instead of executing; status "canceled-self-trade",
    // CCXT lighter.js parseOrderStatus). Attributes 6/7 (lighter-go tx_attributes.go) choose other
    // behaviours (expire taker, cancel both, reduce) and master-account equality; those are
    // accepted and verified but modelled here as the default, expire maker: the account's own
    // resting orders the new order would reach are cancelled before it matches. An own order
    // counts as reached when the others' liquidity at better prices is smaller than the new
    // order (ties at its own price count as reached: the harsher reading).
    const selfSide = side === 'buy' ? 'sell' : 'buy';
    const better = (a: number, b: number) => (selfSide === 'sell' ? a < b : a > b);
    const own = m.engine.openOrders(String(accountIndex)).filter((o) => o.side === selfSide && o.price !== undefined && (side === 'buy' ? o.price <= f.Price : o.price >= f.Price));
    const othersBefore = (price: number) =>
      m.engine
        .levels(selfSide === 'sell' ? 'ask' : 'bid')
        .filter(([p]) => better(p, price))
        .reduce((sum, [, size]) => sum + size, 0) - own.filter((o) => better(o.price!, price)).reduce((sum, o) => sum + o.size - o.executedSize, 0);
    const crossed = own.filter((o) => othersBefore(o.price!) < f.BaseAmount);
    for (const o of crossed) {
      const cancelled = m.engine.cancel(String(accountIndex), o.orderId);
      if (cancelled === undefined) continue;
      this.endedBy.set(o.orderId, 'canceled-self-trade');
      this.publishAccount(m, accountIndex, [cancelled], []);
    }
    let fillLimit: number | undefined;
    if (this.faults.partialFillNext !== undefined) {
      fillLimit = Math.floor((f.BaseAmount * this.faults.partialFillNext) / m.engine.market.stepSize) * m.engine.market.stepSize;
      this.faults.partialFillNext = undefined;
    }
    const outcome = m.engine.place({
      account: String(accountIndex),
      side: f.IsAsk === 1 ? 'sell' : 'buy',
      type: isMarket ? 'market' : 'limit',
      size: f.BaseAmount,
      price: f.Price,
      timeInForce: f.TimeInForce === 0 ? 'IOC' : 'GTC',
      postOnly: f.TimeInForce === 2,
      reduceOnly: f.ReduceOnly === 1,
      clientOrderId: f.ClientOrderIndex === 0 ? undefined : String(f.ClientOrderIndex),
      fillLimit,
    });
    const reject: Partial<Record<NonNullable<SimOrder['rejectReason']>, [number, string]>> = {
      size_off_grid: [21701, 'invalid base amount'],
      size_below_minimum: [21706, 'invalid base amount: below the market minimum'],
      price_off_grid: [21702, 'invalid price'],
      price_out_of_band: [21733, 'accidental price'],
      reduce_only_would_increase: [21732, 'reduce-only order would increase the position'],
    };
    if (f.OrderExpiry > 0) this.expiries.set(outcome.order.orderId, f.OrderExpiry);
    if (f.OrderExpiry > 0 && (outcome.order.status === 'new' || outcome.order.status === 'partiallyFilled')) this.expiring.set(outcome.order.orderId, f.OrderExpiry);
    if (integrator !== 0) this.orderIntegrators.set(outcome.order.orderId, integratorFees);
    const refused = outcome.order.rejectReason === undefined ? undefined : reject[outcome.order.rejectReason];
    if (refused !== undefined) throw new LighterApiError(refused[0], refused[1]);
    if (f.ClientOrderIndex !== 0) used.add(f.ClientOrderIndex);
    this.afterFills(m, outcome.order, outcome.fills, txHash, false);
    const touched = new Map<string, SimOrder[]>();
    for (const o of [outcome.order, ...outcome.touchedOrders]) touched.set(o.account, [...(touched.get(o.account) ?? []), o]);
    for (const [account, orders] of touched) {
      this.publishAccount(
        m,
        Number(account),
        orders,
        outcome.fills.filter((x) => x.account === account),
      );
    }
  }

  /**
   * Approves `integrator` for `account` up to the given fees (FeeTick units), as the account's
   * ApproveIntegrator transaction would (lighter-go types/txtypes/approve_integrator.go); tests
   * call it because the simulator does not take that transaction.
   */
  approveIntegrator(account: number, integrator: number, takerFee: number, makerFee: number): void {
    let byAccount = this.integrators.get(account);
    if (byAccount === undefined) this.integrators.set(account, (byAccount = new Map()));
    byAccount.set(integrator, { takerFee, makerFee });
  }

  /** Puts the taker's trades on the public tape (and `trade/{market}`) and charges integrator fees. */
  private afterFills(m: Market, taker: SimOrder, fills: readonly SimFill[], txHash: string, liquidation: boolean): void {
    const s = m.engine.market;
    const fresh: TapeTrade[] = [];
    for (const f of fills) {
      const fees = this.orderIntegrators.get(f.orderId);
      if (fees !== undefined) {
        const tick = BigInt(f.liquidity === 'taker' ? fees.takerFee : fees.makerFee);
        // notional (quote at priceScale + sizeScale) × tick / 10^6, rounded up, at MARGIN_SCALE.
        const scale = s.priceScale + s.sizeScale;
        const notional = BigInt(f.price) * BigInt(f.size) * tick;
        const den = 1_000_000n * 10n ** BigInt(Math.max(0, scale - MARGIN_SCALE));
        const fee = (notional * 10n ** BigInt(Math.max(0, MARGIN_SCALE - scale)) + den - 1n) / den;
        this.margin.setCollateral(f.account, SimMargin.format(this.margin.collateral(f.account) - fee));
      }
      if (f.orderId !== taker.orderId) continue;
      const maker = m.engine.order(f.counterOrderId);
      fresh.push({
        tradeId: f.tradeId,
        txHash,
        price: f.price,
        size: f.size,
        timestamp: f.timestamp,
        takerSide: taker.side,
        takerAccount: Number(taker.account),
        takerOrder: ORDER_INDEX_BASE + taker.orderId,
        makerAccount: maker === undefined || maker.account === 'house' ? 0 : Number(maker.account),
        makerOrder: ORDER_INDEX_BASE + f.counterOrderId,
        liquidation,
      });
    }
    if (fresh.length === 0) return;
    this.tapeOf(m).push(...fresh);
    const channel = `trade/${m.id}`;
    const frame = {
      channel: `trade:${m.id}`,
      trades: fresh.filter((t) => !t.liquidation).map((t) => this.tapeJson(m, t)),
      liquidation_trades: fresh.filter((t) => t.liquidation).map((t) => this.tapeJson(m, t)),
      nonce: m.nonce,
      type: 'update/trade',
    };
    for (const c of this.clients) if (c.channels.has(channel)) this.sendTo(c, frame);
    this.publishStats(m);
  }

  /**
   * GTT expiry: an order still resting when its signed OrderExpiry (Unix ms) has passed is
   * cancelled by the venue (docs.lighter.xyz "Order Types and Matching", Good 'Til Time) with status "canceled-expired" (lighter-python `models/order.py` status
   * enum; CCXT lighter.js parseOrderStatus maps it to "expired"). Checked whenever a request or
   * frame arrives and on every heartbeat, so an injected clock moves expiries deterministically.
   */
  sweepExpired(): void {
    const now = this.now();
    for (const [orderId, expiry] of this.expiring) {
      if (expiry > now) continue;
      this.expiring.delete(orderId);
      for (const m of this.markets.values()) {
        const o = m.engine.order(orderId);
        if (o === undefined) continue;
        if (o.status !== 'new' && o.status !== 'partiallyFilled') break;
        const cancelled = m.engine.cancel(o.account, orderId);
        if (cancelled === undefined) break;
        this.endedBy.set(orderId, 'canceled-expired');
        this.publishAccount(m, Number(o.account), [cancelled], []);
        break;
      }
    }
  }

  private liquidationCheckPending = false;

  private scheduleLiquidationCheck(): void {
    if (this.liquidationCheckPending) return;
    this.liquidationCheckPending = true;
    queueMicrotask(() => {
      this.liquidationCheckPending = false;
      this.liquidate();
    });
  }

  /**
   * Liquidation when margin runs out, as docs.lighter.xyz "Liquidations & Insurance Fund" describes
   * the partial liquidation: once the account value (collateral, PnL, fees, funding, unrealised PnL
   * at the mark; src/sim/margin.ts) is below the maintenance margin (the markets'
   * maintenance_margin_fraction, orderBookDetails; spec §4), the engine first cancels all the
   * account's open orders (status "canceled-liquidation", CCXT lighter.js parseOrderStatus); if the
   * account is still below, it closes positions one by one with IOC orders on the account's behalf
   * (order type "liquidation", CCXT lighter.js parseOrderTypeInteger 8; trades in
   * `liquidation_trades` of `trade/{market}`, CCXT pro lighter.js handleTrades), stopping once the
   * account is above the maintenance margin again, and takes "up to 1 %" of each fill as a
   * liquidation fee. Harsher where the document leaves room: the IOC is unbounded (the venue bounds
   * it at the "zero price"), the fee is always the full 1 % (orderBookDetails liquidation_fee), and
   * the insurance fund's take-over below the close-out fraction is not modelled separately.
   */
  liquidate(): void {
    const below = (account: string) => {
      const sum = this.margin.summary(account);
      return sum.maintenanceMargin > 0n && sum.equity < sum.maintenanceMargin ? sum : undefined;
    };
    for (const { accountIndex } of this.options.accounts) {
      const account = String(accountIndex);
      const sum = below(account);
      if (sum === undefined) continue;
      this.log.warn(`lighter sim: account ${accountIndex} liquidated: equity ${SimMargin.format(sum.equity)} below maintenance margin ${SimMargin.format(sum.maintenanceMargin)}`);
      for (const m of this.markets.values()) {
        const cancelled = m.engine.cancelAll(account);
        for (const o of cancelled) this.endedBy.set(o.orderId, 'canceled-liquidation');
        if (cancelled.length > 0) this.publishAccount(m, accountIndex, cancelled, []);
      }
      for (const m of this.markets.values()) {
        if (below(account) === undefined) break;
        const size = m.engine.position(account).size;
        if (size === 0) continue;
        const outcome = m.engine.place({ account, side: size > 0 ? 'sell' : 'buy', type: 'market', size: Math.abs(size), timeInForce: 'IOC', reduceOnly: true });
        this.liquidationOrders.add(outcome.order.orderId);
        const s = m.engine.market;
        const scale = s.priceScale + s.sizeScale;
        const mine = outcome.fills.filter((f) => f.account === account);
        // 1 % of each fill's notional, at MARGIN_SCALE, rounded up.
        const notional = mine.reduce((sum, f) => sum + BigInt(f.price) * BigInt(f.size), 0n);
        const den = 100n * 10n ** BigInt(Math.max(0, scale - MARGIN_SCALE));
        const fee = (notional * 10n ** BigInt(Math.max(0, MARGIN_SCALE - scale)) + den - 1n) / den;
        this.margin.setCollateral(account, SimMargin.format(this.margin.collateral(account) - fee));
        this.afterFills(m, outcome.order, outcome.fills, '', true);
        this.publishAccount(m, accountIndex, [outcome.order], mine);
      }
    }
  }

  private cancelOrder(accountIndex: number, marketIndex: number, index: number): void {
    const m = this.market(marketIndex);
    const order = index < ORDER_INDEX_BASE ? m.engine.orderByClientId(String(accountIndex), String(index)) : m.engine.order(index - ORDER_INDEX_BASE);
    if (order === undefined || order.account !== String(accountIndex)) throw new LighterApiError(21700, 'invalid order index');
    const cancelled = m.engine.cancel(String(accountIndex), order.orderId);
    if (cancelled === undefined) throw new LighterApiError(21715, 'not an active order');
    this.publishAccount(m, accountIndex, [cancelled], []);
  }

  // ---------------------------------------------------------------- JSON shapes

  private marketJson(m: Market, details: boolean): Record<string, unknown> {
    const s = m.engine.market;
    const pct = (bps: number) => (bps / 100).toFixed(4);
    const base: Record<string, unknown> = {
      symbol: s.base,
      market_id: m.id,
      market_type: 'perp',
      status: 'active',
      taker_fee: pct(s.takerFeeBps),
      maker_fee: pct(s.makerFeeBps),
      liquidation_fee: '1.0000',
      min_base_amount: formatFixed(s.minSize, s.sizeScale),
      min_quote_amount: formatFixed(s.minQuote ?? 0, s.priceScale + s.sizeScale),
      supported_size_decimals: s.sizeScale,
      supported_price_decimals: s.priceScale,
      supported_quote_decimals: s.sizeScale + s.priceScale,
    };
    if (!details) return base;
    const d = this.daily(m);
    return {
      ...base,
      size_decimals: s.sizeScale,
      price_decimals: s.priceScale,
      quote_multiplier: 1,
      default_initial_margin_fraction: s.initialMarginBps ?? 500,
      min_initial_margin_fraction: 200,
      maintenance_margin_fraction: s.maintenanceMarginBps ?? 120,
      closeout_margin_fraction: 80,
      // The daily figures as CCXT 4.5.84 lighter.js parseTicker's orderBookDetails example gives
      // them (JSON numbers), from the same tape as the market_stats stream.
      last_trade_price: this.lastTradePrice(m),
      open_interest: this.openInterest(m),
      daily_trades_count: d.count,
      daily_base_token_volume: d.base,
      daily_quote_token_volume: d.quote,
      daily_price_low: d.low,
      daily_price_high: d.high,
      daily_price_change: d.change,
    };
  }

  private orderStatus(o: SimOrder): string {
    const ended = this.endedBy.get(o.orderId);
    if (ended !== undefined) return ended;
    switch (o.status) {
      case 'new':
      case 'partiallyFilled':
        return 'open';
      case 'filled':
        return 'filled';
      case 'cancelled':
        return 'canceled';
      default:
        if (o.rejectReason === 'post_only_would_cross') return 'canceled-post-only';
        if (o.executedSize === 0) return 'canceled-not-enough-liquidity';
        return 'canceled';
    }
  }

  private orderJson(m: Market, o: SimOrder): Record<string, unknown> {
    const s = m.engine.market;
    const index = ORDER_INDEX_BASE + o.orderId;
    return {
      order_index: index,
      client_order_index: o.clientOrderId === undefined ? 0 : Number(o.clientOrderId),
      order_id: String(index),
      client_order_id: o.clientOrderId ?? '0',
      market_index: m.id,
      owner_account_index: Number(o.account),
      initial_base_amount: formatFixed(o.size, s.sizeScale),
      remaining_base_amount: formatFixed(o.status === 'new' || o.status === 'partiallyFilled' ? o.size - o.executedSize : 0, s.sizeScale),
      filled_base_amount: formatFixed(o.executedSize, s.sizeScale),
      filled_quote_amount: formatFixed(o.executedNotional, s.priceScale + s.sizeScale),
      price: formatFixed(o.price ?? 0, s.priceScale),
      is_ask: o.side === 'sell',
      side: o.side,
      type: this.liquidationOrders.has(o.orderId) ? 'liquidation' : o.type,
      time_in_force: o.postOnly ? TIF_NAME[2] : o.timeInForce === 'GTC' ? TIF_NAME[1] : TIF_NAME[0],
      reduce_only: o.reduceOnly,
      trigger_price: formatFixed(0, s.priceScale),
      order_expiry: this.expiries.get(o.orderId) ?? 0,
      status: this.orderStatus(o),
      nonce: 0,
      timestamp: Math.floor(o.updatedAt / 1000),
      created_at: Math.floor(o.createdAt / 1000),
      updated_at: Math.floor(o.updatedAt / 1000),
      transaction_time: o.updatedAt * 1000,
    };
  }

  private tradeJson(m: Market, f: SimFill): Record<string, unknown> {
    const s = m.engine.market;
    const mine = ORDER_INDEX_BASE + f.orderId;
    const isAsk = f.side === 'sell';
    const fee = Math.round((f.fee * 1_000_000) / Math.max(1, f.price * f.size)); // FeeTick units: 10^6 = 100 % (spec §6.3)
    return {
      trade_id: f.tradeId,
      tx_hash: '',
      type: 'trade',
      market_id: m.id,
      size: formatFixed(f.size, s.sizeScale),
      price: formatFixed(f.price, s.priceScale),
      usd_amount: formatFixed(f.price * f.size, s.priceScale + s.sizeScale),
      ask_id: isAsk ? mine : 0,
      bid_id: isAsk ? 0 : mine,
      ask_client_id: isAsk ? Number(f.clientOrderId ?? 0) : 0,
      bid_client_id: isAsk ? 0 : Number(f.clientOrderId ?? 0),
      ask_account_id: isAsk ? Number(f.account) : -1,
      bid_account_id: isAsk ? -1 : Number(f.account),
      is_maker_ask: isAsk === (f.liquidity === 'maker'),
      block_height: f.tradeId,
      timestamp: f.timestamp,
      taker_fee: f.liquidity === 'taker' ? fee : 0,
      maker_fee: f.liquidity === 'maker' ? fee : 0,
    };
  }

  private positionJson(m: Market, account: number): Record<string, unknown> {
    const s = m.engine.market;
    const p = m.engine.position(String(account));
    const mid = m.engine.mid() ?? 0;
    const q = s.priceScale + s.sizeScale;
    const liquidation = this.margin.liquidationPrice(m.engine, String(account));
    // AccountPosition (spec §2 account; lighter-python `models/account_position.py`): liquidation
    // price from the margin model, the initial margin fraction as a percentage, cross margin (mode 0).
    return {
      market_id: m.id,
      symbol: s.base,
      sign: p.size < 0 ? -1 : 1,
      position: formatFixed(Math.abs(p.size), s.sizeScale),
      avg_entry_price: p.size === 0 ? formatFixed(0, s.priceScale) : formatFixed(Math.abs(Math.round(p.openNotional / p.size)), s.priceScale),
      position_value: formatFixed(Math.abs(p.size * mid), q),
      unrealized_pnl: formatFixed(p.size * mid - p.openNotional, q),
      realized_pnl: formatFixed(p.realizedPnl, q),
      liquidation_price: formatFixed(liquidation ?? 0, s.priceScale),
      initial_margin_fraction: formatFixed(marketInitialBps(m.engine), 2),
      total_funding_paid_out: SimMargin.format(-this.margin.funding(String(account), s.base)),
      open_order_count: m.engine.openOrders(String(account)).length,
      pending_order_count: 0,
      position_tied_order_count: 0,
      margin_mode: 0,
      allocated_margin: '0.000000',
      total_discount: '0.000000',
      margin_set_flag: 0,
    };
  }

  private accountJson(account: number): Record<string, unknown> {
    const sum = this.margin.summary(String(account));
    return {
      account_index: account,
      index: account,
      status: 1,
      account_type: 0,
      collateral: SimMargin.format(sum.equity - sum.unrealized),
      available_balance: SimMargin.format(sum.available),
      total_asset_value: SimMargin.format(sum.equity),
      cross_asset_value: SimMargin.format(sum.equity),
      positions: [...this.markets.values()]
        .filter((m) => m.engine.position(String(account)).size !== 0 || m.engine.openOrders(String(account)).length > 0)
        .map((m) => this.positionJson(m, account)),
      assets: Object.values(this.assetsJson(account)),
    };
  }

  /**
   * Last trade price: the latest trade on the tape, or the mid before any trade (the simulator has
   * no history before it starts). One helper for REST orderBookDetails and the market_stats stream,
   * so both say the same.
   */
  private lastTradePrice(m: Market): string {
    const tape = this.tapeOf(m);
    const last = tape.length > 0 ? tape[tape.length - 1]!.price : (m.engine.mid() ?? 0);
    return formatFixed(last, m.engine.market.priceScale);
  }

  /** Open interest in base units: the sum of every long position (equal to the shorts). */
  private openInterest(m: Market): string {
    const longs = m.engine.positions().reduce((a, p) => a + Math.max(0, p.size), 0);
    return formatFixed(longs, m.engine.market.sizeScale);
  }

  /** The rolling 24 h of the tape: trade count, volumes, low, high and change (percent). */
  private daily(m: Market): { count: number; base: number; quote: number; low: number; high: number; change: number } {
    const s = m.engine.market;
    const since = this.now() - 86_400_000;
    const day = this.tapeOf(m).filter((t) => t.timestamp >= since);
    if (day.length === 0) return { count: 0, base: 0, quote: 0, low: 0, high: 0, change: 0 };
    const prices = day.map((t) => t.price);
    const first = day[0]!.price;
    const last = day[day.length - 1]!.price;
    return {
      count: day.length,
      base: Number(
        formatFixed(
          day.reduce((a, t) => a + t.size, 0),
          s.sizeScale,
        ),
      ),
      quote: Number(
        formatFixed(
          day.reduce((a, t) => a + t.size * t.price, 0),
          s.sizeScale + s.priceScale,
        ),
      ),
      low: Number(formatFixed(Math.min(...prices), s.priceScale)),
      high: Number(formatFixed(Math.max(...prices), s.priceScale)),
      change: ((last - first) * 100) / first,
    };
  }

  /**
   * One market's stats as the \`market_stats\` channel carries them (CCXT 4.5.84 pro/lighter.js
   * handleTicker comment: market_id, index_price, mark_price, open_interest, open_interest_limit,
   * funding_clamp_small, funding_clamp_big, last_trade_price, current_funding_rate, funding_rate,
   * funding_timestamp, then the daily_* figures as JSON numbers; spec §5.1). Index and mark are the
   * book's mid (the simulator has no oracle). Funding (Lighter API docs, WebSocket reference ›
   * Market Stats): \`current_funding_rate\` is "an estimation of the upcoming funding payment"
   * (here the rate the test sets, else an eighth of funding-rates' eight-hour rate), and
   * \`funding_rate\` "the last funding payment that occurred (at \`funding_timestamp\`)" (here the
   * latest settlement on the market, else the previous hour boundary at the same rate); both in
   * percent for the hour, cut to four decimals as the docs' and CCXT's samples print them
   * ("0.0012"; df-lighter-core \`src/markets/funding.rs\` reads the settlements' rate so).
   */
  private marketStatsJson(m: Market): Record<string, unknown> {
    const s = m.engine.market;
    const mid = formatFixed(m.engine.mid() ?? 0, s.priceScale);
    const hourly = hourlyFromEightHour(this.options.fundingRates?.get(m.id) ?? 0.0000125);
    const last = this.margin.fundingEvents.filter((e) => e.base === s.base).at(-1);
    const d = this.daily(m);
    return {
      // lighter-python `models/perps_market_stats.py` and the docs' structure carry the symbol too.
      symbol: s.base,
      market_id: m.id,
      index_price: mid,
      mark_price: mid,
      open_interest: this.openInterest(m),
      open_interest_limit: '72057594037927936.000000',
      funding_clamp_small: '0.0500',
      funding_clamp_big: '4.0000',
      last_trade_price: this.lastTradePrice(m),
      current_funding_rate: this.options.predictedFundingRates?.get(m.id) ?? percentFourDecimals(hourly),
      funding_rate: percentFourDecimals(last?.rate ?? hourly),
      funding_timestamp: last?.at ?? Math.floor(this.now() / 3_600_000) * 3_600_000,
      daily_base_token_volume: d.base,
      daily_quote_token_volume: d.quote,
      daily_price_low: d.low,
      daily_price_high: d.high,
      daily_price_change: d.change,
    };
  }

  /**
   * An account's assets (\`account_all_assets\`, CCXT 4.5.84 pro/lighter.js handleBalance comment:
   * symbol, asset_id, balance, locked_balance, keyed by asset id; REST account \`assets[]\`, spec §2).
   * A perp account holds USDC only (asset 3, lighter-go constants.go USDCAssetIndex): its balance is
   * the collateral as the REST account reports it (deposit + realised PnL − fees + funding); the
   * simulator has no spot orders, so nothing is locked.
   */
  private assetsJson(account: number): Record<string, Record<string, unknown>> {
    const sum = this.margin.summary(String(account));
    return { '3': { symbol: 'USDC', asset_id: 3, balance: SimMargin.format(sum.equity - sum.unrealized), locked_balance: '0.000000' } };
  }

  /**
   * An account's stats (\`user_stats\`, CCXT 4.5.84 pro/lighter.js handleBalance comment and spec §5.1:
   * collateral, portfolio_value, leverage, available_balance, margin_usage, buying_power,
   * account_trading_mode, cross_stats, total_stats). collateral and available_balance are the REST
   * account's; portfolio_value is equity with unrealised PnL; leverage is exposure at the mark over
   * equity; margin_usage is initial margin over equity in percent; buying_power is the available
   * balance times the highest leverage a market allows. Everything is cross margin, so cross_stats
   * and total_stats repeat the account's figures.
   */
  private userStatsJson(account: number): Record<string, unknown> {
    const a = String(account);
    const sum = this.margin.summary(a);
    let exposure = 0n;
    let minInitialBps = 10_000;
    for (const m of this.markets.values()) {
      const s = m.engine.market;
      const p = m.engine.position(a);
      const mid = m.engine.mid() ?? 0;
      const notional = BigInt(Math.abs(p.size)) * BigInt(mid);
      const scale = s.priceScale + s.sizeScale;
      exposure += scale >= MARGIN_SCALE ? notional / 10n ** BigInt(scale - MARGIN_SCALE) : notional * 10n ** BigInt(MARGIN_SCALE - scale);
      minInitialBps = Math.min(minInitialBps, marketInitialBps(m.engine));
    }
    const ratio = (num: bigint, den: bigint, times: bigint) => (den <= 0n ? '0.00' : formatFixed((num * times * 100n) / den, 2));
    const stats = {
      collateral: SimMargin.format(sum.equity - sum.unrealized),
      portfolio_value: SimMargin.format(sum.equity),
      leverage: ratio(exposure, sum.equity, 1n),
      available_balance: SimMargin.format(sum.available),
      margin_usage: ratio(sum.initialMargin, sum.equity, 100n),
      buying_power: SimMargin.format((sum.available * 10_000n) / BigInt(minInitialBps)),
    };
    return { ...stats, account_trading_mode: 0, cross_stats: { ...stats }, total_stats: { ...stats } };
  }

  // ---------------------------------------------------------------- WebSocket

  protected override subscriptionsOf(client: Client): string[] {
    return [...client.channels];
  }

  protected accept(socket: WebSocket): Client {
    const client: Client = { socket, channels: new Set(), accounts: new Set(), tokenDeadlines: new Map(), awaitingPong: false };
    socket.on('message', (raw) => this.onClientMessage(client, raw.toString()));
    this.sendTo(client, { session_id: String(++this.sessions), type: 'connected' });
    return client;
  }

  private onClientMessage(client: Client, text: string): void {
    this.sweepExpired();
    let msg: { type?: unknown; channel?: unknown; auth?: unknown; data?: { id?: unknown; tx_type?: unknown } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.sendTo(client, { error: { code: 30000, message: 'invalid JSON' } });
    }
    switch (msg.type) {
      case 'ping':
        return this.sendTo(client, { type: 'pong' });
      case 'pong':
        client.awaitingPong = false;
        return;
      case 'subscribe':
        return this.subscribe(client, String(msg.channel), typeof msg.auth === 'string' ? msg.auth : undefined);
      case 'unsubscribe': {
        const channel = String(msg.channel);
        const fault = this.faults.unsubscribeFault;
        this.faults.unsubscribeFault = undefined;
        if (fault === 'unanswered') return;
        setTimeout(() => {
          if (fault !== 'ignored') {
            client.channels.delete(channel);
            client.tokenDeadlines.delete(channel);
          }
          // The ack names the channel and its first id only (CCXT pro lighter.js handleUnSubscription:
          // "account_orders/{market}/{account}" acks as "account_orders:{market}").
          this.sendTo(client, { type: 'unsubscribed', channel: channel.split('/').slice(0, 2).join(':') });
        }, UNSUBSCRIBE_LAG_MS);
        return;
      }
      case 'jsonapi/sendtx': {
        const id = msg.data?.id;
        const txInfo = rawMember(text, 'tx_info');
        const reply = (body: unknown) => {
          const delay = this.faults.replyDelayMs ?? 0;
          if (delay > 0) setTimeout(() => this.sendTo(client, body), delay);
          else this.sendTo(client, body);
        };
        try {
          this.checkGate();
          this.checkBudget(true);
          if (txInfo === undefined) throw new LighterApiError(21501, 'invalid tx info: data.tx_info must be the signed JSON object');
          const sent = this.sendTx(Number(msg.data?.tx_type), txInfo);
          if (sent !== undefined) reply({ ...sent, id, type: 'jsonapi/sendtx' });
        } catch (e) {
          if (!(e instanceof LighterApiError)) throw e;
          reply(this.rejectionFrame(id, e));
        }
        return;
      }
      default:
        return this.sendTo(client, { error: { code: 30005, message: `Invalid type: ${String(msg.type)}` } });
    }
  }

  /** A rejected transaction in one of the venue's shapes (see REJECTION_SHAPES). */
  private rejectionFrame(id: unknown, e: LighterApiError): Record<string, unknown> {
    const shape = this.faults.rejectionShape ?? REJECTION_SHAPES[this.random() % REJECTION_SHAPES.length];
    switch (shape) {
      case 'sendtx_code':
        return { code: e.code, message: e.message, id, type: 'jsonapi/sendtx' };
      case 'sendtx_code_no_id':
        return { code: e.code, message: e.message, type: 'jsonapi/sendtx' };
      case 'type_error':
        return { type: 'error', code: e.code, message: e.message };
      case 'bare_error':
        return { error: { code: e.code, message: e.message } };
    }
  }

  private subscribe(client: Client, channel: string, auth: string | undefined): void {
    if (client.channels.has(channel)) return this.sendTo(client, { error: { code: 30003, message: `Already Subscribed to : ${channel.replaceAll('/', ':')}` } });
    const [name, a, b] = channel.split('/');
    if (name === 'order_book' && a !== undefined && b === undefined && this.markets.has(Number(a))) {
      client.channels.add(channel);
      const m = this.markets.get(Number(a))!;
      const levels: SimLevelChange[] = [];
      for (const side of ['bid', 'ask'] as const) for (const [price, size] of m.engine.levels(side)) levels.push({ side, price, size });
      return this.sendTo(client, this.bookFrame(m, 'subscribed/order_book', levels, 0, m.nonce));
    }
    if (name === 'trade' && a !== undefined && b === undefined && this.markets.has(Number(a))) {
      // Public trades (spec §5.1; CCXT pro lighter.js handleTrades): the latest trades first, then updates.
      client.channels.add(channel);
      const m = this.markets.get(Number(a))!;
      const recent = this.tapeOf(m).slice(-50);
      return this.sendTo(client, {
        channel: `trade:${m.id}`,
        trades: recent.filter((t) => !t.liquidation).map((t) => this.tapeJson(m, t)),
        liquidation_trades: recent.filter((t) => t.liquidation).map((t) => this.tapeJson(m, t)),
        nonce: m.nonce,
        type: 'subscribed/trade',
      });
    }
    if (name === 'account_orders' && a !== undefined && b !== undefined) {
      // One market's orders of one account, behind an auth token (spec §5.1 channel table; lighter-python
      // PR #153 auth list; CCXT pro lighter.js watchOrders with a symbol). The frame is
      // {"account", "channel", "nonce", "orders": {"<market>": [Order]}, "type"} (CCXT handleOrders
      // comment). Its channel is "account_orders:{market}" per CCXT (whose handleUnSubscription says
      // the venue keys acks by the name plus one id segment) and "account_orders:{market}:{account}"
      // in nautilus_trader's fixture `ws_account_orders_update.json`: the simulator sends CCXT's form,
      // the one that names less, so a client must take the account from the "account" field.
      const m = this.markets.get(Number(a));
      const account = Number(b);
      if (m === undefined) return this.sendTo(client, { error: { code: 30005, message: `Invalid Channel: ${channel} (no market ${a})` } });
      try {
        this.checkToken(auth, account);
      } catch (e) {
        return this.sendTo(client, { error: { code: (e as LighterApiError).code, message: `${(e as Error).message} (channel ${name}:${a})` } });
      }
      client.channels.add(channel);
      client.accounts.add(account);
      client.tokenDeadlines.set(channel, Number(auth!.split(':')[0]));
      return this.sendTo(client, {
        account,
        channel: `account_orders:${m.id}`,
        nonce: m.nonce,
        orders: { [String(m.id)]: m.engine.openOrders(String(account)).map((o) => this.orderJson(m, o)) },
        type: 'subscribed/account_orders',
      });
    }
    if ((name === 'account_all_orders' || name === 'account_all_trades' || name === 'account_all_positions') && a !== undefined && b === undefined) {
      const account = Number(a);
      // account_all_trades is public: clients subscribe without a token (CCXT 4.5.84 pro lighter.js
      // watchMyTrades sends none; spec §5 channel table); a token given is still checked.
      // Refusals name the channel in their message, as the venue's own 30003/30005 frames do.
      if (!this.admitAccountChannel(client, channel, account, auth, name !== 'account_all_trades' || auth !== undefined)) return;
      const kind = name.slice('account_all_'.length);
      const body: Record<string, unknown> = { channel: `${name}:${account}`, type: `subscribed/${name}` };
      if (kind === 'orders')
        body.orders = Object.fromEntries([...this.markets.values()].map((m) => [String(m.id), m.engine.openOrders(String(account)).map((o) => this.orderJson(m, o))]));
      if (kind === 'trades') body.trades = {};
      if (kind === 'positions') body.positions = Object.fromEntries([...this.markets.values()].map((m) => [String(m.id), this.positionJson(m, account)]));
      return this.sendTo(client, body);
    }
    if (name === 'market_stats' && a !== undefined && b === undefined && (a === 'all' || this.markets.has(Number(a)))) {
      // Public (apidocs "Market data": all market data is public; spec §5.1). The first frame holds
      // the current stats, then \`update/market_stats\` whenever a value changes (publishStats).
      // market_stats/all keys the stats by market id (CCXT pro/lighter.js handleTicker comment).
      client.channels.add(channel);
      return this.sendTo(client, this.statsFrame(a === 'all' ? undefined : this.markets.get(Number(a))!, 'subscribed/market_stats'));
    }
    if ((name === 'account_all_assets' || name === 'user_stats') && a !== undefined && b === undefined) {
      const account = Number(a);
      if (!Number.isSafeInteger(account) || account < 0) return this.sendTo(client, { error: { code: 30005, message: `Invalid Channel: ${channel} (no account ${a})` } });
      // account_all_assets needs an auth token (lighter-python PR #153 auth list; CCXT 4.5.84
      // pro/lighter.js watchBalance subscribes it through subscribePrivate). user_stats is outside
      // that list and CCXT subscribes it without a token (subscribePublic), while nautilus_trader
      // attaches one: it is served without a token, and a token given is still checked, as for
      // account_all_trades.
      if (!this.admitAccountChannel(client, channel, account, auth, name === 'account_all_assets' || auth !== undefined)) return;
      return this.sendTo(client, this.balanceFrame(name, account, `subscribed/${name}`));
    }
    this.sendTo(client, { error: { code: 30005, message: `Invalid Channel: ${channel}` } });
  }

  /** A market_stats frame for one market, or for every market (channel market_stats:all). */
  private statsFrame(m: Market | undefined, type: string): Record<string, unknown> {
    // What a snapshot sends is what the next update is compared with (publishStats).
    const stats = (x: Market) => {
      const json = this.marketStatsJson(x);
      this.lastStats.set(x.id, JSON.stringify(json));
      return json;
    };
    if (m !== undefined) return { channel: `market_stats:${m.id}`, market_stats: stats(m), type };
    const all = Object.fromEntries([...this.markets.values()].map((x) => [String(x.id), stats(x)]));
    return { channel: 'market_stats:all', market_stats: all, type };
  }

  /**
   * Sends \`update/market_stats\` to a market's subscribers when its stats changed since the last
   * frame (book mid, a trade, open interest). No source read gives the venue's cadence; sending on
   * every change is the most a client can be asked to absorb. market_stats/all subscribers get the
   * changed market only, keyed by its id (CCXT handleTicker resolves each key it finds).
   */
  private publishStats(m: Market): void {
    // Nobody listening: nothing computed (a long run's tape makes the daily figures costly).
    if (![...this.clients].some((c) => c.channels.has(`market_stats/${m.id}`) || c.channels.has('market_stats/all'))) return;
    const stats = this.marketStatsJson(m);
    const text = JSON.stringify(stats);
    if (this.lastStats.get(m.id) === text) return;
    this.lastStats.set(m.id, text);
    const one = { channel: `market_stats:${m.id}`, market_stats: stats, type: 'update/market_stats' };
    const all = { channel: 'market_stats:all', market_stats: { [String(m.id)]: stats }, type: 'update/market_stats' };
    for (const c of this.clients) {
      if (c.channels.has(`market_stats/${m.id}`)) this.sendTo(c, one);
      if (c.channels.has('market_stats/all')) this.sendTo(c, all);
    }
  }

  /** An account_all_assets or user_stats frame (CCXT 4.5.84 pro/lighter.js handleBalance comment). */
  private balanceFrame(name: 'account_all_assets' | 'user_stats', account: number, type: string): Record<string, unknown> {
    const body = name === 'user_stats' ? { stats: this.userStatsJson(account) } : { assets: this.assetsJson(account) };
    return { ...body, channel: `${name}:${account}`, timestamp: this.now(), type };
  }

  private bookFrame(m: Market, type: string, levels: ReadonlyArray<{ side: 'bid' | 'ask'; price: number; size: number }>, beginNonce: number, nonce: number): unknown {
    const s = m.engine.market;
    const side = (which: 'bid' | 'ask') =>
      levels.filter((l) => l.side === which).map((l) => ({ price: formatFixed(l.price, s.priceScale), size: formatFixed(l.size, s.sizeScale) }));
    return {
      channel: `order_book:${m.id}`,
      offset: m.offset,
      timestamp: this.now(),
      type,
      order_book: { code: 0, asks: side('ask'), bids: side('bid'), offset: m.offset, nonce, begin_nonce: beginNonce, last_updated_at: this.now() * 1000 },
    };
  }

  private publishBook(m: Market, changes: ReadonlyArray<{ side: 'bid' | 'ask'; price: number; size: number }>): void {
    const skip = this.faults.skipSequence ?? 0;
    if (skip > 0) this.faults.skipSequence = 0;
    const begin = m.nonce + skip;
    m.nonce = begin + 1 + Math.floor(m.offset % 3); // nonces advance by more than one, as on the venue
    m.offset += 1;
    const frame = this.bookFrame(m, 'update/order_book', changes, begin, m.nonce);
    const channel = `order_book/${m.id}`;
    for (const c of this.clients) if (c.channels.has(channel)) this.sendTo(c, frame);
    this.publishStats(m);
  }

  private publishAccount(m: Market, account: number, orders: SimOrder[], fills: SimFill[]): void {
    const targets = [...this.clients].filter((c) => c.accounts.has(account));
    if (targets.length === 0) return;
    const market = String(m.id);
    // A subscription lives no longer than the token it was made with (at most 8 h, lighter-go
    // README; spec §10). Nothing documents what the venue sends when one lapses: here it ends
    // silently, the harsher reading.
    const nowSec = Math.floor(this.now() / 1000);
    for (const c of targets) {
      for (const [channel, deadline] of c.tokenDeadlines) {
        if (deadline < nowSec) {
          c.channels.delete(channel);
          c.tokenDeadlines.delete(channel);
        }
      }
    }
    for (const c of targets) {
      if (c.channels.has(`account_all_orders/${account}`) && orders.length > 0) {
        this.sendTo(c, { channel: `account_all_orders:${account}`, orders: { [market]: orders.map((o) => this.orderJson(m, o)) }, type: 'update/account_all_orders' });
      }
      if (c.channels.has(`account_orders/${m.id}/${account}`) && orders.length > 0) {
        this.sendTo(c, {
          account,
          channel: `account_orders:${m.id}`,
          nonce: m.nonce,
          orders: { [market]: orders.map((o) => this.orderJson(m, o)) },
          type: 'update/account_orders',
        });
      }
      if (c.channels.has(`account_all_trades/${account}`) && fills.length > 0) {
        this.sendTo(c, { channel: `account_all_trades:${account}`, trades: { [market]: fills.map((f) => this.tradeJson(m, f)) }, type: 'update/account_all_trades' });
      }
      if (c.channels.has(`account_all_positions/${account}`) && fills.length > 0) {
        this.sendTo(c, { channel: `account_all_positions:${account}`, positions: { [market]: this.positionJson(m, account) }, type: 'update/account_all_positions' });
      }
      // Balances move with fills (realised PnL, fees); available balance and margin usage also
      // with orders placed or ended (initial margin of open orders).
      if (c.channels.has(`account_all_assets/${account}`) && fills.length > 0) this.sendTo(c, this.balanceFrame('account_all_assets', account, 'update/account_all_assets'));
      if (c.channels.has(`user_stats/${account}`) && (fills.length > 0 || orders.length > 0)) this.sendTo(c, this.balanceFrame('user_stats', account, 'update/user_stats'));
    }
  }

  protected heartbeat(): void {
    this.sweepExpired();
    for (const c of this.clients) {
      if (c.awaitingPong) {
        c.socket.terminate();
        continue;
      }
      c.awaitingPong = true;
      this.sendTo(c, { type: 'ping' });
    }
  }
}

/** The exact text of `"key": {...}` inside a JSON document, so a signed object is verified as sent. */
export function rawMember(text: string, key: string): string | undefined {
  const at = text.indexOf(`"${key}"`);
  if (at < 0) return undefined;
  let i = text.indexOf(':', at + key.length + 2) + 1;
  while (text[i] === ' ') i++;
  if (text[i] !== '{') return undefined;
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(i, j + 1);
  }
  return undefined;
}

/**
 * A POST body as form fields: application/x-www-form-urlencoded (lighter-python
 * transaction_api.py's default) or multipart/form-data (what CCXT 4.5.84 lighter.js sends, spec §2
 * sendTx); both are form encodings the venue takes.
 */
async function readForm(contentType: string, body: Buffer): Promise<URLSearchParams> {
  if (!/^multipart\/form-data/i.test(contentType)) return new URLSearchParams(body.toString('utf8'));
  let data: FormData;
  try {
    data = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new LighterApiError(21505, 'malformed multipart/form-data body', 400);
  }
  const out = new URLSearchParams();
  for (const [name, value] of data.entries()) if (typeof value === 'string') out.append(name, value);
  return out;
}

/** A fraction for the hour as market_stats prints it: percent, cut toward zero to four decimals ("0.0000125" → "0.0012"). */
export function percentFourDecimals(fraction: string): string {
  const units = parseUnits(fraction, 6, 'down');
  return formatFixed(units, 4);
}
