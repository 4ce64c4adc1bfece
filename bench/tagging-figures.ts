import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/open.js';
import { readLabelledCorpus } from '../src/tagging/corpus.js';
import { MODEL_PATH } from '../src/tagging/labels.js';
import { loadTagger } from '../src/tagging/model.js';
import { heldOutEvaluation } from '../src/tagging/training-run.js';
import { sharedDataDir } from '../test/support/shared-data.js';
import type { BenchRow } from './row.js';

// The tagger's figures (issue 11): its speed with the shipped model — tagging ~70,000 texts (UPR Info's 32k
// recommendations, twice over) and one text — and, when asked, its held-out quality (trained on sessions
// 1–14, measured on 15–17; a few minutes, as it trains a model).

export interface TaggingFigures {
  texts: number;
  labels: number;
  corpusSeconds: number;
  perRecordMicroseconds: number;
  heldOut?: { microF1: number; macroF1: number; perLabel: { label: string; f1: number }[] };
}

export async function taggingFigures(evaluate: boolean, progress: (message: string) => void = () => {}): Promise<TaggingFigures | undefined> {
  const shared = sharedDataDir(fileURLToPath(new URL('..', import.meta.url)));
  if (shared === undefined) return undefined;
  const dir = join(shared, 'upr-info-2008-2013');
  const db = openDatabase(':memory:');
  try {
    progress('tagging: reading UPR Info sessions 1–17 …');
    const texts = (await readLabelledCorpus(db, dir)).map((t) => t.text);
    const all = [...texts, ...texts.map((t) => `${t} `)];
    const tagger = loadTagger(MODEL_PATH);
    for (const text of texts.slice(0, 2000)) tagger.tag(text);
    const started = performance.now();
    let labels = 0;
    for (const text of all) labels += tagger.tag(text).length;
    const seconds = (performance.now() - started) / 1000;
    const figures: TaggingFigures = {
      texts: all.length,
      labels,
      corpusSeconds: Number(seconds.toFixed(2)),
      perRecordMicroseconds: Number(((seconds * 1e6) / all.length).toFixed(1)),
    };
    if (evaluate) {
      progress('tagging: training on sessions 1–14, measuring on 15–17 …');
      const e = await heldOutEvaluation(db, dir);
      figures.heldOut = { microF1: e.microF1, macroF1: e.macroF1, perLabel: e.perLabel.map((l) => ({ label: l.label, f1: l.f1 })) };
    }
    return figures;
  } finally {
    db.$client.close();
  }
}

/** The figures as rows of `npm run bench`'s table. */
export async function taggingBench(progress: (message: string) => void = () => {}): Promise<BenchRow[]> {
  const f = await taggingFigures(true, progress);
  if (f === undefined) return [{ name: 'machine labels: skipped (no shared/data)', value: 0, unit: '' }];
  const rows: BenchRow[] = [
    {
      name: `machine labels: tagging ${f.texts.toLocaleString('en')} texts`,
      value: f.corpusSeconds,
      unit: 's',
      target: 'seconds',
      met: f.corpusSeconds <= 60,
      detail: `${f.labels.toLocaleString('en')} labels`,
    },
    { name: 'machine labels: one record', value: f.perRecordMicroseconds, unit: 'µs', target: '< 1,000 µs', met: f.perRecordMicroseconds < 1000 },
  ];
  const h = f.heldOut!;
  rows.push(
    { name: 'machine labels: held-out micro-F1 (sessions 15–17)', value: h.microF1, unit: '', target: '≥ 0.90', met: h.microF1 >= 0.9 },
    { name: 'machine labels: held-out macro-F1', value: h.macroF1, unit: '', target: '≥ 0.85', met: h.macroF1 >= 0.85 },
    ...h.perLabel.map((l) => ({ name: `  F1 ${l.label}`, value: Number(l.f1.toFixed(3)), unit: '' })),
  );
  return rows;
}
