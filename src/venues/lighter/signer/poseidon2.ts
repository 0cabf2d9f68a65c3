// Poseidon2 permutation (width 12, x^7 S-box) and the no-padding sponge Lighter hashes with.
// The state is a Float64Array(24) of (lo, hi) pairs; see goldilocks.ts for the representation.
import { setInt } from './goldilocks.js';

const TWO32 = 4294967296;
const INV_TWO32 = 1 / TWO32;
const INV_TWO16 = 1 / 65536;
import { EXTERNAL_ROUND_CONSTANTS, INTERNAL_ROUND_CONSTANTS, INTERNAL_DIAGONAL } from './poseidon2_constants.js';

export const WIDTH = 12;
export const RATE = 8;

const RC_EXT = new Float64Array(8 * 24);
EXTERNAL_ROUND_CONSTANTS.forEach((row, r) => row.forEach((c, i) => setInt(RC_EXT, r * 24 + 2 * i, c)));
const RC_INT = new Float64Array(22 * 2);
INTERNAL_ROUND_CONSTANTS.forEach((c, r) => setInt(RC_INT, 2 * r, c));
// the diagonal as 16-bit limbs, ready for the fused multiply-add of the internal layer
const DIAG_LIMBS = new Float64Array(48);
{
  const d = new Float64Array(24);
  INTERNAL_DIAGONAL.forEach((c, i) => setInt(d, 2 * i, c));
  for (let i = 0; i < 12; i++) {
    const lo = d[2 * i]!,
      hi = d[2 * i + 1]!;
    DIAG_LIMBS[4 * i] = lo & 0xffff;
    DIAG_LIMBS[4 * i + 1] = lo >>> 16;
    DIAG_LIMBS[4 * i + 2] = hi & 0xffff;
    DIAG_LIMBS[4 * i + 3] = hi >>> 16;
  }
}

/**
 * lane ← (lane + rc)^7, with the four products inlined on locals (generated): storing and
 * reloading every intermediate through the state array costs as much as the arithmetic. The
 * intermediates may be ≥ p (only < 2^64 matters for the limb split); the result is canonical.
 */
function addRoundConstantAndSbox(s: Float64Array, i: number, rc: Float64Array, ri: number): void {
  let xl = s[i]! + rc[ri]!;
  let xh = s[i + 1]! + rc[ri + 1]!;
  // branch-free carries (see add in goldilocks.ts); the sum may stay ≥ p, which the products allow
  const c = Math.floor(xl * INV_TWO32);
  xl -= c * TWO32;
  xh += c;
  const t = Math.floor(xh * INV_TWO32);
  xh += t - t * TWO32;
  xl -= t;
  const d = Math.floor(xl * INV_TWO32);
  xl -= d * TWO32;
  xh += d;
  let x2l = 0,
    x2h = 0,
    x3l = 0,
    x3h = 0,
    x4l = 0,
    x4h = 0,
    x7l = 0,
    x7h = 0;
  {
    const a0 = xl & 0xffff,
      a1 = xl >>> 16,
      a2 = xh & 0xffff,
      a3 = xh >>> 16;
    const b0 = a0,
      b1 = a1,
      b2 = a2,
      b3 = a3;
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
    x2l = l0 + l1 * 65536 - q;
    x2h = l2 + l3 * 65536 + q;
    for (;;) {
      const c = Math.floor(x2l * INV_TWO32);
      x2l -= c * TWO32;
      x2h += c;
      const t = Math.floor(x2h * INV_TWO32);
      if (t === 0) break;
      x2h -= t * TWO32;
      x2l -= t;
      x2h += t;
    }
  }
  {
    const a0 = x2l & 0xffff,
      a1 = x2l >>> 16,
      a2 = x2h & 0xffff,
      a3 = x2h >>> 16;
    const b0 = xl & 0xffff,
      b1 = xl >>> 16,
      b2 = xh & 0xffff,
      b3 = xh >>> 16;
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
    x3l = l0 + l1 * 65536 - q;
    x3h = l2 + l3 * 65536 + q;
    for (;;) {
      const c = Math.floor(x3l * INV_TWO32);
      x3l -= c * TWO32;
      x3h += c;
      const t = Math.floor(x3h * INV_TWO32);
      if (t === 0) break;
      x3h -= t * TWO32;
      x3l -= t;
      x3h += t;
    }
  }
  {
    const a0 = x2l & 0xffff,
      a1 = x2l >>> 16,
      a2 = x2h & 0xffff,
      a3 = x2h >>> 16;
    const b0 = a0,
      b1 = a1,
      b2 = a2,
      b3 = a3;
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
    x4l = l0 + l1 * 65536 - q;
    x4h = l2 + l3 * 65536 + q;
    for (;;) {
      const c = Math.floor(x4l * INV_TWO32);
      x4l -= c * TWO32;
      x4h += c;
      const t = Math.floor(x4h * INV_TWO32);
      if (t === 0) break;
      x4h -= t * TWO32;
      x4l -= t;
      x4h += t;
    }
  }
  {
    const a0 = x3l & 0xffff,
      a1 = x3l >>> 16,
      a2 = x3h & 0xffff,
      a3 = x3h >>> 16;
    const b0 = x4l & 0xffff,
      b1 = x4l >>> 16,
      b2 = x4h & 0xffff,
      b3 = x4h >>> 16;
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
    x7l = l0 + l1 * 65536 - q;
    x7h = l2 + l3 * 65536 + q;
    for (;;) {
      const c = Math.floor(x7l * INV_TWO32);
      x7l -= c * TWO32;
      x7h += c;
      const t = Math.floor(x7h * INV_TWO32);
      if (t === 0) break;
      x7h -= t * TWO32;
      x7l -= t;
      x7h += t;
    }
  }
  if (x7h === 0xffffffff && x7l >= 1) {
    x7h = 0;
    x7l -= 1;
  }
  s[i] = x7l;
  s[i + 1] = x7h;
}

