import { sql } from 'drizzle-orm';
import type { AuditEntry, Tx } from '../src/db/audit.js';
import { assessmentSnapshot } from '../src/assessments/writes.js';
import { developmentSnapshot } from '../src/developments/writes.js';
import { recommendationSnapshot } from '../src/recommendations/writes.js';
import { reviewSnapshot } from '../src/reviews/writes.js';
import { stateSnapshot } from '../src/states/writes.js';
import { statementSnapshot } from '../src/statements/writes.js';
import type { Snapshot } from '../src/curation/records.js';

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

/** A source as its audit entries record it (as src/curation/sources.ts does). */
function sourceSnapshot(tx: Reader, id: string): Record<string, unknown> {
  return tx.get<Record<string, unknown>>(sql`select title, publisher, url, published_on as publishedOn
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
