import { join } from 'node:path';
import t from 'tap';
import { runSeedCommand } from '../seed/cli.js';
import { tempDir } from './helpers.js';

// `npm run seed` on SQLite (PostgreSQL: test/postgres-seed.test.ts): a new DATABASE_PATH is migrated and seeded,
// a second run adds nothing; an invalid environment is said, not thrown.

const run = async (env: NodeJS.ProcessEnv) => {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runSeedCommand(env, { out: (l) => out.push(l), err: (l) => err.push(l) });
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

t.test('an invalid environment is said, with exit status 1', async (t) => {
  const refused = await run({ DATABASE_URL: 'mysql://someone@example.org/upr' });
  t.equal(refused.status, 1);
  t.match(refused.err, /DATABASE_URL/);
  t.equal(refused.out, '');
});
