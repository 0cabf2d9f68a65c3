// Wires a Config to venues and the engine for the chosen mode.
import type { Config } from './config.js';

export async function run(config: Config): Promise<number> {
  process.stderr.write(`error: ${config.mode} mode is not wired yet in this build — see README\n`);
  return 1;
}
