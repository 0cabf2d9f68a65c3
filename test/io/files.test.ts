import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvAppender, fileDate } from '../../src/io/csv.js';
import { BBO_REFERENCE_COLUMNS, bboCsvPath, runLogPath, tradesCsvPath } from '../../src/io/paths.js';
import { RunLog } from '../../src/io/runlog.js';
import { tempDir } from '../helpers/temp.js';

const NOV_24 = Date.UTC(2026, 10, 24, 12, 30, 0, 123);

test("file names are the reference bot's", () => {
  assert.equal(runLogPath('logs', 'BTC'), join('logs', 'backpack_lighter_BTC.log'));
  assert.equal(bboCsvPath('logs', 'BTC', NOV_24), join('logs', 'bbo_BTC_20261124.csv'));
  assert.equal(tradesCsvPath('out', 'ETH', NOV_24), join('out', 'trades_ETH_20261124.csv'));
  assert.equal(fileDate(Date.UTC(2026, 0, 2, 23, 59)), '20260102');
});

test('CSV: header once, rows appended and readable at once, never truncated', () => {
  const dir = tempDir('bla-csv-');
  const path = bboCsvPath(dir, 'BTC', NOV_24);
  const columns = [...BBO_REFERENCE_COLUMNS, 'extra'];
  const a = new CsvAppender(path, columns);
  a.append({ timestamp: 't1', backpack_bid: '97000.1', signal: 'NONE' });
  // On disk as soon as append returns: another reader sees it before close.
  assert.equal(readFileSync(path, 'utf8'), 'timestamp,backpack_bid,backpack_ask,lighter_bid,lighter_ask,long_spread,short_spread,signal,extra\nt1,97000.1,,,,,,NONE,\n');
  a.close();
  const b = new CsvAppender(path, columns); // a restart appends, no second header
  b.append({ timestamp: 't2', extra: 'has "quotes", and a comma' });
  b.close();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], 't2,,,,,,,,"has ""quotes"", and a comma"');
  assert.throws(() => new CsvAppender(path, columns).append({ nope: 1 }), /no column "nope"/);
});

test('CSV batched (a replay): rows written in blocks and at close, the same bytes as a row at a time', () => {
  const dir = tempDir('bla-csv-');
  const rows = Array.from({ length: 3000 }, (_, i) => ({ timestamp: `t${i}`, direction: i % 2 === 0 ? 'LONG_BACKPACK' : 'a "quoted", row' }));
  const each = new CsvAppender(join(dir, 'each.csv'), ['timestamp', 'direction'], { mode: 'backtest' });
  const batched = new CsvAppender(join(dir, 'batched.csv'), ['timestamp', 'direction'], { mode: 'backtest' }, true);
  batched.append(rows[0]!);
  assert.equal(readFileSync(join(dir, 'batched.csv'), 'utf8'), 'timestamp,direction,mode\n', 'a row waits for its block');
  for (const r of rows) each.append(r);
  for (const r of rows.slice(1)) batched.append(r);
  const midway = readFileSync(join(dir, 'batched.csv'), 'utf8');
  assert.ok(midway.length > 64 * 1024 && midway.endsWith('\n'), 'full blocks are written as they fill');
  each.close();
  batched.close();
  batched.close(); // a second close writes nothing twice
  assert.equal(readFileSync(join(dir, 'batched.csv'), 'utf8'), readFileSync(join(dir, 'each.csv'), 'utf8'));
  assert.throws(() => batched.append(rows[0]!), /is closed/);
});

