// Every Lighter wire shape the adapter reads, and its parser: any JSON value in, a typed message
// or a refusal out, never a throw. Book sync, execution and account see only accepted values.
// Streams: spec §5.2 (order_book/{market}: `subscribed/order_book` snapshot, `update/order_book`
// deltas chained by begin_nonce → nonce) and §5.3 (account orders and positions), as in
// elliottech/lighter-python's ws_client.py and the captured frames of nautilus_trader's Lighter
// adapter test data. REST replies: spec §4 (orderBookDetails, GET /, apikeys, accountLimits,
// account, nextNonce, sendTx, accountInactiveOrders, trades, tx), as lighter-python's
// `lighter/models/*.py` name their fields and nautilus_trader's `http_*.json` fixtures show them.

import { parseFixed, parseFixedFast } from '../../core/fixed.js';
import type { Level } from '../../core/orderbook.js';
import { accepted, fieldsOf, isDecimalText, preview, refused, type Parsed } from '../messages.js';
import { ch, keyIs, levelsAt, load, onlyWsFrom, LevelBuffer, memberKey, plainEnd, read, readDecimal, readInteger, skipValue, textIs, units16, ws } from '../scan.js';

/** One order_book frame, its levels at the market's scales. */
export interface BookFrame {
  snapshot: boolean;
  nonce: number;
  /** The nonce of the frame this one continues (-1 when the frame carries none). */
  beginNonce: number;
  bids: Level[];
  asks: Level[];
}

function levels(raw: unknown, side: string, priceScale: number, sizeScale: number): Parsed<Level[]> {
  if (!Array.isArray(raw)) return refused(`order_book.${side} is not an array`);
  const out: Level[] = [];
  for (const l of raw as unknown[]) {
    const f = fieldsOf(l);
    if (f !== undefined && typeof f.price === 'string' && typeof f.size === 'string') {
      // The usual level in one pass: parseFixedFast reads what isDecimalText accepts when the text
      // starts with a digit (no sign) and is at most 64 long, and gives parseFixed's value; any other
      // text takes the checks below, which say why it is refused.
      const price = parseFixedFast(f.price, priceScale);
      const size = parseFixedFast(f.size, sizeScale);
      if (!Number.isNaN(price) && !Number.isNaN(size) && unsignedShort(f.price) && unsignedShort(f.size)) {
        out.push([price, size] as const);
        continue;
      }
    }
    if (f === undefined || typeof f.price !== 'string' || typeof f.size !== 'string') return refused(`order_book.${side} level lacks price/size strings: ${preview(l, 60)}`);
    if (!isDecimalText(f.price) || !isDecimalText(f.size)) return refused(`order_book.${side} level is not decimal price/size: ${preview(l, 60)}`);
    try {
      out.push([parseFixed(f.price, priceScale), parseFixed(f.size, sizeScale)] as const);
    } catch (e) {
      return refused(`order_book.${side} level ${preview(l, 60)}: ${(e as Error).message}`);
    }
  }
  return accepted(out);
}

/** Starts with a digit and is at most 64 long: with parseFixedFast's grammar, what isDecimalText accepts. */
function unsignedShort(text: string): boolean {
  const c = text.charCodeAt(0);
  return c >= 48 && c <= 57 && text.length <= 64;
}

/** An order_book channel frame (spec §5.2), its levels read at the market's price and size scales. */
export function readBookFrame(frame: unknown, priceScale: number, sizeScale: number): Parsed<BookFrame> {
  const f = fieldsOf(frame);
  const ob = fieldsOf(f?.order_book);
  if (f === undefined || ob === undefined) return refused(`order_book frame lacks "order_book": ${preview(frame)}`);
  const nonce = ob.nonce;
  if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce)) return refused(`order_book.nonce is not an integer: ${preview(nonce)}`);
  const begin = ob.begin_nonce;
  const bids = levels(ob.bids, 'bids', priceScale, sizeScale);
  if (!bids.ok) return bids;
  const asks = levels(ob.asks, 'asks', priceScale, sizeScale);
  if (!asks.ok) return asks;
  return accepted({
    snapshot: typeof f.type === 'string' && f.type.startsWith('subscribed/'),
    nonce,
    beginNonce: typeof begin === 'number' && Number.isSafeInteger(begin) ? begin : -1,
    bids: bids.value,
    asks: asks.value,
  });
}

