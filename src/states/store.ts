import type { Db } from '../db/open.js';
import { type ReadStore, sqliteReadStore } from '../db/read-store.js';
import { stateCsvColumns } from './csv.js';
import { getState, listStates, pageStates } from './queries.js';
import type { StateDetail, StateFilter } from './schemas.js';

// The states' store (src/db/read-store.ts): SQLite's reads queries.ts; PostgreSQL's is pg-queries.ts. The
// list has one order, by code.

export type StateStore = ReadStore<StateFilter, StateDetail>;

export const STATE_LIST = { resource: 'states', columns: stateCsvColumns };

export function sqliteStateStore(db: Db): StateStore {
  return sqliteReadStore(db, STATE_LIST, {
    page: (from, f, _sort, limit, after) => pageStates(from, f, limit, after),
    list: (from, f, sort, limit, after) => listStates(from, f, sort.name, limit, after),
    get: getState,
  });
}
