import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { mintKey } from './curation-helpers.js';
import { buildTestApp, getJson } from './helpers.js';
import { TERMAN_STYLE_CSV } from './import-helpers.js';

// The import thread's heap is bounded (IMPORT_THREAD_MAX_HEAP_MB): an import over HTTP that needs more than it
// has is a 413 problem that says so, nothing written, and the next import gets a new thread. Before, a 17 MB
// Terman-style CSV (under IMPORT_BODY_LIMIT_BYTES and IMPORT_MAX_ROWS) on a service run with
// --max-old-space-size=128 ran the thread out of memory, and the import was a 500 (session 36's probe).

/** A Terman-style CSV of one review's `rows` recommendations: about 130 bytes a row. */
function termanRows(rows: number): string {
  const lines = ['text,to,decision,From,year,notes'];
  for (let i = 1; i <= rows; i++) {
    lines.push(`"76.${i}. Take further measures to protect the rights of women and children, measure ${i} (Norway);",kyrgysztan,support,Norway,2010,`);
  }
  return lines.join('\r') + '\r';
}

function post(app: FastifyInstance, key: string, payload: string | Uint8Array) {
  return app.inject({
    method: 'POST',
    url: '/v1/imports',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    payload: Buffer.from(payload),
  });
}

t.test('an import that needs more heap than the import thread has is a 413, nothing written; the next import runs', async (t) => {
  // 96 MB: the thread starts and imports a small file in it, with room (at 64 MB, the minimum, the small import
  // itself ran out in the suite under coverage on a busy machine: a 413 in the final CI); 40,000 rows (5 MB) run
  // out of 144 MB too.
  const app = await buildTestApp(t, { importThreadMinBytes: 0, importThreadMaxHeapMb: 96 });
  const key = mintKey(app, 'admin', 'dashboard');
  const large = await post(app, key, termanRows(40_000));
  t.equal(large.statusCode, 413, 'not a 500');
  t.equal(large.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(large.json(), {
    status: 413,
    detail: /needed more memory than the import thread has, its 96 MB \(IMPORT_THREAD_MAX_HEAP_MB\); nothing was imported.*npm run import/,
  });
  t.equal((await getJson(app, '/v1/reviews/KGZ-1')).response.statusCode, 404, 'nothing written');
  const small = await post(app, key, TERMAN_STYLE_CSV);
  t.equal(small.statusCode, 200, 'a small file is imported by a new thread');
  t.equal((await getJson(app, '/v1/reviews/KGZ-1')).response.statusCode, 200);
});
