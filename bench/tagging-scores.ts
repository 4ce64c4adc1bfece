import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { UPR_INFO_THEMES } from '../src/tagging/labels.js';
import { Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, fitWeights, outOfFold } from '../src/tagging/train.js';
import { HELD_OUT, VALIDATION } from '../src/tagging/training-run.js';

// Saves the linear model's scores for a split once, so that blends with other models and their thresholds
// can be compared cheaply: out-of-fold probabilities on the training sessions and the probabilities of the
// model trained on all of them on the measured sessions (Float32, text-major, 54 labels).
// `node --import tsx bench/tagging-scores.ts --split validation|held-out --out DIR`

const { values: args } = parseArgs({ options: { split: { type: 'string', default: 'validation' }, out: { type: 'string', default: '/tmp' } } });
const split = args.split === 'held-out' ? HELD_OUT : VALIDATION;
const dataDir = join(process.env.SHARED_DATA_DIR ?? '/work/shared/data/', 'upr-info-2008-2013');
const corpus = await readLabelledCorpus(openDatabase(':memory:'), dataDir);
const labels = UPR_INFO_THEMES.map((t) => t.id);
const training = corpus.filter((t) => t.session <= split.lastTraining);
const measured = corpus.filter((t) => t.session > split.lastTraining && t.session <= split.lastMeasured);
const started = process.cpuUsage();
const { oof } = outOfFold(training, labels, DEFAULT_TRAIN_OPTIONS, (m) => process.stderr.write(`${m}\n`));
const tagger = new Tagger(fitWeights(training, labels, DEFAULT_TRAIN_OPTIONS, labels.map(() => 0.5), ''));
const flat = (rows: Float64Array[]) => {
  const out = new Float32Array(rows.length * labels.length);
  rows.forEach((r, i) => out.set(r, i * labels.length));
  return Buffer.from(out.buffer);
};
writeFileSync(join(args.out!, `linear-${args.split}-oof.f32`), flat(oof));
writeFileSync(join(args.out!, `linear-${args.split}-measured.f32`), flat(measured.map((t) => tagger.probabilities(t.text))));
const cpu = process.cpuUsage(started);
process.stderr.write(`done: ${training.length} training, ${measured.length} measured, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU\n`);
