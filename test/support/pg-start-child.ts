import { postgresBackend } from '../../src/db/pg/backend.js';

// A PostgreSQL start and nothing more, in a child process (test/postgres-freshen.test.ts kills it after each
// of its commits): the database at DATABASE_URL migrated and brought up to date, one document a transaction.
const backend = await postgresBackend(process.env.DATABASE_URL!, 1, undefined, 0, { batches: { documents: 1, relate: 10 } });
await backend.close();
