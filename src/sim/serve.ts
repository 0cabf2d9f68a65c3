#!/usr/bin/env node
// `npm run sim`: both simulated venues for manual use, until Ctrl-C. Prints their URLs and the
// generated credentials as environment lines, so another shell can point the bot (or anything
// else) at them.

import { formatFixedTrim } from '../core/fixed.js';
import type { Logger } from '../core/log.js';
import { startSimVenues } from './index.js';

const ticker = (process.argv[2] ?? 'BTC').toUpperCase();
const quiet: Logger = { debug() {}, info() {}, warn: (m) => process.stderr.write(`sim: ${m}\n`), error: (m) => process.stderr.write(`sim: ${m}\n`) };

startSimVenues({ ticker, logger: quiet }).then(
  (sim) => {
    const c = sim.credentials;
    const spec = sim.engines.backpack.market;
    process.stdout.write(
      [
        `Simulated Backpack and Lighter are serving ${ticker} (Backpack ${ticker}_USDC_PERP tick ${formatFixedTrim(spec.tickSize, spec.priceScale)}, Lighter market ${sim.engines.lighter.market.marketId}).`,
        'Point the bot at them with these lines (in .env or the environment); Ctrl-C stops them.',
        '',
        `BACKPACK_API_URL=${sim.backpack.apiUrl}`,
        `BACKPACK_WS_URL=${sim.backpack.wsUrl}`,
        `BACKPACK_PUBLIC_KEY=${c.backpackPublicKey}`,
        // Generated for this local run only; they open nothing but these loopback simulators.
        `BACKPACK_SECRET_KEY=${c.backpackSecretKey.reveal()}`,
        `LIGHTER_API_URL=${sim.lighter.apiUrl}`,
        `LIGHTER_WS_URL=${sim.lighter.wsUrl}`,
        `LIGHTER_CHAIN_ID=304`,
        `API_KEY_PRIVATE_KEY=${c.lighterPrivateKey.reveal()}`,
        `LIGHTER_ACCOUNT_INDEX=${c.lighterAccountIndex}`,
        `LIGHTER_API_KEY_INDEX=${c.lighterApiKeyIndex}`,
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
