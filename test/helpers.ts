import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Test } from 'tap';
import { buildApp } from '../src/app.js';
import type { AppConfig } from '../src/config.js';
import { MIGRATIONS_FOLDER } from '../src/db/open.js';
import { copyTemplateDatabase } from './support/template-db.js';

/** The backend the suite runs on: SQLite unless TEST_BACKEND=postgres (npm run test:postgres). */
export function testBackend(): 'sqlite' | 'postgres' {
  return process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * Says that `t` (a test file's root test, or one test) checks SQLite-specific behaviour, and skips it with
 * `reason` when the suite runs on PostgreSQL: a file ends there; a test gets `true` and must return.
 */
export function sqliteOnly(t: Test, reason: string, backend = testBackend()): boolean {
  if (backend === 'sqlite') return false;
  t.plan(0, `SQLite only: ${reason}`);
  if (t.parent === undefined) process.exit(0);
  return true;
}

/**
 * What a test reaches beside an app on PostgreSQL (TEST_BACKEND=postgres): a connection to its database, and
 * the writes made through it (keys minted by test/curation-helpers.ts) that its next request waits for.
 */
export interface PostgresSide {
  pool: pg.Pool;
  pending: Promise<unknown>;
}
const postgresSides = new WeakMap<FastifyInstance, PostgresSide>();

/** The PostgreSQL side of a test app; undefined for an app on SQLite. */
export function postgresSide(app: FastifyInstance): PostgresSide | undefined {
  return postgresSides.get(app);
}

/** `promise`, or a rejection saying what still hangs after `ms` (a guard against hanging, not a timing assertion). */
export function unlessHanging<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let guard: NodeJS.Timeout | undefined;
  const hanging = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, hanging]).finally(() => clearTimeout(guard));
}

/** A temporary directory removed when the test ends. */
export function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'upr-tracker-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The date a SQLite migration is recorded with (its journal's `when`): a test that takes a database back to
 * before a migration forgets the migrations from that one on, whichever came after it.
 */
/**
 * SQL that takes a SQLite database back to before the migrations that cannot run twice (they add a column):
 * migrations/0026_statements_full_text.sql and 0028_sources_published_on_precision.sql (its triggers go with it:
 * SQLite drops no column a trigger reads; the migration makes them again).
 */
export const UNDO_UNREPEATABLE_MIGRATIONS = `drop trigger statements_fts_insert; drop trigger statements_fts_delete;
  drop trigger statements_fts_update; drop table statements_fts; drop index statements_fts_rowid_idx;
  alter table statements drop column fts_rowid;
  drop trigger sources_check_insert; drop trigger sources_check_update; alter table sources drop column published_on_precision;`;

export function migrationDate(tag: string): number {
  const { entries } = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  return entries.find((e) => e.tag === tag)!.when;
}

// Loaded at the first app on PostgreSQL, once: an import() asks the module loader (and its hooks) again each time.
let postgresSupport: Promise<typeof import('./support/postgres.js')> | undefined;
let pgModule: Promise<typeof import('pg')> | undefined;

/**
 * The app on a fresh database file (migrated and seeded, as on a first start: a copy of a prepared
 * template unless `overrides` name a database file), closed when the test ends. With TEST_BACKEND=postgres
 * (and no database named in `overrides`) on a fresh PostgreSQL database instead, made from a template holding
 * the same rows (test/support/postgres.ts), or the one `postgresDatabase` makes in the cluster.
 * Rate limits and the connections per address are out of reach and load shedding is off unless `overrides` set
 * them: tests send many requests from one address, and a busy test machine must not make them fail with 503. Every response is
 * checked against its route's zod schema.
 */
export async function buildTestApp(
  t: Test,
  overrides: Partial<AppConfig> = {},
  postgresDatabase?: (clusterUrl: string) => Promise<string>,
): Promise<FastifyInstance> {
  let databasePath = overrides.databasePath;
  const onPostgres = testBackend() === 'postgres' && databasePath === undefined && overrides.databaseUrl === undefined;
  if (onPostgres) {
    // Imported here: SQLite runs need not load pg.
    const { seededDatabase, startCluster } = await (postgresSupport ??= import('./support/postgres.js'));
    const cluster = await startCluster(t);
    if ('skip' in cluster) throw new Error(`TEST_BACKEND=postgres: ${cluster.skip}`);
    overrides = { ...overrides, databaseUrl: await (postgresDatabase ?? seededDatabase)(cluster.url) };
  }
  if (databasePath === undefined) {
    databasePath = join(tempDir(t), 'test.sqlite');
    if (!onPostgres) copyTemplateDatabase(databasePath);
  }
  const app = await buildApp({
    logLevel: 'silent',
    rateLimitMax: 1_000_000,
    rateLimitKeyMax: 1_000_000,
    rateLimitExportMax: 1_000_000,
    maxConnectionsPerAddress: 1_000_000,
    maxEventLoopDelayMs: 0,
    checkResponses: true,
    ...overrides,
    databasePath,
  });
  t.teardown(() => app.close());
  if (onPostgres) {
    const { Pool } = (await (pgModule ??= import('pg'))).default;
    const side: PostgresSide = { pool: new Pool({ connectionString: overrides.databaseUrl, max: 1 }), pending: Promise.resolve() };
    postgresSides.set(app, side);
    t.teardown(() => side.pool.end());
    // A request waits for the writes a test made beside it (a key minted synchronously, stored asynchronously).
    const inject = app.inject.bind(app) as (...args: unknown[]) => unknown;
    app.inject = ((...args: unknown[]) =>
      args.length === 0 ? inject() : side.pending.then(() => inject(...args))) as typeof app.inject;
  }
  return app;
}

/** GET a path and parse its JSON body. */
export async function getJson<T = any>(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { response, body: response.json() as T };
}

/** Every path and query parameter of every operation in the app's OpenAPI document: its method, path and parameter. */
export async function documentedParameters(app: FastifyInstance): Promise<{ method: 'GET'; path: string; parameter: { in: 'path' | 'query'; name: string } }[]> {
  type Parameter = { in: string; name: string };
  await app.ready();
  const paths = (app.swagger() as { paths: Record<string, Record<string, { parameters?: Parameter[] }>> }).paths;
  return Object.entries(paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) =>
      (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'query' || parameter.in === 'path')
        .map((parameter) => ({ method: method.toUpperCase() as 'GET', path, parameter: parameter as { in: 'path' | 'query'; name: string } })),
    ),
  );
}
