// The book-frame scanners take the frames the venues really send — the captured fixtures, the
// synthetic recordings (which follow nautilus_trader's captures) and what the simulators send —
// and read them exactly as JSON.parse and the parsers do: none of these is declined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { decoderFor, type FeedMessage } from '../../src/backtest/feed.js';
import { SYNTHETIC_MARKETS, writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { silentLogger } from '../../src/core/log.js';
import { readRecording } from '../../src/record/reader.js';
import { parseFixed } from '../../src/core/fixed.js';
import type { RecordedEvent } from '../../src/record/format.js';
import { startSimVenues } from '../../src/sim/index.js';
import { DepthScan, readDepthEvent, readDepthSnapshot, scanDepthEvent, scanDepthSnapshot } from '../../src/venues/backpack/messages.js';
import { LighterBookScan, readBookFrame, scanLighterBook, scannedBookFrame } from '../../src/venues/lighter/messages.js';
import type { MarketSpec } from '../../src/venues/types.js';
import { tempDir } from '../helpers/temp.js';
import { until } from '../helpers/until.js';

/** The replay's decoders as they were before the scanners: JSON.parse, then the venue's parser. */
function referenceDecode(venue: 'backpack' | 'lighter', market: MarketSpec, event: RecordedEvent): FeedMessage {
  try {
    if (venue === 'backpack') {
      const depthStream = `depth.${market.symbol}`;
      if (event.kind === 'snapshot') {
        const s = readDepthSnapshot(JSON.parse(event.payload) as unknown);
        return s.ok ? { k: 'depthSnapshot', snapshot: s.value } : { k: 'refused', why: s.why };
      }
      if (!event.payload.includes(depthStream)) return { k: 'skip' };
      const frame = JSON.parse(event.payload) as { stream?: unknown; data?: unknown };
      if (frame.stream !== depthStream) return { k: 'skip' };
      const d = readDepthEvent(frame.data);
      return d.ok ? { k: 'depth', depth: d.value } : { k: 'refused', why: d.why };
    }
    if (event.kind !== 'frame' || !event.payload.includes('"order_book')) return { k: 'skip' };
    const frame = JSON.parse(event.payload) as Record<string, unknown>;
    if (typeof frame.channel !== 'string' || !frame.channel.startsWith('order_book:')) return { k: 'skip' };
    if (frame.type === 'unsubscribed') return { k: 'skip' };
    const read = readBookFrame(frame, market.priceScale, market.sizeScale);
    return read.ok ? { k: 'bookFrame', frame: read.value } : { k: 'refused', why: read.why };
  } catch (e) {
    return { k: 'refused', why: (e as Error).message };
  }
}

/** A decoded message as the book sync takes it: Backpack rows as fixed-point numbers at the market's scales (what its parseFixed makes of text rows). */
function asSyncTakesIt(m: FeedMessage, market: MarketSpec): unknown {
  const fixed = (rows: ReadonlyArray<readonly [unknown, unknown]>) =>
    rows.map(([p, q]) => (typeof p === 'string' ? [parseFixed(p, market.priceScale), parseFixed(q as string, market.sizeScale)] : [p, q]));
  if (m.k === 'depth') return { k: m.k, depth: { fixed: true, U: m.depth.U, u: m.depth.u, b: fixed(m.depth.b), a: fixed(m.depth.a) } };
  if (m.k === 'depthSnapshot') return { k: m.k, snapshot: { fixed: true, lastUpdateId: m.snapshot.lastUpdateId, bids: fixed(m.snapshot.bids), asks: fixed(m.snapshot.asks) } };
  return m;
}

async function checkRecording(seconds: number, framesPerSecond: number): Promise<void> {
  const dir = tempDir('bla-scan-cover-');
  writeSyntheticRecording(dir, { seconds, framesPerSecond });
  const decode = { backpack: decoderFor('backpack', SYNTHETIC_MARKETS.backpack), lighter: decoderFor('lighter', SYNTHETIC_MARKETS.lighter) };
  const lt = new LighterBookScan();
  const bp = new DepthScan();
  const counts = { depth: 0, depthSnapshot: 0, bookFrame: 0 };
  for await (const item of readRecording(dir)) {
    if (item.kind === 'header' || item.kind === 'order') continue;
    const got = decode[item.venue](item);
    const market = SYNTHETIC_MARKETS[item.venue];
    assert.deepStrictEqual(asSyncTakesIt(got, market), asSyncTakesIt(referenceDecode(item.venue, market, item), market), item.payload);
    // Every synthetic row is on the grid: the scanners hand them over as numbers.
    if (got.k === 'depth') assert.ok('fixed' in got.depth);
    if (got.k === 'depthSnapshot') assert.ok('fixed' in got.snapshot);
    if (got.k === 'depth') assert.ok(scanDepthEvent(item.payload, bp) && bp.streamIs('depth.BTC_USDC_PERP'), `declined: ${item.payload}`);
    if (got.k === 'depthSnapshot') assert.ok(scanDepthSnapshot(item.payload, bp), `declined: ${item.payload}`);
    if (got.k === 'bookFrame') assert.ok(scanLighterBook(item.payload, lt) && scannedBookFrame(lt, 1, 5) !== undefined, `declined: ${item.payload}`);
    if (got.k !== 'skip' && got.k !== 'refused') counts[got.k]++;
  }
  assert.equal(counts.depthSnapshot, 1);
  assert.ok(counts.depth >= seconds * framesPerSecond - 1 && counts.bookFrame >= seconds * framesPerSecond, JSON.stringify(counts));
}

test('the synthetic recordings at 20 and 145 frames/s: every book frame and snapshot read by the scanners, decoded as JSON.parse + the parsers decode it', async () => {
  await checkRecording(60, 20);
  await checkRecording(10, 145);
});

test('the captured Backpack depth events and depth snapshot are read by the scanners, as the parsers read them', () => {
  const dir = join('test', 'fixtures', 'vectors', 'backpack');
  const events: unknown[] = [];
  const snapshots: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (typeof o.stream === 'string' && o.stream.startsWith('depth.') && typeof o.data === 'object') events.push(o);
    else if ('lastUpdateId' in o && ('bids' in o || 'asks' in o)) snapshots.push(o);
    else Object.values(o).forEach(walk);
  };
  for (const name of ['ws_messages.json', 'rest_responses.json', 'orderbook_sequence.json']) walk(JSON.parse(readFileSync(join(dir, name), 'utf8')));
  assert.ok(events.length >= 3 && snapshots.length >= 1, `${events.length} events, ${snapshots.length} snapshots`);
  const scan = new DepthScan();
  for (const e of events) {
    const text = JSON.stringify(e);
    const want = readDepthEvent((e as { data: unknown }).data);
    assert.ok(want.ok, text);
    assert.ok(scanDepthEvent(text, scan), `declined: ${text}`);
    assert.deepStrictEqual(scan.event(), want.value);
    assert.equal(scan.stream, (e as { stream: string }).stream);
  }
  for (const s of snapshots) {
    const text = JSON.stringify(s);
    const want = readDepthSnapshot(s);
    if (!want.ok) continue; // a fixture of a malformed reply
    assert.ok(scanDepthSnapshot(text, scan), `declined: ${text}`);
    assert.deepStrictEqual(scan.snapshot(), want.value);
  }
});

