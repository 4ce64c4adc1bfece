-- Full text split into words as SQLite's FTS5 splits them: every run of characters that are not letters or
-- digits is a space before to_tsvector (src/db/pg/schema.ts, englishWords), so that `non.discrimination`,
-- `health.care` or `remaining/future` are two words each, not one host, file or path token that `q=health`
-- or `q=discrimination` missed. PostgreSQL 15 cannot change a generated column's expression: the columns are
-- dropped (their GIN indexes with them) and added again, computed for every row, and the indexes rebuilt.
ALTER TABLE "developments" drop column "search";--> statement-breakpoint
ALTER TABLE "developments" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', regexp_replace("title", '[[:punct:][:space:][:cntrl:]]+', ' ', 'g')), 'A') || setweight(to_tsvector('english', regexp_replace("summary", '[[:punct:][:space:][:cntrl:]]+', ' ', 'g')), 'B')) STORED;--> statement-breakpoint
ALTER TABLE "recommendations" drop column "search";--> statement-breakpoint
ALTER TABLE "recommendations" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', regexp_replace("text", '[[:punct:][:space:][:cntrl:]]+', ' ', 'g'))) STORED;--> statement-breakpoint
CREATE INDEX "developments_search_idx" ON "developments" USING gin ("search");--> statement-breakpoint
CREATE INDEX "recommendations_search_idx" ON "recommendations" USING gin ("search");
