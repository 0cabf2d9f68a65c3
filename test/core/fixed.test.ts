import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  isUnsignedDecimal,
  FixedPointError,
  assertOnGrid,
  decimalsOf,
  formatFixed,
  formatFixedTrim,
  parseFixed,
  parseFixedExact,
  parseFixedFast,
  parseUnits,
  rescale,
  roundToStep,
  type Rounding,
} from '../../src/core/fixed.js';

test('parses venue decimal strings into exact integers', () => {
  assert.equal(parseFixed('97001.5', 1), 970015);
  assert.equal(parseFixed('97001.50', 2), 9700150);
  assert.equal(parseFixed('0.00001', 5), 1);
  assert.equal(parseFixed('0.0050', 4), 50);
  assert.equal(parseFixed('2352.74', 2), 235274);
  assert.equal(parseFixed('12', 3), 12000);
  assert.equal(parseFixed('-1.25', 2), -125);
  assert.equal(parseFixed('0.1', 1) + parseFixed('0.2', 1), parseFixed('0.3', 1)); // no float drift
  assert.equal(parseUnits('123456789012345678.9', 1), 1234567890123456789n);
});

test('refuses digits beyond the scale unless a rounding direction is given', () => {
  assert.throws(
    () => parseFixed('0.123', 2),
    (e: unknown) => e instanceof FixedPointError && /off the grid/.test(e.message),
  );
  assert.equal(parseFixed('0.129', 2, 'down'), 12);
  assert.equal(parseFixed('0.121', 2, 'up'), 13);
  assert.equal(parseFixed('0.125', 2, 'nearest'), 13);
  assert.equal(parseFixed('0.124', 2, 'nearest'), 12);
  assert.equal(parseFixed('-0.129', 2, 'down'), -13);
  assert.equal(parseFixed('-0.121', 2, 'up'), -12);
  assert.equal(parseFixed('-0.125', 2, 'nearest'), -13);
  assert.equal(parseFixed('1.000', 1), 10); // extra zeros are on the grid
});

test('refuses malformed and out-of-range values with a clear error', () => {
  for (const bad of ['', '1e5', '1.', '.5', '0x10', 'NaN', '1,5', ' 1', '+']) {
    assert.throws(
      () => parseFixed(bad, 2),
      (e: unknown) => e instanceof FixedPointError && /is not a decimal number/.test(e.message),
      bad,
    );
  }
  assert.throws(() => parseFixed('9007199254740992', 0), /out of range/);
  assert.throws(() => parseFixed('1', 19), /scale 19/);
  assert.throws(() => formatFixed(0.5, 2), /not a safe integer/);
});

test('formats integers back at the scale', () => {
  assert.equal(formatFixed(970015, 1), '97001.5');
  assert.equal(formatFixed(1, 5), '0.00001');
  assert.equal(formatFixed(-5, 3), '-0.005');
  assert.equal(formatFixed(0, 2), '0.00');
  assert.equal(formatFixed(42, 0), '42');
  assert.equal(formatFixed(123n, 2), '1.23');
  assert.equal(formatFixedTrim(1000, 5), '0.01');
  assert.equal(formatFixedTrim(970000, 1), '97000');
  assert.equal(formatFixedTrim(0, 3), '0');
});

test('property: format(parse(x)) = x over random values and scales', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 12 }), fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), (scale, units) => {
      const text = formatFixed(units, scale);
      assert.equal(formatFixed(parseUnits(text, scale), scale), text);
      assert.equal(parseUnits(text, scale), units);
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (scale, units) => {
      assert.equal(parseFixed(formatFixed(units, scale), scale), units);
    }),
    { numRuns: 5000 },
  );
});

test('property: rounding to a step lands on the grid in the stated direction', () => {
  fc.assert(
    fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 1, max: 100000 }), (units, step) => {
      const down = roundToStep(units, step, 'down');
      const up = roundToStep(units, step, 'up');
      const near = roundToStep(units, step, 'nearest');
      assert.equal(down % step === 0 || down === 0, true);
      assert.equal(Math.abs(up % step), 0);
      assert.ok(down <= units && units - down < step);
      assert.ok(up >= units && up - units < step);
      assert.ok(near === down || near === up);
      assert.ok(Math.abs(near - units) * 2 <= step);
    }),
    { numRuns: 5000 },
  );
});

test('ticks, steps and rescaling', () => {
  assert.equal(decimalsOf('0.1'), 1);
  assert.equal(decimalsOf('0.00001'), 5);
  assert.equal(decimalsOf('0.50'), 1);
  assert.equal(decimalsOf('1'), 0);
  assert.equal(roundToStep(970017, 5, 'down'), 970015);
  assert.equal(roundToStep(970017, 5, 'up'), 970020);
  assert.throws(() => roundToStep(970017, 5, 'exact'), /off the grid/);
  assert.equal(rescale(970015, 1, 2), 9700150);
  assert.equal(rescale(9700155, 2, 1, 'down'), 970015);
  assert.equal(rescale(9700155, 2, 1, 'up'), 970016);
  assert.throws(() => rescale(9700155, 2, 1), /off the grid/);
  assert.doesNotThrow(() => assertOnGrid('size', 300, 100, 100));
  assert.throws(() => assertOnGrid('size', 250, 100, 100), /size 250 is not a multiple of 100/);
  assert.throws(() => assertOnGrid('size', 0, 100, 100), /size 0 is outside 100/);
});

