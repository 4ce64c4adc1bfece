import { join } from 'node:path';
import t from 'tap';
import { appliedMigrationCount, expectedMigrationCount, openDatabase } from '../src/db/open.js';
import { currentRevision } from '../src/db/revision.js';
import { applySeed } from '../seed/apply.js';
import * as kgz from '../seed/kyrgyzstan-upr3.js';
import { STATES } from '../seed/states.js';
import { sqliteOnly, tempDir } from './helpers.js';

sqliteOnly(t, 'opens and migrates SQLite files');

const count = (db: ReturnType<typeof openDatabase>, table: string) =>
  db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number;

t.test('a new database file is created, migrated and seeded', async (t) => {
  const path = join(tempDir(t), 'nested', 'dir', 'fresh.sqlite');
  const db = openDatabase(path);
  t.teardown(() => db.$client.close());
  t.equal(appliedMigrationCount(db), expectedMigrationCount());
  t.ok(expectedMigrationCount() >= 2);
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.$client.pragma('foreign_keys', { simple: true }), 1);
  t.equal(db.$client.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL');
  t.equal(count(db, 'states'), STATES.length);
  t.equal(count(db, 'recommendations'), kgz.RECOMMENDATIONS.length);
  t.equal(count(db, 'developments'), kgz.DEVELOPMENTS.length);
  t.equal(count(db, 'statements'), kgz.STATEMENTS.length);
  t.equal(count(db, 'assessments'), kgz.ASSESSMENTS.length);
  t.equal(count(db, 'recommendations_fts'), kgz.RECOMMENDATIONS.length, 'the full-text index follows the table');
  t.equal(count(db, 'developments_fts'), kgz.DEVELOPMENTS.length);
  t.equal(count(db, 'statements_fts'), kgz.STATEMENTS.length);
  t.equal(db.$client.pragma('integrity_check', { simple: true }), 'ok');
  t.same(db.$client.pragma('foreign_key_check'), [], 'every reference resolves');
  t.equal(currentRevision(db), 1);
});

t.test('seeding is idempotent and reopening does not seed again', async (t) => {
  const path = join(tempDir(t), 'again.sqlite');
  const first = openDatabase(path);
  const before = count(first, 'recommendations');
  t.equal(applySeed(first).inserted, 0, 'a second run inserts nothing');
  t.equal(currentRevision(first), 1, 'and does not bump the revision');
  first.$client.close();

  const reopened = openDatabase(path);
  t.teardown(() => reopened.$client.close());
  t.equal(count(reopened, 'recommendations'), before);
  t.equal(appliedMigrationCount(reopened), expectedMigrationCount());
});

t.test('seeding restores a deleted record without touching the others', async (t) => {
  const db = openDatabase(join(tempDir(t), 'restore.sqlite'));
  t.teardown(() => db.$client.close());
  db.$client.prepare("update recommendations set text = 'Curated text.' where id = 'KGZ-3-GBR-1'").run();
  db.$client.prepare("delete from assessments where id = 'KGZ-3-ESP-1-2020-09-28'").run();
  t.equal(applySeed(db).inserted, 1);
  t.equal(db.$client.prepare("select text from recommendations where id = 'KGZ-3-GBR-1'").pluck().get(), 'Curated text.');
  t.equal(currentRevision(db), 2);
});

t.test('without seeding, a database has the schema and no rows', async (t) => {
  const db = openDatabase(':memory:', { seed: false });
  t.teardown(() => db.$client.close());
  t.equal(count(db, 'states'), 0);
  t.equal(currentRevision(db), 0);
});

t.test('the schema refuses what the data model forbids', async (t) => {
  const db = openDatabase(':memory:');
  t.teardown(() => db.$client.close());
  const run = (statement: string) => () => db.$client.prepare(statement).run();
  t.throws(run("insert into recommendation_states values ('KGZ-3-FIN-1', 'XXX')"), /FOREIGN KEY/);
  t.throws(run("insert into reviews (id, state_code, cycle, created_at, updated_at) values ('KGZ-9', 'KGZ', 9, '', '')"), /CHECK/);
  t.throws(
    run(
      "insert into statements (id, review_id, speaker_state_code, speaker_organization, stage, date, date_precision, summary, source_id, created_at, updated_at) values ('s', 'KGZ-3', 'IRL', 'Someone', 'adoption', '2020', 'year', 's', 'hrw-2020-09-28-kgz-upr-adoption', '', '')",
    ),
    /CHECK/,
    'a statement has exactly one speaker',
  );
});
