import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import t, { type Test } from 'tap';
import { createApiKey } from '../src/auth/keys.js';
import { pgCreateApiKey } from '../src/auth/pg-keys.js';
import { runImportCli } from '../src/import/cli.js';
import { pgImportFile } from '../src/import/pg-import.js';
import type { ImportOptions } from '../src/import/types.js';
import { buildTestApp, tempDir } from './helpers.js';
import { bytesSource, entryRow, HEADER_ROW, matrixDocx, RECONCILE_TERMAN, RECONCILE_UPR_INFO, run, TANZANIA_TERMAN, TANZANIA_UPR_INFO, TERMAN_STYLE_CSV } from './import-helpers.js';
import { copiedDatabase, startCluster } from './support/postgres.js';
import { alignInstants, sameTables } from './support/same-tables.js';
import { freePort } from './support/server-process.js';
import { sharedDataDir } from './support/shared-data.js';
import { copyTemplateDatabase } from './support/template-db.js';

// Imports on PostgreSQL (issue #12, src/import/pg-import.ts): the same files imported into the SQLite and the
// PostgreSQL app give the same answers (reports, refusals) and leave every table the same (documents, CSV
// lines, relations, machine labels, audit log and revision included), but for the instants each stamped — the
// PostgreSQL app importing in its import thread.

t.setTimeout(900_000);
const cluster = await startCluster(t);

