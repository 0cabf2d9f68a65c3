// Sign-then-verify over thousands of seeded random transactions of every type: the simulator's
// verifier accepts each one and reports the signer's hash, and rejects it once any signed field,
// the chain or the key changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LighterSigner, verifyTxInfo, verifyAuthToken, derivePublicKey, type SignedTx, type OrderParams } from '../../../../src/venues/lighter/signer/index.js';
import { seededRandom } from '../../../../src/core/prng.js';

const rand = seededRandom(14_15_16_17);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const seededBytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(0, 255));

const KEYS = [seededBytes(40), seededBytes(40)].map((b) => '0x' + Buffer.from(b).toString('hex'));
const CLOCK = 1_767_225_600_000;

function randomOrder(market: number): OrderParams {
  const kind = pick(['limit-gtt', 'post-only', 'limit-ioc', 'market', 'stop', 'stop-limit', 'twap'] as const);
  const perp = market < 255;
  const base = {
    marketIndex: market,
    clientOrderIndex: pick([0, int(1, 2 ** 48 - 1)]),
    baseAmount: int(1, 2 ** 48 - 1),
    price: int(1, 2 ** 32 - 1),
    isAsk: rand() < 0.5,
    reduceOnly: perp && rand() < 0.3,
    triggerPrice: 0,
    orderExpiry: CLOCK + int(300_000, 2_592_000_000),
  };
  switch (perp || kind === 'twap' || kind === 'market' || kind === 'limit-ioc' || kind === 'post-only' ? kind : 'limit-gtt') {
    case 'limit-gtt':
      return { ...base, orderType: 0, timeInForce: 1 };
    case 'post-only':
      return { ...base, orderType: 0, timeInForce: 2, orderExpiry: pick([-1, base.orderExpiry]) };
    case 'limit-ioc':
      return { ...base, orderType: 0, timeInForce: 0, orderExpiry: 0 };
    case 'market':
      return { ...base, orderType: 1, timeInForce: 0, orderExpiry: 0 };
    case 'stop':
      return { ...base, orderType: pick([2, 4]), timeInForce: 0, triggerPrice: int(1, 2 ** 32 - 1) };
    case 'stop-limit':
      return { ...base, orderType: pick([3, 5]), timeInForce: pick([0, 1]), triggerPrice: int(1, 2 ** 32 - 1) };
    default:
      return { ...base, orderType: 6, timeInForce: 1, reduceOnly: false };
  }
}

interface Case {
  signer: LighterSigner;
  signed: SignedTx;
  chainId: number;
}

function randomCase(signers: LighterSigner[]): Case {
  const signer = pick(signers);
  const nonce = int(0, 2 ** 48);
  const type = pick([14, 14, 14, 15, 16, 17, 28]);
  let signed: SignedTx;
  switch (type) {
    case 14:
      signed = signer.signCreateOrder({ ...randomOrder(pick([0, 1, 254, 2048, 4094])), nonce });
      break;
    case 15:
      signed = signer.signCancelOrder({ marketIndex: int(0, 254), index: pick([BigInt(int(1, 2 ** 48 - 1)), 2n ** 48n + BigInt(int(0, 2 ** 53)) * 127n]), nonce });
      break;
    case 16: {
      const tif = pick([0, 1, 2]);
      signed = signer.signCancelAllOrders({
        timeInForce: tif,
        time: tif === 1 ? CLOCK + int(300_000, 1_296_000_000) : 0,
        nonce,
        marketIndex: tif === 0 ? pick([255, int(0, 254)]) : undefined,
      });
      break;
    }
    case 17:
      signed = signer.signModifyOrder({
        marketIndex: int(0, 254),
        index: BigInt(int(1, 2 ** 48 - 1)),
        baseAmount: int(0, 2 ** 48 - 1),
        price: int(1, 2 ** 32 - 1),
        triggerPrice: pick([0, int(1, 2 ** 32 - 1)]),
        nonce,
      });
      break;
    default: {
      const m = int(0, 254),
        side = rand() < 0.5,
        expiry = CLOCK + int(300_000, 2_592_000_000);
      const child = (type: number, trigger: number): OrderParams => ({
        marketIndex: m,
        clientOrderIndex: 0,
        baseAmount: 0,
        price: int(1, 2 ** 32 - 1),
        isAsk: !side,
        orderType: type,
        timeInForce: type % 2 === 0 ? 0 : 1,
        reduceOnly: true,
        triggerPrice: trigger,
        orderExpiry: expiry,
      });
      const parent: OrderParams = {
        marketIndex: m,
        clientOrderIndex: int(1, 1000),
        baseAmount: int(1, 1e9),
        price: int(1, 2 ** 32 - 1),
        isAsk: side,
        orderType: 0,
        timeInForce: 1,
        reduceOnly: false,
        triggerPrice: 0,
        orderExpiry: expiry,
      };
      const g = pick([1, 3]);
      const orders = g === 1 ? [parent, child(pick([2, 3, 4, 5]), int(1, 1e9))] : [parent, child(3, int(1, 1e9)), child(5, int(1, 1e9))];
      signed = signer.signCreateGroupedOrders({ groupingType: g, orders, nonce });
    }
  }
  return { signer, signed, chainId: signer.chainId };
}

