import { runKeysCommand } from '../src/auth/cli.js';
import { type ConfigError, loadEnv } from '../src/config.js';
import { openDatabase } from '../src/db/open.js';

// `npm run keys -- create --name <name> --scope write|admin | list | revoke <id>`, on DATABASE_PATH.
let env;
try {
  env = loadEnv(process.env);
} catch (error) {
  console.error((error as ConfigError).message);
  process.exit(1);
}
const db = openDatabase(env.DATABASE_PATH);
const code = runKeysCommand(db, process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
db.$client.close();
process.exit(code);
