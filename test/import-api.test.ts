import t from 'tap';
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
});
