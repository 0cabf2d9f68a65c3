// The decision loop: every book event from either venue is judged as it arrives; a trade sends
// both legs before either is awaited; between frames each venue signs ahead the legs an entry on
// the current books would send.
//
// No entry opens unless both venues' execution sides are ready: a leg whose partner would be
// refused locally (backing off after a 429, local budget spent, down, credentials refused) is never
// sent. That pause is not a failure: it never feeds the kill switch, and entries resume by
// themselves on the first event after both are ready again.

import v8 from 'node:v8';
import type { VenueId } from '../venues/types.js';
import {
  decide,
  describeNoTrade,
  thresholdBound,
  worstPrice,
  toCommon,
  type EntryGate,
  type Intent,
  type LegIntent,
  type NoTrade,
  type StrategyParams,
  type VenueView,
} from '../strategy/index.js';
import type { FillEstimate } from '../core/orderbook.js';
import type { OrderSide } from '../core/types.js';
import type { BookEvent, ExecutionReadiness, LegResult, MarketOrderRequest, ReadinessGate, Venue } from '../venues/venue.js';
import { nearestHeld, sameOrder } from '../venues/signed-ahead.js';
import { VENUES, type EngineCore } from './core.js';
import type { EntryExposure } from './settings.js';
import { follow, write, type Legs } from './legs.js';
import type { DecisionOutcome, EngineObserver } from './observer.js';
import type { Reconciler } from './reconcile.js';
import type { Records } from './records.js';
import type { HedgeRepair } from './repair.js';

/**
 * V8 optimizes a function once it has run a budget's worth of bytecode (132 KB by default in Node
 * 20's V8). The deciding turn's functions — the bound choice, entering, both adapters' send paths,
 * the order line's write — run once per trade, so with the default they stay in baseline code for
 * the first few hundred trades of a process, and a bot that trades a few times an hour never
 * leaves it: every entry pays for unoptimized code. With a budget of 16 KB they are optimized after
 * a few dozen trades. Process-wide, and only for functions that have not started counting yet:
 * called once as the bot's modules load.
 */
export function optimizeOrderPathEarly(): void {
  v8.setFlagsFromString(`--interrupt-budget=${16 * 1024}`);
}

export class EntryLoop {
  /** Reused on every frame: the decision path allocates nothing it does not return. */
  private readonly views: Record<VenueId, VenueView>;
  private readonly gate: EntryGate = { unresolvedLegs: false, halted: false };
  /** The last "does not pay" direction said, so an opportunity that fees eat is said once, not every frame. */
  private lastSkip = '';
  /** Each venue's last readiness that blocked entries, said once per change. */
  private readonly blockedBy: Record<VenueId, ExecutionReadiness['state']> = { backpack: 'ready', lighter: 'ready' };
  /** Each venue's readiness pushed (Venue.readinessGate), when it keeps one. */
  private readonly bpGate: ReadinessGate | undefined;
  private readonly ltGate: ReadinessGate | undefined;
  /** Signing the next entry's orders ahead is pending (betweenFrames). */
  private preparing = false;
  /** The budget for signing ahead (hand): orders it allows now, and when it was last refilled. */
  private signTokens = Infinity;
  private signRefilledAt = 0;
  /** Each venue's signedAheadVoids() when last read (as VENUES). */
  private readonly voids: number[] = [0, 0];
  /** prepareEntries for betweenFrames, bound once: no closure per frame. */
  private readonly prepareSoon = (): void => this.prepareEntries();
  /**
   * The fills prepareEntries works out, per venue and side (as `aheads`), with the call they were
   * worked out in (`pass`): a venue's book order and the other venue's threshold order need the
   * same fill of the book that moved, worked out once per call (nothing changes a book during one).
   */
  private readonly fills: readonly PassFill[] = [emptyFill(), emptyFill(), emptyFill(), emptyFill()];
  private pass = 0;
  /**
   * What was last worked out and handed to each venue to sign ahead, per side, with the book
   * sequences it comes from: Backpack buy, Backpack sell, Lighter buy, Lighter sell (VENUES × SIDES).
   */
  private readonly aheads: readonly Ahead[] = [emptyAhead('buy'), emptyAhead('sell'), emptyAhead('buy'), emptyAhead('sell')];
  constructor(
    private readonly core: EngineCore,
    private readonly legs: Legs,
    private readonly repair: HedgeRepair,
    private readonly records: Records,
    private readonly reconciler: Reconciler,
    private readonly fatal: (e: unknown) => void,
    /** EngineOptions.betweenFrames. */
    private readonly betweenFrames: (work: () => void) => void = setImmediate,
  ) {
    this.bpGate = core.venues.backpack.readinessGate;
    this.ltGate = core.venues.lighter.readinessGate;
    this.views = {
      backpack: { book: core.books.backpack, valid: false, ageMs: 0, position: 0 },
      lighter: { book: core.books.lighter, valid: false, ageMs: 0, position: 0 },
    };
  }

