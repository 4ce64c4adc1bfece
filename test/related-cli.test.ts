import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { MIGRATIONS_FOLDER, openDatabase } from '../src/db/open.js';
import { runRelateCli } from '../src/related/cli.js';
import { tempDir, UNDO_UNREPEATABLE_MIGRATIONS } from './helpers.js';

// `npm run relate`: recomputes relations in DATABASE_PATH, progress on stderr, counts on stdout.

function run(argv: string[], env: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  const code = runRelateCli(argv, env, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

t.test('recomputes every state, or those given, and reports', async (t) => {
  const path = join(tempDir(t), 'relate.sqlite');
  const env = { DATABASE_PATH: path };
  const db = openDatabase(path);
  const revision = () => db.$client.prepare("select value from meta where key = 'revision'").pluck().get();
  const before = revision();
  // Relations lost (as if written by an older version): the command brings them back.
  const kept = db.$client.prepare('select count(*) from recommendation_relations').pluck().get() as number;
  t.ok(kept > 0, 'the seed has relations');
  db.$client.prepare('delete from recommendation_relations').run();

  const all = run([], env);
  t.equal(all.code, 0);
  t.match(all.out, new RegExp(`^Related 8 recommendations of \\d+ states under review in [\\d.]+ s: ${kept} relations added, 0 changed, 0 removed\\.\\n$`));
  t.match(all.err, /relate: KGZ \(\d+\/\d+\)\n/);
  t.equal(db.$client.prepare('select count(*) from recommendation_relations').pluck().get(), kept);
  t.not(revision(), before, 'a change bumps the revision (caches answer afresh)');

  const again = run(['--state', 'kgz', '--json'], env);
  t.equal(again.code, 0);
  t.match(JSON.parse(again.out), { states: 1, recommendations: 8, inserted: 0, updated: 0, deleted: 0, seconds: Number });
  t.equal(again.err, 'relate: KGZ (1/1)\n');
  db.$client.close();
});

t.test('wrong usage is exit status 2, help is 0, an invalid environment 1', async (t) => {
  const env = { DATABASE_PATH: join(tempDir(t), 'unused.sqlite') };
  t.match(run(['--help'], env), { code: 0, out: /^Usage: npm run relate/ });
  t.match(run(['--bogus'], env), { code: 2, err: /Unknown option '--bogus'[\s\S]*Usage/ });
  t.match(run(['--state', 'KG'], env), { code: 2, err: '--state "KG" is not an ISO 3166-1 alpha-3 code like KGZ.\n' });
  t.match(run([], { ...env, LOG_LEVEL: 'loud' }), { code: 1, err: /^Invalid environment:\n {2}LOG_LEVEL: [^\n]*\n$/ }, 'no usage after it');
});

t.test('with DATABASE_URL set, it refuses: no SQLite file is made or related', async (t) => {
  const path = join(tempDir(t), 'left-beside.sqlite');
  const refused = run([], { DATABASE_PATH: path, DATABASE_URL: 'postgres://127.0.0.1:1/upr' });
  t.equal(refused.code, 1);
  t.match(refused.err, /^DATABASE_URL names a PostgreSQL database: npm run relate recomputes a SQLite database/);
  t.equal(refused.out, '');
  t.notOk(existsSync(path), 'no database is created at DATABASE_PATH');
});

t.test('a database written by another program has its relations brought up to date when opened', async (t) => {
  const path = join(tempDir(t), 'other-program.sqlite');
  const first = openDatabase(path);
  const relations = (db: typeof first) =>
    db.$client.prepare("select related_id from recommendation_relations where recommendation_id = 'KGZ-3-USA-1' order by 1").pluck().all();
  const before = relations(first);
  // As the sqlite3 shell would: the text of another recommendation becomes the same request.
  const text = first.$client.prepare("select text from recommendations where id = 'KGZ-3-USA-1'").pluck().get();
  first.$client.prepare("update recommendations set text = ? where id = 'KGZ-3-GBR-2'").run(text);
  t.equal(first.$client.prepare('select count(*) from recommendation_relations_stale').pluck().get(), 1, 'listed stale');
  const revision = (db: typeof first) => Number(db.$client.prepare("select value from meta where key = 'revision'").pluck().get());
  const revisionBefore = revision(first);
  first.$client.close();

  const again = openDatabase(path);
  t.equal(again.$client.prepare('select count(*) from recommendation_relations_stale').pluck().get(), 0, 'refreshed on open');
  t.equal(revision(again), revisionBefore + 1, 'a new revision: the ETags of lists and /related answers showing them change');
  again.$client.close();
  const quiet = openDatabase(path);
  t.equal(revision(quiet), revisionBefore + 1, 'an open with nothing stale bumps nothing');
  quiet.$client.close();
  const reopened = openDatabase(path);
  t.ok(relations(reopened).includes('KGZ-3-GBR-2'), 'the same text is now related');
  t.not(JSON.stringify(relations(reopened)), JSON.stringify(before));
  const score = reopened.$client
    .prepare("select score from recommendation_relations where recommendation_id = 'KGZ-3-GBR-2' and related_id = 'KGZ-3-USA-1'")
    .pluck()
    .get();
  t.equal(score, 1, 'the same text scores 1');
  reopened.$client.close();
});

t.test('a database related before the states printed in texts were left out is recomputed when opened (migration 0020)', async (t) => {
  const path = join(tempDir(t), 'upgraded.sqlite');
  const first = openDatabase(path);
  const c = first.$client;
  const now = '2026-12-02T00:00:00.000Z';
  const review = c.prepare('insert into reviews (id, state_code, cycle, created_at, updated_at) values (?, ?, ?, ?, ?)');
  review.run('FIN-1', 'FIN', 1, now, now);
  review.run('FIN-2', 'FIN', 2, now, now);
  const insert = c.prepare(`insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at)
    values (?, ?, '', ?, 1, ?, ?)`);
  // Fictional requests on two matters, made by one state in two cycles, as the Terman corpus prints them.
  insert.run('FIN-1-a', 'FIN-1', 'Protect lighthouse keepers (United Kingdom of Great Britain and Northern Ireland);', now, now);
  insert.run('FIN-2-b', 'FIN-2', 'Publish ferry timetables (United Kingdom of Great Britain and Northern Ireland);', now, now);
  c.close();
  const recurrence = (db: typeof first) =>
    JSON.parse(db.$client.prepare("select json from recommendation_documents where recommendation_id = 'FIN-2-b'").pluck().get() as string).recurrence;

  // As a version before 0020 left it: the two related by the state's name (the score it gave them), one
  // counted as asked before.
  const old = openDatabase(path);
  t.equal(old.$client.prepare('select count(*) from recommendation_relations where recommendation_id like ?').pluck().get('FIN-%'), 0, 'not related');
  old.$client.prepare(`insert into recommendation_relations values ('FIN-2-b', 'FIN-1-a', 0.5883, 'earlier', 1), ('FIN-1-a', 'FIN-2-b', 0.5883, 'later', 2)`).run();
  old.$client.close();
  const before = openDatabase(path);
  t.same(recurrence(before), { count: 1, earliestCycle: 1 }, 'asked before, as that version said');
  // The database as before 0020: it and every later migration not applied yet.
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const since = journal.entries.find((e) => e.tag === '0020_related_without_recommenders')!.when;
  t.ok(before.$client.prepare('delete from __drizzle_migrations where created_at >= ?').run(since).changes >= 1);
  before.$client.exec('alter table audit_log drop column reason'); // 0022_audit_reason, run again after 0020
  before.$client.exec(UNDO_UNREPEATABLE_MIGRATIONS); // 0026 and 0028 likewise
  before.$client.close();

  const upgraded = openDatabase(path);
  t.equal(upgraded.$client.prepare('select count(*) from recommendation_relations where recommendation_id like ?').pluck().get('FIN-%'), 0, 'recomputed: no longer related');
  t.same(recurrence(upgraded), { count: 0, earliestCycle: null }, 'and its document says so');
  t.equal(upgraded.$client.prepare('select count(*) from recommendation_relations_stale').pluck().get(), 0);
  upgraded.$client.close();
});

t.test('a database related by a release that rescored only the changed records is recomputed whole when opened (migration 0024)', async (t) => {
  const path = join(tempDir(t), 'order-dependent.sqlite');
  const first = openDatabase(path);
  const relations = (db: typeof first) =>
    db.$client.prepare('select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations order by 1, 2').all();
  const recurrence = (db: typeof first) =>
    JSON.parse(db.$client.prepare("select json from recommendation_documents where recommendation_id = 'KGZ-3-USA-1'").pluck().get() as string)
      .recurrence;
  const whole = relations(first);
  t.ok(whole.length > 0, 'the seed has relations');
  // As a release before 2026-12-04 could leave them after a text PATCH (the changed record's pairs rescored
  // against the state's old idf, the others kept): scores that a whole recomputation does not give, a pair
  // it keeps missing, and one it does not keep, counted as asked before in the document built from it.
  const c = first.$client;
  c.prepare("update recommendation_relations set score = round(score * 0.9, 4) where recommendation_id = 'KGZ-3-FIN-1' or related_id = 'KGZ-3-FIN-1'").run();
  c.prepare("delete from recommendation_relations where recommendation_id = 'KGZ-3-GBR-1'").run();
  c.prepare("insert or replace into recommendation_relations values ('KGZ-3-USA-1', 'KGZ-3-ESP-1', 0.61, 'earlier', 2)").run();
  first.$client.close();
  const before = openDatabase(path);
  t.not(JSON.stringify(relations(before)), JSON.stringify(whole), 'stored as that release left them');
  t.same(recurrence(before), { count: 1, earliestCycle: 2 }, 'a recurrence no new database shows');
  // The database as before 0024: it and every later migration not applied yet.
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const since = journal.entries.find((e) => e.tag === '0024_related_whole_states')!.when;
  t.ok(before.$client.prepare('delete from __drizzle_migrations where created_at >= ?').run(since).changes >= 1);
  before.$client.exec(UNDO_UNREPEATABLE_MIGRATIONS); // 0026, run again after 0024
  before.$client.close();

  const upgraded = openDatabase(path);
  t.same(relations(upgraded), whole, 'the relations a new database with the same data has');
  t.same(recurrence(upgraded), { count: 0, earliestCycle: null }, 'and the document says so');
  t.equal(upgraded.$client.prepare('select count(*) from recommendation_relations_stale').pluck().get(), 0);
  upgraded.$client.close();
});

for (const [migration, change] of [
  ['0032_related_act_terms', 'the act asked was part of the terms'],
  ['0033_related_ratify_span', 'a ratify clause ended at another act'],
  ['0034_related_group_terms', 'violence against women, against children and a standing invitation had terms of their own'],
  ['0035_related_group_phrasings', 'the groups were read in other words (gender violence, mandate holders)'],
] as const) {
  t.test(`a database related before ${change} is recomputed whole when opened (migration ${migration.slice(0, 4)})`, async (t) => {
    const path = join(tempDir(t), 'before-act-terms.sqlite');
    const first = openDatabase(path);
    const relations = (db: typeof first) =>
      db.$client.prepare('select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations order by 1, 2').all();
    const whole = relations(first);
    // As a release before 2026-12-06 scored "ratify X" and "implement X" alike (or "ratify X and implement Y" and
    // "ratify Y", or violence against women and against children, or a standing invitation and cooperation): a pair
    // no new database keeps.
    first.$client.prepare("insert or replace into recommendation_relations values ('KGZ-3-FIN-1', 'KGZ-3-ESP-1', 0.72, 'same', 3)").run();
    first.$client.close();
    const before = openDatabase(path);
    t.not(JSON.stringify(relations(before)), JSON.stringify(whole), 'stored as that release left them');
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((e) => e.tag === migration)!.when;
    t.ok(before.$client.prepare('delete from __drizzle_migrations where created_at >= ?').run(since).changes >= 1, 'it and every later migration not applied yet');
    before.$client.close();

    const upgraded = openDatabase(path);
    t.same(relations(upgraded), whole, 'the relations a new database with the same data has');
    t.equal(upgraded.$client.prepare('select count(*) from recommendation_relations_stale').pluck().get(), 0);
    upgraded.$client.close();
  });
}
