// The engine's promises against the simulators, driven through the real adapters: a venue that is
// down at start-up is waited for, and no frame on either venue's stream stops the bot trading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCsvMatchesFills, calm, csvNet, longOpportunity, readCsv, readLog, simVenues, startBot, until } from './harness.js';

test('a venue answering 503 for its first seconds is waited for; once it is up the bot trades', async () => {
  const downFor = 1500;
  const sim = await simVenues({ faults: { lighter: { unavailableUntil: Date.now() + downFor } } });
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '5000']);
  try {
    await bot.engine;
    const log = readLog(bot.logDir);
    assert.match(log, /lighter is not taking us yet \(.*503.*\); retrying with back-off/);
    assert.equal(log.match(/lighter is not taking us yet/g)?.length, 1, 'said once for the one kind of failure');
    longOpportunity(sim);
    await until('trade', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry' && r.backpack_state === 'filled' && r.lighter_state === 'filled'));
    calm(sim);
    assert.equal(await bot.stop(), 0);
  } finally {
    await bot.stop();
    await sim.stop();
  }
});

test('null, 42, "", [] and a 1 MB frame on both venues\' streams: the bot keeps trading', async () => {
  const sim = await simVenues();
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.01', '--max-book-age-ms', '5000']);
  try {
    await bot.engine;
    const big = JSON.stringify({ junk: 'x'.repeat(1 << 20) });
    const frames = ['null', '42', '""', '[]', big];
    sim.faults.backpack.rawFrames = [...frames];
    sim.faults.lighter.rawFrames = [...frames];
    await until('frames sent', () => sim.faults.backpack.rawFrames === undefined && sim.faults.lighter.rawFrames === undefined);
    longOpportunity(sim);
    await until('trade after the frames', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry' && r.backpack_state === 'filled' && r.lighter_state === 'filled'));
    calm(sim);
    assert.equal(await bot.stop(), 0);
  } finally {
    await bot.stop();
    await sim.stop();
  }
});

test('Backpack answering 429 across an opportunity: no entry opens while it backs off, no kill switch, trading resumes after', async () => {
  const sim = await simVenues();
  calm(sim);
  const bot = startBot(sim, ['--max-position', '0.05', '--max-book-age-ms', '5000']);
  try {
    await bot.engine;
    const backOffMs = 2000;
    sim.faults.backpack.rateLimitUntil = Date.now() + backOffMs;
    longOpportunity(sim);
    // The first entry meets the 429: its Backpack leg is refused, its Lighter leg fills and is repaired.
    await until('the entry that met the 429', () => readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry' && r.backpack_state === 'rejected'));
    const firstAt = Date.now();
    // While Backpack backs off, the opportunity stays open on the books, yet no other entry opens.
    await until('the back-off to pass', () => Date.now() > (sim.faults.backpack.rateLimitUntil ?? 0), backOffMs + 1000);
    const during = readCsv(bot.logDir, 'trades').filter((r) => r.kind === 'entry');
    assert.equal(during.length, 1, `one entry during the back-off (${Date.now() - firstAt} ms), got ${during.length}`);
    // Once it is over, the same opportunity trades with both legs filled.
    await until('a filled entry after the back-off', () =>
      readCsv(bot.logDir, 'trades').some((r) => r.kind === 'entry' && r.backpack_state === 'filled' && r.lighter_state === 'filled'),
    );
    calm(sim);
    assert.equal(await bot.stop(), 0);
    const log = readLog(bot.logDir);
    assert.doesNotMatch(log, /ENTRIES HALTED/);
    const rows = readCsv(bot.logDir, 'trades');
    assertCsvMatchesFills(rows, sim, assert);
    assert.equal(csvNet(rows, 'backpack') + csvNet(rows, 'lighter'), 0, 'hedged at the end');
  } finally {
    await bot.stop();
    await sim.stop();
  }
});
