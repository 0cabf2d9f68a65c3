import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { OrderBook } from '../../../src/core/orderbook.js';
import { formatFixed, decimalsOf } from '../../../src/core/fixed.js';
import { BookSync, type SyncOutcome } from '../../../src/venues/backpack/book-sync.js';
import { readDepthEvent, readDepthSnapshot } from '../../../src/venues/backpack/messages.js';
import type { Parsed } from '../../../src/venues/messages.js';

function must<T>(r: Parsed<T>): T {
  if (!r.ok) throw new Error(`refused: ${r.why}`);
  return r.value;
}
const parseDepthEvent = (data: unknown) => must(readDepthEvent(data));
const parseDepthSnapshot = (body: unknown) => must(readDepthSnapshot(body));

const seq = JSON.parse(readFileSync(join(VECTORS_DIR, 'backpack', 'orderbook_sequence.json'), 'utf8'));
type Row = [string, string];
interface State {
  lastUpdateId: string;
  bestBid: Row;
  bestAsk: Row;
  bids: Row[];
  asks: Row[];
}
interface Step {
  step: string;
  snapshot?: string;
  U?: number;
  u?: number;
  action?: string;
  expectedU?: string;
  gotU?: string;
  state: State | null;
}
const steps: Step[] = seq.expected_reference_steps;

// Vector strings carry 1 price decimal and 5 size decimals; compare at exactly those.
const PS = 1;
const SS = 5;
const row = (p: number, q: number): Row => [formatFixed(p, PS), formatFixed(q, SS)];

function bookState(sync: BookSync): State {
  const bids = sync.book.levels('bid').map(([p, q]) => row(p, q));
  const asks = sync.book.levels('ask').map(([p, q]) => row(p, q));
  return { lastUpdateId: String(sync.lastUpdateId), bestBid: bids[0], bestAsk: asks[0], bids, asks };
}

test('orderbook_sequence.json replays step by step to the reference book, including the gap and resync', () => {
  assert.equal(decimalsOf('97010.5'), PS);
  const sync = new BookSync(new OrderBook(), PS, SS);
  const frames = (key: string) => (seq[key] as { data: unknown }[]).map((f) => parseDepthEvent(f.data));

  // Stream first: everything before snapshot_1 is buffered.
  for (const e of frames('messages_before_snapshot_1')) assert.equal(sync.onEvent(e).action, 'buffered');
  assert.equal(sync.valid, false);

  const outcomes: { kind: string; outcome?: SyncOutcome }[] = [];
  const snap1 = sync.onSnapshot(parseDepthSnapshot(seq.snapshot_1));
  assert.equal(snap1.action, 'load_snapshot');
  outcomes.push({ kind: 'load_snapshot' });
  const states: (State | null)[] = [];
  // The snapshot's own state is the book before any buffered event; rebuild it to check it.
  {
    const probe = new BookSync(new OrderBook(), PS, SS);
    probe.onSnapshot(parseDepthSnapshot(seq.snapshot_1));
    states.push(bookState(probe));
  }
  // Buffered outcomes: replay each on a fresh machine to capture the state after each one.
  const replay = new BookSync(new OrderBook(), PS, SS);
  replay.onSnapshot(parseDepthSnapshot(seq.snapshot_1));
  for (const [i, e] of frames('messages_before_snapshot_1').entries()) {
    const o = replay.onEvent(e);
    assert.deepEqual(o, snap1.drained[i]);
    outcomes.push({ kind: 'delta', outcome: o });
    states.push(bookState(replay));
  }
  assert.deepEqual(bookState(replay), bookState(sync));

  for (const e of frames('messages_after_snapshot_1')) {
    const o = sync.onEvent(e);
    outcomes.push({ kind: 'delta', outcome: o });
    states.push(sync.valid ? bookState(sync) : null);
  }
  assert.equal(sync.valid, false, 'the gap leaves the book invalid');
  assert.equal(sync.book.depth('bid') + sync.book.depth('ask'), 0, 'an invalid book is cleared');

  // While resyncing, new events are buffered (the gap event itself is kept: a snapshot at 209 would need it).
  for (const e of frames('messages_before_snapshot_2')) assert.equal(sync.onEvent(e).action, 'buffered');
  assert.equal(sync.buffered, 3);
  const snap2 = sync.onSnapshot(parseDepthSnapshot(seq.snapshot_2));
  assert.equal(snap2.action, 'load_snapshot');
  assert.deepEqual(snap2.drained[0], { action: 'drop_stale', U: 1662976210, u: 1662976211 });
  {
    const probe = new BookSync(new OrderBook(), PS, SS);
    probe.onSnapshot(parseDepthSnapshot(seq.snapshot_2));
    states.push(bookState(probe));
    outcomes.push({ kind: 'load_snapshot' });
    for (const [i, e] of frames('messages_before_snapshot_2').entries()) {
      const o = probe.onEvent(e);
      assert.deepEqual(o, snap2.drained[i + 1]);
      outcomes.push({ kind: 'delta', outcome: o });
      states.push(bookState(probe));
    }
    assert.deepEqual(bookState(probe), bookState(sync));
  }
  for (const e of frames('messages_after_snapshot_2')) {
    outcomes.push({ kind: 'delta', outcome: sync.onEvent(e) });
    states.push(bookState(sync));
  }

  assert.equal(outcomes.length, steps.length);
  for (const [i, s] of steps.entries()) {
    const got = outcomes[i];
    assert.equal(got.kind, s.step, `step ${i}`);
    if (s.step === 'delta') {
      assert.equal(got.outcome!.U, s.U, `step ${i} U`);
      assert.equal(got.outcome!.u, s.u, `step ${i} u`);
      assert.equal(got.outcome!.action, s.action, `step ${i} action`);
      if (s.action === 'gap_resync') assert.equal(String(got.outcome!.expectedU), s.expectedU);
    }
    assert.deepEqual(states[i], s.state, `state after step ${i}`);
  }
  assert.equal(sync.valid, true);
});

