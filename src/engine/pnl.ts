// What a run made, split so that nothing passes for profit that is not: realised (the cash of
// every fill: the spread captured on matched entries, what repairs cost, the fees; and the funding
// the venues paid or charged on the positions held, from their own histories) and unrealised
// (the inventory still open on each venue, valued at its mid, and what closing it at the books
// would give after taker fees). Quote currency throughout; floats, because these are reports and
// never reach an order.
//
// realised + unrealised at mid = what the run made if its inventory were worth the mids.
// While the legs are hedged, realised is the spread captured less fees and repairs, and the
// unrealised value is the gap between the venues' mids on the open inventory (the basis the
// spread was bought against). While a residual is open, its cost sits in realised and its value
// in unrealised: the total stays right, the split does not mean much until it is repaired.

import type { BookView } from '../core/orderbook.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import type { LegResult } from '../venues/venue.js';
import { formatUsd, usdFloat } from '../venues/funding.js';

export interface VenueInventory {
  /** Position in base units (long > 0). */
  position: number;
  /** The venue's mid in quote per unit; NaN when its book has no two sides. */
  mid: number;
  /** position × mid. */
  valueAtMid: number;
  /** Proceeds of closing it now at the book's depth, after the taker fee (a short's is negative); NaN when the book cannot fill it. */
  closeValue: number;
  /** The taker fee that close would pay. */
  closeFee: number;
}

export interface PnlReport {
  /** Quote currency of every figure, e.g. USDC. */
  currency: string;
  /** Σ over entries of matched quantity × (sell average − buy average): the trades CSV's pnl_estimate summed. */
  spreadCapturedGross: number;
  /** Σ fees of every fill (entries, repairs, late fills). */
  fees: number;
  /**
   * Funding received (+) or paid (−) since the start, exact decimal text per market (ticker) and
   * venue and in total; `usd` is the total as a float. Part of realisedNet.
   */
  funding: { byMarket: Record<string, Record<VenueId, string>>; venues: Record<VenueId, string>; total: string; usd: number };
  /** Cash of every fill less fees, plus funding, with inventory held at start counted at its start mid. */
  realisedNet: number;
  /**
   * Position the venues report that no known fill explains (base units per venue): a leg whose
   * outcome never became known, or trades made outside the bot. Counted as taken at the final mid,
   * so it adds nothing to the PnL either way: what it really cost is not known here.
   */
  unexplained: Record<VenueId, number>;
  inventory: Record<VenueId, VenueInventory>;
  /** Σ valueAtMid: the open inventory at the mids. */
  unrealisedAtMid: number;
  /** What closing now would change against the mids, fees included (≤ 0 on any real book). */
  closeCost: number;
  totalAtMid: number;
  /** realised + the inventory closed at the books after fees. */
  totalIfClosed: number;
}

/** Counts every fill's cash and fees; values the inventory when asked. */
export class PnlLedger {
  private readonly cash: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  /** Position explained by the fills counted here (and the opening inventory), at each size scale. */
  private readonly held: Record<VenueId, number> = { backpack: 0, lighter: 0 };
  private fees = 0;
  private spreadCaptured = 0;
  /** Funding per market and venue, USD at FUNDING_SCALE (exact). */
  private readonly fundingByMarket = new Map<string, Record<VenueId, bigint>>();

  constructor(private readonly markets: Record<VenueId, MarketSpec>) {}

  /** Inventory found at start is counted as bought (or sold) at that moment's mid: the run's PnL starts at zero. */
  openingInventory(venue: VenueId, position: number, book: BookView): void {
    const m = this.markets[venue];
    this.held[venue] += position;
    this.cash[venue] -= (position / 10 ** m.sizeScale) * mid(book, m);
  }

  /** One executed leg: its cash (sell +, buy −) and its fee. */
  fill(leg: LegResult): void {
    this.fees += leg.fee;
    if (leg.filled === 0) return;
    const m = this.markets[leg.venue];
    const notional = leg.notional / 10 ** (m.priceScale + m.sizeScale);
    this.cash[leg.venue] += leg.side === 'sell' ? notional : -notional;
    this.held[leg.venue] += leg.side === 'sell' ? -leg.filled : leg.filled;
  }

  /** One funding payment on `market` (the ticker): USD at FUNDING_SCALE, received > 0. */
  funding(venue: VenueId, market: string, amount: bigint): void {
    let row = this.fundingByMarket.get(market);
    if (row === undefined) this.fundingByMarket.set(market, (row = { backpack: 0n, lighter: 0n }));
    row[venue] += amount;
  }

  /** The gross spread an entry captured on its matched quantity. */
  captured(gross: number): void {
    if (Number.isFinite(gross)) this.spreadCaptured += gross;
  }