  /** A book event: remembered as the venue's latest, then judged (when the engine trades). */
  onBook(event: BookEvent): void {
    const core = this.core;
    const book = event.book;
    const at = event.receivedAt;
    // Each venue by name (see evaluate): a property named in the code is a plain store.
    if (event.venue === 'backpack') {
      core.books.backpack = book;
      core.lastBookAt.backpack = at;
      core.bookSeq.backpack++;
      this.views.backpack.book = book;
    } else {
      core.books.lighter = book;
      core.lastBookAt.lighter = at;
      core.bookSeq.lighter++;
      this.views.lighter.book = book;
    }
    this.judge(at);
  }

  /** Judges the books as they stand; `triggeredAt` is the monotonic arrival time of the frame that prompted it. */
  judge(triggeredAt: number): void {
    if (this.core.phase.phase !== 'running' || this.core.busy) return;
    try {
      this.evaluate(triggeredAt);
    } catch (e) {
      this.fatal(e);
    }
  }

  private evaluate(triggeredAt: number): void {
    const core = this.core;
    const observer = core.observer;
    // No halt standing (the usual case): nothing to end, and no exposure to work out on this turn.
    if (core.halts.any && core.halts.blocking(core.isFlat())) {
      observer?.decision?.('halted');
      return;
    }
    if (core.pausedBy !== undefined) {
      observer?.decision?.('paused');
      return;
    }
    const now = core.clock.monoMs();
    if (!this.executionReady(now)) {
      observer?.decision?.('not_ready');
      return;
    }
    // Decide only on books that have heard from their venue since our own last order there (a book
    // event handled after the send and stamped no earlier), so a lasting opportunity is judged on a
    // book that already shows what our fills took.
    // Both venues by name, not in a loop over their ids: read on every frame, a property named in
    // the code is a plain load where one looked up by a variable key is not.
    const seq = core.bookSeq;
    const seqAtSend = core.seqAtSend;
    const bookAt = core.lastBookAt;
    const sentAt = core.lastSentAt;
    if (seq.backpack === seqAtSend.backpack || bookAt.backpack < sentAt.backpack || seq.lighter === seqAtSend.lighter || bookAt.lighter < sentAt.lighter) return;
    const bp = this.views.backpack;
    const lt = this.views.lighter;
    bp.valid = core.bookValid.backpack;
    bp.ageMs = now - bookAt.backpack;
    bp.position = core.position.backpack;
    lt.valid = core.bookValid.lighter;
    lt.ageMs = now - bookAt.lighter;
    lt.position = core.position.lighter;
    const decision = decide(core.params!, this.views.backpack, this.views.lighter, this.gate);
    if (decision.kind === 'none') {
      if (observer?.decision !== undefined) observer.decision(OUTCOME[decision.reason.code]);
      // One line per opportunity that fees eat, not one per frame while it lasts.
      const reason = decision.reason;
      const skipped = reason.code === 'fees_exceed_edge' ? reason.direction : '';
      if (skipped !== '' && skipped !== this.lastSkip) core.log.info(`skipped: ${describeNoTrade(reason)}`);
      this.lastSkip = skipped;
      if (this.views.backpack.valid && this.views.lighter.valid && !this.preparing) {
        this.preparing = true;
        this.betweenFrames(this.prepareSoon);
      }
      return;
    }
    if (core.caps !== undefined) {
      const refusal = core.caps.admit(core.settings.ticker, entryExposure(core, decision.intent));
      if (refusal !== undefined) {
        observer?.decision?.('limits');
        // Said once while it lasts, like an opportunity that fees eat.
        const key = `cap ${decision.intent.direction}`;
        if (key !== this.lastSkip) core.log.info(`skipped: ${decision.intent.direction}: ${refusal}`);
        this.lastSkip = key;
        return;
      }
    }
    this.lastSkip = '';
    this.enter(decision.intent, triggeredAt, now);
    observer?.decision?.('traded');
  }

