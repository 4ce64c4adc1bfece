import t from 'tap';
import { fit } from '../src/tagging/train.js';
import { FIXTURE_CORPUS, FIXTURE_OPTIONS, FIXTURE_THEMES } from './tagging-helpers.js';

// A text's weight (LabelledText.weight, for pseudo-labelled texts in bench/tagging-selftrain.ts) scales its loss
// gradients and its share of the NB ratios; without one a text weighs exactly 1.

t.test('text weights: 1 on every text is the default model byte for byte; others change the weights', async (t) => {
  const plain = JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'fixture', FIXTURE_OPTIONS));
  const ones = FIXTURE_CORPUS.map((x) => ({ ...x, weight: 1 }));
  t.equal(JSON.stringify(fit(ones, FIXTURE_THEMES, 'fixture', FIXTURE_OPTIONS)), plain, 'weight 1: the same file');
  const light = FIXTURE_CORPUS.map((x, i) => ({ ...x, weight: i % 2 === 0 ? 0.3 : 1 }));
  const weighted = fit(light, FIXTURE_THEMES, 'fixture', FIXTURE_OPTIONS);
  t.not(JSON.stringify(weighted), plain, 'lighter texts change the weights');
});
