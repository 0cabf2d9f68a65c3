// The tokenizer under the book-frame scanners (lighter/messages.ts scanLighterBook, backpack/
// messages.ts scanDepthEvent and scanDepthSnapshot): one pass over a frame's text, reading the few
// fields a book needs straight into numbers, with no object, array or number string made on the
// way. The text is first copied, as its UTF-16 code units, into a buffer reused frame after frame
// (load): one native copy, after which every character is a typed-array load — in V8 a few times
// cheaper than charCodeAt, above all on the sliced strings a recording's lines are (measured on
// this project's frames: a loop over a frame's 334 characters took about 1.1 µs with charCodeAt on
// the recorded text, 0.5 µs with the copy and the loop over the buffer).
// A scanner either gives exactly what JSON.parse and the venue's parser give, or declines and its
// caller takes that path instead; so every reader here answers "I do not read this exactly"
// (false, NaN, -1) rather than guess. What JSON allows and the scanners must honour (RFC 8259):
// whitespace is space, tab, LF, CR only; strings hold no raw control characters and only the
// escapes \" \\ \/ \b \f \n \r \t \uXXXX; numbers are -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?; one
// value, with nothing but whitespace after it. A scanner never throws: no read leaves the text and
// the NUL after it.

import type { Level, OrderBook } from '../core/orderbook.js';

/** Deeper nesting than this in a value a scanner skips is declined (book frames nest 4 deep). */
const MAX_DEPTH = 64;

// Below this, m·10 + 9 stays under 2^53: every step of a digit loop is exact (core/fixed.ts does the same).
const ACC_LIMIT = Math.floor((Number.MAX_SAFE_INTEGER - 9) / 10);
const POW10: number[] = Array.from({ length: 19 }, (_, i) => 10 ** i);

/**
 * A decimal held as an integer mantissa and its count of fraction digits, trailing fraction zeros
 * left out ("1.50" is 15 and 1): its value at a scale is known once the market's scale is, and is
 * exact or NaN. As core/fixed.ts parseFixed with 'exact' rounding: NaN where that refuses (off the
 * grid, past 2^53 − 1), which makes the scanner's caller decline.
 */
export function fixedAt(mantissa: number, fracDigits: number, scale: number): number {
  if (fracDigits > scale || scale > 18) return NaN;
  const v = fracDigits === scale ? mantissa : mantissa * POW10[scale - fracDigits];
  // Both factors are exact integers: a product at or under 2^53 − 1 is exact, and one past it cannot round below 2^53.
  return v > Number.MAX_SAFE_INTEGER ? NaN : v;
}

/** The levels of `buf` at these scales (fixedAt); undefined when one is off that grid or out of range. */
export function levelsAt(buf: LevelBuffer, priceScale: number, sizeScale: number): Level[] | undefined {
  const out: Level[] = [];
  const m = buf.m;
  const f = buf.f;
  for (let k = 0; k < buf.n * 2; k += 2) {
    const price = fixedAt(m[k], f[k], priceScale);
    const size = fixedAt(m[k + 1], f[k + 1], sizeScale);
    if (Number.isNaN(price) || Number.isNaN(size)) return undefined;
    out.push([price, size] as const);
  }
  return out;
}

/** Levels as fixed-point integers, price then size, in `fx[0 .. 2n)` (LevelBuffer after toFixed). */
export interface FixedLevels {
  readonly n: number;
  readonly fx: Float64Array;
}

/** Both sides' fixed-point levels into a book, in order (what the book syncs do with a frame's levels once they accept it). */
export function updateBook(book: OrderBook, bids: FixedLevels, asks: FixedLevels): void {
  const b = bids.fx;
  for (let k = 0, n = bids.n * 2; k < n; k += 2) book.update('bid', b[k], b[k + 1]);
  const a = asks.fx;
  for (let k = 0, n = asks.n * 2; k < n; k += 2) book.update('ask', a[k], a[k + 1]);
}

