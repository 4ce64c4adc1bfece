import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { runSeedCommand } from '../seed/cli.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, postgresSide } from './helpers.js';
import { testSql } from './support/test-sql.js';

// The seed (seed/apply.ts) fills a fresh SQLite database; a PostgreSQL one gets the same rows and audit log from
// the copy command (src/db/copy). `npm run seed` on a database that has them adds what it lacks, on either
// backend (seed/postgres.ts): the same entries (test/postgres-seed.test.ts compares the two side by side).

type Change = { seq: number; entity: string; id: string; action: string; actor: string; changes: Record<string, unknown> };

const STORED: [entity: string, query: string][] = [
  ['states', 'select code as id from states'],
  ['sources', 'select id as id from sources'],
  ['reviews', 'select id as id from reviews'],
  ['recommendations', 'select id as id from recommendations'],
  ['developments', 'select id as id from developments'],
  ['assessments', 'select id as id from assessments'],
  ['statements', 'select id as id from statements'],
];

/** `npm run seed` (seed/cli.ts) on the test app's database: the seed rows it inserted. */
async function seedAgain(t: Test, app: FastifyInstance): Promise<number> {
  const side = postgresSide(app);
  const env = side === undefined ? { DATABASE_PATH: app.db.$client.name } : { DATABASE_URL: side.pool.options.connectionString! };
  const out: string[] = [];
  const status = await runSeedCommand(env, { out: (line) => out.push(line), err: (line) => out.push(line) });
  t.equal(status, 0, out.join('\n'));
  return Number(/: (\d+) seed rows inserted/.exec(out.join('\n'))?.[1]);
}

async function walkFeed(app: Awaited<ReturnType<typeof buildTestApp>>): Promise<Change[]> {
  const seen: Change[] = [];
  let since = '';
  for (;;) {
    const { body } = await getJson(app, `/v1/changes?limit=100${since}`);
    seen.push(...body.data);
    if (!body.meta.hasMore) return seen;
    since = `&since=${body.meta.nextCursor}`;
  }
}

t.test("a fresh database's change feed lists every seeded record, created by the seed", async (t) => {
  const app = await buildTestApp(t);
  const feed = await walkFeed(app);
  const sql = testSql(app);
  const stored = (
    await Promise.all(STORED.map(async ([entity, query]) => (await sql.all<{ id: string }>(query)).map(({ id }) => `${entity} ${id}`)))
  ).flat();
  t.ok(stored.length > 100, `${stored.length} seeded records`);
  t.same(feed.map((c) => `${c.entity} ${c.id}`).sort(), stored.sort(), 'each seeded record once, nothing else');
  t.ok(feed.every((c) => c.action === 'create' && c.actor === 'seed'));
  // What a record refers to comes first: a mirror can apply the feed in order.
  const position = new Map(feed.map((c, i) => [`${c.entity} ${c.id}`, i]));
  const assessment = feed.find((c) => c.entity === 'assessments')!;
  const recommendationId = (assessment.changes.recommendationId as { after: string }).after;
  t.ok(position.get(`recommendations ${recommendationId}`)! < position.get(`assessments ${assessment.id}`)!);
  t.ok(position.get('states KGZ')! < position.get('reviews KGZ-3')!);
  // The entry holds the record as the write routes record it.
  const review = feed.find((c) => c.entity === 'reviews' && c.id === 'KGZ-3')!;
  t.match(review.changes, { stateUnderReview: { before: null, after: 'KGZ' }, cycle: { before: null, after: 3 }, version: { before: null, after: 1 } });
  const history = await getJson(app, `/v1/assessments/${encodeURIComponent(assessment.id)}/history`);
  t.same(history.body.data.map((c: Change) => `${c.action} ${c.actor}`), ['create seed']);

  await t.test('running the seed again creates nothing and audits nothing', async (t) => {
    const revision = await sql.get("select value from meta where key = 'revision'");
    t.equal(await seedAgain(t, app), 0);
    t.equal((await walkFeed(app)).length, feed.length, 'no entry for what already exists');
    t.same(await sql.get("select value from meta where key = 'revision'"), revision, 'nor a new revision');
  });
});

