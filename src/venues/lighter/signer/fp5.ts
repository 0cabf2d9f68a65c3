// Quintic extension Fp5 = Fp[X]/(X^5 − 3). An element is a Float64Array(10):
// [lo0, hi0, lo1, hi1, …, lo4, hi4], limb 0 least significant (the serialisation order).
import { reduceColumns, mul, add, sub, mulSmall, inv, pow, setInt, toBigInt, P } from './goldilocks.js';

export type Fp5 = Float64Array;

const TWO32 = 4294967296;
const INV_TWO32 = 1 / TWO32;
const INV_TWO16 = 1 / 65536;

export function fp5(): Fp5 {
  return new Float64Array(10);
}

export function fp5From(limbs: readonly (bigint | number)[]): Fp5 {
  const r = fp5();
  for (let i = 0; i < 5; i++) setInt(r, 2 * i, limbs[i] ?? 0);
  return r;
}

export function fp5Copy(out: Fp5, a: Fp5): void {
  out.set(a);
}

export function fp5IsZero(a: Fp5): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return true;
}

export function fp5Equal(a: Fp5, b: Fp5): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fp5Add(out: Fp5, a: Fp5, b: Fp5): void {
  for (let i = 0; i < 10; i += 2) add(out, i, a, i, b, i);
}

export function fp5Sub(out: Fp5, a: Fp5, b: Fp5): void {
  for (let i = 0; i < 10; i += 2) sub(out, i, a, i, b, i);
}

const ZERO = fp5();
export function fp5Neg(out: Fp5, a: Fp5): void {
  fp5Sub(out, ZERO, a);
}

export function fp5MulSmall(out: Fp5, a: Fp5, k: number): void {
  for (let i = 0; i < 10; i += 2) mulSmall(out, i, a, i, k);
}

/** out = a · (k·X) for small k: a shift of the limbs with the wrap-around multiplied by 3. */
export function fp5MulSmallX(out: Fp5, a: Fp5, k: number): void {
  const l4 = a[8]!,
    h4 = a[9]!;
  for (let i = 8; i >= 2; i -= 2) mulSmall(out, i, a, i - 2, k);
  reduceColumns(out, 0, l4 * 3 * k, 0, h4 * 3 * k, 0);
}

export function fp5Square(out: Fp5, a: Fp5): void {
  fp5Mul(out, a, a);
}

// ω = FP5_DTH_ROOT, a primitive 5th root of unity: φ^k(x)_i = x_i · ω^(k·i)
const OMEGA_POW = new Float64Array(10);
{
  const w = new Float64Array(2);
  setInt(w, 0, 1041288259238279555n);
  OMEGA_POW[0] = 1;
  OMEGA_POW[1] = 0;
  for (let i = 1; i < 5; i++) mul(OMEGA_POW, 2 * i, OMEGA_POW, 2 * (i - 1), w, 0);
}

/** out = φ^k(a) (Frobenius applied k times, k in 1..4). */
export function fp5Frobenius(out: Fp5, a: Fp5, k: number): void {
  out[0] = a[0]!;
  out[1] = a[1]!;
  for (let i = 1; i < 5; i++) mul(out, 2 * i, a, 2 * i, OMEGA_POW, 2 * ((k * i) % 5));
}

const invD = fp5(),
  invE = fp5(),
  invT = fp5(),
  invN = new Float64Array(8);

/** Norm of a down to Fp, and leaves f = φ(a)φ²(a)φ³(a)φ⁴(a) in invE. */
function normInto(outN: Float64Array, a: Fp5): void {
  fp5Frobenius(invD, a, 1); // d = φ(a)
  fp5Frobenius(invT, invD, 1); // φ(d)
  fp5Mul(invE, invD, invT); // e = d·φ(d) = φ(a)φ²(a)
  fp5Frobenius(invT, invE, 2); // φ²(e)
  fp5Mul(invE, invE, invT); // f = e·φ²(e)
  // n = a0 f0 + 3(a1 f4 + a2 f3 + a3 f2 + a4 f1)
  mul(invN, 0, a, 0, invE, 0);
  mul(invN, 2, a, 2, invE, 8);
  mul(invN, 4, a, 4, invE, 6);
  add(invN, 2, invN, 2, invN, 4);
  mul(invN, 4, a, 6, invE, 4);
  add(invN, 2, invN, 2, invN, 4);
  mul(invN, 4, a, 8, invE, 2);
  add(invN, 2, invN, 2, invN, 4);
  mulSmall(invN, 2, invN, 2, 3);
  add(outN, 0, invN, 0, invN, 2);
}

