import t from 'tap';
import { kyrgyzstanNotedRecommendations, missingRecommendation } from './client/example.js';
import { buildTestApp } from './helpers.js';

t.test('the typed client example works against the running service', async (t) => {
  const app = await buildTestApp(t);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  const result = await kyrgyzstanNotedRecommendations(address);
  t.equal(result.total, 1);
  t.same(result.first, {
    id: 'KGZ-3-ESP-1',
    text: 'Ensure the primacy of international human rights law over domestic law.',
    position: 'noted',
    recommendingStates: ['ESP'],
    assessments: ['2020-09-28 not_implemented'],
  });

  const missing = await missingRecommendation(address);
  t.equal(missing.status, 404);
  t.equal(missing.problem?.status, 404);
});
