// A local Backpack exchange on loopback that speaks the real protocol (spec §2–§7, §9a): ED25519-
// signed REST with windows and timestamps checked, depth deltas with contiguous U/u that pair with
// the REST snapshot's lastUpdateId, bookTicker, signed account streams and protocol pings. Orders
// are matched by a SimMatchingEngine per market; faults are read live from the shared plan.

import type http from 'node:http';
import type { WebSocket } from 'ws';
import { FixedPointError, formatFixed, formatFixedTrim, parseFixed } from '../../core/fixed.js';
import { systemClock } from '../../core/clock.js';
import { signingString, type Params } from '../../venues/backpack/auth.js';
import type { BackpackSimOptions, SimFill, SimMatchingEngine, SimOrder, SimServerHandle } from '../types.js';
import { SimServerBase, header, sleep } from '../server-base.js';
import { ed25519Verify } from './ed25519.js';
import { SimMargin, initialBps, maintenanceBps } from '../margin.js';

/** Signed routes and their instruction (spec §2.5). */
const INSTRUCTIONS: Record<string, string> = {
  'POST /api/v1/order': 'orderExecute',
  'POST /api/v1/orders': 'orderExecute',
  'DELETE /api/v1/order': 'orderCancel',
  'GET /api/v1/order': 'orderQuery',
  'GET /api/v1/orders': 'orderQueryAll',
  'DELETE /api/v1/orders': 'orderCancelAll',
  'GET /api/v1/position': 'positionQuery',
  'GET /api/v1/capital': 'balanceQuery',
  'GET /api/v1/capital/collateral': 'collateralQuery',
  'GET /api/v1/account/limits/order': 'maxOrderQuantity',
  'GET /wapi/v1/history/funding': 'fundingHistoryQueryAll',
  'GET /api/v1/account': 'accountQuery',
  'GET /wapi/v1/history/fills': 'fillHistoryQueryAll',
  'GET /wapi/v1/history/orders': 'orderHistoryQueryAll',
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A market's `filters.price` bands as /api/v1/markets publishes them (decimal strings). Their
 * meaning is the OpenAPI document's `PriceFilter` and `PriceBandMarkPrice` (docs.backpack.exchange,
 * spec §3): `minMultiplier`/`maxMultiplier` bound a price around the last active price,
 * `meanMarkPriceBand` around the mean mark price, and the impact multipliers say how far beyond
 * the best ask (bid) a taker buy (sell) may reach. The defaults are BTC_USDC_PERP's captured values
 * (test/fixtures/vectors/backpack/rest_responses.json, example `markets`).
 */
export interface BackpackPriceFilters {
  minMultiplier: string;
  maxMultiplier: string;
  minImpactMultiplier: string;
  maxImpactMultiplier: string;
  meanMarkPriceBand: { minMultiplier: string; maxMultiplier: string };
  maxPrice: string;
}

export const DEFAULT_PRICE_FILTERS: BackpackPriceFilters = {
  minMultiplier: '0.75',
  maxMultiplier: '1.25',
  minImpactMultiplier: '0.97',
  maxImpactMultiplier: '1.03',
  meanMarkPriceBand: { minMultiplier: '0.9', maxMultiplier: '1.1' },
  maxPrice: '1000000',
};

export interface BackpackSimServerOptions extends BackpackSimOptions {
  /** The venue's margin model over `engines` (default: ample collateral for every account). */
  margin?: SimMargin;
  /** The price bands every market publishes and enforces (default DEFAULT_PRICE_FILTERS). */
  priceFilters?: BackpackPriceFilters;
  /**
   * Send the depth changes of everything that happens in one turn of the event loop as one event
   * (a level changed twice appears once, at its final size), as the venue does under load.
   */
  coalesceDepth?: boolean;
}

/** A decimal multiplier as an exact fraction. */
interface Ratio {
  num: bigint;
  den: bigint;
}

function ratio(text: string): Ratio {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new Error(`price filter multiplier ${text} is not a decimal`);
  const frac = m[2] ?? '';
  return { num: BigInt(m[1] + frac), den: 10n ** BigInt(frac.length) };
}

/** price compared with ref·r, exactly: negative below, 0 equal, positive above. */
function compareScaled(price: number, ref: number, r: Ratio): number {
  const lhs = BigInt(price) * r.den;
  const rhs = BigInt(ref) * r.num;
  return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
}

/** The last tick-grid price at or below ref·r (at or above with `up`). */
function scaledOnGrid(ref: number, r: Ratio, tick: number, up: boolean): number {
  const q = BigInt(ref) * r.num;
  const d = r.den * BigInt(tick);
  return Number((up ? (q + d - 1n) / d : q / d) * BigInt(tick));
}

interface Bands {
  lastActive: { min: Ratio; max: Ratio };
  impact: { min: Ratio; max: Ratio };
  meanMark: { min: Ratio; max: Ratio };
}

interface Market {
  symbol: string;
  engine: SimMatchingEngine;
  /** Price of the latest trade here: the reference of the last-active-price band (the mid before any). */
  lastTradePrice?: number;
  /** Last depth update id sent (or to be sent); the REST snapshot reports it. */
  updateId: number;
  lastTop: string;
  /** The mark price last published on markPrice.<symbol>. */
  lastMark?: string;
  /** The bookTicker's own id sequence (see publishTicker). */
  tickerId: bigint;
  /** Level changes not yet sent, when depth events are coalesced: latest size per side and price. */
  pending?: { U: number; u: number; changes: Map<string, { side: 'bid' | 'ask'; price: number; size: number }> };
  /** Every trade on this market (newest last): /api/v1/trades, /klines, /ticker and trade.<symbol>. */
  trades: Array<{ id: number; price: number; size: number; buyerIsMaker: boolean; buyOrderId: number; sellOrderId: number; at: number }>;
}

interface Client {
  socket: WebSocket;
  streams: Set<string>;
  /** The account whose private streams this connection subscribed, once verified. */
  account?: string;
  alive: boolean;
}

const STATUS: Record<SimOrder['status'], string> = {
  new: 'New',
  partiallyFilled: 'PartiallyFilled',
  filled: 'Filled',
  cancelled: 'Cancelled',
  expired: 'Expired',
  rejected: 'Expired',
};

export async function startBackpackSim(options: BackpackSimServerOptions): Promise<SimServerHandle> {
  const sim = new BackpackSim(options);
  return sim.listen();
}

class BackpackSim extends SimServerBase<Client> {
  private readonly markets = new Map<string, Market>();
  private readonly accounts = new Set<string>();
  private readonly filters: BackpackPriceFilters;
  private readonly bands: Bands;
  private readonly coalesceDepth: boolean;
  /** Cross margin over every market served (spec §4.7), Backpack's leverageLimit 10 unless given. */
  readonly margin: SimMargin;

