import t from 'tap';
import { PART_SHARE } from '../src/import/reconcile.js';
import { TERMAN_POSITION_SOURCE } from '../src/import/terman-csv.js';
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
