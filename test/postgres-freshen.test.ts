import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { postgresBackend } from '../src/db/pg/backend.js';
import { FRESHEN_LOCK, type FreshenLog } from '../src/db/pg/freshen.js';
import { WRITE_LOCK } from '../src/db/pg/write-transaction.js';
import { openDatabase } from '../src/db/open.js';
import { appliedPgMigrationCount, expectedPgMigrationCount, openPostgres, PG_MIGRATIONS_FOLDER } from '../src/db/pg/open.js';
import { pgMaterialize } from '../src/recommendations/pg-documents.js';
import { buildTestApp, tempDir } from './helpers.js';
import { run } from './import-helpers.js';
import { sameDocuments } from './support/both-backends.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { TS_NODE_ARGS } from './support/server-process.js';

// A PostgreSQL start brings what is listed stale up to date, as SQLite's open does (src/db/pg/freshen.ts):
// stored documents listed stale or missing are rebuilt, relations listed stale (PostgreSQL's migration
// 0010_related_without_recommenders and 0015_related_whole_states list them all) are recomputed, and the documents whose recurrence they
// change rebuilt; the result is SQLite's for the same data. Instances starting together do it once.

t.setTimeout(600_000);
const cluster = await startCluster(t);

/** Recommending states as Terman's corpus prints them, at the end of each text. */
const RECOMMENDERS = ['Norway', 'France', 'Czech Republic', 'Brazil', 'Canada', 'Spain', 'Chile', 'Algeria', 'Egypt', 'Mexico'];
const TOPICS = [
  'Ratify the Optional Protocol to the Convention against Torture',
  'Consider ratifying the Convention on the Rights of Persons with Disabilities and its Optional Protocol',
  'Combat domestic violence against women and girls and prosecute the perpetrators',
  'Guarantee the freedom of the media and protect journalists from harassment',
  'Establish a national human rights institution in line with the Paris Principles',
  'Abolish the death penalty and ratify the Second Optional Protocol to the ICCPR',
  'Take measures to end child labour and ratify ILO Convention 182',
  'Protect human rights defenders and investigate attacks against them',
  'Ensure access to education for children with disabilities and Roma children',
  'Strengthen the independence of the judiciary and fight corruption',
  'Prevent trafficking in persons and assist its victims',
  'Improve conditions of detention and reduce overcrowding in prisons',
  'Combat discrimination against ethnic minorities',
  'Adopt comprehensive anti-discrimination legislation covering sexual orientation',
  'Ensure the right to freedom of assembly and association',
];

/** A Terman-style CSV: `per` recommendations to each state in 2010 (cycle 1) and 2014 (cycle 2). */
function termanCsv(states: [name: string, per: number][]): string {
  const lines = ['text,to,decision,From,year,notes'];
  let n = 0;
  for (const [state, per] of states) {
    for (const year of [2010, 2014]) {
      for (let i = 0; i < per; i++) {
        const topic = TOPICS[(i + (year === 2014 ? 1 : 0)) % TOPICS.length]!;
        const by = RECOMMENDERS[(n++ * 7) % RECOMMENDERS.length]!;
        const text = `${year === 2010 ? 67 : 112}.${i + 1} ${topic}${i % 3 === 0 ? ' without delay' : ''} (${by});`;
        lines.push(`"${text}",${state},${i % 2 === 0 ? 'support' : 'noted'},${by},${year},`);
      }
    }
  }
  return `${lines.join('\r')}\r`;
}

const RELATIONS = `select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations`;

/** A log that keeps each message, and says when one matching `wanted` has been logged `times` times. */
function recordingLog() {
  const messages: string[] = [];
  const waiting: { pattern: RegExp; times: number; resolve: () => void }[] = [];
  const count = (pattern: RegExp) => messages.filter((message) => pattern.test(message)).length;
  const log: FreshenLog & { messages: string[]; logged(pattern: RegExp, times?: number): Promise<void> } = {
    messages,
    info(_details, message) {
      messages.push(message);
      for (const wait of [...waiting]) {
        if (count(wait.pattern) < wait.times) continue;
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve();
      }
    },
    logged: (pattern, times = 1) =>
      count(pattern) >= times ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ pattern, times, resolve })),
  };
  return log;
}

