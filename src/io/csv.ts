// Append-only CSV files the reference bot's users already read. The header is written once, when
// the file is new or empty; rows are written with a synchronous append so that each row is on
// disk (in the OS page cache, visible to any reader) as soon as append() returns, and a crash
// cannot lose rows that were already reported.

import { closeSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A batched file's rows are written once this much text is waiting. */
const BATCH_BYTES = 64 * 1024;

export type CsvValue = string | number | bigint | boolean | undefined | null;

export class CsvAppender {
  private fd: number | undefined;
  /** The constant columns' fields, rendered once: the same on every row (the run's mode). */
  private readonly tail: string;
  /** Every column of the file: `columns`, then the constant ones. */
  readonly header: readonly string[];
  /** `columns` as a set: a row's keys are checked against it (a trades row has some thirty). */
  private readonly known: ReadonlySet<string>;

  /**
   * `constants` are columns that hold the same value on every row of this run (e.g. `mode`); they
   * follow `columns`. A file that already has another header (another version, other columns) is
   * refused rather than given rows that do not line up with it.
   */
  /** Rows not yet written (batched files only). */
  private pending = '';

  /**
   * `batched`: rows are written in blocks of about BATCH_BYTES and at close() instead of one write
   * each — for a replay, whose files are made again from the recording, never for a live run.
   */
  constructor(
    readonly path: string,
    readonly columns: readonly string[],
    constants: Record<string, CsvValue> = {},
    private readonly batched = false,
  ) {
    this.header = [...columns, ...Object.keys(constants)];
    this.known = new Set(columns);
    this.tail = Object.values(constants)
      .map((v) => ',' + csvField(v))
      .join('');
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'a+');
    const size = fstatSync(fd).size;
    if (size === 0) writeSync(fd, this.header.join(',') + '\n');
    else {
      const expected = this.header.join(',') + '\n';
      const head = Buffer.alloc(expected.length);
      const got = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
      if (got !== expected) {
        closeSync(fd);
        const found = got.split('\n')[0];
        throw new Error(`${path} has other columns (${found.slice(0, 60)}${found.length > 60 ? '…' : ''}), written by another version — move it aside or use another --log-dir`);
      }
    }
    this.fd = fd;
  }

  /** Writes one row; columns missing from `row` are left empty, unknown keys are refused. */
  append(row: Record<string, CsvValue>): void {
    if (this.fd === undefined) throw new Error(`CSV ${this.path} is closed`);
    for (const key of Object.keys(row)) {
      if (!this.known.has(key)) throw new Error(`CSV ${this.path} has no column "${key}"`);
    }
    const line = this.columns.map((c) => csvField(row[c])).join(',') + this.tail + '\n';
    if (!this.batched) {
      writeSync(this.fd, line);
      return;
    }
    this.pending += line;
    if (this.pending.length >= BATCH_BYTES) this.flush();
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return;
    writeSync(this.fd, this.pending);
    this.pending = '';
  }
}

function csvField(value: CsvValue): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** YYYYMMDD in UTC, the date part of the reference's CSV file names. */
export function fileDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replace(/-/g, '');
}

/** ISO-8601 UTC timestamp with milliseconds, used in every row and log line. */
export function isoTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
