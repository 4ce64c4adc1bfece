import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readIdParams, readStateIdParams } from '../common/schemas.js';
import { quoteGiven } from '../common/zod-messages.js';
import { decodeCursor, encodeCursor, listEnvelope, requestPathWith, setNextLink } from '../http/pagination.js';
import { dateOrInstant, listParam, pageParams, storedInstant } from '../http/params.js';
import { HttpProblem, invalidParam, notFound, problemResponses } from '../http/problem.js';
import { jsonResponse } from '../http/responses.js';
import { AUDITED_ENTITIES, type AuditedEntity, changeFeedSchema, changeSchema } from './schemas.js';
import type { ChangeStore } from './store.js';
import { namePlugins } from '../http/plugin-name.js';

// GET /v1/{entity}/{id}/history: one record's changes, deleted records included (their tombstone last).
// GET /v1/changes: every change in commit order, deletions included, for mirrors that poll.

const CURSOR_SORT = 'seq';
/** A history's cursors name its kind of record: another kind's, or the feed's, is a 400, not read as its own. */
const historySort = (entity: string) => `${entity}/history/${CURSOR_SORT}`;

const historyQuery = z.object({ ...pageParams }).strict();


const HISTORIES: { entity: Exclude<AuditedEntity, 'sources'>; noun: string; tag: string }[] = [
  { entity: 'recommendations', noun: 'Recommendation', tag: 'recommendations' },
  { entity: 'developments', noun: 'Development', tag: 'developments' },
  { entity: 'assessments', noun: 'Assessment', tag: 'assessments' },
  { entity: 'statements', noun: 'Statement', tag: 'statements' },
  { entity: 'reviews', noun: 'Review', tag: 'reviews' },
  { entity: 'states', noun: 'State', tag: 'states' },
];

const feedQuery = z
  .object({
    since: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe(
        'Where to start: a `meta.nextCursor` of an earlier answer (exact: nothing is missed or repeated), an ' +
          'ISO 8601 instant with offset (changes at or after it), or a day (YYYY-MM-DD: from its start, UTC). ' +
          'Omit it to start from the first change.',
      ),
    entity: listParam(z.enum(AUDITED_ENTITIES), `Only changes to these kinds of records: ${AUDITED_ENTITIES.join(', ')}.`),
    limit: pageParams.limit,
  })
  .strict();

// A feed cursor names the change it stops after by its position and when it was written: a restore from a
// backup takes the log back, and the writes after it number their changes again, so a position alone would
// name another change (a mirror that had read past the backup would skip the new changes up to its position,
// silently). Cursors of earlier releases hold the position alone, and are read as before.
const feedCursor = (seq: number, at: string | undefined) => encodeCursor(CURSOR_SORT, [seq, seq === 0 ? '' : (at ?? '')]);

function readFeedCursor(since: string): { seq: number; at?: string } {
  const invalid = () =>
    invalidParam(
      'query',
      'since',
      `Give meta.nextCursor of an earlier answer, an ISO 8601 instant with offset (e.g. 2026-01-01T00:00:00Z) or a day (YYYY-MM-DD), not ${quoteGiven(since)}`,
    );
  for (const kinds of [['count', 'text'], ['count']] as const) {
    try {
      const [seq, at] = decodeCursor(since, CURSOR_SORT, kinds)! as [number, string | undefined];
      return { seq, ...(at !== undefined && { at }) };
    } catch {
      // the other form, or neither
    }
  }
  throw invalid();
}

async function feedPosition(store: ChangeStore, since: string | undefined): Promise<number> {
  if (since === undefined) return 0;
  if (dateOrInstant.safeParse(since).success) return store.seqBefore(storedInstant(since));
  const { seq, at } = readFeedCursor(since);
  if (at !== undefined && seq > 0 && (await store.writtenAt(seq)) !== at) {
    throw new HttpProblem(
      410,
      `The change feed no longer holds change ${seq} as this cursor saw it (written ${at}): the data were restored from a ` +
        'backup taken before it, and later changes are numbered again. Copy the data again (or follow the feed from ' +
        'the beginning, or from an instant before the backup), then go on from the new meta.nextCursor.',
    );
  }
  return seq;
}

export const changeRoutes: FastifyPluginAsyncZod<{ store: ChangeStore }> = async (app, { store }) => {
  for (const { entity, noun, tag } of HISTORIES) {
    app.get(
      `/${entity}/:id/history`,
      {
        schema: {
          operationId: `get${noun}History`,
          summary: `History of ${/^[AEIOU]/.test(noun) ? 'an' : 'a'} ${noun.toLowerCase()}`,
          description:
            `Every change to the ${noun.toLowerCase()}, oldest first: who changed which fields from what to what, ` +
            'and when; and why, where the writer said more than its actor does (`reason`: an import that split a ' +
            'record by paragraph). A deleted record keeps its history, ending in a tombstone. A seeded record\'s ' +
            'history begins with its create by the actor `seed`.',
          tags: [tag],
          params: entity === 'states' ? readStateIdParams : readIdParams(entity),
          querystring: historyQuery,
          response: {
            200: jsonResponse(listEnvelope(changeSchema, 'ChangeList'), 'One page of changes, oldest first.'),
            ...problemResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const id = (request.params as Record<string, string>).id!;
        const { limit, cursor } = request.query;
        const after = (decodeCursor(cursor, historySort(entity), ['count'])?.[0] as number | undefined) ?? 0;
        const history = await store.history(entity, id, limit, after);
        if (!history) throw notFound(noun, id);
        const nextCursor = history.lastSeq === null ? null : encodeCursor(historySort(entity), [history.lastSeq]);
        setNextLink(request, reply, nextCursor);
        return { data: history.changes, meta: { total: history.total, limit, nextCursor } };
      },
    );
  }

  app.get(
    '/changes',
    {
      schema: {
        operationId: 'listChanges',
        summary: 'Change feed',
        description:
          'Every change to the data, deletions included, in the order they were committed. A mirror stays in ' +
          'sync by polling with `since` set to the `meta.nextCursor` of its last answer, and following it at once ' +
          'while `meta.hasMore` is true.',
        tags: ['changes'],
        querystring: feedQuery,
        response: {
          200: jsonResponse(changeFeedSchema, 'The changes after `since`, oldest first.'),
          ...problemResponses(400, 410),
        },
      },
    },
    async (request, reply) => {
      const { since, entity, limit } = request.query;
      const feed = await store.feed(await feedPosition(store, since), entity, limit);
      const nextCursor = feedCursor(feed.resumeSeq, feed.resumeAt);
      if (feed.hasMore) {
        reply.header('link', `<${requestPathWith(request, 'since', nextCursor)}>; rel="next"`);
      }
      return { data: feed.changes, meta: { limit, hasMore: feed.hasMore, nextCursor, revision: feed.revision } };
    },
  );
};

namePlugins(changeRoutes);