// ---------------------------------------------------------------- order_book frames straight from their text

/**
 * An order_book frame as scanLighterBook read it from its text: its type, channel and nonces, and
 * its levels as mantissas (see scan.ts fixedAt) until a market's scales make them a BookFrame
 * (scannedBookFrame). One is reused frame after frame.
 */
export class LighterBookScan {
  /** The frame's text. */
  text = '';
  /** `type` is "subscribed/order_book" (else "update/order_book"). */
  snapshot = false;
  nonce = 0;
  beginNonce = -1;
  readonly bids = new LevelBuffer();
  readonly asks = new LevelBuffer();
  chStart = 0;
  chEnd = 0;

  /** The frame's channel is `name` (compared in the text, nothing made). */
  channelIs(name: string): boolean {
    return this.chEnd - this.chStart === name.length && this.text.startsWith(name, this.chStart);
  }

  /** The frame's channel starts with `prefix`. */
  channelStartsWith(prefix: string): boolean {
    return this.chEnd - this.chStart >= prefix.length && this.text.startsWith(prefix, this.chStart);
  }

  get channel(): string {
    return this.text.slice(this.chStart, this.chEnd);
  }
}

const TYPE_SUBSCRIBED = units16('subscribed/order_book');
const TYPE_UPDATE = units16('update/order_book');
const CHANNEL_PREFIX = units16('order_book:');
const PRICE_KEY = units16('"price":"');
const SIZE_KEY = units16('"size":"');
/** A level as Lighter writes it, up to its price's text, and from the price's closing quote to the size's text. */
const LEVEL_PRICE = units16('{"price":"');
const LEVEL_SIZE = units16(',"size":"');
const K_TYPE = units16('type');
const K_CHANNEL = units16('channel');
const K_ORDER_BOOK = units16('order_book');
const K_ERROR = units16('error');
const K_BIDS = units16('bids');
const K_ASKS = units16('asks');
const K_NONCE = units16('nonce');
const K_BEGIN_NONCE = units16('begin_nonce');
const K_PRICE = units16('price');
const K_SIZE = units16('size');

/**
 * Reads an order_book frame (spec §5.2; the shape of nautilus_trader's captures
 * `tests/test_data/lighter/ws/mainnet_order_book_place_cancel_btc.json` and
 * `crates/adapters/lighter/test_data/ws_order_book_update.json`, and what src/sim/lighter sends)
 * straight from its text into `out`, in one pass. True when it was read; false (declined) for
 * anything it does not read exactly as JSON.parse and readBookFrame would, and for every frame that
 * is not a plain book frame: then the caller parses it the usual way, which also gives refusals
 * their words. It declines on: another `type`, a channel not `order_book:…`, a top-level `error`
 * (a transaction answer, tx-replies.ts), a key it reads twice, a key or read string with escapes,
 * a nonce that is not a plain safe integer (begin_nonce of any other JSON value is -1, as
 * readBookFrame has it), a level that is not an object with decimal-string price and size, and
 * any invalid JSON. Keys come in any order; unknown keys' values are skipped, checked.
 */
export function scanLighterBook(text: string, out: LighterBookScan): boolean {
  if (!load(text)) return false;
  out.text = text;
  out.bids.clear();
  out.asks.clear();
  out.beginNonce = -1;
  let i = ws(0);
  if (ch(i) !== 123) return false;
  i = ws(i + 1);
  // Which of type, channel, order_book were seen (a second one declines).
  let seen = 0;
  for (;;) {
    i = memberKey(i);
    if (i < 0) return false;
    if (keyIs(K_TYPE)) {
      if (seen & 1 || ch(i) !== 34) return false;
      seen |= 1;
      const ve = plainEnd(i + 1);
      const vl = ve - i - 1;
      if (vl === TYPE_UPDATE.length && textIs(i + 1, TYPE_UPDATE)) out.snapshot = false;
      else if (vl === TYPE_SUBSCRIBED.length && textIs(i + 1, TYPE_SUBSCRIBED)) out.snapshot = true;
      else return false;
      i = ve + 1;
    } else if (keyIs(K_CHANNEL)) {
      if (seen & 2 || ch(i) !== 34) return false;
      seen |= 2;
      const ve = plainEnd(i + 1);
      if (ve - i - 1 < CHANNEL_PREFIX.length || !textIs(i + 1, CHANNEL_PREFIX)) return false;
      out.chStart = i + 1;
      out.chEnd = ve;
      i = ve + 1;
    } else if (keyIs(K_ORDER_BOOK)) {
      if (seen & 4) return false;
      seen |= 4;
      i = scanOrderBook(i, out);
    } else if (keyIs(K_ERROR)) {
      return false;
    } else i = skipValue(i);
    if (i < 0) return false;
    i = ws(i);
    const c = ch(i);
    if (c === 125) break;
    if (c !== 44) return false;
    i = ws(i + 1);
  }
  return seen === 7 && onlyWsFrom(i + 1);
}

