import type { KeysetSort } from '../db/keyset.js';
import type { Db } from '../db/open.js';
import { type ReadStore, sqliteReadStore } from '../db/read-store.js';
import { developmentCsvColumns } from './csv.js';
import { developmentExportChunks, type DevelopmentRow, getDevelopment, listDevelopments, pageDevelopments } from './queries.js';
import type { DevelopmentDetail, DevelopmentFilter } from './schemas.js';

// The developments' store (src/db/read-store.ts): SQLite's reads queries.ts; PostgreSQL's is pg-queries.ts.

export type DevelopmentStore = ReadStore<DevelopmentFilter, DevelopmentDetail, KeysetSort<DevelopmentRow>>;

export const DEVELOPMENT_LIST = { resource: 'developments', columns: developmentCsvColumns };

export function sqliteDevelopmentStore(db: Db): DevelopmentStore {
  return sqliteReadStore(db, DEVELOPMENT_LIST, {
    page: pageDevelopments,
    list: listDevelopments,
    get: getDevelopment,
    chunks: developmentExportChunks,
  });
}
