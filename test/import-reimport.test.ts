import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { importInto, RECONCILE_TERMAN, RECONCILE_UPR_INFO, TANZANIA_TERMAN, TANZANIA_UPR_INFO, termanFile, uprInfoFile, uprInfoRow } from './import-helpers.js';
import { testSql } from './support/test-sql.js';

// A file imported again over what curators did since (src/import/apply.ts), on either backend: what a
// curator deleted or removed stays so, what a curator added stays, and the report says what it did not give.

/** The change feed's position now: changes after it are those made since. */
async function feedPosition(app: FastifyInstance): Promise<string> {
  return (await getJson(app, '/v1/changes?since=9999-12-31&limit=1')).body.meta.nextCursor;
}

async function changesSince(app: FastifyInstance, since: string) {
  return (await getJson(app, `/v1/changes?since=${since}&limit=500`)).body.data as { entity: string; id: string; action: string }[];
}

t.test('the same file again changes nothing: no write, no change, the same ETags, no second source', async (t) => {
  const app = await buildTestApp(t);
  const first = await importInto(app, RECONCILE_TERMAN);
  t.same(first.recommendations, { created: 5, updated: 0, unchanged: 0 });
  const since = await feedPosition(app);
  const etag = (await getJson(app, '/v1/recommendations/KGZ-1-76.1')).response.headers.etag;
  const sources = await testSql(app).count('sources');
  const again = await importInto(app, RECONCILE_TERMAN);
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 5 });
  t.same([again.sourcesCreated, again.reviewsCreated, again.notInFile, again.problems], [[], [], [], []]);
  t.equal(again.revision, first.revision, 'no new revision');
  t.same(await changesSince(app, since), [], 'no change in the feed');
  t.equal((await getJson(app, '/v1/recommendations/KGZ-1-76.1')).response.headers.etag, etag);
  t.equal(await testSql(app).count('sources'), sources);
});

t.test('a record a curator deleted is not created again by a file that still gives it: reported', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'curator');
  await importInto(app, RECONCILE_TERMAN);
  const { response } = await getJson(app, '/v1/recommendations/KGZ-1-76.3');
  const deleted = await send(app, 'DELETE', '/v1/recommendations/KGZ-1-76.3', { key, headers: { 'if-match': response.headers.etag as string } });
  t.equal(deleted.response.statusCode, 204);
  const since = await feedPosition(app);

  const again = await importInto(app, RECONCILE_TERMAN);
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 4 }, 'it was created again before');
  t.equal(again.skipped, 1);
  t.match(again.problems, [{ row: 4, paragraph: '76.3', message: /^KGZ-1-76\.3 was deleted by curator at \d{4}-\d\d-\d\dT[^:]+:\d\d:\d\d.*: not created again$/ }]);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-1-76.3')).response.statusCode, 404);
  t.same(await changesSince(app, since), [], 'nothing in the feed');
  t.equal(await testSql(app).count('recommendation_sources', 'recommendation_id = ?', ['KGZ-1-76.3']), 0);

  // A file that gives nothing else is not refused (a 422 before): there is nothing to write.
  const alone = await importInto(app, termanFile([['76.3. Ensure the independence of the judiciary and fight corruption in the courts (Norway);', 'kyrgysztan', 'support', 'Norway', '2010', '']]));
  t.same(alone.recommendations, { created: 0, updated: 0, unchanged: 0 });
  t.equal(alone.problems.length, 1);

  // Created again through the API, it is the file's record once more: the file fills in what the curator left
  // empty; the fields the curator gave are theirs (import-curated-fields.test.ts), the file's wording in `kept`.
  const restored = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { id: 'KGZ-1-76.3', reviewId: 'KGZ-1', paragraph: '76.3', text: 'Restored by hand.', verbatim: false, recommendingStates: ['NOR'] },
  });
  t.equal(restored.response.statusCode, 201);
  const after = await importInto(app, RECONCILE_TERMAN);
  t.same(after.recommendations, { created: 0, updated: 1, unchanged: 4 });
  t.same(after.problems, []);
  t.match(after.kept, [{ id: 'KGZ-1-76.3', field: 'text', value: 'Restored by hand.', offered: 'Ensure the independence of the judiciary and fight corruption in the courts (Norway);' }]);
  const record = (await getJson(app, '/v1/recommendations/KGZ-1-76.3')).body;
  t.same([record.text, record.position], ['Restored by hand.', 'supported']);
});

