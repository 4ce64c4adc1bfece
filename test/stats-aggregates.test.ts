import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, sqliteOnly } from './helpers.js';
import { type AllRows, checkEveryGrouping } from './support/stats-recount.js';
import { testSql } from './support/test-sql.js';

// The recommendation counts kept on write (src/stats/aggregates.ts, migration stats_aggregates) stay right
// after any sequence of writes through the API, an import included: every grouping and pair of groupings,
// under filters the kept counts answer (and a few they leave to the base tables), equals a recount done
// here in plain JavaScript from the base tables.

const STATES = ['FIN', 'ESP', 'USA', 'GBR', 'KGZ', 'RUS', 'CHN', 'BRA'];
const THEMES = ['human-rights-defenders', 'arbitrary-arrest-and-detention', 'advancement-of-women', 'business-and-human-rights'];
const POSITIONS = [null, 'supported', 'partially_supported', 'noted', 'pending'] as const;
const REGIONAL_GROUPS = [null, 'WEOG', 'GRULAC', 'African'] as const;
const STATUSES = ['not_implemented', 'partially_implemented', 'implemented'] as const;
const REVIEWS = ['KGZ-3', 'FIN-2', 'BRA-3'];

type Op =
  | { kind: 'create'; review: number; states: string[]; themes: string[]; sdgs: string[]; position: number }
  | { kind: 'patch'; pick: number; states?: string[]; themes?: string[]; sdgs?: string[]; position?: number; review?: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'assess'; pick: number; status: number; day: number }
  | { kind: 'regroup'; state: number; group: number }
  | { kind: 'import'; decision: number }
  | { kind: 'uprInfo'; decision: number; action: number };

const subset = <T>(values: readonly T[], min = 0) => fc.uniqueArray(fc.constantFrom(...values), { minLength: min, maxLength: 3 });
const index = (n: number) => fc.integer({ min: 0, max: n - 1 });
const sdgs = fc.uniqueArray(fc.integer({ min: 1, max: 17 }).map(String), { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    review: index(REVIEWS.length),
    states: subset(STATES, 1),
    themes: subset(THEMES),
    sdgs,
    position: index(POSITIONS.length),
  }),
  fc.record(
    {
      kind: fc.constant('patch' as const),
      pick: fc.nat(),
      states: subset(STATES, 1),
      themes: subset(THEMES),
      sdgs,
      position: index(POSITIONS.length),
      review: index(REVIEWS.length),
    },
    { requiredKeys: ['kind', 'pick'] },
  ),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('assess' as const), pick: fc.nat(), status: index(STATUSES.length), day: index(28) }),
  fc.record({ kind: fc.constant('regroup' as const), state: index(STATES.length), group: index(REGIONAL_GROUPS.length) }),
  fc.record({ kind: fc.constant('import' as const), decision: index(3) }),
  fc.record({ kind: fc.constant('uprInfo' as const), decision: index(3), action: index(6) }),
);

const DECISIONS = ['support', 'consider', 'reject'];
const importCsv = (decision: number) =>
  'text,to,decision,From,year,notes\r' +
  `76.1. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,${DECISIONS[decision]},Czech Republic,2010,\r` +
  '"76.92. Hold open and transparent elections (Tajikistan, Pakistan);",kyrgysztan,support,Tajikistan,2010,\r' +
  '"76.92. Hold open and transparent elections (Tajikistan, Pakistan);",kyrgysztan,support,Pakistan,2010,\r' +
  `111. Guarantee the respect for human rights (NA);,kyrgysztan,${DECISIONS[(decision + 1) % 3]},NA,2010,\r`;

// UPR Info's reading of two of those (merged into the corpus's records when both are stored), and one more.
const UPR_INFO_RESPONSES = ['Accepted', 'Noted', 'Rejected'];
const uprInfoCsv = (decision: number, action: number) =>
  'To,Text,From,Response,Action,Issue,Session\r' +
  `Kyrgyzstan,Ratify the Optional Protocol to CAT,Czech Republic,${UPR_INFO_RESPONSES[decision]},${action || ''},Torture and other CID treatment,8\r` +
  'Kyrgyzstan,Hold open and transparent elections,Tajikistan,Accepted,4,Elections,8\r' +
  `Kyrgyzstan,Strengthen the ombudsman,Spain,${UPR_INFO_RESPONSES[(decision + 1) % 3]},${(action % 5) + 1},"NHRI,Justice",8\r`;

