import { getTableConfig } from 'drizzle-orm/sqlite-core';
import t from 'tap';
import { openDatabase } from '../src/db/open.js';
import * as schema from '../src/db/schema.js';

// The migrations are generated from src/db/schema.ts; this catches a schema change without its migration.
t.test('every table, column, index and check declared in the schema exists after migrating', async (t) => {
  const db = openDatabase(':memory:', { seed: false });
  t.teardown(() => db.$client.close());
  type Table = Parameters<typeof getTableConfig>[0];
  const tables = (Object.values(schema) as unknown[]).filter(
    (value): value is Table => typeof value === 'object' && value !== null && Symbol.for('drizzle:IsDrizzleTable') in value,
  );
  t.ok(tables.length >= 20);
  for (const table of tables) {
    const config = getTableConfig(table);
    const columns = db.$client.prepare(`select name from pragma_table_info(?)`).pluck().all(config.name);
    t.same(columns.sort(), config.columns.map((c) => c.name).sort(), `${config.name} columns`);
    const indexes = db.$client.prepare(`select name from pragma_index_list(?)`).pluck().all(config.name) as string[];
    for (const index of config.indexes) t.ok(indexes.includes(index.config.name), `${config.name}: ${index.config.name}`);
    const ddl = db.$client.prepare(`select sql from sqlite_master where name = ?`).pluck().get(config.name) as string;
    for (const check of config.checks) t.match(ddl, check.name, `${config.name}: ${check.name}`);
    const foreignKeys = db.$client.prepare('select count(distinct id) from pragma_foreign_key_list(?)');
    t.equal(foreignKeys.pluck().get(config.name), config.foreignKeys.length, `${config.name} foreign keys`);
  }
});