t.test('a theme a curator removed is not given again by the file, one a curator added stays: reported', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'curator');
  await importInto(app, RECONCILE_UPR_INFO);
  // UPR Info's records have ids of their text (`KGZ-1-t…`): imported again, each is its own record, not a merge.
  const { body } = await getJson(app, '/v1/recommendations?reviewId=KGZ-1&theme=upr-info-death-penalty');
  t.equal(body.data.length, 1);
  const id = body.data[0].id as string;
  const themeIds = async () => ((await getJson(app, `/v1/recommendations/${id}`)).body.themes as { id: string; source: string }[]).map((x) => `${x.id} ${x.source}`);
  t.same(await themeIds(), ['upr-info-death-penalty upr-info']);
  t.equal((await send(app, 'DELETE', `/v1/recommendations/${id}/themes/upr-info-death-penalty`, { key })).response.statusCode, 200);
  t.equal((await send(app, 'PUT', `/v1/recommendations/${id}/themes/upr-info-justice`, { key })).response.statusCode, 200);
  const curated = await themeIds();
  t.same(curated, ['upr-info-justice curated']);
  const since = await feedPosition(app);

  const again = await importInto(app, RECONCILE_UPR_INFO);
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 5 }, 'the file gave its issue back and took the curator’s away before');
  t.match(again.warnings, [{ row: 3, message: `theme upr-info-death-penalty not given to ${id} again: a curator removed it` }]);
  t.same(await themeIds(), curated);
  t.same(await changesSince(app, since), []);

  // A curator who gives it again lifts the rejection: the file's coding is then the record's again.
  t.equal((await send(app, 'PUT', `/v1/recommendations/${id}/themes/upr-info-death-penalty`, { key })).response.statusCode, 200);
  const lifted = await importInto(app, RECONCILE_UPR_INFO);
  t.same(lifted.warnings, []);
  t.same(lifted.recommendations, { created: 0, updated: 0, unchanged: 5 });
  t.same(await themeIds(), ['upr-info-death-penalty curated', 'upr-info-justice curated']);
});

t.test('a corrected file that numbers a paragraph anew updates its record, with no second one', async (t) => {
  const app = await buildTestApp(t);
  const row = (text: string, decision = 'support', from = 'Norway') => [text, 'kyrgysztan', decision, from, '2010', ''];
  await importInto(app, termanFile([row('76.1. Ratify the Optional Protocol (Czech Republic);', 'support', 'Czech Republic'), row('76.2. Consider abolishing the death penalty (Spain);', 'consider', 'Spain'), row('Ensure the independence of the judiciary (Norway);')]));
  const unnumbered = (await getJson(app, '/v1/recommendations?reviewId=KGZ-1&q=judiciary')).body.data[0].id as string;
  t.match(unnumbered, /^KGZ-1-t[0-9a-f]{8}$/);

  // 76.2 is 76.12 in the corrected file; the row without a paragraph has its paragraph, 76.3.
  const corrected = await importInto(app, termanFile([row('76.1. Ratify the Optional Protocol (Czech Republic);', 'support', 'Czech Republic'), row('76.12. Consider abolishing the death penalty (Spain);', 'consider', 'Spain'), row('76.3. Ensure the independence of the judiciary (Norway);')]));
  t.same(corrected.recommendations, { created: 0, updated: 2, unchanged: 1 }, 'two records were created beside those they repeat');
  t.same(corrected.updated, [{ id: 'KGZ-1-76.2', fields: ['paragraph', 'sources'] }, { id: unnumbered, fields: ['paragraph', 'sources'] }]);
  t.same(corrected.notInFile, []);
  const records = (await getJson(app, '/v1/recommendations?reviewId=KGZ-1')).body.data as { id: string; paragraph: string }[];
  t.same(records.map((r) => [r.id, r.paragraph]), [['KGZ-1-76.1', '76.1'], [unnumbered, '76.3'], ['KGZ-1-76.2', '76.12']], 'the ids stay, in paragraph order');
  const again = await importInto(app, termanFile([row('76.1. Ratify the Optional Protocol (Czech Republic);', 'support', 'Czech Republic'), row('76.12. Consider abolishing the death penalty (Spain);', 'consider', 'Spain'), row('76.3. Ensure the independence of the judiciary (Norway);')]));
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 3 });
});