if ('skip' in cluster) {
  t.plan(0, cluster.skip);
} else {
  const clusterUrl = cluster.url;
  /** A SQLite database and its copy in PostgreSQL. */
  async function pair(t: Test) {
    const sqlitePath = join(tempDir(t), 'seeded.sqlite');
    copyTemplateDatabase(sqlitePath);
    return { sqlitePath, url: await copiedDatabase(clusterUrl, sqlitePath) };
  }

  t.test('POST /v1/imports: the same answers and tables on both backends', async (t) => {
    const { sqlitePath, url } = await pair(t);
    const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
    // Every file imported in the import thread on PostgreSQL (src/import/import-thread.ts), in the request's on SQLite.
    const onPostgres = await buildTestApp(t, { databaseUrl: url, importThreadMinBytes: 0 });
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    t.teardown(() => pool.end());
    const sqliteDb = onSqlite.db;
    const keys = {
      sqlite: { admin: createApiKey(sqliteDb, 'importer', 'admin').key, write: createApiKey(sqliteDb, 'curator', 'write').key },
      postgres: {
        admin: (await pgCreateApiKey(pool, 'importer', 'admin')).key,
        write: (await pgCreateApiKey(pool, 'curator', 'write')).key,
      },
    };

    async function both(t: Test, what: string, file: Uint8Array, contentType: string, query = '', scope: 'admin' | 'write' = 'admin') {
      const post = (app: FastifyInstance, key: string) =>
        app.inject({
          method: 'POST',
          url: `/v1/imports${query}`,
          payload: Buffer.from(file),
          headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
        });
      const a = await post(onSqlite, keys.sqlite[scope]);
      const b = await post(onPostgres, keys.postgres[scope]);
      t.equal(b.statusCode, a.statusCode, `${what}: status ${a.statusCode}`);
      t.equal(alignInstants(a.body, b.body), a.body, `${what}: the same answer`);
      return a;
    }

    const revisionOf = async () => (await onPostgres.inject('/v1/changes?limit=1')).json().meta.revision as number;
    const start = await revisionOf();
    const dry = await both(t, 'a dry run', TERMAN_STYLE_CSV, 'text/csv', '?dryRun=true');
    t.equal(dry.statusCode, 200);
    t.equal(await revisionOf(), start, 'a dry run writes nothing');
    const refused = await both(t, 'a review to create with a write key', TERMAN_STYLE_CSV, 'text/csv', '', 'write');
    t.equal(refused.statusCode, 403);
    t.equal((await both(t, 'not a file of any format', new TextEncoder().encode('a,b\n1,2\n'), 'text/csv')).statusCode, 422);
    t.equal(await revisionOf(), start, 'nothing written by a refused import');

    const first = await both(t, 'a Terman CSV', TERMAN_STYLE_CSV, 'text/csv');
    t.equal(first.statusCode, 200);
    t.ok(first.json().recommendations.created > 0, 'records created');
    t.equal(await revisionOf(), start + 1, 'one revision');
    t.equal((await both(t, 'the same file again', TERMAN_STYLE_CSV, 'text/csv')).json().recommendations.unchanged, first.json().recommendations.created);
    const docx = await matrixDocx([
      HEADER_ROW,
      entryRow({ text: '121.1 Ratify the Optional Protocol to the Convention against Torture (France);', tags: ['- Right to education', '- A brand new theme'] }),
      entryRow({ text: '121.2 Protect human rights defenders and journalists (Norway);', position: 'Noted' }),
    ]);
    const matrix = await both(t, 'an OHCHR matrix', docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    t.equal(matrix.statusCode, 200);
    await sameTables(t, sqlitePath, url);

    const data = sharedDataDir();
    if (data === undefined) return;
    const kyrgyzstan = await both(t, "Kyrgyzstan's 2010 rows", readFileSync(join(data, 'terman-upr-2008-2014', '2010data.csv')), 'text/csv', '?review=KGZ-1');
    const { created, updated, unchanged } = kyrgyzstan.json().recommendations;
    t.equal(created + updated + unchanged, 168, "Kyrgyzstan's 168 paragraphs");
    // Reconciled with UPR Info's coding: six of its texts split by recommending state, on both backends alike.
    const uprInfo = readFileSync(join(data, 'upr-info-2008-2013', 'uprinfo_sessions_6-9.csv'));
    const reconciled = (await both(t, "UPR Info's Kyrgyzstan 2010", uprInfo, 'text/csv', '?review=KGZ-1')).json();
    t.same(reconciled.reconciliation, { matched: 168, ambiguous: 0 });
    t.equal(reconciled.warnings.filter((w: { message: string }) => w.message.includes('split by recommending state')).length, 6);
    const slovenia = readFileSync(join(data, 'ohchr-thematic-list', 'slovenia_upr34_thematic_list.docx'));
    t.equal((await both(t, "Slovenia's matrix", slovenia, 'application/octet-stream')).statusCode, 200);
    await sameTables(t, sqlitePath, url);
  });

  t.test("a split by paragraph: the same reports, histories and change feed on both backends, either order", async (t) => {
    const orders = [
      [RECONCILE_TERMAN, RECONCILE_UPR_INFO],
      [RECONCILE_UPR_INFO, RECONCILE_TERMAN],
      // A state of UPR Info's text with no paragraph of it, left out.
      [TANZANIA_TERMAN, TANZANIA_UPR_INFO],
      [TANZANIA_UPR_INFO, TANZANIA_TERMAN],
    ];
    for (const order of orders) {
      const { sqlitePath, url } = await pair(t);
      const onSqlite = await buildTestApp(t, { databasePath: sqlitePath });
      const onPostgres = await buildTestApp(t, { databaseUrl: url });
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      t.teardown(() => pool.end());
      const importBoth = async (file: string | Uint8Array) => {
        const a = JSON.stringify(await run(onSqlite.db, file));
        const b = JSON.stringify(await pgImportFile({ pool }, bytesSource(file), { actor: 'test' }));
        t.equal(alignInstants(a, b), a, 'the same report');
      };
      /** Every page of the change feed, as answered. */
      const feed = async (app: FastifyInstance) => {
        const pages: string[] = [];
        let since = '';
        for (let more = true; more; ) {
          const page = await app.inject(`/v1/changes?limit=500${since}`);
          pages.push(page.body);
          more = page.json().meta.hasMore;
          since = `&since=${page.json().meta.nextCursor}`;
        }
        return pages.join('\n');
      };
      for (const file of order) await importBoth(file);
      const changes = await feed(onSqlite);
      t.equal(alignInstants(changes, await feed(onPostgres)), changes, 'the same change feed');
      const split = [...new Set(changes.split('\n').flatMap((page) => JSON.parse(page).data.filter((c: { reason?: unknown }) => c.reason).map((c: { id: string }) => c.id)))];
      t.equal(split.length, 2, `both parts say why: ${split.join(', ')}`);
      for (const id of split) {
        const history = (await onSqlite.inject(`/v1/recommendations/${id}/history`)).body;
        t.equal(alignInstants(history, (await onPostgres.inject(`/v1/recommendations/${id}/history`)).body), history, `${id}: the same history`);
      }
      for (const file of order) await importBoth(file);
      t.equal(await feed(onSqlite), changes, 're-importing either file adds nothing');
      await sameTables(t, sqlitePath, url);
    }
  });

  t.test('a dry run takes no write lock: writes, imports and dry runs go on meanwhile; it reads one snapshot', async (t) => {
    const { url } = await pair(t);
    // A writer waits 200 ms for the write lock, then is answered 503 (DATABASE_BUSY_TIMEOUT_MS).
    const app = await buildTestApp(t, { databaseUrl: url, databaseBusyTimeoutMs: 200 });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    t.teardown(() => pool.end());
    const key = (await pgCreateApiKey(pool, 'importer', 'admin')).key;
    const patch = (text: string) =>
      app.inject({
        method: 'PATCH',
        url: '/v1/recommendations/KGZ-3-FIN-1',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'if-match': '*' },
        payload: JSON.stringify({ text }),
      });
    const importOverHttp = (query: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/imports${query}`,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
        payload: Buffer.from(TERMAN_STYLE_CSV),
      });
    const revision = async () => (await app.inject('/v1/changes?limit=1')).json().meta.revision as number;
    /** An import held open in its transaction (holding the write lock if it takes it), once the file is read. */
    const held = (options: Partial<ImportOptions>) => {
      let reached!: () => void;
      let release!: () => void;
      const atPause = new Promise<void>((resolve) => (reached = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      const pause = async (at: 'read' | 'applied') => {
        if (at !== 'read') return;
        reached();
        await gate;
      };
      const done = pgImportFile({ pool, pause }, bytesSource(TERMAN_STYLE_CSV), { actor: 'test', ...options });
      done.catch(() => reached()); // a failure before the pause is the assertions' to see
      return { atPause, release, done };
    };

    const expected = (await importOverHttp('?dryRun=true')).json();
    t.ok(expected.recommendations.created > 0, 'the file creates records');
    const start = await revision();
    const dry = held({ dryRun: true });
    await dry.atPause;
    const during = await patch('Release Azimjon Askarov (during a dry run)');
    t.equal(during.statusCode, 200, `a write during a dry run: ${during.statusCode === 200 ? '200' : during.body}`);
    const otherDry = await importOverHttp('?dryRun=true');
    t.equal(otherDry.statusCode, 200, 'another dry run meanwhile');
    t.same(otherDry.json().recommendations, expected.recommendations, "the other dry run's report");
    const imported = await importOverHttp('');
    t.equal(imported.statusCode, 200, `the import itself meanwhile: ${imported.statusCode === 200 ? '200' : imported.body}`);
    t.same(imported.json().recommendations, expected.recommendations, 'the import did what the dry runs said');
    dry.release();
    const report = await dry.done;
    t.equal(report.dryRun, true);
    // It read the vocabularies before the import committed and the records after: all from one snapshot.
    t.same(report.recommendations, expected.recommendations, 'the held dry run: the database as it was when it began');
    const after = (await importOverHttp('?dryRun=true')).json().recommendations;
    t.equal(after.unchanged, expected.recommendations.created, 'a dry run now: the records are there');
    t.equal(await revision(), start + 2, 'the write and the import committed; the dry runs wrote nothing');

    // An import that writes holds the write lock from its start to its commit: writers wait for it.
    const real = held({});
    await real.atPause;
    const blocked = await patch('Release Azimjon Askarov (during an import)');
    t.equal(blocked.statusCode, 503, 'a write during an import waits 200 ms, then 503');
    t.match(blocked.json().detail, /The database is busy with another write/);
    t.ok(blocked.headers['retry-after'], 'with Retry-After');
    const threaded = await buildTestApp(t, { databaseUrl: url, databaseBusyTimeoutMs: 200, importThreadMinBytes: 0 });
    const waited = await threaded.inject({
      method: 'POST',
      url: '/v1/imports',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
      payload: Buffer.from(TERMAN_STYLE_CSV),
    });
    t.equal(waited.statusCode, 503, 'an import in the import thread during an import waits 200 ms too, then 503');
    t.match(waited.json().detail, /The database is busy with another write/);
    t.ok(waited.headers['retry-after'], 'with Retry-After');
    real.release();
    t.equal((await real.done).recommendations.unchanged, expected.recommendations.created, 'the import again: nothing new');
    t.equal(await revision(), start + 2, 'an import that changes nothing adds no revision');
  });

  t.test('npm run import with DATABASE_URL: the same report and tables as with DATABASE_PATH', async (t) => {
    const { sqlitePath, url } = await pair(t);
    const file = join(tempDir(t), 'terman.csv');
    writeFileSync(file, TERMAN_STYLE_CSV);
    const cli = async (env: Record<string, string>, ...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runImportCli([file, '--json', ...args], env, { out: (s) => out.push(s), err: (s) => err.push(s) });
      return { code, out: out.join(''), err: err.join('') };
    };
    const onSqlite = await cli({ DATABASE_PATH: sqlitePath });
    t.equal(onSqlite.code, 0, onSqlite.err);
    const onPostgres = await cli({ DATABASE_URL: url, DATABASE_PATH: join(tempDir(t), 'unused.sqlite') });
    t.equal(onPostgres.code, 0, onPostgres.err);
    t.equal(alignInstants(onSqlite.out, onPostgres.out), onSqlite.out, 'the same report');
    await sameTables(t, sqlitePath, url);

    const bad = await cli({ DATABASE_URL: url }, '--format', 'upr-info');
    t.equal(bad.code, 1);
    t.match(bad.err, /was not imported \(nothing written\)/);

    const port = await freePort();
    const unreachable = await cli({ DATABASE_URL: `postgres://someone:secret@127.0.0.1:${port}/nowhere` });
    t.equal(unreachable.code, 1);
    t.match(unreachable.err, /nothing written\): cannot open the PostgreSQL database postgres:\/\/someone:\*\*\*@127\.0\.0\.1/);
    t.notOk(unreachable.err.includes('secret'), 'the password is never printed');
  });
}
