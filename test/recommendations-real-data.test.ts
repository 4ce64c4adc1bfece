import t from 'tap';
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

t.test('positionLabel in any case; year of the review; updatedSince as a date', async (t) => {
  const server = await app(t);
  const accepted = await getJson(server, '/v1/recommendations?positionLabel=accepted');
  t.equal(accepted.body.meta.total, 2);
  const reject = await getJson(server, '/v1/recommendations?positionLabel=REJECT,consider');
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
