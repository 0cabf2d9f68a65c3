// Every parser in both venues' `messages` takes any JSON value: it never throws, and whatever it
// accepts is valid. Bounded runs, so the whole suite stays quick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  readAccountFees,
  readBookTicker,
  readCollateral,
  readDepthEvent,
  readDepthSnapshot,
  readFills,
  readMarkPrice,
  readMarkPrices,
  readMarketGrid,
  readMarkets,
  readOrder,
  readOrderHistory,
  readOrderUpdate,
  readPosition,
  readPositionUpdate,
  type DepthRow,
  type MarketGrid,
  type OrderReply,
} from '../../src/venues/backpack/messages.js';
import {
  readAccount,
  readAccountLimits,
  readAccountOrders,
  readAccountPosition,
  readApiKeys,
  readBookFrame,
  readInactiveOrders,
  readMarketEntry,
  readNextNonce,
  readOrderBookDetails,
  readSendTx,
  readStatus,
  readTrades,
  readTx,
  type LighterMarketEntry,
  type StreamedOrder,
} from '../../src/venues/lighter/messages.js';
import { FrameWarnings, type Parsed } from '../../src/venues/messages.js';
import { MemoryLogger } from '../../src/core/log.js';
import { FakeClock } from '../../src/core/clock.js';

const RUNS = { numRuns: 300, seed: 13 };
const DECIMAL = /^\d+(\.\d+)?$/;

