import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { MIGRATIONS_FOLDER } from '../src/db/open.js';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, postgresSide } from './helpers.js';
import { importInto, RECONCILE_TERMAN, termanFile } from './import-helpers.js';
import { testSql } from './support/test-sql.js';

// A field a curator wrote (PATCH, POST) is theirs: an import keeps it and reports what the file offered
// (src/recommendations/curated-fields.ts, src/import/apply.ts), on either backend; a PATCH with that value hands
// the field back to the files.

async function feedPosition(app: FastifyInstance): Promise<string> {
  return (await getJson(app, '/v1/changes?since=9999-12-31&limit=1')).body.meta.nextCursor;
}

async function changesSince(app: FastifyInstance, since: string) {
  return (await getJson(app, `/v1/changes?since=${since}&limit=500`)).body.data as { entity: string; id: string; action: string }[];
}

const marks = async (app: FastifyInstance) =>
  testSql(app).all<{ id: string; field: string; files_value: string | null }>(
    'select recommendation_id as id, field, files_value from recommendation_curated_fields order by 1, 2',
  );

async function patch(app: FastifyInstance, key: string, id: string, body: Record<string, unknown>) {
  const { response } = await getJson(app, `/v1/recommendations/${id}`);
  const patched = await send(app, 'PATCH', `/v1/recommendations/${id}`, { key, body, headers: { 'if-match': response.headers.etag as string } });
  if (patched.response.statusCode !== 200) throw new Error(patched.response.body);
  return patched.body;
}

const row = (text: string, decision = 'support', from = 'Norway') => [text, 'kyrgysztan', decision, from, '2010', ''];
const TERMAN_DECISION = 'Terman UPR data set (rochelleterman/uprs, v.1/Data/year-csvs), column "decision"';
const TEXT_1 = 'Ratify the Optional Protocol to the Convention against Torture (Czech Republic);';

t.test("a curator's text and position stay when the same file is imported again: reported, nothing written", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  await importInto(app, RECONCILE_TERMAN);
  const filePosition = (await getJson(app, '/v1/recommendations/KGZ-1-76.2')).body;
  t.equal(filePosition.position, 'pending', "the file's decision (consider)");
  await patch(app, key, 'KGZ-1-76.1', { text: 'Ratify OP-CAT (Czechia).' });
  await patch(app, key, 'KGZ-1-76.2', { position: 'noted', positionSource: 'A/HRC/15/2/Add.1 para. 4' });
  t.same(await marks(app), [
    { id: 'KGZ-1-76.1', field: 'text', files_value: JSON.stringify(TEXT_1) },
    { id: 'KGZ-1-76.2', field: 'position', files_value: '"pending"' },
    { id: 'KGZ-1-76.2', field: 'positionSource', files_value: JSON.stringify(filePosition.positionSource) },
  ]);
  const since = await feedPosition(app);
  const etags = await Promise.all(['KGZ-1-76.1', 'KGZ-1-76.2'].map(async (id) => (await getJson(app, `/v1/recommendations/${id}`)).response.headers.etag));
  const revision = (await importInto(app, RECONCILE_TERMAN, { dryRun: true })).revision;

  const again = await importInto(app, RECONCILE_TERMAN);
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 5 }, 'the file replaced both before');
  t.same(again.updated, []);
  t.same(again.kept, [
    { id: 'KGZ-1-76.1', field: 'text', value: 'Ratify OP-CAT (Czechia).', offered: TEXT_1 },
    { id: 'KGZ-1-76.2', field: 'position', value: 'noted', offered: 'pending' },
    { id: 'KGZ-1-76.2', field: 'positionLabel', value: filePosition.positionLabel ?? null, offered: 'consider' },
    { id: 'KGZ-1-76.2', field: 'positionSource', value: 'A/HRC/15/2/Add.1 para. 4', offered: filePosition.positionSource },
  ].filter((k) => k.field !== 'positionLabel' || k.value !== k.offered));
  t.equal(again.revision, revision, 'no new revision');
  t.same(await marks(app), [
    { id: 'KGZ-1-76.1', field: 'text', files_value: JSON.stringify(TEXT_1) },
    { id: 'KGZ-1-76.2', field: 'position', files_value: '"pending"' },
    { id: 'KGZ-1-76.2', field: 'positionSource', files_value: JSON.stringify(filePosition.positionSource) },
  ], "what the files offer, as before (a kept position's source was stored as the curator's)");
  t.same(await changesSince(app, since), [], 'no change in the feed');
  const after = await Promise.all(['KGZ-1-76.1', 'KGZ-1-76.2'].map(async (id) => (await getJson(app, `/v1/recommendations/${id}`))));
  t.same(after.map((r) => r.response.headers.etag), etags, 'the same ETags');
  t.same([after[0]!.body.text, after[1]!.body.position, after[1]!.body.positionSource], ['Ratify OP-CAT (Czechia).', 'noted', 'A/HRC/15/2/Add.1 para. 4']);
});

