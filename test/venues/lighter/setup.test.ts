// The Lighter adapter's start-up and long-lived streams against the Lighter simulator: the book
// recovering from a resubscribe the venue answers with 30003 or not at all, account streams that
// renew their auth token over hours of an injected clock, and the start-up refusals (chain id,
// widened market id, size below the minimum order value) with the fee assumption it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from '../../helpers/paths.js';
import { LighterConfigError } from '../../../src/venues/lighter/index.js';
import { Secret } from '../../../src/core/secret.js';
import { until } from '../../helpers/until.js';
import { sameBook, setup, started } from './harness.js';

const keys = JSON.parse(readFileSync(join(VECTORS_DIR, 'lighter', 'keys.json'), 'utf8')).keys as Array<{ private_key: string; public_key: string }>;

test('the book recovers when a resubscribe is answered with 30003 while the old subscription keeps streaming deltas', async () => {
  // A resync timeout far beyond the test: only the 30003 itself can bring the book back.
  const { venue, engine, faults, logger } = await started({ venue: { resyncTimeoutMs: 600_000 } });
  faults.unsubscribeFault = 'ignored';
  faults.skipSequence = 2;
  engine.setHouseLiquidity([[999_000, 10]], [[1_001_000, 10]]);
  await until('30003 seen', () => logger.lines.some((l) => l.includes('a resubscribe was answered 30003 "Already Subscribed to : order_book:1"; dropping the connection')));
  engine.setHouseLiquidity([[999_100, 20]], [[1_001_100, 20]]);
  await until('rebuilt on a new connection', () => venue.status().bookValid && sameBook(venue, engine));
  assert.equal(logger.lines.filter((l) => l.includes('begin_nonce does not continue')).length, 1);
});

test('a resubscribe the venue neither answers nor carries out reconnects once no fresh snapshot arrives in time', async () => {
  const { venue, engine, faults, logger } = await started({ venue: { resyncTimeoutMs: 300 } });
  faults.unsubscribeFault = 'unanswered';
  faults.skipSequence = 2;
  engine.setHouseLiquidity([[999_000, 10]], [[1_001_000, 10]]);
  await until('gap seen', () => logger.lines.some((l) => l.includes('begin_nonce does not continue')));
  // Deltas keep coming on the old subscription; the book stays invalid until the socket is replaced.
  engine.setHouseLiquidity([[999_050, 15]], [[1_001_050, 15]]);
  await until('watchdog', () => logger.lines.some((l) => l.includes('no fresh order book snapshot after a resync within 300 ms; dropping the connection')));
  await until('rebuilt', () => venue.status().bookValid && sameBook(venue, engine));
});

test('account streams renew their auth token before it lapses, hour after hour, so fills keep arriving on them', async () => {
  let clock = Date.now();
  const now = () => clock;
  const { venue, logger } = await started({ now, venue: { authTokenTtlSec: 3600, authCheckIntervalMs: 10, orderTimeoutMs: 5000 } });
  const renewals = () => logger.lines.filter((l) => l.includes('renewing their auth token')).length;
  for (let hour = 1; hour <= 5; hour++) {
    const before = renewals();
    clock += 55 * 60_000; // 5 min before the token in use lapses
    await until(`renewal ${hour}`, () => renewals() > before && venue.status().connected);
    // The renewal is done once the channels answered; an order then settles from the stream.
    await until('resubscribed', () => !(venue as unknown as { stream: { resubscribing: boolean } }).stream.resubscribing);
    await new Promise((r) => setTimeout(r, 30));
    const leg = await venue.placeMarketOrder({ side: hour % 2 === 1 ? 'buy' : 'sell', size: 100, worstPrice: hour % 2 === 1 ? 1_000_100 : 999_900 });
    assert.equal(leg.state, 'filled', `hour ${hour}: ${leg.error?.message}`);
  }
  assert.equal(renewals(), 5);
  assert.ok(!logger.lines.some((l) => l.includes('unconfirmed after')), 'every fill came from the account stream');
});

test('without renewal the lapsed subscription goes silent and fills are only found by looking them up', async () => {
  let clock = Date.now();
  const now = () => clock;
  const { venue, logger } = await started({ now, venue: { authTokenTtlSec: 3600, authCheckIntervalMs: 3_600_000, orderTimeoutMs: 300 } });
  clock += 61 * 60_000;
  const leg = await venue.placeMarketOrder({ side: 'buy', size: 100, worstPrice: 1_000_100 });
  assert.equal(leg.state, 'filled');
  assert.ok(logger.lines.some((l) => l.includes('acknowledged but not confirmed by the account stream after 300 ms; looking it up')));
});

