// Exact fixed-point numbers. A value at scale `s` is the integer `round(x · 10^s)`; every price and
// size that can reach an order travels in this form. Plain JS numbers hold the integers (exact up
// to 2^53 − 1, which covers the grids of the venues we trade, whose caps are far below it — see
// venues/); parsing goes through bigint so that nothing is rounded by the float unit on the way.

export class FixedPointError extends Error {
  override name = 'FixedPointError';
}

export type Rounding = 'down' | 'up' | 'nearest' | 'exact';

const MAX_SCALE = 18;
const POW10: bigint[] = Array.from({ length: MAX_SCALE * 2 + 1 }, (_, i) => 10n ** BigInt(i));
const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?$/;

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) {
    throw new FixedPointError(`scale ${scale} is not an integer between 0 and ${MAX_SCALE}`);
  }
}

/** Integer division of a by a positive b, rounded as asked ('exact' refuses a remainder). */
function divRound(a: bigint, b: bigint, mode: Rounding, what: string): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  switch (mode) {
    case 'exact':
      throw new FixedPointError(`${what} is off the grid`);
    case 'down':
      return r < 0n ? q - 1n : q; // toward −∞
    case 'up':
      return r > 0n ? q + 1n : q; // toward +∞
    case 'nearest': {
      // half away from zero
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice >= b) return a < 0n ? q - 1n : q + 1n;
      return q;
    }
  }
}

/** Parses a decimal string into a bigint at the given scale; rounding applies to extra digits. */
export function parseUnits(text: string, scale: number, mode: Rounding = 'exact'): bigint {
  checkScale(scale);
  const m = DECIMAL_RE.exec(text);
  if (m === null) throw new FixedPointError(`"${truncate(text)}" is not a decimal number`);
  const [, sign, whole, frac = ''] = m;
  const digits = BigInt(whole + frac) * (sign === '-' ? -1n : 1n);
  if (frac.length <= scale) return digits * POW10[scale - frac.length];
  return divRound(digits, POW10[frac.length - scale], mode, `"${truncate(text)}" at ${scale} decimals`);
}

/**
 * True for unsigned decimal text as venues send it: ASCII digits, optionally a point and more
 * digits (the regex /^\d+(\.\d+)?$/, without a regex: it runs on every level of every frame).
 */
export function isUnsignedDecimal(text: string): boolean {
  const len = text.length;
  let i = 0;
  let c = 0;
  for (; i < len; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
  }
  if (i === 0) return false;
  if (i === len) return true;
  if (c !== 46 || i === len - 1) return false; // only a point, and not a last one
  for (i++; i < len; i++) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Parses a decimal string into a safe-integer number at the given scale. */
export function parseFixed(text: string, scale: number, mode: Rounding = 'exact'): number {
  const fast = parseFixedFast(text, scale);
  if (!Number.isNaN(fast)) return fast; // the fast path answered
  return parseFixedExact(text, scale, mode);
}

/** parseFixed the exact way for every input (bigint): the reference the fast path is tested against. */
export function parseFixedExact(text: string, scale: number, mode: Rounding = 'exact'): number {
  return toSafe(parseUnits(text, scale, mode), text);
}

// 10^k as numbers, exact up to 10^22; only k ≤ MAX_SCALE is used.
const POW10_NUM: number[] = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);
// Below this, n·10 + 9 stays under 2^53, so every step of the digit loop is exact.
const ACC_LIMIT = Math.floor((Number.MAX_SAFE_INTEGER - 9) / 10);

/**
 * The common case without regex or bigint: a well-formed decimal (optional sign, digits, optionally
 * a point and digits) whose digits past the scale are all zeros and whose value is a safe integer at
 * that scale. Then no rounding mode can change the answer, and the digit loop below is exact. Any
 * other text (malformed, off the grid, near or past 2^53, a bad scale) answers NaN and goes the
 * exact bigint way, which gives the same value or the same refusal (property-tested against it).
 * Exported for that test; callers use parseFixed.
 */
