import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { openDatabase } from '../src/db/open.js';
import { importFile } from '../src/import/run.js';
import { freshenDocuments } from '../src/recommendations/documents.js';
import { RECOMMENDATION_GROUPINGS, DEVELOPMENT_GROUPINGS } from '../src/stats/schemas.js';
import { buildTestApp, tempDir } from './helpers.js';
import { askedAhead } from './support/both-backends.js';
import { run, TERMAN_STYLE_CSV } from './import-helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { sharedDataDir } from './support/shared-data.js';
import { copyGeneratedDatabase } from './support/template-db.js';

// The read resources beyond the recommendations' list on PostgreSQL (issue #12): the same database on SQLite
// and, copied by db:copy's functions, on PostgreSQL answers the same requests with the same bytes and ETags.
// Two databases: a generated one (every kind of record, in numbers) and the seed with real imports.

t.setTimeout(600_000);
const cluster = await startCluster(t);

/** The seed, with a Terman-style CSV and (where the shared data is) the Slovenia matrix imported. */
async function importedDatabase(t: Test): Promise<string> {
  const path = join(tempDir(t), 'imported.sqlite');
  const db = openDatabase(path);
  const csv = TERMAN_STYLE_CSV;
  t.ok((await run(db, csv)).recommendations.created > 0, 'the CSV import created records');
  const data = sharedDataDir();
  if (data !== undefined) {
    const matrix = join(data, 'ohchr-thematic-list/slovenia_upr34_thematic_list.docx');
    const report = await importFile(db, { name: matrix, chunks: () => createReadStream(matrix) }, { actor: 'test' });
    t.equal(report.recommendations.created, 215, 'the Slovenia matrix imported');
  }
  // The stored documents PostgreSQL serves are made current on SQLite first (as the README says to).
  freshenDocuments(db);
  db.$client.close();
  return path;
}

