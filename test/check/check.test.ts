// The preflight against the simulated venues on loopback: it passes on the defaults, and each thing
// it checks, provoked on its own, fails its own row (and only the rows that depend on it), with the
// fix, and turns the exit status non-zero. The configuration comes from the run's own parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { parseConfig } from '../../src/cli/args.js';
import { checkCommand } from '../../src/cli/check.js';
import type { Config } from '../../src/cli/config.js';
import { DEFAULT_SETTINGS, renderTable, runCheck, type CheckReport, type RowId } from '../../src/check/index.js';
import { marketDataVenues } from '../../src/check/books.js';
import { ROW_ORDER } from '../../src/check/report.js';
import { silentLogger } from '../../src/core/log.js';
import { Secret } from '../../src/core/secret.js';
import { startSimVenues, type SimVenues, type SimVenuesOptions } from '../../src/sim/index.js';
import { BackpackSigner } from '../../src/venues/backpack/auth.js';
import { privateKeyFromSeed } from '../../src/venues/lighter/signer/index.js';

// Short watches keep the file quick; the verdicts do not depend on them (the generator moves both
// books every 100 ms, and a dead book never becomes valid however long it is given).
const SETTINGS = { bookWatchMs: 1000, bookTimeoutMs: 8000 };

async function withSim(fn: (sim: SimVenues) => Promise<void>, options: Partial<SimVenuesOptions> = {}): Promise<void> {
  const sim = await startSimVenues({ ticker: 'BTC', logger: silentLogger, ...options });
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

/** The run's parser on the simulators' .env, as a trader's own settings would go through it. */
function configFor(sim: SimVenues, argv: string[], env: Record<string, string> = {}): Config {
  const parsed = parseConfig(argv, { ...sim.env(), ...env });
  if (parsed.kind !== 'run') throw new Error('expected a run config');
  return parsed.config;
}

function statuses(r: CheckReport): Record<string, string> {
  return Object.fromEntries(r.rows.map((row) => [row.id, row.status]));
}

/** Every row ok except these. */
function expected(except: Partial<Record<RowId, 'FAIL' | 'skipped'>>): Record<string, string> {
  return Object.fromEntries(ROW_ORDER.map((id) => [id, except[id] ?? 'ok']));
}

function rowOf(r: CheckReport, id: RowId) {
  const found = r.rows.find((row) => row.id === id);
  assert.ok(found, `row ${id}`);
  return found;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const BASE = ['--ticker', 'BTC', '--size', '0.001'];

/** Keeps scripted BTC books live around these mids (priceScale 1) until the returned stop is called. */
function liveBooks(sim: SimVenues, backpackMid: number, lighterMid: number): () => void {
  let tick = 0;
  const move = () => {
    tick++;
    // Sizes change, prices do not: frames keep coming and the mids stay exact.
    sim.engines.backpack.setHouseLiquidity([[backpackMid - 5, 100_000 + (tick % 3)]], [[backpackMid + 5, 100_000]]);
    sim.engines.lighter.setHouseLiquidity([[lighterMid - 5, 100_000 + (tick % 3)]], [[lighterMid + 5, 100_000]]);
  };
  move();
  const timer = setInterval(move, 50);
  return () => clearInterval(timer);
}

test('check passes on the default simulators: every row ok, in the table order, exit 0; no secret in the table', async () => {
  await withSim(async (sim) => {
    const lines: string[] = [];
    const code = await checkCommand(['--sim', ...BASE], {}, undefined, { out: (t) => lines.push(t), err: (t) => lines.push(t) }, { settings: SETTINGS });
    assert.equal(code, 0, lines.join(''));
    const r = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({}));
    assert.deepEqual(
      r.rows.map((row) => row.id),
      [...ROW_ORDER],
    );
    assert.equal(r.passed, true);
    assert.match(rowOf(r, 'backpack.market').detail, /^BTC_USDC_PERP: tick 0\.1, step 0\.00001, minimum 0\.00001; --size 0\.001 fits$/);
    assert.match(rowOf(r, 'lighter.market').detail, /^BTC: market id 1, tick 0\.1, step 0\.00001, minimum 0\.0002 and 10\.000000 USDC order value; --size 0\.001 fits$/);
    assert.match(rowOf(r, 'backpack.fees').detail, /^taker 2\.5 bps, maker 0 bps, from your account/);
    assert.match(rowOf(r, 'lighter.fees').detail, /^taker 0 bps, maker 0 bps, from the account's standard tier/);
    assert.match(rowOf(r, 'lighter.chain').detail, /LIGHTER_CHAIN_ID 304 agrees with the venue's network_id 304/);
    assert.match(rowOf(r, 'positions').detail, /both flat in BTC/);
    // Nothing was ordered or sent: no order on either venue, no transaction sequenced on Lighter.
    assert.deepEqual(sim.engines.backpack.orders(sim.accounts.backpack), []);
    assert.deepEqual(sim.engines.lighter.orders(sim.accounts.lighter), []);
    assert.deepEqual(sim.lighterSim.acceptedTxs, []);
    const table = renderTable(r) + lines.join('');
    assert.match(table, /all 18 checks passed/);
    for (const secret of [sim.credentials.backpackSecretKey.reveal(), sim.credentials.lighterPrivateKey.reveal(), sim.credentials.lighterPrivateKey.reveal().replace(/^0x/, '')]) {
      assert.equal(table.includes(secret), false, 'a secret appears in the output');
    }
  });
});

test('an unreachable Backpack fails its reachable row; every Backpack row after it and the rows needing both say not checked', async () => {
  await withSim(async (sim) => {
    const port = await closedPort();
    const r = await runCheck(configFor(sim, BASE, { BACKPACK_API_URL: `http://127.0.0.1:${port}` }), { settings: SETTINGS });
    assert.deepEqual(
      statuses(r),
      expected({
        'backpack.reachable': 'FAIL',
        'backpack.clock': 'skipped',
        'backpack.keys': 'skipped',
        'backpack.market': 'skipped',
        'backpack.fees': 'skipped',
        'backpack.collateral': 'skipped',
        'backpack.book': 'skipped',
        positions: 'skipped',
        'books.agree': 'skipped',
      }),
    );
    assert.equal(r.passed, false);
    const row = rowOf(r, 'backpack.reachable');
    assert.match(row.detail, /ECONNREFUSED/);
    assert.match(row.fix ?? '', /check BACKPACK_API_URL/);
    assert.match(renderTable(r), /→ fix: check BACKPACK_API_URL/);
  });
});

test('a Lighter in maintenance (HTTP 503) fails the Lighter reachable row', async () => {
  await withSim(async (sim) => {
    sim.faults.lighter.unavailableUntil = Date.now() + 600_000;
    const r = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
    assert.deepEqual(
      statuses(r),
      expected({
        'lighter.reachable': 'FAIL',
        'lighter.clock': 'skipped',
        'lighter.chain': 'skipped',
        'lighter.key': 'skipped',
        'lighter.market': 'skipped',
        'lighter.fees': 'skipped',
        'lighter.tier': 'skipped',
        'lighter.collateral': 'skipped',
        'lighter.book': 'skipped',
        positions: 'skipped',
        'books.agree': 'skipped',
      }),
    );
    assert.match(rowOf(r, 'lighter.reachable').detail, /503/);
    assert.equal(rowOf(r, 'lighter.reachable').fix, 'Lighter answers but is unavailable (maintenance?): wait until it is back, then run check again');
  });
});

test('a Backpack that answers 429 fails the Backpack reachable row with the wait as the fix', async () => {
  await withSim(async (sim) => {
    sim.faults.backpack.rateLimitUntil = Date.now() + 600_000;
    const r = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
    assert.equal(rowOf(r, 'backpack.reachable').status, 'FAIL');
    assert.match(rowOf(r, 'backpack.reachable').detail, /HTTP 429 TOO_MANY_REQUESTS/);
    assert.equal(rowOf(r, 'backpack.reachable').fix, 'Backpack is rate limiting this address: wait a minute, then run check again');
    assert.equal(r.passed, false);
  });
});

test('a BACKPACK_SECRET_KEY that is not the secret of BACKPACK_PUBLIC_KEY is a failing row of the table, not a stop: exit 1, every other row checked', async () => {
  await withSim(async (sim) => {
    const out: string[] = [];
    const env = { ...sim.env(), BACKPACK_SECRET_KEY: randomBytes(32).toString('base64') };
    const code = await checkCommand(BASE, env, undefined, { out: (t) => out.push(t), err: (t) => out.push(t) }, { settings: SETTINGS });
    const text = out.join('');
    assert.equal(code, 1, text);
    assert.match(
      text,
      /FAIL +Backpack keys +BACKPACK_PUBLIC_KEY is not the public key of BACKPACK_SECRET_KEY\n.*→ fix: copy BACKPACK_PUBLIC_KEY \/ BACKPACK_SECRET_KEY from the same Backpack API key/,
    );
    assert.match(text, /skipped Backpack collateral +not checked: the keys were not accepted/);
    assert.match(text, /ok +Lighter API key/);
    assert.match(text, /ok +Backpack book/);
    assert.match(text, /skipped Backpack fees +not checked: the account could not be read\n.*→ fix: fix the keys, or give --backpack-taker-fee-bps/);
    assert.match(text, /1 of 18 checks failed, 3 could not be checked/);
    assert.equal(text.includes(env.BACKPACK_SECRET_KEY), false);
  });
});

test('settings read from .env are checked the same way: a mismatched key pair there is the keys row too', async () => {
  await withSim(async (sim) => {
    const out: string[] = [];
    const dotEnv = Object.entries({ ...sim.env(), BACKPACK_SECRET_KEY: randomBytes(32).toString('base64') })
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const code = await checkCommand(BASE, {}, dotEnv, { out: (t) => out.push(t), err: (t) => out.push(t) }, { settings: SETTINGS });
    assert.equal(code, 1, out.join(''));
    assert.match(out.join(''), /FAIL +Backpack keys +BACKPACK_PUBLIC_KEY is not the public key of BACKPACK_SECRET_KEY\n/);
    assert.match(out.join(''), /ok +Lighter API key/);
  });
});

test('a consistent Backpack key pair the venue does not know fails the keys row on the signed read-only request', async () => {
  await withSim(async (sim) => {
    const secret = randomBytes(32).toString('base64');
    const publicKey = new BackpackSigner(new Secret(secret)).publicKey;
    const r = await runCheck(configFor(sim, BASE, { BACKPACK_SECRET_KEY: secret, BACKPACK_PUBLIC_KEY: publicKey }), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'backpack.keys': 'FAIL', 'backpack.fees': 'skipped', 'backpack.collateral': 'skipped', positions: 'skipped' }));
    const row = rowOf(r, 'backpack.keys');
    assert.match(row.detail, /matches the secret, but the signed request failed: .*API key not found/);
    assert.match(row.fix ?? '', /check that this API key exists and is enabled/);
  });
});

test('a Lighter key index with no key registered fails the API key row, naming the account and index', async () => {
  await withSim(async (sim) => {
    const r = await runCheck(configFor(sim, BASE, { LIGHTER_API_KEY_INDEX: '5' }), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'lighter.key': 'FAIL', 'lighter.collateral': 'skipped', positions: 'skipped' }));
    const row = rowOf(r, 'lighter.key');
    assert.equal(row.detail, 'Lighter account 100 has no API key 5');
    assert.equal(row.fix, 'check LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX');
    // Without a confirmed key the tier is unknown: the Standard schedule is assumed and said so.
    assert.match(rowOf(r, 'lighter.tier').detail, /^Standard assumed/);
  });
});

