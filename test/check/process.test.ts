// `backpack-lighter-arb check` as a trader runs it: the real entry point, a separate process, the
// built-in simulators. Exit status 0 with every row ok; 1 with the failing row and its fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, TSX_IMPORT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const cwd = tempDir('bla-check-');
  const child = spawn(process.execPath, ['--import', TSX_IMPORT, join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

test('check --sim prints one table with every row ok and exits 0; a --size below a minimum exits 1 naming the row and the fix', async () => {
  const ok = await runCli(['check', '--sim', '--ticker', 'BTC', '--size', '0.001']);
  assert.equal(ok.code, 0, ok.out);
  assert.match(
    ok.out,
    /^check: BTC, --size 0\.001, --max-position 0 on Backpack http:\/\/127\.0\.0\.1:\d+ and Lighter http:\/\/127\.0\.0\.1:\d+ \(simulated\) — read-only, no order is placed\n/,
  );
  const rows = ok.out.split('\n').filter((l) => /^(ok|FAIL|skipped) /.test(l));
  assert.equal(rows.length, 18, ok.out);
  assert.ok(
    rows.every((l) => l.startsWith('ok ')),
    ok.out,
  );
  assert.match(ok.out, /\nall 18 checks passed: nothing was ordered/);

  const low = await runCli(['check', '--sim', '--ticker', 'BTC', '--size', '0.0001']);
  assert.equal(low.code, 1, low.out);
  assert.match(low.out, /\nFAIL +Lighter market +BTC: .*--size 0\.0001 is below the minimum\n +→ fix: give --size 0\.0002 or more\n/);
  assert.match(low.out, /\n1 of 18 checks failed: fix them before trading \(no order was placed\)\n/);
});
