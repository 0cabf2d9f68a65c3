// The recording format end to end: what the recorder is handed comes back from the reader exactly,
// in order, split by hour; and a process killed with SIGKILL while writing leaves files the reader
// still reads up to their last complete line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FakeClock } from '../../src/core/clock.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { readOrderEvents, readRecording, type RecordingItem } from '../../src/record/reader.js';
import { Recorder } from '../../src/record/writer.js';
import { tempDir } from '../helpers/temp.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 2, sizeScale: 4, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const HEADER = { version: '0.1.0', ticker: 'BTC', mode: 'sim', markets: { backpack: BP, lighter: LT } };

async function all(dir: string, onTorn?: (f: string) => void): Promise<RecordingItem[]> {
  const out: RecordingItem[] = [];
  for await (const item of readRecording(dir, { onTorn })) out.push(item);
  return out;
}

test('every event comes back exactly, in order, with its venue and µs time; a new hour starts a new file with its own header', async () => {
  const dir = tempDir('rec-');
  // 10:59:59.000 UTC: the third event falls in the next hour.
  const clock = new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 10, 59, 59), monoMs: 5_000 });
  const rec = new Recorder({ dir, header: HEADER, clock, flushMs: 0 });
  rec.frame('backpack', '{"stream":"depth.BTC_USDC_PERP","data":{"a":[["1.5",\n"2"]]}}', 5_000.1234);
  rec.snapshot('backpack', '{"lastUpdateId":"7","bids":[],"asks":[]}', 5_200);
  rec.frame('lighter', '{"channel":"order_book:1","type":"update/order_book"}\twith a tab', 6_000.5);
  rec.order('lighter', 6_001, { event: 'sent', id: 'l1', side: 'buy', size: 10, worstPrice: 100 });
  await rec.close();
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, ['BTC-20260101T10.rec.gz', 'BTC-20260101T11.rec.gz']);
  const items = await all(dir);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['header', 'frame', 'snapshot', 'header', 'frame', 'order'],
  );
  const h = items[0]!;
  assert.ok(h.kind === 'header');
  assert.deepEqual(h.header.markets, { backpack: BP, lighter: LT });
  assert.deepEqual(h.header.clock, { wallMs: Date.UTC(2026, 0, 1, 10, 59, 59), monoMs: 5_000 });
  assert.deepEqual(items[1], { kind: 'frame', venue: 'backpack', atUs: 5_000_123, payload: '{"stream":"depth.BTC_USDC_PERP","data":{"a":[["1.5", "2"]]}}' });
  assert.deepEqual(items[2], { kind: 'snapshot', venue: 'backpack', atUs: 5_200_000, payload: '{"lastUpdateId":"7","bids":[],"asks":[]}' });
  assert.deepEqual(items[4], { kind: 'frame', venue: 'lighter', atUs: 6_000_500, payload: '{"channel":"order_book:1","type":"update/order_book"}\twith a tab' });
  assert.deepEqual(items[5], { kind: 'order', venue: 'lighter', atUs: 6_001_000, payload: '{"event":"sent","id":"l1","side":"buy","size":10,"worstPrice":100}' });
});

test('a second run in the same hour writes its own file, read after the first, on one time line', async () => {
  const dir = tempDir('rec-');
  const first = new Recorder({ dir, header: HEADER, clock: new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 10, 0, 0), monoMs: 1_000 }), flushMs: 0 });
  first.frame('backpack', 'a', 1_000);
  await first.close();
  // A new process: its monotonic clock starts again, 10 s of wall time later.
  const second = new Recorder({ dir, header: HEADER, clock: new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 10, 0, 10), monoMs: 50 }), flushMs: 0 });
  second.frame('lighter', 'b', 50);
  await second.close();
  assert.deepEqual(readdirSync(dir).sort(), ['BTC-20260101T10.1.rec.gz', 'BTC-20260101T10.rec.gz']);
  const events = (await all(dir)).filter((i) => i.kind !== 'header');
  assert.deepEqual(
    events.map((e) => [e.payload, e.atUs]),
    [
      ['a', 1_000_000],
      ['b', 11_000_000],
    ],
  );
});