test('a Lighter private key that is not the one registered at that index fails the API key row', async () => {
  await withSim(async (sim) => {
    const r = await runCheck(configFor(sim, BASE, { API_KEY_PRIVATE_KEY: privateKeyFromSeed(randomBytes(32)) }), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'lighter.key': 'FAIL', 'lighter.collateral': 'skipped', positions: 'skipped' }));
    assert.match(rowOf(r, 'lighter.key').detail, /^Lighter API key 4 of account 100 is registered with another public key than API_KEY_PRIVATE_KEY gives$/);
  });
});

test('LIGHTER_CHAIN_ID 300 against a venue reporting 304 fails the chain id row with the fix', async () => {
  await withSim(async (sim) => {
    const r = await runCheck(configFor(sim, BASE, { LIGHTER_CHAIN_ID: '300' }), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'lighter.chain': 'FAIL' }));
    const row = rowOf(r, 'lighter.chain');
    assert.match(row.detail, /LIGHTER_CHAIN_ID is 300 but the Lighter venue at .* reports chain id 304/);
    assert.match(row.fix ?? '', /^set LIGHTER_CHAIN_ID to match LIGHTER_API_URL/);
  });
});

test('an unknown market fails both market rows with the tickers each venue lists; what needs the market is not checked', async () => {
  await withSim(async (sim) => {
    const r = await runCheck(configFor(sim, ['--ticker', 'DOGE', '--size', '1']), { settings: SETTINGS });
    assert.deepEqual(
      statuses(r),
      expected({
        'backpack.market': 'FAIL',
        'backpack.collateral': 'skipped',
        'backpack.book': 'skipped',
        'lighter.market': 'FAIL',
        'lighter.collateral': 'skipped',
        'lighter.book': 'skipped',
        positions: 'skipped',
        'books.agree': 'skipped',
      }),
    );
    assert.equal(rowOf(r, 'backpack.market').detail, 'Backpack lists no DOGE_USDC_PERP');
    assert.equal(rowOf(r, 'backpack.market').fix, 'choose a --ticker Backpack lists as a perp: ETH, BTC, SOL');
    assert.equal(rowOf(r, 'lighter.market').detail, 'Lighter lists no perp market DOGE');
    assert.equal(rowOf(r, 'lighter.market').fix, 'choose a --ticker Lighter lists: ETH, BTC, SOL');
  });
});

