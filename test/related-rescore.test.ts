import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { documentOf } from '../src/recommendations/documents.js';
import { pgBuildRecommendationRecords } from '../src/recommendations/pg-documents.js';
import { buildRecommendationRecords } from '../src/recommendations/queries.js';
import { INSERT_ROWS, relationUpdates } from '../src/related/refresh.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, postgresSide } from './helpers.js';
import { createRecommendation, recomputedRelations, storedRelations } from './support/relations.js';
import { testSql } from './support/test-sql.js';

// Random edits of one state's recommendations: after each, the stored relations are exactly what a full
// recomputation gives (every pair rescored: a changed text shifts the state's idf), every stored document is
// current (recurrence), and on SQLite the rescored pairs are updated in batches (statements counted) once the
// planner's statistics say that a batch is searched by key, one statement a pair before.

const SUBJECTS = ['torture', 'domestic violence', 'the death penalty', 'journalists', 'human rights defenders', 'child labour', 'trafficking'];
const ASKS = ['Ratify the Optional Protocol to the Convention against Torture', 'Combat', 'Investigate cases of', 'Adopt a law on', 'Protect victims of', 'Train the police on'];
const ENDS = ['', ' in rural areas', ' and report on progress', ' with civil society', ' by the next review'];

/** A deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every stored document equals a fresh build from the backend's base tables. */
async function documentsCurrent(t: Test, app: FastifyInstance, what: string): Promise<void> {
  const stored = await testSql(app).all<{ recommendation_id: string; json: string }>('select recommendation_id, json from recommendation_documents');
  const ids = stored.map((d) => d.recommendation_id);
  const side = postgresSide(app);
  const records = side === undefined ? buildRecommendationRecords(app.db, ids) : await pgBuildRecommendationRecords(side.pool, ids);
  const fresh = new Map(records.map((r) => [r.id, documentOf(r).json]));
  t.same(stored.filter((d) => fresh.get(d.recommendation_id) !== d.json).map((d) => d.recommendation_id), [], `${what}: every stored document is current`);
}

t.test('random edits leave the relations of a full recomputation, written in batches', async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin', 'admin');
  const key = mintKey(app);
  const rand = random(32);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const text = () => `${pick(ASKS)} ${pick(SUBJECTS)}${pick(ENDS)}.`;
  for (const cycle of [1, 2]) {
    const { response } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'KGZ', cycle } });
    t.equal(response.statusCode, 201);
  }
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) ids.push(await createRecommendation(app, key, i % 2 ? 'KGZ-2' : 'KGZ-1', text(), pick(['FIN', 'DEU', 'ESP'])));

  const sqlite = postgresSide(app) === undefined;
  const before = { ...relationUpdates };
  for (let edit = 0; edit < 8; edit++) {
    const id = pick(ids);
    const body = edit % 4 === 3 ? { reviewId: pick(['KGZ-1', 'KGZ-2']), text: text() } : { text: text() };
    // The young database's statistics (the seed's 2 relations) first, then those of its relations.
    if (sqlite && edit === 4) app.db.$client.exec('analyze');
    const updated = { ...relationUpdates };
    const { response } = await send(app, 'PATCH', `/v1/recommendations/${id}`, { key, body, headers: { 'if-match': '*' } });
    t.equal(response.statusCode, 200, `edit ${edit}: ${JSON.stringify(body)}`);
    if (sqlite) {
      const rows = relationUpdates.rows - updated.rows;
      const statements = relationUpdates.statements - updated.statements;
      if (edit < 4) t.equal(statements, rows, `edit ${edit}: ${rows} pairs rescored one statement each (a batch would scan)`);
      // INSERT_ROWS pairs a statement, then one statement for each power of two of the rest.
      else t.ok(statements <= Math.floor(rows / INSERT_ROWS) + Math.log2(INSERT_ROWS) + 1, `edit ${edit}: ${rows} pairs rescored in ${statements} statements`);
    }
    const { counts, relations } = await recomputedRelations(t, app);
    t.match(counts, { inserted: 0, updated: 0, deleted: 0 }, `edit ${edit}: a full recomputation changes nothing`);
    t.same(await storedRelations(app), relations, `edit ${edit}: the relations are a full recomputation's`);
    await documentsCurrent(t, app, `edit ${edit}`);
  }
  if (sqlite) t.ok(relationUpdates.rows - before.rows >= 100, `the edits rescored stored pairs (${relationUpdates.rows - before.rows})`);
});

