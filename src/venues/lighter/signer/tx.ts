// Lighter L2 transactions as the official signer builds them: field layouts (tx_info JSON key
// order and hash preimage order), the signer-side validation with its exact messages, the
// attribute fold and the Poseidon2 message hash.
import { setInt, setSafeInt } from './goldilocks.js';
import { FirstBlockMemo, hashToFp5, hashNoPad } from './poseidon2.js';
import { type Fp5, fp5 } from './fp5.js';

export const TX_TYPE = {
  CREATE_ORDER: 14,
  CANCEL_ORDER: 15,
  CANCEL_ALL_ORDERS: 16,
  MODIFY_ORDER: 17,
  CREATE_GROUPED_ORDERS: 28,
} as const;

/** A bad input refused before signing; the message names the field and what is allowed. */
export class SignerError extends Error {
  override name = 'SignerError';
}

export type Int = number | bigint;
export type TxFields = Record<string, Int>;
/** Attribute type → value (4 skip-nonce, 5 cancel-all market index, …). */
export type Attributes = Map<number, number>;

export interface TxLayout {
  readonly json: readonly string[]; // tx_info keys before ExpiredAt/Nonce/Sig/L2TxAttributes (Orders handled apart)
  readonly preimage: readonly string[]; // fields after chainId, txType, Nonce, ExpiredAt
}

export const ORDER_FIELDS = ['MarketIndex', 'ClientOrderIndex', 'BaseAmount', 'Price', 'IsAsk', 'Type', 'TimeInForce', 'ReduceOnly', 'TriggerPrice', 'OrderExpiry'] as const;

export const LAYOUTS: Record<number, TxLayout> = {
  14: { json: ['AccountIndex', 'ApiKeyIndex', ...ORDER_FIELDS], preimage: ['AccountIndex', 'ApiKeyIndex', ...ORDER_FIELDS] },
  15: { json: ['AccountIndex', 'ApiKeyIndex', 'MarketIndex', 'Index'], preimage: ['AccountIndex', 'ApiKeyIndex', 'MarketIndex', 'Index'] },
  16: { json: ['AccountIndex', 'ApiKeyIndex', 'TimeInForce', 'Time'], preimage: ['AccountIndex', 'ApiKeyIndex', 'TimeInForce', 'Time'] },
  17: {
    json: ['AccountIndex', 'ApiKeyIndex', 'MarketIndex', 'Index', 'BaseAmount', 'Price', 'TriggerPrice'],
    preimage: ['AccountIndex', 'ApiKeyIndex', 'MarketIndex', 'Index', 'BaseAmount', 'Price', 'TriggerPrice'],
  },
  28: { json: ['AccountIndex', 'ApiKeyIndex', 'GroupingType'], preimage: ['AccountIndex', 'ApiKeyIndex', 'GroupingType'] },
};

const INT64_MIN = -(2n ** 63n),
  INT64_MAX = 2n ** 63n - 1n;
/** Go field types: the wire value must fit them before any rule applies. */
const FIELD_RANGE: Record<string, readonly [bigint, bigint]> = {
  AccountIndex: [INT64_MIN, INT64_MAX],
  ClientOrderIndex: [INT64_MIN, INT64_MAX],
  BaseAmount: [INT64_MIN, INT64_MAX],
  OrderExpiry: [INT64_MIN, INT64_MAX],
  ExpiredAt: [INT64_MIN, INT64_MAX],
  Nonce: [INT64_MIN, INT64_MAX],
  Index: [INT64_MIN, INT64_MAX],
  Time: [INT64_MIN, INT64_MAX],
  ApiKeyIndex: [0n, 255n],
  IsAsk: [0n, 255n],
  Type: [0n, 255n],
  TimeInForce: [0n, 255n],
  ReduceOnly: [0n, 255n],
  GroupingType: [0n, 255n],
  MarketIndex: [-32768n, 32767n],
  Price: [0n, 4294967295n],
  TriggerPrice: [0n, 4294967295n],
};

/** Checks that a field holds an integer that fits its Go type; returns it unchanged. */
export function checkIntField(name: string, v: unknown): Int {
  const range = FIELD_RANGE[name];
  if (range === undefined) throw new SignerError(`${name} is not a known transaction field`);
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && v >= Number(range[0]) && v <= Number(range[1])) return v;
  } else if (typeof v === 'bigint') {
    if (v >= range[0] && v <= range[1]) return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
  }
  throw new SignerError(`${name} must be an integer in [${range[0]}, ${range[1]}], got ${String(v)}`);
}