test('a Lighter market listed under an id the signer cannot encode fails the Lighter market row', async () => {
  await withSim(
    async (sim) => {
      const r = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
      const row = rowOf(r, 'lighter.market');
      assert.equal(row.status, 'FAIL');
      assert.match(row.detail, /^Lighter lists BTC as perp market 4096, but the official signer \(lighter-go\) encodes perp market ids 0–254 only/);
      assert.match(row.fix ?? '', /; choose another --ticker$/);
      assert.deepEqual(statuses(r), expected({ 'lighter.market': 'FAIL', 'lighter.book': 'skipped', 'books.agree': 'skipped' }));
    },
    { markets: { widenedMarketIds: true } },
  );
});

test("a --size below Lighter's minimum fails the Lighter market row with the minimum; Backpack (minimum 0.00001) passes", async () => {
  await withSim(async (sim) => {
    const r = await runCheck(configFor(sim, ['--ticker', 'BTC', '--size', '0.0001']), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'lighter.market': 'FAIL' }));
    const row = rowOf(r, 'lighter.market');
    assert.match(row.detail, /--size 0\.0001 is below the minimum$/);
    assert.equal(row.fix, 'give --size 0.0002 or more');
  });
});

test('a --size finer than both grids fails both market rows', async () => {
  await withSim(async (sim) => {
    const r = await runCheck(configFor(sim, ['--ticker', 'BTC', '--size', '0.000015']), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'backpack.market': 'FAIL', 'lighter.market': 'FAIL' }));
    assert.equal(rowOf(r, 'backpack.market').fix, 'give a --size that is a multiple of 0.00001');
    assert.equal(rowOf(r, 'lighter.market').fix, 'give a --size with at most 5 decimals');
  });
});

