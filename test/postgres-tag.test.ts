import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import t from 'tap';
import { runTagCli } from '../src/tagging/cli.js';
import { tempDir } from './helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { copyTemplateDatabase } from './support/template-db.js';

// `npm run tag` on PostgreSQL (issues 11 and 12): from the same database, the same report and the same machine
// labels as on SQLite; the revision bumped when a label changed, and a second run finds nothing to do.

t.setTimeout(600_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const sqlitePath = join(tempDir(t), 'seeded.sqlite');
  copyTemplateDatabase(sqlitePath);
  const sqlite = new Database(sqlitePath);
  t.teardown(() => sqlite.close());
  // The seed's records without their machine labels: work for the command.
  sqlite.prepare("delete from recommendation_themes where label_source = 'machine'").run();
  const url = await copiedDatabase(cluster.url, sqlitePath);
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  t.teardown(() => pool.end());

  const out: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) };
  const tag = async (env: Record<string, string>, args: string[]) => {
    t.equal(await runTagCli([...args, '--json'], env, io), 0);
    const { seconds, ...report } = JSON.parse(out.pop()!);
    t.type(seconds, 'number');
    return report;
  };
  const labels = 'select recommendation_id as id, theme_id as theme, confidence from recommendation_themes where label_source = ? order by 1, 2';
  const revision = async () => Number((await pool.query("select value from meta where key = 'revision'")).rows[0].value);

  t.test('the same labels as on SQLite, the revision bumped', async (t) => {
    const before = await revision();
    const onSqlite = await tag({ DATABASE_PATH: sqlitePath }, ['--review', 'KGZ-3']);
    const onPostgres = await tag({ DATABASE_URL: url }, ['--review', 'KGZ-3']);
    t.ok(onSqlite.added > 0, 'labels given');
    t.same(onPostgres, onSqlite, 'the same report');
    t.same((await pool.query(labels.replace('?', '$1'), ['machine'])).rows, sqlite.prepare(labels).all('machine'), 'the same labels');
    t.equal(await revision(), before + 1);
    const count = async (text: string) => (await pool.query<{ n: number }>(text)).rows[0]!.n;
    const labelled = await count(`select count(distinct l.recommendation_id)::int as n from recommendation_themes l
        join recommendations r on r.id = l.recommendation_id where r.review_id = 'KGZ-3' and l.label_source = 'machine'`);
    t.ok(labelled > 0);
    t.equal(
      await count(`select count(*)::int as n from recommendation_documents d join recommendations r on r.id = d.recommendation_id
        where r.review_id = 'KGZ-3' and d.json like '%"source":"machine"%'`),
      labelled,
      "every labelled record's document rebuilt with its machine labels",
    );
  });

  t.test('all of them again: nothing changes, the revision stays', async (t) => {
    const before = await revision();
    out.length = 0;
    t.same(await tag({ DATABASE_URL: url }, ['--review', 'KGZ-3', '--all']), { recommendations: 8, added: 0, changed: 0, removed: 0 });
    t.equal(await revision(), before);
    t.same(out, ['tag: 8/8 recommendations\n'], 'its progress on stderr, as on SQLite (every 2,000 records, and the last)');
  });
}
