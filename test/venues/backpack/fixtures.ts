// The Backpack vectors the adapter tests share: two key pairs, the REST reply examples and the
// depth sequence (test/fixtures/vectors/backpack).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../helpers/paths.js';

const load = (name: string) => JSON.parse(readFileSync(join(VECTORS_DIR, 'backpack', name), 'utf8'));

const keys = load('keys.json').keys as { secret_b64: string; public_key_b64: string }[];
export const key = keys[0];
/** A second key pair the test server does not know. */
export const otherKey = keys[1];
const examples = load('rest_responses.json').examples as { id: string; response: unknown }[];
/** A fresh copy of one REST reply example, by id. */
export const example = (id: string) => structuredClone(examples.find((e) => e.id === id)!.response);
export const seq = load('orderbook_sequence.json');
