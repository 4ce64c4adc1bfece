-- SQLite's 0034_related_group_terms: until 2026-12-06 "violence against women" and "violence against children"
-- were words that met on "violence", and a standing invitation was the special procedures' own term, so relations
-- stored by those releases score pairs a new database with the same data does not. Every recommendation's
-- relations are listed stale: the next start recomputes them a state at a time and rebuilds the documents whose
-- recurrence changed (src/db/pg/freshen.ts).
INSERT INTO "recommendation_relations_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
