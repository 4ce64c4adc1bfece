import pg from 'pg';
import t, { type Test } from 'tap';
import { HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, postgresSide } from './helpers.js';

// A cursor is the client's to send back, so one that was tampered with is a 400 naming it, on every list and
// every sort, on both backends: each value of its key must be of the kind the sort's column holds (text
// without a NUL, a whole count, a finite rank). On PostgreSQL a NUL in a key, a string where a rank is compared
// or a fraction or 2^63 where a sequence number is compared were 500s; on SQLite they compared across types
// and answered a wrong page (the change feed's answered an empty page and a cursor it could not resume from).

/** Each list's sorts, the number of values in their keys, and the parameter that takes the cursor. */
const LISTS: { path: string; param: 'cursor' | 'since'; sorts: Record<string, number> }[] = [
  {
    path: '/v1/recommendations',
    param: 'cursor',
    sorts: { paragraph: 3, '-paragraph': 3, updatedAt: 2, '-updatedAt': 2, id: 1, '-id': 1, relevance: 2 },
  },
  { path: '/v1/developments', param: 'cursor', sorts: { date: 2, '-date': 2, id: 1, '-id': 1 } },
  { path: '/v1/assessments', param: 'cursor', sorts: { assessedOn: 2, '-assessedOn': 2, id: 1, '-id': 1 } },
  { path: '/v1/statements', param: 'cursor', sorts: { date: 2, '-date': 2, id: 1, '-id': 1, relevance: 2 } },
  { path: '/v1/sources', param: 'cursor', sorts: { id: 1, '-id': 1 } },
  { path: '/v1/reviews', param: 'cursor', sorts: { id: 1 } },
  { path: '/v1/states', param: 'cursor', sorts: { code: 1 } },
  { path: '/v1/changes', param: 'since', sorts: { seq: 2 } },
  ...['recommendations', 'developments', 'assessments', 'statements', 'reviews', 'states'].map((entity) => ({
    path: `/v1/${entity}/{id}/history`,
    param: 'cursor' as const,
    sorts: { seq: 1 },
  })),
];

/** A cursor as the API makes them, from its JSON text (so that it can hold what JSON.stringify never writes). */
const cursorOf = (json: string) => Buffer.from(json).toString('base64url');

/**
 * The name a list's cursors give their sort: the list's and the sort's (`developments/date`), but the
 * recommendations' and the change feed's, whose cursors were made before lists named theirs (a mirror keeps the
 * feed's), and a history's, which names its kind of record (`reviews/history/seq`).
 */
function cursorSort(path: string, sort: string): string {
  if (path === '/v1/recommendations' || path === '/v1/changes') return sort;
  if (path.endsWith('/history')) return `${path.split('/')[2]}/history/${sort}`;
  return `${path.slice('/v1/'.length)}/${sort}`;
}

/**
 * The URL of a list's page with a sort (the lists of one sort take no sort parameter) and a cursor; a history's
 * of a record that does not exist (a state's id has the shape of a state code).
 */
function urlOf(path: string, sort: string, param: string, cursor: string): string {
  path = path.replace('{id}', path.startsWith('/v1/states/') ? 'XXX' : 'x');
  const query = new URLSearchParams();
  if (sort === 'relevance') query.set('q', path === '/v1/statements' ? 'Askarov' : 'rights'); // words that match several
  if (!['seq', 'code'].includes(sort) && !path.startsWith('/v1/reviews')) query.set('sort', sort);
  query.set(param, cursor);
  return `${path}?${query}`;
}

t.test('every operation that takes a cursor is checked here', async (t) => {
  const app = await buildTestApp(t);
  await app.ready();
  const document = app.swagger() as { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };
  const taking = Object.entries(document.paths)
    .filter(([, operations]) => operations.get?.parameters?.some((p) => p.in === 'query' && ['cursor', 'since'].includes(p.name)))
    .map(([path]) => path)
    .sort();
  t.same(taking, LISTS.map((list) => list.path).sort());
});

