// Honest PnL: a run that ends with open inventory reports it apart from the spread it captured,
// valued at the simulators' own books, and the totals agree with the simulators' accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { OrderBook } from '../../src/core/orderbook.js';
import type { RunSummary } from '../../src/engine/index.js';
import { PnlLedger, pnlLines } from '../../src/engine/pnl.js';
import type { SimVenues } from '../../src/sim/index.js';
import { calm, longOpportunity, readCsv, readLog, setBooks, simVenues, startBot, until } from './harness.js';

const SCALE = { price: 10, size: 1e5, notional: 1e6 }; // the simulated BTC market: 1 price decimal, 5 size decimals
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} vs ${expected}`);

/** The simulator's own figures for our account on one venue, in quote units. */
function simAccount(sim: SimVenues, venue: 'backpack' | 'lighter') {
  const engine = sim.engines[venue];
  const p = engine.position(sim.accounts[venue]);
  const mid = (engine.bestBid()! + engine.bestAsk()!) / 2 / SCALE.price;
  const taker = venue === 'backpack' ? 2.5 : 0; // DEFAULT_SIM_FEES
  const closePrice = (p.size > 0 ? engine.bestBid()! : engine.bestAsk()!) / SCALE.price; // the top level covers 0.01
  const closeNotional = (Math.abs(p.size) / SCALE.size) * closePrice;
  return {
    units: p.size / SCALE.size,
    mid,
    cash: (p.realizedPnl - p.openNotional) / SCALE.notional,
    fees: p.feesPaid / SCALE.notional,
    closeValue: Math.sign(p.size) * closeNotional - (closeNotional * taker) / 10_000,
  };
}

test("a run that ends with open inventory reports realised and unrealised PnL matching the simulators' marks", async () => {
  const sim = await simVenues();
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01', '--bbo-interval', '0.05']);
  try {
    const engine = await bot.engine;
    let summary: RunSummary | undefined;
    void engine.stopped.then((s) => (summary = s));
    longOpportunity(sim); // Lighter bid 100040.0 over Backpack ask 100000.0
    await until('the long trade', () => sim.engines.backpack.position(sim.accounts.backpack).size === 1000 && readCsv(bot.logDir, 'trades').length === 1);
    // The books move apart from where we traded and offer nothing: the inventory stays open at the end.
    setBooks(sim, { bid: 1_000_100, ask: 1_000_110 }, { bid: 1_000_050, ask: 1_000_120 });
    await until('the bot sees the final books', () => {
      const last = readCsv(bot.logDir, 'bbo').at(-1);
      return last?.backpack_bid === '100010.0' && last.lighter_ask === '100012.0';
    });
    assert.equal(await bot.stop(), 0);
    assert.ok(summary?.pnl !== undefined, 'the summary carries the PnL');
    const pnl = summary.pnl;
    const bp = simAccount(sim, 'backpack');
    const lt = simAccount(sim, 'lighter');
    assert.deepEqual([bp.units, lt.units], [0.01, -0.01], 'open inventory on both venues');

    assert.equal(pnl.currency, 'USDC');
    // Realised: the spread captured on the entry (the trades CSV's pnl_estimate), less fees.
    const row = readCsv(bot.logDir, 'trades')[0];
    close(pnl.spreadCapturedGross, Number(row.pnl_estimate), 'spread captured = pnl_estimate');
    close(pnl.spreadCapturedGross, 0.01 * (100040 - 100000), 'spread captured: 0.01 × 40');
    close(pnl.fees, bp.fees + lt.fees, "fees = the simulators' fees");
    close(pnl.realisedNet, bp.cash + lt.cash - bp.fees - lt.fees, "realised = the simulators' cash less fees");
    // Unrealised: the open inventory at each simulator's mid, and what closing it at their books would give after taker fees.
    close(pnl.inventory.backpack.mid, 100010.5, 'Backpack mid');
    close(pnl.inventory.lighter.mid, 100008.5, 'Lighter mid');
    close(pnl.inventory.backpack.valueAtMid, bp.units * bp.mid, 'Backpack inventory at mid');
    close(pnl.inventory.lighter.valueAtMid, lt.units * lt.mid, 'Lighter inventory at mid');
    close(pnl.unrealisedAtMid, 0.01 * (100010.5 - 100008.5), "unrealised = 0.01 × the mids' gap");
    close(pnl.inventory.backpack.closeValue, bp.closeValue, 'closing Backpack: sell 0.01 at 100010.0 less 2.5 bps');
    close(pnl.inventory.lighter.closeValue, lt.closeValue, 'closing Lighter: buy 0.01 at 100012.0');
    close(pnl.closeCost, bp.closeValue + lt.closeValue - pnl.unrealisedAtMid, 'close cost against the mids');
    close(pnl.totalAtMid, pnl.realisedNet + pnl.unrealisedAtMid, 'total at mid');
    close(pnl.totalIfClosed, bp.cash + lt.cash - bp.fees - lt.fees + bp.closeValue + lt.closeValue, 'total if closed now');

    // The run log's end says the same, with units.
    const log = readLog(bot.logDir);
    assert.match(log, /summary: realised PnL +[+-]\d+\.\d{4} USDC = spread captured \+0\.4000 USDC \(gross\)/);
    assert.match(log, /summary: unrealised PnL +\+0\.0200 USDC open inventory at the mids/);
    assert.match(log, /summary: Backpack +0\.01 at mid 100010\.5 = \+1000\.1050 USDC/);
    assert.match(log, /summary: Lighter +-0\.01 at mid 100008\.5 = -1000\.0850 USDC/);
  } finally {
    await bot.stop();
    await sim.stop();
    rmSync(bot.logDir, { recursive: true, force: true });
  }
});

test('the PnL lines: units on every figure, and a note when a residual is open unhedged', () => {
  const spec = (venue: 'backpack' | 'lighter') => ({
    venue,
    symbol: venue === 'backpack' ? 'BTC_USDC_PERP' : 'BTC',
    priceScale: 1,
    sizeScale: 5,
    tickSize: 1,
    stepSize: 1,
    minSize: 1,
    takerFeeBps: venue === 'backpack' ? 2.5 : 0,
    makerFeeBps: 0,
  });
  const book = new OrderBook();
  book.applySnapshot([[999_990, 100_000]], [[1_000_010, 100_000]]);
  const ledger = new PnlLedger({ backpack: spec('backpack'), lighter: spec('lighter') });
  // Only the Backpack leg filled: 0.01 bought at 100000.0 and nothing sold against it.
  ledger.fill({ venue: 'backpack', state: 'filled', side: 'buy', requested: 1000, filled: 1000, notional: 1_000_000 * 1000, fee: 0.25, clientOrderId: '1', sentAt: 0 });
  const report = ledger.report({ backpack: 1000, lighter: 0 }, { backpack: book, lighter: book });
  assert.deepEqual([report.realisedNet, report.unrealisedAtMid, report.totalAtMid], [-1000.25, 1000, -0.25]);
  // Closing sells 0.01 into the 99999.0 bid (999.99) and pays 2.5 bps of it.
  assert.ok(Math.abs(report.inventory.backpack.closeValue - (999.99 - 999.99 * 0.00025)) < 1e-9);
  assert.deepEqual(pnlLines(report), [
    'realised PnL        -1000.2500 USDC = spread captured +0.0000 USDC (gross) -0.2500 USDC fees +0.0000 USDC funding -1000.0000 USDC other (repairs, unmatched legs, inventory held at start or that no fill explains)',
    "funding             +0.000000 USDC = Backpack +0.000000 USDC, Lighter +0.000000 USDC (received +, paid −, from the venues' funding histories)",
    'unrealised PnL      +1000.0000 USDC open inventory at the mids; closing it now -0.2600 USDC more (book depth and taker fees)',
    '  Backpack  0.01 at mid 100000 = +1000.0000 USDC; closing now +999.7400 USDC after -0.2500 USDC fee',
    '  Lighter   0 (nothing open)',
    'total PnL           -0.2500 USDC at the mids; -0.5100 USDC if closed now',
    '  note: 0.01 is open unhedged: what it cost is in realised and what it is worth in unrealised; only the totals mean something until it is closed',
  ]);
});

test('position that no known fill explains (an order whose outcome stayed unknown) is taken at the mid, not as profit', () => {
  const spec = (venue: 'backpack' | 'lighter') => ({
    venue,
    symbol: venue === 'backpack' ? 'BTC_USDC_PERP' : 'BTC',
    priceScale: 1,
    sizeScale: 5,
    tickSize: 1,
    stepSize: 1,
    minSize: 1,
    takerFeeBps: 0,
    makerFeeBps: 0,
  });
  const book = new OrderBook();
  book.applySnapshot([[999_990, 100_000]], [[1_000_010, 100_000]]);
  const ledger = new PnlLedger({ backpack: spec('backpack'), lighter: spec('lighter') });
  // A hedged entry we know of: Backpack bought 0.01 at 99990.0, Lighter sold 0.01 at 100030.0.
  ledger.fill({ venue: 'backpack', state: 'filled', side: 'buy', requested: 1000, filled: 1000, notional: 999_900 * 1000, fee: 0, clientOrderId: '1', sentAt: 0 });
  ledger.fill({ venue: 'lighter', state: 'filled', side: 'sell', requested: 1000, filled: 1000, notional: 1_000_300 * 1000, fee: 0, clientOrderId: '2', sentAt: 0 });
  ledger.captured(0.4);
  // The venues report 0.005 more on Lighter (a sell whose reply never came): −0.015.
  const report = ledger.report({ backpack: 1000, lighter: -1500 }, { backpack: book, lighter: book });
  assert.deepEqual(report.unexplained, { backpack: 0, lighter: -0.005 });
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  // Without the correction the unknown sell's value (−0.005 × 100000 = −500) would count as a loss (or its opposite as profit).
  near(report.realisedNet, 0.4 + 0.005 * 100_000);
  near(report.unrealisedAtMid, 0.01 * 100_000 - 0.015 * 100_000);
  near(report.totalAtMid, 0.4);
  assert.equal(
    pnlLines(report).at(-1),
    '  note: -0.005 of the Lighter position comes from no fill this run knows (an order whose outcome stayed unknown, or a trade outside the bot); it is counted at the mid, adding nothing either way',
  );
});