// The collateral these rows are measured against: 950 000 USDC on each venue.
const COLLATERAL = { backpack: '950000', lighter: '950000' };

test("collateral that cannot carry --max-position fails that venue's row with the largest position it can carry", async () => {
  await withSim(
    async (sim) => {
      // 100 BTC at ~100 000: Backpack needs 1/10 of 10 M (more than its 950 000 free), Lighter 5 % (less).
      const r = await runCheck(configFor(sim, [...BASE, '--max-position', '100']), { settings: SETTINGS });
      assert.deepEqual(statuses(r), expected({ 'backpack.collateral': 'FAIL' }));
      const row = rowOf(r, 'backpack.collateral');
      // The simulated price moves, so the figures are checked against the price each row names.
      const at = (detail: string) => Number(/ at ([\d.]+);/.exec(detail)?.[1]);
      const bpAt = at(row.detail);
      assert.match(row.detail, /^950000\.00 USDC free; margin 1\/10 of notional \(leverageLimit 10\) at [\d.]+; reaching --max-position 100 from 0 needs [\d.]+ USDC$/);
      assert.equal(row.detail.split(' needs ')[1], `${((100 * bpAt) / 10).toFixed(2)} USDC`);
      assert.match(row.fix ?? '', /^deposit USDC on Backpack, or lower --max-position to \d+\.\d+ or less$/);
      assert.ok(Math.abs(Number(/to ([\d.]+) or less/.exec(row.fix ?? '')?.[1]) - (950000 * 10) / bpAt) < 0.001, row.fix);
      const lt = rowOf(r, 'lighter.collateral').detail;
      assert.equal(lt.split(' needs ')[1], `${((100 * at(lt)) / 20).toFixed(2)} USDC`);

      const both = await runCheck(configFor(sim, [...BASE, '--max-position', '200']), { settings: SETTINGS });
      assert.deepEqual(statuses(both), expected({ 'backpack.collateral': 'FAIL', 'lighter.collateral': 'FAIL' }));
    },
    { collateral: COLLATERAL },
  );
});

