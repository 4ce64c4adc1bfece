import { sql } from 'drizzle-orm';
import type { AuditEntry, Tx, WriteContext } from '../src/db/audit.js';
import { ASSESSMENT_TABLE, assessmentSnapshot } from '../src/assessments/writes.js';
import { TABLE as DEVELOPMENT_TABLE, developmentSnapshot } from '../src/developments/writes.js';
import { RECOMMENDATION_TABLE, recommendationSnapshot } from '../src/recommendations/writes.js';
import { REVIEW_TABLE, reviewSnapshot } from '../src/reviews/writes.js';
import { STATE_TABLE, stateSnapshot } from '../src/states/writes.js';
import { TABLE as STATEMENT_TABLE, statementSnapshot } from '../src/statements/writes.js';
import { finishUpdate, type Snapshot, type VersionedTable } from '../src/curation/records.js';

// The audit entries of what a seed run created: each record as the write routes' own snapshots record a
// creation, in the order a mirror can apply them (what a record refers to comes before it).

export interface SeededIds {
  states: string[];
  sources: string[];
  reviews: string[];
  recommendations: string[];
  developments: string[];
  assessments: string[];
  statements: string[];
}

type Reader = Pick<Tx, 'get' | 'all'>;

/**
 * The seed's records someone else has written to since (a curator, an import: an entry by another actor than
 * `seed`, a delete included), as `entity id` keys. They are theirs: a seed run adds nothing to them (a link or
 * alias a curator removed stays removed) and does not create one again once deleted.
 */
export function claimedRecords(tx: Reader, seeded: SeededIds): Set<string> {
  const rows = (Object.keys(seeded) as (keyof SeededIds)[]).flatMap((entity) =>
    tx.all<{ entity: string; id: string }>(sql`select distinct entity, entity_id as id from audit_log
      where entity = ${entity} and entity_id in (select value from json_each(${JSON.stringify(seeded[entity])})) and actor <> 'seed'`),
  );
  return new Set(rows.map((row) => claimKey(row.entity, row.id)));
}

export const claimKey = (entity: string, id: string) => `${entity} ${id}`;

/** A source as its audit entries record it (as src/curation/sources.ts does). */
function sourceSnapshot(tx: Reader, id: string): Record<string, unknown> {
  return tx.get<Record<string, unknown>>(sql`select title, publisher, url, published_on as publishedOn,
      published_on_precision as publishedOnPrecision
    from sources where id = ${id}`)!;
}

const SNAPSHOTS: [keyof SeededIds, (tx: Reader, id: string) => Snapshot | Record<string, unknown> | undefined][] = [
  ['states', stateSnapshot],
  ['sources', sourceSnapshot],
  ['reviews', reviewSnapshot],
  ['recommendations', recommendationSnapshot],
  ['developments', developmentSnapshot],
  ['assessments', assessmentSnapshot],
  ['statements', statementSnapshot],
];

export function seedAuditEntries(tx: Reader, created: SeededIds): AuditEntry[] {
  return SNAPSHOTS.flatMap(([entity, snapshot]) =>
    created[entity].map(
      (id): AuditEntry => ({ entity, entityId: id, action: 'create', before: null, after: snapshot(tx, id)! }),
    ),
  );
}

// The versioned kinds: a seed run can add to a stored one what its snapshot shows (a new alias of a state, a
// link), which is an update of it. Sources have no version and change only by being created.
const VERSIONED: [keyof SeededIds, VersionedTable, (tx: Reader, id: string) => Snapshot | undefined][] = [
  ['states', STATE_TABLE, stateSnapshot],
  ['reviews', REVIEW_TABLE, reviewSnapshot],
  ['recommendations', RECOMMENDATION_TABLE, recommendationSnapshot],
  ['developments', DEVELOPMENT_TABLE, developmentSnapshot],
  ['assessments', ASSESSMENT_TABLE, assessmentSnapshot],
  ['statements', STATEMENT_TABLE, statementSnapshot],
];

export type StoredSnapshots = { table: VersionedTable; id: string; before: Snapshot; snapshot: (tx: Reader, id: string) => Snapshot | undefined }[];

/** The seed's records stored before this run (`seeded` but not `created`), as their snapshots show them. */
export function storedSnapshots(tx: Reader, seeded: SeededIds, created: SeededIds): StoredSnapshots {
  return VERSIONED.flatMap(([entity, table, snapshot]) => {
    const fresh = new Set(created[entity]);
    // (A record deleted by a curator is neither stored nor created again: no snapshot.)
    return seeded[entity].filter((id) => !fresh.has(id)).flatMap((id) => {
      const before = snapshot(tx, id);
      return before === undefined ? [] : [{ table, id, before, snapshot }];
    });
  });
}

/**
 * A stored record this run changed (what `npm run seed` adds to an existing database: a state's new aliases)
 * gets a new version and its update entry, as a write through the API would; returns how many changed.
 */
export function auditSeedUpdates(context: WriteContext, stored: StoredSnapshots): number {
  let updated = 0;
  for (const { table, id, before, snapshot } of stored) {
    if (finishUpdate(context, table, id, before, () => snapshot(context.tx, id)!)) updated++;
  }
  return updated;
}
