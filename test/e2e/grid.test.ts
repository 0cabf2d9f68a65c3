// A setting that only the loaded markets can refuse is still bad input: the real command, against
// the simulated venues, exits 2 with one line that names the flag and the venue's limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { REPO_ROOT, TSX_IMPORT } from '../helpers/paths.js';

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', TSX_IMPORT, join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: tempDir('bla-grid-'),
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, out })));
}

test("a size off the market's grid exits 2 with one line naming the flag and the grid", async () => {
  // Simulated SOL: Backpack trades sizes in steps of 0.01 (Lighter in 0.001); 0.105 SOL is above Lighter's minimum order value.
  const { code, out } = await run(['--sim', '--ticker', 'SOL', '--size', '0.105']);
  assert.equal(code, 2, out);
  const errors = out.split('\n').filter((l) => l.includes('ERROR'));
  assert.equal(errors.length, 1, out);
  assert.match(errors[0], / ERROR --size 0\.105 has more decimals than backpack SOL_USDC_PERP allows \(2\) — use a size both venues can trade$/);
});

test("a size below a venue's minimum exits 2 naming the minimum", async () => {
  // Simulated BTC: Lighter minimum 0.00020; 0.00015 BTC is above its minimum order value.
  const { code, out } = await run(['--sim', '--size', '0.00015']);
  assert.equal(code, 2, out);
  assert.match(out, /--size 0\.00015 is below the lighter minimum 0\.00020 — raise --size/);
});