  /** `positions` are the venues' (reconciled) figures; what the counted fills do not explain is taken at the mid. */
  report(positions: Readonly<Record<VenueId, number>>, books: Record<VenueId, BookView>): PnlReport {
    const inventory = {
      backpack: this.inventory('backpack', positions.backpack, books.backpack),
      lighter: this.inventory('lighter', positions.lighter, books.lighter),
    };
    const unexplained = { backpack: 0, lighter: 0 };
    let unexplainedCash = 0;
    for (const v of ['backpack', 'lighter'] as const) {
      const units = (positions[v] - this.held[v]) / 10 ** this.markets[v].sizeScale;
      if (units === 0) continue;
      unexplained[v] = units;
      unexplainedCash -= units * inventory[v].mid;
    }
    const venues: Record<VenueId, bigint> = { backpack: 0n, lighter: 0n };
    const byMarket: Record<string, Record<VenueId, string>> = {};
    for (const [market, row] of this.fundingByMarket) {
      byMarket[market] = { backpack: formatUsd(row.backpack), lighter: formatUsd(row.lighter) };
      venues.backpack += row.backpack;
      venues.lighter += row.lighter;
    }
    const fundingTotal = venues.backpack + venues.lighter;
    const funding = {
      byMarket,
      venues: { backpack: formatUsd(venues.backpack), lighter: formatUsd(venues.lighter) },
      total: formatUsd(fundingTotal),
      usd: usdFloat(fundingTotal),
    };
    const realisedNet = this.cash.backpack + this.cash.lighter - this.fees + funding.usd + unexplainedCash;
    const unrealisedAtMid = inventory.backpack.valueAtMid + inventory.lighter.valueAtMid;
    const closeValue = inventory.backpack.closeValue + inventory.lighter.closeValue;
    return {
      currency: quoteOf(this.markets.backpack.symbol),
      spreadCapturedGross: this.spreadCaptured,
      fees: this.fees,
      funding,
      realisedNet,
      unexplained,
      inventory,
      unrealisedAtMid,
      closeCost: closeValue - unrealisedAtMid,
      totalAtMid: realisedNet + unrealisedAtMid,
      totalIfClosed: realisedNet + closeValue,
    };
  }

  private inventory(venue: VenueId, position: number, book: BookView): VenueInventory {
    const m = this.markets[venue];
    const units = position / 10 ** m.sizeScale;
    const at = mid(book, m);
    if (position === 0) return { position: 0, mid: at, valueAtMid: 0, closeValue: 0, closeFee: 0 };
    // A long is closed by selling into the bids, a short by buying the asks.
    const fill = book.estimateFill(position > 0 ? 'sell' : 'buy', Math.abs(position));
    const proceeds = fill.complete ? fill.notional / 10 ** (m.priceScale + m.sizeScale) : NaN;
    const closeFee = (proceeds * m.takerFeeBps) / 10_000;
    return { position: units, mid: at, valueAtMid: units * at, closeValue: (position > 0 ? proceeds : -proceeds) - closeFee, closeFee };
  }
}

function mid(book: BookView, m: MarketSpec): number {
  const bid = book.bestBid;
  const ask = book.bestAsk;
  return bid === undefined || ask === undefined ? NaN : (bid + ask) / 2 / 10 ** m.priceScale;
}

/** BTC_USDC_PERP → USDC (both venues settle these perpetuals in USDC). */
function quoteOf(symbol: string): string {
  return symbol.split('_')[1] ?? 'USDC';
}

/** The report as the summary prints it: one figure per line, each with its unit. */
export function pnlLines(r: PnlReport): string[] {
  const q = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(4)} ${r.currency}` : 'unknown (no book to value it)');
  const inv = (v: VenueId, name: string) => {
    const i = r.inventory[v];
    if (i.position === 0) return `${name.padEnd(9)} 0 (nothing open)`;
    return `${name.padEnd(9)} ${i.position} at mid ${Number.isFinite(i.mid) ? i.mid : '?'} = ${q(i.valueAtMid)}; closing now ${q(i.closeValue)} after ${q(-i.closeFee)} fee`;
  };
  const f = r.funding;
  const exact = (text: string) => `${text.startsWith('-') ? '' : '+'}${text} ${r.currency}`;
  const markets = Object.keys(f.byMarket);
  return [
    `realised PnL        ${q(r.realisedNet)} = spread captured ${q(r.spreadCapturedGross)} (gross) ${q(-r.fees)} fees ${q(f.usd)} funding ${q(r.realisedNet - r.spreadCapturedGross + r.fees - f.usd)} other (repairs, unmatched legs, inventory held at start or that no fill explains)`,
    `funding             ${exact(f.total)} = Backpack ${exact(f.venues.backpack)}, Lighter ${exact(f.venues.lighter)} (received +, paid −, from the venues' funding histories)`,
    ...(markets.length > 1 ? markets.map((m) => `  funding ${m.padEnd(8)} Backpack ${exact(f.byMarket[m].backpack)}, Lighter ${exact(f.byMarket[m].lighter)}`) : []),
    `unrealised PnL      ${q(r.unrealisedAtMid)} open inventory at the mids; closing it now ${q(r.closeCost)} more (book depth and taker fees)`,
    `  ${inv('backpack', 'Backpack')}`,
    `  ${inv('lighter', 'Lighter')}`,
    `total PnL           ${q(r.totalAtMid)} at the mids; ${q(r.totalIfClosed)} if closed now`,
    ...residualNote(r),
    ...(['backpack', 'lighter'] as const)
      .filter((v) => r.unexplained[v] !== 0)
      .map(
        (v) =>
          `  note: ${+r.unexplained[v].toFixed(12)} of the ${v === 'backpack' ? 'Backpack' : 'Lighter'} position comes from no fill this run knows (an order whose outcome stayed unknown, or a trade outside the bot); it is counted at the mid, adding nothing either way`,
      ),
  ];
}

/** An unhedged residual's cost is in realised and its value in unrealised: said, so neither figure is read alone. */
function residualNote(r: PnlReport): string[] {
  const net = r.inventory.backpack.position + r.inventory.lighter.position;
  if (Math.abs(net) < 1e-12) return [];
  return [`  note: ${+net.toFixed(12)} is open unhedged: what it cost is in realised and what it is worth in unrealised; only the totals mean something until it is closed`];
}
