import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { tagRecommendations, wantedLabels } from '../src/tagging/apply.js';
import { runTagCli } from '../src/tagging/cli.js';
import { Tagger } from '../src/tagging/model.js';
import { setTagger } from '../src/tagging/tagger.js';
import { MIGRATIONS_FOLDER, openDatabase } from '../src/db/open.js';
import { buildTestApp, getJson, sqliteOnly, tempDir, UNDO_UNREPEATABLE_MIGRATIONS } from './helpers.js';
import { mintKey, parseEtag, send } from './curation-helpers.js';
import { databaseEnv, importInto, macRoman, seededDb } from './import-helpers.js';
import { retag, uprInfoCsv } from './support/pgconv-e-tagging.js';
import { testSql } from './support/test-sql.js';
import { FIXTURE_LABELS, FIXTURE_THEMES, fixtureModel, fixtureTagger } from './tagging-helpers.js';

// Machine labels in the database, on either backend: given at import and on writes, kept apart from curated and
// UPR Info labels, never given back once a curator removed them. The tagger itself: tagging-model.test.ts.

const { DEATH, EDUCATION } = FIXTURE_LABELS;
const tagger = fixtureTagger();
setTagger(tagger);
t.teardown(() => setTagger(undefined)); // the shipped model again: a shard runs other files in this process

t.test('machine labels at import: unlabelled records get them, UPR Info coding is kept', async (t) => {
  const app = await buildTestApp(t);
  await importInto(app, uprInfoCsv([
    ['Abolish the death penalty', '', 8],
    ['Build more schools and improve education', 'Right to education', 8],
  ]));
  const kgz1 = () =>
    testSql(app).all<{ id: string; text: string; themeId: string; source: string; confidence: number | null }>(
      `select r.id, r.text, l.theme_id as "themeId", l.label_source as source, l.confidence from recommendation_themes l
      join recommendations r on r.id = l.recommendation_id where r.review_id = 'KGZ-1' order by 2, 3`,
    );
  const rows = await kgz1();
  const links = rows.map(({ id: _, ...link }) => link);
  const death = links.filter((l) => l.text === 'Abolish the death penalty');
  t.same(death.map((l) => [l.themeId, l.source]), [[DEATH, 'machine']], 'empty Issue cells: machine labels');
  t.ok(death[0]!.confidence! > 0.5);
  const school = links.filter((l) => l.text !== 'Abolish the death penalty');
  t.same(
    school.map((l) => [l.themeId, l.source, l.confidence]),
    [['right-to-education', 'machine', 1], [EDUCATION, 'upr-info', null]],
    "UPR Info's label kept; the UHRI theme derived from it, as a machine label",
  );
  await retag(app, tagger, [...new Set(rows.map((r) => r.id))]);
  t.same(await kgz1(), rows, 'nothing to redo: tagged again, the same labels and confidences');
});

t.test("UPR Info's Torture issue derives no UHRI torture theme: it also codes corporal punishment and harmful practices", async (t) => {
  const app = await buildTestApp(t);
  await importInto(app, uprInfoCsv([['Prohibit corporal punishment of children in all settings', 'Rights of the Child, Torture and other CID treatment', 8]]));
  const themes = await testSql(app).all<{ themeId: string; source: string }>(
    `select l.theme_id as "themeId", l.label_source as source from recommendation_themes l
    join recommendations r on r.id = l.recommendation_id where r.review_id = 'KGZ-1' order by 1`,
  );
  t.same(
    themes.map((l) => [l.themeId, l.source]),
    [['upr-info-rights-of-the-child', 'upr-info'], ['upr-info-torture-and-other-cid-treatment', 'upr-info']],
    "UPR Info's coding, and no 'Prohibition of torture & cruel, inhuman or degrading treatment' (OHCHR files corporal punishment under children's themes)",
  );
});

