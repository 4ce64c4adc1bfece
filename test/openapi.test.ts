import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { generateOpenApiYaml } from '../src/http/openapi-document.js';
import { buildTestApp } from './helpers.js';
import { mintKey, send } from './curation-helpers.js';
import { breakingChanges } from './support/openapi-breaks.js';

// backendNeutral: false — the document is generated from the schemas and served as it is: the app here reads
// no database (but to store the creates' examples, which the write tests cover on both backends), so npm test's
// PostgreSQL pass (test/support/suites.mjs) leaves this file out.

const COMMITTED_YAML = readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8');
/** The committed document, parsed once (parsing its YAML was a fifth of this file's CPU, each time). */
const COMMITTED = parse(COMMITTED_YAML);

t.test('the committed openapi.yaml is what the code generates (run `npm run openapi` after changing a schema)', async (t) => {
  t.equal(await generateOpenApiYaml(), COMMITTED_YAML);
});

t.test('the service serves its OpenAPI document and Swagger UI', async (t) => {
  const app = await buildTestApp(t);
  const committed = COMMITTED;

  const json = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(json.statusCode, 200);
  t.same(json.json(), committed);

  const yaml = await app.inject({ method: 'GET', url: '/openapi.yaml' });
  t.equal(yaml.statusCode, 200);
  t.match(yaml.headers['content-type'], /^application\/yaml/);
  t.same(parse(yaml.body), committed);

  const docs = await app.inject({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200);
  t.match(docs.headers['content-type'], /text\/html/);
});

t.test("every create's example is stored on a seeded database (Swagger UI's Try it out sends it as it is)", async (t) => {
  const app = await buildTestApp(t);
  const admin = mintKey(app, 'admin', 'admin');
  const schemas = COMMITTED.components.schemas as Record<string, { example?: unknown }>;
  let sent = 0;
  for (const [path, item] of Object.entries(COMMITTED.paths as Record<string, { post?: { requestBody?: { content: Record<string, { schema?: { $ref?: string } }> } } }>)) {
    const schema = item.post?.requestBody?.content['application/json']?.schema;
    const example = schema?.$ref === undefined ? undefined : schemas[schema.$ref.split('/').pop()!]?.example;
    if (example === undefined) continue;
    const { response } = await send(app, 'POST', path, { key: admin, body: example });
    t.equal(response.statusCode, 201, `POST ${path}: ${response.body.slice(0, 300)}`);
    sent++;
  }
  t.ok(sent >= 5, `${sent} creates`);
});

t.test("a record's timestamp or day has its format, as Swagger UI and generated clients read it", async (t) => {
  const unformatted: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') return;
    const schema = node as { type?: string; format?: string; description?: string };
    if (schema.type === 'string' && schema.format === undefined && /ISO 8601, UTC|\(YYYY-MM-DD\)/.test(schema.description ?? '')) unformatted.push(path);
    for (const [key, value] of Object.entries(node)) walk(value, `${path}.${key}`);
  };
  walk(COMMITTED.components.schemas, '');
  t.same(unformatted, [], 'each says date-time or date');
});

