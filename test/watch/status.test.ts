// The status line's text for a given state, its quiet default off a terminal, and the watch flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/cli/args.js';
import type { EngineSnapshot } from '../../src/engine/index.js';
import { startStatusLine, statusLine, statusLines } from '../../src/watch/status.js';

const SNAP: EngineSnapshot = {
  phase: 'running',
  ticker: 'BTC',
  halts: [],
  books: { backpack: { bid: 100000.1, ask: 100001.2, ageMs: 42.4, valid: true }, lighter: { bid: 100040, ask: 100041.5, ageMs: 1500, valid: true } },
  spreads: { rawLong: 38.8, rawShort: -41.4, executableLong: 38.75, executableShort: -41.5 },
  thresholds: { long: 5, short: 7.5 },
  feePerUnit: 25.0003,
  positions: { backpack: 0.02, lighter: -0.02 },
  net: 0,
  summary: {
    trades: 3,
    successes: 2,
    failures: 1,
    repairs: 1,
    estimatedPnl: 0.31234,
    fees: 1.5,
    spreadCaptured: 1.81234,
    funding: {
      byMarket: { BTC: { backpack: '-0.300000', lighter: '0.050000' } },
      venues: { backpack: '-0.300000', lighter: '0.050000' },
      total: '-0.250000',
      totalUsd: -0.25,
      venueUsd: { backpack: -0.3, lighter: 0.05 },
      flows: { backpack: { received: 0.1, paid: 0.4 }, lighter: { received: 0.05, paid: 0 } },
      payments: 4,
    },
    positions: { backpack: '0.02000', lighter: '-0.02000' },
  },
};

test('the status line: both tops and ages, spreads against thresholds and fees, positions and net, trades, PnL split into spread, fees and funding', () => {
  assert.equal(
    statusLine(SNAP),
    'BTC running | BP 100000.10/100001.20 42ms | LT 100040.00/100041.50 1.5s | long 38.75/5 short -41.50/7.5 fees 25.00 | pos BP +0.020000 LT -0.020000 net 0.000000 | trades 3 (1 failed) | PnL +0.0623 = spread +1.8123 fees -1.5000 funding -0.2500',
  );
});

test('the status line names a pause and every halt with its cause, and a book that is out of sync', () => {
  const s: EngineSnapshot = {
    ...SNAP,
    paused: 'paused from the dashboard',
    books: { ...SNAP.books, lighter: { ageMs: Infinity, valid: false } },
    halts: [{ kind: 'venue_down', venue: 'lighter', until: Infinity, text: 'lighter disconnected: socket closed' }],
  };
  assert.equal(
    statusLine(s),
    'BTC running | BP 100000.10/100001.20 42ms | LT -/- no book INVALID | long 38.75/5 short -41.50/7.5 fees 25.00 | pos BP +0.020000 LT -0.020000 net 0.000000 | trades 3 (1 failed) | PnL +0.0623 = spread +1.8123 fees -1.5000 funding -0.2500 | PAUSED (paused from the dashboard) | HALTED venue_down: lighter disconnected: socket closed',
  );
});

test('several markets: a line each, then their totals (trades, PnL split, and which markets are halted)', () => {
  const eth: EngineSnapshot = {
    ...SNAP,
    ticker: 'ETH',
    halts: [{ kind: 'venue_down', venue: 'lighter', until: Infinity, text: 'lighter disconnected: socket closed' }],
    summary: { ...SNAP.summary, trades: 2, failures: 0, estimatedPnl: 0.1, spreadCaptured: 0.4, funding: { ...SNAP.summary.funding!, totalUsd: 0.05 } },
  };
  const lines = statusLines([SNAP, eth]);
  assert.deepEqual(lines.slice(0, 2), [statusLine(SNAP), statusLine(eth)]);
  // PnL 0.31234 + 0.1 estimated, funding −0.25 + 0.05: +0.2123 = spread +2.2123 fees −1.8000 funding −0.2000.
  assert.equal(lines[2], 'TOTAL 2 markets | trades 5 (1 failed) | PnL +0.2123 = spread +2.2123 fees -1.8000 funding -0.2000 | HALTED in ETH');
  assert.deepEqual(statusLines([SNAP]), [statusLine(SNAP)], 'one market: its line alone');
});

