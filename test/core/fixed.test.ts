import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FixedPointError, assertOnGrid, decimalsOf, formatFixed, formatFixedTrim, parseFixed, parseUnits, rescale, roundToStep } from '../../src/core/fixed.js';

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

test('parseFixed without bigint gives what parseUnits gives, or the same error, for every shape of text', () => {
  // The short path (plain decimals of up to 15 digits within the scale) and the long one (bigint)
  // must agree everywhere: on the boundaries of the short path's rules and on random texts.
  const texts = [
    '0',
    '7',
    '007',
    '0.0',
    '1.5',
    '97001.5',
    '97001.50',
    '999999999999999',
    '9999999999999999',
    '999999999999999.9',
    '99999999.9999999',
    '9007199254740991',
    '9007199254740992',
    '900719925474099.1',
    '0.000000000000001',
    '1.',
    '.5',
    '1..5',
    '1.2.3',
    '-1.5',
    '+1.5',
    '-0',
    '1e5',
    ' 1',
    '1 ',
    '',
    '٣',
    '0x10',
    'NaN',
  ];
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 3000; i++) {
    const whole = Array.from({ length: 1 + rand(17) }, () => String(rand(10))).join('');
    const frac = rand(3) === 0 ? '' : '.' + Array.from({ length: 1 + rand(12) }, () => String(rand(10))).join('');
    texts.push(whole + frac);
  }
  const outcome = (f: () => number | bigint) => {
    try {
      return String(f());
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  };
  let short = 0;
  for (const text of texts) {
    for (const scale of [0, 1, 2, 5, 8, 12, 18, 19, 1.5]) {
      for (const mode of ['exact', 'down', 'up', 'nearest'] as const) {
        const long = outcome(() => {
          const units = parseUnits(text, scale, mode);
          if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER)) throw new FixedPointError(`"${text}" is out of range`);
          return Number(units);
        });
        assert.equal(
          outcome(() => parseFixed(text, scale, mode)),
          long,
          `parseFixed("${text}", ${scale}, ${mode})`,
        );
        if (!long.includes('Error') && /^\d+(\.\d+)?$/.test(text)) short++;
      }
    }
  }
  assert.ok(short > 10_000, `only ${short} cases parsed`);
});