/** A growing list of levels, each a price and a size as mantissa + fraction digits (see fixedAt). */
export class LevelBuffer {
  /** Per level: price mantissa, size mantissa. */
  m = new Float64Array(64);
  /** Per level: price fraction digits, size fraction digits. */
  f = new Uint8Array(64);
  /** Per level: the price's and the size's text [start, end) in the frame (Backpack keeps its rows as text). */
  at = new Int32Array(128);
  n = 0;
  /** Per level, after toFixed: the price and the size at the scales it was given (fixed-point integers). */
  fx = new Float64Array(64);

  clear(): void {
    this.n = 0;
  }

  /**
   * Every level at these scales (fixedAt) into `fx`, price then size, as levelsAt gives them, with
   * nothing allocated; false when one is off that grid or out of range (where levelsAt is undefined).
   */
  toFixed(priceScale: number, sizeScale: number): boolean {
    const m = this.m;
    const f = this.f;
    const fx = this.fx;
    for (let k = 0; k < this.n * 2; k += 2) {
      const price = fixedAt(m[k], f[k], priceScale);
      const size = fixedAt(m[k + 1], f[k + 1], sizeScale);
      if (Number.isNaN(price) || Number.isNaN(size)) return false;
      fx[k] = price;
      fx[k + 1] = size;
    }
    return true;
  }

  push(pm: number, pf: number, ps: number, pe: number, sm: number, sf: number, ss: number, se: number): void {
    const k = this.n * 2;
    if (k + 2 > this.m.length) this.grow();
    this.m[k] = pm;
    this.m[k + 1] = sm;
    this.f[k] = pf;
    this.f[k + 1] = sf;
    const j = k * 2;
    this.at[j] = ps;
    this.at[j + 1] = pe;
    this.at[j + 2] = ss;
    this.at[j + 3] = se;
    this.n++;
  }

  private grow(): void {
    const m = new Float64Array(this.m.length * 2);
    m.set(this.m);
    this.m = m;
    const f = new Uint8Array(this.f.length * 2);
    f.set(this.f);
    this.f = f;
    const at = new Int32Array(this.at.length * 2);
    at.set(this.at);
    this.at = at;
    this.fx = new Float64Array(this.m.length);
  }
}

// The text being read: its UTF-16 code units (exactly the string's, whatever they are) in a buffer
// reused for every text, one per thread (module state; a scan runs to its end without yielding).
let units = new Uint16Array(4096);
let unitBytes = Buffer.from(units.buffer);
/** The loaded text's length. */
let len = 0;

/** Texts longer than this are not loaded (load answers false, the scanner declines): no book frame is near it. */
const MAX_TEXT = 1 << 18;

/** Makes `text` the one the readers below read; false (nothing loaded) for a text past MAX_TEXT. */
export function load(text: string): boolean {
  const n = text.length;
  if (n > MAX_TEXT) return false;
  if (n >= units.length) {
    let size = units.length;
    while (size <= n) size *= 2;
    units = new Uint16Array(size);
    unitBytes = Buffer.from(units.buffer);
  }
  unitBytes.write(text, 0, n * 2, 'utf16le');
  // A NUL after the text: read past its end, it is a character no reader takes (JSON allows it
  // nowhere raw), so no read needs to compare its index with the length.
  units[n] = 0;
  len = n;
  return true;
}

// The readers take an index into the loaded text and return the index after what they read, or -1
// when they decline (or false, as said): the cursor lives in the caller's local variable. A read
// stops at the NUL after the text (load), so none goes further; no index below is negative when
// read: a -1 is returned before it is used.

/** The character code at `i` (at most the text's length: the NUL after it reads as 0). */
export function ch(i: number): number {
  return units[i];
}

/** The index of the first character at or after `i` (not negative) that is not JSON whitespace (the text's length at most). */
export function ws(i: number): number {
  const u = units;
  // The usual case first, in one compare: no whitespace here (every JSON whitespace is below 33).
  if (u[i] > 32) return i;
  for (;;) {
    const c = u[i];
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i; // the NUL after the text stops it
    i++;
  }
}

/** Nothing but whitespace from `i` on. */
export function onlyWsFrom(i: number): boolean {
  return ws(i) === len;
}