  constructor(private readonly options: BackpackSimServerOptions) {
    // Protocol pings every 60 s (spec §6.3).
    super(options, { wsPath: '', malformedFrame: '{"stream":"depth.', defaultPingMs: 60_000 });
    for (const a of options.accounts) this.accounts.add(a.publicKey);
    this.filters = options.priceFilters ?? DEFAULT_PRICE_FILTERS;
    this.coalesceDepth = options.coalesceDepth === true;
    this.margin = options.margin ?? new SimMargin(options.engines, { leverageLimit: 10 });
    const f = this.filters;
    this.bands = {
      lastActive: { min: ratio(f.minMultiplier), max: ratio(f.maxMultiplier) },
      impact: { min: ratio(f.minImpactMultiplier), max: ratio(f.maxImpactMultiplier) },
      meanMark: { min: ratio(f.meanMarkPriceBand.minMultiplier), max: ratio(f.meanMarkPriceBand.maxMultiplier) },
    };
    for (const engine of options.engines) {
      const market: Market = {
        symbol: `${engine.market.base}_USDC_PERP`,
        engine,
        updateId: 1_000,
        lastTop: '',
        tickerId: 111_063_070_525_358_080n + BigInt(engine.market.marketId) * 1_000_000_000n,
        trades: [],
      };
      this.markets.set(market.symbol, market);
      this.unsubscribers.push(engine.onBookChange((changes) => this.publishDepth(market, changes)));
    }
  }

  // ---------------------------------------------------------------- REST

