import t from 'tap';
import { matchKey, similarity } from '../src/import/reconcile.js';
import { TERMAN_POSITION_SOURCE } from '../src/import/terman-csv.js';
import { UPR_INFO_POSITION_SOURCE } from '../src/import/upr-info.js';
import { codesOf, count, macRoman, recommendation, run, seededDb } from './import-helpers.js';

// One record per recommendation: the Terman corpus and UPR Info describe the same review.

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
const lines = (rows: string[][]) => rows.map((r) => r.map(quote).join(',')).join('\r') + '\r';

const TERMAN = lines([
  ['text', 'to', 'decision', 'From', 'year', 'notes'],
  ['76.1. Ratify the Optional Protocol to the Convention against Torture (Czech Republic);', 'kyrgysztan', 'support', 'Czech Republic', '2010', ''],
  ['76.2. Consider abolishing the death penalty (Spain);', 'kyrgysztan', 'consider', 'Spain', '2010', ''],
  ['76.3. Ensure the independence of the judiciary and fight corruption in the courts (Norway);', 'kyrgysztan', 'support', 'Norway', '2010', ''],
  ['76.4. Protect journalists from attacks (France);', 'kyrgysztan', 'support', 'France', '2010', ''],
  ['76.5. Protect journalists from attacks (Italy);', 'kyrgysztan', 'support', 'Italy', '2010', ''],
]);

const info = (text: string, from: string, response: string, action: string, issue: string) =>
  ['Kyrgyzstan', 'Asia', '', text, from, 'WEOG', '', response, action, issue, '8'];
const UPR_INFO = macRoman(lines([
  ['To', 'To-Rgrp', 'To-Org', 'Text', 'From', 'From-Rgrp', 'From-Org', 'Response', 'Action', 'Issue', 'Session'],
  info('Ratify the Optional Protocol to the Convention against Torture ', 'Czech Republic', 'Accepted', '5', 'Torture and other CID treatment'),
  info('Consider abolishing the death penalty', 'Spain', 'Noted', '3', 'Death penalty'),
  info('Ensure the independence of the judiciary and fight corruption in courts', 'Norway', 'Accepted', '4', 'Justice'),
  info('Protect journalists from attacks', 'France', 'Accepted', '4', 'Freedom of the press'),
  info('Protect journalists from attacks', 'Italy', 'Accepted', '4', 'Freedom of the press'),
  info('Adopt a new law on non-governmental organisations', 'Germany', 'Noted', '5', 'Civil society'),
]));

const sources = (db: ReturnType<typeof seededDb>, id: string) =>
  db.$client
    .prepare('select source_id, paragraph, position, position_label from recommendation_sources where recommendation_id = ? order by 1')
    .all(id);

t.test('matching keys and similarity', async (t) => {
  t.equal(matchKey('76.92. Hold open and transparent elections (Tajikistan, Pakistan);'), 'hold open and transparent elections');
  t.equal(matchKey('Hold open, and transparent  elections '), 'hold open and transparent elections');
  t.equal(similarity('a b c d', 'a b c d e'), 1 + 8 / 9, 'containment, the closest fits best');
  t.equal(similarity('a b', 'a b c'), 0.8, 'too short to contain: words only');
});

t.test('corpus first, then UPR Info: merged, the final response over the Working Group stage', async (t) => {
  const db = seededDb(t);
  await run(db, TERMAN);
  const report = await run(db, UPR_INFO);
  t.same(report.reconciliation, { matched: 3, ambiguous: 1 });
  t.same(report.recommendations, { created: 2, updated: 3, unchanged: 0 });
  t.same(report.warnings.map((w) => w.message), ['fits KGZ-1-76.4, KGZ-1-76.5 equally: kept as a record of its own, not merged']);
  t.equal(count(db, 'recommendations', "review_id = 'KGZ-1'"), 7);

  const merged = recommendation(db, 'KGZ-1-76.2')!;
  t.equal(merged.paragraph, '76.2', 'the paragraph from the file that has it');
  t.equal(merged.text, 'Consider abolishing the death penalty (Spain);', 'the official wording kept');
  t.equal(merged.verbatim, 1);
  t.equal(merged.source_id, 'terman-uprs-2008-2014');
  t.equal(merged.position, 'noted', "the State's final response, not the Working Group's pending");
  t.equal(merged.position_source, UPR_INFO_POSITION_SOURCE);
  t.equal(merged.action_category, 3);
  t.same(sources(db, 'KGZ-1-76.2'), [
    { source_id: 'terman-uprs-2008-2014', paragraph: '76.2', position: 'pending', position_label: 'consider' },
    { source_id: 'upr-info-database-2008-2013', paragraph: null, position: 'noted', position_label: null },
  ], "each file's own reading kept");
  t.same(db.$client.prepare("select theme_id from recommendation_themes where recommendation_id = 'KGZ-1-76.2'").pluck().all(), ['upr-info-death-penalty']);
  const similar = recommendation(db, 'KGZ-1-76.3')!;
  t.equal(similar.position_label, 'Accepted', 'a small wording difference still matches');
  t.same(codesOf(db, 'KGZ-1-76.3'), ['NOR']);

  const again = await run(db, UPR_INFO);
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 5 }, 'a re-import finds its records');
  const corpusAgain = await run(db, TERMAN);
  t.same(corpusAgain.recommendations, { created: 0, updated: 0, unchanged: 5 }, 'the corpus does not undo the final response');
  t.equal(recommendation(db, 'KGZ-1-76.2')!.position, 'noted');
});

