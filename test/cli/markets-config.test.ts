import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/cli/args.js';
import { jobConfig } from '../../src/backtest/job.js';
import type { Config } from '../../src/cli/config.js';
import { REPO_ROOT, TSX_IMPORT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

/** parseConfig in sim mode (no credentials needed) with the given config files, by name. */
function parse(argv: string[], files: Record<string, string> = {}): Config {
  const r = parseConfig(['--sim', ...argv], {}, undefined, (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  });
  assert.equal(r.kind, 'run');
  return (r as { config: Config }).config;
}

function refused(argv: string[], files: Record<string, string>, pattern: RegExp): void {
  assert.throws(
    () => parse(argv, files),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `a ConfigError, got ${String(e)}`);
      assert.equal(e.message.split('\n').length, 1, 'one line');
      assert.match(e.message, / — /, 'the cause, then the fix');
      assert.match(e.message, pattern);
      return true;
    },
  );
}

test('flags alone: one market, exactly the flags (the one-market run as before)', () => {
  const c = parse(['--ticker', 'eth', '--size', '.5', '--long-threshold', '2', '--max-position', '3', '--slippage-bps', '15', '--min-edge-bps', '1.5']);
  assert.deepEqual(c.markets, [{ ticker: 'ETH', size: '0.5', longThreshold: '2', shortThreshold: '5', maxPosition: '3', minEdgeBps: 1.5, slippageBps: 15 }]);
  assert.deepEqual([c.ticker, c.size, c.longThreshold, c.shortThreshold, c.maxPosition, c.minEdgeBps, c.slippageBps], ['ETH', '0.5', '2', '5', '3', 1.5, 15]);
  assert.deepEqual(c.caps, {});
});

test('--ticker BTC,ETH,SOL: every market with the flags, the first mirrored at the top', () => {
  const c = parse(['--ticker', 'BTC, eth,SOL', '--size', '0.01', '--short-threshold', '7', '--max-total-notional', '25000', '--max-total-exposure', '.5']);
  assert.deepEqual(
    c.markets.map((m) => [m.ticker, m.size, m.longThreshold, m.shortThreshold, m.maxPosition, m.minEdgeBps, m.slippageBps]),
    [
      ['BTC', '0.01', '5', '7', '0', 0, 20],
      ['ETH', '0.01', '5', '7', '0', 0, 20],
      ['SOL', '0.01', '5', '7', '0', 0, 20],
    ],
  );
  assert.equal(c.ticker, 'BTC');
  assert.deepEqual(c.caps, { maxTotalNotional: '25000', maxTotalExposure: '0.5' });
});

test('the example config in the repository reads as it says', () => {
  const path = join(REPO_ROOT, 'config.example.yaml');
  const c = parse(['--config', path], { [path]: readFileSync(path, 'utf8') });
  assert.deepEqual(c.markets, [
    { ticker: 'BTC', size: '0.001', longThreshold: '20', shortThreshold: '20', maxPosition: '0.01', minEdgeBps: 0, slippageBps: 20 },
    { ticker: 'ETH', size: '0.01', longThreshold: '5', shortThreshold: '5', maxPosition: '0', minEdgeBps: 1, slippageBps: 20 },
    { ticker: 'SOL', size: '0.5', longThreshold: '5', shortThreshold: '5', maxPosition: '0', minEdgeBps: 0, slippageBps: 30 },
  ]);
  assert.deepEqual(c.caps, { maxTotalNotional: '50000', maxTotalExposure: '2000' });
  assert.equal(c.ticker, 'BTC');
  assert.equal(c.size, '0.001');
});

