import t from 'tap';
import { BagScorer, bagTerms, DEFAULT_BAG_OPTIONS, trainBag, type BagModel } from '../src/tagging/bag.js';
import { EmbeddingScorer, textWords, type WordVectors } from '../src/tagging/embedding.js';
import { Tagger } from '../src/tagging/model.js';
import { DEFAULT_EMBEDDING_OPTIONS, DEFAULT_TRAIN_OPTIONS, fit, labelIndexes, random, type TrainOptions } from '../src/tagging/train.js';
import { FIXTURE_CORPUS, FIXTURE_LABELS, FIXTURE_OPTIONS, FIXTURE_THEMES } from './tagging-helpers.js';

// The network that learns its own term vectors (src/tagging/bag.ts), blended with the linear model. The
// pretrained vectors (300 MB) are never read here: the fixture's plain words get seeded random vectors.

const DIMENSIONS = 6;
const rand = random(11);
const fixtureWords = [...new Set(FIXTURE_CORPUS.flatMap((x) => textWords(x.text)))].sort();
const vectors: WordVectors = new Map(fixtureWords.map((w) => [w, Float64Array.from({ length: DIMENSIONS }, () => rand() * 2 - 1)]));
const small = { ...DEFAULT_BAG_OPTIONS, hidden: 12, epochs: 40, batch: 4, learningRate: 0.01, vectorRate: 0.01, minDf: 1 };
const options: TrainOptions = { ...FIXTURE_OPTIONS, bag: { ...small, weight: 0.4 } };
const ys = labelIndexes(FIXTURE_CORPUS, FIXTURE_THEMES);
const texts = FIXTURE_CORPUS.map((x) => x.text);

const decoded = (m: BagModel) => {
  const bytes = Buffer.from(m.vectors, 'base64');
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  return m.terms.map((_, i) => Array.from(q.subarray(i * m.dimensions, (i + 1) * m.dimensions), (v) => v * m.scales[i]!));
};

t.test("a text's terms: its stemmed words, then the pairs of neighbours", async (t) => {
  t.same(bagTerms('Abolish the death penalties'), ['abolish', 'death', 'penalti', 'abolish death', 'death penalti']);
  t.same(bagTerms('Abolish the death penalties', false), ['abolish', 'death', 'penalti']);
  t.same(bagTerms(''), []);
});

t.test('starting vectors: words from their plain forms (scaled), pairs the mean of their words', async (t) => {
  const v: WordVectors = new Map([
    ['schools', Float64Array.of(2, 0)],
    ['school', Float64Array.of(0, 2)],
    ['build', Float64Array.of(-2, 2)],
  ]);
  const m = trainBag(['Build schools', 'build school', 'zzz qqq', 'zzz qqq build'], [Int32Array.of(0), Int32Array.of(0), Int32Array.of(1), Int32Array.of(1)], 2, v, { ...small, epochs: 0, initScale: 1 }, random);
  t.same(m.terms, ['build', 'qqq', 'school', 'zzz', 'build school', 'qqq build', 'zzz qqq'], 'words (sorted), then pairs (sorted)');
  t.equal(m.dimensions, 2);
  t.equal(m.w1.length, 2 * 2 * 12, 'mean and max pooled');
  const e = decoded(m);
  // Raw: build (−2, 2), school = mean of schools and school (1, 1): components' RMS √(10 / 4) → scaled by 1 / it.
  const f = 1 / Math.sqrt(10 / 4);
  const near = (a: number[], b: number[]) => a.every((x, i) => Math.abs(x - b[i]!) < 0.01);
  t.ok(near(e[0]!, [-2 * f, 2 * f]), 'build');
  t.same(e[1], [0, 0], 'no vector: zeros');
  t.ok(near(e[2]!, [f, f]), "school: its forms' mean");
  t.ok(near(e[4]!, [-0.5 * f, 1.5 * f]), 'build school: the mean of its words');
  t.ok(near(e[5]!, [-2 * f, 2 * f]), 'qqq build: the word that has a vector');
  t.same(e[6], [0, 0], 'zzz qqq: none');
  const none = trainBag(['aa bb', 'bb cc'], [Int32Array.of(0), Int32Array.of(1)], 2, new Map(), { ...small, epochs: 2 }, random);
  t.equal(none.dimensions, 0, 'no vectors at all: no dimensions');
  const out = new Float64Array(2);
  const scorer = new BagScorer(none);
  scorer.scores('aa bb', out);
  const other = new Float64Array(2);
  scorer.scores('anything else', other);
  t.same([...out], [...other], 'every text scores alike');
});

