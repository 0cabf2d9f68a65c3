// One order leg from send to truth: sending (a broken adapter becomes an `unknown` leg, never a
// lost one), settling an unknown leg by asking the venue until a deadline, following a leg that
// stayed unknown for a while longer, and booking a fill that arrives late on its own row.

import { sleep, type Clock, type ClockTimer } from '../core/clock.js';
import type { VenueId } from '../venues/types.js';
import { sentLeg, VenueError, type LegResult, type MarketOrderRequest, type Venue, type WrittenOrder } from '../venues/venue.js';
import type { EngineCore } from './core.js';
import type { Records } from './records.js';
import type { Reconciler } from './reconcile.js';

/**
 * Sends one order. The port promises never to reject, but if an adapter breaks that promise (or
 * throws before sending) the leg becomes `unknown`, so the venue's position settles it instead of
 * the trade vanishing from the books.
 */
export function send(venue: Venue, request: MarketOrderRequest, clock: Clock): Promise<LegResult> {
  const sentAt = clock.monoMs();
  const unknown = (e: unknown): LegResult => unknownLeg(venue, request, sentAt, e);
  try {
    return venue.placeMarketOrder(request).catch(unknown);
  } catch (e) {
    return Promise.resolve(unknown(e));
  }
}

/** The leg of an order call that broke the port's promise: unknown, without an id (the venues' positions settle it). */
function unknownLeg(venue: Venue, request: MarketOrderRequest, sentAt: number, e: unknown): LegResult {
  return {
    ...sentLeg(venue.id, request, '', sentAt),
    error: e instanceof VenueError ? e : new VenueError(venue.id, 'protocol', `order call failed: ${e instanceof Error ? e.message : String(e)}`),
  };
}

/**
 * The first half of `send`, for an entry's deciding turn: a venue that splits placeMarketOrder
 * (Execution.writeOrder) writes the order and does nothing else; any other venue is sent to in
 * full. Hand the answer to `follow`, in the same turn, once the entry's other leg is written too.
 * `now`: the engine's clock reading on this turn; `limit`: the threshold bound for the venue's choice
 * of a held order (Execution.writeOrder).
 */
export function write(venue: Venue, request: MarketOrderRequest, clock: Clock, now: number, limit: number | undefined): WrittenOrder | Promise<LegResult> {
  if (venue.writeOrder === undefined) return send(venue, request, clock);
  try {
    return venue.writeOrder(request, now, limit);
  } catch (e) {
    return Promise.resolve(unknownLeg(venue, request, clock.monoMs(), e));
  }
}

/** The second half of `send` for what `write` answered: the leg's outcome (a broken adapter's leg is `unknown`, as in send). */
export function follow(venue: Venue, written: WrittenOrder | Promise<LegResult>, clock: Clock): Promise<LegResult> {
  if (written instanceof Promise) return written;
  const at = clock.monoMs();
  try {
    return venue.followOrder!(written).catch((e: unknown) => unknownLeg(venue, written.request, at, e));
  } catch (e) {
    return Promise.resolve(unknownLeg(venue, written.request, at, e));
  }
}

export class Legs {
  /** Timers still asking about legs that stayed unknown, with the leg each follows. */
  private readonly followers = new Map<ClockTimer, LegResult>();

  constructor(
    private readonly core: EngineCore,
    private readonly records: Records,
    private readonly reconciler: Reconciler,
  ) {}

  /** Books a confirmed leg into our position count and fees. */
  apply(leg: LegResult): void {
    if (leg.filled > 0) this.core.position[leg.venue] += leg.side === 'buy' ? leg.filled : -leg.filled;
    this.core.summary.fees += leg.fee;
  }

