// Preloaded into a child process (`node --import <this> …`) by the crash tests: the process SIGKILLs itself right
// after its KILL_AFTER_COMMIT-th committed transaction (SQLite through better-sqlite3, PostgreSQL through pg), the
// instant a power loss or the OOM killer may pick between two transactions; a deterministic point, where a
// random delay would rarely land. Without KILL_AFTER_COMMIT it only counts, and prints `commits: <n>` on stderr at exit.
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const target = Number(process.env.KILL_AFTER_COMMIT ?? 0);
let commits = 0;
const committed = () => {
  commits++;
  if (commits === target) process.kill(process.pid, 'SIGKILL');
};
process.on('exit', () => writeSync(2, `commits: ${commits}\n`));

// better-sqlite3: its transaction functions (drizzle's db.transaction uses them; nested ones are savepoints) and
// COMMIT statements (drizzle's migrator).
const Database = require('better-sqlite3');
const transaction = Database.prototype.transaction;
Database.prototype.transaction = function (fn) {
  const db = this;
  const native = transaction.call(this, fn);
  const counted = (run) =>
    function (...args) {
      const result = run.apply(this, args);
      if (!db.inTransaction) committed();
      return result;
    };
  const wrapped = counted(native);
  for (const behavior of ['deferred', 'immediate', 'exclusive']) wrapped[behavior] = counted(native[behavior]);
  return wrapped;
};
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (source, ...rest) {
  const statement = prepare.call(this, source, ...rest);
  if (/^\s*commit\b/i.test(source)) {
    const run = statement.run.bind(statement);
    statement.run = (...args) => {
      const result = run(...args);
      committed();
      return result;
    };
  }
  return statement;
};

// pg: a query `commit`, once PostgreSQL has answered it.
let pg;
try {
  pg = require('pg');
} catch {
  pg = undefined;
}
if (pg !== undefined) {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const result = query.call(this, config, ...rest);
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string' && /^\s*commit\b/i.test(text) && typeof result?.then === 'function') {
      return result.then((value) => {
        committed();
        return value;
      });
    }
    return result;
  };
}