/** out = a⁻¹ (0 for 0). */
export function fp5Inverse(out: Fp5, a: Fp5): void {
  const n = new Float64Array(2);
  normInto(n, a);
  inv(n, 0, n, 0);
  for (let i = 0; i < 10; i += 2) mul(out, i, invE, i, n, 0);
}

/** Legendre symbol of a in Fp5: 1 square, −1 non-square, 0 zero (via the norm to Fp). */
export function fp5Legendre(a: Fp5): number {
  const n = new Float64Array(2);
  normInto(n, a);
  pow(n, 0, n, 0, (P - 1n) / 2n);
  if (n[0] === 0 && n[1] === 0) return 0;
  return n[0] === 1 && n[1] === 0 ? 1 : -1;
}

export function fp5Pow(out: Fp5, a: Fp5, e: bigint): void {
  const r = fp5From([1n]);
  const b = fp5();
  b.set(a);
  while (e > 0n) {
    if (e & 1n) fp5Mul(r, r, b);
    fp5Mul(b, b, b);
    e >>= 1n;
  }
  out.set(r);
}

// Tonelli–Shanks in Fp5: q − 1 = 2^32 · Q with Q odd; 7 generates Fp* so it is a non-square
// in Fp and therefore in the odd-degree extension Fp5.
const Q5 = P ** 5n;
const TS_S = 32;
const TS_Q = (Q5 - 1n) >> 32n;
const TS_Z = fp5();
fp5Pow(TS_Z, fp5From([7n]), TS_Q);

/** Some square root of a, or false when a is not a square. */
export function fp5Sqrt(out: Fp5, a: Fp5): boolean {
  if (fp5IsZero(a)) {
    out.fill(0);
    return true;
  }
  if (fp5Legendre(a) !== 1) return false;
  let m = TS_S;
  const c = fp5();
  c.set(TS_Z);
  const t = fp5();
  fp5Pow(t, a, TS_Q);
  const r = fp5();
  fp5Pow(r, a, (TS_Q + 1n) / 2n);
  const one = fp5From([1n]);
  const tmp = fp5();
  const b = fp5();
  while (!fp5Equal(t, one)) {
    let i = 0;
    tmp.set(t);
    while (!fp5Equal(tmp, one)) {
      fp5Mul(tmp, tmp, tmp);
      i++;
      if (i === m) return false;
    }
    b.set(c);
    for (let j = 0; j < m - i - 1; j++) fp5Mul(b, b, b);
    m = i;
    fp5Mul(c, b, b);
    fp5Mul(t, t, c);
    fp5Mul(r, r, b);
  }
  out.set(r);
  return true;
}

export function fp5ToBytes(a: Fp5, out: Uint8Array = new Uint8Array(40), offset = 0): Uint8Array {
  for (let i = 0; i < 5; i++) {
    const lo = a[2 * i]!,
      hi = a[2 * i + 1]!;
    const o = offset + 8 * i;
    out[o] = lo & 0xff;
    out[o + 1] = (lo >>> 8) & 0xff;
    out[o + 2] = (lo >>> 16) & 0xff;
    out[o + 3] = lo >>> 24;
    out[o + 4] = hi & 0xff;
    out[o + 5] = (hi >>> 8) & 0xff;
    out[o + 6] = (hi >>> 16) & 0xff;
    out[o + 7] = hi >>> 24;
  }
  return out;
}

