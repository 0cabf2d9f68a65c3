// ECgFp5: the double-odd curve y² = x(x² + 2x + 263·X) over Fp5, in fractional (X:Z, U:T)
// coordinates with x = X/Z and u = x/y = U/T; the group law is Pornin's complete formula (no
// special cases, doubling included). Scalars live mod the prime group order n (BigInt: only a
// handful of scalar operations per signature, so they stay out of the hot path).
import { type Fp5, fp5, fp5From, fp5Add, fp5Sub, fp5Mul, fp5MulSmall, fp5MulSmallX, fp5Inverse, fp5IsZero, fp5Legendre, fp5Sqrt, fp5Copy, fp5Neg } from './fp5.js';

export const N = 1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241n;

export interface Point {
  x: Fp5;
  z: Fp5;
  u: Fp5;
  t: Fp5;
}

export function newPoint(): Point {
  return { x: fp5(), z: fp5From([1n]), u: fp5(), t: fp5From([1n]) };
}

export function setNeutral(p: Point): void {
  p.x.fill(0);
  p.z.fill(0);
  p.z[0] = 1;
  p.u.fill(0);
  p.t.fill(0);
  p.t[0] = 1;
}

export function copyPoint(out: Point, p: Point): void {
  fp5Copy(out.x, p.x);
  fp5Copy(out.z, p.z);
  fp5Copy(out.u, p.u);
  fp5Copy(out.t, p.t);
}

export const GENERATOR: Point = {
  x: fp5From([12883135586176881569n, 4356519642755055268n, 5248930565894896907n, 2165973894480315022n, 2448410071095648785n]),
  z: fp5From([1n]),
  u: fp5From([1n]),
  t: fp5From([4n]),
};

const B_COEF = 263; // b = 263·X

const a1 = fp5(),
  a2 = fp5(),
  a3 = fp5(),
  a4 = fp5(),
  a5 = fp5(),
  a6 = fp5(),
  a7 = fp5();
const a8 = fp5(),
  a9 = fp5(),
  a10 = fp5(),
  t1 = fp5(),
  t2 = fp5();

/** The shared tail of the complete formula once a1…a6 are known. */
function finishAdd(out: Point): void {
  fp5MulSmallX(t1, a2, B_COEF); // b·a2
  fp5Add(a7, a1, t1); // a7 = a1 + b·a2
  fp5Sub(t1, t1, a1); // b·a2 − a1
  fp5Mul(out.u, a6, t1); // U3 = a6·(b·a2 − a1)
  fp5Mul(a8, a4, a7); // a8 = a4·a7
  fp5MulSmallX(t2, a5, 2 * B_COEF); // 2b·a5
  fp5MulSmall(t1, a7, 2);
  fp5Add(t2, t2, t1);
  fp5Mul(a9, a3, t2); // a9 = a3·(2b·a5 + 2·a7)
  fp5MulSmall(t1, a3, 2);
  fp5Add(t1, t1, a4);
  fp5Add(t2, a5, a7);
  fp5Mul(a10, t1, t2); // a10 = (a4 + 2·a3)(a5 + a7)
  fp5Sub(t1, a10, a8);
  fp5MulSmallX(out.x, t1, B_COEF); // X3 = b·(a10 − a8)
  fp5Sub(out.z, a8, a9); // Z3 = a8 − a9
  fp5Add(out.t, a8, a9); // T3 = a8 + a9
}

/** out = p + q (out may alias p or q). */
export function addPoints(out: Point, p: Point, q: Point): void {
  fp5Mul(a1, p.x, q.x);
  fp5Mul(a2, p.z, q.z);
  fp5Mul(a3, p.u, q.u);
  fp5Mul(a4, p.t, q.t);
  fp5Add(t1, p.x, p.z);
  fp5Add(t2, q.x, q.z);
  fp5Mul(a5, t1, t2);
  fp5Sub(a5, a5, a1);
  fp5Sub(a5, a5, a2);
  fp5Add(t1, p.u, p.t);
  fp5Add(t2, q.u, q.t);
  fp5Mul(a6, t1, t2);
  fp5Sub(a6, a6, a3);
  fp5Sub(a6, a6, a4);
  finishAdd(out);
}

