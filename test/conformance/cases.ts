import type { JsonSchema } from '../fuzz/arbitraries.js';
import { asParameterText } from '../fuzz/arbitraries.js';
import type { Operation, Parameter } from '../fuzz/spec.js';
import { random } from '../../src/common/random.js';
import { boundaries, itemSchema, type RealValues, sampled, UNICODE_TEXTS, violations } from './values.js';

// The requests the conformance test sends for one operation of openapi.yaml, each with what its answer must be:
// `valid` ones a 2xx or a documented refusal (404, 409, 422 …); `edge` ones (awkward Unicode) a 2xx or a 4xx
// naming the parameter; `invalid` ones (one constraint broken at a time) a 4xx problem naming what is wrong.

export interface Case {
  op: Operation;
  kind: 'valid' | 'edge' | 'invalid';
  label: string;
  method: Operation['method'];
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** The parameters or body fields the problem must name (any of them), for a 400 or 422. */
  names?: string[];
}

export interface CaseOptions {
  seed: number;
  /** Schema-generated values per parameter, and random filter combinations per operation. */
  samples: number;
  real: RealValues;
  auth: Record<string, string>;
}

const pick = <T>(rng: () => number, from: readonly T[]): T => from[Math.floor(rng() * from.length)]!;

/** `count` items of `from` from `offset` on, wrapping: over the parameters of a run, each item is sent. */
const rotate = <T>(from: readonly T[], count: number, offset: number): T[] =>
  count >= from.length ? [...from] : Array.from({ length: count }, (_, i) => from[(offset + i) % from.length]!);

/** `encodeURIComponent`, or the UTF-8 of what it cannot encode (a lone surrogate, as WTF-8: not UTF-8, refused). */
function encode(text: string): string {
  return text.replace(/[\uD800-\uDFFF]|[^\uD800-\uDFFF]+/g, (part) => {
    if (part.length === 1 && /[\uD800-\uDFFF]/.test(part)) {
      const c = part.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(part);
  });
}

const resourceOf = (op: Operation) => op.path.split('/')[2] ?? '';

/** The path with each path parameter a real record's (the resource's own id, a theme, a recommendation), or as given raw. */
export function realPath(op: Operation, real: RealValues, raw: Record<string, string> = {}): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (raw[name] !== undefined) return raw[name];
    const ids = name === 'themeId' ? real['id:themes']! : name === 'recommendationId' ? real['id:recommendations']! : (real[`id:${resourceOf(op)}`] ?? []);
    return encodeURIComponent(ids[0] ?? 'x');
  });
}

const queryOf = (op: Operation) => op.parameters.filter((p) => p.in === 'query');

/** Valid values of a query parameter: the stored ones, every boundary, and some generated from its schema. */
function validValues(p: Parameter, options: CaseOptions): string[] {
  const item = itemSchema(p.schema);
  const generated = sampled(item, options.seed, options.samples).map((v) => String(asParameterText(v)));
  const real = p.name === 'id' ? [] : (options.real[p.name] ?? []).slice(0, options.samples + 1);
  return [...new Set([...real, ...boundaries(item), ...generated])];
}

function request(op: Operation, options: CaseOptions, query: [string, string][], extra: Partial<Case> = {}): Omit<Case, 'kind' | 'label'> {
  // A required parameter (stats' groupBy) is always sent, with its first value, unless the case sends it.
  const required = queryOf(op).filter((p) => p.required && !query.some(([name]) => name === p.name));
  query = [...required.map((p): [string, string] => [p.name, validValues(p, options)[0]!]), ...query];
  const search = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  const path = realPath(op, options.real);
  return {
    op,
    method: op.method,
    url: search ? `${path}?${search}` : path,
    headers: op.secured ? { ...options.auth } : {},
    ...extra,
  };
}

