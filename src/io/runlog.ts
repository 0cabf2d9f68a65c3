// The run log: {log-dir}/backpack_lighter_{TICKER}.log (the reference's name), echoed to the
// console as the reference did. pino builds each record (levels, child tags, JSON); the sink
// below writes it synchronously, so the last line before a crash is on disk, as text (the
// reference's form) or as the JSON line itself. The file rotates daily: when the UTC date
// changes, the current file is renamed with the date it covers (…_BTC.log.20261127) and a new
// one is started under the reference's name, so a `tail -F` and the users' scripts keep working.

import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '../core/log.js';
import { fileDate, isoTimestamp } from './csv.js';

export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const RANK: Record<Level, number> = { DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50 }; // pino's numbers
const LABEL: Record<number, Level> = { 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR' };

export interface RunLogOptions {
  /** Echo records at or above this level to the console (stderr for WARN/ERROR); default INFO. */
  consoleLevel?: Level | 'OFF';
  /** Write records at or above this level to the file; default DEBUG. */
  fileLevel?: Level;
  /** `text`: `2026-11-24T12:30:00.123Z INFO  [tag] message`; `json`: one pino object per line. */
  format?: 'text' | 'json';
  /** Epoch ms for timestamps and the rotation date. */
  now?: () => number;
}

/** A Logger that can hand out tagged children (`[backpack] …` in text, `"src":"backpack"` in JSON). */
export interface TaggedLogger extends Logger {
  child(tag: string): TaggedLogger;
}

export class RunLog implements TaggedLogger {
  private readonly sink: RunLogSink;
  private readonly pino: Pino;

  constructor(
    readonly path: string,
    options: RunLogOptions = {},
  ) {
    const now = options.now ?? Date.now;
    this.sink = new RunLogSink(path, {
      consoleRank: options.consoleLevel === 'OFF' ? Infinity : RANK[options.consoleLevel ?? 'INFO'],
      fileRank: RANK[options.fileLevel ?? 'DEBUG'],
      format: options.format ?? 'text',
      now,
    });
    const lowest = Math.min(this.sink.options.consoleRank, this.sink.options.fileRank);
    this.pino = pino(
      {
        level: LABEL[lowest]?.toLowerCase() ?? 'silent',
        base: undefined,
        timestamp: () => `,"time":"${isoTimestamp(now())}"`,
        formatters: { level: (label) => ({ level: label }) },
      },
      this.sink,
    );
  }

  debug(m: string): void {
    this.pino.debug(m);
  }
  info(m: string): void {
    this.pino.info(m);
  }
  warn(m: string): void {
    this.pino.warn(m);
  }
  error(m: string): void {
    this.pino.error(m);
  }
  child(tag: string): TaggedLogger {
    return wrap(this.pino.child({ src: tag }));
  }

  close(): void {
    this.sink.close();
  }
}

function wrap(p: Pino): TaggedLogger {
  return {
    debug: (m) => p.debug(m),
    info: (m) => p.info(m),
    warn: (m) => p.warn(m),
    error: (m) => p.error(m),
    child: (tag) => wrap(p.child({ src: tag })),
  };
}

interface SinkOptions {
  consoleRank: number;
  fileRank: number;
  format: 'text' | 'json';
  now: () => number;
}

/** pino's destination: each record is written at once with writeSync, to the file and the console. */
class RunLogSink {
  private fd: number | undefined;
  private day: string;

  constructor(
    private readonly path: string,
    readonly options: SinkOptions,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.day = fileDate(options.now());
    // A file left from an earlier day is that day's log: rotate it before writing today's.
    if (existsSync(path)) {
      const written = fileDate(statSync(path).mtimeMs);
      if (written < this.day) this.rotate(written);
    }
    this.fd = openSync(path, 'a');
  }

  write(record: string): void {
    const parsed = JSON.parse(record) as { level: string; time: string; src?: string; msg: string };
    const rank = RANK[parsed.level.toUpperCase() as Level];
    const line =
      this.options.format === 'json'
        ? record.endsWith('\n')
          ? record
          : record + '\n'
        : `${parsed.time} ${parsed.level.toUpperCase().padEnd(5)} ${parsed.src !== undefined ? `[${parsed.src}] ` : ''}${parsed.msg}\n`;
    if (this.fd !== undefined && rank >= this.options.fileRank) {
      const day = fileDate(this.options.now());
      if (day !== this.day) {
        closeSync(this.fd);
        this.rotate(this.day);
        this.day = day;
        this.fd = openSync(this.path, 'a');
      }
      writeSync(this.fd, line);
    }
    if (rank >= this.options.consoleRank) {
      if (rank >= RANK.WARN) process.stderr.write(line);
      else process.stdout.write(line);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** backpack_lighter_BTC.log → backpack_lighter_BTC.log.YYYYMMDD (then .1, .2 … if that day's name is taken). */
  private rotate(day: string): void {
    let target = `${this.path}.${day}`;
    for (let n = 1; existsSync(target); n++) target = `${this.path}.${day}.${n}`;
    renameSync(this.path, target);
  }
}