test('quiet when stdout is not a terminal unless asked, and off at interval 0', () => {
  const lines: string[] = [];
  const base = { intervalMs: 1, write: (l: string) => lines.push(l), snapshots: () => [SNAP] };
  startStatusLine({ ...base, always: false, isTTY: false })();
  startStatusLine({ ...base, intervalMs: 0, always: true, isTTY: true })();
  return new Promise<void>((resolve) => {
    setTimeout(() => {
      assert.deepEqual(lines, []);
      const stop = startStatusLine({ ...base, always: true, isTTY: false });
      const wait = setInterval(() => {
        if (lines.length === 0) return;
        clearInterval(wait);
        stop();
        assert.equal(lines[0], statusLine(SNAP) + '\n');
        resolve();
      }, 1);
    }, 20);
  });
});

function bad(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseConfig(['--sim', '--size', '0.01', ...argv], env);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

test('watch flags: defaults, ports, and each bad input one line naming the fix without echoing a secret', () => {
  const parsed = parseConfig(['--sim', '--size', '0.01'], {});
  assert.equal(parsed.kind, 'run');
  if (parsed.kind !== 'run') return;
  const w = parsed.config.watch!;
  assert.deepEqual(
    { ...w, uiToken: undefined },
    {
      statusIntervalMs: 10_000,
      statusAlways: false,
      metrics: undefined,
      ui: undefined,
      uiToken: undefined,
      uiTokenGenerated: true,
      telegram: undefined,
      webhookUrl: undefined,
      dailySummaryHourUtc: undefined,
    },
  );
  assert.match(w.uiToken.reveal(), /^[0-9a-f]{48}$/);
  assert.equal(String(w.uiToken), '[redacted]');
  const on = parseConfig(['--sim', '--size', '0.01', '--metrics-port', '9464', '--ui-port', '0', '--ui-host', '0.0.0.0', '--status-interval', '2.5', '--alert-daily-hour', '8'], {
    UI_TOKEN: 'a-long-enough-token-1234',
  });
  if (on.kind !== 'run') throw new Error('run');
  assert.deepEqual(on.config.watch!.metrics, { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(on.config.watch!.ui, { host: '0.0.0.0', port: 0 });
  assert.equal(on.config.watch!.statusIntervalMs, 2500);
  assert.equal(on.config.watch!.dailySummaryHourUtc, 8);
  assert.equal(on.config.watch!.uiTokenGenerated, false);

  assert.equal(
    bad(['--ui-port', '8080', '--ui-host', '0.0.0.0']),
    '--ui-host 0.0.0.0 is not loopback and UI_TOKEN is not set — set UI_TOKEN to a long random string (the controls need it), or leave --ui-host at 127.0.0.1',
  );
  assert.equal(bad(['--metrics-port', '70000']), '--metrics-port "70000" is not a port from 0 to 65535 — e.g. --metrics-port 9464');
  assert.equal(bad(['--alert-daily-hour', '24']), '--alert-daily-hour "24" is not an hour from 0 to 23 (UTC) — e.g. --alert-daily-hour 8');
  assert.equal(bad(['--status-interval', 'often']), '--status-interval "often" is not a number of seconds — e.g. --status-interval 10, or 0 for none');
  assert.equal(bad([], { TELEGRAM_BOT_TOKEN: '123:secret' }), 'TELEGRAM_CHAT_ID is missing while TELEGRAM_BOT_TOKEN is set — set both for Telegram alerts, or neither');
  assert.equal(bad([], { UI_TOKEN: 'short' }), 'UI_TOKEN is shorter than 16 characters — use a long random string, e.g. the output of: openssl rand -hex 24');
  const webhook = bad([], { ALERT_WEBHOOK_URL: 'not a url/with-secret-path' });
  assert.equal(webhook, 'ALERT_WEBHOOK_URL is not a URL — give one like https://host/path');
});
