// The account and venue queries (chain id, registered key, tier and fees, collateral, positions)
// against the Lighter simulator, and the start-up rules built on them as plain values.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { LighterSim } from '../../../src/sim/lighter/index.js';
import { createMatchingEngine } from '../../../src/sim/matching.js';
import { simMarketSpecs } from '../../../src/sim/markets.js';
import { silentLogger } from '../../../src/core/log.js';
import { LighterRest } from '../../../src/venues/lighter/rest.js';
import {
  LIGHTER_FEES_BY_TIER,
  apiKeyIndexProblem,
  apiKeyMismatch,
  assumeLighterFees,
  checkChainId,
  deploymentForUrl,
  fetchAccountSummary,
  fetchAccountTier,
  fetchRegisteredApiKey,
  fetchVenueInfo,
  marketIdProblem,
  minQuoteProblem,
  parseAccountTier,
} from '../../../src/venues/lighter/account.js';
import { LighterSigner } from '../../../src/venues/lighter/signer/index.js';
import { Secret } from '../../../src/core/secret.js';

const keys = JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', 'keys.json'), 'utf8')).keys as Array<{ private_key: string; public_key: string }>;
const KEY = keys[0];

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function simWith(chainId: number, accounts: ConstructorParameters<typeof LighterSim>[0]['accounts']) {
  const engine = createMatchingEngine(simMarketSpecs('BTC').lighter);
  engine.setHouseLiquidity([[999_990, 2000]], [[1_000_000, 4000]]);
  const sim = new LighterSim({ engines: [engine], faults: {}, logger: silentLogger, chainId, accounts });
  const handle = await sim.listen();
  const rest = new LighterRest({ apiUrl: handle.apiUrl, logger: silentLogger });
  closers.push(async () => {
    rest.close();
    await handle.close();
  });
  return { engine, sim, handle, rest };
}

test('the venue reports its chain id as network_id of GET /, and a mismatch with LIGHTER_CHAIN_ID is refused with the fix', async () => {
  const { rest, handle } = await simWith(300, [{ accountIndex: 7, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: KEY.public_key }] }]);
  const info = await fetchVenueInfo(rest);
  assert.equal(info.reportedChainId, 300);
  assert.equal(typeof info.serverTimeSec, 'number');
  const bad = checkChainId(304, handle.apiUrl, info.reportedChainId);
  assert.deepEqual(bad, {
    ok: false,
    problem: `LIGHTER_CHAIN_ID is 304 but the Lighter venue at ${handle.apiUrl} reports chain id 300; every transaction would fail as an invalid signature — set LIGHTER_CHAIN_ID to match LIGHTER_API_URL (304 mainnet, 300 testnet)`,
  });
  assert.deepEqual(checkChainId(300, handle.apiUrl, 300), { ok: true, chainId: 300, verifiedBy: "the venue's network_id 300" });
});

test('without a known network_id the API URL decides; with neither the chain id is reported unverified', () => {
  assert.deepEqual(deploymentForUrl('https://testnet.zklighter.elliot.ai'), { name: 'testnet', chainId: 300 });
  assert.equal(deploymentForUrl('http://127.0.0.1:9999'), undefined);
  const wrong = checkChainId(300, 'https://mainnet.zklighter.elliot.ai', undefined);
  assert.equal(wrong.ok, false);
  assert.match((wrong as { problem: string }).problem, /^LIGHTER_CHAIN_ID is 300 but https:\/\/mainnet\.zklighter\.elliot\.ai is Lighter mainnet, chain id 304;/);
  // A network_id that is no Lighter chain id is not trusted as one.
  assert.deepEqual(checkChainId(304, 'https://mainnet.zklighter.elliot.ai', 1), { ok: true, chainId: 304, verifiedBy: 'https://mainnet.zklighter.elliot.ai is Lighter mainnet' });
  assert.deepEqual(checkChainId(304, 'http://127.0.0.1:1', 1), {
    ok: true,
    chainId: 304,
    verifiedBy: undefined,
    note: 'chain id 304 not verified: the venue at http://127.0.0.1:1 reports network_id 1, which is no known Lighter chain id',
  });
});

test("API key indexes 0–2 belong to Lighter's apps and are refused with the fix; 3–254 are allowed", () => {
  for (const i of [0, 1, 2]) {
    assert.equal(
      apiKeyIndexProblem(i),
      `LIGHTER_API_KEY_INDEX ${i} belongs to Lighter's own web and mobile apps (indexes 0–2), whose orders would collide with the bot's nonces — create a key at index 3–254 and set LIGHTER_API_KEY_INDEX to it`,
    );
  }
  assert.equal(apiKeyIndexProblem(3), undefined);
  assert.equal(apiKeyIndexProblem(254), undefined);
  assert.match(apiKeyIndexProblem(255)!, /^LIGHTER_API_KEY_INDEX 255 is not an API key index — create a key at index 3–254/);
});

test('the registered public key is read per (account, index) and compared with ours', async () => {
  const { rest } = await simWith(304, [{ accountIndex: 7, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: KEY.public_key, nonce: 41 }] }]);
  const ours = new LighterSigner({ privateKey: new Secret(KEY.private_key), chainId: 304, accountIndex: 7, apiKeyIndex: 3 }).publicKeyHex;
  const registered = await fetchRegisteredApiKey(rest, 7, 3);
  assert.deepEqual(registered, { accountIndex: 7, apiKeyIndex: 3, publicKeyHex: KEY.public_key.toLowerCase().replace(/^0x/, ''), nonce: 41 });
  assert.equal(apiKeyMismatch(registered, ours), undefined);
  assert.match(apiKeyMismatch(registered, keys[1].public_key)!, /^Lighter API key 3 of account 7 is registered with another public key than API_KEY_PRIVATE_KEY gives/);
  const missing = await fetchRegisteredApiKey(rest, 7, 9);
  assert.deepEqual(missing, { accountIndex: 7, apiKeyIndex: 9, publicKeyHex: undefined, nonce: undefined });
  assert.equal(apiKeyMismatch(missing, ours), 'Lighter account 7 has no API key 9 — check LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX');
});

