-- SQLite's 0020_related_without_recommenders: related recommendations compare texts without the recommending
-- states printed in parentheses at their end ("… (France);", src/related/state-names.ts), which the relations
-- stored before were computed with. Every recommendation's relations are listed stale: the next start
-- recomputes them and rebuilds the documents whose recurrence changed (src/db/pg/freshen.ts). A new database
-- lists nothing (it holds no recommendation yet), nor does one filled by `npm run db:copy` afterwards from a
-- SQLite database this version opened (whose list is empty).
INSERT INTO "recommendation_relations_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
