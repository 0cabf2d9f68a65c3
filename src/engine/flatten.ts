// Flattening both venues, for --close-on-exit on stop and for the operator's "flatten both": close
// the position on each venue with reduce-only market orders and call it flat only when both venues
// say so (their own position figures, not our count).
// Reduce-only means an order can only shrink a position, so a fill we did not hear about, or a
// second round, can never open one the other way.

import { sleep, type Clock } from '../core/clock.js';
import { formatFixed } from '../core/fixed.js';
import type { Logger } from '../core/log.js';
import type { OrderSide } from '../core/types.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import { worstPrice } from '../strategy/index.js';
import type { ExecutionReadiness, LegResult, Venue } from '../venues/venue.js';

export interface FlattenOptions {
  venues: Record<VenueId, Venue>;
  markets: Record<VenueId, MarketSpec>;
  /** Slippage bound of the first round; each further round widens it (×2, up to 8×). */
  slippageBps: number;
  /** The engine's clock: the deadline is on its monotonic time, the pauses are its timers. */
  clock: Clock;
  /** Monotonic ms (clock.monoMs()) after which no further round starts. */
  deadline: number;
  log: Logger;
  /** What the log lines start with: 'close-on-exit' or 'flatten both'. */
  label: string;
  /** Each closing order's outcome, for the trades CSV and the PnL. */
  onLeg(leg: LegResult): void;
  /** Pause between rounds while a venue is not yet flat (default 250 ms). */
  pauseMs?: number;
  /** Whether a venue takes an order now (the engine's view of it); default the venue's own readiness(), else ready. */
  readiness?: (venue: VenueId) => ExecutionReadiness;
}

export interface FlattenOutcome {
  /** Both venues reported a zero position. */
  flat: boolean;
  /** The venues' last reported positions, at each market's size scale (NaN where the venue could not say). */
  positions: Record<VenueId, number>;
  /** One line on how it ended. */
  detail: string;
  /** One line per closing order sent: venue, side, size and how it ended. */
  orders: string[];
}

const IDS = ['backpack', 'lighter'] as const;

export async function flattenVenues(o: FlattenOptions): Promise<FlattenOutcome> {
  const positions: Record<VenueId, number> = { backpack: NaN, lighter: NaN };
  const orders: string[] = [];
  const fmt = (v: VenueId) => (Number.isNaN(positions[v]) ? 'unknown' : formatFixed(positions[v], o.markets[v].sizeScale));
  let round = 0;
  for (;;) {
    // The venues' own figures decide, every round.
    const problems: string[] = [];
    await Promise.all(
      IDS.map(async (v) => {
        try {
          positions[v] = await o.venues[v].fetchPosition();
        } catch (e) {
          positions[v] = NaN;
          problems.push(`${v} position unavailable: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    if (positions.backpack === 0 && positions.lighter === 0) {
      return { flat: true, positions, orders, detail: `both venues report a zero position (confirmed after ${round} closing round${round === 1 ? '' : 's'})` };
    }
    const dust = IDS.filter((v) => positions[v] !== 0 && Math.abs(positions[v]) < o.markets[v].minSize);
    if (o.clock.monoMs() >= o.deadline || (dust.length > 0 && IDS.every((v) => positions[v] === 0 || dust.includes(v)))) {
      const why =
        dust.length > 0
          ? `${dust.map((v) => `${v} ${fmt(v)} is below its minimum order ${formatFixed(o.markets[v].minSize, o.markets[v].sizeScale)}`).join(', ')}`
          : `the closing time ran out${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`;
      return { flat: false, positions, orders, detail: `not flat: Backpack ${fmt('backpack')}, Lighter ${fmt('lighter')}; ${why} — close it by hand on the venue` };
    }
    const slippage = o.slippageBps * Math.min(8, 2 ** round);
    round++;
    // Listed Backpack first, whichever answers first: the same run reads the same way every time.
    for (const line of await Promise.all(IDS.map((v) => closeOne(o, v, positions[v], slippage)))) if (line !== undefined) orders.push(line);
    if (!(positions.backpack === 0 && positions.lighter === 0)) await sleep(o.clock, Math.min(o.pauseMs ?? 250, o.deadline - o.clock.monoMs()));
  }
}

/** Sends one venue's closing order; its line for the outcome, or undefined when none was sent. */
async function closeOne(o: FlattenOptions, venue: VenueId, position: number, slippageBps: number): Promise<string | undefined> {
  if (position === 0 || Number.isNaN(position)) return;
  const m = o.markets[venue];
  const v = o.venues[venue];
  const side: OrderSide = position > 0 ? 'sell' : 'buy';
  const size = Math.floor(Math.abs(position) / m.stepSize) * m.stepSize;
  if (size < m.minSize) return;
  // A venue backing off (429) or out of its local request budget would refuse the order without
  // sending it: wait for the next round instead of writing a refused close row.
  const ready = o.readiness?.(venue) ?? v.readiness?.() ?? { state: 'ready' };
  if (ready.state === 'backing_off' || ready.state === 'budget_empty') {
    o.log.info(`${o.label}: ${venue} is not taking orders yet (${ready.detail}); closing it next round`);
    return;
  }
  const top = side === 'buy' ? v.book.bestAsk : v.book.bestBid;
  if (!v.status().bookValid || top === undefined) {
    o.log.warn(`${o.label}: ${venue} has no valid book to price the closing order; trying again`);
    return;
  }
  const fill = v.book.estimateFill(side, size);
  const bound = worstPrice(fill.worstPrice || top, side, m, slippageBps);
  let leg: LegResult;
  try {
    leg = await v.placeMarketOrder({ side, size, worstPrice: bound, reduceOnly: true, purpose: 'repair' });
  } catch (e) {
    o.log.warn(`${o.label}: ${venue} ${side} ${formatFixed(size, m.sizeScale)} failed to send: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  o.onLeg(leg);
  const line = `${venue} ${side} ${formatFixed(size, m.sizeScale)} reduce-only: ${leg.state} ${formatFixed(leg.filled, m.sizeScale)}${leg.error ? ` (${leg.error.message})` : ''}`;
  o.log.warn(`${o.label}: ${line}`);
  return line;
}
