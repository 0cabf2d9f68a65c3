// The book-frame scanners (src/venues/scan.ts and each venue's messages.ts) read a frame's text
// straight into the parser's value: for every text, they either decline or give exactly what
// JSON.parse and the venue's parser give — never an accept where that refuses or JSON.parse throws.
// Frames are generated in many spellings (key orders, whitespace, extra keys with any JSON value,
// escapes, numbers as text and as numbers, exponents, signs, huge values, duplicate keys, truncated
// or damaged text), beside arbitrary strings and JSON values; the usual spellings must not be declined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DepthScan, readDepthEvent, readDepthSnapshot, scanDepthEvent, scanDepthSnapshot } from '../../src/venues/backpack/messages.js';
import { LighterBookScan, readBookFrame, scanLighterBook, scannedBookFrame } from '../../src/venues/lighter/messages.js';
import { fixedAt, load, onlyWsFrom, read, readDecimal, skipValue } from '../../src/venues/scan.js';
import { parseFixed, parseFixedExact } from '../../src/core/fixed.js';

const RUNS = 3000;

// ---------------------------------------------------------------- text building

/** Whitespace JSON allows, and a few characters it does not (a non-breaking space, a form feed). */
const ws = fc.oneof(
  { weight: 60, arbitrary: fc.constant('') },
  { weight: 30, arbitrary: fc.constantFrom(' ', '\n', '\t', '\r\n  ', '   ') },
  { weight: 1, arbitrary: fc.constantFrom('\u00a0', '\f', '\v') },
);

/** A JSON object's text from raw key and value texts, with whitespace drawn per gap. */
function objectText(entries: ReadonlyArray<readonly [string, string]>, gaps: readonly string[]): string {
  let g = 0;
  const w = () => gaps[g++ % gaps.length] ?? '';
  return `{${w()}${entries.map(([k, v]) => `${k}${w()}:${w()}${v}${w()}`).join(`,${w()}`)}}`;
}

/** Damage: none mostly; else cut the text, drop, insert or swap a character. */
const damage = fc.oneof(
  { weight: 16, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))) },
  { weight: 1, arbitrary: fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1)) + t.slice((n % (t.length + 1)) + 1)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(), fc.constantFrom('"', ',', '{', '}', '[', ']', ':', '\\', '0', '-', '.', 'e', ' ', '\u0001')).map(
      ([n, c]) =>
        (t: string) =>
          t.slice(0, n % (t.length + 1)) + c + t.slice(n % (t.length + 1)),
    ),
  },
);

/** A JSON value for an unknown key: anything fc makes, as JSON.stringify writes it, indented or not. */
const anyValue = fc.tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(0, 1, '\t')).map(([v, indent]) => JSON.stringify(v, null, indent) ?? 'null');
const extraKey = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('"offset"', '"timestamp"', '"code"', '"__proto__"', '"constructor"', '"e"', '"E"', '"s"', '"T"', '"pricey"', '"siz"', '""') },
  { weight: 1, arbitrary: fc.constantFrom('"ty\\u0070e"', '"pri\\u0063e"', '"\\u0055"') },
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }).map((k) => JSON.stringify(k)) },
);
const extras = fc.oneof({ weight: 3, arbitrary: fc.constant([] as Array<[string, string]>) }, { weight: 2, arbitrary: fc.array(fc.tuple(extraKey, anyValue), { maxLength: 3 }) });

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9'), minLength: min, maxLength: max });

