import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderBook } from '../../../src/core/orderbook.js';
import { BookSync } from '../../../src/venues/lighter/book-sync.js';
import { readBookFrame } from '../../../src/venues/lighter/messages.js';

function parse(f: unknown) {
  const r = readBookFrame(f, 1, 5);
  if (!r.ok) throw new Error(r.why);
  return r.value;
}

const frame = (type: string, nonce: number, beginNonce: number, bids: Array<[string, string]>, asks: Array<[string, string]>, offset = 1) => ({
  channel: 'order_book:1',
  type,
  offset,
  order_book: { code: 0, nonce, begin_nonce: beginNonce, offset, bids: bids.map(([price, size]) => ({ price, size })), asks: asks.map(([price, size]) => ({ price, size })) },
});

test('snapshot, chained deltas, a broken chain, and offset ignored', () => {
  const book = new OrderBook();
  const sync = new BookSync(book, 1, 5);
  const step = (f: Record<string, unknown>) => sync.apply(parse(f));
  assert.equal(step(frame('update/order_book', 10, 9, [['99999.0', '1.00000']], [])), 'ignored', 'no delta before the snapshot');
  assert.equal(
    step(
      frame(
        'subscribed/order_book',
        100,
        0,
        [
          ['99999.0', '1.00000'],
          ['99998.0', '2.00000'],
        ],
        [['100001.0', '0.50000']],
        7,
      ),
    ),
    'load_snapshot',
  );
  assert.equal(step(frame('update/order_book', 104, 100, [['99999.0', '0.00000']], [['100000.5', '0.25000']], 3)), 'apply', 'offset going backwards is not a gap');
  assert.deepEqual(book.levels('bid'), [[999_980, 200_000]]);
  assert.deepEqual(book.levels('ask'), [
    [1_000_005, 25_000],
    [1_000_010, 50_000],
  ]);
  assert.equal(step(frame('update/order_book', 110, 105, [], [['100000.5', '0.00000']])), 'gap_resync', 'begin_nonce 105 does not continue 104');
  assert.equal(sync.valid, false);
  assert.deepEqual(book.levels('ask'), []);
  assert.equal(step(frame('update/order_book', 111, 110, [], [])), 'ignored', 'nothing applies until the next snapshot');
  assert.equal(step(frame('subscribed/order_book', 200, 0, [['99990.0', '1.00000']], [['100010.0', '1.00000']])), 'load_snapshot');
  assert.equal(step(frame('update/order_book', 201, 200, [['100020.0', '1.00000']], [])), 'crossed_resync');
  assert.equal(sync.valid, false);
});

test('a frame without integers where they belong is refused by name', () => {
  assert.throws(() => parse({ channel: 'order_book:1', type: 'update/order_book' }), /lacks "order_book"/);
  assert.throws(() => parse(frame('update/order_book', 1.5, 1, [], [])), /nonce is not an integer/);
  assert.throws(() => parse({ order_book: { nonce: 1, begin_nonce: 0, bids: [{ price: 1 }], asks: [] } }), /bids level lacks price\/size strings/);
  assert.throws(() => parse(frame('update/order_book', 2, 1, [['99999.05', '1']], [])), /decimal/);
});