/** The cases of a read (GET) operation's query and path. */
export function readCases(op: Operation, options: CaseOptions): Case[] {
  const rng = random(options.seed ^ op.id.length);
  const cases: Case[] = [{ ...request(op, options, []), kind: 'valid', label: 'no parameters' }];
  const idValues = (p: Parameter) => (p.name === 'id' ? options.real[`id:${resourceOf(op)}`]?.slice(0, 3) ?? [] : []);
  const values = new Map(queryOf(op).map((p) => [p.name, [...idValues(p), ...validValues(p, options)]]));
  for (const [index, p] of queryOf(op).entries()) {
    const list = p.schema.type === 'array';
    for (const value of values.get(p.name)!) cases.push({ ...request(op, options, [[p.name, value]]), kind: 'valid', label: `${p.name} valid` });
    if (list) {
      const some = values.get(p.name)!.slice(0, 3);
      cases.push({ ...request(op, options, [[p.name, some.join(',')]]), kind: 'valid', label: `${p.name} joined` });
      cases.push({ ...request(op, options, some.map((v) => [p.name, v])), kind: 'valid', label: `${p.name} repeated` });
      const tooMany = Array.from({ length: (p.schema.maxItems ?? 100) + 1 }, (_, i) => some[i % some.length]!);
      cases.push({ ...request(op, options, [[p.name, tooMany.join(',')]]), kind: 'invalid', label: `${p.name} maxItems`, names: [p.name] });
    } else if (!(p.schema.anyOf ?? []).some((s) => s.type === 'array')) {
      cases.push({ ...request(op, options, [[p.name, values.get(p.name)![0]!], [p.name, values.get(p.name)!.at(-1)!]]), kind: 'invalid', label: `${p.name} twice`, names: [p.name] });
    }
    const item = itemSchema(p.schema);
    if (item.type === 'string' && !item.enum) {
      for (const text of rotate(UNICODE_TEXTS, options.samples * 2, index * 2)) cases.push({ ...request(op, options, [[p.name, text]]), kind: 'edge', label: `${p.name} unicode`, names: [p.name] });
    }
    for (const [constraint, value] of violations(item)) {
      cases.push({ ...request(op, options, [[p.name, value]]), kind: 'invalid', label: `${p.name} ${constraint}`, names: [p.name] });
    }
    for (const escape of rotate(['%', '%zz', '%E9', '%C3', '%ED%A0%80'], options.samples, index)) {
      const base = request(op, options, []);
      cases.push({ ...base, url: `${base.url}${base.url.includes('?') ? '&' : '?'}${p.name}=a${escape}`, kind: 'invalid', label: `${p.name} bad escape`, names: [p.name] });
    }
  }
  // /healthz and /readyz take no parameters and ignore any (a probe may add a cache-buster); /v1/ refuses them.
  if (op.path.startsWith('/v1/')) cases.push({ ...request(op, options, [['zzUnknown', '1']]), kind: 'invalid', label: 'unknown parameter', names: ['zzUnknown'] });
  // Past Node's header limit a socket gets a 431 before any route (test/client-errors.test.ts); inject() has no limit.
  const huge = request(op, options, []);
  cases.push({ ...huge, headers: { ...huge.headers, 'x-huge': 'h'.repeat(64 * 1024) }, kind: 'valid', label: 'huge header' });
  const filters = queryOf(op).filter((p) => !['cursor', 'format', 'bom', 'limit'].includes(p.name));
  for (let i = 0; i < options.samples * 4 && filters.length > 1; i++) {
    const chosen = new Map<string, string>();
    const size = 2 + Math.floor(rng() * 2);
    while (chosen.size < Math.min(size, filters.length)) {
      const p = pick(rng, filters);
      chosen.set(p.name, pick(rng, values.get(p.name)!));
    }
    cases.push({ ...request(op, options, [...chosen]), kind: 'valid', label: `filters ${[...chosen.keys()].join('+')}` });
  }
  for (const p of op.parameters.filter((p) => p.in === 'path')) {
    const base = request(op, options, []);
    const segments = ['X'.repeat((p.schema.maxLength ?? 200) + 1), 'no-such-record', '%zz', '%E9', encode('\u0000'), encode('Кыргызстан'), encode('e\u0301')];
    for (const segment of segments) {
      const url = realPath(op, options.real, { [p.name]: segment });
      cases.push({ ...base, url, kind: 'edge', label: `path ${p.name} ${segment.slice(0, 12)}`, names: [p.name] });
    }
  }
  return cases;
}

/** A JSON body's top-level properties, from the operation's application/json schema. */
const bodySchema = (op: Operation): JsonSchema | undefined => op.body?.content['application/json']?.schema;

const typesOf = (schema: JsonSchema): unknown[] =>
  (schema.anyOf ?? schema.oneOf)?.flatMap(typesOf) ?? (Array.isArray(schema.type) ? schema.type : [schema.enum ? 'string' : schema.type]);

const wrongType = (schema: JsonSchema): unknown => {
  const type = typesOf(schema);
  if (!type.includes('string')) return 'not a number or list';
  return type.includes('number') || type.includes('integer') ? { nested: true } : 12;
};

/** Each single way to break a JSON body: a field of the wrong type, too long, out of its enum, missing, unknown. */
export function bodyViolations(schema: JsonSchema, valid: Record<string, unknown>): { label: string; body: unknown; names: string[] }[] {
  const found: { label: string; body: unknown; names: string[] }[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    found.push({ label: `${name} wrong type`, body: { ...valid, [name]: wrongType(property) }, names: [name] });
    const scalar = property.anyOf?.find((s) => s.type !== 'null') ?? property;
    if (scalar.type === 'string' && scalar.maxLength !== undefined) {
      found.push({ label: `${name} maxLength`, body: { ...valid, [name]: 'x'.repeat(scalar.maxLength + 1) }, names: [name] });
    }
    if (scalar.enum) found.push({ label: `${name} enum`, body: { ...valid, [name]: 'not-a-listed-value' }, names: [name] });
    if (scalar.type === 'string') {
      found.push({ label: `${name} NUL`, body: { ...valid, [name]: 'a\u0000b' }, names: [name] });
      found.push({ label: `${name} lone surrogate`, body: { ...valid, [name]: 'a\uD800b' }, names: [name] });
    }
  }
  for (const name of schema.required ?? []) {
    const { [name]: _, ...rest } = valid;
    found.push({ label: `${name} missing`, body: rest, names: [name] });
  }
  found.push({ label: 'unknown field', body: { ...valid, zzUnknown: 1 }, names: ['zzUnknown'] });
  return found;
}

