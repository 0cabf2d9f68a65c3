// npm run bench:book — our L2 book against CCXT's JavaScript order book on one deterministic
// stream of level updates, in the same process. Prints updates/s for each and the ratio, after
// checking that both books end with identical top 20 levels per side.
//
// The stream: a seeded random walk of the mid price (0.1 ticks, BTC-like), a 500-level book per
// side, and updates drawn near the top with a geometric distance from the touch: size changes of
// existing levels, inserts of new levels, deletions, plus the churn the moving mid causes. Both
// books get pre-parsed numbers (ours: integers at the tick/step scale; CCXT: the same values as
// floats), so the figures compare book maintenance only, not string parsing.

import { OrderBook } from '../src/core/orderbook.js';
import { seededRandom } from '../src/core/prng.js';

// CCXT's order book classes are not in its package exports; load the file that defines them.
const { OrderBook: CcxtOrderBook } = (await import(new URL('./src/base/ws/OrderBook.js', import.meta.resolve('ccxt')).href)) as {
  OrderBook: new (snapshot: { bids: number[][]; asks: number[][] }) => unknown;
};

const UPDATES = Number(process.env.BENCH_UPDATES ?? 1_000_000);
const ROUNDS = 5;
const PRICE_SCALE = 10; // 0.1 tick
const SIZE_SCALE = 100_000; // 0.00001 step

interface Stream {
  snapshotBids: [number, number][];
  snapshotAsks: [number, number][];
  isBid: Uint8Array;
  price: Float64Array;
  size: Float64Array;
}

function makeStream(n: number, seed: number): Stream {
  const rnd = seededRandom(seed);
  let mid = 970_000; // 97000.0 in ticks
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  const randSize = () => 1 + Math.floor(rnd() * 200_000);
  for (let i = 1; i <= 500; i++) {
    bids.set(mid - i, randSize());
    asks.set(mid + i, randSize());
  }
  const snapshotBids = [...bids.entries()];
  const snapshotAsks = [...asks.entries()];
  const isBid = new Uint8Array(n);
  const price = new Float64Array(n);
  const size = new Float64Array(n);
  let k = 0;
  const emit = (bid: boolean, p: number, s: number) => {
    if (k >= n) return;
    isBid[k] = bid ? 1 : 0;
    price[k] = p;
    size[k] = s;
    k++;
    const m = bid ? bids : asks;
    if (s === 0) m.delete(p);
    else m.set(p, s);
  };
  while (k < n) {
    const r = rnd();
    if (r < 0.002) {
      // The mid moves one tick: the touch on one side is consumed, the other side gains a level.
      const up = rnd() < 0.5;
      mid += up ? 1 : -1;
      if (up) {
        emit(false, mid, 0);
        emit(true, mid - 1, randSize());
      } else {
        emit(true, mid, 0);
        emit(false, mid + 1, randSize());
      }
      continue;
    }
    const bid = rnd() < 0.5;
    // Geometric distance from the touch: most activity within the first ~10 levels.
    const distance = 1 + Math.floor(-Math.log(1 - rnd()) * 6);
    const p = bid ? mid - distance : mid + distance;
    const m = bid ? bids : asks;
    const exists = m.has(p);
    const action = rnd();
    if (exists && action < 0.35)
      emit(bid, p, 0); // delete
    else emit(bid, p, randSize()); // change or insert
  }
  return { snapshotBids, snapshotAsks, isBid, price, size };
}

function runOurs(s: Stream): { book: OrderBook; ms: number } {
  const book = new OrderBook();
  book.applySnapshot(s.snapshotBids, s.snapshotAsks);
  const { isBid, price, size } = s;
  const t0 = performance.now();
  for (let i = 0; i < isBid.length; i++) book.update(isBid[i] === 1 ? 'bid' : 'ask', price[i], size[i]);
  return { book, ms: performance.now() - t0 };
}

interface CcxtSide {
  store(price: number, size: number): void;
  length: number;
  [i: number]: [number, number];
}

function runCcxt(s: Stream, fPrice: Float64Array, fSize: Float64Array): { book: { bids: CcxtSide; asks: CcxtSide }; ms: number } {
  const toFloat = (levels: [number, number][]) => levels.map(([p, q]) => [p / PRICE_SCALE, q / SIZE_SCALE]);
  const book = new CcxtOrderBook({ bids: toFloat(s.snapshotBids), asks: toFloat(s.snapshotAsks) }) as unknown as {
    bids: CcxtSide;
    asks: CcxtSide;
  };
  const { isBid } = s;
  const t0 = performance.now();
  for (let i = 0; i < isBid.length; i++) (isBid[i] === 1 ? book.bids : book.asks).store(fPrice[i], fSize[i]);
  return { book, ms: performance.now() - t0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const stream = makeStream(UPDATES, 20261124);
const fPrice = stream.price.map((p) => p / PRICE_SCALE);
const fSize = stream.size.map((q) => q / SIZE_SCALE);
let deletes = 0;
for (let i = 0; i < stream.size.length; i++) if (stream.size[i] === 0) deletes++;
console.log(`stream: ${UPDATES} level updates (${((deletes / UPDATES) * 100).toFixed(1)}% deletions), 500 levels per side at start, seed 20261124`);

const ours: number[] = [];
const ccxt: number[] = [];
let last: { ours: OrderBook; ccxt: { bids: CcxtSide; asks: CcxtSide } } | undefined;
for (let round = 0; round <= ROUNDS; round++) {
  const a = runOurs(stream);
  const b = runCcxt(stream, fPrice, fSize);
  if (round === 0) continue; // warm-up
  ours.push((UPDATES / a.ms) * 1000);
  ccxt.push((UPDATES / b.ms) * 1000);
  last = { ours: a.book, ccxt: b.book };
}

// Both books must agree on the top 20 levels per side, or the figures mean nothing.
const top = (side: CcxtSide) => Array.from({ length: Math.min(20, side.length) }, (_, i) => [Math.round(side[i][0] * PRICE_SCALE), Math.round(side[i][1] * SIZE_SCALE)]);
const same =
  JSON.stringify(last!.ours.levels('bid', 20)) === JSON.stringify(top(last!.ccxt.bids)) && JSON.stringify(last!.ours.levels('ask', 20)) === JSON.stringify(top(last!.ccxt.asks));
if (!same) {
  console.error('MISMATCH: the two books disagree on the top 20 levels; figures withheld');
  process.exit(1);
}
console.log(`top 20 levels per side identical: yes (best bid ${last!.ours.bestBid! / PRICE_SCALE}, best ask ${last!.ours.bestAsk! / PRICE_SCALE})`);
const o = median(ours);
const c = median(ccxt);
console.log(`ours: ${(o / 1e6).toFixed(2)} M updates/s (median of ${ROUNDS} rounds; min ${(Math.min(...ours) / 1e6).toFixed(2)}, max ${(Math.max(...ours) / 1e6).toFixed(2)})`);
console.log(`ccxt: ${(c / 1e6).toFixed(2)} M updates/s (median of ${ROUNDS} rounds; min ${(Math.min(...ccxt) / 1e6).toFixed(2)}, max ${(Math.max(...ccxt) / 1e6).toFixed(2)})`);
console.log(`ratio ours/ccxt: ${(o / c).toFixed(2)}x (target ≥ 5x)`);