t.test('a record merged from another file keeps its labels\' provenance; the same files again change nothing', async (t) => {
  const app = await buildTestApp(t);
  // The Terman corpus's shape (no labels: the tagger gives them), then UPR Info's coding of the same two recommendations.
  const corpus = macRoman(
    'text,to,decision,From,year,notes\r' +
      '76.1. Abolish the death penalty (Norway);,kyrgysztan,consider,Norway,2010,\r' +
      '76.2. Build more schools and improve education (Norway);,kyrgysztan,support,Norway,2010,\r',
  );
  const coding = uprInfoCsv([
    ['Abolish the death penalty', '', 8],
    ['Build more schools and improve education', 'Right to education', 8],
  ]);
  await importInto(app, corpus);
  const merged = await importInto(app, coding);
  t.equal(merged.reconciliation.matched, 2, "UPR Info's rows are the corpus's records");
  const labels = () =>
    testSql(app).all<{ text: string; themeId: string; source: string; confidence: number | null; version: number }>(
      `select r.text, l.theme_id as "themeId", l.label_source as source, l.confidence, r.version from recommendation_themes l
      join recommendations r on r.id = l.recommendation_id where r.review_id = 'KGZ-1' order by 1, 2`,
    );
  const after = await labels();
  t.same(
    after.filter((l) => l.text.includes('death')).map((l) => [l.themeId, l.source]),
    [[DEATH, 'machine']],
    'no Issue given: the machine label stays a machine label (never shown as UPR Info\'s coding)',
  );
  t.same(
    after.filter((l) => l.text.includes('schools')).map((l) => [l.themeId, l.source, l.confidence]),
    [['right-to-education', 'machine', 1], [EDUCATION, 'upr-info', null]],
    "UPR Info's label replaces the machine one; the UHRI theme derived from it stays a machine label",
  );
  for (const file of [corpus, coding]) {
    const again = await importInto(app, file);
    t.same(again.recommendations, { created: 0, updated: 0, unchanged: 2 }, 'a file imported again changes nothing');
  }
  t.same(await labels(), after, 'the same labels, sources, confidences and versions');
});

t.test('tagRecommendations: only machine labels change; a review, or all', async (t) => {
  if (sqliteOnly(t, "tagRecommendations over a review or every record is `npm run tag`'s, which opens a SQLite file; PostgreSQL tags each record as it is written (pg-apply.ts, the tests below)")) return;
  const db = seededDb(t);
  const seedRecs = db.$client.prepare("select count(*) from recommendations where review_id = 'KGZ-3'").pluck().get() as number;
  t.equal(tagRecommendations(db, tagger, { reviewId: 'KGZ-3', all: false }).recommendations, 0, "the seed's recommendations were tagged when seeded");
  db.$client.prepare("delete from recommendation_themes where label_source = 'machine'").run();
  const first = tagRecommendations(db, tagger, { reviewId: 'KGZ-3', all: false });
  t.equal(first.recommendations, seedRecs, 'those with no upr-info label');
  t.ok(first.added >= seedRecs);
  const curated = db.$client.prepare("select count(*) from recommendation_themes where label_source = 'curated'").pluck().get();
  const again = tagRecommendations(db, tagger, { all: false });
  t.equal(again.recommendations, 0, 'all tagged now');
  const other = new Tagger({ ...fixtureModel(), bias: FIXTURE_THEMES.map(() => 3) });
  const redo = tagRecommendations(db, other, { all: true });
  t.ok(redo.changed + redo.added + redo.removed > 0, 'a new model: labels recomputed');
  t.equal(db.$client.prepare("select count(*) from recommendation_themes where label_source = 'curated'").pluck().get(), curated, 'curated labels untouched');
  const back = tagRecommendations(db, tagger, { all: true });
  t.ok(back.removed > 0, 'labels the model no longer gives are removed');
  t.same(wantedLabels(tagger, 'x', [{ themeId: 'right-to-education', scheme: 'uhri', source: 'ohchr', confidence: null }, { themeId: EDUCATION, scheme: 'upr-info', source: 'curated', confidence: null }], new Map([[EDUCATION, 'right-to-education']])), [], 'nothing when both schemes are labelled');
});