// constants.go
const MIN_ACCOUNT = -1,
  MAX_ACCOUNT = 2 ** 48 - 2;
const MAX_API_KEY = 254,
  NIL_API_KEY = 255;
const MAX_PERP = 254,
  MIN_SPOT = 2048,
  MAX_SPOT = 4094,
  NIL_MARKET = 255;
const MAX_CLIENT_ORDER_INDEX = 2 ** 48 - 1,
  MIN_ORDER_INDEX = 2 ** 48,
  MAX_ORDER_INDEX = 2n ** 60n - 1n;
const FEE_TICK = 1_000_000;
const MAX_BASE = 2 ** 48 - 1,
  MAX_PRICE = 2 ** 32 - 1,
  MAX_TIMESTAMP = 2 ** 48 - 1;
const LIMIT = 0,
  MARKET = 1,
  STOP_LOSS = 2,
  STOP_LOSS_LIMIT = 3,
  TAKE_PROFIT = 4,
  TAKE_PROFIT_LIMIT = 5,
  TWAP = 6;
const IOC = 0,
  GTT = 1,
  POST_ONLY = 2;

const fail = (msg: string): never => {
  throw new SignerError(msg);
};
const n = (v: Int): number => (typeof v === 'bigint' ? Number(v) : v);

/**
 * The attributes the current official signer knows, with their ranges and nil values
 * (lighter-go types/txtypes/tx_attributes.go AttributeTypeToConfig, constants.go; the shared
 * library sets only the non-nil ones, sharedlib/main.go CreateIntegratorTxAttributes): 1
 * integrator account, 2/3 integrator taker/maker fee (FeeTick units, 10^6 = 100 %), 4 skip-nonce,
 * 5 cancel-all market, 6 self-trade behaviour (0 expire maker … 3 reduce), 7 self-trade equality
 * (0 account index, 1 master account index).
 */
const ATTRIBUTE_RANGES: Record<number, readonly [number, number, string]> = {
  1: [0, MAX_ACCOUNT, 'IntegratorAccountIndex is in invalid range'],
  2: [0, FEE_TICK, 'Integrator fees are in invalid range'],
  3: [0, FEE_TICK, 'Integrator fees are in invalid range'],
  4: [1, 1, 'Nonce skip attribute is invalid'],
  5: [0, NIL_MARKET, 'Cancel all for market index attribute is in invalid range'],
  6: [0, 3, 'SelfTradeBehaviorMode is in invalid range'],
  7: [0, 1, 'SelfTradeEqualityMode is in invalid range'],
};

/** L2TxAttributes.Validate of lighter-go, rule for rule and in its order. */
function validateAttributes(attrs: Attributes): void {
  if (attrs.size === 0) return;
  if (attrs.size > 4) fail('Too many attributes, should not be larger than 4');
  for (const [type, value] of attrs) {
    const range = ATTRIBUTE_RANGES[type];
    if (range === undefined) fail(`Attribute type is invalid: ${type} (known: 1–3 integrator, 4 skip-nonce, 5 cancel-all market, 6–7 self-trade)`);
    if (!(value >= range![0] && value <= range![1])) fail(`${range![2]}: allowed ${range![0]}..${range![1]}, got ${value}`);
  }
  const valueOf = (t: number) => attrs.get(t) ?? (t === 5 ? NIL_MARKET : 0);
  const hasFees = valueOf(2) !== 0 || valueOf(3) !== 0;
  if (hasFees && valueOf(1) === 0) fail('IntegratorAccountIndex should be non-zero when integrator taker fee or maker fee is non-zero');
  if (hasFees && (valueOf(6) !== 0 || valueOf(7) !== 0)) fail("Self-trade specification isn't allowed with integrator fees");
  if (valueOf(6) === 3 && valueOf(7) === 1) fail("Reduce self-trade behavior mode isn't allowed with master account index equality mode");
}

function validateCommon(f: TxFields, allowNilApiKey: boolean): void {
  const account = n(f.AccountIndex!);
  if (account < MIN_ACCOUNT) fail(`AccountIndex should not be less than ${MIN_ACCOUNT}`);
  if (account > MAX_ACCOUNT) fail(`AccountIndex should not be larger than ${MAX_ACCOUNT}`);
  const apiKey = n(f.ApiKeyIndex!);
  if (apiKey > MAX_API_KEY && !(allowNilApiKey && apiKey === NIL_API_KEY)) fail(`ApiKeyIndex should not be larger than ${MAX_API_KEY}`);
}

