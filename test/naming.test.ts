import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { developmentCsvColumns } from '../src/developments/csv.js';
import { recommendationCsvColumns } from '../src/recommendations/csv.js';
import { reviewCsvColumns } from '../src/reviews/csv.js';
import { statementCsvColumns } from '../src/statements/csv.js';
import { stateCsvColumns } from '../src/states/csv.js';

// The naming conventions of README ("Naming conventions"), checked on the generated OpenAPI document and the
// CSV columns, so that a new field or column that breaks them fails here.

type Schema = Record<string, any>;
const spec = parse(readFileSync(new URL('../openapi.yaml', import.meta.url), 'utf8'));
const schemas: Record<string, Schema> = spec.components.schemas;
const LABEL = '#/components/schemas/Label';
const LABEL_LISTS = new Set(['themes', 'sdgs', 'affectedPersons']);

/** Every object schema in the document with where it is, components and inline schemas of paths alike. */
function objectSchemas(): { at: string; schema: Schema; input: boolean }[] {
  const found: { at: string; schema: Schema; input: boolean }[] = [];
  const walk = (node: unknown, at: string, input: boolean) => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}[${i}]`, input));
    if (node === null || typeof node !== 'object') return;
    const schema = node as Schema;
    if (schema.properties && typeof schema.properties === 'object') found.push({ at, schema, input });
    for (const [key, value] of Object.entries(schema)) {
      walk(value, `${at}/${key}`, input || key === 'requestBody');
    }
  };
  for (const [name, schema] of Object.entries(schemas)) walk(schema, `#/components/schemas/${name}`, name.endsWith('Input'));
  walk(spec.paths, '#/paths', false);
  return found;
}

const all = objectSchemas();

t.test('the walk sees the resources and inputs it is meant to check', async (t) => {
  t.ok(all.length > 50, `${all.length} object schemas`);
  t.ok(all.some((s) => s.input) && all.some((s) => !s.input));
  for (const name of ['RecommendationListItem', 'RecommendationDetail', 'Development', 'Statement', 'Review', 'State', 'AssessmentRecord']) {
    t.ok(schemas[name], `${name} is a component`);
  }
});

t.test('no field uses a retired name: state, code, or source as a single object', async (t) => {
  for (const { at, schema } of all) {
    for (const [name, property] of Object.entries<Schema>(schema.properties)) {
      t.notOk(name === 'state', `${at}.${name}: the state a record is about is stateUnderReview`);
      t.notOk(/^code$|Code$/.test(name), `${at}.${name}: an identifier is id (or <name>Id)`);
      // (A label's `source`, who attached it, is a word: only a cited source is an object, and those are lists.)
      const isObject = JSON.stringify(property).includes('"$ref"') || JSON.stringify(property).includes('"properties"');
      t.notOk(name === 'source' && isObject, `${at}.${name}: sources are a list named sources`);
      if (name === 'sources') t.equal(property.type, 'array', `${at}.sources is a list`);
    }
  }
});

t.test('every list of themes, SDGs or affected persons in an answer is a list of Label objects', async (t) => {
  let checked = 0;
  for (const { at, schema, input } of all) {
    for (const [name, property] of Object.entries<Schema>(schema.properties)) {
      if (!LABEL_LISTS.has(name)) continue;
      t.equal(property.type, 'array', `${at}.${name} is a list`);
      if (input) {
        t.equal(property.items?.type, 'string', `${at}.${name}: a request body gives label ids`);
      } else {
        t.equal(property.items?.$ref, LABEL, `${at}.${name} items are the Label schema`);
        checked++;
      }
    }
  }
  t.ok(checked >= 5, `${checked} label lists in answers`);
  t.same(Object.keys(schemas.Label!.properties), ['id', 'label', 'scheme', 'source', 'confidence']);
  t.same(schemas.Label!.required, ['id', 'label', 'scheme', 'source', 'confidence']);
});