test('sign → verifyTxInfo over 2500 random transactions, with tampering rejected', () => {
  const signers = KEYS.flatMap((privateKey, i) =>
    [304, 300].map(
      (chainId) =>
        new LighterSigner({
          privateKey,
          chainId,
          accountIndex: int(0, 2 ** 48 - 2),
          apiKeyIndex: int(0, 254),
          skipNonce: i === 1,
          nowMs: () => CLOCK,
          randomBytes: (n) => randomBytes(n),
        }),
    ),
  );
  const otherKey = derivePublicKey('0x' + Buffer.from(seededBytes(40)).toString('hex'));
  for (let i = 0; i < 2500; i++) {
    const { signer, signed, chainId } = randomCase(signers);
    const ok = verifyTxInfo(signed.txType, signed.txInfo, signer.publicKeyHex, chainId);
    assert.ok(ok.ok, `case ${i}: ${ok.ok ? '' : ok.reason} ${signed.txInfo}`);
    assert.equal(ok.txHash, signed.txHash);
    if (i % 5 !== 0) continue;
    assert.equal(verifyTxInfo(signed.txType, signed.txInfo, signer.publicKeyHex, chainId === 304 ? 300 : 304).ok, false);
    assert.equal(verifyTxInfo(signed.txType, signed.txInfo, otherKey, chainId).ok, false);
    // bump one signed number (Nonce always exists); the verifier must notice
    const tampered = signed.txInfo.replace(/"Nonce":(\d+)/, (_, n: string) => `"Nonce":${BigInt(n) + 1n}`);
    assert.equal(verifyTxInfo(signed.txType, tampered, signer.publicKeyHex, chainId).ok, false);
    const sig = /"Sig":"([^"]+)"/.exec(signed.txInfo)![1]!;
    const raw = Buffer.from(sig, 'base64');
    raw[int(0, 79)] ^= 1 << int(0, 7);
    assert.equal(verifyTxInfo(signed.txType, signed.txInfo.replace(sig, raw.toString('base64')), signer.publicKeyHex, chainId).ok, false);
  }
});

test('auth tokens: created, verified, and refused for another key or account', () => {
  const signer = new LighterSigner({ privateKey: KEYS[0]!, chainId: 304, accountIndex: 777, apiKeyIndex: 5, nowMs: () => CLOCK });
  const otherKey = derivePublicKey(KEYS[1]!);
  for (let i = 0; i < 100; i++) {
    const deadline = Math.floor(CLOCK / 1000) + int(1, 8 * 3600);
    const token = signer.createAuthToken(deadline);
    assert.deepEqual(verifyAuthToken(token, signer.publicKeyHex, CLOCK / 1000), { ok: true, deadline, accountIndex: 777, apiKeyIndex: 5 });
    assert.equal(verifyAuthToken(token, otherKey, CLOCK / 1000).ok, false);
    assert.equal(verifyAuthToken(token.replace(':777:', ':778:'), signer.publicKeyHex, CLOCK / 1000).ok, false);
  }
});

test('malformed tx_info texts get a reason, never an exception', () => {
  const signer = new LighterSigner({ privateKey: KEYS[0]!, chainId: 304, accountIndex: 1, apiKeyIndex: 2, nowMs: () => CLOCK });
  const good = signer.signCancelOrder({ marketIndex: 0, index: 5, nonce: 1 }).txInfo;
  const bad = [
    '',
    '{',
    'null',
    '[]',
    good.slice(0, -1),
    good.replace('"Index":5', '"Index":5.5'),
    good.replace('"Index":5', '"Index":"5"'),
    good.replace(',"MarketIndex":0', ''),
    good.replace('"Sig":"', '"Sig":"A'),
    good.replace('}', ',"Extra":1}'),
    good.replace('null', '{"9":1}'),
  ];
  for (const text of bad) {
    const r = verifyTxInfo(15, text, signer.publicKeyHex, 304);
    assert.equal(r.ok, false, text);
    assert.ok(!r.ok && r.reason.length > 0);
  }
  assert.equal(verifyTxInfo(99, good, signer.publicKeyHex, 304).ok, false);
  assert.equal(verifyTxInfo(15, good, signer.publicKeyHex, 304).ok, true);
});