t.test('a real cursor of every sort resumes its list', async (t) => {
  const app = await buildTestApp(t);
  for (const { path, param, sorts } of LISTS.filter((list) => !list.path.endsWith('/history'))) {
    for (const [sort, keys] of Object.entries(sorts)) {
      const first = await getJson(app, urlOf(path, sort, 'limit', '1'));
      t.equal(first.response.statusCode, 200, `${path} ${sort}`);
      const cursor = first.body.meta.nextCursor as string | null;
      if (cursor === null) {
        // (The seed holds one review: a cursor before its id resumes with it.)
        t.equal(first.body.meta.total, 1, `${path} ${sort}: one page`);
        const after = await getJson(app, urlOf(path, sort, param, cursorOf(`{"s":"${cursorSort(path, sort)}","k":["A"]}`)));
        t.equal(after.response.statusCode, 200, `${path} ${sort}: a cursor before the first record`);
        t.same(after.body.data, first.body.data, `${path} ${sort}: resumes with it`);
        continue;
      }
      t.equal(JSON.parse(Buffer.from(cursor, 'base64url').toString()).k.length, keys, `${path} ${sort}: its key's values`);
      const next = await getJson(app, `${urlOf(path, sort, param, cursor)}&limit=1`);
      t.equal(next.response.statusCode, 200, `${path} ${sort}: the next page`);
      t.not(next.body.data[0], undefined, `${path} ${sort}: the next page has the second record`);
      t.not(JSON.stringify(next.body.data[0]), JSON.stringify(first.body.data[0]), `${path} ${sort}: not the first again`);
    }
  }
});

t.test('a tampered cursor is a 400 naming it, never a 500 or a wrong page', async (t) => {
  const app = await buildTestApp(t);
  for (const { path, param, sorts } of LISTS) {
    for (const [sort, keys] of Object.entries(sorts)) {
      const numeric = sort === 'seq';
      // The feed's cursor is a position and when its change was written: neither two numbers nor two texts.
      const mixed = path === '/v1/changes';
      const all = (value: string, n = keys) => cursorOf(`{"s":${JSON.stringify(cursorSort(path, sort))},"k":[${Array(n).fill(value).join(',')}]}`);
      const cases: [what: string, cursor: string, refused: boolean][] = [
        ['a NUL in text', all('"a\\u0000b"'), true],
        ['a fraction', all('1.5'), true],
        ['2^63', all('9223372036854775808'), true],
        ['beyond a double', all('1e400'), true],
        ['a negative number', all('-1'), true],
        ['one value too many', all(numeric ? '1' : '"x"', keys + 1), true],
        ['no value', all('"x"', 0), true],
        // A number where the sort compares text, or text where it compares a number.
        ['whole numbers', all('7'), mixed || (!numeric && sort !== 'relevance')],
        ['text', all('"x"'), numeric || sort === 'relevance'],
      ];
      for (const [what, cursor, refused] of cases) {
        const { response, body } = await getJson(app, urlOf(path, sort, param, cursor));
        const label = `${path} ${sort}: ${what}`;
        if (!refused) {
          // (Accepted, the history of a record that does not exist is a 404.)
          t.equal(response.statusCode, path.endsWith('/history') ? 404 : 200, label);
          continue;
        }
        t.equal(response.statusCode, 400, label);
        t.match(response.headers['content-type'], /^application\/problem\+json/, label);
        t.match(body, { status: 400, errors: [{ in: 'query', name: param }] }, label);
      }
    }
  }
});

