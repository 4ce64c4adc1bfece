-- Each source of a recommendation document now shows what that source printed (`sources[].reading`), as on
-- SQLite (migrations/0021_source_readings.sql): every document and CSV row is to be rebuilt in the new shape,
-- and the revision moves on (a database with data), so that no cached answer or ETag of the old shape is
-- served or confirmed (304) again. (No trigger to change: PostgreSQL's writes rebuild what they change.)
INSERT INTO "recommendation_documents_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "meta" SET "value" = (CAST("value" AS bigint) + 1)::text WHERE "key" = 'revision' AND EXISTS (SELECT 1 FROM "recommendations");
