// The reader finds a recording's lines in its decompressed bytes and reads an event line's kind,
// venue and time from them, making only the payload a string. It must give exactly what decoding the
// whole file as UTF-8, splitting the text at '\n' and reading each line with decodeEvent gives
// (the reader's definition): checked here on random files of arbitrary lines — non-ASCII text,
// invalid UTF-8, ASCII-only stretches (read as Latin-1), characters and lines cut by the
// decompressor's chunks, times in forms only
// decodeEvent reads — with and without a --from/--to range; and the count of book events made
// without their payloads is that of the book events read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { decodeEvent, parseHeader, RecordingFormatError } from '../../src/record/format.js';
import { countBookEvents, readRecordingBatches, type RecordingItem } from '../../src/record/reader.js';
import { tempDir } from '../helpers/temp.js';
import { seededRandom } from '../../src/core/prng.js';

const MARKET = { priceScale: 1, sizeScale: 5, tickSize: 1, stepSize: 1, minSize: 1, takerFeeBps: 0, makerFeeBps: 0 };
const HEADER = JSON.stringify({
  format: 1,
  version: '0',
  ticker: 'BTC',
  mode: 'sim',
  markets: { backpack: { ...MARKET, venue: 'backpack', symbol: 'BTC_USDC_PERP' }, lighter: { ...MARKET, venue: 'lighter', symbol: 'BTC', marketId: 1 } },
  clock: { wallMs: Date.UTC(2026, 0, 1), monoMs: 0 },
});

const PIECES = ['{"a":1}', 'é', '€', '😀', '\t', '\r', ' ', 'x', '"', '\\u00e9', 'ü'.repeat(40), 'a'.repeat(300)];
/** Bytes no UTF-8 text has: lone continuations, a cut 4-byte lead, an overlong form, a surrogate's encoding. */
const BAD = [Buffer.from([0x80]), Buffer.from([0xf0, 0x9f]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xff])];
/** Times in the usual form and in forms only decodeEvent reads (Number's rules). */
const TIMES = ['0', '7', '1000', '123456789012345', '000123', '', ' 12', '1e3', '0x10', '-5', '1234567890123456', '+4'];

/** The pieces that are ASCII. */
const ASCII_PIECES = PIECES.filter((p) => Buffer.from(p, 'utf8').every((b) => b < 0x80));

function randomPayload(r: () => number, ascii: boolean): Buffer {
  const parts: Buffer[] = [];
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) {
    if (ascii) parts.push(Buffer.from(ASCII_PIECES[Math.floor(r() * ASCII_PIECES.length)]!, 'utf8'));
    else parts.push(r() < 0.08 ? BAD[Math.floor(r() * BAD.length)]! : Buffer.from(PIECES[Math.floor(r() * PIECES.length)]!, 'utf8'));
  }
  return Buffer.concat(parts);
}

/**
 * A file of `lines` random lines; `asciiUpTo` of them (from the start) ASCII only: the reader takes
 * a decompressed chunk of ASCII bytes as Latin-1 (the same text) and any other as UTF-8.
 */
function randomFile(r: () => number, lines: number, asciiUpTo = 0): Buffer {
  const out: Buffer[] = [Buffer.from(`${HEADER}\n`)];
  let t = 0;
  for (let i = 0; i < lines; i++) {
    if (r() < 0.02) {
      out.push(Buffer.from('\n')); // an empty line: skipped
      continue;
    }
    t += Math.floor(r() * 1000);
    const kind = 'FSO'[Math.floor(r() * 3)]!;
    const venue = r() < 0.5 ? 'b' : 'l';
    const time = r() < 0.85 ? String(t) : TIMES[Math.floor(r() * TIMES.length)]!;
    // (An empty time with an empty payload is a line too short to be an event: given a payload.)
    out.push(Buffer.from(`${kind}\t${venue}\t${time}\t${time === '' ? 'x' : ''}`), randomPayload(r, i < asciiUpTo), Buffer.from('\n'));
  }
  return Buffer.concat(out);
}