t.test("a corrected file: the curator's field stays, the file's value is stored; a PATCH with it hands the field back", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic'), row('76.3. Ensure the independence of the judiciary (Norway);')]));
  await patch(app, key, 'KGZ-1-76.1', { text: 'Ratify OP-CAT (Czechia).' });

  const corrected = `Ratify the Optional Protocol to the Convention against Torture promptly (Czech Republic);`;
  const file = termanFile([row(`76.1. ${corrected}`, 'support', 'Czech Republic'), row('76.3. Ensure the independence of the judiciary (Norway);', 'consider')]);
  const dry = await importInto(app, file, { dryRun: true });
  t.same(dry.kept, [{ id: 'KGZ-1-76.1', field: 'text', value: 'Ratify OP-CAT (Czechia).', offered: corrected }]);
  t.same(await marks(app), [{ id: 'KGZ-1-76.1', field: 'text', files_value: JSON.stringify(TEXT_1) }], 'a dry run stores nothing');
  const since = await feedPosition(app);
  const report = await importInto(app, file);
  t.same(report.kept, dry.kept);
  t.same(report.updated, [{ id: 'KGZ-1-76.3', fields: ['position', 'positionLabel', 'sources'] }], 'the other record takes the correction');
  t.same(await marks(app), [{ id: 'KGZ-1-76.1', field: 'text', files_value: JSON.stringify(corrected) }], "what the files offer now");
  t.same((await changesSince(app, since)).map((c) => c.id), ['KGZ-1-76.3']);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-1-76.1')).body.text, 'Ratify OP-CAT (Czechia).');

  // Another wording by the curator keeps the field theirs; the files' wording hands it back.
  await patch(app, key, 'KGZ-1-76.1', { text: 'Ratify OP-CAT now (Czechia).' });
  t.equal((await marks(app)).length, 1);
  const handed = await patch(app, key, 'KGZ-1-76.1', { text: corrected });
  t.equal(handed.text, corrected);
  t.same(await marks(app), [], 'the field is the files’ again');
  const next = `Ratify the Optional Protocol to the Convention against Torture (Czech Republic, 2011);`;
  const later = await importInto(app, termanFile([row(`76.1. ${next}`, 'support', 'Czech Republic')]));
  t.same([later.kept, later.updated], [[], [{ id: 'KGZ-1-76.1', fields: ['text'] }]]);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-1-76.1')).body.text, next);
});