/** Decimal text mostly as venues write it, sometimes not (signs, exponents, spaces, too long, escaped). */
const decimalString = fc.oneof(
  { weight: 60, arbitrary: fc.tuple(digits(1, 7), fc.option(digits(1, 7))).map(([w, f]) => JSON.stringify(f === null ? w : `${w}.${f}`)) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('', '-', '+', ' '), digits(0, 20), fc.constantFrom('', '.', '.0', '.50', '.00000001', 'e3', ' ', '.5.5', '0000000000'))
      .map(([a, b, c]) => JSON.stringify(a + b + c)),
  },
  { weight: 1, arbitrary: digits(60, 70).map((d) => JSON.stringify(d)) },
  { weight: 1, arbitrary: fc.constantFrom('"1\\u002e5"', '"1\\/2"', '"١٢"', '"9007199254740993"', '"900719925474099.1"', '"99999999999999999999.0"', '""', '"0"', '"0.0"') },
  { weight: 1, arbitrary: fc.constantFrom('1', '1.5', '-1', '1e3', 'null', 'true', '[]', '{}') },
);

/** An integer field: plain, or in the forms JSON.parse reads that the scanner declines, or no number. */
const integerText = fc.oneof(
  { weight: 16, arbitrary: fc.nat({ max: 2 ** 40 }).map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('-0', '0', '-5', '1.0', '1e3', '1E+2', '10.50', '007', '9007199254740991', '9007199254740993', '123456789012345', '1234567890123456') },
  { weight: 1, arbitrary: fc.constantFrom('"12"', '"0012"', '"1234567890123456"', '"-1"', '""', '"1.5"', 'null', 'true', '{}', '[1]', '"12\\u0033"') },
);

/** `key` once (mostly), twice, or not at all. */
function field(key: string, value: fc.Arbitrary<string>): fc.Arbitrary<Array<[string, string]>> {
  return fc.oneof(
    { weight: 30, arbitrary: value.map((v) => [[key, v]] as Array<[string, string]>) },
    { weight: 1, arbitrary: fc.constant([] as Array<[string, string]>) },
    {
      weight: 1,
      arbitrary: fc.tuple(value, value).map(
        ([a, b]) =>
          [
            [key, a],
            [key, b],
          ] as Array<[string, string]>,
      ),
    },
  );
}

/** Fields, shuffled with the extras, as one object's text. */
function object(...parts: Array<fc.Arbitrary<Array<[string, string]>>>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.tuple(...parts, extras), fc.array(ws, { minLength: 1, maxLength: 6 }))
    .chain(([lists, gaps]) => fc.shuffledSubarray(lists.flat(), { minLength: lists.flat().length }).map((entries) => objectText(entries, gaps)));
}

function arrayText(items: readonly string[], gap: string): string {
  return `[${gap}${items.join(`${gap},${gap}`)}${gap}]`;
}

// ---------------------------------------------------------------- Lighter

/** A market's scale: mostly one that holds every generated decimal, sometimes one that does not. */
const scale = fc.oneof({ weight: 3, arbitrary: fc.constant(8) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 8 }) });

const lighterLevel = object(field('"price"', decimalString), field('"size"', decimalString));
const lighterLevels = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(fc.array(lighterLevel, { maxLength: 4 }), ws).map(([l, w]) => arrayText(l, w)) },
  { weight: 1, arbitrary: fc.constantFrom('null', '{}', '"x"', '[["1","2"]]', '[null]') },
);
const lighterBook = object(field('"nonce"', integerText), field('"begin_nonce"', integerText), field('"bids"', lighterLevels), field('"asks"', lighterLevels));
const lighterFrameText = object(
  field(
    '"type"',
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('"update/order_book"', '"subscribed/order_book"') },
      { weight: 1, arbitrary: fc.constantFrom('"subscribed\\/order_book"', '"ping"', '"update/order_book "', '"unsubscribed"') },
    ),
  ),
  field(
    '"channel"',
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('"order_book:1"', '"order_book:0"') },
      { weight: 1, arbitrary: fc.constantFrom('"order_book:"', '"order_book:\\u0031"', '"account_all:1"', '1') },
    ),
  ),
  field('"order_book"', fc.oneof({ weight: 10, arbitrary: lighterBook }, { weight: 1, arbitrary: anyValue })),
  fc.oneof({ weight: 10, arbitrary: fc.constant([] as Array<[string, string]>) }, { weight: 1, arbitrary: anyValue.map((v) => [['"error"', v]] as Array<[string, string]>) }),
);