let written = 0;
async function apply(app: FastifyInstance, keys: { write: string; admin: string }, o: Op): Promise<number> {
  // Sorted here, by code unit, whatever the database's collation.
  const ids = (await testSql(app).all<{ id: string }>('select id from recommendations')).map((row) => row.id).sort();
  const pick = (n: number) => ids[n % ids.length]!;
  const position = (p: number) => ({ position: POSITIONS[p], positionSource: POSITIONS[p] === null ? null : 'A/HRC/44/9/Add.1' });
  const match = { 'if-match': '*' };
  switch (o.kind) {
    case 'create': {
      const body = { reviewId: REVIEWS[o.review], text: 'Do something.', verbatim: false, recommendingStates: o.states, themes: o.themes, sdgs: o.sdgs, ...position(o.position) };
      return (await send(app, 'POST', '/v1/recommendations', { key: keys.write, body })).response.statusCode;
    }
    case 'patch': {
      written += 1; // a new text each time: a patch that changes nothing writes nothing
      const body: Record<string, unknown> = { text: `Changed, write ${written}.` };
      if (o.states) body.recommendingStates = o.states;
      if (o.themes) body.themes = o.themes;
      if (o.sdgs) body.sdgs = o.sdgs;
      if (o.position !== undefined) Object.assign(body, position(o.position));
      if (o.review !== undefined) body.reviewId = REVIEWS[o.review];
      return (await send(app, 'PATCH', `/v1/recommendations/${pick(o.pick)}`, { key: keys.write, body, headers: match })).response
        .statusCode;
    }
    case 'delete':
      return (await send(app, 'DELETE', `/v1/recommendations/${pick(o.pick)}`, { key: keys.write, headers: match })).response.statusCode;
    case 'assess': {
      const body = { recommendationId: pick(o.pick), status: STATUSES[o.status], assessedOn: `2021-02-${String(o.day + 1).padStart(2, '0')}`, rationale: 'Seen.', sources: [HRW_SOURCE] };
      return (await send(app, 'POST', '/v1/assessments', { key: keys.write, body })).response.statusCode;
    }
    case 'regroup': {
      const body = { regionalGroup: REGIONAL_GROUPS[o.group] };
      return (await send(app, 'PATCH', `/v1/states/${STATES[o.state]}`, { key: keys.admin, body, headers: match })).response.statusCode;
    }
    case 'import': {
      const headers = { 'content-type': 'text/csv', authorization: `Bearer ${keys.write}` };
      return (await app.inject({ method: 'POST', url: '/v1/imports', headers, payload: importCsv(o.decision) })).statusCode;
    }
    case 'uprInfo': {
      const headers = { 'content-type': 'text/csv', authorization: `Bearer ${keys.write}` };
      return (await app.inject({ method: 'POST', url: '/v1/imports', headers, payload: uprInfoCsv(o.decision, o.action) })).statusCode;
    }
  }
}

const rowsOf = (app: FastifyInstance): AllRows => async (query) => (await testSql(app).all(query)) as never;

t.test('kept recommendation counts equal a recount from the base tables after random writes', async (t) => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), async (ops) => {
      run += 1;
      const app = await buildTestApp(t);
      const keys = { write: mintKey(app), admin: mintKey(app, 'admin', 'admin') };
      // Two more reviews, one in another cycle, so that review, state, cycle and session filters divide.
      for (const [state, cycle, session] of [['FIN', 2, 27], ['BRA', 3, 41]] as const) {
        const review = await send(app, 'POST', '/v1/reviews', { key: keys.admin, body: { stateUnderReview: state, cycle, session } });
        t.equal(review.response.statusCode, 201);
      }
      const dirty = () => testSql(app).count('stats_dirty');
      for (const o of ops) {
        const status = await apply(app, keys, o);
        t.ok(status < 500, `${o.kind}: ${status}`);
        // Every write through the API ends with the revision bump that counts it: the kept counts answer.
        t.equal(await dirty(), 0, `${o.kind}: counted`);
      }
      await checkEveryGrouping(t, app, rowsOf(app), `run ${run}, ${ops.length} writes`);
      await app.close();
    }),
    { numRuns: 4, seed: 20261201 },
  );
});

t.test('after a write that did not bump the revision, stats count the base tables', async (t) => {
  if (sqliteOnly(t, "SQLite's revision bump counts the marked writes (a trigger); PostgreSQL's write transaction calls stats_flush()")) return;
  const app = await buildTestApp(t);
  // (Another query string than the later ones: stats are cached per revision, and this write bumps none.)
  const before = (await getJson(app, '/v1/stats/recommendations?groupBy=position&cycle=3,4')).body;
  app.db.$client.prepare("update recommendations set position = 'noted', position_source = 'A/HRC/44/9/Add.1' where id = 'KGZ-3-FIN-1'").run();
  t.equal(app.db.$client.prepare('select count(*) from stats_dirty').pluck().get(), 1, 'marked, not yet counted');
  const after = (await getJson(app, '/v1/stats/recommendations?groupBy=position')).body;
  t.not(JSON.stringify(after.data), JSON.stringify(before.data), 'the change shows');
  await checkEveryGrouping(t, app, rowsOf(app), 'uncounted write');
  app.db.$client.prepare("update meta set value = cast(value as integer) + 1 where key = 'revision'").run();
  t.equal(app.db.$client.prepare('select count(*) from stats_dirty').pluck().get(), 0, 'the revision bump counts it');
  await checkEveryGrouping(t, app, rowsOf(app), 'counted write');
});
