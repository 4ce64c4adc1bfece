import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_FOLDER, openDatabase } from '../src/db/open.js';
import { documentOf } from '../src/recommendations/documents.js';
import { buildRecommendationRecords } from '../src/recommendations/queries.js';
import { migrationDate, sqliteOnly, tempDir, UNDO_UNREPEATABLE_MIGRATIONS } from './helpers.js';

sqliteOnly(t, 'rolls SQLite migrations back by hand');

// migrations/0014_csv_lines.sql moves the stored CSV rows out of recommendation_documents into
// recommendation_csv_lines: on a database of the shape before it, the rows are moved as they are (not
// rebuilt), the documents keep their JSON only, and a recommendation that had no document gets both.

t.test('migrating moves the stored CSV rows into their own table', async (t) => {
  const path = join(tempDir(t), 'old.sqlite');
  openDatabase(path).$client.close();

  // Back to the shape before the migration, as a database served by the previous version holds it.
  const old = new Database(path);
  old.exec(`
    create table old_documents (recommendation_id text primary key not null
      references recommendations(id) on delete cascade, json text not null, csv_head text not null,
      csv_path text not null, csv_tail text not null);
    insert into old_documents select d.recommendation_id, d.json, c.csv_head, c.csv_path, c.csv_tail
      from recommendation_documents d join recommendation_csv_lines c using (recommendation_id);
    drop table recommendation_csv_lines;
    drop table recommendation_documents;
    alter table old_documents rename to recommendation_documents;
    -- And undone what came after 0014 (0015_uhri_codes, 0016_text_change_triggers,
    -- 0018_recommendation_sources_source_idx, 0019_report_year, 0021_source_readings' trigger; 0017_stats_one_pass
    -- runs again as it is: its table is created if missing, its triggers dropped and created; so does
    -- 0020_related_without_recommenders, which lists every recommendation's relations stale, and 0021 lists
    -- every document stale), so that the migrator runs 0014 again, then the rest.
    drop trigger recommendations_fts_update;
    create trigger recommendations_fts_update after update of text on recommendations begin
      insert into recommendations_fts (recommendations_fts, rowid, text) values ('delete', old.fts_rowid, old.text);
      insert into recommendations_fts (rowid, text) values (new.fts_rowid, new.text);
    end;
    drop trigger recommendations_relations_stale_update;
    create trigger recommendations_relations_stale_update after update of text, review_id on recommendations begin
      insert or ignore into recommendation_relations_stale (recommendation_id) values (new.id);
    end;
    drop trigger recommendation_relations_stale_insert;
    create trigger recommendation_relations_stale_insert after insert on recommendation_relations begin
      insert or ignore into recommendation_documents_stale (recommendation_id) values (new.recommendation_id);
    end;
    drop trigger recommendation_relations_stale_delete;
    create trigger recommendation_relations_stale_delete after delete on recommendation_relations begin
      insert or ignore into recommendation_documents_stale (recommendation_id) values (old.recommendation_id);
    end;
    drop trigger recommendation_relations_stale_update;
    create trigger recommendation_relations_stale_update after update on recommendation_relations begin
      insert or ignore into recommendation_documents_stale (recommendation_id) values (old.recommendation_id), (new.recommendation_id);
    end;
    drop trigger themes_uhri_code_check_insert;
    drop trigger themes_uhri_code_check_update;
    drop index themes_uhri_code_unique;
    alter table themes drop column uhri_code;
    drop index recommendation_sources_source_idx;
    create index recommendation_sources_key_idx on recommendation_sources (source_id, match_key);
    drop trigger reviews_report_year_check_insert;
    drop trigger reviews_report_year_check_update;
    alter table reviews drop column report_year;
    drop trigger recommendation_sources_stale_update;
    create trigger recommendation_sources_stale_update after update of recommendation_id, source_id on recommendation_sources begin
      insert or ignore into recommendation_documents_stale (recommendation_id) values (old.recommendation_id), (new.recommendation_id);
    end;
    alter table audit_log drop column reason; -- 0022_audit_reason
    ${UNDO_UNREPEATABLE_MIGRATIONS}
    delete from __drizzle_migrations where created_at >= ${migrationDate('0014_csv_lines')};`);
  // A marker shows that a row was moved, not rebuilt; one recommendation has no document at all.
  old.exec(`update recommendation_documents set csv_tail = 'moved' || csv_tail where recommendation_id = 'KGZ-3-FIN-1'`);
  old.exec(`delete from recommendation_documents where recommendation_id = 'KGZ-3-ESP-1'`);
  const before = old.prepare('select recommendation_id, csv_head, csv_path, csv_tail from recommendation_documents order by 1').all();
  old.close();

  // Migrated alone first: a later migration (0021_source_readings) lists every document stale, which opening
  // the database then rebuilds, so the rows are seen as the migration moved them before that.
  const migrating = new Database(path);
  migrate(drizzle(migrating), { migrationsFolder: MIGRATIONS_FOLDER });
  t.same(
    migrating.prepare(`select name from pragma_table_info('recommendation_documents')`).pluck().all(),
    ['recommendation_id', 'json'],
    'the documents keep their JSON only',
  );
  const moved = migrating
    .prepare(`select recommendation_id, csv_head, csv_path, csv_tail from recommendation_csv_lines
      where recommendation_id != 'KGZ-3-ESP-1' order by 1`)
    .all();
  t.same(moved, before, 'every stored CSV row is moved as it was');
  migrating.close();

  const db = openDatabase(path);
  t.teardown(() => db.$client.close());
  const client = db.$client;
  const [spain] = buildRecommendationRecords(db, ['KGZ-3-ESP-1']);
  const fresh = documentOf(spain!);
  t.same(
    client.prepare(`select csv_head, csv_path, csv_tail from recommendation_csv_lines where recommendation_id = 'KGZ-3-ESP-1'`).get(),
    { csv_head: fresh.csvHead, csv_path: fresh.csvPath, csv_tail: fresh.csvTail },
    'a recommendation without a document gets its CSV row built',
  );
  t.equal(
    client.prepare(`select json from recommendation_documents where recommendation_id = 'KGZ-3-ESP-1'`).pluck().get(),
    fresh.json,
    'and its document',
  );
  t.equal(client.prepare('select count(*) from recommendation_documents_stale').pluck().get(), 0, 'nothing left stale');
});