  /**
   * Both execution sides can take a leg now; a change either way is said once. An auth failure halts
   * entries. A venue that keeps a ReadinessGate and was ready last time is read from it, with the
   * clock compared (`now`); any other is asked.
   */
  private executionReady(now: number): boolean {
    // Each venue by name (see evaluate), Backpack first.
    const blocked = this.blockedBy;
    const bpGate = this.bpGate;
    const ltGate = this.ltGate;
    const backpack = (bpGate !== undefined && blocked.backpack === 'ready' && now >= bpGate.readyFrom) || this.readyOn('backpack');
    const lighter = (ltGate !== undefined && blocked.lighter === 'ready' && now >= ltGate.readyFrom) || this.readyOn('lighter');
    return backpack && lighter;
  }

  /** One venue's part of executionReady. */
  private readyOn(v: VenueId): boolean {
    const core = this.core;
    const r = core.readiness(v);
    if (r.state === 'auth_failed') core.haltForAuth(v, r.detail);
    if (r.state !== this.blockedBy[v]) {
      const was = this.blockedBy[v];
      if (r.state === 'backing_off') {
        core.log.warn(
          `${v} cannot take an order for ${Math.max(0, Math.round(r.until - core.clock.monoMs()))} ms (${r.detail}); no entry until both venues are ready — repairs still go out`,
        );
      } else if (r.state === 'budget_empty') {
        // A local budget running dry is routine (Lighter's standard 60 a minute): said at debug level only.
        core.log.debug(`${v} order budget spent (${r.detail}); no entry until it refills`);
      } else if (r.state === 'down') core.log.warn(`${v} execution is down (${r.detail}); no entry until both venues are ready`);
      else if (r.state === 'ready') {
        const line = `${v} takes orders again${this.otherBlocked(v) ? '' : '; entries resume'}`;
        if (was === 'budget_empty') core.log.debug(line);
        else core.log.info(line);
      }
      this.blockedBy[v] = r.state;
    }
    return r.state === 'ready';
  }

  private otherBlocked(v: VenueId): boolean {
    return this.blockedBy[v === 'backpack' ? 'lighter' : 'backpack'] !== 'ready';
  }

