import { once } from 'node:events';
import t from 'tap';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open.js';
import { NeighbourThread, neighbourThread, THREAD_MIN_TEXTS } from '../src/related/neighbours-thread.js';
import { refreshStaleRelations } from '../src/related/refresh.js';
import { tempDir } from './helpers.js';
import { neighbourLists } from '../src/related/neighbours-worker.js';
import { RELATED_FLOOR, RELATED_PER_RECORD } from '../src/related/settings.js';
import { NO_STATE_NAMES, StateNames, stateNamesOf } from '../src/related/state-names.js';
import { allNeighbours, vectorize } from '../src/related/similarity.js';
import { termsOf } from '../src/related/terms.js';

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
  const lists = allNeighbours(vectorize(texts.map((text) => termsOf(text))), floor, k);
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
  thread.warm(TEXTS, NO_STATE_NAMES);
  thread.ask(TEXTS, NO_STATE_NAMES);
  thread.ask(TEXTS.slice(2), NO_STATE_NAMES, 0.1, 1);
  thread.ask([], NO_STATE_NAMES);
  t.same(plain(thread.take()), expected(TEXTS, RELATED_FLOOR, RELATED_PER_RECORD), 'the first group');
  t.same(plain(thread.take()), expected(TEXTS.slice(2), 0.1, 1), 'the second, with its own floor and k');
  t.same(plain(thread.take()), { offsets: [0], index: [], score: [] }, 'an empty group');
});

t.test("the thread's terms leave out the states' names it is sent, as this thread's do", async (t) => {
  const names = new StateNames(['Norway', 'United Kingdom of Great Britain and Northern Ireland']);
  const printed = TEXTS.map((text, i) => `${text} (${i % 2 === 0 ? 'Norway' : 'United Kingdom of Great Britain and Northern Ireland'});`);
  const thread = new NeighbourThread();
  t.teardown(() => thread.close());
  thread.warm(printed, NO_STATE_NAMES);
  thread.ask(printed, names);
  thread.ask(printed, NO_STATE_NAMES);
  thread.ask(printed, names);
  const stripped = expected(TEXTS, RELATED_FLOOR, RELATED_PER_RECORD);
  t.same(plain(thread.take()), stripped, 'the texts as if printed without their states (tokenised again: other names)');
  t.same(plain(thread.take()), expected(printed, RELATED_FLOOR, RELATED_PER_RECORD), 'no names: as printed');
  t.same(plain(thread.take()), stripped, 'the names sent again when they change back');
  t.same(plain(neighbourLists(printed, RELATED_FLOOR, RELATED_PER_RECORD, names)), stripped, 'and in this thread');
});

t.test('in this thread too (the function the worker runs)', async (t) => {
  t.same(plain(neighbourLists(TEXTS, 0.1, 2)), expected(TEXTS, 0.1, 2));
});

t.test('a group the worker cannot compute is an error; answers never taken are dropped', async (t) => {
  const thread = new NeighbourThread();
  t.teardown(() => thread.close());
  t.throws(() => thread.take(), /no group asked for/);
  thread.ask([null as unknown as string], NO_STATE_NAMES);
  t.throws(() => thread.take(), /the relations worker failed: TypeError/);
  thread.ask(TEXTS, NO_STATE_NAMES);
  thread.ask([null as unknown as string], NO_STATE_NAMES);
  thread.discard();
  thread.ask(TEXTS.slice(0, 2), NO_STATE_NAMES);
  t.same(plain(thread.take()), expected(TEXTS.slice(0, 2), RELATED_FLOOR, RELATED_PER_RECORD), 'the answer to the group asked after');
});

t.test('a thread that does not answer, or that stopped, is an error, and the next use starts a new one', async (t) => {
  const silent = new NeighbourThread(new URL('data:text/javascript,'), 50);
  t.teardown(() => silent.close());
  silent.ask(TEXTS, NO_STATE_NAMES);
  t.throws(() => silent.take(), /did not answer in 50 ms/);

  const broken = new NeighbourThread(new URL('data:text/javascript,throw new Error("no such worker")'));
  t.teardown(() => broken.close());
  broken.ask(TEXTS, NO_STATE_NAMES);
  // (The thread does not keep the process alive: held until it has failed.)
  const worker = (broken as unknown as { worker: NodeJS.EventEmitter & { ref(): void } }).worker;
  worker.ref();
  await once(worker, 'error');
  t.match(broken.failure?.message, /no such worker/);
  t.throws(() => broken.take(), /the relations worker stopped: no such worker/);
  t.throws(() => broken.ask(TEXTS, NO_STATE_NAMES), /the relations worker stopped/);

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
    `Protect ${word(Math.floor(i / 5))} and ${word(1000 + (i % 5))} (${i % 7}) (${['Norway', 'Chile', 'Japan'][i % 3]});`,
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
  const lists = neighbourLists(rows.map(([, text]) => text), RELATED_FLOOR, RELATED_PER_RECORD, stateNamesOf(db));
  const wanted: [string, string, number][] = [];
  rows.forEach(([id], i) => {
    for (let p = lists.offsets[i]!; p < lists.offsets[i + 1]!; p++) wanted.push([id, rows[lists.index[p]!]![0], lists.score[p]!]);
  });
  t.ok(counts.inserted > THREAD_MIN_TEXTS, `${counts.inserted} relations`);
  const same = wanted.filter(([id]) => id.startsWith('KGZ-3-t')).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
  // (Compared as one string: tap's difference of two arrays of ~10,000 pairs takes minutes to print.)
  t.equal(JSON.stringify(stored), JSON.stringify(same), "the pairs of this thread's lists, with the states' names of the database");
});
