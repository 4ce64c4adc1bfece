import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/open.js';
import { committedOutsideWrites } from '../db/wal.js';
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

/**
 * The stored document and CSV row of each id (a JSON array), each found through its primary key (indexed by:
 * a bulk write fills recommendation_documents from empty inside one transaction, and with the statistics of a
 * small table the planner scanned all of it for every batch of `in (select … json_each)`, quadratic in a
 * bulk load: 19 s of the 150k synthetic database's 85; an index it cannot use fails the statement instead).
 */
export const STORED_DOCUMENTS = `select d.recommendation_id, d.json, c.csv_head, c.csv_path, c.csv_tail
  from json_each(?) j
  cross join recommendation_documents d indexed by sqlite_autoindex_recommendation_documents_1
    on d.recommendation_id = j.value
  left join recommendation_csv_lines c indexed by sqlite_autoindex_recommendation_csv_lines_1
    on c.recommendation_id = d.recommendation_id`;

interface Statements {
  /** Writes n documents (n = 1 and n = BATCH are kept; other sizes are prepared when needed). */
  json(n: number): Statement;
  /** Writes n CSV rows, likewise. */
  csv(n: number): Statement;
  stored: Statement;
  stale: Statement;
  unstale: Statement;
}

const prepared = new WeakMap<object, Statements>();

/** The read model's statements, prepared once per connection. */
function statementsOf(db: Db): Statements {
  let statements = prepared.get(db.$client);
  if (!statements) {
    const client = db.$client;
    // Rows bound as parameters, many a statement: a call per document cost a tenth of an import's rebuild.
    const sized = (head: string, tuple: string) => {
      const kept = new Map<number, Statement>();
      const make = (n: number) => client.prepare(`${head} values ${Array.from({ length: n }, () => tuple).join(', ')}`);
      kept.set(1, make(1));
      kept.set(BATCH, make(BATCH));
      return (n: number) => kept.get(n) ?? make(n);
    };
    statements = {
      json: sized('insert or replace into recommendation_documents (recommendation_id, json)', '(?, ?)'),
      csv: sized('insert or replace into recommendation_csv_lines (recommendation_id, csv_head, csv_path, csv_tail)', '(?, ?, ?, ?)'),
      stored: client.prepare(STORED_DOCUMENTS).raw(),
      stale: client.prepare('select recommendation_id from recommendation_documents_stale limit ?').pluck(),
      unstale: client.prepare(
        'delete from recommendation_documents_stale where recommendation_id in (select value from json_each(?))',
      ),
    };
    prepared.set(client, statements);
  }
  return statements;
}

/**
 * Rebuilds the stored documents and CSV rows of these recommendations (ids that no longer exist are skipped).
 * A document and row that come out as stored are not written again (a write marks documents stale that it
 * may not have changed, and rewriting a row costs more than reading it). Gives how many recommendations'
 * document, CSV row or both it rewrote.
 */
export function materialize(db: Db, ids: readonly string[]): number {
  let rewritten = 0;
  const statements = statementsOf(db);
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    const stored = new Map<string, (string | null)[]>();
    for (const row of statements.stored.all(JSON.stringify(batch)) as (string | null)[][]) stored.set(row[0]!, row);
    // What changed, written in the order of the records (as a statement per document wrote it).
    const jsonRows: string[] = [];
    const lineRows: string[] = [];
    for (const record of buildRecommendationRecords(db, batch)) {
      const d = documentOf(record);
      const [, json, csvHead, csvPath, csvTail] = stored.get(record.id) ?? [];
      const jsonChanged = json !== d.json;
      const lineChanged = csvHead !== d.csvHead || csvPath !== d.csvPath || csvTail !== d.csvTail;
      if (jsonChanged) jsonRows.push(record.id, d.json);
      if (lineChanged) lineRows.push(record.id, d.csvHead, d.csvPath, d.csvTail);
      if (jsonChanged || lineChanged) rewritten++;
    }
    if (jsonRows.length > 0) statements.json(jsonRows.length / 2).run(jsonRows);
    if (lineRows.length > 0) statements.csv(lineRows.length / 4).run(lineRows);
  }
  return rewritten;
}

/**
 * Rebuilds every document a write has made stale and empties the stale list; returns how many ids it
 * held, and adds to `counts.rewritten` how many documents came out different (and were written). Called inside
 * every writing transaction before it commits, and when a database is opened (after a migration, or writes
 * by another program that marked documents stale without rebuilding them).
 */
export function materializeStale(db: Db, counts?: { rewritten: number }): number {
  const statements = statementsOf(db);
  let count = 0;
  for (;;) {
    const ids = statements.stale.all(BATCH) as string[];
    if (ids.length === 0) return count;
    const rewritten = materialize(db, ids);
    if (counts) counts.rewritten += rewritten;
    statements.unstale.run(JSON.stringify(ids));
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
  if (probe.get() !== 1) return;
  db.transaction(() => materializeStale(db), { behavior: 'immediate' });
  committedOutsideWrites(db.$client);
}