test('the tier comes from accountLimits (auth token) and sets the assumed fee; unknown means Standard, said so', async () => {
  const { rest } = await simWith(304, [
    { accountIndex: 7, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: KEY.public_key }], tier: 'premium' },
    { accountIndex: 8, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: KEY.public_key }] },
    { accountIndex: 9, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: KEY.public_key }], tier: '' },
  ]);
  const token = (account: number) =>
    new LighterSigner({ privateKey: new Secret(KEY.private_key), chainId: 304, accountIndex: account, apiKeyIndex: 3 }).createAuthToken(Math.floor(Date.now() / 1000) + 600);
  const premium = await fetchAccountTier(rest, 7, token(7));
  assert.deepEqual(premium, { tier: 'premium', reported: 'premium' });
  const pf = assumeLighterFees(premium);
  assert.equal(pf.takerBps, 2.8);
  assert.equal(pf.makerBps, 0.4);
  assert.equal(
    pf.line,
    'Lighter fees: taker 2.8 bps, maker 0.4 bps from the account\'s premium tier (accountLimits user_tier "premium") at 0 staked LIT; staking lowers it — override with --lighter-taker-fee-bps',
  );
  const standard = await fetchAccountTier(rest, 8, token(8));
  assert.deepEqual(standard, { tier: 'standard', reported: 'standard' });
  assert.deepEqual([assumeLighterFees(standard).takerBps, assumeLighterFees(standard).makerBps], [0, 0]);
  const silent = await fetchAccountTier(rest, 9, token(9));
  assert.deepEqual(silent, { unknownBecause: 'accountLimits carries no user_tier' });
  assert.equal(
    assumeLighterFees(silent).line,
    'Lighter fees: taker 0 bps, maker 0 bps from the Standard schedule, assumed (accountLimits carries no user_tier); a Premium account pays up to 2.8 bps taker — override with --lighter-taker-fee-bps',
  );
  // A refused token leaves the tier unknown rather than failing start-up.
  const refused = await fetchAccountTier(rest, 7, token(8));
  assert.equal(refused.tier, undefined);
  assert.match(refused.unknownBecause!, /^accountLimits failed: /);
  // The override wins over any tier.
  assert.deepEqual(assumeLighterFees(premium, 1.5), {
    takerBps: 1.5,
    makerBps: 0.4,
    source: '--lighter-taker-fee-bps',
    line: 'Lighter fees: taker 1.5 bps (from --lighter-taker-fee-bps)',
  });
  assert.deepEqual(parseAccountTier({ user_tier: 'gold' }), { reported: 'gold', unknownBecause: 'accountLimits reports user_tier "gold", which is neither standard nor premium' });
  assert.deepEqual(LIGHTER_FEES_BY_TIER.standard, { makerBps: 0, takerBps: 0 });
});

test('collateral and non-zero positions come from the account, signed by "sign"', async () => {
  const { rest, engine } = await simWith(304, [{ accountIndex: 7, apiKeys: [{ apiKeyIndex: 3, publicKeyHex: KEY.public_key }] }]);
  // The simulator's margin model: flat and with no open order, all of the collateral is available.
  assert.deepEqual(await fetchAccountSummary(rest, 7), { accountIndex: 7, collateral: '1000000.000000', availableBalance: '1000000.000000', positions: [] });
  engine.place({ account: '7', side: 'sell', type: 'market', size: 150, price: 999_000, timeInForce: 'IOC' });
  assert.deepEqual((await fetchAccountSummary(rest, 7)).positions, [{ marketId: 1, symbol: 'BTC', size: '-0.00150' }]);
  await assert.rejects(fetchAccountSummary(rest, 12), /account not found/);
});

test('a market id the signer cannot encode is named with what is missing', () => {
  assert.equal(marketIdProblem('BTC', 1), undefined);
  assert.equal(marketIdProblem('BTC', 254), undefined);
  assert.equal(
    marketIdProblem('ETH', 4095),
    'Lighter lists ETH as perp market 4095, but the official signer (lighter-go) encodes perp market ids 0–254 only and no signing vectors for wider ids exist yet — this market cannot be traded until a signer release with vectors for widened market ids is supported; choose another --ticker',
  );
  assert.notEqual(marketIdProblem('ETH', 255), undefined);
});

test('a size whose value cannot reach min_quote_amount is refused naming the minimum and the smallest size that does', () => {
  const btc = { symbol: 'BTC', priceScale: 1, sizeScale: 5 };
  // 0.0001 BTC at 100000.0 is exactly 10 USDC: allowed.
  assert.equal(minQuoteProblem(btc, 10, 1_000_000, '10.000000'), undefined);
  assert.equal(
    minQuoteProblem(btc, 9, 1_000_000, '10.000000'),
    "--size 0.00009 is worth 9 USDC on Lighter BTC at 100000, below the market's minimum order value of 10.000000 USDC — use --size 0.0001 or more",
  );
  // Rounded up to the grid: 10 USDC at 99999.9 needs 0.00011 BTC.
  assert.match(minQuoteProblem(btc, 10, 999_999, '10.000000')!, /use --size 0\.00011 or more$/);
});
