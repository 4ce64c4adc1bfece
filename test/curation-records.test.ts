import { createHash } from 'node:crypto';
import t from 'tap';
import { countRows, HRW_SOURCE, mintKey, parseEtag, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { testSql } from './support/test-sql.js';

// Assessments, statements, reviews and states: their writes, and the ETags of every record's GET.

t.test('assessments: GET, create, update, delete; the latest is the implementation status', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);

  const seeded = await getJson(app, '/v1/assessments/KGZ-3-FIN-1-2020-09-28');
  t.equal(seeded.response.statusCode, 200);
  t.match(seeded.body, { recommendationId: 'KGZ-3-FIN-1', status: 'not_implemented', assessedOn: '2020-09-28', version: 1 });
  t.match(seeded.body.sources[0].url, /hrw\.org/);
  t.equal((await getJson(app, '/v1/assessments/nope')).response.statusCode, 404);

  const body = {
    recommendationId: 'KGZ-3-GBR-1',
    status: 'partially_implemented',
    assessedOn: '2021-03-01',
    rationale: 'Parliament ratified the protocol in part.',
    sources: [HRW_SOURCE],
  };
  const created = await send(app, 'POST', '/v1/assessments', { key, body });
  t.equal(created.response.statusCode, 201);
  t.match(created.body.id, /^KGZ-3-GBR-1-2021-03-01-[0-9a-f]{8}$/);
  t.equal(created.response.headers.location, `/v1/assessments/${created.body.id}`);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-GBR-1')).body.implementation, 'partially_implemented');

  const later = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { ...body, id: 'gbr-1-implemented', status: 'implemented', assessedOn: '2022-01-10' },
  });
  t.equal(later.body.id, 'gbr-1-implemented');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-GBR-1')).body.implementation, 'implemented', 'the latest counts');

  const corrected = await send(app, 'PATCH', '/v1/assessments/gbr-1-implemented', {
    key,
    body: { assessedOn: '2020-01-10', rationale: 'Dated wrongly.', sources: [{ ...HRW_SOURCE, url: 'https://example.org/a' }] },
    headers: { 'if-match': later.response.headers.etag as string },
  });
  t.equal(corrected.response.statusCode, 200);
  t.equal(corrected.body.version, 2);
  t.equal(corrected.body.sources[0].url, 'https://example.org/a');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-GBR-1')).body.implementation, 'partially_implemented');

  const problems = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { ...body, recommendationId: 'nope', assessedOn: '2999-01-01' },
  });
  t.equal(problems.response.statusCode, 422);
  t.same(problems.body.errors.map((e: { name: string }) => e.name), ['recommendationId', 'assessedOn']);
  const badDate = await send(app, 'POST', '/v1/assessments', { key, body: { ...body, assessedOn: '2021-02-30' } });
  t.equal(badDate.response.statusCode, 400, 'a calendar date that does not exist');
  const patchProblem = await send(app, 'PATCH', '/v1/assessments/gbr-1-implemented', {
    key,
    body: { recommendationId: 'nope' },
    headers: { 'if-match': '*' },
  });
  t.equal(patchProblem.response.statusCode, 422);

  const deleted = await send(app, 'DELETE', '/v1/assessments/gbr-1-implemented', {
    key,
    headers: { 'if-match': corrected.response.headers.etag as string },
  });
  t.equal(deleted.response.statusCode, 204);
  t.equal((await getJson(app, '/v1/assessments/gbr-1-implemented')).response.statusCode, 404);
  t.same(
    (await getJson(app, '/v1/assessments/gbr-1-implemented/history')).body.data.map((c: { action: string }) => c.action),
    ['create', 'update', 'delete'],
  );
  const gone = await send(app, 'DELETE', '/v1/assessments/gbr-1-implemented', { key, headers: { 'if-match': '*' } });
  t.equal(gone.response.statusCode, 404);
});