const ax = fp5(),
  au = fp5();
/**
 * out = p ± (x, u) for an affine point stored as 20 uint32 at table[offset] (Z = T = 1);
 * −(x, u) = (x, −u), so one table serves both signs of a window digit.
 */
function addAffine(out: Point, p: Point, table: Uint32Array, offset: number, negate: boolean): void {
  for (let i = 0; i < 10; i++) {
    ax[i] = table[offset + i]!;
    au[i] = table[offset + 10 + i]!;
  }
  if (negate) fp5Neg(au, au);
  fp5Mul(a1, p.x, ax);
  fp5Copy(a2, p.z);
  fp5Mul(a3, p.u, au);
  fp5Copy(a4, p.t);
  fp5Mul(a5, p.z, ax);
  fp5Add(a5, a5, p.x); // (X1+Z1)(x2+1) − a1 − a2
  fp5Mul(a6, p.t, au);
  fp5Add(a6, a6, p.u);
  finishAdd(out);
}

const encTmp = fp5();
/** w = T/U (0 for the neutral element): the canonical 40-byte public encoding. */
export function encodePoint(out: Fp5, p: Point): void {
  fp5Inverse(encTmp, p.u);
  fp5Mul(out, p.t, encTmp);
}

/** Decodes w into a point, or null when w encodes no group element. */
export function decodePoint(w: Fp5): Point | null {
  const p = newPoint();
  if (fp5IsZero(w)) {
    setNeutral(p);
    return p;
  }
  const e = fp5(),
    delta = fp5(),
    r = fp5(),
    x1 = fp5(),
    x2 = fp5();
  fp5Mul(e, w, w);
  fp5Sub(e, e, fp5From([2n])); // e = w² − a
  fp5Mul(delta, e, e);
  fp5MulSmallX(x1, fp5From([1n]), 4 * B_COEF);
  fp5Sub(delta, delta, x1); // Δ = e² − 4b
  if (!fp5Sqrt(r, delta)) return null;
  const half = fp5From([(0xffffffff00000001n + 1n) / 2n]);
  fp5Add(x1, e, r);
  fp5Mul(x1, x1, half);
  fp5Sub(x2, e, r);
  fp5Mul(x2, x2, half);
  // the group element is the root that is not a square
  fp5Copy(p.x, fp5Legendre(x1) === 1 ? x2 : x1);
  p.z.fill(0);
  p.z[0] = 1;
  p.u.fill(0);
  p.u[0] = 1;
  fp5Copy(p.t, w);
  return p;
}

// Fixed-base tables for k·G (and for keys a verifier sees often): window i (0…39) holds
// d·256^i·P for d = 1…128 in affine (x, u) as uint32, and k is recoded into signed byte digits
// in −127…128, so k·P is at most 40 mixed additions. Signed digits halve the table to 410 KB,
// which matters more than the arithmetic: random lookups into a table larger than the CPU cache
// cost more than the additions they save.
const ENTRY = 20;
const DIGITS = 128;
let FIXED_TABLE: Uint32Array | null = null;

