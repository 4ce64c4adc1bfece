import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReadStore } from '../db/read-store.js';
import { type CsvColumn, formatParams, listResponse, notModifiedResponse } from './formats.js';
import { decodeCursor, type KeyKind, listEnvelope } from './pagination.js';
import { pageParams } from './params.js';
import { problemResponses } from './problem.js';

// The list route every record kind has (GET /v1/<kind>s): a keyset-paged JSON list, or the export of the same
// filter and sort as CSV or NDJSON, answered by the kind's read store. Recommendations' list, which also
// takes `include`, is its own.

type App = Parameters<FastifyPluginAsyncZod>[0];

/** An order the list resumes with a cursor: its name and what each of its key's values is. */
interface Order {
  name: string;
  kinds: readonly KeyKind[];
}

/** A choice of orders (`?sort=`, a leading - reverses), or the one order of a kind listed by its key. */
export type ListOrder<Sort> =
  | {
      sorts: readonly [string, ...string[]];
      description: string;
      /** The sort when none is asked for: one, or one that depends on the query (relevance with q). */
      default: string | ((query: Record<string, unknown>) => string);
      /** The sort asked for (or the default), given the filter; throws a 400 problem for one the filter cannot have. */
      resolve: (requested: never, filter: never) => Sort & Order;
    }
  | Order;

export interface ListRoute<Shape extends z.ZodRawShape, Sort extends { name: string }> {
  /** The path below /v1, e.g. `/developments`; its last word names the records in descriptions. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  filterShape: Shape;
  order: ListOrder<Sort>;
  /** One listed record's schema, the list envelope's component name, and an NDJSON line's. */
  item: z.ZodType;
  listId: string;
  ndjsonItem: string;
  columns: readonly CsvColumn<never>[];
  store: Pick<ReadStore<z.output<z.ZodObject<Shape>>, unknown, Sort>, 'list'>;
}

/** The list's query: the kind's filters, its sort when it has a choice, paging and format. */
function listQuery(filterShape: z.ZodRawShape, order: ListOrder<unknown>) {
  const sort = 'sorts' in order ? { sort: z.enum(order.sorts).optional().describe(order.description) } : {};
  return z.object({ ...filterShape, ...sort, ...pageParams, ...formatParams() }).strict();
}

interface ListParams {
  sort?: string;
  limit: number;
  cursor?: string;
  format?: string;
  bom?: boolean;
  [filter: string]: unknown;
}

export function addListRoute<Shape extends z.ZodRawShape, Sort extends { name: string }>(app: App, route: ListRoute<Shape, Sort>): void {
  const { order } = route;
  const sorted = 'sorts' in order;
  app.get(
    route.path,
    {
      schema: {
        operationId: route.operationId,
        summary: route.summary,
        description: route.description,
        tags: [route.tag],
        querystring: listQuery(route.filterShape, order),
        response: {
          200: listResponse(
            listEnvelope(route.item, route.listId),
            `One page of matching ${route.path.slice(1)} (JSON), or the export of all of them (CSV, NDJSON).`,
            route.columns,
            route.ndjsonItem,
          ),
          304: notModifiedResponse,
          ...problemResponses(400, 406),
        },
      },
      config: {
        queryCache: {
          formats: ['json', 'csv', 'ndjson'],
          ...(sorted && {
            defaults: (q: Record<string, unknown>) => ({ sort: q.sort ?? (typeof order.default === 'string' ? order.default : order.default(q)) }),
          }),
        },
      },
    },
    async (request, reply) => {
      const { sort: requested, limit, cursor, format: _, bom, ...filter } = request.query as ListParams;
      const resolved = sorted ? order.resolve(requested as never, filter as never) : order;
      // A cursor names its list as well as its sort: another list's cursor of a sort named alike (id, date) is a
      // 400, not read as this list's keys (a page that skips records, or starts elsewhere).
      const sort = { ...resolved, name: `${route.path.slice(1)}/${resolved.name}` };
      const after = decodeCursor(cursor, sort.name, sort.kinds);
      const query = { filter: filter as z.output<z.ZodObject<Shape>>, sort: (sorted ? sort : { name: sort.name }) as Sort, after, limit, bom };
      return route.store.list(request, reply, query) as never;
    },
  );
}