  protected async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const route = `${req.method} ${url.pathname}`;
    const send = (status: number, body: unknown): void => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const delay = this.faults.replyDelayMs ?? 0;
    if (delay > 0) await sleep(delay);
    const wall = systemClock.wallMs(); // fault windows are set on the real wall clock
    if ((this.faults.unavailableUntil ?? 0) > wall) return send(503, { code: 'MAINTENANCE', message: 'The exchange is under maintenance' });
    if ((this.faults.rateLimitUntil ?? 0) > wall) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(((this.faults.rateLimitUntil ?? 0) - wall) / 1000))));
      return send(429, { code: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded' });
    }
    try {
      let params: Record<string, unknown> | Array<Record<string, unknown>>;
      const text = Buffer.concat(chunks).toString('utf8');
      if (req.method === 'GET') params = Object.fromEntries(url.searchParams);
      else {
        try {
          params = text === '' ? {} : (JSON.parse(text) as Record<string, unknown> | Array<Record<string, unknown>>);
        } catch {
          throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'Body is not valid JSON');
        }
      }
      const instruction = INSTRUCTIONS[route];
      const account = instruction === undefined ? undefined : this.authenticate(req, instruction, params);
      const reply = Array.isArray(params) ? this.batch(route, params, account!) : this.route(route, params, account);
      if (route === 'POST /api/v1/order' && (this.faults.dropNextOrderReplies ?? 0) > 0) {
        // The order was executed; its answer is lost on the way back.
        this.faults.dropNextOrderReplies = (this.faults.dropNextOrderReplies ?? 1) - 1;
        res.socket?.destroy();
        return;
      }
      send(200, reply);
    } catch (e) {
      if (e instanceof ApiError) return send(e.status, { code: e.code, message: e.message });
      this.log.error(`backpack sim: ${route} failed: ${(e as Error).message}`);
      send(500, { code: 'SERVER_ERROR', message: 'Internal error' });
    }
  }

  /** Spec §9a: verify key, window, timestamp and signature; returns the account. */
  private authenticate(req: http.IncomingMessage, instruction: string, params: Record<string, unknown> | Array<Record<string, unknown>>): string {
    const key = header(req, 'x-api-key');
    const signature = header(req, 'x-signature');
    const timestamp = header(req, 'x-timestamp');
    if (key === undefined || signature === undefined || timestamp === undefined) throw new ApiError(401, 'UNAUTHORIZED', 'Missing X-API-Key, X-Signature or X-Timestamp');
    const window = Number(header(req, 'x-window') ?? 5000);
    if (!Number.isInteger(window) || window <= 0 || window > 60_000) throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'X-Window must be at most 60000');
    const ts = Number(timestamp);
    if (!/^\d+$/.test(timestamp)) throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'Invalid X-Timestamp');
    if (!this.accounts.has(key)) throw new ApiError(401, 'UNAUTHORIZED', 'API key not found');
    if (!ed25519Verify(key, signingString(instruction, params as Params | Params[], ts, window), signature)) throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'Invalid signature');
    const now = this.now();
    if (now - ts > window || ts - now > 1000) throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'Request has expired');
    return key;
  }

  private market(params: Record<string, unknown>, required = true): Market | undefined {
    const symbol = params.symbol;
    if (symbol === undefined && !required) return undefined;
    const m = typeof symbol === 'string' ? this.markets.get(symbol) : undefined;
    if (m === undefined) throw new ApiError(400, 'INVALID_SYMBOL', `Unknown symbol ${String(symbol)}`);
    return m;
  }

  private route(route: string, params: Record<string, unknown>, account: string | undefined): unknown {
    switch (route) {
      case 'GET /api/v1/markets':
        return [...this.markets.values()].map((m) => this.marketJson(m));
      case 'GET /api/v1/market':
        return this.marketJson(this.market(params)!);
      case 'GET /api/v1/depth':
        return this.depthJson(this.market(params)!, Number(params.limit ?? 1000));
      case 'GET /api/v1/ticker':
        return this.tickerJson(this.market(params)!);
      case 'GET /api/v1/tickers':
        return [...this.markets.values()].map((m) => this.tickerJson(m));
      case 'GET /api/v1/markPrices':
        return [...this.markets.values()]
          .filter((m) => params.symbol === undefined || m.symbol === params.symbol)
          .map((m) => ({
            symbol: m.symbol,
            markPrice: this.midText(m),
            indexPrice: this.midText(m),
            fundingRate: this.options.fundingRates?.get(m.symbol) ?? '0.0000125',
            nextFundingTimestamp: Math.ceil(this.now() / 3_600_000) * 3_600_000,
          }));
      case 'GET /api/v1/assets':
        return this.assetsJson();
      case 'GET /api/v1/trades':
      case 'GET /api/v1/trades/history': {
        // [{id, price, quantity, quoteQuantity, timestamp ms, isBuyerMaker}] (spec §3; docs Trades),
        // oldest first, the latest `limit` (history: from `offset` back).
        const m = this.market(params)!;
        const limit = Math.min(1000, Number(params.limit ?? 100));
        const offset = route.endsWith('history') ? Number(params.offset ?? 0) : 0;
        const end = Math.max(0, m.trades.length - offset);
        return m.trades.slice(Math.max(0, end - limit), end).map((t) => this.tradeJson(m, t));
      }
      case 'GET /api/v1/klines':
        return this.klines(this.market(params)!, params);
      case 'GET /api/v1/fundingRates': {
        // [{symbol, intervalEndTimestamp, fundingRate}] newest first (docs Markets › Funding interval
        // rates; CCXT 4.5.84 backpack.js fetchFundingRateHistory capture).
        const m = this.market(params)!;
        const rows = this.margin.fundingEvents.filter((e) => e.base === m.engine.market.base).reverse();
        const offset = Number(params.offset ?? 0);
        return rows.slice(offset, offset + Math.min(10_000, Number(params.limit ?? 100))).map((e) => ({
          symbol: m.symbol,
          intervalEndTimestamp: new Date(e.at).toISOString().slice(0, 19),
          fundingRate: e.rate,
        }));
      }
      case 'GET /api/v1/openInterest':
        // [{symbol, openInterest, timestamp}] (docs Markets › Open interest; CCXT fetchOpenInterest capture): Σ long positions.
        return this.selectMarkets(params).map((m) => ({
          symbol: m.symbol,
          openInterest: formatFixed(
            m.engine.positions().reduce((a, p) => a + Math.max(0, p.size), 0),
            m.engine.market.sizeScale,
          ),
          timestamp: this.now(),
        }));
      case 'GET /api/v1/status':
        return { status: 'Ok', message: null };
      case 'GET /api/v1/time':
        return this.now();
      case 'POST /api/v1/order':
        return this.execute(params, account!);
      case 'DELETE /api/v1/order': {
        const m = this.market(params)!;
        const order = this.findOrder(m, account!, params);
        const cancelled = order === undefined ? undefined : m.engine.cancel(account!, order.orderId);
        if (cancelled === undefined) throw new ApiError(404, 'RESOURCE_NOT_FOUND', 'Order not found');
        this.publishOrderEvent(m, cancelled, 'orderCancelled');
        return this.orderJson(m, cancelled);
      }
      case 'DELETE /api/v1/orders': {
        const m = this.market(params)!;
        return m.engine.cancelAll(account!).map((o) => {
          this.publishOrderEvent(m, o, 'orderCancelled');
          return this.orderJson(m, o);
        });
      }
      case 'GET /api/v1/order': {
        const m = this.market(params)!;
        const order = this.findOrder(m, account!, params);
        // Only resting orders are served here (spec §4.5); finished ones live in the history.
        if (order === undefined || (order.status !== 'new' && order.status !== 'partiallyFilled')) throw new ApiError(404, 'RESOURCE_NOT_FOUND', 'Order not found');
        return this.orderJson(m, order);
      }
      case 'GET /api/v1/orders':
        return this.selectMarkets(params).flatMap((m) => m.engine.openOrders(account!).map((o) => this.orderJson(m, o)));
      case 'GET /api/v1/position':
        return this.selectMarkets(params).flatMap((m) => {
          const p = m.engine.position(account!);
          if (p.size === 0) return [];
          const s = m.engine.market;
          const mid = m.engine.mid() ?? 0;
          const q = s.priceScale + s.sizeScale;
          const liquidation = this.margin.liquidationPrice(m.engine, account!);
          const exposure = this.exposure(m, account!);
          // FuturePositionWithMargin (spec §4.6): the liquidation price from the margin model.
          return [
            {
              symbol: m.symbol,
              positionId: String(s.marketId + 1),
              netQuantity: formatFixed(p.size, s.sizeScale),
              netCost: formatFixed(p.openNotional, q),
              entryPrice: formatFixed(this.entryPrice(m, account!), s.priceScale),
              breakEvenPrice: formatFixed(this.breakEven(m, account!), s.priceScale),
              markPrice: formatFixed(mid, s.priceScale),
              pnlRealized: formatFixed(p.realizedPnl, q),
              pnlUnrealized: formatFixed(p.size * mid - p.openNotional, q),
              netExposureQuantity: formatFixed(exposure, s.sizeScale),
              netExposureNotional: formatFixed(exposure * mid, q),
              estLiquidationPrice: formatFixed(liquidation ?? 0, s.priceScale),
              cumulativeFundingPayment: SimMargin.format(this.margin.funding(account!, s.base)),
              imf: formatFixed(initialBps(m.engine, this.margin.leverageLimit), 4),
              mmf: formatFixed(maintenanceBps(m.engine), 4),
            },
          ];
        });
      case 'GET /api/v1/account': {
        const s = [...this.markets.values()][0]?.engine.market;
        return {
          futuresTakerFee: String(s?.takerFeeBps ?? 0),
          futuresMakerFee: String(s?.makerFeeBps ?? 0),
          spotTakerFee: '10',
          spotMakerFee: '8',
          leverageLimit: String(this.margin.leverageLimit ?? 10),
          autoRealizePnl: true,
          liquidating: false,
        };
      }
      case 'GET /api/v1/capital': {
        const sum = this.margin.summary(account!);
        return { USDC: { available: SimMargin.format(sum.available), locked: SimMargin.format(sum.equity - sum.available), staked: '0' } };
      }
      case 'GET /api/v1/account/limits/order': {
        const m = this.market(params)!;
        return { symbol: m.symbol, side: params.side, maxOrderQuantity: formatFixed(1000 * m.engine.market.minSize, m.engine.market.sizeScale) };
      }
      case 'GET /wapi/v1/history/funding':
        return this.fundingHistory(params, account!);
      case 'GET /api/v1/capital/collateral': {
        // MarginAccountSummary (spec §4.7) from the margin model.
        const sum = this.margin.summary(account!);
        const f = (x: bigint) => SimMargin.format(x);
        return {
          assetsValue: f(sum.equity - sum.unrealized),
          liabilitiesValue: '0',
          borrowLiability: '0',
          netEquity: f(sum.equity),
          netEquityAvailable: f(sum.available),
          netEquityLocked: f(sum.equity - sum.available),
          pnlUnrealized: f(sum.unrealized),
          unsettledEquity: '0',
          collateral: [
            {
              symbol: 'USDC',
              assetMarkPrice: '1',
              totalQuantity: f(sum.collateral),
              balanceNotional: f(sum.collateral),
              collateralWeight: '1',
              collateralValue: f(sum.collateral),
              openOrderQuantity: '0',
              lendQuantity: '0',
              availableQuantity: f(sum.available),
            },
          ],
        };
      }
      case 'GET /wapi/v1/history/orders':
        return this.history(
          params,
          (m) => m.engine.orders(account!).filter((o) => o.status !== 'new' && o.status !== 'partiallyFilled'),
          (m, o) => ({
            ...this.orderJson(m, o),
            createdAt: new Date(o.createdAt).toISOString(),
            expiryReason: this.expiryReason(o) ?? null,
          }),
        );
      case 'GET /wapi/v1/history/fills':
        return this.history(
          params,
          (m) => m.engine.fills(account!),
          (m, f) => this.fillJson(m, f),
        );
      default:
        throw new ApiError(404, 'RESOURCE_NOT_FOUND', `No route ${route}`);
    }
  }

  /** POST /api/v1/orders: each order succeeds or fails on its own (spec §4.2). */
  private batch(route: string, orders: Array<Record<string, unknown>>, account: string): unknown[] {
    if (route !== 'POST /api/v1/orders') throw new ApiError(400, 'INVALID_CLIENT_REQUEST', `${route} takes an object, not an array`);
    return orders.map((o) => {
      try {
        return { operation: 'Ok', ...(this.execute(o, account) as object) };
      } catch (e) {
        if (e instanceof ApiError) return { operation: 'Err', code: e.code, message: e.message };
        throw e;
      }
    });
  }

  private selectMarkets(params: Record<string, unknown>): Market[] {
    const one = this.market(params, false);
    return one === undefined ? [...this.markets.values()] : [one];
  }

  /**
   * GET /wapi/v1/history/funding (fundingHistoryQueryAll): FundingPayment rows (docs History ›
   * Funding payments; spec §4.7; CCXT 4.5.84 backpack.js parseIncome sample): userId,
   * subaccountId, symbol, quantity (signed from the account's view: received > 0), naive-ISO
   * intervalEndTimestamp (seconds), fundingRate; symbol / limit / offset / sortDirection as the
   * other histories. A fault can make the next replies malformed (a quantity that is not a number).
   */
  private fundingHistory(params: Record<string, unknown>, account: string): unknown[] {
    const rows = this.history(
      params,
      (m) => this.margin.fundingEvents.filter((e) => e.base === m.engine.market.base && e.payments.has(account)).map((e) => ({ orderId: e.id, timestamp: e.at, e })),
      (m, r) => ({
        userId: 0,
        subaccountId: null,
        symbol: m.symbol,
        quantity: SimMargin.format(r.e.payments.get(account)!),
        intervalEndTimestamp: new Date(r.e.at).toISOString().slice(0, 19),
        fundingRate: r.e.rate,
      }),
    );
    if ((this.faults.malformedFundingReplies ?? 0) > 0) {
      this.faults.malformedFundingReplies = (this.faults.malformedFundingReplies ?? 1) - 1;
      return [...rows, { userId: 0, subaccountId: null, symbol: 'BTC_USDC_PERP', quantity: 'NaN', intervalEndTimestamp: 'yesterday', fundingRate: null }];
    }
    return rows;
  }

  private history<T extends { orderId: number; createdAt?: number; timestamp?: number }>(
    params: Record<string, unknown>,
    rows: (m: Market) => T[],
    json: (m: Market, row: T) => unknown,
  ): unknown[] {
    let out: Array<{ m: Market; row: T }> = [];
    for (const m of this.selectMarkets(params)) for (const row of rows(m)) out.push({ m, row });
    if (params.orderId !== undefined) out = out.filter(({ row }) => String(row.orderId) === String(params.orderId));
    // from / to in ms (docs History › fills, orders; spec §4.7). The docs do not say which end is
    // inclusive: here from ≤ t < to.
    const at = (row: T) => row.timestamp ?? row.createdAt ?? 0;
    if (params.from !== undefined) out = out.filter(({ row }) => at(row) >= Number(params.from));
    if (params.to !== undefined) out = out.filter(({ row }) => at(row) < Number(params.to));
    if (params.sortDirection === 'Desc') out.reverse();
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(1000, Number(params.limit ?? 100));
    return out.slice(offset, offset + limit).map(({ m, row }) => json(m, row));
  }

  private findOrder(m: Market, account: string, params: Record<string, unknown>): SimOrder | undefined {
    if (params.orderId !== undefined && params.clientId !== undefined) throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'Give orderId or clientId, not both');
    if (params.orderId !== undefined) {
      const o = m.engine.order(Number(params.orderId));
      return o?.account === account ? o : undefined;
    }
    if (params.clientId !== undefined) return m.engine.orderByClientId(account, String(params.clientId));
    throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'orderId or clientId is required');
  }

  private execute(body: Record<string, unknown>, account: string): unknown {
    const m = this.market(body)!;
    const s = m.engine.market;
    if (this.faults.rejectNextOrderWith !== undefined) {
      const code = String(this.faults.rejectNextOrderWith);
      this.faults.rejectNextOrderWith = undefined;
      throw new ApiError(400, code, `Simulated rejection ${code}`);
    }
    const side = body.side === 'Bid' ? 'buy' : body.side === 'Ask' ? 'sell' : undefined;
    if (side === undefined) throw new ApiError(400, 'INVALID_ORDER', 'side must be Bid or Ask');
    const type = body.orderType === 'Market' ? 'market' : body.orderType === 'Limit' ? 'limit' : undefined;
    if (type === undefined) throw new ApiError(400, 'INVALID_ORDER', 'orderType must be Market or Limit');
    // A market order may give quoteQuantity instead of quantity (docs Order › Execute order:
    // quoteQuantity, market orders only): the size is what that much quote buys (or sells for)
    // against the book now, walked level by level and floored to the step.
    let quoteSize: number | undefined;
    if (body.quantity === undefined && typeof body.quoteQuantity === 'string' && type === 'market') {
      const quote = decimalParam(body.quoteQuantity, s.priceScale + s.sizeScale, 'INVALID_QUANTITY', 'Quote quantity decimal too long');
      quoteSize = this.sizeForQuote(m, side, quote);
      if (quoteSize === 0) throw new ApiError(400, 'INVALID_QUANTITY', 'Quote quantity buys less than the step size');
    } else if (typeof body.quantity !== 'string') throw new ApiError(400, 'INVALID_QUANTITY', type === 'market' ? 'quantity or quoteQuantity is required' : 'quantity is required');
    // No minimum notional: Backpack publishes none (the OpenAPI `QuantityFilter` has minQuantity,
    // maxQuantity and stepSize only; CCXT 4.5.84 backpack.js parseMarket sets limits.cost to
    // undefined), so the minimum is minQuantity alone, enforced by the engine.
    const size = quoteSize ?? decimalParam(body.quantity, s.sizeScale, 'INVALID_QUANTITY', 'Quantity decimal too long');
    const price = body.price === undefined ? undefined : decimalParam(body.price, s.priceScale, 'INVALID_PRICE', 'Price decimal too long');
    if (type === 'limit' && price === undefined) throw new ApiError(400, 'INVALID_PRICE', 'Limit orders need a price');
    const tif = body.timeInForce === undefined ? 'GTC' : String(body.timeInForce);
    if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') throw new ApiError(400, 'INVALID_ORDER', 'timeInForce must be GTC, IOC or FOK');
    const clientId = body.clientId;
    if (clientId !== undefined && (!Number.isInteger(clientId) || (clientId as number) < 0 || (clientId as number) > 0xffffffff)) {
      throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'clientId must be a uint32');
    }
    // The price bands (see BackpackPriceFilters): a price outside them is refused; a taker order
    // reaches at most the impact bound and its remainder expires, as a market order's does.
    const reach = this.enforceBands(m, side, type, tif, price);
    // The margin model (src/sim/margin.ts): the account's own codes from the ApiErrorCode list.
    const verdict = this.margin.check(m.engine, account, { side, size, price: reach ?? price, reduceOnly: body.reduceOnly === true });
    if (verdict === 'insufficient_margin') throw new ApiError(400, 'INSUFFICIENT_MARGIN', 'Insufficient margin');
    if (verdict === 'max_leverage') throw new ApiError(400, 'MAX_LEVERAGE_REACHED', 'Max leverage reached');
    let fillLimit: number | undefined;
    if (this.faults.partialFillNext !== undefined) {
      fillLimit = Math.floor((size * this.faults.partialFillNext) / s.stepSize) * s.stepSize;
      this.faults.partialFillNext = undefined;
    }
    const positionsBefore = new Map<string, number>([[account, m.engine.position(account).size]]);
    for (const other of this.otherAccounts(account)) positionsBefore.set(other, m.engine.position(other).size);
    const outcome = m.engine.place({
      account,
      side,
      type,
      size,
      price: reach ?? price,
      timeInForce: tif,
      postOnly: body.postOnly === true,
      reduceOnly: body.reduceOnly === true,
      clientOrderId: clientId === undefined ? undefined : String(clientId),
      fillLimit,
    });
    const order = outcome.order;
    // The order is reported at the price it was sent with, whatever bound its reach.
    if (reach !== undefined && type === 'limit') order.price = price;
    if (outcome.fills.length > 0) m.lastTradePrice = outcome.fills[outcome.fills.length - 1].price;
    switch (order.rejectReason) {
      case 'size_off_grid':
        throw new ApiError(400, 'INVALID_QUANTITY', 'Quantity is not a multiple of the step size');
      case 'size_below_minimum':
        throw new ApiError(400, 'INVALID_QUANTITY', 'Quantity is below the minimum');
      case 'price_off_grid':
        throw new ApiError(400, 'INVALID_PRICE', 'Price is not a multiple of the tick size');
      case 'price_out_of_band':
        throw new ApiError(400, 'INVALID_PRICE', 'Price is too far from the last active price');
      default:
    }
    this.publishOutcome(m, order, outcome.fills, outcome.touchedOrders, positionsBefore);
    return this.orderJson(m, order);
  }

  /**
   * Refuses a price outside [minPrice, maxPrice], outside the last-active-price band (captured
   * message "Price is too far from the last active price", spec §5) or outside the mean-mark band
   * (the mark here is the mid, as /api/v1/markPrices reports it). Returns the price a taker order
   * may reach (the impact bound) when that is tighter than its own, else undefined. A resting
   * (GTC) order that would reach past the impact bound is refused: the docs are silent on limit
   * orders there, so the harsher reading.
   */
  private enforceBands(m: Market, side: 'buy' | 'sell', type: 'market' | 'limit', tif: string, price: number | undefined): number | undefined {
    const s = m.engine.market;
    const b = this.bands;
    const mid = m.engine.mid();
    if (price !== undefined) {
      if (price < s.tickSize) throw new ApiError(400, 'INVALID_PRICE', 'Price is below the minimum price');
      if (price > parseFixed(this.filters.maxPrice, s.priceScale)) throw new ApiError(400, 'INVALID_PRICE', 'Price is above the maximum price');
      const last = m.lastTradePrice ?? mid;
      if (last !== undefined && (compareScaled(price, last, b.lastActive.max) > 0 || compareScaled(price, last, b.lastActive.min) < 0)) {
        throw new ApiError(400, 'INVALID_PRICE', 'Price is too far from the last active price');
      }
      if (mid !== undefined && (compareScaled(price, mid, b.meanMark.max) > 0 || compareScaled(price, mid, b.meanMark.min) < 0)) {
        throw new ApiError(400, 'INVALID_PRICE', 'Price is too far from the mark price');
      }
    }
    const best = side === 'buy' ? m.engine.bestAsk() : m.engine.bestBid();
    if (best === undefined) return undefined;
    const bound = side === 'buy' ? scaledOnGrid(best, b.impact.max, s.tickSize, false) : scaledOnGrid(best, b.impact.min, s.tickSize, true);
    const beyond = price === undefined || (side === 'buy' ? price > bound : price < bound);
    if (!beyond) return undefined;
    if (type === 'limit' && tif === 'GTC') throw new ApiError(400, 'INVALID_PRICE', 'Price is too far from the best price');
    return bound;
  }

  private expiryReason(o: SimOrder): string | undefined {
    if (o.rejectReason === 'post_only_would_cross') return 'PostOnlyTaker';
    if (o.rejectReason === 'reduce_only_would_increase') return 'ReduceOnlyNotReduced';
    if (o.status === 'expired') return o.timeInForce === 'FOK' ? 'FillOrKill' : 'ImmediateOrCancel';
    return undefined;
  }

  // ---------------------------------------------------------------- JSON shapes

  private marketJson(m: Market): unknown {
    const s = m.engine.market;
    return {
      symbol: m.symbol,
      baseSymbol: s.base,
      quoteSymbol: 'USDC',
      marketType: 'PERP',
      orderBookState: 'Open',
      visible: true,
      fundingInterval: 3_600_000,
      filters: {
        price: {
          minPrice: formatFixedTrim(s.tickSize, s.priceScale),
          maxPrice: this.filters.maxPrice,
          tickSize: formatFixedTrim(s.tickSize, s.priceScale),
          maxMultiplier: this.filters.maxMultiplier,
          minMultiplier: this.filters.minMultiplier,
          maxImpactMultiplier: this.filters.maxImpactMultiplier,
          minImpactMultiplier: this.filters.minImpactMultiplier,
          meanMarkPriceBand: { ...this.filters.meanMarkPriceBand },
          meanPremiumBand: null,
        },
        quantity: { minQuantity: formatFixedTrim(s.minSize, s.sizeScale), stepSize: formatFixedTrim(s.stepSize, s.sizeScale) },
      },
    };
  }

  private depthJson(m: Market, limit: number): unknown {
    const s = m.engine.market;
    const fmt = (levels: Array<[number, number]>) => levels.map(([p, q]) => [formatFixed(p, s.priceScale), formatFixed(q, s.sizeScale)]);
    // Both sides ascending by price, as captured from the venue (spec §3).
    return {
      asks: fmt(m.engine.levels('ask', limit)),
      bids: fmt(m.engine.levels('bid', limit).reverse()),
      lastUpdateId: String(m.updateId),
      timestamp: this.now() * 1000,
    };
  }

  private midText(m: Market): string {
    return formatFixed(m.engine.mid() ?? 0, m.engine.market.priceScale);
  }

  private orderJson(m: Market, o: SimOrder): Record<string, unknown> {
    const s = m.engine.market;
    return {
      id: String(o.orderId),
      clientId: o.clientOrderId === undefined ? null : Number(o.clientOrderId),
      symbol: m.symbol,
      side: o.side === 'buy' ? 'Bid' : 'Ask',
      orderType: o.type === 'market' ? 'Market' : 'Limit',
      status: STATUS[o.status],
      timeInForce: o.timeInForce,
      selfTradePrevention: 'RejectTaker',
      quantity: formatFixed(o.size, s.sizeScale),
      price: o.price === undefined ? null : formatFixed(o.price, s.priceScale),
      executedQuantity: formatFixed(o.executedSize, s.sizeScale),
      executedQuoteQuantity: formatFixed(o.executedNotional, s.priceScale + s.sizeScale),
      postOnly: o.postOnly,
      reduceOnly: o.reduceOnly,
      relatedOrderId: null,
      createdAt: o.createdAt,
    };
  }

  /** The largest step-multiple size whose cost (buy) or proceeds (sell) against the book stays within `quote` (priceScale + sizeScale units). */
  private sizeForQuote(m: Market, side: 'buy' | 'sell', quote: number): number {
    const step = m.engine.market.stepSize;
    let left = quote;
    let size = 0;
    for (const [price, available] of m.engine.levels(side === 'buy' ? 'ask' : 'bid')) {
      const take = Math.min(available, Math.floor(left / price));
      size += take;
      left -= take * price;
      if (take < available) break;
    }
    return Math.floor(size / step) * step;
  }

  /** The assets listed (docs Assets; CCXT 4.5.84 backpack.js fetchCurrencies capture), withdrawals off. */
  private assetsJson(): unknown[] {
    const token = (name: string) => ({
      blockchain: 'Solana',
      contractAddress: null,
      depositEnabled: true,
      displayName: name,
      maximumWithdrawal: null,
      minimumDeposit: '0',
      minimumWithdrawal: '0',
      withdrawEnabled: false,
      withdrawalFee: '0',
    });
    const bases = [...this.markets.values()].map((m) => m.engine.market.base);
    return ['USDC', ...bases].map((symbol) => ({ symbol, displayName: symbol, coingeckoId: null, tokens: [token(symbol)] }));
  }

  private tradeJson(m: Market, t: Market['trades'][number]): unknown {
    const s = m.engine.market;
    return {
      id: t.id,
      price: formatFixed(t.price, s.priceScale),
      quantity: formatFixed(t.size, s.sizeScale),
      quoteQuantity: formatFixed(t.price * t.size, s.priceScale + s.sizeScale),
      timestamp: t.at,
      isBuyerMaker: t.buyerIsMaker,
    };
  }

  /**
   * Candles from the trades (docs Markets › K-lines: interval, startTime and endTime in seconds,
   * startTime required; CCXT 4.5.84 backpack.js parseOHLCV capture: start/end "YYYY-MM-DD HH:MM:SS",
   * decimal strings, trades a string). Intervals without trades are left out.
   */
  private klines(m: Market, params: Record<string, unknown>): unknown[] {
    const INTERVALS: Record<string, number> = {
      '1m': 60,
      '3m': 180,
      '5m': 300,
      '15m': 900,
      '30m': 1800,
      '1h': 3600,
      '2h': 7200,
      '4h': 14_400,
      '6h': 21_600,
      '8h': 28_800,
      '12h': 43_200,
      '1d': 86_400,
      '3d': 259_200,
      '1w': 604_800,
    };
    const seconds = INTERVALS[String(params.interval)];
    if (seconds === undefined) throw new ApiError(400, 'INVALID_CLIENT_REQUEST', `interval must be one of ${Object.keys(INTERVALS).join(', ')}`);
    if (params.startTime === undefined) throw new ApiError(400, 'INVALID_CLIENT_REQUEST', 'startTime is required');
    const from = Number(params.startTime) * 1000;
    const to = params.endTime === undefined ? Infinity : Number(params.endTime) * 1000;
    const s = m.engine.market;
    const buckets = new Map<number, Market['trades']>();
    for (const t of m.trades) {
      if (t.at < from || t.at >= to) continue;
      const start = Math.floor(t.at / (seconds * 1000)) * seconds * 1000;
      buckets.set(start, [...(buckets.get(start) ?? []), t]);
    }
    const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const p = (x: number) => formatFixed(x, s.priceScale);
    return [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, ts]) => ({
        start: stamp(start),
        end: stamp(start + seconds * 1000),
        open: p(ts[0].price),
        high: p(Math.max(...ts.map((t) => t.price))),
        low: p(Math.min(...ts.map((t) => t.price))),
        close: p(ts[ts.length - 1].price),
        volume: formatFixed(
          ts.reduce((a, t) => a + t.size, 0),
          s.sizeScale,
        ),
        quoteVolume: formatFixed(
          ts.reduce((a, t) => a + t.size * t.price, 0),
          s.priceScale + s.sizeScale,
        ),
        trades: String(ts.length),
      }));
  }

  private fillJson(m: Market, f: SimFill): unknown {
    const s = m.engine.market;
    return {
      tradeId: f.tradeId,
      orderId: String(f.orderId),
      clientId: f.clientOrderId ?? null,
      symbol: m.symbol,
      side: f.side === 'buy' ? 'Bid' : 'Ask',
      price: formatFixed(f.price, s.priceScale),
      quantity: formatFixed(f.size, s.sizeScale),
      fee: formatFixed(f.fee, s.priceScale + s.sizeScale),
      feeSymbol: 'USDC',
      isMaker: f.liquidity === 'maker',
      timestamp: new Date(f.timestamp).toISOString(),
    };
  }

  // ---------------------------------------------------------------- WebSocket

  protected accept(socket: WebSocket): Client {
    const client: Client = { socket, streams: new Set(), alive: true };
    socket.on('pong', () => (client.alive = true));
    socket.on('message', (raw) => this.onClientMessage(client, raw.toString()));
    return client;
  }

  private onClientMessage(client: Client, text: string): void {
    let msg: { method?: unknown; params?: unknown; signature?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.sendTo(client, { id: null, error: { code: 4000, message: 'Invalid JSON' } });
    }
    const params = Array.isArray(msg.params) ? msg.params.filter((p): p is string => typeof p === 'string') : [];
    if (msg.method === 'UNSUBSCRIBE') {
      for (const p of params) client.streams.delete(p);
      return;
    }
    if (msg.method !== 'SUBSCRIBE') return this.sendTo(client, { id: null, error: { code: 4001, message: 'Invalid method' } });
    if (params.some((p) => p.startsWith('account.'))) {
      const sig = Array.isArray(msg.signature) ? msg.signature : [];
      const [key, signature, ts, win] = sig.map(String);
      const now = this.now();
      const ok =
        sig.length === 4 &&
        this.accounts.has(key) &&
        ed25519Verify(key, `instruction=subscribe&timestamp=${ts}&window=${win}`, signature) &&
        now - Number(ts) <= Number(win) &&
        Number(ts) - now <= 1000;
      if (!ok) return this.sendTo(client, { id: null, error: { code: 4006, message: 'Invalid signature' } });
      client.account = key;
    }
    for (const p of params) {
      const symbol = p.split('.').at(-1)!;
      const known = p.startsWith('account.') ? p === 'account.orderUpdate' || p === 'account.positionUpdate' || this.markets.has(symbol) : this.markets.has(symbol);
      if (!known) {
        this.sendTo(client, { id: null, error: { code: 4006, message: `Invalid stream ${p}` } });
        continue;
      }
      client.streams.add(p);
      if (p.startsWith('account.positionUpdate')) {
        // The current positions, without an event type, right after subscribing (spec §6.6).
        for (const m of this.markets.values()) {
          if (p !== 'account.positionUpdate' && p !== `account.positionUpdate.${m.symbol}`) continue;
          const pos = m.engine.position(client.account!);
          if (pos.size !== 0) this.sendTo(client, { stream: p, data: this.positionEvent(m, client.account!, undefined) });
        }
      }
    }
  }

  /**
   * Every level change is one update with its own id, and one engine mutation (a sweep, a new
   * ladder) changes several levels at once, so its event spans them: U < u. The docs say the
   * stream "may aggregate more than one update into a single event. In this case the U and u fields
   * will not be the same" (OpenAPI `Streams` › Depth, spec §6/§7); with `coalesceDepth` the changes
   * of a whole event-loop turn go out as one event. The REST snapshot reports the latest id given
   * out, so a snapshot taken while an event is still unsent already contains it.
   */
  private publishDepth(m: Market, changes: ReadonlyArray<{ side: 'bid' | 'ask'; price: number; size: number }>): void {
    const skip = this.faults.skipSequence ?? 0;
    if (skip > 0) {
      this.faults.skipSequence = 0;
      // The lost ids fall between two events.
      this.flushDepth(m);
    }
    const U = m.updateId + 1 + skip;
    const u = U + changes.length - 1;
    m.updateId = u;
    const pending = m.pending ?? { U, u, changes: new Map() };
    pending.u = u;
    for (const c of changes) pending.changes.set(`${c.side}:${c.price}`, c);
    m.pending = pending;
    if (!this.coalesceDepth) this.flushDepth(m);
    else if (pending.changes.size === changes.length) setImmediate(() => this.flushDepth(m));
  }

  private flushDepth(m: Market): void {
    const pending = m.pending;
    if (pending === undefined) return;
    m.pending = undefined;
    const s = m.engine.market;
    const t = this.now() * 1000;
    const a: string[][] = [];
    const b: string[][] = [];
    for (const c of pending.changes.values()) (c.side === 'ask' ? a : b).push([formatFixed(c.price, s.priceScale), formatFixed(c.size, s.sizeScale)]);
    this.broadcast(`depth.${m.symbol}`, { e: 'depth', E: t, s: m.symbol, a, b, U: pending.U, u: pending.u, T: t });
    this.publishTicker(m, t);
    this.publishMark(m, t);
  }

  /**
   * markPrice.<symbol> when the mark moves (OpenAPI `Streams` › Mark price: p mark, f funding rate,
   * i index, n next funding ms). The mark here is the mid, as /api/v1/markPrices reports it and as
   * the mean-mark price band is enforced.
   */
  private publishMark(m: Market, t: number): void {
    if (m.engine.mid() === undefined) return;
    const mark = this.midText(m);
    if (mark === m.lastMark) return;
    m.lastMark = mark;
    this.broadcast(`markPrice.${m.symbol}`, {
      e: 'markPrice',
      E: t,
      s: m.symbol,
      p: mark,
      f: this.options.fundingRates?.get(m.symbol) ?? '0.0000125',
      i: mark,
      n: Math.ceil(this.now() / 3_600_000) * 3_600_000,
      T: t,
    });
  }

  /**
   * bookTicker on every change of the top. Its update id comes from a sequence of its own, not the
   * depth ids: the docs show it as an 18-digit string ("111063070525358080", OpenAPI `Streams` ›
   * Book ticker) while a CCXT capture shows a depth-sized number (spec §3, §10 Q18); the harsher of
   * the two for a client is an id it cannot compare with the book's, so that is what is sent.
   */
  private publishTicker(m: Market, t: number): void {
    const s = m.engine.market;
    const bid = m.engine.levels('bid', 1)[0];
    const ask = m.engine.levels('ask', 1)[0];
    const top = `${bid?.join()}|${ask?.join()}`;
    if (top !== m.lastTop && bid !== undefined && ask !== undefined) {
      m.lastTop = top;
      m.tickerId++;
      this.broadcast(`bookTicker.${m.symbol}`, {
        e: 'bookTicker',
        E: t,
        s: m.symbol,
        a: formatFixed(ask[0], s.priceScale),
        A: formatFixed(ask[1], s.sizeScale),
        b: formatFixed(bid[0], s.priceScale),
        B: formatFixed(bid[1], s.sizeScale),
        u: m.tickerId.toString(),
        T: t,
      });
    }
  }

  private publishOrderEvent(m: Market, o: SimOrder, event: string, fill?: SimFill, state?: { status: SimOrder['status']; executedSize: number; executedNotional: number }): void {
    const s = m.engine.market;
    const at = state ?? o;
    const data: Record<string, unknown> = {
      e: event,
      E: this.now() * 1000,
      s: m.symbol,
      S: o.side === 'buy' ? 'Bid' : 'Ask',
      o: o.type === 'market' ? 'MARKET' : 'LIMIT',
      f: o.timeInForce,
      q: formatFixed(o.size, s.sizeScale),
      X: STATUS[at.status],
      i: String(o.orderId),
      z: formatFixed(at.executedSize, s.sizeScale),
      Z: formatFixed(at.executedNotional, s.priceScale + s.sizeScale),
      V: 'RejectTaker',
      T: this.now() * 1000,
      O: 'USER',
      y: o.postOnly,
      r: o.reduceOnly,
    };
    if (o.clientOrderId !== undefined) data.c = Number(o.clientOrderId);
    if (o.price !== undefined) data.p = formatFixed(o.price, s.priceScale);
    if (event === 'orderExpired') data.R = this.expiryReason(o);
    if (fill !== undefined) {
      Object.assign(data, {
        t: fill.tradeId,
        l: formatFixed(fill.size, s.sizeScale),
        L: formatFixed(fill.price, s.priceScale),
        m: fill.liquidity === 'maker',
        n: formatFixed(fill.fee, s.priceScale + s.sizeScale),
        N: 'USDC',
      });
    }
    this.sendToAccount(o.account, m, 'account.orderUpdate', data);
  }

  protected override subscriptionsOf(client: Client): string[] {
    return [...client.streams];
  }

  private otherAccounts(account: string): string[] {
    return [...this.accounts].filter((a) => a !== account);
  }

  /**
   * The stream events of one placed order, in the venue's order (spec §6.5, §6.6; docs Streams ›
   * Order update and Position update; CCXT pro backpack handleOrder captures): `orderAccepted` as
   * New with nothing executed, even for an order that fills at once; then one `orderFill` per fill
   * on each side with the order's cumulative z/Z after that fill; `orderExpired` for what an IOC or
   * market order could not fill; `positionOpened` / `positionAdjusted` / `positionClosed` as the
   * position leaves zero, changes or returns to it; `trade.<symbol>` per trade (docs Streams ›
   * Trade) and `ticker.<symbol>` after them.
   */
  private publishOutcome(m: Market, order: SimOrder, fills: readonly SimFill[], touched: readonly SimOrder[], positionsBefore: ReadonlyMap<string, number>): void {
    const s = m.engine.market;
    const byId = new Map<number, SimOrder>([[order.orderId, order], ...touched.map((o) => [o.orderId, o] as const)]);
    // Each order's executed state before this outcome: its final state less this outcome's fills.
    const running = new Map<number, { size: number; notional: number }>();
    for (const o of byId.values()) running.set(o.orderId, { size: o.executedSize, notional: o.executedNotional });
    for (const f of fills) {
      const r = running.get(f.orderId);
      if (r !== undefined) {
        r.size -= f.size;
        r.notional -= f.size * f.price;
      }
    }
    this.publishOrderEvent(m, order, 'orderAccepted', undefined, { status: 'new', executedSize: 0, executedNotional: 0 });
    for (const f of fills) {
      const o = byId.get(f.orderId);
      const r = running.get(f.orderId);
      if (o === undefined || r === undefined) continue;
      r.size += f.size;
      r.notional += f.size * f.price;
      this.publishOrderEvent(m, o, 'orderFill', f, { status: r.size === o.size ? 'filled' : 'partiallyFilled', executedSize: r.size, executedNotional: r.notional });
    }
    if (order.status === 'expired' || order.status === 'rejected') this.publishOrderEvent(m, order, 'orderExpired');
    const t = this.now() * 1000;
    for (const f of fills) {
      if (f.orderId !== order.orderId) continue;
      const buyerIsMaker = order.side === 'sell';
      const trade = {
        id: m.trades.length + 1,
        price: f.price,
        size: f.size,
        buyerIsMaker,
        buyOrderId: buyerIsMaker ? f.counterOrderId : order.orderId,
        sellOrderId: buyerIsMaker ? order.orderId : f.counterOrderId,
        at: f.timestamp,
      };
      m.trades.push(trade);
      this.broadcast(`trade.${m.symbol}`, {
        e: 'trade',
        E: t,
        s: m.symbol,
        p: formatFixed(f.price, s.priceScale),
        q: formatFixed(f.size, s.sizeScale),
        b: String(trade.buyOrderId),
        a: String(trade.sellOrderId),
        t: trade.id,
        T: t,
        m: buyerIsMaker,
      });
    }
    if (fills.length > 0) {
      const k = this.tickerJson(m);
      this.broadcast(`ticker.${m.symbol}`, {
        e: 'ticker',
        E: t,
        s: m.symbol,
        o: k.firstPrice,
        c: k.lastPrice,
        h: k.high,
        l: k.low,
        v: k.volume,
        V: k.quoteVolume,
        n: Number(k.trades),
      });
    }
    for (const [account, before] of positionsBefore) {
      if (!fills.some((f) => f.account === account)) continue;
      const after = m.engine.position(account).size;
      this.publishPosition(m, account, before === 0 ? 'positionOpened' : after === 0 ? 'positionClosed' : 'positionAdjusted');
    }
  }

  /** 24 h statistics from the trades (docs `Ticker`; priceChangePercent a fraction, trades a string). */
  private tickerJson(m: Market): {
    symbol: string;
    firstPrice: string;
    lastPrice: string;
    priceChange: string;
    priceChangePercent: string;
    high: string;
    low: string;
    volume: string;
    quoteVolume: string;
    trades: string;
  } {
    const s = m.engine.market;
    const since = this.now() - 86_400_000;
    const day = m.trades.filter((t) => t.at >= since);
    if (day.length === 0) {
      const mid = this.midText(m);
      return { symbol: m.symbol, firstPrice: mid, lastPrice: mid, priceChange: '0', priceChangePercent: '0', high: mid, low: mid, volume: '0', quoteVolume: '0', trades: '0' };
    }
    const first = day[0].price;
    const last = day[day.length - 1].price;
    const p = (x: number) => formatFixed(x, s.priceScale);
    const change = last - first;
    return {
      symbol: m.symbol,
      firstPrice: p(first),
      lastPrice: p(last),
      priceChange: p(change),
      priceChangePercent: (change / first).toFixed(6),
      high: p(Math.max(...day.map((t) => t.price))),
      low: p(Math.min(...day.map((t) => t.price))),
      volume: formatFixed(
        day.reduce((a, t) => a + t.size, 0),
        s.sizeScale,
      ),
      quoteVolume: formatFixed(
        day.reduce((a, t) => a + t.size * t.price, 0),
        s.priceScale + s.sizeScale,
      ),
      trades: String(day.length),
    };
  }

  private positionEvent(m: Market, account: string, event: string | undefined): Record<string, unknown> {
    const s = m.engine.market;
    const p = m.engine.position(account);
    const mid = m.engine.mid() ?? 0;
    const q = s.priceScale + s.sizeScale;
    const exposure = this.exposure(m, account);
    // Spec §6.6 (docs Streams › Position update; CCXT pro handlePositions capture): Q net exposure
    // with open orders, n its notional, B entry, b break-even (entry moved by the fees paid), f / m
    // the margin fractions, l the deprecated liquidation placeholder, always 0 (changelog 2025-09-01).
    const data: Record<string, unknown> = {
      E: this.now() * 1000,
      s: m.symbol,
      q: formatFixed(p.size, s.sizeScale),
      Q: formatFixed(exposure, s.sizeScale),
      n: formatFixed(exposure * mid, q),
      B: formatFixed(this.entryPrice(m, account), s.priceScale),
      b: formatFixed(this.breakEven(m, account), s.priceScale),
      M: formatFixed(mid, s.priceScale),
      f: formatFixed(initialBps(m.engine, this.margin.leverageLimit), 4),
      m: formatFixed(maintenanceBps(m.engine), 4),
      l: '0',
      p: formatFixed(p.realizedPnl, q),
      P: formatFixed(p.size * mid - p.openNotional, q),
      i: s.marketId + 1,
      T: this.now() * 1000,
    };
    if (event !== undefined) data.e = event;
    return data;
  }

  /** Net position plus every open order of the account filled, signed the way the position points. */
  private exposure(m: Market, account: string): number {
    const p = m.engine.position(account).size;
    let buys = 0;
    let sells = 0;
    for (const o of m.engine.openOrders(account)) {
      if (o.side === 'buy') buys += o.size - o.executedSize;
      else sells += o.size - o.executedSize;
    }
    return p + buys >= -(p - sells) ? p + buys : p - sells;
  }

  private entryPrice(m: Market, account: string): number {
    const p = m.engine.position(account);
    return p.size === 0 ? 0 : Math.round(p.openNotional / p.size);
  }

  /** Entry price moved by the fees the position's fills paid (the capture: 4238.479 = 4236.36 × 1.0005). */
  private breakEven(m: Market, account: string): number {
    const p = m.engine.position(account);
    if (p.size === 0) return 0;
    return Math.round((p.openNotional + (p.size > 0 ? p.feesPaid : -p.feesPaid)) / p.size);
  }

  private publishPosition(m: Market, account: string, event: string): void {
    this.sendToAccount(account, m, 'account.positionUpdate', this.positionEvent(m, account, event));
  }

  private sendToAccount(account: string, m: Market, prefix: string, data: unknown): void {
    for (const c of this.clients) {
      if (c.account !== account) continue;
      for (const stream of [prefix, `${prefix}.${m.symbol}`]) if (c.streams.has(stream)) this.sendTo(c, { stream, data });
    }
  }

  private broadcast(stream: string, data: unknown): void {
    for (const c of this.clients) if (c.streams.has(stream)) this.sendTo(c, { stream, data });
  }

  protected heartbeat(): void {
    for (const c of this.clients) {
      // Two missed pongs in a row: the client is gone (spec §6.3 allows 120 s at a 60 s ping).
      if (!c.alive) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}

function decimalParam(value: unknown, scale: number, code: string, tooLong: string): number {
  if (typeof value !== 'string') throw new ApiError(400, code, `${code === 'INVALID_PRICE' ? 'price' : 'quantity'} must be a decimal string`);
  try {
    return parseFixed(value, scale);
  } catch (e) {
    if (e instanceof FixedPointError) throw new ApiError(400, code, tooLong);
    throw e;
  }
}