/** The `order_book` object at `i`: nonce, begin_nonce, bids, asks; the index after it, or -1. */
function scanOrderBook(i: number, out: LighterBookScan): number {
  if (ch(i) !== 123) return -1;
  i = ws(i + 1);
  let seen = 0;
  for (;;) {
    i = memberKey(i);
    if (i < 0) return -1;
    if (keyIs(K_BIDS)) {
      if (seen & 4) return -1;
      seen |= 4;
      i = scanLevels(i, out.bids);
    } else if (keyIs(K_ASKS)) {
      if (seen & 8) return -1;
      seen |= 8;
      i = scanLevels(i, out.asks);
    } else if (keyIs(K_NONCE)) {
      if (seen & 1) return -1;
      seen |= 1;
      i = readInteger(i);
      out.nonce = read.v;
    } else if (keyIs(K_BEGIN_NONCE)) {
      if (seen & 2) return -1;
      seen |= 2;
      const c = ch(i);
      if (c === 45 || (c >= 48 && c <= 57)) {
        i = readInteger(i);
        out.beginNonce = read.v;
      } else i = skipValue(i); // not a number: readBookFrame has -1
    } else i = skipValue(i);
    if (i < 0) return -1;
    i = ws(i);
    const c = ch(i);
    if (c === 125) return (seen & 13) === 13 ? i + 1 : -1;
    if (c !== 44) return -1;
    i = ws(i + 1);
  }
}

/** An array of {price, size} objects with decimal-string values (other keys skipped) at `i`; the index after it, or -1. */
function scanLevels(i: number, into: LevelBuffer): number {
  if (ch(i) !== 91) return -1;
  i = ws(i + 1);
  if (ch(i) === 93) return i + 1;
  for (;;) {
    if (ch(i) !== 123) return -1;
    // The usual spelling, {"price":"…","size":"…"}, read in a few compares; any other (whitespace,
    // other keys or order, text readDecimal does not take) is read again from the brace the general
    // way below, which accepts or declines it on its own.
    if (textIs(i, LEVEL_PRICE)) {
      const pe = readDecimal(i + LEVEL_PRICE.length);
      if (pe >= 0 && textIs(pe, LEVEL_SIZE)) {
        const pm = read.v;
        const pf = read.f;
        const ps = read.start;
        const pEnd = read.end;
        const se = readDecimal(pe + LEVEL_SIZE.length);
        if (se >= 0 && ch(se) === 125) {
          into.push(pm, pf, ps, pEnd, read.v, read.f, read.start, read.end);
          i = ws(se + 1);
          const c = ch(i);
          if (c === 93) return i + 1;
          if (c !== 44) return -1;
          i = ws(i + 1);
          continue;
        }
      }
    }
    i = ws(i + 1);
    let pm = -1;
    let pf = 0;
    let ps = 0;
    let pe = 0;
    let sm = -1;
    let sf = 0;
    let ss = 0;
    let se = 0;
    for (;;) {
      // The usual spelling, "price":" or "size":", is matched in one compare; any other goes the general way.
      let field = 0;
      if (textIs(i, PRICE_KEY)) {
        field = 1;
        i += PRICE_KEY.length;
      } else if (textIs(i, SIZE_KEY)) {
        field = 2;
        i += SIZE_KEY.length;
      } else {
        i = memberKey(i);
        if (i < 0) return -1;
        field = keyIs(K_PRICE) ? 1 : keyIs(K_SIZE) ? 2 : 0;
        if (field !== 0) {
          if (ch(i) !== 34) return -1;
          i++;
        }
      }
      if (field === 1) {
        if (pm >= 0) return -1;
        i = readDecimal(i);
        pm = read.v;
        pf = read.f;
        ps = read.start;
        pe = read.end;
      } else if (field === 2) {
        if (sm >= 0) return -1;
        i = readDecimal(i);
        sm = read.v;
        sf = read.f;
        ss = read.start;
        se = read.end;
      } else i = skipValue(i);
      if (i < 0) return -1;
      i = ws(i);
      const c = ch(i);
      if (c === 125) break;
      if (c !== 44) return -1;
      i = ws(i + 1);
    }
    if (pm < 0 || sm < 0) return -1;
    into.push(pm, pf, ps, pe, sm, sf, ss, se);
    i = ws(i + 1);
    const c = ch(i);
    if (c === 93) return i + 1;
    if (c !== 44) return -1;
    i = ws(i + 1);
  }
}

