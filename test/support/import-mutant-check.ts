import type { FastifyInstance } from 'fastify';
import { COPY_TABLES } from '../../src/db/copy/tables.js';
import type { TestSql } from './test-sql.js';

// One mutated import file sent to POST /v1/imports and judged (test/import-mutation-fuzz.test.ts, bench/import-fuzz.ts):
// a 2xx with a report or a 4xx problem that says what is wrong, never a 5xx; nothing stored changed by a 4xx or a
// dry run; a file imported again changes nothing.

export interface ImportPath {
  multipart: boolean;
  dryRun: boolean;
}

const BOUNDARY = '----mutant-c0d8e1f3a9b2';

/** Every table's row count (the keys' aside: a test mints them) and the revision: what an import may change. */
export async function stored(sql: Pick<TestSql, 'all'>): Promise<string> {
  const tables = COPY_TABLES.filter((name) => name !== 'api_keys' && name !== 'idempotency_keys');
  const counts = await sql.all<{ t: string; n: number }>(
    tables.map((name) => `select '${name}' as t, cast(count(*) as integer) as n from "${name}"`).join(' union all '),
  );
  const revision = await sql.all<{ key: string; value: string }>("select key, value from meta where key in ('revision', 'revision_token') order by key");
  // In the tables' order: PostgreSQL may give a union's rows in any order.
  const byTable = new Map(counts.map((row) => [row.t, Number(row.n)]));
  return JSON.stringify({ counts: Object.fromEntries(tables.map((name) => [name, byTable.get(name)])), revision });
}

export async function postImport(app: FastifyInstance, key: string, bytes: Uint8Array, path: ImportPath) {
  const url = `/v1/imports${path.dryRun ? '?dryRun=true' : ''}`;
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  let payload: Buffer;
  if (path.multipart) {
    const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="mutant"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    payload = Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
    headers['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`;
  } else {
    payload = Buffer.from(bytes);
    headers['content-type'] = 'application/octet-stream';
  }
  return app.inject({ method: 'POST', url, headers, payload });
}

/** records: the file's recommendations as the (first) report counts them, created, updated or unchanged. */
export type Verdict = { ok: true; status: number; created?: number; updated?: number; records?: number } | { ok: false; why: string };

/**
 * The mutant sent one way and judged. After a real import that succeeded, it is sent again (raw, real) and must
 * change nothing stored (unless `again` is false: what is judged is how the file is read, not the import).
 */
export async function judgeMutant(
  app: FastifyInstance,
  sql: Pick<TestSql, 'all'>,
  key: string,
  bytes: Uint8Array,
  path: ImportPath,
  { again: importAgain = true } = {},
): Promise<Verdict> {
  const before = await stored(sql);
  const response = await postImport(app, key, bytes, path);
  const after = await stored(sql);
  const { statusCode: status } = response;
  if (status >= 500) return { ok: false, why: `${status}: ${response.body.slice(0, 500)}` };
  if (status >= 400) {
    if (!response.headers['content-type']?.toString().startsWith('application/problem+json')) return { ok: false, why: `${status} as ${response.headers['content-type']}` };
    const problem = response.json() as { status?: number; detail?: string };
    if (problem.status !== status || !problem.detail) return { ok: false, why: `${status} without a detail: ${response.body.slice(0, 300)}` };
    if (after !== before) return { ok: false, why: `${status} "${problem.detail}", yet stored rows changed: ${before} → ${after}` };
    return { ok: true, status };
  }
  const report = response.json() as { recommendations: { created: number; updated: number; unchanged: number } };
  const { created, updated, unchanged } = report.recommendations;
  const records = created + updated + unchanged;
  if (path.dryRun) return after === before ? { ok: true, status, created, updated, records } : { ok: false, why: `a dry run changed stored rows: ${before} → ${after}` };
  if (!importAgain) return { ok: true, status, created, updated, records };
  const again = await postImport(app, key, bytes, { multipart: false, dryRun: false });
  const last = await stored(sql);
  if (again.statusCode !== 200) return { ok: false, why: `imported, then ${again.statusCode} the second time: ${again.body.slice(0, 300)}` };
  const second = (again.json() as typeof report).recommendations;
  if (last !== after || second.created + second.updated > 0) {
    return { ok: false, why: `imported again, it changed things: ${JSON.stringify(second)}, ${after} → ${last}` };
  }
  return { ok: true, status, created, updated, records };
}

/**
 * The work done, and how far the process's RSS rose above its level before it (sampled every 5 ms, the end
 * included): the import thread is the process's, so its memory counts too.
 */
export async function withRssRise<T>(work: () => Promise<T>): Promise<{ result: T; riseMB: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return { result, riseMB: (peak - start) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}
