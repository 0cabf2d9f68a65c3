// The limb arithmetic against BigInt as the oracle: Goldilocks and Fp5 products, sums,
// differences and inverses on random and edge values (near p, near 2^64, zero), Frobenius,
// square roots and point decoding round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mul, add, sub, mulSmall, inv, setInt, toBigInt, P } from '../../../../src/venues/lighter/signer/goldilocks.js';
import {
  fp5,
  fp5From,
  fp5Mul,
  fp5Add,
  fp5Sub,
  fp5Inverse,
  fp5Sqrt,
  fp5Legendre,
  fp5ToBigInts,
  fp5MulSmallX,
  fp5Frobenius,
  fp5Pow,
} from '../../../../src/venues/lighter/signer/fp5.js';
import { seededUint32 } from '../../../../src/core/prng.js';
import { GENERATOR, N, newPoint, mulGenerator, mulPoint, encodePoint, decodePoint, addPoints, scalarToLeBytes } from '../../../../src/venues/lighter/signer/curve.js';

const next = seededUint32(20261124);
const EDGES = [0n, 1n, 2n, P - 1n, P - 2n, (1n << 32n) - 1n, 1n << 32n, 1n << 63n, P - (1n << 32n), 0xffffffffn << 32n];
function randomElement(i: number): bigint {
  if (i < EDGES.length * EDGES.length) return EDGES[i % EDGES.length]!;
  return ((BigInt(next()) << 32n) | BigInt(next())) % P;
}

test('Goldilocks mul/add/sub/mulSmall/inv agree with BigInt', () => {
  const buf = new Float64Array(6);
  for (let i = 0; i < 20000; i++) {
    const x = i < 100 ? EDGES[i % 10]! : randomElement(1000 + i);
    const y = i < 100 ? EDGES[Math.floor(i / 10)]! : randomElement(2000 + i);
    setInt(buf, 0, x);
    setInt(buf, 2, y);
    mul(buf, 4, buf, 0, buf, 2);
    assert.equal(toBigInt(buf, 4), (x * y) % P);
    add(buf, 4, buf, 0, buf, 2);
    assert.equal(toBigInt(buf, 4), (x + y) % P);
    sub(buf, 4, buf, 0, buf, 2);
    assert.equal(toBigInt(buf, 4), (((x - y) % P) + P) % P);
    const k = next() % 2048;
    mulSmall(buf, 4, buf, 0, k);
    assert.equal(toBigInt(buf, 4), (x * BigInt(k)) % P);
    if (i % 50 === 0) {
      inv(buf, 4, buf, 0);
      assert.equal(
        toBigInt(buf, 4),
        x === 0n
          ? 0n
          : (() => {
              let r = 1n,
                b = x,
                e = P - 2n;
              while (e) {
                if (e & 1n) r = (r * b) % P;
                b = (b * b) % P;
                e >>= 1n;
              }
              return r;
            })(),
      );
    }
  }
});

const ref5Mul = (a: bigint[], b: bigint[]): bigint[] => {
  const c = [0n, 0n, 0n, 0n, 0n];
  for (let i = 0; i < 5; i++)
    for (let j = 0; j < 5; j++) {
      const t = a[i]! * b[j]!;
      if (i + j < 5) c[i + j] = (c[i + j]! + t) % P;
      else c[i + j - 5] = (c[i + j - 5]! + 3n * t) % P;
    }
  return c;
};

test('Fp5 mul/add/sub/inverse/mulSmallX/Frobenius agree with BigInt schoolbook', () => {
  const one = [1n, 0n, 0n, 0n, 0n];
  for (let i = 0; i < 3000; i++) {
    const a = Array.from({ length: 5 }, (_, j) => (i < 10 ? EDGES[(i + j) % 10]! : randomElement(5000 + i * 5 + j)));
    const b = Array.from({ length: 5 }, (_, j) => (i < 10 ? EDGES[(3 * i + j) % 10]! : randomElement(90000 + i * 5 + j)));
    const A = fp5From(a),
      B = fp5From(b),
      out = fp5();
    fp5Mul(out, A, B);
    assert.deepEqual(fp5ToBigInts(out), ref5Mul(a, b));
    fp5Add(out, A, B);
    assert.deepEqual(
      fp5ToBigInts(out),
      a.map((x, j) => (x + b[j]!) % P),
    );
    fp5Sub(out, A, B);
    assert.deepEqual(
      fp5ToBigInts(out),
      a.map((x, j) => (((x - b[j]!) % P) + P) % P),
    );
    fp5MulSmallX(out, A, 263);
    assert.deepEqual(fp5ToBigInts(out), ref5Mul(a, [0n, 263n, 0n, 0n, 0n]));
    if (i % 10 === 0) {
      fp5Inverse(out, A);
      const isZero = a.every((x) => x === 0n);
      assert.deepEqual(ref5Mul(fp5ToBigInts(out), a), isZero ? [0n, 0n, 0n, 0n, 0n] : one);
      // Frobenius is x ↦ x^p
      const f = fp5(),
        g = fp5();
      fp5Frobenius(f, A, 1);
      fp5Pow(g, A, P);
      assert.deepEqual(fp5ToBigInts(f), fp5ToBigInts(g));
    }
  }
});

test('Fp5 square roots: squares have roots, non-squares are refused', () => {
  for (let i = 0; i < 40; i++) {
    const a = fp5From(Array.from({ length: 5 }, (_, j) => randomElement(300000 + i * 5 + j)));
    const sq = fp5(),
      r = fp5(),
      back = fp5();
    fp5Mul(sq, a, a);
    assert.equal(fp5Legendre(sq), 1);
    assert.ok(fp5Sqrt(r, sq));
    fp5Mul(back, r, r);
    assert.deepEqual(fp5ToBigInts(back), fp5ToBigInts(sq));
    const non = fp5();
    fp5Mul(non, sq, fp5From([7n])); // 7 is a non-square
    assert.equal(fp5Legendre(non), -1);
    assert.equal(fp5Sqrt(r, non), false);
  }
});

test('curve: decode(encode(P)) = P, k·G by table equals the generic ladder, n·G = N', () => {
  const w = fp5(),
    w2 = fp5();
  for (let i = 0; i < 12; i++) {
    const k = ((BigInt(next()) << 64n) | (BigInt(next()) << 32n) | BigInt(next())) ** 3n % N;
    const p = newPoint(),
      q = newPoint();
    mulGenerator(p, scalarToLeBytes(k));
    mulPoint(q, GENERATOR, scalarToLeBytes(k));
    encodePoint(w, p);
    encodePoint(w2, q);
    assert.deepEqual(fp5ToBigInts(w), fp5ToBigInts(w2));
    const d = decodePoint(w);
    assert.ok(d !== null);
    const r = newPoint();
    addPoints(r, d, GENERATOR);
    const s = newPoint();
    mulGenerator(s, scalarToLeBytes((k + 1n) % N));
    encodePoint(w, r);
    encodePoint(w2, s);
    assert.deepEqual(fp5ToBigInts(w), fp5ToBigInts(w2));
  }
  const nG = newPoint();
  mulPoint(nG, GENERATOR, scalarToLeBytes(N));
  encodePoint(w, nG);
  assert.deepEqual(fp5ToBigInts(w), [0n, 0n, 0n, 0n, 0n]);
});
