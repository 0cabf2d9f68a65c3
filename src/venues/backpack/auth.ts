// ED25519 request signing for Backpack (spec §2): the signing string is the instruction, the
// request's parameters sorted by key, then timestamp and window; the signature goes in four headers.

import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import type { Secret } from '../../core/secret.js';

export type ParamValue = string | number | boolean;
export type Params = Readonly<Record<string, ParamValue | undefined>>;

export class BackpackAuthError extends Error {
  override name = 'BackpackAuthError';
}

// PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function renderValue(key: string, value: ParamValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    // Only integers are ever sent as numbers (clientId, limit, from/to); decimals travel as strings.
    if (!Number.isSafeInteger(value)) throw new BackpackAuthError(`parameter ${key}=${value} is not an integer; send decimals as strings`);
    return String(value);
  }
  return value;
}

/** `&key=value` for each present parameter, sorted by key. A plain loop: this runs on the order path. */
function sortedPairs(params: Params): string {
  const keys = Object.keys(params).sort();
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const value = params[keys[i]];
    if (value !== undefined) out += `&${keys[i]}=${renderValue(keys[i], value)}`;
  }
  return out;
}

/**
 * The string Backpack expects signed. `params` is the query (GET) or the JSON body (others); an
 * array body is a batch: one `instruction=…&pairs` chunk per element, in array order.
 */
export function signingString(instruction: string, params: Params | readonly Params[] | undefined, timestamp: number, window: number): string {
  let out = '';
  if (Array.isArray(params)) {
    for (const one of params as readonly Params[]) out += `&instruction=${instruction}${sortedPairs(one)}`;
    out = out.slice(1);
  } else {
    out = `instruction=${instruction}${params === undefined ? '' : sortedPairs(params as Params)}`;
  }
  return `${out}&timestamp=${timestamp}&window=${window}`;
}

export interface SignedHeaders {
  'X-API-Key': string;
  'X-Signature': string;
  'X-Timestamp': string;
  'X-Window': string;
}

export class BackpackSigner {
  readonly #key: KeyObject;
  /** base64 raw public key, the X-API-Key value. */
  readonly publicKey: string;

  /**
   * @param secret base64 of the 32-byte ED25519 seed (64-byte seed‖public also accepted)
   * @param publicKey base64 public key as configured; checked against the one derived from the seed
   */
  constructor(secret: Secret, publicKey?: string) {
    const raw = Buffer.from(secret.reveal().trim(), 'base64');
    if (raw.length !== 32 && raw.length !== 64) {
      throw new BackpackAuthError(`BACKPACK_SECRET_KEY decodes to ${raw.length} bytes; expected the base64 of a 32-byte ED25519 seed`);
    }
    this.#key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, raw.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(this.#key).export({ format: 'der', type: 'spki' });
    const derived = spki.subarray(spki.length - 32);
    this.publicKey = derived.toString('base64');
    if (raw.length === 64 && !raw.subarray(32).equals(derived)) {
      throw new BackpackAuthError('BACKPACK_SECRET_KEY is 64 bytes but its second half is not the public key of its first half; paste the 32-byte seed');
    }
    if (publicKey !== undefined && publicKey.trim() !== '' && publicKey.trim() !== this.publicKey) {
      throw new BackpackAuthError('BACKPACK_PUBLIC_KEY does not belong to BACKPACK_SECRET_KEY; copy both from the same API key');
    }
  }

  /** base64 ED25519 signature of a string. */
  signText(text: string): string {
    return sign(null, Buffer.from(text, 'utf8'), this.#key).toString('base64');
  }

  headers(instruction: string, params: Params | readonly Params[] | undefined, timestamp: number, window: number): SignedHeaders {
    return {
      'X-API-Key': this.publicKey,
      'X-Signature': this.signText(signingString(instruction, params, timestamp, window)),
      'X-Timestamp': String(timestamp),
      'X-Window': String(window),
    };
  }

  /** A signed SUBSCRIBE frame for private (`account.*`) streams; public streams may ride along. */
  subscribeMessage(streams: readonly string[], timestamp: number, window: number): string {
    const signature = this.signText(signingString('subscribe', undefined, timestamp, window));
    return JSON.stringify({ method: 'SUBSCRIBE', params: streams, signature: [this.publicKey, signature, String(timestamp), String(window)] });
  }
}
