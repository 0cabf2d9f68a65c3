// The dashboard: one static page, no build step. Charts by uPlot (MIT, served from node_modules by
// the bot itself, so the page works offline). Updates arrive as server-sent events; the browser's
// EventSource reconnects on its own when the bot restarts. The control token is typed in by the
// person and kept in this tab's sessionStorage only; the server never sends it.

import { HISTORY, LOG_TAIL, TRADES } from './hub.js';

export function dashboardPage(): string {
  return PAGE.replace('__HISTORY__', String(HISTORY)).replace('__TRADES__', String(TRADES)).replace('__LOG_TAIL__', String(LOG_TAIL));
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>backpack-lighter-arb</title>
<link rel="stylesheet" href="/assets/uplot.css">
<style>
  :root { color-scheme: dark; --bg:#111418; --panel:#1a1f26; --fg:#dde3ea; --dim:#8a96a3; --long:#4fc3f7; --short:#ffb74d; --bad:#ef5350; --good:#66bb6a; }
  * { box-sizing: border-box; }
  body { margin:0; font:13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background:var(--bg); color:var(--fg); }
  header { display:flex; gap:16px; align-items:center; padding:8px 14px; background:var(--panel); border-bottom:1px solid #2a323c; flex-wrap:wrap; }
  header h1 { font-size:15px; margin:0; }
  #conn { color:var(--dim); } #conn.live { color:var(--good); } #conn.lost { color:var(--bad); }
  #banner { display:none; padding:8px 14px; background:var(--bad); color:#fff; font-weight:bold; }
  #banner.paused { background:#8d6e00; }
  main { display:grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap:10px; padding:10px; }
  section { background:var(--panel); border-radius:6px; padding:10px; min-width:0; }
  h2 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0 0 8px; }
  table { border-collapse:collapse; width:100%; } td, th { padding:2px 6px; text-align:right; white-space:nowrap; } th { color:var(--dim); font-weight:normal; } td:first-child, th:first-child { text-align:left; }
  .num { font-variant-numeric: tabular-nums; }
  #log { height:250px; overflow:auto; white-space:pre-wrap; font-size:11px; color:var(--dim); }
  #log .WARN { color:var(--short); } #log .ERROR { color:var(--bad); }
  .controls { display:flex; gap:6px; flex-wrap:wrap; align-items:center; }
  button { background:#2a323c; color:var(--fg); border:1px solid #3a4450; border-radius:4px; padding:4px 10px; cursor:pointer; font:inherit; }
  button.danger { border-color:var(--bad); color:var(--bad); }
  input { background:#0d1014; color:var(--fg); border:1px solid #3a4450; border-radius:4px; padding:4px 6px; font:inherit; width:16em; }
  #latency { display:grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap:6px 14px; align-items:start; }
  #latency table { width:100%; table-layout:fixed; } #latency table td, #latency table th { padding:1px 3px; font-size:11px; text-align:left; overflow:hidden; }
  #latency table td:first-child { width:5.5em; } #latency table th { white-space:normal; }
  .bar { display:inline-block; height:10px; background:var(--long); vertical-align:middle; }
  #result { color:var(--dim); }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
</style></head>
<body>
<header>
  <h1 id="title">backpack-lighter-arb</h1><span id="phase">—</span><span id="conn">connecting…</span>
  <span>PnL <b id="pnl" class="num">—</b></span><span>trades <b id="trades-count" class="num">—</b> (<span id="failures" class="num">—</span> failed)</span>
</header>
<div id="banner"></div>
<main>
  <section><h2>Executable spreads vs thresholds (trades marked)</h2><div id="spreads-chart"></div></section>
  <section><h2>Books</h2>
    <table><tr><th></th><th>bid</th><th>ask</th><th>age</th></tr>
      <tr><td>Backpack</td><td id="bp-bid" class="num">—</td><td id="bp-ask" class="num">—</td><td id="bp-age" class="num">—</td></tr>
      <tr><td>Lighter</td><td id="lt-bid" class="num">—</td><td id="lt-ask" class="num">—</td><td id="lt-age" class="num">—</td></tr>
    </table>
    <h2 style="margin-top:12px">Spreads</h2>
    <table><tr><th></th><th>executable</th><th>threshold</th></tr>
      <tr><td>long BP</td><td id="sp-long" class="num">—</td><td id="th-long" class="num">—</td></tr>
      <tr><td>short BP</td><td id="sp-short" class="num">—</td><td id="th-short" class="num">—</td></tr>
      <tr><td>fees / unit</td><td id="fee" class="num">—</td><td></td></tr>
    </table>
    <h2 style="margin-top:12px">Positions</h2>
    <table><tr><td>Backpack</td><td id="pos-bp" class="num">—</td></tr><tr><td>Lighter</td><td id="pos-lt" class="num">—</td></tr><tr><td>net exposure</td><td id="net" class="num">—</td></tr></table>
    <h2 style="margin-top:12px">Controls</h2>
    <div class="controls"><input id="token" type="password" placeholder="control token" autocomplete="off">
      <button id="pause">Pause entries</button><button id="resume">Resume</button><button id="flatten" class="danger">Flatten both</button><span style="color:var(--dim)">(every market)</span></div>
    <div id="result"></div>
  </section>
  <section id="markets-section" style="grid-column: 1 / -1; display:none"><h2>Markets</h2><table id="markets"><thead><tr><th>market</th><th>phase</th><th>PnL</th><th>trades</th><th>failed</th><th>Backpack</th><th>Lighter</th><th>net</th><th>halted</th></tr></thead><tbody></tbody></table></section>
  <section><h2>PnL after fees</h2><div id="pnl-chart"></div></section>
  <section><h2>Log</h2><div id="log"></div></section>
  <section style="grid-column: 1 / -1"><h2>Latest trades</h2><table id="trades"><thead><tr><th>time</th><th>market</th><th>kind</th><th>direction</th><th>Backpack</th><th>Lighter</th><th>net</th></tr></thead><tbody></tbody></table></section>
  <section style="grid-column: 1 / -1"><h2>Leg latency (count per bucket)</h2><div id="latency"></div></section>
</main>
<script src="/assets/uplot.js"></script>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (x, d) => (x === undefined || x === null || !Number.isFinite(x)) ? '—' : x.toFixed(d);
const age = (ms) => (ms === null || ms === undefined || !Number.isFinite(ms)) ? 'no book' : ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s';
$('token').value = sessionStorage.getItem('arb-token') || '';
$('token').addEventListener('change', () => { sessionStorage.setItem('arb-token', $('token').value); connect(); });
let spreadsChart, pnlChart;
// The page's own copies of the histories: replaced by a full update, extended by the others.
const kept = { spreads: [], trades: [], log: [] };
const LIMITS = { spreads: __HISTORY__, trades: __TRADES__, log: __LOG_TAIL__ };
function merge(u) {
  for (const k of ['spreads', 'trades', 'log']) {
    kept[k] = u.full ? u[k].slice() : kept[k].concat(u[k]);
    if (kept[k].length > LIMITS[k]) kept[k] = kept[k].slice(-LIMITS[k]);
  }
  return { ...u, spreads: kept.spreads, trades: kept.trades, log: kept.log };
}
function width(el) { return Math.max(300, el.clientWidth - 4); }
function ensureCharts() {
  if (spreadsChart) return;
  const t = { time: true };
  spreadsChart = new uPlot({ width: width($('spreads-chart')), height: 260, scales: { x: t },
    series: [{}, { label: 'long', stroke: '#4fc3f7' }, { label: 'short', stroke: '#ffb74d' },
      { label: 'long threshold', stroke: '#4fc3f7', dash: [6, 4] }, { label: 'short threshold', stroke: '#ffb74d', dash: [6, 4] },
      { label: 'trade', stroke: '#66bb6a', width: 0, points: { show: true, size: 9, fill: '#66bb6a' } }] },
    [[], [], [], [], [], []], $('spreads-chart'));
  pnlChart = new uPlot({ width: width($('pnl-chart')), height: 200, scales: { x: t }, series: [{}, { label: 'PnL', stroke: '#66bb6a', fill: 'rgba(102,187,106,.12)' }] }, [[], []], $('pnl-chart'));
}
function render(u) {
  const s = u.snapshot;
  const many = u.markets.length > 1;
  // With several markets the header gives their total; the charts, books and controls are the first market's.
  $('title').textContent = 'backpack-lighter-arb · ' + (many ? u.markets.map((m) => m.ticker).join(', ') : s.ticker);
  $('phase').textContent = s.phase;
  $('pnl').textContent = fmt(many ? u.total.pnl : s.summary.estimatedPnl, 4);
  $('trades-count').textContent = String(many ? u.total.trades : s.summary.trades);
  $('failures').textContent = String(many ? u.total.failures : s.summary.failures);
  $('markets-section').style.display = many ? '' : 'none';
  const mbody = $('markets').tBodies[0];
  mbody.innerHTML = '';
  const mrow = (cells, cls) => { const r = mbody.insertRow(); if (cls) r.className = cls; for (const v of cells) r.insertCell().textContent = v; };
  for (const m of u.markets) mrow([m.ticker, m.phase, fmt(m.pnl, 4), String(m.trades), String(m.failures), fmt(m.positions.backpack, 6), fmt(m.positions.lighter, 6), fmt(m.net, 6), m.halted.join('; ') || '—'], 'market');
  mrow(['total', '', fmt(u.total.pnl, 4), String(u.total.trades), String(u.total.failures), '', '', '', ''], 'total');
  $('bp-bid').textContent = fmt(s.books.backpack.bid, 2); $('bp-ask').textContent = fmt(s.books.backpack.ask, 2); $('bp-age').textContent = age(s.books.backpack.ageMs);
  $('lt-bid').textContent = fmt(s.books.lighter.bid, 2); $('lt-ask').textContent = fmt(s.books.lighter.ask, 2); $('lt-age').textContent = age(s.books.lighter.ageMs);
  const sp = s.spreads || {}, th = s.thresholds || {};
  $('sp-long').textContent = fmt(sp.executableLong, 2); $('sp-short').textContent = fmt(sp.executableShort, 2);
  $('th-long').textContent = fmt(th.long, 2); $('th-short').textContent = fmt(th.short, 2); $('fee').textContent = fmt(s.feePerUnit, 2);
  $('pos-bp').textContent = fmt(s.positions.backpack, 6); $('pos-lt').textContent = fmt(s.positions.lighter, 6); $('net').textContent = fmt(s.net, 6);
  const banner = $('banner');
  const lines = s.halts.map((h) => 'ENTRIES HALTED (' + h.kind + '): ' + h.text);
  if (s.paused) lines.push('ENTRIES PAUSED: ' + s.paused);
  banner.textContent = lines.join(' · ');
  banner.style.display = lines.length ? 'block' : 'none';
  banner.className = s.halts.length === 0 && s.paused ? 'paused' : '';
  ensureCharts();
  const xs = u.spreads.map((p) => p.t / 1000);
  const tradeAt = new Map();
  for (const tr of u.trades) if (tr.kind === 'entry') tradeAt.set(Math.round(tr.at / 1000), tr.direction);
  const marks = u.spreads.map((p) => { const d = tradeAt.get(Math.round(p.t / 1000)); return d === undefined ? null : d === 'LONG_BACKPACK' ? (p.long ?? null) : (p.short ?? null); });
  spreadsChart.setData([xs, u.spreads.map((p) => p.long ?? null), u.spreads.map((p) => p.short ?? null), xs.map(() => th.long ?? null), xs.map(() => th.short ?? null), marks]);
  pnlChart.setData([xs, u.spreads.map((p) => p.pnl)]);
  const lat = $('latency');
  const keys = Object.keys(u.latency).sort();
  lat.innerHTML = keys.length === 0 ? '<span style="color:var(--dim)">no legs yet</span>' : '';
  for (const k of keys) {
    const counts = u.latency[k], max = Math.max(1, ...counts);
    const rows = counts.map((c, i) => c === 0 ? '' : '<tr><td>≤ ' + (i < u.latencyBuckets.length ? (u.latencyBuckets[i] * 1000) + ' ms' : '∞') + '</td><td><span class="bar" style="width:' + Math.round(70 * c / max) + '%"></span> ' + c + '</td></tr>').join('');
    lat.insertAdjacentHTML('beforeend', '<table data-key="' + k + '"><tr><th colspan="2">' + k + '</th></tr>' + rows + '</table>');
  }
  const body = $('trades').tBodies[0];
  body.innerHTML = '';
  for (const tr of u.trades.slice().reverse().slice(0, 12)) {
    const leg = (l) => l ? l.side + ' ' + fmt(l.filled, 6) + ' @ ' + fmt(l.price, 2) + ' ' + l.state : '';
    const row = body.insertRow();
    for (const v of [new Date(tr.at).toISOString().slice(11, 19), tr.market, tr.kind, tr.direction, leg(tr.backpack), leg(tr.lighter), fmt(tr.netPnl, 4)]) row.insertCell().textContent = v;
  }
  const log = $('log');
  const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  log.innerHTML = '';
  for (const line of u.log) { const d = document.createElement('div'); const lvl = line.split(' ')[1]; d.className = lvl; d.textContent = line; log.appendChild(d); }
  if (atEnd) log.scrollTop = log.scrollHeight;
  document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
}
let es;
function connect() {
  if (es) es.close();
  const token = $('token').value;
  // Needed only when the dashboard listens beyond loopback; harmless otherwise.
  es = new EventSource('/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
  es.addEventListener('open', () => { $('conn').textContent = 'live'; $('conn').className = 'live'; });
  es.addEventListener('error', () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'lost'; });
  es.addEventListener('update', (e) => render(merge(JSON.parse(e.data))));
}
async function control(name) {
  const token = $('token').value;
  sessionStorage.setItem('arb-token', token);
  $('result').textContent = name + '…';
  try {
    const res = await fetch('/api/' + name, { method: 'POST', headers: { authorization: 'Bearer ' + token } });
    const body = await res.json();
    const one = (r) => r.lines.join('; ') + ' → Backpack ' + r.positions.backpack + ', Lighter ' + r.positions.lighter + (r.flat ? ' (flat)' : ' (NOT FLAT)');
    // Several markets: each market's outcome, named.
    $('result').textContent = res.ok || body.markets ? name + ': ' + (body.markets ? body.markets.map((m) => m.ticker + ': ' + one(m)).join(' | ') : body.lines ? one(body) : 'done') : name + ' refused: ' + body.error;
  } catch (e) { $('result').textContent = name + ' failed: ' + e; }
}
$('pause').addEventListener('click', () => control('pause'));
$('resume').addEventListener('click', () => control('resume'));
$('flatten').addEventListener('click', () => { if (confirm('Flatten both venues with reduce-only orders? Entries stay paused.')) control('flatten'); });
window.addEventListener('resize', () => { if (spreadsChart) { spreadsChart.setSize({ width: width($('spreads-chart')), height: 260 }); pnlChart.setSize({ width: width($('pnl-chart')), height: 200 }); } });
connect();
</script>
</body></html>
`;
