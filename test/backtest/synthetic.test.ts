// The synthetic recording (src/backtest/synthetic.ts) read back frame by frame with a book kept here,
// apart from the project's parsers and book syncs: every frame continues its sequence, removes only
// levels the book has, leaves the book uncrossed and carries a few levels as captured frames do, and
// Backpack's bookTicker always shows the book's top. Then the project's own replay of it: every book
// frame applied, no resync, and trades entered only while the rebuilt books really showed the spread.
// And the generator's own book: its changes applied step by step rebuild it exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runBacktest } from '../../src/backtest/run.js';
import { SyntheticBook, writeSyntheticRecording } from '../../src/backtest/synthetic.js';
import { parseConfig } from '../../src/cli/args.js';
import { engineSettings } from '../../src/cli/settings.js';
import { MemoryLogger } from '../../src/core/log.js';
import { seededRandom } from '../../src/core/prng.js';
import { tempDir } from '../helpers/temp.js';

/** One side: price in tenths → size text. */
type Side = Map<number, string>;
interface Book {
  bids: Side;
  asks: Side;
}

const PRICE = /^\d+\.\d$/;
const SIZE = /^\d\.\d{5}$/;
const tenths = (price: string): number => {
  assert.match(price, PRICE);
  const [int, dec] = price.split('.');
  return Number(int) * 10 + Number(dec);
};
const best = (side: Side, bid: boolean): number => (bid ? Math.max(...side.keys()) : Math.min(...side.keys()));

/** Applies one side of a delta; returns how many levels it named and removed. Removals must name a level the book has. */
function applySide(side: Side, levels: Array<[string, string]>, where: string): [number, number] {
  const seen = new Set<number>();
  let removed = 0;
  for (const [price, size] of levels) {
    const p = tenths(price);
    assert.match(size, SIZE, where);
    assert.ok(!seen.has(p), `${where}: price ${price} twice in one frame`);
    seen.add(p);
    if (Number(size) === 0) {
      assert.ok(side.has(p), `${where}: removes ${price}, which the book does not have`);
      side.delete(p);
      removed++;
    } else side.set(p, size);
  }
  return [levels.length, removed];
}
const both = (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]];

interface Replayed {
  /** After each book frame: its µs time and Lighter bid − Backpack ask, Backpack bid − Lighter ask (tenths). */
  timeline: Array<{ atUs: number; long: number; short: number }>;
  bookFrames: { backpack: number; lighter: number };
  /** Per delta: levels named, and of those removed. */
  lighterLevels: Array<[number, number]>;
  backpackLevels: Array<[number, number]>;
  tickers: number;
}

