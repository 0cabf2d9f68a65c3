// Funding: what each venue paid or charged the account on the traded market since the run started,
// read from the venues' own account funding histories (venues/*/funding.ts) every
// fundingPollEveryMs, after each reconciliation and once more at stop; and, at start-up, the rates
// each venue quotes now with what holding the positions found costs or earns per day.
//
// A payment is counted once (by the venue's key for its settlement) and only when it settled at or
// after the run's start. Sums are exact (bigint USD at FUNDING_SCALE), per market and venue, so a
// total is a sum of per-market figures. A reply the parser refuses is one warning (at most one per
// venue per interval) and counts nothing: the next read takes the whole history again, so nothing
// is lost. Reads never hold up a decision: they are not engine work, and Lighter's share of them
// takes its place in the venue's request budget behind repairs.

import { formatFixed } from '../core/fixed.js';
import type { VenueId } from '../venues/types.js';
import { FrameWarnings } from '../venues/messages.js';
import { VenueError } from '../venues/venue.js';
import { formatUsd, fundingPerDay, usdFloat, type FundingPayment, type FundingRateNow } from '../venues/funding.js';
import { VENUES, type EngineCore, type FundingSummary } from './core.js';

const VENUE_NAME: Record<VenueId, string> = { backpack: 'Backpack', lighter: 'Lighter' };

/** Exact funding per market (the ticker) and venue, USD at FUNDING_SCALE, received > 0. */
export type FundingByMarket = Map<string, Record<VenueId, bigint>>;

export function fundingSummary(byMarket: FundingByMarket, payments: number, flows: Record<VenueId, { received: bigint; paid: bigint }>): FundingSummary {
  const venues: Record<VenueId, bigint> = { backpack: 0n, lighter: 0n };
  const out: FundingSummary['byMarket'] = {};
  for (const [market, v] of byMarket) {
    out[market] = { backpack: formatUsd(v.backpack), lighter: formatUsd(v.lighter) };
    for (const id of VENUES) venues[id] += v[id];
  }
  const total = venues.backpack + venues.lighter;
  return {
    byMarket: out,
    venues: { backpack: formatUsd(venues.backpack), lighter: formatUsd(venues.lighter) },
    total: formatUsd(total),
    totalUsd: usdFloat(total),
    venueUsd: { backpack: usdFloat(venues.backpack), lighter: usdFloat(venues.lighter) },
    flows: {
      backpack: { received: usdFloat(flows.backpack.received), paid: usdFloat(flows.backpack.paid) },
      lighter: { received: usdFloat(flows.lighter.received), paid: usdFloat(flows.lighter.paid) },
    },
    payments,
  };
}

export class FundingTracker {
  private readonly seen = new Set<string>();
  readonly byMarket: FundingByMarket = new Map();
  private payments = 0;
  private readonly flows: Record<VenueId, { received: bigint; paid: bigint }> = { backpack: { received: 0n, paid: 0n }, lighter: { received: 0n, paid: 0n } };
  private inflight?: Promise<void>;
  /** Monotonic ms of the latest read started. */
  lastAt = -Infinity;
  /** Wall ms the run started: payments settled before it belong to an earlier run. */
  private startWall = 0;
  private readonly warnings: FrameWarnings;
  /** Venues whose latest read failed, and why. */
  private readonly failed = new Map<VenueId, string>();
  /** Each payment counted, in the order read (the trades CSV's funding rows, the PnL ledger). */
  onPayment?: (p: FundingPayment) => void;

  constructor(private readonly core: EngineCore) {
    this.warnings = new FrameWarnings(core.log, core.clock);
  }

  /** The run starts now (wall clock): only payments settled from here on are its own. */
  begin(): void {
    this.startWall = this.core.clock.wallMs();
  }

  get hasSources(): boolean {
    return VENUES.some((v) => this.core.venues[v].funding !== undefined);
  }

  summary(): FundingSummary {
    return fundingSummary(this.byMarket, this.payments, this.flows);
  }

  /** A read of the venues' payments is under way. */
  get reading(): boolean {
    return this.inflight !== undefined;
  }