test("collateral is measured from the position already held, exactly, at the venue's price", async () => {
  await withSim(
    async (sim) => {
      const stop = liveBooks(sim, 1_000_000, 1_000_000); // BTC at exactly 100 000.0 on both
      try {
        sim.engines.backpack.place({ account: sim.accounts.backpack, side: 'buy', type: 'market', size: 50_000, timeInForce: 'IOC' });
        sim.engines.lighter.place({ account: sim.accounts.lighter, side: 'sell', type: 'market', size: 50_000, timeInForce: 'IOC' });
        // Another 95.5 BTC on Backpack at 1/10 margin: 955 000 USDC, above the 944 987.24 free (the simulators' margin
        // model: 950 000 less the held half's margin, 5 000, and its fee).
        const r = await runCheck(configFor(sim, [...BASE, '--max-position', '96']), { settings: SETTINGS });
        assert.deepEqual(statuses(r), expected({ 'backpack.collateral': 'FAIL' }));
        assert.equal(
          rowOf(r, 'backpack.collateral').detail,
          '944987.24 USDC free; margin 1/10 of notional (leverageLimit 10) at 100000; reaching --max-position 96 from +0.5 needs 955000.00 USDC',
        );
        assert.equal(rowOf(r, 'backpack.collateral').fix, 'deposit USDC on Backpack, or lower --max-position to 94.99872 or less');
        assert.equal(
          rowOf(r, 'lighter.collateral').detail,
          '947499.75 USDC free; margin 5 % of notional (default_initial_margin_fraction 500) at 100000; reaching --max-position 96 from −0.5 needs 477500.00 USDC',
        );
        assert.equal(rowOf(r, 'positions').detail, 'Backpack +0.5, Lighter −0.5 BTC: they hedge each other');
      } finally {
        stop();
      }
    },
    { scripted: true, collateral: COLLATERAL },
  );
});

test('positions that do not hedge each other fail the positions row with the net and the fix; hedged ones pass; --allow-unhedged-start accepts them', async () => {
  await withSim(async (sim) => {
    const bought = sim.engines.backpack.place({ account: sim.accounts.backpack, side: 'buy', type: 'market', size: 100, timeInForce: 'IOC' });
    assert.equal(bought.order.executedSize, 100);
    const r = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ positions: 'FAIL' }));
    const row = rowOf(r, 'positions');
    assert.equal(row.detail, 'Backpack +0.001, Lighter 0 BTC: net +0.001, not hedged — a run refuses to start');
    assert.equal(row.fix, 'close 0.001 BTC by hand (sell on either venue) so the two positions cancel, or start with --allow-unhedged-start');

    const accepted = await runCheck(configFor(sim, [...BASE, '--allow-unhedged-start']), { settings: SETTINGS });
    assert.deepEqual(statuses(accepted), expected({}));
    assert.match(rowOf(accepted, 'positions').detail, /net \+0\.001, not hedged — accepted by --allow-unhedged-start$/);

    const sold = sim.engines.lighter.place({ account: sim.accounts.lighter, side: 'sell', type: 'market', size: 100, timeInForce: 'IOC' });
    assert.equal(sold.order.executedSize, 100);
    const hedged = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
    assert.deepEqual(statuses(hedged), expected({}));
    assert.equal(rowOf(hedged, 'positions').detail, 'Backpack +0.001, Lighter −0.001 BTC: they hedge each other');
  });
});

test('a dead Lighter book (the stream sends nothing) fails its book row; the books cannot be compared', async () => {
  await withSim(async (sim) => {
    sim.faults.lighter.silentUntil = Date.now() + 600_000;
    const r = await runCheck(configFor(sim, BASE), { settings: { ...SETTINGS, bookTimeoutMs: 1500 } });
    assert.deepEqual(statuses(r), expected({ 'lighter.book': 'FAIL', 'books.agree': 'skipped' }));
    const row = rowOf(r, 'lighter.book');
    assert.match(row.detail, /^no valid book within 1\.5 s: /);
    assert.match(row.fix ?? '', /^check LIGHTER_WS_URL/);
  });
});

test('books that are valid but silent for longer than --max-book-age-ms fail both book rows as not live', async () => {
  await withSim(
    async (sim) => {
      // One scripted book each, never moved: a snapshot arrives, then nothing.
      sim.engines.backpack.setHouseLiquidity([[999_995, 100_000]], [[1_000_005, 100_000]]);
      sim.engines.lighter.setHouseLiquidity([[999_995, 100_000]], [[1_000_005, 100_000]]);
      const r = await runCheck(configFor(sim, [...BASE, '--max-book-age-ms', '500']), { settings: SETTINGS });
      assert.deepEqual(statuses(r), expected({ 'backpack.book': 'FAIL', 'lighter.book': 'FAIL' }));
      assert.match(rowOf(r, 'backpack.book').detail, /^valid but not live: 0 update\(s\) in 1\.0 s/);
      assert.match(rowOf(r, 'lighter.book').detail, /^valid but not live: 0 update\(s\) in 1\.0 s/);
      assert.equal(rowOf(r, 'books.agree').detail, 'mid 100000.00 on Backpack, 100000.00 on Lighter: 0.00 bps apart (limit 100 bps)');
    },
    { scripted: true },
  );
});