/**
 * A scanned frame at a market's scales: exactly readBookFrame's accepted value for the same text
 * (JSON.parse'd), or undefined when a level is off that grid or out of range (where readBookFrame
 * refuses: the caller takes that path, for its words).
 */
export function scannedBookFrame(scan: LighterBookScan, priceScale: number, sizeScale: number): BookFrame | undefined {
  const bids = levelsAt(scan.bids, priceScale, sizeScale);
  if (bids === undefined) return undefined;
  const asks = levelsAt(scan.asks, priceScale, sizeScale);
  if (asks === undefined) return undefined;
  return { snapshot: scan.snapshot, nonce: scan.nonce, beginNonce: scan.beginNonce, bids, asks };
}

/** One order as account_all_orders:{account} streams it (spec §5.3), the fields a leg is settled from. */
export interface StreamedOrder {
  client_order_index: number;
  status?: string;
  /** Executed size and quote, decimals as sent (absent = none). */
  filled_base_amount?: string;
  filled_quote_amount?: string;
  /** The venue's order index (up to 2^60 − 1, so a bigint when past 2^53). */
  order_index?: number | bigint;
}

function amount(value: unknown): string | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && /^\d+(\.\d+)?$/.test(String(value))) return String(value);
  return isDecimalText(value) ? value : false;
}

/**
 * An account_all_orders frame's `orders` (market index → list of orders). Entries that are not
 * orders with a client order index are left out (the venue also streams orders placed elsewhere);
 * an order of ours whose executed amounts are not decimals refuses the frame.
 */
export function readAccountOrders(orders: unknown): Parsed<StreamedOrder[]> {
  const markets = fieldsOf(orders);
  if (markets === undefined) return orders === undefined || orders === null ? accepted([]) : refused(`account orders is not an object: ${preview(orders)}`);
  const out: StreamedOrder[] = [];
  for (const list of Object.values(markets)) {
    if (!Array.isArray(list)) continue;
    const read = readOrderList(list as unknown[], out);
    if (!read.ok) return read;
  }
  return accepted(out);
}

/** Appends the orders of `list` with a client order index to `out`; refused when one of them has executed amounts that are not decimals. */
function readOrderList(list: readonly unknown[], out: StreamedOrder[]): Parsed<StreamedOrder[]> {
  for (const entry of list) {
    const o = fieldsOf(entry);
    const raw = o?.client_order_index;
    const index = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
    if (o === undefined || typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) continue;
    const base = amount(o.filled_base_amount);
    const quote = amount(o.filled_quote_amount);
    if (base === false || quote === false) return refused(`order ${index}: filled amounts ${preview([o.filled_base_amount, o.filled_quote_amount])} are not decimals`);
    const order: StreamedOrder = { client_order_index: index };
    if (typeof o.status === 'string') order.status = o.status;
    if (base !== undefined) order.filled_base_amount = base;
    if (quote !== undefined) order.filled_quote_amount = quote;
    if ((typeof o.order_index === 'number' && Number.isSafeInteger(o.order_index)) || typeof o.order_index === 'bigint') order.order_index = o.order_index;
    out.push(order);
  }
  return accepted(out);
}

/** Our position in one market as account_all_positions streams it (spec §5.3): its sign and size, as sent. */
export interface StreamedPosition {
  sign: 1 | -1;
  position: string;
}

