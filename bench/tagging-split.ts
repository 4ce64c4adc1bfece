import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/open.js';
import { type LabelledText, readLabelledCorpus } from '../src/tagging/corpus.js';
import { UPR_INFO_THEMES } from '../src/tagging/labels.js';
import { MODEL_FORMAT, Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, labelIndexes, tuneThresholds } from '../src/tagging/train.js';
import { HELD_OUT, type SessionSplit, VALIDATION } from '../src/tagging/training-run.js';
import { sharedDataDir } from '../test/support/shared-data.js';

// What the tagger's score and blend scripts share (bench/tagging-scores.ts, tagging-bag.ts, tagging-blend.ts,
// tagging-blend3.ts): the split asked by `--split validation|held-out`, the labelled corpus cut into its
// training and measured sessions, a member's out-of-fold and measured scores, and a blend's F1 on the
// measured sessions as `evaluate` counts it, its thresholds tuned on the out-of-fold blend as `fit` tunes them.

/** The `--split` option of node:util's parseArgs. */
export const SPLIT_OPTION = { split: { type: 'string', default: 'validation' } } as const;

const SPLITS: Record<string, SessionSplit> = { validation: VALIDATION, 'held-out': HELD_OUT };

export interface SplitCorpus {
  split: SessionSplit;
  labels: string[];
  training: LabelledText[];
  measured: LabelledText[];
  /** The label indexes of the training texts and of the measured ones. */
  ys: Int32Array[];
  gold: Int32Array[];
}

/** UPR Info's labelled corpus (from the shared data: SHARED_DATA_DIR or the nearest shared/data) cut at a split by name. */
export async function splitCorpus(name: string): Promise<SplitCorpus> {
  const split = SPLITS[name];
  if (split === undefined) throw new Error(`--split: validation or held-out, not ${JSON.stringify(name)}`);
  const shared = sharedDataDir(fileURLToPath(new URL('..', import.meta.url)));
  if (shared === undefined) throw new Error('no shared data: set SHARED_DATA_DIR');
  const corpus = await readLabelledCorpus(openDatabase(':memory:'), join(shared, 'upr-info-2008-2013'));
  const labels = UPR_INFO_THEMES.map((t) => t.id);
  const training = corpus.filter((t) => t.session <= split.lastTraining);
  const measured = corpus.filter((t) => t.session > split.lastTraining && t.session <= split.lastMeasured);
  return { split, labels, training, measured, ys: labelIndexes(training, labels), gold: labelIndexes(measured, labels) };
}

export interface Scorer {
  scores(text: string, out: Float64Array): void;
}

/**
 * A member's scores: out of fold on the training texts (the folds `fit` uses, sessions dealt round) and,
 * from the member trained on all of them, on the measured texts; `train(rows)` trains one on those
 * training texts (`folds`: as many as `fit`'s unless given). `scoringCpu`: the CPU time of scoring the measured texts.
 */
export function memberScores(c: SplitCorpus, train: (rows: number[]) => Scorer, progress: (message: string) => void = () => {}, folds = DEFAULT_TRAIN_OPTIONS.folds) {
  const L = c.labels.length;
  const sessions = [...new Set(c.training.map((t) => t.session))].sort((a, b) => a - b);
  const foldOf = new Map(sessions.map((s, i) => [s, i % folds]));
  const oof: Float64Array[] = new Array(c.training.length);
  for (let fold = 0; fold < folds; fold++) {
    const scorer = train(c.training.flatMap((t, i) => (foldOf.get(t.session) === fold ? [] : [i])));
    c.training.forEach((t, i) => {
      if (foldOf.get(t.session) !== fold) return;
      oof[i] = new Float64Array(L);
      scorer.scores(t.text, oof[i]);
    });
    progress(`fold ${fold + 1} done`);
  }
  const full = train(c.training.map((_, i) => i));
  const cpu = process.cpuUsage();
  const measured = c.measured.map((t) => {
    const out = new Float64Array(L);
    full.scores(t.text, out);
    return out;
  });
  return { oof, measured, scoringCpu: process.cpuUsage(cpu) };
}

/** Rows of scores as one Float32 array, text-major: the saved scores' format. */
export function float32Rows(rows: readonly Float64Array[], width: number): Buffer {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r, i * width));
  return Buffer.from(out.buffer);
}

/** A blend's figures: thresholds tuned on its out-of-fold probabilities, F1 of its probabilities on the measured texts. */
export function blendFigures(c: SplitCorpus, oof: Float64Array[], measured: Float64Array[], microWeight = DEFAULT_TRAIN_OPTIONS.thresholdMicroWeight) {
  const { labels, ys, gold } = c;
  const L = labels.length;
  const thresholds = tuneThresholds(oof, ys, L, microWeight);
  const decider = new Tagger({ format: MODEL_FORMAT, trainedOn: '', labels, bias: labels.map(() => 0), thresholds, terms: {} });
  const tp = new Float64Array(L);
  const fp = new Float64Array(L);
  const fn = new Float64Array(L);
  measured.forEach((p, i) => {
    const predicted = new Set(decider.decide(p).map((m) => labels.indexOf(m.themeId)));
    for (const l of predicted) gold[i]!.includes(l) ? tp[l]!++ : fp[l]!++;
    for (const l of gold[i]!) if (!predicted.has(l)) fn[l]!++;
  });
  const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
  const f1 = labels.map((_, l) => (tp[l]! === 0 ? 0 : (2 * tp[l]!) / (2 * tp[l]! + fp[l]! + fn[l]!)));
  const supported = labels.map((_, l) => l).filter((l) => tp[l]! + fn[l]! > 0);
  const macro = supported.reduce((s, l) => s + f1[l]!, 0) / supported.length;
  const micro = (2 * sum(tp)) / (2 * sum(tp) + sum(fp) + sum(fn));
  const weakest = supported.map((l) => [labels[l]!, Number(f1[l]!.toFixed(3))] as const).sort((x, y) => x[1] - y[1]).slice(0, 8);
  return { micro: Number(micro.toFixed(4)), macro: Number(macro.toFixed(4)), weakest };
}
