#!/usr/bin/env node
// `npm run sim`: both simulated venues for manual use, until Ctrl-C. Prints their URLs and the
// generated credentials as environment lines, so another shell can point the bot (or anything
// else) at them.

import { formatFixedTrim } from '../core/fixed.js';
import type { Logger } from '../core/log.js';
import { startSimVenues } from './index.js';

const ticker = (process.argv[2] ?? 'BTC').toUpperCase();
const quiet: Logger = { debug() {}, info() {}, warn: (m) => process.stderr.write(`sim: ${m}\n`), error: (m) => process.stderr.write(`sim: ${m}\n`) };

// Funding settles on the hour, as on both venues (sim/funding.ts).
startSimVenues({ ticker, logger: quiet, fundingTimer: {} }).then(
  (sim) => {
    const spec = sim.engines.backpack.market;
    process.stdout.write(
      [
        `Simulated Backpack and Lighter are serving ${ticker} (Backpack ${ticker}_USDC_PERP tick ${formatFixedTrim(spec.tickSize, spec.priceScale)}, Lighter market ${sim.engines.lighter.market.marketId}).`,
        'Point the bot at them with these lines (in .env or the environment); Ctrl-C stops them.',
        // The keys were generated for this run and open nothing but these loopback simulators.
        '',
        ...Object.entries(sim.env()).map(([k, v]) => `${k}=${v}`),
        '',
      ].join('\n'),
    );
    const stop = () => void sim.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
  (e: unknown) => {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
