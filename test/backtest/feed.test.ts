// A replayed feed's apply() takes the usual book frame from the scanner's buffers straight into the
// book (no message, frame or level made): it must do exactly what decode() then applyMessage() do —
// the same book, book events, status changes, counts and log lines — for every sequence of frames:
// in order and with gaps, stale and crossed ones, snapshots, off-grid levels, frames of other
// streams, damaged text, and resets between them. So must a frame packed by a pipelined replay's
// reading thread and unpacked for the replay (packed.ts: updates applied from the packed numbers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BackpackFeed, LighterFeed, decoderFor, type ReplayFeed, type ReplayMessage } from '../../src/backtest/feed.js';
import { packBatch, unpackBatch, type PackDecoding } from '../../src/backtest/packed.js';
import { MemoryLogger } from '../../src/core/log.js';
import type { RecordedEvent } from '../../src/record/format.js';
import type { MarketSpec } from '../../src/venues/types.js';

const BP: MarketSpec = { venue: 'backpack', symbol: 'BTC_USDC_PERP', priceScale: 1, sizeScale: 3, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 2.5, makerFeeBps: 0 };
const LT: MarketSpec = { venue: 'lighter', symbol: 'BTC', marketId: 1, priceScale: 1, sizeScale: 3, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };

const PACK_DECODING: PackDecoding = { markets: { backpack: BP, lighter: LT }, decode: { backpack: decoderFor('backpack', BP), lighter: decoderFor('lighter', LT) } };

interface Step {
  event?: RecordedEvent;
  reset?: true;
}

/** Everything a feed shows after each step. */
function trace(feed: ReplayFeed, steps: readonly Step[], fused: boolean, log: MemoryLogger, packed = false): string[] {
  const out: string[] = [];
  feed.onBook((e) =>
    out.push(`book ${e.venue} ${e.receivedAt} ${e.book.bestBid} ${e.book.bestAsk} ${JSON.stringify(e.book.levels('bid'))} ${JSON.stringify(e.book.levels('ask'))}`),
  );
  feed.onStatus((v, s) => out.push(`status ${v} ${JSON.stringify(s)}`));
  let at = 1;
  for (const step of steps) {
    if (step.reset) feed.reset();
    else if (packed) {
      // As a pipelined replay takes it: packed on a reading thread, unpacked for the replay (packed.ts).
      const item = unpackBatch(packBatch([step.event!], PACK_DECODING), true)[0] as RecordedEvent;
      feed.applyMessage(item.decoded as ReplayMessage, item.kind, at);
    } else if (fused) feed.apply(step.event!, at);
    else feed.applyMessage(feed.decode(step.event!), step.event!.kind, at);
    at += 1.5;
    out.push(
      `after valid=${feed.valid} applied=${feed.applied} lastBookAt=${feed.lastBookAt} bids=${JSON.stringify(feed.book.levels('bid'))} asks=${JSON.stringify(feed.book.levels('ask'))}`,
    );
  }
  out.push(...log.lines);
  return out;
}

function ev(venue: RecordedEvent['venue'], kind: RecordedEvent['kind'], payload: string): Step {
  return { event: { kind, venue, atUs: 0, payload } };
}

/** Book events seen over a property's runs: the runs must reach the books, not only refusals. */
let bookEvents = 0;

function sameTrace(make: (log: MemoryLogger) => ReplayFeed, steps: readonly Step[]): void {
  const logA = new MemoryLogger();
  const logB = new MemoryLogger();
  const fused = trace(make(logA), steps, true, logA);
  assert.deepEqual(fused, trace(make(logB), steps, false, logB));
  const logC = new MemoryLogger();
  assert.deepEqual(trace(make(logC), steps, false, logC, true), fused, 'packed and unpacked for the replay');
  bookEvents += fused.filter((l) => l.startsWith('book ')).length;
}

