import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import t, { type Test } from 'tap';
import { buildApp } from '../src/app.js';
import { runCopy } from '../src/db/copy/cli.js';
import { copyDatabase, type Endpoint } from '../src/db/copy/copy.js';
import { COPY_TABLES } from '../src/db/copy/tables.js';
import { openDatabase } from '../src/db/open.js';
import { appliedPgMigrationCount, expectedPgMigrationCount, openPostgres } from '../src/db/pg/open.js';
import { bumpPgRevision, currentPgRevision, PgRevision } from '../src/db/pg/revision.js';
import { warnOfTextRules } from '../src/db/pg/text-rules.js';
import { HRW_SOURCE, mintKey, send, TS_NODE_ARGS } from './curation-helpers.js';
import * as kgz from '../seed/kyrgyzstan-upr3.js';
import { tempDir, unlessHanging } from './helpers.js';
import { run, TERMAN_STYLE_CSV } from './import-helpers.js';
import { createDatabase, startCluster } from './support/postgres.js';
import { compiledServerArgs } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

// PostgreSQL on a real server: one throwaway cluster for this file (scripts/pg-cluster.sh), a fresh database
// per test. Skipped, saying why, where PostgreSQL can be neither found nor installed.

t.setTimeout(600_000);
const cluster = await startCluster(t);

const sqlite = (path: string): Endpoint => ({ kind: 'sqlite', path });
const postgres = (url: string): Endpoint => ({ kind: 'postgres', url });

/** Every row of every copied table (and SQLite's storage class of each value), in primary-key order. */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables: Record<string, unknown[]> = {};
    for (const table of [...COPY_TABLES, 'sqlite_sequence']) {
      const columns = (db.prepare(`pragma table_info("${table}")`).all() as { name: string }[]).map((c) => `"${c.name}"`);
      const typed = columns.map((c) => `${c}, typeof(${c})`).join(', ');
      tables[table] = db.prepare(`select ${typed} from "${table}" order by ${columns.join(', ')}`).raw().all();
    }
    tables.fts = db.prepare(`select rowid, text from recommendations_fts order by rowid`).raw().all();
    return tables;
  } finally {
    db.close();
  }
}

/** A seeded database with writes through the API: an API key, an assessment (audit log, idempotency key), a removed theme. */
async function seededWithWrites(t: Test): Promise<string> {
  const path = join(tempDir(t), 'seeded.sqlite');
  copyTemplateDatabase(path); // what a first start migrates and seeds, made once per run
  const app = await buildApp({ databasePath: path, logLevel: 'silent', checkResponses: true, maxEventLoopDelayMs: 0 });
  const key = mintKey(app);
  const assessment = { recommendationId: 'KGZ-3-FIN-1', status: 'not_implemented', assessedOn: '2021-06-01', rationale: 'Still no investigation.', sources: [HRW_SOURCE] };
  const created = await send(app, 'POST', '/v1/assessments', { key, body: assessment, headers: { 'idempotency-key': 'copy-test-1' } });
  t.equal(created.response.statusCode, 201, created.response.body);
  const removed = await send(app, 'DELETE', '/v1/recommendations/KGZ-3-FIN-1/themes/human-rights-defenders', { key });
  t.equal(removed.response.statusCode, 200, 'a removed theme: a row of machine_label_rejections');
  const etag = (await app.inject('/v1/recommendations/KGZ-3-FIN-1')).headers.etag as string;
  const text = 'Release Azimjon Askarov (a curator’s wording).';
  const patched = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', { key, body: { text }, headers: { 'if-match': etag } });
  t.equal(patched.response.statusCode, 200, 'a curated field: a row of recommendation_curated_fields');
  await app.close();
  return path;
}

