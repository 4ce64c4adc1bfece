import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.js';
import { csvCell, csvRows } from '../http/formats.js';
import { recommendationCsvColumns } from './csv.js';
import { buildRecommendationRecords } from './queries.js';
import type { RecommendationRecord } from './schemas.js';

// The read model of recommendations: each one's JSON document and CSV row as the API serves them, stored in
// recommendation_documents (the JSON) and recommendation_csv_lines (the CSV rows, apart so that an export reads
// only their bytes), so that lists and exports concatenate stored text instead of querying and encoding every field. Triggers on every table a document embeds (migrations/0007_read_model.sql) put the
// ids of the recommendations a write touches into recommendation_documents_stale; materializeStale rebuilds
// those documents with the same builder the API used before (buildRecommendationRecords, then the CSV
// columns), inside the writing transaction, so that a document is never older than the data it shows.

/** Documents rebuilt per statement batch. */
const BATCH = 500;

/** The URL path of a recommendation: the CSV row's `url` column is the request's origin, then this. */
export function recommendationPath(id: string): string {
  return `/v1/recommendations/${encodeURIComponent(id)}`;
}

/** The stored parts of one recommendation: its JSON document and its CSV row around the origin. */
export interface RecommendationDocument {
  json: string;
  csvHead: string;
  csvPath: string;
  csvTail: string;
}

// The columns are id, url, then the others (a test checks that the stored parts give csvRows' row).
const [idColumn, , ...otherColumns] = recommendationCsvColumns;

export function documentOf(record: RecommendationRecord): RecommendationDocument {
  return {
    json: JSON.stringify(record),
    csvHead: `${csvCell(idColumn!.value(record, { origin: '' }) as string)},`,
    csvPath: recommendationPath(record.id),
    csvTail: `,${csvRows(otherColumns, [record], { origin: '' })}`,
  };
}

/**
 * The `url` cell of a CSV row for an origin, as the text before and after the record's path: the path
 * (encodeURIComponent's output) never needs quoting, so only the origin decides whether the cell is quoted.
 */
export function urlCellAround(origin: string): [before: string, after: string] {
  const marker = '\u0001';
  const cell = csvCell(`${origin}${marker}`);
  const at = cell.lastIndexOf(marker);
  return [cell.slice(0, at), cell.slice(at + 1)];
}

const upserts = new WeakMap<object, { json: Statement; csv: Statement }>();

/** Rebuilds the stored documents and CSV rows of these recommendations (ids that no longer exist are skipped). */
export function materialize(db: Db, ids: readonly string[]): void {
  let upsert = upserts.get(db.$client);
  if (!upsert) {
    upsert = {
      json: db.$client.prepare('insert or replace into recommendation_documents (recommendation_id, json) values (?, ?)'),
      csv: db.$client.prepare(`insert or replace into recommendation_csv_lines
        (recommendation_id, csv_head, csv_path, csv_tail) values (?, ?, ?, ?)`),
    };
    upserts.set(db.$client, upsert);
  }
  for (let i = 0; i < ids.length; i += BATCH) {
    for (const record of buildRecommendationRecords(db, ids.slice(i, i + BATCH))) {
      const d = documentOf(record);
      upsert.json.run(record.id, d.json);
      upsert.csv.run(record.id, d.csvHead, d.csvPath, d.csvTail);
    }
  }
}

/**
 * Rebuilds every document a write has made stale and empties the stale list; returns how many ids it
 * held. Called inside every writing transaction before it commits, and when a database is opened (after a
 * migration, or writes by another program that marked documents stale without rebuilding them).
 */
export function materializeStale(db: Db): number {
  const client = db.$client;
  let count = 0;
  for (;;) {
    const ids = client
      .prepare('select recommendation_id from recommendation_documents_stale limit ?')
      .pluck()
      .all(BATCH) as string[];
    if (ids.length === 0) return count;
    materialize(db, ids);
    client
      .prepare('delete from recommendation_documents_stale where recommendation_id in (select value from json_each(?))')
      .run(JSON.stringify(ids));
    count += ids.length;
  }
}

const staleProbes = new WeakMap<object, Statement>();

/**
 * Rebuilds stale documents before a read when a program wrote to the database without doing so (the
 * sqlite3 shell, a script; every write of this service rebuilds them before committing): a probe of an
 * index otherwise.
 */
export function freshenDocuments(db: Db): void {
  let probe = staleProbes.get(db.$client);
  if (!probe) {
    probe = db.$client.prepare('select exists (select 1 from recommendation_documents_stale)').pluck();
    staleProbes.set(db.$client, probe);
  }
  if (probe.get() === 1) db.transaction(() => materializeStale(db), { behavior: 'immediate' });
}
