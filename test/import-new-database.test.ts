import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { importFile } from '../src/import/run.js';
import { ImportError } from '../src/import/types.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { TS_NODE_ARGS } from './support/server-process.js';

sqliteOnly(t, "SQLite's journal modes: an import into a database file its caller created (ImportOptions.newDatabase)");

// An import into a new database file (the command line's new DATABASE_PATH) is written through a rollback
// journal instead of the WAL (applyImport's leaveWal): the same rows, the database back in WAL mode after it,
// all or nothing when it fails or the process is killed mid-import; and as before whenever it cannot leave WAL
// mode (another connection open) or is not in WAL mode (in memory).

/** Our own CSV format: `rows` new recommendations of the seeded review KGZ-3, citing one new source. */
function csvFile(dir: string, rows: number): string {
  const lines = Array.from(
    { length: rows },
    (_, k) =>
      `nd-${k},KGZ-3,KGZ,3,,Recommendation ${k} on the rights of group ${k % 17} and the law ${k % 29} (Finland);,FIN,src-nd,New database,Test,https://example.org/new-database`,
  );
  const file = join(dir, `rows-${rows}.csv`);
  writeFileSync(
    file,
    `id,reviewId,stateUnderReview,cycle,paragraph,text,recommendingStates,sources,sourceTitles,sourcePublishers,sourceUrls\r\n${lines.join('\r\n')}\r\n`,
  );
  return file;
}

const source = (file: string) => ({ name: file, chunks: async function* () {
    yield new Uint8Array(readFileSync(file));
  },
});

/** What an import wrote that does not depend on the clock: its recommendations, links, citations and documents. */
function written(db: Database.Database): unknown[] {
  return [
    "select id, review_id, text, paragraph_sort_key, version, fts_rowid, created_at from recommendations where id like 'nd-%' order by id",
    'select * from recommendation_states order by 1, 2',
    'select * from recommendation_sources order by 1, 2',
    'select * from sources order by id',
    "select recommendation_id, json from recommendation_documents where recommendation_id like 'nd-%' order by 1",
    'select * from recommendation_relations order by 1, 2',
    "select entity, entity_id, action from audit_log where actor = 'test' order by seq",
    "select id from recommendations_fts where recommendations_fts match 'rights' order by rowid",
  ].map((query) => {
    try {
      return db.prepare(query).raw().all();
    } catch (error) {
      return (error as Error).message;
    }
  });
}

const walBytes = (path: string) => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

t.test('a new database file is imported through a rollback journal: the same rows, back in WAL mode after', async (t) => {
  const dir = tempDir(t);
  const file = csvFile(dir, 300);
  const wal = openDatabase(join(dir, 'wal.sqlite'));
  const journal = openDatabase(join(dir, 'journal.sqlite'));
  t.teardown(() => {
    wal.$client.close();
    journal.$client.close();
  });
  const now = '2026-01-01T00:00:00.000Z';
  const viaWal = await importFile(wal, source(file), { actor: 'test', now });
  const viaJournal = await importFile(journal, source(file), { actor: 'test', now, newDatabase: true });
  t.same(viaJournal, viaWal, 'the same report');
  t.equal(viaJournal.recommendations.created, 300);
  t.same(written(journal.$client), written(wal.$client), 'the same rows');
  t.equal(journal.$client.pragma('journal_mode', { simple: true }), 'wal', 'back in WAL mode');
  t.equal(journal.$client.pragma('synchronous', { simple: true }), 2, 'synchronous=FULL again (EXTRA during the import)');
  t.equal(journal.$client.pragma('temp_store', { simple: true }), wal.$client.pragma('temp_store', { simple: true }));
  // Through the WAL, every page the import wrote is in the WAL file until a checkpoint; through the rollback
  // journal, they went to the database file, and the WAL holds only what was written after (the planner's statistics).
  t.ok(walBytes(join(dir, 'journal.sqlite')) < walBytes(join(dir, 'wal.sqlite')) / 4, 'the pages were not written to the WAL');
  t.notOk(existsSync(join(dir, 'journal.sqlite-journal')), 'no journal left');
  t.equal(journal.$client.pragma('integrity_check', { simple: true }), 'ok');
  // A second import into it (the next file of a bench row) goes the same way.
  const again = await importFile(journal, source(file), { actor: 'test', now, newDatabase: true });
  t.equal(again.recommendations.unchanged, 300);
  t.equal(journal.$client.pragma('journal_mode', { simple: true }), 'wal');
});

