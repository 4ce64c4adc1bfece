import t from 'tap';
import { latestDayBegun } from '../src/curation/checks.js';
import { countRows, HRW_SOURCE, mintKey, parseEtag, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { testSql } from './support/test-sql.js';

const DEATH = {
  stateUnderReview: 'KGZ',
  reviewId: 'KGZ-3',
  title: 'Askarov dies in custody',
  summary: 'The human rights defender Azimjon Askarov died in prison.',
  date: '2020-07-25',
  datePrecision: 'day',
  direction: 'setback',
  themes: ['human-rights-defenders'],
  recommendationIds: ['KGZ-3-FIN-1'],
  sources: [HRW_SOURCE],
};

t.test('developments: create with inline sources, period, links; update; delete', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'kyrgyz-watch');

  const created = await send(app, 'POST', '/v1/developments', { key, body: { ...DEATH, id: 'askarov-death' } });
  t.equal(created.response.statusCode, 201);
  t.equal(created.response.headers.location, '/v1/developments/askarov-death');
  t.equal(created.body.stateUnderReview.id, 'KGZ');
  t.same(created.body.recommendationIds, ['KGZ-3-FIN-1']);
  t.same(created.body.recommendations.map((r: { id: string }) => r.id), ['KGZ-3-FIN-1']);
  t.equal(created.body.sources.length, 1);
  t.match(created.body.sources[0], { ...HRW_SOURCE, id: /^example-org-[0-9a-f]{10}$/ });
  const period = () => testSql(app).get("select period_start, period_end from developments where id = 'askarov-death'");
  t.same(await period(), { period_start: '2020-07-25', period_end: '2020-07-25' });
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).body.developmentCount, 4, 'the recommendation sees it');
  t.equal(
    (await getJson(app, '/v1/developments?from=2020-07-25&to=2020-07-25&q=Askarov')).body.data.some(
      (d: { id: string }) => d.id === 'askarov-death',
    ),
    true,
    'found by date and full text',
  );

  const coarser = await send(app, 'PATCH', '/v1/developments/askarov-death', {
    key,
    body: { date: '2020-07', datePrecision: 'month', title: 'Askarov dies in prison', sources: [HRW_SOURCE, { ...HRW_SOURCE, url: 'https://24.kg/x' }] },
    headers: { 'if-match': created.response.headers.etag as string },
  });
  t.equal(coarser.response.statusCode, 200);
  t.equal(coarser.body.version, 2);
  t.same(await period(), { period_start: '2020-07-01', period_end: '2020-07-31' }, 'the period follows the date');
  t.equal(coarser.body.sources.length, 2);
  t.equal((await getJson(app, '/v1/developments?q=prison')).body.data.some((d: { id: string }) => d.id === 'askarov-death'), true);

  const year = await send(app, 'PATCH', '/v1/developments/askarov-death', {
    key,
    body: { date: '2020', datePrecision: 'year', reviewId: null, direction: 'neutral' },
    headers: { 'if-match': coarser.response.headers.etag as string },
  });
  t.equal(year.body.reviewId, null);
  t.same(await period(), { period_start: '2020-01-01', period_end: '2020-12-31' });

  const history = (await getJson(app, '/v1/developments/askarov-death/history')).body.data;
  t.same(history[1].changes.sourceIds.before.length, 1);
  t.same(history[1].changes.sourceIds.after.length, 2);
  t.same(history[2].changes.reviewId, { before: 'KGZ-3', after: null });

  const deleted = await send(app, 'DELETE', '/v1/developments/askarov-death', {
    key,
    headers: { 'if-match': year.response.headers.etag as string },
  });
  t.equal(deleted.response.statusCode, 204);
  t.equal(await countRows(app, 'development_recommendations', "development_id = 'askarov-death'"), 0);
  t.equal(await countRows(app, 'development_sources', "development_id = 'askarov-death'"), 0);
  t.equal(await countRows(app, 'sources', "url = 'https://24.kg/x'"), 1, 'sources stay: others may cite them');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-FIN-1')).body.developmentCount, 3);
  const tombstone = (await getJson(app, '/v1/developments/askarov-death/history')).body.data.at(-1);
  t.equal(tombstone.action, 'delete');
  t.same(tombstone.changes.recommendationIds, { before: ['KGZ-3-FIN-1'], after: null });
});

