import t from 'tap';
import { generateDatabase } from '../bench/generate.js';
import type { Db } from '../src/db/open.js';
import { seededDb } from './import-helpers.js';

// The benchmark's synthetic database (bench/generate.ts), tested on its own: the benchmark's figures and the
// large-database tests (through test/support/template-db.ts, which keeps what it generates between runs) rely
// on what it promises — the counts it reports, stored documents, no pending work, the same data for a seed.

const NOW = new Date('2026-06-01T00:00:00.000Z');
const RECOMMENDATIONS = 300;

const count = (db: Db, table: string): number =>
  db.$client.prepare(`select count(*) from ${table}`).pluck().get() as number;

/** The generated rows of the tables it writes, in a stable order. */
function dump(db: Db): Record<string, unknown[]> {
  const tables = {
    reviews: 'id', recommendations: 'id', recommendation_states: 'recommendation_id, state_code',
    recommendation_themes: 'recommendation_id, theme_id', recommendation_sdgs: 'recommendation_id, goal',
    recommendation_affected_persons: 'recommendation_id, group_id', assessments: 'id', developments: 'id',
    development_recommendations: 'development_id, recommendation_id', statements: 'id',
    recommendation_documents: 'recommendation_id',
  };
  return Object.fromEntries(Object.entries(tables).map(([table, order]) =>
    [table, db.$client.prepare(`select * from ${table} order by ${order}`).raw().all()]));
}

t.test('generateDatabase: what it reports is what it wrote, with every document built and nothing left pending', async (t) => {
  const db = seededDb(t);
  const before = { reviews: count(db, 'reviews'), recommendations: count(db, 'recommendations'),
    developments: count(db, 'developments'), statements: count(db, 'statements'), assessments: count(db, 'assessments') };
  const cacheSize = db.$client.pragma('cache_size', { simple: true });
  const seedIds = new Set(db.$client.prepare('select id from recommendations').pluck().all() as string[]);
  const report = generateDatabase(db, { recommendations: RECOMMENDATIONS, seed: 3, now: NOW });

  t.equal(report.recommendations, RECOMMENDATIONS);
  t.equal(count(db, 'recommendations') - before.recommendations, RECOMMENDATIONS);
  t.equal(count(db, 'reviews') - before.reviews, report.reviews, 'every state in each of the four cycles, but the seeded review');
  t.equal(report.reviews, count(db, 'states') * 4 - before.reviews);
  t.equal(count(db, 'developments') - before.developments, Math.ceil(RECOMMENDATIONS / 40));
  t.equal(report.developments, Math.ceil(RECOMMENDATIONS / 40));
  t.equal(count(db, 'statements') - before.statements, Math.ceil(RECOMMENDATIONS / 100));
  t.equal(report.statements, Math.ceil(RECOMMENDATIONS / 100));
  t.equal(count(db, 'assessments') - before.assessments, report.assessments);
  t.ok(report.assessments > 0, 'some recommendations are assessed');
  t.ok(report.rows > RECOMMENDATIONS + report.reviews, 'rows count every table written');
  t.ok(report.seconds >= 0);

  t.equal(count(db, 'recommendation_documents'), count(db, 'recommendations'), 'every recommendation has its document');
  t.equal(count(db, 'recommendation_documents_stale'), 0);
  t.equal(count(db, 'recommendation_relations_stale'), 0, 'no relations to compute at the next open');
  t.equal(db.$client.pragma('cache_size', { simple: true }), cacheSize, 'the page cache is given back');

  const rows = db.$client.prepare(`select r.id, r.position, count(s.state_code) as states,
      (select count(*) from recommendation_themes m where m.recommendation_id = r.id) as themes
    from recommendations r left join recommendation_states s on s.recommendation_id = r.id group by r.id`)
    .all() as { id: string; position: string | null; states: number; themes: number }[];
  const fresh = rows.filter((row) => !seedIds.has(row.id));
  t.equal(fresh.length, RECOMMENDATIONS);
  t.ok(fresh.every((row) => row.states >= 1 && row.states <= 3), 'one to three recommending states each');
  const positions = new Set(fresh.map((row) => row.position));
  t.ok(positions.has(null) && positions.has('supported') && positions.has('noted'), `positions: ${[...positions].join(', ')}`);
  t.ok(fresh.every((row) => row.themes >= 1 && row.themes <= 3), 'one to three themes each');
});

t.test('generateDatabase: the same data for the same seed and time, other data for another seed', async (t) => {
  const a = seededDb(t);
  const b = seededDb(t);
  const c = seededDb(t);
  generateDatabase(a, { recommendations: RECOMMENDATIONS, seed: 11, now: NOW });
  generateDatabase(b, { recommendations: RECOMMENDATIONS, seed: 11, now: NOW });
  generateDatabase(c, { recommendations: RECOMMENDATIONS, seed: 12, now: NOW });
  const first = dump(a);
  t.same(dump(b), first, 'every generated table, row for row');
  const texts = (db: Db) => db.$client.prepare('select text from recommendations order by id').pluck().all();
  t.not(JSON.stringify(texts(c)), JSON.stringify(texts(a)), 'another seed writes other texts');
});

t.test('generateDatabase: with texts given (the real record\'s), every text is one of them, as given or with a qualifier', async (t) => {
  const db = seededDb(t);
  const seedIds = new Set(db.$client.prepare('select id from recommendations').pluck().all() as string[]);
  const given = ['Ratify the Optional Protocol to the Convention against Torture.', 'Abolish the death penalty;  '];
  generateDatabase(db, { recommendations: 200, seed: 5, now: NOW, texts: given });
  const texts = (db.$client.prepare('select id, text from recommendations').raw().all() as [string, string][])
    .filter(([id]) => !seedIds.has(id))
    // (The odd text starts with "-" or has a second line, as the generated phrases do.)
    .map(([, text]) => text.replace(/^-/, '').replace(/\nSee also the previous cycle\.$/, ''));
  t.equal(texts.length, 200);
  const bases = ['Ratify the Optional Protocol to the Convention against Torture', 'Abolish the death penalty'];
  t.ok(texts.every((text) => bases.some((base) => text.startsWith(base)) && text.endsWith('.')), texts.slice(0, 3).join(' | '));
  t.ok(bases.every((base) => texts.includes(`${base}.`)), 'some texts as given (their end made a full stop)');
  t.ok(texts.some((text) => !bases.some((base) => text === `${base}.`)), 'some with a qualifier appended');
});