/** An account_all_positions frame's `positions`, for market `marketId`; undefined when it carries none for that market. */
export function readAccountPosition(positions: unknown, marketId: number): Parsed<StreamedPosition | undefined> {
  const all = fieldsOf(positions);
  if (all === undefined) return positions === undefined || positions === null ? accepted(undefined) : refused(`account positions is not an object: ${preview(positions)}`);
  const p = fieldsOf(all[String(marketId)]);
  if (p === undefined || typeof p.position !== 'string') return accepted(undefined);
  if (!isDecimalText(p.position)) return refused(`position of market ${marketId} ${preview(p.position)} is not a decimal string`);
  return accepted({ sign: Number(p.sign) < 0 ? -1 : 1, position: p.position });
}

// ---------------------------------------------------------------- REST replies

/** A non-negative safe integer, sent as a number or a digit string. */
function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** An integer the venue sends as a JSON number (the exact reader makes a bigint of one past 2^53). */
function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/** One market of orderBookDetails (spec §4; lighter-python `lighter/models/order_book_detail.py`). */
export interface LighterMarketEntry {
  symbol: string;
  /** `market_id`, any integer (which ones our signer can encode is account.ts's rule). */
  marketId: number;
  priceScale: number;
  sizeScale: number;
  /** Decimals as published. */
  minBaseAmount: string;
  /** USDC; absent when not published. */
  minQuoteAmount?: string;
  lastTradePrice?: string;
  /** Percent, as published ("0.0000"); absent when not a decimal. */
  takerFee?: string;
  makerFee?: string;
}

const SCALE = /^\d{1,2}$/;

/** One orderBookDetails entry; refused unless it carries its id, decimals and minimum base amount. */
export function readMarketEntry(entry: unknown): Parsed<LighterMarketEntry> {
  const m = fieldsOf(entry);
  const name = typeof m?.symbol === 'string' ? m.symbol.slice(0, 40) : preview(m?.symbol, 40);
  const marketId = integer(m?.market_id);
  const sizeScale = count(m?.size_decimals);
  const priceScale = count(m?.price_decimals);
  if (
    m === undefined ||
    typeof m.symbol !== 'string' ||
    marketId === undefined ||
    sizeScale === undefined ||
    priceScale === undefined ||
    !SCALE.test(String(sizeScale)) ||
    !SCALE.test(String(priceScale)) ||
    !isDecimalText(m.min_base_amount)
  ) {
    return refused(`market ${name} lacks market_id/size_decimals/price_decimals/min_base_amount`);
  }
  const market: LighterMarketEntry = { symbol: m.symbol, marketId, priceScale, sizeScale, minBaseAmount: m.min_base_amount };
  if (m.min_quote_amount !== undefined && m.min_quote_amount !== null) {
    if (!isDecimalText(m.min_quote_amount)) return refused(`market ${name} min_quote_amount ${preview(m.min_quote_amount)} is not a decimal string`);
    market.minQuoteAmount = m.min_quote_amount;
  }
  if (isDecimalText(m.last_trade_price)) market.lastTradePrice = m.last_trade_price;
  if (isDecimalText(m.taker_fee)) market.takerFee = m.taker_fee;
  if (isDecimalText(m.maker_fee)) market.makerFee = m.maker_fee;
  return accepted(market);
}

/** A market as orderBookDetails lists it: its symbol and type, and the market read (or why not). */
export interface ListedMarket {
  symbol: string;
  /** `market_type` ("perp", "spot"); absent on older replies. */
  marketType?: string;
  market: Parsed<LighterMarketEntry>;
}

/** GET /api/v1/orderBookDetails: `order_book_details`; entries without a symbol are left out. */
export function readOrderBookDetails(body: unknown): Parsed<ListedMarket[]> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`orderBookDetails is not an object: ${preview(body)}`);
  const list = d.order_book_details;
  if (list === undefined || list === null) return accepted([]);
  if (!Array.isArray(list)) return refused(`order_book_details is not an array: ${preview(list)}`);
  const out: ListedMarket[] = [];
  for (const entry of list as unknown[]) {
    const m = fieldsOf(entry);
    if (m === undefined || typeof m.symbol !== 'string') continue;
    const listed: ListedMarket = { symbol: m.symbol, market: readMarketEntry(m) };
    if (typeof m.market_type === 'string') listed.marketType = m.market_type;
    out.push(listed);
  }
  return accepted(out);
}

