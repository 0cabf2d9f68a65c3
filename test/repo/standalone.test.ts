// A user's clone has nothing beside it: no test, benchmark or script may read outside the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, VECTORS_DIR } from '../helpers/paths.js';

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'fixtures' && name !== 'node_modules') sources(path, out);
    } else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

// A path leaves the repository through '..' pieces joined onto the root, or a relative literal.
const OUTSIDE = [/\.\.\/shared/, /'\.\.',\s*'shared'/, /REPO_ROOT,\s*'\.\.'/];

test('no test, benchmark or script names a path outside the repository', () => {
  const files = ['test', 'bench', 'scripts', 'src'].flatMap((dir) => sources(join(REPO_ROOT, dir)));
  assert.ok(files.length > 50, `expected the whole tree, read ${files.length} files`);
  const offenders = files.filter((file) => {
    const text = readFileSync(file, 'utf8');
    return OUTSIDE.some((pattern) => pattern.test(text));
  });
  assert.deepEqual(
    offenders.map((file) => relative(REPO_ROOT, file)),
    [],
  );
});

test('the vectors the tests read live inside the repository', () => {
  assert.equal(relative(REPO_ROOT, VECTORS_DIR), join('test', 'fixtures', 'vectors'));
  for (const venue of ['backpack', 'lighter']) {
    assert.ok(statSync(join(VECTORS_DIR, venue, 'keys.json')).isFile());
  }
});