t.test("behind a proxy that strips PUBLIC_URL's path, /docs loads its files and sends \"Try it out\" through it", async (t) => {
  const app = await buildTestApp(t, { publicUrl: 'https://upr.example.org/api' });
  // Without the trailing slash the page names its files by absolute paths: they must start with the public path.
  const page = await app.inject({ method: 'GET', url: '/docs' });
  const files = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  t.ok(files.length >= 5);
  for (const file of files) t.match(file, /^\/api\/docs\/static\//, file);
  const { servers: committedServers, ...committed } = COMMITTED;
  t.same(committedServers.map((s: { url: string }) => s.url), ['/'], 'the committed document keeps "/"');
  for (const url of ['/docs/json', '/openapi.json', '/openapi.yaml']) {
    const response = await app.inject({ method: 'GET', url });
    const { servers, ...rest } = url.endsWith('yaml') ? parse(response.body) : response.json();
    t.same(servers, [{ ...committedServers[0], url: '/api' }], `${url}: its server is the public path`);
    t.same(rest, committed, `${url}: the rest as committed`);
  }
});

t.test("every read of one record has its {id}'s example, and the example answers 200 on a new database (Swagger UI's Try it out)", async (t) => {
  const app = await buildTestApp(t);
  let asked = 0;
  for (const [path, item] of Object.entries(COMMITTED.paths as Record<string, { get?: { parameters?: { in: string; example?: string }[] } }>)) {
    const id = item.get?.parameters?.find((p) => p.in === 'path');
    if (id === undefined) continue;
    t.type(id.example, 'string', `${path}: an example`);
    const response = await app.inject({ method: 'GET', url: path.replace('{id}', encodeURIComponent(id.example!)) });
    t.equal(response.statusCode, 200, `${path} with ${id.example}`);
    asked++;
  }
  t.ok(asked >= 15, `${asked} operations`);
});

t.test('every operation is documented with an id, a summary, and its problem responses', async (t) => {
  const spec = COMMITTED;
  t.equal(spec.openapi, '3.1.0');
  for (const [path, item] of Object.entries<Record<string, any>>(spec.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      t.ok(operation.operationId, `${name} has an operationId`);
      t.ok(operation.summary, `${name} has a summary`);
      for (const parameter of operation.parameters ?? []) {
        t.ok(parameter.description, `${name} parameter ${parameter.name} is described`);
      }
      if (path.startsWith('/v1/')) {
        t.ok(operation.responses['400']?.content?.['application/problem+json'], `${name} declares its 400 problem`);
      }
      if (path.includes('{')) {
        t.ok(operation.responses['404']?.content?.['application/problem+json'], `${name} declares its 404 problem`);
      }
    }
  }
});

t.test('every 429 and 503 declares Retry-After, and every 503 Access-Control-Allow-Origin (both sent: test/hardening, database-busy, export-limits, import-slots)', async (t) => {
  const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
  let declared = 0;
  for (const [path, item] of Object.entries<Record<string, any>>(COMMITTED.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      for (const status of ['429', '503'].filter((s) => operation.responses?.[s])) {
        const headers = operation.responses[status].headers;
        t.same(headers?.['Retry-After'], header('Retry-After'), `${method} ${path} ${status} Retry-After`);
        t.same(headers?.['Access-Control-Allow-Origin'], header('Access-Control-Allow-Origin'), `${method} ${path} ${status} CORS`);
        declared += 1;
      }
    }
  }
  t.ok(declared > 0);
  t.ok(COMMITTED.paths['/v1/imports'].post.responses['503'], "the import's 503 is among them");
  t.ok(COMMITTED.paths['/readyz'].get.responses['503'], "and readiness's");
});

t.test('every write declares its 507 (a full database: test/database-full), with CORS and its request id, without Retry-After', async (t) => {
  const writes = ['post', 'put', 'patch', 'delete'];
  for (const [path, item] of Object.entries<Record<string, any>>(COMMITTED.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const full = operation.responses?.['507'];
      t.equal(Boolean(full), writes.includes(method), `${method} ${path}`);
      if (!full) continue;
      t.match(full.description, /no room left for this write \(nothing was changed\)/);
      t.same(Object.keys(full.headers ?? {}), ['Access-Control-Allow-Origin', 'X-Request-Id'], `${method} ${path} headers`);
    }
  }
});

t.test('every operation load shedding reaches (all but /healthz: test/hardening) declares its 503 problem and says why', async (t) => {
  const causes = { shed: 0, exports: 0, busy: 0, read: 0 };
  for (const [path, item] of Object.entries<Record<string, any>>(COMMITTED.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      const unavailable = operation.responses['503'];
      if (path === '/healthz') {
        t.notOk(unavailable, `${name}: liveness is never shed`);
        continue;
      }
      t.ok(unavailable?.content?.['application/problem+json'], `${name} declares its 503 problem`);
      t.match(unavailable?.description, /overloaded/, `${name}: its 503 says load shedding may answer it`);
      t.match(unavailable?.description, /`Retry-After` seconds/, `${name}: and when to retry`);
      causes.shed += 1;
      // A list that streams exports (its 200 offers NDJSON) is refused when every export slot is taken.
      if (operation.responses['200']?.content?.['application/x-ndjson']) {
        t.match(unavailable.description, /export slot is taken/, `${name}: its 503 says a full export slot`);
        causes.exports += 1;
      }
      // A read of the data may find PostgreSQL unreachable or past PG_READ_TIMEOUT_MS (src/http/problem.ts).
      if (method === 'get' && path.startsWith('/v1/')) {
        t.match(unavailable.description, /cannot be reached \(restarting\) or took longer than its read timeout \(`PG_READ_TIMEOUT_MS`/, `${name}: its 503 says the database's`);
        causes.read += 1;
      }
      // A write may find the database busy (src/db/busy.ts).
      if (method !== 'get') {
        t.match(unavailable.description, /database is busy/, `${name}: its 503 says a busy database`);
        causes.busy += 1;
      }
    }
  }
  t.same(causes, { shed: 52, exports: 7, busy: 23, read: 28 }, 'every operation but liveness; the seven lists; every write; every read of the data');
  t.match(COMMITTED.paths['/readyz'].get.responses['503'].description, /^Not ready \(the database does not answer, migrations are pending, or its SQLite file was removed or replaced\)/);
  t.notMatch(COMMITTED.paths['/v1/stats/recommendations'].get.responses['503'].description, /export/, 'a CSV of stats is no streamed export');
});

// Clients written against an earlier openapi.yaml (an NGO's dashboard, an R script): what they send must still be
// accepted and what they read still be there. Every incompatible difference from the published documents below
// and from the last committed one must be listed in docs/api-changes.md, with what changed and what a client does.
// The first full release and the last document before each day's renames (the first published one, ca70493, and
// f968e73 add no difference of their own), then the last committed one unless it is this one.
const RELEASES = ['edac101', '8ed0de0', '1649512', 'HEAD'];
const inHistory = (commit: string) => spawnSync('git', ['cat-file', '-e', `${commit}:openapi.yaml`], { stdio: 'ignore' }).status === 0;
// A copy without the history (an archive, a shallow clone) cannot compare; a clone of the repository always does.
const noHistory = !RELEASES.every(inHistory) && 'the published openapi.yaml documents are not in this copy (no git history)';

t.test('every incompatible change since earlier releases is listed in docs/api-changes.md (test/support/openapi-breaks.ts)', { skip: noHistory }, async (t) => {
  const changelog = readFileSync(new URL('../docs/api-changes.md', import.meta.url), 'utf8');
  const listed = new Set([...changelog.matchAll(/^- `([A-Z_]+ .+)`$/gm)].map((m) => m[1]!));
  const found = new Set<string>();
  for (const commit of RELEASES) {
    const text = execFileSync('git', ['show', `${commit}:openapi.yaml`], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (text === COMMITTED_YAML) continue;
    // Without the duplicate-key check, parsing takes half the time (these documents were generated, never hand-written).
    const earlier = parse(text, { uniqueKeys: false, prettyErrors: false });
    for (const change of breakingChanges(earlier, COMMITTED)) {
      found.add(change);
      if (!listed.has(change)) t.fail(`${commit}: not in docs/api-changes.md: ${change}`);
    }
  }
  t.same([...listed].filter((entry) => !found.has(entry)), [], 'and every listed entry is still a difference (a stale entry is removed)');
  t.ok(found.size >= 80, `${found.size} listed differences`);
});

t.test('the break finder sees a removed field, parameter, enum value and a newly required one', async (t) => {
  const spec = (query: object, field: object, required: string[]) => ({
    paths: { '/x/{id}': { get: { parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }, query], responses: { '200': { content: { 'application/json': { schema: { type: 'object', required, properties: field } } } } } } } },
  });
  const before = spec({ in: 'query', name: 'kind', schema: { type: 'string', enum: ['a', 'b'] } }, { a: { type: 'string' }, b: { type: 'integer' } }, ['a']);
  const after = spec({ in: 'query', name: 'kind', schema: { type: 'string', enum: ['a'] } }, { b: { type: ['integer', 'null'] } }, []);
  t.same(breakingChanges(before, after), [
    'REQUEST_ENUM_REMOVED GET /x/{id} query:kind: "b"',
    'RESPONSE_FIELD_REMOVED GET /x/{id} 200(application/json).a',
    'RESPONSE_TYPE GET /x/{id} 200(application/json).b: null not in [number]',
  ]);
  const renamed = { paths: { '/x/{key}': { get: { ...after.paths['/x/{id}'].get, parameters: [{ in: 'path', name: 'key', required: true, schema: { type: 'string' } }, { in: 'query', name: 'kind', required: true, schema: { type: 'string' } }] } } } };
  t.same(breakingChanges(after, renamed), ['PARAMETER_REQUIRED GET /x/{id} query:kind'], 'a renamed path parameter is the same URL');
  t.same(breakingChanges(before, { paths: {} }), ['OPERATION_REMOVED GET /x/{id}']);
  const csv = (columns: string[]) => ({
    paths: { '/x': { get: { responses: { '200': { content: { 'text/csv': { schema: { type: 'string', description: columns.map((c) => `| \`${c}\` | … |`).join('\n') } } } } } } } },
  });
  t.same(breakingChanges(csv(['id', 'a', 'b', 'c']), csv(['id', 'new', 'b', 'a'])), [
    'CSV_COLUMN_ORDER GET /x 200(text/csv)',
    'CSV_COLUMN_REMOVED GET /x 200(text/csv) c',
  ], 'a CSV column removed, and two swapped (a column added between is no break)');
});
