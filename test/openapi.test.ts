import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { generateOpenApiYaml } from '../src/http/openapi-document.js';
import { buildTestApp } from './helpers.js';

// backendNeutral: false — the document is generated from the schemas and served as it is: the app here reads
// no database, so npm test's PostgreSQL pass (test/support/suites.mjs) leaves this file out.

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

t.test('every write declares its 507 (a full database: test/database-full), with CORS and without Retry-After', async (t) => {
  const writes = ['post', 'put', 'patch', 'delete'];
  for (const [path, item] of Object.entries<Record<string, any>>(COMMITTED.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const full = operation.responses?.['507'];
      t.equal(Boolean(full), writes.includes(method), `${method} ${path}`);
      if (!full) continue;
      t.match(full.description, /no room left for this write \(nothing was changed\)/);
      t.same(Object.keys(full.headers ?? {}), ['Access-Control-Allow-Origin'], `${method} ${path} headers`);
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
  t.match(COMMITTED.paths['/readyz'].get.responses['503'].description, /^Not ready \(the database does not answer, or migrations are pending\)/);
  t.notMatch(COMMITTED.paths['/v1/stats/recommendations'].get.responses['503'].description, /export/, 'a CSV of stats is no streamed export');
});
