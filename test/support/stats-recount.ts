import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { RECURRENCE_THRESHOLD } from '../../src/related/settings.js';
import { reviewYear } from '../../src/reviews/year.js';
import { RECOMMENDATION_GROUPINGS, type RecommendationGrouping } from '../../src/stats/schemas.js';
import { getJson } from '../helpers.js';

// Recommendation stats recounted here in plain JavaScript from the base tables (test/stats-aggregates.test.ts
// on SQLite, test/postgres-stats.test.ts on PostgreSQL): what the counts kept on write must equal.

export const FILTERS = [
  '',
  'cycle=3',
  'cycle=1,2',
  'position=supported,unknown',
  'stateUnderReview=KGZ',
  'implementation=unknown',
  'implementation=implemented,not_implemented&cycle=3',
  'reviewId=FIN-2,KGZ-1',
  'session=35',
  'year=2010',
  'year=2020,2014&position=noted',
  // Filters the kept counts leave to the base tables.
  'theme=human-rights-defenders',
  'recommendingState=FIN,USA',
  'actionCategory=4,unknown',
];

type Key = string | number | null;
// labelSource is left out: it is grouped with theme only, as a pair of one label (not each grouping's values
// crossed, as here), and never from the kept counts (test/stats.test.ts compares its cells with the lists').
type Recounted = Exclude<RecommendationGrouping, 'labelSource'>;
const RECOUNTED = RECOMMENDATION_GROUPINGS.filter((g): g is Recounted => g !== 'labelSource');
export interface Recount {
  id: string;
  reviewId: string;
  session: number | null;
  values: Record<Recounted, Key[]>;
}

/** Runs a query on the database the app serves, its rows as objects. */
export type AllRows = <T>(query: string) => Promise<T[]>;

/** Every recommendation with its values per grouping, read plainly from the base tables. */
export async function recount(all: AllRows): Promise<Recount[]> {
  const linked = async <V>(query: string) => {
    const map = new Map<string, V[]>();
    for (const [id, value] of (await all<[string, V]>(query)).map((row: any) => Object.values(row) as [string, V])) {
      map.set(id, [...(map.get(id) ?? []), value]);
    }
    return map;
  };
  const groups = new Map((await all<{ code: string; regional_group: string | null }>('select code, regional_group from states')).map((s) => [s.code, s.regional_group]));
  const states = await linked<string>('select recommendation_id, state_code from recommendation_states');
  const themes = await linked<string>('select recommendation_id, theme_id from recommendation_themes');
  const goals = await linked<number>('select recommendation_id, goal from recommendation_sdgs');
  const latest = new Map<string, { key: string; status: string }>();
  for (const a of await all<{ recommendation_id: string; status: string; assessed_on: string; created_at: string; id: string }>('select * from assessments')) {
    const key = JSON.stringify([a.assessed_on, a.created_at, a.id]);
    const seen = latest.get(a.recommendation_id);
    if (!seen || key > seen.key) latest.set(a.recommendation_id, { key, status: a.status });
  }
  const recurring = new Set(
    (await all<{ id: string }>(
      `select distinct recommendation_id as id from recommendation_relations where relation = 'earlier' and score >= ${RECURRENCE_THRESHOLD}`,
    )).map((row) => row.id),
  );
  const orNull = <V>(values: V[] | undefined): (V | null)[] => (values && values.length > 0 ? [...new Set(values)] : [null]);
  return (await all<{ id: string; review_id: string; position: string | null; action_category: number | null; state_code: string; cycle: number; wg_session: number | null; dialogue_date: string | null; report_year: number | null }>(
    `select r.id, r.review_id, r.position, r.action_category, v.state_code, v.cycle, v.wg_session, v.dialogue_date, v.report_year
      from recommendations r join reviews v on v.id = r.review_id`,
  )).map((r) => ({
    id: r.id,
    reviewId: r.review_id,
    session: r.wg_session,
    values: {
      position: [r.position ?? 'unknown'],
      implementation: [latest.get(r.id)?.status ?? 'unknown'],
      stateUnderReview: [r.state_code],
      cycle: [r.cycle],
      year: [reviewYear({ session: r.wg_session, dialogueDate: r.dialogue_date, reportYear: r.report_year })],
      recommendingState: orNull(states.get(r.id)),
      regionalGroup: orNull(states.get(r.id)?.map((code) => groups.get(code)!)),
      theme: orNull(themes.get(r.id)),
      sdg: orNull(goals.get(r.id)),
      actionCategory: [r.action_category],
      recurring: [String(recurring.has(r.id))],
    },
  }));
}

function matches(r: Recount, filter: URLSearchParams): boolean {
  for (const [name, list] of filter) {
    const wanted = list.split(',');
    // A null action category is the filter's unknown (as is a null position or implementation, grouped as 'unknown').
    const has = (values: Key[]) =>
      values.some((v) => (v === null ? name === 'actionCategory' && wanted.includes('unknown') : wanted.includes(String(v))));
    if (name === 'reviewId' ? !wanted.includes(r.reviewId) : name === 'session' ? !wanted.includes(String(r.session)) : !has(r.values[name as Recounted])) {
      return false;
    }
  }
  return true;
}

const compareKey = (a: Key, b: Key) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

function expected(records: Recount[], groupBy: Recounted[], filter: string) {
  const params = new URLSearchParams(filter);
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of records.filter((r) => matches(r, params))) {
    total += 1;
    const [first, second] = groupBy.map((g) => r.values[g]);
    for (const a of first!) for (const b of second ?? [undefined]) {
      const key = JSON.stringify(b === undefined ? [a] : [a, b]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const rows = [...counts].map(([key, n]) => [...(JSON.parse(key) as Key[]), n] as Key[]);
  rows.sort((x, y) => (y.at(-1) as number) - (x.at(-1) as number) || compareKey(x[0]!, y[0]!) || compareKey(x[1] ?? null, y[1] ?? null));
  return { rows, total };
}

const GROUPINGS: Recounted[][] = [...RECOUNTED.map((g) => [g]), ...RECOUNTED.flatMap((g, i) => RECOUNTED.slice(i + 1).map((h) => [g, h]))];

/**
 * Every grouping and pair of groupings under every filter of FILTERS, as the app answers it, equals the recount.
 * A filter's requests are sent together (nothing writes meanwhile): on PostgreSQL the database answers some
 * while the app handles others, where one after the other each request waited for its queries' round trips.
 * They are compared in order, the first that differs failing the check.
 */
export async function checkEveryGrouping(t: Test, app: FastifyInstance, all: AllRows, label: string): Promise<void> {
  const records = await recount(all);
  for (const filter of FILTERS) {
    const answers = await Promise.all(
      GROUPINGS.map((groupBy) => getJson(app, `/v1/stats/recommendations?groupBy=${groupBy.join(',')}&${filter}`)),
    );
    for (const [i, groupBy] of GROUPINGS.entries()) {
      const { body } = answers[i]!;
      const want = expected(records, groupBy, filter);
      const got = body.data.map((group: Record<string, Key>) => [...groupBy.map((g) => group[g]!), group.count!]);
      const name = `${label}: groupBy=${groupBy.join(',')}&${filter}`;
      if (JSON.stringify(got) !== JSON.stringify(want.rows) || body.meta.total !== want.total) {
        t.same({ rows: got, total: body.meta.total }, want, name);
        throw new Error(`${name} differs from the recount`);
      }
    }
  }
  t.pass(`${label}: ${FILTERS.length * GROUPINGS.length} stats equal the recount`);
}
