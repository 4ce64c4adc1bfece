import { constants as bufferConstants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { configFromEnv, configSchema, defaultConfig, exportSlotsWarning, loadEnv, warnOfExportSlots } from '../src/config.js';
import { defaultMaxConnections, openFileLimit } from '../src/http/connection-limit.js';

t.test('defaults work with an empty environment', async (t) => {
  t.same(loadEnv({}), {
    PORT: 3000,
    HOST: '127.0.0.1',
    DATABASE_PATH: './data/upr-tracker.sqlite',
    PG_POOL_MAX: 10,
    PG_CONNECT_TIMEOUT_MS: 10_000,
    PG_READ_TIMEOUT_MS: 15_000,
    DATABASE_BUSY_TIMEOUT_MS: 5_000,
    DATABASE_OPEN_WAIT_MS: 900_000,
    LOG_LEVEL: 'info',
    TRUST_PROXY: false,
    BODY_LIMIT_BYTES: 1_048_576,
    REQUEST_TIMEOUT_MS: 30_000,
    CONNECTION_TIMEOUT_MS: 60_000,
    RATE_LIMIT_WINDOW_MS: 60_000,
    RATE_LIMIT_MAX: 300,
    RATE_LIMIT_KEY_MAX: 1_200,
    RATE_LIMIT_EXPORT_MAX: 20,
    MAX_EVENT_LOOP_DELAY_MS: 1_000,
    MAX_EVENT_LOOP_UTILIZATION: 0,
    MAX_HEAP_USED_BYTES: 0,
    MAX_RSS_BYTES: 0,
    PRESSURE_SAMPLE_INTERVAL_MS: 1_000,
    PRESSURE_RETRY_AFTER_S: 10,
    SHUTDOWN_GRACE_MS: 10_000,
    IMPORT_MAX_ZIP_ENTRIES: 1_000,
    IMPORT_MAX_INFLATED_BYTES: 32 * 1024 * 1024,
    IMPORT_MAX_XML_ELEMENTS: 250_000,
    IMPORT_MAX_XML_DEPTH: 64,
    IMPORT_MAX_ROWS: 50_000,
    IMPORT_MAX_CELL_CHARS: 20_000,
    FULL_TEXT_MAX_TERMS: 8,
    FULL_TEXT_MIN_PREFIX: 3,
    FULL_TEXT_MAX_COUNT: 10_000,
    EXPORT_MAX_SECONDS: 120,
    MAX_CONCURRENT_IMPORTS: 2,
    IMPORT_THREAD_MIN_BYTES: 64 * 1024,
    IMPORT_THREAD_MAX_HEAP_MB: 0,
    IMPORT_BODY_LIMIT_BYTES: 20 * 1024 * 1024,
  });
});

t.test('values are read and coerced', async (t) => {
  const env = loadEnv({ PORT: '8080', HOST: '0.0.0.0', DATABASE_PATH: '/tmp/x.sqlite', LOG_LEVEL: 'warn' });
  t.equal(env.PORT, 8080);
  t.equal(env.HOST, '0.0.0.0');
  t.equal(env.DATABASE_PATH, '/tmp/x.sqlite');
  t.equal(env.LOG_LEVEL, 'warn');
});

t.test('invalid values stop start-up with a message naming each', async (t) => {
  t.throws(() => loadEnv({ PORT: 'eighty' }), { name: 'ConfigError' });
  t.throws(() => loadEnv({ PORT: '70000' }), /PORT/);
  t.throws(() => loadEnv({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  t.throws(() => loadEnv({ HOST: '' }), /HOST/);
  t.throws(() => loadEnv({ PG_CONNECT_TIMEOUT_MS: '0' }), /PG_CONNECT_TIMEOUT_MS/, 'a connection that may never be given up');
  t.equal(configFromEnv(loadEnv({ PG_CONNECT_TIMEOUT_MS: '2500' })).pgConnectTimeoutMs, 2500);
  t.equal(configFromEnv(loadEnv({})).pgReadTimeoutMs, 15_000, 'a read timeout by default');
  t.equal(configFromEnv(loadEnv({ PG_READ_TIMEOUT_MS: '0' })).pgReadTimeoutMs, 0, '0: none');
  // Shorter than 100 ms cut even one-row reads (1 ms: every request a 503); 15 is seconds meant as milliseconds.
  for (const short of ['1', '15', '99']) {
    t.throws(() => loadEnv({ PG_READ_TIMEOUT_MS: short }), /PG_READ_TIMEOUT_MS: expected 0 \(no limit\) or at least 100 milliseconds: .*given "\d+"/, `${short} ms: refused, saying the least`);
  }
  t.equal(configFromEnv(loadEnv({ PG_READ_TIMEOUT_MS: '100' })).pgReadTimeoutMs, 100, 'the least');
  t.throws(() => loadEnv({ PG_READ_TIMEOUT_MS: '5s' }), /PG_READ_TIMEOUT_MS: expected a whole number/);
  const error = t.throws(() => loadEnv({ PORT: '-1', LOG_LEVEL: 'loud' })) as Error;
  t.match(error.message, /PORT[\s\S]*LOG_LEVEL/);
});

t.test('a number in the environment is plain digits; an empty one is the default, as if unset', async (t) => {
  // z.coerce.number read 0x10 as 16, 1e3 as 1000 and ' 80' as 80; an empty PORT as 0, a random port.
  for (const value of ['0x10', '1e3', ' 80', '80 ', '+80', '80.0', '0b1010', 'Infinity']) {
    t.throws(() => loadEnv({ PORT: value }), /PORT: expected a whole number \(digits 0-9\)/, JSON.stringify(value));
  }
  t.throws(() => loadEnv({ RATE_LIMIT_MAX: '1e3' }), /RATE_LIMIT_MAX: expected a whole number/);
  // Each says the value as set, quoted (cut when long): as read, 400 nines were 1.8e308.
  t.throws(() => loadEnv({ PORT: '9'.repeat(400) }), { message: `Invalid environment:\n  PORT: Too big: expected at most 65535, given "${'9'.repeat(60)}…" (400 characters)` });
  t.throws(() => loadEnv({ PORT: '0x10', LOG_LEVEL: 'loud' }), {
    message:
      'Invalid environment:\n  PORT: expected a whole number (digits 0-9), given "0x10"\n' +
      '  LOG_LEVEL: Not accepted: expected one of "fatal", "error", "warn", "info", "debug", "trace" or "silent", given "loud"',
  });
  t.equal(loadEnv({ PORT: '080' }).PORT, 80, 'leading zeros are digits');
  const empty = loadEnv({ PORT: '', REQUEST_TIMEOUT_MS: '', PG_POOL_MAX: '', MAX_EVENT_LOOP_UTILIZATION: '' });
  t.same([empty.PORT, empty.REQUEST_TIMEOUT_MS, empty.PG_POOL_MAX, empty.MAX_EVENT_LOOP_UTILIZATION], [3000, 30_000, 10, 0]);
  t.equal(loadEnv({ MAX_EVENT_LOOP_UTILIZATION: '0.98' }).MAX_EVENT_LOOP_UTILIZATION, 0.98, 'a fraction where one is meant');
  for (const value of ['.5', '1e-1', '0,5', '0x1']) {
    t.throws(() => loadEnv({ MAX_EVENT_LOOP_UTILIZATION: value }), /MAX_EVENT_LOOP_UTILIZATION: expected a decimal number/, value);
  }
});

t.test('limits are read from the environment', async (t) => {
  const config = configFromEnv(
    loadEnv({
      BODY_LIMIT_BYTES: '2048',
      REQUEST_TIMEOUT_MS: '0',
      CONNECTION_TIMEOUT_MS: '5000',
      RATE_LIMIT_WINDOW_MS: '1000',
      RATE_LIMIT_MAX: '10',
      RATE_LIMIT_KEY_MAX: '20',
      RATE_LIMIT_EXPORT_MAX: '2',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      MAX_EVENT_LOOP_UTILIZATION: '0.9',
      MAX_HEAP_USED_BYTES: '1000000',
      MAX_RSS_BYTES: '2000000',
      PRESSURE_SAMPLE_INTERVAL_MS: '500',
      PRESSURE_RETRY_AFTER_S: '3',
      SHUTDOWN_GRACE_MS: '100',
      FULL_TEXT_MAX_TERMS: '4',
      FULL_TEXT_MIN_PREFIX: '2',
      FULL_TEXT_MAX_COUNT: '50',
      MAX_CONCURRENT_EXPORTS: '3',
      EXPORT_MAX_SECONDS: '30',
      MAX_CONCURRENT_IMPORTS: '1',
      IMPORT_THREAD_MIN_BYTES: '0',
      IMPORT_THREAD_MAX_HEAP_MB: '256',
      IMPORT_BODY_LIMIT_BYTES: '4096',
    }),
  );
  t.match(config, {
    bodyLimitBytes: 2048,
    requestTimeoutMs: 0,
    connectionTimeoutMs: 5000,
    rateLimitWindowMs: 1000,
    rateLimitMax: 10,
    rateLimitKeyMax: 20,
    rateLimitExportMax: 2,
    maxEventLoopDelayMs: 0,
    maxEventLoopUtilization: 0.9,
    maxHeapUsedBytes: 1_000_000,
    maxRssBytes: 2_000_000,
    pressureSampleIntervalMs: 500,
    pressureRetryAfterSeconds: 3,
    shutdownGraceMs: 100,
    fullTextMaxTerms: 4,
    fullTextMinPrefix: 2,
    fullTextMaxCount: 50,
    maxConcurrentExports: 3,
    exportMaxSeconds: 30,
    maxConcurrentImports: 1,
    importThreadMinBytes: 0,
    importThreadMaxHeapMb: 256,
    importBodyLimitBytes: 4096,
  });
  t.throws(() => loadEnv({ MAX_CONCURRENT_EXPORTS: '0' }), /MAX_CONCURRENT_EXPORTS/, '0 would refuse every export');
  t.throws(() => loadEnv({ EXPORT_MAX_SECONDS: '0' }), /EXPORT_MAX_SECONDS/);
  t.throws(() => loadEnv({ MAX_CONCURRENT_IMPORTS: '0' }), /MAX_CONCURRENT_IMPORTS/, '0 would refuse every import');
  t.throws(() => loadEnv({ MAX_CONCURRENT_IMPORTS: 'two' }), /MAX_CONCURRENT_IMPORTS/);
  t.throws(() => loadEnv({ IMPORT_THREAD_MIN_BYTES: '-1' }), /IMPORT_THREAD_MIN_BYTES/);
  t.throws(() => loadEnv({ IMPORT_THREAD_MAX_HEAP_MB: '16' }), /IMPORT_THREAD_MAX_HEAP_MB.*at least 64/, 'too small for the thread to start');
  t.throws(() => loadEnv({ RATE_LIMIT_MAX: '0' }), /RATE_LIMIT_MAX/, 'a limit of 0 would refuse everything');
  t.throws(() => loadEnv({ BODY_LIMIT_BYTES: '-1' }), /BODY_LIMIT_BYTES/);
  t.throws(() => loadEnv({ MAX_EVENT_LOOP_UTILIZATION: '1.5' }), /MAX_EVENT_LOOP_UTILIZATION/);
});

t.test('BODY_LIMIT_BYTES: at most the longest string (a JSON body is read as one; one byte more crashed the process)', async (t) => {
  // A 536,871,888-byte body with BODY_LIMIT_BYTES=1073741824: ERR_STRING_TOO_LONG thrown in Fastify's 'end' listener.
  t.throws(
    () => loadEnv({ BODY_LIMIT_BYTES: String(bufferConstants.MAX_STRING_LENGTH + 1) }),
    new RegExp(`BODY_LIMIT_BYTES: Too big: expected at most ${bufferConstants.MAX_STRING_LENGTH}, given "${bufferConstants.MAX_STRING_LENGTH + 1}"`),
  );
  t.equal(loadEnv({ BODY_LIMIT_BYTES: String(bufferConstants.MAX_STRING_LENGTH) }).BODY_LIMIT_BYTES, bufferConstants.MAX_STRING_LENGTH);
});

t.test('IMPORT_BODY_LIMIT_BYTES: plain digits, at least 1, at most what one buffer holds (the file is held whole)', async (t) => {
  t.equal(loadEnv({ IMPORT_BODY_LIMIT_BYTES: '' }).IMPORT_BODY_LIMIT_BYTES, 20 * 1024 * 1024, 'empty: the default');
  t.equal(defaultConfig({ importBodyLimitBytes: 5 }).importBodyLimitBytes, 5);
  for (const value of ['20MiB', '2e7', '-1', '1.5', '0x100']) {
    t.throws(() => loadEnv({ IMPORT_BODY_LIMIT_BYTES: value }), /IMPORT_BODY_LIMIT_BYTES: expected a whole number \(digits 0-9\)/, value);
  }
  t.throws(() => loadEnv({ IMPORT_BODY_LIMIT_BYTES: '0' }), /IMPORT_BODY_LIMIT_BYTES: Too small: expected at least 1, given "0"/, '0 would refuse every file');
  t.throws(
    () => loadEnv({ IMPORT_BODY_LIMIT_BYTES: String(bufferConstants.MAX_LENGTH + 1) }),
    new RegExp(`IMPORT_BODY_LIMIT_BYTES: Too big: expected at most ${bufferConstants.MAX_LENGTH}, given`),
  );
  t.equal(loadEnv({ IMPORT_BODY_LIMIT_BYTES: String(bufferConstants.MAX_LENGTH) }).IMPORT_BODY_LIMIT_BYTES, bufferConstants.MAX_LENGTH);
});

t.test('MAX_CONCURRENT_EXPORTS: unset, 8 on SQLite and half the pool on PostgreSQL; more than half warned of', async (t) => {
  const url = 'postgres://upr@localhost/upr';
  const exports = (env: NodeJS.ProcessEnv) => configFromEnv(loadEnv(env)).maxConcurrentExports;
  t.equal(exports({}), 8, 'SQLite');
  t.equal(exports({ MAX_CONCURRENT_EXPORTS: '' }), 8, 'empty: the default');
  // Before: 8 of the pool's 10 connections, each held in a transaction for a whole slow export.
  t.equal(exports({ DATABASE_URL: url }), 5, "PostgreSQL: half of PG_POOL_MAX's 10");
  t.equal(exports({ DATABASE_URL: url, PG_POOL_MAX: '25' }), 12);
  t.equal(exports({ DATABASE_URL: url, PG_POOL_MAX: '1' }), 1, 'at least one');
  t.equal(exports({ DATABASE_URL: url, MAX_CONCURRENT_EXPORTS: '9' }), 9, 'as set');
  t.equal(defaultConfig({ databaseUrl: url, pgPoolMax: 4 }).maxConcurrentExports, 2, "an app's config: from its pool too");
  t.equal(defaultConfig({ databaseUrl: url, maxConcurrentExports: 7 }).maxConcurrentExports, 7);
  t.equal(defaultConfig().maxConcurrentExports, 8);
  t.throws(() => loadEnv({ MAX_CONCURRENT_EXPORTS: '1.5' }), /MAX_CONCURRENT_EXPORTS/);

  t.equal(exportSlotsWarning(configFromEnv(loadEnv({ DATABASE_URL: url }))), undefined, 'the default: no warning');
  t.equal(exportSlotsWarning(configFromEnv(loadEnv({ MAX_CONCURRENT_EXPORTS: '50' }))), undefined, 'SQLite: no pool');
  t.equal(
    exportSlotsWarning(configFromEnv(loadEnv({ DATABASE_URL: url, MAX_CONCURRENT_EXPORTS: '8' }))),
    'MAX_CONCURRENT_EXPORTS (8) is more than half of PG_POOL_MAX (10): each export holds a pool connection while it streams, ' +
      'so slow exports may leave 2 for every other request, which then wait. Lower MAX_CONCURRENT_EXPORTS (unset: half the pool) ' +
      'or raise PG_POOL_MAX to at least 16.',
  );
  t.match(exportSlotsWarning(configFromEnv(loadEnv({ DATABASE_URL: url, PG_POOL_MAX: '3', MAX_CONCURRENT_EXPORTS: '5' }))), /may leave 0 for/);
  const said: string[] = [];
  const log = { warn: (message: string) => void said.push(message) };
  warnOfExportSlots(defaultConfig({ databaseUrl: url }), log);
  t.same(said, [], 'said at start: nothing by default');
  warnOfExportSlots(defaultConfig({ databaseUrl: url, maxConcurrentExports: 6 }), log);
  t.match(said, [/^MAX_CONCURRENT_EXPORTS \(6\) is more than half of PG_POOL_MAX \(10\)/]);
});

t.test('MAX_CONNECTIONS_PER_ADDRESS: 1 to 1,000,000; unset, a quarter of MAX_CONNECTIONS up to 256, none of its own behind a proxy', async (t) => {
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS_PER_ADDRESS: '20' })).maxConnectionsPerAddress, 20);
  t.throws(() => loadEnv({ MAX_CONNECTIONS_PER_ADDRESS: '0' }), /MAX_CONNECTIONS_PER_ADDRESS/, '0 would refuse every connection');
  t.throws(() => loadEnv({ MAX_CONNECTIONS_PER_ADDRESS: '1000001' }), /MAX_CONNECTIONS_PER_ADDRESS/);
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '400' })).maxConnectionsPerAddress, 100, 'a quarter');
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '10000' })).maxConnectionsPerAddress, 256, 'at most 256');
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '3' })).maxConnectionsPerAddress, 1, 'at least 1');
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '400', TRUST_PROXY: 'true' })).maxConnectionsPerAddress, 400, "behind a proxy every connection is the proxy's");
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '400', TRUST_PROXY: '10.0.0.0/8' })).maxConnectionsPerAddress, 400);
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '400', TRUST_PROXY: 'false' })).maxConnectionsPerAddress, 100);
  t.equal(defaultConfig({ maxConnections: 40 }).maxConnectionsPerAddress, 10, 'derived from the MAX_CONNECTIONS given');
  t.equal(defaultConfig({ maxConnections: 40, maxConnectionsPerAddress: 40 }).maxConnectionsPerAddress, 40);
});

