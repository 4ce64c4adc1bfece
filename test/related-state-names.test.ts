import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { applySeed } from '../seed/apply.js';
import { seedPostgres } from '../seed/postgres.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, postgresSide } from './helpers.js';
import { createRecommendation, recomputedRelations, type RelationRow, storedRelations } from './support/relations.js';
import { testSql } from './support/test-sql.js';

// A change of the states' spellings (an alias added or dropped by a state's create, change or delete, or by
// `npm run seed`) changes which parenthesised names a text is compared without (src/related/state-names.ts):
// the relations are then a full recomputation's, on both backends, and a change that keeps the spellings'
// keys recomputes nothing.

const create = (app: FastifyInstance, key: string, reviewId: string, text: string, by = 'NOR') => createRecommendation(app, key, reviewId, text, by);

/** Finland's two cycles, with requests printing "(Newland)" at their end, and Kyrgyzstan's, printing no name. */
async function setup(t: Test) {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin', 'admin');
  const key = mintKey(app);
  for (const [state, cycle] of [['FIN', 1], ['FIN', 2], ['KGZ', 1], ['KGZ', 2]] as const) {
    const { response } = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: state, cycle } });
    t.equal(response.statusCode, 201);
  }
  const ids = {
    guards: await create(app, key, 'FIN-1', 'Train guards (Newland);'),
    keepers: await create(app, key, 'FIN-1', 'Protect lighthouse keepers (Newland);'),
    ferries: await create(app, key, 'FIN-2', 'Publish timetables (Newland);'),
    again: await create(app, key, 'FIN-2', 'Protect lighthouse keepers'),
    torture: await create(app, key, 'KGZ-1', 'Ratify the Optional Protocol to the Convention against Torture'),
    opcat: await create(app, key, 'KGZ-2', 'Accede to OP-CAT'),
  };
  return { app, admin, key, ids };
}

const pair = (relations: RelationRow[], a: string, b: string) => relations.find(([id, other]) => id === a && other === b);

/** The stored relations are what a full recomputation gives (it changes nothing). */
async function isFullRecomputation(t: Test, app: FastifyInstance, what: string): Promise<RelationRow[]> {
  const stored = await storedRelations(app);
  const { counts, relations } = await recomputedRelations(t, app);
  t.match(counts, { inserted: 0, updated: 0, deleted: 0 }, `${what}: a full recomputation changes nothing`);
  t.same(stored, relations, `${what}: the relations are a full recomputation's`);
  t.equal(await testSql(app).count('recommendation_relations_stale'), 0, `${what}: nothing left stale`);
  return stored;
}

/** Sets one stored pair's score behind the service: a recomputation of its state puts it back. */
async function tamper(t: Test, app: FastifyInstance, from: string, to: string): Promise<void> {
  t.equal(await testSql(app).run('update recommendation_relations set score = 0.0123 where recommendation_id = ? and related_id = ?', [from, to]), 1);
}
const tampered = async (app: FastifyInstance, from: string, to: string) => pair(await storedRelations(app), from, to)?.[2] === 0.0123;

async function patchNorway(app: FastifyInstance, admin: string, body: Record<string, unknown>): Promise<void> {
  const { response } = await send(app, 'PATCH', '/v1/states/NOR', { key: admin, body, headers: { 'if-match': '*' } });
  if (response.statusCode !== 200) throw new Error(response.body);
}

t.test('an alias added, changed or dropped relates the texts printing it as a full recomputation does', async (t) => {
  const { app, admin, ids } = await setup(t);
  const before = await isFullRecomputation(t, app, 'before');
  t.ok(pair(before, ids.ferries, ids.guards), 'an unknown name is a term: the requests printing it meet on it');
  const norway = (await send(app, 'GET', '/v1/states/NOR')).body as { aliases: string[] };
  await tamper(t, app, ids.opcat, ids.torture);

  await patchNorway(app, admin, { aliases: [...norway.aliases, 'Newland'] });
  const added = await storedRelations(app);
  t.notOk(pair(added, ids.ferries, ids.guards), 'a state\'s alias is not: the pair is gone');
  t.equal(pair(added, ids.again, ids.keepers)?.[2], 1, 'a request printed with its state and without: one request');
  t.ok(await tampered(app, ids.opcat, ids.torture), 'a state whose texts print no changed name is not recomputed');
  await testSql(app).run('update recommendation_relations set score = ? where recommendation_id = ? and related_id = ?', [
    pair(before, ids.opcat, ids.torture)![2],
    ids.opcat,
    ids.torture,
  ]);
  await isFullRecomputation(t, app, 'an alias added');

  // The same keys: no state recomputed (a pair set behind the service stays as it was set).
  await tamper(t, app, ids.again, ids.keepers);
  await patchNorway(app, admin, { aliases: [...norway.aliases, 'Newland'] });
  await patchNorway(app, admin, { aliases: [...norway.aliases, 'NEW-LAND'] });
  await patchNorway(app, admin, { regionalGroup: 'WEOG' });
  t.ok(await tampered(app, ids.again, ids.keepers), 'the same aliases, one reworded, or no alias given: nothing recomputed');
  await patchNorway(app, admin, { aliases: [...norway.aliases, 'NEW-LAND', 'Kingdom of Lighthouses'] });
  t.ok(await tampered(app, ids.again, ids.keepers), 'an alias no text prints: nothing recomputed');

  await patchNorway(app, admin, { aliases: norway.aliases });
  t.ok(pair(await isFullRecomputation(t, app, 'an alias dropped'), ids.ferries, ids.guards), 'the name is a term again');
  t.notOk(await tampered(app, ids.again, ids.keepers), "the alias's texts recomputed");

  await patchNorway(app, admin, { name: 'Newland' });
  t.notOk(pair(await isFullRecomputation(t, app, 'a new name'), ids.ferries, ids.guards), 'a new name is an alias');
});

t.test('a state created with the name, then deleted, relates the texts printing it as a full recomputation does', async (t) => {
  const { app, admin, ids } = await setup(t);
  const created = await send(app, 'POST', '/v1/states', { key: admin, body: { id: 'XNL', name: 'New Land', unMember: false, aliases: ['Newland'] } });
  t.equal(created.response.statusCode, 201);
  t.notOk(pair(await isFullRecomputation(t, app, 'a state created'), ids.ferries, ids.guards));
  const deleted = await send(app, 'DELETE', '/v1/states/XNL', { key: admin, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204, deleted.response.body);
  t.ok(pair(await isFullRecomputation(t, app, 'a state deleted'), ids.ferries, ids.guards));
});

t.test('a release of the seed adding an alias relates the texts printing it as a full recomputation does', async (t) => {
  const { app, key } = await setup(t);
  // A database seeded before the release: Türkiye without its alias "Turkey" (key "turkey").
  t.equal(await testSql(app).run("delete from state_aliases where key = 'turkey'"), 1);
  const guards = await create(app, key, 'FIN-1', 'Train the border guards (Turkey);', 'TUR');
  const ferries = await create(app, key, 'FIN-2', 'Publish the ferry schedules (Turkey);', 'TUR');
  t.ok(pair(await isFullRecomputation(t, app, 'before the release'), ferries, guards), 'the name not known: a term');
  const side = postgresSide(app);
  const { inserted } = side === undefined ? applySeed(app.db) : await seedPostgres(side.pool.options.connectionString!);
  t.equal(inserted, 1, 'the alias inserted');
  t.notOk(pair(await isFullRecomputation(t, app, 'after the release'), ferries, guards), 'the alias known: the pair is gone');
});