t.test('statements: a state or an organization speaks', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const body = {
    reviewId: 'KGZ-3',
    speaker: { type: 'organization', name: 'Amnesty International' },
    stage: 'adoption',
    date: '2020-09',
    datePrecision: 'month',
    summary: 'Called for an independent investigation.',
    themes: ['human-rights-defenders'],
    sources: [HRW_SOURCE],
  };
  const created = await send(app, 'POST', '/v1/statements', { key, body });
  t.equal(created.response.statusCode, 201);
  t.match(created.body.id, /^KGZ-3-[0-9a-f]{8}$/);
  t.same(created.body.speaker, { type: 'organization', id: null, name: 'Amnesty International' });
  t.same(created.body.themes.map((x: { id: string }) => x.id), ['human-rights-defenders']);

  const asState = await send(app, 'PATCH', `/v1/statements/${created.body.id}`, {
    key,
    body: { speaker: { type: 'state', id: 'IRL' }, themes: [] },
    headers: { 'if-match': created.response.headers.etag as string },
  });
  t.equal(asState.response.statusCode, 200);
  t.same(asState.body.speaker, { type: 'state', id: 'IRL', name: 'Ireland' });
  t.same(asState.body.themes, []);
  const history = (await getJson(app, `/v1/statements/${created.body.id}/history`)).body.data;
  t.same(history[1].changes.speaker, {
    before: { type: 'organization', name: 'Amnesty International' },
    after: { type: 'state', id: 'IRL' },
  });

  const themesOnly = await send(app, 'PATCH', `/v1/statements/${created.body.id}`, {
    key,
    body: { themes: ['human-rights-defenders'] },
    headers: { 'if-match': '*' },
  });
  t.equal(themesOnly.body.version, 3);
  const dated = await send(app, 'PATCH', `/v1/statements/${created.body.id}`, {
    key,
    body: { date: '2020-09-24', datePrecision: 'day', sources: [{ ...HRW_SOURCE, url: 'https://example.org/s' }] },
    headers: { 'if-match': '*' },
  });
  t.equal(dated.body.date, '2020-09-24');
  t.equal(dated.body.sources[0].url, 'https://example.org/s');

  const problems = await send(app, 'POST', '/v1/statements', {
    key,
    body: { ...body, reviewId: 'XYZ-1', speaker: { type: 'state', id: 'XXX' }, date: '2020-13', themes: ['x'] },
  });
  t.equal(problems.response.statusCode, 422);
  t.same(problems.body.errors.map((e: { name: string }) => e.name), ['reviewId', 'speaker.id', 'date', 'themes']);
  const both = await send(app, 'POST', '/v1/statements', {
    key,
    body: { ...body, speaker: { type: 'state', id: 'IRL', name: 'Ireland' } },
  });
  t.equal(both.response.statusCode, 400, 'a state speaker has an id only');
  const patchProblems = await send(app, 'PATCH', `/v1/statements/${created.body.id}`, {
    key,
    body: { datePrecision: 'year' },
    headers: { 'if-match': '*' },
  });
  t.equal(patchProblems.response.statusCode, 422);

  const chosen = await send(app, 'POST', '/v1/statements', {
    key,
    body: { ...body, id: 'amnesty-adoption', sources: [{ title: 'Undated', publisher: 'Amnesty International', url: 'https://example.org/undated' }] },
  });
  t.equal(chosen.body.id, 'amnesty-adoption');
  t.equal(chosen.body.sources[0].publishedOn, null, 'a source without a date has none');

  const deleted = await send(app, 'DELETE', `/v1/statements/${created.body.id}`, { key, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204);
  t.equal(await countRows(app, 'statement_themes', 'statement_id = ?', [created.body.id]), 0);
  t.equal((await send(app, 'DELETE', `/v1/statements/${created.body.id}`, { key, headers: { 'if-match': '*' } })).response.statusCode, 404);
});

