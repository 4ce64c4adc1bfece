import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, fitWeights, outOfFold } from '../src/tagging/train.js';
import { float32Rows, SPLIT_OPTION, splitCorpus } from './tagging-split.js';

// Saves the linear model's scores for a split once, so that blends with other models and their thresholds
// can be compared cheaply: out-of-fold probabilities on the training sessions and the probabilities of the
// model trained on all of them on the measured sessions (Float32, text-major, 54 labels).
// `node --import tsx bench/tagging-scores.ts --split validation|held-out --out DIR [--name NAME] [--options JSON]`
// (--out: the temporary directory when not given; --name: `linear`, the name bench/tagging-blend3.ts reads
// as the linear model; --options: TrainOptions over the defaults, e.g. '{"metaWeight":0.3}'; --drop rs|sur:
// the metadata terms without the recommending states or without the state under review)

const { values: args } = parseArgs({
  options: { ...SPLIT_OPTION, out: { type: 'string', default: tmpdir() }, name: { type: 'string', default: 'linear' }, options: { type: 'string', default: '{}' }, drop: { type: 'string' } },
});
const { labels, training, measured } = await splitCorpus(args.split);
// --drop rs|sur (with metaWeight): the metadata without the recommending states, or without the state under review.
for (const t of [...training, ...measured]) {
  if (args.drop === 'rs') t.meta = { ...t.meta!, recommendingStates: [] };
  if (args.drop === 'sur') t.meta = { ...t.meta!, stateUnderReview: null };
}
const options = { ...DEFAULT_TRAIN_OPTIONS, ...(JSON.parse(args.options) as object) };
const started = process.cpuUsage();
const { oof } = outOfFold(training, labels, options, (m) => process.stderr.write(`${m}\n`));
const tagger = new Tagger(fitWeights(training, labels, options, labels.map(() => 0.5), ''));
writeFileSync(join(args.out, `${args.name}-${args.split}-oof.f32`), float32Rows(oof, labels.length));
writeFileSync(join(args.out, `${args.name}-${args.split}-measured.f32`), float32Rows(measured.map((t) => tagger.probabilities(t.text, t.meta)), labels.length));
const cpu = process.cpuUsage(started);
process.stderr.write(`done: ${training.length} training, ${measured.length} measured, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU\n`);