test('a Backpack book that keeps losing sync (depth ids skipped) fails its book row', async () => {
  await withSim(async (sim) => {
    // Once the book has been valid for a moment (so the watch has begun), a gap in the depth ids
    // every 100 ms: the adapter drops and rebuilds the book each time.
    const config = configFor(sim, BASE);
    const venues = marketDataVenues(config, { config, settings: { ...DEFAULT_SETTINGS, ...SETTINGS }, logger: silentLogger });
    let validSince: number | undefined;
    const gaps = setInterval(() => {
      if (venues.backpack.status().bookValid) validSince ??= Date.now();
      if (validSince !== undefined && Date.now() - validSince > 300) sim.faults.backpack.skipSequence = 1;
    }, 100);
    try {
      const r = await runCheck(config, { settings: SETTINGS, venues });
      assert.equal(rowOf(r, 'backpack.book').status, 'FAIL');
      assert.match(rowOf(r, 'backpack.book').detail, /^the book lost sync with the venue [1-9]\d* time\(s\) in 1\.0 s/);
      assert.equal(rowOf(r, 'lighter.book').status, 'ok');
      assert.equal(r.passed, false);
    } finally {
      clearInterval(gaps);
    }
  });
});

test('books whose mids are far apart fail the agreement row', async () => {
  await withSim(
    async (sim) => {
      // Both books live, but 5 % apart.
      const stop = liveBooks(sim, 1_000_000, 1_050_000);
      try {
        const r = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
        assert.deepEqual(statuses(r), expected({ 'books.agree': 'FAIL' }));
        assert.match(rowOf(r, 'books.agree').detail, /^mid 100000\.00 on Backpack, 105000\.00 on Lighter: 487\.80 bps apart \(limit 100 bps\)/);
        assert.match(rowOf(r, 'books.agree').fix ?? '', /same network/);
      } finally {
        stop();
      }
    },
    { scripted: true },
  );
});

test("a --size above the minimum size but worth less than Lighter's minimum order value fails the Lighter market row", async () => {
  await withSim(
    async (sim) => {
      // BTC at 40 000: 0.0002 BTC (the minimum size) is worth 8 USDC, under the 10 USDC minimum.
      const stop = liveBooks(sim, 400_000, 400_000);
      try {
        const r = await runCheck(configFor(sim, ['--ticker', 'BTC', '--size', '0.0002']), { settings: SETTINGS });
        assert.deepEqual(statuses(r), expected({ 'lighter.market': 'FAIL' }));
        const row = rowOf(r, 'lighter.market');
        assert.match(row.detail, /--size 0\.0002 is worth 8 USDC on Lighter BTC at 40000, below the market's minimum order value of 10\.000000 USDC$/);
        assert.equal(row.fix, 'use --size 0.00025 or more');
      } finally {
        stop();
      }
    },
    { scripted: true },
  );
});

test('fees and budget follow the account tier, or the flag that overrides them, and say which', async () => {
  await withSim(
    async (sim) => {
      const r = await runCheck(configFor(sim, [...BASE, '--lighter-tx-per-minute', '120']), { settings: SETTINGS });
      assert.deepEqual(statuses(r), expected({}));
      assert.equal(
        rowOf(r, 'lighter.fees').detail,
        'taker 2.8 bps, maker 0.4 bps, from the account\'s premium tier (accountLimits user_tier "premium"); override with --lighter-taker-fee-bps',
      );
      assert.match(rowOf(r, 'lighter.tier').detail, /^Premium \(accountLimits user_tier "premium"\): volume-based quota; the bot budgets 120/);

      const overridden = await runCheck(configFor(sim, [...BASE, '--lighter-taker-fee-bps', '1.5', '--backpack-taker-fee-bps', '3']), { settings: SETTINGS });
      assert.deepEqual(statuses(overridden), expected({}));
      assert.match(rowOf(overridden, 'lighter.fees').detail, /^taker 1\.5 bps, maker 0\.4 bps, from --lighter-taker-fee-bps$/);
      assert.equal(rowOf(overridden, 'backpack.fees').detail, 'taker 3 bps, maker 0 bps, from --backpack-taker-fee-bps');
    },
    { lighterTier: 'premium' },
  );
});

test("clocks off the venues' fail the clock rows", async () => {
  await withSim(async (sim) => {
    // 3 s: past the check's 1 s limit, still inside Backpack's 5 s signing window.
    sim.faults.backpack.clockSkewMs = 3000;
    sim.faults.lighter.clockSkewMs = 5000;
    const r = await runCheck(configFor(sim, BASE), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'backpack.clock': 'FAIL', 'lighter.clock': 'FAIL' }));
    assert.match(rowOf(r, 'backpack.clock').detail, /^this machine's clock is −(29\d\d|30\d\d) ms off Backpack's/);
    assert.match(rowOf(r, 'backpack.clock').fix ?? '', /NTP/);
  });
});

