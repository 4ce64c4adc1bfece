import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { random } from '../src/common/random.js';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { postgresBackend } from '../src/db/pg/backend.js';
import { developmentSearchVector, FILL_SEARCH_ROWS, pgFillSearch, searchVector } from '../src/db/pg/fulltext.js';
import { buildTestApp, tempDir } from './helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// Full text matches the same records on PostgreSQL as on SQLite, for every `q` (src/db/pg/fulltext.ts: FTS5's
// terms, computed by src/db/fts5/tokenize.ts): docs/postgresql-backend.md's examples of what differed while PostgreSQL used its
// english configuration (stemmer, stop words, diacritics), words and prefixes drawn from the texts, phrases
// that would run from a development's title into its summary; after records are created and their texts
// changed through the API, and after a start fills what was not filled.

t.setTimeout(600_000);
const cluster = await startCluster(t);

/** Texts with docs/postgresql-backend.md's examples: each pair of words that one stemmer joins and the other does not. */
const TEXTS = [
  'Cooperate internationally, and particularly with the NHRIs, on communal violence.',
  'Strengthen international cooperation, in particular on community policing and the NHRI.',
  'Protect women’s rights and the rights of children; ratify a protocol on the sale of children.',
  'Protect the rights of women and children under the Optional Protocol.',
  'Protéger les droits de l’enfant en Côte d’Ivoire : café, naïveté, Straße, Ørsted, İstanbul.',
  'Protect the cafe workers of Cote d’Ivoire, Strasse and Orsted.',
  `Ensure ${'ж'.repeat(1100)} and ${'ж'.repeat(400)}s, zorblax.`, // a word PostgreSQL cuts to 2,046 bytes
  'Enjoying rights: he enjoys, they enjoyed, we enjoy; NHRIs’ reports; 2nd and 3rd cycles; H2O.',
];

const QUERIES = [
  'internationally', 'international', 'particularly', 'particular', 'communal', 'community', 'communities*', 'NHRIs',
  'NHRI', 'the', 'of', 'the of a', 'of children', '"of children"', '"a protocol"', 'women’s', 'women', '"women s"',
  'womens', 'café', 'cafe', 'côte', 'Cote', 'straße', 'strasse', 'ørsted', 'orsted', 'istanbul', 'İstanbul', 'enjoying',
  'enjoy*', 'enjoys', '2nd', 'h2o', 'polic*', 'establ*', `${'ж'.repeat(400)}`, `${'ж'.repeat(400)}s`, 'жжж*',
  `${'ж'.repeat(490)}*`, 'zorblax', '"rights of children"', '"rights of women"', 'protocol* optional',
  '"rights of chil*"', '"rights of chil"*', '"the cafe work*"', '"of wom*"',
  // Alternatives and typed ORs (src/db/fulltext-variants.ts): one tsquery and one FTS5 query of the same terms.
  'woman', 'child', 'cooperation', 'internationally OR zorblax', 'women OR "rights of children" OR cafe', 'CRC',
];

/** Words (and their first four letters as prefixes) at random places in the texts, the same on every run. */
function drawnWords(path: string, n: number): string[] {
  const db = new Database(path, { readonly: true });
  const texts = db.prepare('select text from recommendations order by id').pluck().all() as string[];
  db.close();
  const next = random(3);
  const words = new Set<string>();
  while (words.size < n) {
    const list = texts[Math.floor(next() * texts.length)]!.split(/\s+/);
    const word = list[Math.floor(next() * list.length)]!.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (word === '') continue;
    words.add(word);
    if (/^\p{L}{4}./u.test(word)) words.add(`${word.slice(0, 4)}*`);
  }
  return [...words];
}

/** The ids a list finds with `q`, every page. */
async function matches(app: FastifyInstance, resource: string, q: string): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor = ''; ; ) {
    const response = await app.inject(`/v1/${resource}?q=${encodeURIComponent(q)}&sort=id&limit=200${cursor}`);
    if (response.statusCode !== 200) throw new Error(`q=${q}: ${response.statusCode} ${response.body}`);
    const body = response.json();
    ids.push(...body.data.map((record: { id: string }) => record.id));
    if (body.meta.nextCursor === null) return ids;
    cursor = `&cursor=${body.meta.nextCursor}`;
  }
}

