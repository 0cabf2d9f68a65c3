// Runs every test file under test/ with Node's built-in runner (Node 20 has no glob support in --test).
// The tests get a temp directory of their own (TMPDIR), one per checkout, and the run fails if
// they leave anything in it: each test removes what it makes (test/helpers/temp.ts does it for
// a whole test file). tsx keeps its compile cache there, which is allowed to stay.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const checkout = createHash('sha256').update(resolve('.')).digest('hex').slice(0, 12);
const testTmp = join(tmpdir(), `backpack-lighter-arb-tests-${checkout}`);
const leftovers = () => readdirSync(testTmp).filter((name) => !name.startsWith('tsx-'));
mkdirSync(testTmp, { recursive: true });
for (const name of leftovers()) rmSync(join(testTmp, name), { recursive: true, force: true });

const only = process.argv.slice(2);
const files = only.length > 0 ? only : collect('test', []);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: testTmp },
});

const left = leftovers();
if (left.length > 0) {
  process.stderr.write(
    `tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in their temp directory (${left.slice(0, 10).join(', ')}${left.length > 10 ? ', …' : ''}) — make the test that creates them remove them (test/helpers/temp.ts)\n`,
  );
  for (const name of left) rmSync(join(testTmp, name), { recursive: true, force: true });
  process.exit(result.status === 0 ? 1 : (result.status ?? 1));
}
process.exit(result.status ?? 1);