test("a Lighter request budget above a Standard account's 60 a minute fails the tier row", async () => {
  await withSim(async (sim) => {
    const r = await runCheck(configFor(sim, [...BASE, '--lighter-requests-per-minute', '120']), { settings: SETTINGS });
    assert.deepEqual(statuses(r), expected({ 'lighter.tier': 'FAIL' }));
    assert.equal(rowOf(r, 'lighter.tier').fix, 'lower --lighter-requests-per-minute to 60 or less, or move the account to Premium');
  });
});

test('check --help explains the subcommand (exit 0); check refuses --paper and bad flags with one line and exit status 2', async () => {
  const err: string[] = [];
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
  assert.equal(await checkCommand(['--help'], {}, undefined, io), 0);
  assert.match(out.join(''), /^backpack-lighter-arb check — verify everything a run needs, without trading\n\nUsage: backpack-lighter-arb check --size <QTY>/);
  assert.deepEqual(err, []);
  assert.equal(await checkCommand(['--paper', ...BASE], {}, undefined, io), 2);
  assert.match(err.join(''), /^error: check verifies the keys and accounts a live run uses, and --paper has none/);
  err.length = 0;
  assert.equal(await checkCommand(['--sim'], {}, undefined, io), 2);
  assert.equal(err.join(''), 'error: --size is required — give the order size per leg in base units, e.g. --size 0.001\n');
  err.length = 0;
  assert.equal(await checkCommand(['--sim', '--ticker', 'DOGE', '--size', '1'], {}, undefined, io), 2);
  assert.equal(err.join(''), 'error: the simulated venues list ETH, BTC, SOL, not DOGE — run --sim with one of those tickers\n');
  // A key index of Lighter's own apps is refused before anything is asked, as a run refuses it.
  err.length = 0;
  await withSim(async (sim) => {
    assert.equal(await checkCommand(BASE, { ...sim.env(), LIGHTER_API_KEY_INDEX: '1' }, undefined, io), 2);
    assert.match(
      err.join(''),
      /^error: LIGHTER_API_KEY_INDEX 1 belongs to Lighter's own web and mobile apps .* — create a key at index 3–254 and set LIGHTER_API_KEY_INDEX to it\n$/,
    );
  });
});

// ---------------------------------------------------------------- several markets

/** Each row by market and id ("BTC|positions"; the rows shown once have no market). */
function byMarket(r: CheckReport): Record<string, string> {
  return Object.fromEntries(r.rows.map((row) => [`${row.market ?? ''}|${row.id}`, row.status]));
}

const ONCE_ROWS: RowId[] = [
  'backpack.reachable',
  'backpack.clock',
  'backpack.keys',
  'backpack.collateral',
  'lighter.reachable',
  'lighter.clock',
  'lighter.chain',
  'lighter.key',
  'lighter.tier',
  'lighter.collateral',
];
const MARKET_ROWS: RowId[] = ['backpack.market', 'backpack.fees', 'backpack.book', 'lighter.market', 'lighter.fees', 'lighter.book', 'positions', 'books.agree'];

/** Every row ok except these (keys "BTC|positions", "|backpack.collateral"). */
function expectedMany(tickers: string[], except: Record<string, 'FAIL' | 'skipped'>): Record<string, string> {
  const keys = [...ONCE_ROWS.map((id) => `|${id}`), ...tickers.flatMap((t) => MARKET_ROWS.map((id) => `${t}|${id}`))];
  return Object.fromEntries(keys.map((k) => [k, except[k] ?? 'ok']));
}

