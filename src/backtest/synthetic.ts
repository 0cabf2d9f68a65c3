// A synthetic recording in the real format, for tests, the benchmark and the demo's report: a
// seeded random walk quoted on both venues, ten levels a side, with Lighter's price drifting away
// from Backpack's now and then so that opportunities open and close. The frame mix follows the
// live streams: Backpack depth deltas each followed by a bookTicker and a markPrice every second,
// one REST depth snapshot at the start; Lighter a `subscribed/order_book` snapshot, then
// `update/order_book` deltas chained by begin_nonce (spec §5.2), and pings.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seededRandom } from '../core/prng.js';
import type { MarketSpec } from '../venues/types.js';
import { RECORDING_FORMAT, encodeEvent, hourFileName, type RecordingHeader } from '../record/format.js';
import { VERSION } from '../version.js';

export const SYNTHETIC_MARKETS: Readonly<Record<'backpack' | 'lighter', MarketSpec>> = {
  backpack: { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 },
  lighter: { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 20, takerFeeBps: 0, makerFeeBps: 0 },
};

export interface SyntheticOptions {
  seconds: number;
  /** Book frames per second on each venue (default 20). */
  framesPerSecond?: number;
  seed?: number;
  /** Wall time of the first event (default 2026-01-01 00:00 UTC). */
  startWallMs?: number;
}

