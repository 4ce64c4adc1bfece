import { join } from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { openDatabase } from '../src/db/open.js';
import { tagBatches, tagRecommendations } from '../src/tagging/apply.js';
import { runTagCli } from '../src/tagging/cli.js';
import { setTagger } from '../src/tagging/tagger.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';
import { fixtureTagger } from './tagging-helpers.js';

// `npm run tag` on SQLite, a batch at a time (session 39): `--all` read every text and link at once (1.1 GB at
// 300,000 records) and held the write lock in one transaction for the whole run (every API write a 503 for
// minutes). Each batch is now a transaction of its own, its documents rebuilt and the revision bumped, and the
// command leaves the lock free in between. PostgreSQL's `npm run tag` is pg-apply.ts's (postgres-tag.test.ts).

const tagger = fixtureTagger();
setTagger(tagger);
t.teardown(() => setTagger(undefined)); // the shipped model again: a shard runs other files in this process

const MACHINE = "select recommendation_id, theme_id, confidence from recommendation_themes where label_source = 'machine' order by 1, 2";

/** The seed in a file, its machine labels gone: work for the command. */
function untagged(t: Test, name: string): string {
  const path = join(tempDir(t), name);
  copyTemplateDatabase(path);
  const db = new Database(path);
  db.prepare("delete from recommendation_themes where label_source = 'machine'").run();
  db.close();
  return path;
}

t.test('batches of a few records, each committed: the lock free between them, the same labels as one pass', async (t) => {
  if (sqliteOnly(t, 'the batches and the write lock are SQLite\'s (npm run tag on PostgreSQL: postgres-tag.test.ts)')) return;
  const whole = openDatabase(untagged(t, 'whole.sqlite'));
  t.teardown(() => whole.$client.close());
  const path = untagged(t, 'batched.sqlite');
  const db = openDatabase(path);
  t.teardown(() => db.$client.close());
  const records = db.$client.prepare('select count(*) from recommendations').pluck().get() as number;
  t.ok(records > 6, 'more records than two batches');

  const other = new Database(path, { timeout: 0 });
  t.teardown(() => other.close());
  const seen: [number, number][] = [];
  const revisions: number[] = [];
  const before = { ...tagBatches };
  const report = tagRecommendations(
    db,
    tagger,
    { all: true },
    (done, total) => {
      seen.push([done, total]);
      // Another connection takes the write lock at once (no wait): nothing holds it between two batches.
      other.exec('begin immediate');
      revisions.push(Number(other.prepare("select value from meta where key = 'revision'").pluck().get()));
      other.exec('rollback');
    },
    3,
  );
  t.equal(report.recommendations, records);
  t.ok(report.added > 0);
  t.equal(tagBatches.batches - before.batches, Math.ceil(records / 3), 'one batch per 3 records');
  t.equal(tagBatches.largest, Math.max(before.largest, 3), 'no batch held more than 3 records');
  t.same(
    seen,
    Array.from({ length: Math.ceil(records / 3) }, (_, i) => [Math.min(records, (i + 1) * 3), records]),
    'progress after each batch, of every record selected',
  );
  t.ok(revisions.at(-1)! > revisions[0]!, 'each batch that changed a label committed a new revision');
  t.equal(db.$client.prepare('select count(*) from recommendation_documents_stale').pluck().get(), 0, 'every document rebuilt');

  const once = tagRecommendations(whole, tagger, { all: true });
  t.same(report, once, 'the same report as one pass');
  t.same(db.$client.prepare(MACHINE).all(), whole.$client.prepare(MACHINE).all(), 'the same machine labels');
  const documents = 'select json from recommendation_documents order by recommendation_id';
  t.same(db.$client.prepare(documents).pluck().all(), whole.$client.prepare(documents).pluck().all(), 'the same documents');
});

t.test('npm run tag says its progress on stderr, the report alone on stdout', async (t) => {
  if (sqliteOnly(t, 'the batches are SQLite\'s (npm run tag on PostgreSQL: postgres-tag.test.ts)')) return;
  const path = untagged(t, 'cli.sqlite');
  const out: string[] = [];
  const err: string[] = [];
  t.equal(await runTagCli(['--json'], { DATABASE_PATH: path }, { out: (s) => out.push(s), err: (s) => err.push(s) }), 0);
  const report = JSON.parse(out.join(''));
  t.ok(report.recommendations > 0);
  t.same(err, [`tag: ${report.recommendations}/${report.recommendations} recommendations\n`], 'a line per batch (one here), with the total selected');
});
