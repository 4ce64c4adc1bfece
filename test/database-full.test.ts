import t from 'tap';
import { isStorageFull } from '../src/db/storage-full.js';
import { count, HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, sqliteOnly } from './helpers.js';

sqliteOnly(t, "SQLite's max_page_count stands in for a full disk");

// A database whose disk is full: a write is answered 507 with a detail that says so (it was a 500, "could not
// answer"), rolled back whole; reads go on; once there is room the same write is made.

const create = (n: number) => ({
  reviewId: 'KGZ-3',
  paragraph: `121.${n}`,
  text: `Guarantee the independence of the judiciary (${n}). ${'Ensure that judges are appointed on merit. '.repeat(80)}`,
  verbatim: true,
  recommendingStates: ['FIN'],
  sources: [HRW_SOURCE],
});

t.test('a write the database has no room for is a 507 that changes nothing; with room again it is made', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const sqlite = app.db.$client;
  const limit = sqlite.pragma('max_page_count', { simple: true }) as number;
  sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true }) as number}`);

  // Free pages may take a few records first: the write that finds none left is the one checked.
  let refused: Awaited<ReturnType<typeof send>> | undefined;
  let n = 0;
  const counts = () => ['recommendations', 'audit_log', 'recommendation_documents'].map((table) => count(app, table));
  let before = counts();
  while (refused === undefined && n < 50) {
    n += 1;
    before = counts();
    const response = await send(app, 'POST', '/v1/recommendations', { key, body: create(n) });
    if (response.response.statusCode !== 201) refused = response;
  }
  t.ok(refused, `a create was refused (create ${n} of at most 50)`);
  t.equal(refused!.response.statusCode, 507);
  t.match(refused!.response.headers['content-type'], /^application\/problem\+json/);
  t.equal(refused!.response.headers['access-control-allow-origin'], '*', 'CORS: a browser script may read it');
  t.match(refused!.body, { status: 507, title: 'Insufficient Storage', detail: /no room left for this write.*Nothing was changed/ });
  t.same(counts(), before, 'no record, audit entry or document of it was written');
  t.equal(sqlite.pragma('integrity_check', { simple: true }), 'ok');

  const read = await getJson(app, '/v1/recommendations?reviewId=KGZ-3&limit=1');
  t.equal(read.response.statusCode, 200, 'reads are answered while the database is full');

  sqlite.pragma(`max_page_count = ${limit}`);
  const retried = await send(app, 'POST', '/v1/recommendations', { key, body: create(n) });
  t.equal(retried.response.statusCode, 201, 'the same write is made once there is room');
  t.equal(retried.body.paragraph, `121.${n}`);
});

t.test('which database errors are a full database', async (t) => {
  for (const code of ['SQLITE_FULL', '53100']) t.ok(isStorageFull(Object.assign(new Error('full'), { code })), code);
  for (const error of [new Error('no code'), Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }), { code: '53200' }, null, 'text']) {
    t.notOk(isStorageFull(error), String((error as { code?: unknown } | null)?.code ?? error));
  }
});