/** What the live path makes of a frame's text: JSON.parse, then readBookFrame, for a plain order_book frame; undefined when it would not reach readBookFrame or that refuses. */
function lighterReference(text: string, ps: number, ss: number): { parsed: boolean; value?: unknown } {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { parsed: false };
  }
  const f = frame as Record<string, unknown>;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) return { parsed: true };
  if (f.type !== 'update/order_book' && f.type !== 'subscribed/order_book') return { parsed: true };
  if (typeof f.channel !== 'string' || !f.channel.startsWith('order_book:') || f.error !== undefined) return { parsed: true };
  const read = readBookFrame(f, ps, ss);
  return read.ok ? { parsed: true, value: read.value } : { parsed: true };
}

function checkLighter(text: string, ps: number, ss: number, scan: LighterBookScan): 'declined' | 'read' {
  const want = lighterReference(text, ps, ss);
  if (!scanLighterBook(text, scan)) return 'declined';
  assert.ok(want.parsed, `the scanner read text JSON.parse refuses: ${text}`);
  assert.ok(JSON.parse(text).channel === scan.channel && scan.channelIs(scan.channel), 'the channel as read');
  const got = scannedBookFrame(scan, ps, ss);
  if (got === undefined) return 'declined';
  assert.ok(want.value !== undefined, `the scanner read a frame the parser refuses or would not reach: ${text}`);
  assert.deepStrictEqual(got, want.value, text);
  return 'read';
}

test('Lighter order_book scanner: declines, or gives exactly JSON.parse + readBookFrame, over frames in many spellings', () => {
  const scan = new LighterBookScan();
  let read = 0;
  fc.assert(
    fc.property(lighterFrameText, damage, scale, scale, (text, hurt, ps, ss) => {
      if (checkLighter(hurt(text), ps, ss, scan) === 'read') read++;
    }),
    { numRuns: RUNS },
  );
  // The generator is not all damage: a good share of its frames must have been read.
  assert.ok(read > RUNS / 50, `only ${read} of ${RUNS} frames read`);
});

test('Lighter scanner over arbitrary strings and JSON values never accepts what the reference does not', () => {
  const scan = new LighterBookScan();
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.json(),
        fc.json({ stringUnit: 'binary' }),
        fc.jsonValue({ stringUnit: 'binary' }).map((v) => JSON.stringify({ type: 'update/order_book', channel: 'order_book:1', order_book: v })),
        fc
          .jsonValue({ stringUnit: 'binary' })
          .map((v) => JSON.stringify({ type: 'update/order_book', channel: 'order_book:1', x: v, order_book: { nonce: 1, bids: [], asks: [] } })),
      ),
      (text) => {
        checkLighter(text, 1, 5, scan);
      },
    ),
    { numRuns: RUNS },
  );
});

test('Lighter scanner reads the usual frames: any key order, whitespace, extra keys, escapes in unread values', () => {
  const scan = new LighterBookScan();
  const usual = fc
    .tuple(
      fc.array(fc.tuple(digits(1, 6), digits(0, 4), digits(1, 3), digits(0, 5)), { maxLength: 6 }),
      fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER })),
      fc.boolean(),
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(0, 2, '\t'),
    )
    .map(([levels, nonce, begin, snapshot, extra, indent]) => {
      const lv = levels.map(([w, f, sw, sf]) => ({ price: f === '' ? w : `${w}.${f}`, size: sf === '' ? sw : `${sw}.${sf}`, n: extra }));
      const ob: Record<string, unknown> = { code: 0, asks: lv.slice(0, 3), bids: lv.slice(3), offset: 7, nonce, extra };
      if (begin !== null) ob.begin_nonce = begin;
      return JSON.stringify(
        { channel: 'order_book:1', offset: 7, timestamp: 1, note: 'a "quoted" \\ \u00e9 \n', type: snapshot ? 'subscribed/order_book' : 'update/order_book', order_book: ob },
        null,
        indent,
      );
    });
  fc.assert(
    fc.property(usual, (text) => {
      assert.equal(checkLighter(text, 5, 5, scan), 'read', text);
    }),
    { numRuns: 500 },
  );
});

