import { join } from 'node:path';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import { relateAhead, relateAll } from '../src/related/refresh.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// `npm run relate` (SQLite's relateAll) reads the states and asks the neighbour thread a bounded number of texts
// ahead of the state it writes (session 39): it read every text of the table and asked every state at once, so
// that all the texts and all the states' lists could be held together (memory growing with the table). 2,000
// records: the neighbour thread's (THREAD_MIN_TEXTS); related-cli.test.ts relates the seed's few in this thread.

t.test('relateAll holds at most `ahead` texts (one state whatever its size), and relates as before', async (t) => {
  if (sqliteOnly(t, 'npm run relate is SQLite\'s (PostgreSQL keeps its relations current itself)')) return;
  const dir = tempDir(t);
  const open = (name: string) => {
    const path = join(dir, name);
    copyGeneratedDatabase(path, 2_000);
    const db = openDatabase(path);
    t.teardown(() => db.$client.close());
    return db;
  };
  const bounded = open('bounded.sqlite');
  const whole = open('whole.sqlite');
  const sizes = bounded.$client
    .prepare('select count(*) from recommendations r join reviews v on v.id = r.review_id group by v.state_code')
    .pluck()
    .all() as number[];
  const largest = Math.max(...sizes);
  t.ok(sizes.length > 3 && largest < 2_000, 'several states, none holding every record');

  const relations = 'select recommendation_id, related_id, score, relation, related_cycle from recommendation_relations order by 1, 2';
  relateAhead.most = 0;
  const states: string[] = [];
  const one = bounded.transaction(() => relateAll(bounded, undefined, (_, __, state) => states.push(state), 1));
  t.equal(relateAhead.most, largest, 'one state at a time: the largest state read alone');
  t.equal(states.length, bounded.$client.prepare('select count(distinct state_code) from reviews').pluck().get(), 'every state reviewed, said as it is written');

  relateAhead.most = 0;
  const all = whole.transaction(() => relateAll(whole, undefined, () => {}));
  t.ok(relateAhead.most <= Math.max(largest, 20_000), 'the default bound');
  t.same(one, all, 'the same counts');
  t.ok(one.inserted > 0, 'relations written');
  t.same(bounded.$client.prepare(relations).all(), whole.$client.prepare(relations).all(), 'the same relations');
});