  /**
   * After the frames of this turn, lets each venue sign the legs an entry on these books would send
   * (both sides: either direction may come next), so the frame that opens an opportunity usually
   * finds one leg already signed — the one whose book did not move — and only has to write it.
   *
   * With --sign-ahead-bound threshold (the default) each venue also signs, per side, the leg bounded
   * at the threshold level's bound against the other venue's book as it stands: when this venue's
   * own book moves far enough to open an opportunity, that order is still one the settings accept
   * (see boundToSend), so neither leg is signed on the deciding turn. The adapters sign again only
   * what changed: the book order when this venue's book moves, the threshold order when the other's does.
   */
  private prepareEntries(): void {
    this.preparing = false;
    const core = this.core;
    if (core.phase.phase !== 'running' || core.busy || core.params === undefined) return;
    const params = core.params;
    const atThreshold = core.settings.signAheadBound !== 'book';
    this.pass++;
    const now = core.clock.monoMs();
    // Indexed by number, and each venue's state read once, by name (see evaluate: a property named
    // in the code is a plain load where one looked up by a variable key is not): this runs after
    // nearly every frame.
    const bookValid = core.bookValid;
    const bookSeq = core.bookSeq;
    for (let vi = 0; vi < 2; vi++) {
      const first = vi === 0;
      const id = VENUES[vi];
      const venue = first ? core.venues.backpack : core.venues.lighter;
      if (venue.prepareMarketOrder === undefined || !(first ? bookValid.backpack : bookValid.lighter)) continue;
      const oi = 1 - vi;
      const seq = first ? bookSeq.backpack : bookSeq.lighter;
      const otherSeq = first ? bookSeq.lighter : bookSeq.backpack;
      const threshold = atThreshold && (first ? bookValid.lighter : bookValid.backpack);
      const size = first ? params.size.backpack : params.size.lighter;
      const otherSize = first ? params.size.lighter : params.size.backpack;
      const market = first ? params.backpack : params.lighter;
      // The venue's answers of when its orders are next signed again stand only while it has dropped nothing.
      const trusts = venue.signedAheadVoids !== undefined;
      if (trusts) {
        const voids = venue.signedAheadVoids!();
        if (voids !== this.voids[vi]) {
          this.voids[vi] = voids;
          for (let si = 0; si < 2; si++) {
            const ahead = this.aheads[vi * 2 + si];
            ahead.renewBook = ahead.renewThreshold = -Infinity;
          }
        }
      }
      for (let si = 0; si < 2; si++) {
        const ahead = this.aheads[vi * 2 + si];
        const side = ahead.side;
        try {
          // Worked out again only when the book it comes from has moved (most frames move one venue's
          // book), and a new order built only when its integers differ: nothing is allocated otherwise.
          if (ahead.params !== params) resetAhead(ahead, params);
          if (ahead.bookSeq !== seq) {
            ahead.bookSeq = seq;
            const fill = this.fillOf(vi, si, size);
            if (!fill.complete) ahead.book = undefined;
            else if (ahead.book === undefined || fill.worstPrice !== ahead.bookLevel) {
              // legFor's bound (strategy.worstPrice of the last level --size reaches), from that level alone.
              const bound = worstPrice(fill.worstPrice, side, market, params.slippageBps);
              ahead.bookLevel = fill.worstPrice;
              if (ahead.book?.worstPrice !== bound) ahead.book = { side, size, worstPrice: bound };
            }
          }
          if (ahead.book !== undefined) this.hand(venue, ahead, false, ahead.book, now, trusts);
          if (!threshold) continue;
          if (ahead.otherSeq !== otherSeq) {
            ahead.otherSeq = otherSeq;
            // The other venue's fill for the opposite side.
            const fill = this.fillOf(oi, 1 - si, otherSize);
            const bound = fill.complete ? this.thresholdBound(ahead, id, fill.notional) : undefined;
            if (bound !== ahead.threshold?.worstPrice) ahead.threshold = bound === undefined ? undefined : { side, size, worstPrice: bound };
          }
          if (ahead.threshold !== undefined && ahead.threshold.worstPrice !== ahead.book?.worstPrice) this.hand(venue, ahead, true, ahead.threshold, now, trusts);
        } catch (e) {
          // Only a shortcut: the order is signed when it is sent instead.
          core.log.warn(`${id}: signing ahead failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }

  /** The book's fill of `size` for a taker side (VENUES[vi], SIDES[si]), worked out once per prepareEntries call. */
  private fillOf(vi: number, si: number, size: number): FillEstimate {
    const f = this.fills[vi * 2 + si];
    if (f.pass !== this.pass) {
      const books = this.core.books;
      (vi === 0 ? books.backpack : books.lighter).estimateFillInto(si === 0 ? 'buy' : 'sell', size, f);
      f.pass = this.pass;
    }
    return f;
  }

  /**
   * Hands `ahead`'s book order (or its threshold order) to its venue to sign ahead. An order equal
   * to the one handed last costs nothing (the venue holds it, or signs it again only as it ages),
   * and is not handed at all before the moment the venue answered it would sign it again (`now` on
   * the engine's clock; only a venue that counts what it drops answers); a different one is handed
   * only when the budget for signing ahead (EngineTimings.signAheadPerSecond) has room, which it
   * then takes.
   */
  private hand(venue: Venue, ahead: Ahead, threshold: boolean, order: MarketOrderRequest, now: number, trusts: boolean): void {
    const last = threshold ? ahead.handedThreshold : ahead.handedBook;
    if (last === order || (last !== undefined && sameOrder(last, order))) {
      if (now < (threshold ? ahead.renewThreshold : ahead.renewBook)) return;
    } else {
      const rate = this.core.timings.signAheadPerSecond;
      const cap = Math.max(8, rate / 10);
      const at = this.core.clock.monoMs();
      this.signTokens = Math.min(cap, this.signTokens + ((at - this.signRefilledAt) * rate) / 1000);
      this.signRefilledAt = at;
      if (this.signTokens < 1) return;
      this.signTokens--;
      if (threshold) ahead.handedThreshold = order;
      else ahead.handedBook = order;
    }
    // Forgotten first: should the venue throw, it holds nothing this record could vouch for.
    if (threshold) ahead.renewThreshold = -Infinity;
    else ahead.renewBook = -Infinity;
    const answer = venue.prepareMarketOrder!(order, threshold ? 'threshold' : 'book');
    const renew = trusts && typeof answer === 'number' ? answer : -Infinity;
    if (threshold) ahead.renewThreshold = renew;
    else ahead.renewBook = renew;
  }

  /**
   * The bound a leg goes out with. The fresh bound (from the book decide() saw) unless the venue
   * holds, signed ahead, an order for this side and size whose bound lies between the fresh bound
   * and the threshold bound computed now from the other venue's fill (both inclusive: a sell's
   * threshold bound ≤ held ≤ fresh, a buy's fresh ≤ held ≤ threshold bound): every fill inside it
   * is one the settings accept (a trade at exactly the threshold, with the slippage allowance), and
   * it only has to be written. Of several, the one nearest the fresh bound. The leg (and so every
   * record of it) carries the bound chosen.
   */
  private boundToSend(id: VenueId, leg: LegIntent, otherNotional: number, now: number): number {
    const fresh = leg.worstPrice;
    const ahead = this.aheads[(id === 'backpack' ? 0 : 2) + (leg.side === 'buy' ? 0 : 1)];
    if (this.freshStands(ahead, id, leg)) return fresh;
    const held = this.core.venues[id].heldBounds?.(leg.side, leg.size, now);
    if (held === undefined || held.length === 0 || held.includes(fresh)) return fresh;
    return nearestHeld(held, leg.side, fresh, this.thresholdBound(ahead, id, otherNotional));
  }

  /**
   * This venue's book has not moved since its orders were last handed over to sign ahead: the fresh
   * bound is the book order's, the nearest a held bound can be, so the venue is not asked (should it
   * no longer hold that order, the leg is signed with the strict bound).
   */
  private freshStands(ahead: Ahead, id: VenueId, leg: LegIntent): boolean {
    return (
      ahead.bookSeq === (id === 'backpack' ? this.core.bookSeq.backpack : this.core.bookSeq.lighter) &&
      ahead.book !== undefined &&
      ahead.book.worstPrice === leg.worstPrice &&
      ahead.book.size === leg.size
    );
  }

  /**
   * boundToSend for a venue that writes its own orders (Execution.writeOrder): the threshold bound
   * it chooses against, from the held orders it holds at the turn's `now`, as boundToSend would
   * (nearestHeld); undefined when the fresh bound stands.
   */
  private limitFor(id: VenueId, leg: LegIntent, otherNotional: number): number | undefined {
    const ahead = this.aheads[(id === 'backpack' ? 0 : 2) + (leg.side === 'buy' ? 0 : 1)];
    return this.freshStands(ahead, id, leg) ? undefined : this.thresholdBound(ahead, id, otherNotional);
  }

  /**
   * strategy.thresholdBound for `ahead`'s venue and side, remembered with the other venue's fill
   * notional it was worked out from (a pure function of the two, for these params): between frames
   * it spares working it out again while the other book's fill stands, and on the deciding turn it
   * usually is the very bound needed.
   */
  private thresholdBound(ahead: Ahead, id: VenueId, otherNotional: number): number | undefined {
    const params = this.core.params!;
    if (ahead.memoParams !== params || ahead.memoNotional !== otherNotional) {
      ahead.memoParams = params;
      ahead.memoNotional = otherNotional;
      ahead.memoBound = thresholdBound(params, id, ahead.side, otherNotional);
    }
    return ahead.memoBound;
  }

  /** Both legs leave before either reply is awaited; nothing is awaited between deciding and sending. */
  private enter(intent: Intent, triggeredAt: number, now: number): void {
    const core = this.core;
    const bpVenue = core.venues.backpack;
    const ltVenue = core.venues.lighter;
    // Each leg's bound, against the other's fill as decide() saw it: chosen here for a venue that is
    // sent to in full, by the venue itself as it writes for one that writes its own (the same choice
    // from the same held orders at the same `now`: no send changes what the other venue holds).
    let bpLimit: number | undefined;
    let ltLimit: number | undefined;
    if (core.settings.signAheadBound !== 'book') {
      if (bpVenue.writeOrder !== undefined) bpLimit = this.limitFor('backpack', intent.backpack, intent.lighter.expected.notional);
      else intent.backpack.worstPrice = this.boundToSend('backpack', intent.backpack, intent.lighter.expected.notional, now);
      if (ltVenue.writeOrder !== undefined) ltLimit = this.limitFor('lighter', intent.lighter, intent.backpack.expected.notional);
      else intent.lighter.worstPrice = this.boundToSend('lighter', intent.lighter, intent.backpack.expected.notional, now);
    }
    const bpRequest: MarketOrderRequest = { side: intent.backpack.side, size: intent.backpack.size, worstPrice: intent.backpack.worstPrice };
    const ltRequest: MarketOrderRequest = { side: intent.lighter.side, size: intent.lighter.size, worstPrice: intent.lighter.worstPrice };
    // The writes first, Backpack's then Lighter's; everything else of both sends after them (follow).
    const bpWritten = write(bpVenue, bpRequest, core.clock, now, bpLimit);
    const ltWritten = write(ltVenue, ltRequest, core.clock, now, ltLimit);
    // The leg (and so every record of it) carries the bound sent.
    if (!(bpWritten instanceof Promise)) intent.backpack.worstPrice = bpWritten.request.worstPrice;
    if (!(ltWritten instanceof Promise)) intent.lighter.worstPrice = ltWritten.request.worstPrice;
    const bp = follow(core.venues.backpack, bpWritten, core.clock);
    const lt = follow(core.venues.lighter, ltWritten, core.clock);
    core.noteSent('backpack');
    core.noteSent('lighter');
    core.summary.trades++;
    const entry = this.finishEntry(intent, triggeredAt, bp, lt);
    core.track(core.caps === undefined ? entry : entry.finally(() => core.caps?.settled(core.settings.ticker)));
  }

  private async finishEntry(intent: Intent, triggeredAt: number, bpPromise: Promise<LegResult>, ltPromise: Promise<LegResult>): Promise<void> {
    const core = this.core;
    // Formatting waits until the orders are on their way: some adapters write on the next tick.
    await new Promise<void>((r) => setImmediate(r));
    core.log.info(
      `${intent.direction}: spread ${intent.rawSpread.toFixed(2)} (executable ${intent.executableSpread.toFixed(2)}, edge after fees ${intent.expectedEdge.toFixed(4)}) → Backpack ${intent.backpack.side} / Lighter ${intent.lighter.side} ${core.settings.strategy.size}`,
    );
    const epoch = core.epoch;
    const [bp, lt] = await Promise.all([bpPromise.then((l) => this.legs.settle('backpack', l)), ltPromise.then((l) => this.legs.settle('lighter', l))]);
    if (epoch !== core.epoch) {
      core.log.warn(
        `${intent.direction} legs answered after shutdown stopped waiting (Backpack ${bp.state} ${core.fmtSize('backpack', bp.filled)}, Lighter ${lt.state} ${core.fmtSize('lighter', lt.filled)}); the venues' positions were taken instead`,
      );
      return;
    }
    this.legs.apply(bp);
    this.legs.apply(lt);
    if (core.observer?.legLatency !== undefined) for (const leg of [bp, lt]) observeLeg(core.observer, leg, triggeredAt);
    const record = this.records.record('entry', intent.direction, bp, lt, triggeredAt, intent);
    const ok = bp.state === 'filled' && lt.state === 'filled';
    if (ok) core.summary.successes++;
    core.log.info(
      `${intent.direction} done: Backpack ${bp.state} ${core.fmtSize('backpack', bp.filled)} @ ${avgText(bp, core.market('backpack').priceScale)}, Lighter ${lt.state} ${core.fmtSize('lighter', lt.filled)} @ ${avgText(lt, core.market('lighter').priceScale)}, ` +
        `net ${record.netPnl.toFixed(4)}; sent ${ms(bp.sentAt - triggeredAt)}/${ms(lt.sentAt - triggeredAt)} ms, confirmed ${ms((bp.confirmedAt ?? NaN) - triggeredAt)}/${ms((lt.confirmedAt ?? NaN) - triggeredAt)} ms after the frame (Backpack/Lighter)`,
    );
    for (const leg of [bp, lt]) if (leg.error?.kind === 'auth') core.haltForAuth(leg.venue, leg.error.message);
    if (!ok) {
      // A leg refused only because the venue is rate limiting us is a pause, not a fault: it does not feed the kill switch.
      const failed = [bp, lt].filter((l) => l.state !== 'filled');
      const rateLimitedOnly = failed.every((l) => l.error?.kind === 'rate_limited');
      core.noteFailure(
        `${intent.direction}: Backpack ${bp.state}${bp.error ? ` (${bp.error.message})` : ''}, Lighter ${lt.state}${lt.error ? ` (${lt.error.message})` : ''}`,
        !rateLimitedOnly,
      );
    }
    // An outcome we could not learn may still have filled: take the venues' positions before hedging on our count.
    if (bp.state === 'unknown' || lt.state === 'unknown') await this.reconciler.reconcile('a leg is unknown');
    if (!core.isFlat()) {
      const p = core.params!;
      const short = toCommon(bp.filled, p.backpack, p) < toCommon(lt.filled, p.lighter, p) ? 'backpack' : 'lighter';
      this.repair.shortLeg(short, short === 'backpack' ? intent.backpack.side : intent.lighter.side);
      await this.repair.repair(`${intent.direction} legs differ`, this.repair.deadline());
    }
  }
}

interface Ahead {
  readonly side: OrderSide;
  params?: StrategyParams;
  /** The price of the last level --size reached on this venue's book when `book` was worked out (its bound is a function of it). */
  bookLevel: number;
  /** core.bookSeq of this venue when `book` was worked out, and of the other venue when `threshold` was. */
  bookSeq: number;
  otherSeq: number;
  book?: MarketOrderRequest;
  threshold?: MarketOrderRequest;
  /** The orders of each kind last handed to the venue (hand). */
  handedBook?: MarketOrderRequest;
  handedThreshold?: MarketOrderRequest;
  /** When the venue said it would sign each of them again (prepareMarketOrder's answer; -Infinity: none). */
  renewBook: number;
  renewThreshold: number;
  /** thresholdBound's memory: the bound for this side, worked out for these params and the other venue's fill notional. */
  memoParams?: StrategyParams;
  memoNotional: number;
  memoBound: number | undefined;
}

function emptyAhead(side: OrderSide): Ahead {
  return {
    side,
    params: undefined,
    bookLevel: NaN,
    bookSeq: -1,
    otherSeq: -1,
    book: undefined,
    threshold: undefined,
    handedBook: undefined,
    handedThreshold: undefined,
    renewBook: -Infinity,
    renewThreshold: -Infinity,
    memoParams: undefined,
    memoNotional: NaN,
    memoBound: undefined,
  };
}

/** Forgets what was worked out for other params (a new Ahead's state, for `params`). */
function resetAhead(ahead: Ahead, params: StrategyParams): void {
  ahead.params = params;
  ahead.bookLevel = NaN;
  ahead.bookSeq = -1;
  ahead.otherSeq = -1;
  ahead.book = undefined;
  ahead.threshold = undefined;
  ahead.handedBook = undefined;
  ahead.handedThreshold = undefined;
  ahead.renewBook = ahead.renewThreshold = -Infinity;
}

interface PassFill extends FillEstimate {
  pass: number;
}

function emptyFill(): PassFill {
  return { filled: 0, notional: 0, avgPrice: 0, worstPrice: 0, complete: false, pass: -1 };
}

/** A mid in quote currency per unit (float): Backpack's, else Lighter's, else undefined. */
function midOf(core: EngineCore): number | undefined {
  for (const v of VENUES) {
    const b = core.books[v];
    if (b.bestBid !== undefined && b.bestAsk !== undefined) return (b.bestBid + b.bestAsk) / 2 / 10 ** core.market(v).priceScale;
  }
  return undefined;
}

/** This market's larger venue position and |net| × mid, quote currency (floats: caps and reports only). */
export function marketExposure(core: EngineCore): { notional: number; openExposure: number } {
  const p = core.params;
  const mid = p === undefined ? undefined : midOf(core);
  if (p === undefined || mid === undefined) return { notional: 0, openExposure: 0 };
  const unit = 10 ** p.sizeScale;
  const bp = toCommon(core.position.backpack, p.backpack, p);
  const lt = toCommon(core.position.lighter, p.lighter, p);
  return { notional: (Math.max(Math.abs(bp), Math.abs(lt)) / unit) * mid, openExposure: (Math.abs(bp + lt) / unit) * mid };
}

/** What `intent` would do to this market's weight if both legs fill, and one leg alone (see EntryExposure). */
export function entryExposure(core: EngineCore, intent: Intent): EntryExposure {
  const p = core.params!;
  const unit = 10 ** p.sizeScale;
  const mid = midOf(core) ?? 0;
  const bp = toCommon(core.position.backpack, p.backpack, p);
  const lt = toCommon(core.position.lighter, p.lighter, p);
  const signed = (side: 'buy' | 'sell') => (side === 'buy' ? p.size.common : -p.size.common);
  const bpAfter = bp + signed(intent.backpack.side);
  const ltAfter = lt + signed(intent.lighter.side);
  return {
    notionalBefore: (Math.max(Math.abs(bp), Math.abs(lt)) / unit) * mid,
    notionalAfter: (Math.max(Math.abs(bpAfter), Math.abs(ltAfter)) / unit) * mid,
    openExposure: (Math.abs(bp + lt) / unit) * mid,
    legNotional: (p.size.common / unit) * mid,
  };
}

/** The strategy's reasons for no trade, by the outcome an onlooker counts. */
const OUTCOME: Record<NoTrade['code'], DecisionOutcome> = {
  unresolved_legs: 'halted',
  halted: 'halted',
  exposure_open: 'halted',
  no_spread: 'below_threshold',
  book_invalid: 'stale',
  book_empty_side: 'stale',
  book_crossed: 'stale',
  book_stale: 'stale',
  notional_range: 'limits',
  max_position: 'limits',
  fees_exceed_edge: 'fees',
};

/** A leg's stages, in seconds; stages the leg never reached (no answer, no fill) are not reported. */
export function observeLeg(observer: EngineObserver, leg: LegResult, triggeredAt: number): void {
  const report = observer.legLatency!;
  report.call(observer, leg.venue, 'frame_to_sent', Math.max(0, leg.sentAt - triggeredAt) / 1000);
  if (leg.confirmedAt === undefined || leg.state === 'unknown') return;
  const answered = Math.max(0, leg.confirmedAt - leg.sentAt) / 1000;
  report.call(observer, leg.venue, 'sent_to_ack', answered);
  if (leg.filled > 0) report.call(observer, leg.venue, 'sent_to_filled', answered);
}

function avgText(leg: LegResult, priceScale: number): string {
  return leg.filled === 0 ? '-' : (leg.notional / leg.filled / 10 ** priceScale).toFixed(priceScale + 2);
}

function ms(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '-';
}
