import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import t from 'tap';
import { MIGRATIONS_FOLDER } from '../src/db/open.js';
import { buildTestApp, postgresSide } from './helpers.js';
import { importInto, RECONCILE_TERMAN, RECONCILE_UPR_INFO } from './import-helpers.js';
import { testSql } from './support/test-sql.js';

// migrations/0031_csv_provenance_columns.sql (postgres/0023): the recommendations CSV gained six columns, so a
// database served by the version before has every stored CSV row rebuilt when it is next opened, on either backend.

t.test('a database from before the provenance columns serves them after its upgrade', async (t) => {
  const app = await buildTestApp(t);
  await importInto(app, RECONCILE_TERMAN);
  await importInto(app, RECONCILE_UPR_INFO);
  // Back to before the migration: the stored rows as the version before wrote them (a marker stands for them).
  const side = postgresSide(app);
  const folder = side === undefined ? MIGRATIONS_FOLDER : join(MIGRATIONS_FOLDER, 'postgres');
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const since = journal.entries.find((e) => e.tag.endsWith('_csv_provenance_columns'))!.when;
  await testSql(app).run("update recommendation_csv_lines set csv_tail = ',stale-row' || csv_tail");
  await testSql(app).run('delete from __drizzle_migrations where created_at >= ?', [since]);

  const upgraded = await buildTestApp(t, side === undefined ? { databasePath: app.db.$client.name } : { databaseUrl: side.pool.options.connectionString! });
  const body = (await upgraded.inject({ method: 'GET', url: '/v1/recommendations?format=csv' })).body;
  t.notMatch(body, /,stale-row/, 'no row as the version before stored it');
  const rows = parse(body, { columns: true }) as Record<string, string>[];
  t.same(rows.find((r) => r.id === 'KGZ-1-76.2')!.readingPositionLabels, 'consider; ', 'the new columns filled in');
  t.equal(await testSql(app).count('recommendation_documents_stale'), 0, 'nothing left stale');
});
