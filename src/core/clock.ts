// The one source of time for the engine, the strategy's callers and the paper venue. Two readings:
// wall time (epoch ms) for file names and rows, monotonic time (ms on performance.now()'s base)
// for ages, deadlines and latencies. Timers go through the clock too, so a test or a replay can
// run the engine on a clock it advances instead of waiting on the real one.

/** An opaque timer handle from a Clock. */
export interface ClockTimer {
  readonly id: number;
}

export interface Clock {
  /** Epoch milliseconds. */
  wallMs(): number;
  /** Monotonic milliseconds; the base is the one sockets stamp frames with (performance.now()). */
  monoMs(): number;
  /** Calls `fn` once after `ms` (monotonic). */
  setTimeout(fn: () => void, ms: number): ClockTimer;
  /** Calls `fn` every `ms` until cleared. */
  setInterval(fn: () => void, ms: number): ClockTimer;
  clear(timer: ClockTimer | undefined): void;
}

/** Resolves after `ms` on the clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, Math.max(0, ms)));
}

/** Resolves when `work` settles or after `limitMs` on the clock, whichever is first; never rejects. */
export async function withTimeout(clock: Clock, work: Promise<unknown>, limitMs: number): Promise<void> {
  let timer: ClockTimer | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((r) => (timer = clock.setTimeout(() => r(undefined), limitMs)))]);
  clock.clear(timer);
}

/** The real clock: Date.now(), performance.now() and Node's timers. */
class SystemClock implements Clock {
  private next = 1;
  private readonly handles = new Map<number, NodeJS.Timeout>();

  wallMs(): number {
    return Date.now();
  }
  monoMs(): number {
    return performance.now();
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const id = this.next++;
    this.handles.set(
      id,
      setTimeout(() => {
        this.handles.delete(id);
        fn();
      }, ms),
    );
    return { id };
  }
  setInterval(fn: () => void, ms: number): ClockTimer {
    const id = this.next++;
    this.handles.set(id, setInterval(fn, ms));
    return { id };
  }
  clear(timer: ClockTimer | undefined): void {
    if (timer === undefined) return;
    const h = this.handles.get(timer.id);
    if (h === undefined) return;
    clearTimeout(h);
    this.handles.delete(timer.id);
  }
}

export const systemClock: Clock = new SystemClock();

interface FakeTimer {
  id: number;
  due: number;
  every?: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. `advance(ms)` fires every timer that falls due on the way,
 * in time order, and lets the promise callbacks and setImmediate work each one starts run before
 * the next, so code awaiting timers behaves as it would in real time, without the wait.
 */
export class FakeClock implements Clock {
  private mono: number;
  private readonly wallOffset: number;
  private next = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(start: { wallMs?: number; monoMs?: number } = {}) {
    this.mono = start.monoMs ?? 1_000;
    this.wallOffset = (start.wallMs ?? Date.UTC(2026, 0, 1)) - this.mono;
  }

  wallMs(): number {
    return this.wallOffset + this.mono;
  }
  monoMs(): number {
    return this.mono;
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const id = this.next++;
    this.timers.set(id, { id, due: this.mono + Math.max(0, ms), fn });
    return { id };
  }
  setInterval(fn: () => void, ms: number): ClockTimer {
    const id = this.next++;
    const every = Math.max(1, ms);
    this.timers.set(id, { id, due: this.mono + every, every, fn });
    return { id };
  }
  clear(timer: ClockTimer | undefined): void {
    if (timer !== undefined) this.timers.delete(timer.id);
  }

  /** Timers still pending. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing what falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.mono + ms;
    await settleTurns();
    for (;;) {
      const due = this.earliest();
      if (due === undefined || due.due > target) break;
      this.mono = Math.max(this.mono, due.due);
      if (due.every !== undefined) due.due += due.every;
      else this.timers.delete(due.id);
      due.fn();
      await settleTurns();
    }
    this.mono = target;
    await settleTurns();
  }

  /**
   * Advances in steps of `stepMs` until `work` settles, at most `limitMs` of clock time, and
   * returns its value; throws naming `what` when it does not settle in that time.
   */
  async runUntil<T>(work: Promise<T>, what = 'work', limitMs = 120_000, stepMs = 10): Promise<T> {
    let done = false;
    let value: T | undefined;
    let failure: unknown;
    let failed = false;
    work.then(
      (v) => {
        done = true;
        value = v;
      },
      (e: unknown) => {
        done = true;
        failed = true;
        failure = e;
      },
    );
    await settleTurns();
    for (let spent = 0; !done; spent += stepMs) {
      if (spent > limitMs) throw new Error(`${what} did not finish within ${limitMs} ms of clock time`);
      await this.advance(stepMs);
    }
    if (failed) throw failure;
    return value as T;
  }

  private earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) if (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    return best;
  }
}

/** Lets pending promise callbacks and setImmediate callbacks (and what they start) run. */
async function settleTurns(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise<void>((r) => setImmediate(r));
}
