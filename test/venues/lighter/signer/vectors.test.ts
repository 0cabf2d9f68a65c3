// Every vector of shared/vectors/lighter (produced by the official lighter-go signer) reproduced
// byte for byte: keys, hashes, signatures, tx_info texts, auth tokens, verifier and error cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../../helpers/paths.js';
import {
  LighterSigner,
  SignerError,
  derivePublicKey,
  privateKeyFromSeed,
  verifySignature,
  verifyTxInfo,
  verifyAuthToken,
  type SignedTx,
  type OrderParams,
} from '../../../../src/venues/lighter/signer/index.js';
import { authMessageHash } from '../../../../src/venues/lighter/signer/index.js';
import { permute, hashNoPad } from '../../../../src/venues/lighter/signer/poseidon2.js';
import { setInt, toBigInt } from '../../../../src/venues/lighter/signer/goldilocks.js';
import { fp5From, fp5ToBytes } from '../../../../src/venues/lighter/signer/fp5.js';
import { signHashedMessage, publicKeyFromScalar } from '../../../../src/venues/lighter/signer/schnorr.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;
const load = (name: string): Json => JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', name), 'utf8'));

const fromHex = (h: string): Uint8Array => Buffer.from(h, 'hex');

/** A signer whose clock and randomness replay the vector's recording; counts random draws. */
function replaySigner(v: Json, skipNonce: boolean, accountIndex: number, apiKeyIndex: number) {
  const draws = { count: 0 };
  const signer = new LighterSigner({
    privateKey: v.private_key,
    chainId: v.chain_id ?? 304,
    accountIndex,
    apiKeyIndex,
    skipNonce,
    nowMs: () => v.signer_clock_ms,
    randomBytes: (n) => {
      assert.equal(n, 40);
      draws.count++;
      return fromHex(v.random_bytes);
    },
  });
  return { signer, draws };
}

function orderOf(o: Json): OrderParams {
  return {
    marketIndex: o.market_index,
    clientOrderIndex: o.client_order_index,
    baseAmount: o.base_amount,
    price: o.price,
    isAsk: o.is_ask === 1,
    orderType: o.order_type,
    timeInForce: o.time_in_force,
    reduceOnly: o.reduce_only === 1,
    triggerPrice: o.trigger_price,
    orderExpiry: o.order_expiry,
  };
}

function checkSigned(v: Json, signed: SignedTx, txType: number): void {
  assert.equal(signed.txType, txType, v.id);
  assert.equal(signed.txHash, v.tx_hash, `${v.id} tx_hash`);
  assert.equal(signed.txInfo, v.tx_info, `${v.id} tx_info`);
  assert.ok(v.tx_info.includes(`"Sig":"${v.signature_base64}"`), v.id);
  assert.equal(Buffer.from(v.signature_base64, 'base64').toString('hex'), v.signature_hex, v.id);
  assert.ok(verifySignature(v.public_key, v.tx_hash, v.signature_hex), `${v.id} verifies`);
  const checked = verifyTxInfo(txType, v.tx_info, v.public_key, v.chain_id);
  assert.ok(checked.ok, `${v.id} verifyTxInfo: ${checked.ok ? '' : checked.reason}`);
  if (checked.ok) assert.equal(checked.txHash, v.tx_hash);
  assert.equal(verifyTxInfo(txType, v.tx_info, v.public_key, v.chain_id === 304 ? 300 : 304).ok, false, `${v.id} other chain`);
}

let passed = 0;
test.after(() => console.log(`lighter signer vectors reproduced: ${passed}`));

test('crypto_primitives: upstream Poseidon2 vectors', () => {
  const d = load('crypto_primitives.json').upstream.poseidon2;
  const elems = (xs: string[]) => {
    const a = new Float64Array(2 * Math.max(xs.length, 12));
    xs.forEach((x, i) => setInt(a, 2 * i, BigInt(x)));
    return a;
  };
  const dec = (a: Float64Array, n: number) => Array.from({ length: n }, (_, i) => toBigInt(a, 2 * i).toString());
  const s = elems(d.permute.input);
  permute(s);
  assert.deepEqual(dec(s, 12), d.permute.output);
  passed++;
  for (const [key, n] of [
    ['hash_n_to_m_no_pad', 12],
    ['hash_n_to_hash_no_pad', 4],
    ['hash_n_to_hash_no_pad_noncanonical_inputs', 4],
    ['hash_to_quintic_extension', 5],
  ] as const) {
    const out = new Float64Array(24);
    hashNoPad(elems(d[key].input), d[key].input.length, out, n);
    assert.deepEqual(dec(out, n), d[key].output, key);
    passed++;
  }
  const out = new Float64Array(8);
  hashNoPad(elems([...d.hash_two_to_one.input1, ...d.hash_two_to_one.input2]), 8, out, 4);
  assert.deepEqual(dec(out, 4), d.hash_two_to_one.output);
  passed++;
});