/** Each query finds the same records on both; returns how many queries found something. */
async function sameMatches(t: Test, sqlite: FastifyInstance, postgres: FastifyInstance, resource: string, queries: string[]): Promise<number> {
  let found = 0;
  for (const q of queries) {
    const [a, b] = await Promise.all([matches(sqlite, resource, q), matches(postgres, resource, q)]);
    t.same(b, a, `${resource}: q=${q.length > 40 ? `${q.slice(0, 40)}…` : q} finds the same ${a.length}`);
    if (a.length > 0) found++;
  }
  return found;
}

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const sqlitePath = join(tempDir(t), 'generated.sqlite');
  copyGeneratedDatabase(sqlitePath, 1500);
  const url = await copiedDatabase(cluster.url, sqlitePath);
  const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
  const onPostgres = await buildTestApp(t, { databaseUrl: url });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  t.teardown(() => pool.end());
  const keys = [createApiKey(onSqlite.db, 'search', 'write').key, (await pgCreateApiKey(pool, 'search', 'write')).key];
  const apps = [onSqlite, onPostgres] as const;
  const write = async (method: 'POST' | 'PATCH', path: string, body: object) => {
    for (const [i, app] of apps.entries()) {
      const response = await app.inject({ method, url: path, payload: body, headers: { authorization: `Bearer ${keys[i]}`, ...(method === 'PATCH' ? { 'if-match': '*' } : {}) } });
      if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${response.body}`);
    }
  };

  t.test('the copy: words and prefixes drawn from the texts find the same records', async (t) => {
    const words = drawnWords(sqlitePath, 120);
    t.ok((await sameMatches(t, onSqlite, onPostgres, 'recommendations', words)) > 100, 'most find something');
  });

  t.test('records created and changed through the API: the documented examples find the same records', async (t) => {
    for (const [i, text] of TEXTS.entries()) {
      await write('POST', '/v1/recommendations', { reviewId: 'KGZ-3', paragraph: `900.${i + 1}`, text, verbatim: false, recommendingStates: ['FIN'] });
    }
    t.ok((await sameMatches(t, onSqlite, onPostgres, 'recommendations', QUERIES)) >= QUERIES.length - 2, 'nearly all find something');
    const stored = await pool.query<{ search: string }>("select search::text from recommendations where id = 'KGZ-3-900.7'");
    t.match(stored.rows[0]!.search, new RegExp(`'${'ж'.repeat(1023)}'`), 'the long word cut to 2,046 bytes');

    // A new text: its own words are found, the old ones no more (the trigger empties search, the write fills it).
    await write('PATCH', '/v1/recommendations/KGZ-3-900.1', { text: 'Quuxify the communal registers.' });
    await sameMatches(t, onSqlite, onPostgres, 'recommendations', ['internationally', 'quuxify', 'communal', 'registers']);
    t.same(await matches(onPostgres, 'recommendations', 'quuxify'), ['KGZ-3-900.1']);
    const unfilled = await pool.query('select id from recommendations where search is null union all select id from developments where search is null');
    t.equal(unfilled.rowCount, 0, 'nothing left unfilled after a write');
  });

  t.test('developments: the title and the summary, never a phrase from one into the other', async (t) => {
    const db = new Database(sqlitePath, { readonly: true });
    const [first, second] = db.prepare('select id from developments order by id limit 2').pluck().all() as string[];
    db.close();
    await write('PATCH', `/v1/developments/${first}`, { title: 'Quuxian reform of internationally communal NHRIs', summary: 'Council adopted the women’s protocol.' });
    await write('PATCH', `/v1/developments/${second}`, { title: 'Quuxian NHRIs council', summary: 'A reform of the community.' });
    const queries = ['quuxian', '"quuxian reform"', '"nhris council"', '"reform council"', 'reform council', 'internationally', 'communal', 'the', '"women s protocol"', 'protocol*'];
    t.ok((await sameMatches(t, onSqlite, onPostgres, 'developments', queries)) >= 8);
    t.same(await matches(onPostgres, 'developments', '"nhris council"'), [second], 'a phrase within a title');
    t.same(await matches(onPostgres, 'developments', '"reform council"'), [], 'not from a title into a summary');
    t.equal(developmentSearchVector('A b', 'c'), "'a':1A 'b':2A 'c':4B");
    t.equal(searchVector('Rights, rights!'), "'right':1,2");
  });

  t.test("statements: the copy's summaries and a changed one find the same records", async (t) => {
    const queries = ['Askarov', 'relea*', '"died in custody"', 'election', '"human rights defend*"', 'the'];
    t.equal(await sameMatches(t, onSqlite, onPostgres, 'statements', queries), queries.length, 'each finds something');
    await write('PATCH', '/v1/statements/KGZ-3-IRL-interactive-dialogue', { summary: 'Quuxian reform of the communal NHRIs.' });
    await sameMatches(t, onSqlite, onPostgres, 'statements', [...queries, 'quuxian', 'communities*', '"communal nhri"']);
    t.same(await matches(onPostgres, 'statements', 'quuxian'), ['KGZ-3-IRL-interactive-dialogue']);
    t.equal((await pool.query('select id from statements where search is null')).rowCount, 0, 'nothing left unfilled after a write');
  });

  t.test('a start fills what is not filled, in batches, and finds the same records', async (t) => {
    await pool.query('update recommendations set search = null');
    await pool.query('update developments set search = null');
    await pool.query('update statements set search = null');
    t.equal((await matches(onPostgres, 'recommendations', 'cooperation*')).length, 0, 'unfilled, nothing found');
    const messages: string[] = [];
    const backend = await postgresBackend(url, 2, undefined, 0, { log: { info: (_, message) => messages.push(message) }, batches: { documents: 1000, relate: 2000, search: 400 } });
    t.teardown(() => backend.close());
    const filled = messages.filter((message) => message === 'PostgreSQL: full-text terms filled so far').length;
    t.ok(filled >= 4, `${filled} transactions of at most 400 rows of each table`);
    const app = await buildTestApp(t, { databaseUrl: url });
    await sameMatches(t, onSqlite, app, 'recommendations', ['the', 'internationally', 'жжж*', 'quuxify', 'cooperation*']);
    await sameMatches(t, onSqlite, app, 'developments', ['quuxian', '"reform council"']);
    t.equal((await sameMatches(t, onSqlite, app, 'statements', ['quuxian', 'Askarov'])), 2, 'statements filled');
    // Within a write transaction, more rows than one statement fills.
    await pool.query('update recommendations set search = null');
    const client = await pool.connect();
    t.teardown(() => client.release());
    t.ok((await pgFillSearch(client)) > FILL_SEARCH_ROWS, 'more than one statement’s rows');
  });
}