test('precedence: the market’s own entry, then the flag, then the file’s defaults, then the built-in default', () => {
  const yaml = [
    'defaults:',
    '  size: "0.2"',
    '  long-threshold: 9',
    '  short-threshold: 8',
    'markets:',
    '  BTC:',
    '    long-threshold: 1',
    '  ETH:',
    'max-total-notional: 100',
  ].join('\n');
  const c = parse(['--config', 'run.yaml', '--long-threshold', '4', '--max-total-notional', '300'], { 'run.yaml': yaml });
  assert.deepEqual(
    c.markets.map((m) => [m.ticker, m.size, m.longThreshold, m.shortThreshold, m.slippageBps]),
    [
      ['BTC', '0.2', '1', '8', 20],
      ['ETH', '0.2', '4', '8', 20],
    ],
  );
  // The flag wins over the file's cap.
  assert.deepEqual(c.caps, { maxTotalNotional: '300' });
});

test('JSON: the same fields, and a list of names for markets', () => {
  const json = JSON.stringify({ defaults: { size: '0.01', 'min-edge-bps': 2 }, markets: ['btc', 'SOL'], 'max-total-exposure': '1000' });
  const c = parse(['--config', 'run.json'], { 'run.json': json });
  assert.deepEqual(
    c.markets.map((m) => [m.ticker, m.size, m.minEdgeBps]),
    [
      ['BTC', '0.01', 2],
      ['SOL', '0.01', 2],
    ],
  );
  assert.deepEqual(c.caps, { maxTotalExposure: '1000' });
});

