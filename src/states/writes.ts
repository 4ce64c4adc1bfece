import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { sqliteWriteHandlers, type WriteHandlers } from '../curation/http.js';
import type { Tx, WriteContext } from '../db/audit.js';
import type { Db } from '../db/open.js';
import { REGIONAL_GROUPS, states } from '../db/schema.js';
import { HttpProblem, notFound } from '../http/problem.js';
import { checkVersion, Inconsistencies } from '../curation/checks.js';
import { claimRecordId } from '../curation/ids.js';
import {
  auditCreate,
  countReferences,
  deleteAudited,
  finishUpdate,
  type Snapshot,
  type VersionedTable,
} from '../curation/records.js';
import { NO_LATIN_LETTER, normalizeStateName } from './names.js';
import { getState } from './queries.js';
import { visible } from '../http/visible-text.js';
import { changingStateNames } from '../related/state-name-changes.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting states (admin only): each function runs inside a writeTransaction. A
// state's name and aliases are the spellings importers resolve to its code: no spelling may name two states.

export const STATE_TABLE: VersionedTable = { entity: 'states', table: 'states', idColumn: 'code', hasUpdatedAt: false };
export const STATE_ID_TABLE = { table: 'states', column: 'code', what: 'State' };
const TABLE = STATE_TABLE;
const ID_TABLE = STATE_ID_TABLE;

/** What refers to a state (table, column): a state still referred to is not deleted. */
export const STATE_USES: readonly (readonly [string, string])[] = [
  ['reviews', 'state_code'],
  ['recommendation_states', 'state_code'],
  ['developments', 'state_code'],
  ['statements', 'speaker_state_code'],
];

const spelling = visible(
  z
    .string()
    .trim()
    .min(1, { abort: true }) // one error for an empty name, not this and the refinement's
    .max(200)
    .refine((name) => normalizeStateName(name) !== '', NO_LATIN_LETTER),
);

const fields = {
  name: spelling.describe('English short name, as the UN writes it.'),
  regionalGroup: z.enum(REGIONAL_GROUPS).nullable().describe('UN regional group; null for a state in none.'),
  regionalGroupNote: z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .nullable()
    .describe('Why the group is what it is, where that is not plain membership; null otherwise.'),
  unMember: z.boolean().describe('false for observer states.'),
  aliases: z
    .array(spelling)
    .max(50)
    .describe(
      'Other spellings found in UN documents and data sets. On a change, the list replaces the stored aliases ' +
        '(the name is always one).',
    ),
};

export const stateCreateSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Z]{3}$/, 'Expected an ISO 3166-1 alpha-3 code in capitals, e.g. KGZ').meta({ maxLength: 3 }).describe('ISO 3166-1 alpha-3 code.'),
    name: fields.name,
    regionalGroup: fields.regionalGroup.default(null),
    regionalGroupNote: fields.regionalGroupNote.default(null),
    unMember: fields.unMember,
    aliases: fields.aliases.default([]),
  })
  .meta({
    id: 'StateCreate',
    example: { id: 'XKX', name: 'Kosovo', regionalGroup: null, unMember: false, aliases: ['Kosova'] },
  });

