// Hedge repair: bring net exposure back to zero — first the short leg's missing quantity again (a
// bounded number of times), then the excess unwound reduce-only where the position points the way
// of the exposure. Exposure still open at the deadline halts entries (exposure_open); the timer
// keeps calling repair until it is flat. A repair waits for a venue that is backing off and goes
// out as soon as the venue takes orders again.

import { sleep } from '../core/clock.js';
import { formatFixed } from '../core/fixed.js';
import type { OrderSide } from '../core/types.js';
import type { VenueId } from '../venues/types.js';
import { worstPrice } from '../strategy/index.js';
import type { EngineCore } from './core.js';
import { send, type Legs } from './legs.js';
import type { Reconciler } from './reconcile.js';
import type { Records } from './records.js';

type RepairOutcome = 'filled' | 'failed' | 'not sent';

export class HedgeRepair {
  /** The venue whose leg came up short in the last trade: the first place to retry. */
  private hint?: { venue: VenueId; side: OrderSide; retriesLeft: number };
  /** The last "below the minimum order" warning, said once per residual rather than every round. */
  private dustWarning?: string;

  constructor(
    private readonly core: EngineCore,
    private readonly legs: Legs,
    private readonly records: Records,
    private readonly reconciler: Reconciler,
  ) {}

  /** After a trade whose legs differ: retry on `venue` (the short leg) first. */
  shortLeg(venue: VenueId, side: OrderSide): void {
    this.hint = { venue, side, retriesLeft: this.core.timings.repairRetries };
  }

  deadline(): number {
    return this.core.clock.monoMs() + this.core.timings.repairDeadlineMs;
  }

  /** Repairs until flat or `deadline` (monotonic ms). */
  async repair(why: string, deadline: number): Promise<void> {
    const core = this.core;
    core.log.warn(`hedge repair (${why}): net exposure ${formatFixed(core.exposure(), core.params!.sizeScale)}`);
    let failedInARow = 0;
    const epoch = core.epoch;
    const end = () => Math.min(deadline, core.cutoff);
    while (!core.isFlat() && core.clock.monoMs() < end() && epoch === core.epoch) {
      const exposure = core.exposure();
      const side: OrderSide = exposure > 0 ? 'sell' : 'buy';
      // The retries belong to the incident, not to one call: the timer's next call goes on from here.
      const hint = this.hint;
      let venue: VenueId;
      let reduceOnly: boolean;
      if (hint !== undefined && hint.side === side && hint.retriesLeft > 0 && !core.halts.has('venue_down', hint.venue)) {
        venue = hint.venue;
        reduceOnly = false;
      } else {
        venue = Math.sign(core.position.backpack) === Math.sign(exposure) && core.position.backpack !== 0 ? 'backpack' : 'lighter';
        reduceOnly = true;
      }
      // A venue that told us to back off (429) takes the repair once that is over: wait for that
      // moment. An empty local budget is no reason to wait: it describes entries, and a venue with
      // a shared budget keeps places for repairs and serves them first (purpose 'repair').
      const ready = core.readiness(venue);
      if (ready.state === 'backing_off') {
        await sleep(core.clock, Math.max(1, Math.min(ready.until - core.clock.monoMs(), end() - core.clock.monoMs(), 1000)));
        continue;
      }
      if (!reduceOnly) hint!.retriesLeft--;
      const outcome = await this.order(venue, side, Math.abs(exposure), reduceOnly);
      if (outcome === 'filled') failedInARow = 0;
      else {
        // Nothing sendable waits for the book; a refused order backs off a little more each time.
        failedInARow++;
        const pause = outcome === 'not sent' ? 250 : Math.min(1000, 25 * 2 ** Math.min(failedInARow, 6));
        await sleep(core.clock, Math.min(pause, Math.max(0, end() - core.clock.monoMs())));
      }
    }
    await this.reconciler.reconcile('after repair');
    if (core.isFlat()) {
      this.hint = undefined;
      this.dustWarning = undefined;
      core.log.info(`hedge repaired: Backpack ${core.fmtPos('backpack')}, Lighter ${core.fmtPos('lighter')}`);
    } else {
      const cooldown = core.timings.killSwitch.cooldownMs;
      core.halts.set(
        'exposure_open',
        `net exposure ${formatFixed(core.exposure(), core.params!.sizeScale)} still open after repairs (${why}); still flattening`,
        core.clock.monoMs() + cooldown,
        undefined,
        `resuming after ${cooldown / 1000} s once exposure is flat and both venues are up`,
      );
    }
  }

  /** One repair order: whether it filled (some quantity), was refused or unknown, or could not be sent (no book, below minimum). */
  private async order(venue: VenueId, side: OrderSide, exposureCommon: number, reduceOnly: boolean): Promise<RepairOutcome> {
    const core = this.core;
    const p = core.params!;
    const m = core.market(venue);
    const v = core.venues[venue];
    let size = Math.floor(exposureCommon / 10 ** (p.sizeScale - m.sizeScale) / m.stepSize) * m.stepSize;
    if (reduceOnly) size = Math.min(size, Math.abs(core.position[venue]));
    if (size < m.minSize) {
      const line = `${venue}: residual ${formatFixed(size, m.sizeScale)} is below the minimum order ${formatFixed(m.minSize, m.sizeScale)}; no order can close it — close it by hand on the venue`;
      if (line !== this.dustWarning) core.log.warn(line);
      this.dustWarning = line;
      return 'not sent';
    }
    const book = core.books[venue];
    const top = side === 'buy' ? book.bestAsk : book.bestBid;
    if (!core.bookValid[venue] || top === undefined) return 'not sent';
    const fill = book.estimateFill(side, size);
    const bound = worstPrice(fill.worstPrice || top, side, m, p.slippageBps * 2);
    const triggeredAt = core.clock.monoMs();
    // purpose 'repair': a venue with a shared request budget serves it before any entry.
    const sending = send(v, { side, size, worstPrice: bound, reduceOnly, purpose: 'repair' }, core.clock);
    core.noteSent(venue);
    const epoch = core.epoch;
    let leg = await sending;
    leg = await this.legs.settle(venue, leg);
    if (epoch !== core.epoch) {
      core.log.warn(`repair ${venue} ${side} answered after shutdown stopped waiting: ${leg.state} ${core.fmtSize(venue, leg.filled)}; the venue's position was taken instead`);
      return 'failed';
    }
    this.legs.apply(leg);
    core.summary.repairs++;
    this.records.record('repair', `REPAIR_${venue.toUpperCase()}`, venue === 'backpack' ? leg : undefined, venue === 'lighter' ? leg : undefined, triggeredAt);
    if (leg.state === 'unknown') await this.reconciler.reconcile('a repair leg is unknown');
    if (leg.error?.kind === 'auth') core.haltForAuth(venue, leg.error.message);
    core.log.warn(
      `repair ${venue} ${side} ${formatFixed(size, m.sizeScale)}${reduceOnly ? ' reduce-only' : ''}: ${leg.state} ${formatFixed(leg.filled, m.sizeScale)}${leg.error ? ` (${leg.error.message})` : ''}`,
    );
    return leg.filled > 0 ? 'filled' : 'failed';
  }
}
