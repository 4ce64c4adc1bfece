import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { buildApp } from '../src/app.js';

/** A temporary directory removed when the test ends. */
export function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'upr-tracker-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The app on a fresh database file (migrated and seeded, as on a first start), closed when the test ends. */
export async function buildTestApp(t: Test): Promise<FastifyInstance> {
  const app = await buildApp({ databasePath: join(tempDir(t), 'test.sqlite'), logLevel: 'silent' });
  t.teardown(() => app.close());
  return app;
}

/** GET a path and parse its JSON body. */
export async function getJson<T = any>(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { response, body: response.json() as T };
}
