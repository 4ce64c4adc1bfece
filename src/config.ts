import { constants as bufferConstants } from 'node:buffer';
import { isIP } from 'node:net';
import { z } from 'zod';
import { quoteGiven } from './common/zod-messages.js';
import { FULL_TEXT_DEFAULTS } from './db/fulltext.js';
import { DEFAULT_PG_CONNECT_TIMEOUT_MS } from './db/pg/connect-timeout.js';
import { DEFAULT_PG_READ_TIMEOUT_MS, MIN_PG_READ_TIMEOUT_MS } from './db/pg/read-timeout.js';
import { databaseNameFault } from './db/pg/url.js';
import { defaultConnectionsPerAddress, defaultMaxConnections } from './http/connection-limit.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * A number from the environment, as its text: plain decimal digits (with a fraction where `fraction`), else a
 * message. z.coerce.number took 0x10 as 16, 1e3 as 1000, " 80" as 80, and an empty value as 0: PORT= listened
 * on a random port, REQUEST_TIMEOUT_MS= turned the timeout off. An empty value is the default, as when unset
 * (DATABASE_URL= alike): what `PORT=${PORT}` gives in a compose file or a unit when nothing is set.
 */
const envNumberOrUnset = (min: number, max: number, fraction = false) =>
  z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(
      z
        .string()
        .regex(fraction ? /^\d+(\.\d+)?$/ : /^\d+$/, fraction ? 'expected a decimal number such as 0.98 (digits 0-9 and a point)' : 'expected a whole number (digits 0-9)')
        .transform((text) => Math.min(Number(text), Number.MAX_VALUE)) // over 308 digits: too big, not Infinity
        .pipe(z.number().min(min).max(max))
        .optional(),
    );
const envNumber = (min: number, max: number, fallback: number, fraction = false) =>
  envNumberOrUnset(min, max, fraction).transform((value) => value ?? fallback);
const count = (fallback: number) => envNumber(0, Number.MAX_SAFE_INTEGER, fallback);
const atLeastOne = (fallback: number) => envNumber(1, Number.MAX_SAFE_INTEGER, fallback);

