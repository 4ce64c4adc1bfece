import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { setTagger } from '../src/tagging/tagger.js';
import { fixtureTagger } from './tagging-helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

// The seeded template is built by whichever test process needs it first, and shared by every other: it holds
// the shipped model's machine labels even when that process set a tagger of its own (tagging.test.ts's small
// model gave the seed's KGZ-3-FIN-1 no human-rights-defenders label, and recommendations.test.ts failed after it).

t.test("the seeded template holds the shipped model's machine labels, whatever tagger the process that built it set", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upr-template-'));
  const tmp = process.env.TMPDIR;
  process.env.TMPDIR = dir; // a template of its own, built here
  t.teardown(() => {
    if (tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmp;
    setTagger(undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  const labels = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare("select recommendation_id, theme_id, confidence from recommendation_themes where label_source = 'machine' order by 1, 2").all();
    } finally {
      db.close();
    }
  };

  const fixture = fixtureTagger();
  setTagger(fixture);
  copyTemplateDatabase(join(dir, 'copy.sqlite'));
  setTagger(undefined); // the shipped model
  openDatabase(join(dir, 'shipped.sqlite')).$client.close();
  const shipped = labels(join(dir, 'shipped.sqlite'));
  t.ok(shipped.length > 0);
  t.same(labels(join(dir, 'copy.sqlite')), shipped, "the shipped model's labels, not the process's own tagger's");
});
