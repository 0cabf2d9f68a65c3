// A recording's times are microseconds of the recording process's monotonic clock: small integers
// until 2^31 µs (about 36 minutes into that clock), heap doubles after. The replay's event objects
// must keep one hidden class across that point (record/format.ts EVENT_SHAPE_SEED): a class change there threw
// away the optimised code of the books, strategy, engine and clock mid-replay and compiled it all
// again. A child process with V8's natives syntax reads a recording whose last frame is past
// 2^31 µs, as a replay reads it (the replay's modules loaded) and as a sweep's thread unpacks it,
// and compares the classes of the first frame and the last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { tempDir } from '../helpers/temp.js';

test('event objects read or unpacked before and after 2^31 µs of recording time share one hidden class', async () => {
  const dir = tempDir('bla-shapes-');
  const data = join(dir, 'data');
  writeSyntheticRecording(data, { seconds: 2, framesPerSecond: 5, seed: 3 });
  const file = join(data, readdirSync(data)[0]!);
  // A last Backpack frame and Lighter frame past 2^31 µs: copies of the recording's first ones, later (a gzip member of their own).
  const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  const late = (prefix: string, atUs: number) => lines.find((l) => l.startsWith(prefix))!.replace(/^(F\t[bl]\t)\d+/, `$1${atUs}`);
  appendFileSync(file, gzipSync(`${late('F\tb\t', 3_000_000_000)}\n${late('F\tl\t', 3_000_000_001)}\n`));
  const src = (path: string) => new URL(`../../src/${path}.ts`, import.meta.url).pathname;
  const script = join(dir, 'shapes.mts');
  writeFileSync(
    script,
    `
    import ${JSON.stringify(src('backtest/run'))};
    import { readRecordingBatches } from ${JSON.stringify(src('record/reader'))};
    import { packBatch, unpackBatch } from ${JSON.stringify(src('backtest/packed'))};
    import { decoderFor } from ${JSON.stringify(src('backtest/feed'))};
    import { SYNTHETIC_MARKETS as markets } from ${JSON.stringify(src('backtest/synthetic'))};
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
    const read = [];
    for await (const batch of readRecordingBatches(${JSON.stringify(data)})) read.push(...batch);
    // Compared before anything reads a property of the first frame (a read would move it to the new class).
    const readSame = sameMap(read[1], read[read.length - 1]);
    const decode = { backpack: decoderFor('backpack', markets.backpack), lighter: decoderFor('lighter', markets.lighter) };
    const unpacked = unpackBatch(packBatch(read, { markets, decode }), true);
    const unpackedSame = sameMap(unpacked[1], unpacked[unpacked.length - 1]);
    const times = [read[1].atUs, read[read.length - 1].atUs, unpacked[1].atUs, unpacked[unpacked.length - 1].atUs];
    const decoded = [unpacked[1].decoded !== undefined, unpacked[unpacked.length - 1].decoded !== undefined];
    process.stdout.write(JSON.stringify({ readSame, unpackedSame, times, decoded }));
  `,
  );
  const child = spawn(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), {
    readSame: true,
    unpackedSame: true,
    times: [1_000_000, 3_000_000_001, 1_000_000, 3_000_000_001],
    decoded: [true, true],
  });
});

// The simulated execution's legs: the outcome written into the leg it sent, not spread into a copy
// (execution.ts placeMarketOrder), because a warm spread site gave nearly every leg a hidden class of
// its own. Every filled and refused leg of a run of orders shares one class, with the keys in the
// order the spread gave them.
test('the legs of a replayed venue share one hidden class, keys in their usual order', async () => {
  const dir = tempDir('bla-legs-');
  const src = (path: string) => new URL(`../../src/${path}.ts`, import.meta.url).pathname;
  const script = join(dir, 'legs.mts');
  writeFileSync(
    script,
    `
    import { ReplayClock } from ${JSON.stringify(src('backtest/clock'))};
    import { SimulatedExecution } from ${JSON.stringify(src('backtest/execution'))};
    import { BackpackFeed } from ${JSON.stringify(src('backtest/feed'))};
    import { silentLogger } from ${JSON.stringify(src('core/log'))};
    const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)');
    const market = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
    const clock = new ReplayClock(0, Date.UTC(2026, 0, 1));
    const feed = new BackpackFeed(market, silentLogger);
    feed.apply({ kind: 'snapshot', venue: 'backpack', atUs: 0, payload: JSON.stringify({ lastUpdateId: '1', asks: [['100.0', '1000']], bids: [['99.9', '1000']] }) }, 0);
    const exec = new SimulatedExecution(feed, clock, { latency: { arrivalMs: 10, replyMs: 5 }, takerFeeBps: 2.5 });
    const legs = [];
    for (let i = 0; i < 40; i++) {
      // Every fourth order is off the tick grid: refused.
      const leg = exec.placeMarketOrder({ side: i % 2 === 0 ? 'buy' : 'sell', size: 1_000 + i, worstPrice: i % 4 === 3 ? 1_000.5 : i % 2 === 0 ? 1_001 : 998 });
      await clock.advanceTo(clock.monoMs() + 20);
      legs.push(await leg);
    }
    const filled = legs.filter((l) => l.state === 'filled');
    const refused = legs.filter((l) => l.state === 'rejected');
    process.stdout.write(JSON.stringify({
      filled: filled.length,
      refused: refused.length,
      filledSame: filled.every((l) => sameMap(l, filled[0])),
      refusedSame: refused.every((l) => sameMap(l, refused[0])),
      filledKeys: Object.keys(filled[0]),
      refusedKeys: Object.keys(refused[0]),
    }));
  `,
  );
  const child = spawn(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 0);
  const sent = ['venue', 'state', 'side', 'requested', 'filled', 'notional', 'fee', 'clientOrderId', 'sentAt', 'confirmedAt'];
  assert.deepEqual(JSON.parse(out), { filled: 30, refused: 10, filledSame: true, refusedSame: true, filledKeys: sent, refusedKeys: [...sent, 'error'] });
});
