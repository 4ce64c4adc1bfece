-- SQLite's 0035_related_group_phrasings: until 2026-12-06 (session 43) the violence groups, the special procedures
-- and a standing invitation were read in their usual wordings only ("gender violence", "women victims of
-- violence", "mandate holders" were words), so relations stored by those releases score pairs a new database with
-- the same data does not. Every recommendation's relations are listed stale: the next start recomputes them a
-- state at a time and rebuilds the documents whose recurrence changed (src/db/pg/freshen.ts).
INSERT INTO "recommendation_relations_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
