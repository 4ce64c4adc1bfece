import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { StateResolver } from '../src/import/states.js';
import { readTermanCsv } from '../src/import/terman-csv.js';
import { BagScorer, DEFAULT_BAG_OPTIONS, trainBag } from '../src/tagging/bag.js';
import { fileSource, type LabelledText } from '../src/tagging/corpus.js';
import { MODEL_FORMAT, Tagger } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, fitWeights, random, tuneThresholds } from '../src/tagging/train.js';
import { corpusVectors } from '../src/tagging/training-run.js';
import { sharedDataDir } from '../test/support/shared-data.js';
import { float32Rows, SPLIT_OPTION, splitCorpus } from './tagging-split.js';

// Self-training (issue 11): the shipped blend trained on a split's training sessions labels an unlabelled pool
// (the Terman corpus' recommendations of 2014, reviews of sessions 18–20, never a measured session's), and the
// linear ensemble is trained again on the real texts and the pseudo-labelled ones; its scores are saved as
// bench/tagging-scores.ts saves them, for bench/tagging-blend3.ts ('linear-st:0.75,bag:0.25'). The pool never
// enters the out-of-fold scores' measured part: it joins each fold's training.
// `node --import tsx bench/tagging-selftrain.ts --split validation|held-out --out DIR --name linear-st --weight W --margin M`
// (--out: where tagging-scores.ts and tagging-bag.ts saved `linear` and `bag`, whose out-of-fold blend tunes the
// teacher's thresholds; the teacher's pool scores are cached there; --weight: a pseudo-labelled text's weight
// against a real one's 1; --margin: keep only pool texts whose every label's log-odds is at least M from its
// threshold's, 0 keeps all; --teacher-bag: the network's weight in the teacher, the shipped 0.25 unless given, 0: the
// linear ensemble alone)

const { values: args } = parseArgs({
  options: {
    ...SPLIT_OPTION,
    out: { type: 'string', default: tmpdir() },
    name: { type: 'string', default: 'linear-st' },
    weight: { type: 'string', default: '1' },
    margin: { type: 'string', default: '0' },
    'teacher-bag': { type: 'string', default: String(DEFAULT_TRAIN_OPTIONS.bag!.weight) },
  },
});
const c = await splitCorpus(args.split);
const { labels, training, measured } = c;
const L = labels.length;
const options = DEFAULT_TRAIN_OPTIONS;
const started = process.cpuUsage();

// The pool: each 2014 recommendation of a second-cycle review the calendar does not place in sessions 13–17,
// its text without the report's closing "(State);" attribution (UPR Info's texts have none).
const shared = sharedDataDir(fileURLToPath(new URL('..', import.meta.url)))!;
const parsed = await readTermanCsv(fileSource(join(shared, 'terman-upr-2008-2014', '2014data.csv')), new StateResolver(openDatabase(':memory:')), undefined);
const inPool = new Set(parsed.reviews.filter((r) => r.cycle === 2 && r.wgSession === null && r.reportYear === 2014).map((r) => r.id));
const pool = [...new Set(parsed.records.filter((r) => inPool.has(r.reviewId) && r.idText !== '').map((r) => r.idText!))];

// The teacher: the linear ensemble and the network trained on all training texts, blended in log-odds at
// --teacher-bag, thresholds tuned on their saved out-of-fold blend.
const logit = (p: number) => Math.log(p / (1 - p));
const w = Number(args['teacher-bag']);
const cached = join(args.out, `pool-teacher-${args.split}-${w}.f32`);
if (!existsSync(cached)) {
  const linear = new Tagger(fitWeights(training, labels, options, labels.map(() => 0.5), ''));
  const bag = w === 0 ? undefined : new BagScorer(trainBag(training.map((t) => t.text), c.ys, L, corpusVectors(training), DEFAULT_BAG_OPTIONS, random));
  const out = new Float64Array(L);
  writeFileSync(cached, float32Rows(pool.map((text) => {
    const p = linear.probabilities(text);
    bag?.scores(text, out);
    return Float64Array.from(p, (v, l) => 1 / (1 + Math.exp(-((1 - w) * logit(v) + w * out[l]!))));
  }), L));
}
const rows = (path: string) => new Float32Array(new Uint8Array(readFileSync(path)).buffer);
const [linOof, bagOof] = ['linear', 'bag'].map((n) => rows(join(args.out, `${n}-${args.split}-oof.f32`)));
const oofBlend = training.map((_, i) => Float64Array.from({ length: L }, (_, l) => 1 / (1 + Math.exp(-((1 - w) * logit(linOof![i * L + l]!) + w * bagOof![i * L + l]!)))));
const thresholds = tuneThresholds(oofBlend, c.ys, L, options.thresholdMicroWeight);
const teacher = rows(cached);
const decider = new Tagger({ format: MODEL_FORMAT, trainedOn: '', labels, bias: labels.map(() => 0), thresholds, terms: {} });
const margin = Number(args.margin);
const weight = Number(args.weight);
const pseudo: LabelledText[] = [];
const margins: number[] = [];
pool.forEach((text, i) => {
  const p = Float64Array.from({ length: L }, (_, l) => Math.min(1 - 1e-6, Math.max(1e-6, teacher[i * L + l]!)));
  const least = Math.min(...labels.map((_, l) => Math.abs(logit(p[l]!) - logit(thresholds[l]!))));
  margins.push(least);
  if (least < margin) return;
  pseudo.push({ text, labels: decider.decide(p).map((m) => m.themeId), session: 0, weight });
});
const sorted = [...margins].sort((a, b) => a - b);
const labelsPerText = pseudo.reduce((s, t) => s + t.labels.length, 0) / pseudo.length;
process.stderr.write(
  `${JSON.stringify({ pool: pool.length, kept: pseudo.length, labelsPerText: Number(labelsPerText.toFixed(3)), marginQuartiles: [0.25, 0.5, 0.75].map((q) => Number(sorted[Math.floor(q * sorted.length)]!.toFixed(2))) })}\n`,
);

// The student: out-of-fold on the real training texts (the folds `fit` uses), the pool in each fold's training.
const sessions = [...new Set(training.map((t) => t.session))].sort((a, b) => a - b);
const foldOf = new Map(sessions.map((s, i) => [s, i % options.folds]));
const oof: Float64Array[] = new Array(training.length);
for (let fold = 0; fold < options.folds; fold++) {
  const tagger = new Tagger(fitWeights([...training.filter((t) => foldOf.get(t.session) !== fold), ...pseudo], labels, options, labels.map(() => 0.5), ''));
  training.forEach((t, i) => {
    if (foldOf.get(t.session) === fold) oof[i] = Float64Array.from(tagger.probabilities(t.text, t.meta));
  });
  process.stderr.write(`fold ${fold + 1} done\n`);
}
const student = new Tagger(fitWeights([...training, ...pseudo], labels, options, labels.map(() => 0.5), ''));
writeFileSync(join(args.out, `${args.name}-${args.split}-oof.f32`), float32Rows(oof, L));
writeFileSync(join(args.out, `${args.name}-${args.split}-measured.f32`), float32Rows(measured.map((t) => student.probabilities(t.text, t.meta)), L));
const cpu = process.cpuUsage(started);
process.stderr.write(`${JSON.stringify({ name: args.name, split: args.split, weight, margin, teacherBag: w, cpuSeconds: Math.round((cpu.user + cpu.system) / 1e6) })}\n`);
