import t from 'tap';
import { TERMAN_POSITION_SOURCE, TERMAN_SOURCE } from '../src/import/terman-csv.js';
import { UPR_INFO_POSITION_SOURCE, UPR_INFO_SOURCE } from '../src/import/upr-info.js';
import { buildTestApp, getJson } from './helpers.js';
import { macRoman } from './import-helpers.js';
import { importOverHttp } from './support/pgconv-a-import.js';
import { testSql } from './support/test-sql.js';

// The filters and fields of real imported data: UPR Info's action category, the printed position label,
// the review's year, updatedSince as a plain date.

const HEADER = 'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session';
const UPR_INFO = [
  HEADER,
  'Kyrgyzstan,Asia,,Ratify the Optional Protocol to CAT,Czech Republic,EEG,EU,Accepted,5,Torture and other CID treatment,8',
  'Kyrgyzstan,Asia,,Continue its reforms,Russian Federation,EEG,,Accepted,2,General,8',
  'Kyrgyzstan,Asia,,Consider abolishing the death penalty,Spain,WEOG,EU,Noted,3,Death penalty,8',
  'Algeria,Africa,,Ratify the Rome Statute,Spain,WEOG,EU,Noted,x,Justice,13',
].join('\r');

const TERMAN = ['text,to,decision,From,year,notes', '99.1. Reject torture (Spain);,algeria,reject,Spain,2012,'].join('\r');

async function app(t: Parameters<typeof buildTestApp>[0]) {
  const instance = await buildTestApp(t);
  await importOverHttp(instance, macRoman(UPR_INFO));
  await importOverHttp(instance, TERMAN);
  return instance;
}

const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id).sort();

t.test('a position label no record or reading has is a 400 that names close ones, not an empty page', async (t) => {
  const server = await app(t);
  const typo = await getJson(server, '/v1/recommendations?positionLabel=Accept');
  t.equal(typo.response.statusCode, 400);
  t.match(typo.response.headers['content-type'], /^application\/problem\+json/);
  t.match(typo.body.errors, [{ in: 'query', name: 'positionLabel', message: /position label "Accept" \(in any case\); did you mean Accepted\?$/ }]);
  const none = await getJson(server, '/v1/recommendations?positionLabel=xyzzy,ACCEPTED,xyzzy');
  t.same(
    none.body.errors.map((e: { message: string }) => e.message),
    ['No recommendation, and no source\'s reading of one, has the position label "xyzzy" (in any case); those stored are Accepted, reject.'],
    'named once, with every label stored',
  );
  for (const path of ['/v1/recommendations?format=csv&', '/v1/stats/recommendations?groupBy=position&']) {
    const url = `${path}positionLabel=rejected`;
    const refused = await getJson(server, url);
    t.equal(refused.response.statusCode, 400, url);
    t.match(refused.body.detail, /did you mean reject\?/, url);
  }
  // A label first printed by a later import is found as soon as that import is committed.
  t.equal((await getJson(server, '/v1/recommendations?positionLabel=Implemented')).response.statusCode, 400);
  await importOverHttp(server, ['text,to,decision,From,year,notes', '99.2. Abolish torture (Chile);,algeria,implemented,Chile,2012,'].join('\r'));
  const found = await getJson(server, '/v1/recommendations?positionLabel=Implemented');
  t.same(ids(found.body), ['DZA-2-99.2']);
  // Too many labels to name: their number.
  const many = Array.from({ length: 31 }, (_, i) => `99.${i + 3}. Act (Chile);,algeria,printed ${i},Chile,2012,`);
  await importOverHttp(server, ['text,to,decision,From,year,notes', ...many].join('\r'));
  const counted = await getJson(server, '/v1/recommendations?positionLabel=xyzzy');
  t.match(counted.body.detail, /has the position label "xyzzy" \(in any case\); 34 are stored\.$/);
});