function validateNonceAndExpiry(f: TxFields): void {
  if (n(f.Nonce!) < 0) fail(`AccountNonce should not be less than 0 (allowed 0..2^63−1), got ${f.Nonce}`);
  const expiredAt = n(f.ExpiredAt!);
  if (expiredAt < 0 || expiredAt > MAX_TIMESTAMP) fail(`ExpiredAt is invalid: allowed 0..${MAX_TIMESTAMP} (ms), got ${expiredAt}`);
}

function marketKind(m: number): 'perp' | 'spot' | null {
  if (m >= 0 && m <= MAX_PERP) return 'perp';
  if (m >= MIN_SPOT && m <= MAX_SPOT) return 'spot';
  return null;
}

function validateOrderRanges(o: TxFields, checkSpotReduceOnly: boolean): 'perp' | 'spot' {
  const kind = marketKind(n(o.MarketIndex!));
  if (kind === null) fail(`MarketIndex is not valid: perps 0..${MAX_PERP} or spot ${MIN_SPOT}..${MAX_SPOT}, got ${o.MarketIndex}`);
  const coi = n(o.ClientOrderIndex!);
  if (coi !== 0) {
    if (coi < 1) fail(`ClientOrderIndex should not be less than 1 (0 = none, else 1..${MAX_CLIENT_ORDER_INDEX}), got ${coi}`);
    if (coi > MAX_CLIENT_ORDER_INDEX) fail(`ClientOrderIndex should not be larger than ${MAX_CLIENT_ORDER_INDEX} (0 = none), got ${coi}`);
  }
  const base = n(o.BaseAmount!),
    reduceOnly = n(o.ReduceOnly!);
  if (reduceOnly !== 1 && base === 0) fail('BaseAmount should not be less than 1 (0 is allowed only with ReduceOnly)');
  if (base !== 0 && base < 1) fail('BaseAmount should not be less than 1');
  if (base > MAX_BASE) fail(`BaseAmount should not be larger than ${MAX_BASE}`);
  const price = n(o.Price!);
  if (price < 1) fail(`OrderPrice should not be less than 1 (allowed 1..${MAX_PRICE}), got ${price}`);
  if (price > MAX_PRICE) fail(`OrderPrice should not be larger than ${MAX_PRICE}`);
  const isAsk = n(o.IsAsk!);
  if (isAsk !== 0 && isAsk !== 1) fail(`IsAsk should be 0 or 1, got ${isAsk}`);
  const tif = n(o.TimeInForce!);
  if (tif !== IOC && tif !== GTT && tif !== POST_ONLY) fail(`OrderTimeInForce is not valid: allowed 0 IOC, 1 GTT, 2 post-only, got ${tif}`);
  if ((reduceOnly !== 0 && reduceOnly !== 1) || (checkSpotReduceOnly && kind === 'spot' && reduceOnly === 1)) {
    fail(`ReduceOnly is invalid: 0 or 1, and 0 on spot markets (got ${reduceOnly} on market ${o.MarketIndex})`);
  }
  if (n(o.OrderExpiry!) < 0) fail(`OrderExpiry is invalid: 0 or a positive Unix time in ms, got ${o.OrderExpiry}`);
  const trigger = n(o.TriggerPrice!);
  if (trigger > MAX_PRICE) fail(`TriggerPrice is invalid: 0 or 1..${MAX_PRICE}, got ${trigger}`);
  return kind!;
}

const EXPIRY_NEEDED = 'OrderExpiry is invalid: this order type needs OrderExpiry > 0 (Unix ms)';
const EXPIRY_ZERO = 'OrderExpiry is invalid: this order type needs OrderExpiry 0';
const TRIGGER_NEEDED = 'TriggerPrice is invalid: this order type needs TriggerPrice > 0';
const TRIGGER_ZERO = 'TriggerPrice is invalid: this order type needs TriggerPrice 0';