t.test("a PATCH that changes nothing marks nothing; one of a field's files' value hands it back though the record is unchanged", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic')]));
  await patch(app, key, 'KGZ-1-76.1', { text: TEXT_1, recommendingStates: ['CZE'] });
  t.same(await marks(app), []);
  await patch(app, key, 'KGZ-1-76.1', { recommendingStates: ['CZE', 'NOR'], sdgs: ['16'] });
  t.same(await marks(app), [
    { id: 'KGZ-1-76.1', field: 'recommendingStates', files_value: '["CZE"]' },
    { id: 'KGZ-1-76.1', field: 'sdgs', files_value: '[]' },
  ]);
  // The file gives its states again: kept. It gives no goals: nothing offered, nothing stored.
  const report = await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic')]));
  t.same(report.kept, [{ id: 'KGZ-1-76.1', field: 'recommendingStates', value: ['CZE', 'NOR'], offered: ['CZE'] }]);
  t.same(report.recommendations, { created: 0, updated: 0, unchanged: 1 });
  t.same((await getJson(app, '/v1/recommendations/KGZ-1-76.1')).body.sdgs.map((s: { id: string }) => s.id), ['16']);
  await patch(app, key, 'KGZ-1-76.1', { recommendingStates: ['CZE'], sdgs: [] });
  t.same(await marks(app), [], 'both handed back');
});

t.test('a recommendation a curator created: the fields it gave are theirs, those it left empty the files fill', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'ngo-curator');
  await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic')]));
  const created = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'KGZ-1', paragraph: '76.3', text: 'Guarantee judicial independence.', verbatim: false, recommendingStates: ['NOR'] },
  });
  t.equal(created.response.statusCode, 201, created.response.body);
  t.same((await marks(app)).map((m) => `${m.field} ${m.files_value}`), ['paragraph null', 'recommendingStates null', 'reviewId null', 'text null', 'verbatim null']);
  const report = await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic'), row('76.3. Ensure the independence of the judiciary (Norway);')]));
  t.same(report.kept, [
    { id: 'KGZ-1-76.3', field: 'text', value: 'Guarantee judicial independence.', offered: 'Ensure the independence of the judiciary (Norway);' },
    { id: 'KGZ-1-76.3', field: 'verbatim', value: false, offered: true },
  ]);
  t.same(report.updated, [{ id: 'KGZ-1-76.3', fields: ['position', 'positionSource', 'sourceId', 'sources'] }]);
  const record = (await getJson(app, '/v1/recommendations/KGZ-1-76.3')).body;
  t.same([record.text, record.position], ['Guarantee judicial independence.', 'supported']);
  t.equal((await marks(app)).find((m) => m.field === 'text')!.files_value, JSON.stringify('Ensure the independence of the judiciary (Norway);'));
  // Deleted, its marks go with it.
  t.equal((await send(app, 'DELETE', '/v1/recommendations/KGZ-1-76.3', { key, headers: { 'if-match': (await getJson(app, '/v1/recommendations/KGZ-1-76.3')).response.headers.etag as string } })).response.statusCode, 204);
  t.same(await marks(app), []);
});

t.test('a database from before the marks migrates with none: every stored field is the files’, a new PATCH is the curator’s', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  const file = termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic'), row('76.3. Ensure the independence of the judiciary (Norway);')]);
  await importInto(app, file);
  await patch(app, key, 'KGZ-1-76.1', { text: 'Ratify OP-CAT (Czechia).' });
  // Back to before migrations 0029_curated_fields (SQLite) and postgres/0021_curated_fields: no table, not applied.
  const side = postgresSide(app);
  const folder = side === undefined ? MIGRATIONS_FOLDER : join(MIGRATIONS_FOLDER, 'postgres');
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const since = journal.entries.find((e) => e.tag.endsWith('_curated_fields'))!.when;
  await testSql(app).run('drop table recommendation_curated_fields');
  await testSql(app).run('delete from __drizzle_migrations where created_at >= ?', [since]);

  // Opened again by this version: migrated.
  await buildTestApp(t, side === undefined ? { databasePath: app.db.$client.name } : { databaseUrl: side.pool.options.connectionString! });
  t.same(await marks(app), [], 'no field marked: nothing tells who wrote them');
  const report = await importInto(app, file);
  t.same([report.kept, report.updated], [[], [{ id: 'KGZ-1-76.1', fields: ['text'] }]], "the curator's earlier text is the file's again, as before");
  await patch(app, key, 'KGZ-1-76.3', { text: 'Guarantee judicial independence (Norway).' });
  const again = await importInto(app, file);
  t.same(again.kept.map((k) => `${k.id} ${k.field}`), ['KGZ-1-76.3 text']);
});

