// Lighter transaction signer in TypeScript: byte-identical tx_info, tx hashes, signatures and
// auth tokens to the official lighter-go signer (see shared/spec/lighter.md §8–§11).
import { randomBytes as nodeRandomBytes, createHash } from 'node:crypto';
import { type Fp5, fp5, fp5ToBytes, fp5FromBytes } from './fp5.js';
import { hashToFp5 } from './poseidon2.js';
import { N, scalarFromLeBytes, scalarToLeBytes, warmUpFixedBase } from './curve.js';
import { signHashedMessage, signWithCommitment, prepareCommitment, publicKeyFromScalar, verifyHashedMessage, type Commitment } from './schnorr.js';
import { TX_TYPE, SignerError, type Attributes, type Int, type TxFields, LAYOUTS, ORDER_FIELDS, checkIntField, validateTx, hashTx, txInfoJson } from './tx.js';
import { parseJsonExact, type JsonValue } from '../../../core/json.js';
import { Secret } from '../../../core/secret.js';

export { TX_TYPE, SignerError, warmUpFixedBase };

export interface SignedTx {
  txType: number;
  /** exact JSON text, byte-identical to the official signer */
  txInfo: string;
  /** 80 hex characters, no 0x */
  txHash: string;
}

export interface OrderParams {
  marketIndex: number;
  clientOrderIndex: number;
  baseAmount: number;
  price: number;
  isAsk: boolean;
  orderType: number;
  timeInForce: number;
  reduceOnly: boolean;
  triggerPrice: number;
  /** Unix ms; −1 = now + 28 days, as the official signer */
  orderExpiry: number;
}

interface TxEnvelope {
  nonce: number;
  /** Unix ms; default (or 0) = now + 599 000 ms */
  expiredAt?: number;
}

export interface CreateOrderParams extends OrderParams, TxEnvelope {}

export interface CancelOrderParams extends TxEnvelope {
  marketIndex: number;
  /** client order index (1 … 2^48−1) or exchange order index (2^48 … 2^60−1) */
  index: bigint | number;
}

export interface CancelAllOrdersParams extends TxEnvelope {
  /** 0 immediate, 1 scheduled, 2 abort scheduled */
  timeInForce: number;
  /** Unix ms of a scheduled cancel; 0 otherwise */
  time: number;
  /** one perp market to cancel (immediate only); 255 or absent = every market */
  marketIndex?: number;
}

export interface ModifyOrderParams extends TxEnvelope {
  marketIndex: number;
  index: bigint | number;
  baseAmount: number;
  price: number;
  triggerPrice: number;
}

export interface CreateGroupedOrdersParams extends TxEnvelope {
  /** 1 OTO, 2 OCO, 3 OTOCO */
  groupingType: number;
  orders: OrderParams[];
}

export interface SignerOptions {
  /** 40-byte hex, with or without 0x (reduced mod n like the official signer); a Secret keeps it out of logs */
  privateKey: string | Secret;
  chainId: number;
  accountIndex: number;
  apiKeyIndex: number;
  /** L2TxAttributes {4:1}: the server accepts any increasing nonce */
  skipNonce?: boolean;
  /** tests only; default node:crypto randomBytes */
  randomBytes?: (n: number) => Uint8Array;
  /** tests only; default Date.now */
  nowMs?: () => number;
}

const DEFAULT_EXPIRY_MS = 599_000;
const ORDER_EXPIRY_DEFAULT_MS = 28 * 24 * 3600 * 1000;
const AUTH_TOKEN_DEFAULT_S = 3600;
const AUTH_TOKEN_MAX_S = 8 * 3600;

/** Parses a 40-byte hex private key into its scalar, reduced mod n. Never echoes the key. */
export function parsePrivateKey(privateKey: string | Secret): bigint {
  const privateKeyHex = privateKey instanceof Secret ? privateKey.reveal() : privateKey;
  if (typeof privateKeyHex !== 'string') throw new SignerError('privateKey must be a string of 80 hex digits (40 bytes), optionally prefixed with 0x');
  const hex = privateKeyHex.startsWith('0x') || privateKeyHex.startsWith('0X') ? privateKeyHex.slice(2) : privateKeyHex;
  if (!/^[0-9a-fA-F]{80}$/.test(hex)) {
    throw new SignerError(`privateKey must be 80 hex digits (40 bytes), optionally prefixed with 0x; got ${hex.length} characters`);
  }
  return scalarFromLeBytes(Buffer.from(hex, 'hex')) % N;
}

