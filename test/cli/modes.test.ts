// Modes never mix: a run is called live only against the real venues, every other kind is named
// as what it is, writes in a folder of its own, and a live run shows whose money and which limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/cli/args.js';
import type { Config } from '../../src/cli/config.js';
import { liveBanner, modeLine, runLabel, unlimitedPositionWarning } from '../../src/cli/modes.js';
import { VECTORS_DIR } from '../helpers/paths.js';

const keys = JSON.parse(readFileSync(join(VECTORS_DIR, 'backpack', 'keys.json'), 'utf8')).keys as Array<{ secret_b64: string; public_key_b64: string }>;
const LIGHTER_KEY = '0x' + '22'.repeat(40);
const ENV = {
  BACKPACK_PUBLIC_KEY: keys[0].public_key_b64,
  BACKPACK_SECRET_KEY: keys[0].secret_b64,
  API_KEY_PRIVATE_KEY: LIGHTER_KEY,
  LIGHTER_ACCOUNT_INDEX: '12345',
  LIGHTER_API_KEY_INDEX: '3',
};

function config(flags: string[], env: Record<string, string> = ENV): Config {
  const r = parseConfig(['--size', '0.001', ...flags], env);
  if (r.kind !== 'run') throw new Error('expected a run');
  return r.config;
}

test('the real venues: live, logs/, a mode line naming their hosts', () => {
  const c = config([]);
  assert.equal(runLabel(c), 'live');
  assert.equal(c.logDir, 'logs');
  assert.equal(modeLine(c), 'mode: LIVE — real orders with real money on Backpack (api.backpack.exchange) and Lighter (mainnet.zklighter.elliot.ai, chain 304)');
});

test("a live run's banner names the account, market, size and limits; an unlimited position limit is said loudly", () => {
  const c = config(['--ticker', 'ETH', '--size', '0.02', '--long-threshold', '3']);
  const banner = liveBanner(c).join('\n');
  assert.match(banner, /LIVE TRADING: real orders with real money/);
  assert.match(banner, new RegExp(`API key ${keys[0].public_key_b64.slice(0, 6)}…${keys[0].public_key_b64.slice(-4)}, market ETH_USDC_PERP`));
  assert.match(banner, /account 12345, API key index 3, chain 304, market ETH\n/);
  assert.match(banner, /size {6}0\.02 ETH per leg/);
  assert.match(banner, /max position UNLIMITED per venue; thresholds long 3 \/ short 5; min edge 0 bps; slippage 20 bps; Lighter 60 tx\/min/);
  assert.match(banner, /positions are kept open \(add --close-on-exit/);
  assert.ok(!banner.includes(keys[0].secret_b64) && !banner.includes(LIGHTER_KEY.slice(2)), 'no secret in the banner');
  assert.match(unlimitedPositionWarning(c) ?? '', /^NO POSITION LIMIT: --max-position is 0 \(unlimited\).* — set --max-position, e\.g\. --max-position 0\.02$/);

  const limited = config(['--max-position', '0.01', '--close-on-exit']);
  assert.match(liveBanner(limited).join('\n'), /max position 0\.01 BTC per venue/);
  assert.match(liveBanner(limited).join('\n'), /on exit {3}both venues flattened reduce-only \(--close-on-exit\)/);
  assert.equal(unlimitedPositionWarning(limited), undefined);
});

test('URLs pointed anywhere else make a test run: named as such, rows marked test, logs/test', () => {
  const local = config([], { ...ENV, BACKPACK_API_URL: 'http://127.0.0.1:8080', LIGHTER_WS_URL: 'ws://localhost:9000/stream' });
  assert.equal(runLabel(local), 'test');
  assert.equal(local.logDir, 'logs/test');
  assert.equal(
    modeLine(local),
    'mode: TEST HOSTS — the live adapters, but not against the real venues: BACKPACK_API_URL=http://127.0.0.1:8080 (loopback), LIGHTER_WS_URL=ws://localhost:9000/stream (loopback); rows are marked mode=test',
  );
  assert.equal(unlimitedPositionWarning(local), undefined, 'the loud warning is for real money');
  // The real host name over plain http is not the real venue; nor is mainnet's host on another chain.
  assert.equal(runLabel(config([], { ...ENV, BACKPACK_API_URL: 'http://api.backpack.exchange' })), 'test');
  const testnet = config([], {
    ...ENV,
    LIGHTER_API_URL: 'https://testnet.zklighter.elliot.ai',
    LIGHTER_WS_URL: 'wss://testnet.zklighter.elliot.ai/stream',
    LIGHTER_CHAIN_ID: '300',
  });
  assert.equal(runLabel(testnet), 'test');
  assert.match(modeLine(testnet), /LIGHTER_API_URL=https:\/\/testnet\.zklighter\.elliot\.ai \(a testnet\), .*, LIGHTER_CHAIN_ID=300 \(not mainnet\)/);
  assert.equal(runLabel(config([], { ...ENV, LIGHTER_CHAIN_ID: '300' })), 'test');
});

test('--sim and --paper write under their own folders unless --log-dir says otherwise', () => {
  assert.equal(config(['--sim'], {}).logDir, 'logs/sim');
  assert.equal(runLabel(config(['--sim'], {})), 'sim');
  assert.equal(config(['--paper'], {}).logDir, 'logs/paper');
  assert.equal(runLabel(config(['--paper'], {})), 'paper');
  assert.match(modeLine(config(['--paper'], {})), /^mode: PAPER — market data from Backpack \(api\.backpack\.exchange\)/);
  assert.equal(config(['--sim', '--log-dir', 'mine'], {}).logDir, 'mine');
  assert.equal(config(['--log-dir', 'elsewhere']).logDir, 'elsewhere');
});
