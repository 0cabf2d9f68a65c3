// The engine's promises against the simulators, driven through the real adapters: a venue that is
// down at start-up is waited for, and no frame on either venue's stream stops the bot trading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calm, longOpportunity, readCsv, readLog, simVenues, startBot, until } from './harness.js';

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
