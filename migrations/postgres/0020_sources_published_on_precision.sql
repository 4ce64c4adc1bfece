-- A source's publication date to its precision ("2020", "2020-03" or "2020-03-15"), as reviews' adoption date.
-- Every date stored before was written as a day. Re-runnable: tests re-apply migrations from some point.
ALTER TABLE "sources" DROP CONSTRAINT IF EXISTS "sources_published_on_shape";--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN IF NOT EXISTS "published_on_precision" text;--> statement-breakpoint
UPDATE "sources" SET "published_on_precision" = 'day' WHERE "published_on" IS NOT NULL AND "published_on_precision" IS NULL;--> statement-breakpoint
ALTER TABLE "sources" DROP CONSTRAINT IF EXISTS "sources_published_on_precision";--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_published_on_precision" CHECK (("published_on" is null) = ("published_on_precision" is null));--> statement-breakpoint
ALTER TABLE "sources" DROP CONSTRAINT IF EXISTS "sources_published_on_to_precision";--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_published_on_to_precision" CHECK ("published_on" is null or ("published_on_precision" = 'day' and "published_on" ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$') or ("published_on_precision" = 'month' and "published_on" ~ '^[0-9]{4}-[0-1][0-9]$') or ("published_on_precision" = 'year' and "published_on" ~ '^[0-9]{4}$'));--> statement-breakpoint
-- The stored recommendation documents show their sources' dates: rebuilt on the next start (src/db/pg/freshen.ts).
INSERT INTO "recommendation_documents_stale" ("recommendation_id") SELECT "id" FROM "recommendations" ON CONFLICT DO NOTHING;