/** A value of any JSON type, including ones that look nearly right. */
const wild = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 42, -1, 1.5, '', '1', '-1', '1e3', 'NaN', [], {}, [[]], [['1', '2']], [{ price: '1', size: '2' }], 2 ** 53, '99999999999999999999'),
);
/** Objects with the parsers' field names, each of any type: every field of the wrong type at some point. */
const shaped = fc.record(
  {
    U: wild,
    u: wild,
    b: wild,
    a: wild,
    p: wild,
    c: wild,
    X: wild,
    z: wild,
    Z: wild,
    n: wild,
    N: wild,
    t: wild,
    i: wild,
    l: wild,
    s: wild,
    q: wild,
    '1': fc.oneof(
      wild,
      fc.record({ sign: wild, position: wild }, { requiredKeys: [] }),
      fc.array(fc.record({ client_order_index: wild, status: wild, filled_base_amount: wild, filled_quote_amount: wild, order_index: wild }, { requiredKeys: [] }), {
        maxLength: 3,
      }),
    ),
    lastUpdateId: wild,
    bids: wild,
    asks: wild,
    type: fc.oneof(wild, fc.constantFrom('subscribed/order_book', 'update/order_book')),
    order_book: fc.oneof(wild, fc.record({ nonce: wild, begin_nonce: wild, bids: wild, asks: wild }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
/** Nearly valid frames: right shapes, some rows bent. */
const row = fc.oneof(fc.tuple(fc.constantFrom('1', '1.5', '0.00001', '100000.0'), fc.constantFrom('0', '2', '0.1')), wild);
const nearly = fc.oneof(
  fc.record({ U: fc.nat(), u: fc.nat(), b: fc.array(row, { maxLength: 4 }), a: fc.array(row, { maxLength: 4 }) }),
  fc.record({ lastUpdateId: fc.oneof(fc.nat(), fc.constant('17')), bids: fc.array(row, { maxLength: 4 }), asks: fc.array(row, { maxLength: 4 }) }),
  fc.record({
    type: fc.constantFrom('subscribed/order_book', 'update/order_book', 7),
    order_book: fc.record({
      nonce: fc.oneof(fc.nat(), wild),
      begin_nonce: fc.oneof(fc.nat(), wild),
      bids: fc.array(fc.oneof(fc.record({ price: fc.constantFrom('1.0', '99999.5', '1.23', 'x'), size: fc.constantFrom('0.00001', '2', '') }), wild), { maxLength: 4 }),
      asks: fc.array(fc.record({ price: fc.constantFrom('1.0', '3.0'), size: fc.constantFrom('1.00000') }), { maxLength: 3 }),
    }),
  }),
);
const account = fc.oneof(
  fc.record(
    {
      c: fc.oneof(fc.nat(), wild),
      X: fc.constantFrom('Filled', 'New', 3),
      z: fc.constantFrom('0.01', '1', '1e2', ''),
      Z: fc.constantFrom('970.1', 'x'),
      t: fc.oneof(fc.nat(), wild),
      n: fc.constantFrom('0.0019', 0.5, 'NaN', '-0.1', {}),
      N: fc.constantFrom('USDC', 'SOL', 5),
      l: fc.constantFrom('0.01', 'x'),
    },
    { requiredKeys: [] },
  ),
  fc.array(fc.record({ s: fc.constantFrom('BTC_USDC_PERP', 7), q: fc.constantFrom('-0.5', '0.01', 1.5, 1e-7, 'x', null) }, { requiredKeys: [] }), { maxLength: 3 }),
  fc.record({
    '1': fc.array(
      fc.record(
        {
          client_order_index: fc.oneof(fc.nat(), fc.constant('12')),
          status: fc.constantFrom('filled', 'canceled'),
          filled_base_amount: fc.constantFrom('0.01000', 1, -1, 'x'),
          filled_quote_amount: fc.constantFrom('1000.0', ''),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
  }),
  fc.record({ '1': fc.record({ sign: fc.constantFrom(1, -1, 'x'), position: fc.constantFrom('0.01000', '-1', 3) }, { requiredKeys: [] }) }),
);
const anyFrame = fc.oneof(wild, shaped, nearly, account, fc.anything({ maxDepth: 3 }));

function deep(levels: number): unknown {
  let v: unknown = { U: 1, u: 2 };
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { order_book: v, b: v, p: v };
  return v;
}
const huge = { U: 1, u: 2, b: Array.from({ length: 20_000 }, () => ['1.0', '2.0']), a: 'x'.repeat(1_000_000) };
const hostile = [null, 42, '', [], {}, deep(5000), huge, { order_book: { nonce: 1, bids: huge.b, asks: [{ price: 'x'.repeat(1_000_000), size: '1' }] } }];

/** Runs a parser: it must not throw, and returns the parsed value when accepted. */
function never<T>(parse: (v: unknown) => Parsed<T>, v: unknown): T | undefined {
  let r: Parsed<T>;
  try {
    r = parse(v);
  } catch (e) {
    assert.fail(`threw ${(e as Error).message} for ${String(v)}`);
  }
  if (!r.ok) {
    assert.equal(typeof r.why, 'string');
    assert.ok(r.why.length > 0 && r.why.length < 400, 'a refusal is one short line');
    return undefined;
  }
  return r.value;
}

const validRows = (rows: readonly DepthRow[]) => rows.every((r) => r.length === 2 && DECIMAL.test(r[0]) && DECIMAL.test(r[1]));
const updateId = (n: number) => Number.isSafeInteger(n) && n >= 0;

const parsers: Array<[string, (v: unknown) => void]> = [
  [
    'backpack readDepthEvent',
    (v) => {
      const e = never(readDepthEvent, v);
      if (e) assert.ok(updateId(e.U) && updateId(e.u) && e.U <= e.u && validRows(e.b) && validRows(e.a));
    },
  ],
  [
    'backpack readDepthSnapshot',
    (v) => {
      const s = never(readDepthSnapshot, v);
      if (s) assert.ok(updateId(s.lastUpdateId) && validRows(s.bids) && validRows(s.asks));
    },
  ],
  [
    'backpack readBookTicker',
    (v) => {
      const t = never(readBookTicker, v);
      if (t)
        assert.ok(
          (t.bid === undefined || DECIMAL.test(t.bid)) && (t.ask === undefined || DECIMAL.test(t.ask)) && (t.u === undefined || typeof t.u === 'number' || typeof t.u === 'string'),
        );
    },
  ],
  [
    'backpack readMarkPrice',
    (v) => {
      const m = never(readMarkPrice, v);
      if (m) assert.ok(DECIMAL.test(m.p));
    },
  ],
  [
    'lighter readBookFrame',
    (v) => {
      const f = never((x) => readBookFrame(x, 1, 5), v);
      if (f) {
        assert.ok(Number.isSafeInteger(f.nonce) && Number.isSafeInteger(f.beginNonce) && typeof f.snapshot === 'boolean');
        for (const [p, q] of [...f.bids, ...f.asks]) assert.ok(Number.isSafeInteger(p) && p >= 0 && Number.isSafeInteger(q) && q >= 0);
      }
    },
  ],
  [
    'backpack readOrderUpdate',
    (v) => {
      const u = never(readOrderUpdate, v);
      if (u) {
        assert.ok(typeof u.clientId === 'string' && (u.executed === undefined || DECIMAL.test(u.executed)) && (u.executedQuote === undefined || DECIMAL.test(u.executedQuote)));
        if (u.fill) assert.ok(typeof u.fill.tradeId === 'string' && Number.isFinite(u.fill.fee) && (u.fill.size === undefined || DECIMAL.test(u.fill.size)));
      }
    },
  ],
  [
    'backpack readPositionUpdate',
    (v) => {
      const ps = never(readPositionUpdate, v);
      for (const p of ps ?? []) assert.ok(typeof p.symbol === 'string' && /^-?\d+(\.\d+)?$/.test(p.quantity));
    },
  ],
  [
    'lighter readAccountOrders',
    (v) => {
      const os = never(readAccountOrders, v);
      for (const o of os ?? []) {
        assert.ok(Number.isSafeInteger(o.client_order_index) && o.client_order_index >= 0);
        assert.ok((o.filled_base_amount === undefined || DECIMAL.test(o.filled_base_amount)) && (o.filled_quote_amount === undefined || DECIMAL.test(o.filled_quote_amount)));
      }
    },
  ],
  [
    'lighter readAccountPosition',
    (v) => {
      const p = never((x) => readAccountPosition(x, 1), v);
      if (p) assert.ok((p.sign === 1 || p.sign === -1) && DECIMAL.test(p.position));
    },
  ],
];

for (const [name, check] of parsers) {
  test(`${name}: any JSON value in, never a throw; every accepted value is valid`, () => {
    fc.assert(
      fc.property(anyFrame, (v) => check(v)),
      RUNS,
    );
    for (const v of hostile) check(v);
  });
}

// ---------------------------------------------------------------- REST replies

/** A field that is sometimes a plausible value, sometimes anything. */
const field = (...nice: unknown[]) => fc.oneof(wild, fc.constantFrom(...nice));
const bendable = <T>(arb: fc.Arbitrary<T>) => fc.oneof(wild, arb);
/** Backpack REST objects: markets, account, position, collateral, mark prices, orders, fills. */
const backpackRow = fc.record(
  {
    symbol: field('BTC_USDC_PERP', 'ETH_USDC_PERP'),
    orderBookState: field('Open', 'Closed'),
    filters: bendable(
      fc.record(
        {
          price: bendable(fc.record({ tickSize: field('0.1', '0.01', '0', '1e-1', '0.00000000000000000000000001') }, { requiredKeys: [] })),
          quantity: bendable(fc.record({ stepSize: field('0.00001', '1', '0'), minQuantity: field('0.00001', '0', '5', '99999999999999999999') }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    ),
    futuresTakerFee: field('5', 2.5, '-1', 'x'),
    futuresMakerFee: field('2', 0, ''),
    netQuantity: field('-0.5', '0.01', 'x', '--1'),
    netEquity: field('10233.026', '-5'),
    netEquityAvailable: field('10200.7', '1e3'),
    markPrice: field('97000.5', 'x'),
    fundingRate: field('0.0000125', '-0.0001'),
    nextFundingTimestamp: field(1767229200000, '1767229200000', -1),
    id: field('11290394977', 7),
    clientId: field('7', 7, 1.5),
    status: field('Filled', 'New', 'Cancelled'),
    executedQuantity: field('0.01', '0', '1e2'),
    executedQuoteQuantity: field('970.1', '0', 'x'),
    orderId: field('1', 1),
    quantity: field('0.01', '0.006', 'x'),
    fee: field('0.0019', 0.5, 'NaN', Infinity),
  },
  { requiredKeys: [] },
);
/** Lighter REST objects: markets, status, keys, limits, accounts, orders, trades, tx replies. */
const lighterRow = fc.record(
  {
    symbol: field('BTC', 'ETH'),
    market_type: field('perp', 'spot'),
    market_id: field(1, 0, 4095, -1, '1'),
    size_decimals: field(5, '5', 2.5, 99),
    price_decimals: field(1, '1', -1),
    min_base_amount: field('0.00020', 'x', '99999999999999999999'),
    min_quote_amount: field('10.000000', 'x'),
    last_trade_price: field('100000.0', ''),
    taker_fee: field('0.0000', 'x'),
    maker_fee: field('0.0000'),
    api_key_index: field(3, '3', 4),
    public_key: field('0xAB12', 'ab12'),
    nonce: field(0, 12, -1, 1.5, 2n ** 60n),
    user_tier: field('premium', 'std', 'gold'),
    user_tier_name: field('Standard'),
    collateral: field('1000000.000000', 'x'),
    available_balance: field('1000000.000000'),
    positions: bendable(
      fc.array(fc.record({ market_id: field(1, '1', 'x'), sign: field(1, -1, 'x'), position: field('0.02000', '-1', 3), symbol: field('BTC') }, { requiredKeys: [] }), {
        maxLength: 3,
      }),
    ),
    client_order_index: field(5, '12', -1),
    filled_base_amount: field('0.01000', 1, -1, 'x'),
    filled_quote_amount: field('1000.0', ''),
    order_index: field(3, 2n ** 59n),
    tx_hash: field('0xabc', 5),
    network_id: field(304, '304', 2n ** 60n),
    timestamp: field(1767229200, 1.5),
  },
  { requiredKeys: [] },
);
const lighterBody = fc.record(
  {
    code: field(200, 21733),
    order_book_details: bendable(fc.array(lighterRow, { maxLength: 3 })),
    api_keys: bendable(fc.array(lighterRow, { maxLength: 3 })),
    accounts: bendable(fc.array(lighterRow, { maxLength: 2 })),
    orders: bendable(fc.array(lighterRow, { maxLength: 3 })),
    trades: bendable(fc.array(wild, { maxLength: 3 })),
    nonce: field(0, 7, -3, 2n ** 60n),
    network_id: field(304, 300),
    tx_hash: field('0xabc'),
  },
  { requiredKeys: [] },
);
const anyReply = fc.oneof(wild, backpackRow, fc.array(backpackRow, { maxLength: 3 }), lighterRow, lighterBody, fc.anything({ maxDepth: 3 }));

const SIGNED = /^-?\d+(\.\d+)?$/;
const validGrid = (g: MarketGrid) =>
  [g.priceScale, g.sizeScale, g.tickSize, g.stepSize, g.minSize].every((n) => Number.isSafeInteger(n) && n >= 0) &&
  g.tickSize > 0 &&
  g.stepSize > 0 &&
  typeof g.symbol === 'string';
const validOrder = (o: OrderReply) =>
  typeof o.status === 'string' &&
  DECIMAL.test(o.executedQuantity) &&
  DECIMAL.test(o.executedQuoteQuantity) &&
  (o.id === undefined || typeof o.id === 'string') &&
  (o.clientId === undefined || typeof o.clientId === 'string');
const validEntry = (m: LighterMarketEntry) =>
  typeof m.symbol === 'string' &&
  Number.isSafeInteger(m.marketId) &&
  [m.priceScale, m.sizeScale].every((n) => Number.isSafeInteger(n) && n >= 0 && n <= 99) &&
  DECIMAL.test(m.minBaseAmount) &&
  [m.minQuoteAmount, m.lastTradePrice, m.takerFee, m.makerFee].every((v) => v === undefined || DECIMAL.test(v));
const validStreamedOrder = (o: StreamedOrder) =>
  Number.isSafeInteger(o.client_order_index) &&
  o.client_order_index >= 0 &&
  (o.filled_base_amount === undefined || DECIMAL.test(o.filled_base_amount)) &&
  (o.filled_quote_amount === undefined || DECIMAL.test(o.filled_quote_amount));

const replyParsers: Array<[string, (v: unknown) => void]> = [
  ['backpack readMarkets', (v) => assert.ok((never(readMarkets, v) ?? []).every((m) => typeof m.symbol === 'string' && (!m.grid.ok || validGrid(m.grid.value))))],
  [
    'backpack readMarketGrid',
    (v) => {
      const g = never(readMarketGrid, v);
      if (g) assert.ok(validGrid(g));
    },
  ],
  [
    'backpack readAccountFees',
    (v) => {
      const f = never(readAccountFees, v)?.fees;
      if (f) assert.ok(Number.isFinite(f.takerBps) && Number.isFinite(f.makerBps));
    },
  ],
  [
    'backpack readPosition',
    (v) => {
      const q = never((x) => readPosition(x, 'BTC_USDC_PERP'), v);
      if (q !== undefined) assert.match(q, SIGNED);
    },
  ],
  [
    'backpack readCollateral',
    (v) => {
      const c = never(readCollateral, v);
      if (c) assert.ok(SIGNED.test(c.netEquity) && SIGNED.test(c.netEquityAvailable));
    },
  ],
  [
    'backpack readMarkPrices',
    (v) => {
      const m = never((x) => readMarkPrices(x, 'BTC_USDC_PERP'), v);
      if (m) assert.ok(DECIMAL.test(m.markPrice) && SIGNED.test(m.fundingRate) && Number.isSafeInteger(m.nextFundingTimestamp) && m.nextFundingTimestamp >= 0);
    },
  ],
  [
    'backpack readOrder',
    (v) => {
      const o = never(readOrder, v);
      if (o) assert.ok(validOrder(o));
    },
  ],
  [
    'backpack readOrderHistory',
    (v) => {
      const o = never((x) => readOrderHistory(x, '7'), v);
      if (o) assert.ok(validOrder(o) && o.clientId === '7');
    },
  ],
  [
    'backpack readFills',
    (v) => {
      for (const f of never((x) => readFills(x, '1', '7'), v) ?? []) assert.ok(DECIMAL.test(f.quantity) && Number.isFinite(f.fee));
    },
  ],
  [
    'lighter readOrderBookDetails',
    (v) => assert.ok((never(readOrderBookDetails, v) ?? []).every((m) => typeof m.symbol === 'string' && (!m.market.ok || validEntry(m.market.value)))),
  ],
  [
    'lighter readMarketEntry',
    (v) => {
      const m = never(readMarketEntry, v);
      if (m) assert.ok(validEntry(m));
    },
  ],
  [
    'lighter readStatus',
    (v) => {
      const st = never(readStatus, v);
      if (st) assert.ok([st.networkId, st.timestamp].every((n) => n === undefined || Number.isSafeInteger(n)));
    },
  ],
  [
    'lighter readApiKeys',
    (v) => {
      const k = never((x) => readApiKeys(x, 3), v);
      if (k)
        assert.ok(
          (k.publicKeyHex === undefined || (typeof k.publicKeyHex === 'string' && !k.publicKeyHex.startsWith('0x'))) && (k.nonce === undefined || Number.isSafeInteger(k.nonce)),
        );
    },
  ],
  [
    'lighter readAccountLimits',
    (v) => {
      const l = never(readAccountLimits, v);
      if (l) assert.ok([l.user_tier, l.user_tier_name].every((t) => t === undefined || typeof t === 'string'));
    },
  ],
  [
    'lighter readAccount',
    (v) => {
      const a = never(readAccount, v);
      if (a) {
        assert.ok([a.collateral, a.availableBalance].every((x) => x === undefined || SIGNED.test(x)));
        for (const p of a.positions)
          assert.ok(Number.isSafeInteger(p.marketId) && p.marketId >= 0 && (p.sign === 1 || p.sign === -1) && DECIMAL.test(p.position) && typeof p.symbol === 'string');
      }
    },
  ],
  [
    'lighter readNextNonce',
    (v) => {
      const n = never(readNextNonce, v);
      if (n !== undefined) assert.ok(Number.isSafeInteger(n) && n >= 0);
    },
  ],
  [
    'lighter readSendTx',
    (v) => {
      const r = never(readSendTx, v);
      if (r) assert.ok(r.txHash === undefined || typeof r.txHash === 'string');
    },
  ],
  ['lighter readInactiveOrders', (v) => assert.ok((never(readInactiveOrders, v) ?? []).every(validStreamedOrder))],
  ['lighter readTrades', (v) => assert.ok((never(readTrades, v) ?? []).every((t) => typeof t === 'object' && t !== null && !Array.isArray(t)))],
  [
    'lighter readTx',
    (v) => {
      const t = never(readTx, v);
      if (t) assert.ok(typeof t === 'object' && t !== null && !Array.isArray(t));
    },
  ],
];

for (const [name, check] of replyParsers) {
  test(`${name}: any JSON value in, never a throw; every accepted value is valid`, () => {
    fc.assert(
      fc.property(anyReply, (v) => check(v)),
      RUNS,
    );
    for (const v of hostile) check(v);
  });
}

test('REST replies: valid ones read exactly, bad ones refused in one line', () => {
  const market = { symbol: 'BTC_USDC_PERP', orderBookState: 'Open', filters: { price: { tickSize: '0.1' }, quantity: { stepSize: '0.00001', minQuantity: '0.00001' } } };
  assert.deepEqual(readMarkets([market, { symbol: 7 }, null]), {
    ok: true,
    value: [
      {
        symbol: 'BTC_USDC_PERP',
        orderBookState: 'Open',
        grid: { ok: true, value: { symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1 } },
        priceFilter: { tickSize: '0.1' },
      },
    ],
  });
  assert.deepEqual(readMarketGrid({ ...market, filters: { price: { tickSize: '0.0' }, quantity: { stepSize: '1', minQuantity: '1' } } }), {
    ok: false,
    why: 'market BTC_USDC_PERP has a zero tickSize or stepSize',
  });
  assert.deepEqual(readAccountFees({ futuresTakerFee: '5', futuresMakerFee: 2 }), { ok: true, value: { fees: { takerBps: 5, makerBps: 2 } } });
  assert.deepEqual(readPosition([{ symbol: 'BTC_USDC_PERP', netQuantity: '-0.5' }], 'BTC_USDC_PERP'), { ok: true, value: '-0.5' });
  assert.deepEqual(readPosition([{ symbol: 'ETH_USDC_PERP', netQuantity: 5 }], 'BTC_USDC_PERP'), { ok: true, value: undefined }, 'another market is no concern');
  assert.deepEqual(readOrder({ id: '1', clientId: 7, status: 'Filled', executedQuantity: '0.01', executedQuoteQuantity: '970.1' }), {
    ok: true,
    value: { id: '1', clientId: '7', status: 'Filled', executedQuantity: '0.01', executedQuoteQuantity: '970.1' },
  });
  assert.deepEqual(
    readFills(
      [
        { orderId: '1', quantity: '0.01', fee: '0.0019' },
        { orderId: '2', quantity: 'x' },
      ],
      '1',
      '7',
    ),
    { ok: true, value: [{ quantity: '0.01', fee: 0.0019 }] },
  );
  assert.deepEqual(readNextNonce({ code: 200, nonce: 12 }), { ok: true, value: 12 });
  assert.deepEqual(readNextNonce(null), { ok: false, why: 'nextNonce reply lacks "nonce" (a non-negative integer): null' });
  assert.deepEqual(readAccount({ accounts: [{ collateral: '5.0', positions: [{ market_id: 1, sign: -1, position: '0.02000', symbol: 'BTC' }] }] }), {
    ok: true,
    value: { collateral: '5.0', positions: [{ marketId: 1, symbol: 'BTC', sign: -1, position: '0.02000' }] },
  });
  assert.deepEqual(readAccount({ accounts: [] }), { ok: true, value: undefined }, 'no such account');
  assert.deepEqual(readApiKeys({ api_keys: [{ api_key_index: 3, public_key: '0xAB12', nonce: 4 }] }, 3), { ok: true, value: { publicKeyHex: 'ab12', nonce: 4 } });
  assert.deepEqual(readMarketEntry({ symbol: 'BTC', market_id: 1, size_decimals: 5, price_decimals: 1, min_base_amount: '0.00020', min_quote_amount: '10', taker_fee: '0.0000' }), {
    ok: true,
    value: { symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, minBaseAmount: '0.00020', minQuoteAmount: '10', takerFee: '0.0000' },
  });
});

test('valid frames are accepted exactly', () => {
  assert.deepEqual(readDepthEvent({ e: 'depth', U: 5, u: 7, b: [['100.5', '0.1']], a: [] }), { ok: true, value: { U: 5, u: 7, b: [['100.5', '0.1']], a: [] } });
  assert.deepEqual(readDepthSnapshot({ lastUpdateId: '9', bids: [], asks: [['1', '2']] }), { ok: true, value: { lastUpdateId: 9, bids: [], asks: [['1', '2']] } });
  assert.deepEqual(readBookTicker({ b: '1.5', a: null, u: 3 }), { ok: true, value: { bid: '1.5', ask: undefined, u: 3 } });
  assert.deepEqual(readMarkPrice({ p: '97000.25' }), { ok: true, value: { p: '97000.25' } });
  assert.deepEqual(readBookFrame({ type: 'update/order_book', order_book: { nonce: 4, begin_nonce: 3, bids: [{ price: '99999.5', size: '0.00002' }], asks: [] } }, 1, 5), {
    ok: true,
    value: { snapshot: false, nonce: 4, beginNonce: 3, bids: [[999_995, 2]], asks: [] },
  });
});

test('account frames: ours read exactly, others left out, bad amounts refused', () => {
  assert.deepEqual(readOrderUpdate({ e: 'orderFill', c: 42, X: 'Filled', z: '0.01', Z: '970.1', i: '77', t: 9, n: '0.0019', N: 'USDC', l: '0.01' }), {
    ok: true,
    value: { clientId: '42', status: 'Filled', executed: '0.01', executedQuote: '970.1', orderId: '77', fill: { tradeId: '9', fee: 0.0019, feeSymbol: 'USDC', size: '0.01' } },
  });
  assert.deepEqual(readOrderUpdate({ X: 'New' }), { ok: true, value: null }, 'no clientId: not an order of ours');
  assert.deepEqual(readOrderUpdate({ c: 1, z: '1e2' }), { ok: false, why: 'orderUpdate z "1e2" is not a decimal string' });
  assert.deepEqual(readPositionUpdate([{ s: 'BTC_USDC_PERP', q: '-0.5' }, { s: 'ETH_USDC_PERP' }]), { ok: true, value: [{ symbol: 'BTC_USDC_PERP', quantity: '-0.5' }] });
  assert.deepEqual(
    readAccountOrders({
      1: [{ client_order_index: 5, status: 'filled', filled_base_amount: '0.01000', filled_quote_amount: '1000.0', order_index: 2n ** 59n }, { status: 'open' }],
    }),
    {
      ok: true,
      value: [{ client_order_index: 5, status: 'filled', filled_base_amount: '0.01000', filled_quote_amount: '1000.0', order_index: 2n ** 59n }],
    },
  );
  assert.deepEqual(readAccountOrders({ 1: [{ client_order_index: 5, filled_base_amount: 'x' }] }), { ok: false, why: 'order 5: filled amounts ["x",null] are not decimals' });
  assert.deepEqual(readAccountPosition({ 1: { sign: -1, position: '0.02000' }, 2: { sign: 1, position: '5' } }, 1), { ok: true, value: { sign: -1, position: '0.02000' } });
  assert.deepEqual(readAccountPosition({ 2: { sign: 1, position: '5' } }, 1), { ok: true, value: undefined });
});

test('refused frames are warned about at most once per kind per interval, and the next line counts the ones held back', async () => {
  const logger = new MemoryLogger();
  const clock = new FakeClock();
  const w = new FrameWarnings(logger, clock, 10_000);
  assert.equal(w.warn('depth', 'a'), true);
  assert.equal(w.warn('depth', 'b'), false);
  assert.equal(w.warn('depth', 'c'), false);
  assert.equal(w.warn('markPrice', 'm'), true, 'another kind has its own allowance');
  await clock.advance(10_000);
  assert.equal(w.warn('depth', 'd'), true);
  assert.deepEqual(logger.lines, ['WARN a', 'WARN m', 'WARN d (2 more like it held back)']);
});
