// report.html: one self-contained page (uPlot's script and style are read from node_modules at
// generation time and inlined, the data is inlined as JSON; nothing is fetched when it opens).
// From the backtest's own trades CSV (the same file a live run writes) and its spread samples:
// the spreads over time against both thresholds and the fee line with every trade marked; the
// cumulative PnL split into the spread expected at the decision, slippage (edge lost between the
// decision and the fills) and fees; positions on both venues; the distribution of opportunities by
// edge beyond the fees; the edge lost per trade; and, for a sweep, a table ranked by PnL and a
// heatmap over two parameters.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BacktestResult } from './run.js';

export interface SweepRow {
  /** The swept flags' values for this configuration, by flag name. */
  params: Record<string, string>;
  pnl: number;
  trades: number;
  winRate: number;
  maxDrawdown: number;
  fees: number;
}

export interface ReportInput {
  title: string;
  result: Pick<BacktestResult, 'summary' | 'latency' | 'takerFeeBps' | 'spreads' | 'firstWallMs' | 'lastWallMs' | 'events' | 'header'>;
  /** The trades CSV's text. */
  tradesCsv: string;
  thresholds: { long: number; short: number };
  /** The flags the run was given, shown as they were typed. */
  flags: string;
  sweep?: SweepRow[];
}

interface TradeRow {
  t: number;
  direction: string;
  kind: string;
  expected: number;
  captured: number;
  qty: number;
  fees: number;
  gross: number;
  raw: number;
  bp: number;
  lt: number;
}

/** Parses our own CSV (no field holds a comma or a quote). */
export function parseCsv(text: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = lines[0]?.split(',') ?? [];
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
}

function tradeRows(csv: string): TradeRow[] {
  const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));
  return parseCsv(csv).map((r) => {
    const bq = num(r.backpack_quantity) || 0;
    const lq = num(r.lighter_quantity) || 0;
    const sign = (side: string | undefined) => (side === 'buy' ? 1 : side === 'sell' ? -1 : 0);
    const matched = r.kind === 'entry' ? Math.min(bq, lq) : 0;
    return {
      t: Date.parse(r.timestamp!) / 1000,
      direction: r.direction ?? '',
      kind: r.kind ?? '',
      expected: num(r.executable_spread),
      captured: num(r.spread_captured),
      qty: matched,
      fees: (num(r.backpack_fee) || 0) + (num(r.lighter_fee) || 0),
      gross: num(r.pnl_estimate) || 0,
      raw: num(r.raw_spread),
      bp: sign(r.backpack_side) * bq,
      lt: sign(r.lighter_side) * lq,
    };
  });
}

/** The figures a sweep ranks by, from one run's trades CSV. */
export function runFigures(csv: string): Omit<SweepRow, 'params'> {
  const rows = tradeRows(csv);
  let pnl = 0;
  let peak = 0;
  let maxDrawdown = 0;
  let fees = 0;
  let wins = 0;
  let entries = 0;
  for (const r of rows) {
    const net = r.gross - r.fees;
    pnl += net;
    fees += r.fees;
    peak = Math.max(peak, pnl);
    maxDrawdown = Math.max(maxDrawdown, peak - pnl);
    if (r.kind === 'entry') {
      entries++;
      if (net > 0) wins++;
    }
  }
  return { pnl, trades: entries, winRate: entries === 0 ? 0 : wins / entries, maxDrawdown, fees };
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that can sit inside a <script> element. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dist = (f: string) => require.resolve(`uplot/dist/${f}`);
  return { js: readFileSync(dist('uPlot.iife.min.js'), 'utf8'), css: readFileSync(dist('uPlot.min.css'), 'utf8') };
}

