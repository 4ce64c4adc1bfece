import { once } from 'node:events';
import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open.js';
import { NeighbourThread, neighbourThread, THREAD_MIN_TEXTS } from '../src/related/neighbours-thread.js';
import { refreshStaleRelations } from '../src/related/refresh.js';
import { tempDir } from './helpers.js';
import { neighbourLists } from '../src/related/neighbours-worker.js';
import { RELATED_FLOOR, RELATED_PER_RECORD } from '../src/related/settings.js';
import { allNeighbours, vectorize } from '../src/related/similarity.js';
import { termsOf } from '../src/related/terms.js';
import { tagRecommendations } from '../src/tagging/apply.js';
import { Tagger } from '../src/tagging/model.js';
import { machineTagger, setTagger } from '../src/tagging/tagger.js';
import { run, seededDb } from './import-helpers.js';
import { FIXTURE_CORPUS, fixtureModel } from './tagging-helpers.js';

// The worker thread that computes a state's relations (src/related/neighbours-thread.ts): the same lists as
// allNeighbours in one thread, answers in the order asked, and a failed or dead thread said, never waited on
// for ever.

const TEXTS = [
  'Ratify the Optional Protocol to the Convention against Torture',
  'Accede to the OP-CAT',
  'Guarantee freedom of expression online',
  'Protect journalists and guarantee freedom of expression',
  'Ratify the Convention against Torture',
  'Adopt a national action plan on the rights of the child',
];

/** allNeighbours in this thread, as offsets, indexes and scores. */
function expected(texts: string[], floor: number, k: number) {
  const lists = allNeighbours(vectorize(texts.map(termsOf)), floor, k);
  return {
    offsets: [0, ...lists.map((_, i) => lists.slice(0, i + 1).reduce((n, l) => n + l.length, 0))],
    index: lists.flatMap((l) => l.map((n) => n.index)),
    score: lists.flatMap((l) => l.map((n) => n.score)),
  };
}

const plain = (lists: { offsets: Int32Array; index: Int32Array; score: Float64Array }) => ({
  offsets: [...lists.offsets],
  index: [...lists.index],
  score: [...lists.score],
});

t.test('the thread answers each group with the lists of allNeighbours, in the order asked', async (t) => {
  const thread = new NeighbourThread();
  t.teardown(() => thread.close());
  thread.warm(TEXTS);
  thread.ask(TEXTS);
  thread.ask(TEXTS.slice(2), 0.1, 1);
  thread.ask([]);
  t.same(plain(thread.take()), expected(TEXTS, RELATED_FLOOR, RELATED_PER_RECORD), 'the first group');
  t.same(plain(thread.take()), expected(TEXTS.slice(2), 0.1, 1), 'the second, with its own floor and k');
  t.same(plain(thread.take()), { offsets: [0], index: [], score: [] }, 'an empty group');
});

t.test('in this thread too (the function the worker runs)', async (t) => {
  t.same(plain(neighbourLists(TEXTS, 0.1, 2)), expected(TEXTS, 0.1, 2));
});

t.test('a group the worker cannot compute is an error; answers never taken are dropped', async (t) => {
  const thread = new NeighbourThread();
  t.teardown(() => thread.close());
  t.throws(() => thread.take(), /no group asked for/);
  thread.ask([null as unknown as string]);
  t.throws(() => thread.take(), /the relations worker failed: TypeError/);
  thread.ask(TEXTS);
  thread.ask([null as unknown as string]);
  thread.discard();
  thread.ask(TEXTS.slice(0, 2));
  t.same(plain(thread.take()), expected(TEXTS.slice(0, 2), RELATED_FLOOR, RELATED_PER_RECORD), 'the answer to the group asked after');
});

t.test('a thread that does not answer, or that stopped, is an error, and the next use starts a new one', async (t) => {
  const silent = new NeighbourThread(new URL('data:text/javascript,'), 50);
  t.teardown(() => silent.close());
  silent.ask(TEXTS);
  t.throws(() => silent.take(), /did not answer in 50 ms/);

  const broken = new NeighbourThread(new URL('data:text/javascript,throw new Error("no such worker")'));
  t.teardown(() => broken.close());
  broken.ask(TEXTS);
  // (The thread does not keep the process alive: held until it has failed.)
  const worker = (broken as unknown as { worker: NodeJS.EventEmitter & { ref(): void } }).worker;
  worker.ref();
  await once(worker, 'error');
  t.match(broken.failure?.message, /no such worker/);
  t.throws(() => broken.take(), /the relations worker stopped: no such worker/);
  t.throws(() => broken.ask(TEXTS), /the relations worker stopped/);

  const shared = neighbourThread();
  t.equal(neighbourThread(), shared, 'the process keeps its thread');
  shared.failure = new Error('gone');
  t.not(neighbourThread(), shared, 'a new one once it stopped');
  await new NeighbourThread().close(); // (never started: nothing to end)
});