t.test("another list's cursor is a 400 naming it, not read as this list's keys", async (t) => {
  const app = await buildTestApp(t);
  // A real cursor of every list and sort: its first page's, or (the seed's one review) one made as it makes them.
  const made: { path: string; sort: string; cursor: string }[] = [];
  for (const { path, param, sorts } of LISTS) {
    for (const sort of Object.keys(sorts)) {
      const url = urlOf(path.replace('{id}', path.startsWith('/v1/states/') ? 'KGZ' : path.includes('recommendations') ? 'KGZ-3-FIN-1' : 'KGZ-3'), sort, 'limit', '1');
      if (param === 'since' || path.includes('/history')) {
        const { body } = await getJson(app, url.replace('/v1/developments/KGZ-3', '/v1/developments/kgz-2020-anti-ngo-bill')
          .replace('/v1/assessments/KGZ-3', '/v1/assessments/KGZ-3-FIN-1-2020-09-28').replace('/v1/statements/KGZ-3', '/v1/statements/KGZ-3-HRW-adoption'));
        t.ok(body.meta?.nextCursor !== undefined, `${url}: a page`);
        made.push({ path, sort, cursor: body.meta.nextCursor ?? cursorOf(`{"s":"${cursorSort(path, sort)}","k":[0]}`) });
        continue;
      }
      const { body } = await getJson(app, url);
      made.push({ path, sort, cursor: body.meta.nextCursor ?? cursorOf(`{"s":"${cursorSort(path, sort)}","k":["A"]}`) });
    }
  }
  for (const from of made) {
    for (const { path, param, sorts } of LISTS) {
      for (const sort of Object.keys(sorts)) {
        if (path === from.path && cursorSort(path, sort) === cursorSort(from.path, from.sort)) continue;
        const label = `${from.path} sort=${from.sort}'s cursor on ${path} sort=${sort}`;
        const { response, body } = await getJson(app, urlOf(path, sort, param, from.cursor));
        // (A history of a record that does not exist would be a 404 after the cursor: the cursor is checked first.)
        t.equal(response.statusCode, 400, label);
        t.match(body, { status: 400, errors: [{ in: 'query', name: param }] }, label);
        // Another sort's keys are often of other kinds (a relevance cursor's rank where a date is): the refusal still
        // names the sort the cursor was made for, and what to do, not only "Malformed cursor".
        if (param !== 'cursor') continue; // (the change feed's `since` says what it takes: its own cursor, an instant or a day)
        const madeFor = JSON.stringify(cursorSort(from.path, from.sort));
        t.ok(body.detail.includes(`made for another list or sort (${madeFor}), not "${cursorSort(path, sort)}": send it with the query`), `${label}: ${body.detail}`);
      }
    }
  }
});

const CLIENT_QUERY = pg.Client.prototype.query;

/**
 * Makes `write` commit just before the app's next query whose text matches `pattern` runs, once the queries sent
 * before it have answered (PostgreSQL: every query goes through pg.Client's query); undone when the test ends.
 */
function writeBefore(t: Test, pattern: RegExp, write: () => Promise<void>): { written: number } {
  const query = pg.Client.prototype.query as (...args: unknown[]) => Promise<unknown>;
  const state = { written: 0 };
  let writing = false;
  const sent: Promise<unknown>[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text: string };
    const text = typeof config === 'string' ? config : config.text;
    if (writing || state.written > 0 || !pattern.test(text)) {
      const result = query.apply(this, args);
      if (!writing) sent.push(result);
      return result;
    }
    writing = true;
    state.written += 1;
    return Promise.allSettled(sent)
      .then(write)
      .then(() => {
        writing = false;
        return query.apply(this, args);
      });
  } as typeof pg.Client.prototype.query;
  t.teardown(() => {
    pg.Client.prototype.query = CLIENT_QUERY;
  });
  return state;
}