t.test('reviews (admin): the id is the state and the cycle', async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin', 'editors');

  const created = await send(app, 'POST', '/v1/reviews', {
    key: admin,
    body: {
      stateUnderReview: 'KGZ',
      cycle: 4,
      session: 49,
      dialogueDate: '2025-01-20',
      reportSymbol: 'A/HRC/59/1',
      sources: [HRW_SOURCE],
    },
  });
  t.equal(created.response.statusCode, 201);
  t.equal(created.body.id, 'KGZ-4');
  t.equal(created.response.headers.location, '/v1/reviews/KGZ-4');
  t.equal(created.body.recommendationCount, 0);
  t.same(created.body.sources.map((s: { url: string }) => s.url), [HRW_SOURCE.url]);
  t.match((await getJson(app, '/v1/states/KGZ')).body.reviewIds, ['KGZ-3', 'KGZ-4']);

  const again = await send(app, 'POST', '/v1/reviews', { key: admin, body: { stateUnderReview: 'KGZ', cycle: 4 } });
  t.equal(again.response.statusCode, 409);

  const adopted = await send(app, 'PATCH', '/v1/reviews/KGZ-4', {
    key: admin,
    body: { adoptionSession: 59, adoptionDate: '2025-07', adoptionDatePrecision: 'month', sources: [], session: 48 },
    headers: { 'if-match': created.response.headers.etag as string },
  });
  t.equal(adopted.response.statusCode, 200);
  t.match(adopted.body, { adoptionDate: '2025-07', adoptionDatePrecision: 'month', session: 48, version: 2, sources: [] });

  const errors = async (body: unknown, method = 'POST', url = '/v1/reviews') => {
    const { response, body: problem } = await send(app, method, url, { key: admin, body, headers: { 'if-match': '*' } });
    t.equal(response.statusCode, 422, JSON.stringify(body));
    return problem.errors.map((e: { name: string }) => e.name);
  };
  t.same(await errors({ stateUnderReview: 'XXX', cycle: 1, dialogueDate: '2999-01-01' }), ['stateUnderReview', 'dialogueDate']);
  t.same(await errors({ stateUnderReview: 'FIN', cycle: 1, adoptionDate: '2010' }), ['adoptionDatePrecision']);
  t.same(await errors({ stateUnderReview: 'FIN', cycle: 1, adoptionDate: '2010', adoptionDatePrecision: 'month' }), ['adoptionDate']);
  t.same(await errors({ adoptionDatePrecision: 'day' }, 'PATCH', '/v1/reviews/KGZ-4'), ['adoptionDate']);
  t.same(await errors({ adoptionDate: null }, 'PATCH', '/v1/reviews/KGZ-4'), ['adoptionDatePrecision']);
  const cycleChange = await send(app, 'PATCH', '/v1/reviews/KGZ-4', { key: admin, body: { cycle: 2 }, headers: { 'if-match': '*' } });
  t.equal(cycleChange.response.statusCode, 400, 'the cycle makes the id and does not change');

  // The id in any case, as GET takes it (PATCH and DELETE of kgz-4 were 404s).
  const symbol = await send(app, 'PATCH', '/v1/reviews/kgz-4', { key: admin, body: { reportSymbol: 'A/HRC/59/2' }, headers: { 'if-match': '*' } });
  t.match(symbol.body, { id: 'KGZ-4', reportSymbol: 'A/HRC/59/2', session: 48, version: 3 }, 'other fields are kept');
  t.equal((await send(app, 'PATCH', '/v1/reviews/KGZ-9', { key: admin, body: { session: 1 }, headers: { 'if-match': '*' } })).response.statusCode, 404);
  t.equal((await send(app, 'DELETE', '/v1/reviews/KGZ-9', { key: admin, headers: { 'if-match': '*' } })).response.statusCode, 404);

  const inUse = await send(app, 'DELETE', '/v1/reviews/KGZ-3', { key: admin, headers: { 'if-match': '*' } });
  t.equal(inUse.response.statusCode, 409);
  t.match(inUse.body.detail, /8 recommendations, 8 developments, 4 statements/);
  const deleted = await send(app, 'DELETE', '/v1/reviews/Kgz-4', { key: admin, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204);
  t.equal(await countRows(app, 'review_sources', "review_id = 'KGZ-4'"), 0);
});