/** From just after an opening quote: the index of the closing quote of a string without escapes or control characters; -1 otherwise. */
export function plainEnd(i: number): number {
  const u = units;
  for (;;) {
    const c = u[i];
    if (c === 34) return i;
    if (c === 92 || c < 32) return -1; // the NUL after the text too
    i++;
  }
}

/** The key memberKey read last: its text is [at, at + len) (one per thread; read it before the next key). */
export const key = { at: 0, len: 0 };

/**
 * At an object member's opening quote: reads its key (a string without escapes) into `key`, then
 * the colon; the index of the member's value (whitespace skipped), or -1.
 */
export function memberKey(i: number): number {
  if (units[i] !== 34) return -1;
  const ks = i + 1;
  const ke = plainEnd(ks);
  if (ke < 0) return -1;
  i = ws(ke + 1);
  if (units[i] !== 58) return -1;
  key.at = ks;
  key.len = ke - ks;
  return ws(i + 1);
}

/**
 * A fixed text the scanners compare with (a key, a type, a key and its punctuation), as its UTF-16
 * code units: compared unit by unit with the loaded text, typed array against typed array (a
 * string's charCodeAt in the loop cost more than the rest of the compare).
 */
export type Units = Uint16Array;

/** `text` as Units (made once, at module load). */
export function units16(text: string): Units {
  const out = new Uint16Array(text.length);
  for (let j = 0; j < text.length; j++) out[j] = text.charCodeAt(j);
  return out;
}

/** The key memberKey read last is `name`. */
export function keyIs(name: Units): boolean {
  return key.len === name.length && textIs(key.at, name);
}

/** The text from `at` starts with `name`. */
export function textIs(at: number, name: Units): boolean {
  const n = name.length;
  if (at + n > len) return false;
  const u = units;
  for (let j = 0; j < n; j++) if (u[at + j] !== name[j]) return false;
  return true;
}

/** From just after an opening quote: any valid string, escapes included; the index after its closing quote, or -1. */
export function skipString(i: number): number {
  const u = units;
  for (;;) {
    const c = u[i++];
    if (c === 34) return i;
    if (c < 32) return -1;
    if (c === 92) {
      const e = ch(i++);
      if (e === 117) {
        // \uXXXX: four hex digits
        for (let k = 0; k < 4; k++) {
          const h = ch(i++);
          if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return -1;
        }
      } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) return -1;
    }
  }
}

function digitsEnd(i: number): number {
  const u = units;
  let c = u[i];
  while (c >= 48 && c <= 57) c = u[++i];
  return i;
}

/** Any valid JSON number at `i`; the index after it, or -1. */
export function skipNumber(i: number): number {
  if (ch(i) === 45) i++;
  const c = ch(i);
  if (c === 48) i++;
  else if (c >= 49 && c <= 57) i = digitsEnd(i + 1);
  else return -1;
  if (ch(i) === 46) {
    const j = digitsEnd(i + 1);
    if (j === i + 1) return -1;
    i = j;
  }
  const e = ch(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = ch(i);
    if (sign === 43 || sign === 45) i++;
    const j = digitsEnd(i);
    if (j === i) return -1;
    i = j;
  }
  return i;
}

const TRUE = units16('true');
const FALSE = units16('false');
const NULL = units16('null');

function skipWord(i: number, w: Units): number {
  return textIs(i, w) ? i + w.length : -1;
}

