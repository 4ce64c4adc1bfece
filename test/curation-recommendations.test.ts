import t from 'tap';
import { countRows, HRW_SOURCE, mintKey, parseEtag, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { testSql } from './support/test-sql.js';

const NEW = {
  reviewId: 'KGZ-3',
  paragraph: '121.10',
  text: 'Guarantee the independence of the judiciary.',
  verbatim: true,
  recommendingStates: ['FIN', 'ESP'],
  themes: ['human-rights-defenders'],
  sdgs: ['16'],
  affectedPersons: ['human-rights-defenders'],
  sources: [HRW_SOURCE],
};

t.test('recommendations: create → read → update with If-Match → stale 412 → 428 → delete → 404 and tombstone', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'kyrgyz-watch');
  const revisionBefore = await app.dataRevision.current();

  const created = await send(app, 'POST', '/v1/recommendations', { key, body: NEW });
  t.equal(created.response.statusCode, 201);
  t.equal(created.response.headers.location, '/v1/recommendations/KGZ-3-121.10', 'id derived from review and paragraph');
  t.equal(created.body.id, 'KGZ-3-121.10');
  t.equal(created.body.version, 1);
  t.same(
    created.body.recommendingStates.map((s: { id: string }) => s.id),
    ['FIN', 'ESP'],
    'recommending states, by name (Finland, Spain)',
  );
  t.same(
    created.body.themes.filter((x: { source: string }) => x.source !== 'machine'),
    [{ id: 'human-rights-defenders', label: 'Human rights defenders', scheme: 'local', source: 'curated', confidence: null }],
    'the themes given (machine labels besides: test/tagging.test.ts)',
  );
  t.same(created.body.sdgs, [
    { id: '16', label: 'Peace, justice and strong institutions', scheme: 'sdg', source: 'curated', confidence: null },
  ]);
  t.equal(created.body.sources.length, 1);
  t.equal(created.body.sources[0].url, HRW_SOURCE.url);
  t.equal(created.body.sources[0].publishedOn, '2020-07-25');
  t.equal(created.body.implementation, null);
  t.same(created.body.assessments, []);
  const etag1 = parseEtag(created.response.headers.etag);
  t.equal(etag1.version, 1, 'ETag: version 1 (and a digest of what the record shows)');

  const read = await getJson(app, '/v1/recommendations/KGZ-3-121.10');
  t.equal(read.response.statusCode, 200);
  t.same(read.body, created.body, 'the write answered the stored record, as GET shows it');
  t.equal(read.response.headers.etag, created.response.headers.etag);

  const updated = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-121.10', {
    key,
    body: { position: 'supported', positionSource: 'A/HRC/44/9/Add.1', sdgs: ['16', '5'] },
    headers: { 'if-match': created.response.headers.etag as string },
  });
  t.equal(updated.response.statusCode, 200);
  t.equal(updated.body.version, 2);
  t.equal(updated.body.position, 'supported');
  t.same(updated.body.sdgs.map((g: { id: string }) => g.id), ['5', '16']);
  t.equal(updated.body.text, NEW.text, 'fields not given are kept');
  t.ok(updated.body.updatedAt > created.body.updatedAt || updated.body.updatedAt === created.body.updatedAt);
  t.equal(updated.body.createdAt, created.body.createdAt);
  t.equal(parseEtag(updated.response.headers.etag).version, 2);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-121.10')).response.headers.etag, updated.response.headers.etag, 'the ETag a GET answers');

  const stale = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-121.10', {
    key,
    body: { text: 'A lost update.' },
    headers: { 'if-match': created.response.headers.etag as string },
  });
  t.equal(stale.response.statusCode, 412);
  t.match(stale.response.headers['content-type'], /^application\/problem\+json/);
  t.match(stale.body.detail, /version 2/);
  t.equal(parseEtag(stale.response.headers.etag).version, parseEtag(updated.response.headers.etag).version, 'the 412 tells the current version');

  const unconditional = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-121.10', { key, body: { text: 'Blind.' } });
  t.equal(unconditional.response.statusCode, 428);
  t.match(unconditional.body.detail, /If-Match/);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-121.10')).body.text, NEW.text, 'neither changed anything');

  const noDeleteWithoutIfMatch = await send(app, 'DELETE', '/v1/recommendations/KGZ-3-121.10', { key });
  t.equal(noDeleteWithoutIfMatch.response.statusCode, 428);
  const staleDelete = await send(app, 'DELETE', '/v1/recommendations/KGZ-3-121.10', {
    key,
    headers: { 'if-match': '"v1-r1"' },
  });
  t.equal(staleDelete.response.statusCode, 412);

  const deleted = await send(app, 'DELETE', '/v1/recommendations/KGZ-3-121.10', {
    key,
    headers: { 'if-match': updated.response.headers.etag as string },
  });
  t.equal(deleted.response.statusCode, 204);
  t.equal(deleted.response.body, '');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-121.10')).response.statusCode, 404);
  t.equal(await countRows(app, 'recommendation_states', "recommendation_id = 'KGZ-3-121.10'"), 0, 'its links went with it');
  // FTS5's integrity check compares the index with the recommendations table: the entry went too. (On
  // PostgreSQL the search vector is a generated column of the row itself: it cannot outlive it.)
  const sql = testSql(app);
  if (sql.backend === 'sqlite') {
    const ftsCheck = "insert into recommendations_fts (recommendations_fts, rank) values ('integrity-check', 1)";
    await t.resolves(sql.run(ftsCheck), 'and its full-text entry');
  }
  t.equal(await countRows(app, 'sources', 'url = ?', [HRW_SOURCE.url]), 1, 'its source stays');

  const history = await getJson(app, '/v1/recommendations/KGZ-3-121.10/history');
  t.equal(history.response.statusCode, 200, 'a deleted record keeps its history');
  t.same(
    history.body.data.map((c: { action: string }) => c.action),
    ['create', 'update', 'delete'],
  );
  t.ok(history.body.data.every((c: { actor: string }) => c.actor === 'kyrgyz-watch'), 'attributed to the key name');
  const [create, update, tombstone] = history.body.data;
  t.same(create.changes.text, { before: null, after: NEW.text });
  t.same(create.changes.recommendingStates, { before: null, after: ['ESP', 'FIN'] });
  t.same(update.changes, {
    position: { before: null, after: 'supported' },
    positionSource: { before: null, after: 'A/HRC/44/9/Add.1' },
    sdgs: { before: [16], after: [5, 16] },
    version: { before: 1, after: 2 },
  });
  t.same(tombstone.changes.text, { before: NEW.text, after: null }, 'the tombstone keeps the last text');
  t.same(tombstone.changes.position, { before: 'supported', after: null });
  t.same(tombstone.changes.version, { before: 2, after: null });
  t.equal(tombstone.revision, revisionBefore + 3);
  t.same(history.body.meta, { total: 3, limit: 50, nextCursor: null });

  const feed = await getJson(app, '/v1/changes?entity=recommendations&limit=500');
  t.same(
    feed.body.data.filter((c: { actor: string }) => c.actor !== 'seed').map((c: { id: string; action: string }) => `${c.action} ${c.id}`),
    ['create KGZ-3-121.10', 'update KGZ-3-121.10', 'delete KGZ-3-121.10'],
    'the change feed has the deletion too',
  );
});