t.test('states (admin): names and aliases resolve to one state only', async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin');

  const created = await send(app, 'POST', '/v1/states', {
    key: admin,
    body: { id: 'XKX', name: 'Kosovo', unMember: false, aliases: ['Kosova', 'Republic of Kosovo'] },
  });
  t.equal(created.response.statusCode, 201);
  t.equal(created.response.headers.location, '/v1/states/XKX');
  t.match(created.body, { id: 'XKX', name: 'Kosovo', regionalGroup: null, unMember: false, version: 1 });
  t.same(created.body.aliases, ['Kosova', 'Republic of Kosovo']);
  t.same((await getJson(app, '/v1/states?name=kosova')).body.data.map((s: { id: string }) => s.id), ['XKX']);

  const renamed = await send(app, 'PATCH', '/v1/states/xkx', {
    key: admin,
    body: { name: 'Kosova (Republic)', regionalGroup: 'Eastern European' },
    headers: { 'if-match': created.response.headers.etag as string },
  });
  t.equal(renamed.response.statusCode, 200, 'the code is case-insensitive');
  t.same(renamed.body.aliases, ['Kosova', 'Kosovo', 'Republic of Kosovo'], 'the old name stays a spelling');
  t.equal(renamed.body.version, 2);
  const replaced = await send(app, 'PATCH', '/v1/states/XKX', {
    key: admin,
    body: { aliases: ['Kosovo'] },
    headers: { 'if-match': '*' },
  });
  t.same(replaced.body.aliases, ['Kosovo'], 'a list of aliases replaces the stored ones');
  t.same((await getJson(app, '/v1/states?name=Republic%20of%20Kosovo')).body.data, []);
  const unMember = await send(app, 'PATCH', '/v1/states/XKX', { key: admin, body: { unMember: true }, headers: { 'if-match': '*' } });
  t.equal(unMember.body.unMember, true);

  const taken = await send(app, 'POST', '/v1/states', {
    key: admin,
    body: { id: 'XXA', name: 'Kyrgyz Republic', unMember: false, aliases: ['kyrgysztan', 'Elsewhere'] },
  });
  t.equal(taken.response.statusCode, 422);
  t.same(taken.body.errors.map((e: { name: string; message: string }) => `${e.name}: ${e.message}`), [
    'name: "Kyrgyz Republic" already names KGZ',
    'aliases: "kyrgysztan" already names KGZ',
  ]);
  // Another state's code is not a spelling of this one: files and filters give codes.
  const code = await send(app, 'PATCH', '/v1/states/XKX', { key: admin, body: { aliases: ['Kosovo', 'fin'] }, headers: { 'if-match': '*' } });
  t.equal(code.response.statusCode, 422);
  t.same(code.body.errors, [{ in: 'body', name: 'aliases', message: '"fin" already names FIN' }]);
  t.same((await getJson(app, '/v1/states/XKX')).body.aliases, ['Kosovo'], 'nothing changed');
  const blank = await send(app, 'POST', '/v1/states', { key: admin, body: { id: 'XXB', name: '...', unMember: false } });
  t.equal(blank.response.statusCode, 400);
  // Names are matched by their Latin letters and digits: a name in another script is refused saying so.
  const cyrillic = await send(app, 'PATCH', '/v1/states/XKX', { key: admin, body: { aliases: ['Косово'] }, headers: { 'if-match': '*' } });
  t.equal(cyrillic.response.statusCode, 400);
  t.match(cyrillic.body.errors, [{ in: 'body', name: 'aliases', message: /^Give a name with at least one Latin letter or digit: names are matched by/ }]);
  // Nor is a new state's code another state's spelling: UAE (ARE's) would name two states.
  const aliasCode = await send(app, 'POST', '/v1/states', { key: admin, body: { id: 'UAE', name: 'Somewhere Else', unMember: false } });
  t.equal(aliasCode.response.statusCode, 422);
  t.same(aliasCode.body.errors, [{ in: 'body', name: 'id', message: '"UAE" already names ARE' }]);
  t.equal((await getJson(app, '/v1/states/UAE')).response.statusCode, 404, 'nothing created');
  const codeTaken = await send(app, 'POST', '/v1/states', { key: admin, body: { id: 'KGZ', name: 'Somewhere', unMember: true } });
  t.equal(codeTaken.response.statusCode, 409);

  t.equal((await send(app, 'PATCH', '/v1/states/QQQ', { key: admin, body: { unMember: true }, headers: { 'if-match': '*' } })).response.statusCode, 404);
  const referred = await send(app, 'DELETE', '/v1/states/FIN', { key: admin, headers: { 'if-match': '*' } });
  t.equal(referred.response.statusCode, 409);
  t.match(referred.body.detail, /recommendation states/);
  const deleted = await send(app, 'DELETE', '/v1/states/XKX', { key: admin, headers: { 'if-match': '*' } });
  t.equal(deleted.response.statusCode, 204);
  t.equal(await countRows(app, 'state_aliases', "state_code = 'XKX'"), 0);
  t.equal((await getJson(app, '/v1/states/XKX')).response.statusCode, 404);
  const history = (await getJson(app, '/v1/states/xkx/history')).body;
  t.same(history.data.map((c: { action: string }) => c.action), ['create', 'update', 'update', 'update', 'delete']);
  t.equal((await getJson(app, '/v1/states/QQQ/history')).response.statusCode, 404);
  t.same(
    (await getJson(app, '/v1/states/KGZ/history')).body.data.map((c: { action: string; actor: string }) => `${c.action} ${c.actor}`),
    ['create seed'],
    'a seeded state has its creation by the seed',
  );
});