t.test('a refresh of THREAD_MIN_TEXTS texts or more is computed in the thread, with the lists of this thread', async (t) => {
  const db = openDatabase(join(tempDir(t), 'thread.sqlite'));
  t.teardown(() => db.$client.close());
  // Texts in groups of five alike (a word of their own each group), with a word shared by a fifth of them: each
  // text has a few neighbours above the floor, not thousands (as texts of ten words in common had: the
  // pairs' lists, made twice, cost seconds for no other path).
  const word = (n: number) => `w${[...n.toString(26)].map((digit) => String.fromCharCode(97 + parseInt(digit, 26))).join('')}`;
  const texts = Array.from({ length: THREAD_MIN_TEXTS + 10 }, (_, i) =>
    `Protect ${word(Math.floor(i / 5))} and ${word(1000 + (i % 5))} (${i % 7})`,
  );
  const insert = db.$client.prepare(`insert into recommendations (id, review_id, paragraph_sort_key, text, verbatim, created_at, updated_at)
    values (?, 'KGZ-3', '', ?, 1, '2026-12-02', '2026-12-02')`);
  db.transaction(() => texts.forEach((text, i) => insert.run(`KGZ-3-t${String(i).padStart(5, '0')}`, text)));
  const counts = db.transaction(() => refreshStaleRelations(db), { behavior: 'immediate' });
  const stored = db.$client
    .prepare('select recommendation_id, related_id, score from recommendation_relations where recommendation_id like ? order by 1, 2')
    .raw()
    .all('KGZ-3-t%') as [string, string, number][];
  const rows = db.$client.prepare("select id, text from recommendations where review_id in (select id from reviews where state_code = 'KGZ') order by id").raw().all() as [string, string][];
  const lists = neighbourLists(rows.map(([, text]) => text), RELATED_FLOOR, RELATED_PER_RECORD);
  const wanted: [string, string, number][] = [];
  rows.forEach(([id], i) => {
    for (let p = lists.offsets[i]!; p < lists.offsets[i + 1]!; p++) wanted.push([id, rows[lists.index[p]!]![0], lists.score[p]!]);
  });
  t.ok(counts.inserted > THREAD_MIN_TEXTS, `${counts.inserted} relations`);
  t.same(stored, wanted.filter(([id]) => id.startsWith('KGZ-3-t')).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)));
});

t.test('the thread gives texts their machine labels ahead, from the last, as the tagger in this thread does', async (t) => {
  const model = fixtureModel();
  const source = JSON.stringify(model);
  const tagger = new Tagger(model);
  const texts = [...FIXTURE_CORPUS.map((c) => c.text), ...TEXTS];
  const expectedOf = (text: string) => tagger.tag(text).map((l) => [tagger.labels.indexOf(l.themeId), l.confidence]);
  const plainOf = (done: { labels: Int32Array; confidence: Float64Array }) => [...done.labels].map((label, j) => [label, done.confidence[j]]);
  const thread = new NeighbourThread();
  t.teardown(() => thread.close());
  const whole = thread.tagAhead(source, texts);
  // (A group asked after it is answered once the thread has done every text: nothing took any on.)
  thread.ask(TEXTS);
  thread.take();
  texts.forEach((text, i) => t.same(plainOf(whole.labelsOf(i)!), expectedOf(text), `text ${i}`));
  whole.stop();

  // The same model again (its tagger kept), stopped at once: each text it did is as the tagger's, the others left.
  const stopped = thread.tagAhead(source, texts);
  stopped.stop();
  thread.ask(TEXTS);
  thread.take();
  texts.forEach((text, i) => {
    const done = stopped.labelsOf(i);
    if (done !== undefined) t.same(plainOf(done), expectedOf(text), `text ${i}, done before the stop`);
  });

  // Texts taken on by the caller are left to it: the thread stops before them (another model: another tagger).
  const other = JSON.stringify({ ...model, trainedOn: 'another file' });
  const met = thread.tagAhead(other, texts);
  const first = met.labelsOf(0);
  thread.ask(TEXTS);
  thread.take();
  if (first !== undefined) t.same(plainOf(first), expectedOf(texts[0]!), 'the first, done before it was taken on');
  texts.slice(1).forEach((text, i) => t.same(plainOf(met.labelsOf(i + 1)!), expectedOf(text), `text ${i + 1}, the thread's`));
  met.stop();
});

t.test('an import of THREAD_MIN_TEXTS texts or more without themes is labelled as in this thread alone', async (t) => {
  setTagger(undefined); // the shipped model
  t.teardown(() => setTagger(undefined));
  const db = seededDb(t);
  const words = ['ratify the Convention against Torture', 'protect women from domestic violence', 'guarantee free primary education', 'abolish the death penalty', 'protect journalists and freedom of expression', 'combat trafficking in persons'];
  const rows = Array.from({ length: THREAD_MIN_TEXTS + 20 }, (_, i) =>
    `"76.${i + 1}. ${words[i % words.length]} and ${words[(i * 7 + 3) % words.length]} (${i % 11}) (Norway);",kyrgysztan,support,Norway,2010,`,
  );
  const report = await run(db, `text,to,decision,From,year,notes\n${rows.join('\n')}\n`);
  t.equal(report.recommendations.created, rows.length);
  const labels = () => db.$client.prepare("select recommendation_id, theme_id, confidence from recommendation_themes where label_source = 'machine' order by 1, 2").raw().all();
  const imported = labels();
  t.ok(imported.length >= rows.length, `${imported.length} machine labels`);
  // Tagging the same recommendations again in this thread alone changes nothing.
  const ids = db.$client.prepare("select id from recommendations where review_id = 'KGZ-1'").pluck().all() as string[];
  const again = db.transaction(() => tagRecommendations(db, machineTagger()!, { ids }), { behavior: 'immediate' });
  t.same({ added: again.added, changed: again.changed, removed: again.removed }, { added: 0, changed: 0, removed: 0 });
  t.same(labels(), imported);
});
