import { eq, sql, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import t from 'tap';
import { sqlToQuery } from '../src/db/batch.js';
import { keysetAfter, keysetOrder, whereClause } from '../src/db/keyset.js';
import { recommendations } from '../src/db/schema.js';
import { filterConditions, fromClause, resolveSort } from '../src/recommendations/queries.js';
import type { RecommendationFilter } from '../src/recommendations/schemas.js';

// The list queries' text and parameters come from a walk of drizzle's `sql` chunks (src/db/batch.ts):
// it must give exactly what drizzle's own sqlToQuery gives, for every filter, and leave to drizzle what it
// does not know.

const dialect = new SQLiteSyncDialect();
/** drizzle's text and parameters (its typings, unused by SQLite, left out). */
const drizzle = { sqlToQuery: (query: SQL) => (({ sql, params }) => ({ sql, params }))(dialect.sqlToQuery(query)) };

const FILTERS: RecommendationFilter[] = [
  {},
  { stateUnderReview: ['FRA', 'KEN', 'BRA', 'IND'], position: ['supported'] },
  { recommendingState: ['DEU'], regionalGroup: ['WEOG', 'GRULAC'], cycle: [3, 4], session: [40] },
  { reviewId: ['KGZ-3'], position: ['unknown', 'noted'], implementation: ['unknown'] },
  { theme: ['A41'], labelSource: ['machine'], sdg: [4, 16], affectedPersons: ['F1'] },
  { actionCategory: ['unknown', '5'], positionLabel: ['Supported/Noted'], year: [2012, 1990] },
  { recurring: true, hasDevelopments: false, updatedSince: '2026-01-01T00:00:00Z' },
  { recurring: false, hasDevelopments: true, q: 'torture "de l\'enfant" detention*' },
] as RecommendationFilter[];

t.test('list queries: the same text and parameters as drizzle gives', async (t) => {
  for (const filter of FILTERS) {
    const sort = resolveSort(undefined, filter);
    const conditions = [...filterConditions(filter), keysetAfter(sort, sort.columns.map((_, i) => (i === 0 ? 'x"y' : i)))];
    const query = sql`select r.id, ${sql.identifier('a"b')} from ${fromClause(filter, true)} ${whereClause(conditions)}
      order by ${keysetOrder(sort)} limit ${51}`;
    const expected = drizzle.sqlToQuery(query);
    t.ok(expected.params.length > 0, 'with parameters');
    t.same(sqlToQuery(query), expected, JSON.stringify(filter));
  }
});

t.test('chunks the walk does not know are left to drizzle', async (t) => {
  const queries: SQL[] = [
    sql`select * from ${recommendations} where ${eq(recommendations.id, 'KGZ-3-FIN-1')}`,
    sql`select ${true}, ${Buffer.from('x')}, ${[1, 2]}`,
    sql`select ${"it's"}`.inlineParams(),
    sql`select ${sql`${'inlined'}`.inlineParams()}`,
  ];
  for (const query of queries) t.same(sqlToQuery(query), dialect.sqlToQuery(query), 'drizzle itself');
  const plain = sql`select ${null}, ${1n}, ${undefined}, ${sql.raw('x')}`;
  t.same(sqlToQuery(plain), drizzle.sqlToQuery(plain), 'null, bigint, undefined, raw text: walked as drizzle does');
});
