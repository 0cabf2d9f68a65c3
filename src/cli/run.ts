// Wires a Config to venues and the engine for the chosen mode. The engine, the Lighter venue and
// the simulated venues are not built yet, so no mode can trade: say so plainly instead of pretending.
import type { Config } from './config.js';

export async function run(config: Config): Promise<number> {
  process.stderr.write(
    `error: ${config.mode} mode is not available in this build (the engine and the Lighter venue are not built yet) — see README "Status"\n`,
  );
  return 1;
}