// One app for the API's tests (the first counts every record labelled DEATH; the next ask only about the record
// they create) and the constraint's (nothing written): each app is a database more to make, twice over in `npm test`.
let sharedApp: Promise<FastifyInstance> | undefined;
const shared = () => (sharedApp ??= buildTestApp(t));

t.test('the API: machine labels on create, in JSON and CSV, filters, stats, confirm and delete', async (t) => {
  const app = await shared();
  const key = mintKey(app);
  const created = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'KGZ-3', text: 'Abolish the death penalty and commute death sentences', verbatim: false, recommendingStates: ['FIN'] },
  });
  t.equal(created.response.statusCode, 201, created.response.body);
  const id = created.body.id as string;
  const machine = created.body.themes.find((x: { id: string }) => x.id === DEATH);
  t.match(machine, { id: DEATH, label: 'Death penalty', source: 'machine' });
  t.ok(machine.confidence > 0.5 && machine.confidence <= 1);

  const curatedOnly = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'KGZ-3', text: 'Abolish the death penalty now', verbatim: false, recommendingStates: ['FIN'], themes: ['no-such-theme'] },
  });
  t.equal(curatedOnly.response.statusCode, 422, 'an unknown theme');
  const labelled = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'KGZ-3', text: 'Abolish capital punishment', verbatim: false, recommendingStates: ['FIN'], themes: [DEATH] },
  });
  t.same(labelled.body.themes.map((x: { source: string; confidence: null }) => [x.source, x.confidence]), [['curated', null]], 'a curated upr-info label: no machine label');

  const csv = (await app.inject({ method: 'GET', url: `/v1/recommendations?format=csv&reviewId=KGZ-3&theme=${DEATH}` })).body;
  const [header, ...lines] = csv.trim().split('\r\n');
  const columns = header!.split(',');
  const row = lines.map((l) => l.split(',')).find((cells) => cells[0] === id)!;
  t.equal(row[columns.indexOf('themeSources')], 'machine');
  t.equal(Number(row[columns.indexOf('themeConfidences')]), machine.confidence);

  const all = (await getJson(app, `/v1/recommendations?theme=${DEATH}`)).body;
  t.equal(all.data.length, 2, 'machine labels count by default');
  const curated = (await getJson(app, `/v1/recommendations?theme=${DEATH}&labelSource=curated,upr-info`)).body;
  t.same(curated.data.map((r: { id: string }) => r.id), [labelled.body.id], 'labelSource restricts them');
  const stats = (await getJson(app, `/v1/stats/recommendations?groupBy=theme&reviewId=KGZ-3&labelSource=machine`)).body;
  t.equal(stats.data.find((g: { theme: string }) => g.theme === DEATH).count, 1);
  t.notOk(stats.data.some((g: { theme: string }) => g.theme === 'human-rights-defenders'), 'curated seed labels left out');
  const bad = await getJson(app, '/v1/recommendations?labelSource=robot');
  t.equal(bad.response.statusCode, 400);

  const confirmed = await send(app, 'PUT', `/v1/recommendations/${id}/themes/${DEATH}`, { key, headers: { 'if-match': created.response.headers.etag as string } });
  t.equal(confirmed.response.statusCode, 200, confirmed.response.body);
  t.match(confirmed.body.themes.find((x: { id: string }) => x.id === DEATH), { source: 'curated', confidence: null });
  t.equal(parseEtag(confirmed.response.headers.etag).version, 2, 'a new version');
  const history = await testSql(app).all<{ changes: string }>("select changes from audit_log where entity = 'recommendations' and entity_id = ? and action = 'update'", [id]);
  t.match(JSON.parse(history[0]!.changes), { themeSources: { before: { [DEATH]: 'machine' }, after: { [DEATH]: 'curated' } } }, 'audited');
  const same = await send(app, 'PUT', `/v1/recommendations/${id}/themes/${DEATH}`, { key });
  t.equal(parseEtag(same.response.headers.etag).version, 2, 'idempotent');

  const removed = await send(app, 'DELETE', `/v1/recommendations/${id}/themes/${DEATH}`, { key });
  t.equal(removed.response.statusCode, 200);
  t.notOk(removed.body.themes.some((x: { id: string }) => x.id === DEATH));
  t.equal((await send(app, 'PUT', `/v1/recommendations/${id}/themes/no-such-theme`, { key })).response.statusCode, 404);
  t.equal((await send(app, 'PUT', `/v1/recommendations/nope/themes/${DEATH}`, { key })).response.statusCode, 404);
  t.equal((await send(app, 'DELETE', `/v1/recommendations/${id}/themes/${DEATH}`, { key, headers: { 'if-match': '"v1-r1"' } })).response.statusCode, 412);
  t.equal((await send(app, 'DELETE', `/v1/recommendations/${id}/themes/${DEATH}`)).response.statusCode, 401);
});

