// Append-only CSV files the reference bot's users already read. The header is written once, when
// the file is new or empty; rows are written with a synchronous append so that each row is on
// disk (in the OS page cache, visible to any reader) as soon as append() returns, and a crash
// cannot lose rows that were already reported.

import { closeSync, mkdirSync, openSync, fstatSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type CsvValue = string | number | bigint | boolean | undefined | null;

export class CsvAppender {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    readonly columns: readonly string[],
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    if (fstatSync(this.fd).size === 0) writeSync(this.fd, columns.join(',') + '\n');
  }

  /** Writes one row; columns missing from `row` are left empty, unknown keys are refused. */
  append(row: Record<string, CsvValue>): void {
    if (this.fd === undefined) throw new Error(`CSV ${this.path} is closed`);
    for (const key of Object.keys(row)) {
      if (!this.columns.includes(key)) throw new Error(`CSV ${this.path} has no column "${key}"`);
    }
    const line = this.columns.map((c) => csvField(row[c])).join(',') + '\n';
    writeSync(this.fd, line);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
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
