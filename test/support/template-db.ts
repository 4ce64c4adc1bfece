import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDatabase } from '../../bench/generate.js';
import { type Db, openDatabase } from '../../src/db/open.js';

// Database files made once and copied for each test that needs one: migrating and seeding cost more than
// the rest of building an app, and generating thousands of records costs seconds. Each file is named after
// a hash of everything that makes it (migrations, seed, source, generator), so a change to any of them
// makes a new one; processes running in parallel may each make it, and the last rename wins with identical
// contents. Tests only ever get copies.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    hash.update(path);
    if (entry.isDirectory()) hashTree(hash, path);
    else hash.update(readFileSync(path));
  }
}

let sourceHash: string | undefined;

function prepared(name: string, fill: (db: Db) => void): string {
  if (sourceHash === undefined) {
    const hash = createHash('sha256');
    for (const dir of ['migrations', 'seed', 'src']) hashTree(hash, join(ROOT, dir));
    hash.update(readFileSync(join(ROOT, 'bench/generate.ts')));
    sourceHash = hash.digest('hex').slice(0, 16);
  }
  const path = join(tmpdir(), `upr-tracker-test-${name}-${sourceHash}.sqlite`);
  if (!existsSync(path)) {
    const building = `${path}.${process.pid}.tmp`;
    const db = openDatabase(building);
    fill(db);
    // Closing the only connection checkpoints the WAL into the file and removes it: one file to copy.
    db.$client.close();
    renameSync(building, path);
    rmSync(`${building}-shm`, { force: true });
  }
  return path;
}

/** A new database file at `path` with the migrations and the seed applied, as on a first start. */
export function copyTemplateDatabase(path: string): void {
  copyFileSync(prepared('seeded', () => {}), path);
}

/** A new database file at `path` with bench/generate.ts's synthetic records (and the seed). */
export function copyGeneratedDatabase(path: string, recommendations: number): void {
  copyFileSync(prepared(`generated-${recommendations}`, (db) => generateDatabase(db, { recommendations })), path);
}

/**
 * A new database file at `path` as `fill` leaves it (after the migrations and the seed), made once: `name`
 * says what it holds (with any value the fill closes over), and a hash of the fill's own text is part of the
 * file's name, so that a changed fill makes a new file.
 */
export function copyFilledDatabase(path: string, name: string, fill: (db: Db) => void): void {
  const version = createHash('sha256').update(fill.toString()).digest('hex').slice(0, 8);
  copyFileSync(prepared(`${name}-${version}`, fill), path);
}
