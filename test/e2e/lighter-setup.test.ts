// The real bot refusing, at start-up and before any order, a Lighter setting the venue shows to be
// wrong — exit status 2 and one line with the fix — and printing the Lighter fee it assumes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { REPO_ROOT, TSX_IMPORT } from '../helpers/paths.js';
import type { SimVenues } from '../../src/sim/index.js';
import { calm, readLog, simVenues, startBot, until } from './harness.js';

const sims: SimVenues[] = [];
after(async () => {
  for (const s of sims) await s.stop();
});

async function venues(options: Parameters<typeof simVenues>[0] = {}): Promise<SimVenues> {
  const sim = await simVenues(options);
  sims.push(sim);
  calm(sim);
  return sim;
}

/** The real entry point, live mode, pointed at the simulators by its environment (asynchronous: the simulators run in this process). */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', TSX_IMPORT, join(REPO_ROOT, 'src/cli/main.ts'), '--log-dir', tempDir('bla-setup-'), ...args], {
    cwd: tempDir('bla-setup-'),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out })));
}

test('LIGHTER_API_KEY_INDEX 0–2 is refused as configuration: exit 2, one line naming the fix', async () => {
  const sim = await venues();
  for (const index of ['0', '2']) {
    const r = await cli(['--size', '0.01'], { ...sim.env(), LIGHTER_API_KEY_INDEX: index });
    assert.equal(r.status, 2, r.out);
    assert.equal(
      r.out,
      `error: LIGHTER_API_KEY_INDEX ${index} belongs to Lighter's own web and mobile apps (indexes 0–2), whose orders would collide with the bot's nonces — create a key at index 3–254 and set LIGHTER_API_KEY_INDEX to it\n`,
    );
  }
});

test('a LIGHTER_CHAIN_ID the venue does not run is refused at start-up with exit 2 and nothing sent', async () => {
  const sim = await venues({ lighterChainId: 300 });
  const r = await cli(['--size', '0.01'], { ...sim.env(), LIGHTER_CHAIN_ID: '304' });
  assert.equal(r.status, 2, r.out);
  assert.match(
    r.out,
    /LIGHTER_CHAIN_ID is 304 but the Lighter venue at http:\/\/127\.0\.0\.1:\d+ reports chain id 300; every transaction would fail as an invalid signature — set LIGHTER_CHAIN_ID to match LIGHTER_API_URL \(304 mainnet, 300 testnet\)/,
  );
  assert.equal(sim.lighterSim.acceptedTxs.length, 0);
  assert.deepEqual(sim.engines.backpack.orders(sim.accounts.backpack), []);
});

test('a widened Lighter market id and a size below the minimum order value each stop the bot before trading (exit 2)', async () => {
  const widened = await venues({ markets: { widenedMarketIds: true } });
  const w = startBot(widened, []);
  assert.equal(await w.exit, 2);
  assert.match(readLog(w.logDir), /Lighter lists BTC as perp market 4096, but the official signer \(lighter-go\) encodes perp market ids 0–254 only/);

  const small = await venues();
  const s = startBot(small, ['--size', '0.00009']);
  assert.equal(await s.exit, 2);
  assert.match(
    readLog(s.logDir),
    /--size 0\.00009 is worth [\d.]+ USDC on Lighter BTC at [\d.]+, below the market's minimum order value of 10\.000000 USDC — use --size 0\.00011 or more/,
  );
  assert.equal(small.lighterSim.acceptedTxs.length, 0);
});

test('a run prints the Lighter fee it assumes, where from, and how to override it', async () => {
  const sim = await venues({ lighterTier: 'premium' });
  const bot = startBot(sim, []);
  const engine = await bot.engine;
  await until('running', () => readLog(bot.logDir).includes('running:'));
  assert.match(
    readLog(bot.logDir),
    /Lighter fees: taker 2\.8 bps, maker 0\.4 bps from the account's premium tier \(accountLimits user_tier "premium"\) at 0 staked LIT; staking lowers it — override with --lighter-taker-fee-bps/,
  );
  assert.match(readLog(bot.logDir), /Lighter BTC #1 .*taker 2\.8 bps/);
  assert.ok(engine);
  assert.equal(await bot.stop(), 0);
});
