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
// `node --import tsx bench/tagging-scores.ts --split validation|held-out --out DIR` (--out: the temporary directory when not given)

const { values: args } = parseArgs({ options: { ...SPLIT_OPTION, out: { type: 'string', default: tmpdir() } } });
const { labels, training, measured } = await splitCorpus(args.split);
const started = process.cpuUsage();
const { oof } = outOfFold(training, labels, DEFAULT_TRAIN_OPTIONS, (m) => process.stderr.write(`${m}\n`));
const tagger = new Tagger(fitWeights(training, labels, DEFAULT_TRAIN_OPTIONS, labels.map(() => 0.5), ''));
writeFileSync(join(args.out, `linear-${args.split}-oof.f32`), float32Rows(oof, labels.length));
writeFileSync(join(args.out, `linear-${args.split}-measured.f32`), float32Rows(measured.map((t) => tagger.probabilities(t.text)), labels.length));
const cpu = process.cpuUsage(started);
process.stderr.write(`done: ${training.length} training, ${measured.length} measured, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s CPU\n`);