/** The per-type rules of create_order.go Validate (also a grouped order's parent/child rules). */
function validateOrderType(o: TxFields, kind: 'perp' | 'spot', allowed: readonly number[] | null): void {
  const type = n(o.Type!),
    tif = n(o.TimeInForce!),
    trigger = n(o.TriggerPrice!),
    expiry = n(o.OrderExpiry!);
  if (allowed !== null && !allowed.includes(type)) fail(`OrderType is not valid here: allowed ${allowed.join(', ')}, got ${type}`);
  switch (type) {
    case MARKET:
      if (tif !== IOC) fail('OrderTimeInForce is not valid: a market order must be IOC (0)');
      if (expiry !== 0) fail(EXPIRY_ZERO);
      if (trigger !== 0) fail(TRIGGER_ZERO);
      break;
    case LIMIT:
      if (trigger !== 0) fail(TRIGGER_ZERO);
      if (tif === IOC && expiry !== 0) fail(`${EXPIRY_ZERO} with IOC`);
      if (tif !== IOC && expiry === 0) fail(`${EXPIRY_NEEDED} with GTT or post-only`);
      break;
    case STOP_LOSS:
    case TAKE_PROFIT:
      if (kind !== 'perp') fail('OrderType is not valid: stop-loss/take-profit exist on perp markets only');
      if (tif !== IOC) fail('OrderTimeInForce is not valid: stop-loss/take-profit market orders must be IOC (0)');
      if (trigger === 0) fail(TRIGGER_NEEDED);
      if (expiry === 0) fail(EXPIRY_NEEDED);
      break;
    case STOP_LOSS_LIMIT:
    case TAKE_PROFIT_LIMIT:
      if (kind !== 'perp') fail('OrderType is not valid: stop-loss/take-profit exist on perp markets only');
      if (trigger === 0) fail(TRIGGER_NEEDED);
      if (expiry === 0) fail(EXPIRY_NEEDED);
      break;
    case TWAP:
      if (tif !== GTT) fail('OrderTimeInForce is not valid: a TWAP order must be GTT (1)');
      if (trigger !== 0) fail(TRIGGER_ZERO);
      if (expiry === 0) fail(EXPIRY_NEEDED);
      break;
    default:
      fail(`OrderType is not valid: allowed 0..6, got ${type}`);
  }
}

export function validateTx(txType: number, f: TxFields, orders: readonly TxFields[], attrs: Attributes): void {
  validateAttributes(attrs);
  switch (txType) {
    case 14: {
      validateCommon(f, false);
      const kind = validateOrderRanges(f, true);
      validateOrderType(f, kind, null);
      validateNonceAndExpiry(f);
      return;
    }
    case 15:
    case 17: {
      validateCommon(f, false);
      if (marketKind(n(f.MarketIndex!)) === null) fail(`MarketIndex is not valid: perps 0..${MAX_PERP} or spot ${MIN_SPOT}..${MAX_SPOT}, got ${f.MarketIndex}`);
      const index = BigInt(f.Index!);
      const label = txType === 15 ? 'OrderIndex' : 'ClientOrderIndex';
      if (index < 1n)
        fail(
          `${txType === 15 ? `OrderIndex should not be less than ${MIN_ORDER_INDEX}` : 'ClientOrderIndex should not be less than 1'}: Index must be a client order index 1..${MAX_CLIENT_ORDER_INDEX} or an order index ${MIN_ORDER_INDEX}..${MAX_ORDER_INDEX}, got ${index}`,
        );
      if (index > MAX_ORDER_INDEX)
        fail(
          `${label} should not be larger than ${txType === 15 ? MAX_ORDER_INDEX : MAX_CLIENT_ORDER_INDEX} (client order index 1..${MAX_CLIENT_ORDER_INDEX} or order index ${MIN_ORDER_INDEX}..${MAX_ORDER_INDEX})`,
        );
      if (txType === 17) {
        const base = n(f.BaseAmount!);
        if (base !== 0 && base < 1) fail('BaseAmount should not be less than 1');
        if (base > MAX_BASE) fail(`BaseAmount should not be larger than ${MAX_BASE}`);
        const price = n(f.Price!);
        if (price < 1) fail(`OrderPrice should not be less than 1 (allowed 1..${MAX_PRICE}), got ${price}`);
        if (price > MAX_PRICE) fail(`OrderPrice should not be larger than ${MAX_PRICE}`);
      }
      validateNonceAndExpiry(f);
      return;
    }
    case 16: {
      validateCommon(f, true);
      validateNonceAndExpiry(f);
      const market = attrs.get(5);
      const tif = n(f.TimeInForce!),
        time = n(f.Time!);
      if (market !== undefined && tif !== 0 && market !== NIL_MARKET) {
        fail("Cancel all for market index can't be scheduled, TimeInforce must be ImmediateCancelAll");
      }
      if (tif === 0 || tif === 2) {
        if (time !== 0) fail(`CancelAllTime should be nil: Time must be 0 unless TimeInForce is 1 (scheduled), got ${time}`);
      } else if (tif === 1) {
        if (time < 1) fail(`CancelAllTime should be larger than 0 and not larger than 9223372036854775807: a scheduled cancel-all needs Time in Unix ms, got ${time}`);
      } else {
        fail(`CancelAllTimeInForce is invalid: allowed 0 immediate, 1 scheduled, 2 abort, got ${tif}`);
      }
      return;
    }
    case 28: {
      validateCommon(f, false);
      if (orders.length === 0 || orders.length > 3) fail(`OrderGroupSize is not valid: 1..3 orders, got ${orders.length}`);
      const first = orders[0]!;
      const m0 = n(first.MarketIndex!);
      if (!(m0 >= 0 && m0 <= MAX_PERP)) fail(`MarketIndex is not valid: grouped orders need a perp market 0..${MAX_PERP}, got ${m0}`);
      const seen = new Set<number>();
      for (const o of orders) {
        if (n(o.MarketIndex!) !== m0) fail('MarketIndex should match the market index of the order');
        validateOrderRanges(o, false);
        const coi = n(o.ClientOrderIndex!);
        if (coi !== 0) {
          if (seen.has(coi)) fail('ClientOrderIndex should be unique within the group');
          seen.add(coi);
        }
      }
      validateNonceAndExpiry(f);
      validateGrouping(n(f.GroupingType!), orders);
      return;
    }
    default:
      fail(`transaction type ${txType} is not supported: allowed 14, 15, 16, 17, 28`);
  }
}

