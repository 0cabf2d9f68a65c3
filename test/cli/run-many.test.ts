// The parts of a run of several markets that need no venue: which pairs the engine refuses, the
// run log's name, and the summary of each market and the total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combinedName, manySummaryText, pairRefusal, totalLines } from '../../src/cli/run-many.js';
import type { RunSummary } from '../../src/engine/index.js';
import { buildSymbolMap, readBackpackMarkets, readLighterMarkets, selectPairs } from '../../src/markets/symbols.js';

const bp = (symbol: string, tick: string, step: string) => ({
  symbol,
  marketType: 'PERP',
  orderBookState: 'Open',
  filters: { price: { tickSize: tick }, quantity: { stepSize: step } },
});
const lt = (symbol: string, id: number, priceDecimals: number, sizeDecimals: number) => ({
  symbol,
  market_id: id,
  market_type: 'perp',
  status: 'active',
  price_decimals: priceDecimals,
  size_decimals: sizeDecimals,
});

const MAP = buildSymbolMap(
  readBackpackMarkets([bp('BTC_USDC_PERP', '0.1', '0.00001'), bp('PEPE_USDC_PERP', '0.0000001', '1'), bp('kBONK_USDC_PERP', '0.000001', '1')]),
  readLighterMarkets({ order_book_details: [lt('BTC', 1, 1, 5), lt('1000PEPE', 7, 6, 0), lt('1000BONK', 9, 6, 0)] }),
);

test('a pair of the same contract is traded; contracts of different multiples are refused with the reason', () => {
  const [btc, pepe, bonk] = selectPairs(MAP, ['BTC', 'PEPE', 'BONK']);
  assert.equal(pairRefusal(btc, 'BTC'), undefined);
  // kBONK and 1000BONK are both 1000 BONK: the same contract under two names.
  assert.deepEqual([bonk.backpack.symbol, bonk.lighter.symbol, bonk.shift], ['kBONK_USDC_PERP', '1000BONK', 0]);
  assert.equal(pairRefusal(bonk, 'BONK'), undefined);
  assert.equal(
    pairRefusal(pepe, 'PEPE'),
    "PEPE: Backpack's PEPE_USDC_PERP is 1 PEPE a contract and Lighter's 1000PEPE 1000; one order's size would differ on the two venues by 10^3, and the engine hedges a contract with the same contract — leave PEPE out (scan shows how its spread converts)",
  );
});

test('the run log of several markets is named after all of them, in order', () => {
  const m = (ticker: string) => ({ ticker, size: '1', longThreshold: '5', shortThreshold: '5', maxPosition: '0', minEdgeBps: 0, slippageBps: 20 });
  assert.equal(combinedName([m('BTC'), m('ETH'), m('SOL')]), 'BTC_ETH_SOL');
});

const summary = (trades: number, successes: number, repairs: number, pnl: number, fees: number, halted?: string): RunSummary => ({
  trades,
  successes,
  failures: trades - successes,
  repairs,
  estimatedPnl: pnl,
  fees,
  positions: { backpack: '0', lighter: '0' },
  halted,
});

test('the summary gives each market, then the total', () => {
  const all: Array<[string, RunSummary]> = [
    ['BTC', summary(3, 3, 0, 1.25, 0.75)],
    ['ETH', summary(2, 1, 2, -0.5, 0.25, 'kill_switch: 3 failed trades within 60 s')],
  ];
  assert.deepEqual(totalLines(all), [
    'markets             BTC, ETH',
    'trades              5 (4 succeeded, 1 failed)',
    'repair orders       2',
    "spread PnL          0.7500 USDC net of fees (every market's trades CSV net_pnl summed)",
    'fees                1.0000',
    'entries halted      ETH: kill_switch: 3 failed trades within 60 s',
  ]);
  const text = manySummaryText(all);
  assert.ok(text.indexOf('── summary BTC ──') < text.indexOf('── summary ETH ──'));
  assert.ok(text.indexOf('── summary ETH ──') < text.indexOf('── summary, all 2 markets ──'));
  assert.match(text, /── summary BTC ──[^]*trades {14}3 \(3 succeeded, 0 failed\)[^]*── summary ETH ──[^]*trades {14}2 \(1 succeeded, 1 failed\)/);
  assert.match(text, /── summary, all 2 markets ──────────────\nmarkets {13}BTC, ETH\ntrades {14}5 \(4 succeeded, 1 failed\)\n/);
});
