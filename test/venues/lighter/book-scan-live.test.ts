// The live Lighter adapter reads book frames with the scanner first (ws.ts onBook) and falls back to
// JSON.parse and readBookFrame: a frame in any key order is applied, a frame the scanner declines is
// still applied the usual way, another market's channel is left alone, and a level off the grid
// gets the parser's own refusal line and a resync, as before the scanner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readBookFrame } from '../../../src/venues/lighter/messages.js';
import { until } from '../../helpers/until.js';
import { started } from './harness.js';

test('book frames on the live socket: scanned, declined and refused frames each end as the parser has them', async () => {
  const { venue, faults, logger } = await started();
  const levels = () => [venue.book.levels('bid'), venue.book.levels('ask')];
  // A snapshot with its keys in another order than the venue's, and whitespace.
  faults.rawFrames = [
    '{ "order_book" : { "asks":[{"size":"0.00100","price":"100001.0"}], "bids":[{"price":"99999.0","size":"0.00200","extra":[1,{"a":null}]}], "nonce":900000 }, "channel":"order_book:1", "type":"subscribed/order_book" }',
  ];
  await until('snapshot applied', () => JSON.stringify(levels()) === JSON.stringify([[[999_990, 200]], [[1_000_010, 100]]]));
  // Another market's book: not this market's.
  faults.rawFrames = ['{"type":"subscribed/order_book","channel":"order_book:2","order_book":{"nonce":5,"bids":[{"price":"1.0","size":"1.00000"}],"asks":[]}}'];
  // A key with an escape: the scanner declines, JSON.parse and readBookFrame read it.
  faults.rawFrames = [
    ...(faults.rawFrames ?? []),
    '{"type":"update/order_book","channel":"order_book:1","n\\u0061me":"x","order_book":{"nonce":900005,"begin_nonce":900000,"bids":[{"price":"99998.0","size":"0.00300"}],"asks":[]}}',
  ];
  await until('declined frame applied', () => venue.book.levels('bid').length === 2);
  assert.deepEqual(levels(), [
    [
      [999_990, 200],
      [999_980, 300],
    ],
    [[1_000_010, 100]],
  ]);
  assert.equal(venue.status().bookValid, true);
  // Off the grid (one decimal): the parser's refusal, word for word, and a resync.
  const offGrid =
    '{"type":"update/order_book","channel":"order_book:1","order_book":{"nonce":900009,"begin_nonce":900005,"bids":[{"price":"99997.05","size":"0.00100"}],"asks":[]}}';
  const why = readBookFrame(JSON.parse(offGrid), 1, 5);
  assert.ok(!why.ok);
  faults.rawFrames = [offGrid];
  await until('refused', () => logger.lines.some((l) => l.includes(`Lighter order_book frame refused: ${why.why}`)));
  await until('resynced', () => logger.lines.some((l) => l.includes('a book frame could not be read); resubscribing')));
  await until('book rebuilt from a fresh snapshot', () => venue.status().bookValid);
});
