// Schnorr over ECgFp5 with Poseidon2 challenges, as poseidon_crypto's SchnorrSignHashedMessage:
// R = k·G, e = H(encode(R) ‖ m) mod n, s = k − e·sk; signature bytes = s (40 LE) ‖ e (40 LE).
import { type Fp5, fp5, fp5ToBytes, fp5FromBytes, fp5IsZero } from './fp5.js';
import { hashToFp5 } from './poseidon2.js';
import { N, type Point, newPoint, mulGenerator, mulPoint, mulFixed, buildFixedTable, addPoints, encodePoint, decodePoint, scalarToLeBytes, scalarFromLeBytes } from './curve.js';

const R = newPoint();
const rEnc = fp5();
const challengeInput = new Float64Array(20);
const challenge = fp5();
const kBytes = new Uint8Array(40);

function fp5ToScalar(e: Fp5): bigint {
  let v = 0n;
  for (let i = 4; i >= 0; i--) v = (v << 64n) | (BigInt(e[2 * i + 1]!) << 32n) | BigInt(e[2 * i]!);
  return v % N;
}

function challengeScalar(r: Fp5, m: Fp5): bigint {
  challengeInput.set(r, 0);
  challengeInput.set(m, 10);
  hashToFp5(challengeInput, 10, challenge);
  return fp5ToScalar(challenge);
}

/** A nonce k with its encoded commitment r = encode(k·G): the costly half of a signature. */
export interface Commitment {
  k: bigint;
  r: Fp5;
}

/** Computes k·G ahead of time, so a signature made later is only hashing and scalar arithmetic. */
export function prepareCommitment(k: bigint): Commitment {
  scalarToLeBytes(k, kBytes);
  mulGenerator(R, kBytes);
  const r = fp5();
  encodePoint(r, R);
  return { k, r };
}

/** Signs the 40-byte message m (an Fp5 element) with secret scalar sk and nonce k (both < n). */
export function signHashedMessage(sk: bigint, m: Fp5, k: bigint): Uint8Array {
  scalarToLeBytes(k, kBytes);
  mulGenerator(R, kBytes);
  encodePoint(rEnc, R);
  return finishSignature(sk, m, k, rEnc);
}

/** Signs with a commitment from prepareCommitment; each commitment must be used once only. */
export function signWithCommitment(sk: bigint, m: Fp5, c: Commitment): Uint8Array {
  return finishSignature(sk, m, c.k, c.r);
}

function finishSignature(sk: bigint, m: Fp5, k: bigint, r: Fp5): Uint8Array {
  const e = challengeScalar(r, m);
  let s = (k - e * sk) % N;
  if (s < 0n) s += N;
  const sig = new Uint8Array(80);
  scalarToLeBytes(s, sig, 0);
  scalarToLeBytes(e, sig, 40);
  return sig;
}

/** Public key encoding of sk·G. */
export function publicKeyFromScalar(sk: bigint): Uint8Array {
  const p = newPoint();
  mulGenerator(p, scalarToLeBytes(sk));
  const w = fp5();
  encodePoint(w, p);
  return fp5ToBytes(w);
}

// Decoding needs a square root in Fp5 (slow) and a verifier sees few distinct keys, so decoded
// keys are kept; a key seen a second time also gets its own window table (≈ 50 ms, 410 KB),
// after which e·PK costs what k·G does.
interface KnownKey {
  point: Point | null;
  table: Uint32Array | null;
  uses: number;
}
const knownKeys = new Map<string, KnownKey>();
const MAX_KNOWN_KEYS = 256;
const MAX_KEY_TABLES = 8;
let keyTables = 0;

function knownKey(pk: Uint8Array): KnownKey {
  const id = Buffer.from(pk).toString('hex');
  let key = knownKeys.get(id);
  if (key === undefined) {
    if (knownKeys.size >= MAX_KNOWN_KEYS) {
      knownKeys.clear();
      keyTables = 0;
    }
    key = { point: decodePoint(fp5FromBytes(pk)), table: null, uses: 0 };
    knownKeys.set(id, key);
  }
  key.uses++;
  if (key.table === null && key.point !== null && key.uses >= 2 && keyTables < MAX_KEY_TABLES && !fp5IsZero(key.point.u)) {
    key.table = buildFixedTable(key.point);
    keyTables++;
  }
  return key;
}

/**
 * Verifies like poseidon_crypto's schnorr.Validate: s and e are reduced mod n when parsed, the
 * public key must decode, and H(encode(s·G + e·PK) ‖ m) mod n must equal e.
 */
export function verifyHashedMessage(pk: Uint8Array, m: Fp5, sig: Uint8Array): boolean {
  if (pk.length !== 40 || sig.length !== 80) return false;
  const key = knownKey(pk);
  if (key.point === null) return false;
  const s = scalarFromLeBytes(sig, 0) % N;
  const e = scalarFromLeBytes(sig, 40) % N;
  const sG = newPoint(),
    ePk = newPoint();
  mulGenerator(sG, scalarToLeBytes(s));
  if (key.table !== null) mulFixed(ePk, key.table, scalarToLeBytes(e));
  else mulPoint(ePk, key.point, scalarToLeBytes(e));
  addPoints(sG, sG, ePk);
  const r = fp5();
  encodePoint(r, sG);
  return challengeScalar(r, m) === e;
}
