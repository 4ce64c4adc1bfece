import { sql } from 'drizzle-orm';
import { groupById, joinLabels, linkedKeys } from '../db/batch.js';
import { pgAll, type Queryable } from '../db/pg/query.js';
import type { Recurrence } from '../related/recurrence.js';
import { RECURRENCE_THRESHOLD } from '../related/settings.js';
import { documentOf } from './documents.js';
import { assembleRecords, type BaseRow, CURRENT_IMPLEMENTATION, type RecordLookups } from './queries.js';
import type { RecommendationRecord } from './schemas.js';

// The stored documents on PostgreSQL, rebuilt by a write before it commits (src/db/pg/write-transaction.ts):
// the same records as SQLite's buildRecommendationRecords (queries.ts's assembleRecords over the same
// lookups), so the same JSON, byte for byte. Each lookup takes the ids as one JSON array parameter ($1), as
// SQLite's do; text is ordered by code point (collate "C"), as SQLite's BINARY order.

const IDS = 'recommendation_id in (select jsonb_array_elements_text($1::jsonb))';
const KEYS = (column: string) => `${column} in (select jsonb_array_elements_text($1::jsonb))`;
const RECOMMENDERS = `select recommendation_id, state_code from recommendation_states where ${IDS}`;
const STATE_NAMES = `select code, name from states where ${KEYS('code')}`;
const THEMES = `select recommendation_id, theme_id, label_source, confidence from recommendation_themes where ${IDS}`;
const THEME_LABELS = `select id, label, scheme from themes where ${KEYS('id')}`;
const UNRESOLVED = `select recommendation_id, name from recommendation_unresolved_states where ${IDS} order by name collate "C"`;
const SDGS = `select l.recommendation_id, l.goal, g.name, l.label_source from recommendation_sdgs l
  join sdg_goals g on g.goal = l.goal where l.${IDS} order by l.goal`;
const GROUPS = `select recommendation_id, group_id, label_source from recommendation_affected_persons where ${IDS}`;
const GROUP_LABELS = `select id, label, case when uhri then 'uhri' else 'local' end from affected_persons_groups
  where ${KEYS('id')}`;
const SOURCES = `with page(id) as (select jsonb_array_elements_text($1::jsonb)),
  cited(recommendation_id, source_id, rank) as (
    select r.id, r.source_id, 0 from recommendations r where r.id in (select id from page) and r.source_id is not null
    union all
    select l.recommendation_id, l.source_id, 1 from recommendation_sources l join recommendations r on r.id = l.recommendation_id
    where l.recommendation_id in (select id from page) and l.source_id is distinct from r.source_id)
  select c.recommendation_id, s.id, s.title, s.publisher, s.url, s.published_on, s.published_on_precision,
    l.source_id, l.paragraph, l.position, l.position_label, l.position_source from cited c
  join sources s on s.id = c.source_id
  left join recommendation_sources l on l.recommendation_id = c.recommendation_id and l.source_id = c.source_id
  order by c.rank, s.id collate "C"`;
const RECURRENCES = `select recommendation_id, count(*), min(related_cycle) from recommendation_relations
  where ${IDS} and relation = 'earlier' and score >= ${RECURRENCE_THRESHOLD}
  group by recommendation_id`;

async function arrays<Row extends unknown[]>(client: Queryable, text: string, values: readonly string[]): Promise<Row[]> {
  return (await client.query<Row>({ text, values: [JSON.stringify(values)], rowMode: 'array' })).rows;
}

async function byIds<Row extends [id: string, ...values: unknown[]]>(client: Queryable, text: string, ids: readonly string[]) {
  return groupById(await arrays<Row>(client, text, ids));
}

async function labelled<Extra extends unknown[]>(client: Queryable, links: string, labels: string, ids: readonly string[]) {
  const grouped = await byIds<[string, string, ...unknown[]]>(client, links, ids);
  return joinLabels<Extra>(grouped, await arrays(client, labels, linkedKeys(grouped)));
}

/** The list records of these recommendations (those that exist), read from PostgreSQL's base tables. */
export async function pgBuildRecommendationRecords(client: Queryable, ids: readonly string[]): Promise<RecommendationRecord[]> {
  if (ids.length === 0) return [];
  const rows = (
    await pgAll<Omit<BaseRow, 'verbatim'> & { verbatim: boolean }>(client, sql`select r.id, r.review_id, r.paragraph,
        r.paragraph_sort_key, r.text, r.verbatim, r.position, r.position_source, r.version, r.created_at, r.updated_at,
        v.state_code, st.name as state_name, v.cycle, v.wg_session, ${CURRENT_IMPLEMENTATION} as implementation,
        (select count(*) from development_recommendations dr where dr.recommendation_id = r.id) as development_count,
        r.position_label, r.action_category
      from recommendations r join reviews v on v.id = r.review_id join states st on st.code = v.state_code
      where r.id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
      order by r.id collate "C"`)
  ).map((row): BaseRow => ({ ...row, verbatim: row.verbatim ? 1 : 0 }));
  const recurrence = new Map<string, Recurrence>();
  for (const [id, count, earliest] of await arrays<[string, number, number]>(client, RECURRENCES, ids)) {
    recurrence.set(id, { count, earliestCycle: earliest });
  }
  const lookups: RecordLookups = {
    recommenders: await labelled(client, RECOMMENDERS, STATE_NAMES, ids),
    themes: await labelled(client, THEMES, THEME_LABELS, ids),
    sdgs: await byIds(client, SDGS, ids),
    groups: await labelled(client, GROUPS, GROUP_LABELS, ids),
    unresolved: await byIds(client, UNRESOLVED, ids),
    sources: await byIds(client, SOURCES, ids),
    recurrence,
  };
  return assembleRecords(rows, lookups);
}

/**
 * How many documents one round builds and writes: a write that changed many records (`npm run tag -- --all` at
 * 300,000 records changed 230,000) held every record, document and CSV line at once, 3.5 GB at its peak.
 */
export const MATERIALIZE_ROUND = 2000;

/**
 * Rebuilds the stored documents of these recommendations (ids that no longer exist are skipped), `round` at a time:
 * one statement per table and round, the rows as arrays (a start rebuilding a copy's stale documents writes 1,000 a
 * transaction).
 */
export async function pgMaterialize(client: Queryable, ids: readonly string[], round = MATERIALIZE_ROUND): Promise<void> {
  for (let start = 0; start < ids.length; start += round) await materializeRound(client, ids.slice(start, start + round));
}

async function materializeRound(client: Queryable, ids: readonly string[]): Promise<void> {
  const records = await pgBuildRecommendationRecords(client, ids);
  if (records.length === 0) return;
  const documents = records.map((record) => ({ id: record.id, ...documentOf(record) }));
  await client.query(
    `insert into recommendation_documents (recommendation_id, json) select * from unnest($1::text[], $2::text[])
      on conflict (recommendation_id) do update set json = excluded.json`,
    [documents.map((d) => d.id), documents.map((d) => d.json)],
  );
  await client.query(
    `insert into recommendation_csv_lines (recommendation_id, csv_head, csv_path, csv_tail)
      select * from unnest($1::text[], $2::text[], $3::text[], $4::text[])
      on conflict (recommendation_id) do update set csv_head = excluded.csv_head, csv_path = excluded.csv_path,
        csv_tail = excluded.csv_tail`,
    [documents.map((d) => d.id), documents.map((d) => d.csvHead), documents.map((d) => d.csvPath), documents.map((d) => d.csvTail)],
  );
}
