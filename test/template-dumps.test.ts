import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { removeStaleDumps, STALE_DUMP_MS } from './support/postgres.js';
import { copyFilledDatabase, removeStaleTemplates, sourceHash, STALE_TEMPLATE_MS } from './support/template-db.js';

// The PostgreSQL templates' dumps kept across runs (test/support/postgres.ts, keepDump): named after what
// they hold, so a new one is made whenever the SQLite file, the sources or the server change; the family's
// stale ones are removed then, and only those.

t.test("a family's stale dumps are removed, and nothing else", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upr-dumps-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const now = Date.now();
  const key = (n: number) => `tpl_${String(n).repeat(24)}-${'a'.repeat(16)}-150018`;
  const file = (name: string, ageMs = 0) => {
    writeFileSync(join(dir, name), '');
    const at = new Date(now - ageMs);
    utimesSync(join(dir, name), at, at);
    return name;
  };
  const old = STALE_DUMP_MS + 60_000;
  const keep = file(`upr-tracker-test-pg-large-export-${key(1)}.dump`, old); // in use, however old
  const inUse = file(`upr-tracker-test-pg-large-export-${key(2)}.dump`, 60_000); // another checkout's, used a minute ago
  const stale = file(`upr-tracker-test-pg-large-export-${key(3)}.dump`, old);
  const legacy = file(`upr-tracker-test-pg-${key(4)}.dump`, old); // named before dumps had a family
  const dead = file(`upr-tracker-test-pg-large-export-${key(5)}.dump.999999999.tmp`); // a dump half-written by a gone process
  const writing = file(`upr-tracker-test-pg-large-export-${key(6)}.dump.${process.pid}.tmp`, old); // being written
  const otherFamily = file(`upr-tracker-test-pg-other-${key(7)}.dump`, old);
  const notOurs = file(`upr-tracker-test-pg-large-export-${key(8)}.dump.bak`, old);
  mkdirSync(join(dir, `upr-tracker-test-pg-large-export-${key(9)}.dump`));
  const folder = `upr-tracker-test-pg-large-export-${key(9)}.dump`;
  utimesSync(join(dir, folder), new Date(now - old), new Date(now - old));
  const removed = removeStaleDumps(dir, 'large-export', join(dir, keep), now);
  t.same(removed.sort(), [dead, legacy, stale].sort(), 'the stale dumps, the legacy one and the dead process’s half-written one');
  t.same(readdirSync(dir).sort(), [keep, inUse, writing, otherFamily, notOurs, folder].sort(), 'the rest stays');
  t.same(removeStaleDumps(dir, 'large-export', join(dir, keep), now), [], 'nothing left to remove');
});

