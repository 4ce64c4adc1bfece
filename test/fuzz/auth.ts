import type { FastifyInstance } from 'fastify';

/** Headers that authenticate the fuzzer's valid requests to secured operations (none until keys exist). */
export async function fuzzAuthHeaders(_app: FastifyInstance): Promise<Record<string, string>> {
  return {};
}
