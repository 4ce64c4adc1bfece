import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import t from 'tap';
import { findStoredResponse, requestFingerprint, type StoredResponse, storeResponse } from '../src/curation/idempotency.js';
import { pgFindStoredResponse, pgStoreResponse } from '../src/curation/pg-records.js';
import { countRows, HRW_SOURCE, mintKey, send } from './curation-helpers.js';
import { buildTestApp, getJson, postgresSide } from './helpers.js';

const BODY = {
  recommendationId: 'KGZ-3-USA-1',
  status: 'not_implemented',
  assessedOn: '2021-01-15',
  rationale: 'No investigation was opened.',
  sources: [HRW_SOURCE],
};

t.test('a retried POST with the same Idempotency-Key creates once and answers the first response again', async (t) => {
  const app = await buildTestApp(t);
  const key = mintKey(app, 'write', 'retrying-client');
  const headers = { 'idempotency-key': '4f1c2d3e-retry-1' };

  const first = await send(app, 'POST', '/v1/assessments', { key, body: BODY, headers });
  t.equal(first.response.statusCode, 201);
  t.notOk(first.response.headers['idempotency-replayed']);
  const revision = await app.dataRevision.current();
  const assessments = await countRows(app, 'assessments');

  // The record changes meanwhile: a replay still answers what the first request got.
  await send(app, 'PATCH', `/v1/assessments/${first.body.id}`, { key, body: { status: 'implemented' }, headers: { 'if-match': '*' } });
  const afterPatch = await app.dataRevision.current();

  const retry = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { sources: [HRW_SOURCE], rationale: BODY.rationale, assessedOn: BODY.assessedOn, status: BODY.status, recommendationId: BODY.recommendationId },
    headers,
  });
  t.equal(retry.response.statusCode, 201);
  t.equal(retry.response.headers['idempotency-replayed'], 'true');
  t.same(retry.body, first.body, 'the same body (keys in another order are the same request)');
  t.equal(retry.response.headers.location, first.response.headers.location);
  t.equal(retry.response.headers.etag, first.response.headers.etag, 'and the same ETag: version 1 at its revision');
  t.equal(await countRows(app, 'assessments'), assessments, 'no second record');
  t.equal(await app.dataRevision.current(), afterPatch, 'a replay writes nothing');
  t.equal(revision + 1, afterPatch);

  const reused = await send(app, 'POST', '/v1/assessments', { key, body: { ...BODY, rationale: 'Another text.' }, headers });
  t.equal(reused.response.statusCode, 422);
  t.same(reused.body.errors, [
    { in: 'header', name: 'idempotency-key', message: 'This key was used for a different request; use a new key for a new request.' },
  ]);
  const otherRoute = await send(app, 'POST', '/v1/statements', { key, body: { ...BODY }, headers });
  t.equal(otherRoute.response.statusCode, 400, 'the body is validated first');

  const otherClient = mintKey(app, 'write', 'someone-else');
  const theirs = await send(app, 'POST', '/v1/assessments', { key: otherClient, body: BODY, headers });
  t.equal(theirs.response.statusCode, 201, 'keys are per API key: another client may use the same string');
  t.not(theirs.body.id, first.body.id);
  t.notOk(theirs.response.headers['idempotency-replayed']);

  const without = await send(app, 'POST', '/v1/assessments', { key, body: BODY });
  const without2 = await send(app, 'POST', '/v1/assessments', { key, body: BODY });
  t.not(without.body.id, without2.body.id, 'without the header, each POST creates');

  const failed = await send(app, 'POST', '/v1/assessments', {
    key,
    body: { ...BODY, recommendationId: 'nope' },
    headers: { 'idempotency-key': 'fails-first' },
  });
  t.equal(failed.response.statusCode, 422);
  const fixed = await send(app, 'POST', '/v1/assessments', { key, body: BODY, headers: { 'idempotency-key': 'fails-first' } });
  t.equal(fixed.response.statusCode, 201, 'a failed request stores nothing: the key can be used again');

  // Each fault said once (an empty key was also "not printable ASCII").
  const faults = {
    'has space': 'Use printable ASCII characters without spaces, given "has space"',
    '': 'Give a key: the header is empty',
    ['x'.repeat(201)]: `Use at most 200 characters, given "${'x'.repeat(60)}…" (201 characters)`,
  };
  for (const [bad, message] of Object.entries(faults)) {
    const refused = await send(app, 'POST', '/v1/assessments', { key, body: BODY, headers: { 'idempotency-key': bad } });
    t.equal(refused.response.statusCode, 400, `Idempotency-Key ${JSON.stringify(bad).slice(0, 12)}`);
    t.same(refused.body.errors, [{ in: 'header', name: 'idempotency-key', message }]);
  }

  // The same operation, its URL spelt otherwise by the retry: a trailing slash, an empty query.
  const spelt = { 'idempotency-key': 'spelt-otherwise' };
  const slashed = await send(app, 'POST', '/v1/assessments/', { key, body: BODY, headers: spelt });
  t.equal(slashed.response.statusCode, 201);
  for (const url of ['/v1/assessments', '/v1/assessments?']) {
    const again = await send(app, 'POST', url, { key, body: BODY, headers: spelt });
    t.equal(again.response.statusCode, 201, `${url}: the first answer (was 422, "a different request")`);
    t.equal(again.response.headers['idempotency-replayed'], 'true');
    t.equal(again.body.id, slashed.body.id);
  }

  const reviews = await send(app, 'POST', '/v1/reviews', {
    key: mintKey(app, 'admin'),
    body: { stateUnderReview: 'ESP', cycle: 4 },
    headers: { 'idempotency-key': 'review-1' },
  });
  t.equal(reviews.response.statusCode, 201);
  t.equal((await getJson(app, '/v1/reviews/ESP-4')).response.statusCode, 200);
});

