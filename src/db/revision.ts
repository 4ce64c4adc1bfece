import { sql } from 'drizzle-orm';
import type { Db } from './open.js';

// The data revision: a number every write bumps, so caches and mirrors can tell whether anything changed.

export function currentRevision(db: Pick<Db, 'get'>): number {
  const row = db.get<{ value: string } | undefined>(sql`select value from meta where key = 'revision'`);
  return row ? Number(row.value) : 0;
}

export function bumpRevision(db: Pick<Db, 'get' | 'run'>): number {
  db.run(sql`insert into meta (key, value) values ('revision', '1')
    on conflict (key) do update set value = cast(value as integer) + 1`);
  return currentRevision(db);
}
