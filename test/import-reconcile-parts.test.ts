import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { fewerTreaties, framingOnly, stateNames } from '../src/import/part-framing.js';
import { matchKey, PART_SHARE } from '../src/import/reconcile.js';
import { TERMAN_POSITION_SOURCE } from '../src/import/terman-csv.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp } from './helpers.js';
import { recommendation, run, seededDb, termanFile, uprInfoFile, uprInfoRow as info } from './import-helpers.js';

// UPR Info splits a compound paragraph into texts it codes one by one: an answer to one part is not the
// answer to the paragraph (src/import/reconcile.ts, wholeReadings). Kyrgyzstan 2010, A/HRC/15/2, 77.11.

const TERMAN = termanFile([
  [
    '77.11. Ratify the Rome Statute establishing the International Criminal Court, as well as the International Convention on the Protection of All Persons from Enforced Disappearance (Uruguay);',
    'kyrgysztan',
    'consider',
    'Uruguay',
    '2010',
    '',
  ],
  ['77.12. Consider abolishing the death penalty (Spain);', 'kyrgysztan', 'consider', 'Spain', '2010', ''],
]);
const UPR_INFO = uprInfoFile([
  info('Ratify the Rome Statute establishing the International Criminal Court ', 'Uruguay', 'Noted', '5', 'International instruments'),
  info('Ratify the International Convention on the Protection of All Persons from Enforced Disappearance', 'Uruguay', 'Accepted', '5', 'Enforced disappearances'),
  info('Consider abolishing the death penalty', 'Spain', 'Noted', '3', 'Death penalty'),
]);

const readings = (db: ReturnType<typeof seededDb>, id: string) =>
  db.$client.prepare('select source_id, position, position_label from recommendation_sources where recommendation_id = ? order by 1').all(id);

t.test("a final response to a part of a paragraph is not the paragraph's position (either order)", async (t) => {
  t.equal(PART_SHARE, 0.75);
  for (const order of [[TERMAN, UPR_INFO], [UPR_INFO, TERMAN]]) {
    const db = seededDb(t);
    for (const file of order) await run(db, file);
    const id = db.$client.prepare("select recommendation_id from recommendation_sources where paragraph = '77.11'").pluck().get() as string;
    const record = recommendation(db, id)!;
    t.equal(record.position, 'pending', 'what the whole text’s source says (was UPR Info’s "noted" for the Rome Statute alone)');
    t.equal(record.position_label, 'consider');
    t.equal(record.position_source, TERMAN_POSITION_SOURCE);
    t.same(readings(db, id), [
      { source_id: 'terman-uprs-2008-2014', position: 'pending', position_label: 'consider' },
      { source_id: 'upr-info-database-2008-2013', position: 'noted', position_label: null },
    ], 'the part’s answer is kept in its reading');
    const other = db.$client
      .prepare("select position, paragraph from recommendations where review_id = 'KGZ-1' and text like 'Ratify the International Convention%'")
      .get();
    t.same(other, { position: 'supported', paragraph: null }, 'the other part, accepted, is a record of its own');
    const whole = db.$client.prepare("select recommendation_id from recommendation_sources where paragraph = '77.12'").pluck().get() as string;
    t.equal(recommendation(db, whole)!.position, 'noted', 'a text that is the whole paragraph: the final response wins, as before');
  }
});

t.test('the states after a stray ")" do not make a whole text a part (the corpus prints 631 such texts)', async (t) => {
  const db = seededDb(t);
  await run(db, termanFile([
    [
      '50.4. To ratify the Convention against Torture promptly (Algeria, Bolivia, Ecuador, Egypt, Mexico). );',
      'finland',
      'unknown',
      'Algeria',
      '2008',
      '',
    ],
  ]));
  await run(db, uprInfoFile([
    ['Finland', 'WEOG', 'EU', 'Ratify the Convention against Torture promptly', 'Algeria', 'Africa', '', 'Accepted', '5', 'Torture and other CID treatment', '1'],
  ]));
  const record = recommendation(db, 'FIN-1-50.4')!;
  t.equal(record.position, 'supported', 'UPR Info’s answer is to the whole of it');
});

