import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import t from 'tap';
import { runSeedCommand } from '../seed/cli.js';
import { expectedMigrationCount } from '../src/db/open.js';
import { migrationDate, tempDir, UNDO_UNREPEATABLE_MIGRATIONS } from './helpers.js';
import { copyTemplateDatabase } from './support/template-db.js';

// `npm run seed` on SQLite (PostgreSQL: test/postgres-seed.test.ts): a new DATABASE_PATH is migrated and seeded,
// a second run adds nothing, one at an older migration is migrated first; an invalid environment is said, not thrown.

const run = async (env: NodeJS.ProcessEnv, json = false) => {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runSeedCommand(env, { out: (l) => out.push(l), err: (l) => err.push(l) }, json);
  return { status, out: out.join('\n'), err: err.join('\n') };
};

t.test('a new DATABASE_PATH is seeded; a second run adds nothing', async (t) => {
  const path = join(tempDir(t), 'new', 'upr.sqlite');
  const first = await run({ DATABASE_PATH: path });
  t.equal(first.status, 0, first.err);
  const inserted = Number(/: (\d+) seed rows inserted\.$/.exec(first.out)?.[1]);
  t.ok(inserted > 0, `${inserted} rows`);
  t.same(await run({ DATABASE_PATH: path }), { status: 0, out: `${path}: 0 seed rows inserted (already up to date).`, err: '' });
});

t.test('a database at an older migration is migrated first, then given what it lacks', async (t) => {
  const path = join(tempDir(t), 'old.sqlite');
  copyTemplateDatabase(path);
  // Before the last migration (0023, which runs again), and lacking an alias the seed has.
  const old = new Database(path);
  old.exec(`drop index idempotency_keys_created_idx;
    delete from __drizzle_migrations where created_at >= ${migrationDate('0023_idempotency_created_at')};
    ${UNDO_UNREPEATABLE_MIGRATIONS}
    delete from state_aliases where state_code = 'KGZ' and alias = 'Kyrgyz Republic';`);
  old.close();
  t.same(await run({ DATABASE_PATH: path }), { status: 0, out: `${path}: 1 seed rows inserted.`, err: '' });
  const seeded = new Database(path, { readonly: true });
  t.teardown(() => seeded.close());
  t.equal(seeded.prepare('select count(*) from __drizzle_migrations').pluck().get(), expectedMigrationCount(), 'migrated');
  t.ok(seeded.prepare("select 1 from sqlite_master where name = 'idempotency_keys_created_idx'").get(), "the migration's index made again");
  t.ok(seeded.prepare("select 1 from state_aliases where alias = 'Kyrgyz Republic'").get(), 'the alias given back');
});

t.test('an invalid environment is said, with exit status 1', async (t) => {
  const refused = await run({ DATABASE_URL: 'mysql://someone@example.org/upr' });
  t.equal(refused.status, 1);
  t.match(refused.err, /DATABASE_URL/);
  t.equal(refused.out, '');
});

t.test('with --json, one JSON document on stdout: the database and the rows inserted, or the failure', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'new.sqlite');
  const first = await run({ DATABASE_PATH: path }, true);
  t.match(first, { status: 0, err: '' });
  const inserted = (JSON.parse(first.out) as { inserted: number }).inserted;
  t.ok(inserted > 0, `${inserted} rows`);
  t.same(JSON.parse(first.out), { database: path, inserted });
  t.same(await run({ DATABASE_PATH: path }, true), { status: 0, out: JSON.stringify({ database: path, inserted: 0 }), err: '' });

  const environment = await run({ DATABASE_URL: 'mysql://someone@example.org/upr' }, true);
  t.match(environment, { status: 1, err: /^Invalid environment:\n {2}DATABASE_URL/ });
  t.match(JSON.parse(environment.out), { error: { kind: 'environment', message: /^Invalid environment:\n {2}DATABASE_URL/, exitStatus: 1 } });
  const notADatabase = join(dir, 'notes.sqlite');
  writeFileSync(notADatabase, 'not a database, but long enough to be read as one: '.repeat(100));
  const failed = await run({ DATABASE_PATH: notADatabase }, true);
  t.match(failed, { status: 1, err: `${notADatabase}: not seeded: ` });
  t.same(JSON.parse(failed.out), { error: { kind: 'failed', message: failed.err, exitStatus: 1 } }, 'the message on stderr too');
});