export function renderReport(input: ReportInput): string {
  const { result } = input;
  const rows = tradeRows(input.tradesCsv);
  const feeLine = Number.isFinite(result.spreads.mid) ? (result.spreads.mid * (result.takerFeeBps.backpack + result.takerFeeBps.lighter)) / 10_000 : 0;
  // Cumulative PnL split, one point per trade row.
  let spread = 0,
    slip = 0,
    fees = 0,
    bp = 0,
    lt = 0;
  const pnl = { t: [] as number[], net: [] as number[], spread: [] as number[], slippage: [] as number[], fees: [] as number[] };
  const pos = { t: [] as number[], bp: [] as number[], lt: [] as number[] };
  const lost = { i: [] as number[], lost: [] as number[] };
  // Both time charts span the whole recording: flat from its start, held to its end.
  const first = result.firstWallMs / 1000;
  const last = result.lastWallMs / 1000;
  if (Number.isFinite(first) && (rows.length === 0 || first < rows[0]!.t)) {
    pnl.t.push(first);
    for (const k of ['net', 'spread', 'slippage', 'fees'] as const) pnl[k].push(0);
    pos.t.push(first);
    pos.bp.push(0);
    pos.lt.push(0);
  }
  for (const r of rows) {
    const expected = Number.isFinite(r.expected) ? r.expected * r.qty : r.gross;
    spread += expected;
    slip += r.gross - expected;
    fees += r.fees;
    pnl.t.push(r.t);
    pnl.spread.push(spread);
    pnl.slippage.push(slip);
    pnl.fees.push(-fees);
    pnl.net.push(spread + slip - fees);
    bp += r.bp;
    lt += r.lt;
    pos.t.push(r.t);
    pos.bp.push(bp);
    pos.lt.push(lt);
    if (r.kind === 'entry' && Number.isFinite(r.expected) && Number.isFinite(r.captured)) {
      lost.i.push(lost.i.length + 1);
      lost.lost.push(r.expected - r.captured);
    }
  }
  if (Number.isFinite(last) && pnl.t.length > 0 && last > pnl.t[pnl.t.length - 1]!) {
    pnl.t.push(last);
    for (const k of ['net', 'spread', 'slippage', 'fees'] as const) pnl[k].push(pnl[k][pnl[k].length - 1]!);
    pos.t.push(last);
    pos.bp.push(bp);
    pos.lt.push(lt);
  }
  // Opportunities by edge beyond the fees (USD per unit), from the spread samples.
  const edges: number[] = [];
  for (let i = 0; i < result.spreads.t.length; i++) {
    const best =
      Math.max(result.spreads.long[i]! - input.thresholds.long, result.spreads.short[i]! - input.thresholds.short) >= 0
        ? Math.max(result.spreads.long[i]!, result.spreads.short[i]!) - feeLine
        : -1;
    if (best > 0) edges.push(best);
  }
  const width = Math.max(0.5, Math.ceil((Math.max(1, ...edges) / 12) * 2) / 2);
  const bins = Math.max(1, Math.ceil(Math.max(0, ...edges) / width));
  const hist = { x: [...Array(bins).keys()].map((b) => (b + 0.5) * width), n: new Array<number>(bins).fill(0) };
  for (const e of edges) hist.n[Math.min(bins - 1, Math.floor(e / width))]!++;
  // Trade markers on the spread chart: at the row's time, the raw spread the decision saw.
  const s = result.spreads;
  const markT = rows.filter((r) => r.kind === 'entry' && Number.isFinite(r.raw));
  const spreadT = [...s.t];
  const longM: (number | null)[] = s.t.map(() => null);
  const shortM: (number | null)[] = s.t.map(() => null);
  type Point = { t: number; long: number | null; short: number | null; lm: number | null; sm: number | null };
  const merged: Point[] = spreadT.map((t, i) => ({ t, long: s.long[i]!, short: s.short[i]!, lm: longM[i]!, sm: shortM[i]! }));
  for (const r of markT) merged.push({ t: r.t, long: null, short: null, lm: r.direction === 'LONG_BACKPACK' ? r.raw : null, sm: r.direction === 'SHORT_BACKPACK' ? r.raw : null });
  merged.sort((a, b) => a.t - b.t);
  const data = {
    spreads: [
      merged.map((m) => m.t),
      merged.map((m) => m.long),
      merged.map((m) => m.short),
      merged.map(() => input.thresholds.long),
      merged.map(() => input.thresholds.short),
      merged.map(() => feeLine),
      merged.map((m) => m.lm),
      merged.map((m) => m.sm),
    ],
    pnl: [pnl.t, pnl.net, pnl.spread, pnl.slippage, pnl.fees],
    positions: [pos.t, pos.bp, pos.lt],
    hist: [hist.x, hist.n],
    lost: [lost.i, lost.lost],
  };
  const sum = result.summary;
  const totalLost = lost.lost.reduce((a, b) => a + b, 0);
  const fmt = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const iso = (ms: number) =>
    Number.isFinite(ms)
      ? new Date(ms)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' UTC')
      : '–';
  const facts: Array<[string, string]> = [
    [
      'recording',
      `${iso(result.firstWallMs)} → ${iso(result.lastWallMs)} · ${result.events.toLocaleString('en-US')} events · ${esc(result.header.mode)} · bot ${esc(result.header.version)}`,
    ],
    ['flags', esc(input.flags)],
    ['trades', `${sum.trades} (${sum.successes} both legs filled, ${sum.failures} failed) · ${sum.repairs} repair orders`],
    ['net PnL', `${fmt(sum.estimatedPnl)} after ${fmt(sum.fees)} fees`],
    ['edge lost to the fills', `${fmt(totalLost)} per unit summed over ${lost.i.length} entries (decision's executable spread − spread captured)`],
    ['positions at the end', `Backpack ${esc(sum.positions.backpack)}, Lighter ${esc(sum.positions.lighter)}`],
    [
      'execution model',
      `latency Backpack ${fmt(result.latency.backpack.arrivalMs, 1)} ms in / ${fmt(result.latency.backpack.replyMs, 1)} ms back, Lighter ${fmt(result.latency.lighter.arrivalMs, 1)} / ${fmt(result.latency.lighter.replyMs, 1)} ms; taker fees Backpack ${result.takerFeeBps.backpack} bps, Lighter ${result.takerFeeBps.lighter} bps; fee line ${fmt(feeLine, 2)} per unit`,
    ],
  ];
  const sweepHtml = input.sweep === undefined ? '' : renderSweep(input.sweep);
  const { js, css } = uplotAssets();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<style>${css}</style>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:28px 0 6px}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
