import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { tagRecommendations, wantedLabels } from '../src/tagging/apply.js';
import { runTagCli } from '../src/tagging/cli.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { MAX_LABELS, MODEL_FORMAT, Tagger, blockScales, loadTagger } from '../src/tagging/model.js';
import { allowThemes, rejectThemes } from '../src/tagging/rejections.js';
import { machineTagger, setTagger } from '../src/tagging/tagger.js';
import { charGramCounts, features, stem, termCounts, words } from '../src/tagging/text.js';
import { evaluate, fit, random, tuneThresholds } from '../src/tagging/train.js';
import { heldOutEvaluation, shippedModel } from '../src/tagging/training-run.js';
import { buildTestApp, getJson, sqliteOnly, tempDir } from './helpers.js';
import { mintKey, parseEtag, send } from './curation-helpers.js';
import { macRoman, run, seededDb } from './import-helpers.js';
import { FIXTURE_CORPUS, FIXTURE_LABELS, FIXTURE_OPTIONS, FIXTURE_THEMES, fixtureModel, fixtureTagger } from './tagging-helpers.js';

sqliteOnly(t, 'reads or writes the SQLite database directly (app.db)');

const { DEATH, EDUCATION, TORTURE, WOMEN, INSTRUMENTS } = FIXTURE_LABELS;
const tagger = fixtureTagger();
setTagger(tagger);

t.test('text features: folded words, light stems, word pairs', async (t) => {
  t.same(words("Ratify the Women’s Convention; 2 ratifications!"), ['ratifi', 'women', 'convention', 'ratific']);
  t.equal(stem('ratifies'), 'ratify'.slice(0, 5) + 'i', 'ies → y, then y → i');
  t.equal(stem('classes'), 'class');
  t.equal(stem('status'), 'status', 'a word ending in -us keeps its s');
  t.equal(stem('act'), 'act', 'short words are kept');
  t.same([...termCounts('death penalty, death penalty')], [
    ['death', 2],
    ['penalti', 2],
    ['death penalti', 2],
    ['penalti death', 1],
  ]);
  t.same([...charGramCounts('the Torture', { min: 3, max: 4 })].map(([g]) => g), [
    '# to', '#tor', '#ort', '#rtu', '#tur', '#ure', '#re ',
    '# tor', '#tort', '#ortu', '#rtur', '#ture', '#ure ',
  ], 'n-grams within each content word, its edges as spaces, marked #');
  t.same(charGramCounts('aaaa aaaa', { min: 3, max: 3 }).get('#aaa'), 4, 'counted');
  t.same(features('death penalty', undefined), termCounts('death penalty'), 'no n-grams unless asked');
  const both = features('death', { min: 3, max: 3 });
  t.same([...both.keys()], ['death', '# de', '#dea', '#eat', '#ath', '#th ']);
});

t.test('a vector of two blocks: each L2-normalised, weighted, of norm 1 in all', async (t) => {
  const close = (a: number[], b: number[]) => t.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-12), `${a} ≈ ${b}`);
  close(blockScales(4, 9, 1), [1 / 2 / Math.SQRT2, 1 / 3 / Math.SQRT2]);
  close(blockScales(4, 9, 2), [1 / 2 / Math.sqrt(5), 2 / 3 / Math.sqrt(5)]);
  close(blockScales(0, 9, 2), [0, 1 / 3]);
  close(blockScales(4, 0, 2), [1 / 2, 0]);
  close(blockScales(0, 0, 1), [0, 0]);
});