  /** Reads both venues' payments unless a read is under way or one started within `minGapMs`; resolves when it is done. */
  poll(minGapMs = 0): Promise<void> {
    if (this.inflight !== undefined) return this.inflight;
    const now = this.core.clock.monoMs();
    if (now - this.lastAt < minGapMs || !this.hasSources) return Promise.resolve();
    this.lastAt = now;
    const run = this.read()
      .catch((e: unknown) => this.core.log.error(`funding: reading payments failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        if (this.inflight === run) this.inflight = undefined;
      });
    this.inflight = run;
    return run;
  }

  /**
   * At stop: waits for a read under way, then reads once more, so the summary has every settlement
   * so far; a venue whose reply was refused then is asked once again (its warning is already said).
   */
  async final(): Promise<void> {
    await this.inflight;
    await this.poll(0);
    if (this.failed.size > 0) await this.poll(0);
    for (const [v, why] of this.failed)
      this.core.log.warn(
        `funding: ${VENUE_NAME[v]}'s funding history could not be read at the end (${why}); settlements since its last read are missing from the summary — see the venue's own funding history`,
      );
  }

  private async read(): Promise<void> {
    const core = this.core;
    await Promise.all(
      VENUES.map(async (v) => {
        const source = core.venues[v].funding;
        if (source === undefined) return;
        let list: FundingPayment[];
        try {
          list = await source.payments(this.startWall);
          this.failed.delete(v);
        } catch (e) {
          const why = (e as Error).message;
          this.failed.set(v, why);
          // A read skipped to keep the venue's request budget for orders is no fault: said only in the debug log.
          if (e instanceof VenueError && e.kind === 'rate_limited') core.log.debug(`funding: ${VENUE_NAME[v]} payments not read now: ${why}`);
          else this.warnings.warn(`funding-${v}`, `funding: ${VENUE_NAME[v]} payments unavailable, counted at the next read: ${why}`);
          return;
        }
        for (const p of list) this.count(v, p);
      }),
    );
    core.summary.funding = this.summary();
  }

  private count(v: VenueId, p: FundingPayment): void {
    const key = `${v}:${p.key}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const market = this.core.settings.ticker;
    let row = this.byMarket.get(market);
    if (row === undefined) this.byMarket.set(market, (row = { backpack: 0n, lighter: 0n }));
    row[v] += p.amount;
    if (p.amount >= 0n) this.flows[v].received += p.amount;
    else this.flows[v].paid -= p.amount;
    this.payments++;
    this.core.log.info(
      `funding: ${VENUE_NAME[v]} ${p.market} ${p.amount >= 0n ? 'paid us' : 'charged us'} ${formatUsd(p.amount < 0n ? -p.amount : p.amount)} at rate ${p.rate} (settled ${new Date(p.at).toISOString()})`,
    );
    if (p.note !== undefined) this.core.log.warn(`funding: ${VENUE_NAME[v]} ${p.market} settlement ${p.key}: ${p.note} — compare with the venue's own funding history`);
    this.onPayment?.(p);
  }

  /**
   * The start-up lines: each venue's current rate and what holding the positions found costs or
   * earns per day at it, valued at the book's mid. Resolves once both venues answered or failed.
   */
  async startupLines(): Promise<string[]> {
    const core = this.core;
    const rates = await Promise.all(
      VENUES.map(async (v): Promise<FundingRateNow | string | undefined> => {
        const source = core.venues[v].funding;
        if (source === undefined) return undefined;
        try {
          return await source.current();
        } catch (e) {
          return (e as Error).message;
        }
      }),
    );
    const now: string[] = [];
    const perDay: string[] = [];
    let net = 0n;
    let netKnown = true;
    let any = false;
    for (const [i, v] of VENUES.entries()) {
      const r = rates[i];
      if (r === undefined) continue;
      any = true;
      if (typeof r === 'string') {
        now.push(`${VENUE_NAME[v]} unavailable (${r})`);
        netKnown = false;
        continue;
      }
      now.push(
        `${VENUE_NAME[v]} ${r.market} ${r.rate} per ${hours(r.periodMs)}${r.settleEveryMs !== r.periodMs ? `, settled every ${hours(r.settleEveryMs)}` : ''}${predictedText(r)}`,
      );
      const m = core.market(v);
      const position = core.position[v];
      const book = core.books[v];
      if (position === 0) {
        perDay.push(`${VENUE_NAME[v]} nothing held`);
        continue;
      }
      if (book.bestBid === undefined || book.bestAsk === undefined) {
        perDay.push(`${VENUE_NAME[v]} ${formatFixed(position, m.sizeScale)} (no book to value it)`);
        netKnown = false;
        continue;
      }
      const day = fundingPerDay(position, m.sizeScale, book.bestBid + book.bestAsk, m.priceScale, r);
      net += day;
      perDay.push(`${VENUE_NAME[v]} ${formatFixed(position, m.sizeScale)} ${day >= 0n ? 'earns' : 'costs'} ${formatUsd(day < 0n ? -day : day)} USDC/day`);
    }
    if (!any) return [];
    const lines = [
      `funding now: ${now.join('; ')} (a positive rate: longs pay shorts — Lighter's documents; Backpack's do not say, read the same way)`,
      `funding per day at these rates on the positions held, at the mids: ${perDay.join('; ')}${netKnown ? `; net ${formatUsd(net, true)} USDC/day` : ''}`,
    ];
    return lines;
  }
}

/** The venue's own prediction of its next payment, or why there is none, after its current rate. */
function predictedText(r: FundingRateNow): string {
  const p = r.predicted;
  if (p !== undefined) return `, predicted ${p.rate} per ${hours(p.periodMs)}${p.at !== undefined ? ` for ${new Date(p.at).toISOString()}` : ''} (${p.field})`;
  return r.predictedMissing !== undefined ? `, predicted unknown (${r.predictedMissing})` : '';
}

function hours(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms / 1000} s`;
}
