import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { currentRevision } from '../src/db/revision.js';
import { documentOf } from '../src/recommendations/documents.js';
import { buildRecommendationRecords } from '../src/recommendations/queries.js';
import { migrationDate, sqliteOnly, tempDir, UNDO_UNREPEATABLE_MIGRATIONS } from './helpers.js';
import { macRoman, run } from './import-helpers.js';

sqliteOnly(t, 'rolls a SQLite migration back by hand');

// migrations/0021_source_readings.sql: the documents show each source's reading, so a database served by the
// version before has every document rebuilt when it is next opened, and a changed reading marks its document stale.

const TERMAN = ['text,to,decision,From,year,notes', '76.2. Consider abolishing the death penalty (Spain);,kyrgysztan,consider,Spain,2010,'].join('\r') + '\r';
const UPR_INFO = macRoman(
  [
    'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session',
    'Kyrgyzstan,Asia,,Consider abolishing the death penalty,Spain,WEOG,EU,Accepted,3,Death penalty,8',
  ].join('\r') + '\r',
);

t.test('an existing database gets every document in the new shape, a new revision and the new trigger', async (t) => {
  const path = join(tempDir(t), 'old.sqlite');
  const db = openDatabase(path);
  await run(db, TERMAN);
  await run(db, UPR_INFO);
  db.$client.close();

  // Back to the shape before the migration: documents and CSV rows without the readings, the trigger of 0009.
  const old = new Database(path);
  old.exec(`
    update recommendation_documents set json = json_remove(json, '$.sources[0].reading', '$.sources[1].reading');
    update recommendation_csv_lines set csv_tail = 'old';
    drop trigger recommendation_sources_stale_update;
    create trigger recommendation_sources_stale_update after update of recommendation_id, source_id on recommendation_sources begin
      insert or ignore into recommendation_documents_stale (recommendation_id) values (old.recommendation_id), (new.recommendation_id);
    end;
    alter table audit_log drop column reason; -- 0022_audit_reason, run again after 0021
    ${UNDO_UNREPEATABLE_MIGRATIONS}
    delete from __drizzle_migrations where created_at >= ${migrationDate('0021_source_readings')};
    insert into sources (id, title, publisher, url, published_on) values ('old-dated', 'T', 'P', 'https://example.org/old', '2019-05-06');`);
  t.notMatch(old.prepare("select json from recommendation_documents where recommendation_id = 'KGZ-1-76.2'").pluck().get(), /reading/);
  const revision = Number(old.prepare("select value from meta where key = 'revision'").pluck().get());
  old.close();

  const migrated = openDatabase(path);
  t.teardown(() => migrated.$client.close());
  const client = migrated.$client;
  // (By the migration, and by the open that rebuilt the documents it listed stale.)
  t.equal(currentRevision(migrated), revision + 2, 'the revision moves on');
  t.equal(client.prepare('select count(*) from recommendation_documents_stale').pluck().get(), 0, 'nothing left stale');
  const ids = client.prepare('select id from recommendations order by id').pluck().all() as string[];
  const stored = client
    .prepare(`select d.json, c.csv_head, c.csv_path, c.csv_tail from recommendation_documents d
      join recommendation_csv_lines c using (recommendation_id) order by d.recommendation_id`)
    .all();
  const fresh = buildRecommendationRecords(migrated, ids).map(documentOf);
  t.same(stored, fresh.map((d) => ({ json: d.json, csv_head: d.csvHead, csv_path: d.csvPath, csv_tail: d.csvTail })), 'every document and CSV row rebuilt');
  const [merged] = buildRecommendationRecords(migrated, ['KGZ-1-76.2']);
  t.same(merged!.sources.map((s) => s.reading?.positionLabel), ['consider', 'Accepted']);
  // 0028_sources_published_on_precision: a date stored before was written as a day; the checks take the pair.
  t.same(client.prepare("select published_on, published_on_precision from sources where id = 'old-dated'").get(), {
    published_on: '2019-05-06',
    published_on_precision: 'day',
  });
  t.equal(client.prepare('select count(*) from sources where (published_on is null) <> (published_on_precision is null)').pluck().get(), 0);
  client.exec("update sources set published_on = '2019-05', published_on_precision = 'month' where id = 'old-dated'");
  t.throws(() => client.exec("update sources set published_on_precision = 'day' where id = 'old-dated'"), /sources_published_on_to_precision/);
  t.throws(() => client.exec("update sources set published_on_precision = null where id = 'old-dated'"), /sources_published_on_precision/);

  // The trigger: a changed reading marks its document stale; the same reading written again (an import's upsert) does not.
  const stale = () => client.prepare('select recommendation_id from recommendation_documents_stale').pluck().all();
  const upsert = client.prepare(`insert into recommendation_sources (recommendation_id, source_id, position_label, match_key)
    select recommendation_id, source_id, ?, match_key from recommendation_sources
      where recommendation_id = 'KGZ-1-76.2' and source_id = 'terman-uprs-2008-2014'
    on conflict do update set position_label = excluded.position_label`);
  migrated.transaction(() => {
    upsert.run('consider');
    t.same(stale(), [], 'the same reading again: not stale');
    upsert.run('reject');
    upsert.run('reconsider');
    t.same(stale(), ['KGZ-1-76.2'], 'a changed reading: stale, once (an upsert after it does not fail on the listed id)');
    client.exec('delete from recommendation_documents_stale');
  });
});