t.test('a model with character n-grams tags a word form it never saw', async (t) => {
  const options = { ...FIXTURE_OPTIONS, charGrams: { min: 3, max: 5 }, charWeight: 1.5 };
  const model = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture with n-grams', options);
  t.same(model.charGrams, { min: 3, max: 5, weight: 1.5 }, 'the file says how to compute its features');
  t.ok(Object.keys(model.terms).some((term) => term.startsWith('#')), 'n-grams among its terms');
  t.equal(JSON.stringify(model), JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture with n-grams', options)), 'deterministic');
  const withGrams = new Tagger(model);
  t.same(withGrams.tag('Prosecute torturers').map((l) => l.themeId), [TORTURE], '"torturers": only its n-grams are known');
  t.same(withGrams.tag('Abolish the death penalty').map((l) => l.themeId), [DEATH]);
  t.equal(fixtureModel().charGrams, undefined, 'a model without them: words and pairs only');
});

t.test('the fixture model tags what it was trained on, deterministically', async (t) => {
  t.equal(JSON.stringify(fixtureModel()), JSON.stringify(fixtureModel()), 'same data, same file');
  t.same(tagger.tag('Abolish capital punishment').map((l) => l.themeId), [DEATH]);
  const torture = tagger.tag('Ratify the Convention against Torture').map((l) => l.themeId);
  t.same([...torture].sort(), [INSTRUMENTS, TORTURE].sort(), 'two labels when two apply');
  for (const label of tagger.tag('Protect women from domestic violence')) {
    t.ok(label.confidence > 0 && label.confidence <= 1, 'a confidence is a probability');
  }
  const unsure = new Tagger({ ...fixtureModel(), thresholds: FIXTURE_THEMES.map(() => 1) });
  t.same(unsure.tag('Abolish the death penalty').map((l) => l.themeId), [DEATH], 'at least one label: the closest to its threshold');
  t.equal(unsure.tag('').length, 1, 'even for nothing known');
  const sure = new Tagger({ ...fixtureModel(), thresholds: FIXTURE_THEMES.map(() => 0) });
  t.equal(sure.tag('Abolish the death penalty').length, Math.min(MAX_LABELS, FIXTURE_THEMES.length), 'at most MAX_LABELS');
  t.throws(() => new Tagger({ ...fixtureModel(), format: 'other' as typeof MODEL_FORMAT }), /not a tagger model/);
  const rand = random(1);
  t.not(rand(), rand());
});

t.test('evaluation: micro- and macro-F1 and per-label scores', async (t) => {
  const e = evaluate(tagger, FIXTURE_CORPUS);
  t.equal(e.texts, FIXTURE_CORPUS.length);
  t.ok(e.microF1 > 0.8, `micro-F1 on its own training texts ${e.microF1}`);
  t.ok(e.macroF1 > 0.7);
  t.equal(e.perLabel.length, FIXTURE_THEMES.length);
  const none = evaluate(tagger, [{ text: 'Abolish the death penalty', labels: ['upr-info-unknown'], session: 1 }]);
  t.equal(none.microF1, 0, 'a label outside the model is missed');
  t.same(tuneThresholds([Float64Array.of(0.9), Float64Array.of(0.2)], [Int32Array.of(0), Int32Array.of()], 1), [0.21]);
  t.same(tuneThresholds([Float64Array.of(0.9)], [Int32Array.of()], 1), [0.5], 'no positives: the default');
  const oneSession = fit(FIXTURE_CORPUS.map((x) => ({ ...x, session: 1 })), FIXTURE_THEMES, 'one session', FIXTURE_OPTIONS);
  t.same(oneSession.thresholds, FIXTURE_THEMES.map(() => 0.5), 'one session: no folds to tune on');
});

t.test('weights averaged over the last epochs', async (t) => {
  const at = (averageFrom: number) => fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'averaged', { ...FIXTURE_OPTIONS, averageFrom });
  const last = at(0);
  t.equal(JSON.stringify(at(FIXTURE_OPTIONS.epochs)), JSON.stringify(last), 'the mean of the last epoch alone: its weights');
  const averaged = at(10);
  t.not(JSON.stringify(averaged.terms), JSON.stringify(last.terms), 'the mean of epochs 10–40 is not the last epoch');
  t.same(new Tagger(averaged).tag('Abolish the death penalty').map((l) => l.themeId), [DEATH]);
});

// UPR Info's CSV format (see ../shared/data/README.md), Mac Roman, CR line endings.
const HEADER = 'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session';
// One state per session (a state's review of a cycle is in one session).
const STATES: Record<number, string> = { 8: 'Kyrgyzstan', 13: 'Finland', 14: 'Spain', 15: 'Kenya' };
const uprInfoCsv = (rows: [text: string, issue: string, session: number][], response = 'Accepted') =>
  macRoman(`${HEADER}\r${rows.map(([text, issue, session]) => `${STATES[session]},Asia,OIC,"${text}",Norway,WEOG,,${response},5,"${issue}",${session}`).join('\r')}\r`);

