import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/cli/args.js';
import { parseScanArgs } from '../../src/cli/scan.js';
import { readBackpackDepth } from '../../src/scan/run.js';

const problem = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    parseScanArgs(argv, env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  return assert.fail(`${argv.join(' ')} was accepted`);
};

test('scan defaults: every shared market, 60 s, one sample a second, 1000 USD, public URLs', () => {
  assert.deepEqual(parseScanArgs([], {}), {
    kind: 'scan',
    format: 'table',
    options: {
      backpackApiUrl: 'https://api.backpack.exchange',
      lighterApiUrl: 'https://mainnet.zklighter.elliot.ai',
      lighterWsUrl: 'wss://mainnet.zklighter.elliot.ai/stream',
      tickers: [],
      durationMs: 60_000,
      intervalMs: 1000,
      notional: '1000',
      backpackTakerFeeBps: 5,
      lighterTakerFeeBps: undefined,
    },
  });
});

test('scan flags, and URLs from the environment before .env', () => {
  const parsed = parseScanArgs(
    ['--ticker', 'BTC, kPEPE', '--duration', '2.5', '--interval', '0.5', '--notional', '250.5', '--backpack-taker-fee-bps', '2.5', '--lighter-taker-fee-bps', '0', '--csv'],
    { BACKPACK_API_URL: 'http://127.0.0.1:1' },
    'BACKPACK_API_URL=http://127.0.0.1:2\nLIGHTER_API_URL=http://127.0.0.1:3\n',
  );
  assert.equal(parsed.kind, 'scan');
  if (parsed.kind !== 'scan') return;
  assert.equal(parsed.format, 'csv');
  assert.deepEqual(parsed.options, {
    backpackApiUrl: 'http://127.0.0.1:1',
    lighterApiUrl: 'http://127.0.0.1:3',
    lighterWsUrl: 'wss://mainnet.zklighter.elliot.ai/stream',
    tickers: ['BTC', 'kPEPE'],
    durationMs: 2500,
    intervalMs: 500,
    notional: '250.5',
    backpackTakerFeeBps: 2.5,
    lighterTakerFeeBps: 0,
  });
  assert.deepEqual(parseScanArgs(['--help'], {}), { kind: 'help' });
});

test('bad scan input is one line naming the cause and the fix', () => {
  assert.equal(problem(['--duration', '0']), '--duration 0 is not a number above 0 and at most 86400; give e.g. --duration 1');
  assert.equal(problem(['--notional', '1e3']), '--notional 1e3 is not a number above 0 and at most 100000000; give e.g. --notional 1');
  assert.equal(problem(['--backpack-taker-fee-bps', '-1']), '--backpack-taker-fee-bps -1 is not a fee in basis points from 0 to 100; give e.g. --backpack-taker-fee-bps 2.5');
  assert.equal(problem(['--json', '--csv']), '--json and --csv both given; choose one');
  assert.equal(problem([], { LIGHTER_WS_URL: 'https://x' }), 'LIGHTER_WS_URL must be a ws:/wss: URL, not https:; set it to e.g. wss://mainnet.zklighter.elliot.ai/stream');
  assert.match(problem(['--size', '1']), /^Unknown option '--size'.*; see backpack-lighter-arb scan --help$/);
});

test("Backpack's depth reply is read exactly, best first; a malformed one is refused by name", () => {
  const book = readBackpackDepth(
    {
      asks: [
        ['100.1', '0.5'],
        ['100.2', '1.0'],
        ['100.3', '0.000'],
      ],
      bids: [
        ['99.8', '2'],
        ['99.9', '0.25'],
      ],
      lastUpdateId: '1',
    },
    1,
    3,
  );
  assert.deepEqual(book, {
    bids: [
      [999n, 250n],
      [998n, 2000n],
    ],
    asks: [
      [1001n, 500n],
      [1002n, 1000n],
    ],
  });
  assert.throws(() => readBackpackDepth({ asks: [], bids: [['99.85', '1']] }, 1, 3), /off the grid|99\.85/);
  assert.throws(() => readBackpackDepth({ asks: [] }, 1, 3), /Backpack depth reply has no bids\/asks lists/);
  assert.throws(() => readBackpackDepth({ asks: [[1, 2]], bids: [] }, 1, 3), /Backpack depth level is not \[price, quantity\] text/);
});