t.test("MAX_CONNECTIONS: 1 to 1,000,000; unset, the process's open-file limit less what the service opens itself, at most 10,000", async (t) => {
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '500' })).maxConnections, 500);
  t.equal(configFromEnv(loadEnv({ MAX_CONNECTIONS: '' })).maxConnections, defaultMaxConnections(10), 'empty: the default');
  t.throws(() => loadEnv({ MAX_CONNECTIONS: '0' }), /MAX_CONNECTIONS/, '0 would refuse every connection');
  t.throws(() => loadEnv({ MAX_CONNECTIONS: '1000001' }), /MAX_CONNECTIONS/);
  t.equal(configFromEnv(loadEnv({ PG_POOL_MAX: '44' })).maxConnections, defaultMaxConnections(44));
  t.equal(defaultConfig().maxConnections, defaultMaxConnections(10));

  const limits = 'Limit                     Soft Limit           Hard Limit           Units     \n' +
    'Max open files            4096                 524288               files     \n';
  t.equal(openFileLimit(limits), 4096, 'the soft limit (Node has raised it to the hard one by then)');
  t.equal(openFileLimit(limits.replace('4096 ', 'unlimited ')), 1024, 'unlimited: 1024 assumed');
  t.equal(openFileLimit(''), 1024, 'no /proc: 1024 assumed');
  t.equal(openFileLimit(), Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]), "this process's");
  t.equal(defaultMaxConnections(10, 4096), 4096 - 256 - 10);
  t.equal(defaultMaxConnections(10, 524_288), 10_000, 'at most 10,000 (memory, not descriptors, bounds it then)');
  t.equal(defaultMaxConnections(1_000, 1024), 1, 'at least 1');
});

