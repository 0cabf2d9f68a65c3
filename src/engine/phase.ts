// The engine's life as one phase that moves only through a written table (the way nautilus_trader
// keeps an order's state table): a move that is not in the table is a defect and throws.
//
//   phase     moved by                                   allows
//   idle      —                                          start(), stop()
//   starting  start()                                    waiting for venues and books; stop() ends it
//   running   start-up done                              entries, repairs, reconciliation, the timer
//   stopping  stop(), an engine fault, a failed start    repairs and look-ups within the stop budget; no entry
//   stopped   stop() done                                nothing; the summary is final

export type Phase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export const PHASE_MOVES: Readonly<Record<Phase, readonly Phase[]>> = {
  idle: ['starting', 'stopping'],
  starting: ['running', 'stopping'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

export class PhaseMachine {
  private current: Phase = 'idle';

  get phase(): Phase {
    return this.current;
  }

  /** Moves to `next`; throws if the table has no such move. */
  move(next: Phase): void {
    if (!PHASE_MOVES[this.current].includes(next)) throw new Error(`engine defect: no move from ${this.current} to ${next}`);
    this.current = next;
  }

  is(...phases: Phase[]): boolean {
    return phases.includes(this.current);
  }
}