t.test("a curator's position source alone keeps its position: the source would name another position than the file's", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  await importInto(app, termanFile([row('76.2. Consider abolishing the death penalty (Spain);', 'consider', 'Spain')]));
  await patch(app, key, 'KGZ-1-76.2', { positionSource: 'A/HRC/15/2/Add.1 para. 9' });
  t.equal((await getJson(app, '/v1/recommendations/KGZ-1-76.2')).body.position, 'pending');
  // The next file gives another decision: the position is the one the curator's source gives, kept with it.
  const report = await importInto(app, termanFile([row('76.2. Consider abolishing the death penalty (Spain);', 'support', 'Spain')]));
  t.same(report.kept.map((k) => `${k.field} ${JSON.stringify(k.value)} ${JSON.stringify(k.offered)}`), [
    `positionSource "A/HRC/15/2/Add.1 para. 9" ${JSON.stringify(TERMAN_DECISION)}`,
    'position "pending" "supported"',
    'positionLabel "consider" null',
  ]);
  const after = (await getJson(app, '/v1/recommendations/KGZ-1-76.2')).body;
  t.same([after.position, after.positionSource], ['pending', 'A/HRC/15/2/Add.1 para. 9'], 'before: supported, with the source of pending');
});

t.test("a record the file's row is refused for keeps its marks as they were: nothing offered, nothing kept", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  await importInto(app, termanFile([row('76.2. Consider abolishing the death penalty (Spain);', 'consider', 'Spain')]));
  await patch(app, key, 'KGZ-1-76.2', { position: 'noted' });
  const marked = await marks(app);
  // The next file's row for it is refused (a text past 10,000 characters): its decision is not the file's offer.
  const report = await importInto(app, termanFile([
    row(`76.2. Consider abolishing the death penalty. ${'Really. '.repeat(1_300)}(Spain);`, 'support', 'Spain'),
    row('76.3. Ensure the independence of the judiciary (Norway);'),
  ]));
  t.equal(report.skipped, 1, JSON.stringify(report.problems));
  t.same(report.kept, [], 'before: the refused row listed as kept');
  t.same(await marks(app), marked, 'before: its decision stored as what the files offer');
});

const history = async (app: FastifyInstance, id: string) =>
  (await getJson(app, `/v1/recommendations/${id}/history`)).body.data as { action: string; actor: string; changes: Record<string, { before: unknown; after: unknown }> }[];

t.test("handing a field back is in the record's history and the feed, a new version only when the value changes", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic'), row('76.3. Ensure the independence of the judiciary (Norway);')]));
  const curators = 'Ratify OP-CAT (Czechia).';
  await patch(app, key, 'KGZ-1-76.1', { text: curators, sdgs: ['16'] });
  t.same((await history(app, 'KGZ-1-76.1')).at(-1)!.changes, {
    sdgs: { before: [], after: [16] },
    text: { before: TEXT_1, after: curators },
    version: { before: 1, after: 2 },
  }, 'taking a field is the PATCH that changed it, as before');
  // The publisher adopts the curator's wording: the file's value is the record's, the field still the curator's.
  await importInto(app, termanFile([row(`76.1. ${curators}`, 'support', 'Czech Republic'), row('76.3. Ensure the independence of the judiciary (Norway);')]));
  const before = await getJson(app, '/v1/recommendations/KGZ-1-76.1');
  const since = await feedPosition(app);

  await patch(app, key, 'KGZ-1-76.1', { text: curators });
  t.same(await marks(app), [{ id: 'KGZ-1-76.1', field: 'sdgs', files_value: '[]' }], 'the text is the files’ again');
  const entry = (await history(app, 'KGZ-1-76.1')).at(-1)!;
  t.same([entry.action, entry.actor, entry.changes], ['update', 'ngo-curator', { curatedFields: { before: ['sdgs', 'text'], after: ['sdgs'] } }], 'before: no entry');
  t.same((await changesSince(app, since)).map((c) => `${c.action} ${c.id}`), ['update KGZ-1-76.1'], 'in the feed');
  const after = await getJson(app, '/v1/recommendations/KGZ-1-76.1');
  t.same([after.body.version, after.response.headers.etag], [before.body.version, before.response.headers.etag], 'no new version: the record is unchanged');

  // A hand-back that changes the value: one entry, the value's change and the fields' with it.
  await patch(app, key, 'KGZ-1-76.1', { sdgs: [] });
  t.same((await history(app, 'KGZ-1-76.1')).at(-1)!.changes, {
    curatedFields: { before: ['sdgs'], after: [] },
    sdgs: { before: [16], after: [] },
    version: { before: 2, after: 3 },
  });
  t.same(await marks(app), []);
  // A PATCH that changes nothing and hands nothing back leaves no entry, as before.
  const count = (await history(app, 'KGZ-1-76.1')).length;
  await patch(app, key, 'KGZ-1-76.1', { text: curators });
  t.equal((await history(app, 'KGZ-1-76.1')).length, count);
});