/** GET / (lighter-python `lighter/models/status.py`): the chain id the venue runs and its clock (Unix s), when sent as integers. */
export interface VenueStatusReply {
  networkId?: number;
  timestamp?: number;
}

export function readStatus(body: unknown): Parsed<VenueStatusReply> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`status is not an object: ${preview(body)}`);
  const out: VenueStatusReply = {};
  const networkId = integer(d.network_id);
  const timestamp = integer(d.timestamp);
  if (networkId !== undefined) out.networkId = networkId;
  if (timestamp !== undefined) out.timestamp = timestamp;
  return accepted(out);
}

/** The key registered at one API key index (GET /api/v1/apikeys; lighter-go `client/client.go (*TxClient).Check`). */
export interface ApiKeyReply {
  /** Lower-case hex without 0x; absent = no key at that index. */
  publicKeyHex?: string;
  nonce?: number;
}

export function readApiKeys(body: unknown, apiKeyIndex: number): Parsed<ApiKeyReply> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`apikeys is not an object: ${preview(body)}`);
  const keys: unknown[] = Array.isArray(d.api_keys) ? (d.api_keys as unknown[]) : [];
  for (const entry of keys) {
    const k = fieldsOf(entry);
    if (k === undefined || count(k.api_key_index) !== apiKeyIndex) continue;
    const out: ApiKeyReply = {};
    if (typeof k.public_key === 'string' && k.public_key.length <= 200) out.publicKeyHex = k.public_key.toLowerCase().replace(/^0x/, '');
    const nonce = integer(k.nonce);
    if (nonce !== undefined) out.nonce = nonce;
    return accepted(out);
  }
  return accepted({});
}

/** GET /api/v1/accountLimits (lighter-python `lighter/models/account_limits.py`): the tier names, when sent as strings. */
export interface AccountLimitsReply {
  user_tier?: string;
  user_tier_name?: string;
}

export function readAccountLimits(body: unknown): Parsed<AccountLimitsReply> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`accountLimits is not an object: ${preview(body)}`);
  const out: AccountLimitsReply = {};
  if (typeof d.user_tier === 'string') out.user_tier = d.user_tier.slice(0, 64);
  if (typeof d.user_tier_name === 'string') out.user_tier_name = d.user_tier_name.slice(0, 64);
  return accepted(out);
}

/** One position of GET /api/v1/account (nautilus fixture `http_account.json`): its size as sent, and the sign apart. */
export interface AccountPositionReply {
  marketId: number;
  symbol: string;
  sign: 1 | -1;
  /** Unsigned decimal as sent. */
  position: string;
}

/** The first account of GET /api/v1/account?by=index: collateral and available balance as sent, and its positions. */
export interface AccountReply {
  collateral?: string;
  availableBalance?: string;
  positions: AccountPositionReply[];
}

function signedText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 64 && /^-?\d+(\.\d+)?$/.test(value) ? value : undefined;
}

/** Undefined when the reply lists no account; refused when a position lacks its market id or size. */
export function readAccount(body: unknown): Parsed<AccountReply | undefined> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`account is not an object: ${preview(body)}`);
  if (!Array.isArray(d.accounts) || d.accounts.length === 0) return accepted(undefined);
  const a = fieldsOf((d.accounts as unknown[])[0]);
  if (a === undefined) return refused(`accounts[0] is not an object: ${preview((d.accounts as unknown[])[0])}`);
  const positions: AccountPositionReply[] = [];
  const list = a.positions ?? [];
  if (!Array.isArray(list)) return refused(`account positions is not an array: ${preview(list)}`);
  for (const entry of list as unknown[]) {
    const p = fieldsOf(entry);
    const marketId = p === undefined ? undefined : count(p.market_id);
    if (p === undefined || marketId === undefined) return refused(`account position ${preview(entry)} lacks market_id`);
    const size = signedText(p.position);
    if (size === undefined) return refused(`account lacks "positions[].position" (a decimal string) for market ${marketId}: ${preview(p.position)}`);
    const sign = Number(p.sign) < 0 || size.startsWith('-') ? -1 : 1;
    positions.push({ marketId, symbol: typeof p.symbol === 'string' ? p.symbol.slice(0, 40) : '', sign, position: size.replace(/^-/, '') });
  }
  const out: AccountReply = { positions };
  const collateral = signedText(a.collateral);
  const available = signedText(a.available_balance);
  if (collateral !== undefined) out.collateral = collateral;
  if (available !== undefined) out.availableBalance = available;
  return accepted(out);
}