test('the private key never shows: Secret accepted, not in inspect output or errors', async () => {
  const { Secret } = await import('../../../../src/core/secret.js');
  const { inspect } = await import('node:util');
  const hex = KEYS[0]!.slice(2);
  const plain = new LighterSigner({ privateKey: KEYS[0]!, chainId: 304, accountIndex: 1, apiKeyIndex: 2 });
  const wrapped = new LighterSigner({ privateKey: new Secret(KEYS[0]!), chainId: 304, accountIndex: 1, apiKeyIndex: 2 });
  assert.equal(wrapped.publicKeyHex, plain.publicKeyHex);
  assert.equal(derivePublicKey(new Secret(hex)), plain.publicKeyHex);
  assert.ok(!inspect(plain, { showHidden: true, depth: 5 }).includes(hex));
  assert.ok(!JSON.stringify(plain).includes(hex));
  const badKey = hex.slice(0, 78) + 'zz';
  assert.throws(
    () => new LighterSigner({ privateKey: badKey, chainId: 304, accountIndex: 1, apiKeyIndex: 2 }),
    (e: Error) => e.name === 'SignerError' && !e.message.includes(badKey.slice(0, 20)) && /80 hex digits/.test(e.message),
  );
});

test('inputs outside the Go field types or rules are refused with the field and range named', () => {
  let draws = 0;
  const signer = new LighterSigner({
    privateKey: KEYS[0]!,
    chainId: 304,
    accountIndex: 1,
    apiKeyIndex: 2,
    nowMs: () => CLOCK,
    randomBytes: (n) => {
      draws++;
      return randomBytes(n);
    },
  });
  const order: OrderParams = {
    marketIndex: 0,
    clientOrderIndex: 1,
    baseAmount: 10,
    price: 100,
    isAsk: false,
    orderType: 0,
    timeInForce: 1,
    reduceOnly: false,
    triggerPrice: 0,
    orderExpiry: -1,
  };
  const cases: [() => unknown, RegExp][] = [
    [() => signer.signCreateOrder({ ...order, price: 1.5, nonce: 1 }), /^Price must be an integer in \[0, 4294967295\]/],
    [() => signer.signCreateOrder({ ...order, price: 2 ** 32, nonce: 1 }), /^Price must be an integer in \[0, 4294967295\]/],
    [() => signer.signCreateOrder({ ...order, baseAmount: Number.NaN, nonce: 1 }), /^BaseAmount must be an integer/],
    [() => signer.signCreateOrder({ ...order, baseAmount: 2 ** 48, nonce: 1 }), /^BaseAmount should not be larger than 281474976710655/],
    [() => signer.signCreateOrder({ ...order, orderType: 7, nonce: 1 }), /^OrderType is not valid/],
    [
      () => signer.signCreateOrder({ ...order, orderType: 2, timeInForce: 0, triggerPrice: 5, marketIndex: 2048, nonce: 1 }),
      /^OrderType is not valid: stop-loss\/take-profit exist on perp markets only/,
    ],
    [() => signer.signCreateOrder({ ...order, nonce: 1, expiredAt: 2 ** 48 }), /^ExpiredAt is invalid/],
    [() => signer.signCreateOrder({ ...order, isAsk: 1 as unknown as boolean, nonce: 1 }), /^isAsk must be a boolean/],
    [() => signer.signCancelOrder({ marketIndex: 0, index: 2n ** 60n, nonce: 1 }), /^OrderIndex should not be larger than 1152921504606846975/],
    [() => signer.signCancelAllOrders({ timeInForce: 3, time: 0, nonce: 1 }), /^CancelAllTimeInForce is invalid/],
    [() => signer.signModifyOrder({ marketIndex: 0, index: 5, baseAmount: 1, price: 0, triggerPrice: 0, nonce: 1 }), /^OrderPrice should not be less than 1/],
    [() => signer.signCreateGroupedOrders({ groupingType: 2, orders: [order], nonce: 1 }), /^OrderGroupSize is not valid/],
    [
      () => signer.signCreateGroupedOrders({ groupingType: 1, orders: [order, { ...order, clientOrderIndex: 0, isAsk: true, orderType: 3, triggerPrice: 9 }], nonce: 1 }),
      /^BaseAmount should be nil/,
    ],
    [() => signer.signCreateGroupedOrders({ groupingType: 1, orders: [order, { ...order, marketIndex: 1 }], nonce: 1 }), /^MarketIndex should match/],
    [() => signer.createAuthToken(-5), /^deadline must be a positive Unix time/],
  ];
  for (const [run, message] of cases) assert.throws(run, (e: Error) => e.name === 'SignerError' && message.test(e.message), String(message));
  assert.equal(draws, 0);
  assert.throws(() => new LighterSigner({ privateKey: KEYS[0]!, chainId: -1, accountIndex: 1, apiKeyIndex: 2 }), /chainId must be an integer/);
  assert.throws(() => new LighterSigner({ privateKey: KEYS[0]!, chainId: 304, accountIndex: 1, apiKeyIndex: 256 }), /ApiKeyIndex must be an integer in \[0, 255\]/);
});
