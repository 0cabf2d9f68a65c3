// Clocks for adapter tests that pin time. Timers are always the system's.

import { systemClock, type Clock } from '../../src/core/clock.js';

/**
 * Both lines are the test's: wall ms is what the test says, and monotonic ms is the same reading
 * shifted by `monoShiftMs`, so a budget, back-off or readiness `until` on the monotonic line moves
 * only when the test moves it (and a shift shows which line a time was said on).
 */
export function pinnedWallClock(wallMs: () => number, monoShiftMs = 0): Clock {
  return clockOf(wallMs, () => wallMs() + monoShiftMs);
}

/** Monotonic ms is what the test says; wall ms is the system's. */
export function pinnedMonoClock(monoMs: () => number): Clock {
  return clockOf(() => systemClock.wallMs(), monoMs);
}

function clockOf(wallMs: () => number, monoMs: () => number): Clock {
  return {
    wallMs,
    monoMs,
    setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms),
    setInterval: (fn, ms) => systemClock.setInterval(fn, ms),
    clear: (t) => systemClock.clear(t),
  };
}