// South Africa 2008 (A/HRC/8/32): the report's lead-in "Recommended to South Africa to" is no second request.
const ZAF = (paragraph: string, text: string, states: string[]) =>
  states.map((state) => [`${paragraph}   Recommended to South Africa to ${text}`, 'South Africa', 'consider', state, '2008', '']);
const ZAF_TERMAN = termanFile([
  ...ZAF('67.7', 'ratify the International Covenant on Economic, Social and Cultural Rights (Romania, Germany, Zimbabwe, Brazil);', ['Romania', 'Germany', 'Zimbabwe', 'Brazil']),
  ...ZAF(
    '67.16',
    'persevere in its efforts to promote the rights of education and to pay particular attention to continuing and disseminating the culture of human rights among young people as part of its educational and pedagogical programme (Tunisia);',
    ['Tunisia'],
  ),
]);
const zafInfo = (text: string, from: string) => ['South Africa', 'Africa', 'AU, Commonwealth', text, from, 'WEOG', '', 'Noted', '5', 'International instruments', '1'];
const ZAF_UPR_INFO = uprInfoFile([
  ...['Brazil', 'Germany', 'Romania'].map((from) => zafInfo('Ratify the International Covenant on Economic, Social and Cultural Rights. ', from)),
  zafInfo('Pay particular attention to continuing and disseminating the culture of human rights among young people as part of its educational and pedagogical programme', 'Tunisia'),
]);

t.test("a lead-in naming the State is no part of the request: UPR Info's answer is the record's (either order)", async (t) => {
  for (const order of [[ZAF_TERMAN, ZAF_UPR_INFO], [ZAF_UPR_INFO, ZAF_TERMAN]]) {
    const db = seededDb(t);
    for (const file of order) await run(db, file);
    const positions = db.$client
      .prepare("select paragraph, position, position_label from recommendations where review_id = 'ZAF-1' and paragraph is not null order by paragraph_sort_key")
      .all();
    t.same(positions, [
      { paragraph: '67.7', position: 'noted', position_label: null }, // was pending: "Recommended to South Africa to" counted as words of a second request
      { paragraph: '67.16', position: 'pending', position_label: 'consider' }, // the lead-in and a request of its own: a part
    ]);
  }
});

