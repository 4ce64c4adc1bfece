import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { createApiKey } from '../src/auth/index.js';
import { openDatabase } from '../src/db/open.js';
import { sqliteOnly, tempDir } from './helpers.js';
import { compiledServerArgs, startServer, TS_NODE_ARGS } from './support/server-process.js';
import { copyTemplateDatabase } from './support/template-db.js';

sqliteOnly(t, 'kill -9 of a server on a SQLite file (test/crash-postgres.test.ts is the PostgreSQL one)');

// Kills the real server with SIGKILL while concurrent writes and imports are in flight, several times, and
// checks that every write and import it acknowledged survived whole, that no import is half-written, and that
// the database is intact. CRASH_ROUNDS for more rounds.

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);
const WRITERS = 6;
const RECOMMENDATIONS = ['KGZ-3-FIN-1', 'KGZ-3-ESP-1', 'KGZ-3-USA-3'];
const IMPORTERS = 2;
const IMPORT_ROWS = 50;

interface Acknowledged {
  id: string;
  recommendationIds: string[];
  sourceUrl: string;
}

function developmentBody(round: number, writer: number, n: number) {
  const tag = `r${round}-w${writer}-n${n}`;
  return {
    id: `crash-${tag}`,
    stateUnderReview: 'KGZ',
    reviewId: 'KGZ-3',
    title: `Crash test development ${tag}`,
    summary: `Written by writer ${writer} in round ${round}.`,
    date: '2020-07-25',
    datePrecision: 'day',
    direction: 'neutral',
    themes: [],
    recommendationIds: RECOMMENDATIONS.slice(0, 1 + (n % RECOMMENDATIONS.length)),
    sources: [{ title: `Source ${tag}`, publisher: 'Crash test', url: `https://example.org/crash/${tag}`, publishedOn: null }],
  };
}

/** Our own CSV format: IMPORT_ROWS new recommendations of the stored review KGZ-3, citing one new source. */
function importFile(tag: string): string {
  const rows = Array.from(
    { length: IMPORT_ROWS },
    (_, k) => `crash-${tag}-${k},KGZ-3,KGZ,3,,Recommendation ${k} of import ${tag} (Finland);,FIN,src-${tag},Import ${tag},Crash test,https://example.org/crash/${tag}`,
  );
  return `id,reviewId,stateUnderReview,cycle,paragraph,text,recommendingStates,sources,sourceTitles,sourcePublishers,sourceUrls\r\n${rows.join('\r\n')}\r\n`;
}

