// A synthetic recording in the real format, for tests, the benchmark and the demo's report: a
// seeded random walk quoted on both venues, about ten levels a side, with Lighter's price drifting
// away from Backpack's now and then so that opportunities open and close. The frame mix follows the
// live streams: Backpack depth deltas, a bookTicker after each one that changed the top and a
// markPrice every second, one REST depth snapshot at the start; Lighter a `subscribed/order_book`
// snapshot, then `update/order_book` deltas chained by begin_nonce (spec §5.2), and pings.
//
// What a book frame carries follows captured frames, not a re-quote of the whole ladder:
// - Lighter: nautilus_trader's capture of the mainnet BTC stream (market 1), the `update/order_book`
//   frames of tests/test_data/lighter/ws/mainnet_order_book_place_cancel_btc.json (2,549 frames over
//   17.6 s of their `timestamp`s: about 145 a second, a median of 5 ms apart) carry a median of 3
//   levels and a mean of 4.4 (1–3 levels in 53% of them, 42% of them one side only, the
//   largest 47); replayed on the capture's own snapshot, 40% of those levels remove a price
//   (`"size":"0.00000"`), 40% add a price the book did not have and 20% change the size of one it
//   had. tests/test_data/lighter/ws/public_mainnet.json (same repository) has 14 updates of 1–14
//   levels within 55 ms. Prices are one-decimal text ("92864.6"), sizes five-decimal ("0.36730");
//   asks ascending, bids descending, in both the snapshot and the deltas. The newer fixture
//   crates/adapters/lighter/test_data/ws_order_book_update.json shows begin_nonce trailing nonce
//   by more than one (22), so nonces here step by 1–30.
// - Backpack: a depth event lists only the levels whose depth changed, absolute sizes, zero deleting
//   (spec §6.4 `depth.<symbol>`); CCXT's captured BTC_USDC_PERP event (ccxt/ccxt
//   ts/src/pro/backpack.ts, getCacheIndex comment) is one level, `[["117357.0","0.00000"]]`, with
//   U = u; under load the real-time stream folds several engine updates into one event (U < u,
//   spec §6.4), so some events here span two or three ids. The REST snapshot's sides both come
//   ascending (spec §3 `/api/v1/depth`, CCXT fetchOrderBook capture). bookTicker on every change of
//   the top (spec §6.4), with the top's own sizes.
// Each side of a book moves with its touch: the levels the walk passes go (size 0), a touch left too
// far behind gets a new level, levels that fall out of a window behind the touch go, a thinned side
// gets a level a frame; and each frame carries a few more orders (geometric: mostly one or two, now
// and then many) that cancel a level, place one or change a level's size. With these the Lighter
// frames match the capture's shape above (median 3 levels, mean about 3.9, 53% of 1–3 levels, 43%
// removals) and Backpack's are lighter (median 2). A Lighter basis jump sweeps a whole side in one
// heavy frame (up to some 30 levels), as a fast market does; test/backtest/synthetic.test.ts holds
// these figures.
//
// The rate is the caller's (framesPerSecond, default 20 a venue): the capture's 145 Lighter updates
// a second on BTC were those of a busy 17.6 s, the synthetic default is a quieter market.

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

/** Price ticks (0.1) as the venues' one-decimal text. */
const px = (ticks: number): string => `${Math.floor(ticks / 10)}.${ticks % 10}`;
/** Size units (0.00001) as the venues' five-decimal text; 0 is "0.00000", the captured removal. */
const sz = (units: number): string => `${Math.floor(units / 100_000)}.${String(units % 100_000).padStart(5, '0')}`;

/**
 * Ticks from the mid to the nearest a side's touch may be (the tightest spread is twice this), and
 * how much further back it may stand before a new level fills in at that nearest price.
 */
const HALF_SPREAD = 3;
const TOUCH_SLACK = 3;
/** Levels a side holds: at most DEPTH, refilled one a frame below DEPTH − 2; and its reach behind the touch in ticks. */
const DEPTH = 10;
const WINDOW = 60;
/** Of the orders placed or cancelled in a frame besides the walk's, the share that only change a level's size. */
const RESIZE = 1 / 3;

/** One side's changes in a frame: price ticks → new size units (0 removes). */
type Changes = Map<number, number>;

/**
 * One venue's synthetic book. `step(center)` moves it so that its touch is within center ±
 * HALF_SPREAD ± TOUCH_SLACK and returns only the levels that changed, as a captured delta does.
 */
