import t from 'tap';
import { z } from 'zod';
import { checkedSerializerCompiler, jsonSerializerCompiler } from '../src/http/responses.js';
import { buildTestApp, getJson } from './helpers.js';

// Responses are serialized as handlers shape them; in tests, every response is first checked against its
// route's zod schema (test/helpers.ts builds the app with checkResponses), so that a handler whose output
// drifts from the schema (and so from openapi.yaml) fails the suite.

const schema = z.object({ id: z.string(), count: z.number().int(), note: z.string().nullable() });
const route = { method: 'GET', url: '/x', httpStatus: '200' };

t.test('the serializer writes what the handler shaped', async (t) => {
  const serialize = jsonSerializerCompiler({ schema, ...route });
  t.equal(serialize({ id: 'a', count: 1, note: null }), '{"id":"a","count":1,"note":null}');
});

t.test('the checking serializer: the same JSON when the response matches its schema, else an error', async (t) => {
  const serialize = checkedSerializerCompiler({ schema, ...route });
  t.equal(serialize({ id: 'a', count: 1, note: null }), '{"id":"a","count":1,"note":null}');
  t.equal(serialize({ note: 'n', count: 2, id: 'b' }), '{"note":"n","count":2,"id":"b"}', 'key order aside');
  t.throws(() => serialize({ id: 'a', count: 1, note: null, secret: 'x' }), /GET \/x 200: the response does not match its schema: encodes to/, 'a field the schema would strip');
  t.throws(() => serialize({ id: 'a', count: 1.5, note: null }), /does not match its schema/, 'a value the schema refuses');
  t.throws(() => serialize({ id: 'a', count: 1 }), /does not match its schema/, 'a field missing');

  // As Fastify passes a schema declared per media type (`content`): the zod schema under `properties`.
  const declared = checkedSerializerCompiler({ schema: { properties: schema }, ...route });
  t.throws(() => declared({ id: 1 }), /does not match its schema/);
  t.equal(declared({ id: 'c', count: 3, note: null }), '{"id":"c","count":3,"note":null}');
});

t.test('a record read alone has every field of its list item, with the same values', async (t) => {
  const app = await buildTestApp(t);
  for (const resource of ['recommendations', 'states', 'reviews', 'developments', 'statements', 'assessments', 'sources']) {
    const items = (await getJson(app, `/v1/${resource}?limit=5`)).body.data as Record<string, unknown>[];
    t.ok(items.length > 0, `${resource}: items to compare`);
    for (const item of items) {
      const { response, body } = await getJson(app, `/v1/${resource}/${encodeURIComponent(String(item.id))}`);
      t.equal(response.statusCode, 200);
      const differing = Object.keys(item).filter((key) => JSON.stringify(body[key]) !== JSON.stringify(item[key]));
      t.same(differing, [], `${resource}/${item.id}: the list item's fields, as the list gives them`);
    }
  }
});
