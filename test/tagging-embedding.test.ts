import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { decodeTable, EmbeddingScorer, readWordVectors, textFeatures, textWords, type WordVectors } from '../src/tagging/embedding.js';
import { Tagger } from '../src/tagging/model.js';
import { DEFAULT_EMBEDDING_OPTIONS, DEFAULT_TRAIN_OPTIONS, fit, random, type TrainOptions } from '../src/tagging/train.js';
import { corpusVectors } from '../src/tagging/training-run.js';
import { tempDir } from './helpers.js';
import { FIXTURE_CORPUS, FIXTURE_LABELS, FIXTURE_OPTIONS, FIXTURE_THEMES } from './tagging-helpers.js';

// The word-vector network blended with the linear model (src/tagging/embedding.ts). The pretrained vectors
// (300 MB) are never read here: the fixture's words get seeded random vectors, written in the package's
// format where the reader is tested; "schooling", in no training text, has one too: the file keeps only the
// training texts' words.

const DIMENSIONS = 8;
const fixtureWords = [...new Set(FIXTURE_CORPUS.flatMap((x) => textWords(x.text)))].sort();
const rand = random(7);
const vectorOf = new Map(fixtureWords.map((w) => [w, Float64Array.from({ length: DIMENSIONS }, () => rand() * 2 - 1)]));
vectorOf.set('schooling', vectorOf.get('schools')!.map((v) => v * 0.9));
const vectors: WordVectors = vectorOf;
const options: TrainOptions = { ...FIXTURE_OPTIONS, embedding: { ...DEFAULT_EMBEDDING_OPTIONS, hidden: 16, epochs: 30, batch: 4, learningRate: 0.01, minDf: 1, weight: 0.5 } };

t.test('the vectors of the asked words, from a file in wink-embeddings format', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'vectors.json');
  const file = { dimensions: 2, vectors: { death: [0.5, -0.25, 0.559, 12], penalty: [1, 0, 1, 13], unasked: [3, 3, 4.24, 14] } };
  writeFileSync(path, JSON.stringify(file));
  // "constructor" is a word of texts too (plainWords: a-z only), and no vector of this file: not Object's function.
  const read = readWordVectors(path, new Set(['penalty', 'death', 'absent', 'constructor']));
  t.same([...read.keys()], ['death', 'penalty'], 'the asked words that have a vector, sorted; not the norm and index');
  t.same([...read.get('death')!], [0.5, -0.25]);
  const fromCorpus = corpusVectors([{ text: 'Abolish the death penalty', labels: [], session: 1 }], path);
  t.same([...fromCorpus.keys()], ['death', 'penalty'], "the corpus' plain words (not stemmed)");
});

t.test('features: mean, idf-weighted mean and maximum of the known words; zeros without any', async (t) => {
  const table = decodeTable({ dimensions: 2, words: ['a1', 'b2'], scales: [0.5, 1], vectors: Buffer.from(Int8Array.of(2, -2, 1, 3).buffer).toString('base64'), idf: [1, 3] });
  t.same([...textFeatures(table, 'aa bb')], [0, 0, 0, 0, 0, 0], 'no known word');
  const table2 = decodeTable({ dimensions: 2, words: ['death', 'penalty'], scales: [0.5, 1], vectors: Buffer.from(Int8Array.of(2, -2, 1, 3).buffer).toString('base64'), idf: [1, 3] });
  // death = (1, −1), penalty = (1, 3): mean (1, 1), idf-weighted ((1 + 3) / 4, (−1 + 9) / 4), max (1, 3).
  t.same([...textFeatures(table2, 'the death penalty, unknown')], [1, 1, 1, 2, 1, 3]);
});

t.test('a model with the network: deterministic, blended, in the file', async (t) => {
  const model = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'with vectors', options, undefined, vectors);
  t.equal(JSON.stringify(model), JSON.stringify(fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'with vectors', options, undefined, vectors)), 'same data, same file');
  const e = model.embedding!;
  t.equal(e.dimensions, DIMENSIONS);
  t.same(e.words, fixtureWords, "the training texts' words with a vector: not 'schooling'");
  t.equal(Buffer.from(e.vectors, 'base64').length, e.words.length * DIMENSIONS, 'one byte a coordinate');
  t.equal(e.w1.length, 3 * DIMENSIONS * 16);
  t.equal(e.w2.length, 16 * FIXTURE_THEMES.length);
  const linear = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'with vectors', options);
  t.equal(linear.embedding, undefined, 'no vectors, no network');
  // The blend: (1 − a) × linear log-odds + a × the network's.
  const logit = (p: number) => Math.log(p / (1 - p));
  const text = 'Improve access to quality education in rural schools';
  const net = new Float64Array(FIXTURE_THEMES.length);
  new EmbeddingScorer(e).scores(text, net);
  const alone = new Tagger({ ...model, embedding: undefined }).probabilities(text);
  const blended = new Tagger(model).probabilities(text);
  blended.forEach((p, l) => t.ok(Math.abs(logit(p) - (0.5 * logit(alone[l]!) + 0.5 * net[l]!)) < 1e-9));
  const none = new Tagger({ ...model, embedding: { ...e, weight: 0 } }).probabilities(text);
  t.same([...none], [...alone], 'weight 0: the linear model');
  const tagger = new Tagger(model);
  t.same(tagger.tag('Abolish the death penalty').map((l) => l.themeId), [FIXTURE_LABELS.DEATH]);
  t.same(tagger.tag(text).map((l) => l.themeId), [FIXTURE_LABELS.EDUCATION]);
  t.ok(tagger.tag('').length === 1, 'no words at all: still one label');
});

t.test('a training set without any known word: an empty table', async (t) => {
  const model = fit(FIXTURE_CORPUS, FIXTURE_THEMES, 'no vectors', options, undefined, new Map());
  t.equal(model.embedding!.dimensions, 0);
  t.same(model.embedding!.words, []);
  t.ok(new Tagger(model).tag('Abolish the death penalty').length >= 1);
});
