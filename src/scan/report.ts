// The scan's report for people (a ranked table), and for scripts (JSON, CSV).

import type { DirectionResult } from './analysis.js';
import type { ScanMarketResult, ScanReport } from './run.js';

const num = (v: number | undefined, digits: number): string => (v === undefined ? '-' : v.toFixed(digits));
const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
const usd = (v: number): string => (v >= 1_000_000 ? `${(v / 1_000_000).toFixed(1)}M` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0));

function edges(d: DirectionResult): string {
  if (d.executable === 0) return 'no depth for the notional';
  return d.beat === 0 ? `0% (best ${num(d.bestGrossBps, 1)} gross)` : `${pct(d.beatShare)} ${num(d.p50EdgeBps, 1)}/${num(d.p90EdgeBps, 1)}/${num(d.maxEdgeBps, 1)}`;
}

/** A ranked table: one line per market, best first. */
export function formatTable(r: ScanReport): string {
  const header = [
    '#',
    'market',
    'backpack / lighter',
    'samples',
    'fees rt',
    'long BP: beat p50/p90/max',
    'short BP: beat p50/p90/max',
    'top $ BP bid/ask',
    'top $ LT bid/ask',
    'funding %/yr BP',
    'LT',
    'BP-LT',
    'predicted %/yr BP',
    'LT',
    'BP-LT',
  ];
  const rows = r.markets.map((m, i) => [
    String(i + 1),
    m.asset,
    `${m.backpackSymbol} / ${m.lighterSymbol}${m.lighterContractInBackpack === '1' ? '' : ` (×${m.lighterContractInBackpack})`}`,
    m.failedSamples > 0 ? `${m.samples} (${m.failedSamples} failed)` : String(m.samples),
    `${num(m.roundTripFeeBps, 2)}`,
    edges(m.longBackpack),
    edges(m.shortBackpack),
    `${usd(m.topDepthUsd.backpackBid)}/${usd(m.topDepthUsd.backpackAsk)}`,
    `${usd(m.topDepthUsd.lighterBid)}/${usd(m.topDepthUsd.lighterAsk)}`,
    num(m.funding.backpackAnnualPct, 2),
    num(m.funding.lighterAnnualPct, 2),
    num(m.funding.annualDiffPct, 2),
    num(m.funding.backpackPredictedAnnualPct, 2),
    num(m.funding.lighterPredictedAnnualPct, 2),
    num(m.funding.predictedAnnualDiffPct, 2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  const out = [
    `scan: ${r.markets.length} market(s), ${(r.durationMs / 1000).toFixed(0)} s, one sample per market every ${r.intervalMs} ms or slower, at ${r.notionalUsd} USD; edges in bps after round-trip taker fees`,
    line(header),
    ...rows.map(line),
  ];
  for (const m of r.markets) for (const e of m.errors) out.push(`note: ${m.asset}: ${m.failedSamples} sample(s) failed, e.g. ${e}`);
  for (const x of r.refused) out.push(`refused: ${[x.backpack, x.lighter].filter((s) => s !== undefined).join(' / ')}: ${x.reason}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join('\n');
}

export function formatJson(r: ScanReport): string {
  return JSON.stringify(r, null, 2);
}

export const CSV_COLUMNS = [
  'rank',
  'asset',
  'backpack_symbol',
  'lighter_symbol',
  'lighter_market_id',
  'lighter_contract_in_backpack',
  'samples',
  'failed_samples',
  'backpack_taker_fee_bps',
  'lighter_taker_fee_bps',
  'round_trip_fee_bps',
  'long_bp_beat_share',
  'long_bp_p50_edge_bps',
  'long_bp_p90_edge_bps',
  'long_bp_max_edge_bps',
  'long_bp_best_gross_bps',
  'short_bp_beat_share',
  'short_bp_p50_edge_bps',
  'short_bp_p90_edge_bps',
  'short_bp_max_edge_bps',
  'short_bp_best_gross_bps',
  'top_usd_backpack_bid',
  'top_usd_backpack_ask',
  'top_usd_lighter_bid',
  'top_usd_lighter_ask',
  'backpack_funding_rate',
  'backpack_funding_interval_h',
  'backpack_funding_annual_pct',
  'lighter_funding_rate',
  'lighter_funding_period_h',
  'lighter_funding_annual_pct',
  'funding_annual_diff_pct',
  'backpack_predicted_rate',
  'backpack_predicted_annual_pct',
  'lighter_predicted_rate',
  'lighter_predicted_period_h',
  'lighter_predicted_annual_pct',
  'predicted_annual_diff_pct',
] as const;

function csvRow(m: ScanMarketResult, rank: number): string {
  const v = (x: number | string | undefined) => (x === undefined ? '' : String(x));
  const dir = (d: DirectionResult) => [d.beatShare, d.p50EdgeBps, d.p90EdgeBps, d.maxEdgeBps, d.bestGrossBps].map(v);
  return [
    rank,
    m.asset,
    m.backpackSymbol,
    m.lighterSymbol,
    m.lighterMarketId,
    m.lighterContractInBackpack,
    m.samples,
    m.failedSamples,
    m.backpackTakerFeeBps,
    m.lighterTakerFeeBps,
    m.roundTripFeeBps,
    ...dir(m.longBackpack),
    ...dir(m.shortBackpack),
    m.topDepthUsd.backpackBid,
    m.topDepthUsd.backpackAsk,
    m.topDepthUsd.lighterBid,
    m.topDepthUsd.lighterAsk,
    m.funding.backpackRate,
    m.funding.backpackIntervalHours,
    m.funding.backpackAnnualPct,
    m.funding.lighterRate,
    m.funding.lighterRatePeriodHours,
    m.funding.lighterAnnualPct,
    m.funding.annualDiffPct,
    m.funding.backpackPredictedRate,
    m.funding.backpackPredictedAnnualPct,
    m.funding.lighterPredictedRate,
    m.funding.lighterPredictedPeriodHours,
    m.funding.lighterPredictedAnnualPct,
    m.funding.predictedAnnualDiffPct,
  ]
    .map((x) => v(x))
    .join(',');
}

/** One header line and one line per market, ranked; symbols never hold commas or quotes, so nothing is quoted. */
export function formatCsv(r: ScanReport): string {
  return [CSV_COLUMNS.join(','), ...r.markets.map((m, i) => csvRow(m, i + 1))].join('\n');
}
