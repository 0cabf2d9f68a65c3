// The console status line: one line every --status-interval seconds with both books' tops and
// ages, both executable spreads against their thresholds and the fee line, positions and net,
// trades and failures, PnL split into the spread captured, fees and funding, and any halt or pause
// with its cause.

import type { EngineSnapshot } from '../engine/index.js';

function px(x: number | undefined, digits: number): string {
  return x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

function age(ms: number): string {
  if (!Number.isFinite(ms)) return 'no book';
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

function signed(x: number, digits: number): string {
  return `${x > 0 ? '+' : ''}${x.toFixed(digits)}`;
}

/** One line, no newline. Prices at 2 decimals (quote), sizes as the snapshot gives them. */
export function statusLine(s: EngineSnapshot): string {
  const b = s.books.backpack;
  const l = s.books.lighter;
  const parts = [
    `${s.ticker} ${s.phase}`,
    `BP ${px(b.bid, 2)}/${px(b.ask, 2)} ${age(b.ageMs)}${b.valid ? '' : ' INVALID'}`,
    `LT ${px(l.bid, 2)}/${px(l.ask, 2)} ${age(l.ageMs)}${l.valid ? '' : ' INVALID'}`,
  ];
  if (s.spreads !== undefined && s.thresholds !== undefined) {
    parts.push(`long ${px(s.spreads.executableLong, 2)}/${s.thresholds.long} short ${px(s.spreads.executableShort, 2)}/${s.thresholds.short} fees ${px(s.feePerUnit, 2)}`);
  }
  parts.push(`pos BP ${signed(s.positions.backpack, 6)} LT ${signed(s.positions.lighter, 6)} net ${signed(s.net, 6)}`);
  parts.push(`trades ${s.summary.trades} (${s.summary.failures} failed)`);
  parts.push(pnlPart(s));
  if (s.paused !== undefined) parts.push(`PAUSED (${s.paused})`);
  for (const h of s.halts) parts.push(`HALTED ${h.kind}: ${h.text}`);
  return parts.join(' | ');
}

/**
 * PnL = spread captured − fees + funding. The fees are those of the rows the estimate was made on
 * (spread captured − estimated PnL), so the three always add up to the figure shown; funding is the
 * venues' own payments, summed over every market (the summary keeps them per market).
 */
function pnlPart(s: EngineSnapshot): string {
  return pnlText(pnlOf(s));
}

interface PnlParts {
  estimated: number;
  spread: number;
  funding: number;
}

function pnlOf(s: EngineSnapshot): PnlParts {
  return { estimated: s.summary.estimatedPnl, spread: s.summary.spreadCaptured ?? 0, funding: s.summary.funding?.totalUsd ?? 0 };
}

function pnlText(p: PnlParts): string {
  return `PnL ${signed(p.estimated + p.funding, 4)} = spread ${signed(p.spread, 4)} fees ${signed(-(p.spread - p.estimated), 4)} funding ${signed(p.funding, 4)}`;
}

/** One line per market (each market's engine), and with several a last line of their totals. */
export function statusLines(snaps: readonly EngineSnapshot[]): string[] {
  const lines = snaps.map(statusLine);
  if (snaps.length < 2) return lines;
  const total = { estimated: 0, spread: 0, funding: 0 };
  let trades = 0;
  let failures = 0;
  for (const s of snaps) {
    const p = pnlOf(s);
    total.estimated += p.estimated;
    total.spread += p.spread;
    total.funding += p.funding;
    trades += s.summary.trades;
    failures += s.summary.failures;
  }
  const halted = snaps.filter((s) => s.halts.length > 0).map((s) => s.ticker);
  const parts = [`TOTAL ${snaps.length} markets`, `trades ${trades} (${failures} failed)`, pnlText(total)];
  if (halted.length > 0) parts.push(`HALTED in ${halted.join(', ')}`);
  lines.push(parts.join(' | '));
  return lines;
}

export interface StatusLineOptions {
  intervalMs: number;
  /** Print even when stdout is not a terminal. */
  always: boolean;
  isTTY: boolean;
  write: (line: string) => void;
  /** Every market's snapshot, in the order of the markets. */
  snapshots: () => EngineSnapshot[];
}

/** The periodic printer; returns a stop function. Off when the interval is 0 or stdout is not a terminal (unless asked). */
export function startStatusLine(o: StatusLineOptions): () => void {
  if (o.intervalMs <= 0 || (!o.isTTY && !o.always)) return () => undefined;
  const timer = setInterval(() => o.write(statusLines(o.snapshots()).join('\n') + '\n'), o.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