export const statePatchSchema = z
  .strictObject({
    name: fields.name.optional(),
    regionalGroup: fields.regionalGroup.optional(),
    regionalGroupNote: fields.regionalGroupNote.optional(),
    unMember: fields.unMember.optional(),
    aliases: fields.aliases.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change')
  .meta({
    id: 'StatePatch',
    description:
      'The fields to change (JSON merge patch). A new name is added to the aliases and the old one stays one; a ' +
      'list of aliases replaces the stored ones.',
    example: { aliases: ['Kyrgyz Republic', 'Kirghizia'] },
  });

export type StateCreate = z.output<typeof stateCreateSchema>;
export type StatePatch = z.output<typeof statePatchSchema>;

type Reader = Pick<Tx, 'get' | 'all'>;

export function stateSnapshot(tx: Reader, code: string): Snapshot | undefined {
  const row = tx.get<
    { name: string; regionalGroup: string | null; regionalGroupNote: string | null; unMember: number; version: number } | undefined
  >(
    sql`select name, regional_group as regionalGroup, regional_group_note as regionalGroupNote, un_member as unMember,
      version from states where code = ${code}`,
  );
  if (!row) return undefined;
  const aliases = tx
    .all<{ alias: string }>(sql`select alias from state_aliases where state_code = ${code} and alias <> ${row.name}
      order by alias`)
    .map((a) => a.alias);
  const { name, regionalGroup, regionalGroupNote, version } = row;
  return { name, regionalGroup, regionalGroupNote, unMember: row.unMember === 1, aliases, version };
}

/** The other state a spelling's key names, by one of its spellings or its code. */
export const otherOwner = (code: string, key: string) =>
  sql`select state_code as code from state_aliases where key = ${key} and state_code <> ${code}
    union all select code from states where lower(code) = ${key} and code <> ${code} limit 1`;

/**
 * 422 for a spelling that already names another state, or is its code (which filters and files give); `created`:
 * also for a new state's code that is another state's spelling (ARE's UAE: the filter took it as the new state's).
 */
function checkSpellings(tx: Reader, code: string, name: string | undefined, aliases: readonly string[] | undefined, created = false): void {
  const problems = new Inconsistencies();
  const check = (field: string, text: string) => {
    const owner = tx.get<{ code: string } | undefined>(otherOwner(code, normalizeStateName(text)));
    if (owner) problems.add(field, `"${text}" already names ${owner.code}`);
  };
  if (created) check('id', code);
  if (name !== undefined) check('name', name);
  for (const alias of aliases ?? []) check('aliases', alias);
  problems.throwIfAny();
}

/** Stores spellings of a state's name; a spelling it has already keeps its key, with the new wording. */
function addSpellings(tx: Pick<Tx, 'run'>, code: string, spellings: readonly string[]): void {
  for (const alias of spellings) {
    tx.run(sql`insert into state_aliases (key, alias, state_code) values (${normalizeStateName(alias)}, ${alias}, ${code})
      on conflict (key) do update set alias = excluded.alias`);
  }
}

export function createState(context: WriteContext, input: StateCreate): string {
  const { tx } = context;
  checkSpellings(tx, input.id, input.name, input.aliases, true);
  const code = claimRecordId(tx, ID_TABLE, input.id);
  tx.insert(states)
    .values({
      code,
      name: input.name,
      regionalGroup: input.regionalGroup,
      regionalGroupNote: input.regionalGroupNote,
      unMember: input.unMember,
    })
    .run();
  changingStateNames(tx, () => addSpellings(tx, code, [...input.aliases, input.name]));
  auditCreate(context, TABLE.entity, code, stateSnapshot(tx, code)!);
  return code;
}

function existing(tx: Reader, code: string, expected: VersionCondition): Snapshot {
  const before = stateSnapshot(tx, code);
  if (!before) throw notFound('State', code);
  checkVersion(tx, expected, before.version, 'State', code);
  return before;
}

export function updateState(context: WriteContext, code: string, patch: StatePatch, expected: VersionCondition): void {
  const { tx } = context;
  const before = existing(tx, code, expected);
  checkSpellings(tx, code, patch.name, patch.aliases);
  const { aliases, ...columns } = patch;
  if (Object.keys(columns).length > 0) tx.update(states).set(columns).where(sql`code = ${code}`).run();
  const name = patch.name ?? (before.name as string);
  changingStateNames(tx, () => {
    if (aliases !== undefined) tx.run(sql`delete from state_aliases where state_code = ${code}`);
    addSpellings(tx, code, [...(aliases ?? []), name]);
  });
  finishUpdate(context, TABLE, code, before, () => stateSnapshot(tx, code)!);
}

export function deleteState(context: WriteContext, code: string, expected: VersionCondition): void {
  const { tx } = context;
  const before = existing(tx, code, expected);
  const uses = STATE_USES
    .map(([table, column]) => ({ table, n: countReferences(tx, table, column, code) }))
    .filter(({ n }) => n > 0);
  if (uses.length > 0) {
    throw new HttpProblem(
      409,
      `State ${code} is still referred to by ${uses.map(({ table, n }) => `${n} ${table.replace('_', ' ')}`).join(', ')}.`,
    );
  }
  changingStateNames(tx, () => tx.run(sql`delete from state_aliases where state_code = ${code}`));
  deleteAudited(context, TABLE, code, before);
}

/** The states' write routes on SQLite: these functions in a writeTransaction. */
export function sqliteStateWrites(db: Db): WriteHandlers {
  return sqliteWriteHandlers<typeof stateCreateSchema, typeof statePatchSchema, { id: string; version: number }>(db, {
    entity: 'states',
    param: { name: 'id' },
    read: (code) => getState(db, code),
    create: createState,
    update: updateState,
    remove: deleteState,
  });
}
