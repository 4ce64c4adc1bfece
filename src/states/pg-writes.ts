import { sql } from 'drizzle-orm';
import { Inconsistencies } from '../curation/checks.js';
import type { WriteHandlers } from '../curation/http.js';
import { pgWriteHandlers } from '../curation/pg-http.js';
import { pgCheckVersion, pgClaimRecordId, pgCountReferences, pgDeleteAudited, pgFinishUpdate } from '../curation/pg-records.js';
import type { Snapshot } from '../curation/records.js';
import type { StateDetail } from './schemas.js';
import { pgAll, pgGet, pgRun } from '../db/pg/query.js';
import type { Pool } from '../db/pg/rows.js';
import type { PgWriteContext } from '../db/pg/write-transaction.js';
import { HttpProblem, notFound } from '../http/problem.js';
import { pgStateNames } from '../related/pg-freshen.js';
import { pgRelateRenamed } from '../related/pg-state-name-changes.js';
import { normalizeStateName } from './names.js';
import { STATE_READS } from './pg-queries.js';
import { otherOwner, STATE_ID_TABLE, STATE_TABLE, STATE_USES, type StateCreate, type StatePatch } from './writes.js';
import type { VersionCondition } from '../http/etag.js';

// Creating, changing and deleting states on PostgreSQL (writes.ts on SQLite): the same checks, rows, audit
// snapshots and problems, in a pgWriteTransaction. A state's name is in the stored documents of the
// recommendations it reviewed or made: a new name rebuilds them, as SQLite's trigger (migrations/0007) marks them.

type Tx = PgWriteContext['tx'];

/** writes.ts's stateSnapshot (aliases in code-point order, as SQLite's `order by`). */
async function snapshot(tx: Tx, code: string): Promise<Snapshot | undefined> {
  const row = await pgGet<{ name: string; regionalGroup: string | null; regionalGroupNote: string | null; unMember: boolean; version: number }>(
    tx,
    sql`select name, regional_group as "regionalGroup", regional_group_note as "regionalGroupNote", un_member as "unMember",
      version from states where code = ${code}`,
  );
  if (!row) return undefined;
  const aliases = (
    await pgAll<{ alias: string }>(tx, sql`select alias from state_aliases where state_code = ${code} and alias <> ${row.name}
      order by alias collate "C"`)
  ).map((a) => a.alias);
  const { name, regionalGroup, regionalGroupNote, unMember, version } = row;
  return { name, regionalGroup, regionalGroupNote, unMember, aliases, version };
}

/**
 * 422 for a spelling that already names another state, or is its code (which filters and files give); `created`:
 * also for a new state's code that is another state's spelling (ARE's UAE: the filter took it as the new state's).
 */
async function checkSpellings(tx: Tx, code: string, name: string | undefined, aliases: readonly string[] | undefined, created = false): Promise<void> {
  const problems = new Inconsistencies();
  const check = async (field: string, text: string) => {
    const owner = await pgGet<{ code: string }>(tx, otherOwner(code, normalizeStateName(text)));
    if (owner) problems.add(field, `"${text}" already names ${owner.code}`);
  };
  if (created) await check('id', code);
  if (name !== undefined) await check('name', name);
  for (const alias of aliases ?? []) await check('aliases', alias);
  problems.throwIfAny();
}

async function addSpellings(tx: Tx, code: string, spellings: readonly string[]): Promise<void> {
  for (const alias of spellings) {
    await pgRun(tx, sql`insert into state_aliases (key, alias, state_code) values (${normalizeStateName(alias)}, ${alias}, ${code})
      on conflict (key) do update set alias = excluded.alias`);
  }
}

export async function pgCreateState(context: PgWriteContext, input: StateCreate): Promise<string> {
  const { tx } = context;
  await checkSpellings(tx, input.id, input.name, input.aliases, true);
  const code = await pgClaimRecordId(tx, STATE_ID_TABLE, input.id);
  await pgRun(tx, sql`insert into states (code, name, regional_group, regional_group_note, un_member)
    values (${code}, ${input.name}, ${input.regionalGroup}, ${input.regionalGroupNote}, ${input.unMember})`);
  const names = await pgStateNames(tx);
  await addSpellings(tx, code, [...input.aliases, input.name]);
  context.stale(await pgRelateRenamed(tx, names));
  context.audit({ entity: STATE_TABLE.entity, entityId: code, action: 'create', before: null, after: (await snapshot(tx, code))! });
  return code;
}

async function existing(tx: Tx, code: string, expected: VersionCondition): Promise<Snapshot> {
  const before = await snapshot(tx, code);
  if (!before) throw notFound('State', code);
  await pgCheckVersion(tx, expected, before.version, 'State', code);
  return before;
}

const COLUMNS = { name: 'name', regionalGroup: 'regional_group', regionalGroupNote: 'regional_group_note', unMember: 'un_member' } as const;

export async function pgUpdateState(context: PgWriteContext, code: string, patch: StatePatch, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, code, expected);
  await checkSpellings(tx, code, patch.name, patch.aliases);
  const set = Object.entries(COLUMNS)
    .filter(([field]) => patch[field as keyof typeof COLUMNS] !== undefined)
    .map(([field, column]) => sql`${sql.identifier(column)} = ${patch[field as keyof typeof COLUMNS]}`);
  if (set.length > 0) await pgRun(tx, sql`update states set ${sql.join(set, sql`, `)} where code = ${code}`);
  const name = patch.name ?? (before.name as string);
  const names = await pgStateNames(tx);
  if (patch.aliases !== undefined) await pgRun(tx, sql`delete from state_aliases where state_code = ${code}`);
  await addSpellings(tx, code, [...(patch.aliases ?? []), name]);
  context.stale(await pgRelateRenamed(tx, names));
  await pgFinishUpdate(context, STATE_TABLE, code, before, async () => (await snapshot(tx, code))!);
  // Its name is in the documents of the recommendations it reviewed or made (SQLite's trigger fires on an
  // update that sets it).
  if (patch.name !== undefined) {
    const named = await pgAll<{ id: string }>(tx, sql`select r.id from reviews v join recommendations r on r.review_id = v.id
      where v.state_code = ${code} union select recommendation_id from recommendation_states where state_code = ${code}`);
    context.stale(named.map((row) => row.id));
  }
}

export async function pgDeleteState(context: PgWriteContext, code: string, expected: VersionCondition): Promise<void> {
  const { tx } = context;
  const before = await existing(tx, code, expected);
  const uses: { table: string; n: number }[] = [];
  for (const [table, column] of STATE_USES) {
    const n = await pgCountReferences(tx, table, column, code);
    if (n > 0) uses.push({ table, n });
  }
  if (uses.length > 0) {
    throw new HttpProblem(
      409,
      `State ${code} is still referred to by ${uses.map(({ table, n }) => `${n} ${table.replace('_', ' ')}`).join(', ')}.`,
    );
  }
  const names = await pgStateNames(tx);
  await pgRun(tx, sql`delete from state_aliases where state_code = ${code}`);
  context.stale(await pgRelateRenamed(tx, names));
  await pgDeleteAudited(context, STATE_TABLE, code, before);
}

/** The states' write routes on PostgreSQL. */
export function pgStateWrites(pool: Pool): WriteHandlers {
  return pgWriteHandlers<StateCreate, StatePatch, StateDetail>(pool, {
    entity: 'states',
    create: pgCreateState,
    update: pgUpdateState,
    remove: pgDeleteState,
    read: (client, code) => STATE_READS.get(client, code),
  });
}