test('Lighter scanner, worked cases: values, begin_nonce that is no number, and declines', () => {
  const scan = new LighterBookScan();
  const text =
    ' { "order_book" : { "bids" : [ { "size" : "0.50000", "price" : "100.10" } ], "asks":[], "nonce": 12, "begin_nonce": "7" }, "type":"subscribed/order_book", "channel":"order_book:1" } ';
  assert.equal(scanLighterBook(text, scan), true);
  assert.deepStrictEqual(scannedBookFrame(scan, 2, 5), { snapshot: true, nonce: 12, beginNonce: -1, bids: [[10010, 50000]], asks: [] });
  // 100.10 is 1001 at one decimal: on the grid; 0.50000 at 0 decimals is off it.
  assert.deepStrictEqual(scannedBookFrame(scan, 1, 1)?.bids, [[1001, 5]]);
  assert.equal(scannedBookFrame(scan, 1, 0), undefined);
  // Characters past Latin-1 (one whose low byte is a quote) in a skipped value are read as what they are.
  const wide = '{"note":"\u0122 \u2028 \u20ac \ud83d","type":"update/order_book","channel":"order_book:1","order_book":{"nonce":3,"bids":[],"asks":[{"price":"1.5","size":"2"}]}}';
  assert.equal(scanLighterBook(wide, scan), true); // raw characters: the literal's escapes are JavaScript's
  assert.deepStrictEqual(scannedBookFrame(scan, 1, 0), { snapshot: false, nonce: 3, beginNonce: -1, bids: [], asks: [[15, 2]] });
  // A text longer than any book frame is declined (the caller parses it).
  assert.equal(scanLighterBook(`{"pad":"${'x'.repeat(300_000)}","type":"update/order_book","channel":"order_book:1","order_book":{"nonce":3,"bids":[],"asks":[]}}`, scan), false);
  for (const bad of [
    '{"type":"update/order_book","channel":"order_book:1","order_book":{"nonce":1.0,"bids":[],"asks":[]}}',
    '{"type":"update/order_book","channel":"order_book:1","order_book":{"nonce":1,"bids":[],"asks":[]},"type":"update/order_book"}',
    '{"type":"update/order_book","channel":"order_book:1","order_book":{"nonce":1,"bids":[],"asks":[]}} x',
    '{"type":"update/order_book","channel":"order_book:1","order_book":{"nonce":1,"bids":[{"price":"1","size":"1"}],"asks":[]},}',
    '{"type":"update/order_book","channel":"order_book:1","error":{"code":1},"order_book":{"nonce":1,"bids":[],"asks":[]}}',
    '{"type":"update/order_book","channel":"order_book:1","order_book":{"nonce":1,"bids":[{"price":1,"size":"1"}],"asks":[]}}',
  ]) {
    assert.equal(scanLighterBook(bad, scan), false, bad);
  }
});

// ---------------------------------------------------------------- Backpack

const updateIdText = integerText;
const rowText = fc.tuple(decimalString, decimalString, fc.array(anyValue, { maxLength: 2 }), ws).map(([p, q, more, w]) => arrayText([p, q, ...more], w));
const rowsText = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(fc.array(rowText, { maxLength: 4 }), ws).map(([r, w]) => arrayText(r, w)) },
  { weight: 1, arbitrary: fc.constantFrom('null', '{}', '"x"', '[["1"]]', '[null]', '[{"price":"1","size":"2"}]', 'nul') },
);
const depthData = object(field('"U"', updateIdText), field('"u"', updateIdText), field('"b"', rowsText), field('"a"', rowsText));
const depthFrameText = object(
  field(
    '"stream"',
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('"depth.BTC_USDC_PERP"', '"depth.200ms.BTC_USDC_PERP"') },
      { weight: 1, arbitrary: fc.constantFrom('"depth.BTC\\u005fUSDC_PERP"', '"bookTicker.BTC_USDC_PERP"', '7') },
    ),
  ),
  field('"data"', fc.oneof({ weight: 10, arbitrary: depthData }, { weight: 1, arbitrary: anyValue })),
  fc.oneof({ weight: 10, arbitrary: fc.constant([] as Array<[string, string]>) }, { weight: 1, arbitrary: anyValue.map((v) => [['"error"', v]] as Array<[string, string]>) }),
);
const snapshotText = object(field('"lastUpdateId"', updateIdText), field('"bids"', rowsText), field('"asks"', rowsText));

