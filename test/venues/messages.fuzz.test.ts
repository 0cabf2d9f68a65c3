// Every parser in both venues' `messages` takes any JSON value: it never throws, and whatever it
// accepts is valid. Bounded runs, so the whole suite stays quick.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readBookTicker, readDepthEvent, readDepthSnapshot, readMarkPrice, type DepthRow } from '../../src/venues/backpack/messages.js';
import { readBookFrame } from '../../src/venues/lighter/messages.js';
import { FrameWarnings, type Parsed } from '../../src/venues/messages.js';
import { MemoryLogger } from '../../src/core/log.js';
import { FakeClock } from '../../src/core/clock.js';

const RUNS = { numRuns: 300, seed: 13 };
const DECIMAL = /^\d+(\.\d+)?$/;

/** A value of any JSON type, including ones that look nearly right. */
const wild = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, 42, -1, 1.5, '', '1', '-1', '1e3', 'NaN', [], {}, [[]], [['1', '2']], [{ price: '1', size: '2' }], 2 ** 53, '99999999999999999999'),
);
/** Objects with the parsers' field names, each of any type: every field of the wrong type at some point. */
const shaped = fc.record(
  {
    U: wild, u: wild, b: wild, a: wild, p: wild, lastUpdateId: wild, bids: wild, asks: wild, type: fc.oneof(wild, fc.constantFrom('subscribed/order_book', 'update/order_book')),
    order_book: fc.oneof(wild, fc.record({ nonce: wild, begin_nonce: wild, bids: wild, asks: wild }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
/** Nearly valid frames: right shapes, some rows bent. */
const row = fc.oneof(fc.tuple(fc.constantFrom('1', '1.5', '0.00001', '100000.0'), fc.constantFrom('0', '2', '0.1')), wild);
const nearly = fc.oneof(
  fc.record({ U: fc.nat(), u: fc.nat(), b: fc.array(row, { maxLength: 4 }), a: fc.array(row, { maxLength: 4 }) }),
  fc.record({ lastUpdateId: fc.oneof(fc.nat(), fc.constant('17')), bids: fc.array(row, { maxLength: 4 }), asks: fc.array(row, { maxLength: 4 }) }),
  fc.record({
    type: fc.constantFrom('subscribed/order_book', 'update/order_book', 7),
    order_book: fc.record({
      nonce: fc.oneof(fc.nat(), wild), begin_nonce: fc.oneof(fc.nat(), wild),
      bids: fc.array(fc.oneof(fc.record({ price: fc.constantFrom('1.0', '99999.5', '1.23', 'x'), size: fc.constantFrom('0.00001', '2', '') }), wild), { maxLength: 4 }),
      asks: fc.array(fc.record({ price: fc.constantFrom('1.0', '3.0'), size: fc.constantFrom('1.00000') }), { maxLength: 3 }),
    }),
  }),
);
const anyFrame = fc.oneof(wild, shaped, nearly, fc.anything({ maxDepth: 3 }));

function deep(levels: number): unknown {
  let v: unknown = { U: 1, u: 2 };
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? [v] : { order_book: v, b: v, p: v };
  return v;
}
const huge = { U: 1, u: 2, b: Array.from({ length: 20_000 }, () => ['1.0', '2.0']), a: 'x'.repeat(1_000_000) };
const hostile = [null, 42, '', [], {}, deep(5000), huge, { order_book: { nonce: 1, bids: huge.b, asks: [{ price: 'x'.repeat(1_000_000), size: '1' }] } }];

/** Runs a parser: it must not throw, and returns the parsed value when accepted. */
function never<T>(parse: (v: unknown) => Parsed<T>, v: unknown): T | undefined {
  let r: Parsed<T>;
  try {
    r = parse(v);
  } catch (e) {
    assert.fail(`threw ${(e as Error).message} for ${String(v)}`);
  }
  if (!r.ok) {
    assert.equal(typeof r.why, 'string');
    assert.ok(r.why.length > 0 && r.why.length < 400, 'a refusal is one short line');
    return undefined;
  }
  return r.value;
}

const validRows = (rows: readonly DepthRow[]) => rows.every((r) => r.length === 2 && DECIMAL.test(r[0]) && DECIMAL.test(r[1]));
const updateId = (n: number) => Number.isSafeInteger(n) && n >= 0;

const parsers: Array<[string, (v: unknown) => void]> = [
  ['backpack readDepthEvent', (v) => {
    const e = never(readDepthEvent, v);
    if (e) assert.ok(updateId(e.U) && updateId(e.u) && e.U <= e.u && validRows(e.b) && validRows(e.a));
  }],
  ['backpack readDepthSnapshot', (v) => {
    const s = never(readDepthSnapshot, v);
    if (s) assert.ok(updateId(s.lastUpdateId) && validRows(s.bids) && validRows(s.asks));
  }],
  ['backpack readBookTicker', (v) => {
    const t = never(readBookTicker, v);
    if (t) assert.ok((t.bid === undefined || DECIMAL.test(t.bid)) && (t.ask === undefined || DECIMAL.test(t.ask)) && (t.u === undefined || typeof t.u === 'number' || typeof t.u === 'string'));
  }],
  ['backpack readMarkPrice', (v) => {
    const m = never(readMarkPrice, v);
    if (m) assert.ok(DECIMAL.test(m.p));
  }],
  ['lighter readBookFrame', (v) => {
    const f = never((x) => readBookFrame(x, 1, 5), v);
    if (f) {
      assert.ok(Number.isSafeInteger(f.nonce) && Number.isSafeInteger(f.beginNonce) && typeof f.snapshot === 'boolean');
      for (const [p, q] of [...f.bids, ...f.asks]) assert.ok(Number.isSafeInteger(p) && p >= 0 && Number.isSafeInteger(q) && q >= 0);
    }
  }],
];

for (const [name, check] of parsers) {
  test(`${name}: any JSON value in, never a throw; every accepted value is valid`, () => {
    fc.assert(fc.property(anyFrame, (v) => check(v)), RUNS);
    for (const v of hostile) check(v);
  });
}

test('valid frames are accepted exactly', () => {
  assert.deepEqual(readDepthEvent({ e: 'depth', U: 5, u: 7, b: [['100.5', '0.1']], a: [] }), { ok: true, value: { U: 5, u: 7, b: [['100.5', '0.1']], a: [] } });
  assert.deepEqual(readDepthSnapshot({ lastUpdateId: '9', bids: [], asks: [['1', '2']] }), { ok: true, value: { lastUpdateId: 9, bids: [], asks: [['1', '2']] } });
  assert.deepEqual(readBookTicker({ b: '1.5', a: null, u: 3 }), { ok: true, value: { bid: '1.5', ask: undefined, u: 3 } });
  assert.deepEqual(readMarkPrice({ p: '97000.25' }), { ok: true, value: { p: '97000.25' } });
  assert.deepEqual(readBookFrame({ type: 'update/order_book', order_book: { nonce: 4, begin_nonce: 3, bids: [{ price: '99999.5', size: '0.00002' }], asks: [] } }, 1, 5), {
    ok: true, value: { snapshot: false, nonce: 4, beginNonce: 3, bids: [[999_995, 2]], asks: [] },
  });
});

test('refused frames are warned about at most once per kind per interval, and the next line counts the ones held back', async () => {
  const logger = new MemoryLogger();
  const clock = new FakeClock();
  const w = new FrameWarnings(logger, clock, 10_000);
  assert.equal(w.warn('depth', 'a'), true);
  assert.equal(w.warn('depth', 'b'), false);
  assert.equal(w.warn('depth', 'c'), false);
  assert.equal(w.warn('markPrice', 'm'), true, 'another kind has its own allowance');
  await clock.advance(10_000);
  assert.equal(w.warn('depth', 'd'), true);
  assert.deepEqual(logger.lines, ['WARN a', 'WARN m', 'WARN d (2 more like it held back)']);
});