t.test('an import that fails writes nothing and leaves the new database in WAL mode', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'failing.sqlite');
  const db = openDatabase(path);
  t.teardown(() => db.$client.close());
  const before = written(db.$client);
  const revision = db.$client.prepare('select count(*) from audit_log').pluck().get();
  // Every row names a review that is not stored, with a scope that may not create one: refused whole (after
  // the file's source was inserted: that write is undone).
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, readFileSync(csvFile(dir, 50), 'utf8').replaceAll('KGZ-3,KGZ,3', 'KGZ-1,KGZ,1'));
  await t.rejects(importFile(db, source(bad), { actor: 'test', newDatabase: true, scope: 'write' }), ImportError);
  t.same(written(db.$client), before, 'nothing written');
  t.equal(db.$client.prepare('select count(*) from audit_log').pluck().get(), revision);
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal');
  t.notOk(existsSync(`${path}-journal`), 'no journal left');
});

t.test('with another connection open, or a database in memory, the import goes as before', async (t) => {
  const dir = tempDir(t);
  const file = csvFile(dir, 100);
  const path = join(dir, 'shared.sqlite');
  // (A short busy timeout: leaving WAL mode waits for the other connection as long as it is set to.)
  const db = openDatabase(path, { busyTimeoutMs: 50 });
  const other = new Database(path, { readonly: true });
  t.teardown(() => {
    other.close();
    db.$client.close();
  });
  const ours = "select count(*) from recommendations where id like 'nd-%'";
  t.equal(other.prepare(ours).pluck().get(), 0);
  const report = await importFile(db, source(file), { actor: 'test', newDatabase: true });
  t.equal(report.recommendations.created, 100);
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal', 'never left WAL mode');
  t.ok(walBytes(path) > 0, 'written through the WAL');
  t.equal(other.prepare(ours).pluck().get(), 100, 'the other connection reads it');

  const memory = openDatabase(':memory:');
  t.teardown(() => memory.$client.close());
  const inMemory = await importFile(memory, source(file), { actor: 'test', newDatabase: true });
  t.equal(inMemory.recommendations.created, 100);
  t.equal(memory.$client.pragma('journal_mode', { simple: true }), 'memory');
});

t.test('the command killed mid-import into a new DATABASE_PATH leaves nothing half-written', async (t) => {
  const dir = tempDir(t);
  const file = csvFile(dir, 2000);
  const path = join(dir, 'killed.sqlite');
  // Killed once the import has written pages of its own into the database file (its cache spilled, or its
  // commit under way) while the rollback journal is still there: what a crash mid-import leaves. The growth
  // counts within one journal's life, and only once the journal has its header: a journal just created (0
  // bytes) by a later, short transaction is not hot, so SQLite would leave it beside the file rather than
  // roll it back (the likely cause of one failure in session 17).
  const child = spawn(process.execPath, [...TS_NODE_ARGS, 'scripts/import.ts', file], {
    env: { ...process.env, DATABASE_PATH: path },
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const watcher = watch(dir);
  let sizeAtJournal: number | undefined;
  const journalSeen = new Promise<boolean>((resolve) => {
    watcher.on('change', () => {
      const journal = statSync(`${path}-journal`, { throwIfNoEntry: false });
      if (journal === undefined) {
        sizeAtJournal = undefined; // committed: the next journal is another transaction's
        return;
      }
      if (journal.size < 512) return; // its header not written yet
      const size = statSync(path).size;
      sizeAtJournal ??= size;
      if (size > sizeAtJournal) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  const seen = await journalSeen;
  child.kill('SIGKILL');
  watcher.close();
  t.ok(seen, 'the import wrote pages into the database file, its rollback journal beside it');
  t.equal(await exited, 'SIGKILL', 'killed before it finished');

  const db = openDatabase(path);
  t.teardown(() => db.$client.close());
  t.equal(db.$client.pragma('integrity_check', { simple: true }), 'ok');
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.$client.prepare("select count(*) from recommendations where id like 'nd-%'").pluck().get(), 0, 'no recommendation of the file');
  t.equal(db.$client.prepare("select count(*) from sources where id = 'src-nd'").pluck().get(), 0, 'nor its source');
  t.ok((db.$client.prepare('select count(*) from states').pluck().get() as number) > 0, 'the seeded data are there');
  t.notOk(existsSync(`${path}-journal`), 'the journal was rolled back');
  // And the same file imports whole after it.
  const report = await importFile(db, source(file), { actor: 'test' });
  t.equal(report.recommendations.created, 2000);
});