t.test('recommendations: ids', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const base = { reviewId: 'KGZ-3', text: 'Ratify the Optional Protocol.', verbatim: false, recommendingStates: ['GBR'] };

  const chosen = await send(app, 'POST', '/v1/recommendations', { key, body: { ...base, id: 'my-data-set.r~1' } });
  t.equal(chosen.response.statusCode, 201);
  t.equal(chosen.body.id, 'my-data-set.r~1', 'a client id is kept');

  const generated = await send(app, 'POST', '/v1/recommendations', { key, body: base });
  t.match(generated.body.id, /^KGZ-3-[0-9a-f]{8}$/, 'without id or paragraph: the review and a random part');
  t.equal(generated.body.paragraph, null);
  const another = await send(app, 'POST', '/v1/recommendations', { key, body: base });
  t.not(another.body.id, generated.body.id);

  const printed = await send(app, 'POST', '/v1/recommendations', { key, body: { ...base, paragraph: '6.1 (a)' } });
  t.equal(printed.body.id, 'KGZ-3-6.1-a', 'the paragraph made URL-safe');
  t.equal(printed.body.paragraph, '6.1 (a)', 'and kept as printed');

  const takenParagraph = await send(app, 'POST', '/v1/recommendations', { key, body: { ...base, paragraph: '6.1 (a)' } });
  t.equal(takenParagraph.response.statusCode, 409);
  t.match(takenParagraph.body.detail, /KGZ-3-6\.1-a.*already exists/);
  const takenId = await send(app, 'POST', '/v1/recommendations', { key, body: { ...base, id: 'KGZ-3-FIN-1' } });
  t.equal(takenId.response.statusCode, 409);

  for (const id of ['-leading-dash', 'has space', 'slash/inside', 'ünïcode', 'x'.repeat(201)]) {
    const bad = await send(app, 'POST', '/v1/recommendations', { key, body: { ...base, id } });
    t.equal(bad.response.statusCode, 400, `id ${JSON.stringify(id).slice(0, 20)} is refused`);
    t.same(bad.body.errors.map((e: { name: string }) => e.name), ['id']);
  }
});

