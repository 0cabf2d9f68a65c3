// A batch of decoded recording items (feed.ts FeedMessage on each frame and snapshot) in a form that
// crosses threads cheaply: every number in one Float64Array (transferred, not copied; Backpack's
// depth rows too when the scanner made them fixed-point), every decimal string of Backpack's other
// depth rows in one '\n'-joined string (a string is copied whole, one memcpy),
// and the rare texts (headers, order events, refusals) in a short list. Cloning the decoded objects
// instead costs as much as parsing the JSON again, which is what a second thread is meant to save.
// Lighter's levels are already fixed-point integers (safe integers: exact in a float64).

import type { RecordingItem } from '../record/reader.js';
import type { RecordedEvent } from '../record/format.js';
import { DepthScan, scanDepthEvent, scanDepthSnapshot, type DepthRow } from '../venues/backpack/messages.js';
import { LighterBookScan, scanLighterBook } from '../venues/lighter/messages.js';
import { fixedAt, type LevelBuffer } from '../venues/scan.js';
import type { MarketSpec, VenueId } from '../venues/types.js';
import type { Level } from '../core/orderbook.js';
import type { FeedMessage, ReplayMessage } from './feed.js';

export interface PackedBatch {
  nums: Float64Array;
  /** Backpack depth rows' decimal strings, '\n'-joined (decimal text holds no '\n'). */
  text: string;
  /** Headers (JSON), order payloads and refusal reasons, in order. */
  extra: string[];
}

const enum Item {
  Header = 0,
  Order = 1,
  Frame = 2,
  Snapshot = 3,
}
const enum Msg {
  Skip = 0,
  Refused = 1,
  Depth = 2,
  DepthSnapshot = 3,
  BookFrame = 4,
  /** Not decoded: the payload crosses as text and the replaying thread decodes it. */
  Raw = 5,
  /** Depth and DepthSnapshot with fixed-point rows (backpack/messages.ts FixedDepthEvent): numbers, as Lighter's levels. */
  DepthFixed = 6,
  DepthSnapshotFixed = 7,
}

