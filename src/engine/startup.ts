// Start-up against venues that may be down: 503, maintenance, connection refused, rate limiting
// and timeouts are waited out with capped back-off, said once per kind of failure, until the
// venue answers or the engine is told to stop. Only a configuration or authentication error (or
// one we cannot classify) ends the start-up.

import { sleep } from '../core/clock.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import { VenueError, type VenueErrorKind } from '../venues/venue.js';
import { VENUES, type EngineCore } from './core.js';

/** Failures that say "not now", not "never": the venue is down, busy or slow. */
const TRANSIENT: ReadonlySet<VenueErrorKind> = new Set<VenueErrorKind>(['unavailable', 'timeout', 'rate_limited']);

/** Start-up was ended by stop() while it waited. */
export class StartAborted extends Error {
  override name = 'StartAborted';
}

/** Starts one venue, retrying while it is down; throws what ends the start-up. */
export async function startVenue(core: EngineCore, id: VenueId): Promise<MarketSpec> {
  const said = new Set<string>();
  const t = core.timings;
  for (let attempt = 0; ; attempt++) {
    if (!core.phase.is('starting')) throw new StartAborted('stopped during start-up');
    try {
      const market = await core.venues[id].start();
      if (!core.phase.is('starting')) {
        // stop() came while the venue was starting: it is stopped here, since stop() may already have stopped the others.
        await core.venues[id].stop();
        throw new StartAborted('stopped during start-up');
      }
      if (attempt > 0) core.log.info(`${id} is up after ${attempt + 1} attempts`);
      return market;
    } catch (e) {
      if (!(e instanceof VenueError) || !TRANSIENT.has(e.kind)) throw e;
      const pause = Math.min(t.startRetryMaxMs, t.startRetryBaseMs * 2 ** Math.min(attempt, 20));
      const kind = `${e.kind}:${e.code ?? ''}`;
      if (!said.has(kind)) {
        said.add(kind);
        core.log.warn(`${id} is not taking us yet (${e.message}); retrying with back-off up to ${t.startRetryMaxMs / 1000} s until it is up or the bot is stopped`);
      }
      await pauseWhileStarting(core, e.retryAfterMs !== undefined ? Math.min(t.startRetryMaxMs, Math.max(pause, e.retryAfterMs)) : pause);
    }
  }
}

/** Waits `ms`, or less when a stop ends the start-up meanwhile. */
async function pauseWhileStarting(core: EngineCore, ms: number): Promise<void> {
  const until = core.clock.monoMs() + ms;
  while (core.phase.is('starting') && core.clock.monoMs() < until) await sleep(core.clock, Math.min(100, until - core.clock.monoMs()));
}

/**
 * Waits until both books are valid (from their venues' status). A feed that is down is waited for
 * like a REST side that is down: after the start timeout it is said once, with what to check, and
 * the wait goes on until the books come or the bot is stopped.
 */
export async function waitForBooks(core: EngineCore): Promise<void> {
  const timeoutMs = core.timings.startTimeoutMs;
  const sayAt = core.clock.monoMs() + timeoutMs;
  let said = false;
  const missing = () => VENUES.filter((v) => !core.venues[v].status().bookValid);
  while (missing().length > 0) {
    if (!core.phase.is('starting')) throw new StartAborted('stopped during start-up');
    if (!said && core.clock.monoMs() > sayAt) {
      said = true;
      core.log.warn(`no valid order book from ${missing().join(' and ')} after ${timeoutMs / 1000} s — still waiting; check the WebSocket URL and the network, or stop the bot`);
    }
    await sleep(core.clock, 20);
  }
}