export function parseFixedFast(text: string, scale: number): number {
  if (!(scale >= 0 && scale <= MAX_SCALE) || (scale | 0) !== scale) return NaN;
  const len = text.length;
  let i = 0;
  let c = len > 0 ? text.charCodeAt(0) : 0;
  const neg = c === 45; // '-'
  if (neg || c === 43) i = 1; // '+'
  const wholeStart = i;
  let n = 0;
  for (; i < len; i++) {
    c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    if (n > ACC_LIMIT) return NaN;
    n = n * 10 + c;
  }
  if (i === wholeStart) return NaN;
  let used = 0;
  if (i < len) {
    if (text.charCodeAt(i) !== 46) return NaN; // '.'
    const fracStart = ++i;
    for (; i < len; i++) {
      c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      if (used < scale) {
        if (n > ACC_LIMIT) return NaN;
        n = n * 10 + c;
        used++;
      } else if (c !== 0) return NaN; // off the grid: the rounding mode decides, the exact way
    }
    if (i === fracStart) return NaN;
  }
  if (used < scale) {
    n *= POW10_NUM[scale - used];
    if (n > Number.MAX_SAFE_INTEGER) return NaN;
  }
  return neg && n !== 0 ? -n : n;
}

function toSafe(units: bigint, text: string): number {
  if (units > BigInt(Number.MAX_SAFE_INTEGER) || units < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FixedPointError(`"${truncate(text)}" is out of range`);
  }
  return Number(units);
}

/** Formats an integer at a scale as a decimal string with exactly `scale` decimals. */
export function formatFixed(units: number | bigint, scale: number): string {
  checkScale(scale);
  if (typeof units === 'number' && !Number.isSafeInteger(units)) {
    throw new FixedPointError(`${units} is not a safe integer`);
  }
  // A safe integer prints exactly as a number; bigint only for what is beyond 2^53.
  const neg = units < 0;
  const digits = typeof units === 'number' ? String(neg ? -units : units) : (neg ? -units : units).toString();
  if (scale === 0) return (neg ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  const cut = padded.length - scale;
  return (neg ? '-' : '') + padded.slice(0, cut) + '.' + padded.slice(cut);
}

/** Like formatFixed but without trailing zeros (and without a bare trailing point). */
export function formatFixedTrim(units: number | bigint, scale: number): string {
  const s = formatFixed(units, scale);
  if (scale === 0) return s;
  return s.replace(/\.?0+$/, '');
}

/** Number of decimals a step or tick string carries: "0.00001" → 5, "1" → 0, "0.50" → 1. */
export function decimalsOf(step: string): number {
  const m = DECIMAL_RE.exec(step);
  if (m === null) throw new FixedPointError(`"${truncate(step)}" is not a decimal number`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return frac.length;
}

/** Rounds an integer to a multiple of `step` (both at the same scale). */
export function roundToStep(units: number, step: number, mode: Rounding): number {
  if (!Number.isSafeInteger(step) || step <= 0) throw new FixedPointError(`step ${step} is not a positive integer`);
  if (!Number.isSafeInteger(units)) throw new FixedPointError(`${units} is not a safe integer`);
  return Number(divRound(BigInt(units), BigInt(step), mode, `${units} with step ${step}`)) * step;
}

/** Moves an integer from one scale to another, rounding as asked when precision is lost. */
export function rescale(units: number, fromScale: number, toScale: number, mode: Rounding = 'exact'): number {
  checkScale(fromScale);
  checkScale(toScale);
  if (toScale === fromScale) return units;
  if (toScale > fromScale) {
    const out = BigInt(units) * POW10[toScale - fromScale];
    return toSafe(out, String(units));
  }
  return Number(divRound(BigInt(units), POW10[fromScale - toScale], mode, `${units} from ${fromScale} to ${toScale} decimals`));
}

/** Checks that an integer lies on a grid and in a range; throws a message naming the field. */
export function assertOnGrid(field: string, units: number, step: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(units)) throw new FixedPointError(`${field} ${units} is not an integer`);
  if (units < min || units > max) throw new FixedPointError(`${field} ${units} is outside ${min}…${max}`);
  if (units % step !== 0) throw new FixedPointError(`${field} ${units} is not a multiple of ${step}`);
}

/** 10^n as a number, for n ≤ 15 (exact). */
export function pow10(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 15) throw new FixedPointError(`10^${n} is not exact as a number`);
  return 10 ** n;
}

function truncate(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}
