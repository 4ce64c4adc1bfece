import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

// The recommendations' texts of UPR Info's four session files (../shared/data/upr-info-2008-2013: 33,082 rows,
// Mac Roman, CR line endings, no paragraph numbers or "(State)" suffixes), distinct, for generateDatabase's
// `texts`: a synthetic database with the real record's vocabulary. The data stay where they are.
const FILES = ['uprinfo_sessions_1-5.csv', 'uprinfo_sessions_6-9.csv', 'uprinfo_sessions_10-13.csv', 'uprinfo_sessions_14-17.csv'];

export function realTexts(dataDir: string): string[] {
  const texts = new Set<string>();
  for (const file of FILES) {
    const text = new TextDecoder('macintosh').decode(readFileSync(join(dataDir, 'upr-info-2008-2013', file)));
    const rows = parse(text, { columns: true, relax_column_count: true, skip_empty_lines: true }) as { Text?: string }[];
    for (const row of rows) {
      const value = row.Text?.trim();
      if (value) texts.add(value);
    }
  }
  return [...texts];
}