t.test('developments: a failing write leaves nothing half-written', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const before = {
    revision: await app.dataRevision.current(),
    developments: await countRows(app, 'developments'),
    links: await countRows(app, 'development_recommendations'),
    sources: await countRows(app, 'sources'),
    developmentSources: await countRows(app, 'development_sources'),
    audit: await countRows(app, 'audit_log'),
  };
  const newSource = { ...HRW_SOURCE, url: 'https://example.org/new-source' };
  const bad = await send(app, 'POST', '/v1/developments', {
    key,
    body: { ...DEATH, id: 'half', recommendationIds: ['KGZ-3-FIN-1', 'KGZ-3-NOPE-1'], sources: [newSource] },
  });
  t.equal(bad.response.statusCode, 422);
  t.same(bad.body.errors, [{ in: 'body', name: 'recommendationIds', message: 'Unknown recommendation id "KGZ-3-NOPE-1"' }]);
  t.same(
    {
      revision: await app.dataRevision.current(),
      developments: await countRows(app, 'developments'),
      links: await countRows(app, 'development_recommendations'),
      sources: await countRows(app, 'sources'),
      developmentSources: await countRows(app, 'development_sources'),
      audit: await countRows(app, 'audit_log'),
    },
    before,
    'no development, link, source, audit entry or revision',
  );
  t.equal((await getJson(app, '/v1/developments/half')).response.statusCode, 404);
  t.equal((await getJson(app, '/v1/developments/half/history')).response.statusCode, 404, 'and no history');

  // A failure after rows were written (a database constraint) rolls them back too.
  const sql = testSql(app);
  await sql.run(
    sql.backend === 'sqlite'
      ? `create trigger refuse_links before insert on development_recommendations
          when new.recommendation_id = 'KGZ-3-GBR-1' begin select raise(abort, 'refused by test'); end`
      : `create function refuse_links() returns trigger language plpgsql as $$ begin
           if new.recommendation_id = 'KGZ-3-GBR-1' then raise exception 'refused by test'; end if; return new; end $$;
         create trigger refuse_links before insert on development_recommendations for each row execute function refuse_links()`,
  );
  const late = await send(app, 'POST', '/v1/developments', {
    key,
    body: { ...DEATH, id: 'late', stateUnderReview: 'KGZ', recommendationIds: ['KGZ-3-GBR-1'], sources: [newSource] },
  });
  t.equal(late.response.statusCode, 500);
  t.equal(await countRows(app, 'developments', "id = 'late'"), 0);
  t.equal(await countRows(app, 'sources', 'url = ?', [newSource.url]), 0);
  t.equal(await app.dataRevision.current(), before.revision);
});

