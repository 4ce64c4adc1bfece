import { type ConfigError, loadEnv } from '../src/config.js';

// `npm run keys -- create --name <name> --scope write|admin | list | revoke <id>`, on DATABASE_URL's
// PostgreSQL when it is set, else on DATABASE_PATH. The database modules are loaded once the environment is
// read, and only the backend's: a wrong environment is said without loading them, and SQLite never loads pg.
// Wrong usage is said first, and opens no database (a SQLite file would be created, a PostgreSQL one migrated, for
// nothing); --help needs no environment.
const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
const { keysUsageError } = await import('../src/auth/cli.js');
const usage = keysUsageError(process.argv.slice(2), io);
if (usage !== undefined) process.exit(usage);
let env;
try {
  env = loadEnv(process.env);
} catch (error) {
  console.error((error as ConfigError).message);
  process.exit(1);
}
let code: number;
if (env.DATABASE_URL === undefined) {
  const [{ runKeysCommand }, { databaseFailure, openForCommand }] = await Promise.all([import('../src/auth/cli.js'), import('../src/db/open.js')]);
  try {
    const db = openForCommand(env.DATABASE_PATH, (line) => io.err(line.trimEnd()), {
      reads: process.argv[2] === 'list',
      openWaitMs: env.DATABASE_OPEN_WAIT_MS,
    });
    try {
      code = runKeysCommand(db, process.argv.slice(2), io);
    } finally {
      db.$client.close();
    }
  } catch (error) {
    const failure = databaseFailure(error);
    if (failure === undefined) throw error;
    io.err(`${env.DATABASE_PATH}: ${failure}`);
    code = 1;
  }
} else {
  const [{ runPgKeysCommand }, { redactUrl }, { openPostgres }] = await Promise.all([
    import('../src/auth/cli.js'),
    import('../src/db/pg/url.js'),
    import('../src/db/pg/open.js'),
  ]);
  // One connection is all a command needs; migrated as the server would, so keys can be minted before its first start.
  const url = env.DATABASE_URL;
  const db = await openPostgres(url, { poolMax: 1 }).catch((error: Error) => {
    console.error(`Cannot open the PostgreSQL database ${redactUrl(url)}: ${error.message}`);
    process.exit(1);
  });
  code = await runPgKeysCommand(db.$client, process.argv.slice(2), io).finally(() => db.$client.end());
}
process.exit(code);
