// The real entry point as a trader runs it: --sim and SIGTERM, and `npm run sim`'s server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, TSX_IMPORT } from '../helpers/paths.js';

function start(script: string, args: string[], cwd: string) {
  const child = spawn(process.execPath, ['--import', TSX_IMPORT, join(REPO_ROOT, script), ...args], { cwd, env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const waitFor = async (text: string, ms = 15_000) => {
    const t0 = Date.now();
    while (!out.includes(text)) {
      if (Date.now() - t0 > ms) throw new Error(`no "${text}" in: ${out.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, exit, waitFor, output: () => out };
}

/** A folder for one test, removed when the test ends. */
function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bla-proc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('--sim runs the bot; SIGTERM stops it cleanly with a summary and exit status 0 within 10 s; its files are under logs/sim, rows marked sim', async (t) => {
  const dir = tempDir(t);
  const bot = start('src/cli/main.ts', ['--sim', '--size', '0.01'], dir);
  await bot.waitFor('running: every book frame');
  assert.match(bot.output(), /mode: SIM — simulated venues on loopback/);
  const t0 = Date.now();
  bot.child.kill('SIGTERM');
  assert.equal(await bot.exit, 0);
  assert.ok(Date.now() - t0 < 10_000, `stopped in ${Date.now() - t0} ms`);
  assert.match(bot.output(), /stopping \(SIGTERM\): no new entries/);
  assert.match(bot.output(), /── summary ──/);
  // Only the sim folder: nothing a sim run writes can land beside a live run's files.
  assert.deepEqual(readdirSync(join(dir, 'logs')), ['sim']);
  const files = readdirSync(join(dir, 'logs', 'sim')).sort();
  assert.deepEqual(
    files.map((f) => f.replace(/\d{8}/, 'DATE')),
    ['backpack_lighter_BTC.log', 'bbo_BTC_DATE.csv', 'trades_BTC_DATE.csv'],
  );
  assert.match(readFileSync(join(dir, 'logs', 'sim', 'backpack_lighter_BTC.log'), 'utf8'), /summary: \d+ trades/);
  for (const csv of files.filter((f) => f.endsWith('.csv'))) {
    const [header, ...rows] = readFileSync(join(dir, 'logs', 'sim', csv), 'utf8')
      .trim()
      .split('\n');
    assert.match(header, /,mode$/, `${csv}: mode is the last column`);
    for (const row of rows) assert.match(row, /,sim$/, `${csv}: every row says sim`);
  }
});

test('npm run sim serves both venues and prints their URLs and generated keys as .env lines', async (t) => {
  const sim = start('src/sim/serve.ts', [], tempDir(t));
  await sim.waitFor('LIGHTER_API_KEY_INDEX=');
  const lines = Object.fromEntries(
    sim
      .output()
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
  assert.deepEqual(Object.keys(lines).sort(), [
    'API_KEY_PRIVATE_KEY',
    'BACKPACK_API_URL',
    'BACKPACK_PUBLIC_KEY',
    'BACKPACK_SECRET_KEY',
    'BACKPACK_WS_URL',
    'LIGHTER_ACCOUNT_INDEX',
    'LIGHTER_API_KEY_INDEX',
    'LIGHTER_API_URL',
    'LIGHTER_CHAIN_ID',
    'LIGHTER_WS_URL',
  ]);
  const markets = (await (await fetch(`${lines.BACKPACK_API_URL}/api/v1/markets`)).json()) as Array<{ symbol: string }>;
  assert.ok(markets.some((m) => m.symbol === 'BTC_USDC_PERP'));
  const keys = (await (await fetch(`${lines.LIGHTER_API_URL}/api/v1/apikeys?account_index=${lines.LIGHTER_ACCOUNT_INDEX}&api_key_index=255`)).json()) as { api_keys: unknown[] };
  assert.equal(keys.api_keys.length, 1);
  sim.child.kill('SIGINT');
  assert.equal(await sim.exit, 0);
});

test('--log-format json --log-level warn: the run log holds only JSON records at warn and above, the .env warning among them', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, '.env'), 'LIGHTER_CHAIN_ID=304\nthis is not a setting\n');
  const bot = start('src/cli/main.ts', ['--sim', '--size', '0.01', '--log-format', 'json', '--log-level', 'warn', '--duration', '1'], dir);
  assert.equal(await bot.exit, 0);
  const records = readFileSync(join(dir, 'logs', 'sim', 'backpack_lighter_BTC.log'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: string; time: string; msg: string });
  assert.ok(records.length > 0);
  for (const r of records) {
    assert.ok(r.level === 'warn' || r.level === 'error', `level ${r.level}: ${r.msg}`);
    assert.match(r.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.equal(records[0].msg, '.env line 2 is not NAME=value and was ignored — write it as NAME=value, or start it with # to keep it as a comment');
  assert.doesNotMatch(bot.output(), /"level":"info"/, 'no info record on the console either');
  assert.match(bot.output(), /── summary ──/);
});
