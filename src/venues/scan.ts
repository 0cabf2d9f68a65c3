// The tokenizer under the book-frame scanners (lighter/messages.ts scanLighterBook, backpack/
// messages.ts scanDepthEvent and scanDepthSnapshot): one pass over a frame's text with charCodeAt,
// reading the few fields a book needs straight into numbers, with no object, array or number string
// made on the way. A scanner either gives exactly what JSON.parse and the venue's parser give, or
// declines and its caller takes that path instead; so every reader here answers "I do not read this
// exactly" (false, NaN, -1) rather than guess. What JSON allows and the scanners must honour (RFC
// 8259): whitespace is space, tab, LF, CR only; strings hold no raw control characters and only the
// escapes \" \\ \/ \b \f \n \r \t \uXXXX; numbers are -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?; one
// value, with nothing but whitespace after it. A scanner never throws: every read checks its bounds.

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

/** A growing list of levels, each a price and a size as mantissa + fraction digits (see fixedAt). */
export class LevelBuffer {
  /** Per level: price mantissa, size mantissa. */
  m = new Float64Array(64);
  /** Per level: price fraction digits, size fraction digits. */
  f = new Uint8Array(64);
  /** Per level: the price's and the size's text [start, end) in the frame (Backpack keeps its rows as text). */
  at = new Int32Array(128);
  n = 0;

  clear(): void {
    this.n = 0;
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
  }
}

/** The cursor over one text, and the readers a schema is written with. */
export class Scanner {
  s = '';
  i = 0;
  n = 0;
  /** What decimal() read: mantissa, fraction digits (trailing zeros left out), text [start, end). */
  m = 0;
  f = 0;
  ds = 0;
  de = 0;

  reset(text: string): void {
    this.s = text;
    this.i = 0;
    this.n = text.length;
  }

