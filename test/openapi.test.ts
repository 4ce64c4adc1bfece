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
