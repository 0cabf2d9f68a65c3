#!/usr/bin/env node
// Entry point: parse flags + environment + .env into one Config, then run the chosen mode.
// Bad input exits with status 2 and one line on stderr; nothing else is printed for it.

import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, dotEnvWarnings, parseConfig } from './args.js';
import { run } from './run.js';
import { checkFromProcess } from './check.js';
import { scanMain } from './scan.js';
import { backtestCommand } from '../backtest/cli.js';

async function main(): Promise<number> {
  if (process.argv[2] === 'backtest') return backtestCommand(process.argv.slice(3));
  let parsed;
  const dotEnv = existsSync('.env') ? readFileSync('.env', 'utf8') : undefined;
  if (process.argv[2] === 'scan') return scanMain(process.argv.slice(3), process.env, dotEnv);
  try {
    parsed = parseConfig(process.argv.slice(2), process.env, dotEnv);
  } catch (e) {
    if (e instanceof ConfigError) {
      // A line .env could not read may be why a setting is missing: say so before the error.
      for (const warning of dotEnv !== undefined ? dotEnvWarnings(dotEnv) : []) process.stderr.write(`warning: ${warning}\n`);
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(parsed.text + '\n');
    return 0;
  }
  return run(parsed.config, { warnings: parsed.warnings });
}

(process.argv[2] === 'check' ? checkFromProcess(process.argv.slice(3)) : main()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Last resort: one line, no stack, no secrets (Config holds secrets only inside Secret).
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
