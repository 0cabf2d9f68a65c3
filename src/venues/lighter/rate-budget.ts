// One request budget for ALL Lighter traffic: every REST call and every transaction, on either
// transport, takes a place in one rolling one-minute window. A Standard account has 60 requests
// per minute, per IP and per L1 address, shared by REST and sendTx (Lighter API docs "Rate
// limits", as mirrored in the spec §0; nautilus_trader crates/adapters/lighter/src/common/
// rate_limit.rs: "60 REST requests per rolling minute for standard accounts"). Older docs give 40
// transactions per minute: where the sources disagree the harsher reading holds, so transactions
// are also kept to two thirds of the budget (40 of 60) unless told otherwise.
//
// Places are handed out by purpose. Repairs and unwinds may use every place; entries (and the
// ordinary REST calls: start-up, positions, nonces) leave a reserve that only repairs may take;
// look-ups of unknown orders leave the same reserve and are capped on top, so one stuck leg asked
// about again and again can never take the places a hedge needs. Waiters are served repairs first,
// then entries, then look-ups, in arrival order within each class. The clock is injectable.

import { systemClock } from '../../core/clock.js';
import { VenueError, type ReadinessGate } from '../venue.js';

export type BudgetPurpose = 'repair' | 'entry' | 'lookup';

const RANK: Record<BudgetPurpose, number> = { repair: 0, entry: 1, lookup: 2 };

export interface RateBudgetOptions {
  /** Requests per rolling minute (Standard account: 60). */
  perMinute: number;
  /** Monotonic ms, the engine clock's monoMs line (tests pin it). */
  now?: () => number;
  /** Wakes a waiter after ms (tests may drive it by hand). */
  schedule?: (wake: () => void, ms: number) => { cancel(): void };
  /** The window's length; one minute on the venue. */
  windowMs?: number;
  /** Transactions (sendTx, either transport) per rolling minute within the budget (default: two thirds of it). */
  transactionsPerMinute?: number;
}

interface Waiter {
  purpose: BudgetPurpose;
  transaction: boolean;
  resolve: () => void;
  reject: (e: VenueError) => void;
  /** Monotonic ms after which the waiter gives up (Infinity: never). */
  deadline: number;
}

const defaultSchedule = (wake: () => void, ms: number) => {
  const t = setTimeout(wake, ms);
  return { cancel: () => clearTimeout(t) };
};

export class RateBudget {
  readonly perMinute: number;
  /** Places only a repair may take. */
  readonly repairReserve: number;
  /** At most this many look-ups in one window. */
  readonly lookupCap: number;
  /** At most this many transactions in one window, of which the last repairReserve are for repairs. */
  readonly transactionCap: number;
  private readonly transactionReserve: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly schedule: NonNullable<RateBudgetOptions['schedule']>;
  /**
   * Times of the places taken in the current window, oldest first: every place, the look-ups'
   * and the transactions'. Each limit reads one time at a known distance from the newest, so a
   * check costs the same however many places the window holds (a large quota holds thousands,
   * and readiness is asked on every book frame).
   */
  private readonly taken = new PlaceTimes();
  private readonly lookups = new PlaceTimes();
  private readonly transactions = new PlaceTimes();
  /** Entries of the windows looked at so far, by every check and prune. */
  private examined = 0;
  private readonly waiters: Waiter[] = [];
  private timer?: { cancel(): void };
  /**
   * availableAt('entry', true) as last worked out, while no place has been taken and no pause has
   * come since (Infinity otherwise): from that moment on an entry's transaction finds its place free
   * (the window only frees places as time passes), so takeIfFree need not work it out again.
   */
  private entryTxFrom = Infinity;
  /** Readiness gates of the execution sides on this budget (watch): closed by every place taken and every pause. */
  private readonly gates: ReadinessGate[] = [];
  /** The venue answered 429 / 23000: nothing goes out before this. */
  private pausedUntil = 0;
  private pauseDetail = '';