/** A recommendation with a curated theme, which the model labels with the death penalty too. */
const createDeathPenalty = (app: Awaited<ReturnType<typeof shared>>, key: string) =>
  send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'KGZ-3', text: 'Abolish the death penalty', verbatim: false, recommendingStates: ['FIN'], themes: ['human-rights-defenders'] },
  });

t.test('a new text is tagged again; a theme a curator removed is never given back by the machine', async (t) => {
  const app = await shared();
  const key = mintKey(app);
  const created = await createDeathPenalty(app, key);
  const id = created.body.id as string;
  const themes = async () => {
    const body = (await getJson(app, `/v1/recommendations/${id}`)).body as { themes: { id: string; source: string }[] };
    return body.themes.map((x) => `${x.id} ${x.source}`).sort();
  };
  const patch = (body: object) => send(app, 'PATCH', `/v1/recommendations/${id}`, { key, body, headers: { 'if-match': '*' } });
  t.same(await themes(), ['human-rights-defenders curated', `${DEATH} machine`]);

  t.equal((await patch({ text: 'Improve access to quality education in rural schools' })).response.statusCode, 200);
  t.same(await themes(), ['human-rights-defenders curated', 'right-to-education machine', `${EDUCATION} machine`], 'a new text: its machine labels, the curated one kept');
  t.equal((await patch({ verbatim: true })).response.statusCode, 200);
  t.same(await themes(), ['human-rights-defenders curated', 'right-to-education machine', `${EDUCATION} machine`], 'another field: labels as they were');

  t.equal((await send(app, 'DELETE', `/v1/recommendations/${id}/themes/${EDUCATION}`, { key })).response.statusCode, 200);
  const rejections = async () =>
    (await testSql(app).all<{ theme_id: string }>('select theme_id from machine_label_rejections where recommendation_id = ? order by 1', [id])).map((r) => r.theme_id);
  t.same(await rejections(), [EDUCATION], 'the removal is remembered');
  t.same(await themes(), ['human-rights-defenders curated', 'right-to-education machine']);
  await retag(app, tagger, [id]);
  t.same(await themes(), ['human-rights-defenders curated'], 'tagging it again does not give it back, nor the UHRI theme derived from it');
  t.equal((await patch({ text: 'Improve access to quality education in rural schools and universities' })).response.statusCode, 200);
  t.same(await themes(), ['human-rights-defenders curated'], 'nor does a new text');

  t.equal((await patch({ themes: [] })).response.statusCode, 200);
  t.same(await rejections(), [EDUCATION, 'human-rights-defenders'].sort(), 'a theme left out of a PATCH is remembered too');
  await retag(app, tagger, [id]);
  t.same(await themes(), [], 'tagged again with every theme rejected: no label, rather than a rejected one');
  t.equal((await patch({ themes: [EDUCATION] })).response.statusCode, 200);
  t.same(await rejections(), ['human-rights-defenders'], 'a theme a curator gives again is no longer rejected');
  t.same(await themes(), [`${EDUCATION} curated`], 'a PATCH of themes sets them whole: no machine label after it');
  t.equal((await patch({ text: 'Abolish the death penalty and release political prisoners', themes: [EDUCATION] })).response.statusCode, 200);
  t.same(await themes(), [`${EDUCATION} curated`], 'not even when it gives a new text too (it was tagged after the PATCH)');
  t.equal((await patch({ themes: [] })).response.statusCode, 200);
  t.equal((await send(app, 'PUT', `/v1/recommendations/${id}/themes/${EDUCATION}`, { key })).response.statusCode, 200);
  t.same(await rejections(), ['human-rights-defenders'], 'nor one a curator confirms');

  // The history records the labels people and files gave, never the machine's (derived from the text, given
  // again in the same write): each entry's themes before are the last entry's after.
  const entries = await testSql(app).all<{ action: string; changes: string }>(
    "select action, changes from audit_log where entity = 'recommendations' and entity_id = ? order by seq",
    [id],
  );
  let themesNow: string[] | undefined;
  for (const [i, entry] of entries.entries()) {
    const change = JSON.parse(entry.changes).themes as { before: string[] | null; after: string[] } | undefined;
    if (change === undefined) continue;
    if (i > 0) t.same(change.before, themesNow, `entry ${i + 1} (${entry.action}): themes before as the history left them`);
    themesNow = change.after;
  }
  t.same(JSON.parse(entries[0]!.changes).themes.after, ['human-rights-defenders'], 'created with a curated label; the machine one is not in the history');
  t.same(themesNow, [EDUCATION], 'and ends with the labels the record has');
});