t.test('a UPR Info text corrected by a word updates the record its earlier file made: same states, the one closest wording', async (t) => {
  const app = await buildTestApp(t);
  const judiciary = (words: string, from = 'Norway') => uprInfoRow(`Ensure the independence of the judiciary and fight corruption in ${words}`, from, 'Accepted', '4', 'Justice');
  const ngo = uprInfoRow('Adopt a new law on non-governmental organisations', 'Germany', 'Noted', '5', 'Civil society');
  await importInto(app, uprInfoFile([judiciary('courts'), ngo]));
  const ids = async () => ((await getJson(app, '/v1/recommendations?reviewId=KGZ-1')).body.data as { id: string; text: string }[]).map((r) => [r.id, r.text]);
  const before = await ids();
  const id = before.find(([, text]) => text!.endsWith('courts'))![0]!;

  const corrected = await importInto(app, uprInfoFile([judiciary('tribunals'), ngo]));
  t.same(corrected.recommendations, { created: 0, updated: 1, unchanged: 1 }, 'a second record before, the old one in notInFile');
  t.same([corrected.updated, corrected.notInFile, corrected.warnings], [[{ id, fields: ['text'] }], [], []]);
  t.same((await ids()).find(([rid]) => rid === id), [id, 'Ensure the independence of the judiciary and fight corruption in tribunals']);
  t.equal((await importInto(app, uprInfoFile([judiciary('tribunals'), ngo]))).recommendations.unchanged, 2, 'and again: unchanged');

  // Other states: another recommendation, a record of its own.
  const other = await importInto(app, uprInfoFile([judiciary('the courts of appeal', 'Sweden'), ngo]));
  t.same([other.recommendations.created, other.notInFile], [1, [id]]);
});

t.test('a corrected UPR Info text merged with the corpus stays that record; one as close to two is not paired: reported', async (t) => {
  const app = await buildTestApp(t);
  await importInto(app, RECONCILE_TERMAN);
  await importInto(app, RECONCILE_UPR_INFO);
  const count = async () => (await getJson(app, '/v1/recommendations?reviewId=KGZ-1')).body.meta.total as number;
  const total = await count();
  const rows = (judiciary: string) => [
    uprInfoRow('Ratify the Optional Protocol to the Convention against Torture ', 'Czech Republic', 'Accepted', '5', 'Torture and other CID treatment'),
    uprInfoRow('Consider abolishing the death penalty', 'Spain', 'Noted', '3', 'Death penalty'),
    uprInfoRow(judiciary, 'Norway', 'Accepted', '4', 'Justice'),
    uprInfoRow('Protect journalists from attacks', 'France', 'Accepted', '4', 'Freedom of the press'),
    uprInfoRow('Protect journalists from attacks', 'Italy', 'Accepted', '4', 'Freedom of the press'),
    uprInfoRow('Adopt a new law on non-governmental organisations', 'Germany', 'Noted', '5', 'Civil society'),
  ];
  const corrected = await importInto(app, uprInfoFile(rows('Ensure the independence of the judiciary and fight corruption in tribunals')));
  t.same([corrected.recommendations.created, corrected.notInFile], [0, []]);
  t.same(corrected.updated, [], "the corpus's wording stays: nothing shown changes");
  t.match(
    await testSql(app).all("select match_key from recommendation_sources where recommendation_id = 'KGZ-1-76.3' and source_id <> 'terman-uprs-2008-2014'"),
    [{ match_key: /tribunals$/ }],
    "UPR Info's reading is its new text",
  );
  t.equal(await count(), total);
  t.equal(
    (await getJson(app, '/v1/recommendations/KGZ-1-76.3')).body.text,
    'Ensure the independence of the judiciary and fight corruption in the courts (Norway);',
  );

  // Two records UPR Info gave, each as close to the new text, with the same state: neither is chosen.
  await importInto(app, uprInfoFile([...rows('Ensure the independence of the judiciary and fight corruption in tribunals'),
    uprInfoRow('Protect human rights defenders from attacks by the police', 'Germany', 'Accepted', '4', 'Human rights defenders'),
    uprInfoRow('Protect human rights defenders from attacks by the army', 'Germany', 'Accepted', '4', 'Human rights defenders')]));
  const tie = await importInto(app, uprInfoFile([...rows('Ensure the independence of the judiciary and fight corruption in tribunals'),
    uprInfoRow('Protect human rights defenders from attacks by the militia', 'Germany', 'Accepted', '4', 'Human rights defenders')]));
  t.equal(tie.recommendations.created, 1);
  t.equal(tie.notInFile.length, 2);
  t.match(tie.warnings.filter((w) => w.row === 8), [{ row: 8, message: /^text as close to KGZ-1-t[0-9a-f]{8}, KGZ-1-t[0-9a-f]{8}, which this source gave and the file no longer gives, as another: not paired/ }]);
});