/** What a parse gives: the value (Object.is: -0 and 0 differ), or the error's class and message. */
function outcome(parse: () => number): { value: number } | { error: string } {
  try {
    return { value: parse() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function assertSameAsExact(text: string, scale: number, mode: Rounding): void {
  const got = outcome(() => parseFixed(text, scale, mode));
  const want = outcome(() => parseFixedExact(text, scale, mode));
  assert.deepEqual(got, want, `parseFixed(${JSON.stringify(text)}, ${scale}, ${mode})`);
  if ('value' in got && 'value' in want) assert.ok(Object.is(got.value, want.value), `${JSON.stringify(text)}: ${got.value} is not ${want.value}`);
}

test("the fast path answers the venues' common decimals, and answers them as the exact way does", () => {
  const common: Array<[string, number, number]> = [
    ['97001.5', 1, 970015],
    ['100000.3', 1, 1000003],
    ['0.28021', 5, 28021],
    ['0.00000', 5, 0],
    ['0', 5, 0],
    ['12', 3, 12000],
    ['-1.25', 2, -125],
    ['+1.25', 2, 125],
    ['0007.50', 2, 750],
    ['1.000', 1, 10],
    ['0.000000000000000001', 18, 1],
    ['9007199254740991', 0, Number.MAX_SAFE_INTEGER],
    ['90071992547409.91', 2, Number.MAX_SAFE_INTEGER],
    ['-9007199254740991', 0, -Number.MAX_SAFE_INTEGER],
  ];
  for (const [text, scale, units] of common) {
    // Each of these is either answered by the fast path or (at the 2^53 edge) left to the exact way.
    const fast = parseFixedFast(text, scale);
    if (Math.abs(units) < 9e15) assert.equal(fast, units, `fast path on ${text}`);
    else assert.ok(Number.isNaN(fast) || fast === units, `fast path on ${text}`);
    assert.equal(parseFixed(text, scale), units, text);
  }
  assert.ok(Object.is(parseFixed('-0.000', 3), 0), '-0 parses to +0 as the exact way gives');
  assert.ok(Object.is(parseFixed('-0', 0), 0));
  // What the fast path must leave to the exact way: malformed, off the grid, out of range, bad scale.
  for (const [text, scale] of [
    ['', 2],
    ['-', 2],
    ['+', 2],
    ['1.', 2],
    ['.5', 2],
    ['1e5', 2],
    ['1.5.', 2],
    ['0.123', 2],
    ['-0.129', 2],
    ['9007199254740992', 0],
    ['1', 19],
    ['1', -1],
    ['1', 1.5],
    ['1', NaN],
    ['١', 0],
    [' 1', 0],
  ] as Array<[string, number]>) {
    assert.ok(Number.isNaN(parseFixedFast(text, scale)), `fast path must not answer ${JSON.stringify(text)} at ${scale}`);
    for (const mode of ['exact', 'down', 'up', 'nearest'] as const) assertSameAsExact(text, scale, mode);
  }
});

test('property: parseFixed (fast path) gives the same value or the same refusal as the exact bigint way', () => {
  const digits = (max: number) => fc.array(fc.constantFrom(...'0123456789'), { maxLength: max }).map((d) => d.join(''));
  const decimal = fc
    .tuple(fc.constantFrom('', '', '', '-', '+'), fc.constantFrom('', '', '0', '000'), digits(19), fc.option(digits(22), { nil: undefined }))
    .map(([sign, zeros, whole, frac]) => `${sign}${zeros}${whole}${frac === undefined ? '' : '.' + frac}`);
  // Values at the 2^53 edge, written at a scale with or without extra zeros.
  const edge = fc
    .tuple(fc.integer({ min: -2000, max: 2000 }), fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 3 }))
    .map(([d, s, zeros]) => formatFixed(BigInt(Number.MAX_SAFE_INTEGER) * (d < 0 ? -1n : 1n) + BigInt(d), s) + (zeros > 0 ? (s === 0 ? '.' : '') + '0'.repeat(zeros) : ''));
  const garbage = fc.array(fc.constantFrom(...'0123456789.-+e x١'), { maxLength: 12 }).map((c) => c.join(''));
  const text = fc.oneof(
    { weight: 6, arbitrary: decimal },
    { weight: 2, arbitrary: edge },
    { weight: 2, arbitrary: garbage },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const scale = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 18 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 19, 1.5, NaN, Infinity) });
  const mode = fc.constantFrom<Rounding>('exact', 'down', 'up', 'nearest');
  fc.assert(
    fc.property(text, scale, mode, (t, s, m) => assertSameAsExact(t, s, m)),
    { numRuns: 200_000 },
  );
});

test('isUnsignedDecimal accepts exactly what /^\\d+(\\.\\d+)?$/ accepts', () => {
  for (const yes of ['0', '7', '0.5', '100000.3', '0.00000', '007.10']) assert.equal(isUnsignedDecimal(yes), true, yes);
  for (const no of ['', '.', '1.', '.5', '-1', '+1', '1.2.3', '1e5', ' 1', '1 ', '١', '0x1', '1,5']) assert.equal(isUnsignedDecimal(no), false, no);
  const re = /^\d+(\.\d+)?$/;
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(fc.constantFrom(...'0123456789.-+e ١'), { maxLength: 10 }).map((c) => c.join('')),
        fc.string({ maxLength: 10 }),
      ),
      (text) => assert.equal(isUnsignedDecimal(text), re.test(text), JSON.stringify(text)),
    ),
    { numRuns: 100_000 },
  );
});