/** Writes the recording into `dir`; returns how many events it holds. */
export function writeSyntheticRecording(dir: string, o: SyntheticOptions): number {
  mkdirSync(dir, { recursive: true });
  const random = seededRandom(o.seed ?? 7);
  const startWall = o.startWallMs ?? Date.UTC(2026, 0, 1);
  const monoStart = 1_000;
  const header: RecordingHeader = {
    format: RECORDING_FORMAT,
    version: VERSION,
    ticker: 'BTC',
    mode: 'synthetic',
    markets: { ...SYNTHETIC_MARKETS },
    clock: { wallMs: startWall, monoMs: monoStart },
  };
  // Each gzip member is written as soon as it is complete, so that a day's recording never sits in memory.
  let current: string[] = [];
  let currentName = '';
  let firstMember = true;
  let events = 0;
  const flush = () => {
    if (current.length === 0) return;
    const member = gzipSync(current.join(''));
    if (firstMember) writeFileSync(join(dir, currentName), member);
    else appendFileSync(join(dir, currentName), member);
    firstMember = false;
    current = [];
  };
  const emit = (line: string, atMs: number) => {
    const name = hourFileName('BTC', startWall + (atMs - monoStart));
    if (name !== currentName) {
      flush();
      currentName = name;
      firstMember = true;
      current = [JSON.stringify(header) + '\n'];
    } else if (current.length >= 4000) flush();
    current.push(line);
    events++;
  };
  const fps = o.framesPerSecond ?? 20;
  const stepMs = 1000 / fps;
  const px = (ticks: number) => (ticks / 10).toFixed(1);
  const qty = () => (0.05 + random() * 0.45).toFixed(5);
  let mid = 1_000_000; // ticks of 0.1: 100000.0
  let basis = 0; // Lighter − Backpack, ticks
  const ladder = (center: number) => ({ bids: [...Array(10).keys()].map((i) => center - 3 - 5 * i), asks: [...Array(10).keys()].map((i) => center + 3 + 5 * i) });
  let bp = ladder(mid);
  let lt = ladder(mid);
  let bpU = 1_000;
  let ltNonce = 500;
  let ltOffset = 1;
  let tickerId = 111_000_000_000_000_000n;
  const levelsJson = (prices: number[]) => prices.map((p) => [px(p), qty()]);
  emit(
    encodeEvent(
      'snapshot',
      'backpack',
      monoStart * 1000,
      JSON.stringify({ asks: levelsJson(bp.asks), bids: levelsJson(bp.bids), lastUpdateId: String(bpU), timestamp: startWall * 1000 }),
    ),
    monoStart,
  );
  const ltLevels = (prices: number[]) => prices.map((p) => ({ price: px(p), size: qty() }));
  emit(
    encodeEvent(
      'frame',
      'lighter',
      (monoStart + 1) * 1000,
      JSON.stringify({
        channel: 'order_book:1',
        offset: ltOffset++,
        timestamp: startWall + 1,
        type: 'subscribed/order_book',
        order_book: { code: 0, asks: ltLevels(lt.asks), bids: ltLevels(lt.bids), offset: ltOffset, nonce: ltNonce, begin_nonce: ltNonce - 1 },
      }),
    ),
    monoStart + 1,
  );
  const steps = Math.floor((o.seconds * 1000) / stepMs);
  for (let s = 1; s <= steps; s++) {
    const t = monoStart + 2 + s * stepMs;
    const wall = startWall + (t - monoStart);
    mid += Math.round((random() - 0.5) * 6);
    // The basis reverts; now and then it jumps 30–60 (3.0–6.0 USD) either way.
    basis = Math.round(basis * 0.97);
    if (random() < 0.004) basis = (random() < 0.5 ? -1 : 1) * (300 + Math.round(random() * 300));
    const tUs = Math.round(t * 1000);
    // Backpack: the whole new ladder as a delta (old prices not in it set to 0), then its ticker.
    const nb = ladder(mid);
    const delta = (oldP: number[], newP: number[]) => [...oldP.filter((p) => !newP.includes(p)).map((p) => [px(p), '0']), ...newP.map((p) => [px(p), qty()])];
    bpU++;
    emit(
      encodeEvent(
        'frame',
        'backpack',
        tUs,
        JSON.stringify({
          stream: 'depth.BTC_USDC_PERP',
          data: { e: 'depth', E: wall * 1000, s: 'BTC_USDC_PERP', a: delta(bp.asks, nb.asks), b: delta(bp.bids, nb.bids), U: bpU, u: bpU, T: wall * 1000 },
        }),
      ),
      t,
    );
    bp = nb;
    tickerId++;
    emit(
      encodeEvent(
        'frame',
        'backpack',
        tUs + 40,
        JSON.stringify({
          stream: 'bookTicker.BTC_USDC_PERP',
          data: { e: 'bookTicker', E: wall * 1000, s: 'BTC_USDC_PERP', a: px(bp.asks[0]!), A: qty(), b: px(bp.bids[0]!), B: qty(), u: String(tickerId), T: wall * 1000 },
        }),
      ),
      t,
    );
    if (s % fps === 0)
      emit(
        encodeEvent(
          'frame',
          'backpack',
          tUs + 60,
          JSON.stringify({
            stream: 'markPrice.BTC_USDC_PERP',
            data: { e: 'markPrice', E: wall * 1000, s: 'BTC_USDC_PERP', p: px(mid), f: '0.0000125', i: px(mid), n: wall + 3_600_000 },
          }),
        ),
        t,
      );
    // Lighter, half a step later.
    const lTime = t + stepMs / 2;
    const nl = ladder(mid + basis);
    const ldelta = (oldP: number[], newP: number[]) => [
      ...oldP.filter((p) => !newP.includes(p)).map((p) => ({ price: px(p), size: '0.00000' })),
      ...newP.map((p) => ({ price: px(p), size: qty() })),
    ];
    ltNonce++;
    emit(
      encodeEvent(
        'frame',
        'lighter',
        Math.round(lTime * 1000),
        JSON.stringify({
          channel: 'order_book:1',
          offset: ltOffset++,
          timestamp: Math.round(startWall + (lTime - monoStart)),
          type: 'update/order_book',
          order_book: { code: 0, asks: ldelta(lt.asks, nl.asks), bids: ldelta(lt.bids, nl.bids), offset: ltOffset, nonce: ltNonce, begin_nonce: ltNonce - 1 },
        }),
      ),
      lTime,
    );
    lt = nl;
    if (s % (fps * 30) === 0) emit(encodeEvent('frame', 'lighter', Math.round(lTime * 1000) + 10, '{"type":"ping"}'), lTime);
  }
  flush();
  return events;
}
