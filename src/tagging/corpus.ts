import { createReadStream, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../db/open.js';
import { StateResolver } from '../import/states.js';
import type { ImportSource } from '../import/types.js';
import { readUprInfoCsv } from '../import/upr-info.js';
import type { TextMeta } from './text.js';

// UPR Info's labelled recommendations (../shared/data/upr-info-2008-2013/), read by the importer's own CSV
// reader: its decoding, and its grouping of co-authored rows into one recommendation (labels united).

export interface LabelledText {
  text: string;
  /** UPR Info issue theme ids (upr-info-…), as the importer stores them. */
  labels: string[];
  /** The UPR Working Group session (1–17). */
  session: number;
  /** Who recommended it and to whom (ISO codes), for the metadata features (src/tagging/text.ts). */
  meta?: TextMeta;
}

export function fileSource(path: string): ImportSource {
  return { name: path, chunks: () => createReadStream(path) };
}

/** Every recommendation of the `uprinfo_sessions_*.csv` files in a folder, in file then row order. */
export async function readLabelledCorpus(db: Db, dir: string): Promise<LabelledText[]> {
  const resolver = new StateResolver(db);
  const files = readdirSync(dir)
    .filter((name) => /^uprinfo_sessions_[\d-]+\.csv$/.test(name))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
  const out: LabelledText[] = [];
  for (const name of files) {
    // The texts as printed: the committed model was trained on them (`npm run train` reproduces it).
    const parsed = await readUprInfoCsv(fileSource(join(dir, name)), resolver, undefined, undefined, true);
    const sessions = new Map(parsed.reviews.map((r) => [r.id, r.wgSession!]));
    const underReview = new Map(parsed.reviews.map((r) => [r.id, r.stateCode]));
    for (const record of parsed.records) {
      if (record.themes!.length === 0) continue;
      const meta = { recommendingStates: [...record.recommendingStates!], stateUnderReview: underReview.get(record.reviewId)! };
      out.push({ text: record.text, labels: [...record.themes!].sort(), session: sessions.get(record.reviewId)!, meta });
    }
  }
  return out;
}
