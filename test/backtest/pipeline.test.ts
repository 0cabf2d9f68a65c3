// The pipelined replay (the recording read and decoded on a thread of its own) is the same replay:
// the packed batches that cross between the threads unpack to exactly what was decoded, and a
// backtest gives the same summary, the same CSV bytes and the same warnings (refused frames, a
// torn file) pipelined or not; a recording that cannot be read fails with the same error line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packBatch, unpackBatch } from '../../src/backtest/packed.js';
import { decodedBatches } from '../../src/backtest/pipeline.js';
import { runBacktest } from '../../src/backtest/run.js';
import { SYNTHETIC_MARKETS, writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { FakeClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../../src/core/log.js';
import { decoderFor, type FeedMessage } from '../../src/backtest/feed.js';
import { readRecordingBatches, type RecordingItem } from '../../src/record/reader.js';
import { Recorder } from '../../src/record/writer.js';
import { tempDir } from '../helpers/temp.js';

const START = Date.UTC(2026, 0, 1);

/** A synthetic hour-00 run, a later run in hour 01 with frames the parsers refuse and books that gap, and a torn hour-02 file. */
async function faultyRecording(): Promise<string> {
  const dir = tempDir('bla-pipe-data-');
  writeSyntheticRecording(dir, { seconds: 40, framesPerSecond: 20, seed: 9, startWallMs: START });
  const rec = new Recorder({
    dir,
    header: { version: '0', ticker: 'BTC', mode: 'sim', markets: { ...SYNTHETIC_MARKETS } },
    clock: new FakeClock({ wallMs: START + 3_600_000, monoMs: 0 }),
    flushMs: 0,
  });
  const lt = (type: string, begin: number, nonce: number, bid: string, ask: string) =>
    JSON.stringify({
      channel: 'order_book:1',
      type,
      order_book: { code: 0, begin_nonce: begin, nonce, bids: [{ price: bid, size: '0.50000' }], asks: [{ price: ask, size: '0.40000' }] },
    });
  const depth = (U: number, bid: string, ask: string, qty = '0.30000') =>
    JSON.stringify({ stream: 'depth.BTC_USDC_PERP', data: { e: 'depth', U, u: U, b: [[bid, qty]], a: [[ask, qty]] } });
  rec.frame('lighter', '{"channel":"order_book:1","type":"update/order_book","order_book":{not json', 1);
  rec.snapshot('backpack', JSON.stringify({ asks: [['100001.0', '0.50000']], bids: [['99999.0', '0.50000']], lastUpdateId: '50', timestamp: 1 }), 2);
  rec.frame('backpack', depth(51, '99999.5', 'x'), 3); // refused: not a decimal
  rec.snapshot('backpack', JSON.stringify({ asks: [['100001.0', '0.50000']], bids: [['99999.0', '0.50000']], lastUpdateId: '50', timestamp: 2 }), 4);
  rec.frame('lighter', lt('subscribed/order_book', 0, 100, '100020.0', '100021.0'), 5);
  for (let i = 1; i <= 200; i++) {
    rec.frame('backpack', depth(50 + i, (99999 + (i % 3)).toFixed(1), (100001 + (i % 3)).toFixed(1)), 5 + i * 10);
    rec.frame('backpack', '{"stream":"bookTicker.BTC_USDC_PERP","data":{"b":"1.0","a":"2.0"}}', 6 + i * 10);
    // A gap at 120: the Lighter book goes unknown until the next snapshot at 150.
    if (i !== 120)
      rec.frame(
        'lighter',
        i === 150
          ? lt('subscribed/order_book', 0, 100 + i, '100030.0', '100031.0')
          : lt('update/order_book', 99 + i, 100 + i, (100020 + (i % 9)).toFixed(1), (100022 + (i % 9)).toFixed(1)),
        8 + i * 10,
      );
  }
  rec.order('lighter', 900, { event: 'sent', id: 'l1', side: 'buy', size: 10, worstPrice: 100 });
  await rec.close();
  // Hour 02: a run killed mid-write, its member cut short.
  const header = JSON.stringify({ format: 1, version: '0', ticker: 'BTC', mode: 'sim', markets: SYNTHETIC_MARKETS, clock: { wallMs: START + 7_200_000, monoMs: 0 } });
  const member = gzipSync(`${header}\nF\tl\t5\t{"type":"ping"}\nF\tl\t6\t{"type":"ping"}\n`);
  writeFileSync(join(dir, 'BTC-20260101T02.rec.gz'), member.subarray(0, member.length - 6));
  return dir;
}

async function backtest(dataDir: string, pipelined: boolean, rawEvery?: number) {
  const logDir = tempDir('bla-pipe-out-');
  const parsed = parseConfig(['--sim', '--size', '0.01', '--long-threshold', '3', '--short-threshold', '3', '--max-position', '0.05', '--log-dir', logDir], {});
  assert.ok(parsed.kind === 'run');
  const logger = new MemoryLogger();
  const result = await runBacktest({ dataDir, settings: engineSettings(parsed.config), latency: 'learned', logger, pipelined, rawEvery });
  assert.ok(result.files !== undefined);
  return { result, logger, trades: readFileSync(result.files.trades, 'utf8'), bbo: readFileSync(result.files.bbo, 'utf8') };
}

test('packed batches unpack to exactly the decoded items: headers, order events, skipped, refused and book messages of both venues, and undecoded frames as their text', async () => {
  const dir = await faultyRecording();
  // Every batch decoded; then every third one left undecoded (its frames cross as text).
  for (const rawBatch of [() => false, (n: number) => n % 3 === 2]) {
    const seen = new Set<string>();
    let items = 0;
    let n = 0;
    for await (const batch of decodedBatches(dir, {}, undefined, () => rawBatch(n++))) {
      const back = unpackBatch(packBatch(batch));
      // Decoded frames and snapshots cross without their text (their decoded message is what the books take).
      const expected = batch.map((i) => ((i.kind === 'frame' || i.kind === 'snapshot') && i.decoded !== undefined ? { ...i, payload: '' } : i));
      assert.deepEqual(back, expected);
      for (const i of batch) seen.add(i.kind === 'frame' || i.kind === 'snapshot' ? `${i.venue} ${(i.decoded as FeedMessage | undefined)?.k ?? 'raw'}` : i.kind);
      items += batch.length;
    }
    assert.ok(items > 2400, `${items} items`);
    if (n > 3) assert.equal(seen.has('backpack raw') && seen.has('lighter raw'), rawBatch(2), 'undecoded frames of both venues crossed');
    else assert.fail(`only ${n} batches: nothing was left undecoded`);
    if (!rawBatch(2))
      assert.deepEqual([...seen].sort(), [
        'backpack depth',
        'backpack depthSnapshot',
        'backpack refused',
        'backpack skip',
        'header',
        'lighter bookFrame',
        'lighter refused',
        'lighter skip',
        'order',
      ]);
  }
});

test('a reading thread that scans book frames straight into the packed numbers sends exactly what decoding and packing send', async () => {
  const markets = { ...SYNTHETIC_MARKETS };
  const decode = { backpack: decoderFor('backpack', markets.backpack), lighter: decoderFor('lighter', markets.lighter) };
  const check = (batch: RecordingItem[]) => {
    const decoded = batch.map((i) => (i.kind === 'frame' || i.kind === 'snapshot' ? { ...i, decoded: decode[i.venue](i) } : i));
    assert.deepStrictEqual(unpackBatch(packBatch(batch, { markets, decode })), unpackBatch(packBatch(decoded)));
  };
  const frame = (venue: 'backpack' | 'lighter', payload: string, kind: 'frame' | 'snapshot' = 'frame'): RecordingItem => ({ kind, venue, atUs: 7, payload });
  // Read by the scanners, off the grid (decoded: refused by the book later), not book frames, not JSON.
  check([
    frame('lighter', '{"channel":"order_book:1","type":"update/order_book","order_book":{"nonce":3,"begin_nonce":2,"bids":[{"price":"100020.0","size":"0.50000"}],"asks":[]}}'),
    frame('lighter', '{"channel":"order_book:1","type":"update/order_book","order_book":{"nonce":3,"begin_nonce":2,"bids":[{"price":"100020.05","size":"0.50000"}],"asks":[]}}'),
    frame('lighter', '{"channel":"order_book:1","type":"update/order_book","order_book":{not json'),
    frame('lighter', '{"type":"ping"}'),
    frame('backpack', '{"stream":"depth.BTC_USDC_PERP","data":{"U":5,"u":6,"b":[["99999.5","0.30000"]],"a":[]}}'),
    frame('backpack', '{"stream":"depth.BTC_USDC_PERP","data":{"U":5,"u":6,"b":[["99999.55","0.30000"]],"a":[]}}'),
    frame('backpack', '{"stream":"depth.BTC_USDC_PERP","data":{"U":5,"u":6,"b":[["x","0.30000"]],"a":[]}}'),
    frame('backpack', '{"stream":"bookTicker.BTC_USDC_PERP","data":{"b":"1.0","a":"2.0"}}'),
    frame('backpack', '{"asks":[["100001.0","0.50000"]],"bids":[],"lastUpdateId":"50"}', 'snapshot'),
    frame('backpack', '{"asks":[["100001.05","0.50000"]],"bids":[],"lastUpdateId":"50"}', 'snapshot'),
    frame('backpack', '{"asks":[["100001.0","0.50000"]],"bids":[],"lastUpdateId":-1}', 'snapshot'),
  ]);
  // The frames the scanners read never reach the decoders.
  const never = () => assert.fail('decoded, not scanned');
  const scannedOnly = [
    frame('lighter', '{"channel":"order_book:1","type":"update/order_book","order_book":{"nonce":3,"begin_nonce":2,"bids":[{"price":"100020.0","size":"0.50000"}],"asks":[]}}'),
    frame('backpack', '{"stream":"depth.BTC_USDC_PERP","data":{"U":5,"u":6,"b":[["99999.5","0.30000"]],"a":[]}}'),
    frame('backpack', '{"asks":[["100001.0","0.50000"]],"bids":[],"lastUpdateId":"50"}', 'snapshot'),
  ];
  assert.equal(unpackBatch(packBatch(scannedOnly, { markets, decode: { backpack: never, lighter: never } })).length, 3);
  const dir = await faultyRecording();
  let items = 0;
  for await (const batch of readRecordingBatches(dir)) {
    check(batch);
    items += batch.length;
  }
  assert.ok(items > 2400, `${items} items`);
});

test('a pipelined backtest gives the same summary, CSV bytes and warnings as one read on the same thread, whichever thread decoded which batch', async () => {
  const dir = await faultyRecording();
  const here = await backtest(dir, false);
  for (const rawEvery of [undefined, 2]) {
    const piped = await backtest(dir, true, rawEvery);
    assert.ok(here.result.summary.trades > 0, 'the replay traded, so the comparison says something');
    assert.deepEqual(piped.result.summary, here.result.summary);
    assert.equal(piped.result.events, here.result.events);
    assert.deepEqual(piped.result.applied, here.result.applied);
    assert.equal(piped.trades, here.trades);
    assert.equal(piped.bbo, here.bbo);
    assert.deepEqual(piped.result.spreads, here.result.spreads);
    assert.deepEqual(piped.logger.lines, here.logger.lines);
  }
  const warns = here.logger.lines.filter((l) => l.startsWith('WARN'));
  assert.ok(
    warns.some((l) => /lighter recorded frame at .* refused: /.test(l)),
    'the non-JSON frame was refused',
  );
  assert.ok(
    warns.some((l) => /backpack recorded frame at .* refused: depth a row/.test(l)),
    'the bad depth row was refused',
  );
  assert.ok(
    warns.some((l) => l.includes('BTC-20260101T02.rec.gz ends in a torn write')),
    'the torn file was reported',
  );
});

test('a recording that cannot be read fails with the same error line, pipelined or not', async () => {
  const dir = tempDir('bla-pipe-bad-');
  writeSyntheticRecording(dir, { seconds: 5, seed: 2, startWallMs: START });
  writeFileSync(join(dir, 'BTC-20260101T01.rec.gz'), 'this is not gzip at all');
  const errors: string[] = [];
  for (const pipelined of [false, true]) {
    await assert.rejects(backtest(dir, pipelined), (e: Error) => {
      errors.push(`${e.name}: ${e.message}`);
      return e.name === 'RecordingFormatError' && e.message.includes('BTC-20260101T01.rec.gz: not readable as gzip');
    });
  }
  assert.equal(errors[1], errors[0]);
});
