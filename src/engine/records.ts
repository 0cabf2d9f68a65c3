// What the engine writes down: the BBO file on the timer, one trades-CSV row per entry, repair or
// late fill, the listeners' trade records, and the summary line at the end.
//
// PnL: `netPnl` below is the estimate on the matched quantity of one row (the trades CSV's
// net_pnl; pnl_estimate is its gross, as in the reference). Every leg also goes into the PnL ledger
// (pnl.ts), which splits the run's result into realised and unrealised for the summary.
//
// Every row of both CSVs ends with the run's mode (live, test, paper, sim), so rows of different
// kinds of run can never pass for one another.

import { formatFixed } from '../core/fixed.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import { CsvAppender, isoTimestamp } from '../io/csv.js';
import { BBO_REFERENCE_COLUMNS, TRADE_REFERENCE_COLUMNS, bboCsvPath, tradesCsvPath } from '../io/paths.js';
import { spreads, topOfBookSignal, type Intent } from '../strategy/index.js';
import type { LegResult } from '../venues/venue.js';
import { VENUES, type EngineCore, type RunSummary } from './core.js';
import { PnlLedger, pnlLines } from './pnl.js';
import { formatUsd, type FundingPayment } from '../venues/funding.js';

export const BBO_COLUMNS = [...BBO_REFERENCE_COLUMNS, 'long_executable_spread', 'short_executable_spread', 'backpack_book_age_ms', 'lighter_book_age_ms'] as const;
// After the reference's columns, in the order issue 7 lists them: each leg's confirmed quantity, the
// spreads, fees, net PnL, each leg's state and latency (ms from the triggering frame's arrival to
// the order leaving and to its confirmation); then what a reader needs to audit a row.
export const TRADE_COLUMNS = [
  ...TRADE_REFERENCE_COLUMNS,
  'backpack_quantity',
  'lighter_quantity',
  'raw_spread',
  'executable_spread',
  'backpack_fee',
  'lighter_fee',
  'net_pnl',
  'backpack_state',
  'lighter_state',
  'backpack_send_ms',
  'lighter_send_ms',
  'backpack_confirm_ms',
  'lighter_confirm_ms',
  'kind',
  'backpack_client_id',
  'lighter_client_id',
  // A funding row (kind "funding") carries one settlement: the amount on its venue's column
  // (received +, paid −) and the rate settled; summing a column over the file gives that venue's
  // funding. Empty on trade rows.
  'backpack_funding',
  'lighter_funding',
  'funding_rate',
  // An entry's worst price on each venue as sent (the bound of the book seen, or one signed ahead at
  // the threshold level's bound: --sign-ahead-bound). Empty on other rows.
  'backpack_worst_price',
  'lighter_worst_price',
] as const;

/** One trade or repair as the CSV and listeners see it. */
export interface TradeRecord {
  kind: 'entry' | 'repair' | 'late' | 'close';
  direction: string;
  backpack?: LegResult;
  lighter?: LegResult;
  /** Monotonic ms (the engine's clock) of the frame that triggered it. */
  triggeredAt: number;
  netPnl: number;
}

export class Records {
  private bbo?: CsvAppender;
  private trades?: CsvAppender;
  private pnl?: PnlLedger;
  private readonly listeners: Array<(t: TradeRecord) => void> = [];

  constructor(private readonly core: EngineCore) {}