  constructor(options: RateBudgetOptions) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 1) throw new Error(`Lighter request budget ${options.perMinute} must be a whole number ≥ 1`);
    this.perMinute = options.perMinute;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? (() => systemClock.monoMs());
    this.schedule = options.schedule ?? defaultSchedule;
    // A tenth of the window for repairs (6 of 60); a small budget still keeps one when it can.
    this.repairReserve = options.perMinute >= 10 ? Math.ceil(options.perMinute / 10) : options.perMinute >= 3 ? 1 : 0;
    // Look-ups: a sixth of the window (10 of 60), at least one.
    this.lookupCap = Math.max(1, Math.floor(options.perMinute / 6));
    this.transactionCap = Math.min(options.perMinute, options.transactionsPerMinute ?? Math.max(1, Math.floor((options.perMinute * 2) / 3)));
    this.transactionReserve = Math.min(this.repairReserve, this.transactionCap - 1);
  }

  /** Entries of the windows looked at so far, by every check and prune: the work the budget does (tests hold it linear in the places taken). */
  get entriesExamined(): number {
    return this.examined;
  }

  /** Places taken in the current window. */
  used(): number {
    this.prune(this.now());
    return this.taken.length;
  }

  /** Monotonic ms from which a request of this purpose (a transaction or not) could take a place (≤ now: at once). */
  availableAt(purpose: BudgetPurpose, transaction = false, now = this.now()): number {
    this.prune(now);
    let at = Math.max(now, this.pausedUntil);
    const limit = purpose === 'repair' ? this.perMinute : this.perMinute - this.repairReserve;
    if (this.taken.length >= limit) at = Math.max(at, this.taken.fromNewest(limit) + this.windowMs);
    if (purpose === 'lookup' && this.lookups.length >= this.lookupCap) at = Math.max(at, this.lookups.fromNewest(this.lookupCap) + this.windowMs);
    if (transaction) {
      const txLimit = purpose === 'repair' ? this.transactionCap : this.transactionCap - this.transactionReserve;
      if (this.transactions.length >= txLimit) at = Math.max(at, this.transactions.fromNewest(txLimit) + this.windowMs);
    }
    if (transaction && purpose === 'entry') this.entryTxFrom = at;
    return at;
  }

  /**
   * Closes `gate` (readyFrom = Infinity) whenever a place is taken or a pause comes: the moments
   * from which a place is free, which its owner worked out from availableAt, may then lie later.
   */
  watch(gate: ReadinessGate): void {
    this.gates.push(gate);
  }

  private closeGates(): void {
    this.entryTxFrom = Infinity;
    const gates = this.gates;
    for (let i = 0; i < gates.length; i++) gates[i].readyFrom = Infinity;
  }

  /** The venue's own refusal (429 / 23000): nothing is sent before `until`. */
  pause(until: number, detail: string): void {
    this.closeGates();
    if (until > this.pausedUntil) {
      this.pausedUntil = until;
      this.pauseDetail = detail;
    }
    this.arm();
  }

  /** The venue's back-off in force, if any. */
  backingOff(now = this.now()): { until: number; detail: string } | undefined {
    return this.pausedUntil > now ? { until: this.pausedUntil, detail: this.pauseDetail } : undefined;
  }

  /**
   * Takes a place now if this purpose may have one and nobody of a higher (or equal) class is
   * waiting for it; false otherwise. Synchronous: the order path calls it in the same turn.
   */
  tryTake(purpose: BudgetPurpose, transaction = false): boolean {
    if (this.waiters.length > 0 && this.waiters.some((w) => RANK[w.purpose] <= RANK[purpose])) return false;
    return this.takeIfFree(purpose, transaction);
  }

  /**
   * Waits for a place, in line by purpose. Rejects with a rate_limited VenueError if no place is
   * free within maxWaitMs.
   */
  take(purpose: BudgetPurpose, maxWaitMs = Infinity, transaction = false): Promise<void> {
    if (this.tryTake(purpose, transaction)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { purpose, transaction, resolve, reject, deadline: this.now() + maxWaitMs };
      // Behind every waiter of the same or a higher class, ahead of the lower ones.
      const at = this.waiters.findIndex((w) => RANK[w.purpose] > RANK[purpose]);
      if (at < 0) this.waiters.push(waiter);
      else this.waiters.splice(at, 0, waiter);
      this.arm();
    });
  }

  /** Serves whoever can be served now; called by the timer (tests may call it after moving the clock). */
  wake(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const now = this.now();
    for (let i = 0; i < this.waiters.length;) {
      const w = this.waiters[i];
      if (this.takeIfFree(w.purpose, w.transaction)) {
        this.waiters.splice(i, 1);
        w.resolve();
        continue;
      }
      if (w.deadline <= now) {
        this.waiters.splice(i, 1);
        w.reject(this.refusal(w.purpose, w.transaction));
        continue;
      }
      // A repair that cannot go yet holds the line for everyone behind it.
      if (w.purpose === 'repair') break;
      i++;
    }
    this.arm();
  }

  /** Gives every waiter up (the venue is stopping). */
  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.reject(new VenueError('lighter', 'unavailable', 'Lighter venue stopped while a request waited for its place in the request budget'));
  }

  /** The error for a request refused for want of a place. */
  refusal(purpose: BudgetPurpose, transaction = false): VenueError {
    const r = this.refusalParts(purpose, transaction);
    return new VenueError('lighter', 'rate_limited', r.message, r.code, r.retryMs);
  }

  /** refusal()'s message alone, without building an error (a replay's readiness asks on every book frame). */
  refusalMessage(purpose: BudgetPurpose, transaction = false): string {
    return this.refusalParts(purpose, transaction).message;
  }

  private refusalParts(purpose: BudgetPurpose, transaction: boolean): { message: string; code?: number; retryMs: number } {
    const now = this.now();
    const off = this.backingOff();
    if (off !== undefined)
      return { message: `Lighter ${purpose} not sent: the venue said ${off.detail}; nothing goes out for another ${off.until - now} ms`, code: 23000, retryMs: off.until - now };
    const wait = Math.max(0, this.availableAt(purpose, transaction, now) - now);
    const budget = transaction ? `${this.perMinute} requests (${this.transactionCap} transactions)` : `${this.perMinute} requests`;
    return { message: `Lighter ${purpose} not sent: the shared budget of ${budget} per minute (--lighter-requests-per-minute) is spent for another ${wait} ms`, retryMs: wait };
  }

  private takeIfFree(purpose: BudgetPurpose, transaction: boolean): boolean {
    // One reading of the clock for both the check and the place: a monotonic clock with fractions
    // of a millisecond has moved on between two readings, and "free from now" must mean free now.
    const now = this.now();
    // An entry's transaction whose place was found free from a moment now past, nothing taken since: free.
    const known = transaction && purpose === 'entry' && this.entryTxFrom <= now;
    if (!known && this.availableAt(purpose, transaction, now) > now) return false;
    this.taken.push(now);
    this.closeGates();
    if (purpose === 'lookup') this.lookups.push(now);
    if (transaction) this.transactions.push(now);
    return true;
  }

  private prune(now: number): void {
    this.examined += this.taken.prune(now, this.windowMs) + this.lookups.prune(now, this.windowMs) + this.transactions.prune(now, this.windowMs);
  }

  private arm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.waiters.length === 0) return;
    const now = this.now();
    let at = Infinity;
    for (const w of this.waiters) at = Math.min(at, this.availableAt(w.purpose, w.transaction, now), w.deadline);
    this.timer = this.schedule(
      () => {
        this.timer = undefined;
        this.wake();
      },
      Math.max(0, at - now),
    );
  }
}

/** The times of one kind of place in the rolling window, oldest first: a queue read from its head. */
class PlaceTimes {
  private times: number[] = [];
  private head = 0;

  get length(): number {
    return this.times.length - this.head;
  }

  push(at: number): void {
    this.times.push(at);
  }

  /** The n-th time counting back from the newest (1: the newest); n ≤ length. */
  fromNewest(n: number): number {
    return this.times[this.times.length - n];
  }

  /** Drops the times that left the window; returns the entries it looked at (and moved). */
  prune(now: number, windowMs: number): number {
    const times = this.times;
    const start = this.head;
    let head = start;
    while (head < times.length && times[head] + windowMs <= now) head++;
    let looked = head - start + 1;
    // The dropped prefix is given back once it outweighs what is kept, so each time is moved at
    // most once on average: the queue stays linear in the places taken.
    if (head > 64 && head * 2 > times.length) {
      this.times = times.slice(head);
      looked += this.times.length;
      head = 0;
    }
    this.head = head;
    return looked;
  }
}
