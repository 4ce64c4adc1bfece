import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import t from 'tap';
import { runPgKeysCommand } from '../src/auth/cli.js';
import { runSeedCommand } from '../seed/cli.js';
import { seedPostgres } from '../seed/postgres.js';
import { openDatabase } from '../src/db/open.js';
import { freshenPostgres } from '../src/db/pg/freshen.js';
import { expectedPgMigrationCount, openPostgres, PG_MIGRATIONS_FOLDER } from '../src/db/pg/open.js';
import { BUMP_REVISION } from '../src/db/pg/revision.js';
import { send } from './curation-helpers.js';
import { buildTestApp, getJson, tempDir } from './helpers.js';
import { compareBackends } from './support/both-backends.js';
import { createDatabase, seededDatabase, startCluster } from './support/postgres.js';
import { comparableEtag, sameTables } from './support/same-tables.js';
import { TS_NODE_ARGS } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';
import { numberedPlaceholders } from './support/test-sql.js';

// `npm run seed` with DATABASE_URL: an empty PostgreSQL database gets what a new SQLite file gets at its first
// start (it got nothing: `npm run seed` seeded DATABASE_PATH's SQLite file instead, and a new PostgreSQL
// deployment had no states to import against). One that holds records gets what the seed has and it lacks,
// as a SQLite file does (it was refused: the operator had to copy the database to SQLite and back).

const TERMAN_CSV =
  'text,to,decision,From,year,notes\n' +
  '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\n' +
  '76.2. Protect human rights defenders (Norway);,kyrgysztan,consider,Norway,2010,\n';

const seedCommand = async (env: NodeJS.ProcessEnv, json = false) => {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runSeedCommand(env, { out: (l) => out.push(l), err: (l) => err.push(l) }, json);
  return { status, out: out.join('\n'), err: err.join('\n') };
};

