import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx, WriteContext } from '../db/audit.js';
import { DATE_PRECISIONS, STATEMENT_STAGES, statements } from '../db/schema.js';
import { notFound } from '../http/problem.js';
import { isoCode } from '../http/params.js';
import { checkDate, checkReferences, checkVersion, Inconsistencies, REFERENCES } from '../curation/checks.js';
import { claimRecordId, newRecordId, recordIdSchema } from '../curation/ids.js';
import {
  auditCreate,
  deleteAudited,
  finishUpdate,
  linkedValues,
  replaceLinks,
  type Snapshot,
  type VersionedTable,
} from '../curation/records.js';
import { oneSourceList, SOURCE_EXAMPLE, upsertSource } from '../curation/sources.js';
import { visible } from '../http/visible-text.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting statements: each function runs inside a writeTransaction.

export const TABLE: VersionedTable = { entity: 'statements', table: 'statements', idColumn: 'id', hasUpdatedAt: true };
export const ID_TABLE = { table: 'statements', column: 'id', what: 'Statement' };

const speakerSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('state'), id: isoCode.describe("The state's id (ISO 3166-1 alpha-3 code).") }),
    z.strictObject({
      type: z.literal('organization'),
      name: visible(z.string().trim().min(1).max(300)).describe("The organization's name, e.g. Human Rights Watch."),
    }),
    // (A type neither names: zod's own said "Invalid input", not what a speaker's type is.)
  ], { error: 'Expected "state" (with the state\'s id) or "organization" (with its name)' })
  .meta({
    id: 'Speaker',
    description: 'Who spoke: a state by its code, or an organization by its name.',
    example: { type: 'state', id: 'IRL' },
  });

const fields = {
  reviewId: visible(z.string().min(1).max(50)).describe('The review it was made at, e.g. KGZ-3.'),
  speaker: speakerSchema,
  stage: z.enum(STATEMENT_STAGES),
  date: z
    .string()
    .max(10)
    .describe('When it was said, as precisely as known: "2020", "2020-01" or "2020-01-20" (matching datePrecision).'),
  datePrecision: z.enum(DATE_PRECISIONS),
  summary: z.string().trim().min(1).max(10_000).describe('What was said, in your own words.'),
  themes: z
    .array(visible(z.string().min(1).max(200)))
    .max(50)
    .refine((values) => new Set(values).size === values.length, 'List each value once')
    .describe('Theme ids (see GET /v1/themes).'),
  sources: oneSourceList(1, 'Where the statement is recorded: one source.'),
};

export const statementCreateSchema = z
  .strictObject({
    id: recordIdSchema.optional(),
    ...fields,
    themes: fields.themes.default([]),
  })
  .meta({
    id: 'StatementCreate',
    example: {
      reviewId: 'KGZ-3',
      speaker: { type: 'state', id: 'IRL' },
      stage: 'interactive_dialogue',
      date: '2020-01',
      datePrecision: 'month',
      summary: 'Called for the release of the human rights defender Azimjon Askarov.',
      themes: ['human-rights-defenders'],
      sources: [SOURCE_EXAMPLE],
    },
  });