/** Reads every hour file of the recording with gunzip and JSON.parse only, keeping both books here. */
function replayHere(dir: string): Replayed {
  const bp: Book = { bids: new Map(), asks: new Map() };
  const lt: Book = { bids: new Map(), asks: new Map() };
  let lastU: number | undefined;
  let lastNonce: number | undefined;
  let topChanged = false;
  let tickerDue = false;
  const out: Replayed = { timeline: [], bookFrames: { backpack: 0, lighter: 0 }, lighterLevels: [], backpackLevels: [], tickers: 0 };
  const files = readdirSync(dir).sort();
  assert.ok(files.length > 0);
  for (const file of files) {
    const lines = gunzipSync(readFileSync(join(dir, file)))
      .toString('utf8')
      .split('\n');
    assert.equal(lines.pop(), '', `${file} ends with a complete line`);
    for (const line of lines.slice(1)) {
      const [kind, venue, us, payload] = line.split('\t') as [string, string, string, string];
      const atUs = Number(us);
      const where = `${file} at ${us}`;
      const msg = JSON.parse(payload);
      const topOf = (b: Book) => `${best(b.bids, true)} ${b.bids.get(best(b.bids, true))} ${best(b.asks, false)} ${b.asks.get(best(b.asks, false))}`;
      if (venue === 'b' && kind === 'S') {
        for (const [side, levels] of [
          [bp.asks, msg.asks],
          [bp.bids, msg.bids],
        ] as Array<[Side, Array<[string, string]>]>) {
          const prices = levels.map(([p]) => tenths(p));
          assert.deepEqual(
            prices,
            [...prices].sort((a, b) => a - b),
            `${where}: REST snapshot sides ascending, as captured`,
          );
          applySide(side, levels, where);
        }
        lastU = Number(msg.lastUpdateId);
        out.bookFrames.backpack++;
      } else if (venue === 'b' && msg.stream === 'depth.BTC_USDC_PERP') {
        const d = msg.data;
        assert.ok(lastU !== undefined, `${where}: a depth event before the snapshot`);
        assert.equal(d.U, lastU + 1, `${where}: depth U continues the previous u`);
        assert.ok(d.u >= d.U, where);
        lastU = d.u;
        assert.equal(tickerDue, false, `${where}: the previous depth change of the top had no bookTicker`);
        const before = topOf(bp);
        out.backpackLevels.push(both(applySide(bp.asks, d.a, where), applySide(bp.bids, d.b, where)));
        tickerDue = topChanged = topOf(bp) !== before;
        out.bookFrames.backpack++;
      } else if (venue === 'b' && msg.stream === 'bookTicker.BTC_USDC_PERP') {
        const d = msg.data;
        assert.equal(topChanged, true, `${where}: a bookTicker without a change of the top`);
        assert.deepEqual([tenths(d.b), d.B, tenths(d.a), d.A].join(' '), topOf(bp), `${where}: bookTicker shows the book's top`);
        tickerDue = false;
        topChanged = false;
        out.tickers++;
      } else if (venue === 'l' && (msg.type === 'subscribed/order_book' || msg.type === 'update/order_book')) {
        const ob = msg.order_book;
        if (msg.type === 'subscribed/order_book') {
          assert.equal(lastNonce, undefined, `${where}: one snapshot`);
          applySide(
            lt.asks,
            ob.asks.map((l: { price: string; size: string }) => [l.price, l.size]),
            where,
          );
          applySide(
            lt.bids,
            ob.bids.map((l: { price: string; size: string }) => [l.price, l.size]),
            where,
          );
        } else {
          assert.equal(ob.begin_nonce, lastNonce, `${where}: begin_nonce continues the previous nonce`);
          const asks = ob.asks.map((l: { price: string; size: string }) => [l.price, l.size]);
          const bids = ob.bids.map((l: { price: string; size: string }) => [l.price, l.size]);
          // As captured: asks ascending, bids descending.
          assert.deepEqual(
            asks.map(([p]: string[]) => tenths(p!)),
            asks.map(([p]: string[]) => tenths(p!)).sort((a: number, b: number) => a - b),
            where,
          );
          assert.deepEqual(
            bids.map(([p]: string[]) => tenths(p!)),
            bids.map(([p]: string[]) => tenths(p!)).sort((a: number, b: number) => b - a),
            where,
          );
          out.lighterLevels.push(both(applySide(lt.asks, asks, where), applySide(lt.bids, bids, where)));
        }
        assert.ok(ob.nonce > (lastNonce ?? -1), where);
        lastNonce = ob.nonce;
        out.bookFrames.lighter++;
      } else continue;
      for (const [name, b] of [
        ['backpack', bp],
        ['lighter', lt],
      ] as Array<[string, Book]>) {
        if (b.bids.size === 0 && b.asks.size === 0) continue; // Lighter before its snapshot
        assert.ok(b.bids.size >= 1 && b.bids.size <= 10 && b.asks.size >= 1 && b.asks.size <= 10, `${where}: ${name} holds 1–10 levels a side`);
        assert.ok(best(b.bids, true) < best(b.asks, false), `${where}: ${name} book crossed`);
      }
      if (lt.bids.size > 0) out.timeline.push({ atUs, long: best(lt.bids, true) - best(bp.asks, false), short: best(bp.bids, true) - best(lt.asks, false) });
    }
  }
  assert.equal(tickerDue, false, 'the last change of the top had its bookTicker');
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const min = (xs: number[]) => xs.reduce((a, b) => Math.min(a, b));
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b));

test('over a simulated hour the synthetic books stay in sequence and uncrossed, and their frames carry a few levels as captured frames do', () => {
  const dir = tempDir('bla-synth-long-');
  const events = writeSyntheticRecording(dir, { seconds: 3_600, framesPerSecond: 20, seed: 11 });
  const r = replayHere(dir);
  // 72,000 steps: a depth event and a Lighter update each, the two snapshots, a markPrice a second, a ping every 30 s, and the tickers.
  assert.deepEqual(r.bookFrames, { backpack: 72_001, lighter: 72_001 });
  assert.equal(events, 72_001 * 2 + 3_600 + 120 + r.tickers);
  // A bookTicker for each depth event that changed the top (checked frame by frame above), and only for those: not for every event.
  assert.ok(r.tickers > 0 && r.tickers < 72_000, `${r.tickers} tickers`);
  // nautilus_trader's captured Lighter BTC updates: a median of 3 levels, a mean of 4.4, at most 47, 40% of them removals.
  for (const [name, frames] of [
    ['lighter', r.lighterLevels],
    ['backpack', r.backpackLevels],
  ] as Array<[string, Array<[number, number]>]>) {
    const levels = frames.map(([n]) => n);
    const removals = frames.reduce((a, [, z]) => a + z, 0) / levels.reduce((a, b) => a + b, 0);
    assert.ok(min(levels) >= 1, `${name}: no empty frame`);
    assert.ok(median(levels) >= 2 && median(levels) <= 4, `${name}: median ${median(levels)} levels`);
    assert.ok(mean(levels) >= 2 && mean(levels) <= 6, `${name}: mean ${mean(levels)} levels`);
    assert.ok(max(levels) <= 47, `${name}: at most ${max(levels)} levels`);
    assert.ok(removals > 0.3 && removals < 0.5, `${name}: ${removals} of the levels are removals`);
  }
  // Lighter's basis jumps sweep its book: a frame removes every level of a side (10); Backpack's book never jumps.
  assert.ok(max(r.lighterLevels.map(([, z]) => z)) >= 10, `most removals in a Lighter frame ${max(r.lighterLevels.map(([, z]) => z))}`);
  assert.ok(max(r.backpackLevels.map(([, z]) => z)) < 10, `most removals in a Backpack frame ${max(r.backpackLevels.map(([, z]) => z))}`);
  // Both ways, opportunities opened (a spread of over 3.0 USD) and closed again (the books back level).
  for (const way of ['long', 'short'] as const) {
    const open = r.timeline.findIndex((t) => t[way] > 300);
    assert.ok(open >= 0 && r.timeline.slice(open).some((t) => t[way] < 0), `${way}: opened and closed`);
  }
});

