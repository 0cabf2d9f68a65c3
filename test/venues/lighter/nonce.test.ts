// The local Lighter nonce: trusted after a read, in doubt after any doubtful outcome, read again before use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NonceKeeper } from '../../../src/venues/lighter/nonce.js';

test('handed out locally while trusted; after a doubt it must be read again, and every read or doubt voids what was signed ahead', async () => {
  let venueNonce = 5;
  let reads = 0;
  let voided = 0;
  const n = new NonceKeeper(
    async () => (reads++, venueNonce),
    () => voided++,
  );
  assert.equal(n.trusted, false);
  assert.throws(() => n.take(), /must be read again/);
  await n.ensure();
  assert.deepEqual([n.trusted, n.take(), n.take(), n.value, reads, voided], [true, 5, 6, 7, 1, 1]);
  n.suspect(); // e.g. nonce 6 was rejected and never used
  assert.equal(voided, 2);
  assert.throws(() => n.take(), /must be read again/);
  venueNonce = 6;
  await n.ensure();
  assert.deepEqual([n.take(), reads, voided], [6, 2, 3]);
  await n.ensure();
  assert.equal(reads, 2, 'no read while trusted');
});

test('a doubt that arrives while a read is under way makes that read not enough: it is read again', async () => {
  let venueNonce = 1;
  let release: (() => void) | undefined;
  let reads = 0;
  const n = new NonceKeeper(
    () =>
      new Promise<number>((resolve) => {
        reads++;
        const value = venueNonce;
        release = () => resolve(value);
      }),
    () => undefined,
  );
  const first = n.ensure();
  n.suspect(); // a timeout elsewhere while the read is in flight
  venueNonce = 2;
  release!();
  await new Promise((r) => setImmediate(r));
  assert.equal(n.trusted, false, 'the read started before the doubt');
  release!();
  await first;
  assert.deepEqual([reads, n.value, n.trusted], [2, 2, true]);
});
