// Reconciliation: the venues' positions win over our own count, and any drift is said.

import type { EngineCore } from './core.js';
import { VENUES } from './core.js';

/** Why positions are being taken from the venues (said in the drift warning). */
export type ReconcileCause = 'periodic' | 'after repair' | 'a leg is unknown' | 'a repair leg is unknown' | 'late fill' | 'shutdown';

export class Reconciler {
  /** Monotonic ms of the latest reconciliation. */
  lastAt = 0;
  /** Called after each reconciliation during the run (the funding read rides on it). */
  afterReconcile?: () => void;

  constructor(private readonly core: EngineCore) {}

  /** The start: both venues' positions become ours; a venue that cannot say ends the start-up. */
  atStart(): Promise<void> {
    return this.take('start-up', false, true);
  }

  /** During the run: the venues' figures win, drift is warned about, a venue that cannot say is only warned about. */
  async reconcile(cause: ReconcileCause): Promise<void> {
    await this.take(cause, true, false);
    this.afterReconcile?.();
  }

  private async take(cause: string, sayDrift: boolean, failureEnds: boolean): Promise<void> {
    const core = this.core;
    for (const venue of VENUES) {
      try {
        const actual = await core.venues[venue].fetchPosition();
        if (actual !== core.position[venue]) {
          if (sayDrift)
            core.log.warn(`reconcile (${cause}): ${venue} position is ${core.fmtSize(venue, actual)}, we counted ${core.fmtSize(venue, core.position[venue])}; taking the venue's`);
          core.position[venue] = actual;
        }
      } catch (e) {
        core.log.warn(`reconcile (${cause}): ${venue} position unavailable: ${(e as Error).message}`);
        if (failureEnds) throw e;
      }
    }
    this.lastAt = core.clock.monoMs();
  }
}