t.test('the training run: held-out sessions and the shipped model, from the CSV files', async (t) => {
  const dir = tempDir(t);
  const rows = FIXTURE_CORPUS.map((x) => [x.text, x.labels.map((l) => l.replace('upr-info-', '')).join(','), 13 + (x.session % 3)] as [string, string, number]);
  const issues: Record<string, string> = { [DEATH]: 'Death penalty', [EDUCATION]: 'Right to education', [TORTURE]: 'Torture and other CID treatment', [WOMEN]: "Women's rights", [INSTRUMENTS]: 'International instruments' };
  const file = FIXTURE_CORPUS.map((x, i) => [x.text, x.labels.map((l) => issues[l]).join(','), rows[i]![2]] as [string, string, number]);
  writeFileSync(join(dir, 'uprinfo_sessions_13-15.csv'), uprInfoCsv([...file, ['No issue here', '', 14]]));
  writeFileSync(join(dir, 'unrelated.csv'), 'not read');
  const db = seededDb(t);
  const corpus = await readLabelledCorpus(db, dir);
  t.equal(corpus.length, FIXTURE_CORPUS.length, 'a text without issues is not training data');
  const messages: string[] = [];
  const held = await heldOutEvaluation(db, dir, (m) => messages.push(m), FIXTURE_OPTIONS);
  t.equal(held.trainingTexts + held.texts, corpus.length, 'sessions 13–14 to train, 15 to measure');
  t.ok(held.texts > 0 && held.trainingTexts > 0);
  t.ok(messages.length > 0, 'progress reported');
  const model = await shippedModel(db, dir, undefined, FIXTURE_OPTIONS);
  t.match(model.trainedOn, /sessions 1–17 \(22 texts\)/);
  t.equal(model.labels.length, 54, "UPR Info's 54 issues");
});

t.test('machine labels at import: unlabelled records get them, UPR Info coding is kept', async (t) => {
  const db = seededDb(t);
  await run(db, uprInfoCsv([
    ['Abolish the death penalty', '', 8],
    ['Build more schools and improve education', 'Right to education', 8],
  ]));
  const links = db.$client
    .prepare(`select r.text, l.theme_id as themeId, l.label_source as source, l.confidence from recommendation_themes l
      join recommendations r on r.id = l.recommendation_id where r.review_id = 'KGZ-1' order by 1, 2`)
    .all() as { text: string; themeId: string; source: string; confidence: number | null }[];
  const death = links.filter((l) => l.text === 'Abolish the death penalty');
  t.same(death.map((l) => [l.themeId, l.source]), [[DEATH, 'machine']], 'empty Issue cells: machine labels');
  t.ok(death[0]!.confidence! > 0.5);
  const school = links.filter((l) => l.text !== 'Abolish the death penalty');
  t.same(
    school.map((l) => [l.themeId, l.source, l.confidence]),
    [['right-to-education', 'machine', 1], [EDUCATION, 'upr-info', null]],
    "UPR Info's label kept; the UHRI theme derived from it, as a machine label",
  );
  const report = tagRecommendations(db, tagger, { reviewId: 'KGZ-1', all: true });
  t.same({ added: report.added, changed: report.changed, removed: report.removed }, { added: 0, changed: 0, removed: 0 }, 'nothing to redo');
});