function checkDepthEvent(text: string, scan: DepthScan): 'declined' | 'read' {
  if (!scanDepthEvent(text, scan)) return 'declined';
  let frame: { stream?: unknown; data?: unknown; error?: unknown };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    assert.fail(`the scanner read text JSON.parse refuses: ${text}`);
  }
  assert.equal(frame.error, undefined, 'an error frame was read');
  assert.equal(typeof frame.stream, 'string');
  assert.equal(scan.stream, frame.stream);
  assert.ok(scan.streamIs(frame.stream as string));
  const want = readDepthEvent(frame.data);
  assert.ok(want.ok, `the scanner read a depth event the parser refuses: ${text}`);
  assert.deepStrictEqual(scan.event(), want.value, text);
  // The rows as fixed-point numbers: what the book sync's parseFixed makes of them, or undefined exactly where it throws.
  for (const [ps, ss] of SCALES) {
    const rows = fixedRows([want.value.b, want.value.a], ps, ss);
    assert.deepStrictEqual(scan.fixedEvent(ps, ss), rows === undefined ? undefined : { fixed: true, U: want.value.U, u: want.value.u, b: rows[0], a: rows[1] }, text);
  }
  return 'read';
}

const SCALES = [
  [1, 5],
  [0, 0],
  [2, 3],
  [8, 8],
] as const;

/** Each list's rows through parseFixed at these scales; undefined when any throws. */
function fixedRows(lists: ReadonlyArray<ReadonlyArray<readonly [string, string]>>, ps: number, ss: number): number[][][] | undefined {
  try {
    return lists.map((rows) => rows.map(([p, q]) => [parseFixed(p, ps), parseFixed(q, ss)]));
  } catch {
    return undefined;
  }
}

function checkDepthSnapshot(text: string, scan: DepthScan): 'declined' | 'read' {
  if (!scanDepthSnapshot(text, scan)) return 'declined';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    assert.fail(`the scanner read text JSON.parse refuses: ${text}`);
  }
  const want = readDepthSnapshot(body);
  assert.ok(want.ok, `the scanner read a snapshot the parser refuses: ${text}`);
  assert.deepStrictEqual(scan.snapshot(), want.value, text);
  for (const [ps, ss] of SCALES) {
    const rows = fixedRows([want.value.bids, want.value.asks], ps, ss);
    assert.deepStrictEqual(scan.fixedSnapshot(ps, ss), rows === undefined ? undefined : { fixed: true, lastUpdateId: want.value.lastUpdateId, bids: rows[0], asks: rows[1] }, text);
  }
  return 'read';
}

test('Backpack depth scanner: declines, or gives exactly JSON.parse + readDepthEvent, over frames in many spellings', () => {
  const scan = new DepthScan();
  let read = 0;
  fc.assert(
    fc.property(depthFrameText, damage, (text, hurt) => {
      if (checkDepthEvent(hurt(text), scan) === 'read') read++;
    }),
    { numRuns: RUNS },
  );
  assert.ok(read > RUNS / 50, `only ${read} of ${RUNS} frames read`);
});