  /** Asks the venue until an unknown leg is known, or the deadline passes (then it stays unknown). */
  async settle(venue: VenueId, leg: LegResult): Promise<LegResult> {
    const core = this.core;
    const limit = core.timings.resolveDeadlineMs;
    const deadline = core.clock.monoMs() + limit;
    let wait = Math.min(200, Math.max(10, limit / 4));
    // An order that never got an id cannot be looked up: the venues' positions will settle it.
    if (leg.state === 'unknown' && leg.clientOrderId === '') return leg;
    while (leg.state === 'unknown' && core.clock.monoMs() < Math.min(deadline, core.cutoff)) {
      await sleep(core.clock, wait);
      wait = Math.min(wait * 2, 2000);
      try {
        leg = await core.venues[venue].resolveOrder(leg);
      } catch (e) {
        core.log.warn(`${venue} order ${leg.clientOrderId}: lookup failed (${e instanceof Error ? e.message : String(e)}); asking again`);
      }
    }
    if (leg.state === 'unknown') {
      core.log.error(
        `${venue} order ${leg.clientOrderId} is still unknown after ${limit / 1000} s: ${leg.error?.message ?? ''}; reconciling positions with the venue and still asking about it`,
      );
      this.follow(venue, leg);
    }
    return leg;
  }

  /**
   * Keeps asking about a leg that stayed unknown; if it turns out to have filled, that fill gets
   * its own `late` row (so the CSV still adds up to the venue's fills) and the venue's position is
   * taken again. Positions were already reconciled, so the fill is not counted a second time.
   */
  private follow(venue: VenueId, leg: LegResult): void {
    const core = this.core;
    if (!core.phase.is('running')) return;
    const giveUpAt = core.clock.monoMs() + core.timings.lateResolveForMs;
    const timer = core.clock.setInterval(() => {
      if (core.clock.monoMs() > giveUpAt || !core.phase.is('running')) {
        this.unfollow(timer);
        if (core.phase.is('running'))
          core.log.error(`${venue} order ${leg.clientOrderId} never resolved; positions were taken from the venue, so the trades CSV may miss its fill`);
        return;
      }
      void core.venues[venue].resolveOrder(leg).then(
        (known) => this.lateOutcome(timer, venue, known),
        () => undefined,
      );
    }, core.timings.lateResolveEveryMs);
    this.followers.set(timer, leg);
  }

  /** Legs still followed (their answers arrive on later turns). */
  get following(): number {
    return this.followers.size;
  }

  private unfollow(timer: ClockTimer): boolean {
    this.core.clock.clear(timer);
    return this.followers.delete(timer);
  }

  /** A followed leg became known: a fill gets its own `late` row and the venue's position is taken again. */
  private lateOutcome(timer: ClockTimer, venue: VenueId, known: LegResult): void {
    const core = this.core;
    if (known.state === 'unknown' || !this.followers.has(timer)) return;
    this.unfollow(timer);
    core.log.warn(`${venue} order ${known.clientOrderId} resolved late: ${known.state} ${core.fmtSize(venue, known.filled)}`);
    if (known.filled > 0) {
      core.summary.fees += known.fee;
      this.records.record('late', `LATE_${venue.toUpperCase()}`, venue === 'backpack' ? known : undefined, venue === 'lighter' ? known : undefined, known.sentAt);
      if (core.phase.is('running')) core.track(this.reconciler.reconcile('late fill'));
    }
  }

  /** At shutdown: every followed leg is asked once more; stop() bounds the wait, then calls forget(). */
  finalAsk(): Promise<unknown> {
    const followed = [...this.followers];
    for (const [timer] of followed) this.core.clock.clear(timer);
    return Promise.all(
      followed.map(([timer, leg]) =>
        this.core.venues[leg.venue].resolveOrder(leg).then(
          (known) => this.lateOutcome(timer, leg.venue, known),
          () => undefined,
        ),
      ),
    );
  }

  /** No leg is followed any more: answers that still arrive are ignored (the venues' positions were taken). */
  forget(): void {
    for (const timer of this.followers.keys()) this.core.clock.clear(timer);
    this.followers.clear();
  }
}
