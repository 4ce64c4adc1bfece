import type { FastifyInstance } from 'fastify';
import { mintKey } from '../curation-helpers.js';

/**
 * Imports a file through POST /v1/imports with an admin key, as a user would, on either backend; `query` takes
 * the import's options (`format=…&review=…`). Gives the report; any other answer than 200 throws.
 */
export async function importOverHttp(app: FastifyInstance, file: Uint8Array | string, query = ''): Promise<any> {
  const response = await app.inject({
    method: 'POST',
    url: `/v1/imports${query === '' ? '' : `?${query}`}`,
    payload: Buffer.from(file),
    headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${mintKey(app, 'admin', 'test-importer')}` },
  });
  if (response.statusCode !== 200) throw new Error(`POST /v1/imports: ${response.statusCode} ${response.body}`);
  return response.json();
}