/** GET /api/v1/nextNonce: the next nonce of (account, API key). */
export function readNextNonce(body: unknown): Parsed<number> {
  const nonce = integer(fieldsOf(body)?.nonce);
  if (nonce === undefined || nonce < 0) return refused(`nextNonce reply lacks "nonce" (a non-negative integer): ${preview(body)}`);
  return accepted(nonce);
}

/** POST /api/v1/sendTx accepted (code 200): the transaction's hash, when sent. */
export interface SendTxReply {
  txHash?: string;
}

export function readSendTx(body: unknown): Parsed<SendTxReply> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`sendTx reply is not an object: ${preview(body)}`);
  return accepted(typeof d.tx_hash === 'string' ? { txHash: d.tx_hash.slice(0, 200) } : {});
}

/** GET /api/v1/accountInactiveOrders: `orders`, read as the account stream's orders are. */
export function readInactiveOrders(body: unknown): Parsed<StreamedOrder[]> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`accountInactiveOrders is not an object: ${preview(body)}`);
  if (d.orders === undefined || d.orders === null) return accepted([]);
  if (!Array.isArray(d.orders)) return refused(`accountInactiveOrders orders is not an array: ${preview(d.orders)}`);
  return readOrderList(d.orders as unknown[], []);
}

/** GET /api/v1/trades: the trades as objects (fields as sent; their fee units are undocumented, spec §12 Q11). */
export function readTrades(body: unknown): Parsed<Array<Record<string, unknown>>> {
  const d = fieldsOf(body);
  if (d === undefined) return refused(`trades is not an object: ${preview(body)}`);
  if (d.trades === undefined || d.trades === null) return accepted([]);
  if (!Array.isArray(d.trades)) return refused(`trades is not an array: ${preview(d.trades)}`);
  const out: Array<Record<string, unknown>> = [];
  for (const t of d.trades as unknown[]) {
    const f = fieldsOf(t);
    if (f !== undefined) out.push(f);
  }
  return accepted(out);
}

/** GET /api/v1/tx: the transaction as an object (fields as sent). */
export function readTx(body: unknown): Parsed<Record<string, unknown>> {
  const d = fieldsOf(body);
  return d === undefined ? refused(`tx is not an object: ${preview(body)}`) : accepted(d);
}

// ---------------------------------------------------------------- funding (account history, current rate)

/** A signed decimal as the venue prints amounts and rates. */
function isSignedDecimal(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && /^-?\d+(\.\d+)?$/.test(value);
}

/** One of our funding payments as GET /api/v1/positionFunding lists it (lighter-python `models/position_funding.py`). */
export interface PositionFundingRow {
  marketId: number;
  fundingId: number;
  /** Wall ms (the venue's `timestamp`; seconds are read as seconds). */
  at: number;
  /** Collateral change, as printed: received > 0 (read with the side and rate, funding.ts harsherAmount). */
  change: string;
  rate: string;
  /** `position_side` (lighter-python validates it as long | short). */
  side: 'long' | 'short';
}

/**
 * A positionFunding body ({code, position_fundings, next_cursor}): the rows of `marketId`. The
 * model names no unit for `timestamp`: a value below 10^11 can only be seconds (10^11 ms is 1973),
 * so it is read as seconds; above, ms. Any malformed row refuses the whole reply.
 */
export function readPositionFundings(body: unknown, marketId: number): Parsed<PositionFundingRow[]> {
  const f = fieldsOf(body);
  const list = f?.position_fundings;
  if (f === undefined || !(Array.isArray(list) || list === null || list === undefined)) return refused(`positionFunding reply lacks "position_fundings": ${preview(body)}`);
  const out: PositionFundingRow[] = [];
  for (const entry of (list ?? []) as unknown[]) {
    const r = fieldsOf(entry);
    const ts = r?.timestamp;
    if (
      r === undefined ||
      typeof r.market_id !== 'number' ||
      !Number.isSafeInteger(r.market_id) ||
      typeof r.funding_id !== 'number' ||
      !Number.isSafeInteger(r.funding_id) ||
      typeof ts !== 'number' ||
      !Number.isSafeInteger(ts) ||
      ts <= 0 ||
      !isSignedDecimal(r.change) ||
      !isSignedDecimal(r.rate) ||
      (r.position_side !== 'long' && r.position_side !== 'short')
    )
      return refused(
        `positionFunding row is not a funding payment (market_id, funding_id, timestamp, decimal change and rate, position_side long or short): ${preview(entry, 100)}`,
      );
    if (r.market_id === marketId)
      out.push({ marketId: r.market_id, fundingId: r.funding_id, at: ts < 1e11 ? ts * 1000 : ts, change: r.change, rate: r.rate, side: r.position_side });
  }
  return accepted(out);
}

