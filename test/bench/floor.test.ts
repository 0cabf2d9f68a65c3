// The latency benchmark's floor client must survive a long run: the simulated Lighter drops a
// connection that leaves its JSON ping unanswered for one period, and a floor client that lost its
// Lighter socket measured nothing (each opportunity then waited out its 2 s timeout, so a run of
// 1200 opportunities never finished).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFloorClient } from '../../bench/floor.js';
import { silentLogger } from '../../src/core/log.js';
import { startSimVenues } from '../../src/sim/index.js';
import { until } from '../helpers/until.js';

test('the floor client answers Lighter pings, keeps its connections through many ping periods and still measures', async () => {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, scripted: true, pingIntervalMs: 250 });
  const floor = await openFloorClient(sim);
  try {
    // The simulator terminates a client at the first round that finds its last ping unanswered. The
    // period is long enough that a loaded machine (CI) cannot miss an answer by scheduling alone: at
    // 20 ms the test failed there after 0 pings.
    await until('five Lighter ping rounds, or the connection lost', () => floor.pings >= 5 || !floor.open, 10_000);
    assert.equal(floor.open, true, `a connection was lost after ${floor.pings} Lighter ping(s)`);
    assert.ok(floor.pings >= 5);
    const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
    const ms = await floor.measure(() => sim.engines.lighter.setHouseLiquidity(ladder(1_000_400, -1), ladder(1_000_410, 1)));
    assert.equal(typeof ms, 'number', 'no book frame reached the floor client after the ping rounds');
    assert.ok(ms! >= 0);
  } finally {
    floor.close();
    await sim.stop();
  }
});

test("the scanning floor client reads the simulators' book frames with the bot's scanners and measures", async () => {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, scripted: true, pingIntervalMs: 250 });
  const floor = await openFloorClient(sim, 'scan');
  try {
    await until('two Lighter ping rounds, or the connection lost', () => floor.pings >= 2 || !floor.open, 10_000);
    assert.equal(floor.open, true, `a connection was lost after ${floor.pings} Lighter ping(s)`);
    const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
    const ms = await floor.measure(() => sim.engines.backpack.setHouseLiquidity(ladder(1_000_400, -1), ladder(1_000_410, 1)));
    assert.equal(typeof ms, 'number', 'no book frame reached the scanning floor client');
    assert.ok(floor.scanned >= 1, 'the book frames were read by the scanners');
  } finally {
    floor.close();
    await sim.stop();
  }
});