/** A log shared by several backends: the messages each logs, prefixed with its name. */
function sharedLog() {
  const log = recordingLog();
  return { log, as: (name: string): FreshenLog => ({ info: (details, message) => log.info(details, `${name}: ${message}`) }) };
}

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;
  // The SQLite database, current: its import related every state it wrote, each whole.
  const sqlitePath = join(tempDir(t), 'related.sqlite');
  const made = openDatabase(sqlitePath);
  await run(made, termanCsv([['albania', 14], ['angola', 4], ['armenia', 3]]));
  made.$client.close();
  const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
  const sqliteRelations = onSqlite.db.$client.prepare(`${RELATIONS} order by recommendation_id, related_id`).raw().all();
  const ids = onSqlite.db.$client.prepare('select id from recommendations order by id').pluck().all() as string[];
  const albania = ids.filter((id) => id.startsWith('ALB-'));
  const angola = ids.filter((id) => id.startsWith('AGO-'));

  /** A copy of the SQLite database on PostgreSQL, and a connection to it. */
  async function copied(t: Test): Promise<pg.Pool> {
    const url = await copiedDatabase(clusterUrl, sqlitePath);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(() => pool.end());
    return pool;
  }

  /** The database of `pool` opened by drizzle (closed when the test ends). */
  async function openPostgresFor(t: Test, pool: pg.Pool) {
    const db = await openPostgres(pool.options.connectionString!, { poolMax: 1 });
    t.teardown(() => db.$client.end());
    return db;
  }

  /** The relations stored on PostgreSQL, in SQLite's order. */
  async function pgRelations(pool: pg.Pool): Promise<unknown[][]> {
    return (await pool.query({ text: `${RELATIONS} order by recommendation_id collate "C", related_id collate "C"`, rowMode: 'array' })).rows;
  }

  /** Nothing left listed stale, every document and CSV line there and equal to SQLite's, the relations SQLite's. */
  async function sameAsSqlite(t: Test, pool: pg.Pool): Promise<void> {
    const { rows } = await pool.query<{ stale: number; relations: number; documents: number; lines: number; records: number }>(`select
      (select count(*)::int from recommendation_documents_stale) as stale,
      (select count(*)::int from recommendation_relations_stale) as relations,
      (select count(*)::int from recommendation_documents) as documents,
      (select count(*)::int from recommendation_csv_lines) as lines,
      (select count(*)::int from recommendations) as records`);
    t.same(rows[0], { stale: 0, relations: 0, documents: ids.length, lines: ids.length, records: ids.length }, 'nothing left stale or missing');
    t.same(await pgRelations(pool), sqliteRelations, "the relations are SQLite's");
    await sameDocuments(t, onSqlite, pool);
  }

  /** The same answer from both apps. */
  async function sameAnswer(t: Test, onPostgres: FastifyInstance, url: string): Promise<void> {
    const a = await onSqlite.inject(url);
    const b = await onPostgres.inject(url);
    t.equal(b.statusCode, 200, url);
    t.same(b.json().data, a.json().data, `${url}: the same answer`);
  }

  t.ok(sqliteRelations.length > 40, `SQLite related the records (${sqliteRelations.length} pairs)`);
  t.ok(
    (sqliteRelations as unknown[][]).some(([, , score, relation]) => relation === 'earlier' && (score as number) >= 0.5),
    'some recommendations recur',
  );

  t.test('stored documents listed stale or missing are rebuilt at start, as SQLite builds them', async (t) => {
    const pool = await copied(t);
    // Stale and wrong; a document gone; a CSV line gone; a document and its CSV line gone.
    await pool.query(`update recommendation_documents set json = '{}' where recommendation_id = any($1)`, [albania.slice(0, 5)]);
    await pool.query(`insert into recommendation_documents_stale (recommendation_id) select unnest($1::text[])`, [albania.slice(0, 5)]);
    await pool.query(`insert into recommendation_documents_stale (recommendation_id) values ('GONE-1-X-1')`);
    await pool.query('delete from recommendation_documents where recommendation_id = $1', [albania[5]]);
    await pool.query('delete from recommendation_csv_lines where recommendation_id = $1', [albania[6]]);
    await pool.query('delete from recommendation_documents where recommendation_id = $1', [angola[0]]);
    await pool.query('delete from recommendation_csv_lines where recommendation_id = $1', [angola[0]]);
    const revision = async () => (await pool.query<{ value: string }>(`select value from meta where key = 'revision'`)).rows[0]!.value;
    const before = await revision();
    const onPostgres = await buildTestApp(t, { databaseUrl: pool.options.connectionString! });
    await sameAsSqlite(t, pool);
    t.equal(Number(await revision()), Number(before) + 1, 'the data revision bumped once (the caches of instances already serving)');
    await sameAnswer(t, onPostgres, '/v1/recommendations?limit=100&sort=id');
    const csv = [await onSqlite.inject('/v1/recommendations?format=csv&sort=id'), await onPostgres.inject('/v1/recommendations?format=csv&sort=id')];
    t.equal(csv[1]!.body, csv[0]!.body, 'the same CSV export');
    // Started again: nothing to do, and nothing done (one query).
    const again = recordingLog();
    const backend = await postgresBackend(pool.options.connectionString!, 2, undefined, 0, { log: again });
    await backend.close();
    t.same(again.messages, [], 'a start with nothing stale says nothing');
    t.equal(await revision(), String(Number(before) + 1), 'nor bumps the revision');
  });

  t.test('many documents are rebuilt a round of ids at a time, the same as one round', async (t) => {
    const pool = await copied(t);
    await pool.query(`update recommendation_documents set json = '{}' where recommendation_id = any($1)`, [albania]);
    await pool.query(`update recommendation_csv_lines set csv_tail = '' where recommendation_id = any($1)`, [albania]);
    const writes: number[] = [];
    const counted = {
      query: ((...args: Parameters<pg.Pool['query']>) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        const values = typeof args[0] === 'string' ? args[1] : (args[0] as { values?: unknown[] }).values;
        if (text.includes('insert into recommendation_documents')) writes.push((values as string[][])[0]!.length);
        return (pool.query as (...a: unknown[]) => unknown)(...args);
      }) as pg.Pool['query'],
    };
    await pgMaterialize(counted, albania, 10);
    t.same(writes, [10, 10, 8], "Albania's 28 documents written in rounds of at most 10");
    await sameDocuments(t, onSqlite, pool);
  });

  t.test('an upgraded database: migration 0010 lists every relation stale, the start recomputes them all as SQLite’s', async (t) => {
    const pool = await copied(t);
    // Relations as an older version stored them: wrong pairs, wrong scores, missing pairs, and a pair to
    // another state's record; the documents built from them (a recurrence that is not there).
    const [a1, a2] = [albania[0]!, albania.find((id) => id.startsWith('ALB-2'))!];
    await pool.query('delete from recommendation_relations where recommendation_id = any($1)', [albania.slice(3, 9)]);
    await pool.query(`update recommendation_relations set score = score / 2 where recommendation_id = any($1)`, [angola]);
    await pool.query(`insert into recommendation_relations (recommendation_id, related_id, score, relation, related_cycle)
      values ($1, $2, 0.99, 'earlier', 1), ($1, $3, 0.2, 'same', 1) on conflict (recommendation_id, related_id) do update set score = 0.99`, [a2, a1, angola[0]]);
    await pgMaterialize(pool, [a2]);
    const wrong = await pool.query<{ json: string }>('select json from recommendation_documents where recommendation_id = $1', [a2]);
    t.equal(JSON.parse(wrong.rows[0]!.json).recurrence.count > 0, true, 'a document showing a wrong recurrence');
    t.equal((await pool.query('select count(*)::int as n from recommendation_relations_stale')).rows[0].n, 0, 'a copy lists nothing stale');
    // The database as before migration 0010_related_without_recommenders: the start applies it and every later one.
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((e) => e.tag === '0010_related_without_recommenders')!.when;
    await pool.query('delete from __drizzle_migrations where created_at >= $1', [since]);
    t.not(JSON.stringify(await pgRelations(pool)), JSON.stringify(sqliteRelations), 'the relations differ before the start');

    const log = recordingLog();
    // In small transactions of states in code order, each closed once it holds 10 records or more: Angola's 8
    // with Albania's 28, Armenia's 6 with the seed's Kyrgyzstan's 8; 5 documents.
    const batches = { documents: 5, relate: 10 };
    const backend = await postgresBackend(pool.options.connectionString!, 2, undefined, 0, { log, batches });
    t.teardown(() => backend.close());
    await sameAsSqlite(t, pool);
    t.equal(await appliedPgMigrationCount(await openPostgresFor(t, pool)), expectedPgMigrationCount(), 'migrated');
    t.match(log.messages, ['PostgreSQL: bringing stale relations and stored documents up to date', 'PostgreSQL: recomputing the relations listed stale']);
    t.ok(log.messages.includes('PostgreSQL: stale relations and stored documents brought up to date'), 'said when done');
    t.equal(log.messages.filter((message) => message === 'PostgreSQL: relations recomputed so far').length, 2, 'a message a transaction');
  });

  t.test('a database related by a release that rescored only the changed records: migration 0015 has it recomputed whole', async (t) => {
    const pool = await copied(t);
    // As the incremental path (until 2026-12-04) could leave a state after a text PATCH: the changed record's
    // pairs rescored, the others as they were, a pair a whole recomputation keeps missing.
    await pool.query('update recommendation_relations set score = round((score * 0.9)::numeric, 4) where recommendation_id = $1 or related_id = $1', [angola[0]]);
    await pool.query('delete from recommendation_relations where recommendation_id = $1', [albania[4]]);
    t.not(JSON.stringify(await pgRelations(pool)), JSON.stringify(sqliteRelations), 'the relations differ before the start');
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((e) => e.tag === '0015_related_whole_states')!.when;
    t.ok((await pool.query('delete from __drizzle_migrations where created_at >= $1', [since])).rowCount! >= 1, 'it and every later migration not applied yet');
    const backend = await postgresBackend(pool.options.connectionString!, 2, undefined, 0, {});
    t.teardown(() => backend.close());
    await sameAsSqlite(t, pool);
  });

  for (const [migration, change] of [
    ['0024_related_act_terms', 'the act asked was part of the terms'],
    ['0025_related_ratify_span', 'a ratify clause ended at another act'],
    ['0026_related_group_terms', 'violence against women, against children and a standing invitation had terms of their own'],
    ['0027_related_group_phrasings', 'the groups were read in other words (gender violence, mandate holders)'],
  ] as const) {
    t.test(`a database related before ${change}: migration ${migration.slice(0, 4)} has it recomputed whole`, async (t) => {
      const pool = await copied(t);
      // As a release before 2026-12-06 could keep them: a pair scored on a treaty's name whatever the act asked (or on
      // "violence" whatever the group, or on the special procedures whatever was asked of them).
      await pool.query('update recommendation_relations set score = round((score * 1.1)::numeric, 4) where recommendation_id = $1', [albania[1]]);
      t.not(JSON.stringify(await pgRelations(pool)), JSON.stringify(sqliteRelations), 'the relations differ before the start');
      const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
      const since = journal.entries.find((e) => e.tag === migration)!.when;
      t.ok((await pool.query('delete from __drizzle_migrations where created_at >= $1', [since])).rowCount! >= 1, 'it and every later migration not applied yet');
      const backend = await postgresBackend(pool.options.connectionString!, 2, undefined, 0, {});
      t.teardown(() => backend.close());
      await sameAsSqlite(t, pool);
    });
  }

  t.test("labels an older import stored as UPR Info's or OHCHR's coding: migration 0016 makes them machine labels again, or removes them", async (t) => {
    const pool = await copied(t);
    const [a, b, c] = albania as [string, string, string];
    await pool.query(`insert into themes (id, label, uhri, scheme) values ('upr-info-racial-discrimination', 'Racial discrimination', false, 'upr-info'),
      ('upr-info-death-penalty', 'Death penalty', false, 'upr-info') on conflict do nothing`);
    await pool.query('delete from recommendation_themes where recommendation_id = any($1)', [[a, b, c]]);
    // As an import merging a record before 2026-12-03 wrote them (see SQLite's 0025 in tagging.test.ts).
    await pool.query(`insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values
      ($1, 'upr-info-racial-discrimination', 'upr-info', null), ($1, 'racial-discrimination', 'upr-info', null),
      ($2, 'right-to-health', 'upr-info', null), ($3, 'upr-info-death-penalty', 'ohchr', null)`, [a, b, c]);
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((e) => e.tag === '0016_machine_labels_provenance')!.when;
    t.ok((await pool.query('delete from __drizzle_migrations where created_at >= $1', [since])).rowCount! >= 1, 'it and every later migration not applied yet');
    const backend = await postgresBackend(pool.options.connectionString!, 2, undefined, 0, {});
    t.teardown(() => backend.close());
    const { rows } = await pool.query<{ recommendation_id: string; json: string }>(
      'select recommendation_id, json from recommendation_documents where recommendation_id = any($1) order by 1', [[a, b, c]]);
    t.same(
      rows.map((row) => (JSON.parse(row.json).themes as { id: string; source: string; confidence: number | null }[]).map((l) => `${l.id} ${l.source} ${l.confidence}`)),
      [['racial-discrimination machine 1', 'upr-info-racial-discrimination upr-info null'], [], []],
      'the derived theme a machine label, the labels no file gave removed, the documents rebuilt',
    );
  });

  t.test("UHRI's torture theme derived from UPR Info's Torture issue: migration 0028 removes it, keeps a curated one", async (t) => {
    const pool = await copied(t);
    const [a, b] = albania as [string, string];
    const { rows: [theme] } = await pool.query<{ id: string }>(`select id from themes where scheme = 'uhri' and label = $1`, ['Prohibition of torture & cruel, inhuman or degrading treatment']);
    // As the crosswalk gave it until 2026-12-06 (see SQLite's 0036 in tagging.test.ts), and as a curator sets it.
    await pool.query(`insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values
      ($1, $3, 'machine', 1), ($2, $3, 'curated', null) on conflict (recommendation_id, theme_id) do update set label_source = excluded.label_source, confidence = excluded.confidence`, [a, b, theme!.id]);
    // Their documents as that release built them: listed stale, so the next start builds them from the labels left.
    await pool.query('insert into recommendation_documents_stale (recommendation_id) values ($1), ($2) on conflict do nothing', [a, b]);
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((e) => e.tag === '0028_machine_torture_theme')!.when;
    t.ok((await pool.query('delete from __drizzle_migrations where created_at >= $1', [since])).rowCount! >= 1, 'it and every later migration not applied yet');
    const backend = await postgresBackend(pool.options.connectionString!, 2, undefined, 0, {});
    t.teardown(() => backend.close());
    const { rows } = await pool.query<{ json: string }>('select json from recommendation_documents where recommendation_id = any($1) order by recommendation_id collate "C"', [[a, b]]);
    t.same(
      rows.map((row) => (JSON.parse(row.json).themes as { id: string; source: string }[]).filter((l) => l.id === theme!.id).map((l) => l.source)),
      [[], ['curated']],
      'the machine label removed and its document rebuilt, the curated one kept',
    );
  });

  t.test('a start killed after any of its commits leaves the revision bump to the next start', async (t) => {
    // Killed after its last batch committed and before the bump's commit, a start left nothing listed stale,
    // and the next one served the rebuilt documents under the old revision (ETags cached before it matched).
    const pool = await copied(t);
    await pool.query('insert into recommendation_documents_stale (recommendation_id) select unnest($1::text[])', [albania.slice(0, 2)]);
    const url = pool.options.connectionString!;
    const revision = async () => Number((await pool.query<{ value: string }>(`select value from meta where key = 'revision'`)).rows[0]!.value);
    for (let k = 1; k < 12; k++) {
      const before = await revision();
      const child = spawnSync(process.execPath, [...TS_NODE_ARGS, '--import', './test/support/kill-after-commit.mjs', 'test/support/pg-start-child.ts'], {
        env: { ...process.env, DATABASE_URL: url, KILL_AFTER_COMMIT: String(k) },
        encoding: 'utf8',
      });
      if (child.signal !== 'SIGKILL') {
        t.equal(child.status, 0, `the start ran to its end after ${k - 1} commits: ${child.stderr}`);
        t.equal(await revision(), before + 1, 'one bump, uninterrupted');
        break;
      }
      const backend = await postgresBackend(url, 1);
      await backend.close();
      const stale = await pool.query<{ n: number }>(`select count(*)::int as n from recommendation_documents_stale`);
      t.equal(stale.rows[0]!.n, 0, `killed after commit ${k}, started again: nothing left stale`);
      t.ok((await revision()) > before, `killed after commit ${k}, started again: the revision moved`);
      t.equal((await pool.query(`select 1 from meta where key = 'revision_owed'`)).rowCount, 0, 'no bump left owed');
      // Listed stale again for the next kill.
      await pool.query('insert into recommendation_documents_stale (recommendation_id) select unnest($1::text[])', [albania.slice(0, 2)]);
    }
  });

  t.test('a few recommendations of a state listed stale: the state is recomputed whole, as SQLite does', async (t) => {
    const pool = await copied(t);
    const [x, y] = [albania[1]!, albania[2]!];
    await pool.query('delete from recommendation_relations where recommendation_id = $1', [x]);
    await pool.query(`update recommendation_relations set score = 0.42 where related_id = $1`, [y]);
    await pool.query(`insert into recommendation_relations (recommendation_id, related_id, score, relation, related_cycle)
      values ($1, $2, 0.3, 'same', 1) on conflict do nothing`, [y, angola[1]]);
    await pool.query('insert into recommendation_relations_stale (recommendation_id) values ($1), ($2)', [x, y]);
    const onPostgres = await buildTestApp(t, { databaseUrl: pool.options.connectionString! });
    await sameAsSqlite(t, pool);
    await sameAnswer(t, onPostgres, `/v1/recommendations/${x}/related`);
  });

  t.test('instances starting together: one brings the database up to date, the others wait for it', async (t) => {
    const pool = await copied(t);
    await pool.query('insert into recommendation_relations_stale (recommendation_id) select id from recommendations');
    await pool.query('update recommendation_documents set json = $1', ['{}']);
    await pool.query('insert into recommendation_documents_stale (recommendation_id) select id from recommendations');
    const url = pool.options.connectionString!;
    // Another instance holds the work: both wait for it.
    const holder = await pool.connect();
    t.teardown(() => holder.release());
    await holder.query('select pg_advisory_lock($1)', [FRESHEN_LOCK]);
    const { log, as } = sharedLog();
    const starts = ['one', 'two'].map((name) => postgresBackend(url, 2, undefined, 0, { log: as(name) }));
    // (Without the lock, a start would not wait: failed at once rather than at the test's timeout.)
    let waited = false;
    await Promise.race([
      log.logged(/waiting for it$/, 2).then(() => (waited = true)),
      Promise.all(starts).then(
        () => {
          if (!waited) throw new Error('the instances started without waiting');
        },
        () => undefined, // (said below)
      ),
    ]);
    // A third, waiting at most 50 ms, gives up, saying why.
    await t.rejects(postgresBackend(url, 2, undefined, 0, { waitMs: 50 }), /another instance has been bringing .* for more than 50 ms/);
    await holder.query('select pg_advisory_unlock($1)', [FRESHEN_LOCK]);
    const backends = await Promise.all(starts);
    t.teardown(() => Promise.all(backends.map((backend) => backend.close())));
    t.equal(log.messages.filter((message) => message.endsWith(': PostgreSQL: stale relations and stored documents brought up to date')).length, 1, 'the work done once');
    t.equal(log.messages.filter((message) => /already brought up to date by another instance$/.test(message)).length, 1, 'the other found it done');
    await sameAsSqlite(t, pool);
    const revisions = await Promise.all(backends.map((backend) => backend.revision.current()));
    t.equal(revisions[1], revisions[0], 'both serve the same revision');
  });

  t.test('a start that cannot take the write lock in time fails, leaving what is listed for the next', async (t) => {
    const pool = await copied(t);
    await pool.query(`update recommendation_documents set json = '{}' where recommendation_id = $1`, [albania[0]]);
    await pool.query('insert into recommendation_documents_stale (recommendation_id) values ($1)', [albania[0]]);
    // A long write (an import) holds the write lock.
    const writer = await pool.connect();
    t.teardown(() => writer.release());
    await writer.query('begin');
    await writer.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK]);
    await t.rejects(postgresBackend(pool.options.connectionString!, 2, undefined, 0, { waitMs: 50 }), /lock timeout/);
    await writer.query('rollback');
    t.equal((await pool.query('select count(*)::int as n from recommendation_documents_stale')).rows[0].n, 1, 'still listed');
    const backend = await postgresBackend(pool.options.connectionString!, 2, undefined, 0, { waitMs: 50 });
    await backend.close();
    await sameAsSqlite(t, pool);
  });
}