t.test('recommendations: paragraph order is maintained by writes', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const base = { reviewId: 'KGZ-3', text: 'Text.', verbatim: false, recommendingStates: ['GBR'] };
  for (const paragraph of ['121.10', '121.9', '121.1']) {
    await send(app, 'POST', '/v1/recommendations', { key, body: { ...base, paragraph } });
  }
  const order = async () =>
    (await getJson(app, '/v1/recommendations?reviewId=KGZ-3&limit=3')).body.data.map((r: { id: string }) => r.id);
  t.same(await order(), ['KGZ-3-121.1', 'KGZ-3-121.9', 'KGZ-3-121.10']);
  const moved = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-121.1', {
    key,
    body: { paragraph: '121.20' },
    headers: { 'if-match': '*' },
  });
  t.equal(moved.response.statusCode, 200);
  t.same(await order(), ['KGZ-3-121.9', 'KGZ-3-121.10', 'KGZ-3-121.1'], 'a new paragraph moves it');
  const unknown = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-121.9', {
    key,
    body: { paragraph: null },
    headers: { 'if-match': '*' },
  });
  t.equal(unknown.body.paragraph, null);
  const all = (await getJson(app, '/v1/recommendations?reviewId=KGZ-3&limit=500')).body.data.map((r: { id: string }) => r.id);
  t.same(all.slice(0, 2), ['KGZ-3-121.10', 'KGZ-3-121.1'], 'numbered paragraphs first');
  t.ok(all.indexOf('KGZ-3-121.9') > 1, 'the one without a paragraph among the unnumbered');
});

t.test('recommendations: referential and consistency errors are 422 naming each field, and leave nothing', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const revision = await app.dataRevision.current();
  const recommendations = await countRows(app, 'recommendations');
  const sources = await countRows(app, 'sources');

  const bad = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: {
      reviewId: 'KGZ-9',
      text: 'Text.',
      verbatim: false,
      recommendingStates: ['FIN', 'XXX'],
      position: 'noted',
      themes: ['no-such-theme'],
      sdgs: ['16'],
      affectedPersons: ['nobody-at-all'],
      sources: [{ ...HRW_SOURCE, url: 'https://example.org/not-stored' }],
    },
  });
  t.equal(bad.response.statusCode, 422);
  t.match(bad.response.headers['content-type'], /^application\/problem\+json/);
  t.same(
    bad.body.errors.map((e: { name: string }) => e.name),
    ['reviewId', 'recommendingStates', 'positionSource', 'themes', 'affectedPersons'],
  );
  t.ok(bad.body.errors.every((e: { in: string }) => e.in === 'body'));
  t.match(bad.body.errors[1].message, /XXX/);
  t.match(bad.body.errors[3].message, /no-such-theme.*GET \/v1\/themes/);
  t.equal(await app.dataRevision.current(), revision, 'the revision did not move');
  t.equal(await countRows(app, 'recommendations'), recommendations);
  t.equal(await countRows(app, 'sources'), sources, 'the source was not stored either');
  t.equal(await countRows(app, 'audit_log', "actor <> 'seed'"), 0);

  const toItself = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'KGZ-3', text: 'Text.', verbatim: false, recommendingStates: ['KGZ'] },
  });
  t.equal(toItself.response.statusCode, 422);
  t.match(toItself.body.errors[0], { name: 'recommendingStates', message: /KGZ is the state under review/ });

  const patchBad = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', {
    key,
    body: { position: 'supported', sdgs: ['16'], themes: ['nope'] },
    headers: { 'if-match': '*' },
  });
  t.equal(patchBad.response.statusCode, 422, 'a position without its source, on the merged record');
  t.same(patchBad.body.errors.map((e: { name: string }) => e.name), ['positionSource', 'themes']);
  const stillUnknown = (await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).body;
  t.equal(stillUnknown.position, null);
  t.equal(stillUnknown.version, 1);

  const clearSource = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-ESP-1', {
    key,
    body: { positionSource: null },
    headers: { 'if-match': '*' },
  });
  t.equal(clearSource.response.statusCode, 422, "a stored position keeps needing its source");
});

