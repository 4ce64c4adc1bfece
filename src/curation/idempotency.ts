import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../db/audit.js';
import { idempotencyKeys } from '../db/schema.js';

// Idempotency-Key on POST: the first response to a key (per API key) is stored in the transaction that
// created the record, and a retry with the same key and the same request gets that response again instead
// of a second record. Keys are kept for a day.

const RETENTION_MS = 24 * 60 * 60 * 1000;

export const idempotencyKeySchema = z
  .string()
  .min(1, 'Give a key: the header is empty')
  .max(200, 'Use at most 200 characters')
  // `*`, not `+`: an empty key is said once, by min.
  .regex(/^[\x21-\x7e]*$/, 'Use printable ASCII characters without spaces')
  .describe(
    'Any unique string (a UUID, say). A retry with the same key and body returns the first response instead of ' +
      'creating the record twice; the same key with another body is refused (422). Kept for 24 hours, per API key.',
  );

/** Serialises JSON with sorted object keys, so that equal bodies give equal fingerprints. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(canonicalJson([method, path, body])).digest('hex');
}

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  location: string | null;
  body: string;
}

export function cutoff(now: Date): string {
  return new Date(now.getTime() - RETENTION_MS).toISOString();
}

export function findStoredResponse(
  tx: Pick<Tx, 'get'>,
  apiKeyId: string,
  key: string,
  now = new Date(),
): StoredResponse | undefined {
  return tx.get<StoredResponse | undefined>(sql`select request_hash as requestHash, status_code as statusCode, location,
      body
    from idempotency_keys where api_key_id = ${apiKeyId} and key = ${key} and created_at >= ${cutoff(now)}`);
}

export function storeResponse(
  tx: Pick<Tx, 'insert' | 'run'>,
  apiKeyId: string,
  key: string,
  response: StoredResponse,
  now = new Date(),
): void {
  tx.run(sql`delete from idempotency_keys where created_at < ${cutoff(now)}`);
  tx.insert(idempotencyKeys)
    .values({ apiKeyId, key, ...response, createdAt: now.toISOString() })
    .run();
}
