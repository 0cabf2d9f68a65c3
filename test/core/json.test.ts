import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonExact } from '../../src/core/json.js';

test('integers beyond 2^53 survive as bigint; safe ones stay numbers', () => {
  const text = '{"order_index":1152921504606846975,"client_order_index":281474976710655,"price":"100000.0","list":[-9007199254740993,1.5,true,null]}';
  assert.deepEqual(parseJsonExact(text), {
    order_index: 2n ** 60n - 1n,
    client_order_index: 2 ** 48 - 1,
    price: '100000.0',
    list: [-(2n ** 53n) - 1n, 1.5, true, null],
  });
  assert.notEqual(BigInt(JSON.parse(text).order_index), 2n ** 60n - 1n, 'JSON.parse would have rounded it');
});

test('strings with escapes, and malformed input named by offset', () => {
  assert.deepEqual(parseJsonExact('["a\\"b\\u00e9\\n"]'), ['a"bé\n']);
  assert.throws(() => parseJsonExact('{"a":1,}'), /invalid JSON at offset 7/);
  assert.throws(() => parseJsonExact('{"a":1} x'), /invalid JSON/);
  assert.throws(() => parseJsonExact('{"a":1,"a":2}'), /duplicate key "a"/);
});