t.test('the stored position labels are named for the first unknown values only, and not when long', async (t) => {
  const server = await app(t);
  // 100 values no label is close to: each message named every label stored (50 messages, twice in the body).
  const values = Array.from({ length: 100 }, (_, i) => `q${i}`).join(',');
  const few = await getJson(server, `/v1/recommendations?positionLabel=${values}`);
  t.equal(few.response.statusCode, 400);
  const messages = few.body.errors.map((e: { message: string }) => e.message);
  t.same(messages.slice(0, 6), [
    ...['q0', 'q1', 'q2', 'q3', 'q4'].map((v) => `No recommendation, and no source's reading of one, has the position label "${v}" (in any case); those stored are Accepted, reject.`),
    'No recommendation, and no source\'s reading of one, has the position label "q5" (in any case).',
  ]);
  t.equal(messages.filter((m: string) => m.includes('those stored')).length, 5);
  // Labels of hundreds of characters (a printed decision may be 1,000 long) are counted, not named.
  const long = Array.from({ length: 3 }, (_, i) => `99.${i + 3}. Act (Chile);,algeria,${String(i).repeat(400)},Chile,2012,`);
  await importOverHttp(server, ['text,to,decision,From,year,notes', ...long].join('\r'));
  const counted = await getJson(server, `/v1/recommendations?positionLabel=${values}`);
  t.match(counted.body.errors[0].message, /"q0" \(in any case\); 5 are stored\.$/);
  t.notOk(counted.response.body.includes('1'.repeat(400)), 'no label named');
  t.ok(counted.response.body.length < 32_000, `a ${values.length}-byte query's problem is ${counted.response.body.length} bytes`);
});

t.test('actionCategory: a field, a filter (unknown included) and a stats grouping', async (t) => {
  const server = await app(t);
  const { body } = await getJson(server, '/v1/recommendations?stateUnderReview=KGZ&cycle=1&sort=id');
  t.same(body.data.map((r: { actionCategory: number | null }) => r.actionCategory).sort(), [2, 3, 5]);
  const specific = await getJson(server, '/v1/recommendations?actionCategory=5,3');
  t.equal(specific.body.meta.total, 2);
  const unknown = await getJson(server, '/v1/recommendations?actionCategory=unknown&reviewId=DZA-2');
  t.equal(unknown.body.meta.total, 2, 'the uncoded UPR Info row and the corpus row');
  const bad = await getJson(server, '/v1/recommendations?actionCategory=6');
  t.equal(bad.response.statusCode, 400);
  const stats = await getJson(server, '/v1/stats/recommendations?groupBy=actionCategory&cycle=1&stateUnderReview=KGZ');
  t.same(
    stats.body.data.map((g: { actionCategory: string; count: number }) => [g.actionCategory, g.count]).sort(),
    [['2', 1], ['3', 1], ['5', 1]],
  );
});

const ACCEPTEE_NFD = 'Acceptée'.normalize('NFD');