class Numbers {
  a = new Float64Array(16_384);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

/**
 * How packBatch decodes the frames and snapshots it is given undecoded (a reading thread,
 * pipeline.ts serveReader): a book frame or snapshot the scanners read goes straight into the
 * numbers (no BookFrame or DepthEvent made, just to be packed); any other is decoded by `decode`
 * (feed.ts decoderFor) and packed as a decoded item is. Either way the batch unpacks to what
 * `decode` gives (tested).
 */
export interface PackDecoding {
  markets: Record<VenueId, MarketSpec>;
  decode: Record<VenueId, (event: RecordedEvent) => FeedMessage>;
}

// The scanners' reusable state, one per thread.
const lighterScan = new LighterBookScan();
const depthScan = new DepthScan();

/** A buffer's levels at these scales into the numbers (count, then price, size …); false when one is off that grid or out of range. */
function packLevels(nums: Numbers, buf: LevelBuffer, priceScale: number, sizeScale: number): boolean {
  nums.push(buf.n);
  const m = buf.m;
  const f = buf.f;
  for (let k = 0; k < buf.n * 2; k += 2) {
    const price = fixedAt(m[k], f[k], priceScale);
    const size = fixedAt(m[k + 1], f[k + 1], sizeScale);
    if (Number.isNaN(price) || Number.isNaN(size)) return false;
    nums.push(price);
    nums.push(size);
  }
  return true;
}

/**
 * A frame or snapshot the scanners read, packed as packBatch packs what feed.ts's decoder makes of
 * it (the same guards: Lighter's `"order_book` text, Backpack's depth stream); false, with some
 * numbers written that the caller drops, when they do not read it.
 */
function packScanned(nums: Numbers, event: RecordedEvent, market: MarketSpec): boolean {
  const text = event.payload;
  const { priceScale, sizeScale } = market;
  if (event.venue === 'lighter') {
    if (event.kind !== 'frame' || !text.includes('"order_book') || !scanLighterBook(text, lighterScan)) return false;
    nums.push(Msg.BookFrame);
    nums.push(lighterScan.snapshot ? 1 : 0);
    nums.push(lighterScan.nonce);
    nums.push(lighterScan.beginNonce);
    return packLevels(nums, lighterScan.bids, priceScale, sizeScale) && packLevels(nums, lighterScan.asks, priceScale, sizeScale);
  }
  if (event.kind === 'snapshot') {
    if (!scanDepthSnapshot(text, depthScan)) return false;
    nums.push(Msg.DepthSnapshotFixed);
    nums.push(depthScan.u);
  } else {
    const stream = `depth.${market.symbol}`;
    if (!text.includes(stream) || !scanDepthEvent(text, depthScan) || !depthScan.streamIs(stream)) return false;
    nums.push(Msg.DepthFixed);
    nums.push(depthScan.U);
    nums.push(depthScan.u);
  }
  return packLevels(nums, depthScan.bids, priceScale, sizeScale) && packLevels(nums, depthScan.asks, priceScale, sizeScale);
}

/**
 * Packs items: frames and snapshots that carry `decoded` (a FeedMessage) as that; with `decoding`,
 * the others decoded as they are packed (see PackDecoding); without, as their text.
 */
export function packBatch(items: readonly RecordingItem[], decoding?: PackDecoding): PackedBatch {
  const nums = new Numbers();
  const strs: string[] = [];
  const extra: string[] = [];
  const rows = (list: readonly DepthRow[]) => {
    nums.push(list.length);
    for (const [p, q] of list) strs.push(p, q);
  };
  const levels = (list: readonly Level[]) => {
    nums.push(list.length);
    for (const [p, q] of list) {
      nums.push(p);
      nums.push(q);
    }
  };
  for (const item of items) {
    if (item.kind === 'header') {
      nums.push(Item.Header);
      extra.push(JSON.stringify({ header: item.header, file: item.file }));
      continue;
    }
    nums.push(item.kind === 'order' ? Item.Order : item.kind === 'frame' ? Item.Frame : Item.Snapshot);
    nums.push(item.venue === 'backpack' ? 0 : 1);
    nums.push(item.atUs);
    if (item.kind === 'order') {
      extra.push(item.payload);
      continue;
    }
    let m = item.decoded as FeedMessage | undefined;
    if (m === undefined && decoding !== undefined) {
      const mark = nums.n;
      if (packScanned(nums, item, decoding.markets[item.venue])) continue;
      nums.n = mark;
      m = decoding.decode[item.venue](item);
    }
    if (m === undefined) {
      nums.push(Msg.Raw);
      extra.push(item.payload);
      continue;
    }
    switch (m.k) {
      case 'skip':
        nums.push(Msg.Skip);
        break;
      case 'refused':
        nums.push(Msg.Refused);
        extra.push(m.why);
        break;
      case 'depth': {
        const d = m.depth;
        nums.push('fixed' in d ? Msg.DepthFixed : Msg.Depth);
        nums.push(d.U);
        nums.push(d.u);
        if ('fixed' in d) {
          levels(d.b);
          levels(d.a);
        } else {
          rows(d.b);
          rows(d.a);
        }
        break;
      }
      case 'depthSnapshot': {
        const d = m.snapshot;
        nums.push('fixed' in d ? Msg.DepthSnapshotFixed : Msg.DepthSnapshot);
        nums.push(d.lastUpdateId);
        if ('fixed' in d) {
          levels(d.bids);
          levels(d.asks);
        } else {
          rows(d.bids);
          rows(d.asks);
        }
        break;
      }
      case 'bookFrame':
        nums.push(Msg.BookFrame);
        nums.push(m.frame.snapshot ? 1 : 0);
        nums.push(m.frame.nonce);
        nums.push(m.frame.beginNonce);
        levels(m.frame.bids);
        levels(m.frame.asks);
        break;
    }
  }
  return { nums: nums.a.subarray(0, nums.n), text: strs.join('\n'), extra };
}

const SKIP: FeedMessage = { k: 'skip' };

/**
 * The items packBatch packed: frames and snapshots with their decoded message (and an empty
 * payload), or their text. `forReplay`: a Lighter update frame and a Backpack depth frame on the
 * grid come as a PackedUpdate (feed.ts) over the batch's numbers instead of a message with level
 * objects — what a replay applies without making any; the books end the same (a pipelined replay
 * gives the one-thread replay's outputs: tested).
 */
export function unpackBatch(batch: PackedBatch, forReplay = false): RecordingItem[] {
  const { nums, extra } = batch;
  const strs = batch.text.length === 0 ? [] : batch.text.split('\n');
  let i = 0;
  let s = 0;
  let x = 0;
  const rows = (): DepthRow[] => {
    const n = nums[i++]!;
    const out: DepthRow[] = new Array<DepthRow>(n);
    for (let r = 0; r < n; r++, s += 2) out[r] = [strs[s]!, strs[s + 1]!];
    return out;
  };
  const levels = (): Level[] => {
    const n = nums[i++]!;
    const out: Level[] = new Array<Level>(n);
    for (let r = 0; r < n; r++, i += 2) out[r] = [nums[i]!, nums[i + 1]!];
    return out;
  };
  const items: RecordingItem[] = [];
  while (i < nums.length) {
    const kind = nums[i++]!;
    if (kind === Item.Header) {
      const h = JSON.parse(extra[x++]!) as { header: Extract<RecordingItem, { kind: 'header' }>['header']; file: string };
      items.push({ kind: 'header', header: h.header, file: h.file });
      continue;
    }
    const venue = nums[i++] === 0 ? 'backpack' : 'lighter';
    const atUs = nums[i++]!;
    if (kind === Item.Order) {
      items.push({ kind: 'order', venue, atUs, payload: extra[x++]! });
      continue;
    }
    const code = nums[i++]!;
    if (code === Msg.Raw) {
      items.push({ kind: kind === Item.Frame ? 'frame' : 'snapshot', venue, atUs, payload: extra[x++]! });
      continue;
    }
    let decoded: ReplayMessage;
    if (forReplay && (code === Msg.DepthFixed || (code === Msg.BookFrame && nums[i] !== 1))) {
      // Backpack: U, u; Lighter: snapshot (0 here), nonce, begin_nonce; then the bids and the asks.
      let first: number;
      let last: number;
      if (code === Msg.DepthFixed) {
        first = nums[i++]!;
        last = nums[i++]!;
      } else {
        i++;
        last = nums[i++]!;
        first = nums[i++]!;
      }
      const bidsN = nums[i++]!;
      const bidsAt = i;
      i += 2 * bidsN;
      const asksN = nums[i++]!;
      const asksAt = i;
      i += 2 * asksN;
      decoded = { k: 'packedUpdate', nums, first, last, bidsAt, bidsN, asksAt, asksN };
    } else if (code === Msg.Skip) decoded = SKIP;
    else if (code === Msg.Refused) decoded = { k: 'refused', why: extra[x++]! };
    else if (code === Msg.Depth) {
      const U = nums[i++]!;
      const u = nums[i++]!;
      const b = rows();
      const a = rows();
      decoded = { k: 'depth', depth: { U, u, b, a } };
    } else if (code === Msg.DepthFixed) {
      const U = nums[i++]!;
      const u = nums[i++]!;
      const b = levels();
      const a = levels();
      decoded = { k: 'depth', depth: { fixed: true, U, u, b, a } };
    } else if (code === Msg.DepthSnapshotFixed) {
      const lastUpdateId = nums[i++]!;
      const bids = levels();
      const asks = levels();
      decoded = { k: 'depthSnapshot', snapshot: { fixed: true, lastUpdateId, bids, asks } };
    } else if (code === Msg.DepthSnapshot) {
      const lastUpdateId = nums[i++]!;
      const bids = rows();
      const asks = rows();
      decoded = { k: 'depthSnapshot', snapshot: { lastUpdateId, bids, asks } };
    } else {
      const snapshot = nums[i++] === 1;
      const nonce = nums[i++]!;
      const beginNonce = nums[i++]!;
      const bids = levels();
      const asks = levels();
      decoded = { k: 'bookFrame', frame: { snapshot, nonce, beginNonce, bids, asks } };
    }
    const event: RecordedEvent = { kind: kind === Item.Frame ? 'frame' : 'snapshot', venue, atUs, payload: '', decoded };
    items.push(event);
  }
  return items;
}
