import t from 'tap';
import { applySeed } from '../seed/apply.js';
import { buildTestApp, getJson, sqliteOnly } from './helpers.js';
import { testSql } from './support/test-sql.js';

// The seed (seed/apply.ts) fills a fresh SQLite database; a PostgreSQL one gets the same rows and audit log from
// the copy command (src/db/copy), so the feed's checks run on both and the seed's own runs on SQLite alone.

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
    if (sqliteOnly(t, 'the seed fills SQLite databases only')) return;
    const revision = app.db.$client.prepare("select value from meta where key = 'revision'").pluck().get();
    t.same(applySeed(app.db), { inserted: 0 });
    t.equal((await walkFeed(app)).length, feed.length, 'no entry for what already exists');
    t.equal(app.db.$client.prepare("select value from meta where key = 'revision'").pluck().get(), revision, 'nor a new revision');
  });
});

t.test('a seed run on a database missing some records audits those alone', async (t) => {
  if (sqliteOnly(t, 'the seed fills SQLite databases only')) return;
  const app = await buildTestApp(t);
  const before = (await walkFeed(app)).length;
  app.db.$client.prepare("delete from assessments where id = (select min(id) from assessments)").run();
  const missing = app.db.$client.prepare('select count(*) from assessments').pluck().get() as number;
  t.same(applySeed(app.db), { inserted: 1 });
  const feed = await walkFeed(app);
  t.equal(feed.length, before + 1);
  t.match(feed.at(-1), { entity: 'assessments', action: 'create', actor: 'seed' });
  t.equal(app.db.$client.prepare('select count(*) from assessments').pluck().get(), missing + 1);

  // A link a stored record shows is an update of that record: a new version and its entry, as through the API.
  const link = app.db.$client.prepare('select development_id as id, theme_id as theme from development_themes order by rowid limit 1').get() as { id: string; theme: string };
  const version = () => (getJson(app, `/v1/developments/${link.id}`)).then((r) => r.body.version as number);
  const versionBefore = await version();
  app.db.$client.prepare('delete from development_themes where development_id = ? and theme_id = ?').run(link.id, link.theme);
  t.same(applySeed(app.db), { inserted: 1 });
  const linked = await walkFeed(app);
  t.equal(linked.length, before + 2, 'one entry for the development the link is given back to');
  t.match(linked.at(-1), { entity: 'developments', id: link.id, action: 'update', actor: 'seed', changes: { version: { before: versionBefore, after: versionBefore + 1 } } });
  t.ok((linked.at(-1)!.changes.themes as { after: string[] }).after.includes(link.theme));
  t.equal(await version(), versionBefore + 1);

  // A new alias of a stored state (a release that adds one to seed/states.ts): the state's update, in its history.
  const alias = app.db.$client.prepare("select key, alias from state_aliases where state_code = 'KGZ' and alias <> (select name from states where code = 'KGZ') limit 1").get() as { key: string; alias: string };
  app.db.$client.prepare('delete from state_aliases where key = ?').run(alias.key);
  t.same(applySeed(app.db), { inserted: 1 });
  const history = (await getJson(app, '/v1/states/KGZ/history')).body.data as Change[];
  const last = history.at(-1)!;
  t.match(last, { action: 'update', actor: 'seed' });
  const aliases = last.changes.aliases as { before: string[]; after: string[] };
  t.same(aliases.after.filter((a) => !aliases.before.includes(a)), [alias.alias], 'the alias given back, and nothing else');

  // Rows no record shows (an unused theme of the vocabulary) still make a new revision: what the API shows changed.
  const revision = Number(app.db.$client.prepare("select value from meta where key = 'revision'").pluck().get());
  const entries = (await walkFeed(app)).length;
  const unused = app.db.$client
    .prepare('select id from themes t where not exists (select 1 from recommendation_themes where theme_id = t.id) and not exists (select 1 from development_themes where theme_id = t.id) and not exists (select 1 from statement_themes where theme_id = t.id) limit 1')
    .pluck()
    .get() as string;
  app.db.$client.prepare('delete from themes where id = ?').run(unused);
  t.same(applySeed(app.db), { inserted: 1 });
  t.equal((await walkFeed(app)).length, entries, 'no audit entry for a theme of the vocabulary');
  t.equal(Number(app.db.$client.prepare("select value from meta where key = 'revision'").pluck().get()), revision + 1);
});