const yLo = new Float64Array(12),
  yHi = new Float64Array(12);
function externalLayer(s: Float64Array): void {
  for (let b = 0; b < 3; b++) {
    const o = 8 * b;
    const l0 = s[o]!,
      h0 = s[o + 1]!,
      l1 = s[o + 2]!,
      h1 = s[o + 3]!;
    const l2 = s[o + 4]!,
      h2 = s[o + 5]!,
      l3 = s[o + 6]!,
      h3 = s[o + 7]!;
    const j = 4 * b;
    yLo[j] = 2 * l0 + 3 * l1 + l2 + l3;
    yHi[j] = 2 * h0 + 3 * h1 + h2 + h3;
    yLo[j + 1] = l0 + 2 * l1 + 3 * l2 + l3;
    yHi[j + 1] = h0 + 2 * h1 + 3 * h2 + h3;
    yLo[j + 2] = l0 + l1 + 2 * l2 + 3 * l3;
    yHi[j + 2] = h0 + h1 + 2 * h2 + 3 * h3;
    yLo[j + 3] = 3 * l0 + l1 + l2 + 2 * l3;
    yHi[j + 3] = 3 * h0 + h1 + h2 + 2 * h3;
  }
  for (let j = 0; j < 4; j++) {
    const sl = yLo[j]! + yLo[j + 4]! + yLo[j + 8]!;
    const sh = yHi[j]! + yHi[j + 4]! + yHi[j + 8]!;
    for (let b = 0; b < 3; b++) {
      const k = 4 * b + j;
      // value = lo + hi·2^32 with lo, hi < 28·2^32; fold 2^64 ≡ 2^32 − 1 inline
      let lo = yLo[k]! + sl;
      let hi = yHi[k]! + sh;
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
      s[2 * k] = lo;
      s[2 * k + 1] = hi;
    }
  }
}