t.test('a PATCH of themes that removes machine labels is an update: a new version, audited as a DELETE of one is', async (t) => {
  const app = await shared();
  const key = mintKey(app);
  const created = await createDeathPenalty(app, key);
  const id = created.body.id as string;
  t.ok(created.body.themes.some((x: { id: string; source: string }) => x.id === DEATH && x.source === 'machine'));
  const patch = () =>
    send(app, 'PATCH', `/v1/recommendations/${id}`, { key, body: { themes: ['human-rights-defenders'] }, headers: { 'if-match': '*' } });
  const patched = await patch();
  t.equal(patched.response.statusCode, 200, patched.response.body);
  t.same(patched.body.themes.map((x: { id: string }) => x.id), ['human-rights-defenders'], 'the machine label is gone (and rejected)');
  t.equal(parseEtag(patched.response.headers.etag).version, 2, 'a curator removed a label the record showed: a new version');
  const updates = await testSql(app).all<{ changes: string }>(
    "select changes from audit_log where entity = 'recommendations' and entity_id = ? and action = 'update'",
    [id],
  );
  t.equal(updates.length, 1, 'and an entry in its history');
  t.same(JSON.parse(updates[0]!.changes).themeSources, {
    before: { [DEATH]: 'machine', 'human-rights-defenders': 'curated' },
    after: { 'human-rights-defenders': 'curated' },
  });
  t.equal(parseEtag((await patch()).response.headers.etag).version, 2, 'the same themes again: nothing changes');
});
t.test('a re-import does not give back a machine label a curator removed', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  await importInto(app, uprInfoCsv([['Abolish the death penalty', '', 8]]));
  const { id } = (await sql.get<{ id: string }>("select id from recommendations where review_id = 'KGZ-1' and text = 'Abolish the death penalty'"))!;
  const machine = async () =>
    (await sql.all<{ theme_id: string }>("select theme_id from recommendation_themes where recommendation_id = ? and label_source = 'machine' order by 1", [id])).map((r) => r.theme_id);
  t.same(await machine(), [DEATH]);
  t.equal((await send(app, 'DELETE', `/v1/recommendations/${id}/themes/${DEATH}`, { key: mintKey(app) })).response.statusCode, 200, 'a curator removes it');
  const report = await importInto(app, uprInfoCsv([['Abolish the death penalty', '', 8]], 'Noted'));
  t.equal(report.recommendations.updated, 1, 'the record is written again');
  t.same(await machine(), [], 'and the removed label stays removed');
  t.equal(await sql.run('delete from machine_label_rejections where recommendation_id = ?', [id]), 1);
  await retag(app, tagger, [id]);
  t.same(await machine(), [DEATH], 'the rejection lifted, the tagger gives it again');
});