// proxy-addr's names for address ranges, accepted in TRUST_PROXY lists besides addresses and CIDR ranges.
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY: "false" (the default: the client address is the socket's), "true" (trust every proxy), a hop
 * count ("1": one proxy in front), or a comma-separated list of proxy addresses, CIDR ranges and the names
 * loopback, linklocal and uniquelocal.
 */
const trustProxySchema = z
  .string()
  .trim()
  .default('false')
  .transform((value, ctx): boolean | number | string[] => {
    if (value === 'true' || value === 'false') return value === 'true';
    if (/^\d{1,3}$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const wrong = entries.filter((entry) => !isProxyAddress(entry));
    if (wrong.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected true, false, a hop count or proxy addresses/CIDR ranges; not ${wrong.map((w) => JSON.stringify(w)).join(', ')}`,
      });
      return z.NEVER;
    }
    return entries;
  });

/** PUBLIC_URL: the absolute http(s) URL clients reach the API at, without a trailing slash, query or fragment. */
const publicUrlSchema = z
  .url({ protocol: /^https?$/ })
  .refine((value) => !/[?#]/.test(value), 'expected no query or fragment')
  .transform((value) => new URL(value).href.replace(/\/+$/, ''));

/** The URL a server listening on HOST:PORT answers at, as the default PUBLIC_URL. */
export function listenUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * DATABASE_URL: a postgres:// (or postgresql://) URL selects PostgreSQL; absent or empty, the service uses
 * SQLite at DATABASE_PATH. Only the scheme and a host are checked here; the server says the rest at connect.
 */
const databaseUrlSchema = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(
    z
      .url({
        protocol: /^postgres(ql)?$/,
        // A password holding "/", "?" or "#" as typed ends the host there: the URL does not parse (the value is never echoed).
        error: (issue) =>
          /^postgres(ql)?:\/\//i.test(String(issue.input))
            ? 'not a URL as written: percent-encode a user or password holding / ? # @ : % or a space (encodeURIComponent)'
            : 'expected a postgres:// or postgresql:// URL',
      })
      .refine((value) => !URL.canParse(value) || new URL(value).hostname !== '', 'expected a host: postgres://user@host:port/database')
      .refine((value) => databaseNameFault(value) === undefined, { error: (issue) => databaseNameFault(String(issue.input)) })
      .optional(),
  );

/** The largest file an import over HTTP takes by default (IMPORT_BODY_LIMIT_BYTES): ten times the largest Terman file. */
export const IMPORT_BODY_LIMIT_DEFAULT = 20 * 1024 * 1024;

export const configSchema = z.object({
  PORT: envNumber(0, 65535, 3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PATH: z.string().min(1).default('./data/upr-tracker.sqlite'),
  DATABASE_URL: databaseUrlSchema,
  PG_POOL_MAX: envNumber(1, 1_000, 10),
  PG_CONNECT_TIMEOUT_MS: envNumber(1, 600_000, DEFAULT_PG_CONNECT_TIMEOUT_MS),
  PG_READ_TIMEOUT_MS: envNumber(0, 3_600_000, DEFAULT_PG_READ_TIMEOUT_MS).refine(
    (ms) => ms === 0 || ms >= MIN_PG_READ_TIMEOUT_MS,
    `expected 0 (no limit) or at least ${MIN_PG_READ_TIMEOUT_MS} milliseconds: a shorter limit cuts even one-row reads, and every request is answered 503`,
  ),
  DATABASE_BUSY_TIMEOUT_MS: envNumber(0, 60_000, 5_000),
  DATABASE_OPEN_WAIT_MS: envNumber(0, 86_400_000, 900_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  TRUST_PROXY: trustProxySchema,
  // A JSON body is read as one string: a longer one threw in Fastify's reader and took the process down.
  BODY_LIMIT_BYTES: envNumber(1, bufferConstants.MAX_STRING_LENGTH, 1_048_576),
  REQUEST_TIMEOUT_MS: count(30_000),
  CONNECTION_TIMEOUT_MS: count(60_000),
  // Unset: derived from the process's open-file limit and PG_POOL_MAX (src/http/connection-limit.ts).
  MAX_CONNECTIONS: envNumberOrUnset(1, 1_000_000),
  // Unset: a quarter of MAX_CONNECTIONS, at most 256; MAX_CONNECTIONS behind TRUST_PROXY (src/http/connection-limit.ts).
  MAX_CONNECTIONS_PER_ADDRESS: envNumberOrUnset(1, 1_000_000),
  RATE_LIMIT_WINDOW_MS: atLeastOne(60_000),
  RATE_LIMIT_MAX: atLeastOne(300),
  RATE_LIMIT_KEY_MAX: atLeastOne(1_200),
  RATE_LIMIT_EXPORT_MAX: atLeastOne(20),
  MAX_EVENT_LOOP_DELAY_MS: count(1_000),
  MAX_EVENT_LOOP_UTILIZATION: envNumber(0, 1, 0, true),
  MAX_HEAP_USED_BYTES: count(0),
  MAX_RSS_BYTES: count(0),
  PRESSURE_SAMPLE_INTERVAL_MS: atLeastOne(1_000),
  PRESSURE_RETRY_AFTER_S: atLeastOne(10),
  SHUTDOWN_GRACE_MS: count(10_000),
  IMPORT_MAX_ZIP_ENTRIES: atLeastOne(1_000),
  IMPORT_MAX_INFLATED_BYTES: atLeastOne(32 * 1024 * 1024),
  IMPORT_MAX_XML_ELEMENTS: atLeastOne(250_000),
  IMPORT_MAX_XML_DEPTH: atLeastOne(64),
  IMPORT_MAX_ROWS: atLeastOne(50_000),
  IMPORT_MAX_CELL_CHARS: atLeastOne(20_000),
  FULL_TEXT_MAX_TERMS: atLeastOne(FULL_TEXT_DEFAULTS.maxTerms),
  FULL_TEXT_MIN_PREFIX: atLeastOne(FULL_TEXT_DEFAULTS.minPrefix),
  FULL_TEXT_MAX_COUNT: atLeastOne(FULL_TEXT_DEFAULTS.maxCount),
  // Unset: 8 on SQLite, half of PG_POOL_MAX on PostgreSQL (defaultMaxConcurrentExports).
  MAX_CONCURRENT_EXPORTS: envNumberOrUnset(1, Number.MAX_SAFE_INTEGER),
  EXPORT_MAX_SECONDS: atLeastOne(120),
  MAX_CONCURRENT_IMPORTS: atLeastOne(2),
  IMPORT_THREAD_MIN_BYTES: count(64 * 1024),
  // (0: V8's default for the thread, the service's own heap size: --max-old-space-size. The thread takes about
  // 45 MB of heap before it reads a file: less would refuse every file.)
  IMPORT_THREAD_MAX_HEAP_MB: envNumber(0, 1_048_576, 0).refine((mb) => mb === 0 || mb >= 64, 'expected 0 (V8\'s default) or at least 64'),
  // An imported file is held whole in one buffer: no more than one holds.
  IMPORT_BODY_LIMIT_BYTES: envNumber(1, bufferConstants.MAX_LENGTH, IMPORT_BODY_LIMIT_DEFAULT),
  PUBLIC_URL: publicUrlSchema.optional(),
});

export type Env = z.infer<typeof configSchema>;
export type LogLevel = Env['LOG_LEVEL'];
export type TrustProxy = Env['TRUST_PROXY'];

/** Where log lines go when not to stdout (tests capture them). */
export interface LogStream {
  write(line: string): unknown;
}

/** Abuse limits and timeouts; every one has an environment variable (see configFromEnv and the README). */
export interface Limits {
  /** Largest request body accepted (413 beyond). */
  bodyLimitBytes: number;
  /** Largest file an import over HTTP accepts, raw or in a form (413 beyond; POST /v1/imports only). */
  importBodyLimitBytes: number;
  /** Time allowed to receive a whole request (0: none). */
  requestTimeoutMs: number;
  /** A socket idle for this long is closed (0: never). */
  connectionTimeoutMs: number;
  /** Connections open at once; one more is closed as soon as it is accepted (src/http/connection-limit.ts). */
  maxConnections: number;
  /** Connections open at once from one client address (the socket's: behind a proxy, the proxy's). */
  maxConnectionsPerAddress: number;
  rateLimitWindowMs: number;
  /** Requests per window from one client address without an API key. */
  rateLimitMax: number;
  /** Requests per window with one valid API key. */
  rateLimitKeyMax: number;
  /** Export requests (CSV, NDJSON) per window, per key or per address, counted apart from the others. */
  rateLimitExportMax: number;
  /** Streamed exports (CSV, NDJSON) running at once; one more is a 503 with Retry-After. */
  maxConcurrentExports: number;
  /** How long one streamed export may run (and hold its read snapshot) before its connection is ended. */
  exportMaxSeconds: number;
  /** Imports (POST /v1/imports) running at once; one more is a 503 with Retry-After (src/import/slots.ts). */
  maxConcurrentImports: number;
  /**
   * A file of at least this many bytes is imported in a worker thread, and the service answers meanwhile
   * (src/import/import-thread.ts); a smaller one in the request's thread (0: every file in the worker).
   */
  importThreadMinBytes: number;
  /**
   * The import thread's V8 heap, in MB (0: V8's default, as the service's own): an import that needs more is
   * a 413, and the serving thread's heap is not touched.
   */
  importThreadMaxHeapMb: number;
  /** Load shedding (503): the thresholds of @fastify/under-pressure; 0 turns a check off. */
  maxEventLoopDelayMs: number;
  maxEventLoopUtilization: number;
  maxHeapUsedBytes: number;
  maxRssBytes: number;
  pressureSampleIntervalMs: number;
  pressureRetryAfterSeconds: number;
  /** Full text (q): most words, fewest characters before a *, most matches counted (src/db/fulltext.ts). */
  fullTextMaxTerms: number;
  fullTextMinPrefix: number;
  fullTextMaxCount: number;
  /** What one imported file may cost (413 beyond; see ImportLimits). */
  importLimits: ImportLimits;
}

/** Bounds on the work one imported file may cause: beyond one, the file is refused and nothing is written. */
export interface ImportLimits {
  /** Entries in a .docx's zip directory. */
  maxZipEntries: number;
  /** Bytes inflated from a .docx, all the parts read together (checked before inflating, enforced while). */
  maxInflatedBytes: number;
  /** XML elements in the parts read from a .docx, together. */
  maxXmlElements: number;
  /** How deep XML elements may nest. */
  maxXmlDepth: number;
  /** Rows of a CSV file or of a matrix table. */
  maxRows: number;
  /** Characters in one CSV cell (and one line). */
  maxCellChars: number;
}

export interface AppConfig extends Partial<Limits> {
  databasePath: string;
  /** PostgreSQL instead of SQLite when set (DATABASE_URL; see src/db/pg/). */
  databaseUrl?: string;
  /** Most connections in the PostgreSQL pool. */
  pgPoolMax?: number;
  /** How long opening a PostgreSQL connection may take before it is given up (src/db/pg/connect-timeout.ts). */
  pgConnectTimeoutMs?: number;
  /** How long one statement of a PostgreSQL read may run before it is cancelled, a 503 (0: no limit; src/db/pg/read-timeout.ts). */
  pgReadTimeoutMs?: number;
  /**
   * How long a SQLite write waits for another process's write lock (an `npm run import`, say) before the
   * request is answered 503 with Retry-After. The write waits asynchronously (src/db/write-gate.ts).
   */
  databaseBusyTimeoutMs?: number;
  /**
   * How long the start waits for another process's write lock (SQLite) or another instance's work (PostgreSQL)
   * when the database has to be migrated or brought up to date, before it gives up saying why.
   */
  databaseOpenWaitMs?: number;
  logLevel: LogLevel;
  trustProxy?: TrustProxy;
  /** The absolute URL of the API root, for the absolute URLs in responses (never taken from the Host header). */
  publicUrl?: string;
  /** How long in-flight requests may run on after SIGTERM/SIGINT/SIGHUP before the server stops anyway. */
  shutdownGraceMs?: number;
  /** Log destination; stdout when absent. */
  logStream?: LogStream;
  /** Tests: check every response against its zod schema (src/http/responses.ts). */
  checkResponses?: boolean;
}

export type ResolvedConfig = Required<Omit<AppConfig, 'logStream' | 'checkResponses' | 'databaseUrl'>> &
  Pick<AppConfig, 'logStream' | 'checkResponses' | 'databaseUrl'>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * A setting's message with its value as set (a number as written, not as read: 400 nines were read as 1.8e308),
 * but DATABASE_URL's, which may hold a password.
 */
function withValueSet(message: string, name: string, env: NodeJS.ProcessEnv): string {
  const value = env[name];
  if (value === undefined || name === 'DATABASE_URL') return message;
  return `${message.replace(/, given .*$/s, '')}, given ${quoteGiven(value)}`;
}

// Reads the environment once, at start-up; an invalid value stops the service with a message naming it.
export function loadEnv(env: NodeJS.ProcessEnv): Env {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${withValueSet(i.message, String(i.path[0]), env)}`).join('\n');
    throw new ConfigError(`Invalid environment:\n${problems}`);
  }
  return result.data;
}

/** A command's configuration, or undefined once it has said on `err` what is wrong with the environment. */
export function commandConfig(env: NodeJS.ProcessEnv, err: (text: string) => void): ResolvedConfig | undefined {
  try {
    return configFromEnv(loadEnv(env));
  } catch (error) {
    err(`${(error as ConfigError).message}\n`);
    return undefined;
  }
}

/** The configuration an environment describes. */
export function configFromEnv(env: Env): ResolvedConfig {
  return {
    databasePath: env.DATABASE_PATH,
    ...(env.DATABASE_URL === undefined ? {} : { databaseUrl: env.DATABASE_URL }),
    pgPoolMax: env.PG_POOL_MAX,
    pgConnectTimeoutMs: env.PG_CONNECT_TIMEOUT_MS,
    pgReadTimeoutMs: env.PG_READ_TIMEOUT_MS,
    databaseBusyTimeoutMs: env.DATABASE_BUSY_TIMEOUT_MS,
    databaseOpenWaitMs: env.DATABASE_OPEN_WAIT_MS,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    publicUrl: env.PUBLIC_URL ?? listenUrl(env.HOST, env.PORT),
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    importBodyLimitBytes: env.IMPORT_BODY_LIMIT_BYTES,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: env.CONNECTION_TIMEOUT_MS,
    maxConnections: env.MAX_CONNECTIONS ?? defaultMaxConnections(env.PG_POOL_MAX),
    maxConnectionsPerAddress:
      env.MAX_CONNECTIONS_PER_ADDRESS ?? defaultConnectionsPerAddress(env.MAX_CONNECTIONS ?? defaultMaxConnections(env.PG_POOL_MAX), env.TRUST_PROXY),
    rateLimitWindowMs: env.RATE_LIMIT_WINDOW_MS,
    rateLimitMax: env.RATE_LIMIT_MAX,
    rateLimitKeyMax: env.RATE_LIMIT_KEY_MAX,
    rateLimitExportMax: env.RATE_LIMIT_EXPORT_MAX,
    maxConcurrentExports: env.MAX_CONCURRENT_EXPORTS ?? defaultMaxConcurrentExports(env.DATABASE_URL !== undefined, env.PG_POOL_MAX),
    exportMaxSeconds: env.EXPORT_MAX_SECONDS,
    maxConcurrentImports: env.MAX_CONCURRENT_IMPORTS,
    importThreadMinBytes: env.IMPORT_THREAD_MIN_BYTES,
    importThreadMaxHeapMb: env.IMPORT_THREAD_MAX_HEAP_MB,
    maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: env.MAX_EVENT_LOOP_UTILIZATION,
    maxHeapUsedBytes: env.MAX_HEAP_USED_BYTES,
    maxRssBytes: env.MAX_RSS_BYTES,
    pressureSampleIntervalMs: env.PRESSURE_SAMPLE_INTERVAL_MS,
    pressureRetryAfterSeconds: env.PRESSURE_RETRY_AFTER_S,
    importLimits: {
      maxZipEntries: env.IMPORT_MAX_ZIP_ENTRIES,
      maxInflatedBytes: env.IMPORT_MAX_INFLATED_BYTES,
      maxXmlElements: env.IMPORT_MAX_XML_ELEMENTS,
      maxXmlDepth: env.IMPORT_MAX_XML_DEPTH,
      maxRows: env.IMPORT_MAX_ROWS,
      maxCellChars: env.IMPORT_MAX_CELL_CHARS,
    },
    fullTextMaxTerms: env.FULL_TEXT_MAX_TERMS,
    fullTextMinPrefix: env.FULL_TEXT_MIN_PREFIX,
    fullTextMaxCount: env.FULL_TEXT_MAX_COUNT,
  };
}

// The defaults, parsed once (a test run builds hundreds of apps; configFromEnv makes a new configuration each time).
let emptyEnv: Env | undefined;

/** A complete configuration: the defaults of an empty environment, with the given values on top. */
export function defaultConfig(overrides: Partial<AppConfig> = {}): ResolvedConfig {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  emptyEnv ??= loadEnv({});
  const resolved: ResolvedConfig = { ...configFromEnv(emptyEnv), ...defined };
  if (overrides.maxConnectionsPerAddress === undefined) {
    resolved.maxConnectionsPerAddress = defaultConnectionsPerAddress(resolved.maxConnections, resolved.trustProxy);
  }
  if (overrides.maxConcurrentExports === undefined) {
    resolved.maxConcurrentExports = defaultMaxConcurrentExports(resolved.databaseUrl !== undefined, resolved.pgPoolMax);
  }
  return resolved;
}

/**
 * Streamed exports at once unless MAX_CONCURRENT_EXPORTS says: 8 on SQLite; on PostgreSQL half the pool (at least
 * one), since each export holds a pool connection in an open transaction for its whole stream: 8 slow exports of a
 * pool of 10 left 2 connections for every other request.
 */
export function defaultMaxConcurrentExports(onPostgres: boolean, pgPoolMax: number): number {
  return onPostgres ? Math.max(1, Math.floor(pgPoolMax / 2)) : 8;
}

/** On PostgreSQL, why the export slots may leave other requests too few pool connections (undefined: they leave half). */
export function exportSlotsWarning(config: Pick<ResolvedConfig, 'databaseUrl' | 'pgPoolMax' | 'maxConcurrentExports'>): string | undefined {
  const { databaseUrl, pgPoolMax, maxConcurrentExports } = config;
  if (databaseUrl === undefined || maxConcurrentExports <= Math.floor(pgPoolMax / 2)) return undefined;
  const left = Math.max(0, pgPoolMax - maxConcurrentExports);
  return (
    `MAX_CONCURRENT_EXPORTS (${maxConcurrentExports}) is more than half of PG_POOL_MAX (${pgPoolMax}): each export holds a pool ` +
    `connection while it streams, so slow exports may leave ${left} for every other request, which then wait. ` +
    `Lower MAX_CONCURRENT_EXPORTS (unset: half the pool) or raise PG_POOL_MAX to at least ${2 * maxConcurrentExports}.`
  );
}

/** Says exportSlotsWarning's warning, if any, at start. */
export function warnOfExportSlots(config: Parameters<typeof exportSlotsWarning>[0], log: { warn(message: string): void }): void {
  const warning = exportSlotsWarning(config);
  if (warning !== undefined) log.warn(warning);
}