test('check with several markets (--ticker BTC,ETH --sim): every market checked, the venues and the account once, exit 0', async () => {
  const lines: string[] = [];
  const code = await checkCommand(
    ['--sim', '--ticker', 'BTC,ETH', '--size', '0.01'],
    {},
    undefined,
    { out: (t) => lines.push(t), err: (t) => lines.push(t) },
    { settings: SETTINGS },
  );
  const out = lines.join('');
  assert.equal(code, 0, out);
  assert.match(
    out,
    /^check: BTC, --size 0\.01, --max-position 0; ETH, --size 0\.01, --max-position 0 on Backpack http:\/\/127\.0\.0\.1:\d+ and Lighter http:\/\/127\.0\.0\.1:\d+ \(simulated\)/,
  );
  // 10 rows once, 8 per market.
  assert.match(out, /all 26 checks passed/);
  for (const title of ['BTC: Backpack market', 'BTC: Lighter book', 'BTC: Positions hedged', 'ETH: Backpack market', 'ETH: Lighter market', 'ETH: Books agree'])
    assert.ok(out.includes(title), title);
  assert.equal(out.split('\n').filter((l) => / Backpack reachable /.test(l)).length, 1, 'the venue rows once');
  assert.match(out, /ETH: Lighter market +ETH: market id 0, tick 0\.01, step 0\.0001, minimum 0\.005/);
});

test('check with several markets: a failing row in each market, and collateral that carries each market alone but not their sum, fail; exit 1', async () => {
  await withSim(
    async (sim) => {
      // BTC: bought on Backpack only. ETH: sold on Lighter only.
      assert.equal(sim.engines.backpack.place({ account: sim.accounts.backpack, side: 'buy', type: 'market', size: 100, timeInForce: 'IOC' }).order.executedSize, 100);
      assert.equal(sim.marketEngines.ETH.lighter.place({ account: sim.accounts.lighter, side: 'sell', type: 'market', size: 100, timeInForce: 'IOC' }).order.executedSize, 100);
      const file = join(tempDir('bla-check-'), 'markets.json');
      // Backpack at 1/10 of notional: BTC 50 at ~100 000 needs ~500 000, ETH 200 at ~3500 ~70 000: each alone within 540 000, not both.
      writeFileSync(file, JSON.stringify({ markets: { BTC: { size: '0.001', 'max-position': '50' }, ETH: { size: '0.01', 'max-position': '200' } } }));
      const config = configFor(sim, ['--config', file]);
      const r = await runCheck(config, { settings: SETTINGS });
      assert.deepEqual(byMarket(r), expectedMany(['BTC', 'ETH'], { 'BTC|positions': 'FAIL', 'ETH|positions': 'FAIL', '|backpack.collateral': 'FAIL' }));
      assert.equal(r.passed, false);
      // Once rows first, then each market's in the order given.
      assert.deepEqual(
        r.rows.map((row) => row.market ?? ''),
        [...ONCE_ROWS.map(() => ''), ...MARKET_ROWS.map(() => 'BTC'), ...MARKET_ROWS.map(() => 'ETH')],
      );
      assert.equal(r.rows.find((row) => row.market === 'BTC' && row.id === 'positions')!.detail, 'Backpack +0.001, Lighter 0 BTC: net +0.001, not hedged — a run refuses to start');
      assert.equal(r.rows.find((row) => row.market === 'ETH' && row.id === 'positions')!.detail, 'Backpack 0, Lighter −0.01 ETH: net −0.01, not hedged — a run refuses to start');
      assert.equal(r.rows.find((row) => row.market === 'ETH' && row.id === 'positions')!.title, 'ETH: Positions hedged');
      const bp = rowOf(r, 'backpack.collateral');
      assert.match(
        bp.detail,
        /^(5[34]\d{4}\.\d\d) USDC free; every market reaching its --max-position needs ([\d.]+) USDC: BTC ([\d.]+) \(--max-position 50, margin 1\/10 of notional \(leverageLimit 10\) at [\d.]+\); ETH ([\d.]+) \(--max-position 200, margin 1\/10 of notional \(leverageLimit 10\) at [\d.]+\)$/,
      );
      // Free: 540 000 less the margin and fee of the 0.001 BTC held.
      const [, free, total, btc, eth] = /^([\d.]+) USDC free; .* needs ([\d.]+) USDC: BTC ([\d.]+) .*; ETH ([\d.]+) /.exec(bp.detail)!.map(Number);
      assert.ok(btc! < free! && eth! < free! && total! > free!, bp.detail);
      assert.equal(Math.round((btc! + eth!) * 100), Math.round(total! * 100), 'the sum of the markets');
      assert.equal(bp.fix, "deposit USDC on Backpack, or lower the markets' --max-position so their sum fits");
      assert.equal(rowOf(r, 'lighter.collateral').status, 'ok');

      const lines: string[] = [];
      const code = await checkCommand(['--config', file], sim.env(), undefined, { out: (t) => lines.push(t), err: (t) => lines.push(t) }, { settings: SETTINGS });
      assert.equal(code, 1, lines.join(''));
      assert.match(lines.join(''), /3 of 26 checks failed/);
    },
    { tickers: ['BTC', 'ETH'], collateral: { backpack: '540000', lighter: '950000' } },
  );
});