  /** Skips whitespace; the next character's code, or -1 at the end (the cursor stays on it). */
  peek(): number {
    const s = this.s;
    const n = this.n;
    let i = this.i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else {
        this.i = i;
        return c;
      }
    }
    this.i = i;
    return -1;
  }

  /** Skips whitespace and then `code` if it is next; whether it was. */
  eat(code: number): boolean {
    if (this.peek() !== code) return false;
    this.i++;
    return true;
  }

  /** Only whitespace is left. */
  atEnd(): boolean {
    return this.peek() === -1;
  }

  /**
   * After an opening quote: a string without escapes; the cursor moves past its closing quote and
   * its content's end is returned (it started at the cursor as it was). -1 for an escape, a control
   * character or no closing quote (the caller declines).
   */
  plainString(): number {
    const s = this.s;
    const n = this.n;
    for (let i = this.i; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.i = i + 1;
        return i;
      }
      if (c === 92 || c < 32) return -1;
    }
    return -1;
  }

  /** Text [start, end) is `name`. */
  is(start: number, end: number, name: string): boolean {
    return end - start === name.length && this.s.startsWith(name, start);
  }

  /** After an opening quote: any valid string, escapes included, skipped; false when invalid. */
  skipString(): boolean {
    const s = this.s;
    const n = this.n;
    let i = this.i;
    while (i < n) {
      const c = s.charCodeAt(i++);
      if (c === 34) {
        this.i = i;
        return true;
      }
      if (c < 32) return false;
      if (c === 92) {
        if (i >= n) return false;
        const e = s.charCodeAt(i++);
        if (e === 117) {
          // \uXXXX: four hex digits
          if (i + 4 > n) return false;
          for (let k = 0; k < 4; k++) {
            const h = s.charCodeAt(i++);
            if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) return false;
          }
        } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) return false;
      }
    }
    return false;
  }

  /** Digits from `i`; the index after them. */
  private digits(i: number): number {
    const s = this.s;
    const n = this.n;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    return i;
  }

  /** Any valid JSON number at the cursor, skipped; false when it is not one. */
  skipNumber(): boolean {
    const s = this.s;
    let i = this.i;
    if (s.charCodeAt(i) === 45) i++;
    const c = s.charCodeAt(i);
    if (c === 48) i++;
    else if (c >= 49 && c <= 57) i = this.digits(i + 1);
    else return false;
    if (s.charCodeAt(i) === 46) {
      const j = this.digits(i + 1);
      if (j === i + 1) return false;
      i = j;
    }
    const e = s.charCodeAt(i);
    if (e === 101 || e === 69) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      const j = this.digits(i);
      if (j === i) return false;
      i = j;
    }
    this.i = i;
    return true;
  }

  /** Any valid JSON value at the cursor (after whitespace), skipped; false when invalid or nested past MAX_DEPTH. */
  skipValue(depth = 0): boolean {
    const c = this.peek();
    const s = this.s;
    switch (c) {
      case 34:
        this.i++;
        return this.skipString();
      case 123: {
        if (depth >= MAX_DEPTH) return false;
        this.i++;
        if (this.eat(125)) return true;
        for (;;) {
          if (!this.eat(34) || !this.skipString() || !this.eat(58) || !this.skipValue(depth + 1)) return false;
          const d = this.peek();
          this.i++;
          if (d === 125) return true;
          if (d !== 44) return false;
        }
      }
      case 91: {
        if (depth >= MAX_DEPTH) return false;
        this.i++;
        if (this.eat(93)) return true;
        for (;;) {
          if (!this.skipValue(depth + 1)) return false;
          const d = this.peek();
          this.i++;
          if (d === 93) return true;
          if (d !== 44) return false;
        }
      }
      case 116:
        return this.word(s, 'true');
      case 102:
        return this.word(s, 'false');
      case 110:
        return this.word(s, 'null');
      default:
        return c === 45 || (c >= 48 && c <= 57) ? this.skipNumber() : false;
    }
  }

  private word(s: string, w: string): boolean {
    if (!s.startsWith(w, this.i)) return false;
    this.i += w.length;
    return true;
  }

  /**
   * A JSON number at the cursor (after whitespace) that is a plain integer and a safe one (read
   * exactly, digit by digit): its value. NaN for anything else — a fraction, an exponent, -0, past
   * 2^53 − 1, not a number — which the caller declines (JSON.parse may well read it).
   */
  integer(): number {
    if (this.peek() === -1) return NaN;
    const s = this.s;
    let i = this.i;
    const neg = s.charCodeAt(i) === 45;
    if (neg) i++;
    const v = this.digitsValue(i);
    if (Number.isNaN(v) || (neg && v === 0)) return NaN; // -0 is no safe integer JSON.parse gives back as 0
    i = this.de;
    const after = s.charCodeAt(i);
    if (after === 46 || after === 101 || after === 69) return NaN;
    // JSON has no leading zeros: "01" is not a number.
    if (s.charCodeAt(this.ds) === 48 && i - this.ds > 1) return NaN;
    this.i = i;
    return neg ? -v : v;
  }

  /**
   * Digits from `i` as a safe integer (NaN when none, or past 2^53 − 1); ds/de are set to the
   * digits' [start, end). Leading zeros are read as zeros (the caller says whether they may be there).
   */
  digitsValue(i: number): number {
    const s = this.s;
    const n = this.n;
    const start = i;
    let v = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      // Exact while at most 2^53 − 1; a true value past it cannot round to at most that (2^53 is a float).
      v = v * 10 + c;
      if (v > Number.MAX_SAFE_INTEGER) return NaN;
    }
    if (i === start) return NaN;
    this.ds = start;
    this.de = i;
    return v;
  }

  /**
   * After an opening quote: decimal text as venues send it (digits, optionally a point and digits;
   * the grammar of core/fixed.ts isUnsignedDecimal) of at most 64 characters, then the closing
   * quote. Sets m and f (see fixedAt) and ds/de (the text), moves past the quote; false for anything
   * else, or a mantissa past exact range.
   */
  decimal(): boolean {
    const s = this.s;
    const n = this.n;
    const start = this.i;
    let i = start;
    let m = 0;
    let c = 0;
    for (; i < n; i++) {
      c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (m > ACC_LIMIT) return false;
      m = m * 10 + c;
    }
    if (i === start || i >= n) return false;
    let f = 0;
    if (c === 46 - 48) {
      const fracStart = ++i;
      let zeros = 0;
      for (; i < n; i++) {
        c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        if (c === 0) {
          zeros++;
          continue;
        }
        for (; zeros > 0; zeros--) {
          if (m > ACC_LIMIT) return false;
          m *= 10;
          f++;
        }
        if (m > ACC_LIMIT) return false;
        m = m * 10 + c;
        f++;
      }
      if (i === fracStart) return false;
    }
    if (i >= n || s.charCodeAt(i) !== 34 || i - start > 64) return false;
    this.m = m;
    this.f = f;
    this.ds = start;
    this.de = i;
    this.i = i + 1;
    return true;
  }
}
