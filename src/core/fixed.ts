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

/** Parses a decimal string into a safe-integer number at the given scale. */
export function parseFixed(text: string, scale: number, mode: Rounding = 'exact'): number {
  const units = plainUnits(text, scale);
  return units >= 0 ? units : toSafe(parseUnits(text, scale, mode), text);
}

const POW10_NUMBER: number[] = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

/**
 * The common case of parseFixed without bigint (every book level of every frame comes through
 * here): an unsigned decimal of at most 15 digits with no more decimals than the scale. Its
 * digits are an exact double, and so is their product with 10^k as long as that stays a safe
 * integer. −1 for anything else (a sign, more digits or decimals, a bad scale, not a number):
 * parseUnits then gives the same answer, or the same error, the long way.
 */
function plainUnits(text: string, scale: number): number {
  const n = text.length;
  if (n === 0 || n > 16 || !Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) return -1;
  let digits = 0;
  let point = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits = digits * 10 + (c - 48);
    else if (c === 46 && point < 0 && i > 0 && i < n - 1) point = i;
    else return -1;
  }
  const decimals = point < 0 ? 0 : n - point - 1;
  if ((point < 0 && n > 15) || decimals > scale) return -1;
  const units = digits * POW10_NUMBER[scale - decimals];
  return Number.isSafeInteger(units) ? units : -1;
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