t.test('every record GET has an ETag of its version and the revision, and answers If-None-Match with 304', async (t) => {
  const app = await buildTestApp(t);
  const revision = await app.dataRevision.current();
  for (const url of [
    '/v1/recommendations/KGZ-3-FIN-1',
    '/v1/developments/kgz-2020-07-25-askarov-dies-in-custody',
    '/v1/statements/KGZ-3-IRL-interactive-dialogue',
    '/v1/reviews/KGZ-3',
    '/v1/states/KGZ',
    '/v1/assessments/KGZ-3-FIN-1-2020-09-28',
  ]) {
    const first = await getJson(app, url);
    t.equal(first.response.statusCode, 200, url);
    t.equal(parseEtag(first.response.headers.etag).version, first.body.version, `${url} ETag`);
    t.equal(first.response.headers['cache-control'], 'public, max-age=60', `${url} Cache-Control`);
    const cached = await app.inject({ method: 'GET', url, headers: { 'if-none-match': `"x", ${first.response.headers.etag}` } });
    t.equal(cached.statusCode, 304, `${url}: 304`);
    t.equal(cached.body, '');
    t.equal(cached.headers.etag, first.response.headers.etag);
    t.equal(cached.headers['cache-control'], 'public, max-age=60');
    const other = await app.inject({ method: 'GET', url, headers: { 'if-none-match': '"v1-r0"' } });
    t.equal(other.statusCode, 200, `${url}: another ETag gets the record`);
  }
  const key = mintKey(app);
  const before = (await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).response.headers.etag as string;
  const other = (await getJson(app, '/v1/recommendations/KGZ-3-USA-1')).response.headers.etag as string;
  await send(app, 'PUT', '/v1/developments/kgz-2020-09-domestic-violence-impunity/recommendations/KGZ-3-FIN-1', { key });
  t.ok((await app.dataRevision.current()) > revision, 'the write made a new revision');
  const after = await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-FIN-1', headers: { 'if-none-match': before } });
  t.equal(after.statusCode, 200, 'a new development embedded in the record changes its ETag');
  t.equal(parseEtag(after.headers.etag).version, 1, 'but not the version of the record');
  const unrelated = await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-USA-1', headers: { 'if-none-match': other } });
  t.equal(unrelated.statusCode, 304, "a write to another record leaves this one's ETag: still 304");
  t.equal(unrelated.headers.etag, other);
});

