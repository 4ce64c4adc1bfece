import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import t from 'tap';
import { runPgKeysCommand } from '../src/auth/cli.js';
import { openPostgres } from '../src/db/pg/open.js';
import { runSeedCommand } from '../seed/cli.js';
import { SeedRefused, seedPostgres } from '../seed/postgres.js';
import { send } from './curation-helpers.js';
import { buildTestApp, getJson, tempDir } from './helpers.js';
import { createDatabase, startCluster } from './support/postgres.js';
import { TS_NODE_ARGS } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

// `npm run seed` with DATABASE_URL: an empty PostgreSQL database gets what a new SQLite file gets at its first
// start (it got nothing: `npm run seed` seeded DATABASE_PATH's SQLite file instead, and a new PostgreSQL
// deployment had no states to import against). One that holds records is refused and left as it was.

const TERMAN_CSV =
  'text,to,decision,From,year,notes\n' +
  '76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,\n' +
  '76.2. Protect human rights defenders (Norway);,kyrgysztan,consider,Norway,2010,\n';

const seedCommand = async (env: NodeJS.ProcessEnv) => {
  const err: string[] = [];
  const status = await runSeedCommand(env, { out: () => undefined, err: (l) => err.push(l) });
  return { status, err: err.join('\n') };
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
    t.match(seeded.stdout, /^postgres(ql)?:\/\/\S+: seeded, \d+ rows inserted \(what a new database starts with\)\.\n$/);
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

    await t.rejects(seedPostgres(url), SeedRefused, 'a second seed is refused');
    const again = await seedCommand({ DATABASE_URL: url });
    t.equal(again.status, 1);
    t.match(again.err, /^postgres(ql)?:\/\/\S+: not seeded: the database holds records already \(table states has rows\).*fills only an empty database/);
    const { rows } = await db.$client.query<{ n: number }>('select count(*)::int as n from states');
    t.equal(rows[0]!.n, sqlite.prepare('select count(*) from states').pluck().get(), 'and changes nothing');
  });

  t.test('a database it cannot reach is said as such, not as one holding records', async (t) => {
    const error = await seedPostgres('postgres://someone:secret@127.0.0.1:1/nowhere').catch((e: Error) => e);
    t.notOk(error instanceof SeedRefused);
    t.match((error as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    const said = await seedCommand({ DATABASE_URL: 'postgres://someone:secret@127.0.0.1:1/nowhere' });
    t.equal(said.status, 1);
    t.match(said.err, /^postgres:\/\/someone:\*+@127\.0\.0\.1:1\/nowhere: not seeded: .*ECONNREFUSED/);
    t.notMatch(said.err, /secret/, 'the password is not printed');
  });
}
