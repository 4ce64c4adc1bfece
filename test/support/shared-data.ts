import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The read-only real data (see shared/data/README): SHARED_DATA_DIR when set, else the nearest shared/data
 * beside this checkout or one of its parents (/work/main and a fresh clone next to shared/ find it; so does
 * a git worktree under /work/wt/). Undefined when there is none: the tests that read it skip.
 */
export function sharedDataDir(from = fileURLToPath(new URL('../..', import.meta.url))): string | undefined {
  const given = process.env.SHARED_DATA_DIR;
  if (given !== undefined && given !== '') return existsSync(given) ? resolve(given) : undefined;
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'data');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
