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

  // Links alone (no audited record) still make a new revision: what the API shows changed.
  const revision = Number(app.db.$client.prepare("select value from meta where key = 'revision'").pluck().get());
  app.db.$client.prepare('delete from development_themes where rowid = (select min(rowid) from development_themes)').run();
  t.same(applySeed(app.db), { inserted: 1 });
  t.equal((await walkFeed(app)).length, before + 1, 'no audit entry for a link');
  t.equal(Number(app.db.$client.prepare("select value from meta where key = 'revision'").pluck().get()), revision + 1);
});