th{font-weight:600;color:#4a5468}.num{text-align:right;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:8px 28px}
.note{color:#5b6478;font-size:12px;margin:2px 0 6px}
</style></head><body>
<h1>${esc(input.title)}</h1>
<table>${facts.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>
<h2>Spreads against the thresholds and the fee line</h2><p class="note">Widest raw spread per ${250} ms sample; dots are trades at the spread their decision saw.</p><div id="c-spreads"></div>
<div class="grid">
<div><h2>Cumulative PnL</h2><p class="note">Net = spread expected at the decision + slippage (edge lost to the fills) − fees.</p><div id="c-pnl"></div></div>
<div><h2>Positions</h2><p class="note">Signed position on each venue after each trade row.</p><div id="c-positions"></div></div>
<div><h2>Opportunities by edge beyond the fees</h2><p class="note">Samples whose spread beat its threshold, by how far it beat the fee line (per unit).</p><div id="c-hist"></div></div>
<div><h2>Edge lost between decision and fills</h2><p class="note">Per entry: executable spread at the decision − spread captured (per unit).</p><div id="c-lost"></div></div>
</div>
${sweepHtml}
<script>${js}</script>
<script id="report-data" type="application/json">${inlineJson(data)}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var W = Math.max(520, Math.min(1180, window.innerWidth - 60));
  var half = Math.max(520, Math.floor((W - 40) / 2));
  var made = 0;
  function plot(id, opts, data) {
    if (!data[0] || data[0].length === 0) { document.getElementById(id).textContent = 'no data'; return; }
    new uPlot(opts, data, document.getElementById(id)); made++;
  }
  var dots = function (c) { return { stroke: c, fill: c, width: 0, paths: function () { return null; }, points: { show: true, size: 8, stroke: c, fill: c } }; };
  plot('c-spreads', { width: W, height: 300, series: [{}, { label: 'long (Lighter bid − Backpack ask)', stroke: '#2c7be5', spanGaps: true }, { label: 'short (Backpack bid − Lighter ask)', stroke: '#e5572c', spanGaps: true }, { label: 'long threshold', stroke: '#2c7be5', dash: [6, 4] }, { label: 'short threshold', stroke: '#e5572c', dash: [6, 4] }, { label: 'fee line', stroke: '#111', dash: [2, 3] }, Object.assign({ label: 'LONG_BACKPACK trade' }, dots('#0b3d91')), Object.assign({ label: 'SHORT_BACKPACK trade' }, dots('#8a1c00'))], spanGaps: false }, d.spreads);
  plot('c-pnl', { width: half, height: 260, series: [{}, { label: 'net', stroke: '#111', width: 2 }, { label: 'spread expected', stroke: '#2ca02c' }, { label: 'slippage', stroke: '#d62728' }, { label: 'fees', stroke: '#9467bd' }] }, d.pnl);
  var step = uPlot.paths.stepped({ align: 1 });
  plot('c-positions', { width: half, height: 260, series: [{}, { label: 'Backpack', stroke: '#2c7be5', paths: step }, { label: 'Lighter', stroke: '#e5572c', paths: step }] }, d.positions);
  var bars = uPlot.paths.bars({ size: [0.9, 60] });
  var zero = { range: function (u, min, max) { return [Math.min(0, min), Math.max(1, max)]; } };
  plot('c-hist', { width: half, height: 240, scales: { x: { time: false }, y: zero }, series: [{ label: 'edge' }, { label: 'samples', stroke: '#2c7be5', fill: 'rgba(44,123,229,0.35)', paths: bars, points: { show: false } }] }, d.hist);
  plot('c-lost', { width: half, height: 240, scales: { x: { time: false }, y: zero }, series: [{ label: 'entry #' }, { label: 'edge lost', stroke: '#d62728', fill: 'rgba(214,39,40,0.3)', paths: bars, points: { show: false } }] }, d.lost);
  document.body.setAttribute('data-charts', String(made));
})();
</script>
</body></html>
`;
}

function renderSweep(rows: SweepRow[]): string {
  const ranked = [...rows].sort((a, b) => b.pnl - a.pnl);
  const names = Object.keys(rows[0]?.params ?? {});
  const table = `<h2>Sweep: ${rows.length} configurations ranked by PnL</h2>
<table class="sweep"><tr><th>#</th>${names.map((n) => `<th>--${esc(n)}</th>`).join('')}<th class="num">PnL</th><th class="num">trades</th><th class="num">win rate</th><th class="num">max drawdown</th><th class="num">fees</th></tr>
${ranked.map((r, i) => `<tr><td>${i + 1}</td>${names.map((n) => `<td>${esc(r.params[n]!)}</td>`).join('')}<td class="num">${r.pnl.toFixed(4)}</td><td class="num">${r.trades}</td><td class="num">${(r.winRate * 100).toFixed(1)}%</td><td class="num">${r.maxDrawdown.toFixed(4)}</td><td class="num">${r.fees.toFixed(4)}</td></tr>`).join('\n')}
</table>`;
  if (names.length !== 2) return table;
  const [a, b] = names as [string, string];
  const uniq = (n: string) => [...new Set(rows.map((r) => r.params[n]!))].sort((x, y) => Number(x) - Number(y));
  const xs = uniq(a);
  const ys = uniq(b);
  const lo = Math.min(...rows.map((r) => r.pnl));
  const hi = Math.max(...rows.map((r) => r.pnl));
  const color = (v: number) => {
    // Red below zero, green above, white at zero; intensity by distance from zero.
    const f = v >= 0 ? (hi > 0 ? v / hi : 0) : lo < 0 ? v / lo : 0;
    const k = Math.round(255 - 150 * f);
    return v >= 0 ? `rgb(${k},255,${k})` : `rgb(255,${k},${k})`;
  };
  const cell = (x: string, y: string) => {
    const r = rows.find((q) => q.params[a] === x && q.params[b] === y);
    return r === undefined ? '<td></td>' : `<td class="num" style="background:${color(r.pnl)}">${r.pnl.toFixed(2)}</td>`;
  };
  return `${table}
<h2>PnL heatmap: --${esc(a)} across, --${esc(b)} down</h2>
<table class="heat"><tr><th></th>${xs.map((x) => `<th>${esc(x)}</th>`).join('')}</tr>
${ys.map((y) => `<tr><th>${esc(y)}</th>${xs.map((x) => cell(x, y)).join('')}</tr>`).join('\n')}</table>`;
}
