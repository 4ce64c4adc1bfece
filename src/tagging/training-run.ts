import type { Db } from '../db/open.js';
import { readLabelledCorpus } from './corpus.js';
import { UPR_INFO_THEMES } from './labels.js';
import { type ModelFile, Tagger } from './model.js';
import { DEFAULT_TRAIN_OPTIONS, type Evaluation, evaluate, fit, type TrainOptions } from './train.js';

// The honest evaluation and the shipped model (`npm run train`, `npm run bench`): train on UPR sessions
// 1–14 and measure on 15–17, which the model never saw; then train on 1–17 for the model file.

export const EVAL_LAST_TRAINING_SESSION = 14;

export interface HeldOutEvaluation extends Evaluation {
  trainingTexts: number;
}

const labels = UPR_INFO_THEMES.map((t) => t.id);

export async function heldOutEvaluation(
  db: Db,
  dataDir: string,
  progress: (message: string) => void = () => {},
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): Promise<HeldOutEvaluation> {
  const corpus = await readLabelledCorpus(db, dataDir);
  const training = corpus.filter((t) => t.session <= EVAL_LAST_TRAINING_SESSION);
  const model = fit(training, labels, `UPR Info sessions 1–${EVAL_LAST_TRAINING_SESSION}`, options, progress);
  progress('measuring on the held-out sessions');
  return { trainingTexts: training.length, ...evaluate(new Tagger(model), corpus.filter((t) => t.session > EVAL_LAST_TRAINING_SESSION)) };
}

export async function shippedModel(
  db: Db,
  dataDir: string,
  progress: (message: string) => void = () => {},
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
): Promise<ModelFile> {
  const corpus = await readLabelledCorpus(db, dataDir);
  return fit(corpus, labels, `UPR Info's labelled recommendations, sessions 1–17 (${corpus.length} texts)`, options, progress);
}
