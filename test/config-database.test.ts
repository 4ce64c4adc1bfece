import t from 'tap';
import { ConfigError, configFromEnv, defaultConfig, loadEnv } from '../src/config.js';
import { runCopy } from '../src/db/copy/cli.js';
import { tempDir } from './helpers.js';

// DATABASE_URL selects PostgreSQL (src/db/pg/); without it, SQLite at DATABASE_PATH as before.

t.test('SQLite by default: no DATABASE_URL, an empty one too', async (t) => {
  t.equal(defaultConfig().databaseUrl, undefined);
  t.equal(configFromEnv(loadEnv({ DATABASE_URL: '  ' })).databaseUrl, undefined);
  t.equal(defaultConfig().pgPoolMax, 10);
});

t.test('a postgres:// or postgresql:// URL with a host selects PostgreSQL, with a bounded pool', async (t) => {
  const config = configFromEnv(loadEnv({ DATABASE_URL: 'postgres://upr:pw@db.internal:5432/upr', PG_POOL_MAX: '25' }));
  t.equal(config.databaseUrl, 'postgres://upr:pw@db.internal:5432/upr');
  t.equal(config.pgPoolMax, 25);
  t.equal(configFromEnv(loadEnv({ DATABASE_URL: 'postgresql://localhost/upr' })).databaseUrl, 'postgresql://localhost/upr');
});

t.test('anything else stops the start with a message naming the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ DATABASE_URL: 'mysql://db/upr' }, /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL: expected a postgres:\/\//],
    [{ DATABASE_URL: 'postgres:///upr' }, /DATABASE_URL: expected a host/],
    // A password with "/", "?" or "#" as typed: the URL ends its host there and does not parse; said without the value.
    [{ DATABASE_URL: 'postgres://upr:pa/ss@db/upr' }, /^Invalid environment:\n  DATABASE_URL: not a URL as written: percent-encode a user or password holding \/ \? # @ : % or a space \(encodeURIComponent\)$/],
    [{ DATABASE_URL: 'postgresql://upr:pa#ss@db/upr' }, /DATABASE_URL: not a URL as written/],
    // node-postgres decodes the path with decodeURI: an escaped "/" (or ? # @ :) was looked for as written ("db%2Fx").
    [{ DATABASE_URL: 'postgres://upr@db/db%2Fx' }, /DATABASE_URL: the database name in the URL's path holds an escaped \/ \? # @ : .* leave the path out and set PGDATABASE/],
    [{ DATABASE_URL: 'postgres://upr@db/a%20b%3Fc' }, /set PGDATABASE/],
    [{ PG_POOL_MAX: '0' }, /PG_POOL_MAX/],
    [{ PG_POOL_MAX: '5000' }, /PG_POOL_MAX/],
  ];
  for (const [env, message] of cases) {
    const error = (() => {
      try {
        loadEnv(env);
      } catch (thrown) {
        return thrown;
      }
    })();
    t.ok(error instanceof ConfigError, JSON.stringify(env));
    t.match((error as Error).message, message);
  }
});

t.test('messages and logs show a DATABASE_URL without its passwords, also those given as query parameters', async (t) => {
  const { redactUrl } = await import('../src/db/pg/url.js');
  t.equal(redactUrl('postgres://upr:pw@db.internal:5432/upr'), 'postgres://upr:***@db.internal:5432/upr');
  // pg takes every query parameter as a setting: ?password= is a password too (printed as given before).
  t.equal(redactUrl('postgres://upr@db.internal/upr?password=pw&sslmode=require'), 'postgres://upr@db.internal/upr?password=***&sslmode=require');
  t.equal(redactUrl('postgres://upr@db/upr?sslpassword=pw&PASSWORD=pw2'), 'postgres://upr@db/upr?sslpassword=***&PASSWORD=***');
  t.equal(redactUrl('postgresql://db.internal/upr?application_name=a%20b'), 'postgresql://db.internal/upr?application_name=a%20b', 'nothing to hide: as given');
});

t.test('a URL the parser reads otherwise, or cannot read, is shown without what may be its password', async (t) => {
  const { redactUrl } = await import('../src/db/pg/url.js');
  // A password holding "/", "#" or "?" unescaped ends the host there: "u:12" read as a host and its port, the rest
  // of the password as the path; with "x" after it, no URL at all (new URL threw: db:copy printed it whole).
  t.equal(redactUrl('postgres://u:12/34secret@db/upr'), 'postgres://***@db/upr');
  t.equal(redactUrl('postgres://u:1#secret@db/upr'), 'postgres://***@db/upr');
  t.equal(redactUrl('postgres://u:x/secret@db/upr?password=secret2'), 'postgres://***@db/upr?password=***');
  t.equal(redactUrl('postgres://db:99999/upr?sslpassword=secret'), 'postgres://db:99999/upr?sslpassword=***');
  const said: string[] = [];
  const output = { write: (text: string) => void said.push(text) };
  const dir = tempDir(t);
  const code = await runCopy(['--from', 'postgres://u:x/secret@db/upr', '--to', `${dir}/copy.sqlite`], output, output, {});
  t.equal(code, 1, 'a copy from a URL that is none fails, said');
  t.notMatch(said.join(''), /secret/, 'without the password');
  said.length = 0;
  const escaped = await runCopy(['--from', 'postgres://u:secret@db/db%23x', '--to', `${dir}/copy.sqlite`, '--json'], output, output, {});
  t.equal(escaped, 2, 'a database name node-postgres would not decode: wrong usage, said before connecting');
  t.match(JSON.parse(said[0]!), { error: { kind: 'usage', message: /^postgres:\/\/u:\*\*\*@db\/db%23x: the database name .* set PGDATABASE to the name$/ } });
  t.notMatch(said.join(''), /secret/);
});

t.test('a database name in the path: escapes node-postgres decodes are no fault, and a path without one is none', async (t) => {
  const { databaseNameFault } = await import('../src/db/pg/url.js');
  for (const url of ['postgres://u@db/upr', 'postgres://u@db/a%20b%C3%A9%25', 'postgres://u@db/db%252Fx', 'postgres://u@db', 'postgres://u@db/a/b:c@d']) {
    t.equal(databaseNameFault(url), undefined, url);
  }
  t.equal(loadEnv({ DATABASE_URL: 'postgres://u@db/a%20b' }).DATABASE_URL, 'postgres://u@db/a%20b');
});