t.test('developments: consistency checks', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const errors = async (body: unknown, method = 'POST', url = '/v1/developments') => {
    const { response, body: problem } = await send(app, method, url, { key, body, headers: { 'if-match': '*' } });
    t.equal(response.statusCode, 422, JSON.stringify(body));
    return problem.errors.map((e: { name: string; message: string }) => `${e.name}: ${e.message}`);
  };
  t.same(await errors({ ...DEATH, stateUnderReview: 'XXX', recommendationIds: [] }), [
    'stateUnderReview: Unknown state code "XXX"',
    'reviewId: KGZ-3 is a review of KGZ, not of XXX',
  ]);
  t.same(await errors({ ...DEATH, reviewId: 'KGZ-2' }), ['reviewId: Unknown review id "KGZ-2"']);
  t.same(await errors({ ...DEATH, stateUnderReview: 'FIN', reviewId: null }), [
    'recommendationIds: KGZ-3-FIN-1 is a recommendation to KGZ, not to FIN',
  ]);
  t.same(await errors({ ...DEATH, date: '2020-07', datePrecision: 'day' }), [
    'date: "2020-07" is not a date to the day: write it like "2020-07-25"',
  ]);
  t.same(await errors({ ...DEATH, date: '2020-02-30' }), ['date: "2020-02-30" is not a date to the day: write it like "2020-07-25"']);
  t.same(await errors({ ...DEATH, date: '2999', datePrecision: 'year' }), ['date: "2999" is in the future']);
  // A day is past once it has begun somewhere (UTC+14), not in UTC only; two days after UTC's has begun nowhere.
  t.equal(latestDayBegun(new Date('2026-12-05T09:59:59.999Z')), '2026-12-05');
  t.equal(latestDayBegun(new Date('2026-12-05T10:00:00.000Z')), '2026-12-06', 'at 10:00 UTC it is the next day in Kiribati');
  t.equal(latestDayBegun(new Date('2028-02-28T12:00:00.000Z')), '2028-02-29');
  const kiribati = latestDayBegun();
  const begun = await send(app, 'POST', '/v1/developments', { key, body: { ...DEATH, id: 'begun-in-kiribati', date: kiribati } });
  t.equal(begun.response.statusCode, 201, `${kiribati}, today in UTC+14, is taken`);
  const afterNext = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  t.same(await errors({ ...DEATH, date: afterNext }), [`date: "${afterNext}" is in the future`]);
  t.same(await errors({ ...DEATH, date: '0202-07-25' }), ['date: "0202-07-25" is before 1945, when the United Nations was founded: a typo for another year?']);
  t.same(await errors({ ...DEATH, date: '1944', datePrecision: 'year' }), ['date: "1944" is before 1945, when the United Nations was founded: a typo for another year?']);
  const founded = await send(app, 'POST', '/v1/developments', { key, body: { ...DEATH, id: 'un-founded', date: '1945-01', datePrecision: 'month' } });
  t.equal(founded.response.statusCode, 201, 'the year the UN was founded is taken');
  t.same(await errors({ ...DEATH, themes: ['x'] }), ['themes: Unknown theme id "x" (see GET /v1/themes)']);
  // A source's publication date is a fact shown with it: one that has begun nowhere yet was stored as given.
  const unpublished = { ...HRW_SOURCE, url: 'https://example.org/reports/not-yet', publishedOn: afterNext };
  t.same(await errors({ ...DEATH, sources: [HRW_SOURCE, unpublished] }), [`sources.1.publishedOn: "${afterNext}" is in the future`]);
  t.same(
    await errors({ sources: [unpublished] }, 'PATCH', '/v1/developments/kgz-2020-07-25-askarov-dies-in-custody'),
    [`sources.0.publishedOn: "${afterNext}" is in the future`],
  );
  t.equal(await countRows(app, 'sources', 'url = ?', [unpublished.url]), 0, 'nothing stored');
  const published = await send(app, 'POST', '/v1/developments', {
    key,
    body: { ...DEATH, id: 'published-in-kiribati', sources: [{ ...unpublished, publishedOn: kiribati }] },
  });
  t.equal(published.response.statusCode, 201, 'a source published today in UTC+14 is taken');
  t.same(
    await errors({ datePrecision: 'month' }, 'PATCH', '/v1/developments/kgz-2020-07-25-askarov-dies-in-custody'),
    ['date: "2020-07-25" is not a date to the month: write it like "2020-07"'],
    'a patch is checked on the merged record',
  );
  t.same(
    await errors({ stateUnderReview: 'FIN' }, 'PATCH', '/v1/developments/kgz-2020-07-25-askarov-dies-in-custody'),
    [
      'reviewId: KGZ-3 is a review of KGZ, not of FIN',
      'recommendationIds: KGZ-3-FIN-1 is a recommendation to KGZ, not to FIN',
    ],
    'a new state must fit its review and recommendations',
  );
  const noSources = await send(app, 'POST', '/v1/developments', { key, body: { ...DEATH, sources: [] } });
  t.equal(noSources.response.statusCode, 400, 'a development needs a source');
  t.same(noSources.body.errors.map((e: { name: string }) => e.name), ['sources']);
  const twice = await send(app, 'POST', '/v1/developments', { key, body: { ...DEATH, sources: [HRW_SOURCE, HRW_SOURCE] } });
  t.equal(twice.response.statusCode, 400);

  const generated = await send(app, 'POST', '/v1/developments', { key, body: { ...DEATH, recommendationIds: [] } });
  t.equal(generated.response.statusCode, 201);
  t.match(generated.body.id, /^kgz-2020-07-25-[0-9a-f]{8}$/);
  const themesOnly = await send(app, 'PATCH', `/v1/developments/${generated.body.id}`, {
    key,
    body: { themes: [], recommendationIds: ['KGZ-3-USA-1'] },
    headers: { 'if-match': '*' },
  });
  t.same(themesOnly.body.themes, []);
  t.same(themesOnly.body.recommendationIds, ['KGZ-3-USA-1']);
  t.equal(themesOnly.body.version, 2);
});