test('a chain id other than the one the venue reports is refused at start-up with the fix', async () => {
  const { venue } = await setup({ simChainId: 300 });
  await assert.rejects(venue.start(), (e: unknown) => {
    assert.ok(e instanceof LighterConfigError);
    assert.match(
      e.message,
      /^LIGHTER_CHAIN_ID is 304 but the Lighter venue at http:\/\/127\.0\.0\.1:\d+ reports chain id 300; every transaction would fail as an invalid signature — set LIGHTER_CHAIN_ID to match LIGHTER_API_URL \(304 mainnet, 300 testnet\)$/,
    );
    return true;
  });
});

test('an API key registered with another public key is a configuration error, naming the fix', async () => {
  const { venue } = await setup({ venue: { privateKey: new Secret(keys[1].private_key) } });
  await assert.rejects(venue.start(), (e: unknown) => {
    assert.ok(e instanceof LighterConfigError);
    assert.equal(
      e.message,
      'Lighter API key 3 of account 7 is registered with another public key than API_KEY_PRIVATE_KEY gives — paste the private key of that API key, or set LIGHTER_API_KEY_INDEX to the key it belongs to',
    );
    return true;
  });
});

test('a widened market id is refused at start-up, naming the id and what is missing', async () => {
  const { venue } = await setup({ markets: { widenedMarketIds: true } });
  await assert.rejects(venue.start(), (e: unknown) => {
    assert.ok(e instanceof LighterConfigError);
    assert.equal(
      e.message,
      'Lighter lists BTC as perp market 4096, but the official signer (lighter-go) encodes perp market ids 0–254 only and no signing vectors for wider ids exist yet — this market cannot be traded until a signer release with vectors for widened market ids is supported; choose another --ticker',
    );
    return true;
  });
});

test('a --size worth less than min_quote_amount at the worst sell price is refused at start-up, naming the minimum', async () => {
  const { venue } = await setup({ venue: { orderSize: '0.0001', slippageBps: 20 } });
  // Last trade 99999.5 (the mid), less 20 bps: 99799.5; 0.0001 BTC is then worth 9.97995 USDC.
  await assert.rejects(venue.start(), (e: unknown) => {
    assert.ok(e instanceof LighterConfigError);
    assert.equal(e.message, "--size 0.0001 is worth 9.97995 USDC on Lighter BTC at 99799.5, below the market's minimum order value of 10.000000 USDC — use --size 0.00011 or more");
    return true;
  });
  const ok = await setup({ venue: { orderSize: '0.00011', slippageBps: 20 } });
  assert.equal((await ok.venue.start()).marketId, 1);
});

test('the simulator refuses an order worth less than min_quote_amount with 21706', async () => {
  const { venue } = await started({ markets: { lighterMinQuote: '50' } });
  const small = await venue.placeMarketOrder({ side: 'buy', size: 40, worstPrice: 1_000_100 });
  assert.equal(small.state, 'rejected');
  assert.equal(small.error?.code, 21706);
  assert.match(small.error!.message, /order value 40\.004000 is below min_quote_amount 50\.000000/);
  const enough = await venue.placeMarketOrder({ side: 'buy', size: 50, worstPrice: 1_000_100 });
  assert.equal(enough.state, 'filled');
});

test("fees come from the account tier, printed with their source and the override; the market's taker_fee is not used", async () => {
  const standard = await started();
  assert.deepEqual([standard.spec.takerFeeBps, standard.spec.makerFeeBps], [0, 0]);
  assert.ok(
    standard.logger.lines.some((l) =>
      l.includes(
        'Lighter fees: taker 0 bps, maker 0 bps from the account\'s standard tier (accountLimits user_tier "standard"), with the venue\'s taker speed bump — override with --lighter-taker-fee-bps',
      ),
    ),
  );
  const premium = await started({ tier: 'premium' });
  assert.deepEqual([premium.spec.takerFeeBps, premium.spec.makerFeeBps], [2.8, 0.4]);
  assert.equal(premium.venue.setup?.fees.source, 'the account\'s premium tier (accountLimits user_tier "premium")');
  const unknown = await started({ tier: '' });
  assert.deepEqual([unknown.spec.takerFeeBps, unknown.spec.makerFeeBps], [0, 0]);
  assert.ok(unknown.logger.lines.some((l) => l.includes('from the Standard schedule, assumed (accountLimits carries no user_tier)')));
  const overridden = await started({ tier: 'premium', venue: { takerFeeBps: 1.25 } });
  assert.equal(overridden.spec.takerFeeBps, 1.25);
  assert.ok(overridden.venue.setup?.chain?.ok === true);
});
