import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dropOutputWhenReaderGoes } from '../src/common/closed-output.js';
import { commandFailure, type FailureKind } from '../src/common/command-line.js';
import { openDatabase } from '../src/db/open.js';
import { MODEL_PATH } from '../src/tagging/labels.js';
import { modelBytes } from '../src/tagging/model.js';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions } from '../src/tagging/train.js';
import { heldOutEvaluation, shippedModel, VALIDATION } from '../src/tagging/training-run.js';
import { sharedDataDir } from '../test/support/shared-data.js';
import { type CommandOptions, exitOnHelpOrUsageError } from './command-args.js';

// `npm run train -- --validate [--options JSON]`: trains on sessions 1–11 and measures on 12–14 only, with the
// default training options overridden by these (how options are chosen; writes no model).
// `npm run train [-- --data DIR] [--json] [--skip-eval]`: measures the tagger on held-out sessions (trained on
// UPR sessions 1–14, measured on 15–17; printed as soon as measured), then trains the shipped model on 1–17
// and writes it to models/upr-info-tagger.json.gz (gzip-compressed JSON, src/tagging/model.ts modelBytes).
// Deterministic: the same data gives the same file byte for byte. Progress on stderr in a terminal; --json
// prints the evaluation and the model's size as JSON on stdout, nothing else.

dropOutputWhenReaderGoes(process.stdout, process.stderr);
const OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
  'skip-eval': { type: 'boolean', default: false },
  validate: { type: 'boolean', default: false },
  options: { type: 'string', default: '{}' },
} satisfies CommandOptions;
exitOnHelpOrUsageError(
  OPTIONS,
  'Usage: npm run train [-- --data DIR] [--json] [--skip-eval]  |  npm run train -- --validate [--options JSON]\n  Measures the tagger on held-out sessions, then writes models/upr-info-tagger.json.gz (minutes).',
);
const { values: args } = parseArgs({ options: OPTIONS });
const io = { out: (text: string) => void process.stdout.write(text), err: (text: string) => void process.stderr.write(text) };
const fail = (kind: FailureKind, message: string) => process.exit(commandFailure(io, args.json, kind, message));
// A missing folder or options that are no JSON were a stack trace (readdirSync's ENOENT, JSON.parse's SyntaxError).
let overrides: Partial<TrainOptions> = {};
try {
  overrides = JSON.parse(args.options) as Partial<TrainOptions>;
} catch (error) {
  fail('usage', `--options is not JSON: ${(error as Error).message}`);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const shared = args.data ?? sharedDataDir(root);
if (shared === undefined) fail('file', 'No data: pass --data <the upr-info-2008-2013 folder>, or set SHARED_DATA_DIR.');
const dataDir = args.data ?? join(shared!, 'upr-info-2008-2013');
if (statSync(dataDir, { throwIfNoEntry: false })?.isDirectory() !== true) fail('file', `No data: ${dataDir} is not a folder.`);
const started = Date.now();
const progress = (message: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K[${((Date.now() - started) / 1000).toFixed(0)} s] ${message}`);
};
const db = openDatabase(':memory:');

if (args.validate) {
  const options = { ...DEFAULT_TRAIN_OPTIONS, ...overrides };
  const e = await heldOutEvaluation(db, dataDir, (m) => progress(`validation: ${m}`), options, VALIDATION);
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  console.log(JSON.stringify({ options: args.options, microF1: e.microF1, macroF1: e.macroF1, precision: e.microPrecision, recall: e.microRecall }));
  process.exit(0);
}

const evaluation = args['skip-eval'] ? undefined : await heldOutEvaluation(db, dataDir, (m) => progress(`evaluation: ${m}`));
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
if (evaluation && !args.json) {
  const pct = (v: number) => v.toFixed(3);
  console.log(`Held out: trained on ${evaluation.trainingTexts} texts (sessions 1–14), measured on ${evaluation.texts} (sessions 15–17)`);
  console.log(`micro-F1 ${pct(evaluation.microF1)} (precision ${pct(evaluation.microPrecision)}, recall ${pct(evaluation.microRecall)}), macro-F1 ${pct(evaluation.macroF1)}`);
  for (const s of evaluation.perLabel) {
    console.log(`  ${s.label.padEnd(56)} support ${String(s.support).padStart(5)}  P ${pct(s.precision)}  R ${pct(s.recall)}  F1 ${pct(s.f1)}`);
  }
}
const model = await shippedModel(db, dataDir, (m) => progress(`shipped model: ${m}`));
mkdirSync(dirname(MODEL_PATH), { recursive: true });
const json = Buffer.byteLength(`${JSON.stringify(model)}\n`);
const bytes = modelBytes(model);
writeFileSync(MODEL_PATH, bytes);
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

const terms = Object.keys(model.terms).length;
if (args.json) {
  process.stdout.write(`${JSON.stringify({ evaluation, model: { path: MODEL_PATH, bytes: bytes.length, json, terms } })}\n`);
} else {
  const mb = (n: number) => (n / 1e6).toFixed(2);
  console.log(`Model: ${MODEL_PATH} (${mb(bytes.length)} MB, ${mb(json)} MB of JSON, ${terms} terms), ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
db.$client.close();
