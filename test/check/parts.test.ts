// The preflight's pure parts: the table, exact margin and money display, the clock offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockOffsetMs, fmtQuote, fmtSigned, marginNeeded, quantityAt } from '../../src/check/common.js';
import { renderTable, report } from '../../src/check/report.js';

test('the table: rows in the fixed order, the fix under each row that did not pass, and the verdict', () => {
  const r = report([
    { id: 'lighter.chain', title: 'Lighter chain id', status: 'FAIL', detail: 'LIGHTER_CHAIN_ID is 300 but the venue reports 304', fix: 'set LIGHTER_CHAIN_ID to 304' },
    { id: 'backpack.reachable', title: 'Backpack reachable', status: 'ok', detail: 'status Ok', fix: 'never shown' },
    { id: 'positions', title: 'Positions hedged', status: 'skipped', detail: 'not checked: no position', fix: 'fix the rows above' },
  ]);
  assert.equal(r.passed, false);
  assert.equal(
    renderTable(r),
    [
      '        check               found',
      '─'.repeat(8 + 18 + 2 + 40),
      'ok      Backpack reachable  status Ok',
      'FAIL    Lighter chain id    LIGHTER_CHAIN_ID is 300 but the venue reports 304',
      '                            → fix: set LIGHTER_CHAIN_ID to 304',
      'skipped Positions hedged    not checked: no position',
      '                            → fix: fix the rows above',
      '',
      '1 of 3 checks failed, 1 could not be checked: fix them before trading (no order was placed)',
    ].join('\n'),
  );
  assert.equal(report([{ id: 'positions', title: 'Positions hedged', status: 'ok', detail: 'flat' }]).passed, true);
  assert.equal(report([]).passed, false, 'no rows is no verdict');
});

test('margin is exact and rounded up; money is shown to the cent, needed up and available down', () => {
  // 0.00003 BTC (scale 5) at 100000.1 (scale 1), 1/10: notional 3.000003 → 0.3000003, at scale 6 → 300001 (up).
  assert.equal(marginNeeded(3n, 1_000_001n, 1n, 10n), 300_001n);
  assert.equal(marginNeeded(100_000n, 1_000_000n, 500n, 10_000n), 5_000_000_000n);
  assert.equal(fmtQuote(300_001n, 6, 'up'), '0.31');
  assert.equal(fmtQuote(300_001n, 6), '0.30');
  assert.equal(fmtQuote(300_000n, 6, 'up'), '0.30');
  assert.equal(fmtQuote(7n, 1), '0.70');
  assert.equal(fmtSigned(-50_000n, 5), '−0.5');
  assert.equal(fmtSigned(0n, 5), '0');
  assert.equal(quantityAt('0.001', 5), 100n);
  assert.equal(quantityAt('0.000015', 5), undefined);
});

test('clock offset: the venue time against the middle of the round trip; whole seconds taken at their middle', () => {
  assert.equal(clockOffsetMs(1_000_050, 1_000_000, 100), 0);
  assert.equal(clockOffsetMs(1_003_050, 1_000_000, 100), 3000);
  // Sent at …000.200 with a 100 ms round trip (middle …000.250); the venue said second 1000 (…000.000–…000.999).
  assert.equal(clockOffsetMs(1_000_000, 1_000_200, 100, 1000), 250);
});