// A price on the grid (one decimal) on its side of 1000.0, now and then across it (a crossed
// book), off the grid, or not a decimal the venue sends.
const price = (side: 'bid' | 'ask') =>
  fc.oneof(
    { weight: 300, arbitrary: fc.integer({ min: 1, max: 12 }).map((d) => ((10_000 + (side === 'bid' ? -d : d)) / 10).toFixed(1)) },
    { weight: 1, arbitrary: fc.integer({ min: 9_995, max: 10_005 }).map((p) => (p / 10).toFixed(1)) },
    { weight: 1, arbitrary: fc.constantFrom('1000.05', '999.99', '-1000.0', '1e3', '') },
  );
const size = fc.oneof(
  { weight: 60, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((s) => (s / 1000).toFixed(3)) },
  { weight: 20, arbitrary: fc.constantFrom('0', '0.000', '0.00000') },
  { weight: 1, arbitrary: fc.constantFrom('0.0001', '12345678901234567890', '1.') },
);
const levels = (side: 'bid' | 'ask') => fc.array(fc.tuple(price(side), size), { maxLength: 6 });
/** Damage now and then: the text cut, or a character put in. */
const damage = fc.oneof(
  { weight: 60, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.nat(), fc.constantFrom('"', ',', '}', ']', ' ', 'x')).map(
      ([n, c]) =>
        (t: string) =>
          t.slice(0, n % (t.length + 1)) + c + t.slice(n % (t.length + 1)),
    ),
  },
);

const lighterStep: fc.Arbitrary<(nonce: { last: number }) => Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(levels('bid'), levels('ask'), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 9 }), damage)
      .map(([bids, asks, step, gap, d]) => (n: { last: number }) => {
        // Mostly the next delta in the chain; now and then a gap.
        const begin = gap === 0 ? n.last + 7 : n.last;
        n.last = begin + step;
        const lv = (l: ReadonlyArray<readonly [string, string]>) => l.map(([p, s]) => ({ price: p, size: s }));
        const text = JSON.stringify({
          channel: 'order_book:1',
          offset: 3,
          type: 'update/order_book',
          order_book: { code: 0, asks: lv(asks), bids: lv(bids), nonce: n.last, begin_nonce: begin },
        });
        return ev('lighter', 'frame', d(text));
      }),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(levels('bid'), levels('ask'), fc.integer({ min: 1, max: 1_000 })).map(([bids, asks, nonce]) => (n: { last: number }) => {
      n.last = nonce;
      const lv = (l: ReadonlyArray<readonly [string, string]>) => l.map(([p, s]) => ({ price: p, size: s }));
      const text = JSON.stringify({ channel: 'order_book:1', type: 'subscribed/order_book', order_book: { code: 0, asks: lv(asks), bids: lv(bids), nonce } });
      return ev('lighter', 'frame', text);
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '{"channel":"account_all:7","type":"update/account_all"}',
        '{"type":"ping"}',
        '{"channel":"order_book:1","type":"unsubscribed"}',
        '{"channel":"order_book:1","type":"update/order_book"',
        '{"error":{"code":1,"message":"order_book"}}',
        '{"channel":"order_book:2","type":"update/order_book","order_book":{"asks":[],"bids":[],"nonce":1}}',
      )
      .map((payload) => () => ev('lighter', 'frame', payload)),
  },
  { weight: 1, arbitrary: fc.constant((): Step => ({ reset: true })) },
  { weight: 1, arbitrary: fc.constant(() => ev('lighter', 'snapshot', '{"order_book":{}}')) },
);

test('a Lighter feed applies straight from the scanner exactly as it applies a decoded frame', () => {
  bookEvents = 0;
  fc.assert(
    fc.property(fc.array(lighterStep, { minLength: 1, maxLength: 40, size: 'max' }), (makers) => {
      const n = { last: 0 };
      const steps = makers.map((m) => m(n));
      sameTrace((log) => new LighterFeed(LT, log), steps);
    }),
    { numRuns: 1500 },
  );
  assert.ok(bookEvents > 1500 * 2, `${bookEvents} book events`);
});

