import t from 'tap';
import type { Db } from '../src/db/open.js';
import { TERMAN_SOURCE } from '../src/import/terman-csv.js';
import { UPR_INFO_SOURCE } from '../src/import/upr-info.js';
import { count, entryRow, HEADER_ROW, macRoman, matrixDocx, run, seededDb } from './import-helpers.js';

// Issue 10 §4: every imported recommendation and review cites the document it was read from — the report (by
// its symbol) for an OHCHR matrix, the data set and its version for the Terman corpus and UPR Info.

// (The seed's recommendations cite their source through recommendations.source_id: they are not imported.)
const uncitedRecommendations = (db: Db) =>
  count(db, 'recommendations', "review_id <> 'KGZ-3' and id not in (select recommendation_id from recommendation_sources)");
const uncitedReviews = (db: Db) => count(db, 'reviews', 'id not in (select review_id from review_sources)');
const reviewSources = (db: Db, id: string) =>
  db.$client.prepare('select source_id from review_sources where review_id = ? order by 1').pluck().all(id);

const terman = ['text,to,decision,From,year', '5.1 Ratify CEDAW (France);,antiguaandbarbuda,consider,France,2011'].join('\r');
const uprInfo = [
  'To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session',
  'Kyrgyzstan,Asia,OIC,Abolish the death penalty,Spain,WEOG,EU,Noted,5,Death penalty,8',
].join('\r');

t.test('each importer cites its document for every recommendation and review', async (t) => {
  const db = seededDb(t);
  await run(db, terman);
  await run(db, macRoman(`${uprInfo}\r`));
  const report = await run(db, await matrixDocx([HEADER_ROW, entryRow({ text: '121.1 Ratify the Convention (France);' })]));
  t.same(report.sourcesCreated, ['report-a-hrc-43-15']);

  t.equal(uncitedRecommendations(db), 0, 'every recommendation cites a source');
  t.equal(uncitedReviews(db), 0, 'every review cites a source');
  t.same(reviewSources(db, 'ATG-1'), [TERMAN_SOURCE.id]);
  t.same(reviewSources(db, 'KGZ-1'), [UPR_INFO_SOURCE.id]);
  t.same(reviewSources(db, 'SVN-3'), ['report-a-hrc-43-15']);
  t.same(
    db.$client.prepare("select title, publisher, url from sources where id = 'report-a-hrc-43-15'").get(),
    {
      title: "Report of the Working Group on the Universal Periodic Review: Slovenia [A/HRC/43/15, as listed in OHCHR's matrix of recommendations]",
      publisher: 'UN Human Rights Council',
      url: 'https://undocs.org/A/HRC/43/15',
    },
  );
  t.equal(db.$client.prepare("select source_id from recommendations where id = 'SVN-3-121.1'").pluck().get(), 'report-a-hrc-43-15');
  t.same(
    db.$client.prepare("select source_id from recommendation_sources where recommendation_id = 'SVN-3-121.1'").pluck().all(),
    ['report-a-hrc-43-15'],
  );

  const again = await run(db, terman);
  t.same(again.recommendations, { created: 0, updated: 0, unchanged: 1 });
  t.same(reviewSources(db, 'ATG-1'), [TERMAN_SOURCE.id], 'cited once');
});

t.test('a matrix without a report symbol cites the one stored for its review, else says it cites none', async (t) => {
  const db = seededDb(t);
  const noSymbol = [HEADER_ROW, entryRow({ text: '121.1 Ratify the Convention (France);', source: null, position: '' })];
  const report = await run(db, await matrixDocx(noSymbol));
  t.match(report.warnings, [{ message: /no report symbol .* SVN-3: the recommendations cite no source/ }]);
  t.equal(count(db, 'recommendation_sources'), 0);

  db.$client.prepare("update reviews set report_symbol = 'A/HRC/43/15' where id = 'SVN-3'").run();
  const stored = await run(db, await matrixDocx(noSymbol));
  t.same(stored.sourcesCreated, ['report-a-hrc-43-15'], 'the stored symbol');
  t.equal(uncitedRecommendations(db), 0);
  t.same(reviewSources(db, 'SVN-3'), ['report-a-hrc-43-15']);
});
