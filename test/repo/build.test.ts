// The build a user without the development tools gets (npm ci --omit=dev runs it): every source
// file becomes a module whose source map carries its source, and the built entry point runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

function files(dir: string, ext: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, ext, out);
    else if (name.endsWith(ext)) out.push(path);
  }
  return out;
}

test('scripts/build.mjs: one module per source, maps with their sources inside, a runnable entry point', (t) => {
  // Inside the repository, so the built modules find its node_modules as dist/ does.
  const out = mkdtempSync(join(REPO_ROOT, '.build-test-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { env: { PATH: process.env.PATH ?? '', BUILD_OUT: out }, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  const sources = files(join(REPO_ROOT, 'src'), '.ts')
    .map((f) => relative(join(REPO_ROOT, 'src'), f).replace(/\.ts$/, '.js'))
    .sort();
  assert.deepEqual(
    files(out, '.js')
      .map((f) => relative(out, f))
      .sort(),
    sources,
  );
  for (const js of files(out, '.js')) {
    const name = js.slice(js.lastIndexOf('/') + 1);
    assert.ok(readFileSync(js, 'utf8').endsWith(`//# sourceMappingURL=${name}.map\n`), `${name} points at its map`);
    const map = JSON.parse(readFileSync(`${js}.map`, 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    const source = readFileSync(join(REPO_ROOT, 'src', relative(out, js).replace(/\.js$/, '.ts')), 'utf8');
    assert.deepEqual(map.sourcesContent, [source], `${name}.map carries its source`);
  }
  assert.equal(statSync(join(out, 'cli', 'main.js')).mode & 0o111, 0o111, 'the bin is executable');
  const help = spawnSync(process.execPath, [join(out, 'cli', 'main.js'), '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^backpack-lighter-arb — perpetual futures arbitrage/);
});