t.test("a tagger's confidence stays below 1, the confidence of a label derived from UPR Info's own coding", async (t) => {
  // Every label all but certain: a probability over 0.9995, which three decimals would round to 1.
  const sure = new Tagger({ ...fixtureModel(), bias: FIXTURE_THEMES.map(() => 20) });
  t.ok(sure.probabilities('Abolish the death penalty').every((p) => p > 0.9995));
  setTagger(sure);
  t.teardown(() => setTagger(tagger));
  const app = await buildTestApp(t);
  const created = await send(app, 'POST', '/v1/recommendations', {
    key: mintKey(app),
    body: { reviewId: 'KGZ-3', text: 'Abolish the death penalty', verbatim: false, recommendingStates: ['FIN'] },
  });
  t.equal(created.response.statusCode, 201, created.response.body);
  const machine = (created.body.themes as { id: string; source: string; confidence: number }[]).filter((l) => l.source === 'machine');
  t.ok(machine.some((l) => l.id === DEATH));
  t.same(machine.map((l) => l.confidence), machine.map(() => 0.999), 'capped at 0.999');
  const stored = (await getJson(app, `/v1/recommendations/${created.body.id}`)).body.themes as { source: string; confidence: number }[];
  t.same(stored.filter((l) => l.source === 'machine').map((l) => l.confidence), machine.map(() => 0.999), 'as stored');
});

t.test('the database refuses a confidence on a label that is not a machine label', async (t) => {
  const app = await shared();
  const sql = testSql(app);
  const { id } = (await sql.get<{ id: string }>("select recommendation_id as id from recommendation_themes where label_source <> 'machine' order by 1 limit 1"))!;
  await t.rejects(sql.run('update recommendation_themes set confidence = 0.5 where recommendation_id = ?', [id]), /recommendation_themes_confidence/);
  await t.rejects(
    sql.run("insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values (?, 'cultural-rights', 'machine', 2)", [id]),
    /recommendation_themes_confidence/,
  );
});

