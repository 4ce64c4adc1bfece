import { join } from 'node:path';
import pg from 'pg';
import t, { type Test } from 'tap';
import type { CopyReport } from '../src/db/copy/copy.js';
import { openDatabase } from '../src/db/open.js';
import { pgImportFile } from '../src/import/pg-import.js';
import { VOCABULARIES } from '../src/import/pg-import-scope.js';
import { importFile } from '../src/import/run.js';
import { tempDir } from './helpers.js';
import { bytesSource, TERMAN_STYLE_CSV } from './import-helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { alignInstants, sameTables } from './support/same-tables.js';
import { copyTemplateDatabase } from './support/template-db.js';

// An import on PostgreSQL copies into its scratch file what the import can read (src/import/pg-import-scope.ts),
// not the database: the same file imported into a database whose other states hold 1 or 400 more
// recommendations copies the same rows (the vocabularies and running totals copied whole aside), and still
// leaves PostgreSQL as the SQLite import leaves SQLite.

t.setTimeout(900_000);
const cluster = await startCluster(t);

/** A Terman-style CSV of `n` recommendations to France (a state the file imported below does not touch). */
function franceCsv(n: number): string {
  const rows = Array.from(
    { length: n },
    (_, i) => `${i + 1}.1 Strengthen measure ${i + 1} on the rights of group ${i % 9} and report on it (Brazil);,France,support,Brazil,2008,\r`,
  );
  return `text,to,decision,From,year,notes\r${rows.join('')}`;
}

const NOW = '2026-12-02T05:00:00.000Z';

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;

  /** Imports TERMAN_STYLE_CSV into the template plus `others` recommendations to France, on both backends. */
  async function importBeside(t: Test, others: number): Promise<{ copied: CopyReport; total: number }> {
    const sqlitePath = join(tempDir(t), `beside-${others}.sqlite`);
    copyTemplateDatabase(sqlitePath);
    const db = openDatabase(sqlitePath, { seed: false });
    t.teardown(() => db.$client.close());
    t.equal((await importFile(db, bytesSource(franceCsv(others)), { actor: 'test' })).recommendations.created, others);
    const total = db.$client.prepare('select count(*) from recommendations').pluck().get() as number;
    const url = await copiedDatabase(clusterUrl, sqlitePath);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    t.teardown(() => pool.end());

    const options = { actor: 'importer', now: NOW };
    const onSqlite = await importFile(db, bytesSource(TERMAN_STYLE_CSV), options);
    let copied: CopyReport = {};
    const onPostgres = await pgImportFile({ pool, onCopied: (rows) => (copied = rows) }, bytesSource(TERMAN_STYLE_CSV), options);
    t.ok(onSqlite.recommendations.created > 0, 'the file creates records');
    const expected = JSON.stringify(onSqlite);
    t.equal(alignInstants(expected, JSON.stringify(onPostgres)), expected, 'the same report');
    await sameTables(t, sqlitePath, url);
    return { copied, total };
  }

  t.test("other states' recommendations add no row to what an import copies", async (t) => {
    const one = await importBeside(t, 1);
    const many = await importBeside(t, 400);
    t.equal(many.total - one.total, 399, "the second database holds 399 more of France's recommendations");
    // Copied whole: the vocabularies, the revision, the pending lists and the stats' running totals.
    const whole = new Set([...VOCABULARIES, 'meta', 'recommendation_relations_stale', 'recommendation_documents_stale', 'stats_dirty', 'stats_cycle_counts', 'stats_value_counts']);
    const scoped = (copied: CopyReport) => Object.fromEntries(Object.entries(copied).filter(([table]) => !whole.has(table)));
    t.same(scoped(many.copied), scoped(one.copied), 'the same rows of every other table');
    t.ok(many.copied.recommendations! > 0, 'the states under review are copied');
    t.ok(many.copied.recommendations! <= many.total - 399, "France's are not (but one, the last numbered)");
    t.equal(many.copied.audit_log, 0, 'nor the audit log (but the deletions of the records the file gives: none here)');
  });
}
