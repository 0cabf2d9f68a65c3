// The replay's event objects with their time held as a double from the first event on.
//
// A recording's times are microseconds of the recording process's monotonic clock, which starts
// near zero: they are small integers (V8's "Smi", 31 bits and a sign) until 2^31 µs, about 36
// minutes into that clock, and heap doubles after. The event objects ({kind, venue, atUs,
// payload}, made by record/reader.ts and record/format.ts, and packed.ts's order events) share one
// hidden class, and V8 gives that class's atUs field the representation of the first
// value stored in it: a small integer. The first event past 2^31 µs then forces a new class with
// a double field, and every function optimised for the old one (the books, the strategy, the
// engine, the clock, which all received times derived from atUs) is thrown away and compiled again
// in the middle of the replay: measured, about 30 deoptimisations and 50 recompilations at that
// moment in a one-hour replay, 0.1 s of 1.1 s CPU in a cold run.
//
// Making one such object here, at load, with a fractional time gives the field a double
// representation before any event is read; a later integer time is stored in it as a double, and
// the class never changes. Nothing reads these objects: they only have to exist before the first
// event (every thread that replays or reads loads this module through packed.ts or run.ts). The
// frames packed.ts unpacks with `decoded` (a sweep's threads, a pipelined replay) need no seed: their
// times come out of a Float64Array and their field starts as a double (test/backtest/shapes.test.ts).

import type { RecordedEvent } from '../record/format.js';

export const EVENT_SHAPES: readonly RecordedEvent[] = [
  // record/reader.ts eventAt, record/format.ts decodeEvent, packed.ts unpackBatch's order events and raw frames.
  { kind: 'frame', venue: 'backpack', atUs: 0.5, payload: '' },
];