t.test('npm run tag, on the database the environment names (DATABASE_PATH or DATABASE_URL)', async (t) => {
  const app = await buildTestApp(t);
  const sql = testSql(app);
  const env = databaseEnv(app);
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  const list = '/v1/recommendations?reviewId=KGZ-3&limit=100';
  const machineThemes = async () =>
    ((await app.inject({ method: 'GET', url: list })).json().data as { themes: { source: string }[] }[]).flatMap((r) =>
      r.themes.filter((theme) => theme.source === 'machine'),
    ).length;
  await sql.run("delete from recommendation_themes where label_source = 'machine' and recommendation_id in (select id from recommendations where review_id = 'KGZ-3')");
  const etag = (await app.inject({ method: 'GET', url: list })).headers.etag;
  t.equal(await runTagCli(['--review', 'KGZ-3', '--json'], env, io), 0);
  const report = JSON.parse(out.pop()!);
  t.match(report, { recommendations: Number, changed: 0, removed: 0 });
  t.ok(report.added > 0, 'labels given to the records that had none');
  t.equal(await sql.count('recommendation_themes', "label_source = 'machine' and recommendation_id in (select id from recommendations where review_id = 'KGZ-3')"), report.added);
  // The command ran in this process's turn; a write from another process is seen from the next one (src/http/cache.ts).
  await new Promise(setImmediate);
  const served = await app.inject({ method: 'GET', url: list });
  t.not(served.headers.etag, etag, 'a new revision: caches follow');
  t.equal(await machineThemes(), report.added, 'the stored documents show them');
  t.equal(await runTagCli(['--all'], env, io), 0);
  t.match(out.pop(), /recommendations looked at: 0 machine labels added, 0 changed, 0 removed/, 'nothing left to do');
  t.equal(await runTagCli(['--help'], env, io), 0);
  t.match(out.pop(), /Usage: npm run tag/);
  t.equal(await runTagCli(['--review', 'nope'], env, io), 2);
  t.equal(await runTagCli(['--bogus'], env, io), 2);
  // The two usage errors (SQLite's runs said their progress too, a line a batch: tagging-batches.test.ts).
  t.equal(err.filter((line) => !line.startsWith('tag: ')).length, 2);
  t.equal(await runTagCli([], { ...env, DATABASE_BUSY_TIMEOUT_MS: 'soon' }, io), 1, 'a wrong environment is said, a failure (it was 2, wrong usage)');
  t.match(err.pop(), /^Invalid environment:\n {2}DATABASE_BUSY_TIMEOUT_MS: /);
  // A PostgreSQL database that does not answer: one line, its password never shown (port 1: refused at once).
  t.equal(await runTagCli([], { ...env, DATABASE_URL: 'postgres://upr:secret@127.0.0.1:1/upr' }, io), 1);
  t.match(err.pop(), /^Not tagged: postgres:\/\/upr:\*\*\*@127\.0\.0\.1:1\/upr: connect ECONNREFUSED 127\.0\.0\.1:1\n$/);
});

t.test('labels an older import stored as UPR Info\'s or OHCHR\'s coding are machine labels again, or gone (migration 0025)', async (t) => {
  if (sqliteOnly(t, 'the SQLite migration; PostgreSQL\'s 0016 does the same: postgres-freshen.test.ts')) return;
  const path = join(tempDir(t), 'merged-labels.sqlite');
  const first = openDatabase(path);
  const c = first.$client;
  c.exec(`insert or ignore into themes (id, label, uhri, scheme) values ('upr-info-racial-discrimination', 'Racial discrimination', 0, 'upr-info'),
    ('upr-info-death-penalty', 'Death penalty', 0, 'upr-info');
    delete from recommendation_themes where recommendation_id in ('KGZ-3-ESP-1', 'KGZ-3-USA-2');
    -- As an import merging a record before 2026-12-03 wrote them: the issue UPR Info gave and the UHRI theme the
    -- crosswalk derives from it, both as UPR Info's; a UHRI theme as UPR Info's with no issue behind it; an issue as OHCHR's.
    insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values
      ('KGZ-3-ESP-1', 'upr-info-racial-discrimination', 'upr-info', null), ('KGZ-3-ESP-1', 'racial-discrimination', 'upr-info', null),
      ('KGZ-3-USA-2', 'right-to-health', 'upr-info', null), ('KGZ-3-USA-3', 'upr-info-death-penalty', 'ohchr', null)`);
  const labels = (db: typeof first, id: string) =>
    (JSON.parse(db.$client.prepare('select json from recommendation_documents where recommendation_id = ?').pluck().get(id) as string).themes as { id: string; source: string; confidence: number | null }[])
      .map((l) => `${l.id} ${l.source} ${l.confidence}`);
  c.close();
  const before = openDatabase(path);
  const curatedOf = labels(before, 'KGZ-3-USA-3').filter((l) => !l.startsWith('upr-info-death-penalty'));
  t.same(labels(before, 'KGZ-3-ESP-1'), ['racial-discrimination upr-info null', 'upr-info-racial-discrimination upr-info null'], "shown as UPR Info's");
  t.equal(labels(before, 'KGZ-3-USA-3').length, curatedOf.length + 1);
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const since = journal.entries.find((e) => e.tag === '0025_machine_labels_provenance')!.when;
  t.ok(before.$client.prepare('delete from __drizzle_migrations where created_at >= ?').run(since).changes >= 1);
  before.$client.exec(UNDO_UNREPEATABLE_MIGRATIONS); // 0026 and 0028, run again after 0025
  before.$client.close();

  const upgraded = openDatabase(path);
  t.same(labels(upgraded, 'KGZ-3-ESP-1'), ['racial-discrimination machine 1', 'upr-info-racial-discrimination upr-info null'], 'the derived theme a machine label, as a new import gives it');
  t.same(labels(upgraded, 'KGZ-3-USA-2'), [], 'a UHRI theme UPR Info never gave, of unknown confidence: removed');
  t.same(labels(upgraded, 'KGZ-3-USA-3'), curatedOf, "an issue OHCHR never gave: removed, the curated labels kept");
  t.equal(upgraded.$client.prepare('select count(*) from stats_dirty').pluck().get(), 0, 'the counts follow');
  upgraded.$client.close();
});