t.test('tagRecommendations: only machine labels change; a review, or all', async (t) => {
  const db = seededDb(t);
  const seedRecs = db.$client.prepare("select count(*) from recommendations where review_id = 'KGZ-3'").pluck().get() as number;
  const first = tagRecommendations(db, tagger, { reviewId: 'KGZ-3', all: false });
  t.equal(first.recommendations, seedRecs, "the seed's recommendations have no upr-info label");
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

t.test('the API: machine labels on create, in JSON and CSV, filters, stats, confirm and delete', async (t) => {
  const app = await buildTestApp(t);
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
  const history = app.db.$client.prepare("select changes from audit_log where entity = 'recommendations' and entity_id = ? and action = 'update'").pluck().all(id) as string[];
  t.match(JSON.parse(history[0]!), { themeSources: { before: { [DEATH]: 'machine' }, after: { [DEATH]: 'curated' } } }, 'audited');
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

t.test('a new text is tagged again; a theme a curator removed is never given back by the machine', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app);
  const created = await send(app, 'POST', '/v1/recommendations', {
    key,
    body: { reviewId: 'KGZ-3', text: 'Abolish the death penalty', verbatim: false, recommendingStates: ['FIN'], themes: ['human-rights-defenders'] },
  });
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
  const rejections = () => app.db.$client.prepare('select theme_id from machine_label_rejections where recommendation_id = ? order by 1').pluck().all(id);
  t.same(rejections(), [EDUCATION], 'the removal is remembered');
  t.same(await themes(), ['human-rights-defenders curated', 'right-to-education machine']);
  const redo = tagRecommendations(app.db, tagger, { all: true });
  t.same(await themes(), ['human-rights-defenders curated'], `npm run tag --all does not give it back, nor the UHRI theme derived from it (${redo.removed} removed)`);
  t.equal((await patch({ text: 'Improve access to quality education in rural schools and universities' })).response.statusCode, 200);
  t.same(await themes(), ['human-rights-defenders curated'], 'nor does a new text');

  t.equal((await patch({ themes: [] })).response.statusCode, 200);
  t.same(rejections(), [EDUCATION, 'human-rights-defenders'].sort(), 'a theme left out of a PATCH is remembered too');
  tagRecommendations(app.db, tagger, { ids: [id] });
  t.same(await themes(), [], 'tagged again with every theme rejected: no label, rather than a rejected one');
  t.equal((await patch({ themes: [EDUCATION] })).response.statusCode, 200);
  t.same(rejections(), ['human-rights-defenders'], 'a theme a curator gives again is no longer rejected');
  t.same(await themes(), [`${EDUCATION} curated`], 'a PATCH of themes sets them whole: no machine label after it');
  t.equal((await patch({ themes: [] })).response.statusCode, 200);
  t.equal((await send(app, 'PUT', `/v1/recommendations/${id}/themes/${EDUCATION}`, { key })).response.statusCode, 200);
  t.same(rejections(), ['human-rights-defenders'], 'nor one a curator confirms');
});

t.test('a re-import does not give back a machine label a curator removed', async (t) => {
  const db = seededDb(t);
  await run(db, uprInfoCsv([['Abolish the death penalty', '', 8]]));
  const id = db.$client.prepare("select id from recommendations where review_id = 'KGZ-1' and text = 'Abolish the death penalty'").pluck().get() as string;
  const machine = () => db.$client.prepare("select theme_id from recommendation_themes where recommendation_id = ? and label_source = 'machine' order by 1").pluck().all(id);
  t.same(machine(), [DEATH]);
  db.transaction((tx) => {
    rejectThemes(tx, id, sql`theme_id = ${DEATH}`);
    tx.run(sql`delete from recommendation_themes where recommendation_id = ${id} and theme_id = ${DEATH}`);
  });
  const report = await run(db, uprInfoCsv([['Abolish the death penalty', '', 8]], 'Noted'));
  t.equal(report.recommendations.updated, 1, 'the record is written again');
  t.same(machine(), [], 'and the removed label stays removed');
  allowThemes(db, id, [DEATH]);
  tagRecommendations(db, tagger, { ids: [id] });
  t.same(machine(), [DEATH], 'the rejection lifted, the tagger gives it again');
});

t.test('the database refuses a confidence on a label that is not a machine label', async (t) => {
  const db = seededDb(t);
  const id = db.$client.prepare('select id from recommendations limit 1').pluck().get();
  t.throws(() => db.$client.prepare("update recommendation_themes set confidence = 0.5 where recommendation_id = ?").run(id), /recommendation_themes_confidence/);
  t.throws(
    () => db.$client.prepare("insert into recommendation_themes (recommendation_id, theme_id, label_source, confidence) values (?, 'cultural-rights', 'machine', 2)").run(id),
    /recommendation_themes_confidence/,
  );
});

t.test('npm run tag', async (t) => {
  const env = { DATABASE_PATH: join(tempDir(t), 'tag.sqlite') };
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) };
  t.equal(runTagCli(['--review', 'KGZ-3'], env, io), 0);
  t.match(out.pop(), /recommendations looked at: \d+ machine labels added, 0 changed, 0 removed/);
  t.equal(runTagCli(['--all', '--json'], env, io), 0);
  t.match(JSON.parse(out.pop()!), { added: 0, changed: 0, removed: 0 });
  t.equal(runTagCli(['--help'], env, io), 0);
  t.match(out.pop(), /Usage: npm run tag/);
  t.equal(runTagCli(['--review', 'nope'], env, io), 2);
  t.equal(runTagCli(['--bogus'], env, io), 2);
  t.equal(err.length, 2);
});

t.test('the shipped model loads, once', async (t) => {
  setTagger(undefined);
  t.teardown(() => setTagger(tagger));
  const shipped = machineTagger();
  t.equal(machineTagger(), shipped, 'loaded once');
  t.equal(shipped!.labels.length, 54);
  t.ok(loadTagger);
  setTagger(null);
  t.equal(machineTagger(), null, 'tagging can be switched off');
  const db = openDatabase(':memory:');
  t.teardown(() => db.$client.close());
  const report = await run(db, uprInfoCsv([['Abolish the death penalty', '', 8]]));
  t.equal(report.recommendations.created, 1);
  t.equal(db.$client.prepare("select count(*) from recommendation_themes where label_source = 'machine'").pluck().get(), 0, 'no tagger: no machine labels');
});
