import { z } from 'zod';
import { AUDIT_ACTIONS } from '../db/schema.js';

// Everything curators change is in the audit log: the history of each record and the change feed.

export const AUDITED_ENTITIES = [
  'recommendations',
  'developments',
  'assessments',
  'statements',
  'reviews',
  'states',
  'sources',
] as const;
export type AuditedEntity = (typeof AUDITED_ENTITIES)[number];

// Why a change was made, when its writer says more than the actor does. One kind so far: an import that split
// one source's record (UPR Info's, without paragraph numbers) by recommending state, because the report prints
// the text in several paragraphs, one per recommending state; every record it changes or creates for that split
// says so, naming the same parts.
export const CHANGE_REASONS = ['split'] as const;

export const changeReasonSchema = z
  .object({
    kind: z.enum(CHANGE_REASONS).describe('split: one record of a source split by recommending state, one part per paragraph of the report.'),
    detail: z.string().describe('The reason in words.'),
    split: z
      .object({
        sourceId: z
          .string()
          .nullable()
          .describe('The source whose one record was split (UPR Info\'s data set); null for a record no source gave.'),
        from: z
          .string()
          .nullable()
          .describe(
            'The stored record that was split: it keeps the first part and its id, the other parts are new records. ' +
              'null when the record was split as its file was imported, never stored whole: each part is then a ' +
              'stored record that received that source\'s reading of its paragraph.',
          ),
        importSourceId: z.string().describe('The source of the file whose import made the split.'),
        parts: z
          .array(
            z.object({
              id: z.string().describe('The record this part is.'),
              paragraph: z.string().nullable().describe("Its paragraph of the report."),
              recommendingStateIds: z.array(z.string()).describe('Its recommending states, by id (ISO 3166-1 alpha-3): those of the split record that made it.'),
            }),
          )
          .describe('Every part, by id.'),
      })
      .describe('The split this change belongs to (kind split).'),
  })
  .describe('Why, when the writer said more than the actor does: an import that split a record by paragraph. Absent otherwise.')
  .meta({ id: 'ChangeReason' });

export type ChangeReason = z.infer<typeof changeReasonSchema>;

export const changeSchema = z
  .object({
    seq: z.int().min(1).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }).describe('Position in the totally ordered feed of all changes.'),
    entity: z.enum(AUDITED_ENTITIES).describe('The kind of record: its collection in the URLs.'),
    id: z.string().describe('The id of the record (the code of a state).'),
    action: z.enum(AUDIT_ACTIONS).describe('delete leaves a tombstone: every field as it was, changed to null.'),
    changes: z
      .record(z.string(), z.object({ before: z.unknown(), after: z.unknown() }))
      .describe(
        'The fields that changed, with their values before and after, named as in the write bodies (references ' +
          'as ids: sourceId, recommendationIds…). A field left out of a create or a delete was null.',
      ),
    actor: z.string().describe('The name of the API key that made the change.'),
    at: z.string().meta({ format: 'date-time' }).describe('When (ISO 8601, UTC).'),
    revision: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }).describe('The data revision the change produced.'),
    reason: changeReasonSchema.optional(),
  })
  .meta({
    id: 'Change',
    example: {
      seq: 42,
      entity: 'recommendations',
      id: 'KGZ-3-FIN-1',
      action: 'update',
      changes: { position: { before: null, after: 'noted' }, version: { before: 1, after: 2 } },
      actor: 'kyrgyz-watch',
      at: '2026-03-01T09:30:00.000Z',
      revision: 18,
    },
  });

export type Change = z.infer<typeof changeSchema>;

export const changeFeedSchema = z
  .object({
    data: z.array(changeSchema),
    meta: z.object({
      limit: z.int().min(1).max(500).meta({ format: 'int32' }).describe('The page size used.'),
      hasMore: z.boolean().describe('true when more changes follow now: ask again with nextCursor straight away.'),
      nextCursor: z
        .string()
        .describe(
          'Where to continue: pass it as `since`, now when hasMore is true, or at the next poll. Never null; store ' +
            'it to resume a mirror.',
        ),
      revision: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({ format: 'int64' }).describe('The current data revision.'),
    }),
  })
  .meta({ id: 'ChangeFeed' });