t.test("UHRI's torture theme derived from UPR Info's Torture issue is gone, a curated one kept (migration 0036)", async (t) => {
  if (sqliteOnly(t, "the SQLite migration; PostgreSQL's 0028 does the same: postgres-freshen.test.ts")) return;
  const path = join(tempDir(t), 'torture-theme.sqlite');
  const first = openDatabase(path);
  const torture = first.$client.prepare("select id from themes where scheme = 'uhri' and label = ?").pluck()
    .get('Prohibition of torture & cruel, inhuman or degrading treatment') as string;
  // As the crosswalk gave it until 2026-12-06: a machine label derived from the issue; and one a curator set.
  first.$client.prepare("delete from recommendation_themes where theme_id = ? and recommendation_id in ('KGZ-3-ESP-1', 'KGZ-3-USA-2')").run(torture);
  first.$client.prepare(`insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values
    ('KGZ-3-ESP-1', ?, 'machine', 1), ('KGZ-3-USA-2', ?, 'curated', null)`).run(torture, torture);
  first.$client.close();
  const shown = (db: ReturnType<typeof openDatabase>, id: string) =>
    (JSON.parse(db.$client.prepare('select json from recommendation_documents where recommendation_id = ?').pluck().get(id) as string).themes as { id: string; source: string; confidence: number | null }[])
      .filter((l) => l.id === torture).map((l) => `${l.source} ${l.confidence}`);
  const before = openDatabase(path);
  t.same(shown(before, 'KGZ-3-ESP-1'), ['machine 1'], 'shown before the upgrade');
  const count = (db: ReturnType<typeof openDatabase>) => db.$client.prepare('select count(*) from recommendation_themes where theme_id = ?').pluck().get(torture) as number;
  const stored = count(before);
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const since = journal.entries.find((e) => e.tag === '0036_machine_torture_theme')!.when;
  t.ok(before.$client.prepare('delete from __drizzle_migrations where created_at >= ?').run(since).changes >= 1);
  before.$client.close();

  const upgraded = openDatabase(path);
  t.same(shown(upgraded, 'KGZ-3-ESP-1'), [], 'the derived machine label removed, its document rebuilt');
  t.same(shown(upgraded, 'KGZ-3-USA-2'), ['curated null'], "a curator's kept");
  t.equal(count(upgraded), stored - 1, 'only the machine label');
  t.equal(upgraded.$client.prepare('select count(*) from stats_dirty').pluck().get(), 0, 'the counts follow');
  upgraded.$client.close();
});