t.test('recommendations: body validation is 400 naming each field', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const base = { reviewId: 'KGZ-3', text: 'Text.', verbatim: false, recommendingStates: ['FIN'] };
  const cases: [string, unknown, string[]][] = [
    ['an unknown field', { ...base, colour: 'blue' }, ['colour']],
    ['a missing field', { reviewId: 'KGZ-3', text: 'Text.', recommendingStates: ['FIN'] }, ['verbatim']],
    ['a text too long', { ...base, text: 'x'.repeat(10_001) }, ['text']],
    ['an empty text', { ...base, text: '   ' }, ['text']],
    ['no recommending state', { ...base, recommendingStates: [] }, ['recommendingStates']],
    ['a state listed twice', { ...base, recommendingStates: ['FIN', 'FIN'] }, ['recommendingStates']],
    ['a lower-case code', { ...base, recommendingStates: ['fin'] }, ['recommendingStates']],
    ['too many themes', { ...base, themes: Array.from({ length: 51 }, (_, i) => `t${i}`) }, ['themes']],
    ['an SDG out of range', { ...base, sdgs: ['18'] }, ['sdgs']],
    ['an SDG as a number', { ...base, sdgs: [16] }, ['sdgs']],
    ['two sources for the text', { ...base, sources: [HRW_SOURCE, { ...HRW_SOURCE, url: 'https://example.org/2' }] }, ['sources']],
    ['an unknown position', { ...base, position: 'maybe' }, ['position']],
    ['a source without URL', { ...base, sources: [{ title: 'T', publisher: 'P' }] }, ['sources.0.url']],
    ['a source URL that is not http', { ...base, sources: [{ ...HRW_SOURCE, url: 'ftp://example.org/x' }] }, ['sources.0.url']],
    ['a source with an unknown field', { ...base, sources: [{ ...HRW_SOURCE, id: 'x' }] }, ['sources.0.id']],
  ];
  for (const [what, body, names] of cases) {
    const { response, body: problem } = await send(app, 'POST', '/v1/recommendations', { key, body });
    t.equal(response.statusCode, 400, what);
    t.same(problem.errors.map((e: { name: string }) => e.name), names, `${what}: ${JSON.stringify(problem.errors)}`);
  }
  const empty = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', { key, body: {}, headers: { 'if-match': '*' } });
  t.equal(empty.response.statusCode, 400);
  t.match(empty.body.detail, /at least one field/);
  const notJson = await app.inject({
    method: 'POST',
    url: '/v1/recommendations',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
    payload: 'text',
  });
  t.equal(notJson.statusCode, 415);
  t.match(notJson.headers['content-type'], /^application\/problem\+json/);
  const broken = await app.inject({
    method: 'POST',
    url: '/v1/recommendations',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    payload: '{"reviewId": ',
  });
  t.equal(broken.statusCode, 400);
  t.equal(await countRows(app, 'audit_log', "actor <> 'seed'"), 0);
});