/** A seeded database with a Terman-style CSV imported into it (unresolved states, new sources, audit rows). */
async function imported(t: Test): Promise<string> {
  const path = join(tempDir(t), 'imported.sqlite');
  const db = openDatabase(path);
  const csv = TERMAN_STYLE_CSV;
  const report = await run(db, csv);
  t.ok(report.recommendations.created > 0, 'the import created records');
  const confident = db.$client.prepare('select count(confidence) from recommendation_themes').pluck().get() as number;
  t.ok(confident > 0, 'the import gave machine labels with their confidence');
  db.$client.close();
  return path;
}

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;

  t.test('migrations apply on a fresh database, once; the checks and the full-text column are there', async (t) => {
    const url = await createDatabase(clusterUrl);
    const db = await openPostgres(url, { poolMax: 2 });
    t.teardown(() => db.$client.end());
    t.equal(await appliedPgMigrationCount(db), expectedPgMigrationCount());
    const again = await openPostgres(url, { poolMax: 1 });
    t.equal(await appliedPgMigrationCount(again), expectedPgMigrationCount(), 'reopening applies nothing twice');
    await again.$client.end();
    for (const table of COPY_TABLES) {
      const { rows } = await db.$client.query('select to_regclass($1) as t', [table]);
      t.equal(rows[0].t, table, `table ${table} exists`);
    }
    const refused = await db.$client
      .query(`insert into sources (id, title, publisher, url) values ('s', 'T', 'P', 'ftp://x')`)
      .catch((error: { constraint?: string }) => error.constraint);
    t.equal(refused, 'sources_url_http', 'a check that SQLite makes with a trigger is a CHECK constraint');
    const curatedConfidence = await db.$client
      .query(`insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values ('r', 't', 'curated', 0.5)`)
      .catch((error: { constraint?: string }) => error.constraint);
    t.equal(curatedConfidence, 'recommendation_themes_confidence', 'a confidence only on a machine label');
    const overOne = await db.$client
      .query(`insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values ('r', 't', 'machine', 1.5)`)
      .catch((error: { constraint?: string }) => error.constraint);
    t.equal(overOne, 'recommendation_themes_confidence', 'a confidence within 0-1');
    const sqliteDb = openDatabase(join(tempDir(t), 'indexes.sqlite'), { seed: false });
    const sqliteIndexes = sqliteDb.$client
      .prepare(`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`)
      .pluck()
      .all() as string[];
    sqliteDb.$client.close();
    t.ok(sqliteIndexes.includes('assessments_source_idx'));
    for (const index of sqliteIndexes) {
      const found = await db.$client.query('select to_regclass($1) as i', [index]);
      t.equal(found.rows[0].i, index, `SQLite's index ${index} is there too`);
    }
    const { rows } = await db.$client.query<{ indexdef: string }>(
      `select indexdef from pg_indexes where indexname = 'recommendations_search_idx'`,
    );
    t.match(rows[0]!.indexdef, /USING gin \(search\)/);
  });

  t.test('instances started together on a new database: one migrates, the others wait for it and start', async (t) => {
    const url = await createDatabase(clusterUrl);
    // Each found the database unmigrated and created the same tables: all but one failed, "duplicate key value
    // violates unique constraint pg_type_typname_nsp_index" (3 of 3 pairs of servers started at once).
    const opened = await Promise.allSettled([1, 2, 3, 4].map(() => openPostgres(url, { poolMax: 1 })));
    for (const result of opened) {
      t.equal(result.status, 'fulfilled', result.status === 'rejected' ? String(result.reason) : 'opened');
      if (result.status === 'fulfilled') {
        t.equal(await appliedPgMigrationCount(result.value), expectedPgMigrationCount(), 'each migration applied once');
        await result.value.$client.end();
      }
    }
  });

  t.test('a start waits for another process migrating at most its wait, then says so; it migrates once the lock is free', async (t) => {
    const url = await createDatabase(clusterUrl);
    // A process that hung mid-migration: its session holds the migration lock.
    const hung = new pg.Client({ connectionString: url });
    await hung.connect();
    t.teardown(() => hung.end());
    await hung.query('select pg_advisory_lock($1)', [0x7570726d]);
    await t.rejects(
      unlessHanging(openPostgres(url, { poolMax: 1, migrateWaitMs: 50 }), 60_000, 'the start'),
      /^another process has been migrating the database for more than 50 ms \(DATABASE_OPEN_WAIT_MS\), holding its migration lock/,
    );
    await hung.query('select pg_advisory_unlock($1)', [0x7570726d]);
    const db = await openPostgres(url, { poolMax: 1, migrateWaitMs: 50 });
    t.equal(await appliedPgMigrationCount(db), expectedPgMigrationCount(), 'migrated once the lock is free');
    t.equal((await db.$client.query('show lock_timeout')).rows[0].lock_timeout, '0', "the migration's wait is not left on the pool");
    await db.$client.end();
  });

  t.test('the data revision is stored in the database: every connection reads the committed one', async (t) => {
    const url = await createDatabase(clusterUrl);
    const one = await openPostgres(url, { poolMax: 2 });
    const two = await openPostgres(url, { poolMax: 2 });
    t.teardown(async () => {
      await one.$client.end();
      await two.$client.end();
    });
    t.equal(await currentPgRevision(two), 0);
    t.equal(await bumpPgRevision(one), 1);
    t.equal(await currentPgRevision(two), 1, 'the other pool sees the bump at once');
    await one.transaction(async (tx) => {
      t.equal(await bumpPgRevision(tx), 2);
      t.equal(await currentPgRevision(two), 1, 'not before the write commits');
    });
    t.equal(await currentPgRevision(two), 2, 'and as soon as it has');

    // Every instance keys its ETags on the same stamp; a restore that takes the revision back brings back the
    // stamp of its data, and the next write, though it takes the number again, draws a new one.
    const stamps = () => Promise.all([one, two].map((db) => new PgRevision(db.$client).stamp()));
    const [atTwo, seenByTwo] = await stamps();
    t.equal(seenByTwo, atTwo, 'both pools read one stamp');
    t.match(atTwo, /^2\.[0-9a-f]{16}$/);
    const backup = (await one.$client.query('select key, value from meta')).rows;
    await bumpPgRevision(one);
    const [atThree] = await stamps();
    for (const row of backup) await one.$client.query('update meta set value = $2 where key = $1', [row.key, row.value]);
    t.same(await stamps(), [atTwo, atTwo], 'restored: the stamp of the data restored');
    t.equal(await bumpPgRevision(one), 3, 'the next write takes the number 3 again');
    const [again, againByTwo] = await stamps();
    t.equal(againByTwo, again);
    t.not(again, atThree, 'with another stamp');
  });

  for (const [name, make] of [['seeded (with API writes)', seededWithWrites], ['imported', imported]] as const) {
    t.test(`the copy round-trips the ${name} database: SQLite → PostgreSQL → SQLite, every table equal`, async (t) => {
      const original = await make(t);
      const url = await createDatabase(clusterUrl);
      const there = await copyDatabase(sqlite(original), postgres(url), { batchRows: 7 });
      const back = join(tempDir(t), 'back.sqlite');
      const again = await copyDatabase(postgres(url), sqlite(back), { batchRows: 7 });
      t.same(again, there, 'the same rows per table each way');
      t.ok(there.audit_log! > 0 && there.recommendations! > 0 && there.stats_members! > 0);
      t.ok(there.recommendation_relations! > 0, 'the recurring recommendations are copied');
      if (name !== 'imported') t.equal(there.recommendation_curated_fields, 1, "a curator's field is theirs in the copy");
      const before = dump(original);
      const after = dump(back);
      for (const table of Object.keys(before)) t.same(after[table], before[table], `${table}: row for row`);

      // The copy serves as its source did, and new writes continue its change feed.
      const app = await buildApp({ databasePath: back, logLevel: 'silent', checkResponses: true, maxEventLoopDelayMs: 0 });
      t.teardown(() => app.close());
      const source = await buildApp({ databasePath: original, logLevel: 'silent', checkResponses: true, maxEventLoopDelayMs: 0 });
      t.teardown(() => source.close());
      for (const path of ['/v1/recommendations?limit=5&q=torture', '/v1/stats/recommendations?groupBy=position', '/v1/changes']) {
        const [a, b] = await Promise.all([app.inject(path), source.inject(path)]);
        t.equal(a.statusCode, 200, path);
        t.equal(a.body, b.body, `${path} answers the same`);
      }

      // On PostgreSQL, the audit log's identity continues after the copied rows.
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      t.teardown(() => pool.end());
      const { rows: unanalyzed } = await pool.query<{ relname: string }>(
        `select relname from pg_stat_user_tables where relname = any($1) and last_analyze is null order by relname`,
        [COPY_TABLES],
      );
      t.same(unanalyzed, [], 'the copy leaves the planner statistics of every table it filled');
      const { rows } = await pool.query(
        `insert into audit_log (entity, entity_id, action, changes, actor, at, revision)
          values ('x', 'x', 'create', '{}', 't', 'now', 1) returning seq`,
      );
      t.equal(rows[0].seq, there.audit_log === 0 ? 1 : Math.max(...(dump(original).audit_log as number[][]).map((r) => r[0]!)) + 1);
    });
  }

  t.test('the copy refuses a target that is not empty, and a source at another migration', async (t) => {
    const original = await seededWithWrites(t);
    const url = await createDatabase(clusterUrl);
    await copyDatabase(sqlite(original), postgres(url));
    await t.rejects(copyDatabase(sqlite(original), postgres(url)), /PostgreSQL database is not empty \(table states has rows\)/);
    await t.rejects(copyDatabase(postgres(url), sqlite(original)), /is not empty \(table states has rows\)/);
    await t.rejects(copyDatabase(sqlite(original), sqlite(original)), /one of --from and --to must be a postgres/);
    await t.rejects(copyDatabase(sqlite(join(tempDir(t), 'none.sqlite')), postgres(url)), /no SQLite database at/);

    const unmigrated = await createDatabase(clusterUrl);
    await t.rejects(copyDatabase(postgres(unmigrated), sqlite(join(tempDir(t), 'x.sqlite'))), /at migration 0 of/);

    const old = join(tempDir(t), 'old.sqlite');
    copyFileSync(original, old);
    const raw = new Database(old);
    raw.exec('delete from __drizzle_migrations where rowid = (select max(rowid) from __drizzle_migrations)');
    raw.close();
    await t.rejects(copyDatabase(sqlite(old), postgres(await createDatabase(clusterUrl))), /at migration \d+ of \d+: start this version/);
    // A newer release's database: this version's server refuses it, so its start is no advice (it was given).
    const newer = join(tempDir(t), 'newer.sqlite');
    copyFileSync(original, newer);
    const later = new Database(newer);
    later.exec("insert into __drizzle_migrations (hash, created_at) select 'a later release', max(created_at) + 86400000 from __drizzle_migrations");
    later.close();
    await t.rejects(copyDatabase(sqlite(newer), postgres(await createDatabase(clusterUrl))), /at migration (\d+) of \d+: a newer release of upr-tracker migrated it; copy it with that release$/);
    const newerPg = await createDatabase(clusterUrl);
    await copyDatabase(sqlite(original), postgres(newerPg));
    const laterPg = new pg.Pool({ connectionString: newerPg, max: 1 });
    await laterPg.query(`insert into __drizzle_migrations (hash, created_at) select 'a later release', max(created_at) + 86400000 from __drizzle_migrations`);
    await laterPg.end();
    await t.rejects(copyDatabase(postgres(newerPg), sqlite(join(tempDir(t), 'y.sqlite'))), /^.*PostgreSQL database is at migration \d+ of \d+: a newer release/);

    const extra = join(tempDir(t), 'extra.sqlite');
    copyFileSync(original, extra);
    const withTable = new Database(extra);
    withTable.exec('create table notes (id text)');
    withTable.close();
    await t.rejects(copyDatabase(sqlite(extra), postgres(await createDatabase(clusterUrl))), /does not know the SQLite table\(s\) notes/);

    const wider = join(tempDir(t), 'wider.sqlite');
    copyFileSync(original, wider);
    const withColumn = new Database(wider);
    withColumn.exec('alter table states add column motto text');
    withColumn.close();
    const target = await createDatabase(clusterUrl);
    await t.rejects(copyDatabase(sqlite(wider), postgres(target)), /table states has columns .* out of step/);
    const pool = new pg.Pool({ connectionString: target, max: 1 });
    t.teardown(() => pool.end());
    t.equal((await pool.query('select count(*)::int as n from states')).rows[0].n, 0, 'a failed copy leaves nothing');
  });

  t.test('npm run db:copy: progress on stderr, --json on stdout, a clear message when refused', async (t) => {
    const original = await seededWithWrites(t);
    const url = await createDatabase(clusterUrl);
    const out: string[] = [];
    const err: string[] = [];
    const io = (sink: string[]) => ({ write: (s: string) => sink.push(s) });
    t.equal(await runCopy(['--from', original, '--to', url, '--json'], io(out), io(err)), 0);
    const report = JSON.parse(out.join(''));
    t.equal(report.from, original);
    t.equal(report.tables.recommendations, kgz.RECOMMENDATIONS.length);
    t.equal(report.rows, Object.values(report.tables as Record<string, number>).reduce((a, b) => a + b, 0));
    t.match(err.join(''), /recommendations: \d+ rows/);
    t.match(err.join(''), /copied \d+ rows in \d+ tables/);

    err.length = 0;
    t.equal(await runCopy(['--from', original, '--to', url], io(out), io(err)), 1);
    t.match(err.join(''), /copy failed, nothing written: the PostgreSQL database is not empty/);
    err.length = 0;
    t.equal(await runCopy(['--from', original], io(out), io(err)), 2, 'wrong usage');
    t.match(err.join(''), /--from and --to are required\nUsage: npm run db:copy/);
  });

  t.test('a database migrated by a newer release is refused, nothing migrated or written', async (t) => {
    const url = await createDatabase(clusterUrl);
    const db = await openPostgres(url, { poolMax: 1 });
    // A migration this version's journal does not hold, dated after its latest, as the next release adds one.
    await db.$client.query(`insert into __drizzle_migrations (hash, created_at) select 'a later release', max(created_at) + 86400000 from __drizzle_migrations`);
    await db.$client.end();
    await t.rejects(openPostgres(url, { poolMax: 1 }), {
      name: 'NewerDatabaseError',
      message: /^the database was migrated by a newer release of upr-tracker: its latest migration \(of \S+\) is not one this version knows \(\d+ applied; this version has \d+,/,
    });
  });

  t.test('the server with DATABASE_URL stops, saying why, when it cannot serve from PostgreSQL', async (t) => {
    const start = (databaseUrl: string, nodeArgs = [...TS_NODE_ARGS, 'src/server.ts']) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, nodeArgs, {
          env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout!.on('data', (chunk) => (output += chunk));
        child.stderr!.on('data', (chunk) => (output += chunk));
        child.on('exit', (code) => resolve({ code, output }));
      });
    const url = await createDatabase(clusterUrl);
    const db = await openPostgres(url, { poolMax: 1 });
    // A table the start reads is gone (a database some other program changed).
    await db.$client.query('drop table recommendation_relations_stale');
    await db.$client.end();
    const refused = await start(url.replace('postgres://upr@', 'postgres://upr:secret@'));
    t.equal(refused.code, 1);
    t.match(refused.output, /could not serve from PostgreSQL: relation "recommendation_relations_stale" does not exist/);
    t.notMatch(refused.output, /secret/, 'the password is not printed');

    const closed = new URL(url);
    closed.port = '1';
    // Compiled (a start from the sources costs seconds of CPU; the one above runs them).
    const unreachable = await start(closed.href, await compiledServerArgs());
    t.equal(unreachable.code, 1);
    t.match(unreachable.output, /DATABASE_URL \(.*\): could not serve from PostgreSQL: .*ECONNREFUSED/);
  });

  t.test('a database whose locale sorts or lower-cases text otherwise than SQLite is named at the start', async (t) => {
    // Probed on bare databases (the rules are the database's, not its tables'). Plain C, which the README once
    // allowed, folds only A–Z; the cluster's C.UTF-8 is what the answers assume.
    const name = `c_locale_${process.pid}`;
    const admin = new pg.Client({ connectionString: clusterUrl });
    await admin.connect();
    await admin.query(`create database ${name} locale 'C' template template0`);
    await admin.query(`create database ${name}_icu locale_provider icu icu_locale 'en-US' locale 'C.UTF-8' template template0`);
    t.teardown(async () => {
      await admin.query(`drop database ${name}`);
      await admin.query(`drop database ${name}_icu`);
      await admin.end();
    });
    const warnings = async (url: string) => {
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const said: string[] = [];
      const returned = await warnOfTextRules(pool, { warn: (_fields, message) => said.push(message) });
      await pool.end();
      t.equal(returned, said[0]);
      return said;
    };
    const plainC = new URL(clusterUrl);
    plainC.pathname = `/${name}`;
    t.match(await warnings(plainC.href), [
      /^The PostgreSQL database's locale \(collation C, ctype C\) treats text otherwise than SQLite: its lower\('ÉİΣ'\) is 'ÉİΣ' \(not 'éiσ'\)\. .*createdb --locale=C\.UTF-8 --template=template0/,
    ]);
    const icu = new URL(clusterUrl);
    icu.pathname = `/${name}_icu`;
    t.match(await warnings(icu.href), [/treats text otherwise than SQLite: it sorts _ a B é \(by code point: B _ a é\), and its lower\('ÉİΣ'\) is 'éi\u0307ς'/]);
    t.same(await warnings(clusterUrl), [], 'C.UTF-8: nothing to say');
  });

  t.test('on a database whose locale sorts otherwise, the vocabularies are still listed by code point, as on SQLite', async (t) => {
    const name = `icu_lists_${process.pid}`;
    const admin = new pg.Client({ connectionString: clusterUrl });
    await admin.connect();
    await admin.query(`create database ${name} locale_provider icu icu_locale 'en-US' locale 'C.UTF-8' template template0`);
    const url = new URL(clusterUrl);
    url.pathname = `/${name}`;
    const app = await buildApp({ databasePath: ':memory:', databaseUrl: url.href, logLevel: 'silent', maxEventLoopDelayMs: 0 });
    t.teardown(async () => {
      await app.close();
      await admin.query(`drop database ${name}`);
      await admin.end();
    });
    const db = new pg.Client({ connectionString: url.href });
    await db.connect();
    await db.query(`insert into themes (id, label, uhri, scheme) values ('icu-a', 'zeta rights', false, 'local'), ('icu-b', 'Épargne', false, 'local'),
      ('icu-c', '_under', false, 'local'), ('icu-d', 'Alpha', false, 'local'), ('icu-e', 'alpha beta', false, 'local')`);
    await db.query(`insert into affected_persons_groups (id, label, uhri) values ('icu-f', '_group', false), ('icu-g', 'émigrés', false), ('icu-h', 'Zoo', false)`);
    await db.end();
    const byCodePoint = (labels: string[]) => [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const path of ['/v1/themes?scheme=local', '/v1/affected-persons']) {
      const labels = ((await app.inject(path)).json() as { data: { label: string }[] }).data.map((entry) => entry.label);
      t.ok(labels.length >= 3, path);
      t.same(labels, byCodePoint(labels), `${path}: ${labels.join(' | ')}`);
    }
  });
}
