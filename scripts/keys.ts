import { byLines, commandFailure, wantsJson } from '../src/common/command-line.js';
import { type ConfigError, loadEnv } from '../src/config.js';

// `npm run keys -- create --name <name> --scope write|admin | list | revoke <id> [--json]`, on DATABASE_URL's
// PostgreSQL when it is set, else on DATABASE_PATH. The database modules are loaded once the environment is
// read, and only the backend's: a wrong environment is said without loading them, and SQLite never loads pg.
// Wrong usage is said first, and opens no database (a SQLite file would be created, a PostgreSQL one migrated, for
// nothing); --help needs no environment. With --json every failure is a CommandFailure on stdout (src/auth/cli.ts).
const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
const argv = process.argv.slice(2);
const json = wantsJson(argv);
const { keysUsageError } = await import('../src/auth/cli.js');
const usage = keysUsageError(argv, io);
if (usage !== undefined) process.exit(usage);
let env;
try {
  env = loadEnv(process.env);
} catch (error) {
  process.exit(commandFailure(byLines(io), json, 'environment', (error as ConfigError).message));
}
let code: number;
if (env.DATABASE_URL === undefined) {
  const [{ runKeysCommand }, { databaseFailure, openForCommand }] = await Promise.all([import('../src/auth/cli.js'), import('../src/db/open.js')]);
  try {
    const db = openForCommand(env.DATABASE_PATH, (line) => io.err(line.trimEnd()), {
      // The usage is checked: the command is `list` when its first argument but --json is.
      reads: argv.find((arg) => arg !== '--json') === 'list',
      openWaitMs: env.DATABASE_OPEN_WAIT_MS,
    });
    try {
      code = runKeysCommand(db, argv, io);
    } finally {
      db.$client.close();
    }
  } catch (error) {
    const failure = databaseFailure(error);
    if (failure === undefined) throw error;
    code = commandFailure(byLines(io), json, 'failed', `${env.DATABASE_PATH}: ${failure}`);
  }
} else {
  const [{ runPgKeysCommand }, { redactUrl }, { openPostgres }] = await Promise.all([
    import('../src/auth/cli.js'),
    import('../src/db/pg/url.js'),
    import('../src/db/pg/open.js'),
  ]);
  // One connection is all a command needs; migrated as the server would, so keys can be minted before its first start.
  const url = env.DATABASE_URL;
  const db = await openPostgres(url, { poolMax: 1 }).catch((error: Error) =>
    process.exit(commandFailure(byLines(io), json, 'failed', `Cannot open the PostgreSQL database ${redactUrl(url)}: ${error.message}`)),
  );
  code = await runPgKeysCommand(db.$client, argv, io).finally(() => db.$client.end());
}
process.exit(code);