test("the simulators' book frames and depth snapshot are read by the scanners, as the parsers read them", async () => {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, scripted: true, pingIntervalMs: 60_000 });
  const frames: Array<{ venue: 'backpack' | 'lighter'; text: string }> = [];
  const sockets: WebSocket[] = [];
  try {
    const connect = (url: string, venue: 'backpack' | 'lighter', subscribe: string) =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(url);
        sockets.push(ws);
        ws.on('message', (data: WebSocket.RawData) => frames.push({ venue, text: data.toString() }));
        ws.once('open', () => {
          ws.send(subscribe);
          resolve();
        });
        ws.once('error', reject);
      });
    const marketId = sim.engines.lighter.market.marketId;
    await connect(sim.backpack.wsUrl, 'backpack', JSON.stringify({ method: 'SUBSCRIBE', params: ['depth.BTC_USDC_PERP'] }));
    await connect(sim.lighter.wsUrl, 'lighter', JSON.stringify({ type: 'subscribe', channel: `order_book/${marketId}` }));
    const ladder = (best: number, dir: 1 | -1) => [0, 1, 2].map((i) => [best + dir * i * 10, 100_000] as [number, number]);
    const isBook = (f: { venue: string; text: string }) => f.text.includes('"order_book"') || f.text.includes('"depth.');
    for (let i = 0; i < 5; i++) {
      const before = frames.filter(isBook).length;
      sim.engines.backpack.setHouseLiquidity(ladder(999_990 - i * 10, -1), ladder(1_000_000 + i * 10, 1));
      sim.engines.lighter.setHouseLiquidity(ladder(999_980 - i * 10, -1), ladder(1_000_010 + i * 10, 1));
      await until('both venues sent their book frames', () => frames.filter(isBook).length >= before + 2, 10_000);
    }
    const depth = await fetch(`${sim.backpack.apiUrl}/api/v1/depth?symbol=BTC_USDC_PERP&limit=1000`).then((r) => r.text());
    const lt = new LighterBookScan();
    const bp = new DepthScan();
    const spec = sim.engines.lighter.market;
    let read = { backpack: 0, lighter: 0 };
    let snapshots = 0;
    for (const f of frames.filter(isBook)) {
      const parsed = JSON.parse(f.text) as Record<string, unknown>;
      if (f.venue === 'lighter') {
        assert.ok(scanLighterBook(f.text, lt), `declined: ${f.text}`);
        const want = readBookFrame(parsed, spec.priceScale, spec.sizeScale);
        assert.ok(want.ok);
        assert.deepStrictEqual(scannedBookFrame(lt, spec.priceScale, spec.sizeScale), want.value);
        assert.ok(lt.channelIs(`order_book:${marketId}`));
        if (lt.snapshot) snapshots++;
      } else {
        assert.ok(scanDepthEvent(f.text, bp), `declined: ${f.text}`);
        const want = readDepthEvent(parsed.data);
        assert.ok(want.ok);
        assert.deepStrictEqual(bp.event(), want.value);
      }
      read = { ...read, [f.venue]: read[f.venue] + 1 };
    }
    assert.ok(read.backpack >= 5 && read.lighter >= 5, JSON.stringify(read));
    assert.equal(snapshots, 1, "Lighter's subscribed/order_book snapshot");
    assert.ok(scanDepthSnapshot(depth, bp), `declined: ${depth.slice(0, 200)}`);
    const want = readDepthSnapshot(JSON.parse(depth));
    assert.ok(want.ok);
    assert.deepStrictEqual(bp.snapshot(), want.value);
  } finally {
    for (const ws of sockets) ws.close();
    await sim.stop();
  }
});
