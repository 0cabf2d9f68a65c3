import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { FLAGS, dotEnvWarnings, parseConfig, parseDotEnv, ConfigError } from '../../src/cli/args.js';
import { REPO_ROOT, TSX_IMPORT, VECTORS_DIR } from '../helpers/paths.js';

const keys = JSON.parse(readFileSync(join(VECTORS_DIR, 'backpack', 'keys.json'), 'utf8')).keys as Array<{
  secret_b64: string;
  public_key_b64: string;
}>;
const LIGHTER_KEY = '0x' + '11'.repeat(40);
const GOOD_ENV = {
  BACKPACK_PUBLIC_KEY: keys[0].public_key_b64,
  BACKPACK_SECRET_KEY: keys[0].secret_b64,
  API_KEY_PRIVATE_KEY: LIGHTER_KEY,
  LIGHTER_ACCOUNT_INDEX: '12345',
  LIGHTER_API_KEY_INDEX: '3',
};
const SECRETS = [keys[0].secret_b64, LIGHTER_KEY, LIGHTER_KEY.slice(2)];

/** Runs the real entry point in an empty directory with only the given environment. */
function cli(args: string[], env: Record<string, string> = {}, dotEnv?: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'bla-cli-'));
  if (dotEnv !== undefined) writeFileSync(join(cwd, '.env'), dotEnv);
  const r = spawnSync(process.execPath, ['--import', TSX_IMPORT, join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  rmSync(cwd, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertOneLineError(r: { status: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit status for: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one stderr line, got: ${r.stderr}`);
  assert.match(lines[0], /^error: .+ — .+/, 'names the problem, then the fix');
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  for (const secret of SECRETS) assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), 'no secret echoed');
}

const badInputs: Array<[string, string[], Record<string, string>, RegExp]> = [
  ['missing --size', [], GOOD_ENV, /--size is required/],
  ['size not a number', ['--size', 'abc'], GOOD_ENV, /--size "abc" is not a decimal number/],
  ['size negative', ['--size=-0.1'], GOOD_ENV, /--size -0.1 is negative/],
  // Node's parser calls a value that starts with a dash "ambiguous" and names no flag; ours names it.
  ['size negative after a space', ['--size', '-1'], GOOD_ENV, /--size -1 is negative/],
  ['size negative leading dot', ['--size', '-.5'], GOOD_ENV, /--size -\.5 is negative/],
  ['max position negative after a space', ['--size', '1', '--max-position', '-0.5'], GOOD_ENV, /--max-position -0\.5 is negative/],
  ['duration negative after a space', ['--size', '1', '--duration', '-3'], GOOD_ENV, /--duration -3 is negative/],
  ['a flag where the value should be', ['--size', '--ticker', 'BTC'], GOOD_ENV, /--size needs a value/],
  ['a lone dot', ['--size', '.'], GOOD_ENV, /--size "\." is not a decimal number/],
  ['size zero', ['--size', '0.000'], GOOD_ENV, /--size 0.000 is zero/],
  ['long threshold not a number', ['--size', '1', '--long-threshold', '5usd'], GOOD_ENV, /--long-threshold "5usd" is not a decimal/],
  ['short threshold negative', ['--size', '1', '--short-threshold=-2'], GOOD_ENV, /--short-threshold -2 is negative/],
  ['max position not a number', ['--size', '1', '--max-position', '1e3'], GOOD_ENV, /--max-position "1e3" is not a decimal/],
  ['max position negative', ['--size', '1', '--max-position=-1'], GOOD_ENV, /--max-position -1 is negative/],
  ['check interval zero', ['--size', '1', '--check-interval', '0'], GOOD_ENV, /--check-interval 0 must be above 0/],
  ['check interval negative', ['--size', '1', '--check-interval=-0.1'], GOOD_ENV, /--check-interval -0.1 is negative/],
  ['unknown flag', ['--size', '1', '--treshold', '5'], GOOD_ENV, /unknown flag --treshold/],
  ['bad ticker', ['--size', '1', '--ticker', 'BTC-USD'], GOOD_ENV, /--ticker "BTC-USD" has characters other than A–Z and 0–9/],
  [
    'missing credentials',
    ['--size', '1'],
    { BACKPACK_PUBLIC_KEY: GOOD_ENV.BACKPACK_PUBLIC_KEY, LIGHTER_API_KEY_INDEX: '3' },
    /missing credentials: BACKPACK_SECRET_KEY, API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX .*env_example\.txt/,
  ],
  ['secret not base64', ['--size', '1'], { ...GOOD_ENV, BACKPACK_SECRET_KEY: 'not*base64!' }, /BACKPACK_SECRET_KEY is not valid base64/],
  ['secret of 16 bytes', ['--size', '1'], { ...GOOD_ENV, BACKPACK_SECRET_KEY: Buffer.alloc(16, 7).toString('base64') }, /BACKPACK_SECRET_KEY decodes to 16 bytes .*32-byte/],
  ['public key not matching', ['--size', '1'], { ...GOOD_ENV, BACKPACK_PUBLIC_KEY: keys[1].public_key_b64 }, /BACKPACK_PUBLIC_KEY does not match BACKPACK_SECRET_KEY/],
  ['lighter key too short', ['--size', '1'], { ...GOOD_ENV, API_KEY_PRIVATE_KEY: '0x' + 'ab'.repeat(32) }, /API_KEY_PRIVATE_KEY is not 40 bytes of hex \(got 64/],
  ['lighter key not hex', ['--size', '1'], { ...GOOD_ENV, API_KEY_PRIVATE_KEY: 'zz'.repeat(40) }, /API_KEY_PRIVATE_KEY is not 40 bytes of hex/],
  ['account index not integer', ['--size', '1'], { ...GOOD_ENV, LIGHTER_ACCOUNT_INDEX: '12.5' }, /LIGHTER_ACCOUNT_INDEX "12.5" is not a whole number/],
  ['account index out of range', ['--size', '1'], { ...GOOD_ENV, LIGHTER_ACCOUNT_INDEX: String(2 ** 48) }, /LIGHTER_ACCOUNT_INDEX .* from 0 to 281474976710654/],
  ['api key index 255', ['--size', '1'], { ...GOOD_ENV, LIGHTER_API_KEY_INDEX: '255' }, /LIGHTER_API_KEY_INDEX "255" is not a whole number from 0 to 254/],
  ['api key index negative', ['--size', '1'], { ...GOOD_ENV, LIGHTER_API_KEY_INDEX: '-1' }, /LIGHTER_API_KEY_INDEX "-1"/],
  ['malformed API URL', ['--size', '1'], { ...GOOD_ENV, BACKPACK_API_URL: 'not a url' }, /BACKPACK_API_URL "not a url" is not a URL/],
  ['WS URL with http scheme', ['--size', '1'], { ...GOOD_ENV, LIGHTER_WS_URL: 'http://127.0.0.1:9/stream' }, /LIGHTER_WS_URL .* must start with ws:\/\/ or wss:\/\//],
  ['chain id not integer', ['--size', '1'], { ...GOOD_ENV, LIGHTER_CHAIN_ID: 'mainnet' }, /LIGHTER_CHAIN_ID "mainnet"/],
  [
    'sign-ahead bound unknown',
    ['--size', '1', '--sign-ahead-bound', 'loose'],
    GOOD_ENV,
    /--sign-ahead-bound "loose" is not one of threshold, book — e\.g\. --sign-ahead-bound threshold/,
  ],
];

for (const [name, args, env, pattern] of badInputs) {
  test(`bad input exits 2 with one line: ${name}`, () => {
    assertOneLineError(cli(args, env), pattern);
  });
}

test('--help lists every flag with its default, and examples', () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0);
  for (const [flag, dflt] of [
    ['--ticker', 'BTC'],
    ['--long-threshold', '5'],
    ['--short-threshold', '5'],
    ['--max-position', '0'],
    ['--check-interval', '0.1'],
    ['--log-dir', 'logs'],
    ['--duration', '0'],
  ]) {
    assert.match(r.stdout, new RegExp(`${flag} .*\\(default: ${dflt.replace('.', '\\.')}\\)`));
  }
  assert.match(r.stdout, /--size <QTY> .*required/);
  // Every flag the parser accepts is listed, each with a default (or marked required).
  for (const name of Object.keys(FLAGS)) {
    if (name === 'help' || name === 'size') continue;
    assert.match(r.stdout, new RegExp(`--${name}\\b.*\\(default: [^)]+\\)`), `--${name} listed with its default`);
  }
  assert.match(r.stdout, /Examples:\n.*--size 0\.01/);
});

test('reference defaults and the environment give a live Config', () => {
  const r = parseConfig(['--size', '0.001'], GOOD_ENV);
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') return;
  const c = r.config;
  assert.equal(c.mode, 'live');
  assert.equal(c.ticker, 'BTC');
  assert.equal(c.size, '0.001');
  assert.equal(c.longThreshold, '5');
  assert.equal(c.shortThreshold, '5');
  assert.equal(c.maxPosition, '0');
  assert.equal(c.checkIntervalMs, 100);
  assert.equal(c.bboIntervalMs, 5000);
  assert.equal(c.logDir, 'logs');
  assert.equal(c.durationMs, 0);
  assert.equal(c.lighter.chainId, 304);
  assert.equal(c.lighter.accountIndex, 12345);
  assert.equal(c.lighter.apiKeyIndex, 3);
  assert.equal(c.backpack.apiUrl, 'https://api.backpack.exchange');
  assert.equal(c.lighter.wsUrl, 'wss://mainnet.zklighter.elliot.ai/stream');
  assert.equal(c.backpack.secretKey?.reveal(), keys[0].secret_b64);
  // A Config can be logged whole without leaking a secret.
  const dumped = JSON.stringify(c) + String(c.backpack.secretKey) + inspect(c, { depth: 5 });
  for (const secret of SECRETS) assert.ok(!dumped.includes(secret));
});

test('environment wins over .env, and .env fills the rest', () => {
  const dotEnv = [
    '# comment',
    `BACKPACK_PUBLIC_KEY=${GOOD_ENV.BACKPACK_PUBLIC_KEY}`,
    `export BACKPACK_SECRET_KEY="${GOOD_ENV.BACKPACK_SECRET_KEY}"`,
    `API_KEY_PRIVATE_KEY='${LIGHTER_KEY}'`,
    'LIGHTER_ACCOUNT_INDEX=7 # trailing comment',
    'LIGHTER_API_KEY_INDEX=2',
    'LIGHTER_CHAIN_ID=300',
  ].join('\n');
  const r = parseConfig(['--size', '1'], { LIGHTER_API_KEY_INDEX: '9' }, dotEnv);
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') return;
  assert.equal(r.config.lighter.apiKeyIndex, 9);
  assert.equal(r.config.lighter.accountIndex, 7);
  assert.equal(r.config.lighter.chainId, 300);
  assert.equal(r.config.backpack.secretKey?.reveal(), GOOD_ENV.BACKPACK_SECRET_KEY);
});

test('.env is read from the working directory by the real entry point', () => {
  const dotEnv = Object.entries({ ...GOOD_ENV, LIGHTER_API_KEY_INDEX: '300' })
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  assertOneLineError(cli(['--size', '1'], {}, dotEnv), /LIGHTER_API_KEY_INDEX "300"/);
});

test('paper and sim modes need no credentials; both together are refused', () => {
  const paper = parseConfig(['--size', '1', '--paper'], {});
  assert.equal(paper.kind === 'run' && paper.config.mode, 'paper');
  const sim = parseConfig(['--size', '1', '--sim', '--ticker', 'eth'], {});
  assert.equal(sim.kind === 'run' && sim.config.mode, 'sim');
  assert.equal(sim.kind === 'run' && sim.config.ticker, 'ETH');
  assert.throws(() => parseConfig(['--size', '1', '--sim', '--paper'], {}), ConfigError);
});

test('URL overrides are taken without a trailing slash; flags parse into numbers', () => {
  const r = parseConfig(['--size', '0.5', '--duration', '1.5', '--check-interval', '0.25', '--slippage-bps', '15', '--min-edge-bps', '2.5'], {
    ...GOOD_ENV,
    BACKPACK_API_URL: 'http://127.0.0.1:8080/',
    LIGHTER_WS_URL: 'ws://127.0.0.1:9000/stream',
  });
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') return;
  assert.equal(r.config.backpack.apiUrl, 'http://127.0.0.1:8080');
  assert.equal(r.config.lighter.wsUrl, 'ws://127.0.0.1:9000/stream');
  assert.equal(r.config.durationMs, 1500);
  assert.equal(r.config.checkIntervalMs, 250);
  assert.equal(r.config.slippageBps, 15);
  assert.equal(r.config.minEdgeBps, 2.5);
});

test('--log-level sets the console and the file; without it the file keeps debug lines; --log-format is text or json', () => {
  const dflt = parseConfig(['--size', '1', '--sim'], {});
  assert.deepEqual(dflt.kind === 'run' && [dflt.config.logLevel, dflt.config.fileLogLevel, dflt.config.logFormat], ['info', 'debug', 'text']);
  const warn = parseConfig(['--size', '1', '--sim', '--log-level', 'WARN', '--log-format', 'json'], {});
  assert.deepEqual(warn.kind === 'run' && [warn.config.logLevel, warn.config.fileLogLevel, warn.config.logFormat], ['warn', 'warn', 'json']);
  assert.throws(
    () => parseConfig(['--size', '1', '--sim', '--log-level', 'verbose'], {}),
    /--log-level "verbose" is not one of debug, info, warn, error — e\.g\. --log-level debug/,
  );
  assert.throws(() => parseConfig(['--size', '1', '--sim', '--log-format', 'xml'], {}), /--log-format "xml" is not one of text, json — e\.g\. --log-format text/);
});

test('--sign-ahead-bound is threshold unless told book', () => {
  const dflt = parseConfig(['--size', '1', '--sim'], {});
  assert.equal(dflt.kind === 'run' && dflt.config.signAheadBound, 'threshold');
  const strict = parseConfig(['--size', '1', '--sim', '--sign-ahead-bound', 'BOOK'], {});
  assert.equal(strict.kind === 'run' && strict.config.signAheadBound, 'book');
});

test('leading-dot numbers are accepted and written with their zero', () => {
  const r = parseConfig(['--size', '.5', '--long-threshold', '.25', '--max-position', '.01', '--check-interval', '.2', '--min-edge-bps', '.5'], GOOD_ENV);
  assert.equal(r.kind, 'run');
  if (r.kind !== 'run') return;
  assert.equal(r.config.size, '0.5');
  assert.equal(r.config.longThreshold, '0.25');
  assert.equal(r.config.maxPosition, '0.01');
  assert.equal(r.config.checkIntervalMs, 200);
  assert.equal(r.config.minEdgeBps, 0.5);
});

test('parseDotEnv handles quotes, export and comments', () => {
  assert.deepEqual(parseDotEnv('A=1\n# x\nexport B="two words"\nC=\'q\' \nD=4 # note\n\nbad line'), {
    A: '1',
    B: 'two words',
    C: 'q',
    D: '4',
  });
});

test('the shared Lighter request budget: --lighter-requests-per-minute, or its older name --lighter-tx-per-minute; both differently is refused', () => {
  const budget = (...flags: string[]) => {
    const r = parseConfig(['--size', '1', ...flags], GOOD_ENV);
    assert.equal(r.kind, 'run');
    return r.kind === 'run' ? r.config.lighterTxPerMinute : NaN;
  };
  assert.equal(budget(), 60);
  assert.equal(budget('--lighter-requests-per-minute', '240'), 240);
  assert.equal(budget('--lighter-tx-per-minute', '40'), 40);
  assert.equal(budget('--lighter-tx-per-minute', '40', '--lighter-requests-per-minute', '40'), 40);
  assert.throws(
    () => budget('--lighter-tx-per-minute', '40', '--lighter-requests-per-minute', '60'),
    /--lighter-requests-per-minute 60 and --lighter-tx-per-minute 40 name the same budget — give one of them/,
  );
  assert.throws(() => budget('--lighter-requests-per-minute', '0'), ConfigError);
});

test('.env lines dotenv cannot read are named by number, never by content', () => {
  const text = ['A=1', 'export B="two', 'lines"', 'C: 3', 'this line has a s3cret in it', '', '# comment', 'D 4', "E='unclosed"].join('\n');
  assert.deepEqual(dotEnvWarnings(text), [
    '.env line 5 is not NAME=value and was ignored — write it as NAME=value, or start it with # to keep it as a comment',
    '.env line 8 is not NAME=value and was ignored — write it as NAME=value, or start it with # to keep it as a comment',
    ".env has a quoted value opened with ' that is never closed — close the quote",
  ]);
  assert.deepEqual(dotEnvWarnings('A=1\n\n# x\nexport B="q" # note\n'), []);
  const r = parseConfig(['--size', '1', '--sim'], {}, 'A=1\nnot a setting\n');
  assert.deepEqual(r.kind === 'run' && r.warnings, ['.env line 2 is not NAME=value and was ignored — write it as NAME=value, or start it with # to keep it as a comment']);
});

test('the real entry point warns about an unreadable .env line before the error it may explain', () => {
  const dotEnv = [`BACKPACK_PUBLIC_KEY=${GOOD_ENV.BACKPACK_PUBLIC_KEY}`, `BACKPACK_SECRET_KEY ${GOOD_ENV.BACKPACK_SECRET_KEY}`].join('\n');
  const r = cli(['--size', '1'], {}, dotEnv);
  assert.equal(r.status, 2);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines[0], 'warning: .env line 2 is not NAME=value and was ignored — write it as NAME=value, or start it with # to keep it as a comment');
  assert.match(lines[1], /^error: missing credentials: BACKPACK_SECRET_KEY, /);
  assert.ok(!r.stderr.includes(GOOD_ENV.BACKPACK_SECRET_KEY), 'the unreadable line is not echoed');
});

test('--record DIR is read in every mode; without it nothing is recorded', () => {
  for (const mode of [[], ['--paper'], ['--sim']]) {
    const r = parseConfig(['--size', '0.001', ...mode, '--record', 'rec/btc'], GOOD_ENV);
    assert.equal(r.kind === 'run' && r.config.recordDir, 'rec/btc');
  }
  const r = parseConfig(['--size', '0.001', '--sim'], GOOD_ENV);
  assert.equal(r.kind === 'run' && r.config.recordDir, undefined);
});
