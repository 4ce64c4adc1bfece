import t from 'tap';
import { Tagger } from '../src/tagging/model.js';
import { fit } from '../src/tagging/train.js';
import { FIXTURE_CORPUS, FIXTURE_LABELS, FIXTURE_OPTIONS, FIXTURE_THEMES } from './tagging-helpers.js';

// NB scaling (NBSVM): features scaled per label by their log-count ratios while training; the model file
// holds the products, so a model trained with it tags like any other.

t.test('NB-scaled features: another model, same format, deterministic', async (t) => {
  const single = { ...FIXTURE_OPTIONS, ensemble: undefined };
  const plain = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'plain', { ...single, nbSmoothing: undefined });
  const scaled = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'nb', { ...single, nbSmoothing: 1 });
  t.equal(JSON.stringify(scaled), JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'nb', { ...single, nbSmoothing: 1 })), 'same data, same file');
  t.not(JSON.stringify(scaled.terms), JSON.stringify(plain.terms), 'the scaling changes the weights');
  t.same(Object.keys(scaled), Object.keys(plain), 'nothing new in the file');
  // "penalti" is said only of death-penalty texts: its ratio for that label is positive, for the others negative.
  const penalty = scaled.terms['penalti']!;
  const deathAt = FIXTURE_THEMES.indexOf(FIXTURE_LABELS.DEATH);
  for (let i = 1; i < penalty.length; i += 2) if (penalty[i] === deathAt) t.ok(penalty[i + 1]! > 0, 'a death-penalty word weighs for it');
  const tagger = new Tagger(scaled);
  t.same(tagger.tag('Abolish the death penalty').map((l) => l.themeId), [FIXTURE_LABELS.DEATH]);
  t.same(tagger.tag('Improve access to quality education in rural schools').map((l) => l.themeId), [FIXTURE_LABELS.EDUCATION]);
});
