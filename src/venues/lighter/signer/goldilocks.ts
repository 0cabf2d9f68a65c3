// Goldilocks field p = 2^64 - 2^32 + 1 without BigInt: an element is two uint32 halves (lo, hi)
// held in a Float64Array slot pair. Products are formed from 16-bit limbs so every partial
// product and column sum stays an exact double (< 2^53); 2^64 ≡ 2^32 − 1 folds the high part.

export const P = 0xffffffff00000001n;
const TWO32 = 4294967296;
const INV_TWO32 = 1 / TWO32;
const INV_TWO16 = 1 / 65536;

/**
 * Reduces value = r0 + r1·2^16 + r2·2^32 + r3·2^48 (each |ri| < 2^50, possibly negative)
 * to its canonical residue, written at out[o] (lo) and out[o+1] (hi).
 */
export function reduceColumns(out: Float64Array, o: number, r0: number, r1: number, r2: number, r3: number): void {
  let q = Math.floor(r0 * INV_TWO16);
  const l0 = r0 - q * 65536;
  let v = r1 + q;
  q = Math.floor(v * INV_TWO16);
  const l1 = v - q * 65536;
  v = r2 + q;
  q = Math.floor(v * INV_TWO16);
  const l2 = v - q * 65536;
  v = r3 + q;
  q = Math.floor(v * INV_TWO16);
  const l3 = v - q * 65536;
  // value ≡ lo + hi·2^32 + q·2^64 and 2^64 ≡ 2^32 − 1
  let lo = l0 + l1 * 65536 - q;
  let hi = l2 + l3 * 65536 + q;
  {
    // one unconditional fold first: the loop below then almost never repeats, so its branch predicts
    const c0 = Math.floor(lo * INV_TWO32);
    lo -= c0 * TWO32;
    hi += c0;
    const t0 = Math.floor(hi * INV_TWO32);
    hi -= t0 * TWO32;
    lo -= t0;
    hi += t0;
  }
  for (;;) {
    const c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    const t = Math.floor(hi * INV_TWO32);
    if (t === 0) break;
    hi -= t * TWO32;
    lo -= t;
    hi += t;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  out[o] = lo;
  out[o + 1] = hi;
}

/**
 * out[o] = a[ai] · b[bi] mod p (aliasing allowed): 16 products of 16-bit limbs (measured faster
 * here than 32 × 16 for a lone product), folded with 2^64 ≡ 2^32 − 1, 2^80 ≡ 2^48 − 2^16 and
 * 2^96 ≡ −1, then reduced inline (a call with double arguments that V8 does not inline boxes them).
 */
export function mul(out: Float64Array, o: number, a: Float64Array, ai: number, b: Float64Array, bi: number): void {
  const alo = a[ai]!,
    ahi = a[ai + 1]!,
    blo = b[bi]!,
    bhi = b[bi + 1]!;
  const a0 = alo & 0xffff,
    a1 = alo >>> 16,
    a2 = ahi & 0xffff,
    a3 = ahi >>> 16;
  const b0 = blo & 0xffff,
    b1 = blo >>> 16,
    b2 = bhi & 0xffff,
    b3 = bhi >>> 16;
  const c4 = a1 * b3 + a2 * b2 + a3 * b1;
  const c5 = a2 * b3 + a3 * b2;
  let v = a0 * b0 - c4 - a3 * b3;
  let q = Math.floor(v * INV_TWO16);
  const l0 = v - q * 65536;
  v = a0 * b1 + a1 * b0 - c5 + q;
  q = Math.floor(v * INV_TWO16);
  const l1 = v - q * 65536;
  v = a0 * b2 + a1 * b1 + a2 * b0 + c4 + q;
  q = Math.floor(v * INV_TWO16);
  const l2 = v - q * 65536;
  v = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + c5 + q;
  q = Math.floor(v * INV_TWO16);
  const l3 = v - q * 65536;
  let lo = l0 + l1 * 65536 - q;
  let hi = l2 + l3 * 65536 + q;
  {
    // one unconditional fold first: the loop below then almost never repeats, so its branch predicts
    const c0 = Math.floor(lo * INV_TWO32);
    lo -= c0 * TWO32;
    hi += c0;
    const t0 = Math.floor(hi * INV_TWO32);
    hi -= t0 * TWO32;
    lo -= t0;
    hi += t0;
  }
  for (;;) {
    const c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    const t = Math.floor(hi * INV_TWO32);
    if (t === 0) break;
    hi -= t * TWO32;
    lo -= t;
    hi += t;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  out[o] = lo;
  out[o + 1] = hi;
}

// add and sub are branch-free (carries through Math.floor): with random operands a compare-and-
// branch mispredicts half the time, which on k·G cost more than the arithmetic.
export function add(out: Float64Array, o: number, a: Float64Array, ai: number, b: Float64Array, bi: number): void {
  let lo = a[ai]! + b[bi]!;
  const c = Math.floor(lo * INV_TWO32);
  lo -= c * TWO32;
  let hi = a[ai + 1]! + b[bi + 1]! + c;
  // a carry out of 2^64 is replaced by its residue 2^32 − 1
  const t = Math.floor(hi * INV_TWO32);
  hi += t - t * TWO32;
  lo -= t;
  const d = Math.floor(lo * INV_TWO32);
  lo -= d * TWO32;
  hi += d;
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  out[o] = lo;
  out[o + 1] = hi;
}

export function sub(out: Float64Array, o: number, a: Float64Array, ai: number, b: Float64Array, bi: number): void {
  let lo = a[ai]! - b[bi]!;
  const c = Math.floor(lo * INV_TWO32);
  lo -= c * TWO32;
  let hi = a[ai + 1]! - b[bi + 1]! + c;
  // a borrow out of 2^64 (t = −1) adds p = 2^64 − 2^32 + 1
  const t = Math.floor(hi * INV_TWO32);
  hi += t - t * TWO32;
  lo -= t;
  const d = Math.floor(lo * INV_TWO32);
  lo -= d * TWO32;
  hi += d;
  out[o] = lo;
  out[o + 1] = hi;
}

/** out[o] = a[ai] · k for a small non-negative integer k (< 2^20). */
export function mulSmall(out: Float64Array, o: number, a: Float64Array, ai: number, k: number): void {
  let lo = a[ai]! * k;
  let hi = a[ai + 1]! * k;
  {
    // one unconditional fold first: the loop below then almost never repeats, so its branch predicts
    const c0 = Math.floor(lo * INV_TWO32);
    lo -= c0 * TWO32;
    hi += c0;
    const t0 = Math.floor(hi * INV_TWO32);
    hi -= t0 * TWO32;
    lo -= t0;
    hi += t0;
  }
  for (;;) {
    const c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    const t = Math.floor(hi * INV_TWO32);
    if (t === 0) break;
    hi -= t * TWO32;
    lo -= t;
    hi += t;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  out[o] = lo;
  out[o + 1] = hi;
}

/** Canonical (lo, hi) of a non-negative bigint or a JS integer; negatives as Go's uint64 cast. */
export function setInt(out: Float64Array, o: number, v: number | bigint): void {
  let x = typeof v === 'bigint' ? v : BigInt(v);
  x = BigInt.asUintN(64, x) % P;
  out[o] = Number(x & 0xffffffffn);
  out[o + 1] = Number(x >> 32n);
}

/** Fast path for safe non-negative integers (< 2^53 < p). */
export function setSafeInt(out: Float64Array, o: number, v: number): void {
  const hi = Math.floor(v * INV_TWO32);
  out[o] = v - hi * TWO32;
  out[o + 1] = hi;
}

export function toBigInt(a: Float64Array, ai: number): bigint {
  return (BigInt(a[ai + 1]!) << 32n) | BigInt(a[ai]!);
}

const tmp = new Float64Array(4);

/** out[o] = a[ai]^e for a bigint exponent (square-and-multiply). */
export function pow(out: Float64Array, o: number, a: Float64Array, ai: number, e: bigint): void {
  tmp[0] = 1;
  tmp[1] = 0;
  tmp[2] = a[ai]!;
  tmp[3] = a[ai + 1]!;
  while (e > 0n) {
    if (e & 1n) mul(tmp, 0, tmp, 0, tmp, 2);
    mul(tmp, 2, tmp, 2, tmp, 2);
    e >>= 1n;
  }
  out[o] = tmp[0]!;
  out[o + 1] = tmp[1]!;
}

// bits of p − 2, most significant first, so inversion needs no BigInt
const INV_BITS = Uint8Array.from((P - 2n).toString(2), (c) => (c === '1' ? 1 : 0));
const invTmp = new Float64Array(4);

/** Inverse (0 maps to 0, as InverseOrZero). */
export function inv(out: Float64Array, o: number, a: Float64Array, ai: number): void {
  invTmp[0] = 1;
  invTmp[1] = 0;
  invTmp[2] = a[ai]!;
  invTmp[3] = a[ai + 1]!;
  for (let i = 0; i < INV_BITS.length; i++) {
    mul(invTmp, 0, invTmp, 0, invTmp, 0);
    if (INV_BITS[i] === 1) mul(invTmp, 0, invTmp, 0, invTmp, 2);
  }
  out[o] = invTmp[0]!;
  out[o + 1] = invTmp[1]!;
}
