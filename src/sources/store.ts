import type { Db } from '../db/open.js';
import { type ReadStore, sqliteReadStore } from '../db/read-store.js';
import { sourceCsvColumns } from './csv.js';
import { getSource, listSources, pageSources, type SourceKeysetSort } from './queries.js';
import type { SourceDetail, SourceFilter } from './schemas.js';

// The sources' store (src/db/read-store.ts): SQLite's reads queries.ts; PostgreSQL's is pg-queries.ts.

export type SourceStore = ReadStore<SourceFilter, SourceDetail, SourceKeysetSort>;

export const SOURCE_LIST = { resource: 'sources', columns: sourceCsvColumns };

export function sqliteSourceStore(db: Db): SourceStore {
  return sqliteReadStore(db, SOURCE_LIST, { page: pageSources, list: listSources, get: getSource });
}