t.test('PostgreSQL: a page, its total and what it includes come from one snapshot, whatever commits between their queries', async (t) => {
  const app = await buildTestApp(t);
  if (postgresSide(app) === undefined) {
    // (On SQLite a page and its total are read in one synchronous turn on one connection: no write between them.)
    t.pass('SQLite: nothing to interleave');
    return;
  }
  const key = mintKey(app);
  const writeDevelopment = async (title: string) => {
    const created = await send(app, 'POST', '/v1/developments', {
      key,
      body: { stateUnderReview: 'KGZ', title, summary: 'Committed between two queries of one answer.', date: '2021', datePrecision: 'year', direction: 'neutral', recommendationIds: ['KGZ-3-FIN-1'], sources: [HRW_SOURCE] },
    });
    t.equal(created.response.statusCode, 201, title);
  };
  // Read apart, a page and its total showed two states of the data (a development more in meta.total).
  const counted = writeBefore(t, /count\(\*\)[\s\S]*developments/, () => writeDevelopment('Written before the count'));
  const page = await getJson(app, '/v1/developments?limit=500');
  t.equal(counted.written, 1, 'a write came between');
  t.equal(page.body.meta.total, page.body.data.length, 'meta.total counts the records the page lists');
  t.equal(page.body.meta.nextCursor, null);
  // …and a recommendation's developmentCount beside the developments it includes.
  const included = writeBefore(t, /from development_recommendations dr join developments d/, () => writeDevelopment('Written before the include'));
  const withIncludes = await getJson(app, '/v1/recommendations?id=KGZ-3-FIN-1&include=developments&limit=1');
  t.equal(included.written, 1, 'a write came between');
  const [record] = withIncludes.body.data;
  t.equal(record.developments.length, record.developmentCount, 'the developments included are those it counts');
});

t.test('a walk while records are written: every record unchanged meanwhile once; relevance on PostgreSQL too', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  let made = 0;
  const create = async (text: string) => {
    const created = await send(app, 'POST', '/v1/recommendations', {
      key,
      body: { reviewId: 'KGZ-3', paragraph: `998.${++made}`, text, verbatim: false, recommendingStates: ['FIN'] },
    });
    t.equal(created.response.statusCode, 201, `created ${created.body.id}`);
    return created.body as { id: string; version: number };
  };
  // Twelve matches of different lengths, so of different ranks.
  for (let i = 0; i < 12; i++) await create(`Prevent torture ${'and ill-treatment '.repeat(i)}in custody.`);
  const walk = async (query: string, between: (page: { id: string }[]) => Promise<void>) => {
    const met: string[] = [];
    for (let url: string | null = `/v1/recommendations?${query}&limit=2`; url !== null; ) {
      const page = await getJson(app, url);
      t.equal(page.response.statusCode, 200, url);
      met.push(...page.body.data.map((r: { id: string }) => r.id));
      const cursor = page.body.meta.nextCursor as string | null;
      url = cursor === null ? null : `/v1/recommendations?${query}&limit=2&cursor=${cursor}`;
      if (cursor !== null) await between(page.body.data);
    }
    return met;
  };
  const ids = async (query: string) => (await getJson(app, `/v1/recommendations?${query}&limit=500`)).body.data.map((r: { id: string }) => r.id) as string[];
  const once = (met: string[], unchanged: string[], label: string) => {
    t.same(unchanged.filter((id) => met.filter((m) => m === id).length !== 1), [], `${label}: each record unchanged meanwhile met once`);
  };

  // By paragraph, a record added before and one after the cursor, and the record the cursor names deleted: the
  // walk goes on from its keys.
  const before = await ids('stateUnderReview=KGZ');
  let deleted: string | undefined;
  const byParagraph = await walk('stateUnderReview=KGZ', async (page) => {
    await create('Added during the walk.');
    if (deleted === undefined && page.length === 2) {
      deleted = page[1]!.id;
      const { response } = await getJson(app, `/v1/recommendations/${deleted}`);
      const removed = await send(app, 'DELETE', `/v1/recommendations/${deleted}`, { key, headers: { 'if-match': response.headers.etag as string } });
      t.equal(removed.response.statusCode, 204, `deleted ${deleted}, the record the cursor names`);
    }
  });
  once(byParagraph, before.filter((id) => id !== deleted), 'by paragraph');

  // By relevance, a better match added between pages, on PostgreSQL: ts_rank is the record's own. (bm25, SQLite's,
  // weighs a record against all of them, so any write moves every rank and such a walk meets records again or
  // misses them: README, Lists.)
  if (postgresSide(app) === undefined) return;
  const matches = await ids('q=torture');
  const byRelevance = await walk('q=torture', async () => {
    await create('Prevent torture, torture, torture everywhere.');
  });
  once(byRelevance, matches, 'by relevance');
});