t.test('recommendations: changes, merge patches, no-op updates and deletion guards', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);

  const etag = (await app.inject('/v1/recommendations/KGZ-3-USA-1')).headers.etag as string;
  const mergePatch = await app.inject({
    method: 'PATCH',
    url: '/v1/recommendations/KGZ-3-USA-1',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/merge-patch+json', 'if-match': etag },
    payload: JSON.stringify({ themes: ['human-rights-defenders'], affectedPersons: [], recommendingStates: ['USA', 'CAN'] }),
  });
  t.equal(mergePatch.statusCode, 200, 'application/merge-patch+json is accepted');
  const patched = mergePatch.json();
  t.same(patched.themes.map((x: { id: string }) => x.id), ['human-rights-defenders'], 'lists are replaced whole');
  t.same(patched.affectedPersons, []);
  t.same(patched.recommendingStates.map((s: { id: string }) => s.id).sort(), ['CAN', 'USA']);
  t.equal(patched.version, 2);

  const revision = await app.dataRevision.current();
  const audits = await countRows(app, 'audit_log', "actor <> 'seed'");
  const same = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-USA-1', {
    key,
    body: { text: patched.text, recommendingStates: ['CAN', 'USA'] },
    headers: { 'if-match': mergePatch.headers.etag as string },
  });
  t.equal(same.response.statusCode, 200);
  t.equal(same.body.version, 2, 'a change to the same values is no new version');
  t.equal(await app.dataRevision.current(), revision, 'nor a new revision');
  t.equal(await countRows(app, 'audit_log', "actor <> 'seed'"), audits, 'nor an audit entry');
  t.equal(same.response.headers.etag, mergePatch.headers.etag);

  const newSource = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-USA-1', {
    key,
    body: { sources: [{ ...HRW_SOURCE, title: 'A better title', publishedOn: null }] },
    headers: { 'if-match': '*' },
  });
  t.equal(newSource.body.sources[0].title, 'A better title');
  t.equal(newSource.body.sources[0].publishedOn, null);
  const reused = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-USA-2', {
    key,
    body: { sources: [{ ...HRW_SOURCE, title: 'The best title' }] },
    headers: { 'if-match': '*' },
  });
  t.equal(reused.body.sources[0].id, newSource.body.sources[0].id, 'a source is found by its URL');
  t.equal(reused.body.sources[0].publishedOn, '2020-07-25', 'and completed');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-USA-1')).body.sources[0].title, 'The best title', 'for all');
  const sourceChanges = (await getJson(app, '/v1/changes?entity=sources&limit=500')).body.data.filter(
    (c: { actor: string }) => c.actor !== 'seed',
  );
  t.same(
    sourceChanges.map((c: { action: string }) => c.action),
    ['create', 'update'],
    'the source is audited: created, then its title and date changed',
  );
  t.same(sourceChanges[1].changes, {
    title: { before: 'A better title', after: 'The best title' },
    publishedOn: { before: null, after: '2020-07-25' },
    publishedOnPrecision: { before: null, after: 'day' },
  });
  const unsourced = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-USA-2', {
    key,
    body: { sources: [] },
    headers: { 'if-match': '*' },
  });
  t.same(unsourced.body.sources, []);

  const moved = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-USA-3', {
    key,
    body: { reviewId: 'no-such-review' },
    headers: { 'if-match': '*' },
  });
  t.equal(moved.response.statusCode, 422);

  for (const [id, why] of [
    ['KGZ-3-FIN-1', /1 assessment\(s\) and 3 linked development\(s\)/],
    ['KGZ-3-GBR-3', /0 assessment\(s\) and 1 linked development\(s\)/],
  ] as const) {
    const refused = await send(app, 'DELETE', `/v1/recommendations/${id}`, { key, headers: { 'if-match': '*' } });
    t.equal(refused.response.statusCode, 409, `${id} is still referred to`);
    t.match(refused.body.detail, why);
    t.equal((await getJson(app, `/v1/recommendations/${id}`)).response.statusCode, 200);
  }
  const missing = await send(app, 'PATCH', '/v1/recommendations/nope', { key, body: { text: 'x' }, headers: { 'if-match': '*' } });
  t.equal(missing.response.statusCode, 404);
  const missingDelete = await send(app, 'DELETE', '/v1/recommendations/nope', { key, headers: { 'if-match': '*' } });
  t.equal(missingDelete.response.statusCode, 404);
});