t.test('UPR Info first, then the corpus: the same recommendations, merged into the stored ids', async (t) => {
  const db = seededDb(t);
  await run(db, UPR_INFO);
  const report = await run(db, TERMAN);
  t.same(report.reconciliation, { matched: 3, ambiguous: 2 });
  t.same(report.recommendations, { created: 2, updated: 3, unchanged: 0 });
  t.equal(count(db, 'recommendations', "review_id = 'KGZ-1'"), 7);
  const id = db.$client.prepare("select recommendation_id from recommendation_sources where paragraph = '76.2'").pluck().get() as string;
  t.match(id, /^KGZ-1-t[0-9a-f]{8}$/, 'the stored record keeps its id');
  const merged = recommendation(db, id)!;
  t.same(
    [merged.paragraph, merged.text, merged.verbatim, merged.position, merged.position_source],
    ['76.2', 'Consider abolishing the death penalty (Spain);', 1, 'noted', UPR_INFO_POSITION_SOURCE],
  );
  t.equal(count(db, 'recommendations', "review_id = 'KGZ-1' and position = 'pending'"), 0);
  t.equal(recommendation(db, 'KGZ-1-76.4')!.position_source, TERMAN_POSITION_SOURCE, 'an ambiguous row is its own record');
  const again = await run(db, TERMAN);
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 5 });
});

// Tonga 2013 (A/HRC/23/4): UPR Info codes "Ratify CEDAW" once for Australia (accepted, its own paragraph) and
// Maldives and Slovenia (noted, 82.1) as one text; merged with the corpus's 82.1 it must not make Australia a
// co-author of a recommendation it did not make, in either order.
const TONGA_TERMAN = lines([
  ['text', 'to', 'decision', 'From', 'year', 'notes'],
  ['82.1..2 ratify CEDAW (Italy, Maldives, Slovenia);', 'tonga', 'reject', 'Maldives', '2013', ''],
  ['82.1..2 ratify CEDAW (Italy, Maldives, Slovenia);', 'tonga', 'reject', 'Slovenia', '2013', ''],
  ['82.2. Proceed swiftly with the ratification of CEDAW (Estonia);', 'tonga', 'reject', 'Estonia', '2013', ''],
]);
const tonga = (text: string, from: string, response: string) =>
  ['Tonga', 'Asia', '', text, from, 'WEOG', '', response, '5', "International instruments,Women's rights", '15'];
const TONGA_UPR_INFO = macRoman(lines([
  ['To', 'To-Rgrp', 'To-Org', 'Text', 'From', 'From-Rgrp', 'From-Org', 'Response', 'Action', 'Issue', 'Session'],
  tonga('Ratify CEDAW', 'Australia', 'Accepted'),
  tonga('Ratify CEDAW', 'Maldives', 'Noted'),
  tonga('Ratify CEDAW', 'Slovenia', 'Noted'),
  tonga('Proceed swiftly with the ratification of CEDAW', 'Estonia', 'Noted'),
]));

t.test('a source without the official wording adds no recommending state to it (either order)', async (t) => {
  const first = seededDb(t);
  await run(first, TONGA_TERMAN);
  await run(first, TONGA_UPR_INFO);
  t.same(codesOf(first, 'TON-2-82.1'), ['MDV', 'SVN'], 'corpus first: Australia is not added');
  t.same(codesOf(first, 'TON-2-82.2'), ['EST']);
  t.same((await run(first, TONGA_UPR_INFO)).recommendations, { created: 0, updated: 0, unchanged: 2 });

  const second = seededDb(t);
  await run(second, TONGA_UPR_INFO);
  await run(second, TONGA_TERMAN);
  const id = second.$client.prepare("select recommendation_id from recommendation_sources where paragraph = '82.1'").pluck().get() as string;
  t.same(codesOf(second, id), ['MDV', 'SVN'], 'UPR Info first: the official wording says who made it');
  t.equal(recommendation(second, id)!.text, 'ratify CEDAW (Italy, Maldives, Slovenia);');
  t.same((await run(second, TONGA_TERMAN)).recommendations, { created: 0, updated: 0, unchanged: 2 });
  t.same((await run(second, TONGA_UPR_INFO)).recommendations, { created: 0, updated: 0, unchanged: 2 });
});
