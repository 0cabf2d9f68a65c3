import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LighterSigner, verifyTxInfo } from '../../../../src/venues/lighter/signer/index.js';

const order = (nonce: number) => ({
  marketIndex: 1,
  clientOrderIndex: nonce + 1,
  baseAmount: 1000,
  price: 1_000_000,
  isAsk: false,
  orderType: 1,
  timeInForce: 0,
  reduceOnly: false,
  triggerPrice: 0,
  orderExpiry: 0,
  nonce,
  expiredAt: 1_800_000_000_000,
});

test('signatures made from precomputed commitments verify, use each commitment once, and hash the same tx', () => {
  const key = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
  const signer = new LighterSigner({ privateKey: key, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const fresh = signer.signCreateOrder(order(0));
  signer.precompute(3);
  assert.equal(signer.precomputed, 3);
  const a = signer.signCreateOrder(order(0));
  const b = signer.signCreateOrder(order(0));
  assert.equal(signer.precomputed, 1);
  assert.equal(a.txHash, fresh.txHash, 'the message is the same; only the nonce differs');
  assert.notEqual(a.txInfo, b.txInfo, 'a commitment is never reused');
  for (const tx of [fresh, a, b]) assert.equal(verifyTxInfo(14, tx.txInfo, signer.publicKeyHex, 304).ok, true);
});

test('orders sharing their leading fields (the first hash block) hash exactly as when signed alone, whatever came between', () => {
  const key = '0x149b3e2087692f960bfd6a52b1ed3c691c2bb71d36e599fa90852a696390665e3d2b528789e9c405';
  const signer = new LighterSigner({ privateKey: key, chainId: 304, accountIndex: 7, apiKeyIndex: 3 });
  const buy = order(5);
  const sell = { ...order(5), isAsk: true, price: 999_000 };
  const other = order(6); // another nonce: another first block
  const alone = [buy, sell].map((o) => {
    signer.signCreateOrder(other);
    return signer.signCreateOrder(o).txHash;
  });
  // Now back to back, as an order signed ahead per side and then the one sent: the second reuses the first block.
  const pair = [signer.signCreateOrder(buy).txHash, signer.signCreateOrder(sell).txHash, signer.signCreateOrder(buy).txHash];
  assert.deepEqual(pair, [alone[0], alone[1], alone[0]]);
  assert.notEqual(alone[0], alone[1]);
  const tx = signer.signCreateOrder(sell);
  assert.equal(verifyTxInfo(14, tx.txInfo, signer.publicKeyHex, 304).ok, true);
});