t.test('positionLabel and the sources\' q fold non-ASCII letters too, as on PostgreSQL', async (t) => {
  // A label printed in capitals with an accent, or in another script, is found in any case on both backends:
  // SQLite's own lower() folds A–Z only (src/db/functions.ts), so "acceptée" missed "ACCEPTÉE" there.
  const server = await buildTestApp(t);
  await importOverHttp(server, [
    HEADER,
    'Kyrgyzstan,Asia,,Ratify the Optional Protocol to CAT,Czech Republic,EEG,EU,ACCEPTÉE,5,Torture and other CID treatment,8',
    'Kyrgyzstan,Asia,,Continue its reforms,Russian Federation,EEG,,Acceptée,2,General,8',
    'Kyrgyzstan,Asia,,Consider abolishing the death penalty,Spain,WEOG,EU,ПРИНЯТО,3,Death penalty,8',
    'Kyrgyzstan,Asia,,Protect journalists,Spain,WEOG,EU,KABUL EDİLDİ,4,Freedom of opinion and expression,8',
    'Kyrgyzstan,Asia,,Free all prisoners of conscience,Spain,WEOG,EU,ΑΠΟΔΕΚΤΟΣ,4,Detention conditions,8',
    // Pasted from a PDF: é as "e" and a combining acute (NFD), which reads as the "Acceptée" above.
    `Kyrgyzstan,Asia,,Ensure fair trials,France,WEOG,EU,${ACCEPTEE_NFD},2,General,8`,
  ].join('\r'));
  const found = async (label: string) => {
    const query = `reviewId=KGZ-1&positionLabel=${encodeURIComponent(label)}`;
    const { body } = await getJson(server, `/v1/recommendations?${query}`);
    const exported = await server.inject(`/v1/recommendations?${query}&format=ndjson`);
    const lines = exported.body.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line).id as string).sort();
    const stats = await getJson(server, `/v1/stats/recommendations?${query}&groupBy=position`);
    t.same(lines, ids(body), `${label}: the streamed export finds the same`);
    t.equal(stats.body.meta.total, body.meta.total, `${label}: the stats count the same`);
    return body.data.map((r: { positionLabel: string }) => r.positionLabel).sort();
  };
  // Either form of é, as stored and as typed, is the same label: the decomposed one was a 400 whose "did you
  // mean" named what looked like the value itself, and the composed one missed the decomposed label.
  for (const label of ['ACCEPTÉE', 'acceptée', 'Acceptée', 'aCCEPTéE', 'ACCEPTÉE'.normalize('NFD'), ACCEPTEE_NFD]) {
    t.same(await found(label), ['ACCEPTÉE', ACCEPTEE_NFD, 'Acceptée'], label);
  }
  for (const label of ['принято', 'ПРИНЯТО', 'Принято']) t.same(await found(label), ['ПРИНЯТО'], label);
  // İ and a final Σ, whose lower case JavaScript's toLowerCase makes otherwise than PostgreSQL's lower(): each
  // backend missed some of these before (SQLite "kabul edildi", PostgreSQL "KABUL EDİLDİ").
  for (const label of ['KABUL EDİLDİ', 'kabul edildi', 'Kabul Edildi', 'KABUL EDILDI']) t.same(await found(label), ['KABUL EDİLDİ'], label);
  for (const label of ['ΑΠΟΔΕΚΤΟΣ', 'Αποδεκτοσ', 'αποδεκτοσ']) t.same(await found(label), ['ΑΠΟΔΕΚΤΟΣ'], label);
  // A label misspelt is suggested as folded alike: "kabul edil" is within "KABUL EDİLDİ".
  const close = await getJson(server, `/v1/recommendations?positionLabel=${encodeURIComponent('kabul edil')}`);
  t.match(close.body.detail, /did you mean KABUL EDİLDİ\?/, 'a close label with İ suggested');

  const sql = testSql(server);
  await sql.run("update sources set title = ? where id = ?", [`Étude ÉLARGIE, İnsan Hakları Derneği, ΟΔΟΣ, ${'Côte d’Ivoire'.normalize('NFD')}`, UPR_INFO_SOURCE.id]);
  const decomposed = ['étude', 'côte'].map((q) => q.normalize('NFD'));
  for (const q of ['étude', 'ÉLARGIE', 'élargie', 'İnsan', 'insan', 'INSAN', 'İNSAN', 'ΟΔΟΣ', 'οδοσ', 'côte', 'CÔTE', ...decomposed]) {
    t.same(ids((await getJson(server, `/v1/sources?q=${encodeURIComponent(q)}`)).body), [UPR_INFO_SOURCE.id], `sources q=${q}`);
  }
  // The publisher filter takes the name as stored, in either form of its accented letters (stored decomposed here).
  const publisher = 'Fédération internationale pour les droits humains';
  await sql.run('update sources set publisher = ? where id = ?', [publisher.normalize('NFD'), UPR_INFO_SOURCE.id]);
  for (const form of ['NFC', 'NFD'] as const) {
    const { body } = await getJson(server, `/v1/sources?publisher=${encodeURIComponent(publisher.normalize(form))}`);
    t.same(ids(body), [UPR_INFO_SOURCE.id], `sources publisher= typed ${form}`);
  }
  t.same(ids((await getJson(server, `/v1/sources?publisher=${encodeURIComponent(publisher.toUpperCase())}`)).body), [], 'still exact in case');
});

t.test('positionLabel in any case; year of the review; updatedSince as a date', async (t) => {
  const server = await app(t);
  const accepted = await getJson(server, '/v1/recommendations?positionLabel=accepted');
  t.equal(accepted.body.meta.total, 2);
  const reject = await getJson(server, '/v1/recommendations?positionLabel=REJECT,Reject');
  t.same(ids(reject.body), ['DZA-2-99.1']);
  const y2010 = await getJson(server, '/v1/recommendations?year=2010');
  t.equal(y2010.body.meta.total, 3, 'Kyrgyzstan, session 8 (2010)');
  const y2012 = await getJson(server, '/v1/recommendations?year=2012');
  t.equal(y2012.body.meta.total, 2, 'Algeria, session 13 (2012)');
  const y2020 = await getJson(server, '/v1/recommendations?year=2020');
  t.equal(y2020.body.meta.total, 8, "the seed's KGZ-3 (session 35, 2020)");
  const y2099 = await getJson(server, '/v1/recommendations?year=2099');
  t.equal(y2099.body.meta.total, 0);
  const since = await getJson(server, '/v1/recommendations?updatedSince=2000-01-01');
  t.equal(since.response.statusCode, 200);
  t.equal(since.body.meta.total, 13);
  const later = await getJson(server, '/v1/recommendations?updatedSince=2999-01-01');
  t.equal(later.body.meta.total, 0);
  const bad = await getJson(server, '/v1/recommendations?updatedSince=2020-13-01');
  t.equal(bad.response.statusCode, 400);
});

