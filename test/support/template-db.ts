import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/open.js';

// A database file migrated and seeded once, then copied for each test app: migrating and seeding cost more
// than the rest of building an app. The template is named after a hash of everything that makes it (the
// migrations, the seed, the source), so a change to any of them makes a new one; processes running in
// parallel may each make it, and the last rename wins with identical contents. Tests never write to it.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    hash.update(path);
    if (entry.isDirectory()) hashTree(hash, path);
    else hash.update(readFileSync(path));
  }
}

let templatePath: string | undefined;

function template(): string {
  if (templatePath !== undefined) return templatePath;
  const hash = createHash('sha256');
  for (const dir of ['migrations', 'seed', 'src']) hashTree(hash, join(ROOT, dir));
  const path = join(tmpdir(), `upr-tracker-test-template-${hash.digest('hex').slice(0, 16)}.sqlite`);
  if (!existsSync(path)) {
    const building = `${path}.${process.pid}.tmp`;
    // Closing the only connection checkpoints the WAL into the file and removes it: one file to copy.
    openDatabase(building).$client.close();
    renameSync(building, path);
    rmSync(`${building}-shm`, { force: true });
  }
  return (templatePath = path);
}

/** A new database file at `path` with the migrations and the seed applied, as on a first start. */
export function copyTemplateDatabase(path: string): void {
  copyFileSync(template(), path);
}