/** Reads five 8-byte little-endian limbs; a limb ≥ p is taken mod p (as the Go code accepts it). */
export function fp5FromBytes(bytes: Uint8Array, offset = 0): Fp5 {
  const r = fp5();
  for (let i = 0; i < 5; i++) {
    const o = offset + 8 * i;
    const lo = (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
    const hi = (bytes[o + 4]! | (bytes[o + 5]! << 8) | (bytes[o + 6]! << 16) | (bytes[o + 7]! << 24)) >>> 0;
    // reduce a possibly non-canonical limb
    reduceColumns(r, 2 * i, lo, 0, hi, 0);
  }
  return r;
}

export function fp5ToBigInts(a: Fp5): bigint[] {
  const r: bigint[] = [];
  for (let i = 0; i < 5; i++) r.push(toBigInt(a, 2 * i));
  return r;
}

/**
 * out = a · b in Fp5 (aliasing allowed). Generated and unrolled: a is split into 32-bit halves and
 * b into 16-bit limbs (pre-multiplied by 3 = W for the wrapped terms), so each of the six column
 * sums of an output limb stays below 2^53 (≤ 26·2^48). The columns are carried in 16-bit steps and
 * folded with 2^64 ≡ 2^32 − 1, 2^80 ≡ 2^48 − 2^16, 2^96 ≡ −1, inline: a call per limb would box
 * the sums.
 */
export function fp5Mul(out: Float64Array, a: Float64Array, b: Float64Array): void {
  const al0 = a[0]!,
    ah0 = a[1]!,
    bl0 = b[0]!,
    bh0 = b[1]!;
  const b0_0 = bl0 & 0xffff,
    b0_1 = bl0 >>> 16,
    b0_2 = bh0 & 0xffff,
    b0_3 = bh0 >>> 16;
  const al1 = a[2]!,
    ah1 = a[3]!,
    bl1 = b[2]!,
    bh1 = b[3]!;
  const b1_0 = bl1 & 0xffff,
    b1_1 = bl1 >>> 16,
    b1_2 = bh1 & 0xffff,
    b1_3 = bh1 >>> 16;
  const al2 = a[4]!,
    ah2 = a[5]!,
    bl2 = b[4]!,
    bh2 = b[5]!;
  const b2_0 = bl2 & 0xffff,
    b2_1 = bl2 >>> 16,
    b2_2 = bh2 & 0xffff,
    b2_3 = bh2 >>> 16;
  const al3 = a[6]!,
    ah3 = a[7]!,
    bl3 = b[6]!,
    bh3 = b[7]!;
  const b3_0 = bl3 & 0xffff,
    b3_1 = bl3 >>> 16,
    b3_2 = bh3 & 0xffff,
    b3_3 = bh3 >>> 16;
  const al4 = a[8]!,
    ah4 = a[9]!,
    bl4 = b[8]!,
    bh4 = b[9]!;
  const b4_0 = bl4 & 0xffff,
    b4_1 = bl4 >>> 16,
    b4_2 = bh4 & 0xffff,
    b4_3 = bh4 >>> 16;
  const t1_0 = 3 * b1_0,
    t1_1 = 3 * b1_1,
    t1_2 = 3 * b1_2,
    t1_3 = 3 * b1_3;
  const t2_0 = 3 * b2_0,
    t2_1 = 3 * b2_1,
    t2_2 = 3 * b2_2,
    t2_3 = 3 * b2_3;
  const t3_0 = 3 * b3_0,
    t3_1 = 3 * b3_1,
    t3_2 = 3 * b3_2,
    t3_3 = 3 * b3_3;
  const t4_0 = 3 * b4_0,
    t4_1 = 3 * b4_1,
    t4_2 = 3 * b4_2,
    t4_3 = 3 * b4_3;
  let q = 0,
    v = 0,
    l0 = 0,
    l1 = 0,
    l2 = 0,
    l3 = 0,
    l4 = 0,
    lo = 0,
    hi = 0,
    c = 0;
  // limb 0
  v = al0 * b0_0 + al1 * t4_0 + al2 * t3_0 + al3 * t2_0 + al4 * t1_0;
  q = Math.floor(v * INV_TWO16);
  l0 = v - q * 65536;
  v = al0 * b0_1 + al1 * t4_1 + al2 * t3_1 + al3 * t2_1 + al4 * t1_1 + q;
  q = Math.floor(v * INV_TWO16);
  l1 = v - q * 65536;
  v = ah0 * b0_0 + al0 * b0_2 + ah1 * t4_0 + al1 * t4_2 + ah2 * t3_0 + al2 * t3_2 + ah3 * t2_0 + al3 * t2_2 + ah4 * t1_0 + al4 * t1_2 + q;
  q = Math.floor(v * INV_TWO16);
  l2 = v - q * 65536;
  v = ah0 * b0_1 + al0 * b0_3 + ah1 * t4_1 + al1 * t4_3 + ah2 * t3_1 + al2 * t3_3 + ah3 * t2_1 + al3 * t2_3 + ah4 * t1_1 + al4 * t1_3 + q;
  q = Math.floor(v * INV_TWO16);
  l3 = v - q * 65536;
  v = ah0 * b0_2 + ah1 * t4_2 + ah2 * t3_2 + ah3 * t2_2 + ah4 * t1_2 + q;
  q = Math.floor(v * INV_TWO16);
  l4 = v - q * 65536;
  v = ah0 * b0_3 + ah1 * t4_3 + ah2 * t3_3 + ah3 * t2_3 + ah4 * t1_3 + q;
  q = Math.floor(v * INV_TWO16);
  v -= q * 65536; // l5
  lo = l0 + (l1 - v) * 65536 - l4 - q;
  hi = l2 + (l3 + v) * 65536 + l4;
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
    c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    c = Math.floor(hi * INV_TWO32);
    if (c === 0) break;
    hi -= c * TWO32;
    lo -= c;
    hi += c;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  const r0lo = lo,
    r0hi = hi;
  // limb 1
  v = al0 * b1_0 + al1 * b0_0 + al2 * t4_0 + al3 * t3_0 + al4 * t2_0;
  q = Math.floor(v * INV_TWO16);
  l0 = v - q * 65536;
  v = al0 * b1_1 + al1 * b0_1 + al2 * t4_1 + al3 * t3_1 + al4 * t2_1 + q;
  q = Math.floor(v * INV_TWO16);
  l1 = v - q * 65536;
  v = ah0 * b1_0 + al0 * b1_2 + ah1 * b0_0 + al1 * b0_2 + ah2 * t4_0 + al2 * t4_2 + ah3 * t3_0 + al3 * t3_2 + ah4 * t2_0 + al4 * t2_2 + q;
  q = Math.floor(v * INV_TWO16);
  l2 = v - q * 65536;
  v = ah0 * b1_1 + al0 * b1_3 + ah1 * b0_1 + al1 * b0_3 + ah2 * t4_1 + al2 * t4_3 + ah3 * t3_1 + al3 * t3_3 + ah4 * t2_1 + al4 * t2_3 + q;
  q = Math.floor(v * INV_TWO16);
  l3 = v - q * 65536;
  v = ah0 * b1_2 + ah1 * b0_2 + ah2 * t4_2 + ah3 * t3_2 + ah4 * t2_2 + q;
  q = Math.floor(v * INV_TWO16);
  l4 = v - q * 65536;
  v = ah0 * b1_3 + ah1 * b0_3 + ah2 * t4_3 + ah3 * t3_3 + ah4 * t2_3 + q;
  q = Math.floor(v * INV_TWO16);
  v -= q * 65536; // l5
  lo = l0 + (l1 - v) * 65536 - l4 - q;
  hi = l2 + (l3 + v) * 65536 + l4;
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
    c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    c = Math.floor(hi * INV_TWO32);
    if (c === 0) break;
    hi -= c * TWO32;
    lo -= c;
    hi += c;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  const r1lo = lo,
    r1hi = hi;
  // limb 2
  v = al0 * b2_0 + al1 * b1_0 + al2 * b0_0 + al3 * t4_0 + al4 * t3_0;
  q = Math.floor(v * INV_TWO16);
  l0 = v - q * 65536;
  v = al0 * b2_1 + al1 * b1_1 + al2 * b0_1 + al3 * t4_1 + al4 * t3_1 + q;
  q = Math.floor(v * INV_TWO16);
  l1 = v - q * 65536;
  v = ah0 * b2_0 + al0 * b2_2 + ah1 * b1_0 + al1 * b1_2 + ah2 * b0_0 + al2 * b0_2 + ah3 * t4_0 + al3 * t4_2 + ah4 * t3_0 + al4 * t3_2 + q;
  q = Math.floor(v * INV_TWO16);
  l2 = v - q * 65536;
  v = ah0 * b2_1 + al0 * b2_3 + ah1 * b1_1 + al1 * b1_3 + ah2 * b0_1 + al2 * b0_3 + ah3 * t4_1 + al3 * t4_3 + ah4 * t3_1 + al4 * t3_3 + q;
  q = Math.floor(v * INV_TWO16);
  l3 = v - q * 65536;
  v = ah0 * b2_2 + ah1 * b1_2 + ah2 * b0_2 + ah3 * t4_2 + ah4 * t3_2 + q;
  q = Math.floor(v * INV_TWO16);
  l4 = v - q * 65536;
  v = ah0 * b2_3 + ah1 * b1_3 + ah2 * b0_3 + ah3 * t4_3 + ah4 * t3_3 + q;
  q = Math.floor(v * INV_TWO16);
  v -= q * 65536; // l5
  lo = l0 + (l1 - v) * 65536 - l4 - q;
  hi = l2 + (l3 + v) * 65536 + l4;
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
    c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    c = Math.floor(hi * INV_TWO32);
    if (c === 0) break;
    hi -= c * TWO32;
    lo -= c;
    hi += c;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  const r2lo = lo,
    r2hi = hi;
  // limb 3
  v = al0 * b3_0 + al1 * b2_0 + al2 * b1_0 + al3 * b0_0 + al4 * t4_0;
  q = Math.floor(v * INV_TWO16);
  l0 = v - q * 65536;
  v = al0 * b3_1 + al1 * b2_1 + al2 * b1_1 + al3 * b0_1 + al4 * t4_1 + q;
  q = Math.floor(v * INV_TWO16);
  l1 = v - q * 65536;
  v = ah0 * b3_0 + al0 * b3_2 + ah1 * b2_0 + al1 * b2_2 + ah2 * b1_0 + al2 * b1_2 + ah3 * b0_0 + al3 * b0_2 + ah4 * t4_0 + al4 * t4_2 + q;
  q = Math.floor(v * INV_TWO16);
  l2 = v - q * 65536;
  v = ah0 * b3_1 + al0 * b3_3 + ah1 * b2_1 + al1 * b2_3 + ah2 * b1_1 + al2 * b1_3 + ah3 * b0_1 + al3 * b0_3 + ah4 * t4_1 + al4 * t4_3 + q;
  q = Math.floor(v * INV_TWO16);
  l3 = v - q * 65536;
  v = ah0 * b3_2 + ah1 * b2_2 + ah2 * b1_2 + ah3 * b0_2 + ah4 * t4_2 + q;
  q = Math.floor(v * INV_TWO16);
  l4 = v - q * 65536;
  v = ah0 * b3_3 + ah1 * b2_3 + ah2 * b1_3 + ah3 * b0_3 + ah4 * t4_3 + q;
  q = Math.floor(v * INV_TWO16);
  v -= q * 65536; // l5
  lo = l0 + (l1 - v) * 65536 - l4 - q;
  hi = l2 + (l3 + v) * 65536 + l4;
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
    c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    c = Math.floor(hi * INV_TWO32);
    if (c === 0) break;
    hi -= c * TWO32;
    lo -= c;
    hi += c;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  const r3lo = lo,
    r3hi = hi;
  // limb 4
  v = al0 * b4_0 + al1 * b3_0 + al2 * b2_0 + al3 * b1_0 + al4 * b0_0;
  q = Math.floor(v * INV_TWO16);
  l0 = v - q * 65536;
  v = al0 * b4_1 + al1 * b3_1 + al2 * b2_1 + al3 * b1_1 + al4 * b0_1 + q;
  q = Math.floor(v * INV_TWO16);
  l1 = v - q * 65536;
  v = ah0 * b4_0 + al0 * b4_2 + ah1 * b3_0 + al1 * b3_2 + ah2 * b2_0 + al2 * b2_2 + ah3 * b1_0 + al3 * b1_2 + ah4 * b0_0 + al4 * b0_2 + q;
  q = Math.floor(v * INV_TWO16);
  l2 = v - q * 65536;
  v = ah0 * b4_1 + al0 * b4_3 + ah1 * b3_1 + al1 * b3_3 + ah2 * b2_1 + al2 * b2_3 + ah3 * b1_1 + al3 * b1_3 + ah4 * b0_1 + al4 * b0_3 + q;
  q = Math.floor(v * INV_TWO16);
  l3 = v - q * 65536;
  v = ah0 * b4_2 + ah1 * b3_2 + ah2 * b2_2 + ah3 * b1_2 + ah4 * b0_2 + q;
  q = Math.floor(v * INV_TWO16);
  l4 = v - q * 65536;
  v = ah0 * b4_3 + ah1 * b3_3 + ah2 * b2_3 + ah3 * b1_3 + ah4 * b0_3 + q;
  q = Math.floor(v * INV_TWO16);
  v -= q * 65536; // l5
  lo = l0 + (l1 - v) * 65536 - l4 - q;
  hi = l2 + (l3 + v) * 65536 + l4;
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
    c = Math.floor(lo * INV_TWO32);
    lo -= c * TWO32;
    hi += c;
    c = Math.floor(hi * INV_TWO32);
    if (c === 0) break;
    hi -= c * TWO32;
    lo -= c;
    hi += c;
  }
  if (hi === 0xffffffff && lo >= 1) {
    hi = 0;
    lo -= 1;
  }
  const r4lo = lo,
    r4hi = hi;
  out[0] = r0lo;
  out[1] = r0hi;
  out[2] = r1lo;
  out[3] = r1hi;
  out[4] = r2lo;
  out[5] = r2hi;
  out[6] = r3lo;
  out[7] = r3hi;
  out[8] = r4lo;
  out[9] = r4hi;
}