t.test("the seed's labels are marked curated; the tagger's, machine", async (t) => {
  const server = await buildTestApp(t);
  for (const table of ['recommendation_themes', 'recommendation_sdgs', 'recommendation_affected_persons']) {
    const sources = (await testSql(server).all<{ label_source: string }>(`select distinct label_source from ${table} where label_source <> 'machine'`)).map((row) => row.label_source);
    t.same(sources, ['curated'], table);
  }
  const machine = await testSql(server).all<{ scheme: string }>(`select distinct t.scheme from recommendation_themes l join themes t on t.id = l.theme_id
    where l.label_source = 'machine'`);
  t.same(machine, [{ scheme: 'upr-info' }], "machine labels only of UPR Info's issues, which no source of the seed codes");
});

// The same two recommendations as the Terman corpus prints them (the Working Group's "consider") and as UPR Info
// does (the State's final "Accepted"): merged into one record each, whose own position is UPR Info's.
const TERMAN_KGZ = (decision: string) =>
  [
    'text,to,decision,From,year,notes',
    `76.2. Consider abolishing the death penalty (Spain);,kyrgysztan,${decision},Spain,2010,`,
    '76.3. Ratify the Optional Protocol to CAT (Czech Republic);,kyrgysztan,support,Czech Republic,2010,',
  ].join('\r') + '\r';
const UPR_INFO_KGZ = macRoman(
  [
    HEADER,
    'Kyrgyzstan,Asia,,Consider abolishing the death penalty,Spain,WEOG,EU,Accepted,3,Death penalty,8',
    'Kyrgyzstan,Asia,,Ratify the Optional Protocol to CAT,Czech Republic,EEG,EU,Accepted,5,Torture and other CID treatment,8',
  ].join('\r') + '\r',
);

type Reading = { paragraph: string | null; position: string | null; positionLabel: string | null; positionSource: string | null };
type Cited = { id: string; reading: Reading | null };
const readings = (record: { sources: Cited[] }) => record.sources.map((s) => [s.id, s.reading]);

