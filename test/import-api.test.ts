import t from 'tap';
import { mintKey, send } from './curation-helpers.js';
import { buildTestApp } from './helpers.js';
import { importInto, withoutServerFields } from './import-helpers.js';

// What an import keeps that the source alone can say — the decision as printed, and recommending "states"
// no code resolves — is shown by the API and its CSV, and survives the CSV round trip.

const corpus = [
  'text,to,decision,From,year,notes',
  '5.1 Abolish the death penalty (NA);,antiguaandbarbuda,implemented,NA,2011,',
  '5.2 Ratify CEDAW (France);,antiguaandbarbuda,consider,France,2011,',
].join('\r');

t.test('the printed decision and unresolved recommenders are visible and round-trip', async (t) => {
  const app = await buildTestApp(t);
  await importInto(app, corpus);

  const detail = (await app.inject({ method: 'GET', url: '/v1/recommendations/ATG-1-5.1' })).json();
  t.equal(detail.position, 'supported');
  t.equal(detail.positionLabel, 'implemented');
  t.same(detail.recommendingStates, []);
  t.same(detail.unresolvedRecommendingStates, ['NA']);
  const other = (await app.inject({ method: 'GET', url: '/v1/recommendations/ATG-1-5.2' })).json();
  t.equal(other.positionLabel, 'consider');
  t.same(other.unresolvedRecommendingStates, []);

  // A curator's goal and group: who gave them (sdgSources, affectedPersonSources) is read back, as themeSources is.
  const etag = (await app.inject({ method: 'GET', url: '/v1/recommendations/ATG-1-5.1' })).headers.etag as string;
  const patched = await send(app, 'PATCH', '/v1/recommendations/ATG-1-5.1', {
    key: mintKey(app, 'write'),
    body: { sdgs: ['16'], affectedPersons: ['human-rights-defenders'] },
    headers: { 'if-match': etag },
  });
  t.equal(patched.response.statusCode, 200, patched.response.body);

  const exportUrl = '/v1/recommendations?reviewId=ATG-1&format=csv';
  const first = (await app.inject({ method: 'GET', url: exportUrl })).body;
  t.match(first, /implemented/);

  const copy = await buildTestApp(t);
  await importInto(copy, first, { format: 'upr-tracker-csv' });
  const again = (await copy.inject({ method: 'GET', url: exportUrl })).body;
  const withoutUrls = (csv: string) => csv.replace(/http:\/\/[^/,]+/g, '');
  t.equal(withoutServerFields(withoutUrls(again)), withoutServerFields(withoutUrls(first)), 'export → import → export is identical but for versions and timestamps');
  const copied = (await copy.inject({ method: 'GET', url: '/v1/recommendations/ATG-1-5.1' })).json();
  t.same(copied.unresolvedRecommendingStates, ['NA']);
  t.equal(copied.positionLabel, 'implemented');
  t.same([copied.sdgs[0].source, copied.affectedPersons[0].source], ['curated', 'curated'], 'before: null, an empty entry in the copy\'s export');
});

t.test('our own export moving a recommendation to a review of another state is refused while developments of its state bear on it', async (t) => {
  const app = await buildTestApp(t);
  const review = await send(app, 'POST', '/v1/reviews', { key: mintKey(app, 'admin'), body: { stateUnderReview: 'SWE', cycle: 3 } });
  t.equal(review.response.statusCode, 201);
  const exported = (await app.inject({ method: 'GET', url: '/v1/recommendations?reviewId=KGZ-3&format=csv' })).body.split('\r\n');
  const kept = exported.find((line) => line.startsWith('KGZ-3-USA-1,'))!;
  const moved = exported.find((line) => line.startsWith('KGZ-3-GBR-3,'))!.replace(',KGZ-3,KGZ,Kyrgyzstan,', ',SWE-3,SWE,Sweden,');
  t.match(moved, /,SWE-3,SWE,Sweden,/);
  const file = withoutServerFields([exported[0], kept, moved].join('\r\n'));

  const report = await importInto(app, file, { format: 'upr-tracker-csv' });
  t.same(report.recommendations, { created: 0, updated: 0, unchanged: 1 }, 'was 1 updated: a recommendation to Sweden with a Kyrgyz development');
  t.equal(report.skipped, 1);
  t.match(report.problems, [
    { row: 3, message: /^reviewId: Recommendation KGZ-3-GBR-3 has 1 linked development\(s\) that happened in another state than SWE: kgz-2020-anti-ngo-bill \(KGZ\)/ },
  ]);
  const stored = (await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-GBR-3' })).json();
  t.equal(stored.reviewId, 'KGZ-3');
  t.equal(stored.version, 1);
});

t.test('theme ids named like properties of Object are imported as any other, with who gave each', async (t) => {
  // They were looked up in plain objects: "constructor" found Object's function, "__proto__" its prototype (a 500).
  const app = await buildTestApp(t);
  const [header, row] = (await app.inject({ method: 'GET', url: '/v1/recommendations?id=KGZ-3-FIN-1&format=csv' })).body.split('\r\n');
  const columns = header!.split(',');
  const cells = (await import('csv-parse/sync')).parse(row!)[0] as string[];
  const set = (name: string, value: string) => (cells[columns.indexOf(name)] = value);
  set('themes', 'constructor; __proto__; toString');
  set('themeLabels', 'Builders; Prototypes; Strings');
  set('themeSources', 'ohchr; upr-info; curated');
  set('themeConfidences', '; ; ');
  const file = [header, cells.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',')].join('\r\n');
  const report = await importInto(app, file, { format: 'upr-tracker-csv' });
  t.same(report.themesCreated.sort(), ['__proto__', 'constructor', 'toString']);
  const themes = (await app.inject({ method: 'GET', url: '/v1/recommendations/KGZ-3-FIN-1' })).json().themes as { id: string; source: string }[];
  t.same(
    themes.filter((theme) => theme.source !== 'machine').map((theme) => [theme.id, theme.source]).sort(),
    [['__proto__', 'upr-info'], ['constructor', 'ohchr'], ['toString', 'curated']],
  );
});
