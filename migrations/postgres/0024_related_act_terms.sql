-- SQLite's 0032_related_act_terms: until 2026-12-06 a treaty named to be ratified and the same treaty named for
-- another act were one term, a moratorium was the death penalty's abolition, and "the ICCPR-OP2" the covenant
-- itself, so relations stored by those releases score pairs a new database with the same data does not. Every
-- recommendation's relations are listed stale: the next start recomputes them a state at a time and rebuilds
-- the documents whose recurrence changed (src/db/pg/freshen.ts).
INSERT INTO "recommendation_relations_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