/** The definition: the whole file decoded as UTF-8, split at '\n', each line read by parseHeader / decodeEvent; a range as the reader's. */
function reference(file: string, gz: Buffer, range: { fromWallMs?: number; toWallMs?: number } = {}): RecordingItem[] {
  const lines = gunzipSync(gz).toString('utf8').split('\n');
  lines.pop(); // the text after the last newline (empty here)
  const header = parseHeader(lines[0]!, file);
  const base = header.clock.wallMs - header.clock.monoMs;
  const items: RecordingItem[] = [{ kind: 'header', header, file }];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.length === 0) continue;
    const e = decodeEvent(lines[i]!, `${file} line ${i + 1}`);
    const wall = (e.atUs + Math.round(base * 1000)) / 1000;
    if (range.fromWallMs !== undefined && wall < range.fromWallMs) continue;
    if (range.toWallMs !== undefined && wall >= range.toWallMs) break;
    items.push(e);
  }
  return items;
}

async function readAll(dir: string, range: { fromWallMs?: number; toWallMs?: number } = {}): Promise<RecordingItem[]> {
  const out: RecordingItem[] = [];
  for await (const batch of readRecordingBatches(dir, range)) out.push(...batch);
  return out;
}

test('lines read from the bytes are exactly the decoded text split and read line by line: non-ASCII and invalid UTF-8, chunk boundaries, every time form', async () => {
  for (let seed = 1; seed <= 8; seed++) {
    const r = seededRandom(seed);
    const dir = tempDir('bla-reader-bytes-');
    // Some 3,000-9,000 lines of up to a few KB, so that lines and characters are cut by the chunks;
    // seeds 7 and 8 hold 20,000 lines (several 1 MiB chunks), ASCII but for the last 2,000: chunks
    // of ASCII only and chunks with other text, and lines cut across the two.
    const text = seed <= 6 ? randomFile(r, 3000 + Math.floor(r() * 6000)) : randomFile(r, 20_000, 18_000);
    // Several gzip members, cut at arbitrary bytes (possibly inside a character or a line).
    const cuts = [0, Math.floor(text.length * r()), Math.floor(text.length * r()), text.length].sort((a, b) => a - b);
    const gz = Buffer.concat(cuts.slice(1).map((end, i) => gzipSync(text.subarray(cuts[i], end))));
    const file = join(dir, 'BTC-20260101T00.rec.gz');
    writeFileSync(file, gz);
    const want = reference(file, gz);
    assert.ok(want.length > 2000, `seed ${seed}: ${want.length} items`);
    assert.ok(
      want.some((e) => e.kind !== 'header' && e.payload.includes('\ufffd')) && want.some((e) => e.kind !== 'header' && e.payload.includes('😀')),
      'the file holds both invalid and non-ASCII text',
    );
    assert.deepEqual(await readAll(dir), want, `seed ${seed}`);
    // A range: the events within it, and the read stops at the first one past its end.
    const events = want.filter((e) => e.kind !== 'header');
    const wall = (i: number) => Date.UTC(2026, 0, 1) + events[i]!.atUs / 1000;
    const range = { fromWallMs: wall(Math.floor(events.length / 4)), toWallMs: wall(Math.floor((events.length * 3) / 4)) };
    assert.deepEqual(await readAll(dir, range), reference(file, gz, range), `seed ${seed}, range`);
    // The count for the progress bar (no payloads made): the frames and snapshots, in the range or not.
    const books = (items: RecordingItem[]) => items.filter((e) => e.kind === 'frame' || e.kind === 'snapshot').length;
    assert.equal(await countBookEvents(dir), books(want), `seed ${seed}, count`);
    assert.equal(await countBookEvents(dir, range), books(reference(file, gz, range)), `seed ${seed}, count in range`);
  }
});

test("a line the reader cannot read fails with decodeEvent's own line, naming the file and line", async () => {
  const dir = tempDir('bla-reader-bytes-');
  const file = join(dir, 'BTC-20260101T00.rec.gz');
  const bad = 'F\tx\t12\t{"a":1}';
  writeFileSync(file, gzipSync(`${HEADER}\nF\tb\t1\t{}\n${bad}\n`));
  let expected = '';
  try {
    decodeEvent(bad, `${file} line 3`);
  } catch (e) {
    expected = (e as Error).message;
  }
  assert.match(expected, /line 3: bad kind, venue or time/);
  await assert.rejects(readAll(dir), (e: Error) => e instanceof RecordingFormatError && e.message === expected);
});