t.test('TRUST_PROXY: false, true, a hop count, or addresses and ranges', async (t) => {
  const trust = (value: string) => loadEnv({ TRUST_PROXY: value }).TRUST_PROXY;
  t.equal(trust('false'), false);
  t.equal(trust('true'), true);
  t.equal(trust('2'), 2);
  t.same(trust('10.0.0.0/8, 192.168.1.1,::1,fd00::/8,loopback'), ['10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8', 'loopback']);
  for (const bad of ['yes', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', 'proxy.example.org', '10.0.0.0/x']) {
    t.throws(() => trust(bad), /TRUST_PROXY/, bad);
  }
});

t.test('defaultConfig: the defaults of an empty environment, with overrides', async (t) => {
  const config = defaultConfig({ databasePath: ':memory:', rateLimitMax: 5, logLevel: undefined });
  t.equal(config.databasePath, ':memory:');
  t.equal(config.rateLimitMax, 5);
  t.equal(config.logLevel, 'info', 'an undefined override keeps the default');
  t.equal(config.rateLimitExportMax, 20);
  t.equal(config.trustProxy, false);
  t.equal(config.logStream, undefined);
});

t.test('PUBLIC_URL: an absolute http(s) URL, without a trailing slash; by default http://HOST:PORT', async (t) => {
  const publicUrl = (env: NodeJS.ProcessEnv) => configFromEnv(loadEnv(env)).publicUrl;
  t.equal(publicUrl({}), 'http://127.0.0.1:3000');
  t.equal(publicUrl({ HOST: '0.0.0.0', PORT: '8080' }), 'http://0.0.0.0:8080');
  t.equal(publicUrl({ HOST: '::1' }), 'http://[::1]:3000', 'an IPv6 address in brackets');
  t.equal(publicUrl({ PUBLIC_URL: 'https://upr.example.org/' }), 'https://upr.example.org');
  t.equal(publicUrl({ PUBLIC_URL: 'https://UPR.example.org/api/' }), 'https://upr.example.org/api');
  for (const bad of ['upr.example.org', 'ftp://upr.example.org', 'javascript:alert(1)', 'https://x.org/?a=1', 'https://x.org/#top', '']) {
    t.throws(() => loadEnv({ PUBLIC_URL: bad }), /PUBLIC_URL/, bad);
  }
  t.equal(defaultConfig().publicUrl, 'http://127.0.0.1:3000');
});

t.test("the README's tables of variables name every setting, each with its default, and no other", async (t) => {
  // Rows of the tables headed "| variable | default | meaning |" (Configuration, Curation › Limits): `A`, `B` | `1`, `2` | …
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const documented = new Map<string, string>();
  for (const table of readme.split('| variable | default | meaning |').slice(1)) {
    for (const row of table.split('\n').slice(2)) {
      if (!row.startsWith('|')) break;
      const [names = '', defaults = ''] = row.split(' | ');
      const values = [...defaults.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
      [...names.matchAll(/`([A-Z_]+)`/g)].forEach((m, i) => documented.set(m[1]!, values[i] ?? values[0] ?? defaults.trim()));
    }
  }
  const defaults = loadEnv({}) as Record<string, unknown>;
  // Defaults that are no value of their own: what the README says instead.
  const unset: Record<string, string> = {
    DATABASE_URL: '(none: SQLite)',
    PUBLIC_URL: 'http://HOST:PORT',
    MAX_CONNECTIONS: '(the open-file limit less 256 and PG_POOL_MAX, at most 10000)',
    MAX_CONNECTIONS_PER_ADDRESS: '(a quarter of MAX_CONNECTIONS, at most 256; behind TRUST_PROXY, MAX_CONNECTIONS)',
    MAX_CONCURRENT_EXPORTS: '8 (PostgreSQL: half of PG_POOL_MAX, at least 1)',
  };
  t.same([...documented.keys()].sort(), Object.keys(configSchema.shape).sort(), 'the same variables');
  for (const [name, text] of documented) t.equal(text, unset[name] ?? String(defaults[name]), `${name}'s default`);
});
