import type { FastifyInstance } from 'fastify';
import { mintKey } from '../curation-helpers.js';

/** Headers that authenticate the fuzzer's valid requests to secured operations: an admin key reaches them all. */
export async function fuzzAuthHeaders(app: FastifyInstance): Promise<Record<string, string>> {
  return { authorization: `Bearer ${mintKey(app, 'admin', 'fuzzer')}` };
}
