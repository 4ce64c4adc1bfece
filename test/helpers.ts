import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../src/app.js';
import type { AppConfig } from '../src/config.js';
import { copyTemplateDatabase } from './support/template-db.js';

/** A temporary directory removed when the test ends. */
export function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'upr-tracker-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The app on a fresh database file (migrated and seeded, as on a first start: a copy of a prepared
 * template unless `overrides` name a database file), closed when the test ends.
 * Rate limits are out of reach and load shedding is off unless `overrides` set them: tests send many
 * requests from one address, and a busy test machine must not make them fail with 503. Every response is
 * checked against its route's zod schema.
 */
export async function buildTestApp(t: Test, overrides: Partial<AppConfig> = {}): Promise<FastifyInstance> {
  let databasePath = overrides.databasePath;
  if (databasePath === undefined) {
    databasePath = join(tempDir(t), 'test.sqlite');
    copyTemplateDatabase(databasePath);
  }
  const app = await buildApp({
    logLevel: 'silent',
    rateLimitMax: 1_000_000,
    rateLimitKeyMax: 1_000_000,
    rateLimitExportMax: 1_000_000,
    maxEventLoopDelayMs: 0,
    checkResponses: true,
    ...overrides,
    databasePath,
  });
  t.teardown(() => app.close());
  return app;
}

/** GET a path and parse its JSON body. */
export async function getJson<T = any>(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { response, body: response.json() as T };
}