t.test('stored responses are kept for a day', async (t) => {
  const app = await buildTestApp(t);
  const apiKey = { id: mintKey(app, 'write', 'old').split('_')[1]! };
  const { storeResponse, findStoredResponse } = storedResponses(app);
  const day = 24 * 60 * 60 * 1000;
  const stored = { requestHash: requestFingerprint('POST', '/v1/x', {}), statusCode: 201, location: '/v1/x/1', body: '{}' };
  const then = new Date('2026-01-01T00:00:00Z');
  await storeResponse(apiKey.id, 'k1', stored, then);
  t.same(await findStoredResponse(apiKey.id, 'k1', new Date(then.getTime() + day - 1)), stored);
  t.equal(await findStoredResponse(apiKey.id, 'k1', new Date(then.getTime() + day + 1)), undefined, 'expired');
  await storeResponse(apiKey.id, 'k2', stored, new Date(then.getTime() + day + 1));
  t.equal(await countRows(app, 'idempotency_keys'), 1, 'expired responses are removed as new ones are stored');
  await storeResponse(apiKey.id, 'k1', stored, new Date(then.getTime() + day + 2));
  t.equal(await countRows(app, 'idempotency_keys'), 2, 'and an expired key can be used again');
  t.not(requestFingerprint('POST', '/v1/x', { a: 1, b: [1, { c: null }] }), requestFingerprint('POST', '/v1/x', { a: 1, b: [1, { c: 0 }] }));
  t.equal(requestFingerprint('POST', '/v1/x', { a: 1, b: 2 }), requestFingerprint('POST', '/v1/x', { b: 2, a: 1 }));
  t.equal(requestFingerprint('POST', '/v1/x', { a: 1, b: undefined }), requestFingerprint('POST', '/v1/x', { a: 1 }));
});

t.test('expired responses are found by an index, not by reading every stored one', async (t) => {
  // Every keyed create deletes the responses older than a day first: a scan of the table read every stored
  // response (200,000 kept within a day, 2 KB each: 0.5 s a keyed create, in the event loop on SQLite).
  const app = await buildTestApp(t);
  const cleanup = 'delete from idempotency_keys where created_at < $1';
  const side = postgresSide(app);
  if (side === undefined) {
    const plan = (app.db.$client.prepare(`explain query plan ${cleanup.replace('$1', '?')}`).all('2026-01-01') as { detail: string }[])
      .map((row) => row.detail)
      .join('; ');
    t.match(plan, /^SEARCH idempotency_keys USING (COVERING )?INDEX idempotency_keys_created_idx \(created_at<\?\)$/, plan);
    return;
  }
  await side.pending;
  const client = await side.pool.connect();
  try {
    // (A table this small is read whole by choice: the planner is told not to, to see that it need not.)
    await client.query('begin');
    await client.query('set local enable_seqscan = off');
    const rows = (await client.query(`explain ${cleanup}`, ['2026-01-01'])).rows as { 'QUERY PLAN': string }[];
    await client.query('rollback');
    const plan = rows.map((row) => row['QUERY PLAN']).join('; ');
    t.match(plan, /Index (Only )?Scan using idempotency_keys_created_idx|Bitmap Index Scan on idempotency_keys_created_idx/, plan);
  } finally {
    client.release();
  }
});

/** The stored-response functions of the app's backend, given a clock (src/curation/idempotency.ts, pg-records.ts). */
function storedResponses(app: FastifyInstance) {
  const side = postgresSide(app);
  if (side === undefined) {
    return {
      storeResponse: async (apiKeyId: string, key: string, response: StoredResponse, now: Date) => storeResponse(app.db, apiKeyId, key, response, now),
      findStoredResponse: async (apiKeyId: string, key: string, now: Date) => findStoredResponse(app.db, apiKeyId, key, now),
    };
  }
  const onClient = async <T>(work: (client: pg.PoolClient) => Promise<T>) => {
    await side.pending;
    const client = await side.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  };
  return {
    storeResponse: (apiKeyId: string, key: string, response: StoredResponse, now: Date) =>
      onClient((client) => pgStoreResponse(client, apiKeyId, key, response, now)),
    findStoredResponse: (apiKeyId: string, key: string, now: Date) => onClient((client) => pgFindStoredResponse(client, apiKeyId, key, now)),
  };
}
