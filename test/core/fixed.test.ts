import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFixed, formatFixed } from '../../src/core/fixed.js';

test('parses and formats a price exactly', () => {
  assert.equal(parseFixed('97001.5', 1), 970015);
  assert.equal(formatFixed(970015, 1), '97001.5');
});