t.test('trained: deterministic, learns the fixture, options change it', async (t) => {
  const m = trainBag(texts, ys, FIXTURE_THEMES.length, vectors, small, random);
  t.equal(JSON.stringify(m), JSON.stringify(trainBag(texts, ys, FIXTURE_THEMES.length, vectors, small, random)), 'same data, same model');
  const scorer = new BagScorer(m);
  const out = new Float64Array(FIXTURE_THEMES.length);
  const death = FIXTURE_THEMES.indexOf(FIXTURE_LABELS.DEATH);
  scorer.scores('Abolish the death penalty', out);
  t.ok(out[death]! > 0, 'a training text: its label');
  scorer.scores('', out);
  const unknown = new Float64Array(FIXTURE_THEMES.length);
  scorer.scores('zzz qqq', unknown);
  t.same([...out], [...unknown], 'no known term: a zero input, whatever the text');
  const variants = [
    { maxPool: false },
    { dropout: 0.5 },
    { weightDecay: 0.1 },
    { wordsOnly: true },
    { maxPairs: 3 },
    { minDf: 2 },
    { averageFrom: 30 },
  ];
  for (const v of variants) {
    const other = trainBag([...texts, ''], [...ys, Int32Array.of()], FIXTURE_THEMES.length, vectors, { ...small, ...v }, random);
    t.not(JSON.stringify(other.w2), JSON.stringify(m.w2), JSON.stringify(v));
    new BagScorer(other).scores('Abolish the death penalty', out);
    t.ok(out.every(Number.isFinite));
  }
  t.equal(JSON.stringify(trainBag(texts, ys, FIXTURE_THEMES.length, vectors, { ...small, averageFrom: small.epochs + 1 }, random)), JSON.stringify(m), 'averaged from after the last epoch: the last epoch\'s');
  const last = trainBag(texts, ys, FIXTURE_THEMES.length, vectors, { ...small, averageFrom: small.epochs }, random);
  t.equal(JSON.stringify(last), JSON.stringify(m), 'the mean of the last epoch alone: the last epoch\'s');
  t.equal(trainBag(texts, ys, FIXTURE_THEMES.length, vectors, { ...small, maxPool: false }, random).w1.length, DIMENSIONS * 12, 'the mean only');
  t.notOk(trainBag(texts, ys, FIXTURE_THEMES.length, vectors, { ...small, wordsOnly: true }, random).terms.some((x) => x.includes(' ')), 'words only');
  t.equal(trainBag(texts, ys, FIXTURE_THEMES.length, vectors, { ...small, maxPairs: 3 }, random).terms.filter((x) => x.includes(' ')).length, 3, 'the most frequent pairs');
});

t.test('a model with it: deterministic, blended, in the file', async (t) => {
  const model = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'with a bag', options, undefined, vectors);
  t.equal(JSON.stringify(model), JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'with a bag', options, undefined, vectors)), 'same data, same file');
  t.equal(model.bag!.weight, 0.4);
  t.equal(model.embedding, undefined, 'no word-vector network asked');
  t.equal(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'no vectors', options).bag, undefined, 'no vectors, no network');
  const logit = (p: number) => Math.log(p / (1 - p));
  const text = 'Improve access to quality education in rural schools';
  const bag = new Float64Array(FIXTURE_THEMES.length);
  new BagScorer(model.bag!).scores(text, bag);
  const alone = new Tagger({ ...model, bag: undefined }).probabilities(text);
  new Tagger(model).probabilities(text).forEach((p, l) => t.ok(Math.abs(logit(p) - (0.6 * logit(alone[l]!) + 0.4 * bag[l]!)) < 1e-9));
  const tagger = new Tagger(model);
  t.same(tagger.tag('Abolish the death penalty').map((l) => l.themeId), [FIXTURE_LABELS.DEATH]);
  t.same(tagger.tag(text).map((l) => l.themeId), [FIXTURE_LABELS.EDUCATION]);
  // Both networks: (1 − a − b) × linear + a × the word-vector network + b × this one.
  const both = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'both', { ...options, embedding: { ...DEFAULT_EMBEDDING_OPTIONS, hidden: 8, epochs: 5, minDf: 1, weight: 0.2 } }, undefined, vectors);
  const net = new Float64Array(FIXTURE_THEMES.length);
  new EmbeddingScorer(both.embedding!).scores(text, net);
  new BagScorer(both.bag!).scores(text, bag);
  const linear = new Tagger({ ...both, bag: undefined, embedding: undefined }).probabilities(text);
  new Tagger(both).probabilities(text).forEach((p, l) => t.ok(Math.abs(logit(p) - (0.4 * logit(linear[l]!) + 0.2 * net[l]! + 0.4 * bag[l]!)) < 1e-9));
});
