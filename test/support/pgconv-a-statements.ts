import type { FastifyInstance } from 'fastify';
import { postgresSide } from '../helpers.js';

/**
 * Records the text of every statement a test app sends its database until `stop()`: on SQLite each one it
 * prepares, on PostgreSQL each query a pg client sends (pg's Client, which every pool's connection is).
 */
export async function recordStatements(app: FastifyInstance): Promise<{ statements: string[]; stop(): void }> {
  const statements: string[] = [];
  if (postgresSide(app) === undefined) {
    const client = app.db.$client;
    const prepare = client.prepare.bind(client);
    client.prepare = ((source: string) => {
      statements.push(source);
      return prepare(source);
    }) as typeof client.prepare;
    return { statements, stop: () => void (client.prepare = prepare) };
  }
  const { Client } = (await import('pg')).default;
  const query = Client.prototype.query;
  Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const [config] = args;
    statements.push(typeof config === 'string' ? config : String((config as { text?: string }).text));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return { statements, stop: () => void (Client.prototype.query = query) };
}