t.test("each source's own reading of a merged record; positionLabel finds it by any source's printed label", async (t) => {
  const server = await buildTestApp(t);
  await importOverHttp(server, TERMAN_KGZ('consider'));
  const report = await importOverHttp(server, UPR_INFO_KGZ);
  t.equal(report.reconciliation.matched, 2, 'both merged into the corpus records');

  const corpus = (paragraph: string, position: string, positionLabel: string | null): Reading => ({
    paragraph,
    position,
    positionLabel,
    positionSource: TERMAN_POSITION_SOURCE,
  });
  const uprInfo: Reading = { paragraph: null, position: 'supported', positionLabel: 'Accepted', positionSource: UPR_INFO_POSITION_SOURCE };
  const expected = [
    [TERMAN_SOURCE.id, corpus('76.2', 'pending', 'consider')],
    [UPR_INFO_SOURCE.id, uprInfo],
  ];

  // The list (stored documents), the detail, and NDJSON give the same readings.
  const list = await getJson(server, '/v1/recommendations?reviewId=KGZ-1&sort=id');
  const merged = list.body.data.find((r: { id: string }) => r.id === 'KGZ-1-76.2');
  t.match(merged, { position: 'supported', positionLabel: 'Accepted', positionSource: UPR_INFO_POSITION_SOURCE, paragraph: '76.2' }, "the record: UPR Info's final answer");
  t.same(readings(merged), expected, 'each source with what it printed');
  t.same(
    readings(list.body.data.find((r: { id: string }) => r.id === 'KGZ-1-76.3')),
    [[TERMAN_SOURCE.id, corpus('76.3', 'supported', null)], [UPR_INFO_SOURCE.id, uprInfo]],
    'a label only where the source printed more than its position',
  );
  t.same(readings((await getJson(server, '/v1/recommendations/KGZ-1-76.2')).body), expected, 'the detail');
  const ndjson = await server.inject('/v1/recommendations?reviewId=KGZ-1&positionLabel=consider&format=ndjson');
  t.same(ndjson.body.trim().split('\n').map((line) => readings(JSON.parse(line))), [expected], 'NDJSON');
  const seeded = (await getJson(server, '/v1/recommendations/KGZ-3-FIN-1')).body;
  t.ok(seeded.sources.length > 0 && seeded.sources.every((s: Cited) => s.reading === null), 'no reading for a source nothing was imported from');

  // The filter: the record's own label, or any source's, in any case; the list's total and the stats agree.
  const found = async (query: string) => {
    const { body } = await getJson(server, `/v1/recommendations?reviewId=KGZ-1&${query}`);
    t.equal(body.meta.total, body.data.length, `${query}: meta.total`);
    return ids(body);
  };
  t.same(await found('positionLabel=consider'), ['KGZ-1-76.2'], "the corpus's label, though UPR Info's won the merge");
  t.same(await found('positionLabel=CONSIDER'), ['KGZ-1-76.2'], 'any case');
  t.same(await found('positionLabel=accepted'), ['KGZ-1-76.2', 'KGZ-1-76.3'], "the record's own label");
  t.equal((await getJson(server, '/v1/recommendations?reviewId=KGZ-1&positionLabel=reject')).response.statusCode, 400, 'a label no file printed');
  const stats = await getJson(server, '/v1/stats/recommendations?reviewId=KGZ-1&positionLabel=consider&groupBy=position');
  t.same(stats.body.data.map((g: { position: string; count: number }) => [g.position, g.count]), [['supported', 1]], 'stats count the same records');
  // The source filter: a merged record is cited by each of its sources, not only by the one its text came from.
  t.same(await found(`source=${UPR_INFO_SOURCE.id}`), ['KGZ-1-76.2', 'KGZ-1-76.3'], 'UPR Info, whose text the records do not keep');
  t.same(await found(`source=${TERMAN_SOURCE.id}`), ['KGZ-1-76.2', 'KGZ-1-76.3'], 'the corpus');
  const cited = (await getJson(server, `/v1/sources/${UPR_INFO_SOURCE.id}`)).body.citedBy;
  t.same([cited.recommendations.ids, cited.positions.ids], [['KGZ-1-76.2', 'KGZ-1-76.3'], ['KGZ-1-76.2', 'KGZ-1-76.3']], 'as the source counts them');


  // The corpus again with another decision: the record keeps UPR Info's answer, and shows the corpus's new reading.
  await importOverHttp(server, TERMAN_KGZ('reject'));
  const after = (await getJson(server, '/v1/recommendations?reviewId=KGZ-1&positionLabel=reject')).body;
  t.same(ids(after), ['KGZ-1-76.2'], 'found by its new label');
  t.match(after.data[0], { position: 'supported', positionLabel: 'Accepted' });
  t.same(readings(after.data[0]), [[TERMAN_SOURCE.id, corpus('76.2', 'noted', 'reject')], [UPR_INFO_SOURCE.id, uprInfo]], 'its stored document is rebuilt');
  t.equal((await getJson(server, '/v1/recommendations?positionLabel=consider')).response.statusCode, 400, 'no longer by the old one: no reading has it');

  // Our own export cites the sources but is none of them: imported again, or into another database, it never
  // puts the merged record's answer in a source's mouth.
  const exported = (await server.inject('/v1/recommendations?reviewId=KGZ-1&sort=id&format=csv')).body;
  const before = (await getJson(server, '/v1/recommendations?reviewId=KGZ-1&sort=id')).body.data.map(readings);
  await importOverHttp(server, exported);
  t.same((await getJson(server, '/v1/recommendations?reviewId=KGZ-1&sort=id')).body.data.map(readings), before, 'imported again: every reading as it was');
  const other = await buildTestApp(t);
  await importOverHttp(other, exported);
  const copied = (await getJson(other, '/v1/recommendations?reviewId=KGZ-1&sort=id')).body.data;
  t.match(copied[0], { id: 'KGZ-1-76.2', position: 'supported', positionLabel: 'Accepted' }, 'another database: the record as exported');
  t.same(readings(copied[0]), [[TERMAN_SOURCE.id, null]], "its source cited, with no reading: the export is not the corpus's");
  t.equal((await getJson(other, '/v1/recommendations?reviewId=KGZ-1&positionLabel=consider')).response.statusCode, 400, "nor the corpus's label");
});
