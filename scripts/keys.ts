import { runKeysCommand, runPgKeysCommand } from '../src/auth/cli.js';
import { type ConfigError, loadEnv } from '../src/config.js';
import { openDatabase } from '../src/db/open.js';
import { redactUrl } from '../src/db/pg/url.js';
import { openPostgres } from '../src/db/pg/open.js';

// `npm run keys -- create --name <name> --scope write|admin | list | revoke <id>`, on DATABASE_URL's
// PostgreSQL when it is set, else on DATABASE_PATH.
let env;
try {
  env = loadEnv(process.env);
} catch (error) {
  console.error((error as ConfigError).message);
  process.exit(1);
}
const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
let code: number;
if (env.DATABASE_URL === undefined) {
  const db = openDatabase(env.DATABASE_PATH);
  code = runKeysCommand(db, process.argv.slice(2), io);
  db.$client.close();
} else {
  // One connection is all a command needs; migrated as the server would, so keys can be minted before its first start.
  const url = env.DATABASE_URL;
  const db = await openPostgres(url, { poolMax: 1 }).catch((error: Error) => {
    console.error(`Cannot open the PostgreSQL database ${redactUrl(url)}: ${error.message}`);
    process.exit(1);
  });
  code = await runPgKeysCommand(db.$client, process.argv.slice(2), io).finally(() => db.$client.end());
}
process.exit(code);