t.test('recommendations: a move to a review of another state is refused while developments of its state are linked to it', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  const review = await send(app, 'POST', '/v1/reviews', { key, body: { stateUnderReview: 'SWE', cycle: 3 } });
  t.equal(review.response.statusCode, 201);
  const before = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');

  const refused = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', { key, body: { reviewId: 'SWE-3' }, headers: { 'if-match': '*' } });
  t.equal(refused.response.statusCode, 422, 'was 200: a recommendation to Sweden with three developments of Kyrgyzstan');
  t.same(refused.body.errors.map((e: { name: string }) => e.name), ['reviewId']);
  t.match(refused.body.errors[0].message, /3 linked development\(s\) that happened in another state than SWE: kgz-2016-hrc-askarov-decision \(KGZ\)/);
  const after = await getJson(app, '/v1/recommendations/KGZ-3-FIN-1');
  t.equal(after.body.reviewId, 'KGZ-3', 'nothing changed');
  t.equal(after.response.headers.etag, before.response.headers.etag);

  const kgz1 = await send(app, 'POST', '/v1/reviews', { key, body: { stateUnderReview: 'KGZ', cycle: 1 } });
  t.equal(kgz1.response.statusCode, 201);
  const sameState = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-FIN-1', { key, body: { reviewId: 'KGZ-1' }, headers: { 'if-match': '*' } });
  t.equal(sameState.response.statusCode, 200, 'a review of the same state takes it with its developments');
  t.equal(sameState.body.reviewId, 'KGZ-1');

  const unlinked = await getJson(app, '/v1/recommendations/KGZ-3-USA-1');
  t.equal(unlinked.body.developmentCount, 0);
  const otherState = await send(app, 'PATCH', '/v1/recommendations/KGZ-3-USA-1', { key, body: { reviewId: 'SWE-3' }, headers: { 'if-match': '*' } });
  t.equal(otherState.response.statusCode, 200, 'one without linked developments moves');
  t.equal(otherState.body.stateUnderReview.id, 'SWE');
});

t.test('recommendations: a create answers the record as GET does, its recurrence included', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  t.equal((await send(app, 'POST', '/v1/reviews', { key, body: { stateUnderReview: 'KGZ', cycle: 2 } })).response.statusCode, 201);
  const text = 'Release the human rights defender Azimjon Askarov and ensure a fair retrial in line with international standards';
  const earlier = await send(app, 'POST', '/v1/recommendations', { key, body: { reviewId: 'KGZ-2', text, verbatim: false, recommendingStates: ['FIN'] } });
  t.equal(earlier.response.statusCode, 201);
  const headers = { 'idempotency-key': 'again-1' };
  const body = { reviewId: 'KGZ-3', text, verbatim: false, recommendingStates: ['SWE'] };
  const created = await send(app, 'POST', '/v1/recommendations', { key, body, headers });
  t.equal(created.response.statusCode, 201);
  t.same(created.body.recurrence, { count: 1, earliestCycle: 2 }, 'was count 0 on SQLite: read before the write related it');
  const read = await getJson(app, created.response.headers.location as string);
  t.same(created.body, read.body, 'as GET shows it');
  t.equal(created.response.headers.etag, read.response.headers.etag);
  const replayed = await send(app, 'POST', '/v1/recommendations', { key, body, headers });
  t.same(replayed.body, read.body, 'and as a retry of its Idempotency-Key answers it');
});

t.test('recommendations: a text with the word "constructor" is stored and related like any other', async (t) => {
  // Words were looked up in a plain object: "constructor" found Object's, and relating the text threw (a 500).
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write');
  const text = 'Protect the rights of workers hired by every building constructor and subcontractor';
  for (const recommendingStates of [['FIN'], ['SWE']]) {
    const created = await send(app, 'POST', '/v1/recommendations', { key, body: { reviewId: 'KGZ-3', text, verbatim: false, recommendingStates } });
    t.equal(created.response.statusCode, 201, recommendingStates.join());
  }
  const { termsOf } = await import('../src/related/terms.js');
  t.same(termsOf(text), ['protec', 'right', 'worker', 'hired', 'every', 'build', 'constr', 'subcon'], 'every term a word');
});