test("CSV: a constant column (the run's mode) follows the others on every row; a file with another header is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bla-csv-'));
  try {
    const path = join(dir, 'trades_BTC_20261124.csv');
    const a = new CsvAppender(path, ['timestamp', 'direction'], { mode: 'sim' });
    a.append({ timestamp: 't1', direction: 'LONG_BACKPACK' });
    a.append({ timestamp: 't2' });
    a.close();
    assert.equal(readFileSync(path, 'utf8'), 'timestamp,direction,mode\nt1,LONG_BACKPACK,sim\nt2,,sim\n');
    assert.throws(() => new CsvAppender(join(dir, 'other.csv'), ['a'], { mode: 'sim' }).append({ mode: 'x' }), /no column "mode"/, 'a constant column is not a row field');
    // Yesterday's version wrote no mode column: its rows would not line up with ours.
    const old = join(dir, 'old.csv');
    writeFileSync(old, 'timestamp,direction\nt0,LONG_BACKPACK\n');
    assert.throws(
      () => new CsvAppender(old, ['timestamp', 'direction'], { mode: 'live' }),
      /old\.csv has other columns \(timestamp,direction\), written by another version — move it aside or use another --log-dir/,
    );
    assert.equal(readFileSync(old, 'utf8'), 'timestamp,direction\nt0,LONG_BACKPACK\n', 'left untouched');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run log: timestamped lines in the file, level filter for the console', () => {
  const dir = tempDir('bla-log-');
  const log = new RunLog(runLogPath(dir, 'BTC'), { consoleLevel: 'OFF', now: () => NOV_24 });
  log.info('mode: sim');
  log.warn('book stale');
  log.close();
  assert.equal(readFileSync(join(dir, 'backpack_lighter_BTC.log'), 'utf8'), '2026-11-24T12:30:00.123Z INFO  mode: sim\n2026-11-24T12:30:00.123Z WARN  book stale\n');
});

test('run log as JSON: one pino object per line, child tags as src, the level filter applied to the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bla-log-'));
  try {
    const log = new RunLog(runLogPath(dir, 'BTC'), { consoleLevel: 'OFF', fileLevel: 'INFO', format: 'json', now: () => NOV_24 });
    log.debug('not written: below the level');
    log.info('mode: sim');
    log.child('backpack').warn('order connection: "ECONNRESET"');
    log.close();
    const lines = readFileSync(join(dir, 'backpack_lighter_BTC.log'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as unknown),
      [
        { level: 'info', time: '2026-11-24T12:30:00.123Z', msg: 'mode: sim' },
        { level: 'warn', time: '2026-11-24T12:30:00.123Z', src: 'backpack', msg: 'order connection: "ECONNRESET"' },
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("run log as text: a child's tag in brackets", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bla-log-'));
  try {
    const log = new RunLog(runLogPath(dir, 'BTC'), { consoleLevel: 'OFF', now: () => NOV_24 });
    log.child('lighter').child('ws').error('closed');
    log.close();
    assert.equal(readFileSync(join(dir, 'backpack_lighter_BTC.log'), 'utf8'), '2026-11-24T12:30:00.123Z ERROR [ws] closed\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("run log rotates daily: the current file keeps the reference's name, each past day gets its date", () => {
  const dir = mkdtempSync(join(tmpdir(), 'bla-log-'));
  try {
    const path = runLogPath(dir, 'BTC');
    let now = Date.UTC(2026, 10, 24, 23, 59, 59, 999);
    const log = new RunLog(path, { consoleLevel: 'OFF', now: () => now });
    log.info('last line of the 24th');
    now += 1; // midnight UTC
    log.info('first line of the 25th');
    log.close();
    assert.deepEqual(readdirSync(dir).sort(), ['backpack_lighter_BTC.log', 'backpack_lighter_BTC.log.20261124']);
    assert.equal(readFileSync(`${path}.20261124`, 'utf8'), '2026-11-24T23:59:59.999Z INFO  last line of the 24th\n');
    assert.equal(readFileSync(path, 'utf8'), '2026-11-25T00:00:00.000Z INFO  first line of the 25th\n');

    // A restart days later finds the 25th's file (by its time) and rotates it before writing.
    utimesSync(path, new Date(Date.UTC(2026, 10, 25, 12)), new Date(Date.UTC(2026, 10, 25, 12)));
    now = Date.UTC(2026, 10, 27, 8);
    const again = new RunLog(path, { consoleLevel: 'OFF', now: () => now });
    again.info('the 27th');
    again.close();
    assert.deepEqual(readdirSync(dir).sort(), ['backpack_lighter_BTC.log', 'backpack_lighter_BTC.log.20261124', 'backpack_lighter_BTC.log.20261125']);
    assert.equal(readFileSync(path, 'utf8'), '2026-11-27T08:00:00.000Z INFO  the 27th\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