t.test("a curator empties a field of a record they created that no file has given yet: the files' to fill", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'admin', 'ngo-curator');
  await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic')]));
  const created = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: {
      reviewId: 'KGZ-1', paragraph: '76.3', text: 'Guarantee judicial independence.', verbatim: false, recommendingStates: ['NOR'],
      position: 'noted', positionSource: 'A/HRC/15/2/Add.1 para. 3', sdgs: ['16'],
    },
  });
  t.equal(created.response.statusCode, 201, created.response.body);
  await patch(app, key, 'KGZ-1-76.3', { position: null, positionSource: null, sdgs: [] });
  t.same((await marks(app)).map((m) => m.field), ['paragraph', 'recommendingStates', 'reviewId', 'text', 'verbatim'], 'before: position, its source and the goals stayed the curator’s');
  t.same((await history(app, 'KGZ-1-76.3')).at(-1)!.changes.curatedFields, {
    before: ['paragraph', 'position', 'positionSource', 'recommendingStates', 'reviewId', 'sdgs', 'text', 'verbatim'],
    after: ['paragraph', 'recommendingStates', 'reviewId', 'text', 'verbatim'],
  });
  const report = await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic'), row('76.3. Ensure the independence of the judiciary (Norway);', 'support')]));
  t.same(report.kept.map((k) => k.field), ['text', 'verbatim']);
  t.equal((await getJson(app, '/v1/recommendations/KGZ-1-76.3')).body.position, 'supported', "the file's decision, before: null kept");

  // A file's null is an offer: a field the curator set over it, emptied again, is still theirs (null is their value).
  await patch(app, key, 'KGZ-1-76.3', { paragraph: null });
  t.ok((await marks(app)).some((m) => m.field === 'paragraph'), 'a paragraph the file gave (76.3) is not handed back by null');
});

t.test("a PATCH that hands one field back and takes another: the history's curatedFields after names the one taken", async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'ngo-curator');
  await importInto(app, termanFile([row(`76.1. ${TEXT_1}`, 'support', 'Czech Republic')]));
  const curators = 'Ratify OP-CAT (Czechia).';
  await patch(app, key, 'KGZ-1-76.1', { text: curators });
  t.same((await marks(app)).map((m) => m.field), ['text']);

  await patch(app, key, 'KGZ-1-76.1', { text: TEXT_1, sdgs: ['16'] });
  t.same((await marks(app)).map((m) => m.field), ['sdgs'], 'the text back to the files, the goals the curator’s');
  t.same((await history(app, 'KGZ-1-76.1')).at(-1)!.changes.curatedFields, { before: ['text'], after: ['sdgs'] }, 'before: after named none');
});
