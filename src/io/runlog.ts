// The run log: timestamped lines in {log-dir}/backpack_lighter_{TICKER}.log, echoed to the
// console as the reference did. Appended synchronously so the last line before a crash is kept.

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/log.js';
import { isoTimestamp } from './csv.js';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
const RANK: Record<Level, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export interface RunLogOptions {
  /** Echo lines at or above this level to the console (stderr for WARN/ERROR). */
  consoleLevel?: Level | 'OFF';
  /** Write lines at or above this level to the file. */
  fileLevel?: Level;
  now?: () => number;
}

export class RunLog implements Logger {
  private fd: number | undefined;
  private readonly consoleRank: number;
  private readonly fileRank: number;
  private readonly now: () => number;

  constructor(readonly path: string, options: RunLogOptions = {}) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.consoleRank = options.consoleLevel === 'OFF' ? Infinity : RANK[options.consoleLevel ?? 'INFO'];
    this.fileRank = RANK[options.fileLevel ?? 'DEBUG'];
    this.now = options.now ?? Date.now;
  }

  debug(m: string): void {
    this.write('DEBUG', m);
  }
  info(m: string): void {
    this.write('INFO', m);
  }
  warn(m: string): void {
    this.write('WARN', m);
  }
  error(m: string): void {
    this.write('ERROR', m);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(level: Level, message: string): void {
    const line = `${isoTimestamp(this.now())} ${level.padEnd(5)} ${message}`;
    if (this.fd !== undefined && RANK[level] >= this.fileRank) writeSync(this.fd, line + '\n');
    if (RANK[level] >= this.consoleRank) {
      if (RANK[level] >= RANK.WARN) process.stderr.write(line + '\n');
      else process.stdout.write(line + '\n');
    }
  }
}