export const statementPatchSchema = z
  .strictObject({
    reviewId: fields.reviewId.optional(),
    speaker: fields.speaker.optional(),
    stage: fields.stage.optional(),
    date: fields.date.optional(),
    datePrecision: fields.datePrecision.optional(),
    summary: fields.summary.optional(),
    themes: fields.themes.optional(),
    sources: fields.sources.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change')
  .meta({
    id: 'StatementPatch',
    description: 'The fields to change (JSON merge patch): a field given replaces the stored one; lists are replaced whole.',
    example: { themes: ['human-rights-defenders'] },
  });

export type StatementCreate = z.output<typeof statementCreateSchema>;
export type StatementPatch = z.output<typeof statementPatchSchema>;
export type Speaker = z.output<typeof speakerSchema>;

type Reader = Pick<Tx, 'get' | 'all'>;

export function statementSnapshot(tx: Reader, id: string): Snapshot | undefined {
  const row = tx.get<
    | {
        reviewId: string;
        speakerStateCode: string | null;
        speakerOrganization: string | null;
        stage: string;
        date: string;
        datePrecision: string;
        summary: string;
        sourceId: string;
        version: number;
      }
    | undefined
  >(sql`select review_id as reviewId, speaker_state_code as speakerStateCode,
      speaker_organization as speakerOrganization, stage, date, date_precision as datePrecision, summary,
      source_id as sourceId, version
    from statements where id = ${id}`);
  if (!row) return undefined;
  const { speakerStateCode, speakerOrganization, sourceId, version, ...columns } = row;
  const speaker: Speaker =
    speakerStateCode !== null ? { type: 'state', id: speakerStateCode } : { type: 'organization', name: speakerOrganization! };
  return {
    ...columns,
    speaker,
    themes: linkedValues(tx, 'statement_themes', 'statement_id', id, 'theme_id'),
    sourceId,
    version,
  };
}

export interface Checked {
  reviewId?: string;
  speaker?: Speaker;
  date: string;
  datePrecision: StatementCreate['datePrecision'];
  themes?: string[];
}

function checkConsistency(tx: Reader, record: Checked, dateChanged: boolean): void {
  const problems = new Inconsistencies();
  if (record.reviewId !== undefined) checkReferences(tx, problems, 'reviewId', REFERENCES.review, [record.reviewId]);
  if (record.speaker?.type === 'state') checkReferences(tx, problems, 'speaker.id', REFERENCES.state, [record.speaker.id]);
  if (dateChanged) checkDate(problems, 'date', record.date, record.datePrecision);
  checkReferences(tx, problems, 'themes', REFERENCES.theme, record.themes);
  problems.throwIfAny();
}

export function speakerColumns(speaker: Speaker) {
  return speaker.type === 'state'
    ? { speakerStateCode: speaker.id, speakerOrganization: null }
    : { speakerStateCode: null, speakerOrganization: speaker.name };
}

export function createStatement(context: WriteContext, input: StatementCreate): string {
  const { tx } = context;
  checkConsistency(tx, input, true);
  const id = input.id !== undefined ? claimRecordId(tx, ID_TABLE, input.id) : newRecordId(tx, ID_TABLE, input.reviewId);
  const now = new Date().toISOString();
  tx.insert(statements)
    .values({
      id,
      reviewId: input.reviewId,
      ...speakerColumns(input.speaker),
      stage: input.stage,
      date: input.date,
      datePrecision: input.datePrecision,
      summary: input.summary,
      sourceId: upsertSource(context, input.sources[0]!),
      createdAt: now,
      updatedAt: now,
    })
    .run();
  replaceLinks(tx, 'statement_themes', 'statement_id', id, 'theme_id', input.themes);
  auditCreate(context, TABLE.entity, id, statementSnapshot(tx, id)!);
  return id;
}

function existing(tx: Reader, id: string, expected: VersionCondition): Snapshot {
  const before = statementSnapshot(tx, id);
  if (!before) throw notFound('Statement', id);
  checkVersion(tx, expected, before.version, 'Statement', id);
  return before;
}

export function updateStatement(context: WriteContext, id: string, patch: StatementPatch, expected: VersionCondition): void {
  const { tx } = context;
  const before = existing(tx, id, expected);
  checkConsistency(
    tx,
    {
      reviewId: patch.reviewId,
      speaker: patch.speaker,
      date: patch.date ?? (before.date as string),
      datePrecision: patch.datePrecision ?? (before.datePrecision as Checked['datePrecision']),
      themes: patch.themes,
    },
    patch.date !== undefined || patch.datePrecision !== undefined,
  );
  const { speaker, themes, sources, ...columns } = patch;
  const set = {
    ...columns,
    ...(speaker === undefined ? {} : speakerColumns(speaker)),
    ...(sources === undefined ? {} : { sourceId: upsertSource(context, sources[0]!) }),
  };
  if (Object.keys(set).length > 0) tx.update(statements).set(set).where(sql`id = ${id}`).run();
  if (themes) replaceLinks(tx, 'statement_themes', 'statement_id', id, 'theme_id', themes);
  finishUpdate(context, TABLE, id, before, () => statementSnapshot(tx, id)!);
}

export function deleteStatement(context: WriteContext, id: string, expected: VersionCondition): void {
  deleteAudited(context, TABLE, id, existing(context.tx, id, expected));
}