test('Backpack depth snapshot scanner: declines, or gives exactly JSON.parse + readDepthSnapshot', () => {
  const scan = new DepthScan();
  let read = 0;
  fc.assert(
    fc.property(snapshotText, damage, (text, hurt) => {
      if (checkDepthSnapshot(hurt(text), scan) === 'read') read++;
    }),
    { numRuns: RUNS },
  );
  assert.ok(read > RUNS / 50, `only ${read} of ${RUNS} snapshots read`);
});

test('Backpack scanners over arbitrary strings and JSON values never accept what the reference does not', () => {
  const scan = new DepthScan();
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.json(),
        fc.json({ stringUnit: 'binary' }),
        fc.jsonValue({ stringUnit: 'binary' }).map((v) => JSON.stringify({ stream: 'depth.BTC_USDC_PERP', data: v })),
        fc.jsonValue({ stringUnit: 'binary' }).map((v) => JSON.stringify({ stream: 'depth.BTC_USDC_PERP', x: v, data: { U: 1, u: 2, b: [], a: [['1', '2', v]] } })),
      ),
      (text) => {
        checkDepthEvent(text, scan);
        checkDepthSnapshot(text, scan);
      },
    ),
    { numRuns: RUNS },
  );
});

test('Backpack scanner, worked cases', () => {
  const scan = new DepthScan();
  const text = '{"data":{"a":[["97010.9","0.09000"]],"b":null,"U":"1662976215","u":1662976216,"s":"BTC_USDC_PERP"},"stream":"depth.BTC_USDC_PERP"}';
  assert.equal(scanDepthEvent(text, scan), true);
  assert.deepStrictEqual(scan.event(), { U: 1662976215, u: 1662976216, b: [], a: [['97010.9', '0.09000']] });
  assert.equal(scanDepthEvent('{"stream":"depth.X","data":{"U":5,"u":4}}', scan), false, 'u below U');
  assert.equal(scanDepthEvent('{"stream":"depth.X","data":{"U":5,"u":5,"b":[["1","2"],]}}', scan), false, 'a trailing comma');
  assert.equal(scanDepthEvent('{"stream":"depth.X","error":null,"data":{"U":5,"u":5}}', scan), false, 'an error key');
  assert.equal(scanDepthSnapshot('{"lastUpdateId":"12","bids":[["1.5","2",7]],"asks":[]}', scan), true);
  assert.deepStrictEqual(scan.snapshot(), { lastUpdateId: 12, bids: [['1.5', '2']], asks: [] });
});

// ---------------------------------------------------------------- the tokenizer

test('skipValue accepts exactly the JSON JSON.parse accepts (within its depth), and never throws', () => {
  const skips = (text: string) => {
    assert.ok(load(text));
    const end = skipValue(0);
    return end >= 0 && onlyWsFrom(end);
  };
  fc.assert(
    fc.property(
      fc.oneof(
        fc.json(),
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.json({ stringUnit: 'binary' }),
        fc.tuple(fc.json(), damage).map(([t, hurt]) => hurt(t)),
      ),
      (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        assert.equal(skips(text), valid, text);
      },
    ),
    { numRuns: RUNS * 2 },
  );
  // Deeper than the scanners read: declined, not a stack overflow.
  assert.equal(skips('['.repeat(100_000) + ']'.repeat(100_000)), false);
  assert.equal(skips('[' + '{"a":'.repeat(50) + '1' + '}'.repeat(50) + ']'), true);
});

test('fixedAt gives parseFixed exact values or NaN where it refuses', () => {
  fc.assert(
    fc.property(fc.tuple(digits(1, 18), fc.option(digits(1, 18))), fc.integer({ min: 0, max: 18 }), ([w, f], scale) => {
      const text = f === null ? w : `${w}.${f}`;
      let want: number;
      try {
        want = parseFixedExact(text, scale);
      } catch {
        want = NaN;
      }
      assert.ok(load(`${text}"`));
      if (readDecimal(0) < 0) return; // a mantissa past exact range: declined
      assert.equal(fixedAt(read.v, read.f, scale), want, `${text} at ${scale}`);
    }),
    { numRuns: RUNS },
  );
});