/** Values of the data to filter by: the most frequent of each, so that the requests match something. */
function sample(path: string) {
  const sqlite = new Database(path, { readonly: true });
  const first = (query: string) => sqlite.prepare(query).pluck().get() as string | number;
  const all = (query: string) => sqlite.prepare(query).pluck().all() as string[];
  try {
    return {
      theme: first('select theme_id from recommendation_themes group by 1 order by count(*) desc, 1 limit 1'),
      developmentTheme: first('select theme_id from development_themes group by 1 order by count(*) desc, 1 limit 1') ?? 'none',
      recommender: first('select state_code from recommendation_states group by 1 order by count(*) desc, 1 limit 1'),
      state: first('select state_code from reviews group by 1 order by count(*) desc, 1 limit 1'),
      review: first('select review_id from recommendations group by 1 order by count(*) desc, 1 limit 1'),
      reviews: all('select id from reviews order by id'),
      sources: all('select id from sources order by id'),
      states: all('select code from states order by code'),
      related: all('select recommendation_id from recommendation_relations group by 1 order by count(*) desc, 1 limit 5'),
      publisher: first('select publisher from sources group by 1 order by count(*) desc, 1 limit 1'),
    };
  } finally {
    sqlite.close();
  }
}

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;

  /** Each path asked of both (the next ones asked meanwhile): the same status, body, ETag, content type and Link. */
  async function compare(t: Test, sqlite: FastifyInstance, postgres: FastifyInstance, paths: string[]): Promise<number> {
    let nonEmpty = 0;
    for await (const [path, [a, b]] of askedAhead(paths, (path) => Promise.all([sqlite.inject(path), postgres.inject(path)]))) {
      t.equal(b.statusCode, a.statusCode, `${path}: status`);
      t.equal(b.body, a.body, `${path}: body`);
      t.equal(b.headers.etag, a.headers.etag, `${path}: ETag`);
      t.equal(b.headers['content-type'], a.headers['content-type'], `${path}: content type`);
      t.equal(b.headers.link, a.headers.link, `${path}: Link`);
      if (a.statusCode === 200 && !/"data":\[\]/.test(a.body)) nonEmpty += 1;
    }
    return nonEmpty;
  }

  function statsPaths(s: ReturnType<typeof sample>): string[] {
    const recommendationFilters = [
      '',
      `stateUnderReview=${s.state}`,
      `recommendingState=${s.recommender}`,
      'regionalGroup=WEOG',
      'cycle=1,3',
      `reviewId=${s.review}`,
      'position=supported,unknown',
      `theme=${s.theme}`,
      `theme=${s.theme}&labelSource=curated,machine`,
      'implementation=implemented,unknown',
      'actionCategory=unknown',
      'recurring=false',
      'hasDevelopments=true',
      'q=rights',
      'q=torture&position=noted',
    ];
    const paths: string[] = [];
    for (const g of RECOMMENDATION_GROUPINGS) {
      for (const filter of recommendationFilters) paths.push(`/v1/stats/recommendations?groupBy=${g}${filter && `&${filter}`}`);
    }
    for (const [a, b] of [
      ['position', 'recommendingState'],
      ['theme', 'cycle'],
      ['stateUnderReview', 'implementation'],
      ['regionalGroup', 'sdg'],
      ['recurring', 'actionCategory'],
    ]) {
      for (const filter of ['', 'cycle=2', 'q=rights', `theme=${s.theme}&labelSource=curated`]) {
        paths.push(`/v1/stats/recommendations?groupBy=${a},${b}${filter && `&${filter}`}`);
      }
    }
    paths.push('/v1/stats/recommendations?groupBy=theme&format=csv', '/v1/stats/recommendations?groupBy=position,sdg&format=csv&bom=true');
    paths.push('/v1/stats/recommendations?groupBy=nothing', '/v1/stats/recommendations?groupBy=position&q=a%20b%20c%20d%20e%20f%20g%20h%20i');
    const developmentFilters = ['', `stateUnderReview=${s.state}`, 'direction=progress', `theme=${s.developmentTheme}`, 'from=2015-01-01&to=2020-06-30', 'q=law', `reviewId=${s.review}`];
    for (const g of DEVELOPMENT_GROUPINGS) {
      for (const filter of developmentFilters) paths.push(`/v1/stats/developments?groupBy=${g}${filter && `&${filter}`}`);
    }
    paths.push('/v1/stats/developments?groupBy=direction,year', '/v1/stats/developments?groupBy=theme,stateUnderReview&format=csv');
    paths.push('/v1/stats/developments?groupBy=year&from=2020-01-01&to=2019-01-01');
    for (const review of s.reviews) paths.push(`/v1/reviews/${review}/summary`, `/v1/reviews/${review}/summary?top=2`);
    paths.push('/v1/reviews/NOPE-1/summary');
    return paths;
  }

  /** A list's pages walked with their cursors, its exports whole and limited, and each record (and none). */
  function resourcePaths(resource: string, filters: string[], ids: string[], sorts: string[] = ['']): string[] {
    const paths: string[] = [];
    for (const filter of filters) {
      for (const sort of sorts) {
        const query = [filter, sort].filter(Boolean).join('&');
        const sep = query === '' ? '' : '&';
        paths.push(`/v1/${resource}?${query}`, `/v1/${resource}?${query}${sep}limit=2`);
        for (const format of ['csv', 'ndjson']) paths.push(`/v1/${resource}?${query}${sep}format=${format}`, `/v1/${resource}?${query}${sep}format=${format}&limit=3`);
      }
    }
    paths.push(`/v1/${resource}?format=csv&bom=true`, `/v1/${resource}?cursor=nonsense`);
    for (const id of ids) paths.push(`/v1/${resource}/${encodeURIComponent(id)}`);
    paths.push(`/v1/${resource}/NOPE-1`);
    return paths;
  }

  /** Every page of a list, by its cursors: the same on both. */
  async function walkBoth(t: Test, sqlite: FastifyInstance, postgres: FastifyInstance, first: string): Promise<number> {
    let pages = 0;
    for (let path: string | null = first; path !== null; pages++) {
      const [a, b]: LightMyRequestResponse[] = await Promise.all([sqlite.inject(path), postgres.inject(path)]);
      t.equal(b!.body, a!.body, `${path}: the same page`);
      const next = a!.json().meta.nextCursor as string | null;
      path = next === null ? null : `${first}&cursor=${next}`;
    }
    return pages;
  }

  for (const [name, make] of [
    ['generated', async (t: Test) => {
      const path = join(tempDir(t), 'generated.sqlite');
      copyGeneratedDatabase(path, 1500);
      return path;
    }],
    ['imported', importedDatabase],
  ] as const) {
    t.test(`the ${name} database: the same answers on both backends`, async (t) => {
      const sqlitePath = await make(t);
      const url = await copiedDatabase(clusterUrl, sqlitePath);
      const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
      const onPostgres = await buildTestApp(t, { databaseUrl: url });
      const s = sample(sqlitePath);

      t.test('stats: every grouping and pair, under filters, as JSON and CSV; review summaries', async (t) => {
        const paths = statsPaths(s);
        const nonEmpty = await compare(t, onSqlite, onPostgres, paths);
        t.ok(nonEmpty > paths.length / 2, `most stats requests count something (${nonEmpty} of ${paths.length})`);
      });

      t.test('sources: lists, filters, sorts, cursors, exports and each source with what cites it', async (t) => {
        const filters = ['', `publisher=${encodeURIComponent(String(s.publisher))}`, 'q=report', 'q=HRC', 'q=%C3%A9'];
        await compare(t, onSqlite, onPostgres, resourcePaths('sources', filters, s.sources, ['', 'sort=-id']));
        t.ok((await walkBoth(t, onSqlite, onPostgres, '/v1/sources?limit=3')) > 1, 'more than one page');
      });

      t.test('reviews: lists, filters, cursors, exports and each review with its counts', async (t) => {
        const filters = ['', `stateUnderReview=${s.state}`, 'cycle=1,3', 'session=8'];
        await compare(t, onSqlite, onPostgres, resourcePaths('reviews', filters, s.reviews));
        t.ok((await walkBoth(t, onSqlite, onPostgres, '/v1/reviews?limit=1')) > 1, 'more than one page');
      });

      t.test('states: lists, filters, cursors, exports and each state with its counts', async (t) => {
        const filters = ['', 'regionalGroup=WEOG,GRULAC', 'unMember=true', 'unMember=false', 'name=Kyrgyzstan', 'name=kirgiziya'];
        await compare(t, onSqlite, onPostgres, [...resourcePaths('states', filters, s.states), '/v1/states/XYZ', '/v1/states/kgz']);
        t.ok((await walkBoth(t, onSqlite, onPostgres, '/v1/states?limit=50')) > 1, 'more than one page');
      });

      t.test('related recommendations: by score, each relation, limited; none for an unknown id', async (t) => {
        const paths = s.related.flatMap((id) => ['', '?relation=earlier', '?relation=same-cycle,later&limit=2'].map((q) => `/v1/recommendations/${id}/related${q}`));
        paths.push('/v1/recommendations/NOPE-1/related', '/v1/recommendations/NOPE-1/related?relation=nonsense');
        t.ok((await compare(t, onSqlite, onPostgres, paths)) > 0, 'some records have related ones');
      });

      t.test('themes (by scheme), affected persons and SDGs, with their counts', async (t) => {
        const paths = ['/v1/themes', '/v1/themes?scheme=uhri', '/v1/themes?scheme=local,upr-info', '/v1/themes?scheme=none', '/v1/affected-persons', '/v1/sdgs', '/v1/sdgs?x=1'];
        t.ok((await compare(t, onSqlite, onPostgres, paths)) >= 4, 'the vocabularies are there');
      });
    });
  }
}