const badFiles: Array<[string, string, string, RegExp]> = [
  [
    'an unknown top-level field',
    'run.yaml',
    'market:\n  BTC: {size: 1}\n',
    /run\.yaml: unknown field "market" — the top-level fields are defaults, markets, max-total-notional, max-total-exposure/,
  ],
  ['an unknown market field', 'run.yaml', 'markets:\n  BTC:\n    sise: 1\n', /unknown field markets\.BTC\.sise — a market's fields are size, long-threshold/],
  ['an unknown defaults field', 'run.json', '{"defaults":{"threshold":1},"markets":["BTC"]}', /unknown field defaults\.threshold/],
  ['a size that is not a number', 'run.yaml', 'markets:\n  ETH:\n    size: abc\n', /markets\.ETH\.size in run\.yaml "abc" is not a decimal number/],
  ['a negative threshold', 'run.yaml', 'markets:\n  ETH:\n    size: 1\n    short-threshold: -2\n', /markets\.ETH\.short-threshold in run\.yaml -2 is negative/],
  ['a zero size', 'run.yaml', 'defaults:\n  size: 0\nmarkets: [BTC]\n', /defaults\.size in run\.yaml 0 is zero — give a positive order size, e\.g\. size: "0\.001"/],
  [
    'a number the parser cannot keep exact',
    'run.yaml',
    'markets:\n  BTC:\n    size: 1e-7\n',
    /markets\.BTC\.size in run\.yaml is 1e-7, which is not a plain decimal — write it in quotes/,
  ],
  ['a value that is not a number', 'run.yaml', 'markets:\n  BTC:\n    size: 1\n    slippage-bps: true\n', /markets\.BTC\.slippage-bps in run\.yaml is a boolean — give a number/],
  ['a zero slippage', 'run.yaml', 'markets:\n  BTC:\n    size: 1\n    slippage-bps: 0\n', /markets\.BTC\.slippage-bps in run\.yaml 0 must be above 0/],
  [
    'a market without a size',
    'run.yaml',
    'markets:\n  BTC:\n    size: 1\n  ETH: {}\n',
    /market ETH has no size — give markets\.ETH\.size or defaults\.size in run\.yaml, or --size/,
  ],
  ['no markets', 'run.yaml', 'defaults:\n  size: 1\n', /run\.yaml: no "markets" — list the markets to trade/],
  ['empty markets', 'run.json', '{"markets":[]}', /"markets" is empty/],
  ['a market twice', 'run.yaml', 'markets: [BTC, btc]\ndefaults: {size: 1}\n', /market BTC is listed twice/],
  ['a bad market name', 'run.yaml', 'markets:\n  BTC-PERP: {size: 1}\n', /market "BTC-PERP" has characters other than A–Z and 0–9/],
  ['a zero cap', 'run.yaml', 'markets: {BTC: {size: 1}}\nmax-total-notional: 0\n', /max-total-notional in run\.yaml 0 is zero — give a positive amount in USDC/],
  ['invalid YAML', 'run.yaml', 'markets:\n  BTC: {size: 1\n', /--config run\.yaml is not valid YAML \(/],
  ['duplicate YAML keys', 'run.yaml', 'markets:\n  BTC: {size: 1}\n  BTC: {size: 2}\n', /--config run\.yaml is not valid YAML/],
  ['invalid JSON', 'run.json', '{"markets": [BTC]}', /--config run\.json is not valid JSON/],
  ['a name that says neither JSON nor YAML', 'run.txt', 'markets: [BTC]', /--config run\.txt: the name must end in \.json, \.yaml or \.yml/],
  ['not a mapping', 'run.yaml', '- BTC\n- ETH\n', /--config run\.yaml holds no mapping of settings/],
];

for (const [what, name, text, pattern] of badFiles) {
  test(`--config refuses ${what} with one line naming the field`, () => refused(['--config', name], { [name]: text }, pattern));
}

test('--config: a file that is not there, and --ticker beside --config', () => {
  refused(['--config', 'nowhere.yaml'], {}, /--config nowhere\.yaml cannot be read \(no such file\) — give the path of a JSON or YAML file/);
  refused(['--config', 'run.yaml', '--ticker', 'ETH'], { 'run.yaml': 'markets: {BTC: {size: 1}}' }, /--ticker and --config run\.yaml both name the markets/);
});

test('--ticker lists: empty names, repeats and bad characters are refused', () => {
  refused(['--ticker', 'BTC,,ETH', '--size', '1'], {}, /--ticker "BTC,,ETH" has an empty name/);
  refused(['--ticker', 'BTC,eth,ETH', '--size', '1'], {}, /--ticker names ETH twice/);
  refused(['--ticker', 'BTC,ET-H', '--size', '1'], {}, /--ticker "ET-H" has characters other than A–Z and 0–9/);
  refused(['--ticker', 'BTC,ETH', '--size', '1', '--max-total-exposure', 'lots'], {}, /--max-total-exposure "lots" is not a decimal number/);
});

test('the entry point: a bad field in a real file is one line on stderr and exit status 2', () => {
  const dir = tempDir('bla-markets-cfg-');
  const path = join(dir, 'run.yaml');
  writeFileSync(path, 'markets:\n  BTC:\n    size: 0.001\n  ETH:\n    size: 0.01\n    max-positon: 1\n');
  const r = spawnSync(process.execPath, ['--import', TSX_IMPORT, join(REPO_ROOT, 'src/cli/main.ts'), '--sim', '--config', path], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.equal(
    r.stderr,
    `error: ${path}: unknown field markets.ETH.max-positon — a market's fields are size, long-threshold, short-threshold, max-position, min-edge-bps, slippage-bps\n`,
  );
  assert.equal(r.stdout, '');
});

test('--record with several markets is refused: a recording holds one market', () => {
  refused(
    ['--ticker', 'BTC,ETH', '--size', '1', '--record', 'rec'],
    {},
    /^--record records one market, and BTC, ETH were given — record with a single --ticker, or leave out --record$/,
  );
  assert.equal(parse(['--ticker', 'BTC', '--size', '1', '--record', 'rec']).recordDir, 'rec');
});

test('a backtest replays one market: a list of tickers is refused with one line, not replayed as its first', () => {
  const job = { strategyArgs: ['--ticker', 'BTC,ETH', '--size', '0.01'], dataDir: 'rec', latency: undefined, logDir: 'out' } as unknown as Parameters<typeof jobConfig>[0];
  assert.throws(
    () => jobConfig(job),
    (e: unknown) => e instanceof ConfigError && e.message === "a backtest replays one market's recording — give one --ticker, not BTC,ETH",
  );
  assert.equal(jobConfig({ ...job, strategyArgs: ['--ticker', 'ETH', '--size', '0.01'] }).ticker, 'ETH');
});
