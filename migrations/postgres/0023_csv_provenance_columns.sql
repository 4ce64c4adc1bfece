-- The recommendations CSV gains sdgSources, affectedPersonSources and each source's reading (src/recommendations/csv.ts):
-- every stored CSV row is rebuilt on the next start (src/db/pg/freshen.ts). Re-runnable.
INSERT INTO "recommendation_documents_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
