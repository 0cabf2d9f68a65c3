// Test-only: signs a Lighter transaction with any L2TxAttributes, from the signer's own parts
// (validation, hash, Schnorr signature, tx_info text). The bot's LighterSigner sets only the
// attributes it uses (skip-nonce, cancel-all market); clients such as CCXT also sign integrator
// fees and self-trade modes (lighter-go sharedlib/main.go CreateIntegratorTxAttributes).
import { randomBytes } from 'node:crypto';
import { fp5, fp5ToBytes } from '../../src/venues/lighter/signer/fp5.js';
import { signHashedMessage } from '../../src/venues/lighter/signer/schnorr.js';
import { hashTx, txInfoJson, validateTx, type Attributes, type TxFields } from '../../src/venues/lighter/signer/tx.js';
import { nonceFromRandom, parsePrivateKey, type SignedTx } from '../../src/venues/lighter/signer/index.js';

export function signWithAttributes(privateKeyHex: string, chainId: number, txType: number, fields: TxFields, attrs: Attributes, orders: readonly TxFields[] = []): SignedTx {
  validateTx(txType, fields, orders, attrs);
  const message = fp5();
  hashTx(txType, chainId, fields, orders, attrs, message);
  const sig = signHashedMessage(
    parsePrivateKey(privateKeyHex),
    message,
    nonceFromRandom((n) => randomBytes(n)),
  );
  return { txType, txInfo: txInfoJson(txType, fields, orders, attrs, Buffer.from(sig).toString('base64')), txHash: Buffer.from(fp5ToBytes(message)).toString('hex') };
}