t.test('what the official wording may add to a text and still ask the same: framing alone', async (t) => {
  const db = seededDb(t);
  const resolve = stateNames(db.$client);
  const whole = (official: string, part: string) => framingOnly(official, matchKey(part), resolve);
  // The whole request: the shapes the whole record showed (2026-12-04), and the lead-ins' other forms.
  t.ok(whole('67.7 Recommended to South Africa to ratify the ICESCR (Romania, Germany);', 'Ratify the ICESCR'));
  t.ok(whole('56.6. Recommended that Benin consider decriminalizing homosexual activities (Belgium);', 'Consider decriminalizing homosexual activities'));
  t.ok(whole('It was recommended that Benin consider decriminalizing homosexual activities (Belgium);', 'Consider decriminalizing homosexual activities'));
  t.ok(whole('That Benin consider decriminalizing homosexual activities (Belgium);', 'Consider decriminalizing homosexual activities'));
  t.ok(whole('Ratify the Rome Statute (France); Ratify the Rome Statute (Ecuador); Ratify the Rome Statute (Slovenia);', 'Ratify the Rome Statute'), 'printed once per state');
  t.ok(whole('Ratify CAT and its Optional Protocol (Brazil) Ratify CAT and its Optional Protocol (Maldives);', 'Ratify CAT and its Optional Protocol'));
  t.ok(whole('Ratify the Palermo Protocol (Brazil); Ratify the Palermo Protocol (The Netherlands); Ratify the Palermo Protocol (Spain);', 'Ratify the Palermo Protocol'));
  t.ok(whole('and take measures to re-establish an independent judiciary (Canada, Romania); and take measures to re-establish an independent judiciary (Canada);', 'Take measures to re-establish an independent judiciary'));
  t.ok(whole('as well as to take further measures to eliminate discrimination against Roma (Netherlands, Brazil);', 'Take further measures to eliminate discrimination against Roma'));
  t.ok(whole('Continue to take further measures to eliminate discrimination against Roma (Netherlands);', 'Take further measures to eliminate discrimination against Roma'));
  t.ok(whole('Lift its reservations to CEDAW (France)11; );', 'Lift its reservations to CEDAW'), 'a footnote number after the state');
  t.ok(
    whole('Contribute effectively to the right to development (Pakistan). Annex  [English only]  [end conclusions and/or recommendations]);', 'Contribute effectively to the right to development'),
    "the report's page furniture",
  );
  // A part: what is left asks something, or is not known to be framing.
  t.notOk(whole('Recommended to South Africa to persevere in its efforts and to pay attention to human rights education (Tunisia);', 'Pay attention to human rights education'));
  t.notOk(whole('Recommended to the Government to ratify the ICESCR (Romania);', 'Ratify the ICESCR'), 'a lead-in that names no State');
  t.notOk(whole('Ratify the Rome Statute (Uruguay) and the Convention on Enforced Disappearance (Chile);', 'Ratify the Rome Statute'));
  t.notOk(whole('Abolish the death penalty (Turkey). Integrate its abolition in the new Constitution (Germany);', 'Abolish the death penalty'), 'two requests joined');
  t.notOk(whole('Integrate the instruments into its legislation, particularly concerning the death penalty (Chad)10; );', 'Integrate the instruments into its legislation'), 'a qualifier');
  t.notOk(whole('Ratify CAT (OP-CAT) and CRPD (France);', 'Ratify CAT and CRPD'), 'not printed in the wording');
  t.notOk(whole('Ratify ILO Conventions No. 138 and 182 (Ireland);', 'Ratify ILO Conventions No. 138'), 'a number of its own');
  t.notOk(whole('Ratify CAT (France);', ''), 'no text');
});

// A list of treaties: UPR Info's text for some of them has most of the wording's words when the ones it leaves out
// are acronyms. Tanzania 2011 (A/HRC/19/4): Benin's 86.6, the Convention and its Optional Protocol, is in UPR Info
// "Ratify the Optional Protocol of the Convention …", noted (the Convention, accepted, is a text of its own).
// Eritrea 2009 (A/HRC/13/2): Spain's 79.8, five treaties and a protocol, is in UPR Info its two protocols, noted.
const CAT = 'Ratify the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment';
const TREATY_LISTS_TERMAN = termanFile([
  [`86.4. ${CAT} (Denmark);`, 'tanzania', 'consider', 'Denmark', '2011', ''],
  [`86.6. ${CAT} and its Optional Protocol (Benin);`, 'tanzania', 'consider', 'Benin', '2011', ''],
  [
    '79.8. Sign and ratify CAT, ICCPR, CED, the Optional Protocol to the Convention on the Elimination of All Forms of Discrimination against Women and CRPD and its Optional Protocol (Spain);',
    'eritrea',
    'consider',
    'Spain',
    '2009',
    '',
  ],
]);
const TREATY_LISTS_UPR_INFO = uprInfoFile([
  ['Tanzania', 'Africa', 'AU', `${CAT} `, 'Denmark', 'WEOG', 'EU', 'Accepted', '5', 'International instruments', '12'],
  ['Tanzania', 'Africa', 'AU', CAT.replace('the Convention', 'the Optional Protocol of the Convention'), 'Benin', 'Africa', '', 'Noted', '5', 'International instruments', '12'],
  [
    'Eritrea',
    'Africa',
    'AU',
    'Sign and ratify the Optional Protocol to the Convention on the Elimination of All Forms of Discrimination against Women and the Optional Protocol to CRPD',
    'Spain',
    'WEOG',
    'EU',
    'Noted',
    '5',
    'International instruments',
    '6',
  ],
]);

