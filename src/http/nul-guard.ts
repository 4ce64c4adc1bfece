import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteOptions } from 'fastify';
import { type InvalidParam, invalidParams } from './problem.js';

// A NUL character (U+0000) anywhere a request sends text is a 400 naming where, before a route reads it:
// PostgreSQL's text cannot hold one (a statement given one fails: it was a 500 for a path id or a filter value),
// SQLite's length() stops at it (a recommendation's text starting with one failed its length check: a 500 too),
// and no text the API keeps has one. Checked: path segments and query parameters (a URL carries a NUL only as
// %00) and every string of a JSON body, keys included. Raw bodies (imported files) are the importers' to read.

const NUL = '\u0000';
const MESSAGE = 'must not contain a NUL character (U+0000, %00 in a URL)';

/**
 * The object keys (dotted) of every string in a parsed JSON body that holds a NUL, or is a key that does.
 * Without recursion: a body of a few kilobytes can nest thousands of levels deep.
 */
function bodyFields(body: object, found: InvalidParam[]): void {
  const pending: [value: unknown, path: string][] = [[body, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      // Named as validation names a field: a list's item by the list ("themes"), an object in one by its place ("sources.0.url").
      if (value.includes(NUL)) found.push({ in: 'body', name: path.replace(/(^|\.)\d+$/, '') || '(root)', message: MESSAGE });
    } else if (Array.isArray(value)) {
      // (Pushed last first: the fields come out, and are named, in the body's order.)
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], path === '' ? `${i}` : `${path}.${i}`]);
    } else if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        const name = path === '' ? key : `${path}.${key}`;
        if (key.includes(NUL)) found.push({ in: 'body', name, message: MESSAGE });
        else pending.push([item, name]);
      }
    }
  }
}

/** Each parameter of a parsed path or query string whose name or value holds a NUL. */
function parameters(values: unknown, where: 'path' | 'query', found: InvalidParam[]): void {
  for (const [name, value] of Object.entries((values ?? {}) as Record<string, unknown>)) {
    const texts = Array.isArray(value) ? value : [value];
    if (name.includes(NUL) || texts.some((text) => typeof text === 'string' && text.includes(NUL))) {
      found.push({ in: where, name, message: MESSAGE });
    }
  }
}

function refuseNul(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const found: InvalidParam[] = [];
  if (request.url.includes('%00')) {
    parameters(request.params, 'path', found);
    parameters(request.query, 'query', found);
  }
  if (typeof request.body === 'object' && request.body !== null) bodyFields(request.body, found);
  done(found.length === 0 ? undefined : invalidParams(found));
}

/**
 * Refuses a NUL in the path, query or JSON body of every route that takes any (registered after this call): the
 * probes (/healthz, /readyz) take none, and pay nothing.
 */
export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema ?? {};
    if (schema.params === undefined && schema.querystring === undefined && schema.body === undefined) return;
    route.preValidation = [refuseNul, ...[route.preValidation ?? []].flat()] as RouteOptions['preValidation'];
  });
}
