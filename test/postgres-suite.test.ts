import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import t from 'tap';
import { sqliteOnly, tempDir } from './helpers.js';
import { copiedDatabase, createDatabase, startCluster, templateNameOf } from './support/postgres.js';
import { copyTemplateDatabase } from './support/template-db.js';

// The machinery that runs the suite on PostgreSQL (npm run test:postgres): the run's one cluster, the template
// databases each test's database is made from, and the SQLite-only marks.

const run = promisify(execFile);

t.test('sqliteOnly: nothing on SQLite; on PostgreSQL a test is skipped with the reason', async (t) => {
  t.equal(sqliteOnly(t, 'unused', 'sqlite'), false, 'runs on SQLite');
  let skipped: boolean | undefined;
  await t.test('a SQLite-specific test', async (t) => {
    skipped = sqliteOnly(t, 'reads the SQLite file', 'postgres');
  });
  t.equal(skipped, true, 'the caller returns');
});

t.test('sqliteOnly on a file ends it, reported as skipped with the reason', async (t) => {
  // Outside the project the test file names what it imports by absolute address.
  const file = join(tempDir(t), 'sqlite-only.test.ts');
  const helpers = fileURLToPath(new URL('./helpers.ts', import.meta.url));
  writeFileSync(
    file,
    `import t from '${import.meta.resolve('tap')}';\nimport { sqliteOnly } from '${helpers}';\n` +
      `sqliteOnly(t, 'a reason', 'postgres');\nt.fail('not reached');\n`,
  );
  const register = new URL('./support/ts-register.mjs', import.meta.url).href;
  const { stdout } = await run(process.execPath, [`--import=${register}`, file], { timeout: 120_000 });
  t.match(stdout, /^1\.\.0 # SQLite only: a reason$/m, 'a plan of 0 tests with the reason');
  t.notMatch(stdout, /not ok/, 'nothing after it ran');
});

const cluster = await startCluster(t);
if ('skip' in cluster) {
  t.comment(cluster.skip);
} else {
  const clusterUrl = cluster.url;

  t.test('every caller in a run gets the same cluster', async (t) => {
    t.same(await startCluster(t), cluster);
  });

  t.test('copies of one SQLite file come from one template; a changed file makes another', async (t) => {
    // (Other test files make templates of their own meanwhile: each is looked at by the name of this file's.)
    const templateOid = async (name: string) => {
      const client = new pg.Client({ connectionString: clusterUrl });
      await client.connect();
      const { rows } = await client.query('select oid::int as oid from pg_database where datname = $1', [name]);
      await client.end();
      return rows[0]?.oid as number | undefined;
    };
    const sqlitePath = join(tempDir(t), 'source.sqlite');
    copyTemplateDatabase(sqlitePath);
    const name = templateNameOf(sqlitePath);
    const first = await copiedDatabase(clusterUrl, sqlitePath);
    const made = await templateOid(name);
    t.ok(made !== undefined, "the file's template (made now, or by another test from the same file)");
    const second = await copiedDatabase(clusterUrl, sqlitePath);
    t.not(second, first, 'two databases');
    t.equal(await templateOid(name), made, 'no template made for the second copy');
    const count = async (url: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('select count(*)::int as n from recommendations');
      await client.end();
      return rows[0].n as number;
    };
    t.equal(await count(second), await count(first), 'the same rows');
    const sqlite = (await import('better-sqlite3')).default(sqlitePath);
    sqlite.prepare('delete from recommendations where id = (select min(id) from recommendations)').run();
    sqlite.close();
    const changed = templateNameOf(sqlitePath);
    t.not(changed, name, 'a changed file is named anew');
    t.equal(await templateOid(changed), undefined, 'no template of the changed file yet');
    const third = await copiedDatabase(clusterUrl, sqlitePath);
    t.equal(await count(third), (await count(first)) - 1, 'the changed file is what is copied');
    t.ok((await templateOid(changed)) !== undefined, 'through a new template');
  });

  t.test('an empty database stays possible', async (t) => {
    const client = new pg.Client({ connectionString: await createDatabase(clusterUrl) });
    await client.connect();
    const { rows } = await client.query("select count(*)::int as n from pg_tables where schemaname = 'public'");
    await client.end();
    t.equal(rows[0].n, 0, 'no tables');
  });
}
