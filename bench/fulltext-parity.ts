import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { random } from '../src/common/random.js';
import { toFtsQuery } from '../src/db/fulltext.js';
import { relevanceRank, tsQuery } from '../src/db/pg/fulltext.js';

// Which records a `q` matches on SQLite (FTS5) and on a `db:copy` of the same database on PostgreSQL, compared
// record by record, for docs/postgresql-backend.md's examples and for words drawn from the texts (a word occurrence at
// random, so common words weigh more; in turn the word, the phrase of it and the next, its first four
// letters*), with the time PostgreSQL takes to count the matches and to pick the 50
// best (ts_rank), as a list with q does (each query's median printed as "count / top 50 ms").
// `node --import tsx bench/fulltext-parity.ts --sqlite FILE --url postgres://… [--sample 400] [--seed 1] [--repeat 5]`

const { values } = parseArgs({
  options: {
    sqlite: { type: 'string' },
    url: { type: 'string' },
    sample: { type: 'string', default: '400' },
    seed: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '5' },
  },
});
const EXAMPLES = [
  'health', 'discrimination', 'establ*', 'discri*', 'non.discrimination', 'internationally', 'international',
  'particularly', 'communal', 'enjoying', 'NHRIs', 'NHRI', 'the', 'of children', '"a protocol"', 'women’s', 'women',
  'côte', 'cote', 'république', '"freedom of expression"', 'polic*', 'communities*',
];

const sqlite = new Database(values.sqlite!, { readonly: true });
const pool = new pg.Pool({ connectionString: values.url, max: 1 });
const dialect = new PgDialect();

const draw = random(Number(values.seed));
const texts = sqlite.prepare('select text from recommendations order by id').pluck().all() as string[];
// A word, a phrase of it and the next, or its first four letters as a prefix, in turn.
const clean = (word: string) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
const sample: string[] = [];
for (let drawn = 0; sample.length < Number(values.sample); drawn++) {
  const words = texts[Math.floor(draw() * texts.length)]!.split(/\s+/).map(clean);
  const at = Math.floor(draw() * words.length);
  const [word, next] = [words[at]!, words[at + 1] ?? ''];
  const kind = drawn % 3;
  const q = kind === 0 ? word : kind === 1 ? `"${word} ${next}"` : /^\p{L}{4}./u.test(word) ? `${word.slice(0, 4)}*` : word;
  if (word !== '' && !sample.includes(q)) sample.push(q);
}

const sqliteIds = (q: string) =>
  new Set(
    sqlite
      .prepare(`select r.id from recommendations_fts f join recommendations r on r.fts_rowid = f.rowid where recommendations_fts match ?`)
      .pluck()
      .all(toFtsQuery(q)) as string[],
  );
async function pgQuery(query: ReturnType<typeof sql>): Promise<{ rows: Record<string, unknown>[]; ms: number }> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const started = performance.now();
  const { rows } = await pool.query(text, params);
  return { rows, ms: performance.now() - started };
}
const pgIds = async (q: string) =>
  new Set((await pgQuery(sql`select id from recommendations where search @@ ${tsQuery(q)}`)).rows.map((row) => row.id as string));

const quantile = (list: number[], p: number) => [...list].sort((x, y) => x - y)[Math.min(list.length - 1, Math.floor(p * list.length))]!.toFixed(1);
const counts: number[] = [];
const tops: number[] = [];
/** The query's median time to count and to pick the 50 best, in ms. */
async function timed(q: string): Promise<[number, number]> {
  const mine: [number[], number[]] = [[], []];
  for (let i = 0; i < Number(values.repeat); i++) {
    mine[0].push((await pgQuery(sql`select count(*) from recommendations where search @@ ${tsQuery(q)}`)).ms);
    const rank = relevanceRank(sql`search`, tsQuery(q));
    mine[1].push((await pgQuery(sql`select id from recommendations where search @@ ${tsQuery(q)} order by ${rank}, id limit 50`)).ms);
  }
  counts.push(...mine[0]);
  tops.push(...mine[1]);
  return [Number(quantile(mine[0], 0.5)), Number(quantile(mine[1], 0.5))];
}

async function compare(q: string) {
  const [a, b] = [sqliteIds(q), await pgIds(q)];
  const ms = await timed(q);
  return { q, ms, sqlite: a.size, postgres: b.size, same: a.size === b.size && [...a].every((id) => b.has(id)) };
}

for (const q of EXAMPLES) {
  const r = await compare(q);
  console.log(`q=${q}: SQLite ${r.sqlite}, PostgreSQL ${r.postgres}${r.same ? ', the same records' : ', DIFFERENT records'} (PostgreSQL ${r.ms[0]} / ${r.ms[1]} ms)`);
}
const differ = [];
for (const q of sample) {
  const r = await compare(q);
  if (!r.same) differ.push(r);
}
console.log(`${sample.length} words, phrases of two and prefixes drawn from the texts: ${differ.length} match different records`);
for (const r of differ.slice(0, 40)) console.log(`  q=${r.q}: SQLite ${r.sqlite}, PostgreSQL ${r.postgres}`);
console.log(`PostgreSQL, ${counts.length} queries each: count(*) p50 ${quantile(counts, 0.5)} ms, p99 ${quantile(counts, 0.99)} ms; ` +
  `top 50 by rank p50 ${quantile(tops, 0.5)} ms, p99 ${quantile(tops, 0.99)} ms`);
await pool.end();
sqlite.close();