t.test("If-Match names the record: another record's ETag of the same version is a 412, its own is taken", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin');
  const etagOf = async (url: string, headers: Record<string, string> = {}) => (await app.inject({ method: 'GET', url, headers })).headers.etag as string;
  // Two records of each kind at version 1: each one's ETag names only it.
  for (const list of ['recommendations', 'developments', 'assessments', 'statements', 'states']) {
    const [a, b] = ((await getJson(app, `/v1/${list}?limit=2`)).body.data as { id: string; version: number }[]).map((r) => `/v1/${list}/${encodeURIComponent(r.id)}`);
    const [tagA, tagB] = [await etagOf(a!), await etagOf(b!)];
    t.equal(parseEtag(tagA).version, parseEtag(tagB).version, `${list}: the same version`);
    const refused = await send(app, 'DELETE', b!, { key, headers: { 'if-match': tagA } });
    t.equal(refused.response.statusCode, 412, `${list}: another record's ETag is refused (was 204: deleted)`);
    t.equal((await app.inject(b!)).statusCode, 200, `${list}: nothing deleted`);
    t.not(refused.response.headers.etag, undefined);
    const twice = await send(app, 'DELETE', b!, { key, headers: { 'if-match': `${tagA}, ${refused.response.headers.etag}` } });
    t.not(twice.response.statusCode, 412, `${list}: the 412's ETag names the record and its version`);
  }
  const url = '/v1/statements/KGZ-3-IRL-interactive-dialogue';
  const other = await etagOf('/v1/statements/KGZ-3-GBR-adoption'); // (USA's was deleted above)
  const patch = (ifMatch: string) => send(app, 'PATCH', url, { key, body: { summary: `Changed under ${ifMatch}.` }, headers: { 'if-match': ifMatch } });
  t.equal((await patch(other)).response.statusCode, 412, "a PATCH under another record's ETag");
  t.equal((await patch(other.replace(/-i[0-9a-f]{8}"$/, '"'))).response.statusCode, 412, 'an ETag without a record names none');
  const own = await etagOf(url, { 'accept-encoding': 'gzip' });
  t.match(own, /^"v1-r\d+-i[0-9a-f]{8}-gzip"$/, 'a compressed representation names the record, then its coding');
  const changed = await patch(`${other}, ${own}`);
  t.equal(changed.response.statusCode, 200, 'its own ETag, compressed, among others');
  t.equal(changed.response.headers.etag, await etagOf(url), "the write answers the ETag a GET answers");
  t.equal((await patch(other)).response.statusCode, 412);
  t.match(await etagOf('/v1/sources/hrw-2020-09-28-kgz-upr-adoption'), /^"v1-r\d+"$/, 'a source, which no write changes, keeps its ETag');
});

t.test('sources: found by URL, completed but never emptied, with ids that do not collide', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const url = 'https://www.example.org/reports/2021/statement';
  const base = `example-org-${createHash('sha256').update(url).digest('hex').slice(0, 10)}`;
  await testSql(app).run('insert into sources (id, title, publisher, url) values (?, ?, ?, ?)', [
    base,
    'Another document',
    'Someone',
    'https://example.org/another',
  ]);

  const statement = {
    reviewId: 'KGZ-3',
    speaker: { type: 'organization', name: 'Example NGO' },
    stage: 'adoption',
    date: '2020-09',
    datePrecision: 'month',
    summary: 'Said something.',
  };
  const dated = await send(app, 'POST', '/v1/statements', {
    key,
    body: { ...statement, sources: [{ title: 'Statement', publisher: 'Example NGO', url, publishedOn: '2021-03-01' }] },
  });
  t.equal(dated.body.sources[0].id, `${base}-2`, 'an id taken by another source gets a suffix');
  const undated = await send(app, 'POST', '/v1/statements', {
    key,
    body: { ...statement, sources: [{ title: 'Statement', publisher: 'Example NGO', url }] },
  });
  t.same(undated.body.sources, dated.body.sources, 'a source cited again without its date keeps it');
  t.same(
    (await getJson(app, '/v1/changes?entity=sources&limit=500')).body.data
      .filter((c: { actor: string }) => c.actor !== 'seed')
      .map((c: { action: string }) => c.action),
    ['create'],
    'and citing it unchanged is no change',
  );
});
