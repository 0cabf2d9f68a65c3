import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { BackpackSigner, BackpackAuthError, signingString, type Params } from '../../../src/venues/backpack/auth.js';
import { Secret } from '../../../src/core/secret.js';

const dir = join(VECTORS_DIR, 'backpack');
const load = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const keys: { key_id: string; secret_b64: string; public_key_b64: string; secret_64byte_b64: string }[] = load('keys.json').keys;
const signerFor = (id: string) => {
  const k = keys.find((x) => x.key_id === id)!;
  return new BackpackSigner(new Secret(k.secret_b64), k.public_key_b64);
};

interface RestVector {
  id: string;
  key_id: string;
  instruction: string;
  query: Params | null;
  body_json: string | null;
  timestamp: number;
  window: number;
  signing_string: string;
  signature_b64: string;
  headers: Record<string, string>;
}

const rest: RestVector[] = load('signing_rest.json').vectors;
test('signing_rest.json has 31 vectors', () => assert.equal(rest.length, 31));
for (const v of rest) {
  test(`${v.id}: signing string, signature and headers`, () => {
    const params = v.query ?? (v.body_json === null ? undefined : (JSON.parse(v.body_json) as Params | Params[]));
    assert.equal(signingString(v.instruction, params, v.timestamp, v.window), v.signing_string);
    const headers: Record<string, string> = { ...signerFor(v.key_id).headers(v.instruction, params, v.timestamp, v.window) };
    if (v.body_json !== null) headers['Content-Type'] = 'application/json; charset=utf-8';
    assert.deepEqual(headers, v.headers);
    assert.equal(headers['X-Signature'], v.signature_b64);
  });
}

const ws: { id: string; key_id: string; streams: string[]; timestamp: number; window: number; signing_string: string; signature_b64: string; subscribe_message_json: string }[] =
  load('signing_ws.json').vectors;
test('signing_ws.json has 4 vectors', () => assert.equal(ws.length, 4));
for (const v of ws) {
  test(`${v.id}: signed subscribe frame`, () => {
    assert.equal(signingString('subscribe', undefined, v.timestamp, v.window), v.signing_string);
    assert.equal(signerFor(v.key_id).subscribeMessage(v.streams, v.timestamp, v.window), v.subscribe_message_json);
  });
}

test('a 64-byte seed‖public secret signs like the seed; bad keys are refused by name', () => {
  const k = keys[0];
  const a = new BackpackSigner(new Secret(k.secret_64byte_b64));
  assert.equal(a.publicKey, k.public_key_b64);
  assert.equal(a.signText('x'), signerFor('A').signText('x'));
  assert.throws(
    () => new BackpackSigner(new Secret('AAAA')),
    (e: Error) => e instanceof BackpackAuthError && /32-byte/.test(e.message),
  );
  assert.throws(() => new BackpackSigner(new Secret(k.secret_b64), keys[1].public_key_b64), /does not belong/);
  try {
    new BackpackSigner(new Secret(k.secret_b64), keys[1].public_key_b64);
  } catch (e) {
    assert.ok(!String((e as Error).message).includes(k.secret_b64));
  }
});