function validateChild(o: TxFields): void {
  validateOrderType(o, 'perp', [STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT]);
}

function validateSiblings(orders: readonly TxFields[]): void {
  if (orders.length !== 2) fail('OrderGroupSize is not valid');
  let sl = false,
    tp = false;
  for (const o of orders) {
    validateChild(o);
    const t = n(o.Type!);
    if (t === STOP_LOSS || t === STOP_LOSS_LIMIT) sl = true;
    else tp = true;
  }
  if (!sl || !tp) fail('OrderType is not valid: the two sibling orders must be one stop-loss and one take-profit');
}

function validateGrouping(groupingType: number, orders: readonly TxFields[]): void {
  const [o0, o1, o2] = orders;
  if (groupingType === 2) {
    if (orders.length !== 2) fail('OrderGroupSize is not valid: OCO needs exactly 2 orders');
    if (n(o0!.BaseAmount!) !== n(o1!.BaseAmount!)) fail('BaseAmounts should be equal');
    if (n(o0!.IsAsk!) !== n(o1!.IsAsk!)) fail('IsAsk should be 0 or 1: OCO orders must have the same side');
    if (n(o0!.ReduceOnly!) !== 1 || n(o1!.ReduceOnly!) !== 1) fail('ReduceOnly is invalid: OCO orders must both be reduce-only');
    if (n(o0!.OrderExpiry!) !== n(o1!.OrderExpiry!)) fail('OrderExpiry is invalid: OCO orders must share one expiry');
    validateSiblings(orders);
  } else if (groupingType === 1) {
    if (orders.length !== 2) fail('OrderGroupSize is not valid: OTO needs exactly 2 orders');
    if (n(o1!.BaseAmount!) !== 0) fail('BaseAmount should be nil: the OTO child must have BaseAmount 0');
    if (n(o0!.IsAsk!) === n(o1!.IsAsk!)) fail('IsAsk should be 0 or 1: OTO parent and child must be on opposite sides');
    if (n(o0!.OrderExpiry!) !== 0 && n(o0!.OrderExpiry!) !== n(o1!.OrderExpiry!)) fail('OrderExpiry is invalid: OTO parent and child must share one expiry');
    validateOrderType(o0!, 'perp', [LIMIT, MARKET]);
    validateChild(o1!);
  } else if (groupingType === 3) {
    if (orders.length !== 3) fail('OrderGroupSize is not valid: OTOCO needs exactly 3 orders');
    if (n(o1!.BaseAmount!) !== 0 || n(o2!.BaseAmount!) !== 0) fail('BaseAmount should be nil: OTOCO children must have BaseAmount 0');
    if (n(o0!.IsAsk!) === n(o1!.IsAsk!) || n(o0!.IsAsk!) === n(o2!.IsAsk!)) fail('IsAsk should be 0 or 1: OTOCO children must be opposite to the parent');
    if (n(o1!.OrderExpiry!) !== n(o2!.OrderExpiry!)) fail('OrderExpiry is invalid: OTOCO children must share one expiry');
    if (n(o0!.OrderExpiry!) !== 0 && n(o0!.OrderExpiry!) !== n(o1!.OrderExpiry!)) fail('OrderExpiry is invalid: OTOCO parent and children must share one expiry');
    validateOrderType(o0!, 'perp', [LIMIT, MARKET]);
    validateSiblings(orders.slice(1));
  } else {
    fail(`GroupingType is not valid: allowed 1 OTO, 2 OCO, 3 OTOCO, got ${groupingType}`);
  }
}

