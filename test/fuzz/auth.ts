import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/auth/keys.js';

/** Headers that authenticate the fuzzer's valid requests to secured operations: an admin key reaches them all. */
export async function fuzzAuthHeaders(app: FastifyInstance): Promise<Record<string, string>> {
  return { authorization: `Bearer ${createApiKey(app.db, 'fuzzer', 'admin').key}` };
}