/**
 * A GET /api/v1/funding-rates body (lighter-python `models/funding_rates.py`, `funding_rate.py`):
 * Lighter's own rate for `marketId` (the list also carries other exchanges' rates for the same
 * symbols; only exchange "lighter" is Lighter's). The rate is a number over eight hours.
 */
export function readLighterFundingRate(body: unknown, marketId: number): Parsed<number> {
  const list = fieldsOf(body)?.funding_rates;
  if (!Array.isArray(list)) return refused(`funding-rates reply lacks a "funding_rates" list: ${preview(body)}`);
  const row = (list as unknown[]).map(fieldsOf).find((r) => r?.exchange === 'lighter' && r.market_id === marketId);
  if (row === undefined) return refused(`funding-rates has no Lighter rate for market ${marketId}`);
  if (typeof row.rate !== 'number' || !Number.isFinite(row.rate)) return refused(`funding-rates rate for market ${marketId} is not a number: ${preview(row.rate)}`);
  return accepted(row.rate);
}

/** The funding figures of one `market_stats` frame (percent per hour, as the venue prints them). */
export interface MarketStatsFunding {
  marketId: number;
  /** `current_funding_rate`: "an estimation of the upcoming funding payment" (percent of the notional for the hour). */
  predictedPct: string;
  /** `funding_rate`: "the last funding payment that occurred", at `funding_timestamp` (percent for the hour). */
  lastPct: string;
  /** `funding_timestamp` in wall ms (the docs' example is ms: 1769187600001). */
  lastAt: number;
}

/**
 * A `market_stats:{id}` frame's funding fields (Lighter API docs, WebSocket reference › Market
 * Stats: "`current_funding_rate` is an estimation of the upcoming funding payment, while
 * `funding_rate` represents the last funding payment that occurred (at `funding_timestamp`)";
 * lighter-python `models/perps_market_stats.py`: both strings, funding_timestamp an integer;
 * CCXT pro/lighter.ts handleTicker sample). Both are decimal text in percent of the notional for
 * the hour — the form df-lighter-core `src/markets/funding.rs` documents for the settlements
 * (`0.0012` is 0.000012), and the one the docs' and CCXT's samples show (`"0.0012"` beside
 * funding-rates' 0.0001 over eight hours) — no source states the stream's unit in words. On
 * `market_stats:all` the market's entry (keyed by its id) is read; a frame without it is undefined.
 */
export function readMarketStatsFunding(frame: unknown, marketId: number): Parsed<MarketStatsFunding | undefined> {
  const f = fieldsOf(frame);
  const body = fieldsOf(f?.market_stats);
  if (body === undefined) return refused(`market_stats frame lacks "market_stats": ${preview(frame)}`);
  // market_stats/all keys each market's stats by its id, and an update carries the markets that changed.
  const all = f?.channel === 'market_stats:all';
  const stats = all ? fieldsOf(body[String(marketId)]) : body;
  if (stats === undefined) return accepted(undefined);
  if (stats.market_id !== marketId) return refused(`market_stats frame is for market ${preview(stats.market_id, 20)}, not ${marketId}`);
  const at = stats.funding_timestamp;
  if (!isSignedDecimal(stats.current_funding_rate) || !isSignedDecimal(stats.funding_rate) || typeof at !== 'number' || !Number.isSafeInteger(at) || at <= 0)
    return refused(`market_stats for market ${marketId} lacks a decimal current_funding_rate and funding_rate and a funding_timestamp: ${preview(stats, 160)}`);
  return accepted({ marketId, predictedPct: stats.current_funding_rate, lastPct: stats.funding_rate, lastAt: at < 1e11 ? at * 1000 : at });
}
