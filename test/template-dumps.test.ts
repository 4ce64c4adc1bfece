import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { removeStaleDumps, STALE_DUMP_MS } from './support/postgres.js';

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
