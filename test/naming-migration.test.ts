import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import t from 'tap';
import { MIGRATIONS_FOLDER, openDatabase } from '../src/db/open.js';
import { currentRevision } from '../src/db/revision.js';
import * as schema from '../src/db/schema.js';
import { buildRecommendationRecords } from '../src/recommendations/queries.js';
import { documentOf } from '../src/recommendations/documents.js';
import { applySeed } from '../seed/apply.js';
import * as kgz from '../seed/kyrgyzstan-upr3.js';
import { sqliteOnly, tempDir } from './helpers.js';

sqliteOnly(t, 'a SQLite migration on a SQLite file');

// A database of the shape before the naming cleanup (migrations up to the read model), with documents in the
// old shape and seeded labels without provenance, is served in the new shape once the migration has run.

const LINK_TABLES = ['recommendation_themes', 'recommendation_sdgs', 'recommendation_affected_persons'];

// The seed writes through today's code (audit, relations, tagging), which needs today's tables: it runs on a
// database at the head of the migrations, and its records are copied into the older one column by column.
// What is derived from them (full text, stats, documents, relations) the older database's triggers rebuild.
const DERIVED = /^(__drizzle_migrations|sqlite_.*|.*_fts.*|stats_.*|recommendation_documents.*|recommendation_relations.*)$/;

function copySeededRows(target: Database.Database, headPath: string): void {
  const head = openDatabase(headPath);
  applySeed(head);
  head.$client.close();
  target.pragma('foreign_keys = off');
  target.prepare('attach database ? as head').run(headPath);
  const tables = target.prepare("select name from main.sqlite_master where type = 'table' order by name").pluck().all() as string[];
  for (const table of tables.filter((name) => !DERIVED.test(name))) {
    const columns = (target.prepare(`select name from pragma_table_info('${table}')`).pluck().all() as string[])
      .map((c) => `"${c}"`)
      .join(', ');
    target.prepare(`insert or replace into main."${table}" (${columns}) select ${columns} from head."${table}"`).run();
  }
  target.prepare('detach database head').run();
  target.pragma('foreign_keys = on');
}

t.test('migrating an existing database rebuilds its documents in the new shape and marks seeded labels curated', async (t) => {
  const dir = tempDir(t);
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8'));
  const index = journal.entries.findIndex((e: { tag: string }) => e.tag.endsWith('_consistency'));
  t.ok(index > 0, 'the naming migration is in the journal');
  const before = join(dir, 'migrations');
  cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
  for (const entry of journal.entries.slice(index)) rmSync(join(before, `${entry.tag}.sql`));
  writeFileSync(join(before, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }));

  const path = join(dir, 'old.sqlite');
  const sqlite = new Database(path);
  const old = drizzle(sqlite, { schema });
  migrate(old, { migrationsFolder: before });
  copySeededRows(sqlite, join(dir, 'head.sqlite'));
  // As a database seeded before labels had provenance, and served before the cleanup, would hold them.
  for (const table of LINK_TABLES) sqlite.prepare(`update ${table} set label_source = null`).run();
  sqlite.prepare(`update recommendation_documents set json = '{"source":null}'`).run();
  const revision = currentRevision(old);
  sqlite.close();

  const db = openDatabase(path);
  t.teardown(() => db.$client.close());
  for (const table of LINK_TABLES) {
    t.same(
      db.$client.prepare(`select distinct label_source from ${table}`).pluck().all(),
      ['curated'],
      `${table}: the seed's labels are curated`,
    );
  }
  const ids = kgz.RECOMMENDATIONS.map((r) => r.id).sort();
  const stored = db.$client.prepare('select recommendation_id as id, json from recommendation_documents order by 1').all() as
    { id: string; json: string }[];
  t.same(stored.map((d) => d.id), ids, 'every document is there');
  const fresh = new Map(buildRecommendationRecords(db, ids).map((r) => [r.id, documentOf(r).json]));
  t.ok(stored.every((d) => d.json === fresh.get(d.id)), 'every document is rebuilt as the builder makes it now');
  const finland = JSON.parse(stored.find((d) => d.id === 'KGZ-3-FIN-1')!.json);
  t.same(finland.stateUnderReview, { id: 'KGZ', name: 'Kyrgyzstan' });
  t.equal(finland.sources.length, 1);
  t.notOk('source' in finland);
  t.match(finland.sdgs, [{ id: '16', scheme: 'sdg', source: 'curated', confidence: null }]);
  // (Moved by this migration, again by 0021_source_readings, which changed the documents' shape again, and by the
  // open that rebuilt the documents they listed stale.)
  t.equal(currentRevision(db), revision + 3, 'the revision moves on: no ETag of the old shape is confirmed again');

  // What documents now embed marks them stale: a source merged in by an import, an SDG's title.
  const stale = db.$client.prepare('select recommendation_id from recommendation_documents_stale').pluck();
  db.$client
    .prepare(`insert into recommendation_sources (recommendation_id, source_id, match_key)
      select 'KGZ-3-ESP-1', id, 'x' from sources where id not in (select source_id from recommendations where id = 'KGZ-3-ESP-1' and source_id is not null) limit 1`)
    .run();
  t.same(stale.all(), ['KGZ-3-ESP-1']);
  db.$client.prepare('delete from recommendation_documents_stale').run();
  db.$client.prepare("update sdg_goals set name = 'Peace' where goal = 16").run();
  t.same((stale.all() as string[]).sort(), kgz.RECOMMENDATIONS.filter((r) => r.sdgs.includes(16)).map((r) => r.id).sort());
});