/** The record of a paragraph (its id is UPR Info's when UPR Info's file came first). */
async function position(app: FastifyInstance, review: string, paragraph: string) {
  const listed = (await app.inject(`/v1/recommendations?reviewId=${review}`)).json().data.find((r: { paragraph: string }) => r.paragraph === paragraph);
  const { position, positionLabel, sources } = (await app.inject(`/v1/recommendations/${listed.id}`)).json();
  const upr = sources.find((s: { id: string }) => s.id === 'upr-info-database-2008-2013');
  return { position, positionLabel, uprInfo: upr?.reading.position };
}

t.test("a text naming some of the wording's treaties answers a part: its answer is not the record's (either order)", async (t) => {
  for (const order of [[TREATY_LISTS_TERMAN, TREATY_LISTS_UPR_INFO], [TREATY_LISTS_UPR_INFO, TREATY_LISTS_TERMAN]]) {
    const app = await buildTestApp(t);
    const key = mintKey(app, 'admin');
    for (const file of order) {
      const response = await app.inject({ method: 'POST', url: '/v1/imports', payload: Buffer.from(file), headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` } });
      t.equal(response.statusCode, 200);
    }
    // Was UPR Info's "noted", for the Optional Protocol alone.
    t.same(await position(app, 'TZA-1', '86.6'), { position: 'pending', positionLabel: 'consider', uprInfo: 'noted' }, 'the Convention and its Protocol');
    // Was "noted", for the two protocols alone.
    t.same(await position(app, 'ERI-1', '79.8'), { position: 'pending', positionLabel: 'consider', uprInfo: 'noted' }, 'a list of five treaties and a protocol');
    t.same(await position(app, 'TZA-1', '86.4'), { position: 'supported', positionLabel: 'Accepted', uprInfo: 'supported' }, 'the same treaty: the final response, as before');
  }
});

t.test("which texts name fewer of the wording's treaties", async (t) => {
  const fewer = (official: string, part: string) => fewerTreaties(matchKey(official), matchKey(part));
  t.ok(fewer('Ratify CAT and its Optional Protocol, as well the two Optional Protocols to ICCPR (Chile);', 'Ratify the Optional Protocol to CAT as well the two Optional Protocols to ICCPR'));
  t.ok(fewer('Sign and ratify CAT, ICCPR, CED and CRPD (Spain);', 'Sign and ratify ICCPR and CRPD'));
  t.ok(fewer('Withdraw reservations to ICCPR, CEDAW and CRC (Spain);', 'Withdraw reservations to ICCPR and CRC'), 'as many words');
  t.notOk(fewer('Ratify CAT and its Optional Protocol (Benin);', 'Ratify OP-CAT and the Convention against Torture'), 'the same treaties, named otherwise');
  t.notOk(fewer('Ratify CAT (Benin);', 'Ratify CAT and OP-CAT'), 'more than the wording: left to the share of words');
  t.notOk(fewer('Ratify CAT and ICCPR (Benin);', 'Ratify CAT and OP-CAT'), 'a treaty the wording does not name');
  t.notOk(fewer('Ratify CAT and ICCPR, as recommended by treaty bodies (Benin);', 'Ratify the core human rights treaties'), 'no treaty named');
  t.notOk(fewer('Cooperate with the ICC and the special procedures, and ratify CAT (Benin);', 'Ratify CAT'), 'bodies are no treaties');
  t.notOk(fewer('Ratify CAT and its Optional Protocol (Benin);', 'Ratify the Optional Protocol to the Convention against Torture'), 'a name spelt out');
  // The same list printed otherwise, not cut (Malta 2009's 80.11; Andorra 2010's 84.1): a word of its own.
  t.notOk(fewer('Ensure that its mechanism under the Optional Protocol to the Convention Against Torture (CAT-OP) is provided with resources (United Kingdom);', 'Ensure that its mechanism under the Optional Protocol to the Convention Against Torture (OPCAT) is provided with resources'));
  t.notOk(fewer('Consider the ratification of the ICESCR and the International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families (Mexico);', 'Consider the ratification of the ICESCR and the International Convention on the Protection of the Rights f all Migrant Workers and Members of Their Families'));
});
