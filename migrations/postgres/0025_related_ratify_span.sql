-- SQLite's 0033_related_ratify_span: until 2026-12-06 a treaty named after another act in a request to ratify
-- ("Ratify OP-CAT and implement the CAT") was taken as a treaty to ratify too, so relations stored by those
-- releases score pairs a new database with the same data does not. Every recommendation's relations are listed
-- stale: the next start recomputes them a state at a time and rebuilds the documents whose recurrence changed
-- (src/db/pg/freshen.ts).
INSERT INTO "recommendation_relations_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