test('crypto_primitives: upstream Schnorr signatures with fixed k', () => {
  const limbs = (xs: string[]) => xs.reduceRight((acc, x) => (acc << 64n) | BigInt(x), 0n);
  for (const v of load('crypto_primitives.json').upstream.schnorr_fixed_k) {
    const sk = limbs(v.sk_limbs);
    const m = fp5From(v.hashed_message.map(BigInt));
    const sig = signHashedMessage(sk, m, limbs(v.k_limbs));
    assert.equal(Buffer.from(sig).toString('hex'), v.signature_hex, v.test);
    const s = Buffer.from(sig.subarray(0, 40)),
      e = Buffer.from(sig.subarray(40));
    const le = (b: Buffer) => [...b].reverse().reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
    assert.equal(le(s), limbs(v.expected_s_limbs));
    assert.equal(le(e), limbs(v.expected_e_limbs));
    assert.equal(Buffer.from(publicKeyFromScalar(sk)).toString('hex'), v.public_key);
    assert.ok(verifySignature(v.public_key, Buffer.from(fp5ToBytes(m)).toString('hex'), v.signature_hex));
    passed++;
  }
});

test('keys.json: public keys, mod-n reduction and edge scalars', () => {
  for (const k of load('keys.json').keys) {
    assert.equal(derivePublicKey(k.private_key), k.public_key, k.key_id);
    assert.equal(derivePublicKey(k.private_key.slice(2)), k.public_key, `${k.key_id} without 0x`);
    assert.equal(derivePublicKey(k.private_key_effective_le), k.public_key, `${k.key_id} effective`);
    passed++;
  }
  for (const c of load('keys.json').seed_derived_keys.cases) {
    const key = privateKeyFromSeed(fromHex(c.seed_hex));
    assert.equal(key, '0x' + c.private_key_le, c.seed_hex);
    assert.equal(derivePublicKey(key), c.public_key, c.seed_hex);
    passed++;
  }
  assert.throws(() => derivePublicKey('0x1234'), SignerError);
  assert.throws(
    () => derivePublicKey('zz'.repeat(40)),
    (e: Error) => e instanceof SignerError && !e.message.includes('zz'),
  );
});

test('create_order.json: 75 CreateOrder vectors byte for byte', () => {
  const d = load('create_order.json');
  assert.equal(d.vectors.length, 75);
  for (const v of d.vectors) {
    const i = v.inputs;
    const { signer, draws } = replaySigner(v, i.skip_nonce === 1, i.account_index, i.api_key_index);
    assert.equal(signer.publicKeyHex, v.public_key);
    const signed = signer.signCreateOrder({ ...orderOf(i), nonce: i.nonce });
    checkSigned(v, signed, 14);
    assert.equal(draws.count, 1);
    // an explicit ExpiredAt equal to the default gives the same transaction
    const again = replaySigner(v, i.skip_nonce === 1, i.account_index, i.api_key_index).signer.signCreateOrder({
      ...orderOf(i),
      orderExpiry: v.effective.order_expiry,
      nonce: i.nonce,
      expiredAt: v.effective.expired_at,
    });
    assert.equal(again.txInfo, v.tx_info);
    passed++;
  }
});

test('cancel_order.json: CancelOrder vectors (indices beyond 2^53 kept exact)', () => {
  const d = load('cancel_order.json');
  assert.equal(d.vectors.length, 18);
  for (const v of d.vectors) {
    const i = v.inputs;
    const { signer } = replaySigner(v, i.skip_nonce === 1, i.account_index, i.api_key_index);
    checkSigned(v, signer.signCancelOrder({ marketIndex: i.market_index, index: BigInt(i.index), nonce: i.nonce }), 15);
    if (Number.isSafeInteger(Number(i.index))) {
      const { signer: s2 } = replaySigner(v, i.skip_nonce === 1, i.account_index, i.api_key_index);
      assert.equal(s2.signCancelOrder({ marketIndex: i.market_index, index: Number(i.index), nonce: i.nonce }).txInfo, v.tx_info);
    }
    const checked = verifyTxInfo(15, v.tx_info, v.public_key, v.chain_id);
    assert.ok(checked.ok && BigInt(checked.fields.Index as bigint | number) === BigInt(i.index));
    passed++;
  }
});

test('cancel_all_orders.json: CancelAllOrders vectors with attributes', () => {
  const d = load('cancel_all_orders.json');
  assert.equal(d.vectors.length, 21);
  for (const v of d.vectors) {
    const i = v.inputs;
    const { signer } = replaySigner(v, i.skip_nonce === 1, i.account_index, i.api_key_index);
    checkSigned(v, signer.signCancelAllOrders({ timeInForce: i.time_in_force, time: i.time, nonce: i.nonce, marketIndex: i.cancel_all_market_index }), 16);
    passed++;
  }
});