/** The JSON bodies no field schema describes: not an object, too deep, broken. Each a 4xx problem. */
export const MALFORMED_BODIES: { label: string; payload: string; contentType: string }[] = [
  { label: 'broken JSON', payload: '{"text": "unfinished', contentType: 'application/json' },
  { label: 'array body', payload: '[]', contentType: 'application/json' },
  { label: 'null body', payload: 'null', contentType: 'application/json' },
  { label: 'empty body', payload: '', contentType: 'application/json' },
  { label: 'too deep', payload: `${'['.repeat(40)}${']'.repeat(40)}`, contentType: 'application/json' },
  { label: 'duplicate keys', payload: '{"zz": 1, "zz": 2}', contentType: 'application/json' },
  { label: 'wrong content type', payload: 'text=hello', contentType: 'application/x-www-form-urlencoded' },
  { label: 'text/plain', payload: '{}', contentType: 'text/plain' },
  { label: 'latin-1 charset', payload: '{}', contentType: 'application/json; charset=latin1' },
];

/** The cases of a write operation: the documented example, then each of its violations and malformed bodies. */
export function writeCases(op: Operation, options: CaseOptions, example: Record<string, unknown> | undefined): Case[] {
  const conditional = op.parameters.some((p) => p.name === 'if-match');
  // With If-Match: * a broken body is refused for what it is, not for the missing precondition (428).
  const base = request(op, options, [], conditional ? { headers: { ...(op.secured ? options.auth : {}), 'if-match': '*' } } : {});
  const cases: Case[] = [];
  const schema = bodySchema(op);
  const json = (payload: string, contentType = 'application/json') => ({ ...base, payload, headers: { ...base.headers, 'content-type': contentType } });
  if (schema && example) {
    // A create breaks its documented example one field at a time; a patch sends the one broken field alone.
    const valid = op.method === 'POST' ? example : {};
    for (const v of bodyViolations(schema, valid)) cases.push({ ...json(JSON.stringify(v.body)), kind: 'invalid', label: v.label, names: v.names });
    cases.push({ ...json(JSON.stringify({ ...example, pad: 'x'.repeat(1_048_576) })), kind: 'invalid', label: 'too large' });
  }
  if (schema) for (const m of MALFORMED_BODIES) cases.push({ ...json(m.payload, m.contentType), kind: 'invalid', label: m.label });
  // An import's file is no JSON; its query (format, review, dryRun) is broken a constraint at a time.
  const file = op.body && !schema ? Object.keys(op.body.content)[0] : undefined;
  if (file) cases.push({ ...json('{}'), kind: 'invalid', label: 'JSON for a file' });
  for (const p of queryOf(op)) {
    for (const [constraint, value] of violations(itemSchema(p.schema))) {
      const broken = request(op, options, [[p.name, value]]);
      const headers = file ? { ...broken.headers, 'content-type': file } : broken.headers;
      cases.push({ ...broken, headers, ...(file ? { payload: 'a,b\n' } : {}), kind: 'invalid', label: `${p.name} ${constraint}`, names: [p.name] });
    }
  }
  const { authorization: _, ...anonymous } = base.headers;
  cases.push({ ...base, headers: anonymous, ...(schema ? { payload: '{}' } : {}), kind: 'invalid', label: 'no key' });
  cases.push({ ...base, headers: { ...base.headers, authorization: 'Bearer upr_not-a-key' }, kind: 'invalid', label: 'wrong key' });
  if (conditional) {
    const { 'if-match': __, ...unconditional } = base.headers;
    // Labels and links are idempotent: their If-Match is optional (no 428 listed).
    if (op.responses['428']) cases.push({ ...base, headers: unconditional, ...(schema ? { payload: '{}', headers: { ...unconditional, 'content-type': 'application/json' } } : {}), kind: 'invalid', label: 'no If-Match' });
    for (const [label, headers] of [
      ['stale If-Match', { 'if-match': '"v999-r1-i00000000"' }],
      ['weak If-Match', { 'if-match': 'W/"v1-r1"' }],
      ['If-None-Match *', { 'if-match': '*', 'if-none-match': '*' }],
      ['garbage If-Match', { 'if-match': 'garbage' }],
    ] as const) {
      cases.push({ ...base, headers: { ...base.headers, ...headers, ...(schema ? { 'content-type': 'application/json' } : {}) }, ...(schema ? { payload: '{}' } : {}), kind: 'invalid', label });
    }
  }
  return cases;
}