test('a torn last gzip member ends the file at its last complete line; the complete members are all read', async () => {
  const dir = tempDir('rec-');
  const rec = new Recorder({ dir, header: HEADER, clock: new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 10), monoMs: 0 }), flushMs: 0 });
  rec.frame('backpack', 'one', 1);
  await rec.flushed();
  rec.frame('backpack', 'two', 2);
  await rec.close();
  const file = join(dir, readdirSync(dir)[0]!);
  // A member whose second line is cut in the middle (a kill during the write): 'three' survives
  // as a whole line, the broken 'four…' is dropped, and the file says it was torn.
  const torn = gzipSync(Buffer.from('F\tb\t3000\tthree\nF\tb\t4000\tfour-' + 'y'.repeat(4000) + '\n'), { level: 0 });
  appendFileSync(file, torn.subarray(0, 60));
  const seen: string[] = [];
  const events = (await all(dir, (f) => seen.push(f))).filter((i) => i.kind !== 'header');
  assert.deepEqual(
    events.map((e) => e.payload),
    ['one', 'two', 'three'],
  );
  assert.deepEqual(seen, [file]);
});

test('kill -9 while recording: every file reads up to its last complete line, and each line is whole', async () => {
  const dir = tempDir('rec-kill-');
  const script = join(dir, 'writer.ts');
  // A writer that records as fast as it can and says how many batches it has written.
  const writer = new URL('../../src/record/writer.js', import.meta.url).pathname.replace(/\.js$/, '.ts');
  appendFileSync(
    script,
    `
    import { Recorder } from ${JSON.stringify(writer)};
    const rec = new Recorder({ dir: ${JSON.stringify(dir)}, header: ${JSON.stringify(HEADER)}, flushMs: 1, maxBatchBytes: 4096 });
    let n = 0;
    const pad = 'x'.repeat(200);
    function burst() {
      for (let i = 0; i < 200; i++) { n++; rec.frame(n % 2 ? 'backpack' : 'lighter', JSON.stringify({ n, pad }), performance.now()); }
      rec.flushed().then(() => { process.stdout.write('B\\n'); setImmediate(burst); });
    }
    burst();
  `,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Kill it after it has written 20 batches, while it keeps writing.
  await new Promise<void>((resolve) => {
    let batches = 0;
    child.stdout.on('data', (d: Buffer) => {
      batches += d.toString().split('\n').length - 1;
      if (batches >= 20 && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await new Promise((r) => child.once('exit', r));
  const files = readdirSync(dir).filter((f) => f.endsWith('.rec.gz'));
  assert.ok(files.length >= 1);
  assert.ok(statSync(join(dir, files[0]!)).size > 0);
  const items = await all(dir);
  const events = items.filter((i) => i.kind !== 'header');
  // At least the 20 batches it reported, each line a whole frame, numbered without a hole.
  assert.ok(events.length >= 20 * 200, `only ${events.length} events read`);
  events.forEach((e, i) => assert.equal((JSON.parse(e.payload) as { n: number }).n, i + 1));
  assert.ok(readFileSync(join(dir, files[0]!)).length > 0);
});

test('kill -9 of a --sim run while it records: the backtest replays what is there', async () => {
  const { runBacktest } = await import('../../src/backtest/run.js');
  const { parseConfig } = await import('../../src/cli/args.js');
  const { engineSettings } = await import('../../src/cli/settings.js');
  const { MemoryLogger } = await import('../../src/core/log.js');
  const dir = tempDir('rec-sim-kill-');
  const logDir = tempDir('rec-sim-logs-');
  const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--sim', '--size', '0.01', '--record', dir, '--log-dir', logDir], { stdio: 'ignore' });
  // Killed once the recording holds more than 64 KiB of compressed frames: several members are on disk, more are coming.
  try {
    await new Promise<void>((resolve, reject) => {
      const look = setInterval(() => {
        const files = readdirSync(dir).filter((f) => f.endsWith('.rec.gz'));
        if (files.length > 0 && statSync(join(dir, files[0]!)).size > 64 * 1024) {
          clearInterval(look);
          resolve();
        }
      }, 50);
      child.once('exit', () => {
        clearInterval(look);
        reject(new Error('the sim run ended by itself'));
      });
    });
  } finally {
    child.kill('SIGKILL');
  }
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
  const parsed = parseConfig(['--sim', '--size', '0.01', '--log-dir', tempDir('rec-sim-bt-')], {});
  assert.ok(parsed.kind === 'run');
  const result = await runBacktest({ dataDir: dir, settings: engineSettings(parsed.config), latency: 'learned', logger: new MemoryLogger() });
  assert.ok(result.events > 100, `${result.events} events replayed`);
  assert.ok(result.applied.backpack > 0 && result.applied.lighter > 0, 'both books were rebuilt from the recording');
  assert.equal(result.header.mode, 'sim');
  assert.ok(result.files !== undefined, 'the engine ran on the replayed books');
});

test('--from / --to select events by wall time, [from, to)', async () => {
  const dir = tempDir('rec-');
  const rec = new Recorder({ dir, header: HEADER, clock: new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 10), monoMs: 0 }), flushMs: 0 });
  for (const ms of [0, 1000, 2000, 3000]) rec.frame('lighter', `at ${ms}`, ms);
  await rec.close();
  const seen: string[] = [];
  for await (const item of readRecording(dir, { fromWallMs: Date.UTC(2026, 0, 1, 10, 0, 1), toWallMs: Date.UTC(2026, 0, 1, 10, 0, 3) }))
    if (item.kind !== 'header') seen.push(item.payload);
  assert.deepEqual(seen, ['at 1000', 'at 2000']);
});

test('a multi-byte character cut by a read or batch boundary, and lines longer than a batch, come back whole', async () => {
  const dir = tempDir('rec-utf8-');
  const header = JSON.stringify({ format: 1, ...HEADER, clock: { wallMs: Date.UTC(2026, 0, 1, 10), monoMs: 0 } }) + '\n';
  const payloads: string[] = [];
  // Lines of 3- and 4-byte characters, of many lengths, one of them longer than a 256 KiB batch.
  for (let i = 0; i < 400; i++) payloads.push(JSON.stringify({ stream: 'x', n: i, text: (i % 2 === 0 ? '€' : '𝄞').repeat(1 + ((i * 7919) % 1500)) }));
  payloads.splice(200, 0, JSON.stringify({ stream: 'long', text: '€'.repeat(120_000) }));
  const body = header + payloads.map((p, i) => `F\tb\t${i}\t${p}\n`).join('');
  const bytes = Buffer.from(body, 'utf8');
  // The premise: the first batch boundary (256 KiB) falls inside a character.
  assert.ok(bytes.length > 4 * 262_144 && (bytes[262_144]! & 0xc0) === 0x80, 'a boundary inside a character');
  appendFileSync(join(dir, 'BTC-20260101T10.rec.gz'), gzipSync(bytes));
  const items = await all(dir);
  assert.equal(items.length, payloads.length + 1);
  items.slice(1).forEach((item, i) => assert.ok(item.kind !== 'header' && item.payload === payloads[i] && item.atUs === i, `event ${i}`));
});

test('the orders-only pass gives the same order events, on the same time line, and counts the other events as the full read does', async () => {
  const dir = tempDir('rec-orders-');
  const sent = (id: string) => ({ event: 'sent' as const, id, side: 'buy' as const, size: 10, worstPrice: 100 });
  // Two runs, the second in the next hour's file and on a monotonic clock started again; frames,
  // a snapshot and order events on both venues.
  const first = new Recorder({ dir, header: HEADER, clock: new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 10, 59, 58), monoMs: 1_000 }), flushMs: 0 });
  first.frame('backpack', '{"stream":"depth.BTC_USDC_PERP","data":{}}', 1_000);
  first.order('backpack', 1_001.5, sent('b1'));
  first.snapshot('backpack', '{"lastUpdateId":"7","bids":[],"asks":[]}', 1_002);
  first.order('lighter', 3_000.25, { event: 'filled', id: 'l1', state: 'filled', sentUs: 2_999_000, filled: 10, notional: 1000, fee: 0 });
  first.frame('lighter', 'Ω ping', 3_001);
  await first.close();
  const second = new Recorder({ dir, header: HEADER, clock: new FakeClock({ wallMs: Date.UTC(2026, 0, 1, 11, 0, 30), monoMs: 50 }), flushMs: 0 });
  second.frame('lighter', 'b', 50);
  second.order('lighter', 51, sent('l2'));
  await second.close();
  assert.equal(readdirSync(dir).length, 3);

  const full = (await all(dir)).filter((i) => i.kind !== 'header');
  const fast = await readOrderEvents(dir);
  assert.deepEqual(
    fast.orders,
    full.filter((i) => i.kind === 'order'),
  );
  assert.equal(fast.orders.length, 3);
  assert.equal(fast.others, full.filter((i) => i.kind !== 'order').length);
  assert.equal(fast.others, 4);
  // The second run's order is on the first run's time line: 32 s of wall time after the first's start.
  assert.equal(fast.orders[2]!.atUs, 1_000_000 + 32_000_000 + 1_000);
});
