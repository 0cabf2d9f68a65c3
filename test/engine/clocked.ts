// Engine tests run on a FakeClock: time moves only when a test moves it, so nothing here waits on
// the wall clock. These helpers move it until something the engine does has happened.
import type { FakeClock } from '../../src/core/clock.js';
import type { ArbEngine } from '../../src/engine/index.js';

/** Advances the clock in `stepMs` steps until `check` holds; fails naming `what` after `limitMs` of clock time. */
export async function waitFor(clock: FakeClock, what: string, check: () => boolean, limitMs = 3000, stepMs = 5): Promise<void> {
  for (let spent = 0; !check(); spent += stepMs) {
    if (spent > limitMs) throw new Error(`${what} did not happen within ${limitMs} ms of clock time`);
    await clock.advance(stepMs);
  }
}

/** Moves the clock until the engine has nothing in flight (its own idle()). */
export function settled(clock: FakeClock, engine: ArbEngine): Promise<void> {
  return clock.runUntil(engine.idle(), 'engine idle');
}
