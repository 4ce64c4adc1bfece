import type { FastifyInstance, HTTPMethods } from 'fastify';
import { MAX_RECORD_ID } from '../curation/ids.js';
import type { InvalidParam } from './problem.js';
import { escapeFault } from './query-escapes.js';

// Fastify's router refuses a path segment that is no escape or not UTF-8 (a 400) or longer than maxParamLength (a
// 414) before any route is found, and says only that the URL is bad. The route, found again with each such segment
// replaced by a marker, tells which path parameter each was (generated conformance: test/openapi-conformance.test.ts).

/** What is wrong with a path segment as sent, if the router refuses it. */
function segmentFault(raw: string): string | undefined {
  if (raw.length > MAX_RECORD_ID) {
    return `Too long: expected at most ${MAX_RECORD_ID} characters as sent in the URL, given ${raw.length.toLocaleString('en-US')} characters`;
  }
  return escapeFault(raw);
}

/** The path parameters of the route at `method` and `url` that its router refused, each named (none when no route has them). */
export function refusedPathParams(app: FastifyInstance, method: string, url: string): InvalidParam[] {
  const faults = new Map<string, string>();
  const path = url
    .split('?')[0]!
    .split('/')
    .map((segment, index) => {
      const fault = segment === '' ? undefined : segmentFault(segment);
      if (fault === undefined) return segment;
      faults.set(`~${index}~`, fault);
      return `~${index}~`;
    })
    .join('/');
  const params = (app.findRoute({ method: method as HTTPMethods, url: path })?.params ?? {}) as Record<string, string>;
  return Object.entries(params).flatMap(([name, value]) =>
    faults.has(value) ? [{ in: 'path' as const, name, message: faults.get(value)! }] : [],
  );
}
