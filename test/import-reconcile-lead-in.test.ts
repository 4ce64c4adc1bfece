import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { textsOf } from '../src/import/match-score.js';
import { matchKey } from '../src/import/reconcile.js';
import { mintKey } from './curation-helpers.js';
import { buildTestApp } from './helpers.js';
import { termanFile, uprInfoFile } from './import-helpers.js';

// A corpus paragraph cut from the report's sentence keeps its lead-in ("To ratify CAT"): UPR Info's text without it
// is the same recommendation (src/import/match-score.ts, textsOf). Real rows: Angola 2010's 87.16, Korea 2008's
// 64.20 (cut short, too), and Tonga 2013's 81.1, where UPR Info's own text begins with "To" and the word is shared.

const TERMAN = termanFile([
  ['87.16   To ratify CAT (United Kingdom of Great Britain and Northern Ireland);', 'angola', 'consider', 'United Kingdom', '2010', ''],
  ['64.20  To maintain the current de facto moratorium (Belgium, Italy);', 'Korea', 'consider', 'Belgium', '2008', ''],
  ['64.20  To maintain the current de facto moratorium (Belgium, Italy);', 'Korea', 'consider', 'Italy', '2008', ''],
  [
    '81.1..2 Establish a national human rights institution in conformity with the Paris Principle (Burundi) to monitor Government action in this area, advise on legislation and the application of international human rights instruments, facilitate interaction with international and regional organizations, promote human rights education and file legal complaints (Uruguay);',
    'tonga',
    'consider',
    'Uruguay',
    '2013',
    '',
  ],
]);
const UPR_INFO = uprInfoFile([
  ['Angola', 'Africa', 'AU', 'Ratify CAT', 'United Kingdom', 'WEOG', 'EU, Commonwealth', 'Accepted', '5', 'International instruments', '7'],
  ...['Belgium', 'Italy'].map((from) => [
    'Republic of Korea', 'Asia', '', 'Maintain the current de facto moratorium on the death penalty.', from, 'WEOG', 'EU', 'Noted', '2', 'Death penalty', '2',
  ]),
  [
    'Tonga', 'Asia', 'PIF, Commonwealth',
    'To monitor Government action in establishing a human rights institution, advise on legislation and the application of international human rights instruments, facilitate interaction with international and regional organizations, promote human rights education and file legal complaints',
    'Uruguay', 'GRULAC', 'OAS, OEI', 'Accepted', '4', 'NHRI', '15',
  ],
]);

t.test("a text's lead-in is compared without it, and with it", async (t) => {
  t.same(textsOf(matchKey('87.16 To ratify CAT (United Kingdom);')), ['to ratify cat', 'ratify cat']);
  t.same(textsOf(matchKey('Recommended that the law be revised')), ['recommended that the law be revised', 'the law be revised']);
  t.same(textsOf(matchKey('Ratify CAT')), ['ratify cat'], 'no lead-in');
  t.same(textsOf('to'), ['to'], 'a lead-in alone is the text');
});

async function review(app: FastifyInstance, reviewId: string) {
  const { data } = (await app.inject(`/v1/recommendations?reviewId=${reviewId}`)).json();
  return Promise.all(
    data.map(async ({ id }: { id: string }) => {
      const { paragraph, position, sources } = (await app.inject(`/v1/recommendations/${id}`)).json();
      return { paragraph, position, sources: sources.map((s: { id: string }) => s.id).sort() };
    }),
  );
}

const BOTH = ['terman-uprs-2008-2014', 'upr-info-database-2008-2013'];

t.test("UPR Info's text without the corpus's lead-in is merged with it (either order)", async (t) => {
  for (const order of [[TERMAN, UPR_INFO], [UPR_INFO, TERMAN]]) {
    const app = await buildTestApp(t);
    const key = mintKey(app, 'admin');
    for (const file of order) {
      const response = await app.inject({ method: 'POST', url: '/v1/imports', payload: Buffer.from(file), headers: { 'content-type': 'text/csv', authorization: `Bearer ${key}` } });
      t.equal(response.statusCode, 200);
    }
    // Each was two records, the corpus's "consider" (pending) and UPR Info's answer.
    t.same(await review(app, 'AGO-1'), [{ paragraph: '87.16', position: 'supported', sources: BOTH }], 'Angola 87.16');
    t.same(await review(app, 'KOR-1'), [{ paragraph: '64.20', position: 'noted', sources: BOTH }], 'Korea 64.20, cut short');
    t.same(await review(app, 'TON-2'), [{ paragraph: '81.1', position: 'supported', sources: BOTH }], 'Tonga 81.1: the shared "to" still counts');
  }
});
