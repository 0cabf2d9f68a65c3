// Transaction attributes of the current official signer (lighter-go types/txtypes/tx_attributes.go):
// integrator account and fees (1–3) and self-trade modes (6, 7) sign and verify like skip-nonce (4)
// and cancel-all market (5), with lighter-go's validation rules and messages; the bot's own
// transactions, which carry none of them, keep their bytes (vectors.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../../helpers/paths.js';
import { SignerError, derivePublicKey, verifyTxInfo } from '../../../../src/venues/lighter/signer/index.js';
import { validateTx, type Attributes, type TxFields } from '../../../../src/venues/lighter/signer/tx.js';
import { signWithAttributes } from '../../../conformance/lighter-signing.js';

const KEY = (JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', 'keys.json'), 'utf8')) as { keys: Array<{ private_key: string }> }).keys[0]!.private_key;
const PUB = derivePublicKey(KEY);

const order = (): TxFields => ({
  AccountIndex: 7,
  ApiKeyIndex: 3,
  MarketIndex: 1,
  ClientOrderIndex: 5,
  BaseAmount: 1000,
  Price: 100_000,
  IsAsk: 0,
  Type: 0,
  TimeInForce: 1,
  ReduceOnly: 0,
  TriggerPrice: 0,
  OrderExpiry: 1_800_000_000_000,
  ExpiredAt: 1_700_000_600_000,
  Nonce: 9,
});

test('integrator fees with skip-nonce, as CCXT signs every order: verifies, and the tx_info lists them in type order', () => {
  const attrs: Attributes = new Map([
    [4, 1],
    [3, 1000],
    [1, 718718],
    [2, 1000],
  ]);
  const signed = signWithAttributes(KEY, 304, 14, order(), attrs);
  assert.match(signed.txInfo, /"L2TxAttributes":\{"1":718718,"2":1000,"3":1000,"4":1\}\}$/);
  const v = verifyTxInfo(14, signed.txInfo, PUB, 304);
  assert.deepEqual(v.ok && [v.txHash, v.fields.L2TxAttributes], [signed.txHash, { 1: 718718, 2: 1000, 3: 1000, 4: 1 }]);
  // The attributes are signed: dropping one breaks the signature.
  const tampered = signed.txInfo.replace('"3":1000,', '');
  assert.deepEqual(verifyTxInfo(14, tampered, PUB, 304), { ok: false, reason: 'signature does not verify against the registered public key' });
});

test('self-trade modes verify; a nil mode (0) folds to the same hash as no attribute', () => {
  const withModes = signWithAttributes(
    KEY,
    304,
    14,
    order(),
    new Map([
      [6, 2],
      [7, 1],
    ]),
  );
  assert.equal(verifyTxInfo(14, withModes.txInfo, PUB, 304).ok, true);
  const nil = signWithAttributes(KEY, 304, 14, order(), new Map([[6, 0]]));
  const none = signWithAttributes(KEY, 304, 14, order(), new Map());
  assert.equal(nil.txHash, none.txHash);
  assert.match(nil.txInfo, /"L2TxAttributes":null\}$/);
});

test("lighter-go's attribute rules, with its messages", () => {
  const refused = (attrs: Array<[number, number]>, message: RegExp) =>
    assert.throws(
      () => validateTx(14, order(), [], new Map(attrs)),
      (e: Error) => e instanceof SignerError && message.test(e.message),
    );
  refused(
    [
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [6, 1],
    ],
    /^Too many attributes, should not be larger than 4$/,
  );
  refused([[8, 1]], /^Attribute type is invalid: 8/);
  refused([[1, 2 ** 48 - 1]], /^IntegratorAccountIndex is in invalid range: allowed 0\.\.281474976710654/);
  refused(
    [
      [1, 5],
      [2, 1_000_001],
    ],
    /^Integrator fees are in invalid range/,
  );
  refused([[4, 0]], /^Nonce skip attribute is invalid: allowed 1\.\.1, got 0/);
  refused([[5, 256]], /^Cancel all for market index attribute is in invalid range/);
  refused([[6, 4]], /^SelfTradeBehaviorMode is in invalid range/);
  refused([[7, 2]], /^SelfTradeEqualityMode is in invalid range/);
  refused([[3, 10]], /^IntegratorAccountIndex should be non-zero when integrator taker fee or maker fee is non-zero$/);
  refused(
    [
      [1, 5],
      [2, 10],
      [6, 1],
    ],
    /^Self-trade specification isn't allowed with integrator fees$/,
  );
  refused(
    [
      [6, 3],
      [7, 1],
    ],
    /^Reduce self-trade behavior mode isn't allowed with master account index equality mode$/,
  );
  // Allowed: an integrator named with zero fees, and the reduce mode with account-index equality.
  validateTx(
    14,
    order(),
    [],
    new Map([
      [1, 5],
      [6, 3],
      [7, 0],
    ]),
  );
});
