/**
 * Breaking changes between two OpenAPI 3.1 documents, from the side of a client written against the old one:
 * what it sends must still be accepted, what it reads must still be there with the same shape.
 * Each break is one line "KIND where: detail", stable enough to be allow-listed in docs/api-changes.md.
 */
type Json = any;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

function resolve(doc: Json, schema: Json, depth = 0): Json {
  let s = schema;
  while (s && typeof s.$ref === 'string' && depth++ < 50) {
    s = s.$ref.slice(2).split('/').reduce((node: Json, key: string) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return s ?? {};
}

/** The JSON types a schema admits (its type, or the union of its anyOf/oneOf branches), null included. */
function types(doc: Json, raw: Json): Set<string> {
  const s = resolve(doc, raw);
  const out = new Set<string>();
  const branches = s.anyOf ?? s.oneOf;
  if (branches) for (const b of branches) for (const t of types(doc, b)) out.add(t);
  else if (s.type) for (const t of [s.type].flat()) out.add(t === 'integer' ? 'number' : t);
  else if (s.const === null) out.add('null');
  else if (s.enum || s.const !== undefined) out.add('enum');
  return out;
}

function enumValues(doc: Json, raw: Json): Set<unknown> | undefined {
  const s = resolve(doc, raw);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const all = branches.map((b: Json) => enumValues(doc, b)).filter(Boolean) as Set<unknown>[];
    return all.length ? new Set(all.flatMap((e) => [...e])) : undefined;
  }
  if (s.enum) return new Set(s.enum);
  if (s.const !== undefined) return new Set([s.const]);
  return undefined;
}

/** Object properties (merged over allOf and over anyOf/oneOf object branches) and the names always present. */
function shape(doc: Json, raw: Json): { props: Record<string, Json>; required: Set<string>; items?: Json } {
  const s = resolve(doc, raw);
  const props: Record<string, Json> = { ...(s.properties ?? {}) };
  const required = new Set<string>(s.required ?? []);
  for (const part of s.allOf ?? []) {
    const inner = shape(doc, part);
    Object.assign(props, inner.props);
    for (const r of inner.required) required.add(r);
  }
  for (const part of s.anyOf ?? s.oneOf ?? []) Object.assign(props, shape(doc, part).props);
  let items = s.items;
  for (const part of s.anyOf ?? s.oneOf ?? []) items ??= resolve(doc, part).items;
  return { props, required, items };
}

/** A value the new side produces (response) must fit what the old client was told. */
function compareRead(oldDoc: Json, newDoc: Json, o: Json, n: Json, where: string, out: string[], seen = new Set<string>()): void {
  const key = `${where}|${JSON.stringify(o).slice(0, 200)}`;
  if (seen.has(key) || where.split('.').length > 12) return;
  seen.add(key);
  const ot = types(oldDoc, o);
  const nt = types(newDoc, n);
  if (ot.size && nt.size) {
    for (const t of nt) if (!ot.has(t) && !(t === 'enum') && !(ot.has('enum'))) out.push(`RESPONSE_TYPE ${where}: ${t} not in [${[...ot]}]`);
  }
  const oe = enumValues(oldDoc, o);
  const ne = enumValues(newDoc, n);
  if (oe && ne) for (const v of ne) if (!oe.has(v)) out.push(`RESPONSE_ENUM_ADDED ${where}: ${JSON.stringify(v)}`);
  const os = shape(oldDoc, o);
  const ns = shape(newDoc, n);
  for (const [name, schema] of Object.entries(os.props)) {
    if (!(name in ns.props)) out.push(`RESPONSE_FIELD_REMOVED ${where}.${name}`);
    else {
      if (os.required.has(name) && !ns.required.has(name)) out.push(`RESPONSE_FIELD_OPTIONAL ${where}.${name}`);
      compareRead(oldDoc, newDoc, schema, ns.props[name], `${where}.${name}`, out, seen);
    }
  }
  if (os.items && ns.items) compareRead(oldDoc, newDoc, os.items, ns.items, `${where}[]`, out, seen);
}

/** A value the old client sends (parameter, request body) must still be accepted. */
function compareWrite(oldDoc: Json, newDoc: Json, o: Json, n: Json, where: string, out: string[], wire = false): void {
  const ot = types(oldDoc, o);
  const nt = types(newDoc, n);
  // One value is a list of one on the wire (lists are comma-separated or repeated).
  if (wire && nt.has('array')) for (const t of types(newDoc, resolve(newDoc, n).items)) nt.add(t);
  // A query or path value is text on the wire: digits documented as a string or as an integer are the same request.
  if (wire && nt.has('number')) nt.add('string');
  if (ot.size && nt.size) for (const t of ot) if (!nt.has(t) && t !== 'enum' && !nt.has('enum')) out.push(`REQUEST_TYPE ${where}: ${t} no longer accepted`);
  const oe = enumValues(oldDoc, o);
  const ne = enumValues(newDoc, n);
  if (oe && ne) for (const v of oe) if (!ne.has(v)) out.push(`REQUEST_ENUM_REMOVED ${where}: ${JSON.stringify(v)}`);
  const os = shape(oldDoc, o);
  const ns = shape(newDoc, n);
  const closed = resolve(newDoc, n).additionalProperties === false;
  for (const [name, schema] of Object.entries(os.props)) {
    if (name in ns.props) compareWrite(oldDoc, newDoc, schema, ns.props[name], `${where}.${name}`, out);
    else if (closed) out.push(`REQUEST_FIELD_REMOVED ${where}.${name}`);
  }
  for (const name of ns.required) if (!os.required.has(name)) out.push(`REQUEST_FIELD_REQUIRED ${where}.${name}`);
  if (os.items && ns.items) compareWrite(oldDoc, newDoc, os.items, ns.items, `${where}[]`, out, wire);
}

/** A CSV's columns, from the table in its description: a reader by name needs each old column, a reader by position their order. */
function compareColumns(o: Json, n: Json, where: string, out: string[]): void {
  const columns = (schema: Json) => [...String(schema.description ?? '').matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
  const before = columns(o);
  const after = columns(n);
  for (const name of before) if (!after.includes(name)) out.push(`CSV_COLUMN_REMOVED ${where} ${name}`);
  const kept = after.filter((name) => before.includes(name));
  const order = before.filter((name) => after.includes(name));
  if (kept.join() !== order.join()) out.push(`CSV_COLUMN_ORDER ${where}`);
}

export function breakingChanges(oldDoc: Json, newDoc: Json): string[] {
  const out: string[] = [];
  // A path parameter's name is not on the wire: /v1/states/{code} and /v1/states/{id} are one URL.
  const template = (path: string) => path.replace(/\{[^}]*\}/g, '{}');
  const newPaths = new Map(Object.entries<Json>(newDoc.paths ?? {}).map(([path, item]) => [template(path), item]));
  for (const [path, oldItem] of Object.entries<Json>(oldDoc.paths ?? {})) {
    const newItem = newPaths.get(template(path));
    for (const method of METHODS.filter((m) => oldItem[m])) {
      const op = `${method.toUpperCase()} ${path}`;
      const o = oldItem[method];
      const n = newItem?.[method];
      if (!n) {
        out.push(`OPERATION_REMOVED ${op}`);
        continue;
      }
      const params = (x: Json, doc: Json) => {
        const list = (x.parameters ?? []).map((p: Json) => resolve(doc, p));
        const inPath = list.filter((p: Json) => p.in === 'path');
        return new Map<string, Json>(list.map((p: Json) => [p.in === 'path' ? `path:#${inPath.indexOf(p)}` : `${p.in}:${p.name}`, p]));
      };
      const oldParams = params(o, oldDoc);
      const newParams = params(n, newDoc);
      for (const [id, p] of oldParams) {
        const q = newParams.get(id);
        if (!q) out.push(`PARAMETER_REMOVED ${op} ${id}`);
        else {
          if (q.required && !p.required) out.push(`PARAMETER_REQUIRED ${op} ${id}`);
          compareWrite(oldDoc, newDoc, p.schema, q.schema, `${op} ${id}`, out, true);
        }
      }
      for (const [id, q] of newParams) if (q.required && !oldParams.has(id)) out.push(`PARAMETER_REQUIRED ${op} ${id}`);
      const ob = resolve(oldDoc, o.requestBody)?.content ?? {};
      const nb = resolve(newDoc, n.requestBody)?.content ?? {};
      for (const [type, media] of Object.entries<Json>(ob)) {
        if (!nb[type]) out.push(`REQUEST_CONTENT_TYPE_REMOVED ${op} ${type}`);
        else compareWrite(oldDoc, newDoc, media.schema, nb[type].schema, `${op} body(${type})`, out);
      }
      for (const [status, raw] of Object.entries<Json>(o.responses ?? {})) {
        const nr = n.responses?.[status];
        if (!nr) {
          if (status.startsWith('2')) out.push(`RESPONSE_STATUS_REMOVED ${op} ${status}`);
          continue;
        }
        const oc = resolve(oldDoc, raw).content ?? {};
        const nc = resolve(newDoc, nr).content ?? {};
        for (const [type, media] of Object.entries<Json>(oc)) {
          if (!nc[type]) out.push(`RESPONSE_CONTENT_TYPE_REMOVED ${op} ${status} ${type}`);
          else if (type === 'text/csv') compareColumns(resolve(oldDoc, media.schema), resolve(newDoc, nc[type].schema), `${op} ${status}(text/csv)`, out);
          else compareRead(oldDoc, newDoc, media.schema, nc[type].schema, `${op} ${status}(${type})`, out);
        }
      }
    }
  }
  return [...new Set(out)].sort();
}
