// Retry-After as either form RFC 9110 allows: delay-seconds or an HTTP-date.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from '../../src/venues/http.js';

test('Retry-After: seconds, an HTTP-date from now (never negative), and nothing for what is neither', () => {
  const now = Date.parse('Sat, 28 Nov 2026 03:00:00 GMT');
  assert.equal(parseRetryAfter('2', now), 2000);
  assert.equal(parseRetryAfter(' 1.5 ', now), 1500);
  assert.equal(parseRetryAfter('0', now), 0);
  assert.equal(parseRetryAfter('Sat, 28 Nov 2026 03:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Sat, 28 Nov 2026 02:59:00 GMT', now), 0);
  assert.equal(parseRetryAfter(undefined, now), undefined);
  assert.equal(parseRetryAfter('', now), undefined);
  assert.equal(parseRetryAfter('-1', now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
});
