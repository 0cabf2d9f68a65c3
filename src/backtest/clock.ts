// The clock of a replay: time is the recording's, moved forward by the replay driver to each
// event's receive time. Timers (the engine's, the simulated latencies) fire in time order as the
// driver passes them, and the work each one starts (promise callbacks, setImmediate turns) runs
// before the next, so a replay does exactly what the same events would have made it do live, in
// one order only: the same recording and flags give the same result.

import type { Clock, ClockTimer } from '../core/clock.js';

interface ReplayTimer {
  id: number;
  due: number;
  every?: number;
  fn: () => void;
}

export class ReplayClock implements Clock {
  private mono: number;
  private next = 1;
  private readonly timers = new Map<number, ReplayTimer>();
  /** Earliest due time, or Infinity; recomputed when a timer goes. */
  private earliestDue = Infinity;
  /** Set when something was started that continues on a later turn (an order sent). */
  private pendingWork = false;
  /** True when nothing started so far continues on a later turn (settleWhenBusy); undefined = always settle. */
  private settled?: () => boolean;

  constructor(
    startMonoMs: number,
    private readonly wallMinusMono: number,
  ) {
    this.mono = startMonoMs;
  }

  wallMs(): number {
    return this.wallMinusMono + this.mono;
  }
  monoMs(): number {
    return this.mono;
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const id = this.next++;
    const due = this.mono + Math.max(0, ms);
    this.timers.set(id, { id, due, fn });
    if (due < this.earliestDue) this.earliestDue = due;
    return { id };
  }
  setInterval(fn: () => void, ms: number): ClockTimer {
    const id = this.next++;
    const every = Math.max(1, ms);
    const due = this.mono + every;
    this.timers.set(id, { id, due, every, fn });
    if (due < this.earliestDue) this.earliestDue = due;
    return { id };
  }
  clear(timer: ClockTimer | undefined): void {
    if (timer === undefined || !this.timers.delete(timer.id)) return;
    this.recompute();
  }

  /**
   * After a timer fires, its work is let run (settleTurns) only when something continues on a later
   * turn: an order sent (noteWork), or `settled` false. Most timers (the engine's check tick, ten a
   * second) start nothing, and the six event-loop turns each was given were a third of a replay's time.
   */
  settleWhenBusy(settled: () => boolean): void {
    this.settled = settled;
  }

  /** Work was started that finishes on later turns: the driver lets it run before the next event. */
  noteWork(): void {
    this.pendingWork = true;
  }

  /** Timers still pending. */
  get pending(): number {
    return this.timers.size;
  }

  /** Whether moving to `t` has anything to do (a timer due, or work to let run); else setTime(t) is enough. */
  busyUntil(t: number): boolean {
    return this.pendingWork || this.earliestDue <= t;
  }

  /** Moves the time to `t` when busyUntil(t) is false: no await, nothing fires. */
  setTime(t: number): void {
    if (t > this.mono) this.mono = t;
  }

  /**
   * advanceTo(t) without a turn of its own, for as long as it would need none: fires the timers due
   * up to `t` in order while each leaves nothing to settle, and sets the time to `t`; true when that
   * was all of it. At the first timer that leaves work (or with work already pending) it stops,
   * with that work still pending, and answers false: advanceTo(t) then settles it and goes on with
   * the rest. Timers that start nothing (the engine's check tick, ten a second) then cost no
   * promise and no await.
   */
  advanceSync(t: number): boolean {
    if (this.pendingWork) return false;
    while (this.earliestDue <= t) {
      if (this.fireEarliest()) {
        this.pendingWork = true;
        return false;
      }
    }
    if (t > this.mono) this.mono = t;
    return true;
  }

  /** Fires every timer due up to `t` (in order, each one's work settled), then sets the time to `t`. */
  async advanceTo(t: number): Promise<void> {
    if (this.pendingWork) {
      this.pendingWork = false;
      await settleTurns();
    }
    while (this.earliestDue <= t) {
      const busy = this.fireEarliest();
      this.pendingWork = false;
      if (busy) await settleTurns();
    }
    if (t > this.mono) this.mono = t;
  }

  /**
   * Fires the earliest timer at its due time (a repeating one is re-armed first); true when that
   * left work to settle (work already pending, or the engine not settled).
   */
  private fireEarliest(): boolean {
    const timer = this.earliest()!;
    if (timer.due > this.mono) this.mono = timer.due;
    if (timer.every !== undefined) timer.due += timer.every;
    else this.timers.delete(timer.id);
    this.recompute();
    timer.fn();
    return this.pendingWork || this.settled === undefined || !this.settled();
  }

  private earliest(): ReplayTimer | undefined {
    let best: ReplayTimer | undefined;
    for (const t of this.timers.values()) if (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }

  private recompute(): void {
    this.earliestDue = this.earliest()?.due ?? Infinity;
  }
}

/** Lets the promise callbacks and setImmediate turns started so far (and what they start) run. */
export async function settleTurns(): Promise<void> {
  for (let i = 0; i < 6; i++) await new Promise<void>((r) => setImmediate(r));
}
