// The Lighter order_book parser's one-pass read of a level (parseFixedFast where the text is the
// usual decimal) gives exactly what the checks it skips give: the same levels for every frame the
// parser accepts and the same refusal line for every frame it refuses, over prices and sizes that
// are decimals, signed, off the grid, too long, too large, empty, with exponents or spaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFixed } from '../../../src/core/fixed.js';
import type { Level } from '../../../src/core/orderbook.js';
import { readBookFrame } from '../../../src/venues/lighter/messages.js';
import { isDecimalText, preview } from '../../../src/venues/messages.js';

/** The level checks as written before the one-pass read: isDecimalText on both, then parseFixed. */
function referenceLevels(
  raw: Array<{ price: unknown; size: unknown }>,
  side: string,
  priceScale: number,
  sizeScale: number,
): { ok: true; value: Level[] } | { ok: false; why: string } {
  const out: Level[] = [];
  for (const l of raw) {
    if (typeof l.price !== 'string' || typeof l.size !== 'string') return { ok: false, why: `order_book.${side} level lacks price/size strings: ${preview(l, 60)}` };
    if (!isDecimalText(l.price) || !isDecimalText(l.size)) return { ok: false, why: `order_book.${side} level is not decimal price/size: ${preview(l, 60)}` };
    try {
      out.push([parseFixed(l.price, priceScale), parseFixed(l.size, sizeScale)]);
    } catch (e) {
      return { ok: false, why: `order_book.${side} level ${preview(l, 60)}: ${(e as Error).message}` };
    }
  }
  return { ok: true, value: out };
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), minLength: min, maxLength: max });
const decimalText = fc.oneof(
  fc.tuple(digits(1, 8), fc.option(digits(0, 8))).map(([w, f]) => (f === null ? w : `${w}.${f}`)),
  fc.tuple(fc.constantFrom('-', '+', ' ', ''), digits(1, 20), fc.constantFrom('', '.', '.0', '.00000001', 'e3', ' ', '.5.5')).map(([a, b, c]) => a + b + c),
  digits(60, 70),
  fc.constantFrom('', '.', '0', '00.10', '9007199254740993', '99999.95', '1e5', 'NaN', '١٢'),
);
const value = fc.oneof({ weight: 8, arbitrary: decimalText }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.constant(undefined)) });

test('the one-pass level read accepts and refuses exactly as isDecimalText and parseFixed do', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ price: value, size: value }), { maxLength: 4 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), (levels, ps, ss) => {
      const got = readBookFrame({ type: 'update/order_book', order_book: { nonce: 2, begin_nonce: 1, bids: levels, asks: [] } }, ps, ss);
      const want = referenceLevels(levels, 'bids', ps, ss);
      if (want.ok) {
        assert.ok(got.ok, `accepted: ${JSON.stringify(levels)}`);
        assert.deepEqual(got.value.bids, want.value);
      } else {
        assert.ok(!got.ok);
        assert.equal(got.why, want.why);
      }
    }),
    { numRuns: 20_000 },
  );
});
