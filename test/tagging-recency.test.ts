import t from 'tap';
import { fit, recencyWeights } from '../src/tagging/train.js';
import { FIXTURE_CORPUS, FIXTURE_OPTIONS, FIXTURE_THEMES } from './tagging-helpers.js';

// Recency weighting (an experiment, off by default): later sessions' texts weigh more on the linear models'
// loss gradients, the weights rescaled to a mean of 1; without the option every text weighs exactly 1.

t.test('recency weights: a ramp over the sessions, mean 1; none without the option', async (t) => {
  t.same([...recencyWeights([1, 2, 3], undefined)], [1, 1, 1], 'off: each text weighs 1');
  t.same([...recencyWeights([1, 2, 3], 2)], [0.5, 1, 1.5], 'raw 1, 2, 3 over their mean 2');
  t.same([...recencyWeights([5, 5], 3)], [1, 1], 'one session: no ramp');
  t.same([...recencyWeights([], 1)], []);
  t.same([...recencyWeights([1, 3, 2], 0)], [1, 1, 1], 'weight 0: every text weighs exactly 1');
});

t.test('recency weighting: another model, same format; weight 0 is the default model byte for byte', async (t) => {
  const plain = JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture', FIXTURE_OPTIONS));
  t.equal(JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture', { ...FIXTURE_OPTIONS, recencyWeight: 0 })), plain, 'weight 0: the same file');
  const recent = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture', { ...FIXTURE_OPTIONS, recencyWeight: 3 });
  t.not(JSON.stringify(recent), plain, 'the weighting changes the weights');
  t.same(Object.keys(recent), Object.keys(JSON.parse(plain) as object), 'nothing new in the file');
});
