import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import type { Db } from '../src/db/open.js';
import pg from 'pg';
import { createApiKey, newKeyId, newKeySecret } from '../src/auth/keys.js';
import { copyDatabase } from '../src/db/copy/copy.js';
import { refreshStaleRelations } from '../src/related/refresh.js';
import { strippedDifferently } from '../src/related/state-name-changes.js';
import { StateNames, stateNamesOf } from '../src/related/state-names.js';

// What a change of the states' spellings costs (src/related/state-name-changes.ts), on a copy of a SQLite
// database with an import in it: `node --import tsx bench/state-name-change.ts <file.sqlite>` (with
// `--postgres <url>`: copied into that empty PostgreSQL database, the PATCHes alone). Times a
// PATCH of a state that keeps the keys, one adding a key no text prints, one dropping and one adding back an
// alias printed at the end of texts ("Turkey"), the scan alone, the same drop and addition with every
// recommendation listed stale instead (mechanism (a)), and a recomputation of every state that changes nothing.

const [file, flag, url] = process.argv.slice(2);
if (file === undefined || (flag !== undefined && (flag !== '--postgres' || url === undefined))) {
  throw new Error('usage: bench/state-name-change.ts <file.sqlite> [--postgres <url of an empty database>]');
}
const dir = mkdtempSync(join(tmpdir(), 'upr-bench-names-'));
const ms = (started: number) => Math.round(performance.now() - started);

async function analyze(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('analyze');
  await client.end();
}

/** An admin key stored in the PostgreSQL database. */
async function pgAdminKey(url: string): Promise<string> {
  const id = newKeyId();
  const { key, hash } = newKeySecret(id);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('insert into api_keys (id, name, scope, hash, created_at) values ($1, $2, $3, $4, $5)', [id, 'bench', 'admin', hash, new Date().toISOString()]);
  await client.end();
  return key;
}
try {
  const path = join(dir, 'copy.sqlite');
  copyFileSync(file, path);
  if (url !== undefined) {
    await copyDatabase({ kind: 'sqlite', path }, { kind: 'postgres', url });
    await analyze(url); // as autovacuum would have (the tests' --fast cluster runs none)
  }
  const app = await buildApp({
    databasePath: path,
    databaseUrl: url,
    logLevel: 'silent',
    rateLimitMax: 1e6,
    rateLimitKeyMax: 1e6,
    maxEventLoopDelayMs: 0,
  });
  const key = url === undefined ? createApiKey(app.db, 'bench', 'admin').key : await pgAdminKey(url);
  const patch = async (what: string, code: string, body: unknown) => {
    const started = performance.now();
    const response = await app.inject({
      method: 'PATCH',
      url: `/v1/states/${code}`,
      headers: { authorization: `Bearer ${key}`, 'if-match': '*', 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    if (response.statusCode !== 200) throw new Error(response.body);
    console.log(`${what}: ${ms(started)} ms`);
  };
  const aliases = async (code: string) => (JSON.parse((await app.inject({ url: `/v1/states/${code}` })).body) as { aliases: string[] }).aliases;
  console.log(file, url === undefined ? 'SQLite' : 'PostgreSQL');
  const nor = await aliases('NOR');
  const tur = await aliases('TUR');
  await patch('PATCH NOR regionalGroup (keys kept)', 'NOR', { regionalGroup: 'WEOG' });
  await patch('PATCH NOR aliases given again (keys kept)', 'NOR', { aliases: nor });
  await patch('PATCH NOR + an alias no text prints', 'NOR', { aliases: [...nor, 'Kingdom of Lighthouses'] });
  await patch('PATCH TUR without "Turkey"', 'TUR', { aliases: tur.filter((a) => a !== 'Turkey') });
  await patch('PATCH TUR with "Turkey" again', 'TUR', { aliases: tur });
  if (url === undefined) sqliteOnly(app.db);
  await app.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** The scan alone, and the same changes with every recommendation listed stale (mechanism (a)). */
function sqliteOnly(db: Db): void {
  const names = stateNamesOf(db);
  const without = new StateNames(names.list().filter((k) => k !== 'turkey'));
  let started = performance.now();
  const rows = db.$client.prepare("select id, text from recommendations where instr(text, ')') > 0").raw().all() as [string, string][];
  const read = ms(started);
  started = performance.now();
  const changed = strippedDifferently(rows, names, without);
  console.log(`scan: ${rows.length} texts read in ${read} ms, compared in ${ms(started)} ms: ${changed.length} strip differently without "turkey"`);

  // Mechanism (a): every recommendation listed stale at a change of keys, here the drop of "Turkey" again.
  const everything = (what: string, change: string) => {
    const started = performance.now();
    const counts = db.transaction(() => {
      db.$client.exec(change);
      db.$client.exec('insert or ignore into recommendation_relations_stale (recommendation_id) select id from recommendations');
      return refreshStaleRelations(db);
    });
    console.log(`${what}, every recommendation recomputed: ${ms(started)} ms`, JSON.stringify(counts));
  };
  everything('"Turkey" dropped', "delete from state_aliases where key = 'turkey'");
  everything('"Turkey" added', "insert into state_aliases (key, alias, state_code) values ('turkey', 'Turkey', 'TUR')");

  started = performance.now();
  const all = db.transaction(() => {
    db.$client.exec('insert or ignore into recommendation_relations_stale (recommendation_id) select id from recommendations');
    return refreshStaleRelations(db);
  });
  console.log(`every recommendation stale, recomputed: ${ms(started)} ms`, JSON.stringify(all));
}