  onTrade(listener: (t: TradeRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Once the positions are reconciled at start: the CSVs, and the ledger with the inventory found then. */
  open(): void {
    const core = this.core;
    const s = core.settings;
    const p = core.params!;
    this.pnl = new PnlLedger({ backpack: p.backpack, lighter: p.lighter });
    for (const v of VENUES) this.pnl.openingInventory(v, core.position[v], core.books[v]);
    const at = core.clock.wallMs();
    const batched = s.batchCsvRows === true;
    this.bbo = new CsvAppender(bboCsvPath(s.logDir, s.ticker, at), BBO_COLUMNS, { mode: s.modeLabel }, batched);
    this.trades = new CsvAppender(tradesCsvPath(s.logDir, s.ticker, at), TRADE_COLUMNS, { mode: s.modeLabel }, batched);
  }

  close(): void {
    this.bbo?.close();
    this.trades?.close();
  }

  writeBbo(): void {
    const core = this.core;
    const p = core.params!;
    const b = core.books.backpack;
    const l = core.books.lighter;
    const s = spreads(p, b, l);
    const price = (v: number | undefined, m: MarketSpec) => (v === undefined ? '' : formatFixed(v, m.priceScale));
    const num = (x: number) => (Number.isFinite(x) ? x.toFixed(p.priceScale) : '');
    const now = core.clock.monoMs();
    this.bbo?.append({
      timestamp: isoTimestamp(core.clock.wallMs()),
      backpack_bid: price(b.bestBid, p.backpack),
      backpack_ask: price(b.bestAsk, p.backpack),
      lighter_bid: price(l.bestBid, p.lighter),
      lighter_ask: price(l.bestAsk, p.lighter),
      long_spread: num(s.rawLong),
      short_spread: num(s.rawShort),
      signal: topOfBookSignal(p, b, l),
      long_executable_spread: num(s.executableLong),
      short_executable_spread: num(s.executableShort),
      backpack_book_age_ms: Math.round(now - core.lastBookAt.backpack),
      lighter_book_age_ms: Math.round(now - core.lastBookAt.lighter),
    });
  }

  /**
   * One trades-CSV row. A leg that is absent (repair and late rows) leaves its venue's columns
   * empty, so summing each venue's signed quantities over the file gives exactly its fills.
   */
  record(kind: TradeRecord['kind'], direction: string, bp: LegResult | undefined, lt: LegResult | undefined, triggeredAt: number, intent?: Intent): TradeRecord {
    const core = this.core;
    const p = core.params!;
    const unit = (leg: LegResult | undefined, v: VenueId) => (leg === undefined ? 0 : leg.filled / 10 ** core.market(v).sizeScale);
    const avg = (leg: LegResult | undefined, v: VenueId) => (leg === undefined || leg.filled === 0 ? NaN : leg.notional / leg.filled / 10 ** core.market(v).priceScale);
    const matched = Math.min(unit(bp, 'backpack'), unit(lt, 'lighter'));
    const buyAvg = bp?.side === 'buy' ? avg(bp, 'backpack') : avg(lt, 'lighter');
    const sellAvg = bp?.side === 'sell' ? avg(bp, 'backpack') : avg(lt, 'lighter');
    const captured = kind === 'entry' && matched > 0 ? sellAvg - buyAvg : NaN;
    const fees = (bp?.fee ?? 0) + (lt?.fee ?? 0);
    const gross = Number.isFinite(captured) ? captured * matched : 0;
    const netPnl = gross - fees;
    core.summary.estimatedPnl += netPnl;
    if (kind === 'entry') core.summary.spreadCaptured = (core.summary.spreadCaptured ?? 0) + gross;
    this.pnl?.captured(kind === 'entry' ? gross : 0);
    if (bp !== undefined) this.pnl?.fill(bp);
    if (lt !== undefined) this.pnl?.fill(lt);
    const t = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : (x - triggeredAt).toFixed(3));
    const spread = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(p.priceScale + 2));
    const leg = (l: LegResult | undefined, v: VenueId) => ({
      side: l?.side ?? '',
      price: l !== undefined && l.filled > 0 ? avg(l, v).toFixed(core.market(v).priceScale + 2) : '',
      quantity: l === undefined ? '' : formatFixed(l.filled, core.market(v).sizeScale),
      fee: l === undefined ? '' : l.fee.toFixed(6),
      state: l?.state ?? '',
      id: l?.clientOrderId ?? '',
      send: t(l?.sentAt),
      confirm: t(l?.confirmedAt),
    });
    const b = leg(bp, 'backpack');
    const l = leg(lt, 'lighter');
    const one = bp ?? lt;
    this.trades?.append({
      timestamp: isoTimestamp(core.clock.wallMs()),
      direction,
      quantity: kind === 'entry' ? core.settings.strategy.size : one === undefined ? '' : formatFixed(one.requested, core.market(one.venue).sizeScale),
      backpack_side: b.side,
      backpack_price: b.price,
      lighter_side: l.side,
      lighter_price: l.price,
      spread_captured: spread(captured),
      pnl_estimate: gross.toFixed(6),
      backpack_quantity: b.quantity,
      lighter_quantity: l.quantity,
      raw_spread: spread(intent?.rawSpread),
      executable_spread: spread(intent?.executableSpread),
      backpack_fee: b.fee,
      lighter_fee: l.fee,
      net_pnl: netPnl.toFixed(6),
      backpack_state: b.state,
      lighter_state: l.state,
      backpack_send_ms: b.send,
      lighter_send_ms: l.send,
      backpack_confirm_ms: b.confirm,
      lighter_confirm_ms: l.confirm,
      kind,
      backpack_client_id: b.id,
      lighter_client_id: l.id,
      backpack_worst_price: intent === undefined ? '' : formatFixed(intent.backpack.worstPrice, p.backpack.priceScale),
      lighter_worst_price: intent === undefined ? '' : formatFixed(intent.lighter.worstPrice, p.lighter.priceScale),
    });
    const record: TradeRecord = { kind, direction, backpack: bp, lighter: lt, triggeredAt, netPnl };
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** One funding settlement: into the PnL ledger, and a "funding" row in the trades CSV stamped with the settlement's time. */
  funding(p: FundingPayment): void {
    this.pnl?.funding(p.venue, this.core.settings.ticker, p.amount);
    this.trades?.append({
      timestamp: isoTimestamp(p.at),
      direction: `FUNDING_${p.venue.toUpperCase()}`,
      kind: 'funding',
      backpack_funding: p.venue === 'backpack' ? formatUsd(p.amount) : '',
      lighter_funding: p.venue === 'lighter' ? formatUsd(p.amount) : '',
      funding_rate: p.rate,
    });
  }

  /** Values the open inventory on the books as they stand (call it before the venues stop). */
  valuePnl(): void {
    const core = this.core;
    if (this.pnl !== undefined) core.summary.pnl = this.pnl.report(core.position, core.books);
  }

  /** The summary's final figures and its log lines (an error line while exposure is open), the PnL split after it. */
  finishSummary(): RunSummary {
    const core = this.core;
    const s = core.summary;
    const started = core.params !== undefined;
    s.positions = { backpack: started ? core.fmtPos('backpack') : '0', lighter: started ? core.fmtPos('lighter') : '0' };
    const halted = core.halts.summary();
    if (halted !== undefined) s.halted = halted;
    else if (started && !core.isFlat()) s.halted = `net exposure ${formatFixed(core.exposure(), core.params!.sizeScale)} still open at shutdown`;
    const funding = s.funding === undefined ? '' : `; funding ${s.funding.total.startsWith('-') ? '' : '+'}${s.funding.total} (${s.funding.payments} payments)`;
    const line = `summary: ${s.trades} trades, ${s.successes} succeeded, ${s.failures} failed, ${s.repairs} repair orders; estimated PnL ${s.estimatedPnl.toFixed(4)} after ${s.fees.toFixed(4)} fees${funding}; positions Backpack ${s.positions.backpack}, Lighter ${s.positions.lighter}${s.halted ? `; halted: ${s.halted}` : ''}`;
    if (s.halted !== undefined && started && !core.isFlat()) core.log.error(core.text(`${line} — EXPOSURE IS OPEN: flatten it by hand or restart with {allowUnhedgedStart}`));
    else core.log.info(line);
    if (s.pnl !== undefined) for (const l of pnlLines(s.pnl)) core.log.info(`summary: ${l.trim()}`);
    return s;
  }
}