export class SyntheticBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  /** Each side's prices as they stood before the frame (what a removal may name). */
  private readonly before = new Map<Map<number, number>, Set<number>>();
  /**
   * @param activity The mean number of orders a frame carries besides the walk's (geometric: most
   * frames few, some many), each on a side drawn at random.
   */
  constructor(
    private readonly random: () => number,
    center: number,
    private readonly activity: number,
  ) {
    for (let i = 0; i < DEPTH; i++) {
      this.bids.set(center - HALF_SPREAD - 5 * i, this.size());
      this.asks.set(center + HALF_SPREAD + 5 * i, this.size());
    }
  }

  /** A level's size: 0.05–0.5 BTC in size units. */
  size(): number {
    return 5_000 + Math.floor(this.random() * 45_000);
  }

  /** Best bid and ask (price ticks) with their sizes. */
  top(): { bid: number; bidSize: number; ask: number; askSize: number } {
    const bid = Math.max(...this.bids.keys());
    const ask = Math.min(...this.asks.keys());
    return { bid, bidSize: this.bids.get(bid)!, ask, askSize: this.asks.get(ask)! };
  }

  /** Prices of a side, best first. */
  prices(side: 'bid' | 'ask'): number[] {
    return side === 'bid' ? [...this.bids.keys()].sort((a, b) => b - a) : [...this.asks.keys()].sort((a, b) => a - b);
  }

  step(center: number): { bids: Changes; asks: Changes } {
    const bids = this.moveSide(this.bids, -1, center - HALF_SPREAD);
    const asks = this.moveSide(this.asks, 1, center + HALF_SPREAD);
    // The other orders of the frame; a frame always says something (at least one when the walk changed nothing).
    const more = this.activity / (1 + this.activity);
    let orders = 0;
    while (this.random() < more) orders++;
    for (let i = 0; i < orders || (bids.size === 0 && asks.size === 0); i++) {
      const [side, dir, changes] = this.random() < 0.5 ? ([this.bids, -1, bids] as const) : ([this.asks, 1, asks] as const);
      if (this.random() < RESIZE) this.resize(side, dir, changes);
      else this.churn(side, dir, changes);
    }
    return { bids, asks };
  }

  /** Moves one side (dir −1 bids, +1 asks: the direction of worse prices) so that its touch is at or behind `bound`. */
  private moveSide(side: Map<number, number>, dir: 1 | -1, bound: number): Changes {
    const changes: Changes = new Map();
    this.before.set(side, new Set(side.keys()));
    const remove = (p: number) => this.remove(side, changes, p);
    const set = (p: number, size: number) => {
      side.set(p, size);
      changes.set(p, size);
    };
    const behind = (p: number, from: number) => (p - from) * dir;
    // The levels the walk passed are gone (taken or cancelled).
    for (const p of [...side.keys()]) if (behind(p, bound) < 0) remove(p);
    // A touch left too far behind gets a new level at the bound.
    let touch = this.touch(side, dir);
    if (touch === undefined || behind(touch, bound) > TOUCH_SLACK) set((touch = bound), this.size());
    // Levels too far behind the touch go, then the deepest of a side grown too long.
    for (const p of [...side.keys()]) if (behind(p, touch) > WINDOW) remove(p);
    if (side.size > DEPTH) {
      const deepest = [...side.keys()].sort((a, b) => behind(b, touch) - behind(a, touch));
      for (const p of deepest.slice(0, side.size - DEPTH)) remove(p);
    }
    // A thinned side gets a new level.
    if (side.size < DEPTH - 2) {
      const p = touch + dir * (1 + Math.floor(this.random() * WINDOW));
      if (!side.has(p)) set(p, this.size());
    }
    return changes;
  }

  private remove(side: Map<number, number>, changes: Changes, p: number): void {
    side.delete(p);
    // A level added and removed within the frame never reaches it.
    if (this.before.get(side)?.has(p) === true) changes.set(p, 0);
    else changes.delete(p);
  }

  /** An order behind the touch cancelled (a level goes) or placed (a level the side lacks comes), keeping the side 7–10 levels long. */
  private churn(side: Map<number, number>, dir: 1 | -1, changes: Changes): void {
    const bestFirst = [...side.keys()].sort((a, b) => (a - b) * dir);
    const cancel = side.size >= DEPTH || (side.size > DEPTH - 3 && this.random() < 0.5);
    if (cancel && bestFirst.length > 1) this.remove(side, changes, bestFirst[1 + Math.floor(this.random() * (bestFirst.length - 1))]!);
    else if (!cancel) {
      const p = bestFirst[0]! + dir * (1 + Math.floor(this.random() * WINDOW));
      if (!side.has(p)) {
        side.set(p, this.size());
        changes.set(p, side.get(p)!);
      }
    }
  }

  private touch(side: Map<number, number>, dir: 1 | -1): number | undefined {
    let best: number | undefined;
    for (const p of side.keys()) if (best === undefined || (p - best) * dir < 0) best = p;
    return best;
  }

  /** One level of the side changes size, the levels near the touch more often. */
  private resize(side: Map<number, number>, dir: 1 | -1, changes: Changes): void {
    const bestFirst = [...side.keys()].sort((a, b) => (a - b) * dir);
    const r = this.random();
    const p = bestFirst[Math.floor(r * r * bestFirst.length)]!;
    const size = this.size();
    side.set(p, size);
    changes.set(p, size);
  }
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
  let mid = 1_000_000; // ticks of 0.1: 100000.0
  let basis = 0; // Lighter − Backpack, ticks
  // Backpack sends an event per engine update, Lighter one per batch of a few milliseconds: a little more in each.
  const bp = new SyntheticBook(random, mid, 1);
  const lt = new SyntheticBook(random, mid, 2);
  let bpU = 1_000;
  let ltNonce = 500;
  let ltOffset = 1;
  let tickerId = 111_000_000_000_000_000n;
  // Backpack's REST snapshot: both sides ascending, as captured.
  const restSide = (side: Map<number, number>) => [...side.keys()].sort((a, b) => a - b).map((p) => [px(p), sz(side.get(p)!)]);
  emit(
    encodeEvent(
      'snapshot',
      'backpack',
      monoStart * 1000,
      JSON.stringify({ asks: restSide(bp.asks), bids: restSide(bp.bids), lastUpdateId: String(bpU), timestamp: startWall * 1000 }),
    ),
    monoStart,
  );
  const ltLevels = (book: SyntheticBook, side: 'bid' | 'ask') => book.prices(side).map((p) => ({ price: px(p), size: sz((side === 'bid' ? book.bids : book.asks).get(p)!) }));
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
        order_book: { code: 0, asks: ltLevels(lt, 'ask'), bids: ltLevels(lt, 'bid'), offset: ltOffset, nonce: ltNonce, begin_nonce: 0 },
      }),
    ),
    monoStart + 1,
  );
  // A delta's levels: asks ascending, bids descending, as captured.
  const ordered = (changes: Changes, dir: 1 | -1) => [...changes.keys()].sort((a, b) => (a - b) * dir);
  const bpDelta = (changes: Changes, dir: 1 | -1) => ordered(changes, dir).map((p) => [px(p), sz(changes.get(p)!)]);
  const ltDelta = (changes: Changes, dir: 1 | -1) => ordered(changes, dir).map((p) => ({ price: px(p), size: sz(changes.get(p)!) }));
  const topKey = (b: SyntheticBook) => {
    const top = b.top();
    return `${top.bid} ${top.bidSize} ${top.ask} ${top.askSize}`;
  };
  let bpTop = topKey(bp);
  const steps = Math.floor((o.seconds * 1000) / stepMs);
  for (let s = 1; s <= steps; s++) {
    const t = monoStart + 2 + s * stepMs;
    const wall = startWall + (t - monoStart);
    mid += Math.round((random() - 0.5) * 6);
    // The basis reverts; now and then it jumps 30–60 (3.0–6.0 USD) either way.
    basis = Math.round(basis * 0.97);
    if (random() < 0.004) basis = (random() < 0.5 ? -1 : 1) * (300 + Math.round(random() * 300));
    const tUs = Math.round(t * 1000);
    // Backpack: the levels that changed, then its ticker if the top did.
    const bc = bp.step(mid);
    const U = bpU + 1;
    bpU += random() < 0.1 ? 2 + Math.floor(random() * 2) : 1;
    emit(
      encodeEvent(
        'frame',
        'backpack',
        tUs,
        JSON.stringify({
          stream: 'depth.BTC_USDC_PERP',
          data: { e: 'depth', E: wall * 1000, s: 'BTC_USDC_PERP', a: bpDelta(bc.asks, 1), b: bpDelta(bc.bids, -1), U, u: bpU, T: wall * 1000 },
        }),
      ),
      t,
    );
    if (topKey(bp) !== bpTop) {
      bpTop = topKey(bp);
      const top = bp.top();
      tickerId++;
      emit(
        encodeEvent(
          'frame',
          'backpack',
          tUs + 40,
          JSON.stringify({
            stream: 'bookTicker.BTC_USDC_PERP',
            data: {
              e: 'bookTicker',
              E: wall * 1000,
              s: 'BTC_USDC_PERP',
              a: px(top.ask),
              A: sz(top.askSize),
              b: px(top.bid),
              B: sz(top.bidSize),
              u: String(tickerId),
              T: wall * 1000,
            },
          }),
        ),
        t,
      );
    }
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
    const lc = lt.step(mid + basis);
    const beginNonce = ltNonce;
    ltNonce += 1 + Math.floor(random() * 30);
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
          order_book: { code: 0, asks: ltDelta(lc.asks, 1), bids: ltDelta(lc.bids, -1), offset: ltOffset, nonce: ltNonce, begin_nonce: beginNonce },
        }),
      ),
      lTime,
    );
    if (s % (fps * 30) === 0) emit(encodeEvent('frame', 'lighter', Math.round(lTime * 1000) + 10, '{"type":"ping"}'), lTime);
  }
  flush();
  return events;
}