t.test('a seed run on a database missing some records audits those alone', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const before = (await walkFeed(app)).length;
  const first = await sql.get<{ id: string }>('select min(id) as id from assessments');
  await sql.run('delete from assessments where id = ?', [first!.id]);
  const missing = await sql.count('assessments');
  t.equal(await seedAgain(t, app), 1);
  const feed = await walkFeed(app);
  t.equal(feed.length, before + 1);
  t.match(feed.at(-1), { entity: 'assessments', action: 'create', actor: 'seed' });
  t.equal(await sql.count('assessments'), missing + 1);

  // A link a stored record shows is an update of that record: a new version and its entry, as through the API.
  const link = (await sql.get<{ id: string; theme: string }>(
    "select development_id as id, theme_id as theme from development_themes where development_id = 'kgz-2020-anti-ngo-bill'",
  ))!;
  const version = () => (getJson(app, `/v1/developments/${link.id}`)).then((r) => r.body.version as number);
  const versionBefore = await version();
  await sql.run('delete from development_themes where development_id = ? and theme_id = ?', [link.id, link.theme]);
  t.equal(await seedAgain(t, app), 1);
  const linked = await walkFeed(app);
  t.equal(linked.length, before + 2, 'one entry for the development the link is given back to');
  t.match(linked.at(-1), { entity: 'developments', id: link.id, action: 'update', actor: 'seed', changes: { version: { before: versionBefore, after: versionBefore + 1 } } });
  t.ok((linked.at(-1)!.changes.themes as { after: string[] }).after.includes(link.theme));
  t.equal(await version(), versionBefore + 1);

  // A new alias of a stored state (a release that adds one to seed/states.ts): the state's update, in its history.
  const alias = 'Kyrgyz Republic';
  t.equal(await sql.run("delete from state_aliases where state_code = 'KGZ' and alias = ?", [alias]), 1);
  t.equal(await seedAgain(t, app), 1);
  const history = (await getJson(app, '/v1/states/KGZ/history')).body.data as Change[];
  const last = history.at(-1)!;
  t.match(last, { action: 'update', actor: 'seed' });
  const aliases = last.changes.aliases as { before: string[]; after: string[] };
  t.same(aliases.after.filter((a) => !aliases.before.includes(a)), [alias], 'the alias given back, and nothing else');

  // Rows no record shows (an unused theme of the vocabulary) still make a new revision: what the API shows changed.
  const revision = async () => Number((await sql.get<{ value: string }>("select value from meta where key = 'revision'"))!.value);
  const revisionBefore = await revision();
  const entries = (await walkFeed(app)).length;
  const unused = (await sql.get<{ id: string }>(
    `select min(id) as id from themes t where not exists (select 1 from recommendation_themes where theme_id = t.id)
      and not exists (select 1 from development_themes where theme_id = t.id) and not exists (select 1 from statement_themes where theme_id = t.id)`,
  ))!.id;
  await sql.run('delete from themes where id = ?', [unused]);
  t.equal(await seedAgain(t, app), 1);
  t.equal((await walkFeed(app)).length, entries, 'no audit entry for a theme of the vocabulary');
  t.equal(await revision(), revisionBefore + 1);
});

t.test("what a curator changed in the seed's records stays as they left it: a seed run adds nothing to them, nor creates them again", async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const admin = mintKey(app, 'admin', 'curator');
  const write = { key: admin, headers: { 'if-match': '*' } };
  // A theme taken off a recommendation, an alias off a state, a development and an assessment deleted: through the API.
  const recommendation = (await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).body as { themes: { id: string; source: string }[] };
  const curated = recommendation.themes.filter((x) => x.source === 'curated').map((x) => x.id);
  const kept = curated.slice(1);
  t.equal((await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', { ...write, body: { themes: kept } })).response.statusCode, 200);
  const state = (await getJson(app, '/v1/states/KGZ')).body as { aliases: string[] };
  const aliases = state.aliases.filter((a) => a !== 'Kyrgyz Republic');
  t.equal((await send(app, 'PATCH', '/v1/states/KGZ', { ...write, body: { aliases } })).response.statusCode, 200);
  const development = 'kgz-2020-anti-ngo-bill';
  t.equal((await send(app, 'DELETE', `/v1/developments/${development}`, write)).response.statusCode, 204);
  const assessment = (await sql.get<{ id: string }>('select min(id) as id from assessments'))!.id;
  t.equal((await send(app, 'DELETE', `/v1/assessments/${encodeURIComponent(assessment)}`, write)).response.statusCode, 204);
  const recommendationAlone = (await sql.get<{ id: string }>(
    `select min(id) as id from recommendations r where not exists (select 1 from assessments a where a.recommendation_id = r.id)
      and not exists (select 1 from development_recommendations d where d.recommendation_id = r.id)`,
  ))!.id;
  t.equal((await send(app, 'DELETE', `/v1/recommendations/${recommendationAlone}`, write)).response.statusCode, 204);
  // A state no one changed, missing an alias (a release that adds one): given back.
  const gbrAlias = (await sql.get<{ alias: string }>(
    "select min(alias) as alias from state_aliases where state_code = 'GBR' and alias <> (select name from states where code = 'GBR')",
  ))!.alias;
  t.equal(await sql.run('delete from state_aliases where alias = ?', [gbrAlias]), 1);
  const entries = (await walkFeed(app)).length;

  t.equal(await seedAgain(t, app), 1, "the pristine state's alias alone");
  const feed = await walkFeed(app);
  t.same(feed.slice(entries).map((c) => `${c.entity} ${c.id} ${c.action} ${c.actor}`), ['states GBR update seed']);
  t.same(
    ((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).body.themes as { id: string; source: string }[]).filter((x) => x.source === 'curated').map((x) => x.id),
    kept,
    'the theme taken off stays off',
  );
  t.same((await getJson(app, '/v1/states/KGZ')).body.aliases, aliases, 'the alias taken off stays off');
  for (const url of [`/v1/developments/${development}`, `/v1/assessments/${encodeURIComponent(assessment)}`, `/v1/recommendations/${recommendationAlone}`]) {
    t.equal((await getJson(app, url)).response.statusCode, 404, `${url}: deleted, and not created again`);
  }
  t.equal(await seedAgain(t, app), 0, 'and a second run adds nothing');
});
