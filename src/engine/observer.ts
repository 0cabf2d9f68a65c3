// What the engine tells an onlooker (status line, metrics, dashboard, alerts): decisions by
// outcome, leg latencies, halts set and cleared, venue status changes, the operator's pause.
// One optional observer; every call site checks it first, so nothing is built or allocated on the
// hot path when nobody listens, and every argument is a value the engine already has.

import type { VenueId } from '../core/types.js';
import type { VenueStatus } from '../venues/venue.js';
import type { Halt } from './halts.js';

/**
 * Why a judged book event did or did not open a trade:
 *   traded           both legs sent
 *   below_threshold  neither spread above its threshold
 *   fees             a spread above its threshold that the fees (and minimum edge) eat
 *   limits           max position or the venue's notional limits
 *   stale            a book too old, out of sync, one-sided or crossed
 *   halted           a typed halt stands, or exposure is open
 *   paused           the operator paused entries
 *   not_ready        a venue's execution side cannot take an order now (back-off, budget, down)
 */
export type DecisionOutcome = 'traded' | 'below_threshold' | 'fees' | 'limits' | 'stale' | 'halted' | 'paused' | 'not_ready';

export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['traded', 'below_threshold', 'fees', 'limits', 'stale', 'halted', 'paused', 'not_ready'];

/**
 * A leg's stages, each in seconds:
 *   frame_to_sent    the triggering book frame's arrival → the order handed to the socket
 *   sent_to_ack      sent → the venue's answer, whatever it was (filled, partial, rejected)
 *   sent_to_filled   sent → the fill confirmed (filled or partial only)
 * Both adapters learn the outcome from one reply, so sent_to_ack and sent_to_filled share its stamp.
 */
export type LegStage = 'frame_to_sent' | 'sent_to_ack' | 'sent_to_filled';

export interface EngineObserver {
  decision?(outcome: DecisionOutcome): void;
  legLatency?(venue: VenueId, stage: LegStage, seconds: number): void;
  /** A halt was set (`set` true) or ended. */
  halt?(halt: Halt, set: boolean): void;
  /** A venue's market-data status, as the adapter reported it. */
  venueStatus?(venue: VenueId, status: VenueStatus): void;
  /** Entries paused (with who and why) or resumed by the operator. */
  paused?(reason: string | undefined): void;
}