t.test('every embedded state is a StateRef {id, name}, and every source a Source', async (t) => {
  t.same(Object.keys(schemas.StateRef!.properties), ['id', 'name']);
  // A recommendation's sources are Sources with what each printed about it (its `reading`), after the same fields.
  t.same(Object.keys(schemas.RecommendationSource!.properties), [...Object.keys(schemas.Source!.properties), 'reading']);
  const sourceOf = (at: string) =>
    /^#\/components\/schemas\/Recommendation(Detail|ListItem)?$/.test(at)
      ? '#/components/schemas/RecommendationSource'
      : '#/components/schemas/Source';
  for (const { at, schema, input } of all) {
    for (const [name, property] of Object.entries<Schema>(schema.properties)) {
      if (input) continue;
      if (name === 'stateUnderReview' && property.type !== 'string') {
        t.equal(property.$ref, '#/components/schemas/StateRef', `${at}.${name}`);
      }
      if (name === 'recommendingStates') t.equal(property.items?.$ref, '#/components/schemas/StateRef', `${at}.${name}`);
      if (name === 'sources') t.equal(property.items?.$ref, sourceOf(at), `${at}.${name}`);
    }
  }
});

t.test('every record a route answers has an id: details, list items and write answers', async (t) => {
  const resolve = (schema: Schema): Schema =>
    schema.$ref ? resolve(schemas[schema.$ref.replace('#/components/schemas/', '')]!) : schema;
  let checked = 0;
  for (const [path, item] of Object.entries<Record<string, any>>(spec.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const body = operation.responses?.['200']?.content?.['application/json']?.schema ??
        operation.responses?.['201']?.content?.['application/json']?.schema;
      if (!body || path.includes('/stats/') || path.endsWith('/summary') || path.startsWith('/v1/imports')) continue;
      const answer = resolve(body);
      const data = answer.properties?.data;
      const record = data ? resolve(data.items ?? {}) : answer;
      if (!record.properties || path.startsWith('/healthz') || path.startsWith('/readyz')) continue;
      t.ok(record.properties.id, `${method.toUpperCase()} ${path}: its records have an id`);
      checked++;
    }
  }
  t.ok(checked >= 20, `${checked} operations`);
});

t.test('dates and times are named by what they hold', async (t) => {
  const DAY_OR_TIME = /[dD]ate(?!d)|[tT]ime|At$|On$|^at$/;
  const ALLOWED = /^(at|[a-z]+At|[a-z]+On|date|[a-z]+Date|datePrecision|[a-z]+DatePrecision)$/;
  for (const { at, schema } of all) {
    const names = Object.keys(schema.properties);
    for (const name of names) {
      if (!DAY_OR_TIME.test(name)) continue;
      t.match(name, ALLOWED, `${at}.${name}: <verb>At for an instant, <verb>On or <event>Date for a day`);
      if (name.endsWith('Precision')) {
        t.ok(names.includes(name.replace(/Precision$/, '')), `${at}.${name} stands beside the date it qualifies`);
      }
      if (/At$|^at$/.test(name) && schema.properties[name].description) {
        t.match(schema.properties[name].description, /ISO 8601/, `${at}.${name} is an ISO 8601 instant`);
      }
    }
  }
});

t.test('CSV columns: the JSON names, ids under the field, other attributes in <singular><Attribute>s', async (t) => {
  const exports = {
    recommendations: recommendationCsvColumns,
    developments: developmentCsvColumns,
    statements: statementCsvColumns,
    reviews: reviewCsvColumns,
    states: stateCsvColumns,
  };
  for (const [resource, columns] of Object.entries(exports)) {
    const names = columns.map((c) => c.name);
    t.equal(names[0], 'id', `${resource}: the record's id comes first, named id`);
    for (const name of names) {
      t.notOk(name === 'state' || /^code$|Code$/.test(name), `${resource}.${name} is not a retired name`);
    }
    if (resource !== 'states') {
      t.same(
        names.filter((n) => n.startsWith('source')),
        ['sources', 'sourceTitles', 'sourcePublishers', 'sourceUrls', 'sourcePublicationDates'],
        `${resource}: the same source columns as every resource`,
      );
    }
  }
});

t.test("every field of a recommendation is in its CSV export: a column of its name, or <field><Attribute> columns", async (t) => {
  const names = recommendationCsvColumns.map((c) => c.name);
  for (const field of schemas.RecommendationListItem!.required as string[]) {
    t.ok(names.some((n) => n === field || (n.startsWith(field) && /^[A-Z]/.test(n.slice(field.length)))), `${field} has a column`);
  }
  t.ok(names.includes('recurrenceCount') && names.includes('recurrenceEarliestCycle'), 'recurrence, an object, as two columns');
});
