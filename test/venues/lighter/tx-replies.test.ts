// Answers to our WebSocket transactions: the three rejection shapes, and which order each belongs to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwaitingAnswers, parseTxReply } from '../../../src/venues/lighter/tx-replies.js';

test('every shape of answer is read; frames that are not answers are not', () => {
  assert.deepEqual(parseTxReply({ code: 200, id: '7', tx_hash: 'ab', type: 'jsonapi/sendtx' }), { kind: 'ack', id: '7', txHash: 'ab' });
  assert.deepEqual(parseTxReply({ code: 21733, id: '7', message: 'accidental price', type: 'jsonapi/sendtx' }), {
    kind: 'error',
    id: '7',
    code: 21733,
    message: 'accidental price',
    shape: 'sendtx_code',
  });
  assert.deepEqual(parseTxReply({ code: 21104, message: 'invalid nonce', type: 'jsonapi/sendtx' }), {
    kind: 'error',
    id: undefined,
    code: 21104,
    message: 'invalid nonce',
    shape: 'sendtx_code',
  });
  assert.deepEqual(parseTxReply({ type: 'error', code: 21120, message: 'invalid signature' }), {
    kind: 'error',
    id: undefined,
    code: 21120,
    message: 'invalid signature',
    shape: 'type_error',
  });
  assert.deepEqual(parseTxReply({ error: { code: 21136, message: 'update the sdk' } }), {
    kind: 'error',
    id: undefined,
    code: 21136,
    message: 'update the sdk',
    shape: 'error_object',
  });
  assert.deepEqual(parseTxReply({ error: { code: 21701, message: 'invalid base amount' }, id: '9', type: 'jsonapi/sendtx' }), {
    kind: 'error',
    id: '9',
    code: 21701,
    message: 'invalid base amount',
    shape: 'error_object',
  });
  assert.equal(parseTxReply({ channel: 'order_book:1', type: 'update/order_book', order_book: {} }), undefined);
  assert.equal(parseTxReply({ type: 'unsubscribed', channel: 'order_book:1' }), undefined);
});

test('an answer without our id goes to the oldest order waiting, within the window; otherwise to none', () => {
  const w = new AwaitingAnswers(1000);
  assert.deepEqual(w.attribute(21733, 0), { ambiguous: 'no order is waiting for an answer' });
  w.sent(1, 100);
  w.sent(2, 150);
  assert.deepEqual(w.attribute(30003, 200), { ambiguous: "code 30003 is not a transaction's" }, "a subscription error is never an order's");
  assert.deepEqual(w.attribute(23000, 200), { ambiguous: "code 23000 is not a transaction's" }, 'a rate limit may answer anything we sent');
  assert.deepEqual(w.attribute(21733, 200), { to: 1 });
  assert.deepEqual(w.attribute(29501, 300), { to: 2 }, '29500/29501 are transaction answers too');
  w.sent(3, 400);
  w.sent(4, 1300);
  assert.deepEqual(w.attribute(21104, 1401), { ambiguous: 'the oldest order waiting (3) was sent 1001 ms ago, past the 1000 ms window: its answer may have been lost' });
  assert.equal(w.size, 2, 'an ambiguous answer takes nobody out');
  w.remove(3);
  assert.deepEqual(w.attribute(21104, 1401), { to: 4 });
  w.sent(5, 2000);
  assert.equal(w.ackOldest(2100), 5);
  w.sent(6, 2000);
  assert.deepEqual(w.clear(), [6]);
});