t.test('developments: linking to recommendations is idempotent and audited as an update', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const id = 'kgz-2020-09-domestic-violence-impunity';
  const url = `/v1/developments/${id}/recommendations/KGZ-3-USA-3`;
  const read = await getJson(app, `/v1/developments/${id}`);
  const start = read.body;
  t.notOk(start.recommendationIds.includes('KGZ-3-USA-3'));

  const linked = await send(app, 'PUT', url, { key });
  t.equal(linked.response.statusCode, 200);
  t.ok(linked.body.recommendationIds.includes('KGZ-3-USA-3'));
  t.equal(linked.body.version, start.version + 1);
  t.equal(parseEtag(linked.response.headers.etag).version, start.version + 1);
  const again = await send(app, 'PUT', url, { key });
  t.equal(again.response.statusCode, 200);
  t.equal(again.body.version, start.version + 1, 'linking twice changes nothing');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-3-USA-3')).body.developments.some((d: { id: string }) => d.id === id), true);

  const stale = await send(app, 'DELETE', url, { key, headers: { 'if-match': read.response.headers.etag as string } });
  t.equal(stale.response.statusCode, 412, 'If-Match, when given, is checked');
  const unlinked = await send(app, 'DELETE', url, { key, headers: { 'if-match': linked.response.headers.etag as string } });
  t.equal(unlinked.response.statusCode, 200);
  t.notOk(unlinked.body.recommendationIds.includes('KGZ-3-USA-3'));
  t.equal(unlinked.body.version, start.version + 2);
  const unlinkedAgain = await send(app, 'DELETE', url, { key });
  t.equal(unlinkedAgain.body.version, start.version + 2, 'unlinking twice changes nothing');
  const unknownUnlink = await send(app, 'DELETE', `/v1/developments/${id}/recommendations/nope`, { key });
  t.equal(unknownUnlink.response.statusCode, 200, 'unlinking what is not linked is a no-op');

  const history = (await getJson(app, `/v1/developments/${id}/history`)).body.data;
  t.same(
    history.map((c: { action: string; changes: { recommendationIds: { after: string[] } } }) => [
      c.action,
      c.changes.recommendationIds.after.includes('KGZ-3-USA-3'),
    ]),
    [
      ['create', false],
      ['update', true],
      ['update', false],
    ],
    'the seed created it, then the link and the unlink',
  );

  t.equal((await send(app, 'PUT', `/v1/developments/${id}/recommendations/nope`, { key })).response.statusCode, 404);
  t.equal((await send(app, 'PUT', '/v1/developments/nope/recommendations/KGZ-3-USA-3', { key })).response.statusCode, 404);
  await send(app, 'POST', '/v1/reviews', {
    key: mintKey(app, 'admin'),
    body: { stateUnderReview: 'FIN', cycle: 3 },
  });
  const finnish = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'FIN-3', text: 'Do more.', verbatim: false, recommendingStates: ['SWE'] },
  });
  const elsewhere = await send(app, 'PUT', `/v1/developments/${id}/recommendations/${finnish.body.id}`, { key });
  t.equal(elsewhere.response.statusCode, 422);
  t.same(elsewhere.body.errors.map((e: { in: string; name: string }) => `${e.in} ${e.name}`), ['path recommendationId']);
});