test('modify_order.json: ModifyOrder vectors', () => {
  const d = load('modify_order.json');
  assert.equal(d.vectors.length, 6);
  for (const v of d.vectors) {
    const i = v.inputs;
    const { signer } = replaySigner(v, i.skip_nonce === 1, i.account_index, i.api_key_index);
    checkSigned(
      v,
      signer.signModifyOrder({
        marketIndex: i.market_index,
        index: BigInt(i.index),
        baseAmount: i.base_amount,
        price: i.price,
        triggerPrice: i.trigger_price,
        nonce: i.nonce,
      }),
      17,
    );
    passed++;
  }
});

test('create_grouped_orders.json: OTO / OCO / OTOCO vectors', () => {
  const d = load('create_grouped_orders.json');
  assert.equal(d.vectors.length, 4);
  for (const v of d.vectors) {
    const i = v.inputs;
    const { signer } = replaySigner(v, i.skip_nonce === 1, i.account_index, i.api_key_index);
    checkSigned(v, signer.signCreateGroupedOrders({ groupingType: i.grouping_type, orders: i.orders.map(orderOf), nonce: i.nonce }), 28);
    passed++;
  }
});

test('auth_tokens.json: tokens byte for byte, default deadline, verification window', () => {
  const d = load('auth_tokens.json');
  assert.equal(d.vectors.length, 6);
  for (const v of d.vectors) {
    assert.equal(Buffer.from(fp5ToBytes(authMessageHash(v.message))).toString('hex'), v.message_hash, v.id);
    const { signer, draws } = replaySigner(v, false, v.account_index, v.api_key_index);
    assert.equal(signer.createAuthToken(v.deadline), v.token, v.id);
    assert.equal(replaySigner(v, false, v.account_index, v.api_key_index).signer.createAuthToken(), v.token, `${v.id} default deadline`);
    assert.equal(draws.count, 1);
    const now = Math.floor(v.signer_clock_ms / 1000);
    assert.deepEqual(verifyAuthToken(v.token, v.public_key, now), { ok: true, deadline: v.deadline, accountIndex: v.account_index, apiKeyIndex: v.api_key_index });
    assert.equal(verifyAuthToken(v.token, v.public_key, v.deadline).ok, false, 'expired at the deadline');
    assert.equal(verifyAuthToken(v.token, v.public_key, v.deadline - 8 * 3600 - 1).ok, false, 'more than 8 h ahead');
    const forged = v.token.replace(`:${v.account_index}:`, `:${v.account_index + 1}:`);
    assert.equal(verifyAuthToken(forged, v.public_key, now).ok, false, 'another account');
    passed++;
  }
});

test('schnorr_verify.json: valid verify, corruptions rejected, non-canonical as Go Validate', () => {
  const d = load('schnorr_verify.json');
  assert.equal(d.valid.length, 24);
  assert.equal(d.invalid.length, 12);
  for (const v of d.valid) {
    assert.equal(verifySignature(v.public_key, v.message_hash, v.signature), true, v.id);
    passed++;
  }
  for (const v of d.invalid) {
    assert.equal(verifySignature(v.public_key, v.message_hash, v.signature), false, v.id);
    passed++;
  }
  for (const v of d.noncanonical_edge_cases) {
    assert.equal(verifySignature(v.public_key, v.message_hash, v.signature), v.valid_under_go_validate, v.change);
    passed++;
  }
});

test('signer_errors.json: every bad input refused before any randomness is drawn', () => {
  const d = load('signer_errors.json');
  assert.equal(d.cases.length, 17);
  for (const c of d.cases) {
    const a = c.args;
    const draws = { count: 0 };
    const signer = new LighterSigner({
      privateKey: '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405',
      chainId: 304,
      accountIndex: a[0],
      apiKeyIndex: 3,
      nowMs: () => 1767225600000,
      randomBytes: (n) => {
        draws.count++;
        return new Uint8Array(n);
      },
    });
    const run = (): unknown => {
      switch (c.binding) {
        case '_signCreateOrder':
          return signer.signCreateOrder({
            marketIndex: a[1],
            clientOrderIndex: a[2],
            baseAmount: Number(a[3]),
            price: Number(a[4]),
            isAsk: a[5] === 1,
            orderType: a[6],
            timeInForce: a[7],
            reduceOnly: a[8] === 1,
            triggerPrice: Number(a[9]),
            orderExpiry: a[10],
            nonce: a[11],
          });
        case '_signCancelOrder':
          return signer.signCancelOrder({ marketIndex: a[1], index: BigInt(a[2]), nonce: a[3] });
        case '_signCancelAllOrders':
          return signer.signCancelAllOrders({ timeInForce: a[1], time: a[2], nonce: a[3], marketIndex: a[4] });
        default:
          throw new Error(`unknown binding ${c.binding}`);
      }
    };
    assert.throws(run, (e: Error) => e instanceof SignerError && e.message.startsWith(c.error), `${c.description}: expected "${c.error}"`);
    assert.equal(draws.count, 0, c.description);
    passed++;
  }
});