export function derivePublicKey(privateKey: string | Secret): string {
  return Buffer.from(publicKeyFromScalar(parsePrivateKey(privateKey))).toString('hex');
}

/**
 * The web-wasm `_createClient(seed)` key: big-endian(SHA256(0x01‖seed) ‖ SHA256(0x02‖seed)[0..8])
 * mod n, returned as the SDKs print private keys (0x + 40 bytes little-endian). The API-key flow
 * does not use it; it is here so keys made by that binding can be loaded.
 */
export function privateKeyFromSeed(seed: Uint8Array): string {
  const h1 = createHash('sha256').update(Uint8Array.of(1)).update(seed).digest();
  const h2 = createHash('sha256').update(Uint8Array.of(2)).update(seed).digest();
  const scalar = BigInt('0x' + Buffer.concat([h1, h2.subarray(0, 8)]).toString('hex')) % N;
  return '0x' + Buffer.from(scalarToLeBytes(scalar)).toString('hex');
}

function bytesFromHex(hex: string, len: number): Uint8Array | null {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (h.length !== 2 * len || !/^[0-9a-fA-F]*$/.test(h)) return null;
  return Buffer.from(h, 'hex');
}

/** Verifies an 80-byte Schnorr signature (hex) over a 40-byte message hash (hex). */
export function verifySignature(publicKeyHex: string, messageHashHex: string, signatureHex: string): boolean {
  const pk = bytesFromHex(publicKeyHex, 40),
    m = bytesFromHex(messageHashHex, 40),
    sig = bytesFromHex(signatureHex, 80);
  if (pk === null || m === null || sig === null) return false;
  return verifyHashedMessage(pk, fp5FromBytes(m), sig);
}

/** k exactly as Go's crypto/rand.Int(reader, n): 40 bytes, top bit of byte 0 cleared, big-endian, retry if ≥ n. */
export function nonceFromRandom(draw: (n: number) => Uint8Array): bigint {
  for (;;) {
    const b = draw(40);
    if (b.length !== 40) throw new SignerError(`randomBytes must return 40 bytes, got ${b.length}`);
    const top = b[0]! & 0x7f;
    const k = BigInt('0x' + (top < 16 ? '0' : '') + top.toString(16) + Buffer.from(b.buffer, b.byteOffset + 1, 39).toString('hex'));
    if (k < N) return k;
  }
}

/** Auth message hash: UTF-8 bytes in 8-byte little-endian chunks (last zero-padded) → Poseidon2 → Fp5. */
export function authMessageHash(message: string): Fp5 {
  const bytes = Buffer.from(message, 'utf8');
  const count = Math.ceil(bytes.length / 8);
  const input = new Float64Array(2 * count);
  const padded = new Uint8Array(count * 8);
  padded.set(bytes);
  for (let i = 0; i < count; i++) {
    input[2 * i] = (padded[8 * i]! | (padded[8 * i + 1]! << 8) | (padded[8 * i + 2]! << 16) | (padded[8 * i + 3]! << 24)) >>> 0;
    input[2 * i + 1] = (padded[8 * i + 4]! | (padded[8 * i + 5]! << 8) | (padded[8 * i + 6]! << 16) | (padded[8 * i + 7]! << 24)) >>> 0;
  }
  const out = fp5();
  hashToFp5(input, count, out);
  return out;
}

function orderFields(o: OrderParams, nowMs: number): TxFields {
  if (typeof o.isAsk !== 'boolean') throw new SignerError(`isAsk must be a boolean, got ${String(o.isAsk)}`);
  if (typeof o.reduceOnly !== 'boolean') throw new SignerError(`reduceOnly must be a boolean, got ${String(o.reduceOnly)}`);
  const expiry = o.orderExpiry === -1 ? nowMs + ORDER_EXPIRY_DEFAULT_MS : o.orderExpiry;
  return {
    MarketIndex: checkIntField('MarketIndex', o.marketIndex),
    ClientOrderIndex: checkIntField('ClientOrderIndex', o.clientOrderIndex),
    BaseAmount: checkIntField('BaseAmount', o.baseAmount),
    Price: checkIntField('Price', o.price),
    IsAsk: o.isAsk ? 1 : 0,
    Type: checkIntField('Type', o.orderType),
    TimeInForce: checkIntField('TimeInForce', o.timeInForce),
    ReduceOnly: o.reduceOnly ? 1 : 0,
    TriggerPrice: checkIntField('TriggerPrice', o.triggerPrice),
    OrderExpiry: checkIntField('OrderExpiry', expiry),
  };
}

