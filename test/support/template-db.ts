import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDatabase } from '../../bench/generate.js';
import { type Db, openDatabase } from '../../src/db/open.js';
import { bumpRevision } from '../../src/db/revision.js';
import { freshenDocuments } from '../../src/recommendations/documents.js';
import { withShippedTagger } from '../../src/tagging/tagger.js';

// Database files made once and copied for each test that needs one: migrating and seeding cost more than
// the rest of building an app, and generating thousands of records costs seconds. Each file is named after
// a hash of everything that makes it (migrations, tagger model, seed, source, generator), so a change to any of them
// makes a new one. One process makes it while the others (tap runs test files side by side) wait for it: a
// lock file beside it says which process builds; a lock whose process has gone is taken over. Tests only
// ever get copies.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    hash.update(path);
    if (entry.isDirectory()) hashTree(hash, path);
    else hash.update(readFileSync(path));
  }
}

let hashed: string | undefined;

/**
 * A hash of the migrations, the seed, the sources, the shipped tagger (the seed's machine labels) and the
 * generator: what the files made here depend on.
 */
export function sourceHash(): string {
  if (hashed === undefined) {
    const hash = createHash('sha256');
    for (const dir of ['migrations', 'models', 'seed', 'src']) hashTree(hash, join(ROOT, dir));
    hash.update(readFileSync(join(ROOT, 'bench/generate.ts')));
    hashed = hash.digest('hex').slice(0, 16);
  }
  return hashed;
}

const FILE_PREFIX = 'upr-tracker-test-';

/**
 * A template not used for this long is stale: another of its family's is in use, or was made after it (every
 * use refreshes a template's modification time; a checkout running other sources keeps its own while it runs).
 */
export const STALE_TEMPLATE_MS = 30 * 60_000;

/**
 * Removes `family`'s template files in `dir` other than `keep` that were not used for STALE_TEMPLATE_MS (with
 * their -wal and -shm files), the lock files of processes that have gone and the files they left half-built.
 * A family's files are named `upr-tracker-test-<family>-<key>.sqlite`, `<key>` the sources' hash (sourceHash),
 * after the fill's own hash for a filled family (`variant`: copyFilledDatabase's); only those exact names, of
 * regular files of our own user. Returns the names removed.
 */
export function removeStaleTemplates(dir: string, family: string, variant: boolean, keep: string, now = Date.now()): string[] {
  const escaped = family.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const key = variant ? '[0-9a-f]{8}-[0-9a-f]{16}' : '[0-9a-f]{16}';
  // 1: the template's name; 3: the process of a lock or of a file being built; 2: a template's -wal or -shm.
  const names = new RegExp(`^(${FILE_PREFIX}${escaped}-${key}\\.sqlite)(?:(-wal|-shm)|\\.lock|\\.([0-9]+)\\.tmp(?:-wal|-shm)?)?$`);
  const removed: string[] = [];
  const files = readdirSync(dir);
  const staleTemplates = new Set<string>();
  for (const file of files) {
    const match = names.exec(file);
    if (match === null || match[0] !== match[1] || join(dir, file) === keep) continue;
    const stat = lstatSync(join(dir, file), { throwIfNoEntry: false });
    if (stat !== undefined && stat.isFile() && stat.uid === process.getuid?.() && now - stat.mtimeMs > STALE_TEMPLATE_MS) {
      staleTemplates.add(file);
    }
  }
  for (const file of files) {
    const match = names.exec(file);
    if (match === null) continue;
    const ofKept = join(dir, match[1]!) === keep;
    if (ofKept && (match[0] === match[1] || match[2] !== undefined)) continue; // the template in use, its -wal, -shm
    const path = join(dir, file);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile() || stat.uid !== process.getuid?.()) continue;
    let stale: boolean;
    if (match[0] === match[1]) stale = staleTemplates.has(file);
    else if (match[2] !== undefined) stale = staleTemplates.has(match[1]!) || (!files.includes(match[1]!) && now - stat.mtimeMs > STALE_TEMPLATE_MS);
    else if (match[3] !== undefined) stale = !isAlive(Number(match[3]));
    else stale = !lockHeld(path);
    if (!stale) continue;
    rmSync(path, { force: true });
    removed.push(file);
  }
  return removed;
}

/** Whether a live process holds the lock file at `path` (one not yet written is held: its process is writing it). */
function lockHeld(path: string): boolean {
  let holder: number;
  try {
    holder = Number(readFileSync(path, 'utf8'));
  } catch {
    return true;
  }
  return !(holder > 0) || isAlive(holder);
}

const cleaned = new Set<string>();

/** The path of `family`'s template (of the fill's `variant`) for these sources. */
function templatePath(family: string, variant?: string): string {
  return join(tmpdir(), `${FILE_PREFIX}${family}-${variant === undefined ? '' : `${variant}-`}${sourceHash()}.sqlite`);
}