/** Window table of d·256^i·P (d = 1…128, i = 0…39) in affine coordinates; P must not be N. */
export function buildFixedTable(point: Point): Uint32Array {
  const table = new Uint32Array(40 * DIGITS * ENTRY);
  const base = newPoint();
  copyPoint(base, point);
  const acc = newPoint();
  const zs: Fp5[] = [],
    ts: Fp5[] = [],
    xs: Fp5[] = [],
    us: Fp5[] = [];
  for (let d = 0; d < DIGITS; d++) {
    xs.push(fp5());
    zs.push(fp5());
    us.push(fp5());
    ts.push(fp5());
  }
  const prefix: Fp5[] = Array.from({ length: 2 * DIGITS }, () => fp5());
  const invAll = fp5(),
    tmp = fp5(),
    inv = fp5();
  const last = newPoint();
  for (let w = 0; w < 40; w++) {
    copyPoint(acc, base);
    for (let d = 0; d < DIGITS; d++) {
      fp5Copy(xs[d]!, acc.x);
      fp5Copy(zs[d]!, acc.z);
      fp5Copy(us[d]!, acc.u);
      fp5Copy(ts[d]!, acc.t);
      if (d === DIGITS - 1) copyPoint(last, acc);
      else addPoints(acc, acc, base);
    }
    addPoints(base, last, last); // 256·base
    // batch-invert the Z and T denominators (Montgomery's trick)
    const count = 2 * DIGITS;
    const dens = (j: number): Fp5 => (j < DIGITS ? zs[j]! : ts[j - DIGITS]!);
    fp5Copy(prefix[0]!, dens(0));
    for (let j = 1; j < count; j++) fp5Mul(prefix[j]!, prefix[j - 1]!, dens(j));
    fp5Inverse(invAll, prefix[count - 1]!);
    for (let j = count - 1; j >= 0; j--) {
      if (j > 0) fp5Mul(inv, invAll, prefix[j - 1]!);
      else fp5Copy(inv, invAll);
      fp5Mul(invAll, invAll, dens(j));
      const d = j < DIGITS ? j : j - DIGITS;
      const off = (w * DIGITS + d) * ENTRY + (j < DIGITS ? 0 : 10);
      fp5Mul(tmp, j < DIGITS ? xs[d]! : us[d]!, inv);
      for (let i = 0; i < 10; i++) table[off + i] = tmp[i]!;
    }
  }
  return table;
}

/** Builds the k·G table now rather than on the first signature (≈ 50 ms). */
export function warmUpFixedBase(): void {
  if (FIXED_TABLE === null) FIXED_TABLE = buildFixedTable(GENERATOR);
}

/** out = k·G for a scalar given as 40 little-endian bytes (k < 2^319). */
export function mulGenerator(out: Point, kLe: Uint8Array): void {
  if (FIXED_TABLE === null) FIXED_TABLE = buildFixedTable(GENERATOR);
  mulFixed(out, FIXED_TABLE, kLe);
}

/** out = k·P from P's window table (see buildFixedTable); k < 2^319, as every scalar mod n. */
export function mulFixed(out: Point, table: Uint32Array, kLe: Uint8Array): void {
  setNeutral(out);
  let carry = 0;
  for (let w = 0; w < 40; w++) {
    let d = kLe[w]! + carry;
    if (d > DIGITS) {
      d -= 256;
      carry = 1;
    } else carry = 0;
    if (d > 0) addAffine(out, out, table, (w * DIGITS + d - 1) * ENTRY, false);
    else if (d < 0) addAffine(out, out, table, (w * DIGITS - d - 1) * ENTRY, true);
  }
  if (carry !== 0) throw new RangeError('scalar for a fixed-base multiplication must be below 2^319');
}

/** out = k·P for any point (4-bit windows; used only by verification). */
export function mulPoint(out: Point, p: Point, kLe: Uint8Array): void {
  const table: Point[] = [newPoint()];
  setNeutral(table[0]!);
  for (let i = 1; i < 16; i++) {
    const q = newPoint();
    addPoints(q, table[i - 1]!, p);
    table.push(q);
  }
  const acc = newPoint();
  setNeutral(acc);
  for (let i = 79; i >= 0; i--) {
    for (let j = 0; j < 4; j++) addPoints(acc, acc, acc);
    const byte = kLe[i >> 1]!;
    const nib = i & 1 ? byte >>> 4 : byte & 15;
    if (nib !== 0) addPoints(acc, acc, table[nib]!);
  }
  copyPoint(out, acc);
}

export function scalarToLeBytes(k: bigint, out: Uint8Array = new Uint8Array(40), offset = 0): Uint8Array {
  // one hex conversion instead of 40 BigInt shifts: this runs on every signature
  const hex = k.toString(16).padStart(80, '0');
  for (let i = 0; i < 40; i++) out[offset + i] = parseInt(hex.substr(78 - 2 * i, 2), 16);
  return out;
}

export function scalarFromLeBytes(bytes: Uint8Array, offset = 0, length = 40): bigint {
  let hex = '';
  for (let i = offset + length - 1; i >= offset; i--) hex += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return BigInt('0x' + hex);
}