// ---------------------------------------------------------------- hashing

const preimage = new Float64Array(2 * 16);
const digest = fp5();
const attrInput = new Float64Array(16);
const attrDigest = fp5();
const foldInput = new Float64Array(20);
const orderInput = new Float64Array(20);
const orderHash = new Float64Array(8);
const aggInput = new Float64Array(16);

function put(buf: Float64Array, i: number, v: Int): void {
  if (typeof v === 'number' && v >= 0) setSafeInt(buf, 2 * i, v);
  else setInt(buf, 2 * i, v);
}

/** Live attributes (nil values dropped), ascending by type. */
export function liveAttributes(attrs: Attributes): [number, number][] {
  const live: [number, number][] = [];
  for (const [t, v] of attrs) if (!(t === 5 ? v === NIL_MARKET : v === 0)) live.push([t, v]);
  return live.sort((a, b) => a[0] - b[0]);
}

const txFirstBlock = new FirstBlockMemo();

/** The 40-byte message (as Fp5) the signature covers; its hex is the tx hash. */
export function hashTx(txType: number, chainId: number, f: TxFields, orders: readonly TxFields[], attrs: Attributes, out: Fp5): void {
  const layout = LAYOUTS[txType]!;
  put(preimage, 0, chainId);
  put(preimage, 1, txType);
  put(preimage, 2, f.Nonce!);
  put(preimage, 3, f.ExpiredAt!);
  let count = 4;
  for (const key of layout.preimage) put(preimage, count++, f[key]!);
  if (txType === 28) {
    orders.forEach((o, idx) => {
      ORDER_FIELDS.forEach((key, j) => put(orderInput, j, o[key]!));
      hashNoPad(orderInput, 10, orderHash, 4);
      if (idx === 0) aggInput.set(orderHash.subarray(0, 8), 0);
      else {
        aggInput.set(orderHash.subarray(0, 8), 8);
        hashNoPad(aggInput, 8, aggInput, 4);
      }
    });
    for (let j = 0; j < 8; j++) preimage[2 * count + j] = aggInput[j]!;
    count += 4;
  }
  hashToFp5(preimage, count, digest, txFirstBlock);
  const live = liveAttributes(attrs);
  if (live.length === 0) {
    out.set(digest);
    return;
  }
  attrInput.fill(0);
  live.forEach(([t, v], i) => {
    put(attrInput, 2 * i, t);
    put(attrInput, 2 * i + 1, v);
  });
  hashToFp5(attrInput, 8, attrDigest);
  foldInput.set(digest, 0);
  foldInput.set(attrDigest, 10);
  hashToFp5(foldInput, 10, out);
}

// ---------------------------------------------------------------- tx_info JSON

/** Go encoding/json of the tx struct: compact, struct order, L2TxAttributes last. */
export function txInfoJson(txType: number, f: TxFields, orders: readonly TxFields[], attrs: Attributes, sigBase64: string): string {
  const layout = LAYOUTS[txType]!;
  let s = '{';
  for (const key of layout.json) s += `"${key}":${f[key]!},`;
  if (txType === 28) {
    s += '"Orders":[';
    s += orders.map((o) => '{' + ORDER_FIELDS.map((k) => `"${k}":${o[k]!}`).join(',') + '}').join(',');
    s += '],';
  }
  s += `"ExpiredAt":${f.ExpiredAt!},"Nonce":${f.Nonce!},"Sig":"${sigBase64}","L2TxAttributes":`;
  const live = liveAttributes(attrs);
  s += live.length === 0 ? 'null' : '{' + live.map(([t, v]) => `"${t}":${v}`).join(',') + '}';
  return s + '}';
}
