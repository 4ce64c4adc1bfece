import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/open.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { MODEL_PATH } from '../src/tagging/labels.js';
import { loadTagger } from '../src/tagging/model.js';
import { heldOutEvaluation } from '../src/tagging/training-run.js';
import { sharedDataDir } from '../test/support/shared-data.js';

// `npm run bench:tagging [-- --eval] [--json]`: the tagger's speed with the shipped model — tagging ~70,000
// texts (UPR Info's 32k recommendations, twice over) and one text (µs) — and with --eval its held-out
// figures (trained on sessions 1–14, measured on 15–17; a few minutes).

const { values: args } = parseArgs({ options: { eval: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } } });
const shared = sharedDataDir(fileURLToPath(new URL('..', import.meta.url)));
if (shared === undefined) {
  process.stderr.write('No ../shared/data: nothing to tag.\n');
  process.exit(1);
}
const dir = join(shared, 'upr-info-2008-2013');
const db = openDatabase(':memory:');
const texts = (await readLabelledCorpus(db, dir)).map((t) => t.text);
const all = [...texts, ...texts.map((t) => `${t} `)];
const tagger = loadTagger(MODEL_PATH);
for (const text of texts.slice(0, 2000)) tagger.tag(text);
const started = performance.now();
let labels = 0;
for (const text of all) labels += tagger.tag(text).length;
const seconds = (performance.now() - started) / 1000;
const result: Record<string, unknown> = {
  texts: all.length,
  labels,
  corpusSeconds: Number(seconds.toFixed(2)),
  perRecordMicroseconds: Number(((seconds * 1e6) / all.length).toFixed(1)),
};
if (args.eval) {
  const e = await heldOutEvaluation(db, dir);
  result.heldOut = { microF1: e.microF1, macroF1: e.macroF1, perLabel: e.perLabel.map((l) => ({ label: l.label, f1: l.f1 })) };
}
db.$client.close();
if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  console.log(`Tagging ${all.length} texts: ${result.corpusSeconds} s (${result.perRecordMicroseconds} µs per record, ${labels} labels)`);
  const h = result.heldOut as { microF1: number; macroF1: number; perLabel: { label: string; f1: number }[] } | undefined;
  if (h) {
    console.log(`Held out (sessions 15–17): micro-F1 ${h.microF1.toFixed(3)} (target 0.90), macro-F1 ${h.macroF1.toFixed(3)} (target 0.85)`);
    for (const l of h.perLabel) console.log(`  ${l.label.padEnd(56)} F1 ${l.f1.toFixed(3)}`);
  }
}