const NO_ORDERS: readonly TxFields[] = [];

export class LighterSigner {
  readonly publicKeyHex: string;
  readonly chainId: number;
  readonly accountIndex: number;
  readonly apiKeyIndex: number;
  readonly skipNonce: boolean;
  readonly #secret: bigint;
  readonly #random: (n: number) => Uint8Array;
  readonly #now: () => number;
  readonly #message = fp5();
  /** Nonce commitments computed in idle time; each is used for exactly one signature. */
  readonly #commitments: Commitment[] = [];

  constructor(opts: SignerOptions) {
    this.#secret = parsePrivateKey(opts.privateKey);
    if (!Number.isInteger(opts.chainId) || opts.chainId < 0 || opts.chainId > 0xffffffff) {
      throw new SignerError(`chainId must be an integer in [0, 4294967295] (304 mainnet, 300 testnet), got ${opts.chainId}`);
    }
    checkIntField('AccountIndex', opts.accountIndex);
    checkIntField('ApiKeyIndex', opts.apiKeyIndex);
    this.chainId = opts.chainId;
    this.accountIndex = opts.accountIndex;
    this.apiKeyIndex = opts.apiKeyIndex;
    this.skipNonce = opts.skipNonce === true;
    this.#random = opts.randomBytes ?? ((n) => nodeRandomBytes(n));
    this.#now = opts.nowMs ?? Date.now;
    this.publicKeyHex = Buffer.from(publicKeyFromScalar(this.#secret)).toString('hex');
  }

  #envelope(p: TxEnvelope, nowMs: number): TxFields {
    const expiredAt = p.expiredAt === undefined || p.expiredAt === 0 ? nowMs + DEFAULT_EXPIRY_MS : p.expiredAt;
    return {
      AccountIndex: this.accountIndex,
      ApiKeyIndex: this.apiKeyIndex,
      ExpiredAt: checkIntField('ExpiredAt', expiredAt),
      Nonce: checkIntField('Nonce', p.nonce),
    };
  }

  #attributes(): Attributes {
    const attrs: Attributes = new Map();
    if (this.skipNonce) attrs.set(4, 1);
    return attrs;
  }