test('the replay applies every synthetic book frame without a resync, and trades only while the books show the spread', async () => {
  const dir = tempDir('bla-synth-bt-');
  writeSyntheticRecording(dir, { seconds: 300, framesPerSecond: 20, seed: 5 });
  const here = replayHere(dir);
  const logDir = tempDir('bla-synth-out-');
  const parsed = parseConfig(['--sim', '--size', '0.01', '--long-threshold', '10', '--short-threshold', '10', '--max-position', '0.05', '--log-dir', logDir], {});
  assert.ok(parsed.kind === 'run');
  const logger = new MemoryLogger();
  const result = await runBacktest({ dataDir: dir, settings: engineSettings(parsed.config), latency: 'learned', logger });
  assert.deepEqual(result.applied, here.bookFrames);
  const warnings = logger.lines.filter((l) => l.startsWith('WARN') && !l.includes('is below the round-trip taker fees'));
  assert.deepEqual(warnings, []);
  const entries = result.trades.filter((t) => t.kind === 'entry');
  assert.ok(entries.length > 0, 'the basis jumps opened opportunities');
  assert.ok(entries.some((t) => t.direction === 'LONG_BACKPACK') && entries.some((t) => t.direction === 'SHORT_BACKPACK'), 'both ways');
  for (const t of entries) {
    // The books as they stood after the last frame up to the one that triggered the entry.
    const at = Math.round(t.triggeredAt * 1000);
    let i = here.timeline.length - 1;
    while (i > 0 && here.timeline[i]!.atUs > at) i--;
    const books = here.timeline[i]!;
    const spread = t.direction === 'LONG_BACKPACK' ? books.long : books.short;
    // Over the threshold (10 USD = 100 tenths); with no jump the spread is −0.6 USD, so each entry rides a jump.
    assert.ok(spread > 100, `${t.direction} entered at ${t.triggeredAt} ms on a top-of-book spread of ${spread / 10} USD`);
  }
});

test("each step's changes, applied to the book before it, give exactly the generator's book after it, through walks and jumps", () => {
  const random = seededRandom(3);
  let center = 1_000_000;
  const book = new SyntheticBook(random, center, 2);
  const bids = new Map(book.bids);
  const asks = new Map(book.asks);
  let jumps = 0;
  for (let s = 1; s <= 20_000; s++) {
    center += Math.round((random() - 0.5) * 6);
    if (s % 997 === 0) {
      center += (s % 2 === 0 ? 1 : -1) * 450; // a basis jump: 45 USD in one step
      jumps++;
    }
    const changes = book.step(center);
    assert.ok(changes.bids.size + changes.asks.size > 0, `step ${s}: an empty frame`);
    for (const [side, delta] of [
      [bids, changes.bids],
      [asks, changes.asks],
    ] as const)
      for (const [p, q] of delta) {
        if (q === 0) {
          assert.ok(side.has(p), `step ${s}: removes ${p}, which the book did not have`);
          side.delete(p);
        } else side.set(p, q);
      }
    assert.deepEqual(bids, book.bids, `step ${s}: bids`);
    assert.deepEqual(asks, book.asks, `step ${s}: asks`);
    const top = book.top();
    assert.ok(top.bid <= center - 3 && top.bid >= center - 6 && top.ask >= center + 3 && top.ask <= center + 6, `step ${s}: touch ${top.bid}/${top.ask} around ${center}`);
  }
  assert.equal(jumps, 20);
});
