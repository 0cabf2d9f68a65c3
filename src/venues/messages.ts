// What both venues' `messages` modules share: the result of reading one wire value (a typed
// message, or a refusal saying why) and the rate-limited warning a refused frame gets. A parser
// takes any JSON value and never throws; book sync, execution and account code see only what it
// accepted. (The "mapper" idea of tardis-node: raw venue messages in, normalised values out.)

import type { Clock } from '../core/clock.js';
import { isUnsignedDecimal } from '../core/fixed.js';
import type { Logger } from '../core/log.js';

/** One wire value read: the typed message, or why it was refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

export function accepted<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function refused<T = never>(why: string): Parsed<T> {
  return { ok: false, why };
}

/** A short, safe rendering of any value for a refusal line (never throws, never long). */
export function preview(value: unknown, max = 80): string {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return text === undefined ? String(value) : text.length > max ? `${text.slice(0, max)}…` : text;
  } catch {
    return Array.isArray(value) ? 'an array' : typeof value;
  }
}

/** An object's fields, or undefined for anything that is not a plain JSON object. */
export function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A decimal as venues send it: digits, optionally a point and more digits. */
export function isDecimalText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && isUnsignedDecimal(value);
}

/**
 * Warnings about refused frames, at most one per kind per interval (on the clock's monotonic
 * line); the next line says how many were held back. A venue that sends garbage many times a
 * second fills no disk.
 */
export class FrameWarnings {
  private readonly last = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = 10_000,
  ) {}

  /** Logs `text` unless a warning of this `kind` was logged within the interval; true when logged. */
  warn(kind: string, text: string): boolean {
    const now = this.clock.monoMs();
    const seen = this.last.get(kind);
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.held++;
      return false;
    }
    const held = seen?.held ?? 0;
    this.last.set(kind, { at: now, held: 0 });
    this.logger.warn(held > 0 ? `${text} (${held} more like it held back)` : text);
    return true;
  }
}