  #sign(txType: number, f: TxFields, orders: readonly TxFields[], attrs: Attributes): SignedTx {
    validateTx(txType, f, orders, attrs);
    hashTx(txType, this.chainId, f, orders, attrs, this.#message);
    const prepared = this.#commitments.pop();
    const sig = prepared !== undefined ? signWithCommitment(this.#secret, this.#message, prepared) : signHashedMessage(this.#secret, this.#message, nonceFromRandom(this.#random));
    const txInfo = txInfoJson(txType, f, orders, attrs, Buffer.from(sig.buffer, sig.byteOffset, 80).toString('base64'));
    return { txType, txInfo, txHash: Buffer.from(fp5ToBytes(this.#message)).toString('hex') };
  }

  /**
   * Computes up to `count` fresh nonce commitments (k·G) now, so the next signatures skip the
   * scalar multiplication. Call it when idle; the signatures are the same kind as without it.
   */
  precompute(count: number): void {
    while (this.#commitments.length < count) this.#commitments.push(prepareCommitment(nonceFromRandom(this.#random)));
  }

  get precomputed(): number {
    return this.#commitments.length;
  }

  signCreateOrder(p: CreateOrderParams): SignedTx {
    const now = this.#now();
    const f = Object.assign(this.#envelope(p, now), orderFields(p, now));
    return this.#sign(TX_TYPE.CREATE_ORDER, f, NO_ORDERS, this.#attributes());
  }

  signCancelOrder(p: CancelOrderParams): SignedTx {
    const f = this.#envelope(p, this.#now());
    f.MarketIndex = checkIntField('MarketIndex', p.marketIndex);
    f.Index = checkIntField('Index', p.index);
    return this.#sign(TX_TYPE.CANCEL_ORDER, f, NO_ORDERS, this.#attributes());
  }

  signCancelAllOrders(p: CancelAllOrdersParams): SignedTx {
    const f = this.#envelope(p, this.#now());
    f.TimeInForce = checkIntField('TimeInForce', p.timeInForce);
    f.Time = checkIntField('Time', p.time);
    const attrs = this.#attributes();
    if (p.marketIndex !== undefined && p.marketIndex !== 255) {
      if (!Number.isInteger(p.marketIndex)) throw new SignerError(`marketIndex must be an integer 0..254 or 255 for all markets, got ${p.marketIndex}`);
      attrs.set(5, p.marketIndex);
    }
    return this.#sign(TX_TYPE.CANCEL_ALL_ORDERS, f, NO_ORDERS, attrs);
  }

  signModifyOrder(p: ModifyOrderParams): SignedTx {
    const f = this.#envelope(p, this.#now());
    f.MarketIndex = checkIntField('MarketIndex', p.marketIndex);
    f.Index = checkIntField('Index', p.index);
    f.BaseAmount = checkIntField('BaseAmount', p.baseAmount);
    f.Price = checkIntField('Price', p.price);
    f.TriggerPrice = checkIntField('TriggerPrice', p.triggerPrice);
    return this.#sign(TX_TYPE.MODIFY_ORDER, f, NO_ORDERS, this.#attributes());
  }

  signCreateGroupedOrders(p: CreateGroupedOrdersParams): SignedTx {
    const now = this.#now();
    const f = this.#envelope(p, now);
    f.GroupingType = checkIntField('GroupingType', p.groupingType);
    if (!Array.isArray(p.orders)) throw new SignerError('orders must be an array of 1..3 orders');
    const orders = p.orders.map((o) => orderFields(o, now));
    return this.#sign(TX_TYPE.CREATE_GROUPED_ORDERS, f, orders, this.#attributes());
  }

  /** "{deadline}:{account}:{apiKey}:{signature hex}"; default deadline now + 3600 s as the bindings. */
  createAuthToken(deadlineSec?: number): string {
    const deadline = deadlineSec ?? Math.floor(this.#now() / 1000) + AUTH_TOKEN_DEFAULT_S;
    if (!Number.isSafeInteger(deadline) || deadline <= 0) throw new SignerError(`deadline must be a positive Unix time in seconds, got ${deadline}`);
    const message = `${deadline}:${this.accountIndex}:${this.apiKeyIndex}`;
    const hash = authMessageHash(message);
    const sig = signHashedMessage(this.#secret, hash, nonceFromRandom(this.#random));
    return `${message}:${Buffer.from(sig).toString('hex')}`;
  }
}

// ---------------------------------------------------------------- verification (simulator side)

export type VerifyTxResult = { ok: true; txHash: string; fields: Record<string, number | bigint | null | unknown> } | { ok: false; reason: string };

function isObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readFields(obj: { [key: string]: JsonValue }, keys: readonly string[], where: string): TxFields {
  const f: TxFields = {};
  for (const key of keys) {
    if (!(key in obj)) throw new SignerError(`${where}field ${key} is missing`);
    f[key] = checkIntField(key, obj[key]);
  }
  return f;
}

/**
 * Parses a tx_info JSON text of the given type without losing integers, re-runs the signer's
 * validation, recomputes the hash for chainId and checks Sig against the registered public key.
 */
export function verifyTxInfo(txType: number, txInfo: string, publicKeyHex: string, chainId: number): VerifyTxResult {
  try {
    const layout = LAYOUTS[txType];
    if (layout === undefined) return { ok: false, reason: `unsupported tx type ${txType}: allowed 14, 15, 16, 17, 28` };
    let parsed: JsonValue;
    try {
      parsed = parseJsonExact(txInfo);
    } catch (err) {
      return { ok: false, reason: `tx_info is not valid JSON: ${(err as Error).message}` };
    }
    if (!isObject(parsed)) return { ok: false, reason: 'tx_info must be a JSON object' };
    const known = new Set([...layout.json, 'ExpiredAt', 'Nonce', 'Sig', 'L2TxAttributes', ...(txType === 28 ? ['Orders'] : [])]);
    for (const key of Object.keys(parsed)) if (!known.has(key)) return { ok: false, reason: `tx_info has an unexpected field ${key} for tx type ${txType}` };
    const f = readFields(parsed, [...layout.json, 'ExpiredAt', 'Nonce'], '');
    let orders: TxFields[] = [];
    if (txType === 28) {
      const list = parsed.Orders;
      if (!Array.isArray(list)) return { ok: false, reason: 'tx_info.Orders must be an array' };
      orders = list.map((o, i) => {
        if (!isObject(o)) throw new SignerError(`Orders[${i}] must be an object`);
        return readFields(o, ORDER_FIELDS, `Orders[${i}].`);
      });
    }
    const attrs: Attributes = new Map();
    const rawAttrs = parsed.L2TxAttributes;
    if (rawAttrs !== undefined && rawAttrs !== null) {
      if (!isObject(rawAttrs)) return { ok: false, reason: 'L2TxAttributes must be null or an object' };
      for (const [k, v] of Object.entries(rawAttrs)) {
        if (!/^[0-9]+$/.test(k) || typeof v !== 'number' || !Number.isSafeInteger(v)) return { ok: false, reason: `L2TxAttributes entry ${k} is not an integer attribute` };
        attrs.set(Number(k), v);
      }
    }
    const sigText = parsed.Sig;
    if (typeof sigText !== 'string') return { ok: false, reason: 'Sig must be a base64 string' };
    const sig = Buffer.from(sigText, 'base64');
    if (sig.length !== 80 || sig.toString('base64') !== sigText) return { ok: false, reason: `Sig must be standard base64 of 80 bytes, got ${sig.length} bytes` };
    const pk = bytesFromHex(publicKeyHex, 40);
    if (pk === null) return { ok: false, reason: 'public key must be 80 hex digits' };
    validateTx(txType, f, orders, attrs);
    const message = fp5();
    hashTx(txType, chainId, f, orders, attrs, message);
    if (!verifyHashedMessage(pk, message, sig)) return { ok: false, reason: 'signature does not verify against the registered public key' };
    const fields: Record<string, number | bigint | null | unknown> = { ...f };
    if (txType === 28) fields.Orders = orders;
    fields.L2TxAttributes = rawAttrs === null || rawAttrs === undefined ? null : Object.fromEntries(attrs);
    fields.Sig = sigText;
    return { ok: true, txHash: Buffer.from(fp5ToBytes(message)).toString('hex'), fields };
  } catch (err) {
    if (err instanceof SignerError) return { ok: false, reason: err.message };
    throw err;
  }
}

export type VerifyAuthResult = { ok: true; deadline: number; accountIndex: number; apiKeyIndex: number } | { ok: false; reason: string };

/** Checks "{deadline}:{account}:{apiKey}:{sig}": signature, not expired, at most 8 h ahead. */
export function verifyAuthToken(token: string, publicKeyHex: string, nowSec: number): VerifyAuthResult {
  if (typeof token !== 'string') return { ok: false, reason: 'auth token must be a string' };
  const parts = token.split(':');
  if (parts.length !== 4) return { ok: false, reason: 'auth token must be "{deadline}:{account}:{apiKey}:{signature}"' };
  const [d, a, k, sigHex] = parts as [string, string, string, string];
  const intRe = /^(0|-?[1-9][0-9]*)$/;
  if (!intRe.test(d) || !intRe.test(a) || !intRe.test(k)) return { ok: false, reason: 'auth token deadline, account and api key must be decimal integers' };
  const deadline = Number(d),
    accountIndex = Number(a),
    apiKeyIndex = Number(k);
  if (!Number.isSafeInteger(deadline) || !Number.isSafeInteger(accountIndex) || !Number.isSafeInteger(apiKeyIndex)) {
    return { ok: false, reason: 'auth token integers are out of range' };
  }
  const pk = bytesFromHex(publicKeyHex, 40);
  if (pk === null) return { ok: false, reason: 'public key must be 80 hex digits' };
  const sig = bytesFromHex(sigHex, 80);
  if (sig === null || sigHex.startsWith('0x')) return { ok: false, reason: 'auth token signature must be 160 lowercase hex digits' };
  if (!verifyHashedMessage(pk, authMessageHash(`${d}:${a}:${k}`), sig)) return { ok: false, reason: 'auth token signature does not verify against the registered public key' };
  if (deadline <= nowSec) return { ok: false, reason: `auth token expired at ${deadline} (now ${nowSec})` };
  if (deadline - nowSec > AUTH_TOKEN_MAX_S) return { ok: false, reason: `auth token deadline ${deadline} is more than 8 h ahead of now ${nowSec}` };
  return { ok: true, deadline, accountIndex, apiKeyIndex };
}

export type { Int };