const backpackStep: fc.Arbitrary<(ids: { last: number }) => Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(levels('bid'), levels('ask'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 11 }), damage, fc.boolean())
      .map(([b, a, span, odd, d, streamFirst]) => (ids: { last: number }) => {
        // Mostly the next ids; now and then a gap, one overlapping the last (stale, or bridging a
        // snapshot), or u below U.
        let U = ids.last + 1;
        if (odd === 0) U += 5;
        else if (odd === 1) U = ids.last;
        let u = U + span;
        if (odd === 2) u = U - 1;
        else ids.last = Math.max(ids.last, u);
        const data = { e: 'depth', E: 1, s: 'BTC_USDC_PERP', a, b, U, u, T: 1 };
        const text = streamFirst ? JSON.stringify({ stream: 'depth.BTC_USDC_PERP', data }) : JSON.stringify({ data, stream: 'depth.BTC_USDC_PERP' });
        return ev('backpack', 'frame', d(text));
      }),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(levels('bid'), levels('ask'), fc.integer({ min: 0, max: 60 }), damage).map(([bids, asks, id, d]) => (ids: { last: number }) => {
      ids.last = id;
      return ev('backpack', 'snapshot', d(JSON.stringify({ asks, bids, lastUpdateId: String(id) })));
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        '{"stream":"bookTicker.BTC_USDC_PERP","data":{"e":"bookTicker","a":"1000.1","b":"999.9","u":"1"}}',
        '{"stream":"markPrice.BTC_USDC_PERP","data":{"p":"1000.0"}}',
        '{"stream":"depth.ETH_USDC_PERP","data":{"U":1,"u":1,"a":[],"b":[]}}',
        '{"stream":"depth.BTC_USDC_PERP","data":{"U":1,"u":1,"a":[],"b":[]}',
        '{"stream":"depth.BTC_USDC_PERP","data":{"U":"x","u":1}}',
        '{"stream":"depth.BTC_USDC_PERP_X","data":{"U":1,"u":1,"a":[],"b":[]}}',
      )
      .map((payload) => () => ev('backpack', 'frame', payload)),
  },
  { weight: 1, arbitrary: fc.constant((): Step => ({ reset: true })) },
);

test('a Backpack feed applies straight from the scanner exactly as it applies a decoded event', () => {
  bookEvents = 0;
  fc.assert(
    fc.property(fc.array(backpackStep, { minLength: 1, maxLength: 40, size: 'max' }), (makers) => {
      const ids = { last: 0 };
      const steps = makers.map((m) => m(ids));
      sameTrace((log) => new BackpackFeed(BP, log), steps);
    }),
    { numRuns: 1500 },
  );
  assert.ok(bookEvents > 1500 * 2, `${bookEvents} book events`);
});

test('the usual frames take the path without objects: books move, events go out, nothing is refused', () => {
  // A guard that the property tests above exercise the shortcut and not only the fallback.
  const lt = new LighterFeed(LT, new MemoryLogger());
  lt.apply(
    {
      kind: 'frame',
      venue: 'lighter',
      atUs: 0,
      payload:
        '{"channel":"order_book:1","type":"subscribed/order_book","order_book":{"asks":[{"price":"1000.2","size":"1.000"}],"bids":[{"price":"999.8","size":"2.000"}],"nonce":10}}',
    },
    1,
  );
  lt.apply(
    {
      kind: 'frame',
      venue: 'lighter',
      atUs: 0,
      payload: '{"channel":"order_book:1","type":"update/order_book","order_book":{"asks":[{"price":"1000.1","size":"0.500"}],"bids":[],"nonce":12,"begin_nonce":10}}',
    },
    2,
  );
  assert.deepEqual([lt.applied, lt.valid, lt.book.bestAsk, lt.book.bestBid], [2, true, 10_001, 9_998]);
  const bp = new BackpackFeed(BP, new MemoryLogger());
  bp.apply({ kind: 'snapshot', venue: 'backpack', atUs: 0, payload: '{"asks":[["1000.2","1.000"]],"bids":[["999.8","2.000"]],"lastUpdateId":"5"}' }, 1);
  bp.apply({ kind: 'frame', venue: 'backpack', atUs: 0, payload: '{"stream":"depth.BTC_USDC_PERP","data":{"a":[],"b":[["999.9","0.250"]],"U":6,"u":7}}' }, 2);
  assert.deepEqual([bp.applied, bp.valid, bp.book.bestBid, bp.book.bestBidSize], [2, true, 9_999, 250]);
});
