import { openPostgres } from './open.js';
import { currentPgRevision } from './revision.js';

// Until the query layer is ported (issue #12), DATABASE_URL cannot serve the API: the server connects,
// migrates the database (so deployments can prepare it and copy data in with `npm run db:copy`), then stops
// with this message instead of serving anything from SQLite behind the operator's back.

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.href;
}

/** Connects to and migrates DATABASE_URL's database; the message saying why the server stops all the same. */
export async function postgresNotServed(url: string, poolMax: number): Promise<string> {
  const db = await openPostgres(url, { poolMax });
  try {
    const revision = await currentPgRevision(db);
    return (
      `DATABASE_URL selects PostgreSQL: ${redactUrl(url)} is reachable and migrated (data revision ${revision}), ` +
      'but this version cannot serve the API from PostgreSQL yet: the query modules, writes, imports, exports, ' +
      'stats and the change feed run on SQLite only (issue #12). Unset DATABASE_URL to serve from SQLite ' +
      '(DATABASE_PATH); `npm run db:copy` copies a database between the two.'
    );
  } finally {
    await db.$client.end();
  }
}