// The SQLite templates likewise (test/support/template-db.ts): each named after its family and the sources'
// hash, made anew when the sources change; using one removes its family's stale ones.
t.test("a family's stale SQLite templates are removed with their -wal and -shm, and nothing else", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upr-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const now = Date.now();
  const file = (name: string, ageMs = 0, content = '') => {
    writeFileSync(join(dir, name), content);
    const at = new Date(now - ageMs);
    utimesSync(join(dir, name), at, at);
    return name;
  };
  const old = STALE_TEMPLATE_MS + 60_000;
  const key = (n: number) => String(n).repeat(16);
  const generated = (n: number, suffix = '') => `upr-tracker-test-generated-1500-${key(n)}.sqlite${suffix}`;
  const keep = file(generated(1), old); // in use, however old
  const keepWal = file(generated(1, '-wal'), old);
  const inUse = file(generated(2), 60_000); // another checkout's, used a minute ago
  const inUseShm = file(generated(2, '-shm'), old);
  const stale = file(generated(3), old);
  const staleWal = file(generated(3, '-wal'), 60_000);
  const staleShm = file(generated(3, '-shm'), 60_000);
  const orphanShm = file(generated(4, '-shm'), old); // its template gone long ago
  const recentOrphanWal = file(generated(5, '-wal'), 60_000);
  const deadBuild = file(generated(6, '.999999999.tmp')); // half-built by a process that has gone
  const deadBuildShm = file(generated(6, '.999999999.tmp-shm'));
  const building = file(generated(7, `.${process.pid}.tmp`), old); // being built
  const deadLock = file(generated(8, '.lock'), 0, '999999999');
  const liveLock = file(generated(9, '.lock'), old, String(process.pid));
  const unwrittenLock = file(generated(1, '.lock'), old); // its process has not written its id yet
  const ownDeadBuild = file(generated(1, '.999999999.tmp'), 0);
  const otherFamily = file(`upr-tracker-test-generated-15000-${key(3)}.sqlite`, old);
  const otherSize = file(`upr-tracker-test-generated-150-${key(3)}.sqlite`, old);
  const filled = file(`upr-tracker-test-generated-1500-abcdef01-${key(3)}.sqlite`, old); // a filled family's name
  const notOurs = file(generated(3, '.bak'), old);
  const shortKey = file(`upr-tracker-test-generated-1500-${'3'.repeat(15)}.sqlite`, old);
  const folder = generated(3, '-wal').replace(key(3), key(0)); // a folder with a template's -wal name, old
  mkdirSync(join(dir, folder));
  utimesSync(join(dir, folder), new Date(now - old), new Date(now - old));
  const removed = removeStaleTemplates(dir, 'generated-1500', false, join(dir, keep), now);
  t.same(
    removed.sort(),
    [stale, staleWal, staleShm, orphanShm, deadBuild, deadBuildShm, deadLock, ownDeadBuild].sort(),
    'the stale templates with their -wal and -shm, an old -shm without its template, what gone processes left',
  );
  t.same(
    readdirSync(dir).sort(),
    [keep, keepWal, inUse, inUseShm, recentOrphanWal, building, liveLock, unwrittenLock, otherFamily, otherSize, filled, notOurs, shortKey, folder].sort(),
    'the rest stays',
  );
  t.same(removeStaleTemplates(dir, 'generated-1500', false, join(dir, keep), now), [], 'nothing left to remove');

  // A filled family (copyFilledDatabase): the fill's hash, then the sources'; the same name without it is not one.
  const large = (fill: string, n: number) => `upr-tracker-test-large-export-40000-${fill}-${key(n)}.sqlite`;
  const keepLarge = file(large('90372706', 1), old);
  const changedFill = file(large('0badcafe', 1), old);
  const changedSources = file(large('90372706', 2), old);
  const recentLarge = file(large('0badcafe', 3), 60_000);
  const unfilled = file(`upr-tracker-test-large-export-40000-${key(2)}.sqlite`, old);
  t.same(
    removeStaleTemplates(dir, 'large-export-40000', true, join(dir, keepLarge), now).sort(),
    [changedFill, changedSources].sort(),
    'another fill or other sources, unused',
  );
  t.ok(readdirSync(dir).includes(recentLarge) && readdirSync(dir).includes(unfilled), 'a recent one and another name stay');
});

t.test('a template in use is touched, and a use removes its stale family in the temporary directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upr-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const tmp = process.env.TMPDIR;
  t.teardown(() => (tmp === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = tmp)));
  process.env.TMPDIR = dir; // os.tmpdir() reads it at each call
  const old = new Date(Date.now() - STALE_TEMPLATE_MS - 60_000);
  const fill = (db: unknown) => db; // never runs: the template is there (an empty file stands for it)
  const version = createHash('sha256').update(fill.toString()).digest('hex').slice(0, 8); // as copyFilledDatabase names it
  const mine = join(dir, `upr-tracker-test-large-export-40000-${version}-${sourceHash()}.sqlite`);
  const other = join(dir, `upr-tracker-test-large-export-40000-${version}-${'0'.repeat(16)}.sqlite`);
  for (const path of [mine, other]) {
    writeFileSync(path, '');
    utimesSync(path, old, old);
  }
  copyFilledDatabase(join(dir, 'copy.sqlite'), 'large-export-40000', fill);
  t.notOk(existsSync(other), "the family's stale template is removed");
  t.ok(statSync(mine).mtimeMs > old.getTime() + 60_000, 'the one used is touched');
});
