// Paths every test needs: the repo root and the venues' test vectors, kept inside the repository
// (test/fixtures/vectors: see its README for where they came from), so a clone alone runs every test.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VECTORS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'vectors');

/** `--import` value that loads tsx from this repo whatever the child's working directory. */
export const TSX_IMPORT = import.meta.resolve('tsx');