t.setTimeout(600_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  t.test('npm run seed fills an empty PostgreSQL database as a new SQLite file is seeded, keys minted before kept', async (t) => {
    const url = await createDatabase(cluster.url);
    const db = await openPostgres(url, { poolMax: 1 });
    t.teardown(() => db.$client.end());
    const printed: string[] = [];
    const minted = await runPgKeysCommand(db.$client, ['create', '--name', 'first-curator', '--scope', 'admin'], { out: (l) => printed.push(l), err: () => undefined });
    t.equal(minted, 0, 'a key minted before the seed');
    const key = /^(uprk_\S+)$/m.exec(printed.join('\n'))![1]!;
    const logFile = join(tempDir(t), 'log.ndjson');
    const logStream = pino.destination({ dest: logFile, sync: true });
    t.teardown(() => logStream.end());
    const app = await buildTestApp(t, { databaseUrl: url, logLevel: 'warn', logStream });
    const warnings = () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line).msg as string);
    t.match(warnings(), [/^The PostgreSQL database holds no states: it is empty until seeded\. Run `npm run seed`/], 'the start warns of it');
    const importCsv = () =>
      send(app, 'POST', '/v1/imports', { key, body: TERMAN_CSV, headers: { 'content-type': 'text/csv' } });
    const unseeded = await importCsv();
    t.equal(unseeded.response.statusCode, 422, 'an import into the empty database is refused (it was a 200 that imported nothing)');
    t.match(unseeded.body.detail, /^The database holds no states.*npm run seed/);

    const sqlitePath = join(tempDir(t), 'absent', 'never.sqlite');
    const seeded = spawnSync(process.execPath, [...TS_NODE_ARGS, 'seed/run.ts'], {
      env: { ...process.env, DATABASE_URL: url, DATABASE_PATH: sqlitePath },
      encoding: 'utf8',
      timeout: 120_000,
    });
    t.equal(seeded.status, 0, seeded.stderr);
    t.match(seeded.stdout, /^postgres(ql)?:\/\/\S+: \d+ seed rows inserted\.\n$/);
    t.notOk(existsSync(sqlitePath), 'DATABASE_PATH is not touched');

    // The same rows as a new SQLite file (the tests' seeded template is one).
    const templatePath = join(tempDir(t), 'seeded.sqlite');
    copyTemplateDatabase(templatePath);
    const sqlite = new Database(templatePath, { readonly: true });
    t.teardown(() => sqlite.close());
    for (const table of ['states', 'state_aliases', 'reviews', 'recommendations', 'developments', 'sources', 'audit_log', 'recommendation_documents']) {
      const expected = sqlite.prepare(`select count(*) from ${table}`).pluck().get() as number;
      const { rows } = await db.$client.query<{ n: number }>(`select count(*)::int as n from ${table}`);
      t.equal(rows[0]!.n, expected, `${table}: ${expected} rows`);
    }
    const { rows: keys } = await db.$client.query<{ name: string }>('select name from api_keys');
    t.same(keys.map((k) => k.name), ['first-curator'], 'the key minted before is kept');

    const seededLog = join(tempDir(t), 'seeded.ndjson');
    const seededStream = pino.destination({ dest: seededLog, sync: true });
    t.teardown(() => seededStream.end());
    await buildTestApp(t, { databaseUrl: url, logLevel: 'warn', logStream: seededStream });
    t.equal(readFileSync(seededLog, 'utf8'), '', 'a seeded database starts without it');
    const finland = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
    t.equal(finland.response.statusCode, 200);
    t.match(finland.body.text, /Askarov/);

    const imported = await importCsv();
    t.equal(imported.response.statusCode, 200, 'once seeded, the same file imports');
    t.equal(imported.body.recommendations.created, 2);

    const again = await seedCommand({ DATABASE_URL: url });
    t.same(again, { status: 0, out: `${again.out.split(': ')[0]}: 0 seed rows inserted (already up to date).`, err: '' }, 'a second seed adds nothing');
    const json = await seedCommand({ DATABASE_URL: url }, true);
    t.same(json, { status: 0, out: JSON.stringify({ database: again.out.split(': ')[0], inserted: 0 }), err: '' }, 'with --json, as JSON (the URL redacted)');
    const { rows } = await db.$client.query<{ n: number }>('select count(*)::int as n from states');
    t.equal(rows[0]!.n, sqlite.prepare('select count(*) from states').pluck().get(), 'and changes nothing');
  });

  t.test('on a database that lost some seed rows, npm run seed gives them back as it does on SQLite', async (t) => {
    // The same seeded database on both backends.
    const sqlitePath = join(tempDir(t), 'upr.sqlite');
    copyTemplateDatabase(sqlitePath);
    const url = await seededDatabase(cluster.url);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    t.teardown(() => pool.end());
    const sqlite = new Database(sqlitePath);

    // What a release that adds to the seed meets: aliases, a recommending state's link, a theme of the vocabulary,
    // a development's link to a recommendation; and whole records (an assessment, a recommendation) deleted.
    const unusedTheme = sqlite
      .prepare(`select min(id) from themes t where not exists (select 1 from recommendation_themes where theme_id = t.id)
        and not exists (select 1 from development_themes where theme_id = t.id) and not exists (select 1 from statement_themes where theme_id = t.id)`)
      .pluck()
      .get() as string;
    const deletions: [string, unknown[]][] = [
      ["delete from state_aliases where state_code in ('KGZ', 'GBR') and alias <> (select name from states s where s.code = state_code)", []],
      ["delete from recommendation_states where recommendation_id = 'KGZ-3-FIN-1' and state_code = 'FIN'", []],
      ['delete from themes where id = ?', [unusedTheme]],
      ["delete from development_recommendations where development_id = 'kgz-2020-anti-ngo-bill' and recommendation_id = 'KGZ-3-GBR-3'", []],
      ["delete from assessments where id = 'KGZ-3-ESP-1-2020-09-28'", []],
      ["delete from recommendations where id = 'KGZ-3-GBR-1'", []],
    ];
    for (const [statement, params] of deletions) {
      t.equal(sqlite.prepare(statement).run(...params).changes > 0, true, statement);
      await pool.query(numberedPlaceholders(statement), params);
    }
    sqlite.close();
    // Deleted by hand, the rows changed what the answers show without a new revision. SQLite's open brings the
    // records they left stale up to date under one (as the seed command's open would, before seeding);
    // PostgreSQL's triggers left nothing stale, so its revision is bumped here: the seed alone is compared below.
    openDatabase(sqlitePath, { seed: false }).$client.close();
    t.equal(await freshenPostgres(pool), undefined, 'nothing stale on PostgreSQL');
    await pool.query(BUMP_REVISION);
    const opened = new Database(sqlitePath, { readonly: true });
    const revision = Number(opened.prepare("select value from meta where key = 'revision'").pluck().get());
    const lastSeq = opened.prepare('select max(seq) from audit_log').pluck().get() as number;
    opened.close();

    const onSqlite = await seedCommand({ DATABASE_PATH: sqlitePath });
    const onPostgres = await seedCommand({ DATABASE_URL: url });
    t.equal(onSqlite.status, 0, onSqlite.err);
    t.equal(onPostgres.status, 0, onPostgres.err);
    const inserted = /: (\d+) seed rows inserted\.$/.exec(onSqlite.out)![1];
    t.match(onPostgres.out, new RegExp(`^postgres(ql)?://\\S+: ${inserted} seed rows inserted\\.$`), `${inserted} rows inserted on both`);
    const newRevision = async () => Number((await pool.query("select value from meta where key = 'revision'")).rows[0].value);
    t.equal(await newRevision(), revision + 1, 'one new revision');
    await sameTables(t, sqlitePath, url);
    const machine = await pool.query("select theme_id from recommendation_themes where recommendation_id = 'KGZ-3-GBR-1' and label_source = 'machine'");
    t.ok(machine.rowCount! > 0, 'the recommendation created has machine labels (the same as on SQLite)');

    // What the API shows: the same entries, histories, versions, documents and lists, and a new revision.
    const apps = {
      sqlite: { app: await buildTestApp(t, { databasePath: sqlitePath }) },
      postgres: { app: await buildTestApp(t, { databaseUrl: url }) },
    };
    const both = compareBackends(apps);
    type Change = { seq: number; entity: string; id: string; action: string; actor: string };
    // The whole change feed, page by page, the same on both.
    const walkFeed = async () => {
      const seen: Change[] = [];
      for (let since = ''; ; ) {
        const { a } = await both(t, { url: `/v1/changes?limit=100${since}` });
        const { data, meta } = a.json() as { data: Change[]; meta: { hasMore: boolean; nextCursor: string } };
        seen.push(...data);
        if (!meta.hasMore) return seen;
        since = `&since=${meta.nextCursor}`;
      }
    };
    const feed = await walkFeed();
    const entries = feed.filter((e) => e.seq > lastSeq);
    t.same(
      entries.map((e) => `${e.action} ${e.entity} ${e.id} by ${e.actor}`).sort(),
      [
        'create assessments KGZ-3-ESP-1-2020-09-28 by seed',
        'create recommendations KGZ-3-GBR-1 by seed',
        'update developments kgz-2020-anti-ngo-bill by seed',
        'update recommendations KGZ-3-FIN-1 by seed',
        'update states GBR by seed',
        'update states KGZ by seed',
      ].sort(),
      'a create entry for each record given back, an update entry for each record given a link back',
    );
    for (const url of [
      '/v1/states/KGZ',
      '/v1/states/KGZ/history',
      '/v1/states/GBR/history',
      '/v1/recommendations/KGZ-3-FIN-1',
      '/v1/recommendations/KGZ-3-FIN-1/history',
      '/v1/recommendations/KGZ-3-GBR-1',
      '/v1/recommendations/KGZ-3-GBR-3',
      '/v1/developments/kgz-2020-anti-ngo-bill',
      '/v1/developments/kgz-2020-anti-ngo-bill/history',
      '/v1/assessments/KGZ-3-ESP-1-2020-09-28/history',
      '/v1/recommendations?reviewId=KGZ-3&sort=id',
      '/v1/recommendations?reviewId=KGZ-3&sort=id&format=csv',
      '/v1/recommendations?stateUnderReview=KGZ&recommendingState=FIN',
      '/v1/stats/recommendations?groupBy=recommendingState',
      '/v1/stats/recommendations?groupBy=theme',
      '/v1/themes',
    ]) {
      const { a } = await both(t, { url });
      t.equal(a.statusCode, 200, url);
    }
    const list = await both(t, { url: '/v1/recommendations?reviewId=KGZ-3' });
    t.equal(comparableEtag(list.b.headers.etag), comparableEtag(list.a.headers.etag), 'the same ETag (but for the token each database draws)');

    // A second run adds nothing and audits nothing, on either.
    t.same(await seedCommand({ DATABASE_PATH: sqlitePath }), { status: 0, out: `${sqlitePath}: 0 seed rows inserted (already up to date).`, err: '' });
    const second = await seedCommand({ DATABASE_URL: url });
    t.match(second, { status: 0, out: /^postgres(ql)?:\/\/\S+: 0 seed rows inserted \(already up to date\)\.$/, err: '' });
    t.equal((await walkFeed()).length, feed.length, 'no new entry');
    t.equal(await newRevision(), revision + 1, 'nor a new revision');
    t.equal((await both(t, { url: '/v1/recommendations?reviewId=KGZ-3' })).b.headers.etag, list.b.headers.etag, 'nor a new ETag');
  });

  t.test('a database at an older migration is migrated first, as a SQLite file is (test/seed-command.test.ts)', async (t) => {
    const url = await seededDatabase(cluster.url);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    t.teardown(() => pool.end());
    // Before 0017_statements_full_text (which runs again, with every later one), and lacking an alias the seed has.
    const journal = JSON.parse(readFileSync(join(PG_MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
    const since = journal.entries.find((e) => e.tag === '0017_statements_full_text')!.when;
    await pool.query('delete from __drizzle_migrations where created_at >= $1', [since]);
    await pool.query("delete from state_aliases where state_code = 'KGZ' and alias = 'Kyrgyz Republic'");
    // Sources as before 0020_sources_published_on_precision: dates to the day only, no precision column.
    await pool.query(`alter table sources drop column published_on_precision;
      alter table sources add constraint sources_published_on_shape check (published_on ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$')`);
    const seeded = await seedCommand({ DATABASE_URL: url });
    t.match(seeded, { status: 0, out: /: 1 seed rows inserted\.$/, err: '' });
    const count = async (query: string) => (await pool.query<{ n: number }>(query)).rows[0]!.n;
    t.equal(await count('select count(*)::int as n from __drizzle_migrations'), expectedPgMigrationCount(), 'migrated');
    t.equal(await count('select count(*)::int as n from recommendations where search is null'), 0, "the migration's stale terms filled");
    t.ok((await count("select count(*)::int as n from sources where published_on_precision = 'day'")) >= 2, 'dated sources: days');
    t.equal(await count(`select count(*)::int as n from sources where (published_on is null) <> (published_on_precision is null)
      or published_on_precision not in ('day')`), 0, 'every stored date was written as a day');
    const app = await buildTestApp(t, { databaseUrl: url });
    const history = (await getJson(app, '/v1/states/KGZ/history')).body.data as { action: string; actor: string; changes: { aliases: { after: string[] } } }[];
    t.match(history.at(-1), { action: 'update', actor: 'seed' });
    t.ok(history.at(-1)!.changes.aliases.after.includes('Kyrgyz Republic'), 'the alias given back');
  });

  t.test('a database it cannot reach is said as such, not as one holding records', async (t) => {
    const error = await seedPostgres('postgres://someone:secret@127.0.0.1:1/nowhere').catch((e: Error) => e);
    t.match((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    const said = await seedCommand({ DATABASE_URL: 'postgres://someone:secret@127.0.0.1:1/nowhere' });
    t.equal(said.status, 1);
    t.match(said.err, /^postgres:\/\/someone:\*+@127\.0\.0\.1:1\/nowhere: not seeded: .*ECONNREFUSED/);
    t.notMatch(said.err, /secret/, 'the password is not printed');
    const json = await seedCommand({ DATABASE_URL: 'postgres://someone:secret@127.0.0.1:1/nowhere' }, true);
    t.same(JSON.parse(json.out), { error: { kind: 'failed', message: json.err, exitStatus: 1 } }, 'with --json, the failure on stdout');
    t.notMatch(json.out, /secret/);
  });
}