function internalLayer(s: Float64Array): void {
  let sl = 0,
    sh = 0;
  for (let i = 0; i < 24; i += 2) {
    sl += s[i]!;
    sh += s[i + 1]!;
  }
  for (let i = 0; i < 12; i++) {
    const lo = s[2 * i]!,
      hi = s[2 * i + 1]!;
    const a0 = lo & 0xffff,
      a1 = lo >>> 16,
      a2 = hi & 0xffff,
      a3 = hi >>> 16;
    const b0 = DIAG_LIMBS[4 * i]!,
      b1 = DIAG_LIMBS[4 * i + 1]!,
      b2 = DIAG_LIMBS[4 * i + 2]!,
      b3 = DIAG_LIMBS[4 * i + 3]!;
    // lane · D_i + S as 16-bit-limb columns with S added at 2^0 and 2^32, reduced inline (see mul)
    const c4 = a1 * b3 + a2 * b2 + a3 * b1;
    const c5 = a2 * b3 + a3 * b2;
    let v = a0 * b0 - c4 - a3 * b3 + sl;
    let q = Math.floor(v * INV_TWO16);
    const l0 = v - q * 65536;
    v = a0 * b1 + a1 * b0 - c5 + q;
    q = Math.floor(v * INV_TWO16);
    const l1 = v - q * 65536;
    v = a0 * b2 + a1 * b1 + a2 * b0 + c4 + sh + q;
    q = Math.floor(v * INV_TWO16);
    const l2 = v - q * 65536;
    v = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + c5 + q;
    q = Math.floor(v * INV_TWO16);
    const l3 = v - q * 65536;
    let rl = l0 + l1 * 65536 - q;
    let rh = l2 + l3 * 65536 + q;
    for (;;) {
      const c = Math.floor(rl * INV_TWO32);
      rl -= c * TWO32;
      rh += c;
      const t = Math.floor(rh * INV_TWO32);
      if (t === 0) break;
      rh -= t * TWO32;
      rl -= t;
      rh += t;
    }
    if (rh === 0xffffffff && rl >= 1) {
      rh = 0;
      rl -= 1;
    }
    s[2 * i] = rl;
    s[2 * i + 1] = rh;
  }
}

function fullRound(s: Float64Array, r: number): void {
  const base = r * 24;
  for (let i = 0; i < 24; i += 2) addRoundConstantAndSbox(s, i, RC_EXT, base + i);
  externalLayer(s);
}

/** In-place Poseidon2 permutation of a 12-lane state. */
export function permute(s: Float64Array): void {
  externalLayer(s);
  for (let r = 0; r < 4; r++) fullRound(s, r);
  for (let r = 0; r < 22; r++) {
    addRoundConstantAndSbox(s, 0, RC_INT, 2 * r);
    internalLayer(s);
  }
  for (let r = 4; r < 8; r++) fullRound(s, r);
}

const sponge = new Float64Array(24);

/**
 * The state after the first block of the last input hashed with this memo. Transactions signed one
 * after the other for the same nonce (an order signed ahead per side, then the one actually sent)
 * share their first eight fields, so the later ones skip a permutation. Keyed by the exact block.
 */
export class FirstBlockMemo {
  readonly block = new Float64Array(2 * RATE);
  readonly state = new Float64Array(24);
  kept = false;
}

function absorbFirstBlock(input: Float64Array, memo: FirstBlockMemo): void {
  let same = memo.kept;
  for (let j = 0; same && j < 2 * RATE; j++) same = input[j] === memo.block[j];
  if (same) {
    sponge.set(memo.state);
    return;
  }
  for (let j = 0; j < 2 * RATE; j++) sponge[j] = memo.block[j] = input[j]!;
  permute(sponge);
  memo.state.set(sponge);
  memo.kept = true;
}

/**
 * HashNToMNoPad: absorbs `count` canonical elements (pairs in `input` from 0) by overwriting the
 * rate lanes chunk by chunk, then squeezes `outCount` elements into `out` (pairs from 0).
 */
export function hashNoPad(input: Float64Array, count: number, out: Float64Array, outCount: number, memo?: FirstBlockMemo): void {
  sponge.fill(0);
  let i = 0;
  if (memo !== undefined && count > RATE) {
    absorbFirstBlock(input, memo);
    i = RATE;
  }
  for (; i < count; i += RATE) {
    const n = Math.min(RATE, count - i);
    for (let j = 0; j < 2 * n; j++) sponge[j] = input[2 * i + j]!;
    permute(sponge);
  }
  let produced = 0;
  for (;;) {
    for (let j = 0; j < RATE && produced < outCount; j++, produced++) {
      out[2 * produced] = sponge[2 * j]!;
      out[2 * produced + 1] = sponge[2 * j + 1]!;
    }
    if (produced >= outCount) return;
    permute(sponge);
  }
}

/** HashToQuinticExtension: the first five sponge outputs as an Fp5 element (Float64Array(10)). */
export function hashToFp5(input: Float64Array, count: number, out: Float64Array, memo?: FirstBlockMemo): void {
  hashNoPad(input, count, out, 5, memo);
}