t.test('a corrected UPR Info text its earlier import split by state across corpus records is split again along them', async (t) => {
  const app = await buildTestApp(t);
  const wording = (officials: string) => `Protect journalists and human rights defenders from attacks and threats by ${officials} officials`;
  await importInto(app, termanFile([
    [`76.4. ${wording('state')} (France);`, 'kyrgysztan', 'support', 'France', '2010', ''],
    [`76.5. ${wording('state')} (Italy);`, 'kyrgysztan', 'support', 'Italy', '2010', ''],
    ['76.6. Adopt a new law on non-governmental organisations (Germany);', 'kyrgysztan', 'support', 'Germany', '2010', ''],
  ]));
  const row = (text: string, from: string) => uprInfoRow(text, from, 'Accepted', '4', 'Freedom of the press');
  const ngo = uprInfoRow('Adopt a new law on non-governmental organisations', 'Germany', 'Accepted', '5', 'Civil society');
  const first = await importInto(app, uprInfoFile([row(wording('state'), 'France'), row(wording('state'), 'Italy'), ngo]));
  t.same(first.recommendations.created, 0, 'one text for both, split by state into 76.4 and 76.5');
  const count = async () => (await getJson(app, '/v1/recommendations?reviewId=KGZ-1')).body.meta.total as number;
  const total = await count();

  const corrected = await importInto(app, uprInfoFile([row(wording('public'), 'France'), row(wording('public'), 'Italy'), ngo]));
  t.same([corrected.recommendations.created, corrected.notInFile], [0, []], 'before: a new record, 76.4 and 76.5 in notInFile');
  t.equal(await count(), total);
  t.match(
    await testSql(app).all("select recommendation_id, match_key from recommendation_sources where source_id <> 'terman-uprs-2008-2014' and recommendation_id in ('KGZ-1-76.4', 'KGZ-1-76.5') order by 1"),
    [{ recommendation_id: 'KGZ-1-76.4', match_key: /public officials$/ }, { recommendation_id: 'KGZ-1-76.5', match_key: /public officials$/ }],
    "each part's UPR Info reading is the new text",
  );
  t.equal((await importInto(app, uprInfoFile([row(wording('public'), 'France'), row(wording('public'), 'Italy'), ngo]))).recommendations.created, 0, 'and again');

  // Another text as close, from France alone, fits 76.4 by itself while the corrected text fits both parts: a
  // record both would take is given to neither, and each is a record of its own.
  const contested = await importInto(app, uprInfoFile([row(wording('police'), 'France'), row(wording('police'), 'Italy'), row(wording('army'), 'France'), ngo]));
  t.equal(contested.recommendations.created, 2);
  t.same(contested.notInFile.sort(), ['KGZ-1-76.4', 'KGZ-1-76.5']);
  t.match(contested.warnings.map((w) => w.message).sort(), [
    /^text as close to KGZ-1-76\.4 \+ KGZ-1-76\.5, which this source gave/,
    /^text as close to KGZ-1-76\.4, which this source gave/,
  ]);
});

// Session 42's split with a state left out (Tanzania 2011: UPR Info's text for Benin, the Congo and Denmark is 86.4
// Denmark's and 86.5 the Congo's; Benin's request is 86.6): corrected by UPR Info, the text is split again along
// the same parts, though their states together are not the text's.
t.test('a corrected UPR Info text split with a state left out is split again along the same parts (either order)', async (t) => {
  const corrected = uprInfoFile(['Benin', 'Democratic Republic of Congo', 'Denmark'].map((from) =>
    ['Tanzania', 'Africa', 'AU', 'Ratify the Convention against Torture and Other Cruel, Inhuman and Degrading Treatment or Punishment', from, 'Africa', '', 'Accepted', '5', 'International instruments', '12']));
  for (const order of [[TANZANIA_TERMAN, TANZANIA_UPR_INFO], [TANZANIA_UPR_INFO, TANZANIA_TERMAN]]) {
    const app = await buildTestApp(t);
    for (const file of order) await importInto(app, file);
    const readings = () =>
      testSql(app).all("select r.id, s.match_key from recommendations r join recommendation_sources s on s.recommendation_id = r.id where r.review_id = 'TZA-1' and s.source_id <> 'terman-uprs-2008-2014' order by 1");
    const before = (await readings()) as { id: string }[];
    t.same(before.length, 2, "UPR Info's reading on the two parts");
    const report = await importInto(app, corrected);
    // (Before: the parts kept the old reading, and the corrected text went to Benin's 86.6, another request.)
    t.same([report.recommendations.created, report.notInFile, report.reconciliation.ambiguous], [0, ['TZA-1-86.6'], 0], "no record of its own; Benin's paragraph the only one not in the file, as before");
    t.match(await readings(), before.map(({ id }) => ({ id, match_key: /inhuman and degrading/ })), "each part's UPR Info reading is the new text");
    t.equal((await importInto(app, corrected)).recommendations.updated, 0, 'and again changes nothing');
  }
});