/** Any valid JSON value at `i` (after whitespace); the index after it, or -1 when invalid or nested past MAX_DEPTH. */
export function skipValue(i: number, depth = 0): number {
  i = ws(i);
  const c = ch(i);
  switch (c) {
    case 34:
      return skipString(i + 1);
    case 123: {
      if (depth >= MAX_DEPTH) return -1;
      i = ws(i + 1);
      if (ch(i) === 125) return i + 1;
      for (;;) {
        if (ch(i) !== 34) return -1;
        i = skipString(i + 1);
        if (i < 0) return -1;
        i = ws(i);
        if (ch(i) !== 58) return -1;
        i = skipValue(i + 1, depth + 1);
        if (i < 0) return -1;
        i = ws(i);
        const d = ch(i);
        if (d === 125) return i + 1;
        if (d !== 44) return -1;
        i = ws(i + 1);
      }
    }
    case 91: {
      if (depth >= MAX_DEPTH) return -1;
      i = ws(i + 1);
      if (ch(i) === 93) return i + 1;
      for (;;) {
        i = skipValue(i, depth + 1);
        if (i < 0) return -1;
        i = ws(i);
        const d = ch(i);
        if (d === 93) return i + 1;
        if (d !== 44) return -1;
        i++;
      }
    }
    case 116:
      return skipWord(i, TRUE);
    case 102:
      return skipWord(i, FALSE);
    case 110:
      return skipWord(i, NULL);
    default:
      return c === 45 || (c >= 48 && c <= 57) ? skipNumber(i) : -1;
  }
}

/** The last value read by readInteger, readDigits or readDecimal (one per thread; read it before the next read). */
export const read = {
  /** readInteger's and readDigits' value; readDecimal's mantissa (see fixedAt). */
  v: 0,
  /** readDecimal's fraction digits, trailing zeros left out. */
  f: 0,
  /** The text read: [start, end). */
  start: 0,
  end: 0,
};

/**
 * Digits from `i` as a safe integer into read.v (read.start/end: the digits); the index after
 * them, or -1 when there are none or the value passes 2^53 − 1. Leading zeros are read as zeros.
 */
export function readDigits(i: number): number {
  const u = units;
  const start = i;
  let v = 0;
  let c = u[i] - 48;
  while (c >= 0 && c <= 9) {
    // Exact while at most 2^53 − 1; a true value past it cannot round to at most that (2^53 is a float).
    v = v * 10 + c;
    if (v > Number.MAX_SAFE_INTEGER) return -1;
    c = u[++i] - 48;
  }
  if (i === start) return -1;
  read.v = v;
  read.start = start;
  read.end = i;
  return i;
}

/**
 * A JSON number at `i` that is a plain integer and a safe one, into read.v; the index after it.
 * -1 for anything else — a fraction, an exponent, -0, a leading zero, past 2^53 − 1, not a number —
 * which the caller declines (JSON.parse may well read it).
 */
export function readInteger(i: number): number {
  const neg = ch(i) === 45;
  if (neg) i++;
  const j = readDigits(i);
  if (j < 0 || (neg && read.v === 0)) return -1; // -0: no safe integer JSON.parse gives back as written
  const after = ch(j);
  if (after === 46 || after === 101 || after === 69) return -1;
  if (ch(i) === 48 && j - i > 1) return -1; // JSON has no leading zeros
  if (neg) read.v = -read.v;
  return j;
}

/**
 * From just after an opening quote: decimal text as venues send it (digits, optionally a point and
 * digits: the grammar of core/fixed.ts isUnsignedDecimal) of at most 64 characters, then the
 * closing quote. Sets read.v and read.f (see fixedAt) and read.start/end (the text); the index
 * after the quote, or -1 for anything else or a mantissa past exact range.
 */
export function readDecimal(i: number): number {
  const u = units;
  const start = i;
  let m = 0;
  let c = u[i] - 48;
  while (c >= 0 && c <= 9) {
    if (m > ACC_LIMIT) return -1;
    m = m * 10 + c;
    c = u[++i] - 48;
  }
  if (i === start) return -1;
  let f = 0;
  if (c === 46 - 48) {
    const fracStart = ++i;
    let zeros = 0;
    c = u[i] - 48;
    while (c >= 0 && c <= 9) {
      if (c === 0) zeros++;
      else {
        for (; zeros > 0; zeros--) {
          if (m > ACC_LIMIT) return -1;
          m *= 10;
          f++;
        }
        if (m > ACC_LIMIT) return -1;
        m = m * 10 + c;
        f++;
      }
      c = u[++i] - 48;
    }
    if (i === fracStart) return -1;
  }
  if (c !== 34 - 48 || i - start > 64) return -1;
  read.v = m;
  read.f = f;
  read.start = start;
  read.end = i;
  return i + 1;
}