function prepared(family: string, fill: (db: Db) => void, variant?: string): string {
  const path = templatePath(family, variant);
  while (!existsSync(path)) {
    if (!takeLock(`${path}.lock`)) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // another process builds it
      continue;
    }
    try {
      if (existsSync(path)) break; // built between the check and the lock
      const building = `${path}.${process.pid}.tmp`;
      // The seed's and the fill's machine labels are the shipped model's, whichever test builds the template (one
      // that set a small model of its own, tagging.test.ts, left it in the template every other file copies).
      withShippedTagger(() => {
        const db = openDatabase(building);
        fill(db);
        // Closing the only connection checkpoints the WAL into the file and removes it: one file to copy.
        db.$client.close();
      });
      renameSync(building, path);
      rmSync(`${building}-shm`, { force: true });
    } finally {
      rmSync(`${path}.lock`, { force: true });
    }
  }
  // In use: its family's stale ones (other keys, unused for a while) are removed, once per process.
  const now = new Date();
  utimesSync(path, now, now);
  if (!cleaned.has(path)) {
    cleaned.add(path);
    removeStaleTemplates(tmpdir(), family, variant !== undefined, path);
  }
  return path;
}

/** Creates `lock` holding this process's id; false when a live process holds it (a dead one's is removed). */
function takeLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch {
    // Gone since (taken next time round), or not yet written by its process: then it is not stale.
    let holder = 0;
    try {
      holder = Number(readFileSync(lock, 'utf8'));
    } catch {
      return false;
    }
    if (holder > 0 && !isAlive(holder)) rmSync(lock, { force: true });
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A new database file at `path` with the migrations and the seed applied, as on a first start. */
export function copyTemplateDatabase(path: string): void {
  copyFileSync(prepared('seeded', () => {}), path);
}

let templateBytes: Buffer | undefined;

/**
 * The migrated and seeded template's bytes (read once per process), from which an in-memory database opens:
 * marked as a rollback-journal file (header bytes 18 and 19, 2 for WAL), as SQLite opens no WAL file in memory.
 */
export function templateDatabaseBytes(): Buffer {
  if (templateBytes === undefined) {
    templateBytes = readFileSync(prepared('seeded', () => {}));
    templateBytes[18] = 1;
    templateBytes[19] = 1;
  }
  return templateBytes;
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
  copyFileSync(filledTemplate(name, fill), path);
}

/** The template copyFilledDatabase copies (made now when missing), or only its path (`make` false). */
function filledTemplate(name: string, fill: (db: Db) => void, make = true): string {
  const version = createHash('sha256').update(fill.toString()).digest('hex').slice(0, 8);
  return make ? prepared(name, fill, version) : templatePath(name, version);
}

/** Recommendations in the large-export database (plus the 8 of the seed). */
export const LARGE_EXPORT_ROWS = 40_000;

/**
 * A new database file at `path` for the tests of large exports: LARGE_EXPORT_ROWS recommendations of KGZ-3
 * of about 1.5 KB each (a 1,200-character word pads each text), their documents and CSV lines built: a CSV
 * export of about 60 MB, far more than socket buffers hold, so a client that does not read holds it back.
 * Long rows rather than many: building the stored documents costs per row. Their related recommendations are
 * left out (40,000 texts of one review, compared pairwise at the next open): exports read documents, which
 * do not wait for them.
 */
export function copyLargeExportDatabase(path: string): void {
  copyFileSync(largeExportTemplate(), path);
}

/**
 * The large-export template's file name: what it holds (its fill and the sources hashed into it), as a key for
 * what is made from it (the PostgreSQL template, test/support/pgconv-d-exports.ts) without reading its 264 MB.
 */
export function largeExportTemplateName(): string {
  return basename(largeExportTemplate(false));
}

/** The large-export database's template (made now when missing), or only its path (`make` false). */
function largeExportTemplate(make = true): string {
  return filledTemplate(`large-export-${LARGE_EXPORT_ROWS}`, (db) => {
    db.$client.exec(`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${LARGE_EXPORT_ROWS})
      insert into recommendations (id, review_id, paragraph, paragraph_sort_key, text, verbatim, created_at, updated_at)
      select printf('KGZ-3-BIG-%06d', i), 'KGZ-3', '200.' || i, printf('200.%08d', i),
        'Generated recommendation ' || i || ', with a comma, "quotes" and Côte d’Ivoire. '
          || replace(hex(zeroblob(600)), '0', 'x'), 0,
        '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from n;
      insert into recommendation_states (recommendation_id, state_code)
        select id, 'FIN' from recommendations where id like 'KGZ-3-BIG-%';`);
    db.$client.exec('delete from recommendation_relations_stale');
    // The planner's statistics for 40,000 rows, not the seed's 8 (the seeded template's sqlite_stat1): with
    // those, each 500-id lookup of freshenDocuments scanned every recommendation (200 ms a batch for the
    // sources alone) instead of searching by id, 16 s of the build's CPU.
    db.$client.exec('analyze');
    bumpRevision(db);
    freshenDocuments(db);
  }, make);
}
