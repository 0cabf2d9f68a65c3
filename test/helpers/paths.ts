// Paths every test needs: the repo root and the shared vectors beside it (../shared/vectors).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VECTORS_DIR = join(REPO_ROOT, '..', 'shared', 'vectors');

/** `--import` value that loads tsx from this repo whatever the child's working directory. */
export const TSX_IMPORT = import.meta.resolve('tsx');