test('a snapshot older than the buffered stream asks for a refetch and keeps buffering', () => {
  const sync = new BookSync(new OrderBook(), PS, SS);
  sync.onEvent({ U: 110, u: 112, b: [['100.0', '1.00000']], a: [] });
  sync.onEvent({ U: 113, u: 113, b: [], a: [['101.0', '1.00000']] });
  const epoch = sync.snapshotEpoch;
  const out = sync.onSnapshot({ lastUpdateId: 105, bids: [['99.0', '1.00000']], asks: [['102.0', '1.00000']] }, epoch);
  assert.equal(out.action, 'snapshot_too_old_refetch');
  assert.deepEqual(out.drained, [{ action: 'gap_resync', U: 110, u: 112, expectedU: 106 }]);
  assert.equal(sync.valid, false);
  assert.equal(sync.buffered, 2);
  assert.notEqual(sync.snapshotEpoch, epoch);
  assert.equal(sync.onSnapshot({ lastUpdateId: 200, bids: [], asks: [] }, epoch).action, 'ignored', 'an answer to an abandoned request is ignored');
  const ok = sync.onSnapshot({ lastUpdateId: 111, bids: [['99.0', '1.00000']], asks: [['102.0', '1.00000']] });
  assert.equal(ok.action, 'load_snapshot');
  assert.deepEqual(
    ok.drained.map((d) => d.action),
    ['apply', 'apply'],
  );
  assert.deepEqual(sync.book.levels('bid'), [
    [1000, 100000],
    [990, 100000],
  ]);
  assert.deepEqual(sync.book.levels('ask'), [
    [1010, 100000],
    [1020, 100000],
  ]);
  assert.equal(sync.onEvent({ U: 113, u: 113, b: [], a: [] }).action, 'drop_stale', 'a duplicate is ignored');
  sync.reset();
  assert.equal(sync.valid, false);
  assert.equal(sync.book.depth('bid'), 0);
  assert.equal(sync.buffered, 0);
});

test('malformed frames are refused by field name', () => {
  assert.deepEqual(readDepthEvent({ U: 'x', u: 1, a: [], b: [] }), { ok: false, why: 'depth U "x" is not an update id' });
  assert.deepEqual(readDepthEvent({ U: 1, u: 1, a: [[1, 2]], b: [] }), { ok: false, why: 'depth a row [1,2] is not [price, quantity] decimal strings' });
  assert.deepEqual(readDepthSnapshot({ lastUpdateId: null, bids: [], asks: [] }), { ok: false, why: 'depth snapshot lastUpdateId null is not an update id' });
  assert.deepEqual(readDepthEvent({ U: 5, u: 4, a: [], b: [] }), { ok: false, why: 'depth event has u 4 below U 5' });
  const sync = new BookSync(new OrderBook(), PS, SS);
  assert.throws(() => sync.onEvent({ U: 5, u: 4, a: [], b: [] }), /u 4 below U 5/);
});