t.test(`SIGKILL during concurrent writes and imports loses no acknowledged write (${ROUNDS} rounds)`, async (t) => {
  const path = join(tempDir(t), 'crash.sqlite');
  copyTemplateDatabase(path); // migrated and seeded once for the suite
  const setup = openDatabase(path);
  const { key } = createApiKey(setup, 'crash-test', 'write');
  setup.$client.close();

  const acknowledged: Acknowledged[] = [];
  const importsSent: string[] = [];
  const importsAcknowledged: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // Compiled (a start from the sources costs seconds of CPU), but for the last round: from the sources, on
    // a database a kill left behind, so that what a start after a crash runs is in the coverage too.
    const server = await startServer(path, {}, round < ROUNDS ? await compiledServerArgs() : undefined);
    let stop = false;
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const body = developmentBody(round, w, n);
        try {
          const response = await fetch(`${server.baseUrl}/v1/developments`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          if (response.status === 201) {
            acknowledged.push({ id: body.id, recommendationIds: body.recommendationIds, sourceUrl: body.sources[0]!.url });
          } else if (response.status !== 429 && response.status !== 503) {
            throw new Error(`round ${round}: unexpected ${response.status}: ${await response.text()}`);
          }
        } catch (error) {
          if (stop || server.child.exitCode !== null || server.child.signalCode !== null) return;
          const code = (error as { cause?: { code?: string } }).cause?.code;
          if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'ECONNREFUSED') return;
          throw error;
        }
      }
    };
    const importer = async (i: number) => {
      for (let n = 0; !stop; n++) {
        const tag = `imp-r${round}-i${i}-n${n}`;
        importsSent.push(tag);
        try {
          const response = await fetch(`${server.baseUrl}/v1/imports`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
            body: importFile(tag),
          });
          const report = response.status === 200 ? ((await response.json()) as { recommendations: { created: number } }) : undefined;
          if (report?.recommendations.created === IMPORT_ROWS) importsAcknowledged.push(tag);
          else if (response.status !== 429 && response.status !== 503) {
            throw new Error(`round ${round}: unexpected import answer ${response.status}: ${JSON.stringify(report) ?? (await response.text())}`);
          }
        } catch (error) {
          if (stop || server.child.exitCode !== null || server.child.signalCode !== null) return;
          const code = (error as { cause?: { code?: string } }).cause?.code;
          if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'ECONNREFUSED') return;
          throw error;
        }
      }
    };
    const writers = [...Array.from({ length: WRITERS }, (_, w) => writer(w)), ...Array.from({ length: IMPORTERS }, (_, i) => importer(i))];
    // A random moment once both a write and an import of this round were acknowledged: some requests are
    // mid-transaction when the process dies.
    const under = `r${round}-`;
    const started = Date.now();
    while (!(importsAcknowledged.some((tag) => tag.startsWith(`imp-${under}`)) && acknowledged.some((a) => a.id.startsWith(`crash-${under}`)))) {
      if (Date.now() - started > 600_000) break; // the assertions below then say what was missing
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 700)));
    server.child.kill('SIGKILL');
    const exit = await server.exited;
    stop = true;
    await Promise.allSettled(writers);
    t.equal(exit.signal, 'SIGKILL', `round ${round}: the server was killed`);
    t.ok(acknowledged.some((a) => a.id.startsWith(`crash-r${round}-`)), `round ${round}: writes were acknowledged before the kill`);
    t.ok(importsAcknowledged.some((tag) => tag.startsWith(`imp-r${round}-`)), `round ${round}: imports were acknowledged before the kill`);
  }

  const db = new Database(path);
  t.teardown(() => db.close());
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok', 'integrity_check');
  t.same(db.pragma('foreign_key_check'), [], 'no dangling references');
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'journal_mode = wal');

  const links = db.prepare('select recommendation_id from development_recommendations where development_id = ? order by 1');
  const sources = db.prepare(
    'select s.url from development_sources ds join sources s on s.id = ds.source_id where ds.development_id = ?',
  );
  const exists = db.prepare('select 1 from developments where id = ?');
  const missing = acknowledged.filter((a) => exists.get(a.id) === undefined);
  t.same(missing, [], `all ${acknowledged.length} acknowledged writes are present`);
  const broken = acknowledged.filter(
    (a) =>
      JSON.stringify(links.pluck().all(a.id)) !== JSON.stringify([...a.recommendationIds].sort()) ||
      JSON.stringify(sources.pluck().all(a.id)) !== JSON.stringify([a.sourceUrl]),
  );
  t.same(broken, [], 'every acknowledged development has exactly its links and source');

  const halfWritten = db
    .prepare(`select d.id from developments d where d.id like 'crash-%' and (
        not exists (select 1 from development_sources ds where ds.development_id = d.id)
        or not exists (select 1 from development_recommendations dr where dr.development_id = d.id)
        or not exists (select 1 from audit_log a where a.entity = 'developments' and a.entity_id = d.id))`)
    .pluck()
    .all();
  t.same(halfWritten, [], 'no development without its source, links and audit entry (unacknowledged ones included)');

  const imported = db.prepare(`select count(*) as records,
      count(distinct rs.state_code) as states,
      sum(r.source_id = 'src-' || ?) as sourced,
      sum(exists (select 1 from audit_log a where a.entity = 'recommendations' and a.entity_id = r.id)) as audited
    from recommendations r left join recommendation_states rs on rs.recommendation_id = r.id and rs.state_code = 'FIN'
    where r.id like 'crash-' || ? || '-%'`);
  const whole = { records: IMPORT_ROWS, states: 1, sourced: IMPORT_ROWS, audited: IMPORT_ROWS };
  const lostImports = importsAcknowledged.filter((tag) => JSON.stringify(imported.get(tag, tag)) !== JSON.stringify(whole));
  t.same(lostImports, [], `all ${importsAcknowledged.length} acknowledged imports are present whole (${IMPORT_ROWS} records each)`);
  const halfImported = importsSent.filter((tag) => {
    const found = imported.get(tag, tag) as { records: number };
    return found.records !== 0 && JSON.stringify(found) !== JSON.stringify(whole);
  });
  t.same(halfImported, [], `of ${importsSent.length} imports sent, each is stored whole or not at all`);

  const reopened = openDatabase(path);
  t.teardown(() => reopened.$client.close());
  t.equal(reopened.$client.pragma('synchronous', { simple: true }), 2, 'the service opens it with synchronous = FULL');
});

t.test('a command killed after any commit of its start, which rebuilt what was stale, leaves the revision moved', async (t) => {
  // Relations and documents listed stale, as a migration or another program's writes leave them: the start
  // rebuilds them and bumps the revision (the ETags of what clients cached before). Killed between the
  // rebuild's commit and the bump's, it left nothing listed and the next start served the new data under the
  // old revision.
  const dir = tempDir(t);
  const template = join(dir, 'stale.sqlite');
  copyTemplateDatabase(template);
  const raw = new Database(template);
  raw.exec(`insert into recommendation_relations_stale (recommendation_id) select id from recommendations;
    insert into recommendation_documents_stale (recommendation_id) select id from recommendations;`);
  const revision = (db: Database.Database) => Number(db.prepare("select value from meta where key = 'revision'").pluck().get());
  const before = revision(raw);
  raw.close();
  for (let k = 1; k < 10; k++) {
    const path = join(dir, `killed-${k}.sqlite`);
    copyFileSync(template, path);
    const child = spawnSync(process.execPath, [...TS_NODE_ARGS, '--import', './test/support/kill-after-commit.mjs', 'seed/run.ts'], {
      env: { ...process.env, DATABASE_PATH: path, KILL_AFTER_COMMIT: String(k) },
      encoding: 'utf8',
    });
    const reopened = openDatabase(path);
    const after = revision(reopened.$client);
    const stale = reopened.$client.prepare(
      'select (select count(*) from recommendation_relations_stale) + (select count(*) from recommendation_documents_stale)',
    );
    t.equal(stale.pluck().get(), 0, `killed after commit ${k}: nothing left stale`);
    reopened.$client.close();
    if (child.signal !== 'SIGKILL') {
      t.equal(child.status, 0, `the seed ran to its end after ${k - 1} commits: ${child.stderr}`);
      t.equal(after, before + 1, 'one bump, uninterrupted');
      break;
    }
    t.ok(after > before, `killed after commit ${k}, then started again: the revision moved (${before} → ${after})`);
  }
});
